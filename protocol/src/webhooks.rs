//! Outgoing webhooks: what a facilitator configures, what a receiver is sent, and the log of
//! deliveries the facilitator sees.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, RoomId, Timestamp};
use crate::room::{ExternalRef, ItemStatus, Tracker, WsjfDimension};

/// What happened in the room that a webhook can be told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum WebhookEvent {
    /// A round's result (live, pre-vote or sizing board) became an item's estimate.
    #[serde(rename = "estimate.accepted")]
    EstimateAccepted,
    /// An item's status became `ready`.
    #[serde(rename = "item.ready")]
    ItemReady,
    /// The facilitator ended the refinement session.
    #[serde(rename = "session.ended")]
    SessionEnded,
    /// A tracker's CSV file created or updated items.
    #[serde(rename = "items.imported")]
    ItemsImported,
    /// Sent on request from the webhook's settings, to check the receiver.
    #[serde(rename = "ping")]
    Ping,
}

impl WebhookEvent {
    /// The events a webhook may subscribe to (a ping goes to whichever webhook asks for it).
    pub const SUBSCRIBABLE: [Self; 4] = [
        Self::EstimateAccepted,
        Self::ItemReady,
        Self::SessionEnded,
        Self::ItemsImported,
    ];

    /// The name on the wire and in the `ReadyRoom-Event` header.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::EstimateAccepted => "estimate.accepted",
            Self::ItemReady => "item.ready",
            Self::SessionEnded => "session.ended",
            Self::ItemsImported => "items.imported",
            Self::Ping => "ping",
        }
    }
}

/// A webhook as listed: never its secret, which is shown once, when it is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookView {
    pub id: uuid::Uuid,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: Timestamp,
}

/// `POST /api/rooms/{room_id}/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewWebhook {
    /// `http` or `https`; where the server may not send (a private address, unless the
    /// operator allows those) is refused.
    pub url: String,
    /// At least one of the subscribable events.
    pub events: Vec<WebhookEvent>,
}

/// A new webhook, as answered to the facilitator who created it: the only time `secret` is
/// seen. Receivers check each request's `ReadyRoom-Signature` with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub view: WebhookView,
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt (`next_attempt_at`).
    Pending,
    /// The receiver answered with a 2xx status.
    Delivered,
    /// Every attempt failed, or the room's queue was full; it will not be sent again unless
    /// retried by hand.
    Failed,
}

/// One delivery in a webhook's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryView {
    /// Also the payload's `id` and the `ReadyRoom-Delivery` header: receivers use it to
    /// ignore a delivery they have already handled (a delivery may arrive twice).
    pub id: uuid::Uuid,
    pub webhook_id: uuid::Uuid,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    pub created_at: Timestamp,
    /// Attempts made so far.
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<Timestamp>,
    /// The HTTP status of the last answer, if one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// Why the last attempt failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/rooms/{room_id}/webhooks`: each webhook with its latest deliveries, the last attempted (or queued) first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookWithLog {
    #[serde(flatten)]
    pub view: WebhookView,
    pub deliveries: Vec<DeliveryView>,
}

/// The JSON body POSTed to a receiver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookPayload {
    /// The delivery's id (see [`DeliveryView::id`]).
    pub id: uuid::Uuid,
    pub event: WebhookEvent,
    pub room_id: RoomId,
    /// When it happened in the room (retries keep it).
    pub occurred_at: Timestamp,
    pub data: WebhookData,
}

/// What each event carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum WebhookData {
    EstimateAccepted {
        item: WebhookItem,
        estimate: String,
        /// Set when the round sized one part of the item's WSJF score.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dimension: Option<WsjfDimension>,
    },
    ItemReady {
        item: WebhookItem,
    },
    SessionEnded {
        started_at: Timestamp,
        ended_at: Timestamp,
        /// Items whose estimate was accepted during the session, in backlog order.
        estimated: Vec<WebhookItem>,
    },
    ItemsImported {
        tracker: Tracker,
        created: Vec<ItemId>,
        updated: Vec<ItemId>,
    },
    Ping {
        webhook_id: uuid::Uuid,
    },
}

/// An item as a receiver needs it to update its tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookItem {
    pub id: ItemId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    pub status: ItemStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalRef>,
}
