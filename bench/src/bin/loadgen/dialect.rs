//! What a client sends and how it reads what comes back, for each server under test. Both get
//! the same client frames (Ready Room's protocol); Ready Room answers with acks and events, the
//! baseline relays the frames themselves. Incoming frames are classified by looking for a few
//! substrings, not by decoding them: at a hundred thousand frames a second on the same two cores
//! as the server, a full decode would measure the load generator.

use readyroom_protocol::{
    ClientMessage, Command, CommandId, ItemChange, ItemId, JoinRequest, NewItem, PROTOCOL_VERSION,
    Role, RoundId, SettingsChange,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The minimal relay: each connection's reader hands frames straight to the room's
    /// members.
    Baseline,
    /// The same relay through one task per room, as Ready Room's architecture has it: shows
    /// what that hop costs apart from the product logic.
    RoomTask,
    Readyroom,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::RoomTask => "room-task",
            Self::Readyroom => "readyroom",
        }
    }

    /// Relays the client frames back instead of speaking the protocol.
    pub fn is_relay(self) -> bool {
        matches!(self, Self::Baseline | Self::RoomTask)
    }
}

/// A frame from the server, as far as the load generator cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen<'a> {
    Welcome,
    /// The answer to this command id (Ready Room's ack, or the baseline's relay of the
    /// client's own frame).
    Reply(CommandId),
    Error,
    /// An item edit carrying a [`marker`].
    Edit(&'a str),
    ItemCreated(&'a str),
    RoundStarted(Option<&'a str>),
    VoteCast,
    Revealed,
    EstimateAccepted,
    Other,
}

pub fn join(cmd: CommandId, name: String, facilitator_token: Option<String>) -> String {
    encode(
        cmd,
        Command::Join(JoinRequest {
            protocol: PROTOCOL_VERSION,
            name,
            role: Role::Voter,
            facilitator_token,
            participant_token: None,
            resume: None,
        }),
    )
}

pub fn create_item(cmd: CommandId, title: String) -> String {
    encode(
        cmd,
        Command::CreateItem(NewItem {
            title,
            ..NewItem::default()
        }),
    )
}

pub fn manual_reveal(cmd: CommandId) -> String {
    encode(
        cmd,
        Command::UpdateSettings(SettingsChange {
            auto_reveal: Some(false),
            ..SettingsChange::default()
        }),
    )
}

pub fn edit(cmd: CommandId, item_id: ItemId, marker: String) -> String {
    encode(
        cmd,
        Command::UpdateItem {
            item_id,
            change: ItemChange::Description(marker),
        },
    )
}

pub fn move_to_top(cmd: CommandId, item_id: ItemId) -> String {
    encode(
        cmd,
        Command::MoveItem {
            item_id,
            after: None,
            before: None,
        },
    )
}

pub fn start_round(cmd: CommandId, item_id: ItemId) -> String {
    encode(
        cmd,
        Command::StartRound {
            item_id,
            deck: None,
        },
    )
}

pub fn vote(cmd: CommandId, round_id: RoundId, card: &str) -> String {
    encode(
        cmd,
        Command::Vote {
            round_id,
            card: card.to_owned(),
        },
    )
}

pub fn reveal(cmd: CommandId, round_id: RoundId) -> String {
    encode(cmd, Command::Reveal { round_id })
}

pub fn revote(cmd: CommandId, round_id: RoundId) -> String {
    encode(cmd, Command::Revote { round_id })
}

pub fn accept(cmd: CommandId, round_id: RoundId, estimate: &str) -> String {
    encode(
        cmd,
        Command::AcceptEstimate {
            round_id,
            estimate: estimate.to_owned(),
        },
    )
}

fn encode(cmd: CommandId, command: Command) -> String {
    // Serialising these types cannot fail: no maps with non-string keys, no custom
    // serialisers that error.
    serde_json::to_string(&ClientMessage { cmd, command }).unwrap_or_default()
}

/// The text an edit carries: who sent it and when, in microseconds since the generator
/// started, so that every receiver can time its delivery.
pub fn marker(sender: usize, sent_us: u64) -> String {
    format!("bench@{sender}@{sent_us}")
}

/// The sender and send time of a [`marker`].
pub fn parse_marker(marker: &str) -> Option<(usize, u64)> {
    let rest = marker.strip_prefix("bench@")?;
    let (sender, sent) = rest.split_once('@')?;
    let digits = sent
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(sent.len());
    Some((sender.parse().ok()?, sent.get(..digits)?.parse().ok()?))
}

pub fn classify(target: Target, frame: &str) -> Seen<'_> {
    if target.is_relay() {
        classify_relay(frame)
    } else {
        classify_readyroom(frame)
    }
}

fn classify_readyroom(frame: &str) -> Seen<'_> {
    match type_after(frame, r#"{"type":""#) {
        Some("event") => {}
        Some("welcome") => return Seen::Welcome,
        Some("ack") => return reply(frame),
        Some("error") => return Seen::Error,
        _ => return Seen::Other,
    }
    match type_after(frame, r#""event":{"type":""#) {
        Some("item_updated") => edit_marker(frame),
        Some("item_created") => {
            string_after(frame, r#""item":{"id":""#).map_or(Seen::Other, Seen::ItemCreated)
        }
        Some("round_started") => Seen::RoundStarted(string_after(frame, r#""round":{"id":""#)),
        Some("vote_cast") => Seen::VoteCast,
        Some("round_revealed") => Seen::Revealed,
        Some("estimate_accepted") => Seen::EstimateAccepted,
        _ => Seen::Other,
    }
}

/// The baseline sends back the client frames themselves.
fn classify_relay(frame: &str) -> Seen<'_> {
    if frame == r#"{"type":"welcome"}"# {
        return Seen::Welcome;
    }
    match type_after(frame, r#""type":""#) {
        Some("update_item") => edit_marker(frame),
        Some("create_item") => Seen::ItemCreated(""),
        Some("start_round" | "revote") => Seen::RoundStarted(None),
        Some("vote") => Seen::VoteCast,
        Some("reveal") => Seen::Revealed,
        Some("accept_estimate") => Seen::EstimateAccepted,
        _ => Seen::Other,
    }
}

/// Whether `frame` is the baseline's relay of this client's own command `cmd`: relays of
/// other members' commands carry their own ids, so the caller also checks the sender.
pub fn relayed_cmd(frame: &str) -> Option<CommandId> {
    let digits = frame.strip_prefix(r#"{"cmd":"#)?;
    let end = digits.find(|c: char| !c.is_ascii_digit())?;
    digits.get(..end)?.parse().ok()
}

fn reply(frame: &str) -> Seen<'_> {
    frame
        .split_once(r#""cmd":"#)
        .and_then(|(_, rest)| {
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest.get(..end)?.parse().ok()
        })
        .map_or(Seen::Other, Seen::Reply)
}

/// Ready Room's event and the relayed command both carry the marker as the change's value.
fn edit_marker(frame: &str) -> Seen<'_> {
    frame
        .find("bench@")
        .and_then(|start| frame.get(start..))
        .and_then(|marker| marker.split_once('"'))
        .map_or(Seen::Other, |(marker, _)| Seen::Edit(marker))
}

/// The word between `prefix` and the next `"`.
fn type_after<'a>(frame: &'a str, prefix: &str) -> Option<&'a str> {
    string_after(frame, prefix)
}

fn string_after<'a>(frame: &'a str, prefix: &str) -> Option<&'a str> {
    let (_, rest) = frame.split_once(prefix)?;
    rest.split_once('"').map(|(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        assert_eq!(parse_marker(&marker(17, 123_456)), Some((17, 123_456)));
        assert_eq!(parse_marker("something else"), None);
    }

    #[test]
    fn baseline_relays_are_classified_from_the_client_frames() {
        let item = ItemId::from_random_bytes([1; 16]);
        let frame = edit(7, item, marker(3, 99));
        assert_eq!(relayed_cmd(&frame), Some(7));
        assert_eq!(classify(Target::Baseline, &frame), Seen::Edit("bench@3@99"));
        let round = RoundId::from_random_bytes([2; 16]);
        assert_eq!(
            classify(Target::Baseline, &vote(8, round, "5")),
            Seen::VoteCast
        );
        assert_eq!(
            classify(Target::Baseline, &reveal(9, round)),
            Seen::Revealed
        );
        assert_eq!(
            classify(Target::Baseline, &join(1, "x".to_owned(), None)),
            Seen::Other
        );
    }

    #[test]
    fn readyroom_frames_are_classified() {
        assert_eq!(
            classify(Target::Readyroom, r#"{"type":"ack","cmd":12}"#),
            Seen::Reply(12)
        );
        let edit = r#"{"type":"event","seq":4,"at":1,"actor":"a","event":{"type":"item_updated","item_id":"i","field":"description","value":"bench@2@50"}}"#;
        assert_eq!(classify(Target::Readyroom, edit), Seen::Edit("bench@2@50"));
        let round = r#"{"type":"event","seq":5,"at":1,"actor":null,"event":{"type":"round_started","round":{"id":"r1","item_id":"i"}}}"#;
        assert_eq!(
            classify(Target::Readyroom, round),
            Seen::RoundStarted(Some("r1"))
        );
    }
}
