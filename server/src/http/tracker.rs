//! The team's tracker over HTTP: `POST /api/rooms/{id}/import/csv` reads a Jira, Azure DevOps
//! or plain CSV file into the room (or, with `dry_run=true`, says what it would do);
//! `GET /api/rooms/{id}/export/csv` writes the backlog back in the tracker's format;
//! `GET /api/rooms/{id}/summary.md` sums the latest session up in Markdown.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use readyroom_protocol::{ErrorCode, ItemId, RoomId, Tracker};
use serde::{Deserialize, Serialize};

use super::{
    ApiError, AppState, MEMBER_TOKEN, bad_query, bearer_or, client_of, import_slot, no_store,
    read_body, read_with_token, require_content_type, room_export,
};
use crate::room::RowOutcome;
use crate::room::api::Need;
use crate::tracker::csv_import::{self, ColumnUse, Field};
use crate::tracker::{ImportBatch, ImportedItem, csv_export, summary};

/// The largest CSV file read: a Jira export of 1,000 issues with long descriptions.
pub const CSV_BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    /// `jira`, `azure` or `plain`; guessed from the headers when absent.
    format: Option<String>,
    /// The tracker's address, for each item's link back (`https://acme.atlassian.net`).
    tracker_url: Option<String>,
    /// Say what would be imported, and change nothing.
    #[serde(default)]
    dry_run: bool,
    /// What given columns fill in, over their headers: `2=title,5=estimate,7=ignored`.
    columns: Option<String>,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    tracker: Tracker,
    dry_run: bool,
    columns: Vec<ColumnUse>,
    rows: Vec<RowReport>,
    created: usize,
    updated: usize,
    unchanged: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped_links: Vec<String>,
    /// What was read differently from how it was written (a text cut to the limit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RowReport {
    row: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<String>,
    /// `create` or `update` (before the import), what happened after it: `created`,
    /// `updated` or `unchanged`.
    action: &'static str,
    /// The item it became or matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    item_id: Option<ItemId>,
}

pub async fn import_csv(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let Query(query) = query.map_err(|rejection| bad_query(&rejection))?;
    let (parts, body) = request.into_parts();
    require_content_type(&parts.headers, "text/csv")?;
    let token = bearer_or(
        &parts.headers,
        "the facilitator token or an API token that may write",
    )?;
    let tracker = query.format.as_deref().map(tracker_named).transpose()?;
    let overrides = query
        .columns
        .as_deref()
        .map(column_overrides)
        .transpose()?
        .unwrap_or_default();
    let _reading = import_slot(&state, client_of(&state, peer, &parts.headers))?;
    let body = read_body(body, CSV_BODY_LIMIT, state.config.body_timeout).await?;
    let parsed = csv_import::parse(&body, tracker, &overrides)?;
    drop(body);
    let batch = ImportBatch {
        tracker: parsed.tracker,
        tracker_url: query.tracker_url.filter(|url| !url.trim().is_empty()),
        items: parsed.items,
    };
    let report = if query.dry_run {
        let matches = state
            .registry
            .read(room_id, {
                let batch = batch.clone();
                move |room| {
                    room.require(&token, Need::Write)?;
                    room.preview_import(&batch)
                }
            })
            .await?
            .ok_or_else(ApiError::room_not_found)?;
        let rows = batch
            .items
            .into_iter()
            .zip(matches)
            .map(|(item, existing)| {
                row_report(
                    item,
                    existing,
                    if existing.is_some() {
                        "update"
                    } else {
                        "create"
                    },
                )
            })
            .collect::<Vec<_>>();
        ImportReport {
            tracker: batch.tracker,
            dry_run: true,
            columns: parsed.columns,
            created: rows.iter().filter(|r| r.action == "create").count(),
            updated: rows.iter().filter(|r| r.action == "update").count(),
            unchanged: 0,
            rows,
            skipped_links: Vec::new(),
            warnings: parsed.warnings,
        }
    } else {
        let tracker = batch.tracker;
        let items = batch.items.clone();
        let summary = state
            .registry
            .import_items(room_id, token, batch)
            .await?
            .ok_or_else(ApiError::room_not_found)?;
        let rows = items
            .into_iter()
            .zip(&summary.rows)
            .map(|(item, &(outcome, item_id))| {
                let action = match outcome {
                    RowOutcome::Created => "created",
                    RowOutcome::Updated => "updated",
                    RowOutcome::Unchanged => "unchanged",
                };
                row_report(item, item_id, action)
            })
            .collect();
        ImportReport {
            tracker,
            dry_run: false,
            columns: parsed.columns,
            rows,
            created: summary.created.len(),
            updated: summary.updated.len(),
            unchanged: summary.unchanged,
            skipped_links: summary.skipped_links,
            warnings: parsed.warnings,
        }
    };
    Ok(no_store(Json(report)))
}

fn row_report(item: ImportedItem, item_id: Option<ItemId>, action: &'static str) -> RowReport {
    RowReport {
        row: item.row,
        key: item.key,
        title: item.title,
        estimate: item.estimate,
        action,
        item_id,
    }
}

fn tracker_named(name: &str) -> Result<Tracker, ApiError> {
    match name {
        "jira" => Ok(Tracker::Jira),
        "azure" => Ok(Tracker::Azure),
        "plain" => Ok(Tracker::Plain),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidValue,
            format!("format must be jira, azure or plain, not “{other}”"),
        )),
    }
}

/// `2=title,5=estimate`: columns counted from 1, fields by their wire names.
fn column_overrides(text: &str) -> Result<Vec<(usize, Field)>, ApiError> {
    let bad = |part: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidValue,
            format!(
                "“{part}” is not a column and a field, as in 2=title (fields: key, title, \
                 description, acceptance_criteria, estimate, labels, priority, depends_on, \
                 blocks, ignored)"
            ),
        )
    };
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (column, field) = part.split_once('=').ok_or_else(|| bad(part))?;
            let column: usize = column.trim().parse().map_err(|_| bad(part))?;
            let field: Field =
                serde_json::from_value(serde_json::Value::String(field.trim().to_owned()))
                    .map_err(|_| bad(part))?;
            Ok((column, field))
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    /// `jira`, `azure` or `plain` (the default).
    format: Option<String>,
}

pub async fn export_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<ExportQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let Query(query) = query.map_err(|rejection| bad_query(&rejection))?;
    let tracker = tracker_named(query.format.as_deref().unwrap_or("plain"))?;
    let export = room_export(&state, room_id, &headers).await?;
    let csv = csv_export::export(&export, tracker).map_err(|error| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            format!("the CSV could not be written: {error}"),
        )
    })?;
    let name = match tracker {
        Tracker::Jira => "jira",
        Tracker::Azure => "azure",
        Tracker::Plain => "plain",
    };
    Ok(no_store((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"readyroom-{room_id}-{name}.csv\""),
            ),
        ],
        csv,
    )))
}

pub async fn summary_md(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let report = read_with_token(&state, &id, &headers, MEMBER_TOKEN, |room, token| {
        room.session_report(token, crate::clock::now_ms())
    })
    .await?;
    Ok(no_store((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"readyroom-{}-summary.md\"",
                    report.room.room_id
                ),
            ),
        ],
        summary::markdown(&report),
    )))
}
