//! The webhook queue in PostgreSQL (table `webhook_deliveries`, see `schema`): the same
//! queue, bound and log as `sqlite_deliveries`, in PostgreSQL's SQL.

use readyroom_protocol::limits::DELIVERY_LOG_LENGTH;
use readyroom_protocol::{DeliveryView, RoomId, Timestamp};
use tokio_postgres::{GenericClient, Row};

use super::{as_sql, from_sql};
use crate::room::webhooks::SigningSecret;
use crate::storage::StorageError;
use crate::storage::deliveries::{
    Attempt, FAILED, NewDelivery, OutboxChange, PENDING, QueuedDelivery, after_attempt,
    parse_event, parse_uuid, queued_as, status_named,
};

fn log_length() -> i64 {
    i64::try_from(DELIVERY_LOG_LENGTH).unwrap_or(i64::MAX)
}

/// Applies a room's queue changes inside the caller's transaction.
pub async fn apply(
    db: &impl GenericClient,
    room: RoomId,
    changes: &[OutboxChange],
) -> Result<(), StorageError> {
    let room_id = room.to_string();
    for change in changes {
        match change {
            OutboxChange::Enqueue(delivery) => enqueue(db, &room_id, delivery).await?,
            OutboxChange::Forget { webhook_id } => {
                db.execute(
                    "DELETE FROM webhook_deliveries WHERE room_id = $1 AND webhook_id = $2",
                    &[&room_id, &webhook_id.to_string()],
                )
                .await?;
            }
            OutboxChange::Retry {
                webhook_id,
                delivery_id,
                now,
            } => {
                db.execute(
                    "UPDATE webhook_deliveries SET status = $4, attempts = 0, next_attempt_at = $5,
                     response_status = NULL, error = NULL
                     WHERE room_id = $1 AND webhook_id = $2 AND id = $3 AND status = $6",
                    &[
                        &room_id,
                        &webhook_id.to_string(),
                        &delivery_id.to_string(),
                        &PENDING,
                        &as_sql(*now),
                        &FAILED,
                    ],
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn enqueue(
    db: &impl GenericClient,
    room_id: &str,
    delivery: &NewDelivery,
) -> Result<(), StorageError> {
    let waiting: i64 = db
        .query_one(
            "SELECT count(*) FROM webhook_deliveries WHERE room_id = $1 AND status = $2",
            &[&room_id, &PENDING],
        )
        .await?
        .get(0);
    let (status, next, error) = queued_as(
        usize::try_from(waiting).unwrap_or(usize::MAX),
        delivery.created_at,
    );
    let webhook_id = delivery.webhook_id.to_string();
    db.execute(
        "INSERT INTO webhook_deliveries (id, room_id, webhook_id, event, url, secret, body,
         status, created_at, attempts, next_attempt_at, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)
         ON CONFLICT (id) DO NOTHING",
        &[
            &delivery.id.to_string(),
            &room_id,
            &webhook_id,
            &delivery.event.name(),
            &delivery.url,
            &delivery.secret.expose(),
            &delivery.body,
            &status,
            &as_sql(delivery.created_at),
            &next.map(as_sql),
            &error,
        ],
    )
    .await?;
    if error.is_some() {
        trim(db, room_id, &webhook_id).await?;
    }
    Ok(())
}

/// Keeps a webhook's latest finished deliveries, as many as its log shows.
async fn trim(
    db: &impl GenericClient,
    room_id: &str,
    webhook_id: &str,
) -> Result<(), StorageError> {
    db.execute(
        "DELETE FROM webhook_deliveries
         WHERE room_id = $1 AND webhook_id = $2 AND status != 'pending'
           AND queued NOT IN (
             SELECT queued FROM webhook_deliveries
             WHERE room_id = $1 AND webhook_id = $2 AND status != 'pending'
             ORDER BY coalesce(last_attempt_at, created_at) DESC, queued DESC LIMIT $3)",
        &[&room_id, &webhook_id, &log_length()],
    )
    .await?;
    Ok(())
}

/// Records an attempt inside the caller's transaction; only a pending delivery takes it.
pub async fn record(db: &impl GenericClient, attempt: &Attempt) -> Result<(), StorageError> {
    let id = attempt.delivery_id.to_string();
    let (status, next) = after_attempt(attempt.next);
    let owner = db
        .query_opt(
            "UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1,
             next_attempt_at = $3, last_attempt_at = $4, response_status = $5, error = $6
             WHERE id = $1 AND status = 'pending'
             RETURNING room_id, webhook_id",
            &[
                &id,
                &status,
                &next.map(as_sql),
                &as_sql(attempt.at),
                &attempt.response_status.map(i32::from),
                &attempt.error,
            ],
        )
        .await?;
    if let Some(owner) = owner.filter(|_| status != PENDING) {
        let (room_id, webhook_id): (String, String) = (owner.get(0), owner.get(1));
        trim(db, &room_id, &webhook_id).await?;
    }
    Ok(())
}

/// Deliveries due by `now`, oldest first, at most `per_room` of any one room.
pub async fn due(
    db: &impl GenericClient,
    now: Timestamp,
    limit: usize,
    per_room: usize,
) -> Result<Vec<QueuedDelivery>, StorageError> {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let rows = db
        .query(
            "SELECT id, event, url, secret, body, attempts, room_id FROM (
               SELECT *, row_number() OVER (PARTITION BY room_id ORDER BY next_attempt_at) AS place
               FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS due
             WHERE place <= $3 ORDER BY next_attempt_at LIMIT $2",
            &[&as_sql(now), &count(limit), &count(per_room)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(QueuedDelivery {
                id: parse_uuid(row.get(0)).map_err(StorageError::Decode)?,
                event: parse_event(row.get(1)).map_err(StorageError::Decode)?,
                url: row.get(2),
                secret: SigningSecret::new(row.get(3)),
                body: row.get(4),
                attempts: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
                room: row
                    .get::<_, &str>(6)
                    .parse()
                    .map_err(|_| StorageError::Decode("bad room id".to_owned()))?,
            })
        })
        .collect()
}

/// When the next pending delivery is due, if any is.
pub async fn next_due(db: &impl GenericClient) -> Result<Option<Timestamp>, StorageError> {
    let next: Option<i64> = db
        .query_one(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'",
            &[],
        )
        .await?
        .get(0);
    Ok(next.map(from_sql))
}

/// A webhook's latest deliveries: the last attempted (or queued) first.
pub async fn log(
    db: &impl GenericClient,
    room: RoomId,
    webhook_id: uuid::Uuid,
) -> Result<Vec<DeliveryView>, StorageError> {
    let rows = db
        .query(
            "SELECT id, webhook_id, event, status, created_at, attempts, next_attempt_at,
                    last_attempt_at, response_status, error
             FROM webhook_deliveries WHERE room_id = $1 AND webhook_id = $2
             ORDER BY coalesce(last_attempt_at, created_at) DESC, queued DESC LIMIT $3",
            &[&room.to_string(), &webhook_id.to_string(), &log_length()],
        )
        .await?;
    rows.iter().map(view).collect()
}

fn view(row: &Row) -> Result<DeliveryView, StorageError> {
    Ok(DeliveryView {
        id: parse_uuid(row.get(0)).map_err(StorageError::Decode)?,
        webhook_id: parse_uuid(row.get(1)).map_err(StorageError::Decode)?,
        event: parse_event(row.get(2)).map_err(StorageError::Decode)?,
        status: status_named(row.get(3)),
        created_at: from_sql(row.get(4)),
        attempts: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
        next_attempt_at: row.get::<_, Option<i64>>(6).map(from_sql),
        last_attempt_at: row.get::<_, Option<i64>>(7).map(from_sql),
        response_status: row
            .get::<_, Option<i32>>(8)
            .and_then(|status| u16::try_from(status).ok()),
        error: row.get(9),
    })
}

/// Everything of a deleted room.
pub async fn forget_room(db: &impl GenericClient, room: RoomId) -> Result<(), StorageError> {
    db.execute(
        "DELETE FROM webhook_deliveries WHERE room_id = $1",
        &[&room.to_string()],
    )
    .await?;
    Ok(())
}
