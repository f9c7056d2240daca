//! Refinement beyond estimation: splitting items.

use readyroom_protocol::SplitPart;
use readyroom_protocol::limits::MAX_SPLIT_PARTS;

use super::*;

fn part(title: &str) -> SplitPart {
    SplitPart {
        title: title.into(),
        ..SplitPart::default()
    }
}

fn split(item_id: ItemId, titles: &[&str]) -> Command {
    Command::SplitItem {
        item_id,
        parts: titles.iter().map(|title| part(title)).collect(),
    }
}

#[test]
fn a_split_puts_the_parts_right_after_the_original_and_links_them() {
    let (mut fx, [f, a, ..]) = team();
    let before = fx.add_item(a, "Before");
    let big = fx.ok(
        a,
        Command::CreateItem(NewItem {
            labels: vec!["billing".into()],
            ..new_item("Checkout")
        }),
    );
    let Some(Event::ItemCreated { item }) = big.first() else {
        panic!("expected item_created, got {big:?}");
    };
    let big = item.id;
    let after = fx.add_item(a, "After");
    fx.ok(f, Command::SetCurrentItem { item_id: Some(big) });
    let events = fx.ok(
        a,
        Command::SplitItem {
            item_id: big,
            parts: vec![
                SplitPart {
                    title: " Pay by card ".into(),
                    description: "Card payments only.".into(),
                    acceptance_criteria: "- Visa\n- Mastercard".into(),
                },
                part("Pay by invoice"),
                part("Receipts"),
            ],
        },
    );
    let Some(Event::ItemSplit { item_id, parts }) = events.first() else {
        panic!("expected item_split first, got {events:?}");
    };
    assert_eq!(*item_id, big);
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].title, "Pay by card", "titles are trimmed");
    assert_eq!(parts[0].acceptance_criteria, "- Visa\n- Mastercard");
    for p in parts {
        assert_eq!(p.split_from, Some(big));
        assert_eq!(p.labels, ["billing"], "labels carry over");
        assert_eq!(p.status, ItemStatus::New);
        assert_eq!(p.estimate, None);
    }
    let ids: Vec<ItemId> = parts.iter().map(|p| p.id).collect();
    // Everyone is led on to the first part of what they were looking at.
    assert_eq!(
        events.get(1),
        Some(&Event::CurrentItemChanged {
            item_id: Some(ids[0])
        })
    );
    assert_eq!(fx.order(), [before, big, ids[0], ids[1], ids[2], after]);
    assert_eq!(fx.item_view(big).split_into, ids);
    assert!(fx.item_view(big).is_split());

    // A split item stays for reference but is not estimated or split again.
    fx.fail(
        f,
        Command::StartRound {
            item_id: big,
            deck: None,
        },
        ErrorCode::InvalidValue,
    );
    fx.fail(a, split(big, &["x", "y"]), ErrorCode::InvalidValue);
    // A part can be split further.
    fx.ok(a, split(ids[2], &["Email receipts", "PDF receipts"]));

    // Deleting a part takes it off the original's list; deleting the original frees its parts.
    fx.ok(a, Command::DeleteItem { item_id: ids[1] });
    assert_eq!(fx.item_view(big).split_into, [ids[0], ids[2]]);
    fx.ok(a, Command::DeleteItem { item_id: big });
    assert_eq!(fx.item_view(ids[0]).split_from, None);
    check_public_copies(&fx.log);
}

#[test]
fn a_split_that_breaks_a_rule_changes_nothing() {
    let (mut fx, [f, a, _, o]) = team();
    let big = fx.add_item(a, "Big");
    fx.fail(o, split(big, &["x", "y"]), ErrorCode::Forbidden);
    fx.fail(
        a,
        split(random_item_id(9), &["x", "y"]),
        ErrorCode::UnknownItem,
    );
    fx.fail(a, split(big, &[]), ErrorCode::InvalidValue);
    fx.fail(a, split(big, &["only one"]), ErrorCode::InvalidValue);
    let too_many: Vec<String> = (0..=MAX_SPLIT_PARTS).map(|i| format!("part {i}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    fx.fail(a, split(big, &too_many), ErrorCode::InvalidValue);
    // One bad part spoils the whole split.
    fx.fail(a, split(big, &["fine", "  "]), ErrorCode::InvalidValue);
    fx.fail(
        a,
        Command::SplitItem {
            item_id: big,
            parts: vec![
                SplitPart {
                    title: "x".into(),
                    description: "é".repeat(MAX_LONG_TEXT_CHARS),
                    acceptance_criteria: "é".repeat(MAX_LONG_TEXT_CHARS),
                },
                SplitPart {
                    title: "y".into(),
                    description: "é".into(),
                    acceptance_criteria: String::new(),
                },
            ],
        },
        ErrorCode::InvalidValue,
    );
    // Not while it is being voted on; after the reveal the round closes with the split.
    let round_id = fx.start_round(f, big);
    fx.fail(a, split(big, &["x", "y"]), ErrorCode::RoundInProgress);
    fx.vote(a, round_id, "21");
    fx.ok(f, Command::Reveal { round_id });
    let events = fx.ok(a, split(big, &["x", "y"]));
    assert_eq!(events.first(), Some(&Event::RoundCancelled { round_id }));
    assert_eq!(fx.snap(a).round, None);
    assert_eq!(fx.item_view(big).history.len(), 1, "its votes are kept");
}

#[test]
fn a_split_cannot_overfill_the_room() {
    let (mut fx, [_, a, ..]) = team();
    let big = fx.add_item(a, "Big");
    for i in 1..MAX_ITEMS_PER_ROOM - 2 {
        fx.add_item(a, &format!("filler {i}"));
    }
    fx.fail(a, split(big, &["x", "y", "z"]), ErrorCode::TooManyItems);
    fx.ok(a, split(big, &["x", "y"]));
}

#[test]
fn the_split_suggestion_is_a_bounded_setting() {
    let (mut fx, [f, ..]) = team();
    let change = |at| {
        Command::UpdateSettings(SettingsChange {
            suggest_split_at: Some(at),
            ..SettingsChange::default()
        })
    };
    fx.fail(
        f,
        change(readyroom_protocol::limits::MAX_SPLIT_SUGGESTION + 1),
        ErrorCode::InvalidValue,
    );
    fx.ok(f, change(0));
    assert_eq!(fx.room.settings().suggest_split_at, 0);
}
