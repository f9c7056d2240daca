//! The numbers a reveal shows.

use std::collections::BTreeMap;

use readyroom_protocol::{
    CardCount, Confidence, ConfidenceTally, Deck, Outliers, ParticipantId, RoundStats, VoteView,
    card_value, is_special,
};

/// Votes ordered by card (deck order), then by participant, so every client lists them alike.
pub fn ordered_votes(
    deck: &Deck,
    votes: &BTreeMap<ParticipantId, String>,
    confidence: &BTreeMap<ParticipantId, Confidence>,
) -> Vec<VoteView> {
    let mut list: Vec<VoteView> = votes
        .iter()
        .map(|(participant_id, card)| VoteView {
            participant_id: *participant_id,
            card: card.clone(),
            confidence: confidence.get(participant_id).copied(),
        })
        .collect();
    list.sort_by_key(|v| (deck.position(&v.card), v.participant_id));
    list
}

/// What a reveal computes, by the rules inputs were applied under: the first ones broke a tie
/// for the most played card towards the higher card and flagged outliers among two voters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fairness {
    TieGoesHigh,
    #[default]
    Fair,
}

pub fn compute(
    deck: &Deck,
    votes: &BTreeMap<ParticipantId, String>,
    fairness: Fairness,
) -> RoundStats {
    let mut counts = vec![0u32; deck.cards.len()];
    for card in votes.values() {
        if let Some(slot) = deck.position(card).and_then(|i| counts.get_mut(i)) {
            *slot += 1;
        }
    }
    let distribution: Vec<CardCount> = deck
        .cards
        .iter()
        .zip(&counts)
        .filter(|(_, count)| **count > 0)
        .map(|(card, count)| CardCount {
            card: card.clone(),
            count: *count,
        })
        .collect();

    // Positions of the ordinary (non-special) cards played, with their counts.
    let ordinary: Vec<(usize, u32)> = counts
        .iter()
        .enumerate()
        .filter(|(i, count)| **count > 0 && deck.cards.get(*i).is_some_and(|c| !is_special(c)))
        .map(|(i, count)| (i, *count))
        .collect();
    let ordinary_votes: u32 = ordinary.iter().map(|(_, count)| count).sum();
    // `max_by_key` keeps the last maximum, so ties went to the higher card.
    let top = ordinary.iter().max_by_key(|(_, count)| *count).copied();
    let tied = top.is_some_and(|(_, most)| ordinary.iter().filter(|(_, c)| *c == most).count() > 1);
    // A tie proposes no card: the team has not agreed on one.
    let mode = top.filter(|_| fairness == Fairness::TieGoesHigh || !tied);
    let card_at = |i: usize| deck.cards.get(i).cloned().unwrap_or_default();

    let mut values: Vec<f64> = if deck.is_numeric() {
        votes.values().filter_map(|card| card_value(card)).collect()
    } else {
        Vec::new()
    };
    values.sort_by(f64::total_cmp);

    // Two voters who differ are a disagreement, not one of them an outlier.
    let enough_voters = fairness == Fairness::TieGoesHigh || ordinary_votes > 2;
    let outliers = match (ordinary.first(), ordinary.last()) {
        (Some(&(low, _)), Some(&(high, _))) if low != high && enough_voters => {
            let voters_of = |i: usize| -> Vec<ParticipantId> {
                let card = card_at(i);
                votes
                    .iter()
                    .filter(|(_, c)| **c == card)
                    .map(|(p, _)| *p)
                    .collect()
            };
            Some(Outliers {
                low_card: card_at(low),
                low: voters_of(low),
                high_card: card_at(high),
                high: voters_of(high),
            })
        }
        _ => None,
    };

    RoundStats {
        votes: u32::try_from(votes.len()).unwrap_or(u32::MAX),
        distribution,
        average: average(&values),
        median: median(&values),
        mode: mode.map(|(i, _)| card_at(i)),
        agreement: top.map_or(0.0, |(_, count)| {
            round2(f64::from(count) / f64::from(ordinary_votes))
        }),
        consensus: ordinary.len() == 1,
        outliers,
        confidence: ConfidenceTally::default(),
    }
}

fn average(sorted: &[f64]) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    #[allow(clippy::cast_precision_loss, reason = "at most a few hundred votes")]
    let n = sorted.len() as f64;
    Some(round2(sorted.iter().sum::<f64>() / n))
}

fn median(sorted: &[f64]) -> Option<f64> {
    let mid = sorted.len() / 2;
    let value = if sorted.len() % 2 == 1 {
        *sorted.get(mid)?
    } else {
        (sorted.get(mid.checked_sub(1)?)? + sorted.get(mid)?) / 2.0
    };
    Some(round2(value))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use readyroom_protocol::{DeckChoice, DeckKind};

    use super::*;
    use crate::room::poker::resolve_deck;

    fn deck(kind: DeckKind) -> Deck {
        resolve_deck(&DeckChoice {
            kind,
            ..DeckChoice::default()
        })
        .unwrap()
    }

    fn votes(cards: &[&str]) -> (Vec<ParticipantId>, BTreeMap<ParticipantId, String>) {
        let ids: Vec<ParticipantId> = (0..cards.len())
            .map(|i| ParticipantId::from_random_bytes([u8::try_from(i).unwrap_or(0); 16]))
            .collect();
        let map = ids
            .iter()
            .zip(cards)
            .map(|(id, c)| (*id, (*c).to_owned()))
            .collect();
        (ids, map)
    }

    #[test]
    fn numeric_deck_statistics() {
        let (ids, v) = votes(&["3", "5", "5", "13", "?"]);
        let s = compute(&deck(DeckKind::Fibonacci), &v, Fairness::Fair);
        assert_eq!(s.votes, 5);
        assert_eq!(s.average, Some(6.5));
        assert_eq!(s.median, Some(5.0));
        assert_eq!(s.mode.as_deref(), Some("5"));
        assert!((s.agreement - 0.5).abs() < 1e-9);
        assert!(!s.consensus);
        let outliers = s.outliers.unwrap();
        assert_eq!(
            (outliers.low_card.as_str(), outliers.high_card.as_str()),
            ("3", "13")
        );
        assert_eq!(outliers.low, vec![ids[0]]);
        assert_eq!(outliers.high, vec![ids[3]]);
        let cards: Vec<(&str, u32)> = s
            .distribution
            .iter()
            .map(|c| (c.card.as_str(), c.count))
            .collect();
        assert_eq!(cards, vec![("3", 1), ("5", 2), ("13", 1), ("?", 1)]);
    }

    #[test]
    fn half_card_and_even_median() {
        let (_, v) = votes(&["½", "1", "2", "3"]);
        let s = compute(&deck(DeckKind::ModifiedFibonacci), &v, Fairness::Fair);
        assert_eq!(s.average, Some(1.63));
        assert_eq!(s.median, Some(1.5));
        assert_eq!(s.mode, None, "a four-way tie proposes no card");
        assert!((s.agreement - 0.25).abs() < 1e-9);
        let first_rules = compute(
            &deck(DeckKind::ModifiedFibonacci),
            &v,
            Fairness::TieGoesHigh,
        );
        assert_eq!(
            first_rules.mode.as_deref(),
            Some("3"),
            "ties went to the higher card"
        );
    }

    #[test]
    fn two_voters_who_differ_are_a_tie_without_outliers() {
        let (_, v) = votes(&["8", "21"]);
        let s = compute(&deck(DeckKind::Fibonacci), &v, Fairness::Fair);
        assert_eq!(s.mode, None, "8 against 21 proposes neither");
        assert_eq!(s.outliers, None, "nobody is singled out between two");
        assert!(!s.consensus);
        let first_rules = compute(&deck(DeckKind::Fibonacci), &v, Fairness::TieGoesHigh);
        assert_eq!(first_rules.mode.as_deref(), Some("21"));
        assert!(first_rules.outliers.is_some());
    }

    #[test]
    fn word_decks_have_no_average_but_do_have_outliers() {
        let (_, v) = votes(&["S", "M", "M", "XL"]);
        let s = compute(&deck(DeckKind::TShirt), &v, Fairness::Fair);
        assert_eq!((s.average, s.median), (None, None));
        assert_eq!(s.mode.as_deref(), Some("M"));
        let outliers = s.outliers.unwrap();
        assert_eq!(
            (outliers.low_card.as_str(), outliers.high_card.as_str()),
            ("S", "XL")
        );
    }

    #[test]
    fn consensus_and_only_special_cards() {
        let (_, v) = votes(&["8", "8", "☕"]);
        let s = compute(&deck(DeckKind::Fibonacci), &v, Fairness::Fair);
        assert!(s.consensus);
        assert!((s.agreement - 1.0).abs() < 1e-9);
        assert_eq!(s.outliers, None);

        let (_, v) = votes(&["?", "☕"]);
        let s = compute(&deck(DeckKind::Fibonacci), &v, Fairness::Fair);
        assert_eq!(
            (s.mode, s.average, s.median, s.consensus),
            (None, None, None, false)
        );
        assert!(s.agreement.abs() < 1e-9);

        let s = compute(&deck(DeckKind::Fibonacci), &BTreeMap::new(), Fairness::Fair);
        assert_eq!(s.votes, 0);
        assert!(s.distribution.is_empty());
    }
}
