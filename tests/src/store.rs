//! Where a test server keeps its rooms: a temporary SQLite data directory, or a database of
//! its own on the PostgreSQL server the project's machines run (`READYROOM_TEST_POSTGRES`,
//! default `host=127.0.0.1 port=5432 user=postgres dbname=postgres`), dropped afterwards.

use std::ffi::OsString;

use readyroom_server::Config;

/// The maintenance connection tests create and drop their databases through.
fn admin_url() -> String {
    std::env::var("READYROOM_TEST_POSTGRES").unwrap_or_else(|_| {
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable".to_owned()
    })
}

async fn admin() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "PostgreSQL is not reachable at `{}` ({error}): start it, or point \
                 READYROOM_TEST_POSTGRES at one (`.ci/run` installs and starts one)",
                admin_url()
            )
        });
    tokio::spawn(connection);
    client
}

/// A database created for one test and dropped (with its connections) when this is.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let name = format!("readyroom_test_{}", uuid::Uuid::new_v4().simple());
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        Self { name }
    }

    /// The connection string a server uses: the admin one with this database's name.
    pub fn url(&self) -> String {
        let admin = admin_url();
        let others: Vec<&str> = admin
            .split_whitespace()
            .filter(|part| !part.starts_with("dbname="))
            .collect();
        format!("{} dbname={}", others.join(" "), self.name)
    }

    /// A connection of the test's own, for looking inside.
    pub async fn connect(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        // Drop runs inside the test's runtime, which must not block: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
                        .await
                        .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

/// A test's storage.
#[derive(Debug)]
pub enum Store {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Store {
    pub fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().unwrap())
    }

    pub async fn postgres() -> Self {
        Self::Postgres(TestDatabase::create().await)
    }

    /// `config` storing here.
    pub fn config(&self, config: Config) -> Config {
        match self {
            Self::Sqlite(dir) => Config {
                data_dir: Some(dir.path().to_owned()),
                database_url: None,
                ..config
            },
            Self::Postgres(database) => Config {
                data_dir: None,
                database_url: Some(database.url().parse().unwrap()),
                ..config
            },
        }
    }

    /// The binary's flags for storing here.
    pub fn args(&self) -> Vec<OsString> {
        match self {
            Self::Sqlite(dir) => vec!["--data-dir".into(), dir.path().into()],
            Self::Postgres(database) => vec!["--database-url".into(), database.url().into()],
        }
    }

    /// Another, empty store of the same kind.
    pub async fn fresh_like(&self) -> Self {
        match self {
            Self::Sqlite(_) => Self::sqlite(),
            Self::Postgres(_) => Self::postgres().await,
        }
    }

    /// Whether the room is stored, looked up without asking the server (which would load
    /// the room and so keep it alive).
    pub async fn holds_room(&self, room_id: &str) -> bool {
        match self {
            Self::Sqlite(dir) => {
                let conn =
                    rusqlite::Connection::open(dir.path().join("readyroom.sqlite3")).unwrap();
                conn.query_row(
                    "SELECT COUNT(*) FROM rooms WHERE room_id = ?1",
                    [room_id],
                    |row| row.get::<_, i64>(0),
                )
                .unwrap()
                    > 0
            }
            Self::Postgres(database) => {
                let count: i64 = database
                    .connect()
                    .await
                    .query_one("SELECT COUNT(*) FROM rooms WHERE room_id = $1", &[&room_id])
                    .await
                    .unwrap()
                    .get(0);
                count > 0
            }
        }
    }

    /// Everything stored, as text: every file under the data directory (database, journal,
    /// input log), or every row of every table.
    pub async fn everything_stored(&self) -> String {
        match self {
            Self::Sqlite(dir) => String::from_utf8_lossy(&files_under(dir.path())).into_owned(),
            Self::Postgres(database) => {
                let client = database.connect().await;
                let tables = client
                    .query(
                        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                        &[],
                    )
                    .await
                    .unwrap();
                let mut stored = String::new();
                for table in tables {
                    let name: String = table.get(0);
                    let rows: Option<String> = client
                        .query_one(
                            &format!("SELECT string_agg(t::text, E'\\n') FROM {name} t"),
                            &[],
                        )
                        .await
                        .unwrap()
                        .get(0);
                    stored.push_str(&rows.unwrap_or_default());
                }
                stored
            }
        }
    }

    /// The SQLite data directory, for the tests that look inside it.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            Self::Sqlite(dir) => Some(dir.path()),
            Self::Postgres(_) => None,
        }
    }
}

/// Runs each listed `async fn(Store)` twice, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::Store::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$name($crate::Store::postgres().await).await;
            }
        }
    )*};
}

/// The bytes of every file under `dir`.
fn files_under(dir: &std::path::Path) -> Vec<u8> {
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            stored.extend(files_under(&path));
        } else {
            stored.extend(std::fs::read(path).unwrap());
        }
    }
    stored
}
