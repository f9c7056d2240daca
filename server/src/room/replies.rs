//! Per-participant memory of processed command ids, which makes resending a command safe.
//!
//! Every processed id is remembered (as ranges: ids mostly come one after another), and the
//! replies of the last [`REMEMBERED_REPLIES`]. So an id is either new (applied), or known:
//! answered as before, or with `stale_command` when its reply is forgotten. `stale_command`
//! therefore always means "processed": a client never needs to send the command again under
//! a new id, which could apply it twice. An id below others that was never processed (another
//! tab's command overtaken on its way) is still new.

use std::collections::VecDeque;

use readyroom_protocol::limits::REMEMBERED_REPLIES;
use readyroom_protocol::{CommandId, ErrorCode, Seq};

use super::CommandError;

/// Gaps between processed ids remembered at most; past it the oldest gap is forgotten (its
/// ids then count as processed). Gaps come from ids a tab took and never sent.
const MAX_RANGES: usize = 64;

/// The answer a command got.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reply {
    Ack { seq: Option<Seq> },
    Error(CommandError),
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Replies {
    last_cmd: CommandId,
    recent: VecDeque<(CommandId, Reply)>,
    /// Processed ids as sorted, disjoint, inclusive ranges. Rooms stored before this was kept
    /// have none: every id up to `last_cmd` then counts as processed.
    #[serde(default)]
    processed: Vec<(CommandId, CommandId)>,
}

impl Replies {
    pub fn last_cmd(&self) -> CommandId {
        self.last_cmd
    }

    /// The reply to give a command id that was already processed, or `None` if it is new.
    /// `legacy`: as before processed ids were kept, when every id up to `last_cmd` counted as
    /// processed (for replaying inputs logged then).
    pub fn resend(&self, cmd: CommandId, legacy: bool) -> Option<Reply> {
        let processed = if legacy {
            cmd <= self.last_cmd
        } else {
            self.is_processed(cmd)
        };
        if !processed {
            return None;
        }
        let remembered = self
            .recent
            .iter()
            .find(|(id, _)| *id == cmd)
            .map(|(_, r)| r.clone());
        Some(remembered.unwrap_or_else(|| {
            Reply::Error(CommandError::new(
                ErrorCode::StaleCommand,
                format!(
                    "command {cmd} is at or below {} and was processed before; it is not applied again",
                    self.last_cmd
                ),
            ))
        }))
    }

    fn is_processed(&self, cmd: CommandId) -> bool {
        if self.processed.is_empty() {
            return cmd <= self.last_cmd;
        }
        self.processed
            .iter()
            .any(|(first, last)| (*first..=*last).contains(&cmd))
    }

    pub fn remember(&mut self, cmd: CommandId, reply: Reply) {
        if self.processed.is_empty() && self.last_cmd > 0 {
            self.processed.push((0, self.last_cmd));
        }
        self.mark_processed(cmd);
        self.last_cmd = self.last_cmd.max(cmd);
        if self.recent.len() == REMEMBERED_REPLIES {
            self.recent.pop_front();
        }
        self.recent.push_back((cmd, reply));
    }

    fn mark_processed(&mut self, cmd: CommandId) {
        let at = self.processed.partition_point(|(_, last)| *last < cmd);
        let joins_previous = at > 0
            && self
                .processed
                .get(at - 1)
                .is_some_and(|(_, last)| last.checked_add(1) == Some(cmd));
        let joins_next = self
            .processed
            .get(at)
            .is_some_and(|(first, _)| cmd.checked_add(1) == Some(*first) || *first <= cmd);
        match (joins_previous, joins_next) {
            (true, true) => {
                let next = self.processed.remove(at);
                if let Some(previous) = self.processed.get_mut(at - 1) {
                    previous.1 = previous.1.max(next.1);
                }
            }
            (true, false) => {
                if let Some(previous) = self.processed.get_mut(at - 1) {
                    previous.1 = cmd;
                }
            }
            (false, true) => {
                if let Some(next) = self.processed.get_mut(at) {
                    next.0 = next.0.min(cmd);
                }
            }
            (false, false) => self.processed.insert(at, (cmd, cmd)),
        }
        if self.processed.len() > MAX_RANGES {
            let first = self.processed.remove(0);
            if let Some(second) = self.processed.first_mut() {
                second.0 = first.0;
            }
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if self.recent.len() > REMEMBERED_REPLIES {
            return Err("too many remembered replies".into());
        }
        if self.recent.iter().any(|(id, _)| *id > self.last_cmd) {
            return Err("remembered a command above last_cmd".into());
        }
        if self.processed.len() > MAX_RANGES {
            return Err("too many ranges of processed ids".into());
        }
        let ordered = self
            .processed
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.0 <= a.1 && a.1.saturating_add(1) < b.0));
        let last_ok = self
            .processed
            .last()
            .is_none_or(|(first, last)| first <= last && *last == self.last_cmd);
        if !ordered || !last_ok {
            return Err(format!(
                "processed ranges are not in order: {:?}",
                self.processed
            ));
        }
        if self.recent.iter().any(|(id, _)| !self.is_processed(*id)) {
            return Err("a remembered reply of an unprocessed id".into());
        }
        Ok(())
    }
}
