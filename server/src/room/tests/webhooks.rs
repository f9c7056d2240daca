//! Which events a webhook is told of, worked out by the core.

use readyroom_protocol::{WebhookData, WebhookEvent};

use super::*;
use crate::room::api::{ApiChange, ApiOutcome};

fn add_webhook(fx: &mut Fx, events: &[WebhookEvent]) -> Result<uuid::Uuid, CommandError> {
    let change = ApiChange::CreateWebhook {
        url: " https://hooks.example.com/refined ".into(),
        events: events.to_vec(),
        secret: crate::room::webhooks::SigningSecret::new("whsec_test".into()),
    };
    let (result, events) = fx.room.apply_api(
        &mut Ctx {
            now: fx.now,
            rng: &mut fx.rng,
        },
        &change,
    );
    assert!(events.is_empty(), "configuring a webhook is not an event");
    result.map(|outcome| match outcome {
        ApiOutcome::Webhook(view) => view.id,
        other => panic!("{other:?}"),
    })
}

/// What the webhooks hear of `command`.
fn heard(fx: &mut Fx, actor: ParticipantId, command: Command) -> Vec<(WebhookEvent, String)> {
    let before = fx.log.len();
    fx.ok(actor, command);
    let frames = fx.log[before..].to_vec();
    fx.room
        .webhook_calls(&frames)
        .into_iter()
        .map(|call| {
            let estimate = match call.data {
                WebhookData::EstimateAccepted { estimate, .. } => estimate,
                _ => String::new(),
            };
            (call.event, estimate)
        })
        .collect()
}

#[test]
fn a_sizing_board_accepts_estimates_and_an_estimate_typed_by_hand_is_not_one() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "Export");
    let y = fx.add_item(a, "Import");
    let id = add_webhook(
        &mut fx,
        &[WebhookEvent::ItemReady, WebhookEvent::EstimateAccepted],
    )
    .unwrap();
    assert_eq!(
        fx.room.webhooks()[0].url,
        "https://hooks.example.com/refined"
    );
    assert_eq!(
        fx.room.webhooks()[0].events,
        [WebhookEvent::EstimateAccepted, WebhookEvent::ItemReady],
        "in the settings' order"
    );

    fx.ok(
        f,
        Command::OpenSizingBoard {
            item_ids: vec![x, y],
            deck: None,
        },
    );
    for (item_id, column) in [(x, "3"), (y, "8")] {
        let placed = heard(
            &mut fx,
            a,
            Command::PlaceOnBoard {
                item_id,
                column: Some(column.into()),
            },
        );
        assert!(placed.is_empty(), "placing a card accepts nothing");
    }
    assert_eq!(
        heard(&mut fx, f, Command::AcceptSizing),
        [
            (WebhookEvent::EstimateAccepted, "3".to_owned()),
            (WebhookEvent::EstimateAccepted, "8".to_owned())
        ]
    );
    let typed = heard(
        &mut fx,
        f,
        Command::UpdateItem {
            item_id: x,
            change: ItemChange::Estimate(Some("5".into())),
        },
    );
    assert!(typed.is_empty(), "{typed:?}");

    let ready = heard(
        &mut fx,
        f,
        Command::OverrideReady {
            item_id: x,
            ready: true,
        },
    );
    assert_eq!(ready, [(WebhookEvent::ItemReady, String::new())]);
    let call = fx.room.ping(id, NOW).unwrap();
    assert_eq!(
        (call.event, call.secret.expose()),
        (WebhookEvent::Ping, "whsec_test")
    );
}

#[test]
fn a_room_holds_five_webhooks_each_with_an_event_and_deletes_them_by_id() {
    let (mut fx, _) = team();
    assert!(add_webhook(&mut fx, &[]).is_err());
    assert!(
        add_webhook(&mut fx, &[WebhookEvent::Ping]).is_err(),
        "ping is not subscribable"
    );
    let ids: Vec<uuid::Uuid> = (0..5)
        .map(|_| add_webhook(&mut fx, &[WebhookEvent::SessionEnded]).unwrap())
        .collect();
    let refused = add_webhook(&mut fx, &[WebhookEvent::SessionEnded]).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidValue);
    assert!(fx.room.delete_webhook(ids[0]).is_ok());
    assert!(fx.room.delete_webhook(ids[0]).is_err());
    assert!(fx.room.ping(ids[0], NOW).is_none());
    assert_eq!(fx.room.webhooks().len(), 4);
    fx.room.check_invariants().unwrap();
}
