//! Outgoing webhooks against a real local HTTP receiver: signed deliveries of what happens in
//! the room, retried with backoff while the receiver fails, kept across a restart, shown in
//! the delivery log, and sent only where the server may send.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{Command, Role};
use readyroom_server::webhooks::WebhookSettings;
use readyroom_tests::webhook_receiver::Receiver;
use readyroom_tests::{Config, RoomCreated, TestServer, eventually};
use reqwest::Method;
use serde_json::{Value, json};

/// Retries come quickly here; the doubling is the same as in production.
fn config(dir: &std::path::Path, retry_delay: Duration) -> Config {
    Config {
        data_dir: Some(dir.to_owned()),
        webhooks: WebhookSettings {
            allow_private: true,
            retry_delay,
            attempts: 12,
            timeout: Duration::from_secs(5),
            concurrency: 4,
        },
        ..Config::default()
    }
}

async fn create_webhook(
    server: &TestServer,
    room: &RoomCreated,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let (status, created) = server
        .call(
            room,
            Method::POST,
            "/webhooks",
            &room.facilitator_token,
            Some(json!({ "url": url, "events": events })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (created["id"].as_str().unwrap().to_owned(), secret)
}

async fn deliveries(server: &TestServer, room: &RoomCreated, webhook: &str) -> Vec<Value> {
    let (status, listed) = server
        .call(
            room,
            Method::GET,
            "/webhooks",
            &room.facilitator_token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == webhook)
        .map(|w| w["deliveries"].as_array().unwrap().clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_accepted_estimate_is_signed_and_retried_until_a_failing_receiver_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(config(dir.path(), Duration::from_millis(200))).await;
    let mut receiver = Receiver::start(2).await;
    let room = server.create_room().await;
    let (webhook, secret) =
        create_webhook(&server, &room, &receiver.url(), &["estimate.accepted"]).await;

    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Checkout with vouchers").await;
    let round = ana.start_round(item.id).await;
    ben.vote(round.id, "5").await;
    ana.reveal_and_accept(round.id, "5").await;

    let attempts = [
        receiver.next().await,
        receiver.next().await,
        receiver.next().await,
    ];
    assert_eq!(
        attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        [503, 503, 204]
    );
    for attempt in &attempts {
        assert_eq!(attempt.event, "estimate.accepted");
        assert_eq!(
            attempt.delivery, attempts[0].delivery,
            "one delivery, retried"
        );
        assert_eq!(attempt.body, attempts[0].body, "the same body every time");
        assert!(attempt.signed_with(&secret), "{}", attempt.signature);
        assert!(!attempt.signed_with("whsec_someone-else"));
    }
    let payload = attempts[2].json();
    assert_eq!(payload["id"], attempts[0].delivery);
    assert_eq!(payload["event"], "estimate.accepted");
    assert_eq!(payload["room_id"], room.room_id);
    assert_eq!(payload["data"]["estimate"], "5");
    assert_eq!(payload["data"]["item"]["id"], item.id.to_string());
    assert_eq!(payload["data"]["item"]["title"], "Checkout with vouchers");
    assert_eq!(payload["data"]["item"]["estimate"], "5");

    eventually("the log shows the delivery delivered", async || {
        let log = deliveries(&server, &room, &webhook).await;
        log.len() == 1 && log[0]["status"] == "delivered"
    })
    .await;
    let log = deliveries(&server, &room, &webhook).await;
    assert_eq!(log[0]["id"], attempts[0].delivery);
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["response_status"], 204);
    assert!(log[0].get("error").is_none() && log[0].get("next_attempt_at").is_none());
    receiver.expect_nothing(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_delivery_still_waiting_when_the_server_stops_is_sent_after_it_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut receiver = Receiver::start(usize::MAX).await;
    let server = TestServer::start_with(config(dir.path(), Duration::from_millis(300))).await;
    let room = server.create_room().await;
    let (webhook, secret) =
        create_webhook(&server, &room, &receiver.url(), &["items.imported"]).await;
    server
        .import_csv(&room, "key,title,estimate\nK-1,Imported,3\n")
        .await;
    let failed = receiver.next().await;
    assert_eq!(
        (failed.status, failed.event.as_str()),
        (503, "items.imported")
    );
    server.shutdown().await;

    // The receiver is down while the server restarts, then comes back healthy.
    let addr = receiver.stop().await;
    let server = TestServer::start_with(config(dir.path(), Duration::from_millis(300))).await;
    let mut receiver = Receiver::start_at(addr, 0).await;
    let delivered = receiver.next().await;
    assert_eq!(delivered.delivery, failed.delivery, "the same delivery");
    assert_eq!(delivered.status, 204);
    assert!(delivered.signed_with(&secret));
    let payload = delivered.json();
    assert_eq!(payload["data"]["tracker"], "plain");
    assert_eq!(payload["data"]["created"].as_array().unwrap().len(), 1);
    eventually("the log shows it delivered after the restart", async || {
        let log = deliveries(&server, &room, &webhook).await;
        log.len() == 1 && log[0]["status"] == "delivered"
    })
    .await;
}

#[tokio::test]
async fn each_webhook_hears_only_its_events_with_what_a_tracker_needs() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(config(dir.path(), Duration::from_millis(200))).await;
    let mut receiver = Receiver::start(0).await;
    let room = server.create_room().await;
    let (_, everything_but_estimates) = create_webhook(
        &server,
        &room,
        &receiver.url(),
        &["item.ready", "items.imported", "session.ended"],
    )
    .await;
    let (_, sessions_only) =
        create_webhook(&server, &room, &receiver.url(), &["session.ended"]).await;

    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    ana.request(Command::StartSession).await.acked();
    server
        .import_csv(&room, "key,title\nSHOP-7,Gift cards\n")
        .await;
    let imported = receiver.next().await;
    assert_eq!(imported.event, "items.imported");
    assert!(imported.signed_with(&everything_but_estimates));
    let item_id = imported.json()["data"]["created"][0]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let round = ana.start_round(item_id).await;
    ben.vote(round.id, "8").await;
    ana.reveal_and_accept(round.id, "8").await;
    ana.request(Command::OverrideReady {
        item_id,
        ready: true,
    })
    .await
    .acked();
    let ready = receiver.next().await;
    assert_eq!(ready.event, "item.ready", "no webhook takes estimates here");
    let item = &ready.json()["data"]["item"];
    assert_eq!(item["status"], "ready");
    assert_eq!(item["external"]["key"], "SHOP-7");
    assert_eq!(item["estimate"], "8");

    ana.request(Command::EndSession).await.acked();
    let mut ended = [receiver.next().await, receiver.next().await];
    ended.sort_by_key(|r| r.signed_with(&sessions_only));
    assert!(ended[0].signed_with(&everything_but_estimates));
    assert!(ended[1].signed_with(&sessions_only));
    for request in &ended {
        let payload = request.json();
        assert_eq!(payload["event"], "session.ended");
        let estimated = payload["data"]["estimated"].as_array().unwrap();
        assert_eq!(estimated.len(), 1);
        assert_eq!(estimated[0]["title"], "Gift cards");
        assert!(payload["data"]["started_at"].as_u64() <= payload["data"]["ended_at"].as_u64());
    }
    receiver.expect_nothing(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn webhooks_are_the_facilitators_and_go_only_where_the_server_may_send() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(Config {
        data_dir: Some(dir.path().to_owned()),
        webhooks: WebhookSettings {
            allow_private: false,
            ..config(dir.path(), Duration::from_millis(200)).webhooks
        },
        ..Config::default()
    })
    .await;
    let mut receiver = Receiver::start(0).await;
    let room = server.create_room().await;
    let facilitator = room.facilitator_token.clone();
    let post = |url: String, events: Value, token: String| {
        let server = &server;
        let room = &room;
        async move {
            server
                .call(
                    room,
                    Method::POST,
                    "/webhooks",
                    &token,
                    Some(json!({ "url": url, "events": events })),
                )
                .await
        }
    };
    // Only the facilitator configures webhooks.
    let (status, _) = post(receiver.url(), json!(["ping"]), String::new()).await;
    assert_eq!(status, 401);
    let (status, _) = post(
        "https://hooks.example.com/x".into(),
        json!(["item.ready"]),
        "0".repeat(32),
    )
    .await;
    assert_eq!(status, 403);
    // Bad URLs and events get `invalid` and a sentence saying why.
    for (url, events, why) in [
        (
            receiver.url(),
            json!(["item.ready"]),
            "--webhook-allow-private",
        ),
        (
            "http://169.254.169.254/latest".to_owned(),
            json!(["item.ready"]),
            "private",
        ),
        (
            "ftp://hooks.example.com/".to_owned(),
            json!(["item.ready"]),
            "https://",
        ),
        (
            "https://hooks.example.com/".to_owned(),
            json!([]),
            "at least one event",
        ),
        (
            "https://hooks.example.com/".to_owned(),
            json!(["ping"]),
            "at least one event",
        ),
    ] {
        let (status, answer) = post(url.clone(), events, facilitator.clone()).await;
        assert_eq!(status, 400, "{url}: {answer}");
        assert_eq!(answer["code"], "invalid_value");
        assert!(
            answer["message"].as_str().unwrap().contains(why),
            "{url}: {answer}"
        );
    }
    let (status, answer) = post(
        "not a url".into(),
        json!(["item.ready"]),
        facilitator.clone(),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("invalid_value"))
    );

    // A name that resolves to a private address is refused when connecting.
    let local = format!("http://localhost:{}/hook", receiver.addr.port());
    let (id, _) = create_webhook(&server, &room, &local, &["item.ready"]).await;
    let (status, _) = server
        .call(
            &room,
            Method::POST,
            &format!("/webhooks/{id}/ping"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 202);
    eventually("the log says why the ping was not sent", async || {
        deliveries(&server, &room, &id)
            .await
            .first()
            .is_some_and(|d| {
                d["attempts"].as_u64() >= Some(1)
                    && d["error"].as_str().is_some_and(|e| e.contains("private"))
            })
    })
    .await;
    receiver.expect_nothing(Duration::from_millis(300)).await;

    // At most five per room; the secret is never listed.
    for n in 2..=5 {
        create_webhook(
            &server,
            &room,
            &format!("https://hooks.example.com/{n}"),
            &["item.ready"],
        )
        .await;
    }
    let (status, answer) = post(
        "https://hooks.example.com/6".into(),
        json!(["item.ready"]),
        facilitator.clone(),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (_, listed) = server
        .call(&room, Method::GET, "/webhooks", &facilitator, None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 5);
    assert!(!listed.to_string().contains("whsec_"));

    // Deleting a webhook forgets its waiting deliveries and its log.
    let (status, _) = server
        .call(
            &room,
            Method::DELETE,
            &format!("/webhooks/{id}"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, answer) = server
        .call(
            &room,
            Method::DELETE,
            &format!("/webhooks/{id}"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("invalid_value"))
    );
    assert!(deliveries(&server, &room, &id).await.is_empty());
}

#[tokio::test]
async fn a_failed_delivery_can_be_retried_by_hand_and_a_deleted_webhook_stops_retrying() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = config(dir.path(), Duration::from_millis(100));
    settings.webhooks.attempts = 2;
    let server = TestServer::start_with(settings).await;
    let mut receiver = Receiver::start(usize::MAX).await;
    let room = server.create_room().await;
    let facilitator = room.facilitator_token.clone();
    let (id, _) = create_webhook(&server, &room, &receiver.url(), &["item.ready"]).await;
    let ping = format!("/webhooks/{id}/ping");
    let (_, queued) = server
        .call(&room, Method::POST, &ping, &facilitator, None)
        .await;
    let delivery = queued["delivery_id"].as_str().unwrap().to_owned();
    assert_eq!(receiver.next().await.status, 503);
    assert_eq!(receiver.next().await.status, 503);
    eventually("two failed attempts make a failed delivery", async || {
        deliveries(&server, &room, &id)
            .await
            .first()
            .is_some_and(|d| {
                d["status"] == "failed" && d["attempts"] == 2 && d["response_status"] == 503
            })
    })
    .await;
    receiver.expect_nothing(Duration::from_millis(400)).await;

    receiver.fail_next(0);
    let (status, _) = server
        .call(
            &room,
            Method::POST,
            &format!("/webhooks/{id}/deliveries/{delivery}/retry"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 202);
    let retried = receiver.next().await;
    assert_eq!(
        (retried.delivery.as_str(), retried.status),
        (delivery.as_str(), 204)
    );

    // A receiver failing for good, and the webhook deleted while its retry waits.
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(config(dir.path(), Duration::from_secs(2))).await;
    let room = server.create_room().await;
    let facilitator = room.facilitator_token.clone();
    let (id, _) = create_webhook(&server, &room, &receiver.url(), &["item.ready"]).await;
    receiver.fail_next(usize::MAX);
    server
        .call(
            &room,
            Method::POST,
            &format!("/webhooks/{id}/ping"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(receiver.next().await.status, 503);
    let (status, _) = server
        .call(
            &room,
            Method::DELETE,
            &format!("/webhooks/{id}"),
            &facilitator,
            None,
        )
        .await;
    assert_eq!(status, 204);
    // The retry was due two seconds after the failure.
    receiver.expect_nothing(Duration::from_millis(2500)).await;
}
