//! How the rest of the server talks to a room's task: a cheap, clonable handle whose methods
//! are the only way to build the task's messages.

use readyroom_protocol::{ClientMessage, RoomSettings};
use tokio::sync::{mpsc, oneshot, watch};

use super::ConnId;
use crate::outbox::Outbox;
use crate::room::{CommandError, Room};

/// What a room's task is sent.
#[derive(Debug)]
pub(super) enum RoomMsg {
    /// A connection that is about to join; it receives nothing until it has joined.
    Attach { conn: ConnId, outbox: Outbox },
    /// A frame from an attached connection, with its size (for the room's byte budget).
    Message {
        conn: ConnId,
        message: ClientMessage,
        bytes: usize,
    },
    /// The connection is gone. Its outbox is dropped once what it was owed is queued, which
    /// lets its writer finish.
    Detach { conn: ConnId },
    Describe {
        reply: oneshot::Sender<RoomSettings>,
    },
    /// A question about the room, answered from its state between two inputs (an export, a
    /// history, a summary, a suggestion): reading needs no message of its own.
    Read(Question),
    /// A tracker's items, for the holder of the facilitator token.
    Import {
        token: String,
        batch: crate::tracker::ImportBatch,
        reply: oneshot::Sender<Result<crate::room::ImportSummary, CommandError>>,
    },
    /// A change over the API, for a token allowing `need`.
    Api {
        token: String,
        need: crate::room::api::Need,
        change: crate::room::api::ApiChange,
        reply: oneshot::Sender<Result<crate::room::api::ApiOutcome, CommandError>>,
    },
}

#[derive(Clone, Debug)]
pub struct RoomHandle {
    tx: mpsc::Sender<RoomMsg>,
    /// Becomes true once the task has stopped and stored everything.
    stopped: watch::Receiver<bool>,
}

/// The task's end of a [`RoomHandle`].
#[derive(Debug)]
pub struct RoomInbox {
    pub(super) rx: mpsc::Receiver<RoomMsg>,
    pub(super) stopped: watch::Sender<bool>,
}

/// A handle that does not keep the room's inbox open.
#[derive(Debug)]
pub struct WeakRoomHandle(mpsc::WeakSender<RoomMsg>);

impl WeakRoomHandle {
    /// Whether `handle` is (still) the room this was made from.
    pub fn is(&self, handle: &RoomHandle) -> bool {
        self.0
            .upgrade()
            .is_some_and(|tx| tx.same_channel(&handle.tx))
    }
}

impl RoomHandle {
    /// A new room's channel: the handle for everyone, the inbox for its task.
    pub fn channel(capacity: usize) -> (Self, RoomInbox) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let (stopped_tx, stopped) = watch::channel(false);
        (
            Self { tx, stopped },
            RoomInbox {
                rx,
                stopped: stopped_tx,
            },
        )
    }

    pub fn downgrade(&self) -> WeakRoomHandle {
        WeakRoomHandle(self.tx.downgrade())
    }

    /// Whether the room's task no longer takes messages (stopping or stopped).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Waits until the room's task has stored everything and stopped.
    pub async fn stopped(&self) {
        let mut stopped = self.stopped.clone();
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }

    /// False if the room's task is gone (unloaded meanwhile: load it again).
    pub async fn attach(&self, conn: ConnId, outbox: Outbox) -> bool {
        self.tx.send(RoomMsg::Attach { conn, outbox }).await.is_ok()
    }

    /// False if the room's task is gone.
    pub async fn submit(&self, conn: ConnId, message: ClientMessage, bytes: usize) -> bool {
        self.tx
            .send(RoomMsg::Message {
                conn,
                message,
                bytes,
            })
            .await
            .is_ok()
    }

    pub async fn detach(&self, conn: ConnId) {
        let _ = self.tx.send(RoomMsg::Detach { conn }).await;
    }

    /// The room's settings; `None` if its task is gone.
    pub async fn describe(&self) -> Option<RoomSettings> {
        let (reply, settings) = oneshot::channel();
        self.tx.send(RoomMsg::Describe { reply }).await.ok()?;
        settings.await.ok()
    }

    /// Answers `question` from the room as it is now; `None` if its task is gone.
    pub async fn read<T: Send + 'static>(
        &self,
        question: impl FnOnce(&Room) -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let ask = Question(Box::new(move |room: &Room| {
            let _ = reply.send(question(room));
        }));
        self.tx.send(RoomMsg::Read(ask)).await.ok()?;
        answer.await.ok()
    }

    /// Imports a tracker's items if `token` is the room's facilitator token, answering once
    /// they are stored; `None` if the room's task is gone or could not store them.
    pub async fn import(
        &self,
        token: String,
        batch: crate::tracker::ImportBatch,
    ) -> Option<Result<crate::room::ImportSummary, CommandError>> {
        let (reply, summary) = oneshot::channel();
        self.tx
            .send(RoomMsg::Import {
                token,
                batch,
                reply,
            })
            .await
            .ok()?;
        summary.await.ok()
    }

    /// Applies a change over the API if `token` allows `need`, answering once it is stored;
    /// `None` if the room's task is gone or could not store it.
    pub async fn api(
        &self,
        token: String,
        need: crate::room::api::Need,
        change: crate::room::api::ApiChange,
    ) -> Option<Result<crate::room::api::ApiOutcome, CommandError>> {
        let (reply, outcome) = oneshot::channel();
        self.tx
            .send(RoomMsg::Api {
                token,
                need,
                change,
                reply,
            })
            .await
            .ok()?;
        outcome.await.ok()
    }
}

/// A question for [`RoomHandle::read`], run on the room's task.
pub(super) struct Question(pub(super) Box<dyn FnOnce(&Room) + Send>);

impl std::fmt::Debug for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Question")
    }
}
