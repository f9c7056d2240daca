//! Bounds on every input. The server rejects anything larger with a specific error code; clients
//! can use these to stop a person before the server has to.

/// Largest text frame the server processes. Larger frames (up to [`HARD_MAX_FRAME_BYTES`]) are
/// answered with `frame_too_large` and the connection carries on.
/// Large enough for any command within the other limits (two 20 000-character texts of
/// four-byte characters).
pub const MAX_FRAME_BYTES: usize = 256 * 1024;
/// Frames above this close the connection (close code 1009): the server will not buffer them.
pub const HARD_MAX_FRAME_BYTES: usize = 1024 * 1024;

pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_ROOM_NAME_CHARS: usize = 120;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;
pub const MAX_LABELS: usize = 20;
pub const MAX_LABEL_CHARS: usize = 40;
pub const MAX_LINKS: usize = 20;
pub const MAX_LINK_URL_CHARS: usize = 2_000;
pub const MAX_LINK_TITLE_CHARS: usize = 200;
pub const MAX_DEPENDENCIES: usize = 50;
/// Parts a `split_item` makes, at most (and at least 2).
pub const MAX_SPLIT_PARTS: usize = 10;
/// Characters of description and acceptance criteria over all the parts of one `split_item`,
/// so that the command fits in a frame.
pub const MAX_SPLIT_TEXT_CHARS: usize = 2 * MAX_LONG_TEXT_CHARS;
/// Largest `suggest_split_at` a room may have.
pub const MAX_SPLIT_SUGGESTION: u32 = 10_000;
/// Criteria in a Definition of Ready, at most (and at least 1).
pub const MAX_READY_CRITERIA: usize = 12;
pub const MAX_CRITERION_CHARS: usize = 120;
/// Largest value of one part of a WSJF score (and the smallest is 1).
pub const MAX_WSJF_VALUE: u32 = 100;
/// Decisions and questions on one item, at most.
pub const MAX_REMARKS_PER_ITEM: usize = 50;
/// A remark's text, or a question's answer.
pub const MAX_REMARK_CHARS: usize = 500;
pub const MAX_ESTIMATE_CHARS: usize = 16;
pub const MAX_CUSTOM_CARDS: usize = 30;
pub const MAX_CARD_CHARS: usize = 8;

pub const MAX_ITEMS_PER_ROOM: usize = 1_000;
/// Deleted items a room keeps for restoring; deleting one more forgets the oldest for good.
pub const MAX_TRASHED_ITEMS: usize = 100;
/// Changes kept in one item's history; the oldest are dropped first.
pub const MAX_HISTORY_ENTRIES: usize = 100;
/// What a room's item histories hold together, at most (each entry counts its value's bytes
/// and 64 more); beyond it the room's oldest entries are dropped.
pub const MAX_HISTORY_BYTES: usize = 2 * 1024 * 1024;
/// A value kept in an item's history, at most; longer ones are cut short with "…".
pub const MAX_HISTORY_VALUE_CHARS: usize = 300;
/// Counts everyone who ever joined and was not removed, online or not. A full room forgets
/// the participant who has been offline longest to let a newcomer in.
pub const MAX_PARTICIPANTS_PER_ROOM: usize = 500;
/// Of [`MAX_PARTICIPANTS_PER_ROOM`], the places only a join with the facilitator token may
/// take, so that a room filled by others can still be led.
pub const PLACES_KEPT_FOR_FACILITATOR: usize = 5;
/// Rounds kept in one item's history; the oldest are dropped first.
pub const MAX_ROUNDS_IN_HISTORY: usize = 50;
/// Items in one set of pre-votes, and on the relative sizing board.
pub const MAX_PREVOTE_ITEMS: usize = 100;
pub const MAX_SIZING_ITEMS: usize = 100;
/// How far ahead pre-votes may close: 30 days, in milliseconds.
pub const MAX_PREVOTE_MILLIS: u64 = 30 * 24 * 60 * 60 * 1000;
pub const MAX_TIMER_SECONDS: u32 = 4 * 60 * 60;
/// Working days in a sprint, at most (a `RefinementTimebox`).
pub const MAX_SPRINT_DAYS: u32 = 60;
/// Share of a sprint given to refinement, at most, in percent (5 to 10 is usual).
pub const MAX_REFINEMENT_PERCENT: u32 = 25;
pub const MAX_SESSIONS_PER_SPRINT: u32 = 20;

/// Recent text operations a room keeps to transform late `edit_text`s over, at most: this many,
/// and [`TEXT_HISTORY_BYTES`] of inserted text. An edit made on an older revision gets
/// `stale_revision`.
pub const TEXT_HISTORY_OPS: usize = 500;
pub const TEXT_HISTORY_BYTES: usize = 1024 * 1024;

/// Connections one participant may hold open at once (tabs, devices).
pub const MAX_CONNECTIONS_PER_PARTICIPANT: u32 = 10;
/// How many past commands per participant the server remembers the reply of, for resends.
pub const REMEMBERED_REPLIES: usize = 64;

/// API tokens a room holds at once.
pub const MAX_API_TOKENS: usize = 20;
/// Characters of an API token's name.
pub const MAX_API_TOKEN_NAME_CHARS: usize = 60;

/// Webhooks a room holds at once.
pub const MAX_WEBHOOKS: usize = 5;
/// Characters of a webhook's URL.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2000;
/// Deliveries a room may have waiting at once; more are recorded as dropped, not sent.
pub const MAX_PENDING_DELIVERIES: usize = 1000;
/// Finished deliveries kept per webhook for its log.
pub const DELIVERY_LOG_LENGTH: usize = 50;
/// Other rooms of the team a room's suggestions draw on.
pub const MAX_TEAM_ROOMS: usize = 5;
