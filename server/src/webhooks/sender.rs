//! One attempt at a delivery: a signed POST, over TLS for `https` (the system's trusted roots,
//! so an organisation's own CA works), to an address the server may send to. Redirects are
//! not followed: a redirect could lead anywhere, past the address rules.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::{Method, Request};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::addresses::{GuardedResolver, check_url};
use super::{WebhookSettings, signature};
use crate::storage::QueuedDelivery;

/// Characters of an error kept in the delivery log.
const MAX_ERROR_CHARS: usize = 300;
/// Bytes of a receiver's answer read (and thrown away) so that its connection can be reused.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct Sender {
    client: Client<HttpsConnector<HttpConnector<GuardedResolver>>, Full<Bytes>>,
    allow_private: bool,
    timeout: Duration,
}

impl Sender {
    /// # Errors
    /// The system's trusted certificates cannot be read at all.
    pub fn new(settings: &WebhookSettings) -> Result<Self, String> {
        let mut http = HttpConnector::new_with_resolver(GuardedResolver {
            allow_private: settings.allow_private,
        });
        // The TLS layer takes `https`; this one connects for both schemes.
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|error| format!("no trusted certificates: {error}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Self {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(2)
                .build(https),
            allow_private: settings.allow_private,
            timeout: settings.timeout,
        })
    }

    /// The receiver's status code, or why no answer came.
    pub async fn send(&self, delivery: &QueuedDelivery) -> Result<u16, String> {
        let uri = check_url(&delivery.url, self.allow_private)?;
        let sent_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(
                USER_AGENT,
                concat!("ReadyRoom-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("readyroom-event", delivery.event.name())
            .header("readyroom-delivery", delivery.id.to_string())
            .header(
                signature::HEADER,
                signature::sign(delivery.secret.expose(), sent_at, &delivery.body),
            )
            .body(Full::new(Bytes::from(delivery.body.clone())))
            .map_err(|error| bounded(&error.to_string()))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|error| describe(&error))?;
            let status = response.status().as_u16();
            // Read a little of the answer so the connection can serve the next attempt; a
            // longer one is dropped with its connection.
            let _ = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await;
            Ok(status)
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs_f64())),
        }
    }
}

/// An error with its causes ("client error (Connect)" alone says little).
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    bounded(&text)
}

fn bounded(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}
