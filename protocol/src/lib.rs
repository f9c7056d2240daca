//! The Ready Room wire protocol.
//!
//! This crate is the single source of truth for what travels between a client and the server:
//! JSON text frames whose `"type"` field selects a variant of [`ClientMessage`] or
//! [`ServerMessage`]. It holds no I/O and no behaviour beyond what a client needs to interpret
//! the messages (deck presets, card values), so third-party clients can be written from it and
//! from `docs/protocol.md` alone.

mod api;
mod client;
mod deck;
mod error;
mod estimation;
mod export;
mod history;
mod ids;
pub mod limits;
mod room;
mod schema;
mod server;
mod text;
mod webhooks;

pub use api::{
    ApiScope, ApiTokenCreated, ApiTokenView, NewApiToken, NewTeamRoom, RoomRef, TeamRoomView,
};
pub use client::{
    ClientMessage, Command, ItemChange, JoinRequest, NewItem, Resume, SettingsChange, SplitPart,
};
pub use deck::{COFFEE_CARD, Deck, DeckChoice, DeckKind, UNSURE_CARD, card_value, is_special};
pub use error::ErrorCode;
pub use estimation::{
    Confidence, ConfidenceTally, EstimateSuggestion, PrevoteResult, PrevoteReview, Prevotes,
    SizingBoard, SizingPlacement, SuggestionReference,
};
pub use export::{EXPORT_FORMAT, EXPORT_VERSION, ExportedParticipant, RoomExport};
pub use history::{HistoryEntry, HistoryField, ItemHistory};
pub use ids::{CommandId, ItemId, ParticipantId, RoomId, RoundId, Seq, Timestamp};
pub use room::{
    AutoCheck, CardCount, Caret, CriterionId, Editing, ExternalRef, ItemField, ItemRank,
    ItemStatus, ItemView, Link, Outliers, ParticipantView, ReadyCriterion, ReadyCriterionDraft,
    ReadyOverride, RefinementTimebox, Remark, RemarkId, RemarkKind, Role, RoomSettings,
    RoomSnapshot, RoundPhase, RoundRecord, RoundStats, RoundView, Session, TextField,
    TextRevisions, Timer, Tracker, TrashedItem, VoteView, Wsjf, WsjfDimension,
    default_definition_of_ready, manual_criteria,
};
pub use schema::json_schema;
pub use server::{Event, EventFrame, Resumed, ServerMessage, Welcome};
pub use text::{PendingEdits, TextComponent, TextOp, TextOpError};
pub use webhooks::{
    DeliveryStatus, DeliveryView, NewWebhook, WebhookCreated, WebhookData, WebhookEvent,
    WebhookItem, WebhookPayload, WebhookView, WebhookWithLog,
};

/// Version of the wire protocol. A client announces the version it speaks when it joins; the
/// server refuses versions it does not speak with [`ErrorCode::UnsupportedProtocol`].
pub const PROTOCOL_VERSION: u32 = 1;

/// A new room's `suggest_split_at`: the median vote that makes a client offer a split (13 is
/// where the Fibonacci deck starts to mean "too big for one sprint").
pub const DEFAULT_SPLIT_SUGGESTION: u32 = 13;

/// The working day a [`RefinementTimebox`] counts in.
pub const WORKING_HOURS_PER_DAY: u32 = 8;

/// A new room's `consensus_percent`: the share of votes on one card that counts as agreement
/// when pre-votes are revealed.
pub const DEFAULT_CONSENSUS_PERCENT: u32 = 70;
