//! ContainerPub schema migrations.
//!
//! The migrations create exactly the PostgreSQL schema of `docs/SCHEMA.md`: nine tables with their
//! column types, defaults, `SERIAL`/`BIGSERIAL` keys (sequences, not identity columns), named
//! unique, check and foreign-key constraints, and named indexes. They are frozen: each file is
//! a self-contained snapshot in raw SQL, imports nothing from the domain or the adapters, and is
//! never edited once released; a schema change is a new migration appended to
//! [`Migrator::migrations`].
//!
//! # Timestamps
//! `docs/SCHEMA.md` specifies `TIMESTAMP` (without time zone) columns holding UTC with
//! `DEFAULT now()`. `now()` returns a `timestamptz`; stored into a `TIMESTAMP` column it is
//! converted to the *session's* `TimeZone`, so the default would hold local time for a client
//! whose session is not in UTC. The defaults are therefore `timezone('UTC', now())`: the same
//! instant as `now()` (the transaction start), expressed in UTC.
//!
//! # Running
//! - From code, without any SeaORM type: [`up`], [`down`], [`down_all`], [`reset`],
//!   [`applied`], with errors as [`MigrationError`].
//! - With SeaORM: [`Migrator`] implements [`MigratorTrait`].
//! - From the shell: the `migration` binary (`DATABASE_URL=postgres://… migration up`; also
//!   `down`, `status`, `fresh`, `refresh`, `reset`, `adopt`), see [`cli`]: `status` changes
//!   nothing, and the commands that drop tables refuse to drop data without
//!   `--allow-data-loss`.
//! - A database the Dart backend created: [`adopt::inspect`] (the dry run) and
//!   [`adopt::adopt`].

use std::error::Error;
use std::fmt;
use std::time::Duration;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection};

mod m20250101_000001_create_users;
mod m20250101_000002_create_functions;
mod m20250101_000003_create_function_deployments;
mod m20250101_000004_link_functions_active_deployment;
pub(crate) mod m20250101_000005_create_function_logs;
mod m20250101_000006_create_function_invocations;
mod m20250101_000007_create_user_information;
mod m20250101_000008_create_organizations;
mod m20250101_000009_create_organization_members;
pub(crate) mod m20250101_000010_create_repositories;
mod m20251203_000011_case_insensitive_indexes;

pub mod adopt;
pub mod cli;
mod redact;

pub use sea_orm_migration::MigratorTrait;

/// The ContainerPub migrator: every migration, oldest first.
///
/// Applied migrations are recorded in the table `seaql_migrations`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_create_users::Migration),
            Box::new(m20250101_000002_create_functions::Migration),
            Box::new(m20250101_000003_create_function_deployments::Migration),
            Box::new(m20250101_000004_link_functions_active_deployment::Migration),
            Box::new(m20250101_000005_create_function_logs::Migration),
            Box::new(m20250101_000006_create_function_invocations::Migration),
            Box::new(m20250101_000007_create_user_information::Migration),
            Box::new(m20250101_000008_create_organizations::Migration),
            Box::new(m20250101_000009_create_organization_members::Migration),
            Box::new(m20250101_000010_create_repositories::Migration),
            Box::new(m20251203_000011_case_insensitive_indexes::Migration),
        ]
    }
}

/// A migration run failed: connecting, or applying or rolling back a migration.
///
/// The message says which step failed; [`Error::source`] gives the underlying database error.
#[derive(Debug)]
pub struct MigrationError {
    context: &'static str,
    source: DbErr,
}

impl MigrationError {
    fn new(context: &'static str, source: DbErr) -> Self {
        Self { context, source }
    }
}

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl Error for MigrationError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// The names of all migrations, oldest first (the `version` column of `seaql_migrations`).
pub fn names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// Applies every pending migration to the database at `database_url` (a `postgres://` URL).
///
/// Each migration runs in its own transaction. The connection is closed before this returns.
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or a migration fails; migrations
/// applied before the failing one stay applied.
pub async fn up(database_url: &str) -> Result<(), MigrationError> {
    with_connection(database_url, async |db| {
        Migrator::up(db, None)
            .await
            .map_err(|e| MigrationError::new("applying migrations", e))
    })
    .await
}

/// Rolls back the `steps` most recently applied migrations (all of them with `None`).
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or a rollback fails.
pub async fn down(database_url: &str, steps: Option<u32>) -> Result<(), MigrationError> {
    with_connection(database_url, async |db| {
        Migrator::down(db, steps)
            .await
            .map_err(|e| MigrationError::new("rolling back migrations", e))
    })
    .await
}

/// Rolls back every applied migration; the `seaql_migrations` table stays (empty).
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or a rollback fails.
pub async fn down_all(database_url: &str) -> Result<(), MigrationError> {
    down(database_url, None).await
}

/// Rolls back every applied migration and drops the `seaql_migrations` table.
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or a rollback fails.
pub async fn reset(database_url: &str) -> Result<(), MigrationError> {
    with_connection(database_url, async |db| {
        Migrator::reset(db)
            .await
            .map_err(|e| MigrationError::new("resetting migrations", e))
    })
    .await
}

/// The names of the migrations applied to the database, oldest first.
///
/// # Errors
/// [`MigrationError`] if the database cannot be reached or `seaql_migrations` cannot be read.
pub async fn applied(database_url: &str) -> Result<Vec<String>, MigrationError> {
    with_connection(database_url, async |db| {
        let applied = Migrator::get_applied_migrations(db)
            .await
            .map_err(|e| MigrationError::new("reading applied migrations", e))?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    })
    .await
}

/// Connects with a single-connection pool, runs `f`, and closes the pool whether `f` failed or
/// not, so no session stays open on the database afterwards (a database that is used as a
/// `CREATE DATABASE … TEMPLATE` must have no sessions).
async fn with_connection<T>(
    database_url: &str,
    f: impl AsyncFnOnce(&DatabaseConnection) -> Result<T, MigrationError>,
) -> Result<T, MigrationError> {
    if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
        return Err(MigrationError::new(
            "connecting to the database",
            DbErr::Custom(format!(
                "unsupported database URL {}: expected postgres://user@host:port/database",
                redact::redact(database_url)
            )),
        ));
    }
    let mut options = ConnectOptions::new(database_url);
    options
        .max_connections(1)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(60))
        .sqlx_logging(false);
    let db = Database::connect(options).await.map_err(|e| {
        let shown = e
            .to_string()
            .replace(database_url, &redact::redact(database_url));
        MigrationError::new("connecting to the database", DbErr::Custom(shown))
    })?;
    let result = f(&db).await;
    let closed = db.close().await;
    let value = result?;
    closed.map_err(|e| MigrationError::new("closing the connection", e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_sorted_and_dated() {
        let names = names();
        assert_eq!(names.len(), 11);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted, names,
            "migrations must be listed oldest first, once each"
        );
        for name in &names {
            let (stamp, rest) = name.split_at(17);
            assert!(
                stamp.starts_with('m')
                    && stamp[1..9].bytes().all(|b| b.is_ascii_digit())
                    && &stamp[9..10] == "_"
                    && stamp[10..16].bytes().all(|b| b.is_ascii_digit())
                    && stamp.ends_with('_')
                    && !rest.is_empty(),
                "{name} is not named mYYYYMMDD_NNNNNN_description"
            );
        }
        assert_eq!(names[0], "m20250101_000001_create_users");
        assert_eq!(names[9], "m20250101_000010_create_repositories");
    }

    #[test]
    fn error_displays_context_and_source() {
        let e = MigrationError::new("applying migrations", DbErr::Custom("boom".into()));
        assert_eq!(e.to_string(), "applying migrations: Custom Error: boom");
        assert!(e.source().is_some());
        fn send_sync_static<T: Send + Sync + 'static>() {}
        send_sync_static::<MigrationError>();
    }
}
