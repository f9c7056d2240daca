//! `docs/protocol.md` stays true: every example parses as the message it claims to be and
//! survives a round trip, and every command, server message, event, error code and limit is
//! documented.

// Helpers outside `#[test]` functions are test code too: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use readyroom_protocol::{ClientMessage, ErrorCode, ServerMessage};
use serde_json::Value;

use common::{
    COMMAND_TYPES, ERROR_CODES, EVENT_TYPES, SERVER_MESSAGE_TYPES, command_type, error_code_name,
    event_type, server_message_type,
};

/// Every constant of `readyroom_protocol::limits`, by name.
const LIMITS: &[(&str, u64)] = {
    use readyroom_protocol::limits::{
        DELIVERY_LOG_LENGTH, MAX_API_TOKEN_NAME_CHARS, MAX_API_TOKENS, MAX_PENDING_DELIVERIES,
        MAX_TEAM_ROOMS, MAX_WEBHOOK_URL_CHARS, MAX_WEBHOOKS,
    };
    use readyroom_protocol::limits::{
        HARD_MAX_FRAME_BYTES, MAX_CARD_CHARS, MAX_CUSTOM_CARDS, MAX_DEPENDENCIES,
        MAX_ESTIMATE_CHARS, MAX_FRAME_BYTES, MAX_ITEMS_PER_ROOM, MAX_LABEL_CHARS, MAX_LABELS,
        MAX_LINK_TITLE_CHARS, MAX_LINK_URL_CHARS, MAX_LINKS, MAX_LONG_TEXT_CHARS, MAX_NAME_CHARS,
        MAX_PARTICIPANTS_PER_ROOM, MAX_ROOM_NAME_CHARS, MAX_ROUNDS_IN_HISTORY, MAX_TIMER_SECONDS,
        MAX_TITLE_CHARS, PLACES_KEPT_FOR_FACILITATOR, REMEMBERED_REPLIES, TEXT_HISTORY_BYTES,
        TEXT_HISTORY_OPS,
    };
    &[
        ("MAX_FRAME_BYTES", MAX_FRAME_BYTES as u64),
        ("HARD_MAX_FRAME_BYTES", HARD_MAX_FRAME_BYTES as u64),
        ("MAX_NAME_CHARS", MAX_NAME_CHARS as u64),
        ("MAX_ROOM_NAME_CHARS", MAX_ROOM_NAME_CHARS as u64),
        ("MAX_TITLE_CHARS", MAX_TITLE_CHARS as u64),
        ("MAX_LONG_TEXT_CHARS", MAX_LONG_TEXT_CHARS as u64),
        ("MAX_LABELS", MAX_LABELS as u64),
        ("MAX_LABEL_CHARS", MAX_LABEL_CHARS as u64),
        ("MAX_LINKS", MAX_LINKS as u64),
        ("MAX_LINK_URL_CHARS", MAX_LINK_URL_CHARS as u64),
        ("MAX_LINK_TITLE_CHARS", MAX_LINK_TITLE_CHARS as u64),
        ("MAX_DEPENDENCIES", MAX_DEPENDENCIES as u64),
        ("MAX_ESTIMATE_CHARS", MAX_ESTIMATE_CHARS as u64),
        ("MAX_CUSTOM_CARDS", MAX_CUSTOM_CARDS as u64),
        ("MAX_CARD_CHARS", MAX_CARD_CHARS as u64),
        ("MAX_ITEMS_PER_ROOM", MAX_ITEMS_PER_ROOM as u64),
        (
            "PLACES_KEPT_FOR_FACILITATOR",
            PLACES_KEPT_FOR_FACILITATOR as u64,
        ),
        ("TEXT_HISTORY_OPS", TEXT_HISTORY_OPS as u64),
        ("TEXT_HISTORY_BYTES", TEXT_HISTORY_BYTES as u64),
        (
            "MAX_PARTICIPANTS_PER_ROOM",
            MAX_PARTICIPANTS_PER_ROOM as u64,
        ),
        ("MAX_ROUNDS_IN_HISTORY", MAX_ROUNDS_IN_HISTORY as u64),
        ("MAX_TIMER_SECONDS", MAX_TIMER_SECONDS as u64),
        ("REMEMBERED_REPLIES", REMEMBERED_REPLIES as u64),
        ("MAX_API_TOKENS", MAX_API_TOKENS as u64),
        ("MAX_API_TOKEN_NAME_CHARS", MAX_API_TOKEN_NAME_CHARS as u64),
        ("MAX_WEBHOOKS", MAX_WEBHOOKS as u64),
        ("MAX_WEBHOOK_URL_CHARS", MAX_WEBHOOK_URL_CHARS as u64),
        ("MAX_PENDING_DELIVERIES", MAX_PENDING_DELIVERIES as u64),
        ("DELIVERY_LOG_LENGTH", DELIVERY_LOG_LENGTH as u64),
        ("MAX_TEAM_ROOMS", MAX_TEAM_ROOMS as u64),
    ]
};

struct Block {
    info: String,
    /// 1-based line of the opening fence, for messages.
    line: usize,
    text: String,
}

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every fenced code block of a Markdown text.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (fence, open.take()) {
            (Some(info), None) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    line: index + 1,
                    text: String::new(),
                });
            }
            (Some(_), Some(block)) => blocks.push(block),
            (None, Some(mut block)) => {
                block.text.push_str(line);
                block.text.push('\n');
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "unterminated code block");
    blocks
}

fn parse_json(block: &Block) -> Value {
    serde_json::from_str(&block.text)
        .unwrap_or_else(|e| panic!("block at line {}: not JSON: {e}", block.line))
}

/// Parses a block as `T`, serialises it again and checks nothing was lost, added or changed.
fn round_trip<T>(block: &Block) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let original = parse_json(block);
    let message: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("block at line {} ({}): {e}", block.line, block.info));
    let again = serde_json::to_value(&message).unwrap();
    assert_eq!(
        again, original,
        "block at line {} does not survive a round trip",
        block.line
    );
    message
}

fn assert_documented(found: &BTreeSet<&str>, all: &[&str], what: &str) {
    let missing: Vec<&&str> = all.iter().filter(|name| !found.contains(*name)).collect();
    assert!(missing.is_empty(), "no example of {what} {missing:?}");
}

#[test]
fn every_example_parses_and_round_trips() {
    let markdown = doc();
    let mut commands = BTreeSet::new();
    let mut server_messages = BTreeSet::new();
    let mut events = BTreeSet::new();
    let mut http = 0;
    for block in blocks(&markdown) {
        match block.info.as_str() {
            "json client" => {
                let message: ClientMessage = round_trip(&block);
                commands.insert(command_type(&message.command));
            }
            "json server" => {
                let message: ServerMessage = round_trip(&block);
                server_messages.insert(server_message_type(&message));
                if let ServerMessage::Event(frame) = &message {
                    events.insert(event_type(&frame.event));
                }
            }
            "json" => {
                parse_json(&block);
                http += 1;
            }
            other => panic!(
                "block at line {}: unexpected info string {other:?}",
                block.line
            ),
        }
    }
    assert_documented(&commands, COMMAND_TYPES, "command");
    assert_documented(&server_messages, SERVER_MESSAGE_TYPES, "server message");
    assert_documented(&events, EVENT_TYPES, "event");
    assert!(http > 0, "no HTTP examples");
}

/// The cells of a Markdown table row, trimmed; `None` for a line that is not one.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// The lines of the section whose heading starts with `heading`, up to the next `## `.
fn section<'a>(markdown: &'a str, heading: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = markdown
        .lines()
        .skip_while(|line| !line.starts_with(heading))
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .collect();
    assert!(!lines.is_empty(), "no section {heading:?}");
    lines
}

#[test]
fn the_error_table_lists_every_error_code_and_nothing_else() {
    let markdown = doc();
    let mut documented = BTreeSet::new();
    for row in section(&markdown, "## 12. Error codes")
        .into_iter()
        .filter_map(cells)
    {
        let Some(first) = row.first() else { continue };
        let Some(code) = first.strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
            continue;
        };
        let parsed: ErrorCode = serde_json::from_value(Value::from(code))
            .unwrap_or_else(|e| panic!("{code} is not an error code: {e}"));
        documented.insert(error_code_name(&parsed));
    }
    assert_documented(&documented, ERROR_CODES, "error code");
}

#[test]
fn every_limit_is_in_the_table_with_its_value() {
    let markdown = doc();
    let table = section(&markdown, "## 13. Limits");
    for (name, value) in LIMITS {
        let code = format!("`{name}`");
        let row = table
            .iter()
            .copied()
            .filter_map(cells)
            .find(|row| row.first() == Some(&code.as_str()))
            .unwrap_or_else(|| panic!("{name} is not in the limits table"));
        let documented: String = row
            .get(1)
            .unwrap_or_else(|| panic!("{name} has no value"))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert_eq!(documented, value.to_string(), "{name}");
    }
}

/// The words in backticks of a text.
fn backticked(text: &str) -> BTreeSet<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_overview_names_every_server_message_type() {
    let markdown = doc();
    let marker = "server message has a `type`:";
    let start = markdown
        .find(marker)
        .unwrap_or_else(|| panic!("no sentence {marker:?}"))
        + marker.len();
    let rest = &markdown[start..];
    let sentence = &rest[..rest.find('.').unwrap()];
    let named = backticked(sentence);
    let all: BTreeSet<&str> = SERVER_MESSAGE_TYPES.iter().copied().collect();
    assert_eq!(named, all, "{sentence}");
}
