//! The pure room core: a synchronous state machine. A command and its actor go in; events (each
//! stamped with the room's next sequence number) and one reply come out. No I/O, no clock and no
//! randomness of its own: the time and a random source arrive in [`Ctx`]. Every input, however
//! hostile, yields a reply; nothing here may panic.

pub mod api;
mod errors;
mod facilitation;
pub mod focus;
mod history;
mod imports;
mod invariants;
mod items;
mod order;
mod participants;
mod poker;
mod prevotes;
mod readiness;
mod remarks;
mod replies;
pub mod secrecy;
mod sizing;
mod split;
mod stats;
pub mod suggestions;
mod team_rooms;
mod texts;
pub mod tokens;
mod transfer;
mod trash;
mod validate;
pub mod webhooks;

use std::collections::HashMap;

use rand::RngCore;
use readyroom_protocol::{
    Command, CommandId, ErrorCode, Event, EventFrame, ParticipantId, RoomId, RoomSettings,
    RoomSnapshot, Seq, Session, Timer, Timestamp,
};

pub use errors::CommandError;
pub use imports::{ImportSummary, RowOutcome};
pub use participants::Joined;
pub use replies::Reply;

pub use poker::resolve_deck;

use order::Order;
use participants::Participant;
use poker::Round;

/// What the outside world lends the core for one step.
pub struct Ctx<'a> {
    pub now: Timestamp,
    /// Source of ids and secret tokens; the shell passes a cryptographically secure one.
    pub rng: &'a mut dyn RngCore,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The result of one command.
#[derive(Debug)]
pub struct Outcome {
    pub reply: Reply,
    /// The command id had been processed before: `reply` is the remembered one and nothing
    /// was applied.
    pub duplicate: bool,
    pub events: Vec<EventFrame>,
    /// Participants the room forgot: the shell closes their connections once the events have
    /// gone out.
    pub removed: Vec<ParticipantId>,
}

/// Serialisable whole: a snapshot of it is what storage keeps.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Room {
    id: RoomId,
    seq: Seq,
    settings: RoomSettings,
    /// The facilitator token's digest (`tokens`).
    facilitator_token: String,
    facilitator: Option<ParticipantId>,
    participants: HashMap<ParticipantId, Participant>,
    /// Participants by their tokens' digests, for rejoining.
    tokens: HashMap<String, ParticipantId>,
    /// Counts joins, so snapshots list participants in the order they arrived.
    joins: u64,
    order: Order,
    current_item: Option<readyroom_protocol::ItemId>,
    round: Option<Round>,
    timer: Option<Timer>,
    #[serde(default)]
    session: Option<Session>,
    #[serde(default)]
    prevotes: Option<prevotes::PrevoteSet>,
    #[serde(default)]
    prevote_review: Option<readyroom_protocol::PrevoteReview>,
    #[serde(default)]
    sizing: Option<readyroom_protocol::SizingBoard>,
    /// How long each item was the current item, and the sessions.
    #[serde(default)]
    focus: focus::Focus,
    /// Tokens for the HTTP API, as digests.
    #[serde(default)]
    api_tokens: Vec<api::ApiToken>,
    /// Receivers told of what happens here.
    #[serde(default)]
    webhooks: Vec<webhooks::Webhook>,
    /// Other rooms of the team whose estimates suggestions draw on.
    #[serde(default)]
    team_rooms: Vec<team_rooms::TeamRoom>,
    /// Deleted items, oldest first.
    #[serde(default)]
    trash: Vec<trash::Trashed>,
    #[serde(default)]
    histories: history::Histories,
    /// Recent text operations, to transform late `edit_text`s over.
    #[serde(default)]
    texts: texts::TextHistory,
    /// Set while replaying an input logged under the first rules (see `journal::RULES`).
    #[serde(skip)]
    legacy_rules: bool,
    /// Set while replaying an input logged before dependency cycles were refused.
    #[serde(skip)]
    cycles_allowed: bool,
    /// Set while replaying an input logged before statuses followed the Definition of Ready.
    #[serde(skip)]
    manual_status: bool,
    /// Set while replaying an input logged when anyone could set any estimate.
    #[serde(skip)]
    free_estimates: bool,
    /// Set while replaying an input logged when deleting an item forgot it at once.
    #[serde(skip)]
    trashless: bool,
    /// How reveals compute their numbers: the first way while replaying an input logged when a
    /// tie proposed the higher card.
    #[serde(skip)]
    fairness: stats::Fairness,
    /// Every status has followed its checklist since the room began (rooms created before
    /// the Definition of Ready catch up item by item, as items are touched).
    #[serde(default)]
    readiness_derived: bool,
    /// The highest criterion id ever given out, so that none is reused.
    #[serde(default)]
    criteria_minted: readyroom_protocol::CriterionId,
    /// The highest remark id ever given out, so that none is reused.
    #[serde(default)]
    remarks_minted: readyroom_protocol::RemarkId,
}

/// Collects the events one step emits.
struct Out {
    now: Timestamp,
    actor: Option<ParticipantId>,
    events: Vec<EventFrame>,
    removed: Vec<ParticipantId>,
    /// Items whose readiness this step may have changed.
    touched: readiness::Touched,
}

impl Out {
    fn new(now: Timestamp, actor: Option<ParticipantId>) -> Self {
        Self {
            now,
            actor,
            events: Vec::new(),
            removed: Vec::new(),
            touched: readiness::Touched::default(),
        }
    }
}

impl Room {
    /// A new, empty room. Returns it with its facilitator token, the secret that makes whoever
    /// presents it the facilitator.
    #[must_use]
    pub fn create(id: RoomId, settings: RoomSettings, ctx: &mut Ctx<'_>) -> (Self, String) {
        let facilitator_token = secret_token(ctx.rng);
        let room = Self {
            id,
            seq: 0,
            settings,
            facilitator_token: tokens::shield(&facilitator_token),
            facilitator: None,
            participants: HashMap::new(),
            tokens: HashMap::new(),
            joins: 0,
            order: Order::default(),
            current_item: None,
            round: None,
            timer: None,
            session: None,
            prevotes: None,
            prevote_review: None,
            sizing: None,
            focus: focus::Focus::default(),
            api_tokens: Vec::new(),
            webhooks: Vec::new(),
            team_rooms: Vec::new(),
            trash: Vec::new(),
            histories: history::Histories::default(),
            texts: texts::TextHistory::default(),
            legacy_rules: false,
            cycles_allowed: false,
            manual_status: false,
            free_estimates: false,
            trashless: false,
            fairness: stats::Fairness::Fair,
            readiness_derived: true,
            criteria_minted: 0,
            remarks_minted: 0,
        };
        (room, facilitator_token)
    }

    /// Applies inputs under the first rules (for replaying what was logged under them).
    pub fn set_legacy_rules(&mut self, legacy: bool) {
        self.legacy_rules = legacy;
    }

    /// Applies inputs under the rules of version `rules` (see `journal::RULES`), for replaying
    /// what was logged under them.
    pub fn set_rules(&mut self, rules: u32) {
        self.legacy_rules = rules == 0;
        self.cycles_allowed = rules < 2;
        self.manual_status = rules < 3;
        self.free_estimates = rules < 4;
        self.trashless = rules < 5;
        self.fairness = if rules < 6 {
            stats::Fairness::TieGoesHigh
        } else {
            stats::Fairness::Fair
        };
        // A status set by hand under the earlier rules may disagree with its checklist.
        if self.manual_status {
            self.readiness_derived = false;
        }
    }

    /// Replaces tokens kept as they were (by a build before digests were kept) by their
    /// digests. Changes nothing in a room that has digests only.
    pub fn digest_tokens(&mut self) {
        if !tokens::is_digest(&self.facilitator_token) {
            self.facilitator_token = tokens::shield(&self.facilitator_token);
        }
        let stored = std::mem::take(&mut self.tokens);
        self.tokens = stored
            .into_iter()
            .map(|(token, id)| (tokens::digest(&token), id))
            .collect();
        for participant in self.participants.values_mut() {
            if !tokens::is_digest(&participant.token) {
                participant.token = tokens::shield(&participant.token);
            }
        }
    }

    #[must_use]
    pub fn id(&self) -> RoomId {
        self.id
    }

    #[must_use]
    pub fn seq(&self) -> Seq {
        self.seq
    }

    #[must_use]
    pub fn settings(&self) -> &RoomSettings {
        &self.settings
    }

    /// Applies one command from a joined participant.
    pub fn handle(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        cmd: CommandId,
        command: Command,
    ) -> Outcome {
        let Some(participant) = self.participants.get(&actor) else {
            return Outcome {
                reply: Reply::Error(CommandError::new(
                    ErrorCode::UnknownParticipant,
                    "you are no longer in this room",
                )),
                duplicate: false,
                events: Vec::new(),
                removed: Vec::new(),
            };
        };
        if let Some(reply) = participant.replies.resend(cmd, self.legacy_rules) {
            return Outcome {
                reply,
                duplicate: true,
                events: Vec::new(),
                removed: Vec::new(),
            };
        }
        let mut out = Out::new(ctx.now, Some(actor));
        let applied = self.apply(ctx, actor, cmd, command, &mut out);
        if applied.is_ok() {
            let touched = std::mem::take(&mut out.touched);
            self.settle_readiness(&touched, &mut out);
        }
        let reply = match applied {
            Ok(()) => Reply::Ack {
                seq: out.events.last().map(|e| e.seq),
            },
            Err(error) => Reply::Error(error),
        };
        if let Some(participant) = self.participants.get_mut(&actor) {
            participant.replies.remember(cmd, reply.clone());
        }
        Outcome {
            reply,
            duplicate: false,
            events: out.events,
            removed: out.removed,
        }
    }

    fn apply(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        cmd: CommandId,
        command: Command,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        match command {
            Command::Join(_) => Err(CommandError::new(
                ErrorCode::AlreadyJoined,
                "this connection has already joined",
            )),
            // The transport answers pings itself; one reaching the core changes nothing.
            Command::Ping => Ok(()),
            Command::CreateItem(new) => self.create_item(ctx, actor, new, out),
            Command::UpdateItem { item_id, change } => {
                self.update_item(actor, item_id, change, out)
            }
            Command::EditText {
                item_id,
                field,
                revision,
                op,
                follows,
            } => self.edit_text(
                actor,
                cmd,
                texts::TextEdit {
                    item_id,
                    field,
                    revision,
                    op,
                    follows,
                },
                out,
            ),
            Command::SplitItem { item_id, parts } => {
                self.split_item(ctx, actor, item_id, parts, out)
            }
            Command::CheckCriterion {
                item_id,
                criterion,
                checked,
            } => self.check_criterion(actor, item_id, criterion, checked, out),
            Command::AddRemark {
                item_id,
                kind,
                text,
                owner,
            } => self.add_remark(actor, item_id, (kind, text, owner), out),
            Command::EditRemark {
                item_id,
                remark_id,
                text,
                owner,
            } => self.edit_remark(actor, item_id, remark_id, (text, owner), out),
            Command::AnswerQuestion {
                item_id,
                remark_id,
                answer,
            } => self.answer_question(actor, item_id, remark_id, answer, out),
            Command::RemoveRemark { item_id, remark_id } => {
                self.remove_remark(actor, item_id, remark_id, out)
            }
            Command::OverrideReady { item_id, ready } => {
                self.override_ready(actor, item_id, ready, out)
            }
            Command::DeleteItem { item_id } => self.delete_item(actor, item_id, out),
            Command::RestoreItem { item_id } => self.restore_item(actor, item_id, out),
            Command::MoveItem {
                item_id,
                after,
                before,
            } => self.move_item(actor, item_id, after, before, out),
            Command::SetEditing { editing } => self.set_editing(actor, editing, out),
            // The shell passes carets on without logging them; one reaching the core is only
            // judged.
            Command::SetCaret { caret } => {
                caret.map_or(Ok(()), |caret| self.check_caret(actor, &caret))
            }
            Command::Rename { name } => self.rename(actor, &name, out),
            Command::SetRole { role } => self.set_role(actor, role, out),
            Command::StartRound {
                item_id,
                deck,
                dimension,
                timebox_seconds,
            } => self.start_round(
                ctx,
                actor,
                (item_id, deck.as_ref(), dimension),
                timebox_seconds,
                out,
            ),
            Command::Vote {
                round_id,
                card,
                confidence,
            } => self.vote(actor, (round_id, card, confidence), out),
            Command::RetractVote { round_id } => self.retract_vote(actor, round_id, out),
            Command::Reveal { round_id } => self.reveal(actor, round_id, out),
            Command::Revote { round_id } => self.revote(ctx, actor, round_id, out),
            Command::AcceptEstimate { round_id, estimate } => {
                self.accept_estimate(actor, round_id, &estimate, out)
            }
            Command::CancelRound { round_id } => self.cancel_round(actor, round_id, out),
            Command::OpenPrevotes {
                item_ids,
                deck,
                closes_at,
            } => self.open_prevotes(ctx, actor, (item_ids, deck.as_ref(), closes_at), out),
            Command::RevealPrevotes => self.reveal_prevotes(actor, out),
            Command::CancelPrevotes => self.cancel_prevotes(actor, out),
            Command::AcceptPrevotes { item_ids } => self.accept_prevotes(actor, &item_ids, out),
            Command::DismissPrevoteReview => self.dismiss_prevote_review(actor, out),
            Command::OpenSizingBoard { item_ids, deck } => {
                self.open_sizing_board(actor, &item_ids, deck.as_ref(), out)
            }
            Command::PlaceOnBoard { item_id, column } => {
                self.place_on_board(actor, item_id, column, out)
            }
            Command::AcceptSizing => self.accept_sizing(actor, out),
            Command::CloseSizingBoard => self.close_sizing_board(actor, out),
            Command::SetCurrentItem { item_id } => self.set_current_item(actor, item_id, out),
            Command::UpdateSettings(change) => self.update_settings(actor, change, out),
            Command::StartTimer { seconds } => self.start_timer(actor, seconds, out),
            Command::StopTimer => self.stop_timer(actor, out),
            Command::StartSession => self.start_session(actor, out),
            Command::EndSession => self.end_session(actor, out),
            Command::HandOverFacilitator { participant_id } => {
                self.hand_over(actor, participant_id, out)
            }
            Command::ClaimFacilitator { facilitator_token } => {
                self.claim_facilitator(actor, &facilitator_token, out)
            }
            Command::RemoveParticipant { participant_id } => {
                self.remove_participant(actor, participant_id, out)
            }
        }
    }

    fn emit(&mut self, out: &mut Out, event: Event) {
        out.touched.note(&event);
        self.note_history(&event, out.now, out.actor);
        self.seq += 1;
        out.events.push(EventFrame {
            seq: self.seq,
            at: out.now,
            actor: out.actor,
            event,
        });
    }

    /// The room as `viewer` may see it: its own vote, nobody else's before reveal.
    #[must_use]
    pub fn snapshot_for(&self, viewer: ParticipantId) -> RoomSnapshot {
        RoomSnapshot {
            room_id: self.id,
            seq: self.seq,
            settings: self.settings.clone(),
            facilitator: self.facilitator,
            participants: self.participant_views(),
            items: self.order.views(),
            current_item: self.current_item,
            round: self.round.as_ref().map(|round| round.view_for(viewer)),
            timer: self.timer,
            session: self.session,
            trash: self.trash_views(),
            prevotes: self.prevotes.as_ref().map(|set| set.view_for(viewer)),
            prevote_review: self.prevote_review.clone(),
            sizing: self.sizing.clone(),
        }
    }
}

/// Checks the settings a new room is created with, trimming its name.
///
/// # Errors
/// The first setting that breaks a rule.
pub fn validate_settings(mut settings: RoomSettings) -> Result<RoomSettings, CommandError> {
    settings.name = validate::line(
        "the room's name",
        &settings.name,
        readyroom_protocol::limits::MAX_ROOM_NAME_CHARS,
    )?;
    settings.default_deck = poker::normalize_deck(&settings.default_deck)?;
    settings.suggest_split_at = validate::split_suggestion(settings.suggest_split_at)?;
    settings.definition_of_ready = readiness::check_definition(settings.definition_of_ready)?;
    settings.timebox = validate::timebox(settings.timebox)?;
    settings.consensus_percent = validate::consensus_percent(settings.consensus_percent)?;
    Ok(settings)
}

/// 128 random bits as 32 hex digits.
fn secret_token(rng: &mut dyn RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lower-case hex digits, two per byte.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn random_id_bytes(rng: &mut dyn RngCore) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_sim;
