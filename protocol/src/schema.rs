use crate::client::ClientMessage;
use crate::server::ServerMessage;

/// A JSON Schema document describing both directions of the protocol: `client_message` and
/// `server_message` under `properties`.
#[must_use]
pub fn json_schema() -> serde_json::Value {
    let client = schemars::schema_for!(ClientMessage);
    let server = schemars::schema_for!(ServerMessage);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Ready Room protocol",
        "protocol_version": crate::PROTOCOL_VERSION,
        "properties": {
            "client_message": client,
            "server_message": server,
        },
    })
}
