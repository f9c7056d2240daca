//! Turning frames into messages and messages into frames. Every way a frame can be wrong maps
//! to one stable error code.

use axum::extract::ws::Utf8Bytes;
use readyroom_protocol::{ClientMessage, CommandId, ErrorCode, ServerMessage};

/// A frame that could not be read as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFrame {
    pub cmd: Option<CommandId>,
    pub code: ErrorCode,
    pub message: String,
}

impl BadFrame {
    pub fn into_message(self) -> ServerMessage {
        ServerMessage::Error {
            cmd: self.cmd,
            code: self.code,
            message: self.message,
        }
    }
}

/// Parses a client frame. The happy path parses once; only a failing frame is looked at again
/// to tell malformed JSON from an unknown type from a bad field, and to find its `cmd`.
pub fn parse_client(text: &str) -> Result<ClientMessage, BadFrame> {
    let error = match serde_json::from_str::<ClientMessage>(text) {
        Ok(message) => return Ok(message),
        Err(error) => error,
    };
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return Err(BadFrame {
            cmd: scan_cmd(text),
            code: ErrorCode::MalformedJson,
            message: format!("the frame is not a JSON object: {error}"),
        });
    };
    let cmd = object.get("cmd").and_then(serde_json::Value::as_u64);
    match object.get("type") {
        Some(kind) if is_command_type(kind) => Err(BadFrame {
            cmd,
            code: ErrorCode::InvalidMessage,
            message: error.to_string(),
        }),
        Some(kind) => Err(BadFrame {
            cmd,
            code: ErrorCode::UnknownType,
            message: format!("unknown message type {kind}"),
        }),
        None => Err(BadFrame {
            cmd,
            code: ErrorCode::UnknownType,
            message: "the message has no \"type\"".to_owned(),
        }),
    }
}

/// Whether `kind` names a command. Asking serde itself keeps this in step with the protocol:
/// only an unknown tag makes it report an unknown variant.
fn is_command_type(kind: &serde_json::Value) -> bool {
    let Some(kind) = kind.as_str() else {
        return false;
    };
    match serde_json::from_value::<readyroom_protocol::Command>(serde_json::json!({ "type": kind }))
    {
        Ok(_) => true,
        Err(error) => !error.to_string().starts_with("unknown variant"),
    }
}

/// The `cmd` of a frame that will not be processed (too large, over the rate), so that its
/// refusal still answers the right command. Reads only as far as that field needs.
pub fn probe_cmd(text: &str) -> Option<CommandId> {
    #[derive(serde::Deserialize)]
    struct Probe {
        cmd: Option<CommandId>,
    }
    match serde_json::from_str::<Probe>(text) {
        Ok(probe) => probe.cmd,
        Err(_) => scan_cmd(text),
    }
}

/// The first `"cmd": <integer>` in a frame that is not (complete) JSON, such as one cut off
/// by a client: its refusal can then still name the command. Read as text, so the first
/// match counts, wherever it stands.
fn scan_cmd(text: &str) -> Option<CommandId> {
    let mut rest = text;
    while let Some(at) = rest.find("\"cmd\"") {
        rest = rest.get(at + 5..)?;
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let after = value.get(digits..)?.trim_start();
        // A number that goes on (`1.5`, `1e3`) or may be cut off mid-way is no command id.
        if digits > 0 && after.starts_with([',', '}']) {
            return value.get(..digits)?.parse().ok();
        }
    }
    None
}

/// Serialises a server message into a frame that can be shared by every recipient.
pub fn encode(message: &ServerMessage) -> Utf8Bytes {
    match serde_json::to_string(message) {
        Ok(text) => Utf8Bytes::from(text),
        // The protocol's types have string keys and no custom serialisers, so this cannot
        // happen; if it ever does, the client learns that something failed instead of nothing.
        Err(error) => {
            tracing::error!(%error, "could not serialise a server message");
            Utf8Bytes::from_static(
                r#"{"type":"error","cmd":null,"code":"internal","message":"the server could not encode a message"}"#,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> (Option<CommandId>, ErrorCode) {
        let bad = parse_client(text).unwrap_err();
        (bad.cmd, bad.code)
    }

    #[test]
    fn tells_error_kinds_apart() {
        assert_eq!(code("{not json"), (None, ErrorCode::MalformedJson));
        assert_eq!(
            code(r#"{"cmd": 12, "type": "#),
            (Some(12), ErrorCode::MalformedJson)
        );
        assert_eq!(
            code(r#"{"type":"rename","cmd":13,"name":"unterminated"#),
            (Some(13), ErrorCode::MalformedJson)
        );
        assert_eq!(code(r#"{"cmd": 1.5, "#), (None, ErrorCode::MalformedJson));
        assert_eq!(code(r#"{"cmd": "#), (None, ErrorCode::MalformedJson));
        assert_eq!(code("[1,2]"), (None, ErrorCode::MalformedJson));
        assert_eq!(
            code(r#"{"cmd":4,"type":"fly"}"#),
            (Some(4), ErrorCode::UnknownType)
        );
        assert_eq!(code(r#"{"cmd":5}"#), (Some(5), ErrorCode::UnknownType));
        assert_eq!(
            code(r#"{"cmd":6,"type":"vote"}"#),
            (Some(6), ErrorCode::InvalidMessage)
        );
        assert_eq!(
            code(r#"{"type":"ping"}"#),
            (None, ErrorCode::InvalidMessage)
        );
        assert_eq!(
            code(r#"{"cmd":-1,"type":"ping"}"#),
            (None, ErrorCode::InvalidMessage)
        );
    }

    #[test]
    fn finds_the_cmd_of_a_frame_it_will_not_process() {
        assert_eq!(
            probe_cmd(r#"{"cmd":7,"type":"rename","name":"x"}"#),
            Some(7)
        );
        assert_eq!(probe_cmd(r#"{"type":"rename","cmd":8}"#), Some(8));
        assert_eq!(probe_cmd(r#"{"type":"rename"}"#), None);
        assert_eq!(probe_cmd("not json"), None);
    }

    #[test]
    fn knows_every_command_type() {
        for kind in [
            "join",
            "ping",
            "create_item",
            "update_item",
            "move_item",
            "vote",
            "stop_timer",
        ] {
            assert!(is_command_type(&serde_json::json!(kind)), "{kind} missing");
        }
        assert!(!is_command_type(&serde_json::json!("fly")));
        assert!(!is_command_type(&serde_json::json!(3)));
    }

    #[test]
    fn parses_a_flattened_update() {
        let id = "6f1c2d9e-3b7a-4c1e-9f2a-1b2c3d4e5f60";
        let text = format!(
            r#"{{"cmd":3,"type":"update_item","item_id":"{id}","field":"title","value":"x"}}"#
        );
        assert!(parse_client(&text).is_ok());
    }
}
