//! What the facilitator leads: the current item, settings, the timebox and the role itself.

use readyroom_protocol::limits::{MAX_ROOM_NAME_CHARS, MAX_TIMER_SECONDS};
use readyroom_protocol::{
    ErrorCode, Event, ItemId, ParticipantId, Role, Session, SettingsChange, Timer,
};

use super::{CommandError, Out, Room, poker, validate};

impl Room {
    pub(super) fn set_current_item(
        &mut self,
        actor: ParticipantId,
        item_id: Option<ItemId>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "choose the current item")?;
        if item_id.is_some_and(|id| !self.order.contains(id)) {
            return Err(CommandError::unknown_item());
        }
        self.change_current_item(item_id, out);
        Ok(())
    }

    pub(super) fn change_current_item(&mut self, item_id: Option<ItemId>, out: &mut Out) {
        if self.current_item != item_id {
            self.current_item = item_id;
            self.focus.moved(item_id, out.now);
            self.emit(out, Event::CurrentItemChanged { item_id });
            // An item's time budget is spent on that item: moving on ends it.
            if self
                .timer
                .is_some_and(|t| t.item_id.is_some() && t.item_id != item_id)
            {
                self.timer = None;
                self.emit(out, Event::TimerChanged { timer: None });
            }
        }
    }

    pub(super) fn update_settings(
        &mut self,
        actor: ParticipantId,
        change: SettingsChange,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "change the room's settings")?;
        let mut settings = self.settings.clone();
        if let Some(name) = change.name {
            settings.name = validate::line("the room's name", &name, MAX_ROOM_NAME_CHARS)?;
        }
        if let Some(deck) = change.default_deck {
            settings.default_deck = poker::normalize_deck(&deck)?;
        }
        if let Some(auto_reveal) = change.auto_reveal {
            settings.auto_reveal = auto_reveal;
        }
        if let Some(anonymous) = change.anonymous_reveal {
            settings.anonymous_reveal = anonymous;
        }
        if let Some(at) = change.suggest_split_at {
            settings.suggest_split_at = validate::split_suggestion(at)?;
        }
        if let Some(timebox) = change.timebox {
            settings.timebox = validate::timebox(timebox)?;
        }
        if let Some(percent) = change.consensus_percent {
            settings.consensus_percent = validate::consensus_percent(percent)?;
        }
        if let Some(drafts) = change.definition_of_ready {
            settings.definition_of_ready = self.definition_from(drafts)?;
        }
        if settings == self.settings {
            return Ok(());
        }
        let new_definition = settings.definition_of_ready != self.settings.definition_of_ready;
        self.settings = settings.clone();
        if new_definition {
            self.forget_stale_checks();
            out.touched.everything();
        }
        self.emit(out, Event::SettingsChanged { settings });
        self.maybe_auto_reveal(out);
        Ok(())
    }

    pub(super) fn start_timer(
        &mut self,
        actor: ParticipantId,
        seconds: u32,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "run the timer")?;
        self.run_timer(seconds, None, out)
    }

    /// Starts a timer of `seconds`, for `item_id`'s time budget or for whatever the room does.
    pub(super) fn run_timer(
        &mut self,
        seconds: u32,
        item_id: Option<ItemId>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if seconds == 0 || seconds > MAX_TIMER_SECONDS {
            return Err(CommandError::invalid(format!(
                "a timebox lasts from 1 to {MAX_TIMER_SECONDS} seconds"
            )));
        }
        let timer = Timer {
            started_at: out.now,
            ends_at: out
                .now
                .saturating_add(u64::from(seconds).saturating_mul(1000)),
            item_id,
        };
        self.timer = Some(timer);
        self.emit(out, Event::TimerChanged { timer: Some(timer) });
        Ok(())
    }

    pub(super) fn start_session(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "run the refinement session")?;
        let session = Session {
            started_at: out.now,
        };
        self.session = Some(session);
        self.focus.session_started(out.now);
        self.emit(
            out,
            Event::SessionChanged {
                session: Some(session),
            },
        );
        Ok(())
    }

    pub(super) fn end_session(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "run the refinement session")?;
        if self.session.take().is_some() {
            self.focus.session_ended(out.now);
            self.emit(out, Event::SessionChanged { session: None });
        }
        Ok(())
    }

    pub(super) fn stop_timer(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "run the timer")?;
        if self.timer.take().is_some() {
            self.emit(out, Event::TimerChanged { timer: None });
        }
        Ok(())
    }

    pub(super) fn hand_over(
        &mut self,
        actor: ParticipantId,
        to: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "hand over the facilitator role")?;
        self.participant(to)?;
        if to != actor {
            self.change_facilitator(to, out);
        }
        Ok(())
    }

    /// Makes `to` the facilitator. The one it replaces stops editing if it is an observer, whom
    /// only the role allowed to edit.
    pub(super) fn change_facilitator(&mut self, to: ParticipantId, out: &mut Out) {
        let previous = self.facilitator.replace(to);
        self.emit(
            out,
            Event::FacilitatorChanged {
                participant_id: Some(to),
            },
        );
        let Some(previous) = previous.filter(|p| *p != to) else {
            return;
        };
        let stopped_editing = self
            .participants
            .get_mut(&previous)
            .is_some_and(|p| p.view.role == Role::Observer && p.view.editing.take().is_some());
        if stopped_editing {
            self.emit(
                out,
                Event::EditingChanged {
                    participant_id: previous,
                    editing: None,
                },
            );
        }
    }

    pub(super) fn claim_facilitator(
        &mut self,
        actor: ParticipantId,
        token: &str,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if !super::tokens::matches(token, &self.facilitator_token) {
            return Err(CommandError::new(
                ErrorCode::InvalidToken,
                "that facilitator token does not belong to this room",
            ));
        }
        if self.facilitator != Some(actor) {
            self.change_facilitator(actor, out);
        }
        Ok(())
    }

    pub(super) fn remove_participant(
        &mut self,
        actor: ParticipantId,
        id: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "remove participants")?;
        if id == actor {
            return Err(CommandError::invalid(
                "hand over the facilitator role before leaving",
            ));
        }
        self.participant(id)?;
        self.forget_participant(id, out);
        Ok(())
    }
}
