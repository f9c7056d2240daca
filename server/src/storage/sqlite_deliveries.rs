//! The webhook queue in SQLite (table `webhook_deliveries`, see `schema`).

use readyroom_protocol::limits::DELIVERY_LOG_LENGTH;
use readyroom_protocol::{DeliveryView, RoomId, Timestamp, WebhookEvent};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StorageError;
use super::deliveries::{
    Attempt, FAILED, NewDelivery, OutboxChange, PENDING, QueuedDelivery, after_attempt, queued_as,
    status_named,
};
use super::sqlite::{as_sql, from_sql};
use crate::room::webhooks::SigningSecret;

fn parse_event(name: &str) -> rusqlite::Result<WebhookEvent> {
    super::deliveries::parse_event(name).map_err(decode_error)
}

fn parse_uuid(text: &str) -> rusqlite::Result<uuid::Uuid> {
    super::deliveries::parse_uuid(text).map_err(decode_error)
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
            OutboxChange::Retry {
                webhook_id,
                delivery_id,
                now,
            } => {
                conn.execute(
                    "UPDATE webhook_deliveries SET status = ?4, attempts = 0, next_attempt_at = ?5,
                     response_status = NULL, error = NULL
                     WHERE room_id = ?1 AND webhook_id = ?2 AND id = ?3 AND status = ?6",
                    params![
                        room_id,
                        webhook_id.to_string(),
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
    let (status, next, error) = queued_as(
        usize::try_from(waiting).unwrap_or(usize::MAX),
        delivery.created_at,
    );
    let full = error.is_some();
    // Ignored if queued already: the input log may hand a batch's queue changes over again
    // after a crash (see `SqliteBackend::open`).
    conn.prepare_cached(
        "INSERT OR IGNORE INTO webhook_deliveries (id, room_id, webhook_id, event, url, secret, body,
         status, created_at, attempts, next_attempt_at, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)",
    )?
    .execute(params![
        delivery.id.to_string(),
        room_id,
        delivery.webhook_id.to_string(),
        delivery.event.name(),
        delivery.url,
        delivery.secret.expose(),
        delivery.body,
        status,
        as_sql(delivery.created_at),
        next.map(as_sql),
        error,
    ])?;
    if full {
        trim(conn, room_id, &delivery.webhook_id.to_string())?;
    }
    Ok(())
}

/// Keeps a webhook's latest finished deliveries, as many as its log shows: latest by when
/// they finished, so that one failing for good after hours of retries is seen.
fn trim(conn: &Connection, room_id: &str, webhook_id: &str) -> Result<(), StorageError> {
    conn.prepare_cached(
        "DELETE FROM webhook_deliveries
         WHERE room_id = ?1 AND webhook_id = ?2 AND status != 'pending'
           AND rowid NOT IN (
             SELECT rowid FROM webhook_deliveries
             WHERE room_id = ?1 AND webhook_id = ?2 AND status != 'pending'
             ORDER BY coalesce(last_attempt_at, created_at) DESC, rowid DESC LIMIT ?3)",
    )?
    .execute(params![
        room_id,
        webhook_id,
        as_sql(u64::try_from(DELIVERY_LOG_LENGTH).unwrap_or(u64::MAX))
    ])?;
    Ok(())
}

/// Records an attempt inside the caller's transaction, and trims the webhook's log of
/// finished deliveries to its length.
pub fn record(conn: &Connection, attempt: &Attempt) -> Result<(), StorageError> {
    let id = attempt.delivery_id.to_string();
    let (status, next) = after_attempt(attempt.next);
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
        next.map(as_sql),
        as_sql(attempt.at),
        attempt.response_status,
        attempt.error,
    ])?;
    if status != PENDING {
        let owner: Option<(String, String)> = conn
            .prepare_cached("SELECT room_id, webhook_id FROM webhook_deliveries WHERE id = ?1")?
            .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        if let Some((room_id, webhook_id)) = owner {
            trim(conn, &room_id, &webhook_id)?;
        }
    }
    Ok(())
}

/// Deliveries due by `now`, oldest first, at most `per_room` of any one room (so that one
/// room's backlog cannot hide the others').
pub fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    per_room: usize,
) -> Result<Vec<QueuedDelivery>, StorageError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, event, url, secret, body, attempts, room_id FROM (
           SELECT *, row_number() OVER (PARTITION BY room_id ORDER BY next_attempt_at) AS place
           FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?1)
         WHERE place <= ?3 ORDER BY next_attempt_at LIMIT ?2",
    )?;
    let rows = statement.query_map(
        params![
            as_sql(now),
            as_sql(u64::try_from(limit).unwrap_or(u64::MAX)),
            as_sql(u64::try_from(per_room).unwrap_or(u64::MAX))
        ],
        |row| {
            Ok(QueuedDelivery {
                id: parse_uuid(&row.get::<_, String>(0)?)?,
                event: parse_event(&row.get::<_, String>(1)?)?,
                url: row.get(2)?,
                secret: SigningSecret::new(row.get(3)?),
                body: row.get(4)?,
                attempts: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(u32::MAX),
                room: row
                    .get::<_, String>(6)?
                    .parse()
                    .map_err(|_| decode_error("bad room id".to_owned()))?,
            })
        },
    )?;
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

/// A webhook's latest deliveries: the last attempted (or queued) first.
pub fn log(
    conn: &Connection,
    room: RoomId,
    webhook_id: uuid::Uuid,
) -> Result<Vec<DeliveryView>, StorageError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, webhook_id, event, status, created_at, attempts, next_attempt_at,
                last_attempt_at, response_status, error
         FROM webhook_deliveries WHERE room_id = ?1 AND webhook_id = ?2
         ORDER BY coalesce(last_attempt_at, created_at) DESC, rowid DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![
            room.to_string(),
            webhook_id.to_string(),
            as_sql(u64::try_from(DELIVERY_LOG_LENGTH).unwrap_or(u64::MAX))
        ],
        view,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn view(row: &Row<'_>) -> rusqlite::Result<DeliveryView> {
    let status = status_named(&row.get::<_, String>(3)?);
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

#[cfg(test)]
mod tests {
    use readyroom_protocol::limits::MAX_PENDING_DELIVERIES;
    use readyroom_protocol::{DeliveryStatus, RoomId, WebhookEvent};

    use super::*;
    use crate::storage::{AfterAttempt, Backend, SqliteBackend, Write};

    fn delivery(webhook_id: uuid::Uuid, created_at: u64) -> NewDelivery {
        NewDelivery {
            id: uuid::Uuid::new_v4(),
            webhook_id,
            event: WebhookEvent::ItemReady,
            url: "https://hooks.example.com/".into(),
            secret: SigningSecret::new("whsec_test".into()),
            body: "{}".into(),
            created_at,
        }
    }

    fn enqueue(backend: &mut SqliteBackend, room: RoomId, deliveries: Vec<NewDelivery>) {
        let changes = deliveries.into_iter().map(OutboxChange::Enqueue).collect();
        backend.commit(&[Write::Outbox { room, changes }]).unwrap();
    }

    /// A crash after the log's sync but before the database's commit leaves a batch's
    /// queued deliveries only in the log: they are queued when the server starts again, once.
    #[test]
    fn deliveries_only_the_log_kept_through_a_crash_are_queued_on_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readyroom.sqlite3");
        let mut backend = SqliteBackend::open(&path, true).unwrap();
        let room = RoomId::from_random_bytes([9; 16]);
        backend
            .commit(&[Write::CreateRoom {
                room,
                epoch: "e".into(),
                snapshot: "{}".into(),
                now: 1,
            }])
            .unwrap();
        let append = |n: u64, deliveries: Vec<NewDelivery>| Write::Append {
            room,
            inputs: vec![crate::storage::LoggedInput {
                n,
                input: "{}".into(),
                events: "[]".into(),
            }],
            now: 1,
            outbox: deliveries.into_iter().map(OutboxChange::Enqueue).collect(),
        };
        let hook = uuid::Uuid::new_v4();
        let stored = delivery(hook, 5);
        backend.commit(&[append(1, vec![stored.clone()])]).unwrap();
        let lost = delivery(hook, 6);
        backend.append_to_log_only(&[append(2, vec![lost.clone()])]);
        drop(backend);

        for _ in 0..2 {
            let mut backend = SqliteBackend::open(&path, true).unwrap();
            let due: Vec<uuid::Uuid> = backend
                .due_deliveries(100, 10, 10)
                .unwrap()
                .iter()
                .map(|d| d.id)
                .collect();
            assert_eq!(due, [stored.id, lost.id], "each queued once");
            assert_eq!(backend.load(room, 10).unwrap().unwrap().tail.len(), 2);
        }
    }

    #[test]
    fn one_rooms_backlog_does_not_hide_another_rooms_due_deliveries() {
        let dir = tempfile::tempdir().unwrap();
        let mut backend = SqliteBackend::open(&dir.path().join("db"), false).unwrap();
        let (busy, quiet) = (
            RoomId::from_random_bytes([1; 16]),
            RoomId::from_random_bytes([2; 16]),
        );
        let hook = uuid::Uuid::new_v4();
        enqueue(
            &mut backend,
            busy,
            (1..=20).map(|at| delivery(hook, at)).collect(),
        );
        enqueue(
            &mut backend,
            quiet,
            vec![delivery(uuid::Uuid::new_v4(), 100)],
        );
        let due = backend.due_deliveries(1_000, 10, 2).unwrap();
        let rooms: Vec<RoomId> = due.iter().map(|d| d.room).collect();
        assert_eq!(
            rooms,
            [busy, busy, quiet],
            "oldest first, two of the busy room at most"
        );
        assert!(
            backend.due_deliveries(10, 10, 20).unwrap().len() == 10,
            "only what is due"
        );
    }

    #[test]
    fn a_webhooks_log_keeps_its_latest_finished_deliveries_even_when_the_queue_is_full() {
        let dir = tempfile::tempdir().unwrap();
        let mut backend = SqliteBackend::open(&dir.path().join("db"), false).unwrap();
        let room = RoomId::from_random_bytes([3; 16]);
        let hook = uuid::Uuid::new_v4();
        let waiting: Vec<NewDelivery> = (0..MAX_PENDING_DELIVERIES as u64)
            .map(|at| delivery(hook, at))
            .collect();
        let first = waiting[0].id;
        enqueue(&mut backend, room, waiting);
        // Refused for a full queue: recorded as failed, and the log stays within its length.
        enqueue(
            &mut backend,
            room,
            (0..DELIVERY_LOG_LENGTH as u64 + 10)
                .map(|at| delivery(hook, 5_000 + at))
                .collect(),
        );
        let log = backend.delivery_log(room, hook).unwrap();
        assert_eq!(log.len(), DELIVERY_LOG_LENGTH);
        let failed = log
            .iter()
            .filter(|d| d.status == DeliveryStatus::Failed)
            .count();
        assert_eq!(
            failed, DELIVERY_LOG_LENGTH,
            "the newest entries are the refusals"
        );
        // A failed attempt that gives up joins the finished ones, which are trimmed again.
        backend
            .commit(&[Write::Attempted(Attempt {
                delivery_id: first,
                at: 9_000,
                response_status: Some(500),
                error: Some("the receiver answered 500".into()),
                next: AfterAttempt::GiveUp,
            })])
            .unwrap();
        let finished: usize = backend
            .delivery_log(room, hook)
            .unwrap()
            .iter()
            .filter(|d| d.status != DeliveryStatus::Pending)
            .count();
        assert!(finished <= DELIVERY_LOG_LENGTH);
        // Retried by hand: pending again, from its first attempt, its old error gone.
        backend
            .commit(&[Write::Outbox {
                room,
                changes: vec![OutboxChange::Retry {
                    webhook_id: hook,
                    delivery_id: first,
                    now: 9_500,
                }],
            }])
            .unwrap();
        let due = backend.due_deliveries(9_500, 2_000, 2_000).unwrap();
        assert!(due.iter().any(|d| d.id == first && d.attempts == 0));
    }
}
