//! Requests for a room another node serves (several nodes on PostgreSQL) go on to that node:
//! the request as it came, WebSocket upgrades included, over a connection of its own; the
//! answer comes back as it is, and an upgraded connection's bytes are copied both ways until
//! either side closes. A load balancer that routes by room id makes this rare.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use readyroom_protocol::{ErrorCode, RoomId};

use super::{ApiError, AppState};
use crate::registry::Location;

/// Set on a forwarded request: the node it reaches serves it itself or refuses, never
/// forwards it again (two nodes that disagree for a moment must not bounce it between them).
const FORWARDED_BY: &str = "x-readyroom-forwarded-by";
/// How long another node may take to answer a forwarded request (its headers, or the
/// upgrade). A paused node accepts connections (the kernel does) but never answers; its
/// leases run out meanwhile, and the client's next try lands on a node that takes over.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// The room a path is about: `/ws/rooms/{id}` or `/api/rooms/{id}[/…]`.
fn room_in_path(path: &str) -> Option<RoomId> {
    let rest = path
        .strip_prefix("/ws/rooms/")
        .or_else(|| path.strip_prefix("/api/rooms/"))?;
    rest.split('/').next()?.parse().ok()
}

/// Middleware: a request for a room another node serves goes there; everything else (and
/// every request when this node runs alone) goes on to this node's handlers.
pub async fn to_the_rooms_node(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let Some(cluster) = state.registry.cluster() else {
        return next.run(request).await;
    };
    let Some(room) = room_in_path(request.uri().path()) else {
        return next.run(request).await;
    };
    match state.registry.locate(room).await {
        Ok(Location::Elsewhere(url)) => {
            if request.headers().contains_key(FORWARDED_BY) {
                return moving().into_response();
            }
            let node = cluster.node_id().to_owned();
            forward(&state, request, &url, &node, peer).await
        }
        // This node's handlers answer (and load the room, or say it is missing).
        Ok(Location::Here(_) | Location::Missing) => next.run(request).await,
        Err(error) => ApiError::from(error).into_response(),
    }
}

fn moving() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ServerBusy,
        "the room is moving between nodes; try again in a moment",
    )
}

async fn forward(
    state: &AppState,
    mut request: Request,
    url: &str,
    node: &str,
    peer: SocketAddr,
) -> Response {
    let Some(authority) = url
        .parse::<Uri>()
        .ok()
        .and_then(|uri| uri.authority().cloned())
    else {
        tracing::warn!(url, "another node advertises an address that is not a URL");
        return moving().into_response();
    };
    let port = authority.port_u16().unwrap_or(80);
    let connected = tokio::time::timeout(
        ANSWER_TIMEOUT,
        tokio::net::TcpStream::connect((authority.host(), port)),
    )
    .await;
    let Ok(Ok(stream)) = connected else {
        // Dead, most likely: its leases run out soon and this node takes the room over.
        tracing::debug!(url, "the room's node cannot be reached");
        return moving().into_response();
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return moving().into_response();
    };
    let connection = tokio::spawn(async move {
        let _ = connection.with_upgrades().await;
    });
    let client_side = request
        .headers()
        .contains_key(header::UPGRADE)
        .then(|| hyper::upgrade::on(&mut request));
    let (mut parts, body) = request.into_parts();
    parts.uri = parts
        .uri
        .path_and_query()
        .map_or_else(|| Uri::from_static("/"), |path| Uri::from(path.clone()));
    parts.version = axum::http::Version::HTTP_11;
    if let Ok(value) = HeaderValue::from_str(node) {
        parts.headers.insert(FORWARDED_BY, value);
    }
    // The owner limits connections by the client's address when it trusts this node as a
    // proxy (`--trusted-proxy`).
    let mut chain: Vec<String> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(str::to_owned)
        .collect();
    chain.push(peer.ip().to_string());
    let chain = chain.join(", ");
    if let Ok(value) = HeaderValue::from_str(&chain) {
        parts.headers.insert("x-forwarded-for", value);
    }
    // The owner answers once it has read the body, which the client may send slowly (as
    // slowly as `--body-timeout` lets it).
    let carries_body = !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::DELETE
    );
    let limit = if carries_body {
        state.config.body_timeout + ANSWER_TIMEOUT
    } else {
        ANSWER_TIMEOUT
    };
    let answer = tokio::time::timeout(
        limit,
        sender.send_request(axum::http::Request::from_parts(parts, body)),
    )
    .await;
    let mut response = match answer {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => {
            connection.abort();
            tracing::debug!(%error, url, "forwarding to the room's node failed");
            return moving().into_response();
        }
        Err(_) => {
            // A paused node keeps the socket open: it goes now, not when the node wakes.
            connection.abort();
            tracing::debug!(url, "the room's node did not answer in time");
            return moving().into_response();
        }
    };
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        if let Some(client_side) = client_side {
            let owner_side = hyper::upgrade::on(&mut response);
            let shutdown = state.shutdown.clone();
            state.connections.spawn(async move {
                let (Ok(client), Ok(owner)) = tokio::join!(client_side, owner_side) else {
                    return;
                };
                let (mut client, mut owner) = (TokioIo::new(client), TokioIo::new(owner));
                // At shutdown both are cut: the client reconnects and resumes.
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut owner) => {}
                    () = shutdown.cancelled() => {}
                }
            });
        }
    }
    response.map(Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_rooms_own_paths_name_a_room() {
        let id = "7f5c2f25-eb30-4a38-b1d1-3ea4058312d7";
        for path in [
            format!("/ws/rooms/{id}"),
            format!("/api/rooms/{id}"),
            format!("/api/rooms/{id}/items/3/history"),
        ] {
            assert_eq!(
                room_in_path(&path).map(|room| room.to_string()).as_deref(),
                Some(id)
            );
        }
        for path in [
            "/api/rooms",
            "/api/rooms/import",
            "/healthz",
            "/r/abc",
            "/api/rooms/x/y",
        ] {
            assert_eq!(room_in_path(path), None, "{path}");
        }
    }
}
