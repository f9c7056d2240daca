//! Deleting an item moves it to the room's trash, from which the facilitator restores it to
//! where it was, with the links that can be mended.

use readyroom_protocol::limits::{MAX_ITEMS_PER_ROOM, MAX_SPLIT_PARTS, MAX_TRASHED_ITEMS};
use readyroom_protocol::{
    CriterionId, ErrorCode, Event, ItemChange, ItemId, ItemView, ParticipantId, Timestamp,
    TrashedItem, manual_criteria,
};
use serde::{Deserialize, Serialize};

use super::{CommandError, Out, Room};

/// A deleted item with what it takes to put it back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Trashed {
    item: ItemView,
    deleted_at: Timestamp,
    deleted_by: Option<ParticipantId>,
    /// The item it came after, to go back behind it; none when it was first.
    after: Option<ItemId>,
    /// The items that depended on it when it went, or that lost their dependency on it when
    /// they came back before it.
    dependents: Vec<ItemId>,
    /// A part's fellow parts when it went: it goes back to its original only if the original
    /// is still split into some of these (and not split afresh since).
    #[serde(default)]
    siblings: Vec<ItemId>,
}

impl Trashed {
    pub fn view(&self) -> TrashedItem {
        TrashedItem {
            item_id: self.item.id,
            title: self.item.title.clone(),
            deleted_at: self.deleted_at,
            deleted_by: self.deleted_by,
        }
    }

    pub fn item_id(&self) -> ItemId {
        self.item.id
    }
}

impl Room {
    pub(super) fn delete_item(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "delete items")?;
        if !self.order.contains(item_id) {
            return Err(CommandError::unknown_item());
        }
        self.drop_from_estimation(item_id);
        if let Some(round) = self.round.as_ref().filter(|round| round.item_id == item_id) {
            let round_id = round.id;
            self.round = None;
            self.emit(out, Event::RoundCancelled { round_id });
        }
        if self.current_item == Some(item_id) {
            self.change_current_item(None, out);
        }
        // Events go out in join order and backlog order, not in hash-map order, so the same
        // commands always yield the same events.
        let mut editors: Vec<(u64, ParticipantId)> = self
            .participants
            .values_mut()
            .filter(|p| p.view.editing.is_some_and(|e| e.item_id == item_id))
            .map(|p| {
                p.view.editing = None;
                (p.joined, p.view.id)
            })
            .collect();
        editors.sort_unstable();
        for (_, participant_id) in editors {
            self.emit(
                out,
                Event::EditingChanged {
                    participant_id,
                    editing: None,
                },
            );
        }
        let ids: Vec<ItemId> = self.order.ids().collect();
        let after = ids
            .iter()
            .position(|id| *id == item_id)
            .and_then(|at| at.checked_sub(1))
            .and_then(|before| ids.get(before).copied());
        let dependents: Vec<(ItemId, Vec<ItemId>)> = ids
            .into_iter()
            .filter_map(|id| {
                let item = self.order.get_mut(id)?;
                if !item.dependencies.contains(&item_id) {
                    return None;
                }
                item.dependencies.retain(|d| *d != item_id);
                Some((id, item.dependencies.clone()))
            })
            .collect();
        let dependent_ids = dependents.iter().map(|(id, _)| *id).collect();
        for (id, dependencies) in dependents {
            self.emit(
                out,
                Event::ItemUpdated {
                    item_id: id,
                    change: ItemChange::Dependencies(dependencies),
                },
            );
        }
        // The original of a part loses it, and with it maybe its readiness.
        let from = self.order.get(item_id).and_then(|item| item.split_from);
        let siblings = from
            .and_then(|from| self.order.get(from))
            .map(|original| {
                original
                    .split_into
                    .iter()
                    .copied()
                    .filter(|part| *part != item_id)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(from) = from {
            out.touched.item(from);
        }
        let Some(item) = self.order.remove(item_id) else {
            return Err(CommandError::unknown_item());
        };
        self.forget_split_links(item_id);
        self.texts.forget_item(item_id);
        if self.trashless {
            self.emit(out, Event::ItemDeleted { item_id });
            self.histories.forget(item_id);
            return Ok(());
        }
        self.trash.push(Trashed {
            item,
            deleted_at: out.now,
            deleted_by: Some(actor),
            after,
            dependents: dependent_ids,
            siblings,
        });
        self.emit(out, Event::ItemDeleted { item_id });
        if self.trash.len() > MAX_TRASHED_ITEMS {
            let overflow = self.trash.len() - MAX_TRASHED_ITEMS;
            let item_ids: Vec<ItemId> = self.trash.drain(..overflow).map(|t| t.item.id).collect();
            for id in &item_ids {
                self.histories.forget(*id);
            }
            self.emit(out, Event::TrashPurged { item_ids });
        }
        Ok(())
    }

    pub(super) fn restore_item(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "restore items from the trash")?;
        let Some(at) = self.trash.iter().position(|t| t.item.id == item_id) else {
            return Err(CommandError::new(
                ErrorCode::UnknownItem,
                "that item is not in the trash",
            ));
        };
        if self.order.len() >= MAX_ITEMS_PER_ROOM {
            return Err(CommandError::new(
                ErrorCode::TooManyItems,
                format!("a room holds at most {MAX_ITEMS_PER_ROOM} items"),
            ));
        }
        let place = match self.nearest_kept_predecessor(at) {
            Some(after) => self.order.rank_for_new(Some(after))?,
            None => self.order.rank_first()?,
        };
        let (mut taken, kept): (Vec<Trashed>, Vec<Trashed>) = std::mem::take(&mut self.trash)
            .into_iter()
            .partition(|t| t.item.id == item_id);
        self.trash = kept;
        let Some(Trashed {
            mut item,
            dependents,
            siblings,
            ..
        }) = taken.pop()
        else {
            return Err(CommandError::unknown_item());
        };
        // Only links to what is still there come back. A dependency on an item still in the
        // trash waits in that item's entry, to come back with it.
        let (dependencies, waiting): (Vec<ItemId>, Vec<ItemId>) = item
            .dependencies
            .iter()
            .partition(|id| self.order.contains(**id));
        item.dependencies = dependencies;
        for trashed in &mut self.trash {
            if waiting.contains(&trashed.item.id) && !trashed.dependents.contains(&item_id) {
                trashed.dependents.push(item_id);
            }
        }
        // A part goes back to its original only while the original is still split into some
        // of its fellow parts, with room for one more; an original gets back the parts nobody
        // else has taken.
        item.split_from = item.split_from.filter(|id| {
            self.order.get(*id).is_some_and(|original| {
                !original.split_into.is_empty()
                    && original.split_into.len() < MAX_SPLIT_PARTS
                    && original
                        .split_into
                        .iter()
                        .all(|part| siblings.contains(part))
            })
        });
        item.split_into.retain(|id| {
            self.order
                .get(*id)
                .is_some_and(|part| part.split_from.is_none())
        });
        // Checks of criteria dropped or made automatic while it was away do not come back.
        let manual: Vec<CriterionId> =
            manual_criteria(&self.settings.definition_of_ready).collect();
        item.checked.retain(|c| manual.contains(c));
        let long = self.order.needs_rerank(&place);
        let ids: Vec<ItemId> = self.order.ids().collect();
        for id in ids {
            if let Some(other) = self.order.get_mut(id) {
                other.recall_link(&item);
            }
        }
        self.order.insert(place, item);
        if let Some(item) = self.order.get(item_id) {
            let item = Box::new(item.clone());
            self.emit(out, Event::ItemRestored { item });
        }
        if long {
            let ranks = self.order.rerank();
            self.emit(out, Event::ItemsReranked { ranks });
        }
        // Dependencies on it come back unless one would now close a circle.
        for dependent in dependents {
            if self.cycle_through(dependent, &[item_id]).is_some() {
                continue;
            }
            let Some(other) = self.order.get_mut(dependent) else {
                continue;
            };
            if other.dependencies.contains(&item_id)
                || other.dependencies.len() >= readyroom_protocol::limits::MAX_DEPENDENCIES
            {
                continue;
            }
            other.dependencies.push(item_id);
            let dependencies = other.dependencies.clone();
            self.emit(
                out,
                Event::ItemUpdated {
                    item_id: dependent,
                    change: ItemChange::Dependencies(dependencies),
                },
            );
        }
        Ok(())
    }

    /// The item the trashed entry `at` should go back behind: the one it followed, or if that
    /// is in the trash too, the one that one followed, and so on; none means the top.
    fn nearest_kept_predecessor(&self, at: usize) -> Option<ItemId> {
        let mut after = self.trash.get(at).and_then(|t| t.after);
        // Each step moves to another trashed entry: the chain is at most the trash long.
        for _ in 0..=self.trash.len() {
            let id = after?;
            if self.order.contains(id) {
                return Some(id);
            }
            after = self
                .trash
                .iter()
                .find(|t| t.item.id == id)
                .and_then(|t| t.after);
        }
        None
    }

    pub(super) fn trash_views(&self) -> Vec<TrashedItem> {
        self.trash.iter().map(Trashed::view).collect()
    }
}
