//! Roles are enforced by the server, whatever a client sends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, ErrorCode, ItemChange, Role, SettingsChange};
use readyroom_tests::{TestServer, join_request, new_item, rejoin_request};

#[tokio::test]
async fn observers_and_voters_cannot_do_what_their_role_does_not_allow() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    let (mut olga, _) = server.join(&room, "Olga", Role::Observer).await;
    let item = ana.create_item("Billing").await;
    let round = ana.start_round(item.id).await;

    // Observers watch: no edits, no votes.
    let observer_refusals = [
        new_item("x"),
        Command::UpdateItem {
            item_id: item.id,
            change: ItemChange::Title("x".into()),
        },
        Command::DeleteItem { item_id: item.id },
        Command::MoveItem {
            item_id: item.id,
            after: None,
            before: None,
        },
        Command::Vote {
            round_id: round.id,
            card: "3".into(),
            confidence: None,
        },
        Command::SetEditing {
            editing: Some(readyroom_protocol::Editing {
                item_id: item.id,
                field: readyroom_protocol::ItemField::Title,
            }),
        },
    ];
    for command in observer_refusals {
        olga.request(command.clone())
            .await
            .refused(ErrorCode::Forbidden);
    }
    // Voters edit and vote, but do not facilitate.
    let facilitator_only = [
        Command::StartRound {
            item_id: item.id,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        Command::Reveal { round_id: round.id },
        Command::Revote { round_id: round.id },
        Command::AcceptEstimate {
            round_id: round.id,
            estimate: "3".into(),
        },
        Command::CancelRound { round_id: round.id },
        Command::SetCurrentItem {
            item_id: Some(item.id),
        },
        Command::UpdateSettings(SettingsChange {
            auto_reveal: Some(true),
            anonymous_reveal: None,
            ..SettingsChange::default()
        }),
        Command::StartTimer { seconds: 60 },
        Command::StopTimer,
        Command::HandOverFacilitator {
            participant_id: ben_welcome.you,
        },
        Command::RemoveParticipant {
            participant_id: ben_welcome.you,
        },
    ];
    for command in facilitator_only {
        ben.request(command.clone())
            .await
            .refused(ErrorCode::Forbidden);
    }
    // A wrong token does not make anyone facilitator.
    ben.request(Command::ClaimFacilitator {
        facilitator_token: "0".repeat(32),
    })
    .await
    .refused(ErrorCode::InvalidToken);
    let mut mallory = server.connect(&room).await;
    let exchange = mallory
        .request(Command::Join(join_request(
            "Mallory",
            Role::Voter,
            Some(&"f".repeat(32)),
        )))
        .await;
    exchange.refused(ErrorCode::InvalidToken);

    // The room is unharmed: the round is still open and the item unchanged.
    let (_, welcome) = server.join(&room, "Check", Role::Observer).await;
    assert_eq!(welcome.room.round.unwrap().id, round.id);
    assert_eq!(welcome.room.items.len(), 1);
    assert_eq!(welcome.room.items[0].title, "Billing");
    assert_eq!(welcome.room.facilitator, ana.you);
}

#[tokio::test]
async fn a_removed_ghost_is_disconnected_and_cannot_come_back_with_its_token() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ghost, ghost_welcome) = server.join(&room, "Ghost", Role::Voter).await;
    let removed = ana
        .request(Command::RemoveParticipant {
            participant_id: ghost_welcome.you,
        })
        .await;
    removed.acked();
    let close = ghost.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4001);
    let mut again = server.connect(&room).await;
    let exchange = again
        .request(Command::Join(rejoin_request(
            &ghost_welcome.participant_token,
        )))
        .await;
    exchange.refused(ErrorCode::InvalidToken);
    // A failed join leaves the connection usable: joining afresh works.
    let welcome = again.join("Ghost again", Role::Voter, None).await;
    assert_ne!(welcome.you, ghost_welcome.you);
}
