//! Estimate suggestions from a team's own history, offline and explainable: the items most
//! like this one by their words (BM25 over title, description and acceptance criteria, the
//! title counting twice) and shared labels, and the similarity-weighted median of their
//! estimates, snapped to the deck. Deterministic: the same backlog always gives the same answer.

use std::collections::HashMap;

use readyroom_protocol::{
    Confidence, Deck, EstimateSuggestion, ItemView, SuggestionReference, card_value,
};

/// Fewer matches than this suggest nothing: two items are an anecdote, not a history.
pub const MIN_MATCHES: usize = 3;
/// The matches whose estimates are weighed.
const WEIGHED: usize = 7;
/// The references shown.
const SHOWN: usize = 3;
/// A reference sharing less than this (0–1) with the item is no match.
const MIN_SIMILARITY: f64 = 0.04;
/// BM25's usual constants: term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Words too common in backlogs to say anything about an item.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "has", "have",
    "if", "in", "is", "it", "its", "not", "of", "on", "or", "should", "so", "that", "the", "their",
    "then", "there", "this", "to", "when", "with", "we", "will", "would", "you", "our", "all",
    "any", "but", "into", "than", "them", "they", "was", "which", "who", "what", "given", "user",
    "users", "able",
];

/// A document as BM25 sees it: how often each term occurs, and how many terms in all.
#[derive(Debug, Default)]
struct Document {
    terms: HashMap<String, u32>,
    length: u32,
}

fn document(item: &ItemView) -> Document {
    let mut doc = Document::default();
    let mut add = |term: String| {
        *doc.terms.entry(term).or_default() += 1;
        doc.length += 1;
    };
    for _ in 0..2 {
        words(&item.title).for_each(&mut add);
    }
    words(&item.description).for_each(&mut add);
    words(&item.acceptance_criteria).for_each(&mut add);
    for label in &item.labels {
        // A label is a term no word can be, weighed like a word in the title.
        let term = format!("#{}", label.to_lowercase());
        add(term.clone());
        add(term);
    }
    doc
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() > 1)
        .map(str::to_lowercase)
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .map(|word| stem(&word))
}

/// The plural and verb endings that make "exports" and "exporting" different words.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stemmed) = word.strip_suffix(suffix) {
            if stemmed.chars().count() >= 3 {
                return stemmed.to_owned();
            }
        }
    }
    word.to_owned()
}

/// The suggestion for `target` from `history` (items with estimates; the target itself and
/// items without an estimate are left out), in `deck`'s cards.
#[must_use]
pub fn suggest(target: &ItemView, history: &[&ItemView], deck: &Deck) -> EstimateSuggestion {
    let references: Vec<(&ItemView, &str)> = history
        .iter()
        .filter(|item| item.id != target.id)
        .filter_map(|item| Some((*item, item.estimate.as_deref()?)))
        .filter(|(_, estimate)| position_in(deck, estimate).is_some())
        .collect();
    let documents: Vec<Document> = references.iter().map(|(item, _)| document(item)).collect();
    let query = document(target);
    let scores = bm25(&query, &documents);
    let mut ranked: Vec<(usize, f64)> = scores
        .into_iter()
        .enumerate()
        .filter(|(_, similarity)| *similarity >= MIN_SIMILARITY)
        .collect();
    // Most similar first; ties in backlog order, so the answer never depends on hashing.
    ranked.sort_by(|(a_at, a), (b_at, b)| b.total_cmp(a).then(a_at.cmp(b_at)));
    let matches = ranked.len();
    let mut suggestion = EstimateSuggestion {
        item_id: target.id,
        matches: u32::try_from(matches).unwrap_or(u32::MAX),
        suggested: None,
        confidence: None,
        references: Vec::new(),
    };
    if matches < MIN_MATCHES {
        return suggestion;
    }
    let weighed: Vec<(usize, f64)> = ranked
        .iter()
        .take(WEIGHED)
        .filter_map(|&(at, similarity)| {
            let (_, estimate) = references.get(at)?;
            Some((position_in(deck, estimate)?, similarity))
        })
        .collect();
    let Some(position) = weighted_median(&weighed) else {
        return suggestion;
    };
    let total: f64 = weighed.iter().map(|(_, weight)| weight).sum();
    let near: f64 = weighed
        .iter()
        .filter(|(at, _)| at.abs_diff(position) <= 1)
        .map(|(_, weight)| weight)
        .sum();
    let agreement = if total > 0.0 { near / total } else { 0.0 };
    suggestion.suggested = deck.cards.get(position).cloned();
    suggestion.confidence = Some(if agreement >= 0.8 {
        Confidence::High
    } else if agreement >= 0.6 {
        Confidence::Medium
    } else {
        Confidence::Low
    });
    suggestion.references = ranked
        .iter()
        .take(SHOWN)
        .filter_map(|&(at, similarity)| {
            let (item, estimate) = references.get(at)?;
            Some(SuggestionReference {
                item_id: item.id,
                title: item.title.clone(),
                estimate: (*estimate).to_owned(),
                similarity: (similarity * 100.0).round() / 100.0,
                room: None,
            })
        })
        .collect();
    suggestion
}

/// Each document's BM25 score for the query, divided by the best score a document could
/// get (every query term, often, in a short document): 0 to 1, comparable across items.
fn bm25(query: &Document, documents: &[Document]) -> Vec<f64> {
    let count = documents.len() as f64;
    if documents.is_empty() {
        return Vec::new();
    }
    let average_length = documents.iter().map(|d| f64::from(d.length)).sum::<f64>() / count;
    let mut idf: HashMap<&str, f64> = HashMap::new();
    for term in query.terms.keys() {
        let holding = documents
            .iter()
            .filter(|d| d.terms.contains_key(term))
            .count() as f64;
        idf.insert(term, ((count - holding + 0.5) / (holding + 0.5) + 1.0).ln());
    }
    let best: f64 = idf.values().map(|idf| idf * (K1 + 1.0)).sum();
    if best <= 0.0 {
        return vec![0.0; documents.len()];
    }
    documents
        .iter()
        .map(|doc| {
            let norm = K1 * (1.0 - B + B * f64::from(doc.length) / average_length.max(1.0));
            query
                .terms
                .keys()
                .filter_map(|term| {
                    let tf = f64::from(*doc.terms.get(term)?);
                    Some(
                        idf.get(term.as_str()).copied().unwrap_or(0.0) * tf * (K1 + 1.0)
                            / (tf + norm),
                    )
                })
                .sum::<f64>()
                / best
        })
        .collect()
}

/// Where an estimate sits among the deck's cards: its own place, or for a number not on the
/// deck (an estimate from before the deck changed, an import), the nearest card's.
#[must_use]
pub fn position_in(deck: &Deck, estimate: &str) -> Option<usize> {
    if readyroom_protocol::is_special(estimate) {
        return None;
    }
    if let Some(at) = deck.position(estimate) {
        return Some(at);
    }
    let value = card_value(estimate)?;
    deck.cards
        .iter()
        .enumerate()
        .filter_map(|(at, card)| Some((at, (card_value(card)? - value).abs())))
        .min_by(|(_, a), (_, b)| a.total_cmp(b))
        .map(|(at, _)| at)
}

/// The position at which half the weight lies on either side.
fn weighted_median(weighed: &[(usize, f64)]) -> Option<usize> {
    let mut sorted = weighed.to_vec();
    sorted.sort_by_key(|(at, _)| *at);
    let total: f64 = sorted.iter().map(|(_, weight)| weight).sum();
    let mut running = 0.0;
    for (at, weight) in &sorted {
        running += weight;
        if running >= total / 2.0 {
            return Some(*at);
        }
    }
    sorted.last().map(|(at, _)| *at)
}

#[cfg(test)]
mod tests;
