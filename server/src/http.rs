//! The HTTP surface: room creation, room lookup, the WebSocket endpoint, health, the protocol
//! schema and the embedded web client.

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use readyroom_protocol::limits::HARD_MAX_FRAME_BYTES;
use readyroom_protocol::{DeckChoice, ErrorCode, RoomId};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::actor::RoomMsg;
use crate::config::Config;
use crate::registry::{Registry, default_settings};
use crate::room::CommandError;
use crate::{connection, web};

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub registry: Arc<Registry>,
    pub shutdown: CancellationToken,
    pub connections: TaskTracker,
    /// Rooms created per client address: creation is anonymous, so it is rationed.
    pub creations: Arc<crate::rate::PerAddress>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/rooms", post(create_room))
        .route("/api/rooms/{id}", get(describe_room))
        .route("/api/rooms/{id}/export", get(export_room))
        .route(
            "/api/rooms/import",
            // Exports carry whole backlogs: a larger limit for this route alone.
            post(import_room).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/api/protocol/schema.json", get(schema))
        .route("/ws/rooms/{id}", get(open_socket))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .merge(web::router())
        .with_state(state)
}

/// An HTTP error, in the same vocabulary as the protocol's errors.
#[derive(Debug, Serialize)]
struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl ApiError {
    fn room_not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: ErrorCode::RoomNotFound,
            message: "no room with that id".into(),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        let status = match error.code {
            ErrorCode::TooManyRooms => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InvalidToken => StatusCode::FORBIDDEN,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        };
        Self {
            status,
            code: error.code,
            message: error.message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "rooms_loaded": state.registry.loaded() }))
}

async fn schema() -> Json<serde_json::Value> {
    Json(readyroom_protocol::json_schema())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRoom {
    name: Option<String>,
    default_deck: Option<DeckChoice>,
    auto_reveal: Option<bool>,
}

#[derive(Debug, Serialize)]
struct RoomCreated {
    room_id: RoomId,
    facilitator_token: String,
    join_url: String,
    facilitator_url: String,
    ws_url: String,
}

/// A JSON body, or every default when the body is empty (with or without a content type).
fn json_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|error| ApiError {
        status: StatusCode::BAD_REQUEST,
        code: ErrorCode::InvalidMessage,
        message: format!("the body is not a valid request: {error}"),
    })
}

/// Refuses a client that has created too many rooms lately.
fn ration(state: &AppState, client: SocketAddr) -> Result<(), ApiError> {
    if state.creations.take(client.ip()) {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: ErrorCode::RateLimited,
            message: "too many rooms created from this address; try again in a minute".into(),
        })
    }
}

async fn create_room(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<RoomCreated>), ApiError> {
    ration(&state, client)?;
    let CreateRoom {
        name,
        default_deck,
        auto_reveal,
    } = json_body(&body)?;
    let created = state
        .registry
        .create(default_settings(name, default_deck, auto_reveal))
        .await?;
    Ok(created_response(&state.config, &headers, created))
}

fn created_response(
    config: &Config,
    headers: &HeaderMap,
    created: crate::registry::Created,
) -> (StatusCode, Json<RoomCreated>) {
    let base = base_url(config, headers);
    let ws_base = base.replacen("http", "ws", 1);
    let id = created.room_id;
    (
        StatusCode::CREATED,
        Json(RoomCreated {
            room_id: id,
            join_url: format!("{base}/r/{id}"),
            // In the fragment, so the token never reaches a server log or a Referer header.
            facilitator_url: format!("{base}/r/{id}#facilitator={}", created.facilitator_token),
            ws_url: format!("{ws_base}/ws/rooms/{id}"),
            facilitator_token: created.facilitator_token,
        }),
    )
}

/// The facilitator token from `Authorization: Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn export_room(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let token = bearer(&headers).ok_or_else(|| ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: ErrorCode::InvalidToken,
        message: "send the facilitator token as `Authorization: Bearer <token>`".into(),
    })?;
    let export = state
        .registry
        .export(room_id, token.to_owned())
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    let filename = format!("readyroom-{room_id}.json");
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )],
        Json(export),
    )
        .into_response())
}

async fn import_room(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<RoomCreated>), ApiError> {
    ration(&state, client)?;
    let export: readyroom_protocol::RoomExport =
        serde_json::from_slice(&body).map_err(|error| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::InvalidMessage,
            message: format!("the body is not a Ready Room export: {error}"),
        })?;
    let created = state.registry.import(export).await?;
    Ok(created_response(&state.config, &headers, created))
}

fn base_url(config: &Config, headers: &HeaderMap) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

#[derive(Debug, Serialize)]
struct RoomSummary {
    room_id: RoomId,
    name: String,
}

async fn describe_room(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoomSummary>, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let handle = state
        .registry
        .get(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    let (reply, settings) = oneshot::channel();
    handle
        .tx
        .send(RoomMsg::Describe { reply })
        .await
        .map_err(|_| ApiError::room_not_found())?;
    let settings = settings.await.map_err(|_| ApiError::room_not_found())?;
    Ok(Json(RoomSummary {
        room_id,
        name: settings.name,
    }))
}

async fn open_socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let room = state
        .registry
        .get(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    let config = Arc::clone(&state.config);
    let tracker = state.connections.clone();
    let shutdown = state.shutdown;
    let registry = Arc::clone(&state.registry);
    let reload = async move || registry.get(room_id).await.ok().flatten();
    Ok(upgrade
        .read_buffer_size(config.read_buffer)
        .write_buffer_size(config.write_buffer)
        .max_write_buffer_size(usize::MAX)
        .max_message_size(HARD_MAX_FRAME_BYTES)
        .max_frame_size(HARD_MAX_FRAME_BYTES)
        .on_upgrade(move |socket| {
            tracker.track_future(connection::serve(socket, room, reload, config, shutdown))
        }))
}
