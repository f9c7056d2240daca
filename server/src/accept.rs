//! Accepting TCP connections and serving HTTP/1.1 on them, with the bounds that keep one
//! client from holding the server: connections per address and in all, a deadline for a
//! request's headers, and a deadline for shutdown.
//!
//! `axum::serve` has none of these (no header timer, and its graceful shutdown waits for every
//! connection however long it takes), so connections are served with hyper directly.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::client_addr::{AddressKey, ConnectionCounts, ConnectionSlot, TrustedProxies};

/// What the accept loop needs besides the listener and the routes.
#[derive(Clone, Debug)]
pub struct Admission {
    pub counts: Arc<ConnectionCounts>,
    pub proxies: TrustedProxies,
    /// A request's headers must arrive within this (also bounds an idle keep-alive connection).
    pub header_timeout: Duration,
    /// How long requests in flight may take to finish once shutdown begins.
    pub grace: Duration,
}

/// Accepts until `stop`, then gives open HTTP connections until the shutdown deadline
/// (`grace` from now) to finish their request and cuts the rest; returns that deadline.
/// Upgraded WebSockets leave this loop's care at the upgrade; they hold their connection slot
/// until they close.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    admission: Admission,
    stop: CancellationToken,
) -> Instant {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        // Finished connections are reaped as new ones come, so the set stays as large as the
        // connections being served.
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, mostly: accepting again at once would spin.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let address = (!admission.proxies.trusts(peer.ip())).then(|| AddressKey::of(peer.ip()));
        let slot = match admission.counts.open(address) {
            Ok(slot) => slot,
            Err(refused) => {
                // Dropping the stream closes it: the cheapest answer to a flood.
                tracing::debug!(%peer, ?refused, "connection refused");
                continue;
            }
        };
        // Small frames must leave at once: without TCP_NODELAY a reply can wait ~40 ms for the
        // peer's delayed acknowledgement (measured by the durability benchmark).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let header_timeout = admission.header_timeout;
        let stop = stop.clone();
        connections.spawn(async move {
            let io = TokioIo::new(Counted {
                stream,
                _slot: slot,
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, service)
                .with_upgrades();
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let deadline = Instant::now() + admission.grace;
    let finished = tokio::time::timeout_at(deadline, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::info!(
            cut = connections.len(),
            "HTTP connections still unfinished at the shutdown deadline were cut"
        );
        connections.abort_all();
    }
    deadline
}

/// A TCP stream that holds its connection slot, through an upgrade to a WebSocket too.
#[derive(Debug)]
struct Counted {
    stream: TcpStream,
    _slot: ConnectionSlot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
