//! The webhook queue in SQLite (table `webhook_deliveries`, see `schema`).

use readyroom_protocol::limits::{DELIVERY_LOG_LENGTH, MAX_PENDING_DELIVERIES};
use readyroom_protocol::{DeliveryStatus, DeliveryView, RoomId, Timestamp, WebhookEvent};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StorageError;
use super::deliveries::{AfterAttempt, Attempt, NewDelivery, OutboxChange, QueuedDelivery};
use super::sqlite::{as_sql, from_sql};

const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";

fn parse_event(name: &str) -> rusqlite::Result<WebhookEvent> {
    WebhookEvent::SUBSCRIBABLE
        .into_iter()
        .chain([WebhookEvent::Ping])
        .find(|event| event.name() == name)
        .ok_or_else(|| decode_error(format!("unknown webhook event {name:?}")))
}

fn parse_uuid(text: &str) -> rusqlite::Result<uuid::Uuid> {
    text.parse()
        .map_err(|error| decode_error(format!("bad id {text:?}: {error}")))
}

fn decode_error(message: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(message.into())
}

/// Applies a room's queue changes inside the caller's transaction.
pub fn apply(
    conn: &Connection,
    room: RoomId,
    changes: &[OutboxChange],
) -> Result<(), StorageError> {
    let room_id = room.to_string();
    for change in changes {
        match change {
            OutboxChange::Enqueue(delivery) => enqueue(conn, &room_id, delivery)?,
            OutboxChange::Forget { webhook_id } => {
                conn.execute(
                    "DELETE FROM webhook_deliveries WHERE room_id = ?1 AND webhook_id = ?2",
                    params![room_id, webhook_id.to_string()],
                )?;
            }
            OutboxChange::Retry { delivery_id, now } => {
                conn.execute(
                    "UPDATE webhook_deliveries SET status = ?3, attempts = 0, next_attempt_at = ?4
                     WHERE room_id = ?1 AND id = ?2 AND status = ?5",
                    params![
                        room_id,
                        delivery_id.to_string(),
                        PENDING,
                        as_sql(*now),
                        FAILED
                    ],
                )?;
            }
        }
    }
    Ok(())
}

fn enqueue(conn: &Connection, room_id: &str, delivery: &NewDelivery) -> Result<(), StorageError> {
    let waiting: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM webhook_deliveries WHERE room_id = ?1 AND status = ?2",
        )?
        .query_row(params![room_id, PENDING], |row| row.get(0))?;
    // A receiver down for days must not let one room fill the disk: past the bound, new
    // deliveries are recorded (the log says so) but not sent.
    let full = usize::try_from(waiting).unwrap_or(usize::MAX) >= MAX_PENDING_DELIVERIES;
    let (status, next, error) = if full {
        (
            FAILED,
            None,
            Some(format!(
                "not sent: {MAX_PENDING_DELIVERIES} deliveries of this room were already waiting"
            )),
        )
    } else {
        (PENDING, Some(as_sql(delivery.created_at)), None)
    };
    conn.prepare_cached(
        "INSERT INTO webhook_deliveries (id, room_id, webhook_id, event, url, secret, body,
         status, created_at, attempts, next_attempt_at, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)",
    )?
    .execute(params![
        delivery.id.to_string(),
        room_id,
        delivery.webhook_id.to_string(),
        delivery.event.name(),
        delivery.url,
        delivery.secret,
        delivery.body,
        status,
        as_sql(delivery.created_at),
        next,
        error,
    ])?;
    Ok(())
}

/// Records an attempt inside the caller's transaction, and trims the webhook's log of
/// finished deliveries to its length.
pub fn record(conn: &Connection, attempt: &Attempt) -> Result<(), StorageError> {
    let id = attempt.delivery_id.to_string();
    let (status, next) = match attempt.next {
        AfterAttempt::Delivered => (DELIVERED, None),
        AfterAttempt::RetryAt(at) => (PENDING, Some(as_sql(at))),
        AfterAttempt::GiveUp => (FAILED, None),
    };
    // Only a pending delivery takes an attempt's result: one forgotten (its webhook deleted)
    // or retried by hand meanwhile stays as it is now.
    conn.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1, next_attempt_at = ?3,
         last_attempt_at = ?4, response_status = ?5, error = ?6
         WHERE id = ?1 AND status = 'pending'",
    )?
    .execute(params![
        id,
        status,
        next,
        as_sql(attempt.at),
        attempt.response_status,
        attempt.error,
    ])?;
    if status != PENDING {
        conn.prepare_cached(
            "DELETE FROM webhook_deliveries
             WHERE webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?1)
               AND status != 'pending'
               AND rowid NOT IN (
                 SELECT rowid FROM webhook_deliveries
                 WHERE webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?1)
                   AND status != 'pending'
                 ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
        )?
        .execute(params![id, as_sql(DELIVERY_LOG_LENGTH as u64)])?;
    }
    Ok(())
}

/// Deliveries due by `now`, oldest first.
pub fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<QueuedDelivery>, StorageError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, event, url, secret, body, attempts FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at LIMIT ?2",
    )?;
    let rows = statement.query_map(params![as_sql(now), as_sql(limit as u64)], |row| {
        Ok(QueuedDelivery {
            id: parse_uuid(&row.get::<_, String>(0)?)?,
            event: parse_event(&row.get::<_, String>(1)?)?,
            url: row.get(2)?,
            secret: row.get(3)?,
            body: row.get(4)?,
            attempts: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(u32::MAX),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the next pending delivery is due, if any is.
pub fn next_due(conn: &Connection) -> Result<Option<Timestamp>, StorageError> {
    let next: Option<i64> = conn
        .query_row(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'",
            [],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    Ok(next.map(from_sql))
}

/// A webhook's latest deliveries, newest first.
pub fn log(
    conn: &Connection,
    room: RoomId,
    webhook_id: uuid::Uuid,
) -> Result<Vec<DeliveryView>, StorageError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, webhook_id, event, status, created_at, attempts, next_attempt_at,
                last_attempt_at, response_status, error
         FROM webhook_deliveries WHERE room_id = ?1 AND webhook_id = ?2
         ORDER BY created_at DESC, rowid DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![
            room.to_string(),
            webhook_id.to_string(),
            as_sql(DELIVERY_LOG_LENGTH as u64)
        ],
        view,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn view(row: &Row<'_>) -> rusqlite::Result<DeliveryView> {
    let status = match row.get::<_, String>(3)?.as_str() {
        PENDING => DeliveryStatus::Pending,
        DELIVERED => DeliveryStatus::Delivered,
        _ => DeliveryStatus::Failed,
    };
    Ok(DeliveryView {
        id: parse_uuid(&row.get::<_, String>(0)?)?,
        webhook_id: parse_uuid(&row.get::<_, String>(1)?)?,
        event: parse_event(&row.get::<_, String>(2)?)?,
        status,
        created_at: from_sql(row.get(4)?),
        attempts: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(u32::MAX),
        next_attempt_at: row.get::<_, Option<i64>>(6)?.map(from_sql),
        last_attempt_at: row.get::<_, Option<i64>>(7)?.map(from_sql),
        response_status: row.get::<_, Option<u16>>(8)?,
        error: row.get(9)?,
    })
}

/// Everything of a deleted room.
pub fn forget_room(conn: &Connection, room: RoomId) -> Result<(), StorageError> {
    conn.execute(
        "DELETE FROM webhook_deliveries WHERE room_id = ?1",
        params![room.to_string()],
    )?;
    Ok(())
}
