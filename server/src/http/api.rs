//! The room's REST API for tools beside the meeting: tokens the facilitator issues
//! (`/api/rooms/{id}/tokens`), the backlog (`/items`: list, create, update) and the rounds with
//! their results (`/rounds`). Every change goes through the room like a command: applied,
//! stored, seen live by everyone in the room, and only then answered.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use readyroom_protocol::{ApiTokenCreated, ItemChange, ItemId, NewApiToken, NewItem, RoomId};

use super::{
    ApiError, AppState, bearer_or, json_body, no_store, read_body, read_with_token, require_json,
};
use crate::room::CommandError;
use crate::room::api::{ApiChange, ApiOutcome, Need};
use crate::room::tokens;

/// The largest body these routes read: an item with every text at its limit.
const API_BODY_LIMIT: usize = 256 * 1024;

pub(super) fn room_id(id: &str) -> Result<RoomId, ApiError> {
    id.parse().map_err(|_| ApiError::room_not_found())
}

/// Which token the routes want, for the error when none is sent.
const READER: &str = "the facilitator token or an API token";
pub(super) const FACILITATOR: &str = "the facilitator token";

fn token_of(headers: &HeaderMap) -> Result<String, ApiError> {
    bearer_or(headers, READER)
}

/// Reads a JSON body, checked like the other JSON routes.
pub(super) async fn body<T: serde::de::DeserializeOwned + Default>(
    state: &AppState,
    request: Request,
) -> Result<(HeaderMap, T), ApiError> {
    let (parts, body) = request.into_parts();
    require_json(&parts.headers)?;
    let bytes = read_body(body, API_BODY_LIMIT, state.config.body_timeout).await?;
    Ok((parts.headers, json_body(&bytes)?))
}

pub(super) async fn change(
    state: &AppState,
    room: RoomId,
    token: String,
    need: Need,
    change: ApiChange,
) -> Result<ApiOutcome, ApiError> {
    state
        .registry
        .api(room, token, need, change)
        .await?
        .ok_or_else(ApiError::room_not_found)
}

pub async fn list_tokens(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tokens = read_with_token(&state, &id, &headers, FACILITATOR, |room, token| {
        room.api_tokens(token)
    })
    .await?;
    Ok(no_store(Json(tokens)))
}

pub async fn create_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (headers, NewApiToken { name, scope }) = body::<Option<NewApiToken>>(&state, request)
        .await
        .and_then(|(headers, new)| {
            new.map(|new| (headers, new))
                .ok_or_else(|| ApiError::from(CommandError::invalid("send {\"name\", \"scope\"}")))
        })?;
    let token = token_of(&headers)?;
    // The secret comes from the OS's randomness and only its digest reaches the room and its
    // log; the answer is the one time it is shown.
    let secret = format!("rr_{}", crate::actor::mint_token());
    let digest = tokens::shield(&secret);
    let outcome = change(
        &state,
        room_id(&id)?,
        token,
        Need::Facilitator,
        ApiChange::CreateToken {
            name,
            scope,
            digest,
        },
    )
    .await?;
    let ApiOutcome::Token(view) = outcome else {
        return Err(ApiError::from(CommandError::internal()));
    };
    Ok((
        StatusCode::CREATED,
        no_store(Json(ApiTokenCreated {
            view,
            token: secret,
        })),
    )
        .into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path((id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = token_of(&headers)?;
    let token_id: uuid::Uuid = token_id
        .parse()
        .map_err(|_| ApiError::from(CommandError::invalid("no API token with that id")))?;
    change(
        &state,
        room_id(&id)?,
        token,
        Need::Facilitator,
        ApiChange::RevokeToken { id: token_id },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn list_items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let items = read_with_token(&state, &id, &headers, READER, |room, token| {
        room.items_for(token)
    })
    .await?;
    Ok(no_store(Json(items)))
}

pub async fn create_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (headers, item) = body::<Option<NewItem>>(&state, request).await?;
    let item = item.ok_or_else(|| ApiError::from(CommandError::invalid("send {\"title\"}")))?;
    let token = token_of(&headers)?;
    let outcome = change(
        &state,
        room_id(&id)?,
        token,
        Need::Write,
        ApiChange::CreateItem { item },
    )
    .await?;
    let ApiOutcome::Item(item_id) = outcome else {
        return Err(ApiError::from(CommandError::internal()));
    };
    Ok((
        StatusCode::CREATED,
        no_store(Json(serde_json::json!({ "item_id": item_id }))),
    )
        .into_response())
}

pub async fn update_item(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let item_id: ItemId = item_id
        .parse()
        .map_err(|_| ApiError::from(CommandError::unknown_item()))?;
    let (headers, item_change) = body::<Option<ItemChange>>(&state, request).await?;
    let item_change = item_change
        .ok_or_else(|| ApiError::from(CommandError::invalid("send {\"field\", \"value\"}")))?;
    let token = token_of(&headers)?;
    change(
        &state,
        room_id(&id)?,
        token,
        Need::Write,
        ApiChange::UpdateItem {
            item_id,
            change: item_change,
        },
    )
    .await?;
    Ok(no_store(Json(serde_json::json!({ "item_id": item_id }))))
}

pub async fn rounds(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rounds = read_with_token(&state, &id, &headers, READER, |room, token| {
        room.rounds_for(token)
    })
    .await?;
    Ok(no_store(Json(rounds)))
}
