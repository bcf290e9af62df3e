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
//!   unique key) are O(log n) or better, never scans.
//! - **Each call is atomic.** A write call runs in place on the state it writes (the
//!   committed state under one short mutex outside a transaction, so those calls are
//!   serialised; the transaction's working state inside one), keeping an undo log of the
//!   rows it changed: if it fails (or panics) the rows are put back and the indexes follow,
//!   so it leaves no trace. No lock is held across an `.await` (nothing awaits inside).
//! - **Transactions** ([`MemoryTransaction`]) start from a snapshot of the committed state
//!   (O(1)) and record which rows they write. Reads inside see their own writes; others see
//!   them after `commit`. At commit, if nothing else was committed since the snapshot, the
//!   working state is swapped in (O(1)). Otherwise it is merged into the newer committed
//!   state: a row the transaction wrote that another commit changed since its snapshot is a
//!   serialization failure (`Unavailable`, retryable); else its rows are applied and their
//!   unique and foreign keys checked again (`Conflict`, `ReferenceMissing`), and the rows
//!   referencing rows it deleted get their `ON DELETE` action (`StillReferenced` for
//!   `RESTRICT`). On error nothing is published. Inserting a deployment locks its function
//!   (PostgreSQL's `SELECT … FOR UPDATE`), which here counts as a write of the function row.
//!   A nested `begin` is a savepoint: it shares the working state and keeps a snapshot to
//!   restore on rollback; its commit releases it. Dropping a transaction rolls it back. A
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
//! completed by the primary key (`ports::effective_sort`), so ties always come out in one
//! order. `Value`'s derived `Ord` (NULL first) is never used for sorting. Filters use SQL
//! three-valued logic: comparisons with NULL are unknown, `NOT unknown` is unknown, and only
//! rows where the filter is true match.

mod db;
mod engine;
mod grouping;
mod handle;
mod index;
mod locks;
mod ops;
mod schema;
mod specs;
mod sql;
mod stores;
mod table;
mod upsert_columns;

#[cfg(test)]
mod tests;

pub use handle::{MemoryStore, MemoryTransaction};
