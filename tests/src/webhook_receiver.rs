//! A real HTTP server on port 0 standing in for a team's webhook receiver: it records every
//! request and answers 503 while told to fail.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::RECEIVE_TIMEOUT;

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub event: String,
    pub delivery: String,
    pub signature: String,
    pub body: String,
    /// What the receiver answered.
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    /// Whether `ReadyRoom-Signature` is the HMAC-SHA256 under `secret` of `<t>.<body>`,
    /// worked out here independently of the server's code.
    pub fn signed_with(&self, secret: &str) -> bool {
        let Some((t, v1)) = self
            .signature
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(",v1="))
        else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", self.body).as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        expected == v1
    }
}

#[derive(Clone)]
struct Shared {
    failures_left: Arc<AtomicUsize>,
    seen: mpsc::UnboundedSender<Received>,
}

#[derive(Debug)]
pub struct Receiver {
    pub addr: SocketAddr,
    failures_left: Arc<AtomicUsize>,
    seen: mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Listens on 127.0.0.1 (port 0); the first `failures` requests get a 503.
    pub async fn start(failures: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, failures)
    }

    /// Listens on `addr` again (a receiver coming back at the same address).
    pub async fn start_at(addr: SocketAddr, failures: usize) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        Self::serve(listener, failures)
    }

    fn serve(listener: tokio::net::TcpListener, failures: usize) -> Self {
        let addr = listener.local_addr().unwrap();
        let failures_left = Arc::new(AtomicUsize::new(failures));
        let (seen_tx, seen) = mpsc::unbounded_channel();
        let shared = Shared {
            failures_left: Arc::clone(&failures_left),
            seen: seen_tx,
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            failures_left,
            seen,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The requests after this answer 503 while `failures` lasts.
    pub fn fail_next(&self, failures: usize) {
        self.failures_left.store(failures, Ordering::SeqCst);
    }

    /// The next request, within the receive timeout.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(RECEIVE_TIMEOUT, self.seen.recv())
            .await
            .expect("no webhook request arrived in time")
            .expect("the receiver stopped")
    }

    /// Asserts that no request arrives within `wait`.
    pub async fn expect_nothing(&mut self, wait: Duration) {
        if let Ok(Some(request)) = tokio::time::timeout(wait, self.seen.recv()).await {
            panic!("unexpected webhook request: {request:?}");
        }
    }

    /// Stops listening (its address then refuses connections).
    pub async fn stop(self) -> SocketAddr {
        self.task.abort();
        let _ = self.task.await;
        self.addr
    }
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let failing = shared
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    let status = if failing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::NO_CONTENT
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let _ = shared.seen.send(Received {
        event: header("readyroom-event"),
        delivery: header("readyroom-delivery"),
        signature: header("readyroom-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        status: status.as_u16(),
    });
    status
}
