//! Client → server messages.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::deck::DeckChoice;
use crate::ids::{CommandId, ItemId, ParticipantId, RoundId, Seq};
use crate::room::{ItemField, ItemStatus, ItemView, Link, Role};

/// One frame from a client: a command and the id the client chose for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClientMessage {
    /// Strictly increasing per participant; echoed in the one `ack`, `welcome`, `pong` or
    /// `error` that answers this command.
    pub cmd: CommandId,
    #[serde(flatten)]
    pub command: Command,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// The first command on every connection. Answered with `welcome`.
    Join(JoinRequest),
    /// Application-level liveness check (browsers cannot send WebSocket pings). Answered with
    /// `pong`; allowed before joining.
    Ping,

    // Backlog items: voters and the facilitator.
    CreateItem(NewItem),
    UpdateItem {
        item_id: ItemId,
        #[serde(flatten)]
        change: ItemChange,
    },
    /// Changes one text field by an operation made on the field at `revision` (see
    /// [`crate::TextOp`]): the server transforms it over what was applied since, so that
    /// everyone's keystrokes survive.
    EditText {
        item_id: ItemId,
        field: crate::TextField,
        revision: u64,
        op: crate::TextOp,
        /// The operation was made on the text at `revision` with this sender's own earlier
        /// `edit_text` (this command id) applied on top. Lets a client that lost track of that
        /// edit's fate (a reload while it was unanswered) send what it typed after it; the
        /// edit must have been applied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        follows: Option<CommandId>,
    },
    /// Replaces an item by 2 to 10 new ones, at once: they appear right after it, in order,
    /// with its labels; it is marked as split (`split_into`) and leaves the active backlog.
    SplitItem {
        item_id: ItemId,
        parts: Vec<SplitPart>,
    },
    /// Moves the item to the room's trash, from which the facilitator can restore it.
    DeleteItem {
        item_id: ItemId,
    },
    /// Facilitator: brings an item back from the trash, where it was if it can.
    RestoreItem {
        item_id: ItemId,
    },
    /// Moves an item between two neighbours, as the mover saw them. `after` wins when both are
    /// given and no longer adjacent; with neither, the item moves to the top.
    MoveItem {
        item_id: ItemId,
        after: Option<ItemId>,
        before: Option<ItemId>,
    },

    /// Checks or unchecks a criterion of the Definition of Ready, checked by people, for an
    /// item.
    CheckCriterion {
        item_id: ItemId,
        criterion: crate::room::CriterionId,
        checked: bool,
    },
    /// Records a decision or asks a question about an item.
    AddRemark {
        item_id: ItemId,
        kind: crate::room::RemarkKind,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<ParticipantId>,
    },
    /// Rewrites a remark's text and owner.
    EditRemark {
        item_id: ItemId,
        remark_id: crate::room::RemarkId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<ParticipantId>,
    },
    /// Answers a question (`null` opens it again).
    AnswerQuestion {
        item_id: ItemId,
        remark_id: crate::room::RemarkId,
        answer: Option<String>,
    },
    RemoveRemark {
        item_id: ItemId,
        remark_id: crate::room::RemarkId,
    },
    /// Facilitator: marks an item ready whatever its checklist says (`true`), or takes that
    /// back (`false`).
    OverrideReady {
        item_id: ItemId,
        ready: bool,
    },

    // Presence: anyone.
    /// Shows the sender's caret to the others (`null` when it leaves the field). Ephemeral:
    /// not stored, not replayed, not answered unless refused; at most 10 a second are passed
    /// on and, to a slow connection, not at all.
    SetCaret {
        caret: Option<crate::room::Caret>,
    },
    /// Announces which field the sender is editing; `null` when it stops.
    SetEditing {
        editing: Option<crate::room::Editing>,
    },
    Rename {
        name: String,
    },
    /// Switches the sender between voter and observer.
    SetRole {
        role: Role,
    },

    // Planning poker.
    /// Facilitator: starts a round on an item, with the room's default deck unless one is named.
    StartRound {
        item_id: ItemId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deck: Option<DeckChoice>,
        /// Estimates this part of the item's WSJF score instead of the item's estimate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dimension: Option<crate::room::WsjfDimension>,
        /// Starts the item's time budget with the round: a timer of this many seconds that
        /// stops when the room moves on to another item.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timebox_seconds: Option<u32>,
    },
    /// Voters: plays or changes a card in the current round or in a pre-vote round.
    Vote {
        round_id: RoundId,
        card: String,
        /// How sure the voter is; shown with the results.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence: Option<crate::Confidence>,
    },
    /// Voters: takes a vote back before reveal.
    RetractVote {
        round_id: RoundId,
    },
    /// Facilitator.
    Reveal {
        round_id: RoundId,
    },
    /// Facilitator: after reveal, starts a new round on the same item with the same deck.
    Revote {
        round_id: RoundId,
    },
    /// Facilitator: after reveal, sets the item's estimate (any card or a custom value) and
    /// closes the round.
    AcceptEstimate {
        round_id: RoundId,
        estimate: String,
    },
    /// Facilitator: abandons the current round; unrevealed votes are discarded unseen.
    CancelRound {
        round_id: RoundId,
    },

    // Pre-votes: facilitator, except voting (`vote` and `retract_vote` with a pre-vote round).
    /// Opens a pre-vote round on each item, voted on until `closes_at`.
    OpenPrevotes {
        item_ids: Vec<ItemId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deck: Option<DeckChoice>,
        closes_at: crate::Timestamp,
    },
    /// Reveals every open pre-vote round at once, into the `prevote_review`.
    RevealPrevotes,
    /// Discards the open pre-votes unseen.
    CancelPrevotes,
    /// Accepts the most played card of these reviewed items (each with consensus) as their
    /// estimates, in one step.
    AcceptPrevotes {
        item_ids: Vec<ItemId>,
    },
    /// Closes the pre-vote review, leaving what is still in it unestimated.
    DismissPrevoteReview,

    // Relative sizing board: opening, accepting and closing are the facilitator's; voters and
    // the facilitator place items.
    /// Opens the board with these items, all unsized, and the deck's ordinary cards as columns.
    OpenSizingBoard {
        item_ids: Vec<ItemId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deck: Option<DeckChoice>,
    },
    /// Moves an item to the end of a column (`null`: back to unsized).
    PlaceOnBoard {
        item_id: ItemId,
        column: Option<String>,
    },
    /// Sets every placed item's estimate to its column and closes the board.
    AcceptSizing,
    /// Closes the board without changing any estimate.
    CloseSizingBoard,

    // Facilitation: facilitator only, except `claim_facilitator`.
    SetCurrentItem {
        item_id: Option<ItemId>,
    },
    UpdateSettings(SettingsChange),
    StartTimer {
        seconds: u32,
    },
    StopTimer,
    /// Starts the refinement session's clock (restarts it if one is running).
    StartSession,
    EndSession,
    HandOverFacilitator {
        participant_id: ParticipantId,
    },
    /// Anyone holding the room's facilitator token takes the role back.
    ClaimFacilitator {
        facilitator_token: String,
    },
    /// Removes a participant (a ghost who left without leaving); their connections close.
    RemoveParticipant {
        participant_id: ParticipantId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JoinRequest {
    /// The protocol version the client speaks ([`crate::PROTOCOL_VERSION`]).
    pub protocol: u32,
    pub name: String,
    pub role: Role,
    /// The room's facilitator token: joining with it makes the joiner the facilitator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator_token: Option<String>,
    /// A participant token from an earlier `welcome`: rejoins as that participant (same id,
    /// role and vote) instead of a new one. `name` and `role` are then ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_token: Option<String>,
    /// With a participant token: where this client's copy of the room stands. If the server
    /// still has every event since, it answers `resumed` and sends just those; otherwise a
    /// full `welcome`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
}

/// A client's position in a room's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Resume {
    /// The room's epoch from the `welcome` the client's state comes from.
    pub epoch: String,
    /// The last event the client applied.
    pub seq: Seq,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewItem {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub acceptance_criteria: String,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Insert after this item; at the bottom of the backlog when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ItemId>,
}

/// One of the items a `split_item` makes: its title and the lines of the original's texts
/// picked for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SplitPart {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub acceptance_criteria: String,
}

/// A new value for one field of an item: `{"field": "title", "value": "…"}`. Each field is
/// last-writer-wins in server order, so concurrent edits of different fields all survive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ItemChange {
    Title(String),
    Description(String),
    AcceptanceCriteria(String),
    Notes(String),
    Labels(Vec<String>),
    Links(Vec<Link>),
    Dependencies(Vec<ItemId>),
    Estimate(Option<String>),
    Status(ItemStatus),
    Wsjf(crate::room::Wsjf),
}

impl ItemChange {
    /// Sets this field on `item`, as a client applying an `item_updated` event does. Returns
    /// whether the value changed.
    pub fn apply_to(&self, item: &mut ItemView) -> bool {
        fn set<T: PartialEq + Clone>(slot: &mut T, value: &T) -> bool {
            if slot == value {
                return false;
            }
            slot.clone_from(value);
            true
        }
        // A whole new text is one revision of its field, like one `edit_text`.
        fn set_text(item: &mut ItemView, field: crate::TextField, value: &str) -> bool {
            let slot = item.text_mut(field);
            if slot == value {
                return false;
            }
            value.clone_into(slot);
            *item.revisions.of_mut(field) += 1;
            true
        }
        match self {
            Self::Title(v) => set_text(item, crate::TextField::Title, v),
            Self::Description(v) => set_text(item, crate::TextField::Description, v),
            Self::AcceptanceCriteria(v) => set_text(item, crate::TextField::AcceptanceCriteria, v),
            Self::Notes(v) => set_text(item, crate::TextField::Notes, v),
            Self::Labels(v) => set(&mut item.labels, v),
            Self::Links(v) => set(&mut item.links, v),
            Self::Dependencies(v) => set(&mut item.dependencies, v),
            Self::Estimate(v) => set(&mut item.estimate, v),
            Self::Status(v) => set(&mut item.status, v),
            Self::Wsjf(v) => set(&mut item.wsjf, v),
        }
    }

    /// The text field this change sets, if it is one.
    #[must_use]
    pub fn text_field(&self) -> Option<crate::TextField> {
        match self {
            Self::Title(_) => Some(crate::TextField::Title),
            Self::Description(_) => Some(crate::TextField::Description),
            Self::AcceptanceCriteria(_) => Some(crate::TextField::AcceptanceCriteria),
            Self::Notes(_) => Some(crate::TextField::Notes),
            _ => None,
        }
    }

    #[must_use]
    pub fn field(&self) -> ItemField {
        match self {
            Self::Title(_) => ItemField::Title,
            Self::Description(_) => ItemField::Description,
            Self::AcceptanceCriteria(_) => ItemField::AcceptanceCriteria,
            Self::Notes(_) => ItemField::Notes,
            Self::Labels(_) => ItemField::Labels,
            Self::Links(_) => ItemField::Links,
            Self::Dependencies(_) => ItemField::Dependencies,
            Self::Estimate(_) => ItemField::Estimate,
            Self::Status(_) => ItemField::Status,
            Self::Wsjf(_) => ItemField::Wsjf,
        }
    }
}

/// Settings to change; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SettingsChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_deck: Option<DeckChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_reveal: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous_reveal: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest_split_at: Option<u32>,
    /// The whole new Definition of Ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_of_ready: Option<Vec<crate::room::ReadyCriterionDraft>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timebox: Option<crate::room::RefinementTimebox>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus_percent: Option<u32>,
}
