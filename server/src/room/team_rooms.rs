//! Other rooms of the same team whose accepted estimates this room's suggestions draw on
//! (opt-in). There are no accounts to say which rooms make a team, so a link is proof of
//! consent instead: the facilitator of this room presents an API token of the other room,
//! which only its facilitator can issue. The room keeps the token's digest, and the other room
//! shares its estimates for as long as it still has that token: revoking it there ends the
//! link.

use readyroom_protocol::limits::MAX_TEAM_ROOMS;
use readyroom_protocol::{ItemId, ItemView, RoomId, RoomRef, TeamRoomView};
use serde::{Deserialize, Serialize};

use super::api::ApiOutcome;
use super::{CommandError, Ctx, Room, tokens};

/// A link as the room keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TeamRoom {
    pub view: TeamRoomView,
    /// `tokens::shield` of the other room's API token.
    pub digest: String,
}

impl Room {
    /// The linked rooms, for the facilitator (checked by the shell).
    #[must_use]
    pub fn team_rooms(&self) -> Vec<TeamRoomView> {
        self.team_rooms.iter().map(|t| t.view.clone()).collect()
    }

    /// Each linked room with the digest that must still open it.
    #[must_use]
    pub fn team_room_links(&self) -> Vec<(RoomRef, String)> {
        self.team_rooms
            .iter()
            .map(|t| (t.view.room.clone(), t.digest.clone()))
            .collect()
    }

    /// This room's name and its items with accepted estimates, if `digest` is one of its API
    /// tokens' (a room linked with it may draw on them).
    #[must_use]
    pub fn shared_estimates(&self, digest: &str) -> Option<(RoomRef, Vec<ItemView>)> {
        self.shares_with(digest).then(|| {
            // Named as it is now, not as when the link was made.
            (
                RoomRef {
                    room_id: self.id,
                    name: self.settings.name.clone(),
                },
                self.estimated_items(None),
            )
        })
    }

    /// Whether a room linked with `digest` may still draw on this room's estimates.
    #[must_use]
    pub fn shares_with(&self, digest: &str) -> bool {
        // Every stored digest is compared, so the time taken says nothing about which matched.
        self.api_tokens
            .iter()
            .filter(|stored| tokens::matches(digest, &stored.digest))
            .count()
            > 0
    }

    /// Items with an accepted estimate, whole (not split), in backlog order, but `except`.
    pub(super) fn estimated_items(&self, except: Option<ItemId>) -> Vec<ItemView> {
        self.order
            .ids()
            .filter_map(|id| self.order.get(id))
            .filter(|item| {
                item.estimate.is_some() && item.split_into.is_empty() && Some(item.id) != except
            })
            .cloned()
            .collect()
    }

    pub(super) fn link_team_room(
        &mut self,
        ctx: &Ctx<'_>,
        room: &RoomRef,
        digest: &str,
    ) -> Result<ApiOutcome, CommandError> {
        if room.room_id == self.id {
            return Err(CommandError::invalid(
                "a room's own estimates are always used; link another room of the team",
            ));
        }
        let view = TeamRoomView {
            room: room.clone(),
            linked_at: ctx.now,
            sharing: true,
        };
        let link = TeamRoom {
            view: view.clone(),
            digest: tokens::digest(digest),
        };
        // Linking a room again (with another token, or after it was renamed) replaces the link.
        if let Some(existing) = self
            .team_rooms
            .iter_mut()
            .find(|t| t.view.room.room_id == room.room_id)
        {
            *existing = link;
            return Ok(ApiOutcome::TeamRoom(view));
        }
        if self.team_rooms.len() >= MAX_TEAM_ROOMS {
            return Err(CommandError::invalid(format!(
                "a room draws on at most {MAX_TEAM_ROOMS} other rooms; unlink one first"
            )));
        }
        self.team_rooms.push(link);
        Ok(ApiOutcome::TeamRoom(view))
    }

    pub(super) fn unlink_team_room(&mut self, room_id: RoomId) -> Result<ApiOutcome, CommandError> {
        let before = self.team_rooms.len();
        self.team_rooms.retain(|t| t.view.room.room_id != room_id);
        if self.team_rooms.len() == before {
            return Err(CommandError::invalid("this room is not linked"));
        }
        Ok(ApiOutcome::Revoked)
    }
}
