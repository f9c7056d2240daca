//! Each item's history: who changed which field, when, and the value for short fields. Noted
//! from the events the room emits (the same ones its journal keeps), so nothing that changes an
//! item can bypass it; kept in the room because the journal itself is compacted.

use std::collections::{HashMap, VecDeque};

use readyroom_protocol::limits::{MAX_HISTORY_BYTES, MAX_HISTORY_ENTRIES, MAX_HISTORY_VALUE_CHARS};
use readyroom_protocol::{
    Event, HistoryEntry, HistoryField, ItemChange, ItemHistory, ItemId, ItemStatus, ParticipantId,
    RemarkKind, TextField, Timestamp, Wsjf,
};
use serde::{Deserialize, Serialize};

use super::{CommandError, Room};

/// Keystrokes by one person in one field within this long are one change.
const TYPING_RUN_MS: u64 = 5 * 60 * 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Histories {
    items: HashMap<ItemId, ItemLog>,
    /// Counts entries as they are made, so the oldest in the room can be found.
    #[serde(default)]
    made: u64,
    /// What the entries hold, by [`Change::bytes`], against [`MAX_HISTORY_BYTES`].
    #[serde(default)]
    bytes: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ItemLog {
    entries: VecDeque<Change>,
    truncated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Change {
    at: Timestamp,
    by: Option<ParticipantId>,
    field: HistoryField,
    value: Option<String>,
    #[serde(default)]
    n: u64,
}

impl Change {
    /// What an entry costs against the room's budget: its value and a fixed share for the rest.
    fn bytes(&self) -> usize {
        64 + self.value.as_ref().map_or(0, String::len)
    }
}

impl Histories {
    fn push(&mut self, item_id: ItemId, mut change: Change) {
        self.made += 1;
        change.n = self.made;
        let log = self.items.entry(item_id).or_default();
        let typing = matches!(
            change.field,
            HistoryField::Title
                | HistoryField::Description
                | HistoryField::AcceptanceCriteria
                | HistoryField::Notes
        );
        // A run of keystrokes is one entry, even while others type elsewhere in the item: the
        // field's latest entry takes the new value and moves to the end (it stays the field's
        // latest, so the values before and after it are still right).
        let run = typing
            .then(|| log.entries.iter().rposition(|e| e.field == change.field))
            .flatten()
            .filter(|at| {
                log.entries.get(*at).is_some_and(|last| {
                    last.by == change.by && change.at.saturating_sub(last.at) <= TYPING_RUN_MS
                })
            });
        if let Some(last) = run.and_then(|at| log.entries.remove(at)) {
            self.bytes = self.bytes.saturating_sub(last.bytes());
        }
        self.bytes += change.bytes();
        log.entries.push_back(change);
        if log.entries.len() > MAX_HISTORY_ENTRIES {
            if let Some(dropped) = log.entries.pop_front() {
                self.bytes = self.bytes.saturating_sub(dropped.bytes());
            }
            log.truncated = true;
        }
        while self.bytes > MAX_HISTORY_BYTES && self.drop_oldest() {}
    }

    /// Drops the room's oldest entry; false when there is none.
    fn drop_oldest(&mut self) -> bool {
        let oldest = self
            .items
            .iter()
            .filter_map(|(id, log)| log.entries.front().map(|e| (e.n, *id)))
            .min();
        let Some(log) = oldest.and_then(|(_, id)| self.items.get_mut(&id)) else {
            return false;
        };
        if let Some(dropped) = log.entries.pop_front() {
            self.bytes = self.bytes.saturating_sub(dropped.bytes());
        }
        log.truncated = true;
        true
    }

    /// Forgets an item that is gone for good.
    pub fn forget(&mut self, item_id: ItemId) {
        if let Some(log) = self.items.remove(&item_id) {
            let bytes: usize = log.entries.iter().map(Change::bytes).sum();
            self.bytes = self.bytes.saturating_sub(bytes);
        }
    }

    /// The items with a history, so that it can be checked against the room.
    pub fn items(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.items.keys().copied()
    }

    /// Whether the byte count agrees with the entries and stays within the budget.
    pub fn check(&self) -> Result<(), String> {
        let bytes: usize = self
            .items
            .values()
            .flat_map(|log| log.entries.iter().map(Change::bytes))
            .sum();
        if bytes != self.bytes {
            return Err(format!(
                "histories count {} bytes but hold {bytes}",
                self.bytes
            ));
        }
        if bytes > MAX_HISTORY_BYTES {
            return Err("histories hold more than their budget".into());
        }
        Ok(())
    }
}

/// Whether an entry's value can be compared with the one before it of the same field (a
/// remark or a criterion is one of several, and has no "before").
fn has_previous(field: HistoryField) -> bool {
    matches!(
        field,
        HistoryField::Title
            | HistoryField::Labels
            | HistoryField::Links
            | HistoryField::Dependencies
            | HistoryField::Estimate
            | HistoryField::Status
            | HistoryField::Wsjf
    )
}

fn short(value: &str) -> String {
    if value.chars().count() <= MAX_HISTORY_VALUE_CHARS {
        return value.to_owned();
    }
    let mut cut: String = value.chars().take(MAX_HISTORY_VALUE_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn status_name(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::New => "new",
        ItemStatus::NeedsInfo => "needs_info",
        ItemStatus::NeedsSplitting => "needs_splitting",
        ItemStatus::Ready => "ready",
    }
}

fn wsjf_text(wsjf: &Wsjf) -> String {
    let parts = [
        ("business value", wsjf.business_value),
        ("time criticality", wsjf.time_criticality),
        ("risk reduction", wsjf.risk_reduction),
        ("job size", wsjf.job_size),
    ];
    let known: Vec<String> = parts
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name} {v}")))
        .collect();
    known.join(", ")
}

fn text_field(field: TextField) -> HistoryField {
    match field {
        TextField::Title => HistoryField::Title,
        TextField::Description => HistoryField::Description,
        TextField::AcceptanceCriteria => HistoryField::AcceptanceCriteria,
        TextField::Notes => HistoryField::Notes,
    }
}

impl Room {
    /// Notes in the items' histories what `event` changed. Called as the event is emitted,
    /// once the change is applied, so values are read from the room.
    pub(super) fn note_history(&mut self, event: &Event, at: Timestamp, by: Option<ParticipantId>) {
        let note =
            |room: &mut Self, item_id: ItemId, field: HistoryField, value: Option<String>| {
                let value = value.filter(|_| field.keeps_values()).map(|v| short(&v));
                room.histories.push(
                    item_id,
                    Change {
                        at,
                        by,
                        field,
                        value,
                        n: 0,
                    },
                );
            };
        match event {
            Event::ItemCreated { item } => {
                note(
                    self,
                    item.id,
                    HistoryField::Created,
                    Some(item.title.clone()),
                );
            }
            Event::ItemUpdated { item_id, change } => {
                let (field, value) = self.describe_change(change);
                note(self, *item_id, field, value);
            }
            Event::TextEdited { item_id, field, .. } => {
                let value = (*field == TextField::Title)
                    .then(|| self.order.get(*item_id).map(|item| item.title.clone()))
                    .flatten();
                note(self, *item_id, text_field(*field), value);
            }
            Event::ItemSplit { item_id, parts } => {
                let titles: Vec<&str> = parts.iter().map(|part| part.title.as_str()).collect();
                note(self, *item_id, HistoryField::Split, Some(titles.join(", ")));
                for part in parts {
                    note(
                        self,
                        part.id,
                        HistoryField::Created,
                        Some(part.title.clone()),
                    );
                }
            }
            Event::CriterionChecked {
                item_id,
                criterion,
                checked,
            } => {
                let text = self
                    .settings
                    .definition_of_ready
                    .iter()
                    .find(|c| c.id == *criterion)
                    .map_or_else(|| format!("criterion {criterion}"), |c| c.text.clone());
                let mark = if *checked { "✓" } else { "✗" };
                note(
                    self,
                    *item_id,
                    HistoryField::Criterion,
                    Some(format!("{mark} {text}")),
                );
            }
            Event::ReadyOverridden {
                item_id,
                ready_override,
            } => {
                let value = if ready_override.is_some() {
                    "ready anyway"
                } else {
                    "as its checklist says"
                };
                note(
                    self,
                    *item_id,
                    HistoryField::ReadyOverride,
                    Some(value.to_owned()),
                );
            }
            Event::RemarkAdded { item_id, remark } | Event::RemarkChanged { item_id, remark } => {
                let kind = match remark.kind {
                    RemarkKind::Decision => "Decision",
                    RemarkKind::Question => "Question",
                };
                let value = match &remark.answer {
                    Some(answer) => format!("{kind}: {} → {answer}", remark.text),
                    None => format!("{kind}: {}", remark.text),
                };
                note(self, *item_id, HistoryField::Remark, Some(value));
            }
            Event::RemarkRemoved { item_id, .. } => {
                note(self, *item_id, HistoryField::Remark, None);
            }
            Event::EstimateAccepted {
                item_id,
                estimate,
                dimension,
                ..
            } => {
                if dimension.is_some() {
                    let value = self.order.get(*item_id).map(|item| wsjf_text(&item.wsjf));
                    note(self, *item_id, HistoryField::Wsjf, value);
                } else {
                    note(
                        self,
                        *item_id,
                        HistoryField::Estimate,
                        Some(estimate.clone()),
                    );
                }
            }
            Event::ItemDeleted { item_id } => note(self, *item_id, HistoryField::Deleted, None),
            Event::ItemRestored { item } => note(self, item.id, HistoryField::Restored, None),
            _ => {}
        }
    }

    fn describe_change(&self, change: &ItemChange) -> (HistoryField, Option<String>) {
        match change {
            ItemChange::Title(v) => (HistoryField::Title, Some(v.clone())),
            ItemChange::Description(_) => (HistoryField::Description, None),
            ItemChange::AcceptanceCriteria(_) => (HistoryField::AcceptanceCriteria, None),
            ItemChange::Notes(_) => (HistoryField::Notes, None),
            ItemChange::Labels(labels) => (HistoryField::Labels, Some(labels.join(", "))),
            ItemChange::Links(links) => {
                let links: Vec<&str> = links
                    .iter()
                    .map(|link| {
                        if link.title.is_empty() {
                            link.url.as_str()
                        } else {
                            link.title.as_str()
                        }
                    })
                    .collect();
                (HistoryField::Links, Some(links.join(", ")))
            }
            ItemChange::Dependencies(ids) => {
                let titles: Vec<&str> = ids
                    .iter()
                    .filter_map(|id| self.order.get(*id).map(|item| item.title.as_str()))
                    .collect();
                (HistoryField::Dependencies, Some(titles.join(", ")))
            }
            ItemChange::Estimate(v) => {
                (HistoryField::Estimate, Some(v.clone().unwrap_or_default()))
            }
            ItemChange::Status(status) => {
                (HistoryField::Status, Some(status_name(*status).to_owned()))
            }
            ItemChange::Wsjf(wsjf) => (HistoryField::Wsjf, Some(wsjf_text(wsjf))),
        }
    }

    /// An item's history (in the backlog or the trash), for whoever holds a token of the room:
    /// a participant's or the facilitator's.
    ///
    /// # Errors
    /// `invalid_token` for a token that is not this room's; `unknown_item`.
    pub fn item_history(&self, item_id: ItemId, token: &str) -> Result<ItemHistory, CommandError> {
        self.require(token, super::api::Need::Member)?;
        let title = self
            .order
            .get(item_id)
            .map(|item| item.title.clone())
            .or_else(|| {
                self.trash
                    .iter()
                    .find(|t| t.item_id() == item_id)
                    .map(|t| t.view().title)
            })
            .ok_or_else(CommandError::unknown_item)?;
        let log = self.histories.items.get(&item_id);
        let mut last_value: HashMap<HistoryField, String> = HashMap::new();
        let entries = log
            .map(|log| log.entries.iter())
            .into_iter()
            .flatten()
            .map(|change| {
                // A title's first value is the one the item was created with.
                let key = if change.field == HistoryField::Created {
                    HistoryField::Title
                } else {
                    change.field
                };
                let previous = if has_previous(change.field) {
                    last_value.get(&key).cloned()
                } else {
                    None
                };
                if let Some(value) = &change.value {
                    last_value.insert(key, value.clone());
                }
                HistoryEntry {
                    at: change.at,
                    by: change.by,
                    by_name: change
                        .by
                        .and_then(|id| self.participants.get(&id))
                        .map(|p| p.view.name.clone()),
                    field: change.field,
                    value: change.value.clone(),
                    previous,
                }
            })
            .collect();
        Ok(ItemHistory {
            item_id,
            title,
            truncated: log.is_some_and(|log| log.truncated),
            entries,
        })
    }
}
