//! Joining, presence and people's own settings.

use readyroom_protocol::limits::{
    MAX_CONNECTIONS_PER_PARTICIPANT, MAX_LONG_TEXT_CHARS, MAX_NAME_CHARS,
    MAX_PARTICIPANTS_PER_ROOM, PLACES_KEPT_FOR_FACILITATOR,
};
use readyroom_protocol::{
    Caret, CommandId, Editing, ErrorCode, Event, JoinRequest, PROTOCOL_VERSION, ParticipantId,
    ParticipantView, Role,
};

use super::replies::Replies;
use super::{CommandError, Ctx, Out, Room, random_id_bytes, secret_token, tokens, validate};

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Participant {
    pub view: ParticipantView,
    pub token: String,
    /// Open connections; the participant is online while this is above zero.
    pub connections: u32,
    pub joined: u64,
    pub replies: Replies,
    /// When the participant last went offline (`None` while online). Rooms stored before this
    /// was kept read as offline since ever.
    #[serde(default)]
    pub offline_since: Option<readyroom_protocol::Timestamp>,
}

/// A successful join.
#[derive(Debug)]
pub struct Joined {
    pub participant_id: ParticipantId,
    /// The digest of the participant's token (the token itself is the shell's to hand out).
    pub token_digest: String,
    pub last_cmd: CommandId,
    pub events: Vec<readyroom_protocol::EventFrame>,
    /// Participants forgotten to make room (see [`Outcome::removed`](super::Outcome)).
    pub removed: Vec<ParticipantId>,
}

impl Room {
    /// Adds a connection: a new participant, or an existing one when a participant token is
    /// presented. The caller must pair it with one [`Room::disconnect`] when the connection ends.
    /// `minted` is the digest of the token a new participant gets; the shell mints it.
    pub fn join(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: &JoinRequest,
        minted: Option<&str>,
    ) -> Result<Joined, CommandError> {
        if request.protocol != PROTOCOL_VERSION {
            return Err(CommandError::new(
                ErrorCode::UnsupportedProtocol,
                format!(
                    "this server speaks protocol version {PROTOCOL_VERSION}, not {}",
                    request.protocol
                ),
            ));
        }
        let claims_facilitator = match &request.facilitator_token {
            Some(token) if tokens::matches(token, &self.facilitator_token) => true,
            Some(_) => {
                return Err(CommandError::new(
                    ErrorCode::InvalidToken,
                    "that facilitator token does not belong to this room",
                ));
            }
            None => false,
        };
        let mut out = Out::new(ctx.now, None);
        let id = if let Some(token) = &request.participant_token {
            let id = *self.tokens.get(&tokens::digest(token)).ok_or_else(|| {
                CommandError::new(
                    ErrorCode::InvalidToken,
                    "that participant token does not belong to this room (removed?); join afresh",
                )
            })?;
            out.actor = Some(id);
            self.reconnect(id, &mut out)?;
            id
        } else {
            let name = validate::line("a name", &request.name, MAX_NAME_CHARS)?;
            // The last places are kept for the holder of the facilitator token, so that a
            // room filled up by others can still be led.
            let places = if claims_facilitator || self.legacy_rules {
                MAX_PARTICIPANTS_PER_ROOM
            } else {
                MAX_PARTICIPANTS_PER_ROOM - PLACES_KEPT_FOR_FACILITATOR
            };
            if self.legacy_rules && self.participants.len() >= places {
                return Err(CommandError::new(
                    ErrorCode::RoomFull,
                    format!("a room holds at most {MAX_PARTICIPANTS_PER_ROOM} participants"),
                ));
            }
            if self.participants.len() >= places {
                // A full room makes room by forgetting whoever has been gone longest: people
                // who left (or joins that never stayed) must not keep others out.
                let ghost = self.longest_gone().ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::RoomFull,
                        format!(
                            "a room holds at most {MAX_PARTICIPANTS_PER_ROOM} participants, and all of them are here"
                        ),
                    )
                })?;
                self.forget_participant(ghost, &mut out);
            }
            let id = ParticipantId::from_random_bytes(random_id_bytes(ctx.rng));
            out.actor = Some(id);
            // Minted by the shell (from the OS, not from the logged seed); inputs logged before
            // it did so mint it here.
            let token =
                minted.map_or_else(|| tokens::shield(&secret_token(ctx.rng)), tokens::digest);
            self.joins += 1;
            let view = ParticipantView {
                id,
                name,
                role: request.role,
                online: true,
                editing: None,
            };
            self.tokens.insert(token.clone(), id);
            self.participants.insert(
                id,
                Participant {
                    view: view.clone(),
                    token,
                    connections: 1,
                    joined: self.joins,
                    replies: Replies::default(),
                    offline_since: None,
                },
            );
            self.emit(&mut out, Event::ParticipantJoined { participant: view });
            id
        };
        if claims_facilitator && self.facilitator != Some(id) {
            self.change_facilitator(id, &mut out);
        }
        let participant = self
            .participants
            .get(&id)
            .ok_or_else(CommandError::unknown_participant)?;
        Ok(Joined {
            participant_id: id,
            token_digest: participant.token.clone(),
            last_cmd: participant.replies.last_cmd(),
            events: out.events,
            removed: out.removed,
        })
    }

    fn reconnect(&mut self, id: ParticipantId, out: &mut Out) -> Result<(), CommandError> {
        let participant = self
            .participants
            .get_mut(&id)
            .ok_or_else(CommandError::unknown_participant)?;
        if participant.connections >= MAX_CONNECTIONS_PER_PARTICIPANT {
            return Err(CommandError::new(
                ErrorCode::TooManyConnections,
                format!(
                    "at most {MAX_CONNECTIONS_PER_PARTICIPANT} open connections per participant; close a tab"
                ),
            ));
        }
        participant.connections += 1;
        if participant.connections == 1 {
            participant.view.online = true;
            participant.offline_since = None;
            self.emit(
                out,
                Event::ParticipantOnline {
                    participant_id: id,
                    online: true,
                },
            );
        }
        Ok(())
    }

    /// Ends one connection of a participant. When it was the last one, the participant goes
    /// offline, stops editing, and no longer holds up an auto-reveal.
    pub fn disconnect(
        &mut self,
        now: readyroom_protocol::Timestamp,
        id: ParticipantId,
    ) -> Vec<readyroom_protocol::EventFrame> {
        let mut out = Out::new(now, None);
        let Some(participant) = self.participants.get_mut(&id).filter(|p| p.connections > 0) else {
            // Unknown, removed, or already offline: a disconnect without a connection.
            return out.events;
        };
        participant.connections -= 1;
        if participant.connections > 0 {
            return out.events;
        }
        participant.view.online = false;
        participant.offline_since = Some(now);
        let was_editing = participant.view.editing.take().is_some();
        if was_editing {
            self.emit(
                &mut out,
                Event::EditingChanged {
                    participant_id: id,
                    editing: None,
                },
            );
        }
        self.emit(
            &mut out,
            Event::ParticipantOnline {
                participant_id: id,
                online: false,
            },
        );
        self.maybe_auto_reveal(&mut out);
        out.events
    }

    /// Marks everyone offline: after a restart no connection survives. Returns the events that
    /// tell it (none for people who were offline already).
    pub fn reset_presence(
        &mut self,
        now: readyroom_protocol::Timestamp,
    ) -> Vec<readyroom_protocol::EventFrame> {
        let mut online: Vec<(u64, ParticipantId)> = self
            .participants
            .values()
            .filter(|p| p.connections > 0)
            .map(|p| (p.joined, p.view.id))
            .collect();
        online.sort_unstable();
        let mut events = Vec::new();
        for (_, id) in online {
            if let Some(p) = self.participants.get_mut(&id) {
                p.connections = 1;
            }
            events.extend(self.disconnect(now, id));
        }
        events
    }

    /// The offline participant gone longest who can be forgotten without loss to the meeting:
    /// not the facilitator, and holding no vote in a round (or pre-vote) still being voted on.
    fn longest_gone(&self) -> Option<ParticipantId> {
        // Pre-votes are cast by people who then leave: their votes must wait for the reveal.
        let voting = self
            .round
            .iter()
            .filter(|round| round.revealed.is_none())
            .chain(self.prevotes.iter().flat_map(|set| set.rounds.iter()));
        let holds_vote =
            |id: &ParticipantId| voting.clone().any(|round| round.votes.contains_key(id));
        self.participants
            .values()
            .filter(|p| p.connections == 0 && !self.is_facilitator(p.view.id))
            .filter(|p| !holds_vote(&p.view.id))
            .min_by_key(|p| (p.offline_since, p.joined))
            .map(|p| p.view.id)
    }

    /// Removes a participant from the room: their token stops working and an unrevealed vote
    /// of theirs is dropped.
    pub(super) fn forget_participant(&mut self, id: ParticipantId, out: &mut Out) {
        let Some(participant) = self.participants.remove(&id) else {
            return;
        };
        self.tokens.remove(&participant.token);
        // Dropped without a `vote_retracted`: clients drop it on `participant_removed`.
        for round in self.round.iter_mut().chain(
            self.prevotes
                .iter_mut()
                .flat_map(|set| set.rounds.iter_mut()),
        ) {
            round.forget_vote(id);
        }
        self.emit(out, Event::ParticipantRemoved { participant_id: id });
        out.removed.push(id);
        self.maybe_auto_reveal(out);
    }

    pub(super) fn participant(&self, id: ParticipantId) -> Result<&Participant, CommandError> {
        self.participants
            .get(&id)
            .ok_or_else(CommandError::unknown_participant)
    }

    pub(super) fn is_facilitator(&self, id: ParticipantId) -> bool {
        self.facilitator == Some(id)
    }

    pub(super) fn require_facilitator(
        &self,
        id: ParticipantId,
        what: &str,
    ) -> Result<(), CommandError> {
        if self.is_facilitator(id) {
            Ok(())
        } else {
            Err(CommandError::new(
                ErrorCode::Forbidden,
                format!("only the facilitator can {what}"),
            ))
        }
    }

    /// Voters and the facilitator edit the backlog; observers only watch.
    pub(super) fn require_editor(&self, id: ParticipantId, what: &str) -> Result<(), CommandError> {
        let participant = self.participant(id)?;
        if participant.view.role == Role::Voter || self.is_facilitator(id) {
            Ok(())
        } else {
            Err(CommandError::forbidden(what))
        }
    }

    pub(super) fn participant_views(&self) -> Vec<ParticipantView> {
        let mut people: Vec<&Participant> = self.participants.values().collect();
        people.sort_by_key(|p| p.joined);
        people.into_iter().map(|p| p.view.clone()).collect()
    }

    pub(super) fn set_editing(
        &mut self,
        actor: ParticipantId,
        editing: Option<Editing>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if editing.is_some() {
            self.require_editor(actor, "edit items")?;
        }
        if let Some(editing) = editing {
            if !self.order.contains(editing.item_id) {
                return Err(CommandError::unknown_item());
            }
        }
        let participant = self
            .participants
            .get_mut(&actor)
            .ok_or_else(CommandError::unknown_participant)?;
        if participant.view.editing == editing {
            return Ok(());
        }
        participant.view.editing = editing;
        self.emit(
            out,
            Event::EditingChanged {
                participant_id: actor,
                editing,
            },
        );
        Ok(())
    }

    /// Whether `actor` may show itself in that field: an editor, in an item that exists; in a
    /// text field, at a revision it has had. Carets are ephemeral: the shell passes them on
    /// without logging them, so the core only judges them.
    ///
    /// # Errors
    /// Why the caret may not be shown.
    pub fn check_caret(&self, actor: ParticipantId, caret: &Caret) -> Result<(), CommandError> {
        self.require_editor(actor, "edit items")?;
        let item = self
            .order
            .get(caret.item_id)
            .ok_or_else(CommandError::unknown_item)?;
        let Some(field) = caret.field.as_text() else {
            if caret.revision != 0 || caret.anchor != 0 || caret.head != 0 {
                return Err(CommandError::invalid(
                    "only a text field has revisions and caret positions",
                ));
            }
            return Ok(());
        };
        let revision = item.revisions.of(field);
        if caret.revision > revision {
            return Err(CommandError::invalid(format!(
                "this field has no revision {} (it is at {revision})",
                caret.revision
            )));
        }
        let limit = u64::try_from(MAX_LONG_TEXT_CHARS).unwrap_or(u64::MAX);
        if caret.anchor > limit || caret.head > limit {
            return Err(CommandError::invalid(format!(
                "a caret is at most {limit} characters in"
            )));
        }
        Ok(())
    }

    pub(super) fn rename(
        &mut self,
        actor: ParticipantId,
        name: &str,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        let name = validate::line("a name", name, MAX_NAME_CHARS)?;
        let participant = self
            .participants
            .get_mut(&actor)
            .ok_or_else(CommandError::unknown_participant)?;
        if participant.view.name == name {
            return Ok(());
        }
        participant.view.name.clone_from(&name);
        self.emit(
            out,
            Event::ParticipantRenamed {
                participant_id: actor,
                name,
            },
        );
        Ok(())
    }

    pub(super) fn set_role(
        &mut self,
        actor: ParticipantId,
        role: Role,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        let participant = self
            .participants
            .get_mut(&actor)
            .ok_or_else(CommandError::unknown_participant)?;
        if participant.view.role == role {
            return Ok(());
        }
        participant.view.role = role;
        let stopped_editing = role == Role::Observer
            && self.facilitator != Some(actor)
            && participant.view.editing.take().is_some();
        if stopped_editing {
            self.emit(
                out,
                Event::EditingChanged {
                    participant_id: actor,
                    editing: None,
                },
            );
        }
        if role == Role::Observer {
            self.drop_vote(actor, out);
        }
        self.emit(
            out,
            Event::RoleChanged {
                participant_id: actor,
                role,
            },
        );
        self.maybe_auto_reveal(out);
        Ok(())
    }
}
