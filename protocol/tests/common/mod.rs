//! The wire name of every message variant, kept in step with the enums by the compiler: each
//! list and its exhaustive `match` come from one macro invocation, so a new variant does not
//! compile until it is named here, and then it is also on the list the tests check.

use readyroom_protocol::{Command, ErrorCode, Event, ServerMessage};

macro_rules! wire_names {
    ($(#[$doc:meta])* $list:ident, $name_of:ident, $ty:ty { $($pat:pat => $name:literal,)* }) => {
        $(#[$doc])*
        pub const $list: &[&str] = &[$($name),*];

        /// The `"type"` this variant has on the wire.
        pub fn $name_of(value: &$ty) -> &'static str {
            match value {
                $($pat => $name,)*
            }
        }
    };
}

wire_names!(
    /// Every `Command` variant.
    COMMAND_TYPES, command_type, Command {
        Command::Join(_) => "join",
        Command::Ping => "ping",
        Command::CreateItem(_) => "create_item",
        Command::UpdateItem { .. } => "update_item",
        Command::EditText { .. } => "edit_text",
        Command::SplitItem { .. } => "split_item",
        Command::CheckCriterion { .. } => "check_criterion",
        Command::OverrideReady { .. } => "override_ready",
        Command::AddRemark { .. } => "add_remark",
        Command::EditRemark { .. } => "edit_remark",
        Command::AnswerQuestion { .. } => "answer_question",
        Command::RemoveRemark { .. } => "remove_remark",
        Command::DeleteItem { .. } => "delete_item",
        Command::RestoreItem { .. } => "restore_item",
        Command::MoveItem { .. } => "move_item",
        Command::SetEditing { .. } => "set_editing",
        Command::SetCaret { .. } => "set_caret",
        Command::Rename { .. } => "rename",
        Command::SetRole { .. } => "set_role",
        Command::StartRound { .. } => "start_round",
        Command::Vote { .. } => "vote",
        Command::RetractVote { .. } => "retract_vote",
        Command::Reveal { .. } => "reveal",
        Command::Revote { .. } => "revote",
        Command::AcceptEstimate { .. } => "accept_estimate",
        Command::CancelRound { .. } => "cancel_round",
        Command::OpenPrevotes { .. } => "open_prevotes",
        Command::RevealPrevotes => "reveal_prevotes",
        Command::CancelPrevotes => "cancel_prevotes",
        Command::AcceptPrevotes { .. } => "accept_prevotes",
        Command::DismissPrevoteReview => "dismiss_prevote_review",
        Command::OpenSizingBoard { .. } => "open_sizing_board",
        Command::PlaceOnBoard { .. } => "place_on_board",
        Command::AcceptSizing => "accept_sizing",
        Command::CloseSizingBoard => "close_sizing_board",
        Command::SetCurrentItem { .. } => "set_current_item",
        Command::UpdateSettings(_) => "update_settings",
        Command::StartTimer { .. } => "start_timer",
        Command::StopTimer => "stop_timer",
        Command::StartSession => "start_session",
        Command::EndSession => "end_session",
        Command::HandOverFacilitator { .. } => "hand_over_facilitator",
        Command::ClaimFacilitator { .. } => "claim_facilitator",
        Command::RemoveParticipant { .. } => "remove_participant",
    }
);

wire_names!(
    /// Every `ServerMessage` variant.
    SERVER_MESSAGE_TYPES, server_message_type, ServerMessage {
        ServerMessage::Welcome(_) => "welcome",
        ServerMessage::Resumed(_) => "resumed",
        ServerMessage::Ack { .. } => "ack",
        ServerMessage::Pong { .. } => "pong",
        ServerMessage::Error { .. } => "error",
        ServerMessage::Event(_) => "event",
        ServerMessage::CaretMoved { .. } => "caret_moved",
    }
);

wire_names!(
    /// Every `Event` variant.
    EVENT_TYPES, event_type, Event {
        Event::ParticipantJoined { .. } => "participant_joined",
        Event::ParticipantOnline { .. } => "participant_online",
        Event::ParticipantRenamed { .. } => "participant_renamed",
        Event::RoleChanged { .. } => "role_changed",
        Event::ParticipantRemoved { .. } => "participant_removed",
        Event::EditingChanged { .. } => "editing_changed",
        Event::FacilitatorChanged { .. } => "facilitator_changed",
        Event::ItemCreated { .. } => "item_created",
        Event::ItemUpdated { .. } => "item_updated",
        Event::TextEdited { .. } => "text_edited",
        Event::ItemSplit { .. } => "item_split",
        Event::CriterionChecked { .. } => "criterion_checked",
        Event::ReadyOverridden { .. } => "ready_overridden",
        Event::RemarkAdded { .. } => "remark_added",
        Event::RemarkChanged { .. } => "remark_changed",
        Event::RemarkRemoved { .. } => "remark_removed",
        Event::ItemDeleted { .. } => "item_deleted",
        Event::ItemRestored { .. } => "item_restored",
        Event::TrashPurged { .. } => "trash_purged",
        Event::ItemMoved { .. } => "item_moved",
        Event::ItemsReranked { .. } => "items_reranked",
        Event::ItemsImported { .. } => "items_imported",
        Event::CurrentItemChanged { .. } => "current_item_changed",
        Event::SettingsChanged { .. } => "settings_changed",
        Event::TimerChanged { .. } => "timer_changed",
        Event::SessionChanged { .. } => "session_changed",
        Event::RoundStarted { .. } => "round_started",
        Event::VoteCast { .. } => "vote_cast",
        Event::VoteRetracted { .. } => "vote_retracted",
        Event::RoundRevealed { .. } => "round_revealed",
        Event::RoundCancelled { .. } => "round_cancelled",
        Event::EstimateAccepted { .. } => "estimate_accepted",
        Event::PrevotesOpened { .. } => "prevotes_opened",
        Event::PrevotesCancelled => "prevotes_cancelled",
        Event::PrevotesRevealed { .. } => "prevotes_revealed",
        Event::PrevoteReviewDismissed => "prevote_review_dismissed",
        Event::SizingOpened { .. } => "sizing_opened",
        Event::SizingPlaced { .. } => "sizing_placed",
        Event::SizingClosed { .. } => "sizing_closed",
    }
);

wire_names!(
    /// Every `ErrorCode` variant.
    ERROR_CODES, error_code_name, ErrorCode {
        ErrorCode::MalformedJson => "malformed_json",
        ErrorCode::UnknownType => "unknown_type",
        ErrorCode::InvalidMessage => "invalid_message",
        ErrorCode::UnsupportedFrame => "unsupported_frame",
        ErrorCode::FrameTooLarge => "frame_too_large",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::UnsupportedProtocol => "unsupported_protocol",
        ErrorCode::NotJoined => "not_joined",
        ErrorCode::AlreadyJoined => "already_joined",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::InvalidToken => "invalid_token",
        ErrorCode::InvalidValue => "invalid_value",
        ErrorCode::UnknownItem => "unknown_item",
        ErrorCode::UnknownParticipant => "unknown_participant",
        ErrorCode::StaleRound => "stale_round",
        ErrorCode::NoActiveRound => "no_active_round",
        ErrorCode::RoundInProgress => "round_in_progress",
        ErrorCode::RoundRevealed => "round_revealed",
        ErrorCode::RoundNotRevealed => "round_not_revealed",
        ErrorCode::VotingClosed => "voting_closed",
        ErrorCode::NoSizingBoard => "no_sizing_board",
        ErrorCode::TooManyItems => "too_many_items",
        ErrorCode::RoomFull => "room_full",
        ErrorCode::TooManyConnections => "too_many_connections",
        ErrorCode::StaleCommand => "stale_command",
        ErrorCode::DependencyCycle => "dependency_cycle",
        ErrorCode::NotReady => "not_ready",
        ErrorCode::InvalidCsv => "invalid_csv",
        ErrorCode::RoomNotFound => "room_not_found",
        ErrorCode::TooManyRooms => "too_many_rooms",
        ErrorCode::ShuttingDown => "shutting_down",
        ErrorCode::StaleRevision => "stale_revision",
        ErrorCode::UnsupportedMediaType => "unsupported_media_type",
        ErrorCode::OriginNotAllowed => "origin_not_allowed",
        ErrorCode::ServerBusy => "server_busy",
        ErrorCode::Internal => "internal",
    }
);
