//! Items from a tracker's CSV file, applied to a live room: new issues become items at the
//! bottom of the backlog, issues imported before (same tracker, same key) are updated in
//! place, and "blocks" links become dependencies. Everything that can refuse the file is
//! checked before anything changes, so a file is imported whole or not at all.

use std::collections::HashMap;

use readyroom_protocol::limits::{
    MAX_ESTIMATE_CHARS, MAX_ITEMS_PER_ROOM, MAX_LONG_TEXT_CHARS, MAX_TITLE_CHARS,
};
use readyroom_protocol::{ErrorCode, Event, EventFrame, ExternalRef, ItemChange, ItemId};
use serde::Serialize;

use super::items::fresh_item;
use super::{CommandError, Ctx, Out, Room, validate};
use crate::tracker::{ImportBatch, ImportedItem, issue_url};

/// What an import did, for whoever sent the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: Vec<ItemId>,
    pub updated: Vec<ItemId>,
    /// Rows that matched an item and changed nothing in it.
    pub unchanged: usize,
    /// Dependencies the file asked for and the room could not take, each said in words (a
    /// link to an issue not in the room, one that would close a circle, one over the limit).
    pub skipped_links: Vec<String>,
    /// What became of each row, in file order: the item it made or matched.
    pub rows: Vec<(RowOutcome, Option<ItemId>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
}

/// One row checked and ready to apply.
struct Planned {
    existing: Option<ItemId>,
    /// None for a row without a key: nothing would tell a later import which item it was.
    external: Option<ExternalRef>,
    title: String,
    description: String,
    acceptance_criteria: String,
    labels: Vec<String>,
    estimate: Option<String>,
}

impl Room {
    /// Applies a file's items as the server's own doing (no participant is the actor).
    pub fn import_items(
        &mut self,
        ctx: &mut Ctx<'_>,
        batch: &ImportBatch,
    ) -> (Result<ImportSummary, CommandError>, Vec<EventFrame>) {
        let mut out = Out::new(ctx.now, None);
        let planned = match self.plan_import(batch) {
            Ok(planned) => planned,
            Err(error) => return (Err(error), Vec::new()),
        };
        let mut summary = ImportSummary::default();
        for plan in planned {
            let outcome = match plan.existing {
                Some(id) => {
                    if self.update_imported(id, plan, &mut out) {
                        summary.updated.push(id);
                        (RowOutcome::Updated, Some(id))
                    } else {
                        summary.unchanged += 1;
                        (RowOutcome::Unchanged, Some(id))
                    }
                }
                None => {
                    let id = self.create_imported(ctx, plan, &mut out);
                    summary.created.extend(id);
                    (RowOutcome::Created, id)
                }
            };
            summary.rows.push(outcome);
        }
        self.link_imported(batch, &mut summary, &mut out);
        let touched = std::mem::take(&mut out.touched);
        self.settle_readiness(&touched, &mut out);
        self.emit(
            &mut out,
            Event::ItemsImported {
                tracker: batch.tracker,
                created: summary.created.clone(),
                updated: summary.updated.clone(),
            },
        );
        (Ok(summary), out.events)
    }

    /// What importing `batch` would do, row by row: the item each row would update, or `None`
    /// for a new one. Nothing changes.
    ///
    /// # Errors
    /// Whatever would refuse the import.
    pub fn preview_import(&self, batch: &ImportBatch) -> Result<Vec<Option<ItemId>>, CommandError> {
        Ok(self
            .plan_import(batch)?
            .iter()
            .map(|plan| plan.existing)
            .collect())
    }

    /// Every check that could refuse the file, before anything changes.
    fn plan_import(&self, batch: &ImportBatch) -> Result<Vec<Planned>, CommandError> {
        if batch.items.is_empty() {
            return Err(CommandError::new(
                ErrorCode::InvalidCsv,
                "no items to import",
            ));
        }
        let base = batch
            .tracker_url
            .as_deref()
            .map(|url| validate::web_address("the tracker", url))
            .transpose()?;
        let keyed = self.items_by_key(batch.tracker);
        let mut planned = Vec::with_capacity(batch.items.len());
        let mut new_items = 0;
        for row in &batch.items {
            let at = |error: CommandError| {
                CommandError::new(
                    ErrorCode::InvalidCsv,
                    format!("row {}: {}", row.row, error.message),
                )
            };
            let external = row
                .key
                .as_ref()
                .map(|key| {
                    validate::external(Some(ExternalRef {
                        tracker: batch.tracker,
                        url: base
                            .as_deref()
                            .and_then(|base| issue_url(batch.tracker, base, key)),
                        key: key.clone(),
                    }))
                })
                .transpose()
                .map_err(at)?
                .flatten();
            let existing = row.key.as_ref().and_then(|key| keyed.get(key).copied());
            if existing.is_none() {
                new_items += 1;
            }
            planned.push(checked_row(row, existing, external).map_err(at)?);
        }
        if self.order.len() + new_items > MAX_ITEMS_PER_ROOM {
            return Err(CommandError::new(
                ErrorCode::TooManyItems,
                format!(
                    "the file adds {new_items} items to the room's {}; a room holds at most \
                     {MAX_ITEMS_PER_ROOM}",
                    self.order.len()
                ),
            ));
        }
        Ok(planned)
    }

    /// Checked in `plan_import`, so the same checks again do not refuse it.
    fn create_imported(
        &mut self,
        ctx: &mut Ctx<'_>,
        plan: Planned,
        out: &mut Out,
    ) -> Option<ItemId> {
        let mut view = fresh_item(
            ctx,
            out.now,
            &plan.title,
            plan.description,
            plan.acceptance_criteria,
            plan.labels,
        )
        .ok()?;
        view.estimate = plan.estimate;
        view.external = plan.external;
        self.insert_new(view, None, out).ok()
    }

    /// The file's values over the item's, field by field; an empty cell leaves the room's
    /// value (an estimate agreed here is not wiped by a tracker that has none yet).
    fn update_imported(&mut self, id: ItemId, plan: Planned, out: &mut Out) -> bool {
        let mut changed = false;
        let mut changes = vec![ItemChange::Title(plan.title)];
        if !plan.description.is_empty() {
            changes.push(ItemChange::Description(plan.description));
        }
        if !plan.acceptance_criteria.is_empty() {
            changes.push(ItemChange::AcceptanceCriteria(plan.acceptance_criteria));
        }
        if !plan.labels.is_empty() {
            changes.push(ItemChange::Labels(plan.labels));
        }
        if plan.estimate.is_some() {
            changes.push(ItemChange::Estimate(plan.estimate));
        }
        for change in changes {
            changed |= self.apply_change(id, change, out);
        }
        if let (Some(item), Some(external)) = (self.order.get_mut(id), plan.external) {
            // A link back learned on a later import; not worth an event of its own.
            item.external = Some(external);
        }
        changed
    }

    /// "Blocks" links as dependencies, added to what the items depend on already. A link the
    /// room cannot take is skipped and said, not a reason to refuse the file: trackers allow
    /// circles and links to issues outside the export.
    fn link_imported(&mut self, batch: &ImportBatch, summary: &mut ImportSummary, out: &mut Out) {
        let keyed = self.items_by_key(batch.tracker);
        // (who depends, on whom), by key.
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        for row in &batch.items {
            let Some(key) = row.key.as_deref() else {
                continue;
            };
            wanted.extend(row.depends_on.iter().map(|on| (key, on.as_str())));
            wanted.extend(row.blocks.iter().map(|blocked| (blocked.as_str(), key)));
        }
        for (key, on) in wanted {
            let (Some(&item_id), Some(&dependency)) = (keyed.get(key), keyed.get(on)) else {
                summary.skipped_links.push(format!(
                    "{key} depends on {on}: {} is not in this room",
                    if keyed.contains_key(key) { on } else { key }
                ));
                continue;
            };
            let Some(item) = self.order.get(item_id) else {
                continue;
            };
            if item.dependencies.contains(&dependency) {
                continue;
            }
            let mut dependencies = item.dependencies.clone();
            dependencies.push(dependency);
            match self.validate_change(item_id, ItemChange::Dependencies(dependencies)) {
                Ok(change) => {
                    self.apply_change(item_id, change, out);
                }
                Err(error) => summary
                    .skipped_links
                    .push(format!("{key} depends on {on}: {}", error.message)),
            }
        }
    }

    /// The room's items imported from `tracker`, by their keys there.
    fn items_by_key(&self, tracker: readyroom_protocol::Tracker) -> HashMap<String, ItemId> {
        self.order
            .ids()
            .filter_map(|id| {
                let external = self.order.get(id)?.external.as_ref()?;
                (external.tracker == tracker).then(|| (external.key.clone(), id))
            })
            .collect()
    }
}

fn checked_row(
    row: &ImportedItem,
    existing: Option<ItemId>,
    external: Option<ExternalRef>,
) -> Result<Planned, CommandError> {
    Ok(Planned {
        existing,
        external,
        title: validate::line("the title", &row.title, MAX_TITLE_CHARS)?,
        description: validate::long_text(
            "the description",
            row.description.clone(),
            MAX_LONG_TEXT_CHARS,
        )?,
        acceptance_criteria: validate::long_text(
            "the acceptance criteria",
            row.acceptance_criteria.clone(),
            MAX_LONG_TEXT_CHARS,
        )?,
        labels: validate::labels(row.labels.clone())?,
        estimate: row
            .estimate
            .as_deref()
            .map(|estimate| validate::line("an estimate", estimate, MAX_ESTIMATE_CHARS))
            .transpose()?,
    })
}
