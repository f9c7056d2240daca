//! Refinement beyond estimation: splitting items, the Definition of Ready.

use readyroom_protocol::limits::MAX_SPLIT_PARTS;
use readyroom_protocol::{
    AutoCheck, ReadyCriterionDraft, ReadyOverride, RemarkKind, SplitPart, Wsjf, WsjfDimension,
};

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
            dimension: None,
            timebox_seconds: None,
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

// ---------------------------------------------------------------------------------------------
// Definition of Ready
// ---------------------------------------------------------------------------------------------

/// The manual criteria of the default Definition of Ready: "clear title and description" and
/// "small enough for one sprint".
const CLEAR: u32 = 1;
const SMALL: u32 = 5;

fn check(item_id: ItemId, criterion: u32, checked: bool) -> Command {
    Command::CheckCriterion {
        item_id,
        criterion,
        checked,
    }
}

fn update(item_id: ItemId, change: ItemChange) -> Command {
    Command::UpdateItem { item_id, change }
}

/// Meets every criterion of the default Definition of Ready but `except`'s.
fn meet_all_but(fx: &mut Fx, actor: ParticipantId, item: ItemId, except: Option<u32>) {
    if except != Some(2) {
        fx.ok(
            actor,
            update(item, ItemChange::AcceptanceCriteria("- it works".into())),
        );
    }
    if except != Some(3) {
        // Only the facilitator sets an estimate by hand.
        let facilitator = fx.snap(actor).facilitator.unwrap();
        fx.ok(
            facilitator,
            update(item, ItemChange::Estimate(Some("3".into()))),
        );
    }
    for criterion in [CLEAR, SMALL] {
        if except != Some(criterion) {
            fx.ok(actor, check(item, criterion, true));
        }
    }
}

fn status_events(events: &[Event]) -> Vec<(ItemId, ItemStatus)> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::ItemUpdated {
                item_id,
                change: ItemChange::Status(status),
            } => Some((*item_id, *status)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_item_turns_ready_when_its_checklist_completes_and_back_when_it_does_not() {
    let (mut fx, [_, a, ..]) = team();
    let item = fx.add_item(a, "Search");
    assert_eq!(fx.room.settings().definition_of_ready.len(), 6);
    meet_all_but(&mut fx, a, item, Some(SMALL));
    assert_eq!(fx.item_view(item).status, ItemStatus::New);
    assert_eq!(fx.item_view(item).checked, [CLEAR]);
    let events = fx.ok(a, check(item, SMALL, true));
    assert_eq!(
        events,
        [
            Event::CriterionChecked {
                item_id: item,
                criterion: SMALL,
                checked: true
            },
            Event::ItemUpdated {
                item_id: item,
                change: ItemChange::Status(ItemStatus::Ready)
            }
        ]
    );
    // Checking it again changes nothing.
    assert!(fx.ok(a, check(item, SMALL, true)).is_empty());
    // Losing a criterion the server checks takes readiness away.
    let f = fx.snap(a).facilitator.unwrap();
    let events = fx.ok(f, update(item, ItemChange::Estimate(None)));
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
    fx.ok(f, update(item, ItemChange::Estimate(Some("5".into()))));
    assert_eq!(fx.item_view(item).status, ItemStatus::Ready);
    // Blank acceptance criteria do not count, whatever way they come.
    let events = fx.ok(
        a,
        update(item, ItemChange::AcceptanceCriteria("  \n".into())),
    );
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
}

#[test]
fn a_status_set_by_hand_must_agree_with_the_checklist() {
    let (mut fx, [_, a, ..]) = team();
    let item = fx.add_item(a, "Search");
    meet_all_but(&mut fx, a, item, Some(SMALL));
    let refused = fx.cmd(a, update(item, ItemChange::Status(ItemStatus::Ready)));
    let Reply::Error(error) = &refused.reply else {
        panic!("expected a refusal, got {:?}", refused.reply);
    };
    assert_eq!(error.code, ErrorCode::NotReady);
    assert!(
        error.message.contains("Small enough for one sprint"),
        "the message names what is missing: {}",
        error.message
    );
    fx.ok(
        a,
        update(item, ItemChange::Status(ItemStatus::NeedsSplitting)),
    );
    // Completing the checklist makes it ready whatever it was flagged as.
    fx.ok(a, check(item, SMALL, true));
    assert_eq!(fx.item_view(item).status, ItemStatus::Ready);
    fx.fail(
        a,
        update(item, ItemChange::Status(ItemStatus::NeedsInfo)),
        ErrorCode::InvalidValue,
    );
    // Setting what it already is is no change.
    assert!(
        fx.ok(a, update(item, ItemChange::Status(ItemStatus::Ready)))
            .is_empty()
    );
}

#[test]
fn readiness_flows_along_dependencies_and_through_splits() {
    let (mut fx, [_, a, ..]) = team();
    let api = fx.add_item(a, "API");
    let app = fx.add_item(a, "App");
    let docs = fx.add_item(a, "Docs");
    fx.ok(a, update(app, ItemChange::Dependencies(vec![api])));
    fx.ok(a, update(docs, ItemChange::Dependencies(vec![app])));
    meet_all_but(&mut fx, a, app, None);
    meet_all_but(&mut fx, a, docs, None);
    assert_eq!(
        fx.item_view(app).status,
        ItemStatus::New,
        "it waits for the API"
    );
    // The API getting ready makes the app ready, and so the docs, in one step.
    meet_all_but(&mut fx, a, api, Some(SMALL));
    let events = fx.ok(a, check(api, SMALL, true));
    assert_eq!(
        status_events(&events),
        [
            (api, ItemStatus::Ready),
            (app, ItemStatus::Ready),
            (docs, ItemStatus::Ready)
        ]
    );
    // Splitting the API: what waited for it now waits for its parts.
    fx.ok(a, check(api, SMALL, false));
    let events = fx.ok(a, split(api, &["Read", "Write"]));
    let Some(Event::ItemSplit { parts, .. }) = events.first() else {
        panic!("expected item_split, got {events:?}");
    };
    let (read, write) = (parts[0].id, parts[1].id);
    meet_all_but(&mut fx, a, read, None);
    assert_eq!(fx.item_view(app).status, ItemStatus::New);
    meet_all_but(&mut fx, a, write, Some(SMALL));
    let events = fx.ok(a, check(write, SMALL, true));
    assert_eq!(
        status_events(&events),
        [
            (write, ItemStatus::Ready),
            (app, ItemStatus::Ready),
            (docs, ItemStatus::Ready)
        ]
    );
    // Deleting a part that was not ready frees what waited for the whole.
    fx.ok(a, check(write, SMALL, false));
    assert_eq!(fx.item_view(app).status, ItemStatus::New);
    let events = fx.ok(a, Command::DeleteItem { item_id: write });
    assert_eq!(
        status_events(&events),
        [(app, ItemStatus::Ready), (docs, ItemStatus::Ready)]
    );
}

#[test]
fn the_facilitator_can_override_the_checklist_and_take_it_back() {
    let (mut fx, [f, a, ..]) = team();
    let item = fx.add_item(a, "Spike");
    let other = fx.add_item(a, "Other");
    fx.fail(
        a,
        Command::OverrideReady {
            item_id: item,
            ready: true,
        },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::OverrideReady {
            item_id: random_item_id(3),
            ready: true,
        },
        ErrorCode::UnknownItem,
    );
    let events = fx.ok(
        f,
        Command::OverrideReady {
            item_id: item,
            ready: true,
        },
    );
    let expected = ReadyOverride {
        by: Some(f),
        at: NOW,
    };
    assert_eq!(
        events,
        [
            Event::ReadyOverridden {
                item_id: item,
                ready_override: Some(expected)
            },
            Event::ItemUpdated {
                item_id: item,
                change: ItemChange::Status(ItemStatus::Ready)
            }
        ]
    );
    assert_eq!(fx.item_view(item).ready_override, Some(expected));
    let events = fx.ok(
        f,
        Command::OverrideReady {
            item_id: item,
            ready: false,
        },
    );
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
    // Split items get ready through their parts.
    fx.ok(a, split(other, &["x", "y"]));
    fx.fail(
        f,
        Command::OverrideReady {
            item_id: other,
            ready: true,
        },
        ErrorCode::InvalidValue,
    );
}

#[test]
fn checking_a_criterion_that_breaks_a_rule_changes_nothing() {
    let (mut fx, [_, a, _, o]) = team();
    let item = fx.add_item(a, "Search");
    fx.fail(o, check(item, CLEAR, true), ErrorCode::Forbidden);
    fx.fail(
        a,
        check(random_item_id(4), CLEAR, true),
        ErrorCode::UnknownItem,
    );
    fx.fail(a, check(item, 99, true), ErrorCode::InvalidValue);
    // "Estimated" is the server's to check.
    fx.fail(a, check(item, 3, true), ErrorCode::InvalidValue);
    assert!(fx.ok(a, check(item, CLEAR, false)).is_empty(), "no change");
}

fn definition(criteria: &[(Option<u32>, &str, Option<AutoCheck>)]) -> Command {
    Command::UpdateSettings(SettingsChange {
        definition_of_ready: Some(
            criteria
                .iter()
                .map(|(id, text, auto)| ReadyCriterionDraft {
                    id: *id,
                    text: (*text).into(),
                    auto: *auto,
                })
                .collect(),
        ),
        ..SettingsChange::default()
    })
}

#[test]
fn the_definition_of_ready_is_the_facilitators_to_change() {
    let (mut fx, [f, a, ..]) = team();
    let item = fx.add_item(a, "Search");
    meet_all_but(&mut fx, a, item, Some(SMALL));
    let keep_estimated = (Some(3), "Estimated", Some(AutoCheck::Estimated));
    fx.fail(
        a,
        definition(&[(Some(CLEAR), "Clear", None)]),
        ErrorCode::Forbidden,
    );
    fx.fail(f, definition(&[]), ErrorCode::InvalidValue);
    let many: Vec<_> = (0..=readyroom_protocol::limits::MAX_READY_CRITERIA)
        .map(|_| (None, "x", None))
        .collect();
    fx.fail(f, definition(&many), ErrorCode::InvalidValue);
    fx.fail(
        f,
        definition(&[(Some(42), "Unknown", None)]),
        ErrorCode::InvalidValue,
    );
    fx.fail(
        f,
        definition(&[keep_estimated, (None, "Again", Some(AutoCheck::Estimated))]),
        ErrorCode::InvalidValue,
    );
    fx.fail(
        f,
        definition(&[(Some(CLEAR), "Clear", None), (Some(CLEAR), "Twice", None)]),
        ErrorCode::InvalidValue,
    );
    fx.fail(
        f,
        definition(&[(None, "  ", None)]),
        ErrorCode::InvalidValue,
    );
    // Without "small enough" the item meets the rest: it becomes ready with the change.
    let events = fx.ok(
        f,
        definition(&[
            (Some(CLEAR), " Clear title and description ", None),
            keep_estimated,
            (None, "Designs attached", None),
        ]),
    );
    let Some(Event::SettingsChanged { settings }) = events.first() else {
        panic!("expected settings_changed, got {events:?}");
    };
    let ids: Vec<u32> = settings.definition_of_ready.iter().map(|c| c.id).collect();
    assert_eq!(ids, [CLEAR, 3, 7], "a new criterion gets an id never used");
    assert_eq!(
        settings.definition_of_ready[0].text,
        "Clear title and description"
    );
    assert_eq!(
        status_events(&events),
        [],
        "a new manual criterion is unmet"
    );
    fx.ok(a, check(item, 7, true));
    assert_eq!(fx.item_view(item).status, ItemStatus::Ready);
    // Dropping a criterion drops its checks; a criterion added later never takes its id.
    let events = fx.ok(f, definition(&[keep_estimated, (None, "Demo ready", None)]));
    assert_eq!(fx.item_view(item).checked, Vec::<u32>::new());
    let Some(Event::SettingsChanged { settings }) = events.first() else {
        panic!("expected settings_changed, got {events:?}");
    };
    assert_eq!(settings.definition_of_ready[1].id, 8);
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
    check_public_copies(&fx.log);
}

#[test]
fn statuses_set_by_hand_under_the_earlier_rules_replay_as_they_were() {
    let (mut fx, [_, a, ..]) = team();
    let item = fx.add_item(a, "Legacy");
    fx.room.set_rules(2);
    let events = fx.ok(a, update(item, ItemChange::Status(ItemStatus::Ready)));
    fx.room.set_rules(crate::journal::RULES);
    assert_eq!(status_events(&events), [(item, ItemStatus::Ready)]);
}

#[test]
fn an_import_keeps_items_ready_as_overrides_by_nobody() {
    let (mut fx, [_, a, ..]) = team();
    let done = fx.add_item(a, "Done already");
    let open = fx.add_item(a, "Open");
    let mut export = fx.room.export(NOW);
    export
        .items
        .iter_mut()
        .find(|item| item.id == done)
        .unwrap()
        .status = ItemStatus::Ready;
    export
        .items
        .iter_mut()
        .for_each(|item| item.checked = vec![CLEAR, 3, CLEAR, 77]);
    let (room, _) = Room::import(
        RoomId::from_random_bytes([9; 16]),
        export,
        &mut Ctx {
            now: NOW + 1,
            rng: &mut StdRng::seed_from_u64(3),
        },
    )
    .unwrap();
    room.check_invariants().unwrap();
    let items = room.snapshot_for(ParticipantId(uuid::Uuid::nil())).items;
    let imported = |id| items.iter().find(|item| item.id == id).unwrap();
    assert_eq!(imported(done).status, ItemStatus::Ready);
    assert_eq!(
        imported(done).ready_override,
        Some(ReadyOverride {
            by: None,
            at: NOW + 1
        })
    );
    assert_eq!(imported(open).status, ItemStatus::New);
    assert_eq!(
        imported(open).checked,
        [CLEAR],
        "only people's checks, once"
    );
}

// ---------------------------------------------------------------------------------------------
// WSJF
// ---------------------------------------------------------------------------------------------

#[test]
fn wsjf_parts_are_entered_directly_within_bounds() {
    let (mut fx, [_, a, b, o]) = team();
    let item = fx.add_item(a, "Search");
    let wsjf = Wsjf {
        business_value: Some(8),
        time_criticality: Some(3),
        risk_reduction: None,
        job_size: Some(5),
    };
    fx.fail(
        o,
        update(item, ItemChange::Wsjf(wsjf)),
        ErrorCode::Forbidden,
    );
    for bad in [readyroom_protocol::limits::MAX_WSJF_VALUE + 1, u32::MAX] {
        fx.fail(
            a,
            update(
                item,
                ItemChange::Wsjf(Wsjf {
                    risk_reduction: Some(bad),
                    ..wsjf
                }),
            ),
            ErrorCode::InvalidValue,
        );
    }
    let events = fx.ok(a, update(item, ItemChange::Wsjf(wsjf)));
    assert_eq!(
        events,
        [Event::ItemUpdated {
            item_id: item,
            change: ItemChange::Wsjf(wsjf)
        }]
    );
    assert_eq!(fx.item_view(item).wsjf, wsjf);
    // Only the parts given change, so two people setting different parts both keep theirs;
    // 0 clears a part.
    fx.ok(
        b,
        update(
            item,
            ItemChange::Wsjf(Wsjf {
                risk_reduction: Some(2),
                ..Wsjf::default()
            }),
        ),
    );
    let events = fx.ok(
        a,
        update(
            item,
            ItemChange::Wsjf(Wsjf {
                job_size: Some(0),
                ..Wsjf::default()
            }),
        ),
    );
    let expected = Wsjf {
        risk_reduction: Some(2),
        job_size: None,
        ..wsjf
    };
    assert_eq!(
        events,
        [Event::ItemUpdated {
            item_id: item,
            change: ItemChange::Wsjf(expected)
        }]
    );
}

#[test]
fn a_round_on_a_wsjf_part_sets_that_part_not_the_estimate() {
    let (mut fx, [f, a, b, _]) = team();
    let item = fx.add_item(a, "Search");
    let events = fx.ok(
        f,
        Command::StartRound {
            item_id: item,
            deck: None,
            dimension: Some(WsjfDimension::BusinessValue),
            timebox_seconds: None,
        },
    );
    let round_id = round_started(&events);
    assert_eq!(
        fx.snap(a).round.map(|round| round.dimension),
        Some(Some(WsjfDimension::BusinessValue))
    );
    fx.vote(a, round_id, "13");
    fx.vote(b, round_id, "0");
    fx.ok(f, Command::Reveal { round_id });
    // A re-vote estimates the same part.
    let events = fx.ok(f, Command::Revote { round_id });
    let round_id = round_started(&events);
    assert_eq!(
        fx.snap(a).round.and_then(|round| round.dimension),
        Some(WsjfDimension::BusinessValue)
    );
    fx.vote(a, round_id, "13");
    fx.ok(f, Command::Reveal { round_id });
    for bad in ["½", "0", "lots", "101"] {
        fx.fail(
            f,
            Command::AcceptEstimate {
                round_id,
                estimate: bad.into(),
            },
            ErrorCode::InvalidValue,
        );
    }
    let events = fx.ok(
        f,
        Command::AcceptEstimate {
            round_id,
            estimate: "13".into(),
        },
    );
    assert_eq!(
        events.first(),
        Some(&Event::EstimateAccepted {
            round_id,
            item_id: item,
            estimate: "13".into(),
            dimension: Some(WsjfDimension::BusinessValue)
        })
    );
    let view = fx.item_view(item);
    assert_eq!(view.wsjf.business_value, Some(13));
    assert_eq!(view.estimate, None, "the estimate is untouched");
    assert_eq!(
        view.history
            .last()
            .map(|r| (r.dimension, r.accepted.clone())),
        Some((Some(WsjfDimension::BusinessValue), Some("13".into())))
    );
    check_public_copies(&fx.log);
}

#[test]
fn a_part_that_depends_on_its_own_original_settles() {
    let (mut fx, [_, a, ..]) = team();
    let big = fx.add_item(a, "Big");
    let events = fx.ok(a, split(big, &["x", "y"]));
    let Some(Event::ItemSplit { parts, .. }) = events.first() else {
        panic!("expected item_split, got {events:?}");
    };
    let (x, y) = (parts[0].id, parts[1].id);
    // The original counts as ready through its parts; a part waiting for it waits for itself.
    fx.ok(a, update(x, ItemChange::Dependencies(vec![big])));
    meet_all_but(&mut fx, a, y, None);
    meet_all_but(&mut fx, a, x, None);
    assert_eq!(fx.item_view(y).status, ItemStatus::Ready);
    assert_eq!(fx.item_view(x).status, ItemStatus::New);
}

// ---------------------------------------------------------------------------------------------
// Notes, decisions and questions
// ---------------------------------------------------------------------------------------------

#[test]
fn an_open_question_keeps_an_item_from_being_ready_until_answered() {
    let (mut fx, [_, a, b, o]) = team();
    let item = fx.add_item(a, "Export");
    meet_all_but(&mut fx, a, item, None);
    assert_eq!(fx.item_view(item).status, ItemStatus::Ready);
    let ask = Command::AddRemark {
        item_id: item,
        kind: RemarkKind::Question,
        text: " Which columns? ".into(),
        owner: Some(b),
    };
    fx.fail(o, ask.clone(), ErrorCode::Forbidden);
    let events = fx.ok(a, ask);
    let Some(Event::RemarkAdded { remark, .. }) = events.first() else {
        panic!("expected remark_added, got {events:?}");
    };
    assert_eq!(remark.text, "Which columns?");
    assert_eq!((remark.owner, remark.by), (Some(b), Some(a)));
    assert!(remark.is_open());
    let question = remark.id;
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
    // A decision does not block anything and has no answer.
    let events = fx.ok(
        a,
        Command::AddRemark {
            item_id: item,
            kind: RemarkKind::Decision,
            text: "UTF-8 only".into(),
            owner: None,
        },
    );
    let Some(Event::RemarkAdded { remark, .. }) = events.first() else {
        panic!("expected remark_added, got {events:?}");
    };
    let decision = remark.id;
    assert_ne!(decision, question);
    fx.fail(
        a,
        Command::AnswerQuestion {
            item_id: item,
            remark_id: decision,
            answer: Some("yes".into()),
        },
        ErrorCode::InvalidValue,
    );
    let events = fx.ok(
        b,
        Command::AnswerQuestion {
            item_id: item,
            remark_id: question,
            answer: Some("Amount and date".into()),
        },
    );
    assert_eq!(status_events(&events), [(item, ItemStatus::Ready)]);
    // Opened again, it blocks again; removed, it blocks no more.
    let events = fx.ok(
        b,
        Command::AnswerQuestion {
            item_id: item,
            remark_id: question,
            answer: None,
        },
    );
    assert_eq!(status_events(&events), [(item, ItemStatus::New)]);
    let events = fx.ok(
        a,
        Command::RemoveRemark {
            item_id: item,
            remark_id: question,
        },
    );
    assert_eq!(status_events(&events), [(item, ItemStatus::Ready)]);
    fx.fail(
        a,
        Command::RemoveRemark {
            item_id: item,
            remark_id: question,
        },
        ErrorCode::InvalidValue,
    );
    check_public_copies(&fx.log);
}

#[test]
fn remarks_that_break_a_rule_change_nothing() {
    let (mut fx, [_, a, ..]) = team();
    let item = fx.add_item(a, "Export");
    let add = |text: &str, owner| Command::AddRemark {
        item_id: item,
        kind: RemarkKind::Decision,
        text: text.into(),
        owner,
    };
    fx.fail(a, add("  ", None), ErrorCode::InvalidValue);
    fx.fail(
        a,
        add(
            &"x".repeat(readyroom_protocol::limits::MAX_REMARK_CHARS + 1),
            None,
        ),
        ErrorCode::InvalidValue,
    );
    fx.fail(
        a,
        add("Who?", Some(ParticipantId::from_random_bytes([5; 16]))),
        ErrorCode::UnknownParticipant,
    );
    fx.fail(
        a,
        Command::AddRemark {
            item_id: random_item_id(8),
            kind: RemarkKind::Question,
            text: "?".into(),
            owner: None,
        },
        ErrorCode::UnknownItem,
    );
    for i in 0..readyroom_protocol::limits::MAX_REMARKS_PER_ITEM {
        fx.ok(a, add(&format!("decision {i}"), None));
    }
    fx.fail(a, add("one too many", None), ErrorCode::InvalidValue);
    fx.fail(
        a,
        Command::EditRemark {
            item_id: item,
            remark_id: 9_999,
            text: "x".into(),
            owner: None,
        },
        ErrorCode::InvalidValue,
    );
}

#[test]
fn notes_are_written_together_like_the_description() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Export");
    fx.ok(
        a,
        update(item, ItemChange::Notes("Finance: by the 5th".into())),
    );
    let revision = fx.item_view(item).revisions.notes;
    let op = |json: &str| serde_json::from_str::<TextOp>(json).unwrap();
    for (who, edit) in [(a, r#"[19, "!"]"#), (b, r#"["Note. ", 19]"#)] {
        fx.ok(
            who,
            Command::EditText {
                item_id: item,
                field: TextField::Notes,
                revision,
                op: op(edit),
                follows: None,
            },
        );
    }
    assert_eq!(fx.item_view(item).notes, "Note. Finance: by the 5th!");
}

#[test]
fn an_estimate_is_agreed_in_a_round_or_set_by_the_facilitator_as_a_card_or_number() {
    let (mut fx, [f, a, ..]) = team();
    let item = fx.add_item(a, "Search");
    let estimate = |value: &str| update(item, ItemChange::Estimate(Some(value.into())));
    fx.fail(a, estimate("5"), ErrorCode::Forbidden);
    fx.fail(f, estimate("lots"), ErrorCode::InvalidValue);
    fx.fail(f, estimate("?"), ErrorCode::InvalidValue);
    fx.ok(f, estimate("13"));
    fx.ok(f, estimate("4.5"));
    assert_eq!(fx.item_view(item).estimate.as_deref(), Some("4.5"));
    let round_id = fx.start_round(f, item);
    fx.vote(a, round_id, "8");
    fx.ok(f, Command::Reveal { round_id });
    fx.fail(
        f,
        Command::AcceptEstimate {
            round_id,
            estimate: "8 pts".into(),
        },
        ErrorCode::InvalidValue,
    );
    fx.ok(
        f,
        Command::AcceptEstimate {
            round_id,
            estimate: "7".into(),
        },
    );
    // Logged when any editor could write any estimate, it replays as it was applied.
    fx.room.set_rules(3);
    let legacy = fx.cmd(a, estimate("a lot"));
    fx.room.set_rules(crate::journal::RULES);
    assert!(matches!(legacy.reply, Reply::Ack { .. }));
}
