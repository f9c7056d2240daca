//! What the room's own data says: `GET /api/rooms/{id}/items/{item_id}/suggestion`, an
//! estimate suggested from the items most like this one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use readyroom_protocol::{ItemId, RoomId};

use super::{ApiError, AppState, bearer, no_store};
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
    let token = bearer(&headers)
        .ok_or_else(|| ApiError::no_token("your participant token (or the facilitator token)"))?
        .to_owned();
    let suggestion = state
        .registry
        .read(room_id, move |room| room.suggestion(item_id, &token))
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(no_store(Json(suggestion)))
}
