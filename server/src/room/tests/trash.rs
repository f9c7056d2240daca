//! The trash and each item's history.

use readyroom_protocol::limits::MAX_TRASHED_ITEMS;
use readyroom_protocol::{HistoryField, ReadyCriterionDraft, SplitPart, TrashedItem};

use super::*;

fn delete(item_id: ItemId) -> Command {
    Command::DeleteItem { item_id }
}

fn restore(item_id: ItemId) -> Command {
    Command::RestoreItem { item_id }
}

fn depend_on(item_id: ItemId, on: &[ItemId]) -> Command {
    Command::UpdateItem {
        item_id,
        change: ItemChange::Dependencies(on.to_vec()),
    }
}

/// Splits `item_id` into two parts with these titles; returns the parts.
fn split_in_two(
    fx: &mut Fx,
    actor: ParticipantId,
    item_id: ItemId,
    titles: [&str; 2],
) -> [ItemId; 2] {
    let events = fx.ok(
        actor,
        Command::SplitItem {
            item_id,
            parts: titles
                .map(|title| SplitPart {
                    title: title.into(),
                    ..SplitPart::default()
                })
                .to_vec(),
        },
    );
    let Some(Event::ItemSplit { parts, .. }) = events.first() else {
        panic!("expected item_split, got {events:?}");
    };
    [parts[0].id, parts[1].id]
}

#[test]
fn a_deleted_item_waits_in_the_trash_and_comes_back_where_it_was() {
    let (mut fx, [f, a, b, o]) = team();
    let [w, x, y, z] = ["W", "X", "Y", "Z"].map(|t| fx.add_item(a, t));
    fx.ok(a, depend_on(y, &[x]));
    fx.ok(a, depend_on(z, &[w, x]));
    fx.now += 1_000;
    fx.ok(b, delete(x));
    let trash = fx.snap(o).trash;
    assert_eq!(
        trash,
        [TrashedItem {
            item_id: x,
            title: "X".into(),
            deleted_at: NOW + 1_000,
            deleted_by: Some(b),
        }]
    );
    assert_eq!(fx.item_view(z).dependencies, [w]);

    fx.fail(a, restore(x), ErrorCode::Forbidden);
    fx.fail(f, restore(w), ErrorCode::UnknownItem);
    fx.fail(f, restore(random_item_id(9)), ErrorCode::UnknownItem);
    let events = fx.ok(f, restore(x));
    assert_eq!(
        kinds(&events),
        ["item_restored", "item_updated", "item_updated"]
    );
    assert_eq!(
        fx.order(),
        [w, x, y, z],
        "back behind the item it came after"
    );
    assert_eq!(
        fx.item_view(y).dependencies,
        [x],
        "what depended on it does again"
    );
    assert_eq!(fx.item_view(z).dependencies, [w, x]);
    assert!(fx.snap(o).trash.is_empty());
    fx.fail(f, restore(x), ErrorCode::UnknownItem);

    // With the item it followed gone too, it comes back on top.
    fx.ok(a, delete(x));
    fx.ok(a, delete(w));
    fx.ok(f, restore(x));
    assert_eq!(fx.order(), [x, y, z]);
    check_public_copies(&fx.log);
}

#[test]
fn a_restore_mends_split_links_and_skips_a_dependency_that_would_close_a_circle() {
    let (mut fx, [f, a, ..]) = team();
    let big = fx.add_item(a, "Big");
    let [one, two] = split_in_two(&mut fx, a, big, ["One", "Two"]);
    fx.ok(a, delete(two));
    assert_eq!(fx.item_view(big).split_into, [one]);
    fx.ok(f, restore(two));
    assert_eq!(fx.item_view(big).split_into, [one, two]);
    assert_eq!(fx.item_view(two).split_from, Some(big));

    // `two` waited for `one`; while it was gone, `one` came to wait for `two`'s dependent.
    let other = fx.add_item(a, "Other");
    fx.ok(a, depend_on(two, &[one]));
    fx.ok(a, depend_on(other, &[two]));
    fx.ok(a, delete(two));
    fx.ok(a, depend_on(one, &[other]));
    let events = fx.ok(f, restore(two));
    assert_eq!(kinds(&events), ["item_restored"], "no circle comes back");
    assert_eq!(fx.item_view(two).dependencies, [one]);
    assert_eq!(fx.item_view(other).dependencies, Vec::<ItemId>::new());
    check_public_copies(&fx.log);
}

#[test]
fn the_trash_forgets_its_oldest_beyond_its_bound() {
    let (mut fx, [f, a, ..]) = team();
    let mut deleted = Vec::new();
    for n in 0..=MAX_TRASHED_ITEMS {
        let id = fx.add_item(a, &format!("Item {n}"));
        let events = fx.ok(a, delete(id));
        deleted.push(id);
        if n < MAX_TRASHED_ITEMS {
            assert_eq!(kinds(&events), ["item_deleted"]);
        } else {
            assert_eq!(kinds(&events), ["item_deleted", "trash_purged"]);
            assert_eq!(
                events.last(),
                Some(&Event::TrashPurged {
                    item_ids: vec![deleted[0]]
                })
            );
        }
    }
    let trash = fx.snap(a).trash;
    assert_eq!(trash.len(), MAX_TRASHED_ITEMS);
    assert_eq!(trash[0].item_id, deleted[1], "oldest first");
    fx.fail(f, restore(deleted[0]), ErrorCode::UnknownItem);
    let token = fx.facilitator_token.clone();
    assert_eq!(
        fx.room.item_history(deleted[0], &token).map_err(|e| e.code),
        Err(ErrorCode::UnknownItem),
        "its history goes with it"
    );
    assert!(fx.room.item_history(deleted[1], &token).is_ok());
}

fn history(fx: &Fx, item_id: ItemId) -> Vec<(HistoryField, Option<String>, Option<String>)> {
    let token = fx.facilitator_token.clone();
    fx.room
        .item_history(item_id, &token)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| (e.field, e.value, e.previous))
        .collect()
}

fn title_edit(item_id: ItemId, revision: u64, op: &str) -> Command {
    Command::EditText {
        item_id,
        field: TextField::Title,
        revision,
        op: text_op(op),
        follows: None,
    }
}

#[test]
fn an_item_history_says_who_changed_what_and_what_it_was() {
    let (mut fx, [f, a, b, _]) = team();
    let item = fx.add_item(a, "Export");
    // Keystrokes by one person in a run are one change; another person's are another.
    fx.ok(a, title_edit(item, 0, r#"[6, " CSV"]"#));
    fx.now += 1_000;
    fx.ok(a, title_edit(item, 1, r#"[10, "!"]"#));
    fx.now += 1_000;
    fx.ok(b, title_edit(item, 2, r#"[10, -1]"#));
    fx.ok(
        b,
        Command::UpdateItem {
            item_id: item,
            change: ItemChange::Description("Long text".into()),
        },
    );
    fx.ok(
        b,
        Command::UpdateItem {
            item_id: item,
            change: ItemChange::Labels(vec!["reporting".into()]),
        },
    );
    let round = fx.start_round(f, item);
    fx.vote(a, round, "5");
    fx.ok(f, Command::Reveal { round_id: round });
    fx.ok(
        f,
        Command::AcceptEstimate {
            round_id: round,
            estimate: "5".into(),
        },
    );
    fx.ok(f, delete(item));
    fx.ok(f, restore(item));
    assert_eq!(
        history(&fx, item),
        [
            (HistoryField::Created, Some("Export".into()), None),
            (
                HistoryField::Title,
                Some("Export CSV!".into()),
                Some("Export".into())
            ),
            (
                HistoryField::Title,
                Some("Export CSV".into()),
                Some("Export CSV!".into())
            ),
            (HistoryField::Description, None, None),
            (HistoryField::Labels, Some("reporting".into()), None),
            (HistoryField::Estimate, Some("5".into()), None),
            (HistoryField::Deleted, None, None),
            (HistoryField::Restored, None, None),
        ]
    );
    let token = fx.facilitator_token.clone();
    let full = fx.room.item_history(item, &token).unwrap();
    assert_eq!(full.title, "Export CSV");
    assert!(!full.truncated);
    assert_eq!(full.entries[1].by, Some(a));
    assert_eq!(full.entries[1].by_name.as_deref(), Some("Ann"));
    assert_eq!(
        full.entries[1].at,
        NOW + 1_000,
        "a run ends at its last keystroke"
    );
    assert_eq!(
        fx.room
            .item_history(item, "not a token")
            .map_err(|e| e.code),
        Err(ErrorCode::InvalidToken)
    );
    assert_eq!(
        fx.room
            .item_history(random_item_id(7), &token)
            .map_err(|e| e.code),
        Err(ErrorCode::UnknownItem)
    );
}

#[test]
fn a_part_restored_after_its_original_was_split_afresh_stands_alone() {
    let (mut fx, [f, a, ..]) = team();
    let big = fx.add_item(a, "Big");
    let [one, two] = split_in_two(&mut fx, a, big, ["One", "Two"]);
    fx.ok(a, delete(one));
    fx.ok(a, delete(two));
    assert!(
        !fx.item_view(big).is_split(),
        "with every part gone it is an item again"
    );
    split_in_two(&mut fx, a, big, ["Three", "Four"]);
    let fresh = fx.item_view(big).split_into;
    fx.ok(f, restore(one));
    assert_eq!(
        fx.item_view(one).split_from,
        None,
        "not part of the new split"
    );
    assert_eq!(fx.item_view(big).split_into, fresh);
    check_public_copies(&fx.log);
}

#[test]
fn a_restored_item_drops_checks_of_criteria_gone_while_it_was_away() {
    let (mut fx, [f, a, ..]) = team();
    let item = fx.add_item(a, "Export");
    fx.ok(
        a,
        Command::CheckCriterion {
            item_id: item,
            criterion: 5,
            checked: true,
        },
    );
    fx.ok(a, delete(item));
    let kept: Vec<ReadyCriterionDraft> = fx
        .snap(f)
        .settings
        .definition_of_ready
        .into_iter()
        .filter(|c| c.id != 5)
        .map(|c| ReadyCriterionDraft {
            id: Some(c.id),
            text: c.text,
            auto: c.auto,
        })
        .collect();
    fx.ok(
        f,
        Command::UpdateSettings(SettingsChange {
            definition_of_ready: Some(kept),
            ..SettingsChange::default()
        }),
    );
    fx.ok(f, restore(item));
    assert!(fx.item_view(item).checked.is_empty());
}

#[test]
fn a_restore_goes_behind_the_nearest_item_still_there_and_dependencies_wait_in_the_trash() {
    let (mut fx, [f, a, ..]) = team();
    let [v, w, x, y] = ["V", "W", "X", "Y"].map(|t| fx.add_item(a, t));
    fx.ok(a, delete(x));
    fx.ok(a, delete(w));
    fx.ok(f, restore(x));
    assert_eq!(fx.order(), [v, x, y], "behind what W followed");
    fx.ok(f, restore(w));
    assert_eq!(fx.order(), [v, w, x, y]);

    // X waits for Y; both go, X comes back first: the dependency waits for Y.
    fx.ok(a, depend_on(x, &[y]));
    fx.ok(a, delete(x));
    fx.ok(a, delete(y));
    fx.ok(f, restore(x));
    assert!(fx.item_view(x).dependencies.is_empty());
    let events = fx.ok(f, restore(y));
    assert!(events.contains(&Event::ItemUpdated {
        item_id: x,
        change: ItemChange::Dependencies(vec![y]),
    }));
    check_public_copies(&fx.log);
}

#[test]
fn typing_together_keeps_one_entry_per_person_and_field() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Export");
    for n in 0..20_u64 {
        fx.now += 500;
        fx.ok(a, title_edit(item, n, &format!("[{}, \"x\"]", 6 + n)));
        fx.ok(
            b,
            Command::EditText {
                item_id: item,
                field: TextField::Description,
                revision: n,
                op: text_op(&if n == 0 {
                    r#"["y"]"#.to_owned()
                } else {
                    format!(r#"[{n}, "y"]"#)
                }),
                follows: None,
            },
        );
    }
    let fields: Vec<HistoryField> = history(&fx, item).into_iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        [
            HistoryField::Created,
            HistoryField::Title,
            HistoryField::Description
        ]
    );
}

#[test]
fn histories_stay_within_the_room_budget_dropping_the_oldest() {
    use readyroom_protocol::limits::{MAX_HISTORY_BYTES, MAX_HISTORY_ENTRIES};
    let (mut fx, [_, a, ..]) = team();
    let long_label = "l".repeat(34);
    let entry_bytes = 64 + 300;
    let items = MAX_HISTORY_BYTES / entry_bytes / MAX_HISTORY_ENTRIES + 2;
    let ids: Vec<ItemId> = (0..items)
        .map(|n| fx.add_item(a, &format!("Item {n}")))
        .collect();
    for id in &ids {
        for n in 0..MAX_HISTORY_ENTRIES {
            let labels = (0..20).map(|l| format!("{long_label}{n}-{l}")).collect();
            fx.ok(
                a,
                Command::UpdateItem {
                    item_id: *id,
                    change: ItemChange::Labels(labels),
                },
            );
        }
    }
    fx.room.check_invariants().unwrap();
    let token = fx.facilitator_token.clone();
    let first = fx.room.item_history(ids[0], &token).unwrap();
    assert!(first.truncated, "the room's oldest entries went first");
    assert!(first.entries.len() < MAX_HISTORY_ENTRIES);
    let last = fx.room.item_history(ids[items - 1], &token).unwrap();
    assert_eq!(last.entries.len(), MAX_HISTORY_ENTRIES);
    assert!(
        last.entries
            .iter()
            .all(|e| e.value.as_ref().is_none_or(|v| v.chars().count() <= 300))
    );
}

#[test]
fn deletions_logged_before_the_trash_replay_as_they_were_applied() {
    let (mut fx, [f, a, ..]) = team();
    let item = fx.add_item(a, "Old");
    fx.room.set_rules(4);
    assert_eq!(kinds(&fx.ok(a, delete(item))), ["item_deleted"]);
    fx.room.set_rules(crate::journal::RULES);
    assert!(fx.snap(a).trash.is_empty(), "gone for good, as then");
    fx.fail(f, restore(item), ErrorCode::UnknownItem);
    fx.room.check_invariants().unwrap();
}
