//! What the room's own data says, over HTTP against the real server: estimate suggestions from
//! the items most like the one being estimated, hidden from voters until the reveal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, Event, Role};
use readyroom_tests::{RoomCreated, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

const HISTORY: &str = "key,title,description,estimate,labels\n\
    E-1,Export the backlog as CSV,Download every item as a spreadsheet,3,export\n\
    E-2,Export the backlog as PDF,A printable export of the backlog,5,export\n\
    E-3,Export estimates as CSV,A spreadsheet with the estimates,3,export\n\
    A-1,Log in with SSO,SAML single sign-on for companies,13,auth\n\
    A-2,Reset a password,A mail with a link,5,auth\n\
    N-1,Export the trash as CSV,Deleted items in a spreadsheet,,export\n";

#[tokio::test]
async fn a_suggestion_comes_from_similar_items_and_voters_see_it_after_the_reveal() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let imported = server.import_csv(&room, HISTORY).await;
    let target: readyroom_protocol::ItemId =
        serde_json::from_value(imported["rows"][5]["item_id"].clone()).unwrap();
    ben.event_where(|f| matches!(f.event, Event::ItemsImported { .. }))
        .await;
    ana.event_where(|f| matches!(f.event, Event::ItemsImported { .. }))
        .await;

    let ask = async |token: &str| {
        let response = server
            .get_with_token(
                &server.url(&format!(
                    "/api/rooms/{}/items/{target}/suggestion",
                    room.room_id
                )),
                token,
            )
            .await;
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    };
    let (status, suggestion) = ask(&room.facilitator_token).await;
    assert_eq!(status, 200, "{suggestion}");
    assert_eq!(suggestion["suggested"], "3", "{suggestion}");
    assert_eq!(suggestion["matches"], 3);
    assert_eq!(suggestion["confidence"], "high");
    assert_eq!(
        suggestion["references"][0]["title"],
        "Export the backlog as CSV"
    );
    assert_eq!(suggestion["references"].as_array().unwrap().len(), 3);

    // Ben votes first: until the reveal the suggestion would sway him.
    let ben_token = ben.token.clone().unwrap();
    let round = ana.start_round(target).await;
    let (status, refused) = ask(&ben_token).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("forbidden")),
        "{refused}"
    );
    ben.vote(round.id, "5").await;
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    let (status, shown) = ask(&ben_token).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["suggested"], "3");

    let (status, _) = ask("not-a-token").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn insights_sum_up_a_session_and_name_people_to_the_facilitator_only() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let first = ana.create_item("Export CSV").await.id;
    let second = ana.create_item("Single sign-on").await.id;
    ana.request(Command::StartSession).await.acked();

    // The first item agrees at once; the second needs a re-vote, with a "?" in it.
    ana.request(Command::SetCurrentItem {
        item_id: Some(first),
    })
    .await
    .acked();
    let round = ana.start_round(first).await;
    ana.vote(round.id, "3").await;
    ben.vote(round.id, "3").await;
    ana.reveal_and_accept(round.id, "3").await;
    ana.request(Command::SetCurrentItem {
        item_id: Some(second),
    })
    .await
    .acked();
    let round = ana.start_round(second).await;
    ana.vote(round.id, "13").await;
    ben.vote(round.id, "5").await;
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    let again = ana.request(Command::Revote { round_id: round.id }).await;
    let revote = again.find(|e| match e {
        Event::RoundStarted { round } => Some(round.id),
        _ => None,
    });
    ana.vote(revote, "13").await;
    ben.vote(revote, "?").await;
    ana.request(Command::Reveal { round_id: revote })
        .await
        .acked();
    ana.request(Command::AcceptEstimate {
        round_id: revote,
        estimate: "13".into(),
    })
    .await
    .acked();

    let get = async |token: &str| {
        let response = server
            .get_with_token(
                &server.url(&format!("/api/rooms/{}/insights", room.room_id)),
                token,
            )
            .await;
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    };
    let (status, insights) = get(&room.facilitator_token).await;
    assert_eq!(status, 200, "{insights}");
    let session = &insights["sessions"][0];
    assert_eq!(session["rounds"], 3, "{insights}");
    assert_eq!(session["items_estimated"], 2);
    assert_eq!(
        session["first_round_consensus"], 0.5,
        "one of two first rounds agreed"
    );
    assert_eq!(session["revote_rate"], 0.5);
    assert_eq!(session["unsure_share"], 1.0 / 6.0, "{insights:#}");
    assert_eq!(session["accepted_other_than_mode"], 0.0);
    assert!(session["ended_at"].is_null(), "the session is under way");
    assert_eq!(session["timeline"][0]["title"], "Export CSV");
    assert_eq!(session["timeline"][1]["title"], "Single sign-on");
    assert_eq!(
        insights["split_candidates"][0]["title"], "Single sign-on",
        "13 is at the split suggestion"
    );
    let people = insights["people"].as_array().unwrap();
    let ben_row = people.iter().find(|p| p["name"] == "Ben").unwrap();
    assert_eq!(
        (ben_row["votes"].as_u64(), ben_row["unsure_share"].as_f64()),
        (Some(3), Some(1.0 / 3.0))
    );

    let (status, theirs) = get(&ben.token.clone().unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        theirs.get("people").is_none(),
        "figures per person are the facilitator's: {theirs}"
    );
    assert_eq!(theirs["sessions"][0]["rounds"], 3);
}

/// Imports `csv` into `room` and answers the rows' item ids.
async fn import(server: &TestServer, room: &RoomCreated, csv: &str) -> Vec<Value> {
    server.import_csv(room, csv).await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["item_id"].clone())
        .collect()
}

#[tokio::test]
async fn a_room_draws_on_a_team_rooms_estimates_while_that_room_keeps_the_token() {
    let server = TestServer::start().await;
    // Last sprint's room holds the history; this sprint's room has only the new item.
    let last_sprint = server
        .create_room_with(serde_json::json!({ "name": "Sprint 41" }))
        .await;
    import(&server, &last_sprint, HISTORY).await;
    let this_sprint = server.create_room().await;
    let target = import(
        &server,
        &this_sprint,
        "title,description\nExport the trash as CSV,Deleted items in a spreadsheet\n",
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_owned();
    let facilitator = this_sprint.facilitator_token.clone();
    let suggestion = async || {
        let (status, suggestion) = server
            .call(
                &this_sprint,
                Method::GET,
                &format!("/items/{target}/suggestion"),
                &facilitator,
                None,
            )
            .await;
        assert_eq!(status, 200, "{suggestion}");
        suggestion
    };
    assert_eq!(
        suggestion().await["matches"],
        0,
        "alone, the room has no history"
    );

    // The other room's facilitator issues a token; this room's facilitator links with it.
    let (_, issued) = server
        .call(
            &last_sprint,
            Method::POST,
            "/tokens",
            &last_sprint.facilitator_token,
            Some(json!({ "name": "Sprint 42 suggestions", "scope": "read" })),
        )
        .await;
    let shared_token = issued["token"].as_str().unwrap().to_owned();
    let link = |room_id: String, token: String, by: String| {
        let server = &server;
        let this_sprint = &this_sprint;
        async move {
            server
                .call(
                    this_sprint,
                    Method::POST,
                    "/team-rooms",
                    &by,
                    Some(json!({ "room_id": room_id, "token": token })),
                )
                .await
        }
    };
    // Refused: a participant or stranger linking, a wrong token, the room itself, no room.
    let (status, _) = link(
        last_sprint.room_id.clone(),
        shared_token.clone(),
        "0".repeat(32),
    )
    .await;
    assert_eq!(status, 403);
    for (room_id, token) in [
        (
            last_sprint.room_id.clone(),
            "rr_00000000000000000000000000000000".to_owned(),
        ),
        (
            last_sprint.room_id.clone(),
            last_sprint.facilitator_token.clone(),
        ),
        (this_sprint.room_id.clone(), shared_token.clone()),
        (
            "3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40".to_owned(),
            shared_token.clone(),
        ),
    ] {
        let (status, answer) = link(room_id, token, facilitator.clone()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("invalid_value")),
            "{answer}"
        );
    }
    let (status, linked) = link(
        last_sprint.room_id.clone(),
        shared_token.clone(),
        facilitator.clone(),
    )
    .await;
    assert_eq!(status, 201, "{linked}");
    assert_eq!(linked["name"], "Sprint 41");
    let (_, listed) = server
        .call(&this_sprint, Method::GET, "/team-rooms", &facilitator, None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["sharing"], true);
    assert!(!listed.to_string().contains("rr_"), "the token is not kept");

    let suggestion_now = suggestion().await;
    assert_eq!(suggestion_now["suggested"], "3", "{suggestion_now}");
    let reference = &suggestion_now["references"][0];
    assert_eq!(reference["room"]["name"], "Sprint 41");
    assert_eq!(reference["room"]["room_id"], last_sprint.room_id);

    // Revoking the token in the other room ends the sharing at once.
    let token_id = issued["id"].as_str().unwrap();
    let (status, _) = server
        .call(
            &last_sprint,
            Method::DELETE,
            &format!("/tokens/{token_id}"),
            &last_sprint.facilitator_token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(suggestion().await["matches"], 0);
    let (_, listed) = server
        .call(&this_sprint, Method::GET, "/team-rooms", &facilitator, None)
        .await;
    assert_eq!(
        listed[0]["sharing"], false,
        "the list says it stopped: {listed}"
    );
    let (status, _) = server
        .call(
            &this_sprint,
            Method::DELETE,
            &format!("/team-rooms/{}", last_sprint.room_id),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 204);
}
