//! The one place that decides what an event may reveal to whom.
//!
//! The core's events carry the whole truth (a vote's card included) so that they can be stored
//! and replayed. Before fan-out, every event passes through [`public_copy`]: an event with a
//! secret in it gets a redacted copy for everyone but the secret's owner.

use readyroom_protocol::{Event, EventFrame, ParticipantId};

/// For an event that carries a secret: the participant it belongs to and the copy everyone
/// else gets. `None` for events that are the same for everyone.
#[must_use]
pub fn public_copy(frame: &EventFrame) -> Option<(ParticipantId, EventFrame)> {
    match &frame.event {
        Event::VoteCast {
            round_id,
            participant_id,
            card: Some(_),
            ..
        } => Some((
            *participant_id,
            EventFrame {
                event: Event::VoteCast {
                    round_id: *round_id,
                    participant_id: *participant_id,
                    card: None,
                    confidence: None,
                },
                ..frame.clone()
            },
        )),
        _ => None,
    }
}

/// The event as `viewer` may see it.
#[must_use]
pub fn view_for(frame: &EventFrame, viewer: ParticipantId) -> std::borrow::Cow<'_, EventFrame> {
    match public_copy(frame) {
        Some((owner, public)) if owner != viewer => std::borrow::Cow::Owned(public),
        _ => std::borrow::Cow::Borrowed(frame),
    }
}
