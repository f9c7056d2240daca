//! One logged input as bytes in a segment:
//!
//! ```text
//! u32 payload length | u32 CRC-32 of the payload | payload
//! payload: room id (16 bytes) | u64 n | u8 flags | u32 len, input | u32 len, events |
//!          u32 len, outbox
//! ```
//!
//! Little-endian throughout. The outbox (the webhook deliveries the input's batch called for,
//! as JSON) is empty on all but the last input of a batch. Flag [`ENDS_GROUP`] marks the last
//! record of a group commit: a group is whole only with it. The checksum is what tells a record
//! cut short by a crash, or damaged on disk, from a whole one.

use readyroom_protocol::RoomId;

use super::super::{LoggedInput, OutboxChange, StorageError};

/// The flag of a group commit's last record.
pub const ENDS_GROUP: u8 = 1;

/// The length and checksum in front of every payload.
pub const HEADER_BYTES: usize = 8;
/// The shortest payload: a room id, a number, flags and three empty lengths.
const MIN_PAYLOAD_BYTES: usize = 16 + 8 + 1 + 3 * 4;
/// A record's bytes besides its input, events and outbox.
pub const OVERHEAD_BYTES: usize = HEADER_BYTES + MIN_PAYLOAD_BYTES;
/// Larger than any record the server writes (a room's inputs are bounded far below it): a
/// length past it is damage, not a record.
const MAX_PAYLOAD_BYTES: usize = 1 << 30;

/// Appends one record to `buf`; returns the payload's length.
///
/// # Errors
/// An input too large to log, or an outbox that cannot be encoded.
pub fn encode(
    buf: &mut Vec<u8>,
    room: RoomId,
    input: &LoggedInput,
    outbox: &[OutboxChange],
    flags: u8,
) -> Result<u32, StorageError> {
    let outbox = if outbox.is_empty() {
        Vec::new()
    } else {
        serde_json::to_vec(outbox).map_err(|e| StorageError::Decode(format!("outbox: {e}")))?
    };
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER_BYTES]);
    buf.extend_from_slice(room.0.as_bytes());
    buf.extend_from_slice(&input.n.to_le_bytes());
    buf.push(flags);
    for part in [input.input.as_bytes(), input.events.as_bytes(), &outbox] {
        buf.extend_from_slice(&length(part.len())?.to_le_bytes());
        buf.extend_from_slice(part);
    }
    let payload_len = buf.len() - start - HEADER_BYTES;
    if payload_len > MAX_PAYLOAD_BYTES {
        buf.truncate(start);
        return Err(StorageError::Decode(format!(
            "an input of {payload_len} bytes is too large to log"
        )));
    }
    let payload_len = length(payload_len)?;
    let crc = crc32fast::hash(buf.get(start + HEADER_BYTES..).unwrap_or_default());
    let header: Vec<u8> = payload_len
        .to_le_bytes()
        .into_iter()
        .chain(crc.to_le_bytes())
        .collect();
    if let Some(slot) = buf.get_mut(start..start + HEADER_BYTES) {
        slot.copy_from_slice(&header);
    }
    Ok(payload_len)
}

fn length(len: usize) -> Result<u32, StorageError> {
    u32::try_from(len).map_err(|_| StorageError::Decode(format!("{len} bytes is too long to log")))
}

/// What lies at an offset of a segment.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole record with a matching checksum, `len` bytes with its header.
    Record { payload: &'a [u8], len: usize },
    /// Nothing more.
    End,
    /// A record cut short, or not matching its checksum.
    Damaged,
}

/// Reads the frame at `offset` of `bytes`.
pub fn frame_at(bytes: &[u8], offset: usize) -> Frame<'_> {
    let Some(rest) = bytes.get(offset..).filter(|rest| !rest.is_empty()) else {
        return Frame::End;
    };
    let (Some(len), Some(crc)) = (word(rest, 0), word(rest, 4)) else {
        return Frame::Damaged;
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    // Zeros where a record should start (a file extended by a crash but never written) would
    // otherwise pass as an empty payload: the CRC of nothing is 0.
    if !(MIN_PAYLOAD_BYTES..=MAX_PAYLOAD_BYTES).contains(&len) {
        return Frame::Damaged;
    }
    match rest.get(HEADER_BYTES..HEADER_BYTES + len) {
        Some(payload) if crc32fast::hash(payload) == crc => Frame::Record {
            payload,
            len: HEADER_BYTES + len,
        },
        _ => Frame::Damaged,
    }
}

/// The payload length and checksum a header announces, if the length is possible.
pub fn header(bytes: &[u8]) -> Option<(usize, u32)> {
    let len = usize::try_from(word(bytes, 0)?).ok()?;
    (MIN_PAYLOAD_BYTES..=MAX_PAYLOAD_BYTES)
        .contains(&len)
        .then_some((len, word(bytes, 4)?))
}

fn word(bytes: &[u8], at: usize) -> Option<u32> {
    let word: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(word))
}

/// A payload taken apart, borrowing from it.
#[derive(Debug)]
pub struct Parts<'a> {
    pub room: RoomId,
    pub n: u64,
    pub ends_group: bool,
    pub input: &'a [u8],
    pub events: &'a [u8],
    pub outbox: &'a [u8],
}

impl Parts<'_> {
    /// The input as storage hands it back.
    pub fn logged_input(&self) -> Result<LoggedInput, StorageError> {
        let text = |bytes: &[u8]| {
            String::from_utf8(bytes.to_vec())
                .map_err(|e| StorageError::Decode(format!("logged input: {e}")))
        };
        Ok(LoggedInput {
            n: self.n,
            input: text(self.input)?,
            events: text(self.events)?,
        })
    }

    /// The webhook queue changes recorded with the input.
    pub fn outbox(&self) -> Result<Vec<OutboxChange>, StorageError> {
        if self.outbox.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_slice(self.outbox)
            .map_err(|e| StorageError::Decode(format!("logged outbox: {e}")))
    }
}

/// Takes a payload (checked against its checksum) apart.
pub fn parts(payload: &[u8]) -> Option<Parts<'_>> {
    let room: [u8; 16] = payload.get(..16)?.try_into().ok()?;
    let n: [u8; 8] = payload.get(16..24)?.try_into().ok()?;
    let flags = *payload.get(24)?;
    let mut at = 25;
    let mut field = || {
        let len = usize::try_from(word(payload, at)?).ok()?;
        let bytes = payload.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some(bytes)
    };
    let (input, events, outbox) = (field()?, field()?, field()?);
    Some(Parts {
        room: RoomId(uuid::Uuid::from_bytes(room)),
        n: u64::from_le_bytes(n),
        ends_group: flags & ENDS_GROUP != 0,
        input,
        events,
        outbox,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn logged(n: u64) -> LoggedInput {
        LoggedInput {
            n,
            input: format!("{{\"input\":{n}}}"),
            events: "[]".to_owned(),
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let room = RoomId::from_random_bytes([3; 16]);
        let mut buf = Vec::new();
        encode(&mut buf, room, &logged(1), &[], 0).unwrap();
        encode(&mut buf, room, &logged(2), &[], ENDS_GROUP).unwrap();
        let Frame::Record { payload, len } = frame_at(&buf, 0) else {
            panic!("a record")
        };
        let first = parts(payload).unwrap();
        assert_eq!((first.room, first.n, first.ends_group), (room, 1, false));
        assert_eq!(first.logged_input().unwrap().input, "{\"input\":1}");
        assert!(matches!(frame_at(&buf, len), Frame::Record { .. }));
        assert_eq!(frame_at(&buf, buf.len()), Frame::End);
    }

    /// A record cut at any byte, or with any byte changed, is damaged, never misread.
    #[test]
    fn zeros_are_no_record() {
        assert_eq!(frame_at(&[0; 64], 0), Frame::Damaged);
    }

    #[test]
    fn a_record_cut_or_changed_anywhere_is_damaged() {
        let mut buf = Vec::new();
        encode(
            &mut buf,
            RoomId::from_random_bytes([5; 16]),
            &logged(7),
            &[],
            ENDS_GROUP,
        )
        .unwrap();
        for cut in 1..buf.len() {
            assert_eq!(frame_at(&buf[..cut], 0), Frame::Damaged, "cut at {cut}");
        }
        for at in 0..buf.len() {
            let mut changed = buf.clone();
            changed[at] ^= 0x40;
            assert_eq!(frame_at(&changed, 0), Frame::Damaged, "byte {at} changed");
        }
    }
}
