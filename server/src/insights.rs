//! What a room's own record says about how it refines, session by session: where the time
//! went, how often the first round agreed, how often the team voted again, how far apart the
//! votes were, how often "?" and "☕" came up, how often the accepted estimate was not the most
//! common card, and which items look too big. Worked out from what the room keeps anyway (the
//! rounds in each item's history, the stretches each item was current, the sessions): nothing is
//! tracked for it. Figures per person only for the facilitator.

use std::collections::HashMap;

use readyroom_protocol::{
    COFFEE_CARD, ItemId, ItemView, ParticipantId, RoundRecord, Timestamp, UNSURE_CARD, card_value,
};
use serde::Serialize;

use crate::tracker::summary::SessionReport;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Insights {
    /// Oldest first; one spanning the room's whole life when it never ran a session.
    pub sessions: Vec<SessionInsights>,
    /// Items whose estimate is at or above the room's split suggestion, not yet split.
    pub split_candidates: Vec<ItemRef>,
    /// Per person, over every session; for the facilitator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Vec<PersonInsights>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SessionInsights {
    pub started_at: Timestamp,
    /// Absent for the session under way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// The session's budget of the sprint (the room's timebox), in seconds.
    pub budget_seconds: u64,
    /// Seconds some item was the current item.
    pub seconds_on_items: u64,
    /// Each stretch an item was current, in order.
    pub timeline: Vec<Stretch>,
    pub items_estimated: u32,
    pub rounds: u32,
    /// Shares from 0 to 1, absent when there was nothing to count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_round_consensus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revote_rate: Option<f64>,
    /// The mean distance, in the deck's cards, between a round's lowest and highest vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_spread: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsure_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coffee_share: Option<f64>,
    /// Accepted rounds whose estimate was not the most common card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_other_than_mode: Option<f64>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Stretch {
    pub item_id: ItemId,
    pub title: String,
    pub from: Timestamp,
    pub to: Timestamp,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ItemRef {
    pub item_id: ItemId,
    pub title: String,
    pub estimate: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PersonInsights {
    pub participant_id: ParticipantId,
    pub name: String,
    pub votes: u32,
    /// Shares from 0 to 1 of this person's votes.
    pub unsure_share: f64,
    /// Rounds in which this person was the lowest or highest outlier.
    pub outlier_rounds: u32,
    /// The mean distance, in cards, from the estimate accepted after the round.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_from_accepted: Option<f64>,
}

/// The insights of `report`'s room; `people` for the facilitator.
#[must_use]
pub fn insights(report: &SessionReport, split_at: u32, people: bool) -> Insights {
    let windows: Vec<(Timestamp, Option<Timestamp>)> = if report.sessions.is_empty() {
        vec![(0, None)]
    } else {
        report
            .sessions
            .iter()
            .map(|session| (session.started_at, session.ended_at))
            .collect()
    };
    let titles: HashMap<ItemId, &str> = report
        .room
        .items
        .iter()
        .map(|item| (item.id, item.title.as_str()))
        .collect();
    let sessions = windows
        .iter()
        .map(|&(from, ended_at)| session(report, &titles, from, ended_at))
        .collect();
    let split_candidates = report
        .room
        .items
        .iter()
        .filter(|item| item.split_into.is_empty())
        .filter_map(|item| {
            let estimate = item.estimate.as_deref()?;
            (card_value(estimate)? >= f64::from(split_at)).then(|| ItemRef {
                item_id: item.id,
                title: item.title.clone(),
                estimate: estimate.to_owned(),
            })
        })
        .collect();
    Insights {
        sessions,
        split_candidates,
        people: people.then(|| per_person(report)),
    }
}

fn session(
    report: &SessionReport,
    titles: &HashMap<ItemId, &str>,
    from: Timestamp,
    ended_at: Option<Timestamp>,
) -> SessionInsights {
    let to = ended_at.unwrap_or(report.now);
    let timeline: Vec<Stretch> = report
        .focus
        .iter()
        .filter_map(|span| span.within(from, to))
        .map(|span| Stretch {
            item_id: span.item_id,
            title: titles
                .get(&span.item_id)
                .copied()
                .unwrap_or("(deleted)")
                .to_owned(),
            from: span.from,
            to: span.to,
        })
        .collect();
    let seconds_on_items = timeline.iter().map(|s| (s.to - s.from) / 1000).sum();
    let within = |round: &&RoundRecord| {
        round.revealed_at >= from && round.revealed_at <= to && round.dimension.is_none()
    };
    let mut items_estimated = 0;
    let (mut rounds, mut first_rounds, mut first_agreed, mut revoted) = (0u32, 0u32, 0u32, 0u32);
    let (mut spreads, mut votes, mut unsure, mut coffee) = (Vec::new(), 0u32, 0u32, 0u32);
    let (mut accepted, mut accepted_other) = (0u32, 0u32);
    for item in &report.room.items {
        let here: Vec<&RoundRecord> = item.history.iter().filter(within).collect();
        if here.is_empty() {
            continue;
        }
        items_estimated += 1;
        if here.iter().any(|round| round.number > 1) {
            revoted += 1;
        }
        for round in here {
            rounds += 1;
            if round.number == 1 {
                first_rounds += 1;
                first_agreed += u32::from(round.stats.consensus);
            }
            spreads.extend(spread(round));
            for count in &round.stats.distribution {
                votes += count.count;
                unsure += if count.card == UNSURE_CARD {
                    count.count
                } else {
                    0
                };
                coffee += if count.card == COFFEE_CARD {
                    count.count
                } else {
                    0
                };
            }
            if let (Some(estimate), Some(mode)) = (&round.accepted, &round.stats.mode) {
                accepted += 1;
                accepted_other += u32::from(estimate != mode);
            }
        }
    }
    SessionInsights {
        started_at: from,
        ended_at,
        budget_seconds: report.room.settings.timebox.session_budget_seconds(),
        seconds_on_items,
        timeline,
        items_estimated,
        rounds,
        first_round_consensus: share(first_agreed, first_rounds),
        revote_rate: share(revoted, items_estimated),
        average_spread: mean(&spreads),
        unsure_share: share(unsure, votes),
        coffee_share: share(coffee, votes),
        accepted_other_than_mode: share(accepted_other, accepted),
    }
}

/// Cards between the lowest and highest ordinary vote of a round, by deck position.
fn spread(round: &RoundRecord) -> Option<f64> {
    let positions: Vec<usize> = round
        .stats
        .distribution
        .iter()
        .filter_map(|count| round.deck.cards.iter().position(|card| *card == count.card))
        .filter(|&at| {
            round
                .deck
                .cards
                .get(at)
                .is_some_and(|card| !readyroom_protocol::is_special(card))
        })
        .collect();
    let low = positions.iter().min()?;
    let high = positions.iter().max()?;
    Some((high - low) as f64)
}

fn per_person(report: &SessionReport) -> Vec<PersonInsights> {
    report
        .room
        .participants
        .iter()
        .map(|person| {
            let (mut votes, mut unsure, mut outlier_rounds) = (0u32, 0u32, 0u32);
            let mut distances = Vec::new();
            for round in report
                .room
                .items
                .iter()
                .flat_map(|item: &ItemView| &item.history)
            {
                let Some(vote) = round.votes.iter().find(|v| v.participant_id == person.id) else {
                    continue;
                };
                votes += 1;
                unsure += u32::from(vote.card == UNSURE_CARD);
                if round
                    .stats
                    .outliers
                    .as_ref()
                    .is_some_and(|o| o.low.contains(&person.id) || o.high.contains(&person.id))
                {
                    outlier_rounds += 1;
                }
                let position = |card: &str| round.deck.cards.iter().position(|c| c == card);
                if let (Some(mine), Some(agreed)) = (
                    position(&vote.card),
                    round.accepted.as_deref().and_then(position),
                ) {
                    if !readyroom_protocol::is_special(&vote.card) {
                        distances.push(mine.abs_diff(agreed) as f64);
                    }
                }
            }
            PersonInsights {
                participant_id: person.id,
                name: person.name.clone(),
                votes,
                unsure_share: share(unsure, votes).unwrap_or(0.0),
                outlier_rounds,
                distance_from_accepted: mean(&distances),
            }
        })
        .filter(|person| person.votes > 0)
        .collect()
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}
