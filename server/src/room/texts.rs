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
    CommandId, ErrorCode, Event, ItemId, ParticipantId, PendingEdits, TextComponent, TextField,
    TextOp,
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
    /// Who sent it with `edit_text`, and how (absent for whole-field replacements).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent: Option<SentText>,
}

/// An `edit_text` as it arrived, so that a later edit that `follows` it can be brought up to
/// date the way its sender would have.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SentText {
    pub by: ParticipantId,
    pub cmd: CommandId,
    /// The revision it was made on.
    pub base: u64,
    /// The operation as sent; absent when it is the one applied (nothing came in between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<TextOp>,
}

impl AppliedText {
    /// The operation as its sender made it, on revision `base`.
    fn as_sent(&self) -> Option<(u64, &TextOp)> {
        self.sent
            .as_ref()
            .map(|sent| (sent.base, sent.op.as_ref().unwrap_or(&self.op)))
    }

    fn bytes(&self) -> usize {
        inserted_bytes(&self.op)
            + self
                .sent
                .as_ref()
                .and_then(|sent| sent.op.as_ref())
                .map_or(0, inserted_bytes)
    }
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
    pub fn record(
        &mut self,
        item: ItemId,
        field: TextField,
        revision: u64,
        op: TextOp,
        sent: Option<SentText>,
    ) {
        let applied = AppliedText {
            item,
            field,
            revision,
            op,
            sent,
        };
        self.bytes += applied.bytes();
        self.recent.push_back(applied);
        while self.recent.len() > TEXT_HISTORY_OPS || self.bytes > TEXT_HISTORY_BYTES {
            let Some(dropped) = self.recent.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(dropped.bytes());
        }
    }

    /// The operations that took the field from `revision` to `current`, oldest first, if they
    /// are all still kept.
    fn since(&self, item: ItemId, field: TextField, revision: u64) -> Vec<&AppliedText> {
        self.recent
            .iter()
            .filter(|a| a.item == item && a.field == field && a.revision > revision)
            .collect()
    }

    pub fn forget_item(&mut self, item: ItemId) {
        self.recent.retain(|a| a.item != item);
        self.bytes = self.recent.iter().map(AppliedText::bytes).sum();
    }

    pub fn check(&self) -> Result<(), String> {
        if self.recent.len() > TEXT_HISTORY_OPS || self.bytes > TEXT_HISTORY_BYTES {
            return Err("the text history is over its bounds".into());
        }
        let bytes: usize = self.recent.iter().map(AppliedText::bytes).sum();
        if bytes != self.bytes {
            return Err("the text history miscounts its bytes".into());
        }
        Ok(())
    }
}

/// Where an edit is made and on what.
pub(super) struct TextEdit {
    pub item_id: ItemId,
    pub field: TextField,
    pub revision: u64,
    pub op: TextOp,
    pub follows: Option<CommandId>,
}

impl Room {
    pub(super) fn edit_text(
        &mut self,
        actor: ParticipantId,
        cmd: CommandId,
        edit: TextEdit,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        let TextEdit {
            item_id,
            field,
            revision,
            op,
            follows,
        } = edit;
        self.require_editor(actor, "edit items")?;
        let item = self
            .order
            .get(item_id)
            .ok_or_else(CommandError::unknown_item)?;
        let current = item.revisions.of(field);
        let since = self.texts.since(item_id, field, revision);
        check_kept(revision, current, since.len())?;
        let misfit = |error: readyroom_protocol::TextOpError| {
            CommandError::invalid(format!(
                "the operation does not fit the field at revision {revision}: {error}"
            ))
        };
        let (mut op, base, rest) = match follows {
            None => (op, revision, since.as_slice()),
            Some(followed) => self.after_followed(actor, followed, &since, revision, op)?,
        };
        // Kept as it came (brought past the edit it follows), for edits that follow this one.
        let as_sent = (!rest.is_empty()).then(|| op.clone());
        for applied in rest {
            op = TextOp::transform(&op, &applied.op).map_err(misfit)?.0;
        }
        let text = op.apply(item.text(field)).map_err(misfit)?;
        check_text(field, &text)?;
        let item = self
            .order
            .get_mut(item_id)
            .ok_or_else(CommandError::unknown_item)?;
        *item.text_mut(field) = text;
        let new_revision = current + 1;
        *item.revisions.of_mut(field) = new_revision;
        let sent = SentText {
            by: actor,
            cmd,
            base,
            op: as_sent,
        };
        self.texts
            .record(item_id, field, new_revision, op.clone(), Some(sent));
        self.emit(
            out,
            Event::TextEdited {
                item_id,
                field,
                revision: new_revision,
                op,
                cmd: Some(cmd),
            },
        );
        Ok(())
    }
}

impl Room {
    /// Brings an edit made on `revision` with the sender's own edit `followed` on top up to
    /// the revision `followed` made, the way the sender's client would have had it known
    /// the edits in between. Returns it, that revision, and the edits applied after it.
    fn after_followed<'a>(
        &self,
        actor: ParticipantId,
        followed: CommandId,
        since: &'a [&'a AppliedText],
        revision: u64,
        op: TextOp,
    ) -> Result<(TextOp, u64, &'a [&'a AppliedText]), CommandError> {
        let stale = || {
            CommandError::new(
                ErrorCode::StaleRevision,
                format!(
                    "your edit {followed} is not among this field's edits since revision {revision}; fetch it again"
                ),
            )
        };
        let at = since
            .iter()
            .position(|a| {
                a.sent
                    .as_ref()
                    .is_some_and(|sent| sent.by == actor && sent.cmd == followed)
            })
            .ok_or_else(stale)?;
        let Some(&followed_edit) = since.get(at) else {
            return Err(stale());
        };
        let Some((base, sent)) = followed_edit.as_sent() else {
            return Err(stale());
        };
        if base > revision {
            return Err(CommandError::invalid(format!(
                "your edit {followed} was made on revision {base}, after revision {revision}"
            )));
        }
        let misfit = |error: readyroom_protocol::TextOpError| {
            CommandError::invalid(format!(
                "the operation does not fit your edit {followed} on revision {revision}: {error}"
            ))
        };
        // The followed edit as the sender's client had it at `revision`.
        let before = self
            .texts
            .since(followed_edit.item, followed_edit.field, base);
        check_kept(
            base,
            revision,
            before.iter().filter(|a| a.revision <= revision).count(),
        )?;
        let mut mine = sent.clone();
        for applied in before.iter().filter(|a| a.revision <= revision) {
            mine = TextOp::transform(&mine, &applied.op).map_err(misfit)?.0;
        }
        let mut pending = PendingEdits::in_flight_then(mine, op);
        for applied in since.get(..at).unwrap_or_default() {
            pending.receive(&applied.op).map_err(misfit)?;
        }
        let op = pending.acknowledged().ok_or_else(stale)?;
        Ok((
            op,
            followed_edit.revision,
            since.get(at + 1..).unwrap_or_default(),
        ))
    }
}

/// Refuses an edit on a revision the history no longer reaches (or never had).
fn check_kept(revision: u64, current: u64, kept: usize) -> Result<(), CommandError> {
    let stale = |detail: String| CommandError::new(ErrorCode::StaleRevision, detail);
    if revision > current {
        return Err(stale(format!(
            "this field has no revision {revision} (it is at {current})"
        )));
    }
    if u64::try_from(kept).ok() != Some(current - revision) {
        return Err(stale(format!(
            "revision {revision} is too old to edit on (the field is at {current}); fetch it again"
        )));
    }
    Ok(())
}

/// The rules a field's text must keep whoever wrote it. An edited title is kept as typed (not
/// trimmed, which would move everyone's positions), but it must not be blank.
fn check_text(field: TextField, text: &str) -> Result<(), CommandError> {
    let (what, max, one_line) = match field {
        TextField::Title => ("the title", MAX_TITLE_CHARS, true),
        TextField::Description => ("the description", MAX_LONG_TEXT_CHARS, false),
        TextField::AcceptanceCriteria => ("the acceptance criteria", MAX_LONG_TEXT_CHARS, false),
        TextField::Notes => ("the notes", MAX_LONG_TEXT_CHARS, false),
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
