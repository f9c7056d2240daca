//! Estimation beyond one live round: a voter's confidence, pre-votes cast before the meeting
//! and revealed together, and the relative sizing board.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::deck::Deck;
use crate::ids::{ItemId, ParticipantId, Timestamp};
use crate::room::{RoundRecord, RoundView};

/// How sure a voter is of the card they played; optional, shown with the results.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// How many votes came with each confidence (votes without one are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfidenceTally {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
}

impl ConfidenceTally {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.low == 0 && self.medium == 0 && self.high == 0
    }

    pub fn add(&mut self, confidence: Confidence) {
        let slot = match confidence {
            Confidence::Low => &mut self.low,
            Confidence::Medium => &mut self.medium,
            Confidence::High => &mut self.high,
        };
        *slot = slot.saturating_add(1);
    }
}

/// Pre-votes: rounds on several items at once, voted on by each voter in their own time until
/// `closes_at`, secret like any round, and revealed together by the facilitator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Prevotes {
    /// Votes are accepted until then (milliseconds since the Unix epoch).
    pub closes_at: Timestamp,
    /// One round per item, in backlog order when opened; each `round.closes_at` is set.
    pub rounds: Vec<RoundView>,
}

/// One pre-voted item after the reveal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PrevoteResult {
    pub item_id: ItemId,
    pub record: RoundRecord,
    /// The team agreed: at least two ordinary votes, one most played card, and its share at
    /// or above the room's `consensus_percent`. Offered for accepting in one step.
    pub consensus: bool,
    /// How far apart the ordinary cards played lie, in deck positions (0 when all agree or
    /// fewer than two were played).
    pub spread: u32,
}

/// What a pre-vote reveal left to do: items with consensus to accept, and the rest queued
/// for live discussion, widest spread first. An item leaves it once its estimate is accepted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PrevoteReview {
    /// Consensus first (backlog order), then the discussion queue (widest spread first).
    pub results: Vec<PrevoteResult>,
}

/// Relative sizing ("magic estimation"): everyone drags item cards into the deck's columns at
/// once; the server's order settles concurrent moves, so every client ends with the same board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SizingBoard {
    /// The columns: the deck's ordinary cards.
    pub deck: Deck,
    /// Every item on the board, in the order shown within a column (last placed last).
    pub placements: Vec<SizingPlacement>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SizingPlacement {
    pub item_id: ItemId,
    /// The card whose column the item is in; absent while unsized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Who placed it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ParticipantId>,
}

impl SizingBoard {
    /// Applies a `sizing_placed` event, as a client does: the item moves to the end of its
    /// new column.
    pub fn place(&mut self, item_id: ItemId, column: Option<String>, by: Option<ParticipantId>) {
        if let Some(at) = self.placements.iter().position(|p| p.item_id == item_id) {
            self.placements.remove(at);
            self.placements.push(SizingPlacement {
                item_id,
                column,
                by,
            });
        }
    }
}

/// An estimate suggested from the room's own history: the items most like this one (by their
/// words and labels) that have estimates, and the card they point to. Worked out on request,
/// never stored; it uses accepted estimates only, never a vote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EstimateSuggestion {
    pub item_id: ItemId,
    /// Items with an estimate that share enough with this one to count.
    pub matches: u32,
    /// The similarity-weighted median of the matches' estimates, as a card of the item's
    /// deck; absent with fewer than three matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<String>,
    /// How much the matches agree: the share of their weight within one card of `suggested`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The three most similar items, most similar first (empty with fewer than three matches).
    pub references: Vec<SuggestionReference>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SuggestionReference {
    pub item_id: ItemId,
    pub title: String,
    pub estimate: String,
    /// 0 to 1: how much of this item's wording the reference shares, weighted by rarity.
    pub similarity: f64,
    /// The team room it comes from, when not this room (see `/api/rooms/{id}/team-rooms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<crate::api::RoomRef>,
}
