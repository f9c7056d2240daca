//! Every command gets exactly one reply, and a resent command is never applied twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{Command, ErrorCode, Role, ServerMessage};
use readyroom_tests::{TestServer, new_item, rejoin_request};

#[tokio::test]
async fn a_resent_command_is_acknowledged_again_but_applied_once() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let create = new_item("Once");
    let cmd = ana.send(create.clone()).await;
    let first = ana.collect_reply(cmd).await;
    let seq = first.acked();

    ana.send_with_id(cmd, create.clone()).await;
    let again = ana.collect_reply(cmd).await;
    assert!(again.events.is_empty());
    assert!(matches!(again.reply, ServerMessage::Ack { seq: s, duplicate: true, .. } if s == seq));
    // Ben saw exactly one item appear, and nothing for the resend.
    ben.events_until(seq.unwrap()).await;
    ben.expect_silence().await;

    // The same holds across a reconnect: the participant token brings the command memory back.
    let token = ana.token.clone();
    ana.close().await;
    let mut tab = server.connect(&room).await;
    let welcome = tab.join_with(rejoin_request(&token.unwrap())).await;
    assert_eq!(welcome.last_cmd, cmd);
    tab.send_with_id(cmd, create).await;
    let resent = tab.collect_reply(cmd).await;
    assert!(matches!(
        resent.reply,
        ServerMessage::Ack {
            duplicate: true,
            ..
        }
    ));
    assert_eq!(welcome.room.items.len(), 1);
    // A new command continues above last_cmd.
    let next = tab.request(new_item("Twice")).await;
    next.acked();
    let (_, check) = server.join(&room, "Check", Role::Observer).await;
    assert_eq!(check.room.items.len(), 2);
}

#[tokio::test]
async fn an_errored_command_resent_gets_the_same_error_and_old_ids_are_refused() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let start = Command::StartRound {
        item_id: readyroom_protocol::ItemId(uuid_nil()),
        deck: None,
        dimension: None,
        timebox_seconds: None,
    };
    let cmd = ben.send(start.clone()).await;
    ben.collect_reply(cmd).await.refused(ErrorCode::Forbidden);
    ben.send_with_id(cmd, start).await;
    ben.collect_reply(cmd).await.refused(ErrorCode::Forbidden);
    // Push the first id out of the server's memory of replies.
    for _ in 0..readyroom_protocol::limits::REMEMBERED_REPLIES {
        ben.request(Command::Rename { name: "Ben".into() })
            .await
            .acked();
    }
    ben.send_with_id(
        cmd,
        Command::Rename {
            name: "Benjamin".into(),
        },
    )
    .await;
    ben.collect_reply(cmd)
        .await
        .refused(ErrorCode::StaleCommand);
    let (_, check) = server.join(&room, "Check", Role::Observer).await;
    assert_eq!(check.room.participants[0].name, "Ben");
}

fn uuid_nil() -> uuid::Uuid {
    uuid::Uuid::nil()
}
