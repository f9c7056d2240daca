//! `/api/rooms/{id}/team-rooms`: the other rooms of the team whose accepted estimates this
//! room's suggestions draw on, linked by the facilitator with an API token of each.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use readyroom_protocol::{NewTeamRoom, RoomId};

use super::api::{FACILITATOR, body, change, room_id};
use super::{ApiError, AppState, bearer_or, no_store, read_with_token};
use crate::room::api::{ApiChange, ApiOutcome, Need};
use crate::room::{CommandError, tokens};

pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (mut linked, links) = read_with_token(&state, &id, &headers, FACILITATOR, |room, token| {
        room.require(token, Need::Facilitator)?;
        Ok((room.team_rooms(), room.team_room_links()))
    })
    .await?;
    // Each linked room says for itself whether it still shares (its token may be revoked, or
    // the room gone).
    for (view, (other, digest)) in linked.iter_mut().zip(links) {
        view.sharing = matches!(
            state
                .registry
                .read(other.room_id, move |room| Ok(room.shares_with(&digest)))
                .await,
            Ok(Some(true))
        );
    }
    Ok(no_store(Json(linked)))
}

pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (headers, new) = body::<Option<NewTeamRoom>>(&state, request).await?;
    let NewTeamRoom {
        room_id: other,
        token: other_token,
    } =
        new.ok_or_else(|| ApiError::from(CommandError::invalid("send {\"room_id\", \"token\"}")))?;
    let token = bearer_or(&headers, FACILITATOR)?;
    let this = room_id(&id)?;
    // Only this room's facilitator links, checked before the other room is even looked at, so
    // that nobody else can probe which tokens open which rooms.
    read_with_token(&state, &id, &headers, FACILITATOR, |room, token| {
        room.require(token, Need::Facilitator).map(|_| ())
    })
    .await?;
    let digest = tokens::shield(other_token.trim());
    let check = digest.clone();
    let refused = || {
        ApiError::from(CommandError::invalid(
            "that room does not exist or the token is not one of its API tokens",
        ))
    };
    let shared = state
        .registry
        .read(other, move |room| {
            Ok(room.shared_estimates(&check).map(|(room, _)| room))
        })
        .await
        .map_err(|_| refused())?
        .flatten()
        .ok_or_else(refused)?;
    let outcome = change(
        &state,
        this,
        token,
        Need::Facilitator,
        ApiChange::LinkTeamRoom {
            room: shared,
            digest,
        },
    )
    .await?;
    let ApiOutcome::TeamRoom(view) = outcome else {
        return Err(ApiError::from(CommandError::internal()));
    };
    Ok((StatusCode::CREATED, no_store(Json(view))).into_response())
}

pub async fn unlink(
    State(state): State<AppState>,
    Path((id, other)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = bearer_or(&headers, FACILITATOR)?;
    let other: RoomId = other
        .parse()
        .map_err(|_| ApiError::from(CommandError::invalid("this room is not linked")))?;
    change(
        &state,
        room_id(&id)?,
        token,
        Need::Facilitator,
        ApiChange::UnlinkTeamRoom { room_id: other },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
