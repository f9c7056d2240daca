//! Backlog items: create, edit field by field, move.

use std::collections::HashMap;

use readyroom_protocol::limits::{
    MAX_DEPENDENCIES, MAX_ESTIMATE_CHARS, MAX_ITEMS_PER_ROOM, MAX_LONG_TEXT_CHARS, MAX_TITLE_CHARS,
};
use readyroom_protocol::{
    ErrorCode, Event, ItemChange, ItemId, ItemStatus, ItemView, NewItem, ParticipantId, TextOp,
    WsjfDimension,
};

use super::order::Placement;
use super::{CommandError, Ctx, Out, Room, random_id_bytes, validate};

impl Room {
    /// The item with this id, or `unknown_item`.
    pub(super) fn item(&self, id: ItemId) -> Result<&ItemView, CommandError> {
        self.order.get(id).ok_or_else(CommandError::unknown_item)
    }

    /// The items one batch of estimation covers (pre-votes, the sizing board): 1 to `max`, each
    /// once and none split, in backlog order whatever order they were picked in. `covers` says
    /// what the batch takes ("pre-votes cover"), `split_hint` what to do with a split item.
    pub(super) fn items_to_estimate(
        &self,
        item_ids: &[ItemId],
        (max, covers, split_hint): (usize, &str, &str),
    ) -> Result<Vec<ItemId>, CommandError> {
        if item_ids.is_empty() || item_ids.len() > max {
            return Err(CommandError::invalid(format!("{covers} 1 to {max} items")));
        }
        let mut picked: Vec<ItemId> = Vec::with_capacity(item_ids.len());
        for &item_id in item_ids {
            let item = self.item(item_id)?;
            if item.is_split() {
                return Err(CommandError::invalid(format!(
                    "“{}” has been split: {split_hint}",
                    item.title
                )));
            }
            if picked.contains(&item_id) {
                return Err(CommandError::invalid(format!(
                    "“{}” is listed twice",
                    item.title
                )));
            }
            picked.push(item_id);
        }
        picked.sort_by_cached_key(|&item_id| self.order.rank(item_id));
        Ok(picked)
    }

    pub(super) fn create_item(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        new: NewItem,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "create items")?;
        self.add_item(ctx, new, out).map(|_| ())
    }

    /// A new item, whoever asked (an editor, an API token with write access). Returns its id.
    pub(super) fn add_item(
        &mut self,
        ctx: &mut Ctx<'_>,
        new: NewItem,
        out: &mut Out,
    ) -> Result<ItemId, CommandError> {
        if self.order.len() >= MAX_ITEMS_PER_ROOM {
            return Err(CommandError::new(
                ErrorCode::TooManyItems,
                format!("a room holds at most {MAX_ITEMS_PER_ROOM} items"),
            ));
        }
        let view = fresh_item(
            ctx,
            out.now,
            &new.title,
            new.description,
            new.acceptance_criteria,
            validate::labels(new.labels)?,
        )?;
        self.insert_new(view, new.after, out)
    }

    /// Puts a new item after `after` (at the bottom when absent) and tells everyone.
    pub(super) fn insert_new(
        &mut self,
        view: ItemView,
        after: Option<ItemId>,
        out: &mut Out,
    ) -> Result<ItemId, CommandError> {
        let rank = self.order.rank_for_new(after)?;
        let id = view.id;
        let long = self.order.needs_rerank(&rank);
        self.order.insert(rank, view);
        if let Some(item) = self.order.get(id) {
            let item = Box::new(item.clone());
            self.emit(out, Event::ItemCreated { item });
        }
        if long {
            let ranks = self.order.rerank();
            self.emit(out, Event::ItemsReranked { ranks });
        }
        Ok(id)
    }

    pub(super) fn update_item(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        change: ItemChange,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "edit items")?;
        let change = self.checked_change(item_id, change)?;
        if matches!(change, ItemChange::Estimate(_)) && !self.free_estimates {
            self.require_facilitator(
                actor,
                "set an estimate by hand (the team agrees on one in a round)",
            )?;
        }
        self.set_checked(item_id, change, out)
    }

    /// Sets a field, whoever asked (an API token with write access, which may set estimates
    /// as the facilitator may), checked as typed in.
    pub(super) fn change_item(
        &mut self,
        item_id: ItemId,
        change: ItemChange,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        let change = self.checked_change(item_id, change)?;
        self.set_checked(item_id, change, out)
    }

    fn checked_change(
        &self,
        item_id: ItemId,
        change: ItemChange,
    ) -> Result<ItemChange, CommandError> {
        if !self.order.contains(item_id) {
            return Err(CommandError::unknown_item());
        }
        self.validate_change(item_id, change)
    }

    fn set_checked(
        &mut self,
        item_id: ItemId,
        change: ItemChange,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if let ItemChange::Status(status) = change {
            if let Some(item) = self.order.get(item_id) {
                self.check_status_change(item, status)?;
            }
        }
        self.apply_change(item_id, change, out);
        Ok(())
    }

    /// Sets a validated field on an item, telling everyone if it changed. Returns whether it
    /// did.
    pub(super) fn apply_change(
        &mut self,
        item_id: ItemId,
        change: ItemChange,
        out: &mut Out,
    ) -> bool {
        let Some(item) = self.order.get_mut(item_id) else {
            return false;
        };
        let before = change
            .text_field()
            .map(|field| (field, item.text(field).to_owned()));
        let changed = change.apply_to(item);
        if changed {
            // A whole new text is a replacement, kept like any text operation so that edits
            // made on the revision before it are transformed over it.
            if let Some((field, old)) = before {
                let revision = item.revisions.of(field);
                let op = TextOp::replace(&old, item.text(field));
                self.texts.record(item_id, field, revision, op, None);
            }
            self.emit(out, Event::ItemUpdated { item_id, change });
        }
        changed
    }

    pub(super) fn validate_change(
        &self,
        item_id: ItemId,
        change: ItemChange,
    ) -> Result<ItemChange, CommandError> {
        Ok(match change {
            ItemChange::Title(v) => {
                ItemChange::Title(validate::line("the title", &v, MAX_TITLE_CHARS)?)
            }
            ItemChange::Description(v) => ItemChange::Description(validate::long_text(
                "the description",
                v,
                MAX_LONG_TEXT_CHARS,
            )?),
            ItemChange::AcceptanceCriteria(v) => ItemChange::AcceptanceCriteria(
                validate::long_text("the acceptance criteria", v, MAX_LONG_TEXT_CHARS)?,
            ),
            ItemChange::Notes(v) => {
                ItemChange::Notes(validate::long_text("the notes", v, MAX_LONG_TEXT_CHARS)?)
            }
            ItemChange::Labels(v) => ItemChange::Labels(validate::labels(v)?),
            ItemChange::Links(v) => ItemChange::Links(validate::links(v)?),
            ItemChange::Dependencies(v) => {
                ItemChange::Dependencies(self.validate_dependencies(item_id, v)?)
            }
            ItemChange::Estimate(v) => {
                let estimate = validate_estimate(v.as_deref())?;
                if let Some(value) = &estimate {
                    let deck = super::resolve_deck(&self.settings.default_deck)?;
                    self.check_estimate(value, &deck)?;
                }
                ItemChange::Estimate(estimate)
            }
            ItemChange::Status(v) => ItemChange::Status(v),
            ItemChange::Wsjf(v) => {
                // Only the parts given change (0 clears one), so that people setting different
                // parts at the same time both keep theirs; the event carries every part.
                let mut merged = self.item(item_id)?.wsjf;
                for (part, value) in [
                    (WsjfDimension::BusinessValue, v.business_value),
                    (WsjfDimension::TimeCriticality, v.time_criticality),
                    (WsjfDimension::RiskReduction, v.risk_reduction),
                    (WsjfDimension::JobSize, v.job_size),
                ] {
                    match value {
                        Some(0) => *merged.slot(part) = None,
                        Some(value) => *merged.slot(part) = Some(validate::wsjf_value(value)?),
                        None => {}
                    }
                }
                ItemChange::Wsjf(merged)
            }
        })
    }

    fn validate_dependencies(
        &self,
        item_id: ItemId,
        ids: Vec<ItemId>,
    ) -> Result<Vec<ItemId>, CommandError> {
        if ids.len() > MAX_DEPENDENCIES {
            return Err(CommandError::invalid(format!(
                "at most {MAX_DEPENDENCIES} dependencies"
            )));
        }
        let mut clean = Vec::with_capacity(ids.len());
        for id in ids {
            if id == item_id {
                return Err(CommandError::invalid("an item cannot depend on itself"));
            }
            if !self.order.contains(id) {
                return Err(CommandError::unknown_item());
            }
            if !clean.contains(&id) {
                clean.push(id);
            }
        }
        if !self.cycles_allowed {
            if let Some(cycle) = self.cycle_through(item_id, &clean) {
                let titles: Vec<String> = cycle
                    .iter()
                    .map(|id| {
                        self.order.get(*id).map_or_else(
                            || "an item".to_owned(),
                            |item| format!("“{}”", item.title),
                        )
                    })
                    .collect();
                return Err(CommandError::new(
                    ErrorCode::DependencyCycle,
                    format!(
                        "that would make items wait for each other: {} (each depends on the next)",
                        titles.join(" → ")
                    ),
                ));
            }
        }
        Ok(clean)
    }

    /// The circle `item_id` would close by depending on `dependencies`, if it would: the
    /// items from `item_id` back to itself, each depending on the next.
    pub(super) fn cycle_through(
        &self,
        item_id: ItemId,
        dependencies: &[ItemId],
    ) -> Option<Vec<ItemId>> {
        // Depth-first along the existing dependencies, from each new one, looking for a way
        // back to `item_id`; `reached_from` keeps the way, for the message.
        let mut reached_from: HashMap<ItemId, ItemId> = HashMap::new();
        let mut stack: Vec<ItemId> = Vec::new();
        for &first in dependencies {
            if reached_from.insert(first, item_id).is_none() {
                stack.push(first);
            }
        }
        while let Some(at) = stack.pop() {
            let Some(item) = self.order.get(at) else {
                continue;
            };
            if item.dependencies.contains(&item_id) {
                let mut way = vec![at];
                let mut step = at;
                while let Some(&previous) = reached_from.get(&step) {
                    if previous == item_id {
                        break;
                    }
                    way.push(previous);
                    step = previous;
                }
                way.reverse();
                let mut cycle = vec![item_id];
                cycle.extend(way);
                cycle.push(item_id);
                return Some(cycle);
            }
            for &next in &item.dependencies {
                if next != item_id && !reached_from.contains_key(&next) {
                    reached_from.insert(next, at);
                    stack.push(next);
                }
            }
        }
        None
    }

    pub(super) fn move_item(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        after: Option<ItemId>,
        before: Option<ItemId>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "reorder the backlog")?;
        let Placement::At(rank) = self.order.placement(item_id, after, before)? else {
            return Ok(());
        };
        let long = self.order.needs_rerank(&rank);
        let rank_text = rank.to_string();
        self.order.set_rank(item_id, rank);
        self.emit(
            out,
            Event::ItemMoved {
                item_id,
                rank: rank_text,
            },
        );
        if long {
            let ranks = self.order.rerank();
            self.emit(out, Event::ItemsReranked { ranks });
        }
        Ok(())
    }
}

impl Room {
    /// An estimate is a card of the deck or a number (a "validated custom value"), never any
    /// text: it is what the team agreed on.
    pub(super) fn check_estimate(
        &self,
        value: &str,
        deck: &readyroom_protocol::Deck,
    ) -> Result<(), CommandError> {
        let card = deck.contains(value) && !readyroom_protocol::is_special(value);
        let number = readyroom_protocol::card_value(value).is_some_and(|v| v >= 0.0);
        if self.free_estimates || card || number {
            Ok(())
        } else {
            Err(CommandError::invalid(format!(
                "{value:?} is neither a card of the deck nor a number"
            )))
        }
    }
}

/// An estimate: any short text (a card or a custom value); blank clears it.
pub(super) fn validate_estimate(value: Option<&str>) -> Result<Option<String>, CommandError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => validate::line("an estimate", v, MAX_ESTIMATE_CHARS).map(Some),
    }
}

/// A new item as typed: its texts checked, everything else empty.
pub(super) fn fresh_item(
    ctx: &mut Ctx<'_>,
    now: readyroom_protocol::Timestamp,
    title: &str,
    description: String,
    acceptance_criteria: String,
    labels: Vec<String>,
) -> Result<ItemView, CommandError> {
    Ok(ItemView {
        id: ItemId::from_random_bytes(random_id_bytes(ctx.rng)),
        rank: String::new(),
        title: validate::line("the title", title, MAX_TITLE_CHARS)?,
        description: validate::long_text("the description", description, MAX_LONG_TEXT_CHARS)?,
        acceptance_criteria: validate::long_text(
            "the acceptance criteria",
            acceptance_criteria,
            MAX_LONG_TEXT_CHARS,
        )?,
        notes: String::new(),
        labels,
        links: Vec::new(),
        dependencies: Vec::new(),
        estimate: None,
        status: ItemStatus::New,
        history: Vec::new(),
        created_at: now,
        revisions: readyroom_protocol::TextRevisions::default(),
        split_into: Vec::new(),
        split_from: None,
        checked: Vec::new(),
        ready_override: None,
        external: None,
        wsjf: readyroom_protocol::Wsjf::default(),
        remarks: Vec::new(),
    })
}
