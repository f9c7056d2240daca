//! The live rooms, by id. Handles are cheap to clone; the state lives in each room's actor.

use std::sync::Arc;

use dashmap::DashMap;
use readyroom_protocol::{DeckChoice, ErrorCode, RoomId, RoomSettings};
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use crate::actor::{RoomActor, RoomMsg};
use crate::room::CommandError;

#[derive(Clone, Debug)]
pub struct RoomHandle {
    pub tx: mpsc::Sender<RoomMsg>,
}

#[derive(Debug)]
pub struct Registry {
    rooms: DashMap<RoomId, RoomHandle>,
    max_rooms: usize,
    inbox: usize,
    actors: TaskTracker,
}

/// A freshly created room.
#[derive(Debug)]
pub struct Created {
    pub room_id: RoomId,
    pub facilitator_token: String,
}

impl Registry {
    pub fn new(max_rooms: usize, inbox: usize) -> Arc<Self> {
        Arc::new(Self {
            rooms: DashMap::new(),
            max_rooms,
            inbox,
            actors: TaskTracker::new(),
        })
    }

    pub fn get(&self, id: RoomId) -> Option<RoomHandle> {
        self.rooms.get(&id).map(|handle| handle.clone())
    }

    pub fn create(&self, settings: RoomSettings) -> Result<Created, CommandError> {
        if self.rooms.len() >= self.max_rooms {
            return Err(CommandError::new(
                ErrorCode::TooManyRooms,
                "this server holds as many rooms as it is allowed to; try again later",
            ));
        }
        let settings = crate::room::validate_settings(settings)?;
        let room_id = RoomId(uuid::Uuid::new_v4());
        let (actor, facilitator_token) = RoomActor::create(room_id, settings);
        let (tx, rx) = mpsc::channel(self.inbox.max(1));
        self.actors.spawn(actor.run(rx));
        self.rooms.insert(room_id, RoomHandle { tx });
        tracing::info!(room = %room_id, "room created");
        Ok(Created {
            room_id,
            facilitator_token,
        })
    }

    /// Drops every room handle and waits for the actors to finish what they were sent.
    pub async fn shut_down(&self) {
        self.rooms.clear();
        self.actors.close();
        self.actors.wait().await;
    }
}

/// Settings for a room created with nothing specified.
pub fn default_settings(
    name: Option<String>,
    deck: Option<DeckChoice>,
    auto_reveal: Option<bool>,
) -> RoomSettings {
    RoomSettings {
        name: name.unwrap_or_else(|| "Refinement".to_owned()),
        default_deck: deck.unwrap_or_default(),
        auto_reveal: auto_reveal.unwrap_or(false),
    }
}
