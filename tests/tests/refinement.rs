//! A whole refinement meeting, as three people would run it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{
    Command, DeckChoice, DeckKind, ErrorCode, Event, ItemChange, ItemStatus, NewItem, RemarkKind,
    Role, RoundPhase, SplitPart, Wsjf, WsjfDimension,
};
use readyroom_tests::{TestServer, new_item};

#[tokio::test]
async fn three_people_refine_a_backlog() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, welcome) = server.join_facilitator(&room, "Ana").await;
    assert_eq!(welcome.room.facilitator, Some(welcome.you));
    assert_eq!(welcome.room.settings.name, "Sprint 42 refinement");
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    assert_eq!(ben_welcome.room.participants.len(), 2);
    let (mut cy, _) = server.join(&room, "Cy", Role::Voter).await;
    // Ana sees both arrive.
    let joined = ana.events_until(ben_welcome.room.seq + 1).await;
    assert!(
        matches!(&joined[0].event, Event::ParticipantJoined { participant } if participant.name == "Ben")
    );
    assert!(
        matches!(&joined[1].event, Event::ParticipantJoined { participant } if participant.name == "Cy")
    );
    let seq_cy_joined = joined[1].seq;
    ben.events_until(seq_cy_joined).await;

    // Ana and Ben fill the backlog.
    let login = ana.request(new_item("Log in with SSO")).await;
    login.acked();
    let Event::ItemCreated { item } = &login.events[0].event else {
        panic!("{:?}", login.events)
    };
    let login_id = item.id;
    let export = ben
        .request(Command::CreateItem(NewItem {
            title: "Export CSV".into(),
            labels: vec!["reporting".into()],
            ..NewItem::default()
        }))
        .await;
    let Event::ItemCreated { item } = &export.events.last().unwrap().event else {
        panic!()
    };
    let export_id = item.id;
    let last = export.acked().unwrap();
    for client in [&mut ana, &mut cy] {
        let events = client.events_until(last).await;
        assert!(events.iter().any(
            |e| matches!(&e.event, Event::ItemCreated { item } if item.title == "Export CSV")
        ));
    }

    // Cy writes the description while Ben sets the status: both survive.
    let description = cy
        .request(Command::UpdateItem {
            item_id: login_id,
            change: ItemChange::Description("As a user I log in with my company account.".into()),
        })
        .await
        .acked()
        .unwrap();
    let status = ben
        .request(Command::UpdateItem {
            item_id: login_id,
            change: ItemChange::Status(ItemStatus::NeedsInfo),
        })
        .await
        .acked()
        .unwrap();
    // Export goes to the top.
    let moved = ana
        .request(Command::MoveItem {
            item_id: export_id,
            after: None,
            before: Some(login_id),
        })
        .await
        .acked()
        .unwrap();
    assert!(moved > description.max(status));

    // Estimate the login item.
    let started = ana.request_round(login_id).await;
    let round = started
        .events
        .iter()
        .find_map(|e| match &e.event {
            Event::RoundStarted { round } => Some(round.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(round.deck.kind, DeckKind::Fibonacci);
    assert_eq!(round.number, 1);
    let round_seq = started.acked().unwrap();
    ben.events_until(round_seq).await;
    cy.events_until(round_seq).await;

    ana.vote(round.id, "3").await;
    ben.vote(round.id, "8").await;
    let last_vote = cy.vote(round.id, "3").await.unwrap();
    let revealed = ana.request(Command::Reveal { round_id: round.id }).await;
    let Event::RoundRevealed { record, auto, .. } = &revealed.events.last().unwrap().event else {
        panic!("{:?}", revealed.events)
    };
    assert!(!auto);
    assert_eq!(record.votes.len(), 3);
    assert_eq!(record.stats.mode.as_deref(), Some("3"));
    assert_eq!(record.stats.average, Some(4.67));
    assert_eq!(record.stats.median, Some(3.0));
    let outliers = record.stats.outliers.as_ref().unwrap();
    assert_eq!(outliers.high, vec![ben.you.unwrap()]);
    let reveal_seq = revealed.acked().unwrap();
    for client in [&mut ben, &mut cy] {
        let events = client.events_until(reveal_seq).await;
        assert!(
            events
                .iter()
                .any(|e| e.seq > last_vote && matches!(&e.event, Event::RoundRevealed { .. }))
        );
    }

    // Not agreed: re-vote, then accept.
    let revote = ana.request(Command::Revote { round_id: round.id }).await;
    let Event::RoundStarted { round: second } = &revote.events[0].event else {
        panic!()
    };
    assert_eq!(second.number, 2);
    assert_ne!(second.id, round.id);
    // A vote for the old round is stale now.
    ben.events_until(revote.acked().unwrap()).await;
    ben.request(Command::Vote {
        round_id: round.id,
        card: "5".into(),
        confidence: None,
    })
    .await
    .refused(ErrorCode::StaleRound);
    ben.vote(second.id, "5").await;
    ana.vote(second.id, "5").await;
    cy.vote(second.id, "5").await;
    let revealed = ana
        .request(Command::Reveal {
            round_id: second.id,
        })
        .await;
    let Event::RoundRevealed { record, .. } = &revealed.events.last().unwrap().event else {
        panic!()
    };
    assert!(record.stats.consensus);
    let accepted = ana
        .request(Command::AcceptEstimate {
            round_id: second.id,
            estimate: "5".into(),
        })
        .await;
    let accepted_seq = accepted.acked().unwrap();

    // Everyone who joins now sees the result.
    let (_dee, welcome) = server.join(&room, "Dee", Role::Observer).await;
    assert!(welcome.room.seq >= accepted_seq);
    assert!(welcome.room.round.is_none());
    let titles: Vec<&str> = welcome
        .room
        .items
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(titles, ["Export CSV", "Log in with SSO"]);
    let login = &welcome.room.items[1];
    assert_eq!(login.estimate.as_deref(), Some("5"));
    assert_eq!(login.status, ItemStatus::NeedsInfo);
    assert_eq!(
        login.description,
        "As a user I log in with my company account."
    );
    assert_eq!(login.history.len(), 2);
    assert_eq!(login.history[1].accepted.as_deref(), Some("5"));
    assert_eq!(welcome.room.current_item, Some(login_id));
    assert_eq!(welcome.room.participants.len(), 4);
}

#[tokio::test]
async fn auto_reveal_fires_when_every_online_voter_has_voted() {
    let server = TestServer::start().await;
    let room = server
        .create_room_with(serde_json::json!({
            "name": "Auto",
            "auto_reveal": true,
            "default_deck": { "kind": "t_shirt", "coffee": false }
        }))
        .await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let (mut obs, _) = server.join(&room, "Olga", Role::Observer).await;
    let (ghost, _) = server.join(&room, "Gus", Role::Voter).await;
    let item = ana.create_item("Search").await;
    let started = ana.request_round(item.id).await;
    let round = started.started_round();
    assert_eq!(round.deck.cards, ["XS", "S", "M", "L", "XL", "XXL", "?"]);
    ben.events_until(started.acked().unwrap()).await;

    ana.vote(round.id, "M").await;
    let vote = ben
        .request(Command::Vote {
            round_id: round.id,
            card: "L".into(),
            confidence: None,
        })
        .await;
    // Gus is online and has not voted, so nothing is revealed yet.
    assert!(
        vote.events
            .iter()
            .all(|e| !matches!(e.event, Event::RoundRevealed { .. }))
    );
    // Gus's connection drops: the last online voter has voted, so the round reveals.
    ghost.vanish();
    let revealed = obs
        .event_where(|e| matches!(e.event, Event::RoundRevealed { .. }))
        .await;
    let Event::RoundRevealed { record, auto, .. } = revealed.event else {
        unreachable!()
    };
    assert!(auto);
    assert_eq!(revealed.actor, None);
    assert_eq!(record.stats.average, None, "t-shirt sizes have no average");
    assert_eq!(record.votes.len(), 2);

    let (_late, welcome) = server.join(&room, "Lia", Role::Voter).await;
    assert_eq!(welcome.room.round.unwrap().phase, RoundPhase::Revealed);
}

#[tokio::test]
async fn custom_decks_and_facilitator_handover() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Audit log").await;
    let deck = DeckChoice {
        kind: DeckKind::Custom,
        cards: vec!["1".into(), "3".into(), "9".into()],
        unsure: true,
        coffee: false,
    };
    let round = ana
        .request(Command::StartRound {
            item_id: item.id,
            deck: Some(deck),
            dimension: None,
            timebox_seconds: None,
        })
        .await
        .started_round();
    assert_eq!(round.deck.cards, ["1", "3", "9", "?"]);

    // Ana hands over to Ben, who can now reveal; Ana no longer can.
    let handed = ana
        .request(Command::HandOverFacilitator {
            participant_id: ben_welcome.you,
        })
        .await;
    ben.events_until(handed.acked().unwrap()).await;
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .refused(ErrorCode::Forbidden);
    ben.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    // Ana takes the role back with the token.
    let claimed = ana
        .request(Command::ClaimFacilitator {
            facilitator_token: room.facilitator_token.clone(),
        })
        .await;
    assert!(claimed.events.iter().any(|e| matches!(e.event, Event::FacilitatorChanged { participant_id } if participant_id == ana.you)));
    ana.request(Command::AcceptEstimate {
        round_id: round.id,
        estimate: "4".into(),
    })
    .await
    .acked();
}

#[tokio::test]
async fn a_dependency_cycle_is_refused_and_the_room_carries_on() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let api = ana.create_item("API").await;
    let app = ana.create_item("App").await;
    let depend = |item, on| Command::UpdateItem {
        item_id: item,
        change: ItemChange::Dependencies(vec![on]),
    };
    ana.request(depend(app.id, api.id)).await.acked();
    let refused = ana.request(depend(api.id, app.id)).await;
    refused.refused(ErrorCode::DependencyCycle);
    assert!(refused.events.is_empty());
    let readyroom_protocol::ServerMessage::Error { message, .. } = &refused.reply else {
        unreachable!("refused() checked it")
    };
    assert!(message.contains("“API” → “App” → “API”"), "{message}");
    // The connection and the room carry on.
    ana.request(new_item("Next")).await.acked();
}

#[tokio::test]
async fn an_item_split_in_one_step_reaches_everyone_and_stays_for_reference() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let (mut olga, _) = server.join(&room, "Olga", Role::Observer).await;
    let checkout = ana.create_item("Checkout").await;
    let last = ana.create_item("Last").await;
    let split = |parts: Vec<SplitPart>| Command::SplitItem {
        item_id: checkout.id,
        parts,
    };
    let part = |title: &str, criteria: &str| SplitPart {
        title: title.into(),
        description: String::new(),
        acceptance_criteria: criteria.into(),
    };
    olga.request(split(vec![part("a", ""), part("b", "")]))
        .await
        .refused(ErrorCode::Forbidden);
    ben.request(split(vec![part("alone", "")]))
        .await
        .refused(ErrorCode::InvalidValue);
    let done = ben
        .request(split(vec![
            part("Pay by card", "- Visa accepted"),
            part("Pay by invoice", "- PDF invoice sent"),
        ]))
        .await;
    let seq = done.acked().unwrap();
    let parts = done.find(|event| match event {
        Event::ItemSplit { item_id, parts } if *item_id == checkout.id => Some(parts.clone()),
        _ => None,
    });
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].acceptance_criteria, "- PDF invoice sent");
    let seen = ana.events_until(seq).await;
    assert!(
        seen.iter()
            .any(|frame| matches!(&frame.event, Event::ItemSplit { parts: p, .. } if *p == parts))
    );
    let (_dee, welcome) = server.join(&room, "Dee", Role::Voter).await;
    let order: Vec<_> = welcome.room.items.iter().map(|item| item.id).collect();
    assert_eq!(order, [checkout.id, parts[0].id, parts[1].id, last.id]);
    let original = &welcome.room.items[0];
    assert_eq!(original.split_into, [parts[0].id, parts[1].id]);
    assert_eq!(welcome.room.items[1].split_from, Some(checkout.id));
    // Split items are estimated through their parts.
    ana.request(Command::StartRound {
        item_id: checkout.id,
        deck: None,
        dimension: None,
        timebox_seconds: None,
    })
    .await
    .refused(ErrorCode::InvalidValue);
    ana.request_round(parts[0].id).await.acked();
}

#[tokio::test]
async fn the_checklist_makes_an_item_ready_for_everyone() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, welcome) = server.join_facilitator(&room, "Ana").await;
    assert_eq!(welcome.room.settings.definition_of_ready.len(), 6);
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Search").await;
    let update = |change| Command::UpdateItem {
        item_id: item.id,
        change,
    };
    ben.request(update(ItemChange::AcceptanceCriteria(
        "- finds by title".into(),
    )))
    .await
    .acked();
    // An estimate by hand is the facilitator's.
    ben.request(update(ItemChange::Estimate(Some("3".into()))))
        .await
        .refused(ErrorCode::Forbidden);
    ana.request(update(ItemChange::Estimate(Some("3".into()))))
        .await
        .acked();
    ben.request(update(ItemChange::Status(ItemStatus::Ready)))
        .await
        .refused(ErrorCode::NotReady);
    let manual: Vec<u32> = welcome
        .room
        .settings
        .definition_of_ready
        .iter()
        .filter(|criterion| criterion.auto.is_none())
        .map(|criterion| criterion.id)
        .collect();
    ben.request(Command::CheckCriterion {
        item_id: item.id,
        criterion: manual[0],
        checked: true,
    })
    .await
    .acked();
    let last = ben
        .request(Command::CheckCriterion {
            item_id: item.id,
            criterion: manual[1],
            checked: true,
        })
        .await;
    assert!(last.events.iter().any(|frame| matches!(
        frame.event,
        Event::ItemUpdated {
            change: ItemChange::Status(ItemStatus::Ready),
            ..
        }
    )));
    ana.events_until(last.acked().unwrap()).await;
    // An override is the facilitator's, and everyone sees who made it.
    let other = ana.create_item("Spike").await;
    ben.request(Command::OverrideReady {
        item_id: other.id,
        ready: true,
    })
    .await
    .refused(ErrorCode::Forbidden);
    ana.request(Command::OverrideReady {
        item_id: other.id,
        ready: true,
    })
    .await
    .acked();
    let (_dee, late) = server.join(&room, "Dee", Role::Observer).await;
    let statuses: Vec<_> = late.room.items.iter().map(|i| i.status).collect();
    assert_eq!(statuses, [ItemStatus::Ready, ItemStatus::Ready]);
    assert_eq!(late.room.items[0].checked, manual);
    assert_eq!(
        late.room.items[1].ready_override.and_then(|o| o.by),
        Some(welcome.you)
    );
}

#[tokio::test]
async fn a_round_on_a_wsjf_part_sets_that_part_for_everyone() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Search").await;
    ben.request(Command::UpdateItem {
        item_id: item.id,
        change: ItemChange::Wsjf(Wsjf {
            job_size: Some(101),
            ..Wsjf::default()
        }),
    })
    .await
    .refused(ErrorCode::InvalidValue);
    let round = ana
        .request(Command::StartRound {
            item_id: item.id,
            deck: None,
            dimension: Some(WsjfDimension::TimeCriticality),
            timebox_seconds: None,
        })
        .await
        .started_round();
    assert_eq!(round.dimension, Some(WsjfDimension::TimeCriticality));
    ana.vote(round.id, "8").await;
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    let accepted = ana
        .request(Command::AcceptEstimate {
            round_id: round.id,
            estimate: "8".into(),
        })
        .await
        .acked()
        .unwrap();
    ben.events_until(accepted).await;
    let (_dee, late) = server.join(&room, "Dee", Role::Observer).await;
    assert_eq!(late.room.items[0].wsjf.time_criticality, Some(8));
    assert_eq!(late.room.items[0].estimate, None);
}

#[tokio::test]
async fn a_question_asked_in_the_meeting_holds_the_item_back_until_answered() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Export").await;
    let asked = ana
        .request(Command::AddRemark {
            item_id: item.id,
            kind: RemarkKind::Question,
            text: "Which columns?".into(),
            owner: Some(ben_welcome.you),
        })
        .await;
    let remark = asked.find(|event| match event {
        Event::RemarkAdded { remark, .. } => Some(remark.clone()),
        _ => None,
    });
    ben.events_until(asked.acked().unwrap()).await;
    ben.request(Command::AnswerQuestion {
        item_id: item.id,
        remark_id: remark.id,
        answer: Some(String::new()),
    })
    .await
    .refused(ErrorCode::InvalidValue);
    ben.request(Command::AnswerQuestion {
        item_id: item.id,
        remark_id: remark.id,
        answer: Some("Amount and date".into()),
    })
    .await
    .acked();
    let (_dee, late) = server.join(&room, "Dee", Role::Observer).await;
    let remarks = &late.room.items[0].remarks;
    assert_eq!(remarks.len(), 1);
    assert_eq!(remarks[0].answer.as_deref(), Some("Amount and date"));
    assert_eq!(remarks[0].owner, Some(ben_welcome.you));
}

#[tokio::test]
async fn a_session_and_an_item_budget_reach_everyone_and_late_joiners() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let first = ana.create_item("Sign-up").await;
    let second = ana.create_item("Checkout").await;
    ben.request(Command::StartSession)
        .await
        .refused(ErrorCode::Forbidden);
    let started = ana.request(Command::StartSession).await;
    let session = started.find(|event| match event {
        Event::SessionChanged { session } => *session,
        _ => None,
    });
    let budget = ana
        .request(Command::StartRound {
            item_id: first.id,
            deck: None,
            dimension: None,
            timebox_seconds: Some(600),
        })
        .await;
    let timer = budget.find(|event| match event {
        Event::TimerChanged { timer } => *timer,
        _ => None,
    });
    assert_eq!(timer.item_id, Some(first.id));
    assert_eq!(timer.ends_at - timer.started_at, 600_000);
    let seen = ben.events_until(budget.acked().unwrap()).await;
    assert!(
        seen.iter()
            .any(|f| f.event == Event::TimerChanged { timer: Some(timer) })
    );

    let (_dee, late) = server.join(&room, "Dee", Role::Observer).await;
    assert_eq!(late.room.session, Some(session));
    assert_eq!(late.room.timer, Some(timer));

    // Moving on ends the first item's budget for everyone.
    let round_id = late.room.round.map(|r| r.id).unwrap();
    ana.request(Command::CancelRound { round_id }).await.acked();
    let moved = ana
        .request(Command::SetCurrentItem {
            item_id: Some(second.id),
        })
        .await;
    let seen = ben.events_until(moved.acked().unwrap()).await;
    assert!(
        seen.iter()
            .any(|f| f.event == Event::TimerChanged { timer: None })
    );
    ana.request(Command::EndSession).await.acked();
    let (_eve, later) = server.join(&room, "Eve", Role::Observer).await;
    assert_eq!(later.room.session, None);
    assert_eq!(later.room.timer, None);
}
