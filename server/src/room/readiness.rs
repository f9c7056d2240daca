//! The Definition of Ready: each item's checklist, and its status following it. An item is
//! ready exactly when every criterion is met (the automatic ones checked here, the others by
//! people) or the facilitator overrode the checklist; the core keeps statuses that way after
//! every command.

use std::collections::{HashMap, HashSet};

use readyroom_protocol::limits::{MAX_CRITERION_CHARS, MAX_READY_CRITERIA};
use readyroom_protocol::{
    AutoCheck, CriterionId, ErrorCode, Event, ItemChange, ItemId, ItemStatus, ItemView,
    ParticipantId, ReadyCriterion, ReadyCriterionDraft, ReadyOverride, Remark, manual_criteria,
};

use super::{CommandError, Out, Room, validate};

/// Which items a step may have changed the readiness of.
#[derive(Debug, Default)]
pub(super) struct Touched {
    items: HashSet<ItemId>,
    /// The Definition of Ready itself changed: every item.
    all: bool,
}

impl Touched {
    pub(super) fn item(&mut self, id: ItemId) {
        self.items.insert(id);
    }

    pub(super) fn everything(&mut self) {
        self.all = true;
    }

    /// Notes what an event tells about readiness.
    pub(super) fn note(&mut self, event: &Event) {
        match event {
            Event::ItemCreated { item } => self.item(item.id),
            Event::ItemUpdated { item_id, .. }
            | Event::EstimateAccepted { item_id, .. }
            | Event::CriterionChecked { item_id, .. }
            | Event::RemarkAdded { item_id, .. }
            | Event::RemarkChanged { item_id, .. }
            | Event::RemarkRemoved { item_id, .. }
            | Event::ReadyOverridden { item_id, .. } => self.item(*item_id),
            Event::TextEdited { item_id, field, .. }
                if *field == readyroom_protocol::TextField::AcceptanceCriteria =>
            {
                self.item(*item_id);
            }
            Event::ItemSplit { item_id, parts } => {
                self.item(*item_id);
                for part in parts {
                    self.item(part.id);
                }
            }
            Event::ItemRestored { item } => {
                self.item(item.id);
                for id in item.split_from.iter().chain(&item.split_into) {
                    self.item(*id);
                }
            }
            _ => {}
        }
    }
}

impl Room {
    /// Whether `item` meets `criterion`.
    fn meets(&self, item: &ItemView, criterion: &ReadyCriterion) -> bool {
        match criterion.auto {
            None => item.checked.contains(&criterion.id),
            Some(AutoCheck::Estimated) => item.estimate.is_some(),
            Some(AutoCheck::AcceptanceCriteria) => !item.acceptance_criteria.trim().is_empty(),
            Some(AutoCheck::DependenciesReady) => item
                .dependencies
                .iter()
                .all(|id| self.counts_as_ready(*id, &mut HashSet::new())),
            Some(AutoCheck::QuestionsAnswered) => !item.remarks.iter().any(Remark::is_open),
        }
    }

    /// Whether an item someone depends on is done being refined: ready, or split into parts
    /// that all are.
    fn counts_as_ready(&self, id: ItemId, seen: &mut HashSet<ItemId>) -> bool {
        let Some(item) = self.order.get(id) else {
            return true;
        };
        if !item.is_split() {
            return item.status == ItemStatus::Ready;
        }
        // A split of a split of … cannot loop, but a hostile history must not recurse forever.
        seen.insert(id)
            && item
                .split_into
                .iter()
                .all(|part| self.counts_as_ready(*part, seen))
    }

    /// The criteria `item` does not meet yet, in the room's order.
    pub(super) fn unmet(&self, item: &ItemView) -> Vec<&ReadyCriterion> {
        self.settings
            .definition_of_ready
            .iter()
            .filter(|criterion| !self.meets(item, criterion))
            .collect()
    }

    /// Whether `item` should be ready: overridden, or every criterion met.
    pub(super) fn should_be_ready(&self, item: &ItemView) -> bool {
        item.ready_override.is_some() || self.unmet(item).is_empty()
    }

    /// Refuses a status a person sets by hand that the checklist contradicts.
    pub(super) fn check_status_change(
        &self,
        item: &ItemView,
        status: ItemStatus,
    ) -> Result<(), CommandError> {
        if self.manual_status || item.is_split() {
            return Ok(());
        }
        let ready = self.should_be_ready(item);
        if status == ItemStatus::Ready && !ready {
            let missing: Vec<&str> = self
                .unmet(item)
                .iter()
                .map(|criterion| criterion.text.as_str())
                .collect();
            return Err(CommandError::new(
                ErrorCode::NotReady,
                format!(
                    "“{}” does not meet the Definition of Ready yet: {}",
                    item.title,
                    missing.join("; ")
                ),
            ));
        }
        if status != ItemStatus::Ready && ready {
            return Err(CommandError::invalid(format!(
                "“{}” meets the Definition of Ready{}: uncheck a criterion first",
                item.title,
                if item.ready_override.is_some() {
                    " (overridden)"
                } else {
                    ""
                }
            )));
        }
        Ok(())
    }

    /// Brings the statuses of the touched items, and of every item whose readiness hangs on
    /// one of them, in line with their checklists.
    pub(super) fn settle_readiness(&mut self, touched: &Touched, out: &mut Out) {
        // Most commands (votes, moves, text outside the acceptance criteria) touch no
        // readiness: they must not pay for a walk over the backlog.
        if self.manual_status || (!touched.all && touched.items.is_empty()) {
            return;
        }
        let ids: Vec<ItemId> = self.order.ids().collect();
        let affected: HashSet<ItemId> = if touched.all {
            ids.iter().copied().collect()
        } else {
            self.hanging_on(&ids, &touched.items)
        };
        let changed = self.settle_statuses(&ids, &affected);
        // Announced in backlog order, whatever order they were settled in.
        for id in ids.into_iter().filter(|id| changed.contains(id)) {
            if let Some(item) = self.order.get(id) {
                let change = ItemChange::Status(item.status);
                self.emit(
                    out,
                    Event::ItemUpdated {
                        item_id: id,
                        change,
                    },
                );
            }
        }
    }

    /// Sets the status of each affected item to what its checklist says, dependencies (and
    /// the parts of a split) first. A part may depend on its own original, and rooms from
    /// before cycles were refused may hold some: while a pass changes anything, another
    /// follows (at most one per item). Returns the items whose status ended up different.
    fn settle_statuses(&mut self, ids: &[ItemId], affected: &HashSet<ItemId>) -> HashSet<ItemId> {
        let order = self.settling_order(ids, affected);
        let before: HashMap<ItemId, ItemStatus> = order
            .iter()
            .filter_map(|id| self.order.get(*id).map(|item| (*id, item.status)))
            .collect();
        for _ in 0..=order.len() {
            let mut any = false;
            for &id in &order {
                let Some(status) = self.order.get(id).and_then(|item| self.status_due(item)) else {
                    continue;
                };
                if let Some(item) = self.order.get_mut(id) {
                    item.status = status;
                    any = true;
                }
            }
            if !any {
                break;
            }
        }
        order
            .into_iter()
            .filter(|id| self.order.get(*id).map(|item| item.status) != before.get(id).copied())
            .collect()
    }

    /// The affected items, each after what it depends on and after the parts it was split
    /// into (as far as circles allow), in a depth-first walk from backlog order.
    fn settling_order(&self, ids: &[ItemId], affected: &HashSet<ItemId>) -> Vec<ItemId> {
        let mut entered: HashSet<ItemId> = HashSet::new();
        let mut order = Vec::with_capacity(affected.len());
        for &start in ids.iter().filter(|id| affected.contains(id)) {
            let mut stack = vec![(start, false)];
            while let Some((id, expanded)) = stack.pop() {
                if expanded {
                    order.push(id);
                    continue;
                }
                if !entered.insert(id) {
                    continue;
                }
                stack.push((id, true));
                if let Some(item) = self.order.get(id) {
                    for next in item.dependencies.iter().chain(&item.split_into) {
                        if affected.contains(next) && !entered.contains(next) {
                            stack.push((*next, false));
                        }
                    }
                }
            }
        }
        order
    }

    /// The status an item's checklist calls for, if it is not the one it has: ready when it
    /// should be, back to new when it no longer should. Split items keep theirs.
    fn status_due(&self, item: &ItemView) -> Option<ItemStatus> {
        if item.is_split() {
            return None;
        }
        match (self.should_be_ready(item), item.status == ItemStatus::Ready) {
            (true, false) => Some(ItemStatus::Ready),
            (false, true) => Some(ItemStatus::New),
            _ => None,
        }
    }

    /// The touched items and every item whose readiness hangs on one of them: through its
    /// dependencies, or as the original of a part.
    fn hanging_on(&self, ids: &[ItemId], touched: &HashSet<ItemId>) -> HashSet<ItemId> {
        let mut feeds: HashMap<ItemId, Vec<ItemId>> = HashMap::new();
        for &id in ids {
            if let Some(item) = self.order.get(id) {
                for source in item.dependencies.iter().chain(&item.split_into) {
                    feeds.entry(*source).or_default().push(id);
                }
            }
        }
        let mut affected: HashSet<ItemId> = HashSet::new();
        let mut stack: Vec<ItemId> = touched.iter().copied().collect();
        while let Some(id) = stack.pop() {
            if affected.insert(id) {
                stack.extend(feeds.get(&id).into_iter().flatten().copied());
            }
        }
        affected
    }

    pub(super) fn check_criterion(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        criterion: CriterionId,
        checked: bool,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_editor(actor, "check the Definition of Ready")?;
        let item = self.item(item_id)?;
        let Some(found) = self
            .settings
            .definition_of_ready
            .iter()
            .find(|c| c.id == criterion)
        else {
            return Err(CommandError::invalid(
                "no such criterion in the Definition of Ready",
            ));
        };
        if found.auto.is_some() {
            return Err(CommandError::invalid(format!(
                "“{}” is checked automatically",
                found.text
            )));
        }
        if item.checked.contains(&criterion) == checked {
            return Ok(());
        }
        if let Some(item) = self.order.get_mut(item_id) {
            item.set_checked(criterion, checked);
        }
        self.emit(
            out,
            Event::CriterionChecked {
                item_id,
                criterion,
                checked,
            },
        );
        Ok(())
    }

    pub(super) fn override_ready(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        ready: bool,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "mark an item ready over its checklist")?;
        let item = self.item(item_id)?;
        if item.is_split() {
            return Err(CommandError::invalid(format!(
                "“{}” has been split: its parts get ready instead",
                item.title
            )));
        }
        if item.ready_override.is_some() == ready {
            return Ok(());
        }
        let ready_override = ready.then_some(ReadyOverride {
            by: Some(actor),
            at: out.now,
        });
        if let Some(item) = self.order.get_mut(item_id) {
            item.ready_override = ready_override;
        }
        self.emit(
            out,
            Event::ReadyOverridden {
                item_id,
                ready_override,
            },
        );
        Ok(())
    }

    /// Applies a new Definition of Ready: known ids keep their criterion (and its checks),
    /// new criteria get fresh ids, and checks of criteria gone or now automatic are dropped
    /// from every item (as clients do on `settings_changed`).
    pub(super) fn definition_from(
        &mut self,
        drafts: Vec<ReadyCriterionDraft>,
    ) -> Result<Vec<ReadyCriterion>, CommandError> {
        let current = &self.settings.definition_of_ready;
        let mut minted = self
            .criteria_minted
            .max(current.iter().map(|c| c.id).max().unwrap_or(0));
        let mut criteria = Vec::with_capacity(drafts.len().min(MAX_READY_CRITERIA + 1));
        for draft in drafts.into_iter().take(MAX_READY_CRITERIA + 1) {
            let id = match draft.id {
                Some(id) if current.iter().any(|c| c.id == id) => id,
                Some(id) => {
                    return Err(CommandError::invalid(format!(
                        "no criterion {id} in the Definition of Ready"
                    )));
                }
                None => {
                    minted = minted.saturating_add(1);
                    minted
                }
            };
            criteria.push(ReadyCriterion {
                id,
                text: draft.text,
                auto: draft.auto,
            });
        }
        let criteria = check_definition(criteria)?;
        self.criteria_minted = minted;
        Ok(criteria)
    }

    /// Makes every status follow its checklist in a room made without that rule (an import):
    /// an item ready without meeting its checklist keeps its status as an override by nobody,
    /// and items that meet it become ready. Emits nothing: the room has no history yet.
    pub(super) fn adopt_readiness(&mut self, now: readyroom_protocol::Timestamp) {
        self.forget_stale_checks();
        let ids: Vec<ItemId> = self.order.ids().collect();
        for &id in &ids {
            let keep = self.order.get(id).is_some_and(|item| {
                !item.is_split()
                    && item.status == ItemStatus::Ready
                    && item.ready_override.is_none()
                    && !self.should_be_ready(item)
            });
            if let Some(item) = self.order.get_mut(id).filter(|_| keep) {
                item.ready_override = Some(ReadyOverride { by: None, at: now });
            }
        }
        let all: HashSet<ItemId> = ids.iter().copied().collect();
        self.settle_statuses(&ids, &all);
        self.readiness_derived = true;
    }

    /// Drops every item's checks of criteria that are not checked by people any more.
    pub(super) fn forget_stale_checks(&mut self) {
        let manual: HashSet<CriterionId> =
            manual_criteria(&self.settings.definition_of_ready).collect();
        let ids: Vec<ItemId> = self.order.ids().collect();
        for id in ids {
            if let Some(item) = self.order.get_mut(id) {
                let mut seen = HashSet::new();
                item.checked
                    .retain(|c| manual.contains(c) && seen.insert(*c));
            }
        }
    }

    /// Checks that every status follows its checklist.
    pub(super) fn check_readiness(&self) -> Result<(), String> {
        let manual: HashSet<CriterionId> =
            manual_criteria(&self.settings.definition_of_ready).collect();
        for item in self.order.views() {
            let mut seen = HashSet::new();
            if !item
                .checked
                .iter()
                .all(|c| manual.contains(c) && seen.insert(*c))
            {
                return Err(format!("item {} checks a criterion it cannot", item.id));
            }
            if self.readiness_derived
                && !item.is_split()
                && (item.status == ItemStatus::Ready) != self.should_be_ready(&item)
            {
                return Err(format!(
                    "item {}'s status {:?} does not follow its checklist",
                    item.id, item.status
                ));
            }
        }
        check_definition(self.settings.definition_of_ready.clone())
            .map_err(|e| format!("the Definition of Ready breaks a rule: {e}"))?;
        Ok(())
    }
}

/// A Definition of Ready that keeps the rules: 1 to `MAX_READY_CRITERIA` criteria, each a
/// line of text, no id and no automatic check twice. Texts come back trimmed.
pub(super) fn check_definition(
    criteria: Vec<ReadyCriterion>,
) -> Result<Vec<ReadyCriterion>, CommandError> {
    if criteria.is_empty() || criteria.len() > MAX_READY_CRITERIA {
        return Err(CommandError::invalid(format!(
            "a Definition of Ready has 1 to {MAX_READY_CRITERIA} criteria"
        )));
    }
    let mut ids = HashSet::new();
    let mut autos = HashSet::new();
    criteria
        .into_iter()
        .map(|criterion| {
            if !ids.insert(criterion.id) {
                return Err(CommandError::invalid(format!(
                    "criterion {} appears twice",
                    criterion.id
                )));
            }
            if let Some(auto) = criterion.auto {
                if !autos.insert(auto) {
                    return Err(CommandError::invalid(
                        "an automatic check appears twice in the Definition of Ready",
                    ));
                }
            }
            Ok(ReadyCriterion {
                text: validate::line("a criterion", &criterion.text, MAX_CRITERION_CHARS)?,
                ..criterion
            })
        })
        .collect()
}
