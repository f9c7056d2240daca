//! The HTTP surface: room creation, room lookup, the WebSocket endpoint, health, the protocol
//! schema and the embedded web client.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use readyroom_protocol::limits::HARD_MAX_FRAME_BYTES;
use readyroom_protocol::{DeckChoice, ErrorCode, RoomId};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::client_addr::{AddressKey, ConnectionCounts, TrustedProxies};
use crate::config::Config;
use crate::outbox::{LargeFrames, MAX_OUT_FRAME_BYTES};
use crate::rate::PerAddress;
use crate::registry::{Registry, default_settings};
use crate::room::CommandError;
use crate::{connection, web};

mod api;
mod insights;
mod openapi;
mod proxy;
mod team_rooms;
mod tracker;
mod webhooks;

/// The largest body `POST /api/rooms` reads: a name and a custom deck.
const CREATE_BODY_LIMIT: usize = 16 * 1024;
/// The largest room export `POST /api/rooms/import` reads. A room at every limit could be
/// larger still, but no real backlog is: 1,000 items of 30 KiB each.
const IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub registry: Arc<Registry>,
    pub shutdown: CancellationToken,
    pub connections: TaskTracker,
    /// Rooms created per client address: creation is anonymous, so it is rationed.
    pub creations: Arc<PerAddress>,
    /// Joins per client address.
    pub joins: Arc<PerAddress>,
    /// Imports being read at once, and the addresses reading one: one at a time per address,
    /// so that one client cannot hold every place by trickling bodies.
    pub imports: Arc<Semaphore>,
    pub importing: Arc<dashmap::DashSet<AddressKey>>,
    /// Estimate suggestions being worked out at once (`--max-concurrent-suggestions`).
    pub suggestions: Arc<Semaphore>,
    pub large_frames: LargeFrames,
    pub counts: Arc<ConnectionCounts>,
    pub proxies: TrustedProxies,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .route("/api/rooms", post(create_room))
        .route("/api/rooms/{id}", get(describe_room))
        .route("/api/rooms/{id}/export", get(export_room))
        .route("/api/rooms/{id}/insights", get(insights::insights))
        .route(
            "/api/rooms/{id}/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route(
            "/api/rooms/{id}/tokens/{token_id}",
            axum::routing::delete(api::revoke_token),
        )
        .route(
            "/api/rooms/{id}/items",
            get(api::list_items).post(api::create_item),
        )
        .route(
            "/api/rooms/{id}/items/{item_id}",
            axum::routing::patch(api::update_item),
        )
        .route("/api/rooms/{id}/rounds", get(api::rounds))
        .route(
            "/api/rooms/{id}/team-rooms",
            get(team_rooms::list).post(team_rooms::link),
        )
        .route(
            "/api/rooms/{id}/team-rooms/{other_id}",
            axum::routing::delete(team_rooms::unlink),
        )
        .route(
            "/api/rooms/{id}/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/rooms/{id}/webhooks/{webhook_id}",
            axum::routing::delete(webhooks::delete),
        )
        .route(
            "/api/rooms/{id}/webhooks/{webhook_id}/ping",
            post(webhooks::ping),
        )
        .route(
            "/api/rooms/{id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
            post(webhooks::retry),
        )
        .route("/api/rooms/{id}/import/csv", post(tracker::import_csv))
        .route("/api/rooms/{id}/export/csv", get(tracker::export_csv))
        .route("/api/rooms/{id}/summary.md", get(tracker::summary_md))
        .route("/api/rooms/{id}/items/{item_id}/history", get(item_history))
        .route(
            "/api/rooms/{id}/items/{item_id}/suggestion",
            get(insights::suggestion),
        )
        .route("/api/rooms/{id}/qr.svg", get(room_qr))
        .route("/api/rooms/import", post(import_room))
        .route("/api/protocol/schema.json", get(schema))
        .route(
            "/api/openapi.json",
            get(|| async { Json(openapi::document()) }),
        )
        .route("/ws/rooms/{id}", get(open_socket))
        // Handlers read bodies themselves, after their checks; this is a backstop.
        .layer(axum::extract::DefaultBodyLimit::max(CREATE_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            proxy::to_the_rooms_node,
        ))
        .merge(web::router())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http())
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
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A request that needed `which` token as a bearer token and sent none.
    fn no_token(which: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: ErrorCode::InvalidToken,
            message: format!("send {which} as `Authorization: Bearer <token>`"),
        }
    }

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
            ErrorCode::TooManyRooms | ErrorCode::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InvalidToken | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::UnknownItem => StatusCode::NOT_FOUND,
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
    let node = state.registry.cluster().map(|cluster| {
        serde_json::json!({
            "id": cluster.node_id(),
            "address": cluster.advertise_url(),
            "rooms_owned": cluster.rooms_owned(),
        })
    });
    let mut health = serde_json::json!({
        "status": if state.shutdown.is_cancelled() { "stopping" } else { "ok" },
        "rooms_loaded": state.registry.loaded(),
        "connections": state.counts.total(),
    });
    if let (Some(node), Some(fields)) = (node, health.as_object_mut()) {
        fields.insert("node".to_owned(), node);
    }
    Json(health)
}

/// Prometheus' text format, when the server runs with `--metrics`.
async fn metrics(State(state): State<AppState>) -> Response {
    let text = state
        .config
        .metrics
        .then(|| crate::metrics::get().render(state.registry.loaded(), state.counts.total()));
    match text.flatten() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "metrics are off (start with --metrics)\n",
        )
            .into_response(),
    }
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

/// The client address a request counts under (see `client_addr`).
fn client_of(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> AddressKey {
    AddressKey::of(state.proxies.client_ip(peer.ip(), headers))
}

/// Refuses a body that is not JSON. A page on another site can send a form or `text/plain`
/// without asking, but not `application/json`: this is also what keeps other sites from
/// creating or importing rooms in a visitor's name.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    require_content_type(headers, "application/json")
}

/// Refuses a body not sent as `mime` (parameters such as `charset` aside).
fn require_content_type(headers: &HeaderMap, mime: &str) -> Result<(), ApiError> {
    let matches = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|sent| sent.trim().eq_ignore_ascii_case(mime));
    if matches {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            format!("send the body as `Content-Type: {mime}`"),
        ))
    }
}

/// Reads a body of at most `limit` bytes, all of it within `deadline` (a client dripping a
/// byte at a time gets no longer than one sending nothing).
async fn read_body(
    body: Body,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<axum::body::Bytes, ApiError> {
    let read = tokio::time::timeout(deadline, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::InvalidMessage,
                format!("the body did not arrive within {} s", deadline.as_secs()),
            )
        })?;
    read.map_err(|error| {
        let too_large = std::error::Error::source(&error)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::InvalidMessage,
                format!("the body is larger than {limit} bytes"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidMessage,
                format!("the body could not be read: {error}"),
            )
        }
    })
}

/// A JSON body, or every default when the body is empty.
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

/// Runs `release` when dropped (also when the handler returns early or is cancelled).
fn scopeguard(release: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(release) = self.0.take() {
                release();
            }
        }
    }
    Guard(Some(release))
}

/// What both room-creating routes check before reading a body: that it is JSON, and that the
/// client has not created too many rooms lately (so a refused client costs nothing).
fn admit_creation(
    state: &AppState,
    peer: SocketAddr,
    request: Request,
) -> Result<(axum::http::request::Parts, Body), ApiError> {
    let (parts, body) = request.into_parts();
    require_json(&parts.headers)?;
    if !state.creations.take(client_of(state, peer, &parts.headers)) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many rooms created from this address; try again in a minute",
        ));
    }
    Ok((parts, body))
}

async fn create_room(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = admit_creation(&state, peer, request)?;
    let CreateRoom {
        name,
        default_deck,
        auto_reveal,
    } = json_body(&read_body(body, CREATE_BODY_LIMIT, state.config.body_timeout).await?)?;
    let created = state
        .registry
        .create(default_settings(name, default_deck, auto_reveal))
        .await?;
    Ok(created_response(&state.config, &parts.headers, created))
}

/// Responses that carry a token must not be kept by any cache on the way.
fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn created_response(
    config: &Config,
    headers: &HeaderMap,
    created: crate::registry::Created,
) -> Response {
    let base = base_url(config, headers);
    let ws_base = base.replacen("http", "ws", 1);
    let id = created.room_id;
    no_store((
        StatusCode::CREATED,
        Json(RoomCreated {
            room_id: id,
            join_url: format!("{base}/r/{id}"),
            // In the fragment, so the token never reaches a server log or a Referer header.
            facilitator_url: format!("{base}/r/{id}#facilitator={}", created.facilitator_token),
            ws_url: format!("{ws_base}/ws/rooms/{id}"),
            facilitator_token: created.facilitator_token,
        }),
    ))
}

/// The facilitator token from `Authorization: Bearer <token>`.
/// What routes open to anyone in the room ask for.
const MEMBER_TOKEN: &str = "your participant token, the facilitator token or an API token";

/// The bearer token, or an error saying which token the route wants.
fn bearer_or(headers: &HeaderMap, which: &str) -> Result<String, ApiError> {
    bearer(headers)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::no_token(which))
}

/// A query string the route cannot read, in the API's own words.
fn bad_query(rejection: &axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidMessage,
        format!("the query cannot be read: {rejection}"),
    )
}

/// Answers `question` from the room named by `id`, with the bearer token in `headers` (the
/// question checks what that token may see).
async fn read_with_token<T: Send + 'static>(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    which: &str,
    question: impl FnOnce(&crate::room::Room, &str) -> Result<T, CommandError> + Send + 'static,
) -> Result<T, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let token = bearer_or(headers, which)?;
    state
        .registry
        .read(room_id, move |room| question(room, &token))
        .await?
        .ok_or_else(ApiError::room_not_found)
}

/// The room's export, for the facilitator token or an API token in `headers`.
async fn room_export(
    state: &AppState,
    room_id: RoomId,
    headers: &HeaderMap,
) -> Result<readyroom_protocol::RoomExport, ApiError> {
    let token = bearer_or(headers, "the facilitator token or an API token")?;
    state
        .registry
        .read(room_id, move |room| {
            room.export_for(&token, crate::clock::now_ms())
        })
        .await?
        .ok_or_else(ApiError::room_not_found)
}

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
    let export = room_export(&state, room_id, &headers).await?;
    let filename = format!("readyroom-{room_id}.json");
    Ok(no_store((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )],
        Json(export),
    )))
}

async fn item_history(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let item_id: readyroom_protocol::ItemId = item_id
        .parse()
        .map_err(|_| ApiError::from(CommandError::unknown_item()))?;
    let token = bearer_or(&headers, MEMBER_TOKEN)?;
    let history = state
        .registry
        .read(room_id, move |room| room.item_history(item_id, &token))
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    Ok(no_store(Json(history)))
}

/// A place among the imports read at once, and this address's only one: an import's body
/// can be large, so few are read at once, whoever sends them, and one client cannot hold every
/// place by trickling bodies. Held until the returned guard drops.
fn import_slot(state: &AppState, client: AddressKey) -> Result<impl Drop + use<>, ApiError> {
    if !state.importing.insert(client) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerBusy,
            "this address is importing already; try again when it is done",
        ));
    }
    let importing = Arc::clone(&state.importing);
    let one_per_address = scopeguard(move || {
        importing.remove(&client);
    });
    let permit = Arc::clone(&state.imports)
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServerBusy,
                "the server is reading as many imports as it allows at once; try again shortly",
            )
        })?;
    Ok(scopeguard(move || {
        drop(permit);
        drop(one_per_address);
    }))
}

async fn import_room(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = admit_creation(&state, peer, request)?;
    let _reading = import_slot(&state, client_of(&state, peer, &parts.headers))?;
    let body = read_body(body, IMPORT_BODY_LIMIT, state.config.body_timeout).await?;
    let export: readyroom_protocol::RoomExport =
        serde_json::from_slice(&body).map_err(|error| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::InvalidMessage,
            message: format!("the body is not a Ready Room export: {error}"),
        })?;
    drop(body);
    let created = state.registry.import(export).await?;
    Ok(created_response(&state.config, &parts.headers, created))
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
    let settings = handle
        .describe()
        .await
        .ok_or_else(ApiError::room_not_found)?;
    Ok(Json(RoomSummary {
        room_id,
        name: settings.name,
    }))
}

/// The room's team link as a QR code (SVG), for the share dialog.
async fn room_qr(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    state
        .registry
        .get(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    let link = format!("{}/r/{room_id}", base_url(&state.config, &headers));
    let image = crate::qr::svg(&link).ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the team link is too long for a QR code",
        )
    })?;
    Ok(no_store(([(header::CONTENT_TYPE, "image/svg+xml")], image)))
}

/// Whether a page from `origin` may open WebSockets here: the server's own origin (from
/// `--public-url`, or the request's `Host`), or one the operator allowed. Clients other than
/// browsers send no `Origin` and are not concerned: the check stops other sites' pages from
/// using a visitor's browser (and its stored tokens' reach) against the server.
fn origin_allowed(config: &Config, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    if config
        .allowed_origins
        .iter()
        .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    if let Some(public) = &config.public_url {
        return origin_of(public).is_some_and(|own| own.eq_ignore_ascii_case(origin));
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin.split_once("://").is_some_and(|(scheme, authority)| {
        matches!(scheme, "http" | "https") && authority.eq_ignore_ascii_case(host)
    })
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_len = rest.find('/').unwrap_or(rest.len());
    url.get(..scheme.len() + 3 + authority_len)
}

async fn open_socket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if !origin_allowed(&state.config, &headers) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OriginNotAllowed,
            "pages from this origin may not open rooms here (see --allowed-origin)",
        ));
    }
    let client = client_of(&state, peer, &headers);
    // Behind a trusted proxy, the TCP connection was counted under the proxy: the client is
    // counted here instead, for as long as its WebSocket is open.
    let client_slot = if state.proxies.trusts(peer.ip()) {
        Some(state.counts.open_for_client(client).map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServerBusy,
                "too many connections from this address",
            )
        })?)
    } else {
        None
    };
    let room_id: RoomId = id.parse().map_err(|_| ApiError::room_not_found())?;
    let room = state
        .registry
        .get(room_id)
        .await?
        .ok_or_else(ApiError::room_not_found)?;
    let config = Arc::clone(&state.config);
    let tracker = state.connections.clone();
    let registry = Arc::clone(&state.registry);
    let reload = async move || registry.get(room_id).await.ok().flatten();
    let context = connection::Context {
        config: Arc::clone(&config),
        shutdown: state.shutdown,
        joins: state.joins,
        client,
        large_frames: state.large_frames,
        room_id,
        _client_slot: client_slot,
    };
    // What the writer feeds is bounded by the connection's queue budget (or one large frame,
    // bounded server-wide), and pongs by the rate limit on control frames; this cap is the
    // backstop under both, so a client that never reads cannot grow the buffer further.
    let write_limit = config.outbound_bytes.max(MAX_OUT_FRAME_BYTES) + HARD_MAX_FRAME_BYTES;
    Ok(upgrade
        .read_buffer_size(config.read_buffer)
        .write_buffer_size(config.write_buffer)
        .max_write_buffer_size(write_limit)
        .max_message_size(HARD_MAX_FRAME_BYTES)
        .max_frame_size(HARD_MAX_FRAME_BYTES)
        .on_upgrade(move |socket| {
            tracker.track_future(connection::serve(socket, room, reload, context))
        }))
}
