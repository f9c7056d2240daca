//! The session timebox: the session clock, and an item's time budget started with its round.

use readyroom_protocol::limits::{MAX_SESSIONS_PER_SPRINT, MAX_SPRINT_DAYS};
use readyroom_protocol::{RefinementTimebox, Session};

use super::*;

fn timebox(sprint_days: u32, share_percent: u32, sessions_per_sprint: u32) -> Command {
    Command::UpdateSettings(SettingsChange {
        timebox: Some(RefinementTimebox {
            sprint_days,
            share_percent,
            sessions_per_sprint,
        }),
        ..SettingsChange::default()
    })
}

fn round_with_budget(item_id: ItemId, seconds: u32) -> Command {
    Command::StartRound {
        item_id,
        deck: None,
        dimension: None,
        timebox_seconds: Some(seconds),
    }
}

#[test]
fn a_session_budget_follows_the_sprint_and_its_share() {
    assert_eq!(
        RefinementTimebox::default().session_budget_seconds(),
        2 * 3600,
        "two weeks at 5% over two sessions"
    );
    let one_long = RefinementTimebox {
        sprint_days: 15,
        share_percent: 10,
        sessions_per_sprint: 1,
    };
    assert_eq!(one_long.session_budget_seconds(), 12 * 3600);
    let largest = RefinementTimebox {
        sprint_days: MAX_SPRINT_DAYS,
        share_percent: 25,
        sessions_per_sprint: 1,
    };
    assert_eq!(largest.session_budget_seconds(), 120 * 3600);
}

#[test]
fn the_facilitator_sets_the_timebox_within_bounds() {
    let (mut fx, [f, a, ..]) = team();
    fx.fail(a, timebox(15, 10, 3), ErrorCode::Forbidden);
    for bad in [
        timebox(0, 5, 1),
        timebox(MAX_SPRINT_DAYS + 1, 5, 1),
        timebox(10, 0, 1),
        timebox(10, 26, 1),
        timebox(10, 5, 0),
        timebox(10, 5, MAX_SESSIONS_PER_SPRINT + 1),
    ] {
        fx.fail(f, bad, ErrorCode::InvalidValue);
    }
    assert_eq!(fx.snap(a).settings.timebox, RefinementTimebox::default());
    let events = fx.ok(f, timebox(15, 10, 3));
    assert_eq!(kinds(&events), ["settings_changed"]);
    let expected = RefinementTimebox {
        sprint_days: 15,
        share_percent: 10,
        sessions_per_sprint: 3,
    };
    assert_eq!(fx.snap(a).settings.timebox, expected);
    assert!(
        fx.ok(f, timebox(15, 10, 3)).is_empty(),
        "no change, no event"
    );
}

#[test]
fn the_facilitator_starts_restarts_and_ends_a_session() {
    let (mut fx, [f, a, ..]) = team();
    fx.fail(a, Command::StartSession, ErrorCode::Forbidden);
    fx.fail(a, Command::EndSession, ErrorCode::Forbidden);
    assert!(fx.ok(f, Command::EndSession).is_empty(), "none to end");
    let started = Session { started_at: NOW };
    assert_eq!(
        fx.ok(f, Command::StartSession),
        [Event::SessionChanged {
            session: Some(started)
        }]
    );
    assert_eq!(fx.snap(a).session, Some(started));
    fx.now += 60_000;
    fx.ok(f, Command::StartSession);
    assert_eq!(
        fx.snap(a).session,
        Some(Session {
            started_at: NOW + 60_000
        }),
        "starting again restarts the clock"
    );
    assert_eq!(
        fx.ok(f, Command::EndSession),
        [Event::SessionChanged { session: None }]
    );
    assert_eq!(fx.snap(a).session, None);
}

#[test]
fn an_item_budget_starts_with_its_round_and_ends_when_the_room_moves_on() {
    let (mut fx, [f, a, ..]) = team();
    let first = fx.add_item(a, "First");
    let second = fx.add_item(a, "Second");
    for seconds in [0, MAX_TIMER_SECONDS + 1] {
        fx.fail(
            f,
            round_with_budget(first, seconds),
            ErrorCode::InvalidValue,
        );
    }
    assert_eq!(fx.snap(a).round, None, "a refused budget starts no round");
    fx.fail(a, round_with_budget(first, 300), ErrorCode::Forbidden);

    let events = fx.ok(f, round_with_budget(first, 300));
    assert_eq!(
        kinds(&events),
        ["current_item_changed", "round_started", "timer_changed"]
    );
    let budget = Timer {
        started_at: NOW,
        ends_at: NOW + 300_000,
        item_id: Some(first),
    };
    assert_eq!(fx.snap(a).timer, Some(budget));

    // A re-vote stays on the item, and so does its budget.
    let round_id = fx.snap(a).round.map(|r| r.id).expect("a round");
    fx.vote(a, round_id, "5");
    fx.ok(f, Command::Reveal { round_id });
    fx.ok(f, Command::Revote { round_id });
    assert_eq!(fx.snap(a).timer, Some(budget));

    // Moving on to another item ends the first one's budget.
    let round_id = fx.snap(a).round.map(|r| r.id).expect("a round");
    fx.ok(f, Command::CancelRound { round_id });
    let events = fx.ok(
        f,
        Command::SetCurrentItem {
            item_id: Some(second),
        },
    );
    assert_eq!(
        events,
        [
            Event::CurrentItemChanged {
                item_id: Some(second)
            },
            Event::TimerChanged { timer: None }
        ]
    );

    // A plain timer is the room's, not an item's: it runs on whatever the room does.
    fx.ok(f, Command::StartTimer { seconds: 60 });
    let events = fx.ok(
        f,
        Command::SetCurrentItem {
            item_id: Some(first),
        },
    );
    assert_eq!(kinds(&events), ["current_item_changed"]);
    assert!(fx.snap(a).timer.is_some());

    // Deleting the item whose budget runs ends it with the item.
    fx.ok(f, round_with_budget(second, 120));
    let events = fx.ok(a, Command::DeleteItem { item_id: second });
    assert!(events.contains(&Event::TimerChanged { timer: None }));
    assert_eq!(fx.snap(a).timer, None);
    check_public_copies(&fx.log);
}
