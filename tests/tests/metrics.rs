//! `/metrics`: off unless asked for; on, what Prometheus scrapes counts what the server did.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::Role;
use readyroom_tests::{Config, TestServer};

/// The value of the first sample of `name` (with any labels), if there is one.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn scrape(server: &TestServer) -> (u16, String, String) {
    let response = server
        .http()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for_and_count_what_the_server_did() {
    let off = TestServer::start().await;
    assert_eq!(scrape(&off).await.0, 404);

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(Config {
        data_dir: Some(dir.path().to_owned()),
        metrics: true,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (_ben, _) = server.join(&room, "Ben", Role::Voter).await;
    for title in ["One", "Two", "Three"] {
        ana.create_item(title).await;
    }
    let (status, kind, text) = scrape(&server).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    assert!(text.contains("# HELP readyroom_commands_total"), "{text}");
    assert!(
        sample(&text, "readyroom_commands_total").unwrap() >= 3.0,
        "{text}"
    );
    assert!(
        sample(&text, "readyroom_commits_total").unwrap() >= 3.0,
        "{text}"
    );
    assert!(
        sample(&text, "readyroom_rooms_live").unwrap() >= 1.0,
        "{text}"
    );
    assert!(
        sample(&text, "readyroom_connections_open").unwrap() >= 2.0,
        "{text}"
    );
    // The commit latency is a real histogram, with buckets Prometheus can aggregate.
    assert!(
        text.contains("readyroom_commit_seconds_bucket{le=\"0.01\"}"),
        "{text}"
    );
    assert!(
        sample(&text, "readyroom_commit_seconds_count").unwrap() >= 3.0,
        "{text}"
    );
    assert!(
        sample(&text, "readyroom_commit_writes_count").is_some(),
        "{text}"
    );
}
