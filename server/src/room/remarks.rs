//! Decisions and questions recorded on an item. An open question keeps the item from being
//! ready (the `questions_answered` check of the Definition of Ready).

use readyroom_protocol::limits::{MAX_REMARK_CHARS, MAX_REMARKS_PER_ITEM};
use readyroom_protocol::{Event, ItemId, ItemView, ParticipantId, Remark, RemarkId, RemarkKind};

use super::{CommandError, Out, Room, validate};

impl Room {
    pub(super) fn add_remark(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        (kind, text, owner): (RemarkKind, String, Option<ParticipantId>),
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "record decisions and questions")?;
        if self.item(item_id)?.remarks.len() >= MAX_REMARKS_PER_ITEM {
            return Err(CommandError::invalid(format!(
                "an item holds at most {MAX_REMARKS_PER_ITEM} decisions and questions"
            )));
        }
        let text = validate::line("a remark", &text, MAX_REMARK_CHARS)?;
        self.check_owner(owner)?;
        self.remarks_minted += 1;
        let remark = Remark {
            id: self.remarks_minted,
            kind,
            text,
            owner,
            answer: None,
            by: Some(actor),
            at: out.now,
        };
        if let Some(item) = self.order.get_mut(item_id) {
            item.remarks.push(remark.clone());
        }
        self.emit(out, Event::RemarkAdded { item_id, remark });
        Ok(())
    }

    pub(super) fn edit_remark(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        remark_id: RemarkId,
        (text, owner): (String, Option<ParticipantId>),
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "edit decisions and questions")?;
        let text = validate::line("a remark", &text, MAX_REMARK_CHARS)?;
        self.check_owner(owner)?;
        self.change_remark(item_id, remark_id, out, |remark| {
            remark.text = text;
            remark.owner = owner;
            Ok(())
        })
    }

    pub(super) fn answer_question(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        remark_id: RemarkId,
        answer: Option<String>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "answer questions")?;
        let answer = answer
            .map(|answer| validate::line("an answer", &answer, MAX_REMARK_CHARS))
            .transpose()?;
        self.change_remark(item_id, remark_id, out, |remark| {
            if remark.kind != RemarkKind::Question {
                return Err(CommandError::invalid("only a question has an answer"));
            }
            remark.answer = answer;
            Ok(())
        })
    }

    pub(super) fn remove_remark(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        remark_id: RemarkId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "remove decisions and questions")?;
        find(self.item(item_id)?, remark_id)?;
        if let Some(item) = self.order.get_mut(item_id) {
            item.remarks.retain(|remark| remark.id != remark_id);
        }
        self.emit(out, Event::RemarkRemoved { item_id, remark_id });
        Ok(())
    }

    /// Applies `change` to a copy of the remark; emits the whole remark if it changed.
    fn change_remark(
        &mut self,
        item_id: ItemId,
        remark_id: RemarkId,
        out: &mut Out,
        change: impl FnOnce(&mut Remark) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        let current = find(self.item(item_id)?, remark_id)?;
        let mut remark = current.clone();
        change(&mut remark)?;
        if remark == *current {
            return Ok(());
        }
        if let Some(slot) = self
            .order
            .get_mut(item_id)
            .and_then(|item| item.remarks.iter_mut().find(|r| r.id == remark_id))
        {
            slot.clone_from(&remark);
        }
        self.emit(out, Event::RemarkChanged { item_id, remark });
        Ok(())
    }

    /// An owner must be someone in the room.
    fn check_owner(&self, owner: Option<ParticipantId>) -> Result<(), CommandError> {
        owner.map_or(Ok(()), |owner| self.participant(owner).map(|_| ()))
    }

    /// Remarks keep their rules: a bounded list, unique ids never above the highest minted,
    /// answers only on questions.
    pub(super) fn check_remarks(&self, item: &ItemView) -> Result<(), String> {
        if item.remarks.len() > MAX_REMARKS_PER_ITEM {
            return Err(format!("item {} holds too many remarks", item.id));
        }
        let mut seen = std::collections::HashSet::new();
        for remark in &item.remarks {
            if !seen.insert(remark.id) || remark.id > self.remarks_minted {
                return Err(format!("item {} has a remark with a bad id", item.id));
            }
            if remark.kind == RemarkKind::Decision && remark.answer.is_some() {
                return Err(format!("item {} has an answered decision", item.id));
            }
        }
        Ok(())
    }
}

fn find(item: &ItemView, remark_id: RemarkId) -> Result<&Remark, CommandError> {
    item.remarks
        .iter()
        .find(|remark| remark.id == remark_id)
        .ok_or_else(|| CommandError::invalid("no such decision or question on this item"))
}
