//! Export of a room to a portable document, and a new room made from one.

use std::collections::{HashMap, HashSet};

use readyroom_protocol::limits::{
    MAX_DEPENDENCIES, MAX_ESTIMATE_CHARS, MAX_ITEMS_PER_ROOM, MAX_LONG_TEXT_CHARS, MAX_NAME_CHARS,
    MAX_PARTICIPANTS_PER_ROOM, MAX_ROUNDS_IN_HISTORY, MAX_TITLE_CHARS,
};
use readyroom_protocol::{
    EXPORT_FORMAT, EXPORT_VERSION, ErrorCode, ExportedParticipant, ItemView, ParticipantView,
    RoomExport, RoomId, Timestamp,
};

use super::api::{Access, Need};
use super::order::Order;
use super::participants::Participant;
use super::replies::Replies;
use super::{CommandError, Ctx, Room, secret_token, validate, validate_settings};

impl Room {
    /// Whether `token` is this room's facilitator token.
    #[must_use]
    pub fn is_facilitator_token(&self, token: &str) -> bool {
        super::tokens::matches(&super::tokens::shield(token), &self.facilitator_token)
    }

    /// The room's export, for the facilitator or an API token.
    ///
    /// # Errors
    /// `invalid_token` for any other token.
    pub fn export_for(&self, token: &str, now: Timestamp) -> Result<RoomExport, CommandError> {
        self.require(token, Need::Read)?;
        Ok(self.export(now))
    }

    /// The room and where its attention went, for a session's summary.
    ///
    /// # Errors
    /// `invalid_token` for a token that is not this room's.
    pub fn session_report(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<crate::tracker::summary::SessionReport, CommandError> {
        self.require(token, Need::Member)?;
        Ok(crate::tracker::summary::SessionReport {
            room: self.export(now),
            focus: self.focus.spans(now),
            sessions: self.focus.sessions(),
            now,
        })
    }

    /// The room's insights (per person for the facilitator only).
    ///
    /// # Errors
    /// `invalid_token` for a token that is not this room's.
    pub fn insights(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<crate::insights::Insights, CommandError> {
        let report = self.session_report(token, now)?;
        Ok(crate::insights::insights(
            &report,
            self.settings.suggest_split_at,
            self.access(token) == Some(Access::Facilitator),
        ))
    }

    #[must_use]
    pub fn export(&self, now: Timestamp) -> RoomExport {
        RoomExport {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: now,
            room_id: self.id,
            settings: self.settings.clone(),
            participants: self
                .participant_views()
                .into_iter()
                .map(|p| ExportedParticipant {
                    id: p.id,
                    name: p.name,
                    role: p.role,
                })
                .collect(),
            items: self.order.views(),
        }
    }

    /// A new room holding an export's backlog, history and people (all offline, none of them
    /// the facilitator: the importer gets the new facilitator token). Everything is checked as
    /// if typed in; dependencies on items that are not in the export are dropped.
    ///
    /// # Errors
    /// Not an export of a known version, or a value that breaks the room's rules.
    pub fn import(
        id: RoomId,
        export: RoomExport,
        ctx: &mut Ctx<'_>,
    ) -> Result<(Self, String), CommandError> {
        if export.format != EXPORT_FORMAT || export.version != EXPORT_VERSION {
            return Err(CommandError::invalid(format!(
                "not a Ready Room export of version {EXPORT_VERSION} (format {:?}, version {})",
                export.format, export.version
            )));
        }
        if export.items.len() > MAX_ITEMS_PER_ROOM
            || export.participants.len() > MAX_PARTICIPANTS_PER_ROOM
        {
            return Err(CommandError::new(
                ErrorCode::TooManyItems,
                "the export holds more than a room may",
            ));
        }
        let settings = validate_settings(export.settings)?;
        let (mut room, token) = Self::create(id, settings, ctx);
        for person in export.participants {
            if room.participants.contains_key(&person.id) {
                return Err(CommandError::invalid(
                    "a participant appears twice in the export",
                ));
            }
            let name = validate::line("a name", &person.name, MAX_NAME_CHARS)?;
            // Never handed to anyone: the imported people come back by joining afresh.
            let participant_token = super::tokens::shield(&secret_token(ctx.rng));
            room.joins += 1;
            room.tokens.insert(participant_token.clone(), person.id);
            room.participants.insert(
                person.id,
                Participant {
                    view: ParticipantView {
                        id: person.id,
                        name,
                        role: person.role,
                        online: false,
                        editing: None,
                    },
                    token: participant_token,
                    connections: 0,
                    joined: room.joins,
                    replies: Replies::default(),
                    offline_since: Some(ctx.now),
                },
            );
        }
        let known: HashSet<_> = export.items.iter().map(|item| item.id).collect();
        if known.len() != export.items.len() {
            return Err(CommandError::invalid("an item appears twice in the export"));
        }
        let mut order = Order::default();
        let mut previous = None;
        let mut seen = HashMap::new();
        for item in export.items {
            let item = clean_item(item, &known)?;
            let rank = order.rank_for_new(previous)?;
            previous = Some(item.id);
            seen.insert(item.id, ());
            order.insert(rank, item);
        }
        room.order = order;
        room.remarks_minted = room
            .order
            .views()
            .iter()
            .flat_map(|item| item.remarks.iter().map(|remark| remark.id))
            .max()
            .unwrap_or(0);
        room.adopt_readiness(ctx.now);
        room.check_invariants()
            .map_err(|e| CommandError::invalid(format!("the export is inconsistent: {e}")))?;
        Ok((room, token))
    }
}

fn clean_item(
    item: ItemView,
    known: &HashSet<readyroom_protocol::ItemId>,
) -> Result<ItemView, CommandError> {
    let mut dependencies: Vec<_> = item
        .dependencies
        .into_iter()
        .filter(|d| *d != item.id && known.contains(d))
        .collect();
    dependencies.dedup();
    dependencies.truncate(MAX_DEPENDENCIES);
    let mut split_into: Vec<_> = item
        .split_into
        .into_iter()
        .filter(|part| *part != item.id && known.contains(part))
        .collect();
    split_into.dedup();
    split_into.truncate(readyroom_protocol::limits::MAX_SPLIT_PARTS);
    let split_from = item
        .split_from
        .filter(|from| *from != item.id && known.contains(from));
    let mut history = item.history;
    let excess = history.len().saturating_sub(MAX_ROUNDS_IN_HISTORY);
    history.drain(..excess);
    // A round revealed without names stays without them, whatever the file says.
    for record in history.iter_mut().filter(|record| record.anonymous) {
        record.votes.clear();
        record.stats.outliers = None;
    }
    Ok(ItemView {
        id: item.id,
        rank: String::new(),
        title: validate::line("the title", &item.title, MAX_TITLE_CHARS)?,
        description: validate::long_text("the description", item.description, MAX_LONG_TEXT_CHARS)?,
        acceptance_criteria: validate::long_text(
            "the acceptance criteria",
            item.acceptance_criteria,
            MAX_LONG_TEXT_CHARS,
        )?,
        labels: validate::labels(item.labels)?,
        links: validate::links(item.links)?,
        dependencies,
        estimate: match item.estimate {
            Some(estimate) => Some(validate::line(
                "an estimate",
                &estimate,
                MAX_ESTIMATE_CHARS,
            )?),
            None => None,
        },
        status: item.status,
        history,
        created_at: item.created_at,
        // A new room: its texts start their history afresh.
        revisions: readyroom_protocol::TextRevisions::default(),
        split_into,
        split_from,
        checked: item.checked,
        ready_override: item.ready_override,
        wsjf: validate::wsjf(item.wsjf)?,
        notes: validate::long_text("the notes", item.notes, MAX_LONG_TEXT_CHARS)?,
        remarks: clean_remarks(item.remarks)?,
        external: validate::external(item.external)?,
    })
}

/// Decisions and questions as typed in: texts checked, at most the allowed number, answers only
/// on questions. Ids must be unique (`check_invariants` says so otherwise).
fn clean_remarks(
    remarks: Vec<readyroom_protocol::Remark>,
) -> Result<Vec<readyroom_protocol::Remark>, CommandError> {
    use readyroom_protocol::limits::{MAX_REMARK_CHARS, MAX_REMARKS_PER_ITEM};
    remarks
        .into_iter()
        .take(MAX_REMARKS_PER_ITEM)
        .map(|remark| {
            Ok(readyroom_protocol::Remark {
                text: validate::line("a remark", &remark.text, MAX_REMARK_CHARS)?,
                answer: match (remark.kind, remark.answer) {
                    (readyroom_protocol::RemarkKind::Question, Some(answer)) => {
                        Some(validate::line("an answer", &answer, MAX_REMARK_CHARS)?)
                    }
                    _ => None,
                },
                ..remark
            })
        })
        .collect()
}
