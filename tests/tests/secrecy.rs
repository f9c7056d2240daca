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

/// A deck of the distinctive cards, with "?" and "☕".
fn secret_deck() -> readyroom_protocol::DeckChoice {
    readyroom_protocol::DeckChoice {
        kind: readyroom_protocol::DeckKind::Custom,
        cards: CARDS.iter().map(|c| (*c).to_owned()).collect(),
        unsure: true,
        coffee: true,
    }
}

/// The facilitator Ana, the voters Ben and Cy, and the observer Olga.
async fn team(server: &TestServer, room: &readyroom_tests::RoomCreated) -> [Client; 4] {
    let (ana, _) = server.join_facilitator(room, "Ana").await;
    let (ben, _) = server.join(room, "Ben", Role::Voter).await;
    let (cy, _) = server.join(room, "Cy", Role::Voter).await;
    let (obs, _) = server.join(room, "Olga", Role::Observer).await;
    [ana, ben, cy, obs]
}

#[tokio::test]
async fn no_vote_value_reaches_anyone_else_before_reveal() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let [mut ana, mut ben, mut cy, mut obs] = team(&server, &room).await;
    let item = ana.create_item("Secret").await;
    let deck = secret_deck();
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
            confidence: None,
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
            confidence: None,
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

/// Whether any of the client's frames mentions a confidence.
fn saw_confidence(client: &Client) -> bool {
    client.frames.iter().any(|f| f.contains("\"confidence\""))
}

#[tokio::test]
async fn pre_votes_cast_over_days_stay_secret_until_revealed_together() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let [mut ana, mut ben, mut cy, mut obs] = team(&server, &room).await;
    let first = ana.create_item("First").await;
    let second = ana.create_item("Second").await;
    let deck = secret_deck();
    let now = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let opened = ana
        .request(Command::OpenPrevotes {
            item_ids: vec![first.id, second.id],
            deck: Some(deck),
            closes_at: now + 86_400_000,
        })
        .await;
    let rounds = opened.find(|e| match e {
        Event::PrevotesOpened { prevotes } => Some(prevotes.rounds.clone()),
        _ => None,
    });
    let round_of = |item| rounds.iter().find(|r| r.item_id == item).unwrap().id;

    ben.request(Command::Vote {
        round_id: round_of(first.id),
        card: "Qx7".into(),
        confidence: Some(readyroom_protocol::Confidence::High),
    })
    .await
    .acked();
    let last = cy
        .request(Command::Vote {
            round_id: round_of(second.id),
            card: "Zk9".into(),
            confidence: Some(readyroom_protocol::Confidence::Low),
        })
        .await
        .acked()
        .unwrap();
    // Ben goes home; his vote waits.
    let ben_token = ben.token.clone().unwrap();
    drop(ben);

    for client in [&mut ana, &mut obs] {
        client.events_until(last).await;
        assert_eq!(leaked_cards(client, None), Vec::<String>::new());
        assert!(!saw_confidence(client), "someone's confidence leaked");
    }
    assert_eq!(leaked_cards(&cy, Some("Zk9")), Vec::<String>::new());

    // Snapshots the next morning: who voted on what, and one's own cards only.
    let (late, welcome) = server.join(&room, "Lia", Role::Voter).await;
    let prevotes = welcome.room.prevotes.unwrap();
    let voted: Vec<usize> = prevotes.rounds.iter().map(|r| r.voted.len()).collect();
    assert_eq!(voted, [1, 1]);
    assert_eq!(leaked_cards(&late, None), Vec::<String>::new());
    assert!(!saw_confidence(&late));
    let mut ben_again = server.connect(&room).await;
    let welcome = ben_again.join_with(rejoin_request(&ben_token)).await;
    let mine = &welcome.room.prevotes.unwrap().rounds[0];
    assert_eq!(
        (mine.my_card.as_deref(), mine.my_confidence),
        (Some("Qx7"), Some(readyroom_protocol::Confidence::High))
    );
    assert_eq!(leaked_cards(&ben_again, Some("Qx7")), Vec::<String>::new());

    // The reveal shows all of them to everyone at once.
    let revealed = ana.request(Command::RevealPrevotes).await;
    let seq = revealed.acked().unwrap();
    obs.events_until(seq).await;
    let reveal_frame = obs
        .frames
        .iter()
        .rev()
        .find(|f| f.contains("prevotes_revealed"))
        .unwrap();
    assert!(reveal_frame.contains("Qx7") && reveal_frame.contains("Zk9"));
    assert!(reveal_frame.contains("\"high\"") && reveal_frame.contains("\"low\""));
}
