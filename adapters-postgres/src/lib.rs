//! # containerpub-postgres
//!
//! The PostgreSQL implementation of every ContainerPub store port, on SeaORM 2 (sqlx 0.9).
//! It behaves exactly like the in-memory reference adapter (`containerpub-memory`): same
//! results, same order, same errors — the rules are in `docs/SEMANTICS.md`.
//!
//! ## Connecting
//! ```no_run
//! use std::time::Duration;
//! use containerpub_ports::{Stores, UnitOfWork, Transaction};
//! use containerpub_postgres::{PgConfig, PgStore};
//! # async fn demo() -> containerpub_ports::StoreResult<()> {
//! let store = PgStore::connect(
//!     PgConfig::new("postgres://app@127.0.0.1:5432/containerpub")
//!         .max_connections(16)
//!         .statement_timeout(Some(Duration::from_secs(15))),
//! )
//! .await?;
//! let user = store.users().find_by_id(containerpub_domain::UserId::new(1)).await?;
//! # let _ = user;
//! # Ok(()) }
//! ```
//! The schema must exist (the `containerpub-migration` crate creates it). [`PgConfig`] lists
//! every knob with its default and its cost; in short: a pool of 10, a 5 s acquire timeout
//! (then `Unavailable`), a 30 s statement timeout (it also bounds how long a cancelled call
//! keeps its connection busy) and a 60 s `idle_in_transaction_session_timeout` (a forgotten
//! transaction does not hold its locks for good), and a health check (`ping`)
//! only for connections idle 30 s or more — never a ping on every acquire, which made point
//! lookups ~1.7× slower.
//!
//! ## Transactions
//! [`PgStore`] and [`PgTransaction`] both implement `Stores`, so the same service code runs
//! on either. `begin()` on the store opens a transaction; `begin()` on a transaction opens a
//! savepoint; `commit`/`rollback` finish them; dropping one rolls it back. Isolation is
//! PostgreSQL's READ COMMITTED with row locks.
//!
//! - Cancellation-safe: a `BEGIN`, `COMMIT` or `ROLLBACK` of a top-level transaction runs to
//!   completion on its own Tokio task, so a caller dropping the future at any await point
//!   cannot leave a pooled connection inside a transaction (sqlx 0.9.0 issue 4385) or a
//!   commit half-done. The crate must therefore be used inside a Tokio runtime.
//! - Every multi-statement operation (organization + owner membership, deployment versions
//!   under the function's row lock, activation, repository moves, batches of more than one
//!   statement) runs in one transaction — a savepoint when the caller is already in one.
//! - Inside a caller's transaction a single-statement write runs directly in it (one round
//!   trip, no savepoint; a statement of several batch rows gets a savepoint so that its
//!   failed row can be named). A write that fails leaves the transaction unusable (below),
//!   as in the in-memory store: `containerpub_ports::aborted` states the rule.
//!
//! ### When a transaction stops being usable
//! A [`PgTransaction`] (with its savepoints) never runs a statement once its server-side
//! transaction may be gone. It becomes unusable when:
//! - **a statement fails in it** (a read, raw SQL, or a write: any error, a statement timeout
//!   included): PostgreSQL aborts the transaction (the savepoint level it ran in). A write
//!   call that fails on a constraint (`Conflict`, `ReferenceMissing`, `StillReferenced`,
//!   `InBatch`) or whose reply cannot be read (`UnreadableRow`) counts even when its own
//!   savepoint was rolled back, exactly as the in-memory store counts it; `InvalidInput` from
//!   validation and `NotFound` do not;
//! - **a write call is dropped before it finished** (a caller's timeout, a `select!`): the
//!   statement may still run in the transaction;
//! - **a savepoint cannot be opened, released or rolled back**, or a call's future is
//!   dropped while it does so (a caller's timeout, a `select!`): sqlx 0.9.0 then rolls back
//!   the *enclosing* transaction and loses count of the nesting, so the transaction's later
//!   statements would otherwise run in autocommit, each committed at once. A failed savepoint
//!   also ends the session.
//!
//! - **a deadlock (`40P01`) or serialization failure (`40001`) hits a call in it**: the
//!   adapter rolls the whole transaction back on the server at once (so its locks are
//!   released and the transaction it crossed proceeds now, not when this one is dropped), and
//!   the call's error and every refusal say to retry the whole unit of work
//!   (`UnitOfWorkExt::transaction_retrying` does).
//!
//! From then on every call through the transaction or its savepoints (store methods that
//! reach the database, raw SQL, `begin`, `commit`) is refused with `StoreError::Unavailable`
//! ("transaction is no longer usable: …; nothing was committed") without anything being sent;
//! `commit` returns that error and commits nothing. `rollback` and drop still clean up (the
//! connection never goes back to the pool inside a transaction). A failure inside a savepoint
//! is undone by rolling that savepoint back (or dropping it): the enclosing transaction is
//! then usable again. The check is one atomic load per call.
//!
//! A top-level `commit` first runs `SAVEPOINT` on the transaction (one extra round trip per
//! commit): PostgreSQL answers `COMMIT` in an aborted transaction with a rollback, not an
//! error, and sqlx would report success for a `COMMIT` it no longer sends, so this check is
//! what makes a commit that committed nothing fail with `Unavailable`.
//!
//! ## Batches
//! `insert_many`, `append` and `record_many` write statements of `BATCH_CHUNK_ROWS` rows (one
//! `UNNEST` statement per chunk for logs and invocations), all in one transaction. A unique or
//! foreign-key violation names its row (`StoreError::InBatch { index, error }`, the same row
//! and key as the in-memory store): the row is found again by a query replaying the check
//! order on the failed statement's rows, only after a failure. A batch that succeeds pays one
//! `SAVEPOINT` per further statement into the same table (one per 5,000 rows at most), so
//! that a failing statement can be rolled back alone for that search; a batch of one
//! statement pays nothing.
//!
//! ## Read replicas
//! One primary and any number of streaming standbys (`docs/SCALING.md` has the whole story):
//! ```no_run
//! use std::time::Duration;
//! use containerpub_ports::Stores;
//! use containerpub_postgres::{PgConfig, PgStore};
//! # async fn demo(id: containerpub_domain::UserId) -> containerpub_ports::StoreResult<()> {
//! let store = PgStore::connect(
//!     PgConfig::new("postgres://app@10.0.0.1:5432/containerpub")
//!         .replica("postgres://app@10.0.0.2:5432/containerpub")
//!         .max_replica_lag(Duration::from_secs(2)),
//! )
//! .await?;
//! let maybe_stale = store.users().find_by_id(id).await?; // a replica, if one is healthy
//! let fresh = store.primary().users().find_by_id(id).await?; // read-your-writes
//! # let _ = (maybe_stale, fresh);
//! # Ok(()) }
//! ```
//! - Reader methods called on the [`PgStore`] outside a transaction run on a healthy replica,
//!   round-robin. Writes, everything on a [`PgTransaction`] (its reads too), raw SQL, and
//!   every read through [`PgStore::primary`] run on the primary.
//! - A replica is healthy when it answers, is a standby (`pg_is_in_recovery()`), and lags at
//!   most `max_replica_lag` (default 5 s); a background task checks each one every
//!   `replica_check_interval` (default 1 s), see [`PgStore::replica_status`]. The lag is zero
//!   when the replica has replayed all the primary has flushed, else the age of its last
//!   replayed transaction.
//! - A down or lagging replica is skipped and re-checked; with none healthy, reads run on the
//!   primary. A read that fails on a replica (`Unavailable` or `Internal`) runs again on the
//!   primary: the caller never sees a replica's failure. A statement timeout is the
//!   exception: it is the statement's doing, so the caller gets it, the replica stays in use,
//!   and the statement is not run again on the primary.
//! - Replica sessions are `default_transaction_read_only`.
//! - Service code written against the ports asks for read-your-writes with
//!   `Stores::consistent()`: on a [`PgStore`] with replicas, the primary view
//!   ([`PgStore::primary`]); elsewhere the stores themselves.
//!
//! ## Raw SQL
//! [`PgStore::raw_query`] / [`PgStore::raw_execute`] (and the same on [`PgTransaction`]) run
//! SQL with named parameters, as the seed's `@user_id`:
//! ```no_run
//! # use containerpub_postgres::PgStore;
//! # use containerpub_ports::Value;
//! # async fn demo(store: &PgStore) -> containerpub_ports::StoreResult<()> {
//! let rows = store
//!     .raw_query(
//!         "SELECT id, email FROM users WHERE created_at >= @since AND email <> @email",
//!         &[
//!             ("since", Value::Timestamp(containerpub_domain::Timestamp::MIN)),
//!             ("email", Value::Text("root@example.com".into())),
//!         ],
//!     )
//!     .await?;
//! for row in rows {
//!     let id: i32 = row.get("id")?;
//!     let email: String = row.get("email")?;
//!     # let _ = (id, email);
//! }
//! # Ok(()) }
//! ```
//! `@name` becomes `$n` (quotes, identifiers, comments, dollar quotes, `::` casts and `@@`
//! are left alone); every value is bound, except `Value::Null`, written as `NULL` so
//! PostgreSQL infers its type. Unknown, missing, unused or repeated parameters are
//! `InvalidInput` (field `params`). Transaction control (`BEGIN`, `COMMIT`, `SAVEPOINT`, …)
//! and session state (`SET` but `SET LOCAL`, `RESET`, `DISCARD`, `set_config`, advisory
//! locks, temporary tables, …) are refused with `InvalidInput` (field `sql`) before anything
//! is sent: they would leave a pooled connection inside a transaction or with a changed
//! session, or commit a caller's transaction behind its back. Rows come back as [`RawRow`]s: values by column name as
//! [`RawValue`]s, read with [`RawRow::get`]. Raw SQL is an escape hatch: it bypasses the
//! domain's validation and the stores' invariants.
//!
//! ## Errors
//! Database errors are mapped in one place:
//! - `23505` unique violation → `Conflict { key }` (from the constraint name);
//! - `23503` foreign-key violation → `ReferenceMissing { key }` on insert and update,
//!   `StillReferenced { key }` on delete (`ON DELETE RESTRICT`);
//! - `23514` check violation → `StoreError::check_violation`;
//! - statement timeout (`57014`), serialization failure (`40001`), deadlock (`40P01`),
//!   shutdowns (`57P01`–`57P03`), too many connections, lost connections, pool timeouts and
//!   I/O errors → `Unavailable` (retryable; a single-statement write outside a transaction
//!   whose connection died mid-statement may still have committed: retry it with the same
//!   uuids, as below);
//! - a top-level `COMMIT` (of a caller's transaction or of a multi-statement operation) whose
//!   connection fails after it was sent, before its reply → `OutcomeUnknown` (not retryable
//!   as is: the writes may be there; re-run inserts with the same uuids, which then give
//!   `Conflict` if they were committed);
//! - a constraint this crate does not know → `Internal` naming it; anything else →
//!   `Internal`. A stored row the domain rejects on reading is `Internal` naming the table
//!   and column.
//!
//! ## Observability
//! Every store call runs in a `DEBUG` span `store` (target `containerpub_postgres`) with
//! `operation`, `table`, and, after the call, `rows`, `duration_us` and `error`. With no
//! subscriber listening, the span costs one check.

mod batch;
mod config;
mod conn;
mod connect_failure;
mod crud;
mod entity;
mod error;
mod handle;
mod lookup;
mod mapped;
mod ops;
mod raw;
mod reference;
mod replica;
mod reply;
mod roles;
mod sql;
mod sql_ci;
mod stale_plans;
mod store;
mod surface;
mod table;
mod trace;
mod unreadable;

pub use config::redact as redact_url;
pub use config::{
    DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, PgConfig, PoolSettings,
};
pub use raw::{FromRawValue, RawRow, RawValue};
pub use replica::{ReplicaSettings, ReplicaStatus};
pub use store::{PgStore, PgTransaction};
