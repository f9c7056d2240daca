//! The team's tracker in and out, over HTTP against the real server: a Jira export imported
//! into a live room (people in it see the items arrive), imported again (updated, not
//! duplicated), bad files and bad tokens refused with nothing changed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{ErrorCode, Event, ItemView, Role, Tracker};
use readyroom_tests::{Mirror, RoomCreated, TestServer};
use serde_json::Value;

const JIRA: &[u8] = include_bytes!("../fixtures/jira-export.csv");
const AZURE: &[u8] = include_bytes!("../fixtures/azure-export.csv");

async fn import(
    server: &TestServer,
    room: &RoomCreated,
    query: &str,
    token: &str,
    body: &[u8],
) -> (u16, Value) {
    let response = server
        .http()
        .post(server.url(&format!("/api/rooms/{}/import/csv{query}", room.room_id)))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn by_key<'a>(mirror: &'a Mirror, key: &str) -> &'a ItemView {
    mirror
        .items
        .values()
        .find(|item| item.external.as_ref().is_some_and(|e| e.key == key))
        .unwrap_or_else(|| panic!("no item {key}"))
}

#[tokio::test]
async fn a_jira_export_arrives_in_the_room_and_a_second_import_updates_it() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, welcome) = server.join(&room, "Ana", Role::Voter).await;
    let mut mirror = Mirror::from_snapshot(&welcome.room);

    // The preview says what would happen and changes nothing.
    let (status, preview) = import(
        &server,
        &room,
        "?dry_run=true",
        &room.facilitator_token,
        JIRA,
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["tracker"], "jira");
    assert_eq!(preview["created"], 3);
    assert_eq!(preview["rows"][0]["action"], "create");
    assert_eq!(
        preview["columns"][13]["header"],
        "Custom field (Story Points)"
    );
    assert_eq!(preview["columns"][13]["field"], "estimate");
    ana.expect_silence().await;

    let (status, report) = import(
        &server,
        &room,
        "?tracker_url=https://acme.atlassian.net",
        &room.facilitator_token,
        JIRA,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(3), Some(0))
    );
    assert!(report.get("skipped_links").is_none(), "{report}");
    let summary = ana
        .event_where(|frame| {
            mirror.apply(frame);
            matches!(frame.event, Event::ItemsImported { .. })
        })
        .await;
    let Event::ItemsImported {
        tracker, created, ..
    } = summary.event
    else {
        unreachable!()
    };
    assert_eq!((tracker, created.len()), (Tracker::Jira, 3));
    let checkout = by_key(&mirror, "SHOP-12");
    assert_eq!(checkout.title, "Checkout, one click");
    assert_eq!(checkout.estimate.as_deref(), Some("5"));
    assert_eq!(checkout.labels, ["priority: High", "checkout", "payments"]);
    assert_eq!(
        checkout.external.as_ref().and_then(|e| e.url.as_deref()),
        Some("https://acme.atlassian.net/browse/SHOP-12")
    );
    let receipt = by_key(&mirror, "SHOP-13");
    assert_eq!(
        receipt.dependencies,
        [checkout.id],
        "SHOP-12 blocks SHOP-13"
    );

    // The team refines; the same file again updates by key and keeps what it has no value for.
    let receipt_id = receipt.id;
    let saved_id = by_key(&mirror, "SHOP-14").id;
    let reply = ana
        .request(readyroom_protocol::Command::UpdateItem {
            item_id: saved_id,
            change: readyroom_protocol::ItemChange::Title("Saved cards, renamed here".into()),
        })
        .await;
    reply.acked();
    for frame in &reply.events {
        mirror.apply(frame);
    }
    let edited = String::from_utf8(JIRA.to_vec())
        .unwrap()
        .replace("Receipt e-mail", "Receipt by e-mail")
        .replace(",3,,SHOP-12", ",8,,SHOP-12");
    let (status, again) = import(
        &server,
        &room,
        "",
        &room.facilitator_token,
        edited.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(2), Some(1)),
        "SHOP-13 changed in the file, SHOP-14 was renamed here: {again}"
    );
    let server_rows: Vec<&str> = again["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert_eq!(server_rows, ["unchanged", "updated", "updated"]);
    ana.event_where(|frame| {
        mirror.apply(frame);
        matches!(frame.event, Event::ItemsImported { .. })
    })
    .await;
    assert_eq!(mirror.items.len(), 3, "updated, not duplicated");
    assert_eq!(mirror.items[&receipt_id].title, "Receipt by e-mail");
    assert_eq!(mirror.items[&receipt_id].estimate.as_deref(), Some("8"));
    assert_eq!(
        mirror.items[&saved_id].title, "Saved cards page",
        "the tracker's title wins"
    );
}

#[tokio::test]
async fn bad_files_and_bad_tokens_change_nothing() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join(&room, "Ana", Role::Voter).await;

    let (status, error) = import(&server, &room, "", "not-the-token", AZURE).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("invalid_token"))
    );

    let bad = b"ID,Work Item Type,Title,Tags\n1,Bug,Fine,a\n2,Bug,,b\n";
    let (status, error) = import(&server, &room, "", &room.facilitator_token, bad).await;
    assert_eq!(status, 400);
    assert_eq!(
        error["code"],
        serde_json::to_value(ErrorCode::InvalidCsv).unwrap()
    );
    assert_eq!(
        error["message"],
        "row 3, column “Title”: the title is empty"
    );

    let (status, error) = import(
        &server,
        &room,
        "?format=trello",
        &room.facilitator_token,
        AZURE,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_value"))
    );
    let (status, error) = import(
        &server,
        &room,
        "?columns=9=title",
        &room.facilitator_token,
        AZURE,
    )
    .await;
    assert_eq!((status, error["code"].as_str()), (400, Some("invalid_csv")));
    assert_eq!(error["message"], "there is no column 9: the file has 8");
    ana.expect_silence().await;

    // And a good file after all that imports as usual.
    let (status, report) = import(&server, &room, "", &room.facilitator_token, AZURE).await;
    assert_eq!(
        (status, report["created"].as_u64()),
        (200, Some(2)),
        "{report}"
    );
    assert_eq!(report["tracker"], "azure");
}

#[tokio::test]
async fn a_link_the_room_cannot_take_is_skipped_and_said() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let file = b"Summary,Issue key,Inward issue link (Blocks),Outward issue link (Blocks)\n\
                 A,K-1,K-2,\nB,K-2,K-1,K-9\n";
    let (status, report) = import(&server, &room, "", &room.facilitator_token, file).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["skipped_links"],
        serde_json::json!([
            "K-2 depends on K-1: that would make items wait for each other: “B” → “A” → “B” (each depends on the next)",
            "K-9 depends on K-2: K-9 is not in this room",
        ])
    );
}

#[tokio::test]
async fn the_refined_backlog_goes_back_as_each_trackers_csv_and_as_a_summary() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let (status, _) = import(&server, &room, "", &room.facilitator_token, JIRA).await;
    assert_eq!(status, 200);
    let snapshot = ana
        .event_where(|f| matches!(f.event, Event::ItemsImported { .. }))
        .await;
    drop(snapshot);
    ben.event_where(|f| matches!(f.event, Event::ItemsImported { .. }))
        .await;

    // Refine the receipt: a session, the item in focus, a round, an accepted 8.
    let items = server
        .get_with_token(
            &server.url(&format!("/api/rooms/{}/export", room.room_id)),
            &room.facilitator_token,
        )
        .await
        .json::<readyroom_protocol::RoomExport>()
        .await
        .unwrap()
        .items;
    let receipt = items
        .iter()
        .find(|i| i.title == "Receipt e-mail")
        .unwrap()
        .id;
    ana.request(readyroom_protocol::Command::StartSession)
        .await
        .acked();
    ana.request(readyroom_protocol::Command::SetCurrentItem {
        item_id: Some(receipt),
    })
    .await
    .acked();
    let round = ana.start_round(receipt).await;
    ben.vote(round.id, "8").await;
    ana.vote(round.id, "5").await;
    ana.request(readyroom_protocol::Command::Reveal { round_id: round.id })
        .await
        .acked();
    ana.request(readyroom_protocol::Command::AcceptEstimate {
        round_id: round.id,
        estimate: "8".into(),
    })
    .await
    .acked();
    ana.request(readyroom_protocol::Command::AddRemark {
        item_id: receipt,
        kind: readyroom_protocol::RemarkKind::Question,
        text: "Which mail provider?".into(),
        owner: None,
    })
    .await
    .acked();

    let get = async |path: &str, token: &str| {
        let response = server
            .get_with_token(
                &server.url(&format!("/api/rooms/{}{path}", room.room_id)),
                token,
            )
            .await;
        let status = response.status().as_u16();
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        (status, kind, response.text().await.unwrap())
    };
    let (status, kind, jira) = get("/export/csv?format=jira", &room.facilitator_token).await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "text/csv; charset=utf-8"),
        "{jira}"
    );
    let mut lines = jira.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Issue Key,Summary,Description,Acceptance Criteria,Story Points,Priority,Labels,Labels"
        )
    );
    assert!(jira.contains("SHOP-13,Receipt e-mail,Mail a receipt after payment.,Receipt arrives within a minute,8,Medium,payments,\n"), "{jira}");

    // What Jira gets back, Ready Room reads back: the round trip loses nothing it carries.
    let copy = server.create_room().await;
    let (status, report) =
        import(&server, &copy, "", &copy.facilitator_token, jira.as_bytes()).await;
    assert_eq!(
        (status, report["created"].as_u64()),
        (200, Some(3)),
        "{report}"
    );
    assert_eq!(report["rows"][1]["estimate"], "8");

    let (status, _, azure) = get("/export/csv?format=azure", &room.facilitator_token).await;
    assert_eq!(status, 200);
    assert!(
        azure.starts_with(
            "ID,Work Item Type,Title,Description,Acceptance Criteria,Story Points,Tags\n"
        ),
        "{azure}"
    );
    let (status, error) = {
        let (status, _, body) = get("/export/csv?format=jira", "wrong").await;
        (status, body)
    };
    assert_eq!(status, 403, "{error}");

    // The summary is for anyone in the room.
    let ben_token = ben.token.clone().unwrap();
    let (status, kind, summary) = get("/summary.md", &ben_token).await;
    assert_eq!(
        (status, kind.as_str()),
        (200, "text/markdown; charset=utf-8"),
        "{summary}"
    );
    assert!(summary.contains("## Items refined (1)"), "{summary}");
    assert!(
        summary.contains("| SHOP-13 Receipt e-mail | 8 | 2 votes, 5–8, 50% agreed | 1 |"),
        "{summary}"
    );
    assert!(
        summary.contains("## Open questions\n\n- **Receipt e-mail**: Which mail provider?"),
        "{summary}"
    );
    assert!(summary.contains("**People:** Ana, Ben"), "{summary}");
    let (status, _, _) = get("/summary.md", "not-a-token").await;
    assert_eq!(status, 403);
}
