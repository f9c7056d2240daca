//! The lease table's SQL, on a connection of its own (opened again if lost).

use readyroom_protocol::RoomId;
use tokio_postgres::Client;

use super::{ClusterConfig, Owner};
use crate::storage::{DatabaseUrl, StorageError, open_postgres_client};

#[derive(Debug)]
pub struct LeaseDb {
    url: DatabaseUrl,
    client: tokio::sync::RwLock<Client>,
    /// Applied to every connection: a lease row another node's commit holds is waited for
    /// this long at most (a node paused mid-commit must not stall takeovers here).
    settings: String,
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

async fn room_exists(client: &Client, id: &str) -> Result<bool, StorageError> {
    Ok(client
        .query_opt("SELECT 1 FROM rooms WHERE room_id = $1", &[&id])
        .await?
        .is_some())
}

impl LeaseDb {
    pub async fn connect(
        url: &DatabaseUrl,
        lease: std::time::Duration,
    ) -> Result<Self, StorageError> {
        let settings = format!("SET lock_timeout = {}", millis(lease / 2));
        let client = open_postgres_client(url).await?;
        client.batch_execute(&settings).await?;
        Ok(Self {
            url: url.clone(),
            client: tokio::sync::RwLock::new(client),
            settings,
        })
    }

    /// The connection, opened again first if it was lost.
    async fn client(&self) -> Result<tokio::sync::RwLockReadGuard<'_, Client>, StorageError> {
        {
            let client = self.client.read().await;
            if !client.is_closed() {
                return Ok(client);
            }
        }
        let mut client = self.client.write().await;
        if client.is_closed() {
            let fresh = open_postgres_client(&self.url).await?;
            fresh.batch_execute(&self.settings).await?;
            *client = fresh;
        }
        Ok(client.downgrade())
    }

    /// Grants the lease to this node if it is free, run out, or already this node's (an
    /// earlier run of it: the token grows all the same, fencing off that run). Unless `new`,
    /// only for a stored room, so that probing random ids leaves no rows behind.
    pub async fn acquire(
        &self,
        room: RoomId,
        config: &ClusterConfig,
        new: bool,
    ) -> Result<Owner, StorageError> {
        let client = self.client().await?;
        let id = room.to_string();
        // Twice at most: a lease given back between the two statements below leaves neither
        // a grant nor a holder, and the next try gets it.
        for _ in 0..2 {
            let granted = client
                .query_opt(
                    // The exclusive lock waits for the group commits under way that write this
                    // room (they hold it shared, see `storage::Fences`); the lease changes
                    // before the lock goes, with this statement's transaction.
                    // A room another node holds (unexpired) is not locked at all: probing it must
                    // not hold up that node's commits.
                    "WITH locked AS (
                   SELECT pg_advisory_xact_lock(21074, hashtext($1) & 4095)
                   WHERE NOT EXISTS (
                     SELECT 1 FROM room_leases
                     WHERE room_id = $1 AND node <> $2 AND expires_at >= now())
                 ), previous AS (
                   SELECT node FROM room_leases WHERE room_id = $1
                 )
                 INSERT INTO room_leases (room_id, node, address, token, expires_at)
                 SELECT $1, $2, $3, nextval('room_lease_tokens'),
                        clock_timestamp() + $4::bigint * interval '1 millisecond'
                 FROM locked
                 WHERE $5 OR EXISTS (SELECT 1 FROM rooms WHERE room_id = $1)
                 ON CONFLICT (room_id) DO UPDATE
                   SET node = EXCLUDED.node, address = EXCLUDED.address,
                       token = nextval('room_lease_tokens'), expires_at = EXCLUDED.expires_at
                   WHERE room_leases.node = EXCLUDED.node
                      OR room_leases.expires_at < clock_timestamp()
                 RETURNING token, (SELECT node FROM previous)",
                    &[
                        &id,
                        &config.node_id,
                        &config.advertise_url,
                        &millis(config.lease),
                        &new,
                    ],
                )
                .await?;
            if let Some(row) = granted {
                let previous: Option<String> = row.get(1);
                if previous.is_some_and(|node| node != config.node_id) {
                    crate::metrics::get().takeovers.increment(1);
                    tracing::info!(room = %room, "room taken over from another node");
                }
                return Ok(Owner::Me(row.get(0)));
            }
            let holder = client
                .query_opt(
                    "SELECT node, address FROM room_leases WHERE room_id = $1",
                    &[&id],
                )
                .await?;
            if let Some(row) = holder {
                return Ok(Owner::Node {
                    node: row.get(0),
                    url: row.get(1),
                });
            }
            if !new && !room_exists(&client, &id).await? {
                break;
            }
        }
        Ok(Owner::NoSuchRoom)
    }

    pub async fn release(&self, room: RoomId, node: &str, token: i64) -> Result<(), StorageError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM room_leases WHERE room_id = $1 AND node = $2 AND token = $3",
                &[&room.to_string(), &node, &token],
            )
            .await?;
        Ok(())
    }

    /// Extends the leases this node holds; answers those it still holds.
    pub async fn renew(
        &self,
        held: &[(RoomId, i64)],
        config: &ClusterConfig,
    ) -> Result<Vec<(RoomId, i64)>, StorageError> {
        let ids: Vec<String> = held.iter().map(|(room, _)| room.to_string()).collect();
        let tokens: Vec<i64> = held.iter().map(|&(_, token)| token).collect();
        let rows = self
            .client()
            .await?
            .query(
                "UPDATE room_leases l SET expires_at = now() + $4::bigint * interval '1 millisecond'
                 FROM unnest($1::text[], $2::int8[]) AS h(room_id, token)
                 WHERE l.room_id = h.room_id AND l.token = h.token AND l.node = $3
                 RETURNING l.room_id, l.token",
                &[&ids, &tokens, &config.node_id, &millis(config.lease)],
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let room: RoomId = row.get::<_, &str>(0).parse().ok()?;
                Some((room, row.get(1)))
            })
            .collect())
    }
}
