//! Splitting an item that is too big into smaller ones, in one step.

use readyroom_protocol::limits::{MAX_ITEMS_PER_ROOM, MAX_SPLIT_PARTS, MAX_SPLIT_TEXT_CHARS};
use readyroom_protocol::{ErrorCode, Event, ItemId, ItemView, ParticipantId, SplitPart};

use super::items::fresh_item;
use super::{CommandError, Ctx, Out, Room};

impl Room {
    pub(super) fn split_item(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        item_id: ItemId,
        parts: Vec<SplitPart>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "split items")?;
        let original = self.item(item_id)?;
        if original.is_split() {
            return Err(CommandError::invalid(format!(
                "“{}” has already been split",
                original.title
            )));
        }
        if !(2..=MAX_SPLIT_PARTS).contains(&parts.len()) {
            return Err(CommandError::invalid(format!(
                "an item splits into 2 to {MAX_SPLIT_PARTS} parts, not {}",
                parts.len()
            )));
        }
        if self.order.len() + parts.len() > MAX_ITEMS_PER_ROOM {
            return Err(CommandError::new(
                ErrorCode::TooManyItems,
                format!("a room holds at most {MAX_ITEMS_PER_ROOM} items"),
            ));
        }
        let text_chars: usize = parts
            .iter()
            .map(|p| p.description.chars().count() + p.acceptance_criteria.chars().count())
            .sum();
        if text_chars > MAX_SPLIT_TEXT_CHARS {
            return Err(CommandError::invalid(format!(
                "the parts hold more than {MAX_SPLIT_TEXT_CHARS} characters of text"
            )));
        }
        if self
            .round
            .as_ref()
            .is_some_and(|round| round.item_id == item_id && round.revealed.is_none())
        {
            return Err(CommandError::new(
                ErrorCode::RoundInProgress,
                "this item is being voted on: reveal or cancel the round first",
            ));
        }
        let labels = original.labels.clone();
        let mut views = Vec::with_capacity(parts.len());
        for part in parts {
            views.push(ItemView {
                split_from: Some(item_id),
                ..fresh_item(
                    ctx,
                    out.now,
                    &part.title,
                    part.description,
                    part.acceptance_criteria,
                    labels.clone(),
                )?
            });
        }
        let ids: Vec<ItemId> = views.iter().map(|view| view.id).collect();
        let mut after = item_id;
        let mut long = false;
        for view in views {
            let id = view.id;
            match self.order.rank_for_new(Some(after)) {
                Ok(rank) => {
                    long |= self.order.needs_rerank(&rank);
                    self.order.insert(rank, view);
                }
                Err(error) => {
                    // All or nothing: take back the parts placed so far.
                    for placed in &ids {
                        self.order.remove(*placed);
                    }
                    return Err(error);
                }
            }
            after = id;
        }
        self.drop_from_estimation(item_id);
        if let Some(round) = self.round.as_ref().filter(|round| round.item_id == item_id) {
            let round_id = round.id;
            self.round = None;
            self.emit(out, Event::RoundCancelled { round_id });
        }
        if let Some(original) = self.order.get_mut(item_id) {
            original.split_into.clone_from(&ids);
        }
        let parts: Vec<ItemView> = ids
            .iter()
            .filter_map(|id| self.order.get(*id).cloned())
            .collect();
        self.emit(out, Event::ItemSplit { item_id, parts });
        if self.current_item == Some(item_id) {
            self.change_current_item(ids.first().copied(), out);
        }
        if long {
            let ranks = self.order.rerank();
            self.emit(out, Event::ItemsReranked { ranks });
        }
        Ok(())
    }

    /// Drops the links other items hold to a deleted item, as every client does on
    /// `item_deleted`.
    pub(super) fn forget_split_links(&mut self, deleted: ItemId) {
        let ids: Vec<ItemId> = self.order.ids().collect();
        for id in ids {
            if let Some(item) = self.order.get_mut(id) {
                item.forget_link(deleted);
            }
        }
    }
}
