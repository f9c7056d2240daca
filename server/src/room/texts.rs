//! Text fields written together. `edit_text` carries an operation made on some revision of a
//! field; the room transforms it over every operation applied to that field since, applies it,
//! and tells everyone the transformed operation (not the text). The room keeps its recent text
//! operations, all fields together, within `TEXT_HISTORY_OPS` and `TEXT_HISTORY_BYTES`; an edit
//! made on a revision older than that is refused with `stale_revision`.

use std::collections::VecDeque;

use readyroom_protocol::limits::{
    MAX_LONG_TEXT_CHARS, MAX_TITLE_CHARS, TEXT_HISTORY_BYTES, TEXT_HISTORY_OPS,
};
use readyroom_protocol::{
    ErrorCode, Event, ItemId, ParticipantId, TextComponent, TextField, TextOp,
};

use super::{CommandError, Out, Room};

/// The room's recent text operations, oldest first.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TextHistory {
    recent: VecDeque<AppliedText>,
    /// Bytes of text the kept operations insert (their share of the bound).
    bytes: usize,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct AppliedText {
    item: ItemId,
    field: TextField,
    /// The field's revision this operation made.
    revision: u64,
    op: TextOp,
}

fn inserted_bytes(op: &TextOp) -> usize {
    op.components()
        .iter()
        .map(|c| match c {
            TextComponent::Insert(text) => text.len(),
            TextComponent::Retain(_) | TextComponent::Delete(_) => 0,
        })
        .sum()
}

impl TextHistory {
    /// Remembers an operation that made `revision` of a field.
    pub fn record(&mut self, item: ItemId, field: TextField, revision: u64, op: TextOp) {
        self.bytes += inserted_bytes(&op);
        self.recent.push_back(AppliedText {
            item,
            field,
            revision,
            op,
        });
        while self.recent.len() > TEXT_HISTORY_OPS || self.bytes > TEXT_HISTORY_BYTES {
            let Some(dropped) = self.recent.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(inserted_bytes(&dropped.op));
        }
    }

    /// The operations that took the field from `revision` to `current`, oldest first, if they
    /// are all still kept.
    fn since(&self, item: ItemId, field: TextField, revision: u64) -> Vec<&TextOp> {
        self.recent
            .iter()
            .filter(|a| a.item == item && a.field == field && a.revision > revision)
            .map(|a| &a.op)
            .collect()
    }

    pub fn forget_item(&mut self, item: ItemId) {
        self.recent.retain(|a| a.item != item);
        self.bytes = self.recent.iter().map(|a| inserted_bytes(&a.op)).sum();
    }

    pub fn check(&self) -> Result<(), String> {
        if self.recent.len() > TEXT_HISTORY_OPS || self.bytes > TEXT_HISTORY_BYTES {
            return Err("the text history is over its bounds".into());
        }
        let bytes: usize = self.recent.iter().map(|a| inserted_bytes(&a.op)).sum();
        if bytes != self.bytes {
            return Err("the text history miscounts its bytes".into());
        }
        Ok(())
    }
}

impl Room {
    pub(super) fn edit_text(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        field: TextField,
        revision: u64,
        op: TextOp,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "edit items")?;
        let item = self
            .order
            .get(item_id)
            .ok_or_else(CommandError::unknown_item)?;
        let current = item.revisions.of(field);
        let stale = |detail: String| CommandError::new(ErrorCode::StaleRevision, detail);
        if revision > current {
            return Err(stale(format!(
                "this field has no revision {revision} (it is at {current})"
            )));
        }
        let since = self.texts.since(item_id, field, revision);
        if u64::try_from(since.len()).ok() != Some(current - revision) {
            return Err(stale(format!(
                "revision {revision} is too old to edit on (the field is at {current}); fetch it again"
            )));
        }
        let mut op = op;
        for applied in since {
            op = TextOp::transform(&op, applied)
                .map_err(|error| {
                    CommandError::invalid(format!(
                        "the operation does not fit the field at revision {revision}: {error}"
                    ))
                })?
                .0;
        }
        let text = op.apply(item.text(field)).map_err(|error| {
            CommandError::invalid(format!(
                "the operation does not fit the field at revision {revision}: {error}"
            ))
        })?;
        check_text(field, &text)?;
        let item = self
            .order
            .get_mut(item_id)
            .ok_or_else(CommandError::unknown_item)?;
        *item.text_mut(field) = text;
        let revision = item.revisions.of(field) + 1;
        *item.revisions.of_mut(field) = revision;
        self.texts.record(item_id, field, revision, op.clone());
        self.emit(
            out,
            Event::TextEdited {
                item_id,
                field,
                revision,
                op,
            },
        );
        Ok(())
    }
}

/// The rules a field's text must keep whoever wrote it. An edited title is kept as typed (not
/// trimmed, which would move everyone's positions), but it must not be blank.
fn check_text(field: TextField, text: &str) -> Result<(), CommandError> {
    let (what, max, one_line) = match field {
        TextField::Title => ("the title", MAX_TITLE_CHARS, true),
        TextField::Description => ("the description", MAX_LONG_TEXT_CHARS, false),
        TextField::AcceptanceCriteria => ("the acceptance criteria", MAX_LONG_TEXT_CHARS, false),
    };
    if text.chars().count() > max {
        return Err(CommandError::invalid(format!(
            "{what} would be longer than {max} characters"
        )));
    }
    let allowed = |c: char| !one_line && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(CommandError::invalid(format!(
            "{what} must not contain {}",
            if one_line {
                "line breaks or control characters"
            } else {
                "control characters"
            }
        )));
    }
    if one_line && text.trim().is_empty() {
        return Err(CommandError::invalid(format!("{what} must not be empty")));
    }
    Ok(())
}
