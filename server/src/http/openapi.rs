//! `GET /api/openapi.json`: the HTTP API as an OpenAPI 3.1 document, generated from the code.
//! Bodies and answers are the Rust types the handlers use, their schemas derived by `schemars`
//! (JSON Schema 2020-12, which OpenAPI 3.1 takes as it is); the operations are listed here, and
//! a test checks every route the router serves is in the list and every listed operation is
//! served. What the prose says (rules, limits, errors in detail) is in docs/protocol.md §16.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Value, json};

use super::tracker::ImportReport;
use crate::insights::Insights;
use crate::room::api::RoundsView;

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Auth {
    None,
    /// The facilitator token.
    Facilitator,
    /// The facilitator token or any API token.
    Read,
    /// The facilitator token or a `write` API token.
    Write,
    /// Any token of the room: a participant's, the facilitator's or an API token.
    Member,
}

struct Operation {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    /// The request body's media type and schema.
    body: Option<(&'static str, Value)>,
    /// The success status, its media type and schema.
    answer: (u16, &'static str, Value),
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    serde_json::to_value(generator.subschema_for::<T>()).unwrap_or(Value::Null)
}

/// The document. The same every call; cheap enough not to cache (a few hundred microseconds).
#[must_use]
pub fn document() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut g = settings.into_generator();
    let text = json!({"type": "string"});
    let json_any = json!({"type": "object"});
    let room_created = json!({
        "type": "object",
        "required": ["room_id", "facilitator_token", "join_url", "facilitator_url", "ws_url"],
        "properties": {
            "room_id": {"type": "string", "format": "uuid"},
            "facilitator_token": {"type": "string"},
            "join_url": {"type": "string"},
            "facilitator_url": {"type": "string"},
            "ws_url": {"type": "string"},
        },
    });
    let item_id = json!({"type": "object", "required": ["item_id"], "properties": {"item_id": {"type": "string", "format": "uuid"}}});
    let operations = vec![
        Operation {
            method: "get",
            path: "/healthz",
            summary: "Health and how many rooms are in memory",
            auth: Auth::None,
            body: None,
            answer: (200, "application/json", json_any.clone()),
        },
        Operation {
            method: "get",
            path: "/metrics",
            summary: "Counters and histograms in Prometheus' text format (404 unless started with --metrics)",
            auth: Auth::None,
            body: None,
            answer: (200, "text/plain", text.clone()),
        },
        Operation {
            method: "get",
            path: "/api/openapi.json",
            summary: "This document",
            auth: Auth::None,
            body: None,
            answer: (200, "application/json", json_any.clone()),
        },
        Operation {
            method: "get",
            path: "/api/protocol/schema.json",
            summary: "The WebSocket protocol as JSON Schema",
            auth: Auth::None,
            body: None,
            answer: (200, "application/json", json_any.clone()),
        },
        Operation {
            method: "post",
            path: "/api/rooms",
            summary: "Create a room",
            auth: Auth::None,
            body: Some((
                "application/json",
                json!({"type": "object", "properties": {"name": {"type": "string"}, "default_deck": schema::<readyroom_protocol::DeckChoice>(&mut g), "auto_reveal": {"type": "boolean"}}}),
            )),
            answer: (201, "application/json", room_created.clone()),
        },
        Operation {
            method: "post",
            path: "/api/rooms/import",
            summary: "Create a room from a room export",
            auth: Auth::None,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::RoomExport>(&mut g),
            )),
            answer: (201, "application/json", room_created),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}",
            summary: "A room's name",
            auth: Auth::None,
            body: None,
            answer: (
                200,
                "application/json",
                json!({"type": "object", "properties": {"room_id": {"type": "string"}, "name": {"type": "string"}}}),
            ),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/qr.svg",
            summary: "The team link as a QR code",
            auth: Auth::None,
            body: None,
            answer: (200, "image/svg+xml", text.clone()),
        },
        Operation {
            method: "get",
            path: "/ws/rooms/{room_id}",
            summary: "WebSocket upgrade into the room (see /api/protocol/schema.json)",
            auth: Auth::None,
            body: None,
            answer: (101, "application/json", json_any.clone()),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/export",
            summary: "The room as a portable document",
            auth: Auth::Read,
            body: None,
            answer: (
                200,
                "application/json",
                schema::<readyroom_protocol::RoomExport>(&mut g),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/import/csv",
            summary: "Import a Jira, Azure DevOps or plain CSV file (query: format, tracker_url, columns, dry_run)",
            auth: Auth::Write,
            body: Some(("text/csv", text.clone())),
            answer: (200, "application/json", schema::<ImportReport>(&mut g)),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/export/csv",
            summary: "The backlog as the tracker's CSV (query: format = jira, azure or plain)",
            auth: Auth::Read,
            body: None,
            answer: (200, "text/csv", text.clone()),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/summary.md",
            summary: "The latest session in Markdown",
            auth: Auth::Member,
            body: None,
            answer: (200, "text/markdown", text),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/insights",
            summary: "How the room refines, session by session",
            auth: Auth::Member,
            body: None,
            answer: (200, "application/json", schema::<Insights>(&mut g)),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/tokens",
            summary: "The room's API tokens",
            auth: Auth::Facilitator,
            body: None,
            answer: (
                200,
                "application/json",
                json!({"type": "array", "items": schema::<readyroom_protocol::ApiTokenView>(&mut g)}),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/tokens",
            summary: "Issue an API token (its secret is answered this once)",
            auth: Auth::Facilitator,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::NewApiToken>(&mut g),
            )),
            answer: (
                201,
                "application/json",
                schema::<readyroom_protocol::ApiTokenCreated>(&mut g),
            ),
        },
        Operation {
            method: "delete",
            path: "/api/rooms/{room_id}/tokens/{token_id}",
            summary: "Revoke an API token",
            auth: Auth::Facilitator,
            body: None,
            answer: (204, "application/json", json_any),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/items",
            summary: "The backlog in order",
            auth: Auth::Read,
            body: None,
            answer: (
                200,
                "application/json",
                json!({"type": "array", "items": schema::<readyroom_protocol::ItemView>(&mut g)}),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/items",
            summary: "Create an item",
            auth: Auth::Write,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::NewItem>(&mut g),
            )),
            answer: (201, "application/json", item_id.clone()),
        },
        Operation {
            method: "patch",
            path: "/api/rooms/{room_id}/items/{item_id}",
            summary: "Set one field of an item",
            auth: Auth::Write,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::ItemChange>(&mut g),
            )),
            answer: (200, "application/json", item_id),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/items/{item_id}/history",
            summary: "An item's history",
            auth: Auth::Member,
            body: None,
            answer: (
                200,
                "application/json",
                schema::<readyroom_protocol::ItemHistory>(&mut g),
            ),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/items/{item_id}/suggestion",
            summary: "An estimate suggested from similar items (voters: after the reveal)",
            auth: Auth::Member,
            body: None,
            answer: (
                200,
                "application/json",
                schema::<readyroom_protocol::EstimateSuggestion>(&mut g),
            ),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/rounds",
            summary: "The round under way (no card before the reveal) and revealed rounds",
            auth: Auth::Read,
            body: None,
            answer: (200, "application/json", schema::<RoundsView>(&mut g)),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/team-rooms",
            summary: "The team's other rooms whose estimates the suggestions draw on",
            auth: Auth::Facilitator,
            body: None,
            answer: (
                200,
                "application/json",
                json!({"type": "array", "items": schema::<readyroom_protocol::TeamRoomView>(&mut g)}),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/team-rooms",
            summary: "Draw on another room's estimates too, with an API token of it",
            auth: Auth::Facilitator,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::NewTeamRoom>(&mut g),
            )),
            answer: (
                201,
                "application/json",
                schema::<readyroom_protocol::TeamRoomView>(&mut g),
            ),
        },
        Operation {
            method: "delete",
            path: "/api/rooms/{room_id}/team-rooms/{other_id}",
            summary: "Stop drawing on another room's estimates",
            auth: Auth::Facilitator,
            body: None,
            answer: (204, "application/json", json!({"type": "object"})),
        },
        Operation {
            method: "get",
            path: "/api/rooms/{room_id}/webhooks",
            summary: "The room's webhooks, each with its latest deliveries",
            auth: Auth::Facilitator,
            body: None,
            answer: (
                200,
                "application/json",
                json!({"type": "array", "items": schema::<readyroom_protocol::WebhookWithLog>(&mut g)}),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/webhooks",
            summary: "Add a webhook (its signing secret is answered this once)",
            auth: Auth::Facilitator,
            body: Some((
                "application/json",
                schema::<readyroom_protocol::NewWebhook>(&mut g),
            )),
            answer: (
                201,
                "application/json",
                schema::<readyroom_protocol::WebhookCreated>(&mut g),
            ),
        },
        Operation {
            method: "delete",
            path: "/api/rooms/{room_id}/webhooks/{webhook_id}",
            summary: "Delete a webhook, with its waiting deliveries and its log",
            auth: Auth::Facilitator,
            body: None,
            answer: (204, "application/json", json!({"type": "object"})),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/webhooks/{webhook_id}/ping",
            summary: "Queue a `ping` delivery to check the receiver",
            auth: Auth::Facilitator,
            body: None,
            answer: (
                202,
                "application/json",
                json!({"type": "object", "required": ["delivery_id"], "properties": {"delivery_id": {"type": "string", "format": "uuid"}}}),
            ),
        },
        Operation {
            method: "post",
            path: "/api/rooms/{room_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
            summary: "Send a failed delivery again, from its first attempt",
            auth: Auth::Facilitator,
            body: None,
            answer: (202, "application/json", json!({"type": "object"})),
        },
    ];
    let payload = schema::<readyroom_protocol::WebhookPayload>(&mut g);
    let error = schema::<ErrorBody>(&mut g);
    let mut paths = serde_json::Map::new();
    for op in operations {
        let parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut operation = serde_json::Map::new();
        operation.insert("summary".into(), op.summary.into());
        operation.insert(
            "operationId".into(),
            format!("{} {}", op.method, op.path).into(),
        );
        operation.insert(
            "responses".into(),
            json!({
                op.answer.0.to_string(): {"description": "success", "content": {op.answer.1: {"schema": op.answer.2}}},
                "default": {"description": "an error, in the protocol's vocabulary (docs/protocol.md §12)", "content": {"application/json": {"schema": error.clone()}}},
            }),
        );
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some((media, schema)) = op.body {
            operation.insert(
                "requestBody".into(),
                json!({"required": true, "content": {media: {"schema": schema}}}),
            );
        }
        let security = match op.auth {
            Auth::None => None,
            Auth::Facilitator => Some("the facilitator token"),
            Auth::Read => Some("the facilitator token or an API token"),
            Auth::Write => Some("the facilitator token or an API token that may write"),
            Auth::Member => Some("a participant's token, the facilitator token or an API token"),
        };
        if let Some(who) = security {
            operation.insert("security".into(), json!([{"bearer": []}]));
            operation.insert(
                "description".into(),
                format!("Send {who} as `Authorization: Bearer <token>`.").into(),
            );
        }
        if let Some(entry) = paths
            .entry(op.path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
        {
            entry.insert(op.method.to_owned(), Value::Object(operation));
        }
    }
    let mut components = serde_json::Map::new();
    components.insert("schemas".into(), Value::Object(g.take_definitions(true)));
    components.insert(
        "securitySchemes".into(),
        json!({"bearer": {"type": "http", "scheme": "bearer"}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Ready Room",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A room's HTTP API. The real-time side is a WebSocket (`/ws/rooms/{room_id}`), described by /api/protocol/schema.json and docs/protocol.md.",
        },
        "paths": paths,
        // What the server POSTs to a room's webhooks (docs/protocol.md §26).
        "webhooks": {
            "roomEvent": {
                "post": {
                    "summary": "Something happened in a room: an estimate accepted, an item ready, a session ended, items imported, or a ping",
                    "description": "Headers: `ReadyRoom-Event` (the event), `ReadyRoom-Delivery` (the delivery id, the same on every attempt), `ReadyRoom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" under the webhook's secret>`. Answer with a 2xx status; anything else is retried with backoff.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": payload}}},
                    "responses": {"2XX": {"description": "received"}},
                },
            },
        },
        "components": components,
    })
}

/// Every error answer: a stable code and a message for people.
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only its schema is used")]
struct ErrorBody {
    code: readyroom_protocol::ErrorCode,
    message: String,
}
