//! The trash and item histories through the real server: a deletion anyone sees, a restore
//! only the facilitator makes, and a history any member of the room can read over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, ErrorCode, Event, HistoryField, ItemHistory, Role};
use readyroom_tests::TestServer;

#[tokio::test]
async fn a_deleted_item_is_restored_and_its_history_read_by_a_member() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    let first = ana.create_item("Sign-up").await;
    let item = ana.create_item("Export").await;
    ben.request(Command::UpdateItem {
        item_id: item.id,
        change: readyroom_protocol::ItemChange::Labels(vec!["reporting".into()]),
    })
    .await
    .acked();
    let deleted = ben.request(Command::DeleteItem { item_id: item.id }).await;
    ana.events_until(deleted.acked().unwrap()).await;
    let (_cy, late) = server.join(&room, "Cy", Role::Observer).await;
    assert_eq!(late.room.trash.len(), 1);
    assert_eq!(late.room.trash[0].title, "Export");
    assert_eq!(late.room.trash[0].deleted_by, Some(ben_welcome.you));

    ben.request(Command::RestoreItem { item_id: item.id })
        .await
        .refused(ErrorCode::Forbidden);
    let restored = ana.request(Command::RestoreItem { item_id: item.id }).await;
    let back = restored.find(|event| match event {
        Event::ItemRestored { item } => Some(item.clone()),
        _ => None,
    });
    assert_eq!(back.labels, ["reporting"]);
    let seen = ben.events_until(restored.acked().unwrap()).await;
    assert!(
        seen.iter()
            .any(|f| matches!(&f.event, Event::ItemRestored { item: i } if i.id == item.id))
    );
    let (_dee, later) = server.join(&room, "Dee", Role::Observer).await;
    assert!(later.room.trash.is_empty());
    let ids: Vec<_> = later.room.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [first.id, item.id], "back where it was");

    let url = server.url(&format!(
        "/api/rooms/{}/items/{}/history",
        room.room_id, item.id
    ));
    let response = server
        .get_with_token(&url, &ben_welcome.participant_token)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let history: ItemHistory = response.json().await.unwrap();
    let fields: Vec<HistoryField> = history.entries.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            HistoryField::Created,
            HistoryField::Labels,
            HistoryField::Deleted,
            HistoryField::Restored
        ]
    );
    assert_eq!(history.entries[1].by_name.as_deref(), Some("Ben"));
    assert_eq!(history.entries[3].by_name.as_deref(), Some("Ana"));

    let unknown = server
        .http()
        .get(server.url(&format!(
            "/api/rooms/{}/items/{}/history",
            room.room_id, "9b2f4e3a-5c6d-4e7f-8a9b-0c1d2e3f4a5b"
        )))
        .bearer_auth(&room.facilitator_token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["code"], "unknown_item");
}
