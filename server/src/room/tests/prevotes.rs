//! Pre-votes revealed together, confidence with a vote, and the relative sizing board.

use super::*;
use readyroom_protocol::{ConfidenceTally, PrevoteReview, is_special};

const DAY: u64 = 24 * 60 * 60 * 1000;

fn open(fx: &mut Fx, f: ParticipantId, items: &[ItemId]) -> Vec<RoundId> {
    let closes_at = fx.now + DAY;
    fx.ok(
        f,
        Command::OpenPrevotes {
            item_ids: items.to_vec(),
            deck: None,
            closes_at,
        },
    );
    let prevotes = fx.snap(f).prevotes.unwrap();
    items
        .iter()
        .map(|id| {
            prevotes
                .rounds
                .iter()
                .find(|r| r.item_id == *id)
                .unwrap()
                .id
        })
        .collect()
}

fn vote_with(round_id: RoundId, card: &str, confidence: Option<Confidence>) -> Command {
    Command::Vote {
        round_id,
        card: card.into(),
        confidence,
    }
}

fn review(fx: &mut Fx, f: ParticipantId) -> PrevoteReview {
    let events = fx.ok(f, Command::RevealPrevotes);
    let [Event::PrevotesRevealed { review }] = events.as_slice() else {
        panic!("expected prevotes_revealed, got {events:?}");
    };
    review.clone()
}

#[test]
fn pre_votes_are_cast_in_anyones_own_time_and_stay_secret_until_revealed_together() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "Export");
    let y = fx.add_item(a, "Import");
    fx.fail(
        a,
        Command::OpenPrevotes {
            item_ids: vec![x],
            deck: None,
            closes_at: fx.now + DAY,
        },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::OpenPrevotes {
            item_ids: vec![x],
            deck: None,
            closes_at: fx.now - 1,
        },
        ErrorCode::InvalidValue,
    );
    // Picked out of order, listed in backlog order.
    let [ry, rx] = open(&mut fx, f, &[y, x])[..] else {
        panic!()
    };
    let listed: Vec<ItemId> = fx
        .snap(o)
        .prevotes
        .unwrap()
        .rounds
        .iter()
        .map(|r| r.item_id)
        .collect();
    assert_eq!(listed, [x, y]);
    assert_eq!(fx.snap(f).round, None, "no live round was started");

    fx.ok(a, vote_with(ry, "5", Some(Confidence::High)));
    fx.fail(o, vote_with(ry, "5", None), ErrorCode::Forbidden);
    // Ann leaves; her vote waits for the meeting.
    fx.disconnect(a);
    for viewer in [f, b, o] {
        let round = fx.snap(viewer).prevotes.unwrap().rounds[1].clone();
        assert_eq!(round.voted, [a]);
        assert_eq!((round.my_card, round.my_confidence), (None, None));
    }
    let mine = fx.snap(a).prevotes.unwrap().rounds[1].clone();
    assert_eq!(
        (mine.my_card.as_deref(), mine.my_confidence),
        (Some("5"), Some(Confidence::High))
    );

    fx.ok(b, vote_with(ry, "5", None));
    fx.ok(b, vote_with(rx, "3", None));
    // After the deadline nothing more is taken, and nothing is taken back.
    fx.now += DAY + 1;
    fx.fail(b, vote_with(rx, "8", None), ErrorCode::VotingClosed);
    fx.fail(
        b,
        Command::RetractVote { round_id: rx },
        ErrorCode::VotingClosed,
    );

    let review = review(&mut fx, f);
    assert_eq!(fx.snap(o).prevotes, None);
    let y_result = &review.results[0];
    assert_eq!((y_result.item_id, y_result.consensus), (y, true));
    assert_eq!(y_result.record.stats.mode.as_deref(), Some("5"));
    assert_eq!(
        y_result.record.stats.confidence,
        ConfidenceTally {
            low: 0,
            medium: 0,
            high: 1
        }
    );
    // One vote is no agreement.
    assert_eq!(
        (review.results[1].item_id, review.results[1].consensus),
        (x, false)
    );
    assert_eq!(
        fx.item_view(y).history.len(),
        1,
        "kept in the item's history"
    );
}

#[test]
fn agreed_items_are_accepted_in_one_step_and_the_rest_queue_widest_spread_first() {
    let (mut fx, [f, a, b, _o]) = team();
    let c = fx.join("Cem", Role::Voter);
    let items: Vec<ItemId> = ["One", "Two", "Three", "Four"]
        .iter()
        .map(|t| fx.add_item(a, t))
        .collect();
    let rounds = open(&mut fx, f, &items);
    let plays = [
        ["3", "3", "5"],  // 67%: below the room's 70
        ["8", "8", "8"],  // agreed
        ["1", "13", "5"], // widest
        ["2", "3", "3"],  // 67%, narrow
    ];
    for (round, cards) in rounds.iter().zip(plays) {
        for (voter, card) in [a, b, c].into_iter().zip(cards) {
            fx.ok(voter, vote_with(*round, card, None));
        }
    }
    let review = review(&mut fx, f);
    let order: Vec<(ItemId, bool, u32)> = review
        .results
        .iter()
        .map(|r| (r.item_id, r.consensus, r.spread))
        .collect();
    assert_eq!(
        order,
        [
            (items[1], true, 0),
            (items[2], false, 5),
            (items[0], false, 1),
            (items[3], false, 1),
        ]
    );
    // Lowering the threshold does not change a review already made.
    fx.fail(
        f,
        Command::AcceptPrevotes {
            item_ids: vec![items[0]],
        },
        ErrorCode::InvalidValue,
    );
    fx.fail(
        a,
        Command::AcceptPrevotes {
            item_ids: vec![items[1]],
        },
        ErrorCode::Forbidden,
    );
    let events = fx.ok(
        f,
        Command::AcceptPrevotes {
            item_ids: vec![items[1]],
        },
    );
    assert!(kinds(&events).contains(&"estimate_accepted".to_owned()));
    assert_eq!(fx.item_view(items[1]).estimate.as_deref(), Some("8"));
    assert_eq!(
        fx.item_view(items[1]).history[0].accepted.as_deref(),
        Some("8")
    );
    // The first in the queue is discussed live; accepting it takes it out of the review.
    let live = fx.start_round(f, items[2]);
    fx.vote(a, live, "5");
    fx.ok(f, Command::Reveal { round_id: live });
    fx.ok(
        f,
        Command::AcceptEstimate {
            round_id: live,
            estimate: "5".into(),
        },
    );
    let left: Vec<ItemId> = fx
        .snap(b)
        .prevote_review
        .unwrap()
        .results
        .iter()
        .map(|r| r.item_id)
        .collect();
    assert_eq!(left, [items[0], items[3]]);
    // A deleted item leaves it too; dismissing closes it.
    fx.ok(a, Command::DeleteItem { item_id: items[0] });
    assert_eq!(fx.snap(b).prevote_review.unwrap().results.len(), 1);
    fx.ok(f, Command::DismissPrevoteReview);
    assert_eq!(fx.snap(b).prevote_review, None);
    fx.fail(f, Command::DismissPrevoteReview, ErrorCode::NoActiveRound);
}

#[test]
fn cancelled_pre_votes_are_gone_unseen_and_the_threshold_is_a_setting() {
    let (mut fx, [f, a, b, _o]) = team();
    let x = fx.add_item(a, "Export");
    let [rx] = open(&mut fx, f, &[x])[..] else {
        panic!()
    };
    fx.ok(a, vote_with(rx, "5", None));
    fx.fail(
        f,
        Command::OpenPrevotes {
            item_ids: vec![x],
            deck: None,
            closes_at: fx.now + DAY,
        },
        ErrorCode::RoundInProgress,
    );
    let events = fx.ok(f, Command::CancelPrevotes);
    assert_eq!(kinds(&events), ["prevotes_cancelled"]);
    assert!(fx.item_view(x).history.is_empty());
    fx.fail(f, Command::RevealPrevotes, ErrorCode::NoActiveRound);

    let threshold = |percent| {
        Command::UpdateSettings(SettingsChange {
            consensus_percent: Some(percent),
            ..SettingsChange::default()
        })
    };
    fx.fail(f, threshold(49), ErrorCode::InvalidValue);
    fx.ok(f, threshold(60));
    let [rx] = open(&mut fx, f, &[x])[..] else {
        panic!()
    };
    let c = fx.join("Cem", Role::Voter);
    for (voter, card) in [(a, "3"), (b, "3"), (c, "5")] {
        fx.ok(voter, vote_with(rx, card, None));
    }
    assert!(
        review(&mut fx, f).results[0].consensus,
        "67% is enough at 60"
    );
}

#[test]
fn a_voter_holding_a_pre_vote_is_not_forgotten_to_make_room() {
    let (mut fx, f, people) = full_room();
    let item = fx.add_item(f, "Sized");
    let [round] = open(&mut fx, f, &[item])[..] else {
        panic!()
    };
    fx.ok(people[0], vote_with(round, "5", None));
    fx.disconnect(people[0]);
    fx.now += 1_000;
    fx.disconnect(people[1]);
    fx.try_join(&request("newcomer", Role::Voter)).unwrap();
    assert!(
        fx.room.participants.contains_key(&people[0]),
        "the pre-voter stays"
    );
    assert!(!fx.room.participants.contains_key(&people[1]));
    assert_eq!(fx.snap(f).prevotes.unwrap().rounds[0].voted, [people[0]]);
}

#[test]
fn confidence_comes_with_the_vote_and_shows_in_the_results() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "Export");
    let round = fx.start_round(f, x);
    let events = fx.ok(a, vote_with(round, "5", Some(Confidence::Low)));
    // Changing only the confidence is a change.
    assert_eq!(kinds(&events), ["vote_cast"]);
    let again = fx.ok(a, vote_with(round, "5", Some(Confidence::Medium)));
    assert_eq!(kinds(&again), ["vote_cast"]);
    assert!(
        fx.ok(a, vote_with(round, "5", Some(Confidence::Medium)))
            .is_empty()
    );
    fx.ok(b, vote_with(round, "8", None));
    assert_eq!(fx.snap(o).round.unwrap().my_confidence, None);
    assert_eq!(
        fx.snap(a).round.unwrap().my_confidence,
        Some(Confidence::Medium)
    );
    let events = fx.ok(f, Command::Reveal { round_id: round });
    let Some(Event::RoundRevealed { record, .. }) = events.first() else {
        panic!("expected round_revealed, got {events:?}");
    };
    let shown: Vec<(ParticipantId, Option<Confidence>)> = record
        .votes
        .iter()
        .map(|v| (v.participant_id, v.confidence))
        .collect();
    assert_eq!(shown, [(a, Some(Confidence::Medium)), (b, None)]);
    assert_eq!(
        record.stats.confidence,
        ConfidenceTally {
            low: 0,
            medium: 1,
            high: 0
        }
    );
}

#[test]
fn the_sizing_board_converges_and_turns_columns_into_estimates_in_one_step() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "Export");
    let y = fx.add_item(a, "Import");
    let z = fx.add_item(a, "Search");
    let open = |items: Vec<ItemId>| Command::OpenSizingBoard {
        item_ids: items,
        deck: Some(DeckChoice {
            kind: DeckKind::TShirt,
            cards: Vec::new(),
            unsure: true,
            coffee: true,
        }),
    };
    fx.fail(a, open(vec![x, y]), ErrorCode::Forbidden);
    fx.ok(f, open(vec![x, y, z]));
    let board = fx.snap(o).sizing.unwrap();
    assert!(
        board.deck.cards.iter().all(|c| !is_special(c)),
        "no ? or ☕ column"
    );
    let place = |item_id, column: Option<&str>| Command::PlaceOnBoard {
        item_id,
        column: column.map(Into::into),
    };
    fx.fail(o, place(x, Some("M")), ErrorCode::Forbidden);
    fx.fail(a, place(x, Some("?")), ErrorCode::InvalidValue);
    // Two people drag the same card at once: the server's order decides, for everyone.
    fx.ok(a, place(x, Some("S")));
    fx.ok(b, place(x, Some("L")));
    fx.ok(a, place(y, Some("M")));
    fx.ok(b, place(z, Some("M")));
    fx.ok(b, place(z, None));
    let board = fx.snap(o).sizing.unwrap();
    let placed: Vec<(ItemId, Option<&str>, Option<ParticipantId>)> = board
        .placements
        .iter()
        .map(|p| (p.item_id, p.column.as_deref(), p.by))
        .collect();
    assert_eq!(
        placed,
        [
            (x, Some("L"), Some(b)),
            (y, Some("M"), Some(a)),
            (z, None, Some(b))
        ]
    );
    assert_eq!(fx.snap(a).sizing, fx.snap(b).sizing);

    let events = fx.ok(f, Command::AcceptSizing);
    assert_eq!(
        kinds(&events)
            .into_iter()
            .filter(|k| k != "item_updated")
            .collect::<Vec<_>>(),
        ["sizing_closed"]
    );
    assert_eq!(fx.item_view(x).estimate.as_deref(), Some("L"));
    assert_eq!(fx.item_view(y).estimate.as_deref(), Some("M"));
    assert_eq!(fx.item_view(z).estimate, None, "unsized stays unestimated");
    assert_eq!(fx.snap(o).sizing, None);
    fx.fail(a, place(x, Some("S")), ErrorCode::NoSizingBoard);

    // Closing changes nothing; a deleted item leaves the board.
    fx.ok(f, open(vec![x, y]));
    fx.ok(a, place(x, Some("XS")));
    fx.ok(a, Command::DeleteItem { item_id: y });
    assert_eq!(fx.snap(o).sizing.unwrap().placements.len(), 1);
    fx.ok(f, Command::CloseSizingBoard);
    assert_eq!(fx.item_view(x).estimate.as_deref(), Some("L"));
}
