//! # containerpub-memory
//!
//! The in-memory implementation of every ContainerPub store port, and the reference model
//! of their semantics: for the same calls on the same data it returns what the PostgreSQL
//! adapter returns — the same rows, in the same order, with the same errors
//! (`docs/SEMANTICS.md` is the rulebook both follow).
//!
//! ```
//! use containerpub_memory::MemoryStore;
//! use containerpub_ports::{Stores, Transaction, UnitOfWork};
//! use containerpub_ports::domain::NewUser;
//!
//! # tokio_test_block_on(async {
//! let db = MemoryStore::new();
//! let tx = db.begin().await?;
//! let ada = tx.users().insert(NewUser::parse("ada@example.com")?).await?;
//! assert_eq!(db.users().find_by_uuid(ada.uuid).await?, None); // not committed yet
//! tx.commit().await?;
//! assert_eq!(db.users().find_by_uuid(ada.uuid).await?, Some(ada));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```
//!
//! ## The model
//! - **One persistent value per database state.** Every table is a set of persistent
//!   (structurally shared) maps from the `imbl` crate: the rows by id; the rows by uuid (a
//!   hash trie, so `find_by_uuid` is one lookup); one index per other unique key (the partial
//!   ones hold only the rows their predicate selects; text keys are indexed by a 64-bit hash
//!   and confirmed against the row); one child index per foreign key (`(parent, child id)`
//!   pairs, for `ON DELETE` actions, `RESTRICT` checks and relations such as a user's
//!   functions); and for logs and invocations `(function_id, timestamp, id)` and
//!   `(timestamp, id)` indexes (log windows, statistics and retention never visit other
//!   functions' rows). Cloning a state is O(1); writing into a state that shares nodes with
//!   a snapshot copies only the O(log n) paths it touches. Point lookups (id, uuid, every
//!   unique key) are O(log n) or better, never scans. Beside the committed state, a plain
//!   hash index by uuid of its rows (`hot.rs`, one map per table, owned by the committed
//!   state alone and brought up to date under the commit lock for exactly the rows each
//!   commit or write call outside a transaction wrote) answers `find_by_uuid` outside a
//!   transaction with one probe.
//! - **Each call is atomic.** A write call runs in place on the state it writes (the
//!   committed state outside a transaction, the transaction's working state inside one;
//!   every call holds the one short commit mutex while it runs, so calls are serialised),
//!   keeping an undo log of the rows it changed: if it fails (or panics, or must wait for a
//!   lock) the rows are put back and the indexes follow, so it leaves no trace. No mutex is
//!   held across an `.await` (a call awaits only between its runs).
//! - **Transactions** ([`MemoryTransaction`]) run READ COMMITTED with row locks, as
//!   PostgreSQL does (`docs/SEMANTICS.md`, "Concurrency"). Each call sees the latest committed
//!   state plus the transaction's own writes (the working state is brought up to date by
//!   replaying the rows it wrote onto the newest committed state, O(rows written)). A write
//!   locks what it touches in a lock table (`locks.rs`) until commit or rollback: rows in
//!   PostgreSQL's four modes (updates, deletes, foreign-key checks, the explicit locks of the
//!   PostgreSQL adapter) and the unique values it writes. A call that meets another
//!   transaction's lock is undone and waits (on a `tokio::sync::Notify`, holding no mutex)
//!   until locks are given back, then runs again on the newer state, reusing the sequence
//!   values it took. A cycle of waits fails the longest waiter with PostgreSQL's deadlock
//!   error. A call dropped while waiting gives back what it locked. Commit cannot conflict:
//!   the rows a transaction wrote are locked by it, so it publishes its working state (O(1)
//!   when nothing else committed meanwhile).
//!
//!   A transaction's working state starts as the committed state (O(1)) and records which
//!   rows it writes. Reads inside see its own writes; others see them after `commit`. A
//!   nested `begin` is a savepoint: it shares the working state and keeps a snapshot to
//!   restore on rollback (giving back the locks taken since); its commit releases it. Dropping a transaction rolls it back. A
//!   failed call inside a transaction leaves no trace and the transaction stays usable
//!   (PostgreSQL needs a savepoint around each call for that).
//! - **Sequences** are per-table atomic counters shared by every transaction and never given
//!   back: every row an INSERT statement attempts takes a value (even if it then fails a
//!   unique or foreign-key check), an upsert always takes one (for deployments and
//!   repositories once their function or parent is found, or else a live row holding the
//!   key is: then only the update branch applies), a
//!   rolled-back transaction keeps its values consumed, and input rejected before any
//!   statement takes none.
//! - **Statements** follow the check order of the rulebook: per row its unique keys in
//!   declaration order, then after all rows of the statement their foreign keys; batches run
//!   in statements of `BATCH_CHUNK_ROWS` rows (one statement per row for deployments, whose
//!   versions, and repositories, whose parents, depend on the rows before them; each statement
//!   of organizations followed by their owners' memberships). The first row that fails names
//!   the batch's error: `InBatch { index, error }` for a key, `InvalidInput.index` otherwise.
//!
//! ## Ordering and collation
//! Sorting compares values as PostgreSQL with `COLLATE "C"`: text by bytes (Rust's `str`
//! order), integers numerically, uuids by their 16 bytes, `false < true`, timestamps
//! chronologically; ascending puts NULLs last, descending puts them first. Every sort is
//! completed by the primary key (`ports::support::effective_sort`), so ties always come out in one
//! order. `Value`'s derived `Ord` (NULL first) is never used for sorting. Filters use SQL
//! three-valued logic: comparisons with NULL are unknown, `NOT unknown` is unknown, and only
//! rows where the filter is true match.
//!
//! ## Layout
//! The same file names as the PostgreSQL adapter for the same roles, one idea per file:
//! - `store.rs`: the public handles, [`MemoryStore`] and [`MemoryTransaction`];
//!   `handle.rs`: `Handle`, the one internal handle that implements every store trait (the
//!   generic surface once in `surface.rs`, the entity-specific methods in `roles.rs`, over
//!   `mapped.rs`); `shared.rs`: the state every handle of one store shares (the committed
//!   state, the lock table, the sequences) and commit; `active.rs`: one open transaction's
//!   state (working state, savepoints, why it refuses calls); `hot.rs`: the committed
//!   state's hash index by uuid.
//! - `crud.rs`: the generic reads and statements, written once over `TableDef`;
//!   `reference.rs`: resolving a `Ref` (a row by id or by uuid);
//!   `table/def.rs`: the `TableDef` trait; `table/<table>.rs`: one file per table.
//! - `ops/`: the domain operations beside the generic surface, one file per idea as in the
//!   PostgreSQL adapter: `ops/users.rs` (profiles), `ops/organizations.rs` (organizations
//!   and members), `ops/functions.rs` (by owner, details, summaries), `ops/deployments.rs`
//!   (insert, active deployment, activation), `ops/events.rs` (statistics, retention),
//!   `ops/repositories.rs` (the repository tree), `ops/grouping.rs` (`group_by`),
//!   `ops/upsert_columns.rs` (`upsert_updating`).
//! - Memory only: `db.rs` (the whole database as one persistent value, the undo log of the
//!   call running on it, a transaction's write set and its replay onto newer states),
//!   `sequences.rs` (the id sequences and a call's replayable view of them),
//!   `foreign_keys.rs` (reference checks and `ON DELETE` actions), `rows.rs` (one table's
//!   rows and indexes as persistent maps), `rows/scan.rs` (query evaluation over them),
//!   `index.rs` (the index maps), `sql.rs` (SQL comparison and three-valued logic),
//!   `locks.rs` (row and key locks, the ones each write takes, waits and deadlocks).

mod active;
mod crud;
mod db;
mod foreign_keys;
mod handle;
mod hot;
mod index;
mod locks;
mod mapped;
mod ops;
mod reference;
mod roles;
mod rows;
mod sequences;
mod shared;
mod sql;
mod store;
mod surface;
mod table;

#[cfg(test)]
mod tests;

pub use store::{MemoryStore, MemoryTransaction};
