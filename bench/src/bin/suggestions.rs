//! How good estimate suggestions are: leave-one-out over a history, each item's estimate
//! hidden and suggested from all the others, exactly as the server suggests it. Prints the
//! share of items that get a suggestion, and the share of those within one card of the
//! estimate the team accepted, next to a baseline measured on the same items in the same run:
//! the median of the other estimates, without looking at the text (what a team guessing "our
//! usual size" would say).
//!
//! Histories: a seeded synthetic one (topics with their own sizes, words that make an item
//! bigger or smaller, and noise, as real teams are noisy), and any CSV files given, read with
//! the server's own importer (Jira, Azure DevOps or plain; the first 1,000 rows).
//!
//! ```sh
//! cargo run --release -p readyroom-bench --bin suggestions -- --items 400 --seed 7 [--csv FILE]…
//! ```

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use readyroom_protocol::{Deck, DeckChoice, ItemId, ItemView};
use readyroom_server::suggest::{position_in, suggest};
use readyroom_server::tracker::csv_import;

#[derive(Debug, Parser)]
struct Args {
    /// Items in the synthetic history.
    #[arg(long, default_value_t = 400)]
    items: usize,
    /// Seed of the synthetic history.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// CSV exports to measure on as well.
    #[arg(long)]
    csv: Vec<PathBuf>,
}

/// Topic, its words, and the deck position its typical item sits at.
const TOPICS: &[(&str, &[&str], usize)] = &[
    (
        "export",
        &["csv", "spreadsheet", "download", "columns", "file"],
        4,
    ),
    ("login", &["password", "session", "sso", "token", "sign"], 6),
    (
        "payment",
        &["card", "checkout", "refund", "invoice", "charge"],
        7,
    ),
    (
        "search",
        &["filter", "index", "query", "results", "sort"],
        5,
    ),
    (
        "notification",
        &["mail", "push", "digest", "unsubscribe", "template"],
        4,
    ),
    (
        "report",
        &["chart", "dashboard", "totals", "weekly", "pdf"],
        5,
    ),
    (
        "profile",
        &["avatar", "name", "settings", "timezone", "language"],
        3,
    ),
    (
        "admin",
        &["roles", "permissions", "audit", "users", "team"],
        6,
    ),
    (
        "import",
        &["upload", "mapping", "preview", "rows", "errors"],
        6,
    ),
    (
        "mobile",
        &["phone", "touch", "offline", "layout", "gesture"],
        7,
    ),
];
/// Words that make an item bigger or smaller, and by how many cards.
const MODIFIERS: &[(&str, isize)] = &[
    ("typo", -2),
    ("rename", -1),
    ("simple", -1),
    ("bulk", 1),
    ("integration", 1),
    ("migration", 2),
    ("redesign", 2),
];
const FILLER: &[&str] = &[
    "make", "sure", "page", "button", "works", "shows", "team", "list", "view", "data", "update",
    "new", "old", "change", "small", "screen",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let deck = readyroom_server::room::resolve_deck(&DeckChoice::default())
        .map_err(|error| anyhow::anyhow!(error.message))?;
    let synthetic = synthetic_history(args.items, args.seed, &deck);
    report(
        &format!("synthetic, {} items, seed {}", args.items, args.seed),
        &synthetic,
        &deck,
    );
    for path in &args.csv {
        let history = csv_history(path)?;
        report(&path.display().to_string(), &history, &deck);
    }
    Ok(())
}

fn item(
    n: usize,
    title: &str,
    description: &str,
    labels: &[String],
    estimate: &str,
) -> anyhow::Result<ItemView> {
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip((n as u64 + 1).to_le_bytes()) {
        *slot = byte;
    }
    Ok(serde_json::from_value(serde_json::json!({
        "id": ItemId::from_random_bytes(bytes), "rank": "80", "title": title,
        "description": description, "acceptance_criteria": "", "labels": labels, "links": [],
        "dependencies": [], "estimate": estimate, "status": "new", "history": [], "created_at": 0
    }))?)
}

fn synthetic_history(count: usize, seed: u64, deck: &Deck) -> Vec<ItemView> {
    let mut rng = StdRng::seed_from_u64(seed);
    let sizes: Vec<&String> = deck
        .cards
        .iter()
        .filter(|c| readyroom_protocol::card_value(c).is_some())
        .collect();
    let mut items = Vec::with_capacity(count);
    for n in 0..count {
        let Some(&(topic, words, base)) = TOPICS.choose(&mut rng) else {
            break;
        };
        let pick = |rng: &mut StdRng| words.choose(rng).copied().unwrap_or(topic);
        let mut position = isize::try_from(base).unwrap_or(0);
        let mut title = vec![topic];
        for _ in 0..rng.random_range(1..3) {
            title.push(pick(&mut rng));
        }
        if rng.random_bool(0.4) {
            if let Some(&(word, shift)) = MODIFIERS.choose(&mut rng) {
                title.push(word);
                position += shift;
            }
        }
        let mut description = Vec::new();
        for _ in 0..rng.random_range(4..12) {
            description.push(if rng.random_bool(0.5) {
                pick(&mut rng)
            } else {
                FILLER.choose(&mut rng).copied().unwrap_or("page")
            });
        }
        // Teams are noisy: a third of the estimates are a card off.
        if rng.random_bool(0.33) {
            position += if rng.random_bool(0.5) { 1 } else { -1 };
        }
        let last = isize::try_from(sizes.len().saturating_sub(1)).unwrap_or(0);
        let Some(size) = usize::try_from(position.clamp(1, last))
            .ok()
            .and_then(|at| sizes.get(at))
        else {
            continue;
        };
        let labels = if rng.random_bool(0.5) {
            vec![topic.to_owned()]
        } else {
            Vec::new()
        };
        if let Ok(item) = item(n, &title.join(" "), &description.join(" "), &labels, size) {
            items.push(item);
        }
    }
    items
}

fn csv_history(path: &PathBuf) -> anyhow::Result<Vec<ItemView>> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    // The importer takes at most a room's worth of rows.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader
        .records()
        .take(readyroom_protocol::limits::MAX_ITEMS_PER_ROOM + 1)
    {
        writer.write_record(&record?)?;
    }
    let trimmed = writer.into_inner()?;
    let parsed =
        csv_import::parse(&trimmed, None, &[]).map_err(|error| anyhow::anyhow!(error.message))?;
    parsed
        .items
        .into_iter()
        .enumerate()
        .filter_map(|(n, row)| {
            let estimate = row.estimate?;
            Some(item(
                n,
                &row.title,
                &row.description,
                &row.labels,
                &estimate,
            ))
        })
        .collect()
}

fn report(name: &str, history: &[ItemView], deck: &Deck) {
    let refs: Vec<&ItemView> = history.iter().collect();
    // Cards compared as the server places estimates on the deck.
    let position = |card: &str| position_in(deck, card);
    let started = std::time::Instant::now();
    let (mut suggested, mut near, mut exact, mut baseline_near) = (0usize, 0usize, 0usize, 0usize);
    for target in history {
        let Some(truth) = target.estimate.as_deref().and_then(position) else {
            continue;
        };
        let suggestion = suggest(target, &refs, deck);
        let Some(guess) = suggestion.suggested.as_deref().and_then(position) else {
            continue;
        };
        suggested += 1;
        near += usize::from(guess.abs_diff(truth) <= 1);
        exact += usize::from(guess == truth);
        // The baseline answers the same items: the median of all other estimates.
        let mut others: Vec<usize> = history
            .iter()
            .filter(|other| other.id != target.id)
            .filter_map(|other| other.estimate.as_deref().and_then(position))
            .collect();
        others.sort_unstable();
        if let Some(median) = others.get(others.len() / 2) {
            baseline_near += usize::from(median.abs_diff(truth) <= 1);
        }
    }
    let share = |part: usize, whole: usize| {
        if whole == 0 {
            0.0
        } else {
            100.0 * part as f64 / whole as f64
        }
    };
    println!(
        "{name}: {} items, {suggested} suggested ({:.0}%); within one card {:.1}% (exact {:.1}%); \
         baseline (the history's median) within one card {:.1}%; ratio {:.2}; {:.1} ms per suggestion",
        history.len(),
        share(suggested, history.len()),
        share(near, suggested),
        share(exact, suggested),
        share(baseline_near, suggested),
        if baseline_near == 0 {
            0.0
        } else {
            near as f64 / baseline_near as f64
        },
        started.elapsed().as_secs_f64() * 1000.0 / history.len().max(1) as f64,
    );
}
