//! A tracker's CSV export read into items: Jira's "Export CSV (all fields)", Azure DevOps'
//! query results, or any CSV with a `title` column. Which tracker wrote it is told by its
//! headers; which column holds what is shown (and can be changed) before anything is imported.
//! A file with one bad row imports nothing, and the message names the row and the column.

use readyroom_protocol::limits::{
    MAX_ESTIMATE_CHARS, MAX_ITEMS_PER_ROOM, MAX_LABEL_CHARS, MAX_LABELS, MAX_LONG_TEXT_CHARS,
    MAX_TITLE_CHARS,
};
use readyroom_protocol::{ErrorCode, Tracker};
use serde::{Deserialize, Serialize};

use super::ImportedItem;
use super::markup::{html_to_text, jira_to_text};
use crate::room::CommandError;

/// How a tracker's priority is kept among an item's labels: `priority: High`.
pub const PRIORITY_LABEL: &str = "priority:";

/// The longest issue key kept: Jira's are `PROJECT-12345`, Azure's a number.
pub const MAX_KEY_CHARS: usize = 100;

/// What a column of the file fills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Key,
    Title,
    Description,
    AcceptanceCriteria,
    Estimate,
    Labels,
    /// A label `priority: High`.
    Priority,
    /// Keys of issues this one waits for (Jira's "Inward issue link (Blocks)").
    DependsOn,
    /// Keys of issues waiting for this one (Jira's "Outward issue link (Blocks)").
    Blocks,
    Ignored,
}

/// One column of the file and what it fills in; `column` counts from 1, as a spreadsheet does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ColumnUse {
    pub column: usize,
    pub header: String,
    pub field: Field,
}

/// A file read: who wrote it, how its columns were used, its items in file order, and what
/// was read differently from how it was written (a text cut to the limit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub tracker: Tracker,
    pub columns: Vec<ColumnUse>,
    pub items: Vec<ImportedItem>,
    pub warnings: Vec<String>,
}

/// Reads a CSV file. `tracker` overrides the guess from the headers; `overrides` sets what
/// given columns (counted from 1) fill in, over what their headers say.
///
/// # Errors
/// `invalid_csv`, naming the row and column, for anything that keeps the whole file from
/// being imported.
pub fn parse(
    bytes: &[u8],
    tracker: Option<Tracker>,
    overrides: &[(usize, Field)],
) -> Result<Parsed, CommandError> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes
            .iter()
            .take(error.valid_up_to())
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        invalid(format!(
            "line {line} is not UTF-8 text; save the file as “CSV UTF-8”"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(record) => record
            .map_err(|error| csv_error(&error))?
            .iter()
            .map(|header| header.trim().to_owned())
            .collect(),
        None => return Err(invalid("the file is empty")),
    };
    let tracker = match tracker {
        Some(tracker) => tracker,
        None => guess_tracker(&headers)?,
    };
    let mut columns: Vec<ColumnUse> = headers
        .iter()
        .enumerate()
        .map(|(index, header)| ColumnUse {
            column: index + 1,
            header: header.clone(),
            field: field_of(tracker, header),
        })
        .collect();
    for &(column, field) in overrides {
        let Some(slot) = column.checked_sub(1).and_then(|i| columns.get_mut(i)) else {
            return Err(invalid(format!(
                "there is no column {column}: the file has {}",
                headers.len()
            )));
        };
        slot.field = field;
    }
    if !columns.iter().any(|c| c.field == Field::Title) {
        return Err(invalid(match tracker {
            Tracker::Jira => "no “Summary” column: which column holds the titles?",
            Tracker::Azure => "no “Title” column: which column holds the titles?",
            Tracker::Plain => "no “title” column: which column holds the titles?",
        }));
    }
    let mut items: Vec<ImportedItem> = Vec::new();
    let mut warnings = Vec::new();
    for (index, record) in records.enumerate() {
        let record = record.map_err(|error| csv_error(&error))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if items.len() == MAX_ITEMS_PER_ROOM {
            return Err(invalid(format!(
                "the file has more than {MAX_ITEMS_PER_ROOM} items, the most a room holds"
            )));
        }
        // The header is row 1.
        let row = index + 2;
        let item = read_row(tracker, &columns, &record, row, &mut warnings)?;
        if let Some(key) = &item.key {
            if let Some(first) = items.iter().find(|other| other.key.as_ref() == Some(key)) {
                return Err(invalid(format!(
                    "row {row}: the key {key} is also on row {}",
                    first.row
                )));
            }
        }
        items.push(item);
    }
    if items.is_empty() {
        return Err(invalid("the file has a header but no items"));
    }
    Ok(Parsed {
        tracker,
        columns,
        items,
        warnings,
    })
}

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidCsv, message)
}

fn csv_error(error: &csv::Error) -> CommandError {
    let row = error.position().map(|p| p.record() + 1);
    match (error.kind(), row) {
        (
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            },
            Some(row),
        ) => invalid(format!(
            "row {row} has {len} columns, the header has {expected_len}; is a quote missing?"
        )),
        (_, Some(row)) => invalid(format!("row {row} cannot be read: {error}")),
        (_, None) => invalid(format!("the file cannot be read: {error}")),
    }
}

/// Commas, or what a spreadsheet in a comma-decimal locale writes (`;`), or tabs: whichever the
/// header line has most of outside quotes.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (delimiter, count) in &mut counts {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .filter(|(_, count)| *count > 0)
        .map_or(b',', |(delimiter, _)| *delimiter)
}

fn guess_tracker(headers: &[String]) -> Result<Tracker, CommandError> {
    let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if has("issue key") || has("summary") {
        Ok(Tracker::Jira)
    } else if has("work item type") || (has("id") && has("title") && has("tags")) {
        Ok(Tracker::Azure)
    } else if has("title") {
        Ok(Tracker::Plain)
    } else {
        Err(invalid(
            "which tracker wrote this file? Expected Jira's “Summary”, Azure DevOps' “Title” \
             or a “title” column",
        ))
    }
}

/// What a column fills in, by its header and the tracker that wrote it.
#[must_use]
pub fn field_of(tracker: Tracker, header: &str) -> Field {
    let header = header.trim().to_ascii_lowercase();
    let header = header.as_str();
    match (tracker, header) {
        (Tracker::Jira, "issue key")
        | (Tracker::Azure, "id")
        | (Tracker::Plain, "key" | "id" | "issuekey" | "issue key") => Field::Key,
        (Tracker::Jira, "summary") | (Tracker::Azure | Tracker::Plain, "title") => Field::Title,
        (_, "description") => Field::Description,
        (
            _,
            "custom field (acceptance criteria)" | "acceptance criteria" | "acceptance_criteria",
        ) => Field::AcceptanceCriteria,
        (
            _,
            "custom field (story points)"
            | "custom field (story point estimate)"
            | "story points"
            | "story point estimate",
        )
        | (Tracker::Plain, "estimate" | "points" | "storypoint" | "storypoints") => Field::Estimate,
        (Tracker::Jira, "labels")
        | (Tracker::Azure, "tags")
        | (Tracker::Plain, "labels" | "tags") => Field::Labels,
        (_, "priority") => Field::Priority,
        (Tracker::Jira, "inward issue link (blocks)")
        | (Tracker::Plain, "depends on" | "depends_on" | "dependencies") => Field::DependsOn,
        (Tracker::Jira, "outward issue link (blocks)") | (Tracker::Plain, "blocks") => {
            Field::Blocks
        }
        _ => Field::Ignored,
    }
}

fn read_row(
    tracker: Tracker,
    columns: &[ColumnUse],
    record: &csv::StringRecord,
    row: usize,
    warnings: &mut Vec<String>,
) -> Result<ImportedItem, CommandError> {
    let mut item = ImportedItem {
        row,
        ..ImportedItem::default()
    };
    let mut title_column = "";
    for (use_, cell) in columns.iter().zip(record.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let at =
            |problem: String| invalid(format!("row {row}, column “{}”: {problem}", use_.header));
        match use_.field {
            Field::Key if item.key.is_none() => {
                if cell.chars().count() > MAX_KEY_CHARS {
                    return Err(at(format!("a key is at most {MAX_KEY_CHARS} characters")));
                }
                item.key = Some(cell.to_owned());
            }
            Field::Title if item.title.is_empty() => {
                title_column = &use_.header;
                let title = one_line(cell);
                if title.chars().count() > MAX_TITLE_CHARS {
                    return Err(at(format!(
                        "a title is at most {MAX_TITLE_CHARS} characters"
                    )));
                }
                item.title = title;
            }
            Field::Description if item.description.is_empty() => {
                let mut cut = false;
                item.description = long_text(tracker, cell, &mut cut);
                if cut {
                    warnings.push(format!(
                        "row {row}, column “{}”: cut to {MAX_LONG_TEXT_CHARS} characters",
                        use_.header
                    ));
                }
            }
            Field::AcceptanceCriteria if item.acceptance_criteria.is_empty() => {
                let mut cut = false;
                item.acceptance_criteria = long_text(tracker, cell, &mut cut);
                if cut {
                    warnings.push(format!(
                        "row {row}, column “{}”: cut to {MAX_LONG_TEXT_CHARS} characters",
                        use_.header
                    ));
                }
            }
            Field::Estimate if item.estimate.is_none() => {
                item.estimate = Some(estimate(cell).map_err(at)?);
            }
            Field::Labels => {
                for label in split_list(tracker, cell) {
                    add_label(&mut item.labels, label).map_err(at)?;
                }
            }
            Field::Priority => {
                add_label(&mut item.labels, &format!("{PRIORITY_LABEL} {cell}")).map_err(at)?;
            }
            Field::DependsOn => item.depends_on.extend(split_keys(cell)),
            Field::Blocks => item.blocks.extend(split_keys(cell)),
            _ => {}
        }
    }
    if item.title.is_empty() {
        let column = columns
            .iter()
            .find(|c| c.field == Field::Title)
            .map_or(title_column, |c| c.header.as_str());
        return Err(invalid(format!(
            "row {row}, column “{column}”: the title is empty"
        )));
    }
    Ok(item)
}

/// Text on one line, runs of whitespace (line breaks too) as one space.
pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A description or acceptance criteria as plain text. Trackers allow longer texts than an
/// item holds (a pasted log, a stack trace): those are cut at the limit, and the cut said, rather
/// than the whole file refused.
fn long_text(tracker: Tracker, cell: &str, cut: &mut bool) -> String {
    let text = match tracker {
        Tracker::Jira => jira_to_text(cell),
        Tracker::Azure => html_to_text(cell),
        Tracker::Plain => cell.replace("\r\n", "\n"),
    };
    match text.char_indices().nth(MAX_LONG_TEXT_CHARS) {
        Some((end, _)) => {
            *cut = true;
            let mut kept = text;
            kept.truncate(end);
            kept
        }
        None => text,
    }
}

/// Story points as a card: `3.0` is `3`, `0.5` stays; a size that is not a number (a T-shirt
/// size in a plain file) is kept as written.
fn estimate(cell: &str) -> Result<String, String> {
    let value = match cell.replace(',', ".").parse::<f64>() {
        Ok(number) if number.is_finite() && number >= 0.0 => {
            if number.fract() == 0.0 {
                format!("{number:.0}")
            } else {
                format!("{number}")
            }
        }
        Ok(_) => return Err(format!("“{cell}” is not an estimate")),
        Err(_) => cell.to_owned(),
    };
    if value.chars().count() > MAX_ESTIMATE_CHARS {
        return Err(format!(
            "an estimate is at most {MAX_ESTIMATE_CHARS} characters"
        ));
    }
    Ok(value)
}

/// Jira writes one label per column (the column repeats), Azure DevOps `a; b` in one cell, a
/// plain file either commas or semicolons.
fn split_list(tracker: Tracker, cell: &str) -> Vec<&str> {
    match tracker {
        Tracker::Jira => vec![cell],
        Tracker::Azure => cell.split(';').collect(),
        Tracker::Plain => cell.split([';', ',']).collect(),
    }
}

fn split_keys(cell: &str) -> impl Iterator<Item = String> {
    cell.split([';', ',', ' '])
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter()
}

fn add_label(labels: &mut Vec<String>, label: &str) -> Result<(), String> {
    let label = one_line(label);
    if label.is_empty() || labels.contains(&label) {
        return Ok(());
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(format!(
            "the label “{label}” is longer than {MAX_LABEL_CHARS} characters"
        ));
    }
    if labels.len() == MAX_LABELS {
        return Err(format!("an item has at most {MAX_LABELS} labels"));
    }
    labels.push(label);
    Ok(())
}

#[cfg(test)]
mod tests;
