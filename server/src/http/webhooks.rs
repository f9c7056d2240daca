//! A room's outgoing webhooks, for its facilitator: configure them
//! (`/api/rooms/{id}/webhooks`), read each one's latest deliveries, send a ping, and retry a
//! delivery that failed.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use readyroom_protocol::{NewWebhook, RoomId, WebhookCreated, WebhookWithLog};

use super::api::{FACILITATOR, body, change, room_id};
use super::{ApiError, AppState, bearer_or, no_store, read_with_token};
use crate::room::CommandError;
use crate::room::api::{ApiChange, ApiOutcome, Need};
use crate::storage::{OutboxChange, Storage, Write};

fn storage(state: &AppState) -> Result<&Storage, ApiError> {
    state.registry.storage().ok_or_else(|| {
        ApiError::from(CommandError::invalid(
            "this server keeps rooms in memory only (--in-memory), and webhooks need its database",
        ))
    })
}

fn parse_id(id: &str, what: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse()
        .map_err(|_| ApiError::from(CommandError::invalid(format!("no {what} with that id"))))
}

/// Answers a storage failure like any other internal error, with the details in the log.
fn stored<T>(result: Result<T, impl std::fmt::Display>) -> Result<T, ApiError> {
    result.map_err(|error| {
        tracing::error!(%error, "webhook queue");
        ApiError::from(CommandError::internal())
    })
}

pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room: RoomId = room_id(&id)?;
    let webhooks = read_with_token(&state, &id, &headers, FACILITATOR, |room, token| {
        room.require(token, Need::Facilitator)?;
        Ok(room.webhooks())
    })
    .await?;
    let logs = match state.registry.storage() {
        Some(storage) => stored(
            storage
                .delivery_logs(room, webhooks.iter().map(|w| w.id).collect())
                .await,
        )?,
        None => Vec::new(),
    };
    let listed: Vec<WebhookWithLog> = webhooks
        .into_iter()
        .zip(logs.into_iter().chain(std::iter::repeat_with(Vec::new)))
        .map(|(view, deliveries)| WebhookWithLog { view, deliveries })
        .collect();
    Ok(no_store(Json(listed)))
}

pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (headers, new) = body::<Option<NewWebhook>>(&state, request).await?;
    let NewWebhook { url, events } =
        new.ok_or_else(|| ApiError::from(CommandError::invalid("send {\"url\", \"events\"}")))?;
    let token = bearer_or(&headers, FACILITATOR)?;
    storage(&state)?;
    crate::webhooks::check_url(url.trim(), state.config.webhooks.allow_private)
        .map_err(|message| ApiError::from(CommandError::invalid(message)))?;
    // Receivers check signatures with it, so the room keeps it as it is; the answer is the
    // one time it is shown.
    let secret = format!("whsec_{}", crate::actor::mint_token());
    let outcome = change(
        &state,
        room_id(&id)?,
        token,
        Need::Facilitator,
        ApiChange::CreateWebhook {
            url: url.trim().to_owned(),
            events,
            secret: crate::room::webhooks::SigningSecret::new(secret.clone()),
        },
    )
    .await?;
    let ApiOutcome::Webhook(view) = outcome else {
        return Err(ApiError::from(CommandError::internal()));
    };
    Ok((
        StatusCode::CREATED,
        no_store(Json(WebhookCreated { view, secret })),
    )
        .into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Path((id, webhook_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = bearer_or(&headers, FACILITATOR)?;
    let webhook_id = parse_id(&webhook_id, "webhook")?;
    change(
        &state,
        room_id(&id)?,
        token,
        Need::Facilitator,
        ApiChange::DeleteWebhook { id: webhook_id },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Queues a `ping` to the webhook, so that the facilitator can check the receiver.
pub async fn ping(
    State(state): State<AppState>,
    Path((id, webhook_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room: RoomId = room_id(&id)?;
    let webhook_id = parse_id(&webhook_id, "webhook")?;
    let storage = storage(&state)?.clone();
    let call = read_with_token(&state, &id, &headers, FACILITATOR, move |room, token| {
        room.require(token, Need::Facilitator)?;
        room.ping(webhook_id, crate::clock::now_ms())
            .ok_or_else(|| CommandError::invalid("no webhook with that id"))
    })
    .await?;
    let delivery = crate::webhooks::delivery(room, call);
    let delivery_id = delivery.id;
    stored(
        storage
            .write(Write::Outbox {
                room,
                changes: vec![OutboxChange::Enqueue(delivery)],
            })
            .await,
    )?;
    Ok((
        StatusCode::ACCEPTED,
        no_store(Json(serde_json::json!({ "delivery_id": delivery_id }))),
    )
        .into_response())
}

/// Sends a failed delivery again, from its first attempt.
pub async fn retry(
    State(state): State<AppState>,
    Path((id, webhook_id, delivery_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room: RoomId = room_id(&id)?;
    let webhook_id = parse_id(&webhook_id, "webhook")?;
    let delivery_id = parse_id(&delivery_id, "delivery")?;
    let storage = storage(&state)?.clone();
    read_with_token(&state, &id, &headers, FACILITATOR, move |room, token| {
        room.require(token, Need::Facilitator)?;
        if room.webhooks().iter().any(|w| w.id == webhook_id) {
            Ok(())
        } else {
            Err(CommandError::invalid("no webhook with that id"))
        }
    })
    .await?;
    stored(
        storage
            .write(Write::Outbox {
                room,
                changes: vec![OutboxChange::Retry {
                    webhook_id,
                    delivery_id,
                    now: crate::clock::now_ms(),
                }],
            })
            .await,
    )?;
    Ok(StatusCode::ACCEPTED.into_response())
}
