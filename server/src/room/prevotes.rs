//! Pre-votes: rounds on several items voted on before the meeting, each voter in their own
//! time, revealed together; what the team agreed on is accepted in one step and the rest is
//! queued for discussion, widest spread first.

use readyroom_protocol::limits::{MAX_PREVOTE_ITEMS, MAX_PREVOTE_MILLIS};
use readyroom_protocol::{
    DeckChoice, ErrorCode, Event, ItemId, ParticipantId, PrevoteResult, PrevoteReview, Prevotes,
    RoundId, RoundRecord, Timestamp, is_special,
};

use super::items::validate_estimate;
use super::poker::{Round, new_round, next_round_number, resolve_deck};
use super::{CommandError, Ctx, Out, Room};

/// The open pre-votes as the room keeps them.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct PrevoteSet {
    pub closes_at: Timestamp,
    pub rounds: Vec<Round>,
}

impl PrevoteSet {
    pub fn view_for(&self, viewer: ParticipantId) -> Prevotes {
        Prevotes {
            closes_at: self.closes_at,
            rounds: self.rounds.iter().map(|r| r.view_for(viewer)).collect(),
        }
    }
}

/// How many deck positions lie between the lowest and the highest ordinary card played.
fn spread(record: &RoundRecord) -> u32 {
    let positions: Vec<usize> = record
        .stats
        .distribution
        .iter()
        .filter(|count| !is_special(&count.card))
        .filter_map(|count| record.deck.position(&count.card))
        .collect();
    match (positions.iter().min(), positions.iter().max()) {
        (Some(low), Some(high)) => u32::try_from(high - low).unwrap_or(u32::MAX),
        _ => 0,
    }
}

/// Whether a revealed pre-vote settles its item without discussion.
fn agreed(record: &RoundRecord, consensus_percent: u32) -> bool {
    let ordinary: u32 = record
        .stats
        .distribution
        .iter()
        .filter(|count| !is_special(&count.card))
        .map(|count| count.count)
        .sum();
    ordinary >= 2
        && record.stats.mode.is_some()
        && record.stats.agreement * 100.0 >= f64::from(consensus_percent) - 1e-9
}

impl Room {
    pub(super) fn prevote_round(&mut self, round_id: RoundId) -> Option<&mut Round> {
        self.prevotes
            .as_mut()?
            .rounds
            .iter_mut()
            .find(|round| round.id == round_id)
    }

    pub(super) fn open_prevotes(
        &mut self,
        ctx: &mut Ctx<'_>,
        actor: ParticipantId,
        (item_ids, deck, closes_at): (Vec<ItemId>, Option<&DeckChoice>, Timestamp),
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "open pre-votes")?;
        if self.prevotes.is_some() {
            return Err(CommandError::new(
                ErrorCode::RoundInProgress,
                "pre-votes are open; reveal or cancel them first",
            ));
        }
        if closes_at <= out.now || closes_at - out.now > MAX_PREVOTE_MILLIS {
            return Err(CommandError::invalid(
                "pre-votes close between now and 30 days from now",
            ));
        }
        let deck = resolve_deck(deck.unwrap_or(&self.settings.default_deck))?;
        let item_ids = self.items_to_estimate(
            &item_ids,
            (
                MAX_PREVOTE_ITEMS,
                "pre-votes cover",
                "pre-vote on its parts",
            ),
        )?;
        let mut rounds: Vec<Round> = Vec::with_capacity(item_ids.len());
        for item_id in item_ids {
            let number = next_round_number(self.item(item_id)?);
            let mut round = new_round(
                ctx,
                item_id,
                number,
                deck.clone(),
                (out.now, self.settings.anonymous_reveal),
            );
            round.closes_at = Some(closes_at);
            rounds.push(round);
        }
        let set = PrevoteSet { closes_at, rounds };
        // Nobody has voted yet, so whom the view is built for makes no difference.
        let prevotes = set.view_for(ParticipantId(uuid::Uuid::nil()));
        self.prevotes = Some(set);
        self.emit(out, Event::PrevotesOpened { prevotes });
        Ok(())
    }

    pub(super) fn cancel_prevotes(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "cancel pre-votes")?;
        if self.prevotes.take().is_none() {
            return Err(no_prevotes());
        }
        self.emit(out, Event::PrevotesCancelled);
        Ok(())
    }

    pub(super) fn reveal_prevotes(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "reveal pre-votes")?;
        let mut set = self.prevotes.take().ok_or_else(no_prevotes)?;
        let threshold = self.settings.consensus_percent;
        let mut results: Vec<PrevoteResult> = Vec::with_capacity(set.rounds.len());
        for round in &mut set.rounds {
            let record = round.reveal(out.now, self.fairness);
            self.keep_in_history(round.item_id, &record);
            results.push(PrevoteResult {
                item_id: round.item_id,
                consensus: agreed(&record, threshold),
                spread: spread(&record),
                record,
            });
        }
        // Agreed items first in backlog order (the sort is stable), then the discussion queue:
        // the widest spread first, and items nobody voted on last.
        results.sort_by_key(|result| {
            (
                !result.consensus,
                result.record.stats.votes == 0,
                std::cmp::Reverse(result.spread),
            )
        });
        let review = PrevoteReview { results };
        self.prevote_review = Some(review.clone());
        self.emit(out, Event::PrevotesRevealed { review });
        Ok(())
    }

    pub(super) fn accept_prevotes(
        &mut self,
        actor: ParticipantId,
        item_ids: &[ItemId],
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "accept estimates")?;
        let review = self.prevote_review.as_ref().ok_or_else(no_review)?;
        let mut accepted = Vec::with_capacity(item_ids.len());
        for item_id in item_ids {
            let result = review
                .results
                .iter()
                .find(|result| result.item_id == *item_id)
                .ok_or_else(|| CommandError::invalid("that item is not in the pre-vote review"))?;
            let estimate = result
                .record
                .stats
                .mode
                .as_deref()
                .filter(|_| result.consensus)
                .ok_or_else(|| {
                    CommandError::invalid(
                        "only items the team agreed on are accepted together; discuss the others",
                    )
                })?;
            let estimate = validate_estimate(Some(estimate))?
                .ok_or_else(|| CommandError::invalid("an accepted estimate must not be empty"))?;
            if !accepted.iter().any(|(id, _, _)| id == item_id) {
                accepted.push((*item_id, result.record.round_id, estimate));
            }
        }
        for (item_id, round_id, estimate) in accepted {
            self.record_acceptance(round_id, item_id, (estimate, None), out);
        }
        Ok(())
    }

    pub(super) fn dismiss_prevote_review(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "close the pre-vote review")?;
        if self.prevote_review.take().is_none() {
            return Err(no_review());
        }
        self.emit(out, Event::PrevoteReviewDismissed);
        Ok(())
    }

    /// The item's estimate was accepted (or it left the backlog): it leaves the review, which
    /// closes once empty.
    pub(super) fn settle_review(&mut self, item_id: ItemId) {
        if let Some(review) = &mut self.prevote_review {
            review.results.retain(|result| result.item_id != item_id);
            if review.results.is_empty() {
                self.prevote_review = None;
            }
        }
    }

    /// The item left the backlog (deleted or split): its pre-vote goes unseen, and it leaves
    /// the review and the sizing board. Clients do the same on the event that removed it.
    pub(super) fn drop_from_estimation(&mut self, item_id: ItemId) {
        if let Some(set) = &mut self.prevotes {
            set.rounds.retain(|round| round.item_id != item_id);
            if set.rounds.is_empty() {
                self.prevotes = None;
            }
        }
        self.settle_review(item_id);
        self.drop_from_board(item_id);
    }
}

fn no_prevotes() -> CommandError {
    CommandError::new(ErrorCode::NoActiveRound, "no pre-votes are open")
}

fn no_review() -> CommandError {
    CommandError::new(ErrorCode::NoActiveRound, "no pre-votes were revealed")
}
