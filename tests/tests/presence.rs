//! Carets are ephemeral presence: passed on to the others as they move, never to their owner,
//! not logged (no `seq`, no ack), given to a newcomer, gone with their connection, refused to
//! observers, and dropped past ten a second.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{Caret, Command, ErrorCode, ItemField, ItemId, Role, ServerMessage};
use readyroom_tests::{Client, TestServer};

fn caret(item_id: ItemId, head: u64) -> Caret {
    Caret {
        item_id,
        field: ItemField::Description,
        revision: 0,
        anchor: head,
        head,
    }
}

/// The next `caret_moved`, skipping events (and nothing else).
async fn caret_moved(client: &mut Client) -> (readyroom_protocol::ParticipantId, Option<Caret>) {
    loop {
        match client.recv().await {
            ServerMessage::CaretMoved {
                participant_id,
                caret,
            } => return (participant_id, caret),
            ServerMessage::Event(_) => {}
            other => panic!("expected caret_moved, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn carets_pass_between_people_without_being_logged() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, ana_welcome) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Written together").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    ana.event().await; // Ben joined

    ana.send_with_id(
        0,
        Command::SetCaret {
            caret: Some(caret(item.id, 0)),
        },
    )
    .await;
    assert_eq!(
        caret_moved(&mut ben).await,
        (ana_welcome.you, Some(caret(item.id, 0)))
    );
    // Not answered, not echoed, no event.
    ana.expect_silence().await;

    // A newcomer is shown the carets that are there.
    let (mut cy, cy_welcome) = server.join(&room, "Cy", Role::Observer).await;
    ana.event().await; // Cy joined
    assert_eq!(
        caret_moved(&mut cy).await,
        (ana_welcome.you, Some(caret(item.id, 0)))
    );
    // An observer may not show one.
    cy.send_with_id(
        0,
        Command::SetCaret {
            caret: Some(caret(item.id, 0)),
        },
    )
    .await;
    match cy.recv().await {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("expected forbidden, got {other:?}"),
    }

    // In a field that is not text: which field only, no position.
    let in_labels = Caret {
        item_id: item.id,
        field: ItemField::Labels,
        revision: 0,
        anchor: 0,
        head: 0,
    };
    ana.send_with_id(
        0,
        Command::SetCaret {
            caret: Some(Caret {
                anchor: 3,
                ..in_labels
            }),
        },
    )
    .await;
    match ana.recv().await {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::InvalidValue),
        other => panic!("expected invalid_value, got {other:?}"),
    }
    ana.send_with_id(
        0,
        Command::SetCaret {
            caret: Some(in_labels),
        },
    )
    .await;
    assert_eq!(
        caret_moved(&mut ben).await,
        (ana_welcome.you, Some(in_labels))
    );
    assert_eq!(
        caret_moved(&mut cy).await,
        (ana_welcome.you, Some(in_labels))
    );

    // The room's sequence did not move for any of it: the next event follows Cy's join.
    let seq_before = cy_welcome.room.seq;
    ben.send(Command::Rename {
        name: "Benjamin".into(),
    })
    .await;
    let renamed = ben.event_where(|e| e.actor == Some(ben_welcome.you)).await;
    assert_eq!(renamed.seq, seq_before + 1);

    // Gone with its connection.
    ana.close().await;
    let gone = loop {
        if let ServerMessage::CaretMoved {
            participant_id,
            caret,
        } = ben.recv().await
        {
            break (participant_id, caret);
        }
    };
    assert_eq!(gone, (ana_welcome.you, None));
}

#[tokio::test]
async fn a_typist_sending_carets_too_fast_is_thinned_out() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Fast").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Observer).await;
    ana.event().await; // Ben joined
    let started = tokio::time::Instant::now();
    for head in 0..100 {
        ana.send_with_id(
            0,
            Command::SetCaret {
                caret: Some(caret(item.id, head)),
            },
        )
        .await;
    }
    let sending = started.elapsed();
    let mut passed = 0_u32;
    while let Some(message) = ben.recv_within(Duration::from_millis(500)).await {
        if matches!(message, ServerMessage::CaretMoved { .. }) {
            passed += 1;
        }
    }
    // A burst of 10, then 10 a second for as long as the sending and the wait took.
    let tenths = (sending + Duration::from_millis(500))
        .as_millis()
        .div_ceil(100);
    let allowed = 10 + u32::try_from(tenths).unwrap();
    assert!(
        passed >= 10 && passed <= allowed,
        "{passed} passed, {allowed} allowed"
    );
    assert!(passed < 100);
}
