//! The team's tracker, in and out: its CSV files read into items (`csv_import`) and written
//! back (`csv_export`), its markup turned into plain text (`markup`), a session's summary in
//! Markdown (`summary`). Pure: values in, values out, no I/O.

pub mod csv_export;
pub mod csv_import;
pub mod markup;
pub mod summary;

use readyroom_protocol::Tracker;
use serde::{Deserialize, Serialize};

/// A file's items, as the room applies (and its log keeps) them: parsed once, replayed as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub tracker: Tracker,
    /// The tracker's address (`https://acme.atlassian.net`), for each item's link back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_url: Option<String>,
    pub items: Vec<ImportedItem>,
}

/// One row of the file. Empty fields are left as the room has them when the row updates an
/// item imported before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedItem {
    /// The row in the file, counting the header as row 1, for messages.
    pub row: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub acceptance_criteria: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// Keys of the issues this one waits for (it is blocked by them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Keys of the issues that wait for this one (it blocks them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<String>,
}

/// The page of an issue in its tracker, from the tracker's address and the issue's key.
#[must_use]
pub fn issue_url(tracker: Tracker, base: &str, key: &str) -> Option<String> {
    let base = base.trim_end_matches('/');
    match tracker {
        Tracker::Jira => Some(format!("{base}/browse/{key}")),
        Tracker::Azure => Some(format!("{base}/_workitems/edit/{key}")),
        Tracker::Plain => None,
    }
}
