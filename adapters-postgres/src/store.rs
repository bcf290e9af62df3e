//! [`PgStore`] (the pool) and [`PgTransaction`] (a transaction or savepoint): both hand out
//! the same stores, bound to themselves.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use containerpub_domain::{Clock, Rule, SystemClock};
use containerpub_ports::{
    StoreError, StoreResult, StoreSet, Stores, Transaction, UnitOfWork, Value,
};
use sea_orm::{Database, DatabaseConnection};

use crate::config::PgConfig;
use crate::conn::{self, PgConn, PgTx};
use crate::connect_failure;
use crate::error::{Op, map_db_err};
use crate::handle::Handle;
use crate::raw::{self, RawRow};

/// The PostgreSQL store: a connection pool and a clock. Cheap to clone (clones share the
/// pool). Every store call outside a transaction is atomic on its own.
///
/// With read replicas configured ([`PgConfig::replica`]), its reader methods run on a healthy
/// replica and may be slightly stale; writes, transactions, raw SQL and every read through
/// [`PgStore::primary`] run on the primary (see the crate docs, "Read replicas").
#[derive(Clone)]
pub struct PgStore {
    pub(crate) handle: Handle<DatabaseConnection>,
    /// With replicas: the same store with every read on the primary ([`Stores::consistent`]).
    pub(crate) primary_view: Option<Arc<PgStore>>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("clock", &self.handle.clock)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Opens the pool (and one connection, to fail fast on a bad URL or an unreachable
    /// server). Stamps come from the system clock; see [`PgStore::with_clock`].
    ///
    /// # Errors
    /// `InvalidInput` (field `url`) for a URL that is not `postgres://…`; `Unavailable` if
    /// the server cannot be reached, saying why and naming its `host:port` (e.g. "cannot
    /// connect to PostgreSQL at 127.0.0.1:5433: Connection refused (os error 111)"; never
    /// the password); `Internal` for other configuration errors.
    pub async fn connect(config: PgConfig) -> StoreResult<Self> {
        let url = config.url();
        let scheme_ok = url.starts_with("postgres://") || url.starts_with("postgresql://");
        // Parsed without its secrets: sqlx logs what it does not understand.
        if !scheme_ok
            || crate::config::without_secrets(url).is_none_or(|(safe, _)| {
                safe.parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
                    .is_err()
            })
        {
            return Err(StoreError::invalid(
                "url",
                Rule::Format("a postgres://user@host:port/database URL"),
            ));
        }
        crate::replica::check_urls(&config)?;
        let db = match Database::connect(config.to_options()).await {
            Ok(db) => db,
            Err(e) => {
                let err = match map_db_err(e, Op::Read) {
                    // Never echo the URL (it may hold a password).
                    StoreError::Internal { message, .. } if message.contains(url) => {
                        StoreError::internal("cannot configure the PostgreSQL connection pool")
                    }
                    StoreError::Unavailable { message, .. } if message.contains(url) => {
                        StoreError::unavailable("cannot connect to PostgreSQL")
                    }
                    other => other,
                };
                // The pool hides why connecting failed: one attempt of our own tells.
                if connect_failure::is_pool_timeout(&err)
                    && let Some(options) = config.connect_options()
                    && let Some(why) = connect_failure::probe(&options).await
                {
                    return Err(why);
                }
                return Err(err);
            }
        };
        let replicas = crate::replica::connect(&config).await?;
        Ok(Self::new(Handle {
            conn: db,
            clock: Arc::new(SystemClock),
            replicas,
        }))
    }

    /// The same pool, stamping rows from `clock` (tests pin time with a `ManualClock`).
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self::new(Handle {
            conn: self.handle.conn,
            clock,
            replicas: self.handle.replicas,
        })
    }

    /// A store on `handle`, with its primary view when it has replicas.
    pub(crate) fn new(handle: Handle<DatabaseConnection>) -> Self {
        let primary_view = handle.replicas.is_some().then(|| {
            Arc::new(PgStore {
                handle: Handle {
                    conn: handle.conn.clone(),
                    clock: Arc::clone(&handle.clock),
                    replicas: None,
                },
                primary_view: None,
            })
        });
        Self {
            handle,
            primary_view,
        }
    }

    /// Runs raw SQL that returns rows. Parameters are named `@name` in the SQL and bound
    /// from `params` (see the crate docs, "Raw SQL"). Always on the primary, even with read
    /// replicas ([`PgStore::raw_query_replica`] reads from one).
    ///
    /// # Errors
    /// `InvalidInput` (field `params`) for an unknown, missing, unused or repeated
    /// parameter; the statement's errors, mapped as for store calls (a foreign-key violation
    /// reads as `ReferenceMissing`, whatever the statement); `Internal` for a column type
    /// [`RawRow`] does not read (cast it in SQL).
    pub async fn raw_query(&self, sql: &str, params: &[(&str, Value)]) -> StoreResult<Vec<RawRow>> {
        let conn = &self.handle.conn;
        match raw::query(conn, sql, params).await {
            Err(err) => Err(conn.explain(err).await),
            ok => ok,
        }
    }

    /// Runs a raw statement; returns the number of rows it affected.
    ///
    /// # Errors
    /// As [`PgStore::raw_query`].
    pub async fn raw_execute(&self, sql: &str, params: &[(&str, Value)]) -> StoreResult<u64> {
        let conn = &self.handle.conn;
        match raw::execute(conn, sql, params).await {
            Err(err) => Err(conn.explain(err).await),
            ok => ok,
        }
    }

    /// Closes the pool: waits for connections in use to come back, then closes them all.
    pub async fn close(self) {
        if let Some(replicas) = &self.handle.replicas {
            replicas.close().await;
        }
        let _ = self.handle.conn.close().await;
    }
}

/// An open transaction (or, begun on a transaction, a savepoint) with the same stores bound
/// to it. Dropping it without [`Transaction::commit`] rolls it back.
///
/// A transaction stops being usable when a statement fails in it (PostgreSQL aborts the
/// transaction), when a write call fails on a constraint or is dropped before it finished
/// (`containerpub_ports::aborted`, as in the in-memory store), or when a savepoint could not
/// be opened, released or rolled back, or a call's future was dropped while it did that. Every later call through
/// it, its savepoints included (store methods that reach the database, raw SQL, `begin`,
/// `commit`), is then refused with `Unavailable` ("transaction is no longer usable: …;
/// nothing was committed") without anything being sent; `rollback` and drop still clean up.
/// A savepoint whose own statement failed recovers by being rolled back: its enclosing
/// transaction is then usable again. See the crate docs, "Transactions".
///
/// A transaction is one database session: run its calls one after the other (awaiting each),
/// not concurrently from several tasks, and finish a savepoint before using the transaction
/// it was begun on again.
pub struct PgTransaction {
    handle: Handle<PgTx>,
    top_level: bool,
}

impl fmt::Debug for PgTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTransaction")
            .field("savepoint", &!self.top_level)
            .finish_non_exhaustive()
    }
}

impl PgTransaction {
    /// Runs raw SQL that returns rows, inside this transaction (see [`PgStore::raw_query`]).
    ///
    /// # Errors
    /// As [`PgStore::raw_query`]; `Unavailable` if the transaction is no longer usable. A
    /// failing raw statement aborts the transaction (raw SQL gets no savepoint of its own):
    /// every later call is refused until it (or the savepoint it ran in) is rolled back.
    pub async fn raw_query(&self, sql: &str, params: &[(&str, Value)]) -> StoreResult<Vec<RawRow>> {
        raw::query(&self.handle.conn, sql, params).await
    }

    /// Runs a raw statement inside this transaction; returns the number of rows it affected.
    ///
    /// # Errors
    /// As [`PgTransaction::raw_query`].
    pub async fn raw_execute(&self, sql: &str, params: &[(&str, Value)]) -> StoreResult<u64> {
        raw::execute(&self.handle.conn, sql, params).await
    }
}

impl Stores for PgStore {
    #[inline]
    fn store_set(&self) -> StoreSet<'_> {
        StoreSet::of(&self.handle)
    }
    /// With replicas, the primary view; without, the store itself (reads are on the primary).
    fn consistent(&self) -> &dyn Stores {
        match &self.primary_view {
            Some(primary) => &**primary,
            None => self,
        }
    }
}

impl Stores for PgTransaction {
    #[inline]
    fn store_set(&self) -> StoreSet<'_> {
        StoreSet::of(&self.handle)
    }
    /// Everything in a transaction runs on the primary.
    fn consistent(&self) -> &dyn Stores {
        self
    }
}

#[async_trait]
impl UnitOfWork for PgStore {
    type Tx = PgTransaction;

    /// `BEGIN`, run to completion on its own task so that a caller dropping this future can
    /// never leave a pooled connection inside a transaction.
    async fn begin(&self) -> StoreResult<PgTransaction> {
        let tx = match conn::begin_top_level(&self.handle.conn).await {
            Ok(tx) => tx,
            Err(err) => return Err(self.handle.conn.explain(err).await),
        };
        Ok(PgTransaction {
            handle: Handle {
                conn: PgTx::top_level(tx),
                clock: Arc::clone(&self.handle.clock),
                replicas: None,
            },
            top_level: true,
        })
    }
}

#[async_trait]
impl UnitOfWork for PgTransaction {
    type Tx = PgTransaction;

    /// A savepoint (refused if the transaction is no longer usable).
    async fn begin(&self) -> StoreResult<PgTransaction> {
        let tx = self.handle.conn.open_savepoint().await?;
        Ok(PgTransaction {
            handle: Handle {
                conn: self.handle.conn.nested(tx),
                clock: Arc::clone(&self.handle.clock),
                replicas: None,
            },
            top_level: false,
        })
    }
}

#[async_trait]
impl Transaction for PgTransaction {
    /// Refused (nothing committed) if the transaction is no longer usable; a top-level
    /// commit first checks on the server that the transaction is still open
    /// (`conn::commit_checked`, one extra round trip).
    async fn commit(self) -> StoreResult<()> {
        self.handle.conn.commit(self.top_level).await
    }

    async fn rollback(self) -> StoreResult<()> {
        self.handle.conn.rollback(self.top_level).await
    }
}
