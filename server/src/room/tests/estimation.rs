//! Estimation beyond one card each: reveals without names.

use super::*;

fn anonymous(on: bool) -> Command {
    Command::UpdateSettings(SettingsChange {
        anonymous_reveal: Some(on),
        ..SettingsChange::default()
    })
}

#[test]
fn an_anonymous_reveal_shows_the_cards_and_nobody_who_played_them() {
    let (mut fx, [f, a, b, o]) = team();
    fx.fail(a, anonymous(true), ErrorCode::Forbidden);
    fx.ok(f, anonymous(true));
    assert!(fx.snap(o).settings.anonymous_reveal);
    let item = fx.add_item(a, "Export");
    let round = fx.start_round(f, item);
    assert!(
        fx.snap(a).round.is_some_and(|r| r.anonymous),
        "voters are told"
    );
    fx.vote(a, round, "3");
    fx.vote(b, round, "13");
    // Switched off after people voted in confidence, it still holds for this round.
    fx.ok(f, anonymous(false));
    let events = fx.ok(f, Command::Reveal { round_id: round });
    let Some(Event::RoundRevealed { record, .. }) = events.first() else {
        panic!("expected round_revealed, got {events:?}");
    };
    assert!(record.anonymous);
    assert!(record.votes.is_empty(), "no names travel with the cards");
    assert_eq!(record.stats.outliers, None);
    let cards: Vec<(&str, u32)> = record
        .stats
        .distribution
        .iter()
        .map(|c| (c.card.as_str(), c.count))
        .collect();
    assert_eq!(cards, [("3", 1), ("13", 1)]);
    // Not in the item's history either, for anyone, later.
    let history = fx.item_view(item).history;
    assert!(history.iter().all(|r| r.anonymous && r.votes.is_empty()));
    for viewer in [f, a, o] {
        let snap = fx.snap(viewer);
        let revealed = snap.round.and_then(|r| r.revealed);
        assert!(revealed.is_some_and(|r| r.votes.is_empty()));
    }

    // Off, the next round has names again.
    fx.ok(f, Command::Revote { round_id: round });
    let again = fx.snap(f).round.map(|r| r.id).unwrap();
    fx.vote(a, again, "5");
    let events = fx.ok(f, Command::Reveal { round_id: again });
    let Some(Event::RoundRevealed { record, .. }) = events.first() else {
        panic!("expected round_revealed, got {events:?}");
    };
    assert!(!record.anonymous);
    assert_eq!(record.votes.len(), 1);
    check_public_copies(&fx.log);
}
