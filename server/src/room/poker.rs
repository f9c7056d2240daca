//! Planning poker: rounds, votes, reveal, re-vote and the accepted estimate.

use std::collections::BTreeMap;

use readyroom_protocol::limits::{
    MAX_CARD_CHARS, MAX_CUSTOM_CARDS, MAX_ROUNDS_IN_HISTORY, MAX_TIMER_SECONDS, MAX_WSJF_VALUE,
};
use readyroom_protocol::{
    COFFEE_CARD, Confidence, Deck, DeckChoice, DeckKind, ErrorCode, Event, ItemId, ParticipantId,
    Role, RoundId, RoundPhase, RoundRecord, RoundView, Timestamp, UNSURE_CARD, WsjfDimension,
    is_special,
};

use super::items::validate_estimate;
use super::{CommandError, Ctx, Out, Room, random_id_bytes, stats, validate};

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Round {
    pub id: RoundId,
    pub item_id: ItemId,
    pub number: u32,
    pub deck: Deck,
    pub started_at: Timestamp,
    pub votes: BTreeMap<ParticipantId, String>,
    /// Set at reveal; votes are frozen from then on.
    pub revealed: Option<RoundRecord>,
    /// The part of the item's WSJF score estimated, if not the estimate itself.
    #[serde(default)]
    pub dimension: Option<WsjfDimension>,
    /// Revealed without names: fixed when the round starts, so that whoever votes knows.
    #[serde(default)]
    pub anonymous: bool,
    /// How sure each voter who said was of their card.
    #[serde(default)]
    pub confidence: BTreeMap<ParticipantId, Confidence>,
    /// Set on a pre-vote round: votes are accepted until then.
    #[serde(default)]
    pub closes_at: Option<Timestamp>,
}

impl Round {
    pub fn phase(&self) -> RoundPhase {
        if self.revealed.is_some() {
            RoundPhase::Revealed
        } else {
            RoundPhase::Voting
        }
    }

    /// The round as `viewer` may see it. Before reveal that is who voted and the viewer's own
    /// card, nothing more.
    pub fn view_for(&self, viewer: ParticipantId) -> RoundView {
        RoundView {
            id: self.id,
            item_id: self.item_id,
            number: self.number,
            deck: self.deck.clone(),
            phase: self.phase(),
            started_at: self.started_at,
            voted: self.votes.keys().copied().collect(),
            my_card: self.votes.get(&viewer).cloned(),
            my_confidence: self.confidence.get(&viewer).copied(),
            revealed: self.revealed.clone(),
            dimension: self.dimension,
            anonymous: self.anonymous,
            closes_at: self.closes_at,
        }
    }

    pub fn forget_vote(&mut self, id: ParticipantId) {
        if self.revealed.is_none() {
            self.votes.remove(&id);
            self.confidence.remove(&id);
        }
    }

    /// Freezes the votes into their record (also kept as `revealed`).
    pub fn reveal(&mut self, now: Timestamp, fairness: stats::Fairness) -> RoundRecord {
        let anonymous = self.anonymous;
        let mut stats = stats::compute(&self.deck, &self.votes, fairness);
        for confidence in self.confidence.values() {
            stats.confidence.add(*confidence);
        }
        // Without names, nobody is singled out either.
        if anonymous {
            stats.outliers = None;
        }
        let record = RoundRecord {
            round_id: self.id,
            number: self.number,
            deck: self.deck.clone(),
            votes: if anonymous {
                Vec::new()
            } else {
                stats::ordered_votes(&self.deck, &self.votes, &self.confidence)
            },
            stats,
            revealed_at: now,
            accepted: None,
            anonymous,
            dimension: self.dimension,
        };
        self.revealed = Some(record.clone());
        record
    }
}

/// A new round, nobody's vote in it yet.
pub fn new_round(
    ctx: &mut Ctx<'_>,
    item_id: ItemId,
    number: u32,
    deck: Deck,
    (now, anonymous): (Timestamp, bool),
) -> Round {
    Round {
        id: RoundId::from_random_bytes(random_id_bytes(ctx.rng)),
        item_id,
        number,
        deck,
        started_at: now,
        votes: BTreeMap::new(),
        revealed: None,
        dimension: None,
        anonymous,
        confidence: BTreeMap::new(),
        closes_at: None,
    }
}

/// The number the next round on an item gets.
pub fn next_round_number(item: &readyroom_protocol::ItemView) -> u32 {
    item.history.last().map_or(1, |record| record.number + 1)
}

/// A deck choice as the room keeps it: custom cards trimmed, presets without a card list.
pub fn normalize_deck(choice: &DeckChoice) -> Result<DeckChoice, CommandError> {
    let deck = resolve_deck(choice)?;
    let cards = if choice.kind == DeckKind::Custom {
        deck.cards
            .into_iter()
            .filter(|card| !is_special(card))
            .collect()
    } else {
        Vec::new()
    };
    Ok(DeckChoice {
        kind: choice.kind,
        cards,
        unsure: choice.unsure,
        coffee: choice.coffee,
    })
}

/// Turns a facilitator's deck choice into the list of playable cards.
pub fn resolve_deck(choice: &DeckChoice) -> Result<Deck, CommandError> {
    let mut cards: Vec<String> = if choice.kind == DeckKind::Custom {
        if choice.cards.is_empty() || choice.cards.len() > MAX_CUSTOM_CARDS {
            return Err(CommandError::invalid(format!(
                "a custom deck has 1 to {MAX_CUSTOM_CARDS} cards"
            )));
        }
        let mut cards: Vec<String> = Vec::with_capacity(choice.cards.len() + 2);
        for card in &choice.cards {
            let card = validate::line("a card", card, MAX_CARD_CHARS)?;
            if is_special(&card) {
                return Err(CommandError::invalid(
                    "\"?\" and \"☕\" are added with the unsure and coffee options",
                ));
            }
            if cards.contains(&card) {
                return Err(CommandError::invalid(format!(
                    "the card {card:?} appears twice"
                )));
            }
            cards.push(card);
        }
        cards
    } else {
        choice
            .kind
            .preset_cards()
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
    };
    if choice.unsure {
        cards.push(UNSURE_CARD.to_owned());
    }
    if choice.coffee {
        cards.push(COFFEE_CARD.to_owned());
    }
    Ok(Deck {
        kind: choice.kind,
        cards,
    })
}

impl Room {
    fn current_round(&self, round_id: RoundId) -> Result<&Round, CommandError> {
        let round = self.round.as_ref().ok_or_else(|| {
            CommandError::new(ErrorCode::NoActiveRound, "no estimation round is running")
        })?;
        if round.id != round_id {
            return Err(CommandError::new(
                ErrorCode::StaleRound,
                "that round is over; the room has moved on to another",
            ));
        }
        Ok(round)
    }

    fn voting_round(&self, round_id: RoundId) -> Result<&Round, CommandError> {
        let round = self.current_round(round_id)?;
        if round.revealed.is_some() {
            return Err(CommandError::new(
                ErrorCode::RoundRevealed,
                "the votes are revealed; start a re-vote to vote again",
            ));
        }
        Ok(round)
    }

    fn revealed_round(&self, round_id: RoundId) -> Result<&Round, CommandError> {
        let round = self.current_round(round_id)?;
        if round.revealed.is_none() {
            return Err(CommandError::new(
                ErrorCode::RoundNotRevealed,
                "reveal the votes first",
            ));
        }
        Ok(round)
    }

    pub(super) fn start_round(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        (item_id, deck, dimension): (ItemId, Option<&DeckChoice>, Option<WsjfDimension>),
        timebox_seconds: Option<u32>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "start a round")?;
        if timebox_seconds.is_some_and(|s| s == 0 || s > MAX_TIMER_SECONDS) {
            return Err(CommandError::invalid(format!(
                "an item's timebox lasts from 1 to {MAX_TIMER_SECONDS} seconds"
            )));
        }
        let item = self.item(item_id)?;
        if item.is_split() {
            return Err(CommandError::invalid(format!(
                "“{}” has been split: estimate its parts",
                item.title
            )));
        }
        if self
            .round
            .as_ref()
            .is_some_and(|round| round.revealed.is_none())
        {
            return Err(CommandError::new(
                ErrorCode::RoundInProgress,
                "a round is being voted on; reveal or cancel it first",
            ));
        }
        let deck = resolve_deck(deck.unwrap_or(&self.settings.default_deck))?;
        let number = next_round_number(item);
        self.change_current_item(Some(item_id), out);
        self.open_round(ctx, item_id, number, (deck, dimension), out);
        match timebox_seconds {
            Some(seconds) => self.run_timer(seconds, Some(item_id), out),
            None => Ok(()),
        }
    }

    fn open_round(
        &mut self,
        ctx: &mut Ctx<'_>,
        item_id: ItemId,
        number: u32,
        (deck, dimension): (Deck, Option<WsjfDimension>),
        out: &mut Out,
    ) {
        let mut round = new_round(
            ctx,
            item_id,
            number,
            deck,
            (out.now, self.settings.anonymous_reveal),
        );
        round.dimension = dimension;
        // Nobody has voted yet, so whom the view is built for makes no difference.
        let view = Box::new(round.view_for(ParticipantId(uuid::Uuid::nil())));
        self.round = Some(round);
        self.emit(out, Event::RoundStarted { round: view });
    }

    /// The round a vote names: the live one or one of the open pre-votes.
    fn round_to_vote_in(
        &mut self,
        round_id: RoundId,
        now: Timestamp,
    ) -> Result<&mut Round, CommandError> {
        let prevote = self
            .prevotes
            .iter()
            .flat_map(|set| set.rounds.iter())
            .any(|round| round.id == round_id);
        if !prevote {
            self.voting_round(round_id)?;
        }
        let round = if prevote {
            self.prevote_round(round_id)
        } else {
            self.round.as_mut()
        }
        .ok_or_else(|| {
            CommandError::new(ErrorCode::NoActiveRound, "no estimation round is running")
        })?;
        if round.closes_at.is_some_and(|closes_at| now > closes_at) {
            return Err(CommandError::new(
                ErrorCode::VotingClosed,
                "this pre-vote has closed; its votes wait for the reveal",
            ));
        }
        Ok(round)
    }

    pub(super) fn vote(
        &mut self,
        actor: ParticipantId,
        (round_id, card, confidence): (RoundId, String, Option<Confidence>),
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if self.participant(actor)?.view.role != Role::Voter {
            return Err(CommandError::forbidden("vote (observers watch)"));
        }
        let round = self.round_to_vote_in(round_id, out.now)?;
        if !round.deck.contains(&card) {
            // The reply is remembered for resends: echo a card only if it is card-sized.
            return Err(CommandError::invalid(
                if card.chars().count() <= MAX_CARD_CHARS {
                    format!("{card:?} is not a card of this round's deck")
                } else {
                    "that is not a card of this round's deck".to_owned()
                },
            ));
        }
        if round.votes.get(&actor) == Some(&card)
            && round.confidence.get(&actor) == confidence.as_ref()
        {
            return Ok(());
        }
        round.votes.insert(actor, card.clone());
        match confidence {
            Some(confidence) => round.confidence.insert(actor, confidence),
            None => round.confidence.remove(&actor),
        };
        let live = round.closes_at.is_none();
        self.emit(
            out,
            Event::VoteCast {
                round_id,
                participant_id: actor,
                card: Some(card),
                confidence,
            },
        );
        if live {
            self.maybe_auto_reveal(out);
        }
        Ok(())
    }

    pub(super) fn retract_vote(
        &mut self,
        actor: ParticipantId,
        round_id: RoundId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.participant(actor)?;
        let round = self.round_to_vote_in(round_id, out.now)?;
        round.confidence.remove(&actor);
        if round.votes.remove(&actor).is_some() {
            self.emit(
                out,
                Event::VoteRetracted {
                    round_id,
                    participant_id: actor,
                },
            );
        }
        Ok(())
    }

    /// Takes back a participant's unrevealed votes (live and pre-votes), if it has any.
    pub(super) fn drop_vote(&mut self, id: ParticipantId, out: &mut Out) {
        let live = self.round.as_mut().filter(|round| round.revealed.is_none());
        let prevotes = self
            .prevotes
            .iter_mut()
            .flat_map(|set| set.rounds.iter_mut());
        let mut retracted = Vec::new();
        for round in live.into_iter().chain(prevotes) {
            round.confidence.remove(&id);
            if round.votes.remove(&id).is_some() {
                retracted.push(round.id);
            }
        }
        for round_id in retracted {
            self.emit(
                out,
                Event::VoteRetracted {
                    round_id,
                    participant_id: id,
                },
            );
        }
    }

    pub(super) fn reveal(
        &mut self,
        actor: ParticipantId,
        round_id: RoundId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "reveal the votes")?;
        self.voting_round(round_id)?;
        self.reveal_current(false, out);
        Ok(())
    }

    /// Reveals once every online voter has voted, if the room asks for that.
    pub(super) fn maybe_auto_reveal(&mut self, out: &mut Out) {
        if !self.settings.auto_reveal {
            return;
        }
        let Some(round) = self.round.as_ref().filter(|round| round.revealed.is_none()) else {
            return;
        };
        let mut online_voters = self
            .participants
            .values()
            .filter(|p| p.view.online && p.view.role == Role::Voter)
            .peekable();
        if online_voters.peek().is_none() {
            return;
        }
        if online_voters.all(|p| round.votes.contains_key(&p.view.id)) {
            // The server, not the last voter, decided to reveal.
            let actor = out.actor.take();
            self.reveal_current(true, out);
            out.actor = actor;
        }
    }

    fn reveal_current(&mut self, auto: bool, out: &mut Out) {
        let fairness = self.fairness;
        let Some(round) = self.round.as_mut() else {
            return;
        };
        let record = round.reveal(out.now, fairness);
        let item_id = round.item_id;
        self.keep_in_history(item_id, &record);
        self.emit(
            out,
            Event::RoundRevealed {
                item_id,
                record: Box::new(record),
                auto,
            },
        );
    }

    /// Appends a revealed round to its item's history, within the history's bound.
    pub(super) fn keep_in_history(&mut self, item_id: ItemId, record: &RoundRecord) {
        if let Some(item) = self.order.get_mut(item_id) {
            if item.history.len() >= MAX_ROUNDS_IN_HISTORY {
                item.history.remove(0);
            }
            item.history.push(record.clone());
        }
    }

    pub(super) fn revote(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        round_id: RoundId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "start a re-vote")?;
        let round = self.revealed_round(round_id)?;
        let (item_id, number) = (round.item_id, round.number + 1);
        let kind = (round.deck.clone(), round.dimension);
        self.open_round(ctx, item_id, number, kind, out);
        Ok(())
    }

    pub(super) fn accept_estimate(
        &mut self,
        actor: ParticipantId,
        round_id: RoundId,
        estimate: &str,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "accept an estimate")?;
        let round = self.revealed_round(round_id)?;
        let (item_id, dimension) = (round.item_id, round.dimension);
        let estimate = validate_estimate(Some(estimate))?
            .ok_or_else(|| CommandError::invalid("an accepted estimate must not be empty"))?;
        if dimension.is_none() {
            self.check_estimate(&estimate, &round.deck)?;
        }
        if dimension.is_some() {
            estimate
                .parse::<u32>()
                .map_err(|_| {
                    CommandError::invalid(format!(
                        "a WSJF value is a whole number from 1 to {MAX_WSJF_VALUE}"
                    ))
                })
                .and_then(validate::wsjf_value)?;
        }
        self.round = None;
        self.record_acceptance(round_id, item_id, (estimate, dimension), out);
        Ok(())
    }

    /// Sets what a round (live or pre-vote) settled on its item, marks the round's record
    /// accepted, and takes the item out of the pre-vote review.
    pub(super) fn record_acceptance(
        &mut self,
        round_id: RoundId,
        item_id: ItemId,
        (estimate, dimension): (String, Option<WsjfDimension>),
        out: &mut Out,
    ) {
        if let Some(item) = self.order.get_mut(item_id) {
            item.accept(round_id, &estimate, dimension);
        }
        self.settle_review(item_id);
        self.emit(
            out,
            Event::EstimateAccepted {
                round_id,
                item_id,
                estimate,
                dimension,
            },
        );
    }

    pub(super) fn cancel_round(
        &mut self,
        actor: ParticipantId,
        round_id: RoundId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "cancel a round")?;
        self.current_round(round_id)?;
        self.round = None;
        self.emit(out, Event::RoundCancelled { round_id });
        Ok(())
    }
}
