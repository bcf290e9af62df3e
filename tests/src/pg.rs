//! PostgreSQL test harness: a fresh, migrated database per test, SQL fixtures, and throwaway
//! clusters.
//!
//! ```no_run
//! # async fn example() {
//! use containerpub_tests::pg::TestDatabase;
//!
//! let db = TestDatabase::new().await; // its own database, schema migrated
//! db.load_fixtures(&["users", "functions"]).await; // tests/fixtures/<table>.sql
//! db.load_fixtures_from("tests/sql", &["users"]).await; // another folder: tests/sql/users.sql
//! let url = db.url(); // give it to the store under test
//! # let _ = url;
//! db.drop_db().await; // or let it drop: the database is dropped either way
//! # }
//! ```
//!
//! # Where the server comes from
//! Once per test process, in this order:
//! 1. `DATABASE_URL`: its server, connecting as its role (which needs `CREATEDB`); test
//!    databases are created beside its database. A set but unusable `DATABASE_URL` fails.
//! 2. A server on `127.0.0.1:5432`, as the role `postgres`, then `root`.
//! 3. A throwaway cluster ([`Cluster`]) started with the `initdb`/`pg_ctl` found on `PATH` or
//!    under `/usr/lib/postgresql/*/bin`, on a free loopback port; it is stopped and removed when
//!    the test process ends.
//!
//! `CONTAINERPUB_TEST_PG=throwaway` skips 1 and 2: every test process then gets its own
//! throwaway cluster (slower to start, about a second, but isolated from any other server).
//!
//! If none works, the tests panic with a message saying how to provide a server: they never
//! skip.
//!
//! # Speed and isolation
//! The migrations run once per test process, into a template database
//! (`cp_tmpl_<host>_<pid>_<random>`); each [`TestDatabase`] is a `CREATE DATABASE … TEMPLATE`
//! copy of it (`cp_t_<host>_<pid>_<random>`), so tests can run in parallel, each on its own
//! database. Nothing ever stays connected to the template (connections to it are disabled once
//! it is migrated).
//!
//! # Cleanup
//! A [`TestDatabase`] is dropped by [`TestDatabase::drop_db`] or, failing that, by its `Drop`
//! (also when the test panics). What must not outlive the test process (the template, a
//! throwaway cluster, databases of a test process that aborted) is removed by an exit
//! watchdog when the process ends, however it ends; and the next run sweeps the databases and
//! cluster directories that a dead process of this machine left with these names. Only names
//! with these prefixes are ever dropped.

mod binaries;
mod cluster;
mod command;
mod databases;
mod fixtures;
mod names;
mod os_user;
mod server;
mod watchdog;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, PgConnection};

pub use cluster::{Cluster, ClusterConfig};
pub use fixtures::FixtureError;

/// A database of its own for one test, dropped afterwards.
///
/// [`TestDatabase::new`] gives a copy of the migrated template (the full schema, no rows);
/// [`TestDatabase::empty`] an empty database without any migration applied.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
    /// False once dropped, so `Drop` does nothing.
    live: bool,
}

impl TestDatabase {
    /// A new database with the schema of every migration applied (and no rows).
    ///
    /// # Panics
    /// If no PostgreSQL server is available (the message says how to provide one), if the
    /// migrations fail, or if the copy cannot be created.
    pub async fn new() -> TestDatabase {
        let server = server::server().await;
        Self::create(server, Some(&server.template)).await
    }

    /// A new, empty database: no migration applied, no `seaql_migrations` table.
    ///
    /// # Panics
    /// As [`TestDatabase::new`].
    pub async fn empty() -> TestDatabase {
        let server = server::server().await;
        Self::create(server, None).await
    }

    /// A new database copied from this one (`CREATE DATABASE … TEMPLATE`), dropped like any
    /// other: a fixture built once (e.g. an adopted legacy database) and copied per test.
    /// Nothing may be connected to this database while it is copied.
    ///
    /// # Panics
    /// As [`TestDatabase::new`].
    pub async fn copy(&self) -> TestDatabase {
        let server = server::server().await;
        Self::create(server, Some(&self.name)).await
    }

    async fn create(server: &server::Server, template: Option<&str>) -> TestDatabase {
        let name = databases::unique_name(databases::DATABASE_PREFIX);
        // Registered first: if the process dies during the copy, the database is dropped too.
        if !server.throwaway {
            watchdog::register_database(&name, &server.admin_url, server.major);
        }
        if let Err(e) = databases::create_database(&server.admin_url, &name, template).await {
            watchdog::release_database(&name);
            panic!("cannot create test database {name}: {e}");
        }
        TestDatabase {
            url: databases::with_database(&server.admin_url, &name),
            name,
            admin_url: server.admin_url.clone(),
            live: true,
        }
    }

    /// A `postgres://` URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database (the caller closes it, or drops it).
    ///
    /// # Panics
    /// If connecting fails.
    pub async fn connect(&self) -> PgConnection {
        databases::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs an SQL script (any number of `;`-separated statements, simple query protocol,
    /// no parameters) on a connection of its own. The statements run in one implicit
    /// transaction unless the script has its own `BEGIN`/`COMMIT`.
    ///
    /// # Panics
    /// If a statement fails; the message has the server's error.
    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        let result = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        if let Err(e) = result {
            panic!(
                "SQL failed on {}: {}\n--- script ---\n{}",
                self.name,
                describe_error(&e),
                abbreviate(sql)
            );
        }
    }

    /// Loads `tests/fixtures/<table>.sql` of this crate for each table, as
    /// [`TestDatabase::load_fixtures_from`] does from another folder.
    ///
    /// # Panics
    /// If a name is not a plain table name, a file is missing (the message names its path),
    /// or its SQL fails.
    pub async fn load_fixtures(&self, tables: &[&str]) {
        self.load_fixtures_from(fixtures_dir(), tables).await;
    }

    /// Loads `<dir>/<table>.sql` for each table, in the order given (parents before
    /// children), in one transaction, by plain SQL: an application's own fixtures, e.g.
    /// `Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")`. A fixture file inserts
    /// rows with explicit ids and uuids and then moves the table's id sequence past them with
    /// `setval`. A relative `dir` is resolved against the current directory.
    ///
    /// # Panics
    /// With [`TestDatabase::try_load_fixtures_from`]'s error as the message.
    pub async fn load_fixtures_from(&self, dir: impl AsRef<Path>, tables: &[&str]) {
        if let Err(e) = self.try_load_fixtures_from(dir, tables).await {
            panic!("{e}");
        }
    }

    /// [`TestDatabase::load_fixtures_from`], returning what failed instead of panicking.
    /// Every file is read before any SQL runs, so a bad name or a missing file changes
    /// nothing; a failing file rolls back the whole call.
    ///
    /// # Errors
    /// [`FixtureError::BadName`] for a name that is not a plain table name (lowercase ASCII
    /// letters, digits, `_`), [`FixtureError::Unreadable`] (with the file's path, `dir` joined with `<table>.sql`) for a file
    /// that cannot be read, [`FixtureError::Failed`] (with the path and the server's error)
    /// for SQL the server rejects, [`FixtureError::Connection`] if connecting or committing
    /// fails.
    pub async fn try_load_fixtures_from(
        &self,
        dir: impl AsRef<Path>,
        tables: &[&str],
    ) -> Result<(), FixtureError> {
        let scripts = fixtures::read(dir.as_ref(), tables)?;
        let connection = |reason: String| FixtureError::Connection {
            database: self.name.clone(),
            reason,
        };
        let mut conn = databases::connect(&self.url).await.map_err(connection)?;
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| connection(format!("BEGIN failed: {e}")))?;
        for (path, sql) in scripts {
            if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await {
                return Err(FixtureError::Failed {
                    path,
                    database: self.name.clone(),
                    reason: describe_error(&e),
                });
            }
        }
        tx.commit()
            .await
            .map_err(|e| connection(format!("committing fixtures failed: {e}")))?;
        let _ = conn.close().await;
        Ok(())
    }

    /// The schema of this database as `pg_dump --schema-only --no-owner --no-privileges`
    /// prints it, without comments, blank lines and the `SET`/`set_config`/`\restrict` lines
    /// that vary between dumps, so two dumps of equal schemas compare equal.
    ///
    /// `pg_dump` is the one of the server's major version under `/usr/lib/postgresql` if
    /// installed, else a newer one there, else the one beside `initdb`, else from `PATH`.
    ///
    /// # Panics
    /// If no `pg_dump` is found or it fails.
    pub async fn dump_schema(&self) -> String {
        let major = server::server().await.major;
        let pg_dump = binaries::client_binary("pg_dump", major).unwrap_or_else(|| {
            panic!("pg_dump not found (install the PostgreSQL client: apt-get install postgresql-client)")
        });
        let out = watchdog::scratch_dir().join(format!(
            "cp-pg-dump-{}-{}.sql",
            std::process::id(),
            names::random_hex(12)
        ));
        let mut cmd = std::process::Command::new(pg_dump);
        cmd.args(["--schema-only", "--no-owner", "--no-privileges"])
            .arg("--file")
            .arg(&out)
            .arg("--dbname")
            .arg(&self.url);
        let result = command::run(cmd, Duration::from_secs(120)).await;
        let text = std::fs::read_to_string(&out);
        let _ = std::fs::remove_file(&out);
        if let Err(e) = result {
            panic!("pg_dump of {} failed: {e}", self.name);
        }
        let text = text.unwrap_or_else(|e| panic!("reading the pg_dump output: {e}"));
        text.lines()
            .filter(|line| {
                let line = line.trim_end();
                !(line.is_empty()
                    || line.starts_with("--")
                    || line.starts_with("SET ")
                    || line.starts_with("SELECT pg_catalog.set_config(")
                    || line.starts_with("\\restrict")
                    || line.starts_with("\\unrestrict"))
            })
            .map(|line| format!("{}\n", line.trim_end()))
            .collect()
    }

    /// Drops the database now (disconnecting any session still on it).
    ///
    /// # Panics
    /// If `DROP DATABASE` fails.
    pub async fn drop_db(mut self) {
        self.live = false;
        if let Err(e) = databases::drop_database(&self.admin_url, &self.name).await {
            panic!("cannot drop test database {}: {e}", self.name);
        }
        watchdog::release_database(&self.name);
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread of its own with a small runtime (`Drop` cannot await,
    /// and may run inside or outside a runtime). Never panics: a failure is printed, and the
    /// exit watchdog or the next run's sweep drops the database.
    fn drop(&mut self) {
        if !self.live {
            return;
        }
        self.live = false;
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let joined = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(databases::drop_database(&admin_url, &name))
        })
        .join();
        match joined {
            Ok(Ok(())) => watchdog::release_database(&self.name),
            Ok(Err(e)) => eprintln!("containerpub_tests::pg: {e}"),
            Err(_) => eprintln!(
                "containerpub_tests::pg: the thread dropping {} panicked",
                self.name
            ),
        }
    }
}

/// `tests/fixtures` of this crate.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The admin URL of the shared test server (a role that may create databases), for tests
/// that need to look at the server itself, such as `pg_database`.
///
/// # Panics
/// As [`TestDatabase::new`].
pub async fn admin_url() -> String {
    server::server().await.admin_url.clone()
}

fn describe_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => format!(
            "{} (SQLSTATE {})",
            db.message(),
            db.code().as_deref().unwrap_or("?")
        ),
        other => other.to_string(),
    }
}

fn abbreviate(sql: &str) -> String {
    const MAX: usize = 2000;
    match sql.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &sql[..i]),
        None => sql.to_owned(),
    }
}
