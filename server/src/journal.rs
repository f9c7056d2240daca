//! The inputs a room applies, in a form that can be stored and replayed. Live processing and
//! replay after a restart both go through [`apply`], and the core is deterministic given the
//! time and the random seed recorded with each input, so replay rebuilds exactly the room that
//! was acknowledged.

use rand::SeedableRng;
use rand::rngs::StdRng;
use readyroom_protocol::{Command, CommandId, EventFrame, JoinRequest, ParticipantId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::room::{CommandError, Ctx, Joined, Outcome, Room};

/// The rules inputs are logged under now. Inputs logged before replay under the rules they
/// were applied with: version 0 had no command-id ranges and forgot no ghosts; version 1
/// accepted dependency cycles; version 2 let people set any status by hand; version 3 let any
/// editor set any estimate; version 4 deleted items for good, with no trash; version 5 proposed
/// the higher card on a tie and flagged outliers between two voters.
pub const RULES: u32 = 6;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub now: Timestamp,
    /// Seeds the randomness (new ids, tokens) this input consumed.
    pub seed: [u8; 32],
    pub input: Input,
    #[serde(default)]
    pub rules: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Input {
    /// Tokens in `request` are digests (`room::tokens::shield`). `minted` is the digest of
    /// the token a new participant gets (absent in inputs logged before the shell minted it).
    Join {
        request: JoinRequest,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minted: Option<String>,
    },
    Command {
        actor: ParticipantId,
        cmd: CommandId,
        command: Command,
    },
    Disconnect {
        participant: ParticipantId,
    },
    /// Everyone offline, as after a restart.
    ResetPresence,
    /// Items from a tracker's CSV file, parsed by the shell.
    Import {
        batch: crate::tracker::ImportBatch,
    },
    /// A change over the HTTP API (the token was checked by the shell; a new token's secret
    /// was minted by the shell and only its digest is here).
    Api {
        change: crate::room::api::ApiChange,
    },
}

/// What applying an input gave.
#[derive(Debug)]
pub enum Applied {
    Joined(Result<Joined, CommandError>),
    Command(Outcome),
    Events(Vec<EventFrame>),
    Imported(
        Result<crate::room::ImportSummary, CommandError>,
        Vec<EventFrame>,
    ),
    Api(
        Result<crate::room::api::ApiOutcome, CommandError>,
        Vec<EventFrame>,
    ),
}

impl Applied {
    pub fn events(&self) -> &[EventFrame] {
        match self {
            Self::Joined(Ok(joined)) => &joined.events,
            Self::Joined(Err(_)) => &[],
            Self::Command(outcome) => &outcome.events,
            Self::Events(events) | Self::Imported(_, events) | Self::Api(_, events) => events,
        }
    }
}

pub fn apply(room: &mut Room, entry: &Entry) -> Applied {
    let mut rng = StdRng::from_seed(entry.seed);
    let mut ctx = Ctx {
        now: entry.now,
        rng: &mut rng,
    };
    room.set_rules(entry.rules);
    let applied = apply_input(room, &mut ctx, entry);
    room.set_rules(RULES);
    applied
}

fn apply_input(room: &mut Room, ctx: &mut Ctx<'_>, entry: &Entry) -> Applied {
    let ctx = &mut *ctx;
    match &entry.input {
        Input::Join { request, minted } => {
            Applied::Joined(room.join(ctx, request, minted.as_deref()))
        }
        Input::Command {
            actor,
            cmd,
            command,
        } => Applied::Command(room.handle(ctx, *actor, *cmd, command.clone())),
        Input::Disconnect { participant } => {
            Applied::Events(room.disconnect(entry.now, *participant))
        }
        Input::ResetPresence => Applied::Events(room.reset_presence(entry.now)),
        Input::Import { batch } => {
            let (summary, events) = room.import_items(ctx, batch);
            Applied::Imported(summary, events)
        }
        Input::Api { change } => {
            let (outcome, events) = room.apply_api(ctx, change);
            Applied::Api(outcome, events)
        }
    }
}
