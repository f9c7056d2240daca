//! PostgreSQL storage (`--database-url`): for an organisation that runs its own database
//! server, and for several nodes sharing one. Rooms, snapshots, inputs and the webhook queue
//! are tables (`schema`); a group commit is one transaction, inserting every room's inputs
//! with one statement.
//!
//! The [`Backend`] interface is synchronous (a writer thread, blocking readers): each call
//! runs its queries with `Handle::block_on` on the server's runtime, where the connection's
//! task lives. A dropped connection is opened again on the next call.

mod deliveries;
mod fences;
mod schema;

pub use fences::Fences;

use readyroom_protocol::{RoomId, Timestamp};
use tokio::runtime::Handle;
use tokio_postgres::{Client, IsolationLevel, Statement, Transaction};

use super::deliveries::{DeliveryLog, QueuedDelivery};
use super::touches::Touches;
use super::{Backend, LoggedInput, StorageError, StoredRoom, Write};

fn as_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Where the database is, as the operator gave it: `postgres://…` or `host=… dbname=…`.
/// Its `Debug` hides the password.
#[derive(Clone, Debug)]
pub struct DatabaseUrl(tokio_postgres::Config);

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse::<tokio_postgres::Config>()
            .map(Self)
            .map_err(|error| format!("not a PostgreSQL connection string: {error}"))
    }
}

impl DatabaseUrl {
    /// Host(s) and database, for messages: never the password.
    #[must_use]
    pub fn shown(&self) -> String {
        let hosts: Vec<String> = self
            .0
            .get_hosts()
            .iter()
            .map(|host| match host {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        format!(
            "PostgreSQL database {} on {}",
            self.0.get_dbname().unwrap_or("(default)"),
            if hosts.is_empty() {
                "localhost".to_owned()
            } else {
                hosts.join(",")
            }
        )
    }
}

/// TLS as `sslmode` asks (`prefer` by default: encrypted when the server offers it), with
/// the certificate checked against this machine's trusted roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A connection of its own to the database at `url`, its task on the current runtime.
///
/// # Errors
/// The database cannot be reached.
pub async fn open_client(url: &DatabaseUrl) -> Result<Client, StorageError> {
    let failed = |detail: String| StorageError::Connect {
        database: url.shown(),
        detail,
    };
    let tls = tls().map_err(|error| failed(error.to_string()))?;
    // A database host that vanished (no reset, no FIN) is noticed within seconds, not the
    // operating system's two hours.
    let mut config = url.0.clone();
    config
        .keepalives_idle(std::time::Duration::from_secs(5))
        .keepalives_interval(std::time::Duration::from_secs(2))
        .keepalives_retries(3)
        .connect_timeout(std::time::Duration::from_secs(10))
        // Never a standby: a room loaded there could miss its last commits.
        .target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|error| failed(error.to_string()))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "the connection to PostgreSQL closed");
        }
    });
    Ok(client)
}

/// Readies a new connection: this backend's session settings, then its statements.
async fn configure(client: &Client, session: &str) -> Result<Statements, StorageError> {
    if !session.is_empty() {
        client.batch_execute(session).await?;
    }
    Statements::prepare(client).await
}

/// The statements every group commit runs, prepared once per connection.
struct Statements {
    insert_inputs: Statement,
    touch: Statement,
    fence: Statement,
}

impl Statements {
    async fn prepare(client: &Client) -> Result<Self, StorageError> {
        Ok(Self {
            insert_inputs: client
                .prepare(
                    "INSERT INTO inputs (room_id, n, input, events)
                     SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[])",
                )
                .await?,
            fence: client.prepare("SELECT readyroom_fence($1, $2, $3)").await?,
            touch: client
                .prepare(
                    "UPDATE rooms SET touched_at = t.at
                     FROM unnest($1::text[], $2::int8[]) AS t(id, at) WHERE room_id = t.id",
                )
                .await?,
        })
    }
}

/// Inputs gathered from a group's appends, inserted with one statement.
#[derive(Default)]
struct NewInputs {
    rooms: Vec<String>,
    ns: Vec<i64>,
    inputs: Vec<String>,
    events: Vec<String>,
}

impl NewInputs {
    fn add(&mut self, room: RoomId, inputs: &[LoggedInput]) {
        let room = room.to_string();
        for input in inputs {
            self.rooms.push(room.clone());
            self.ns.push(as_sql(input.n));
            self.inputs.push(input.input.clone());
            self.events.push(input.events.clone());
        }
    }

    /// Inserts what was gathered (before a snapshot or a deletion that must see it).
    async fn insert(
        &mut self,
        tx: &Transaction<'_>,
        statement: &Statement,
    ) -> Result<(), StorageError> {
        if !self.rooms.is_empty() {
            tx.execute(
                statement,
                &[&self.rooms, &self.ns, &self.inputs, &self.events],
            )
            .await?;
            *self = Self::default();
        }
        Ok(())
    }
}

pub struct PostgresBackend {
    url: DatabaseUrl,
    client: Client,
    statements: Statements,
    runtime: Handle,
    sync: bool,
    touched: Touches,
    /// With several nodes: the leases this node writes under.
    fences: Option<Fences>,
    /// Whether this connection holds the webhook dispatcher's advisory lock.
    dispatching: bool,
    /// Set on the connection whenever it is (re)opened.
    session: String,
    /// Whether the last call was abandoned half-way: the connection is opened afresh.
    abandoned: bool,
}

/// A call to the database that takes longer than this is abandoned (its connection with it)
/// and fails: a commit hanging on a dead connection would hold every room's commits.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Held (for its session) by the one connection, among every node's, whose node sends
/// webhooks: two dispatchers would send each delivery twice. When that node dies, its
/// connection closes and another node's dispatcher takes the lock on its next look.
const DISPATCH_LOCK: i64 = 0x5245_4144_5957_4848;

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("database", &self.url.shown())
            .finish_non_exhaustive()
    }
}

impl PostgresBackend {
    /// Connects and, if needed, migrates the database. `sync` chooses whether a commit waits
    /// for PostgreSQL's own flush (`synchronous_commit`).
    ///
    /// # Errors
    /// The database cannot be reached, or was migrated by a newer build.
    pub async fn connect(
        url: &DatabaseUrl,
        sync: bool,
        fences: Option<Fences>,
    ) -> Result<Self, StorageError> {
        let mut client = open_client(url).await?;
        schema::migrate(&mut client, &url.shown()).await?;
        let mut session = String::new();
        if !sync {
            session.push_str("SET synchronous_commit = off;");
        }
        if let Some(fences) = &fences {
            // A node paused in the middle of a commit holds its rooms' lease rows: the
            // database ends that transaction (and its locks) well before the lease runs out,
            // so that another node can take the rooms over.
            session.push_str(&format!(
                "SET idle_in_transaction_session_timeout = {};",
                (fences.lease() / 2).as_millis().max(1)
            ));
        }
        let mut backend = Self::over(client, url.clone(), sync, session).await?;
        backend.fences = fences;
        Ok(backend)
    }

    /// Another connection to the same database (for reads beside the writer).
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn reader(&self) -> Result<Self, StorageError> {
        let client = open_client(&self.url).await?;
        Self::over(client, self.url.clone(), self.sync, self.session.clone()).await
    }

    async fn over(
        client: Client,
        url: DatabaseUrl,
        sync: bool,
        session: String,
    ) -> Result<Self, StorageError> {
        Ok(Self {
            statements: configure(&client, &session).await?,
            client,
            url,
            runtime: Handle::current(),
            sync,
            touched: Touches::default(),
            fences: None,
            dispatching: false,
            session,
            abandoned: false,
        })
    }

    /// Runs `work` on this connection, opened again first if it was lost.
    fn run<T>(
        &mut self,
        work: impl AsyncFnOnce(&mut Self) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let runtime = self.runtime.clone();
        runtime.block_on(async {
            if self.client.is_closed() || self.abandoned {
                let client = open_client(&self.url).await?;
                self.statements = configure(&client, &self.session).await?;
                self.client = client;
                self.dispatching = false;
                self.abandoned = false;
            }
            // Cleared once the work is done: a timeout (or a panic) leaves the connection in
            // an unknown state, and the next call opens another.
            self.abandoned = true;
            match tokio::time::timeout(CALL_TIMEOUT, work(self)).await {
                Ok(result) => {
                    self.abandoned = false;
                    result
                }
                Err(_) => Err(StorageError::Connect {
                    database: self.url.shown(),
                    detail: format!("no answer within {} s", CALL_TIMEOUT.as_secs()),
                }),
            }
        })
    }

    /// One group commit's transaction; answers the rooms whose `touched_at` it wrote.
    async fn commit_group(
        &mut self,
        writes: &[Write],
    ) -> Result<Vec<(RoomId, Timestamp)>, StorageError> {
        // The fence relies on READ COMMITTED (its check sees takeovers that committed while
        // it waited for its locks), whatever the database's default isolation.
        let tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .await?;
        let statements = &self.statements;
        let touched = &self.touched;
        let fences = self.fences.as_ref();
        let fence = async {
            match fences {
                Some(fences) => check_fences(&tx, &statements.fence, fences, writes).await,
                None => Ok(()),
            }
        };
        let store = async {
            let mut new_inputs = NewInputs::default();
            let mut touches = Vec::new();
            let mut touched_rooms = Vec::new();
            let mut touched_at = Vec::new();
            for write in writes {
                match write {
                    Write::CreateRoom {
                        room,
                        epoch,
                        snapshot,
                        now,
                    } => {
                        tx.execute(
                        "INSERT INTO rooms (room_id, epoch, created_at, touched_at, snapshot, snapshot_n)
                         VALUES ($1, $2, $3, $3, $4, 0)",
                        &[&room.to_string(), epoch, &as_sql(*now), snapshot],
                    )
                    .await?;
                        touches.push((*room, *now));
                    }
                    Write::Append {
                        room,
                        inputs,
                        now,
                        outbox,
                    } => {
                        new_inputs.add(*room, inputs);
                        deliveries::apply(&tx, *room, outbox).await?;
                        if touched.due(*room, *now) {
                            touched_rooms.push(room.to_string());
                            touched_at.push(as_sql(*now));
                            touches.push((*room, *now));
                        }
                    }
                    Write::Snapshot {
                        room,
                        snapshot,
                        snapshot_n,
                        keep_from_n,
                    } => {
                        new_inputs.insert(&tx, &statements.insert_inputs).await?;
                        let id = room.to_string();
                        tx.execute(
                            "UPDATE rooms SET snapshot = $2, snapshot_n = $3 WHERE room_id = $1",
                            &[&id, snapshot, &as_sql(*snapshot_n)],
                        )
                        .await?;
                        tx.execute(
                            "DELETE FROM inputs WHERE room_id = $1 AND n < $2",
                            &[&id, &as_sql(*keep_from_n)],
                        )
                        .await?;
                    }
                    Write::Outbox { room, changes } => {
                        deliveries::apply(&tx, *room, changes).await?;
                    }
                    Write::Attempted(attempt) => deliveries::record(&tx, attempt).await?,
                    Write::DeleteRoom { room } => {
                        new_inputs.insert(&tx, &statements.insert_inputs).await?;
                        let id = room.to_string();
                        deliveries::forget_room(&tx, *room).await?;
                        tx.execute("DELETE FROM inputs WHERE room_id = $1", &[&id])
                            .await?;
                        tx.execute("DELETE FROM rooms WHERE room_id = $1", &[&id])
                            .await?;
                    }
                }
            }
            let touch = async {
                if !touched_rooms.is_empty() {
                    tx.execute(&statements.touch, &[&touched_rooms, &touched_at])
                        .await?;
                }
                Ok(())
            };
            tokio::try_join!(new_inputs.insert(&tx, &statements.insert_inputs), touch)?;
            Ok::<_, StorageError>(touches)
        };
        // Pipelined: the fence check and the group's statements go out without waiting for
        // each other's answers (the fence first: `join!` polls it first, and a statement is
        // sent when its future is first polled); the transaction commits only if both
        // succeeded. Safety does not rest on that order: the check runs under its locks
        // before the commit whatever came before it.
        let (fenced, stored) = tokio::join!(fence, store);
        fenced?;
        let touches = stored?;
        tx.commit().await?;
        Ok(touches)
    }

    /// Whether this node sends webhooks (see [`DISPATCH_LOCK`]).
    async fn dispatcher(&mut self) -> Result<bool, StorageError> {
        if !self.dispatching {
            self.dispatching = self
                .client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&DISPATCH_LOCK])
                .await?
                .get(0);
        }
        Ok(self.dispatching)
    }

    async fn load_room(
        &mut self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError> {
        let id = room.to_string();
        // One consistent view: a snapshot stored meanwhile cannot hide inputs it covers.
        let tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let Some(head) = tx
            .query_opt(
                "SELECT epoch, snapshot, snapshot_n FROM rooms WHERE room_id = $1",
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        let inputs = tx
            .query(
                "SELECT n, input, events FROM inputs WHERE room_id = $1 ORDER BY n",
                &[&id],
            )
            .await?
            .iter()
            .map(|row| LoggedInput {
                n: from_sql(row.get(0)),
                input: row.get(1),
                events: row.get(2),
            })
            .collect();
        tx.commit().await?;
        StoredRoom::assemble(
            head.get(0),
            head.get(1),
            from_sql(head.get(2)),
            inputs,
            replay_window,
        )
        .map(Some)
    }
}

/// Refuses the group if any room it writes is no longer leased to this node with the token it
/// holds, and otherwise keeps those leases from changing hands until the group commits.
async fn check_fences(
    tx: &Transaction<'_>,
    statement: &Statement,
    fences: &Fences,
    writes: &[Write],
) -> Result<(), StorageError> {
    let mut rooms: Vec<RoomId> = writes.iter().filter_map(Write::room).collect();
    rooms.sort_unstable();
    rooms.dedup();
    if rooms.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(rooms.len());
    let mut tokens = Vec::with_capacity(rooms.len());
    let mut fenced = Vec::new();
    for &room in &rooms {
        match fences.token(room) {
            Some(token) => {
                ids.push(room.to_string());
                tokens.push(token);
            }
            None => fenced.push(room),
        }
    }
    // One statement (`readyroom_fence`, see `schema`), pipelined with the group's own: it
    // takes the rooms' shared advisory locks, then checks their leases.
    match tx
        .execute(statement, &[&fences.node(), &ids, &tokens])
        .await
    {
        Ok(_) => {}
        Err(error) if error.code().is_some_and(|code| code.code() == FENCED) => {
            let detail = error
                .as_db_error()
                .and_then(|db| db.detail())
                .unwrap_or_default();
            fenced.extend(detail.split(',').filter_map(|id| id.parse::<RoomId>().ok()));
        }
        Err(error) => return Err(error.into()),
    }
    if fenced.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Fenced { rooms: fenced })
    }
}

/// What `readyroom_fence` raises for rooms this node no longer holds (its SQLSTATE).
const FENCED: &str = "RRFNC";

impl Backend for PostgresBackend {
    fn commit(&mut self, writes: &[Write]) -> Result<(), StorageError> {
        let touches = self.run(async |backend| backend.commit_group(writes).await)?;
        for write in writes {
            if let Write::DeleteRoom { room } = write {
                self.touched.forget(*room);
            }
        }
        self.touched.remember(touches);
        if self.sync {
            crate::metrics::get().fsyncs.increment(1);
        }
        Ok(())
    }

    fn load(
        &mut self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError> {
        self.run(async |backend| backend.load_room(room, replay_window).await)
    }

    fn stale_rooms(&mut self, before: Timestamp) -> Result<Vec<RoomId>, StorageError> {
        self.run(async |backend| {
            let rows = backend
                .client
                .query(
                    "SELECT room_id FROM rooms WHERE touched_at < $1",
                    &[&as_sql(before)],
                )
                .await?;
            Ok(rows
                .iter()
                .filter_map(|row| row.get::<_, &str>(0).parse().ok())
                .collect())
        })
    }

    fn due_deliveries(
        &mut self,
        now: Timestamp,
        limit: usize,
        per_room: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError> {
        self.run(async |backend| {
            if !backend.dispatcher().await? {
                return Ok(Vec::new());
            }
            deliveries::due(&backend.client, now, limit, per_room).await
        })
    }

    fn next_delivery_at(&mut self) -> Result<Option<Timestamp>, StorageError> {
        self.run(async |backend| {
            if !backend.dispatcher().await? {
                return Ok(None);
            }
            deliveries::next_due(&backend.client).await
        })
    }

    fn delivery_log(
        &mut self,
        room: RoomId,
        webhook_id: uuid::Uuid,
    ) -> Result<DeliveryLog, StorageError> {
        self.run(async |backend| deliveries::log(&backend.client, room, webhook_id).await)
    }
}
