//! Votes stay secret until reveal, checked on the raw frames each client receives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, Event, Role, ServerMessage};
use readyroom_tests::{Client, TestServer, rejoin_request};

/// Distinctive custom cards, so a leaked value would be recognisable anywhere in a frame.
const CARDS: [&str; 3] = ["Qx7", "Zk9", "Wv3"];

/// The cards other than `own` that appear anywhere in the client's frames, apart from the
/// deck lists (which name every card by design).
fn leaked_cards(client: &Client, own: Option<&str>) -> Vec<String> {
    let frames: Vec<String> = client
        .frames
        .iter()
        .map(|frame| without_decks(frame))
        .collect();
    CARDS
        .iter()
        .filter(|card| Some(**card) != own)
        .filter(|card| frames.iter().any(|frame| frame.contains(*card)))
        .map(|card| (*card).to_owned())
        .collect()
}

fn without_decks(frame: &str) -> String {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("deck");
                map.remove("default_deck");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(frame).unwrap();
    strip(&mut value);
    value.to_string()
}

#[tokio::test]
async fn no_vote_value_reaches_anyone_else_before_reveal() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let (mut cy, _) = server.join(&room, "Cy", Role::Voter).await;
    let (mut obs, _) = server.join(&room, "Olga", Role::Observer).await;
    let item = ana.create_item("Secret").await;
    let deck = readyroom_protocol::DeckChoice {
        kind: readyroom_protocol::DeckKind::Custom,
        cards: CARDS.iter().map(|c| (*c).to_owned()).collect(),
        unsure: true,
        coffee: true,
    };
    let started = ana
        .request(Command::StartRound {
            item_id: item.id,
            deck: Some(deck),
            dimension: None,
            timebox_seconds: None,
        })
        .await;
    let round = started.started_round();
    let seq = started.acked().unwrap();

    let ben_vote = ben
        .request(Command::Vote {
            round_id: round.id,
            card: "Qx7".into(),
        })
        .await;
    // Ben's own copy carries his card.
    assert!(
        ben_vote
            .events
            .iter()
            .any(|e| matches!(&e.event, Event::VoteCast { card: Some(c), .. } if c == "Qx7"))
    );
    let cy_vote = cy
        .request(Command::Vote {
            round_id: round.id,
            card: "Zk9".into(),
        })
        .await;
    // Ben changes his mind, then takes it back and votes again.
    ben.vote(round.id, "Wv3").await;
    ben.request(Command::RetractVote { round_id: round.id })
        .await
        .acked();
    let last = ben.vote(round.id, "Qx7").await.unwrap();
    assert!(last > cy_vote.acked().unwrap());

    for client in [&mut ana, &mut obs] {
        let events = client.events_until(last).await;
        assert!(
            events
                .iter()
                .any(|e| e.seq > seq && matches!(e.event, Event::VoteCast { card: None, .. }))
        );
        assert!(
            events
                .iter()
                .all(|e| !matches!(e.event, Event::VoteCast { card: Some(_), .. }))
        );
    }
    cy.events_until(last).await;
    assert_eq!(
        leaked_cards(&ana, None),
        Vec::<String>::new(),
        "facilitator saw a card"
    );
    assert_eq!(
        leaked_cards(&obs, None),
        Vec::<String>::new(),
        "observer saw a card"
    );
    assert_eq!(
        leaked_cards(&cy, Some("Zk9")),
        Vec::<String>::new(),
        "a voter saw another's card"
    );

    // A late joiner's snapshot shows who voted, not what.
    let (late, welcome) = server.join(&room, "Lia", Role::Voter).await;
    let round_view = welcome.room.round.unwrap();
    assert_eq!(round_view.voted.len(), 2);
    assert_eq!(round_view.my_card, None);
    assert_eq!(
        leaked_cards(&late, None),
        Vec::<String>::new(),
        "a snapshot leaked a card"
    );
    // Ben rejoining on a second tab sees his own card, and only his.
    let mut ben_tab = server.connect(&room).await;
    let welcome = ben_tab
        .join_with(rejoin_request(ben.token.as_ref().unwrap()))
        .await;
    assert_eq!(welcome.room.round.unwrap().my_card.as_deref(), Some("Qx7"));
    assert_eq!(leaked_cards(&ben_tab, Some("Qx7")), Vec::<String>::new());

    // After reveal, everyone sees everything.
    let revealed = ana.request(Command::Reveal { round_id: round.id }).await;
    assert!(matches!(revealed.reply, ServerMessage::Ack { .. }));
    let reveal_frame = ana
        .frames
        .iter()
        .rev()
        .find(|f| f.contains("round_revealed"))
        .unwrap();
    assert!(reveal_frame.contains("Qx7") && reveal_frame.contains("Zk9"));
}
