//! The database schema and its migrations. `PRAGMA user_version` records how far a database
//! has been migrated; a database from a newer build is refused rather than guessed at.

/// Each entry migrates from version `index` to `index + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1: rooms, their snapshots and their input logs.
    "CREATE TABLE rooms (
        room_id TEXT PRIMARY KEY NOT NULL,
        epoch TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        touched_at INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        snapshot_n INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX rooms_touched ON rooms (touched_at);
    CREATE TABLE inputs (
        room_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        input TEXT NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (room_id, n)
    ) WITHOUT ROWID;",
    // 1 → 2: the webhook queue and its log. Times are ms since the Unix epoch;
    // `next_attempt_at` is set while a delivery is pending.
    "CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY NOT NULL,
        room_id TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        event TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER,
        last_attempt_at INTEGER,
        response_status INTEGER,
        error TEXT
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_log ON webhook_deliveries (room_id, webhook_id, created_at);",
    // 2 → 3: inputs go to the segmented input log (`segment_log`) instead of `inputs`, which
    // keeps only what older builds wrote. `log_from_n` is the first input a room still needs
    // from the log; `log_applied` is how far the log's webhook queue changes are in this
    // database.
    "ALTER TABLE rooms ADD COLUMN log_from_n INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE log_applied (
        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        segment INTEGER NOT NULL,
        end_offset INTEGER NOT NULL
    );",
];

pub fn current_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
