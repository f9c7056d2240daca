//! The backlog: items keyed by id, ordered by fractional rank.
//!
//! Ranks are minted only here, from ranks minted here, so the rank crate's preconditions (distinct,
//! ordered, terminated bounds) always hold. Clients never send ranks: a move names neighbours and
//! the server, which applies moves one at a time, turns them into a rank. That is why concurrent
//! moves converge: there is one order of application and every client is told its result.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use fractional_index::FractionalIndex;
use readyroom_protocol::{ErrorCode, ItemId, ItemRank, ItemView};

use super::CommandError;

/// Ranks longer than this (in bytes) trigger a re-rank of the whole backlog, which keeps ranks
/// short however adversarial the moves.
const MAX_RANK_BYTES: usize = 32;

/// Persisted as its items alone; the rank index is rebuilt from their ranks.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(try_from = "Vec<ItemView>")]
pub struct Order {
    items: HashMap<ItemId, Item>,
    by_rank: BTreeMap<FractionalIndex, ItemId>,
}

#[derive(Debug)]
struct Item {
    rank: FractionalIndex,
    view: ItemView,
}

/// Where an item should go, as resolved against the current order.
#[derive(Debug)]
pub enum Placement {
    /// Already there: nothing to do.
    Unchanged,
    At(FractionalIndex),
}

impl serde::Serialize for Order {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.by_rank.values().filter_map(|id| self.get(*id)))
    }
}

impl TryFrom<Vec<ItemView>> for Order {
    type Error = String;

    fn try_from(views: Vec<ItemView>) -> Result<Self, Self::Error> {
        let mut order = Order::default();
        for view in views {
            let rank = FractionalIndex::from_string(&view.rank)
                .map_err(|e| format!("item {} has an unreadable rank: {e:?}", view.id))?;
            if order.by_rank.contains_key(&rank) {
                return Err(format!("item {} shares its rank with another", view.id));
            }
            order.insert(rank, view);
        }
        Ok(order)
    }
}

impl Order {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn contains(&self, id: ItemId) -> bool {
        self.items.contains_key(&id)
    }

    pub fn get(&self, id: ItemId) -> Option<&ItemView> {
        self.items.get(&id).map(|item| &item.view)
    }

    /// Mutable access to an item's fields. Its rank is not to be changed through this.
    pub fn get_mut(&mut self, id: ItemId) -> Option<&mut ItemView> {
        self.items.get_mut(&id).map(|item| &mut item.view)
    }

    /// The item's rank, for sorting a selection of items into backlog order.
    pub fn rank(&self, id: ItemId) -> Option<FractionalIndex> {
        self.items.get(&id).map(|item| item.rank.clone())
    }

    pub fn ids(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.by_rank.values().copied()
    }

    pub fn views(&self) -> Vec<ItemView> {
        self.by_rank
            .values()
            .filter_map(|id| self.get(*id))
            .cloned()
            .collect()
    }

    /// The rank for a new item placed after `after`, or at the bottom.
    pub fn rank_for_new(&self, after: Option<ItemId>) -> Result<FractionalIndex, CommandError> {
        match after {
            Some(after) => {
                let rank = self.rank_of(after).ok_or_else(CommandError::unknown_item)?;
                self.between(Some(rank), self.next_after(rank, None))
            }
            None => self.between(self.by_rank.keys().next_back(), None),
        }
    }

    /// The rank for an item placed at the top.
    pub fn rank_first(&self) -> Result<FractionalIndex, CommandError> {
        self.between(None, self.by_rank.keys().next())
    }

    pub fn insert(&mut self, rank: FractionalIndex, mut view: ItemView) {
        view.rank = rank.to_string();
        self.by_rank.insert(rank.clone(), view.id);
        self.items.insert(view.id, Item { rank, view });
    }

    pub fn remove(&mut self, id: ItemId) -> Option<ItemView> {
        let item = self.items.remove(&id)?;
        self.by_rank.remove(&item.rank);
        Some(item.view)
    }

    /// Resolves a move of `id` to sit after `after` and before `before`. `after` is the
    /// stronger intent: when the two are no longer adjacent, the item goes right after `after`.
    /// A neighbour that no longer exists is ignored if the other one still does.
    pub fn placement(
        &self,
        id: ItemId,
        after: Option<ItemId>,
        before: Option<ItemId>,
    ) -> Result<Placement, CommandError> {
        let own = self.rank_of(id).ok_or_else(CommandError::unknown_item)?;
        if after == Some(id) || before == Some(id) {
            return Err(CommandError::invalid(
                "an item cannot be moved next to itself",
            ));
        }
        let after_rank = after.and_then(|a| self.rank_of(a));
        let before_rank = before.and_then(|b| self.rank_of(b));
        let (low, high) = match (after_rank, before_rank) {
            (Some(low), _) => (Some(low), self.next_after(low, Some(own))),
            (None, Some(high)) => (self.next_before(high, Some(own)), Some(high)),
            (None, None) if after.is_none() && before.is_none() => {
                (None, self.by_rank.keys().find(|rank| *rank != own))
            }
            (None, None) => return Err(CommandError::unknown_item()),
        };
        if self.next_before(own, None) == low && self.next_after(own, None) == high {
            return Ok(Placement::Unchanged);
        }
        self.between(low, high).map(Placement::At)
    }

    pub fn set_rank(&mut self, id: ItemId, rank: FractionalIndex) {
        if let Some(item) = self.items.get_mut(&id) {
            self.by_rank.remove(&item.rank);
            self.by_rank.insert(rank.clone(), id);
            item.view.rank = rank.to_string();
            item.rank = rank;
        }
    }

    /// Whether the latest ranks have grown long enough to re-rank everything.
    pub fn needs_rerank(&self, rank: &FractionalIndex) -> bool {
        rank.as_bytes().len() > MAX_RANK_BYTES
    }

    /// Gives every item a fresh, short rank in the same order.
    pub fn rerank(&mut self) -> Vec<ItemRank> {
        let ids: Vec<ItemId> = self.ids().collect();
        let mut rank = FractionalIndex::default();
        let mut ranks = Vec::with_capacity(ids.len());
        self.by_rank.clear();
        for id in ids {
            if let Some(item) = self.items.get_mut(&id) {
                item.rank = rank.clone();
                item.view.rank = rank.to_string();
                self.by_rank.insert(rank.clone(), id);
                ranks.push(ItemRank {
                    item_id: id,
                    rank: item.view.rank.clone(),
                });
            }
            rank = FractionalIndex::new_after(&rank);
        }
        ranks
    }

    fn rank_of(&self, id: ItemId) -> Option<&FractionalIndex> {
        self.items.get(&id).map(|item| &item.rank)
    }

    fn next_after(
        &self,
        rank: &FractionalIndex,
        skip: Option<&FractionalIndex>,
    ) -> Option<&FractionalIndex> {
        self.by_rank
            .range((Bound::Excluded(rank), Bound::Unbounded))
            .map(|(r, _)| r)
            .find(|r| Some(*r) != skip)
    }

    fn next_before(
        &self,
        rank: &FractionalIndex,
        skip: Option<&FractionalIndex>,
    ) -> Option<&FractionalIndex> {
        self.by_rank
            .range((Bound::Unbounded, Bound::Excluded(rank)))
            .map(|(r, _)| r)
            .rev()
            .find(|r| Some(*r) != skip)
    }

    fn between(
        &self,
        low: Option<&FractionalIndex>,
        high: Option<&FractionalIndex>,
    ) -> Result<FractionalIndex, CommandError> {
        let rank = match (low, high) {
            (Some(low), Some(high)) => between_ranks(low, high),
            _ => FractionalIndex::new(low, high),
        };
        // Never trust a rank that does not land strictly inside its gap.
        rank.filter(|rank| low.is_none_or(|low| low < rank) && high.is_none_or(|high| rank < high))
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::Internal,
                    "the backlog order could not be extended",
                )
            })
    }

    pub fn check(&self) -> Result<(), String> {
        if let Some(rank) = self.by_rank.keys().find(|rank| self.needs_rerank(rank)) {
            return Err(format!("rank {} is too long", rank.to_string()));
        }
        if self.items.len() != self.by_rank.len() {
            return Err(format!(
                "{} items but {} ranks",
                self.items.len(),
                self.by_rank.len()
            ));
        }
        for (rank, id) in &self.by_rank {
            let item = self
                .items
                .get(id)
                .ok_or_else(|| format!("rank points at missing item {id}"))?;
            if &item.rank != rank || item.view.rank != rank.to_string() {
                return Err(format!(
                    "item {id} has a rank that disagrees with the order"
                ));
            }
            if item.view.id != *id {
                return Err(format!("item {id} is stored under another id"));
            }
        }
        Ok(())
    }
}

/// A rank strictly between two distinct ranks, `low < high`.
///
/// `FractionalIndex::new_between` (fractional_index 2.0.2) computes `right[i] - 1` for every
/// byte of the common prefix, which overflows when both ranks share a zero byte (ranks minted by
/// moving items to the top again and again): a panic in debug builds and a rank outside the gap
/// in release builds. A rank between two ranks with a common prefix starts with that prefix, so
/// the prefix is cut off before the call and put back after. The call then sees ranks that
/// differ in their first byte (or one of them is just the terminator), where it is sound.
fn between_ranks(low: &FractionalIndex, high: &FractionalIndex) -> Option<FractionalIndex> {
    let (low, high) = (low.as_bytes(), high.as_bytes());
    // Keep at least the terminator in both, so both tails stay valid ranks.
    let shared = low
        .iter()
        .zip(high)
        .take(low.len().min(high.len()).saturating_sub(1))
        .take_while(|(l, h)| l == h)
        .count();
    let (prefix, low_tail) = low.split_at_checked(shared)?;
    let high_tail = high.get(shared..)?;
    let middle = FractionalIndex::new_between(
        &FractionalIndex::from_bytes(low_tail.to_vec()).ok()?,
        &FractionalIndex::from_bytes(high_tail.to_vec()).ok()?,
    )?;
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(middle.as_bytes());
    FractionalIndex::from_bytes(bytes).ok()
}
