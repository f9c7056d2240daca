//! The HTTP surface: health, room creation and lookup, the schema, the web client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_tests::{Config, TestServer};
use serde_json::{Value, json};

#[tokio::test]
async fn health_and_schema() {
    let server = TestServer::start().await;
    let health = server.health().await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["rooms_loaded"], 0);
    assert!(health["connections"].as_u64().unwrap() >= 1, "{health}");
    let schema = server
        .http()
        .get(server.url("/api/protocol/schema.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(schema.status(), 200);
    let text = schema.text().await.unwrap();
    for name in [
        "\"join\"",
        "\"update_item\"",
        "\"vote\"",
        "\"round_revealed\"",
        "\"welcome\"",
    ] {
        assert!(text.contains(name), "schema lacks {name}");
    }
}

#[tokio::test]
async fn rooms_are_created_with_unguessable_ids_and_can_be_looked_up() {
    let server = TestServer::start().await;
    let a = server.create_room().await;
    let b = server.create_room_with(json!({})).await;
    assert_ne!(a.room_id, b.room_id);
    let id: uuid::Uuid = a.room_id.parse().unwrap();
    assert_eq!(id.get_version_num(), 4, "room ids are random UUIDs");
    assert_eq!(a.facilitator_token.len(), 32);
    assert!(a.join_url.ends_with(&format!("/r/{}", a.room_id)));
    assert!(
        a.facilitator_url
            .contains(&format!("#facilitator={}", a.facilitator_token))
    );
    assert_eq!(
        a.ws_url,
        format!("ws://{}/ws/rooms/{}", server.addr, a.room_id)
    );

    // An empty JSON POST takes every default.
    let response = server
        .http()
        .post(server.url("/api/rooms"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["cache-control"],
        "no-store",
        "it carries a token"
    );

    let found: Value = server
        .http()
        .get(server.url(&format!("/api/rooms/{}", a.room_id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        found,
        json!({ "room_id": a.room_id, "name": "Sprint 42 refinement" })
    );
    let missing = server
        .http()
        .get(server.url(&format!("/api/rooms/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "room_not_found");
}

#[tokio::test]
async fn bad_room_requests_are_refused_with_codes() {
    let server = TestServer::start_with(Config {
        max_rooms: 1,
        ..Config::default()
    })
    .await;
    let post = |body: &'static str| {
        server
            .http()
            .post(server.url("/api/rooms"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, code) in [
        ("{not json", "invalid_message"),
        (r#"{"name": 7}"#, "invalid_message"),
        (r#"{"surprise": true}"#, "invalid_message"),
        (r#"{"name": "   "}"#, "invalid_value"),
        (
            r#"{"default_deck": {"kind": "custom", "cards": []}}"#,
            "invalid_value",
        ),
    ] {
        let response = post(body).await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], code, "{body}: {error}");
    }
    assert_eq!(post("{}").await.unwrap().status(), 201);
    let full = post("{}").await.unwrap();
    assert_eq!(full.status(), 503);
    let error: Value = full.json().await.unwrap();
    assert_eq!(error["code"], "too_many_rooms");
}

#[tokio::test]
async fn the_web_client_is_served_with_a_strict_policy() {
    let server = TestServer::start().await;
    for path in ["/", &format!("/r/{}", uuid::Uuid::new_v4())] {
        let response = server.http().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let etag = headers["etag"].clone();
        let again = server
            .http()
            .get(server.url(path))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        assert!(response.text().await.unwrap().contains("Ready Room"));
    }
    let missing = server
        .http()
        .get(server.url("/no/such/file.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn room_creation_is_rationed_per_address() {
    let server = TestServer::start_with(Config {
        room_creation_burst: 2,
        room_creations_per_minute: 1,
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        server.create_room().await;
    }
    let refused = server
        .http()
        .post(server.url("/api/rooms"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["code"], "rate_limited");
}

#[tokio::test]
async fn assets_live_under_the_builds_version_and_another_builds_address_is_not_remembered() {
    let server = TestServer::start().await;
    let page = server
        .http()
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("/v/").expect("the page loads versioned assets");
    let script = page[start..].split('"').next().unwrap().to_owned();
    assert!(
        script.ends_with(".js") || script.ends_with(".css") || script.ends_with(".svg"),
        "{script}"
    );
    let kept = server.http().get(server.url(&script)).send().await.unwrap();
    assert_eq!(kept.status(), 200, "{script}");
    assert!(
        kept.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let version = script.split('/').nth(2).unwrap();
    let other = script.replacen(version, "000000000000", 1);
    let gone = server.http().get(server.url(&other)).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.headers()["cache-control"],
        "no-store",
        "a node still on that build may answer it later"
    );
}

#[tokio::test]
async fn a_rooms_page_announces_its_modules_and_its_room_lookup() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let http = server.http().clone();
    let get = |path: String| {
        let (http, url) = (http.clone(), server.url(&path));
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(format!("/r/{}", room.room_id)).await;
    assert!(
        page.contains("rel=\"modulepreload\""),
        "modules are asked for at once"
    );
    assert!(
        page.contains(&format!(
            "<link rel=\"preload\" href=\"/api/rooms/{}\" as=\"fetch\"",
            room.room_id
        )),
        "the room's lookup starts with the page"
    );
    assert!(
        !page.contains("messages/de.js"),
        "other languages load only when chosen"
    );
    for module in [
        "js/main.js",
        "js/view/index.js",
        "js/messages/en.js",
        "js/store.js",
    ] {
        assert!(page.contains(module), "{module} is needed at start");
    }
    assert!(
        !page.contains("js/view/dialogs/"),
        "dialogs load when first opened"
    );
    // Only a well-formed id makes it into the page.
    let odd = get("/r/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned()).await;
    assert!(!odd.contains("<script>alert") && !odd.contains("rel=\"preload\""));
}

/// The routes the router serves, read from its source: each `.route("…"` in the HTTP module.
fn routes_in_source() -> Vec<String> {
    let source = include_str!("../../server/src/http/mod.rs");
    source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('"')? + 1;
            let end = start + rest[start..].find('"')?;
            Some(rest[start..end].replace("{id}", "{room_id}"))
        })
        .collect()
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_every_listed_operation_is_served() {
    // With metrics on, so that `/metrics` answers as documented.
    let server = TestServer::start_with(Config {
        metrics: true,
        ..Config::default()
    })
    .await;
    let document: Value = server
        .http()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    for route in routes_in_source() {
        assert!(
            paths.contains_key(&route),
            "{route} is served but not in the OpenAPI document"
        );
    }
    // What webhooks are sent is described too.
    assert!(
        document["webhooks"]["roomEvent"]["post"]["requestBody"].is_object(),
        "the webhook payload is not in the document"
    );
    // Every `$ref` resolves within the document.
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(
            document["components"]["schemas"].get(name).is_some(),
            "{name} is referenced, not defined"
        );
    }
    // Each listed operation is routed: with ids that name nothing, the answer is the API's own
    // (a JSON error, or success), never the router's 404 or 405.
    let nobody = "3f2b8c1e-6d4a-4f7b-9c2e-1a5d8e7f6b40";
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            if path.starts_with("/ws/") {
                continue;
            }
            let url = server.url(
                &path
                    .replace("{room_id}", nobody)
                    .replace("{item_id}", nobody)
                    .replace("{token_id}", nobody)
                    .replace("{webhook_id}", nobody)
                    .replace("{other_id}", nobody)
                    .replace("{delivery_id}", nobody),
            );
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let response = server
                .http()
                .request(method.clone(), &url)
                .bearer_auth("t")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            if status == 404 {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                assert!(
                    body["code"].is_string(),
                    "{method} {path}: a 404 from the router, not the API"
                );
            }
        }
    }
}
