//! What must hold after every step. Tests call [`Room::check_invariants`] after each command.

use std::collections::HashSet;

use readyroom_protocol::Role;
use readyroom_protocol::limits::{
    MAX_ITEMS_PER_ROOM, MAX_PARTICIPANTS_PER_ROOM, MAX_ROUNDS_IN_HISTORY, MAX_SPLIT_PARTS,
};

use super::Room;

impl Room {
    /// Checks every structural invariant of the room, describing the first one broken.
    ///
    /// # Errors
    /// A description of the broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.order.check()?;
        self.texts.check()?;
        self.check_readiness()?;
        if self.order.len() > MAX_ITEMS_PER_ROOM {
            return Err("too many items".into());
        }
        if self.participants.len() > MAX_PARTICIPANTS_PER_ROOM {
            return Err("too many participants".into());
        }
        if self.tokens.len() != self.participants.len() {
            return Err("participant tokens and participants disagree".into());
        }
        let mut joined = HashSet::new();
        for (id, p) in &self.participants {
            if p.view.id != *id {
                return Err(format!("participant {id} stored under another id"));
            }
            if self.tokens.get(&p.token) != Some(id) {
                return Err(format!("participant {id}'s token does not lead back to it"));
            }
            if p.view.online != (p.connections > 0) {
                return Err(format!(
                    "participant {id} online flag disagrees with its connections"
                ));
            }
            if !joined.insert(p.joined) {
                return Err("two participants share a join number".into());
            }
            if let Some(editing) = p.view.editing {
                if !p.view.online {
                    return Err(format!("offline participant {id} is still editing"));
                }
                if !self.order.contains(editing.item_id) {
                    return Err(format!("participant {id} edits a missing item"));
                }
                if p.view.role != Role::Voter && self.facilitator != Some(*id) {
                    return Err(format!("observer {id} is still editing"));
                }
            }
            p.replies.check()?;
        }
        if let Some(f) = self.facilitator {
            if !self.participants.contains_key(&f) {
                return Err("the facilitator is not a participant".into());
            }
        }
        if let Some(current) = self.current_item {
            if !self.order.contains(current) {
                return Err("the current item does not exist".into());
            }
        }
        for item in self.order.views() {
            if item
                .dependencies
                .iter()
                .any(|d| *d == item.id || !self.order.contains(*d))
            {
                return Err(format!("item {} has a dangling dependency", item.id));
            }
            if item.split_into.len() > MAX_SPLIT_PARTS {
                return Err(format!("item {} is split into too many parts", item.id));
            }
            for part in &item.split_into {
                if self.order.get(*part).and_then(|p| p.split_from) != Some(item.id) {
                    return Err(format!("item {}'s part {part} does not lead back", item.id));
                }
            }
            if let Some(from) = item.split_from {
                if !self
                    .order
                    .get(from)
                    .is_some_and(|original| original.split_into.contains(&item.id))
                {
                    return Err(format!(
                        "item {} is a part its original does not list",
                        item.id
                    ));
                }
            }
            self.check_remarks(&item)?;
            if item.history.len() > MAX_ROUNDS_IN_HISTORY {
                return Err(format!("item {} keeps too much history", item.id));
            }
        }
        if let Some(round) = &self.round {
            if !self.order.contains(round.item_id) {
                return Err("the round's item does not exist".into());
            }
            if round.votes.values().any(|card| !round.deck.contains(card)) {
                return Err("a vote is not a card of the deck".into());
            }
            if round.revealed.is_none() {
                for voter in round.votes.keys() {
                    let p = self
                        .participants
                        .get(voter)
                        .ok_or("a vote from a non-participant")?;
                    if p.view.role != Role::Voter {
                        return Err("an unrevealed vote from an observer".into());
                    }
                }
            }
        }
        self.check_estimation_beyond_rounds()?;
        if let Some(timer) = self.timer {
            if timer.ends_at < timer.started_at {
                return Err("the timer ends before it starts".into());
            }
            if timer.item_id.is_some() && timer.item_id != self.current_item {
                return Err("an item's time budget runs while the room is on another item".into());
            }
        }
        let mut seen = HashSet::new();
        if !self.order.ids().all(|id| seen.insert(id)) {
            return Err("an item appears twice in the order".into());
        }
        let anonymous_with_names = self
            .order
            .views()
            .into_iter()
            .flat_map(|item| item.history)
            .chain(self.round.as_ref().and_then(|round| round.revealed.clone()))
            .any(|record| {
                record.anonymous && (!record.votes.is_empty() || record.stats.outliers.is_some())
            });
        if anonymous_with_names {
            return Err("a round revealed without names names its voters".into());
        }
        if self.trash.len() > readyroom_protocol::limits::MAX_TRASHED_ITEMS {
            return Err("the trash holds more than its bound".into());
        }
        for trashed in &self.trash {
            if !seen.insert(trashed.item_id()) {
                return Err(format!(
                    "item {} is both in the trash and elsewhere",
                    trashed.item_id()
                ));
            }
        }
        // `seen` now holds every item in the backlog or the trash.
        if let Some(id) = self.histories.items().find(|id| !seen.contains(id)) {
            return Err(format!("item {id} has a history but is gone"));
        }
        self.histories.check()?;
        Ok(())
    }

    /// Pre-votes, their review and the sizing board name items of the backlog, at most once
    /// each; pre-votes hold only voters' cards of their deck, unrevealed.
    fn check_estimation_beyond_rounds(&self) -> Result<(), String> {
        let once = |ids: &mut dyn Iterator<Item = readyroom_protocol::ItemId>, what: &str| {
            let mut seen = HashSet::new();
            for id in ids {
                if !self.order.contains(id) || !seen.insert(id) {
                    return Err(format!("{what} names item {id} that is gone or twice"));
                }
            }
            Ok(())
        };
        if let Some(set) = &self.prevotes {
            if set.rounds.is_empty() {
                return Err("open pre-votes without a round".into());
            }
            once(&mut set.rounds.iter().map(|r| r.item_id), "a pre-vote")?;
            for round in &set.rounds {
                if round.revealed.is_some() || round.closes_at != Some(set.closes_at) {
                    return Err("an open pre-vote is revealed or closes at another time".into());
                }
                if round.votes.values().any(|card| !round.deck.contains(card))
                    || round
                        .confidence
                        .keys()
                        .any(|p| !round.votes.contains_key(p))
                {
                    return Err("a pre-vote holds a card or confidence without a vote".into());
                }
                if round.votes.keys().any(|p| {
                    self.participants
                        .get(p)
                        .is_none_or(|p| p.view.role != Role::Voter)
                }) {
                    return Err("a pre-vote from an observer or a non-participant".into());
                }
            }
        }
        if let Some(review) = &self.prevote_review {
            if review.results.is_empty() {
                return Err("an empty pre-vote review is kept".into());
            }
            once(
                &mut review.results.iter().map(|r| r.item_id),
                "the pre-vote review",
            )?;
        }
        if let Some(board) = &self.sizing {
            once(
                &mut board.placements.iter().map(|p| p.item_id),
                "the sizing board",
            )?;
            if board.placements.iter().any(|p| {
                p.column
                    .as_ref()
                    .is_some_and(|column| !board.deck.contains(column))
            }) {
                return Err("an item sits in a column the board does not have".into());
            }
        }
        Ok(())
    }
}
