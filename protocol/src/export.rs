use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ParticipantId, RoomId, Timestamp};
use crate::room::{ItemView, Role, RoomSettings};

/// The value of [`RoomExport::format`].
pub const EXPORT_FORMAT: &str = "readyroom.room";
/// The version of the export format this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

/// A room as `GET /api/rooms/{id}/export` gives it and `POST /api/rooms/import` takes it: the
/// backlog with its history, the settings and who took part. No tokens, no unrevealed votes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoomExport {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    pub version: u32,
    pub exported_at: Timestamp,
    pub room_id: RoomId,
    pub settings: RoomSettings,
    /// Everyone who took part, so the names in vote histories still mean something.
    pub participants: Vec<ExportedParticipant>,
    /// In backlog order.
    pub items: Vec<ItemView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExportedParticipant {
    pub id: ParticipantId,
    pub name: String,
    pub role: Role,
}
