//! Two people typing into one description at once over real WebSockets, each client doing
//! what an operational-transformation client does (one operation in flight, later keystrokes
//! composed into a buffer, incoming operations transformed over both): both end with the
//! same text, and it holds every character either of them typed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{
    Command, Event, ItemId, PendingEdits, Role, ServerMessage, TextField, TextOp,
};
use readyroom_tests::{Client, TestServer};

/// One person's side of the field.
struct Typist {
    client: Client,
    item: ItemId,
    text: String,
    /// The server's revision this copy stands on.
    revision: u64,
    pending: PendingEdits,
}

impl Typist {
    async fn type_at(&mut self, position: usize, typed: &str) {
        let len = self.text.chars().count() as u64;
        let position = (position as u64).min(len);
        let op = TextOp::new()
            .retain(position)
            .insert(typed)
            .retain(len - position);
        self.text = op.apply(&self.text).unwrap();
        if let Some(op) = self.pending.edit(op).unwrap() {
            self.send(op).await;
        }
        self.catch_up(Duration::from_millis(2)).await;
    }

    async fn send(&mut self, op: TextOp) {
        self.client
            .send(Command::EditText {
                item_id: self.item,
                field: TextField::Description,
                revision: self.revision,
                op,
                follows: None,
            })
            .await;
    }

    /// Takes in whatever arrives within `wait` of each message.
    async fn catch_up(&mut self, wait: Duration) {
        while let Some(message) = self.client.recv_within(wait).await {
            let ServerMessage::Event(frame) = message else {
                if let ServerMessage::Error { code, message, .. } = message {
                    panic!("refused: {code:?} {message}");
                }
                continue;
            };
            let Event::TextEdited { revision, op, .. } = frame.event else {
                continue;
            };
            self.revision = revision;
            if frame.actor == self.client.you {
                // Ours, applied: the buffer goes next.
                if let Some(next) = self.pending.acknowledged() {
                    self.send(next).await;
                }
                continue;
            }
            let theirs = self.pending.receive(&op).unwrap();
            self.text = theirs.apply(&self.text).unwrap();
        }
    }

    fn settled(&self) -> bool {
        self.pending.is_settled()
    }
}

#[tokio::test]
async fn two_people_typing_in_one_description_keep_every_character() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Written together").await;
    let (ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let mut ana = Typist {
        client: ana,
        item: item.id,
        text: String::new(),
        revision: 0,
        pending: PendingEdits::default(),
    };
    let mut ben = Typist {
        client: ben,
        item: item.id,
        text: String::new(),
        revision: 0,
        pending: PendingEdits::default(),
    };
    // Ana writes at the end, Ben at the start; keystrokes interleave.
    let ana_words = "the quick brown fox ";
    let ben_words = "😀漢字 e\u{301}tude ";
    let mut ana_keys = ana_words.chars();
    let mut ben_keys = ben_words.chars();
    loop {
        let (a, b) = (ana_keys.next(), ben_keys.next());
        if a.is_none() && b.is_none() {
            break;
        }
        if let Some(key) = a {
            let end = ana.text.chars().count();
            ana.type_at(end, &key.to_string()).await;
        }
        if let Some(key) = b {
            let typed = ben_words.chars().count() - ben_keys.clone().count() - 1;
            ben.type_at(typed, &key.to_string()).await;
        }
    }
    for _ in 0..500 {
        ana.catch_up(Duration::from_millis(5)).await;
        ben.catch_up(Duration::from_millis(5)).await;
        if ana.settled() && ben.settled() && ana.revision == ben.revision {
            break;
        }
    }
    assert!(ana.settled() && ben.settled(), "edits still in flight");
    assert_eq!(ana.text, ben.text);
    assert_eq!(ana.text, format!("{ben_words}{ana_words}"));
    // And the server agrees, for anyone joining now.
    let (_, welcome) = server.join(&room, "Cy", Role::Observer).await;
    let stored = welcome.room.items.iter().find(|i| i.id == item.id).unwrap();
    assert_eq!(stored.description, ana.text);
    assert_eq!(stored.revisions.description, ana.revision);
}

#[tokio::test]
async fn the_ack_of_a_text_edit_names_the_revision_it_made() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Revisions").await;
    for (base, expected) in [(0, 1), (0, 2)] {
        let exchange = ana
            .request(Command::EditText {
                item_id: item.id,
                field: TextField::Description,
                revision: base,
                op: TextOp::new().insert("x"),
                follows: None,
            })
            .await;
        match exchange.reply {
            ServerMessage::Ack { revision, .. } => assert_eq!(revision, Some(expected)),
            other => panic!("expected an ack, got {other:?}"),
        }
    }
}
