use readyroom_protocol::ErrorCode;

/// Why a command was refused. Refusal never changes the room.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{code:?}: {message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(
            ErrorCode::Forbidden,
            format!("your role does not allow you to {what}"),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidValue, message)
    }

    /// A step that cannot go wrong did: a bug, said rather than panicked over.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "the server got into a state it should not be in",
        )
    }

    pub fn unknown_item() -> Self {
        Self::new(ErrorCode::UnknownItem, "no such item in this room")
    }

    pub fn unknown_participant() -> Self {
        Self::new(
            ErrorCode::UnknownParticipant,
            "no such participant in this room",
        )
    }
}
