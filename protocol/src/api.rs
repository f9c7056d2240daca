//! The HTTP API for tools beside the meeting (a tracker sync, a bot): tokens a facilitator
//! issues per room, each allowed to read, or to read and write.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{RoomId, Timestamp};

/// What an API token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Read the backlog, rounds and results, exports, the summary and insights.
    Read,
    /// Also create and update items and import.
    Write,
}

/// An API token as listed: never its secret, which is shown once, when it is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiTokenView {
    pub id: uuid::Uuid,
    pub name: String,
    pub scope: ApiScope,
    pub created_at: Timestamp,
}

/// A new token, as answered to the facilitator who created it: the only time `token` is seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiTokenCreated {
    #[serde(flatten)]
    pub view: ApiTokenView,
    pub token: String,
}

/// `POST /api/rooms/{room_id}/tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewApiToken {
    pub name: String,
    pub scope: ApiScope,
}

/// A room by its id and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomRef {
    pub room_id: RoomId,
    pub name: String,
}

/// Another room of the team whose accepted estimates this room's suggestions draw on, as
/// listed. The link holds while the other room keeps the API token it was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TeamRoomView {
    #[serde(flatten)]
    pub room: RoomRef,
    pub linked_at: Timestamp,
    /// Whether the other room still shares its estimates (it still has the token the link
    /// was made with, and could be read just now).
    #[serde(default = "sharing_by_default")]
    pub sharing: bool,
}

fn sharing_by_default() -> bool {
    true
}

/// `POST /api/rooms/{room_id}/team-rooms`: the other room and an API token of it (any scope),
/// which shows that its facilitator agrees to share its estimates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewTeamRoom {
    pub room_id: RoomId,
    pub token: String,
}
