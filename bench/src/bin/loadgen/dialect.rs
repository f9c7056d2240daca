//! What a client sends and how it reads what comes back, for each server under test. Both get
//! the same client frames (Ready Room's protocol); Ready Room answers with acks and events, the
//! baseline relays the frames themselves. Incoming frames are classified by looking for a few
//! substrings, not by decoding them: at a hundred thousand frames a second on the same two cores
//! as the server, a full decode would measure the load generator.

use readyroom_protocol::{
    ClientMessage, Command, CommandId, ItemChange, ItemId, JoinRequest, NewItem, PROTOCOL_VERSION,
    Role, RoundId, SettingsChange, TextField, TextOp,
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
    /// Ready Room storing rooms in PostgreSQL (a database of the run's own, `--postgres`).
    ReadyroomPostgres,
    /// Two Ready Room nodes sharing one PostgreSQL database, rooms created on each in turn,
    /// each room's clients on the node that serves it (as a load balancer routing by room id
    /// sends them).
    #[value(name = "readyroom-postgres-2")]
    ReadyroomPostgres2,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::RoomTask => "room-task",
            Self::Readyroom => "readyroom",
            Self::ReadyroomPostgres => "readyroom-postgres",
            Self::ReadyroomPostgres2 => "readyroom-postgres-2",
        }
    }

    /// Server processes the target runs as.
    pub fn nodes(self) -> usize {
        match self {
            Self::ReadyroomPostgres2 => 2,
            _ => 1,
        }
    }

    pub fn on_postgres(self) -> bool {
        matches!(self, Self::ReadyroomPostgres | Self::ReadyroomPostgres2)
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
    /// A whole new description (Ready Room's `item_updated`, the baseline's relayed
    /// `update_item`): its [`markers`] are in the frame.
    Edit,
    /// A text operation (Ready Room's `text_edited`, the baseline's relayed `edit_text`): read
    /// it with [`text_edit`].
    TextEdit,
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

pub fn create_item(cmd: CommandId, title: String, description: String) -> String {
    encode(
        cmd,
        Command::CreateItem(NewItem {
            title,
            description,
            ..NewItem::default()
        }),
    )
}

pub fn manual_reveal(cmd: CommandId) -> String {
    encode(
        cmd,
        Command::UpdateSettings(SettingsChange {
            auto_reveal: Some(false),
            anonymous_reveal: None,
            ..SettingsChange::default()
        }),
    )
}

/// The whole description, sent again for every change.
pub fn replace_description(cmd: CommandId, item_id: ItemId, description: String) -> String {
    encode(
        cmd,
        Command::UpdateItem {
            item_id,
            change: ItemChange::Description(description),
        },
    )
}

/// A change to the description as an operation on `revision` of it.
pub fn edit_text(cmd: CommandId, item_id: ItemId, revision: u64, op: TextOp) -> String {
    encode(
        cmd,
        Command::EditText {
            item_id,
            field: TextField::Description,
            revision,
            op,
            follows: None,
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
            dimension: None,
            timebox_seconds: None,
        },
    )
}

pub fn vote(cmd: CommandId, round_id: RoundId, card: &str) -> String {
    encode(
        cmd,
        Command::Vote {
            round_id,
            card: card.to_owned(),
            confidence: None,
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

/// The characters an edit types: who typed them (the seat in the room) and when, in
/// microseconds since the generator started, so that every receiver can time the delivery.
/// Short, as typing is, and in plain ASCII that JSON leaves as it is.
pub fn marker(seat: usize, sent_us: u64) -> String {
    format!("~{seat:x}.{sent_us:x}~")
}

/// Every [`marker`] in a frame: one in a whole description (the rest of it has no `~`), one or
/// more (typed while an earlier edit was on its way) in a text operation.
pub fn markers(frame: &str) -> impl Iterator<Item = (usize, u64)> + '_ {
    let mut rest = frame;
    std::iter::from_fn(move || {
        loop {
            let (_, after) = rest.split_once('~')?;
            let (inside, next) = after.split_once('~')?;
            let parsed = inside.split_once('.').and_then(|(seat, sent)| {
                Some((
                    usize::from_str_radix(seat, 16).ok()?,
                    u64::from_str_radix(sent, 16).ok()?,
                ))
            });
            match parsed {
                Some(marker) => {
                    rest = next;
                    return Some(marker);
                }
                // Not a marker: its closing `~` may open the next one.
                None => rest = after,
            }
        }
    })
}

/// A text operation as received: Ready Room's `text_edited` event or the baseline's relay of
/// an `edit_text` command. Only the few fields a client needs are read.
#[derive(Debug, PartialEq, Eq)]
pub struct TextEdit<'a> {
    /// Who made it (Ready Room only).
    pub actor: Option<&'a str>,
    pub item_id: &'a str,
    /// The revision it made (Ready Room), or was made on (the baseline).
    pub revision: u64,
    pub op: TextOp,
    /// The `edit_text` that made it (Ready Room only): with `actor`, tells its sender's own.
    pub cmd: Option<CommandId>,
}

/// Reads a [`Seen::TextEdit`] frame. The operation is the last array of both frames (only
/// Ready Room's `cmd` follows it), so it is parsed alone: decoding whole frames would measure the
/// load generator.
pub fn text_edit(frame: &str) -> Option<TextEdit<'_>> {
    let (_, from_op) = frame.split_once(r#""op":"#)?;
    let end = from_op.rfind(']')?;
    let (op, after_op) = (from_op.get(..=end)?, from_op.get(end..)?);
    Some(TextEdit {
        actor: string_after(frame, r#""actor":""#),
        item_id: string_after(frame, r#""item_id":""#)?,
        revision: number_after(frame, r#""revision":"#)?,
        op: serde_json::from_str(op).ok()?,
        cmd: number_after(after_op, r#""cmd":"#),
    })
}

/// The unsigned integer right after `prefix`.
fn number_after(frame: &str, prefix: &str) -> Option<u64> {
    let (_, rest) = frame.split_once(prefix)?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    rest.get(..digits)?.parse().ok()
}

/// The participant id a `welcome` gives this client.
pub fn you(welcome: &str) -> Option<&str> {
    string_after(welcome, r#""you":""#)
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
        Some("item_updated") => Seen::Edit,
        Some("text_edited") => Seen::TextEdit,
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
        Some("update_item") => Seen::Edit,
        Some("edit_text") => Seen::TextEdit,
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
        let two = format!("{}xy~z{}", marker(17, 123_456), marker(2, 99));
        assert_eq!(markers(&two).collect::<Vec<_>>(), [(17, 123_456), (2, 99)]);
        assert_eq!(markers("some~thing ~else").count(), 0);
        assert_eq!(
            markers(&format!("~~{}", marker(1, 2))).collect::<Vec<_>>(),
            [(1, 2)]
        );
    }

    #[test]
    fn baseline_relays_are_classified_from_the_client_frames() {
        let item = ItemId::from_random_bytes([1; 16]);
        let frame = replace_description(7, item, format!("long text{}", marker(3, 99)));
        assert_eq!(relayed_cmd(&frame), Some(7));
        assert_eq!(classify(Target::Baseline, &frame), Seen::Edit);
        assert_eq!(markers(&frame).collect::<Vec<_>>(), [(3, 99)]);
        let op = TextOp::new().retain(4).insert(&marker(3, 100)).retain(5);
        let frame = edit_text(8, item, 12, op.clone());
        assert_eq!(classify(Target::Baseline, &frame), Seen::TextEdit);
        let item_text = item.to_string();
        assert_eq!(
            text_edit(&frame),
            Some(TextEdit {
                actor: None,
                item_id: &item_text,
                revision: 12,
                op,
                cmd: None,
            })
        );
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
        let edit = r#"{"type":"event","seq":4,"at":1,"actor":"a","event":{"type":"item_updated","item_id":"i","field":"description","value":"text~2.32~"}}"#;
        assert_eq!(classify(Target::Readyroom, edit), Seen::Edit);
        assert_eq!(markers(edit).collect::<Vec<_>>(), [(2, 50)]);
        let typed = r#"{"type":"event","seq":6,"at":1,"actor":"p","event":{"type":"text_edited","item_id":"i","field":"description","revision":13,"op":[41,"~2.33~",3],"cmd":46}}"#;
        assert_eq!(classify(Target::Readyroom, typed), Seen::TextEdit);
        assert_eq!(
            text_edit(typed),
            Some(TextEdit {
                actor: Some("p"),
                item_id: "i",
                revision: 13,
                op: TextOp::new().retain(41).insert("~2.33~").retain(3),
                cmd: Some(46),
            })
        );
        assert_eq!(
            you(r#"{"type":"welcome","cmd":1,"protocol":1,"you":"p","participant_token":"t"}"#),
            Some("p")
        );
        let round = r#"{"type":"event","seq":5,"at":1,"actor":null,"event":{"type":"round_started","round":{"id":"r1","item_id":"i"}}}"#;
        assert_eq!(
            classify(Target::Readyroom, round),
            Seen::RoundStarted(Some("r1"))
        );
    }
}
