use schemars::generate::SchemaSettings;

use crate::client::ClientMessage;
use crate::server::ServerMessage;

/// A JSON Schema (draft 2020-12) document describing both directions of the protocol:
/// `client_message` and `server_message` under `properties`, every type they use under the
/// document's own `$defs`, so that each `$ref` resolves within the document.
#[must_use]
pub fn json_schema() -> serde_json::Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let client = generator.subschema_for::<ClientMessage>();
    let server = generator.subschema_for::<ServerMessage>();
    let definitions = generator.take_definitions(true);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Ready Room protocol",
        "protocol_version": crate::PROTOCOL_VERSION,
        "properties": {
            "client_message": client,
            "server_message": server,
        },
        "$defs": definitions,
    })
}
