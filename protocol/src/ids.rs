use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The client-chosen id of a command. A participant's ids strictly increase (across all of its
/// connections); the server answers each id exactly once and applies it at most once.
pub type CommandId = u64;

/// A room's sequence number: every broadcast event gets the next one, starting at 1.
pub type Seq = u64;

/// Milliseconds since the Unix epoch, as measured by the server.
pub type Timestamp = u64;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Builds a version-4 id from 16 random bytes supplied by the caller, so that pure
            /// code can mint ids from a random source it is handed.
            #[must_use]
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A room. Random (UUID v4), so knowing one room's id reveals nothing about another's.
    RoomId
);
uuid_id!(
    /// A participant of one room.
    ParticipantId
);
uuid_id!(
    /// A backlog item.
    ItemId
);
uuid_id!(
    /// One planning-poker round. A re-vote is a new round with a new id.
    RoundId
);
