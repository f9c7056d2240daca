//! The PostgreSQL schema and its migrations. Table `readyroom_schema` records how far a
//! database has been migrated; a database from a newer build is refused rather than guessed
//! at. Several nodes may start at once: each migrates under one advisory lock.

use tokio_postgres::Client;

use crate::storage::StorageError;

/// Each entry migrates from version `index` to `index + 1`. Times are ms since the Unix
/// epoch, as in SQLite's schema.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1: rooms, their snapshots, their inputs since (and the replay window before) the
    // snapshot, and the webhook queue with its log. `queued` orders deliveries queued in the
    // same millisecond.
    "CREATE TABLE rooms (
        room_id TEXT PRIMARY KEY,
        epoch TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        touched_at BIGINT NOT NULL,
        snapshot TEXT NOT NULL,
        snapshot_n BIGINT NOT NULL
    );
    CREATE INDEX rooms_touched ON rooms (touched_at);
    CREATE TABLE inputs (
        room_id TEXT NOT NULL,
        n BIGINT NOT NULL,
        input TEXT NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (room_id, n)
    );
    CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        queued BIGSERIAL NOT NULL,
        room_id TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        event TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT,
        last_attempt_at BIGINT,
        response_status INTEGER,
        error TEXT
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_log ON webhook_deliveries (room_id, webhook_id, created_at);",
    // 1 → 2: which node serves each live room (see `cluster`). `token` is the fencing token:
    // every grant takes a new one from the sequence, never used before (not even for another
    // room), and a write carrying any other is refused. Times are the database's own clock,
    // so that nodes' clocks need not agree.
    "CREATE SEQUENCE room_lease_tokens;
    CREATE TABLE room_leases (
        room_id TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        address TEXT NOT NULL,
        token BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX room_leases_node ON room_leases (node);
    -- A group commit's fence (see `Fences`), in one statement so that it is pipelined with
    -- the group's own: shared advisory locks on the rooms' stripes (a takeover holds its
    -- room's exclusively while it changes the lease; 4,096 stripes in a key space of their
    -- own, class 21074, so that a group of thousands of rooms does not fill the lock table),
    -- then, under a snapshot taken after they are held, the check that each lease still
    -- carries this node and token. Fails the transaction with SQLSTATE RRFNC, naming the
    -- rooms lost, if one does not.
    CREATE FUNCTION readyroom_fence(p_node TEXT, p_rooms TEXT[], p_tokens BIGINT[])
    RETURNS VOID LANGUAGE plpgsql VOLATILE AS $fence$
    DECLARE
        lost TEXT[];
    BEGIN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'readyroom_fence needs READ COMMITTED';
        END IF;
        PERFORM pg_advisory_xact_lock_shared(21074, stripe)
        FROM (SELECT DISTINCT hashtext(id) & 4095 AS stripe FROM unnest(p_rooms) AS id
              ORDER BY 1) AS stripes;
        SELECT array_agg(f.room_id) INTO lost
        FROM unnest(p_rooms, p_tokens) AS f(room_id, token)
        WHERE NOT EXISTS (
            SELECT 1 FROM room_leases l
            WHERE l.room_id = f.room_id AND l.token = f.token AND l.node = p_node);
        IF lost IS NOT NULL THEN
            RAISE EXCEPTION 'fenced' USING ERRCODE = 'RRFNC', DETAIL = array_to_string(lost, ',');
        END IF;
    END
    $fence$;",
];

/// Any constant shared by every Ready Room node: the advisory lock migrations hold.
const MIGRATION_LOCK: i64 = 0x5245_4144_5952_4f4f;

pub fn current_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings the database up to [`current_version`], or refuses one from a newer build.
pub async fn migrate(client: &mut Client, shown: &str) -> Result<(), StorageError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let fresh: bool = tx
        .query_one("SELECT to_regclass('readyroom_schema') IS NULL", &[])
        .await?
        .get(0);
    if fresh {
        tx.batch_execute("CREATE TABLE readyroom_schema (version BIGINT NOT NULL)")
            .await?;
    }
    let version: i64 = tx
        .query_opt("SELECT version FROM readyroom_schema", &[])
        .await?
        .map_or(0, |row| row.get(0));
    if version > current_version() {
        return Err(StorageError::NewerSchema {
            path: shown.to_owned(),
            found: version,
            known: current_version(),
        });
    }
    let start = usize::try_from(version).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(start) {
        tx.batch_execute(sql).await?;
    }
    if start < MIGRATIONS.len() {
        tx.execute("DELETE FROM readyroom_schema", &[]).await?;
        tx.execute(
            "INSERT INTO readyroom_schema (version) VALUES ($1)",
            &[&current_version()],
        )
        .await?;
        tracing::info!(version = current_version(), "database migrated");
    }
    tx.commit().await?;
    Ok(())
}
