//! Server → client messages.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::client::ItemChange;
use crate::error::ErrorCode;
use crate::ids::{CommandId, ItemId, ParticipantId, RoundId, Seq, Timestamp};
use crate::room::{
    Caret, Editing, ItemRank, ItemView, ParticipantView, Role, RoomSettings, RoomSnapshot,
    RoundRecord, RoundView, Timer,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to `join`: who you are and the whole room.
    Welcome(Box<Welcome>),
    /// The answer to a `join` with `resume` the server could honour: the client's copy is
    /// still good; the events it missed follow, in order, then live ones.
    Resumed(Box<Resumed>),
    /// A command was applied (or had already been). `seq` is the last event it caused, if any:
    /// by the time the ack arrives, those events have arrived too.
    Ack {
        cmd: CommandId,
        seq: Option<Seq>,
        /// This command id had been processed before; nothing was applied this time.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
        /// For an `edit_text` applied now: the revision of the field its operation made.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revision: Option<u64>,
    },
    Pong {
        cmd: CommandId,
    },
    /// A command was refused, or a frame could not be read (then `cmd` is `null` unless a
    /// numeric `cmd` could still be found in the frame). Nothing was applied.
    Error {
        cmd: Option<CommandId>,
        code: ErrorCode,
        message: String,
    },
    /// Something happened in the room.
    Event(Box<EventFrame>),
    /// Someone's caret moved or left its field (`null`). Ephemeral presence: it has no `seq`,
    /// is not replayed and may be dropped on the way; the latest one counts.
    CaretMoved {
        participant_id: ParticipantId,
        caret: Option<Caret>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Welcome {
    pub cmd: CommandId,
    pub protocol: u32,
    pub you: ParticipantId,
    /// Secret: present it in a later `join` to come back as the same participant. Never sent
    /// to anyone else.
    pub participant_token: String,
    /// The highest command id this participant has had processed; continue above it.
    pub last_cmd: CommandId,
    /// Changes only if the room's history is ever lost or reset; a client's `seq` means
    /// something only together with it.
    pub epoch: String,
    /// The largest text frame the server processes: a client sizes what it sends by it.
    #[serde(default = "max_frame_bytes")]
    pub max_frame_bytes: usize,
    pub room: RoomSnapshot,
}

fn max_frame_bytes() -> usize {
    crate::limits::MAX_FRAME_BYTES
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Resumed {
    pub cmd: CommandId,
    pub protocol: u32,
    pub you: ParticipantId,
    pub last_cmd: CommandId,
    pub epoch: String,
    /// The client's `resume.seq`: the missed events that follow start right after it.
    pub from_seq: Seq,
    /// The room's sequence number now: once the event with this `seq` has arrived, the
    /// client has caught up.
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventFrame {
    /// The room's sequence number for this event: one more than the previous event's.
    pub seq: Seq,
    pub at: Timestamp,
    /// Who caused it; absent for the server's own doing (auto-reveal, a connection dropping).
    pub actor: Option<ParticipantId>,
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    ParticipantJoined {
        participant: ParticipantView,
    },
    ParticipantOnline {
        participant_id: ParticipantId,
        online: bool,
    },
    ParticipantRenamed {
        participant_id: ParticipantId,
        name: String,
    },
    RoleChanged {
        participant_id: ParticipantId,
        role: Role,
    },
    ParticipantRemoved {
        participant_id: ParticipantId,
    },
    EditingChanged {
        participant_id: ParticipantId,
        editing: Option<Editing>,
    },
    FacilitatorChanged {
        participant_id: Option<ParticipantId>,
    },

    ItemCreated {
        item: Box<ItemView>,
    },
    ItemUpdated {
        item_id: ItemId,
        #[serde(flatten)]
        change: ItemChange,
    },
    /// A text field changed by an operation (transformed to apply to the field as it was just
    /// before); `revision` is the field's revision now.
    TextEdited {
        item_id: ItemId,
        field: crate::TextField,
        revision: u64,
        op: crate::TextOp,
        /// The `edit_text` that made it, with the frame's `actor`: how a client recognises
        /// its own operation (another tab of the same participant has other command ids).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cmd: Option<CommandId>,
    },
    /// `item_id` was split: its `split_into` becomes the parts' ids, and the parts (each with
    /// `split_from` set) are inserted at their ranks, right after it.
    ItemSplit {
        item_id: ItemId,
        parts: Vec<ItemView>,
    },
    RemarkAdded {
        item_id: ItemId,
        remark: crate::room::Remark,
    },
    /// A remark's new text, owner or answer: the whole remark.
    RemarkChanged {
        item_id: ItemId,
        remark: crate::room::Remark,
    },
    RemarkRemoved {
        item_id: ItemId,
        remark_id: crate::room::RemarkId,
    },
    /// A criterion was checked or unchecked for an item.
    CriterionChecked {
        item_id: ItemId,
        criterion: crate::room::CriterionId,
        checked: bool,
    },
    /// The facilitator overrode the item's checklist (`ready_override` set) or took that back
    /// (`null`).
    ReadyOverridden {
        item_id: ItemId,
        ready_override: Option<crate::room::ReadyOverride>,
    },
    /// The item went to the trash. Other items' links to it (`split_into`, `split_from`) go
    /// with it.
    ItemDeleted {
        item_id: ItemId,
    },
    /// The item is back from the trash, with its rank. Parts and originals it was split from or
    /// into link back to it; dependencies on it come back as `item_updated` events.
    ItemRestored {
        item: Box<ItemView>,
    },
    /// These items left the trash for good, to keep it within its bound.
    TrashPurged {
        item_ids: Vec<ItemId>,
    },
    ItemMoved {
        item_id: ItemId,
        rank: String,
    },
    /// Every item got a new rank (ranks had grown long); the order is unchanged.
    ItemsReranked {
        ranks: Vec<ItemRank>,
    },
    /// Items came from a tracker's CSV file (`POST /api/rooms/{id}/import/csv`): each created
    /// or updated one also has its own `item_created` / `item_updated` event before this one.
    ItemsImported {
        tracker: crate::room::Tracker,
        created: Vec<ItemId>,
        updated: Vec<ItemId>,
    },

    CurrentItemChanged {
        item_id: Option<ItemId>,
    },
    SettingsChanged {
        settings: RoomSettings,
    },
    TimerChanged {
        timer: Option<Timer>,
    },
    SessionChanged {
        session: Option<crate::room::Session>,
    },

    RoundStarted {
        round: Box<RoundView>,
    },
    /// `card` is present only in the copy sent to the voter's own connections.
    VoteCast {
        round_id: RoundId,
        participant_id: ParticipantId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<String>,
        /// Like `card`, only in the voter's own copy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<crate::Confidence>,
    },
    VoteRetracted {
        round_id: RoundId,
        participant_id: ParticipantId,
    },
    /// Every vote and the statistics. The record is also appended to the item's history.
    RoundRevealed {
        item_id: ItemId,
        record: Box<RoundRecord>,
        /// Revealed because every online voter had voted.
        auto: bool,
    },
    RoundCancelled {
        round_id: RoundId,
    },
    /// Sets the item's estimate (or, for a round on a `dimension`, that part of its WSJF
    /// score, the number `estimate` is) and closes the round.
    EstimateAccepted {
        round_id: RoundId,
        item_id: ItemId,
        estimate: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dimension: Option<crate::room::WsjfDimension>,
    },
    /// Pre-vote rounds opened (replacing none: only one set is open at a time).
    PrevotesOpened {
        prevotes: crate::Prevotes,
    },
    /// The open pre-votes were discarded unseen.
    PrevotesCancelled,
    /// Every pre-vote round revealed at once. Each record is also appended to its item's
    /// history; the review replaces any earlier one.
    PrevotesRevealed {
        review: crate::PrevoteReview,
    },
    /// The review was closed. (Items also leave it one by one as their estimates are accepted,
    /// or when they are deleted or split.)
    PrevoteReviewDismissed,
    SizingOpened {
        board: crate::SizingBoard,
    },
    /// The frame's `actor` moved the item to the end of `column` (`null`: unsized).
    SizingPlaced {
        item_id: ItemId,
        column: Option<String>,
    },
    /// The board closed; when `accepted`, `item_updated` events with the estimates came first.
    SizingClosed {
        accepted: bool,
    },
}
