//! Outgoing webhooks as the room knows them: which receivers the facilitator configured, and
//! which of a step's events each must be told of. Sending is the shell's (`crate::webhooks`):
//! the calls worked out here are queued in the same commit as the events that caused them.

use readyroom_protocol::limits::{MAX_WEBHOOK_URL_CHARS, MAX_WEBHOOKS};
use readyroom_protocol::{
    Event, EventFrame, ItemChange, ItemId, ItemStatus, ItemView, Timestamp, WebhookData,
    WebhookEvent, WebhookItem, WebhookView,
};
use serde::{Deserialize, Serialize};

use super::api::ApiOutcome;
use super::{CommandError, Ctx, Room, random_id_bytes, validate};

/// A webhook as the room keeps it. The secret is kept as it is, not as a digest: every
/// delivery is signed with it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Webhook {
    pub view: WebhookView,
    pub secret: SigningSecret,
}

/// A webhook's signing secret: shown in no `Debug` output (and so in no log line or panic).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SigningSecret(String);

impl SigningSecret {
    #[must_use]
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

/// One delivery a step calls for, before the shell gives it an id and a body.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookCall {
    pub webhook_id: uuid::Uuid,
    pub url: String,
    pub secret: SigningSecret,
    pub event: WebhookEvent,
    pub occurred_at: Timestamp,
    pub data: WebhookData,
}

impl Room {
    /// The room's webhooks, for the facilitator (checked by the shell).
    #[must_use]
    pub fn webhooks(&self) -> Vec<WebhookView> {
        self.webhooks.iter().map(|w| w.view.clone()).collect()
    }

    /// A ping to `id`, if the room has that webhook.
    #[must_use]
    pub fn ping(&self, id: uuid::Uuid, now: Timestamp) -> Option<WebhookCall> {
        let webhook = self.webhooks.iter().find(|w| w.view.id == id)?;
        Some(call(
            webhook,
            WebhookEvent::Ping,
            now,
            WebhookData::Ping { webhook_id: id },
        ))
    }

    pub(super) fn create_webhook(
        &mut self,
        ctx: &mut Ctx<'_>,
        url: &str,
        events: &[WebhookEvent],
        secret: &SigningSecret,
    ) -> Result<ApiOutcome, CommandError> {
        if self.webhooks.len() >= MAX_WEBHOOKS {
            return Err(CommandError::invalid(format!(
                "a room has at most {MAX_WEBHOOKS} webhooks; delete one first"
            )));
        }
        let url = validate::line("the webhook's URL", url, MAX_WEBHOOK_URL_CHARS)?;
        // In the order the settings list them, each once, whatever order they came in.
        let events: Vec<WebhookEvent> = WebhookEvent::SUBSCRIBABLE
            .into_iter()
            .filter(|event| events.contains(event))
            .collect();
        if events.is_empty() {
            return Err(CommandError::invalid(
                "choose at least one event: estimate.accepted, item.ready, session.ended or items.imported",
            ));
        }
        let view = WebhookView {
            id: uuid::Uuid::from_bytes(random_id_bytes(ctx.rng)),
            url,
            events,
            created_at: ctx.now,
        };
        self.webhooks.push(Webhook {
            view: view.clone(),
            secret: secret.clone(),
        });
        Ok(ApiOutcome::Webhook(view))
    }

    pub(super) fn delete_webhook(&mut self, id: uuid::Uuid) -> Result<ApiOutcome, CommandError> {
        let before = self.webhooks.len();
        self.webhooks.retain(|w| w.view.id != id);
        if self.webhooks.len() == before {
            return Err(CommandError::invalid("no webhook with that id"));
        }
        Ok(ApiOutcome::Revoked)
    }

    /// The deliveries `events` (one step's, just applied) call for.
    #[must_use]
    pub fn webhook_calls(&self, events: &[EventFrame]) -> Vec<WebhookCall> {
        if self.webhooks.is_empty() {
            return Vec::new();
        }
        let mut calls = Vec::new();
        for (event, at, data) in self.webhook_events(events) {
            for webhook in self
                .webhooks
                .iter()
                .filter(|w| w.view.events.contains(&event))
            {
                calls.push(call(webhook, event, at, data.clone()));
            }
        }
        calls
    }

    fn webhook_events(&self, events: &[EventFrame]) -> Vec<(WebhookEvent, Timestamp, WebhookData)> {
        // A sizing board sets its estimates with `item_updated` events before it says it was
        // accepted: those estimates are accepted ones, unlike an estimate typed into a field.
        let board_accepted = events
            .iter()
            .any(|frame| matches!(frame.event, Event::SizingClosed { accepted: true }));
        let mut found = Vec::new();
        for frame in events {
            let data = match &frame.event {
                Event::EstimateAccepted {
                    item_id,
                    estimate,
                    dimension,
                    ..
                } => self.webhook_item(*item_id).map(|item| {
                    (
                        WebhookEvent::EstimateAccepted,
                        WebhookData::EstimateAccepted {
                            item,
                            estimate: estimate.clone(),
                            dimension: *dimension,
                        },
                    )
                }),
                Event::ItemUpdated {
                    item_id,
                    change: ItemChange::Estimate(Some(estimate)),
                } if board_accepted => self.webhook_item(*item_id).map(|item| {
                    (
                        WebhookEvent::EstimateAccepted,
                        WebhookData::EstimateAccepted {
                            item,
                            estimate: estimate.clone(),
                            dimension: None,
                        },
                    )
                }),
                Event::ItemUpdated {
                    item_id,
                    change: ItemChange::Status(ItemStatus::Ready),
                } => self
                    .webhook_item(*item_id)
                    .map(|item| (WebhookEvent::ItemReady, WebhookData::ItemReady { item })),
                Event::SessionChanged { session: None } => self.ended_session(frame.at),
                Event::ItemsImported {
                    tracker,
                    created,
                    updated,
                } => Some((
                    WebhookEvent::ItemsImported,
                    WebhookData::ItemsImported {
                        tracker: *tracker,
                        created: created.clone(),
                        updated: updated.clone(),
                    },
                )),
                _ => None,
            };
            if let Some((event, data)) = data {
                found.push((event, frame.at, data));
            }
        }
        found
    }

    fn ended_session(&self, ended_at: Timestamp) -> Option<(WebhookEvent, WebhookData)> {
        let session = self
            .focus
            .sessions()
            .into_iter()
            .rev()
            .find(|s| s.ended_at == Some(ended_at))?;
        let during = |at: Timestamp| at >= session.started_at && at <= ended_at;
        let estimated = self
            .order
            .ids()
            .filter_map(|id| self.order.get(id))
            .filter(|item| {
                item.history
                    .iter()
                    .any(|round| round.accepted.is_some() && during(round.revealed_at))
            })
            .map(item_for_receiver)
            .collect();
        Some((
            WebhookEvent::SessionEnded,
            WebhookData::SessionEnded {
                started_at: session.started_at,
                ended_at,
                estimated,
            },
        ))
    }

    fn webhook_item(&self, id: ItemId) -> Option<WebhookItem> {
        self.order.get(id).map(item_for_receiver)
    }
}

fn item_for_receiver(item: &ItemView) -> WebhookItem {
    WebhookItem {
        id: item.id,
        title: item.title.clone(),
        estimate: item.estimate.clone(),
        status: item.status,
        external: item.external.clone(),
    }
}

fn call(webhook: &Webhook, event: WebhookEvent, at: Timestamp, data: WebhookData) -> WebhookCall {
    WebhookCall {
        webhook_id: webhook.view.id,
        url: webhook.view.url.clone(),
        secret: webhook.secret.clone(),
        event,
        occurred_at: at,
        data,
    }
}
