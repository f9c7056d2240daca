//! What the room's own data says: `GET /api/rooms/{id}/insights`, how the room refines session
//! by session, and `GET /api/rooms/{id}/items/{item_id}/suggestion`, an estimate suggested from
//! the items most like this one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use readyroom_protocol::{ErrorCode, ItemId, RoomId};

use super::{ApiError, AppState, MEMBER_TOKEN, bearer_or, no_store, read_with_token};
use crate::room::CommandError;

pub async fn suggestion(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let item_id: ItemId = item_id
        .parse()
        .map_err(|_| ApiError::from(CommandError::unknown_item()))?;
    let token = bearer_or(&headers, MEMBER_TOKEN)?;
    // Comparing an item with a thousand others takes tens of milliseconds: the room only hands
    // the items over, and the comparing happens on a blocking thread, a few at a time.
    let _comparing = state.suggestions.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerBusy,
            "the server is working out as many suggestions as it allows at once; try again shortly",
        )
    })?;
    let mut inputs = state
        .registry
        .read(room_id, move |room| room.suggestion_inputs(item_id, &token))
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    // A team room that is gone, cannot be read now, or no longer has the token it was linked
    // with simply adds nothing.
    for (room, digest) in std::mem::take(&mut inputs.team_rooms) {
        let shared = state
            .registry
            .read(room.room_id, move |other| {
                Ok(other.shared_estimates(&digest))
            })
            .await;
        if let Ok(Some(Some((room, items)))) = shared {
            inputs.add_team_room(&room, items);
        }
    }
    let suggestion = tokio::task::spawn_blocking(move || inputs.suggest())
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "the suggestion could not be worked out",
            )
        })?;
    Ok(no_store(Json(suggestion)))
}

pub async fn insights(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let insights = read_with_token(&state, &id, &headers, MEMBER_TOKEN, |room, token| {
        room.insights(token, crate::clock::now_ms())
    })
    .await?;
    Ok(no_store(Json(insights)))
}
