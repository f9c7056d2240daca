//! Concurrent moves and edits from several clients converge: every client ends with the same
//! backlog, no item lost or duplicated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, ItemChange, ItemId, NewItem, Role, ServerMessage};
use readyroom_tests::{Client, Config, Mirror, TestServer};

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap() % n
    }
}

#[tokio::test]
async fn concurrent_reorders_and_edits_end_identical_everywhere() {
    let server = TestServer::start_with(Config {
        rate_burst: 10_000,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let mut ids: Vec<ItemId> = Vec::new();
    for i in 0..12 {
        let item = ana
            .request(Command::CreateItem(NewItem {
                title: format!("Story {i}"),
                ..NewItem::default()
            }))
            .await
            .created_item();
        ids.push(item.id);
    }
    let mut people: Vec<(Client, Mirror)> = Vec::new();
    for name in ["Ben", "Cy", "Dee", "Eli"] {
        let (client, welcome) = server.join(&room, name, Role::Voter).await;
        people.push((client, Mirror::from_snapshot(&welcome.room)));
    }

    // Everyone fires a burst of moves and edits without waiting for each other.
    let mut last_cmds = Vec::new();
    for (n, (client, _)) in people.iter_mut().enumerate() {
        let mut rng = Lcg(u64::try_from(n).unwrap() + 7);
        let mut last = 0;
        for step in 0..60 {
            let item_id = ids[rng.below(ids.len())];
            let command = match rng.below(4) {
                0 | 1 => {
                    let after = if rng.below(5) == 0 {
                        None
                    } else {
                        Some(ids[rng.below(ids.len())])
                    };
                    let before = if rng.below(2) == 0 {
                        None
                    } else {
                        Some(ids[rng.below(ids.len())])
                    };
                    Command::MoveItem {
                        item_id,
                        after: after.filter(|a| *a != item_id),
                        before: before.filter(|b| *b != item_id),
                    }
                }
                2 => Command::UpdateItem {
                    item_id,
                    change: ItemChange::Description(format!("client {n} step {step}")),
                },
                _ => Command::UpdateItem {
                    item_id,
                    change: ItemChange::Labels(vec![format!("c{n}")]),
                },
            };
            last = client.send(command).await;
        }
        last_cmds.push(last);
    }
    // Each client applies what it receives, as a real client would, until its last ack.
    for ((client, mirror), last) in people.iter_mut().zip(&last_cmds) {
        loop {
            match client.recv().await {
                ServerMessage::Event(frame) => mirror.apply(&frame),
                ServerMessage::Ack { cmd, .. } if cmd == *last => break,
                ServerMessage::Ack { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    let (_, observer) = server.join(&room, "Olga", Role::Observer).await;
    let truth = Mirror::from_snapshot(&observer.room);
    assert_eq!(
        truth.items.len(),
        ids.len(),
        "an item was lost or duplicated"
    );
    let mut titles: Vec<String> = truth.ordered().into_iter().map(|i| i.title).collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), ids.len());
    for (client, mirror) in &mut people {
        while mirror.seq < truth.seq {
            mirror.apply(&client.event().await);
        }
        assert_eq!(mirror.summary(), truth.summary());
    }
}
