//! A PostgreSQL database of a benchmark's own, created from an admin connection string and
//! dropped afterwards.

use anyhow::Context;

#[derive(Debug)]
pub struct BenchDatabase {
    admin: String,
    name: String,
}

async fn connect(conninfo: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(conninfo, tokio_postgres::NoTls)
        .await
        .with_context(|| format!("connecting to PostgreSQL at `{conninfo}`"))?;
    tokio::spawn(connection);
    Ok(client)
}

impl BenchDatabase {
    /// # Errors
    /// PostgreSQL cannot be reached, or the database cannot be created.
    pub async fn create(admin: &str) -> anyhow::Result<Self> {
        let name = format!("readyroom_bench_{}", uuid::Uuid::new_v4().simple());
        connect(admin)
            .await?
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        Ok(Self {
            admin: admin.to_owned(),
            name,
        })
    }

    /// The admin connection string with this database's name.
    #[must_use]
    pub fn url(&self) -> String {
        let others: Vec<&str> = self
            .admin
            .split_whitespace()
            .filter(|part| !part.starts_with("dbname="))
            .collect();
        format!("{} dbname={}", others.join(" "), self.name)
    }

    /// # Errors
    /// PostgreSQL cannot be reached.
    pub async fn drop_it(self) -> anyhow::Result<()> {
        connect(&self.admin)
            .await?
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await?;
        Ok(())
    }
}
