use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. New codes may be added; existing ones never change
/// meaning. Every `error` message also carries a human-readable `message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON.
    MalformedJson,
    /// The JSON has no known `"type"`.
    UnknownType,
    /// A known `"type"` with missing or ill-typed fields.
    InvalidMessage,
    /// A binary frame; the protocol speaks JSON text frames only.
    UnsupportedFrame,
    /// The frame exceeds the limit ([`crate::limits::MAX_FRAME_BYTES`]).
    FrameTooLarge,
    /// Too many messages in a short time; the message was dropped.
    RateLimited,
    /// The client's protocol version is not spoken by this server.
    UnsupportedProtocol,
    /// A command other than `join` (or `ping`) before joining.
    NotJoined,
    /// A second `join` on a connection that already joined.
    AlreadyJoined,
    /// The participant's role does not allow the command.
    Forbidden,
    /// A facilitator or participant token that does not belong to this room.
    InvalidToken,
    /// A value that breaks a rule: empty title, bad URL, card not in the deck, too long …
    InvalidValue,
    UnknownItem,
    UnknownParticipant,
    /// The command names a round that is not the room's current round.
    StaleRound,
    /// The command needs a round but none is running.
    NoActiveRound,
    /// A round is still being voted on; cancel or reveal it first.
    RoundInProgress,
    /// Votes cannot change after reveal; start a re-vote.
    RoundRevealed,
    /// The round must be revealed first.
    RoundNotRevealed,
    /// The pre-vote's `closes_at` has passed; it waits for the facilitator's reveal.
    VotingClosed,
    /// The command needs the relative sizing board, which is not open.
    NoSizingBoard,
    /// The room already holds [`crate::limits::MAX_ITEMS_PER_ROOM`] items.
    TooManyItems,
    /// The room already holds [`crate::limits::MAX_PARTICIPANTS_PER_ROOM`] participants.
    RoomFull,
    /// The participant already has [`crate::limits::MAX_CONNECTIONS_PER_PARTICIPANT`]
    /// connections open.
    TooManyConnections,
    /// An `edit_text` made on a revision the server no longer keeps the changes since (or one
    /// it never had): fetch the field again (rejoin) and redo the edit on it.
    StaleRevision,
    /// Dependencies that would make items wait for each other in a circle; the message names
    /// the circle.
    DependencyCycle,
    /// The item does not meet its Definition of Ready, so it cannot be set ready; the message
    /// names what is missing. Only the facilitator's `override_ready` marks it ready anyway.
    NotReady,
    /// The command id is at or below ones already processed and its reply is no longer
    /// remembered; it was processed before and is not applied again.
    StaleCommand,
    /// A CSV file that cannot be imported; the message names the row and the column. Nothing
    /// of it was imported (HTTP API).
    InvalidCsv,
    /// The room does not exist (HTTP API).
    RoomNotFound,
    /// The server cannot hold more rooms (HTTP API).
    TooManyRooms,
    /// The server is shutting down; reconnect shortly.
    ShuttingDown,
    /// HTTP (`415`): a request body that is not `application/json`.
    UnsupportedMediaType,
    /// HTTP (`403`): a WebSocket opened by a page from another site.
    OriginNotAllowed,
    /// HTTP (`503`): the server is doing as much of this as it allows at once (imports,
    /// connections from one address); try again shortly.
    ServerBusy,
    /// A fault inside the server; the command was not applied.
    Internal,
}
