use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, ParticipantId, Timestamp};

/// What one entry of an item's history changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryField {
    /// The item was created (`value`: its title), by hand, by an import or by a split.
    Created,
    Title,
    Description,
    AcceptanceCriteria,
    Notes,
    Labels,
    Links,
    /// `value`: the titles of what the item waits for.
    Dependencies,
    Estimate,
    Status,
    /// `value`: the parts of its WSJF score, as "business value 8, job size 3".
    Wsjf,
    /// The item was split (`value`: the parts' titles).
    Split,
    /// A Definition of Ready criterion was ticked or unticked (`value`: "✓ text" or "✗ text").
    Criterion,
    /// The facilitator marked the item ready anyway (`value`: "ready"), or took that back.
    ReadyOverride,
    /// A decision or question was added, changed, answered or removed (`value`: its text).
    Remark,
    Deleted,
    Restored,
}

impl HistoryField {
    /// Whether the field's values are short enough to keep in the history, so that each entry
    /// can say what the value was before.
    #[must_use]
    pub fn keeps_values(self) -> bool {
        !matches!(
            self,
            Self::Description | Self::AcceptanceCriteria | Self::Notes
        )
    }
}

/// One change to an item, as `GET /api/rooms/{room_id}/items/{item_id}/history` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryEntry {
    pub at: Timestamp,
    /// Who did it; absent when the server did it by itself (a status following the checklist
    /// is credited to whoever changed the checklist).
    pub by: Option<ParticipantId>,
    /// `by`'s name now; absent for someone no longer in the room.
    pub by_name: Option<String>,
    pub field: HistoryField,
    /// The new value, for fields short enough to keep (not the long texts).
    pub value: Option<String>,
    /// The value before, when the history still holds it.
    pub previous: Option<String>,
}

/// An item's history, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemHistory {
    pub item_id: ItemId,
    pub title: String,
    /// Older entries were dropped to keep the history within its bound.
    pub truncated: bool,
    pub entries: Vec<HistoryEntry>,
}
