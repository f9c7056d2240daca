//! Per-participant memory of processed command ids, which makes resending a command safe.

use std::collections::VecDeque;

use readyroom_protocol::limits::REMEMBERED_REPLIES;
use readyroom_protocol::{CommandId, ErrorCode, Seq};

use super::CommandError;

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
}

impl Replies {
    pub fn last_cmd(&self) -> CommandId {
        self.last_cmd
    }

    /// The reply to give a command id that was already processed, or `None` if it is new.
    pub fn resend(&self, cmd: CommandId) -> Option<Reply> {
        if cmd > self.last_cmd {
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

    pub fn remember(&mut self, cmd: CommandId, reply: Reply) {
        self.last_cmd = self.last_cmd.max(cmd);
        if self.recent.len() == REMEMBERED_REPLIES {
            self.recent.pop_front();
        }
        self.recent.push_back((cmd, reply));
    }

    pub fn check(&self) -> Result<(), String> {
        if self.recent.len() > REMEMBERED_REPLIES {
            return Err("too many remembered replies".into());
        }
        if self.recent.iter().any(|(id, _)| *id > self.last_cmd) {
            return Err("remembered a command above last_cmd".into());
        }
        Ok(())
    }
}
