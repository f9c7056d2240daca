//! The room's REST API against the real server: tokens the facilitator issues and revokes,
//! items created and edited by a tool and seen live in the room, rounds read without ever a
//! card before the reveal, and tokens that may only read kept to reading.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, Event, ItemChange, Role};
use readyroom_tests::TestServer;
use serde_json::json;

#[tokio::test]
async fn a_tool_with_a_write_token_edits_the_backlog_live_and_a_read_token_only_reads() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let facilitator = room.facilitator_token.clone();
    use reqwest::Method;

    let (status, writer) = server
        .call(
            &room,
            Method::POST,
            "/tokens",
            &facilitator,
            Some(json!({"name": "Jira sync", "scope": "write"})),
        )
        .await;
    assert_eq!(status, 201, "{writer}");
    let write_token = writer["token"].as_str().unwrap().to_owned();
    let (_, reader) = server
        .call(
            &room,
            Method::POST,
            "/tokens",
            &facilitator,
            Some(json!({"name": "Dashboard", "scope": "read"})),
        )
        .await;
    let read_token = reader["token"].as_str().unwrap().to_owned();
    let (status, listed) = server
        .call(&room, Method::GET, "/tokens", &facilitator, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(
        !listed.to_string().contains(&write_token),
        "secrets are shown once: {listed}"
    );
    assert_eq!(listed[0]["name"], "Jira sync");
    // Only the facilitator issues tokens: not a voter, not a token that may write.
    let ben_token = ben.token.clone().unwrap();
    for token in [&ben_token, &write_token] {
        let (status, _) = server
            .call(
                &room,
                Method::POST,
                "/tokens",
                token,
                Some(json!({"name": "x", "scope": "write"})),
            )
            .await;
        assert_eq!(status, 403);
    }

    let (status, created) = server
        .call(
            &room,
            Method::POST,
            "/items",
            &write_token,
            Some(json!({"title": "Export to PDF", "labels": ["export"]})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let item_id = created["item_id"].as_str().unwrap().to_owned();
    let seen = ana
        .event_where(|f| matches!(f.event, Event::ItemCreated { .. }))
        .await;
    assert!(seen.actor.is_none(), "a tool is nobody in the room");
    let (status, _) = server
        .call(
            &room,
            Method::PATCH,
            &format!("/items/{item_id}"),
            &write_token,
            Some(json!({"field": "estimate", "value": "5"})),
        )
        .await;
    assert_eq!(status, 200);
    let updated = ana
        .event_where(|f| matches!(f.event, Event::ItemUpdated { .. }))
        .await;
    let Event::ItemUpdated { change, .. } = updated.event else {
        unreachable!()
    };
    assert_eq!(change, ItemChange::Estimate(Some("5".into())));
    let (status, refused) = server
        .call(
            &room,
            Method::PATCH,
            &format!("/items/{item_id}"),
            &write_token,
            Some(json!({"field": "title", "value": ""})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("invalid_value")),
        "{refused}"
    );

    let (status, items) = server
        .call(&room, Method::GET, "/items", &read_token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(items[0]["title"], "Export to PDF");
    assert_eq!(items[0]["estimate"], "5");
    let (status, _) = server
        .call(
            &room,
            Method::POST,
            "/items",
            &read_token,
            Some(json!({"title": "Nope"})),
        )
        .await;
    assert_eq!(status, 403, "a read token cannot write");
    let (status, _) = server
        .call(
            &room,
            Method::GET,
            "/export/csv?format=jira",
            &read_token,
            None,
        )
        .await;
    assert_eq!(status, 200, "but it can export");
    let (status, _) = server
        .call(&room, Method::GET, "/items", &ben_token, None)
        .await;
    assert_eq!(status, 403, "the API is for the facilitator and tools");

    // Revoked, a token opens nothing.
    let id = listed[1]["id"].as_str().unwrap();
    let (status, _) = server
        .call(
            &room,
            Method::DELETE,
            &format!("/tokens/{id}"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = server
        .call(&room, Method::GET, "/items", &read_token, None)
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn rounds_over_the_api_show_who_voted_and_cards_only_after_the_reveal() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Checkout").await.id;
    let round = ana.start_round(item).await;
    ben.vote(round.id, "8").await;
    let (status, during) = server
        .call(
            &room,
            reqwest::Method::GET,
            "/rounds",
            &room.facilitator_token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(during["current"]["voted"].as_array().unwrap().len(), 1);
    assert!(
        during["current"]["revealed"].is_null() && during["current"]["my_card"].is_null(),
        "no card before the reveal: {during}"
    );
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    let (_, after) = server
        .call(
            &room,
            reqwest::Method::GET,
            "/rounds",
            &room.facilitator_token,
            None,
        )
        .await;
    assert_eq!(
        after["current"]["revealed"]["votes"][0]["card"], "8",
        "{after}"
    );
}
