//! The application test kit: what this project's own tests use, for an application's tests.
//!
//! - [`TestDatabase`]: a PostgreSQL database of its own per test, copied from a template the
//!   real migrations built once per test process, dropped when the value is dropped (also when
//!   the test panics). The server is found or started as for this project's tests (see
//!   [`crate::pg`]: `DATABASE_URL`, else `127.0.0.1:5432`, else a throwaway cluster from the
//!   `initdb`/`pg_ctl` on the machine, else a panic saying how to get one).
//! - SQL fixtures from the application's own folder:
//!   [`TestDatabase::load_fixtures_from`] loads `<dir>/<table>.sql` files (a missing file
//!   fails naming its path, see [`FixtureError`]).
//! - [`on_both`]: one line runs a test body on a fresh in-memory store and then on a fresh
//!   PostgreSQL database; the body gets a [`TestStore`], whose `store` is an
//!   `Arc<dyn DynStore>` (a `UnitOfWork`) and whose `clock` is the [`ManualClock`] wired into
//!   it. A failure names the adapter it happened on.
//! - [`fixture`](crate::fixture): validated values and seed rows made through the ports.
//!
//! # Adding it to an application
//! This crate is `containerpub-tests`. The workspace is not published to crates.io (its crates
//! depend on each other by path), so take it as a path or git dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! containerpub-tests = { path = "…/tests" }  # or { git = "…", package = "containerpub-tests" }
//! containerpub-ports = { path = "…/ports" }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! In an async test (`#[tokio::test]`):
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! use std::path::Path;
//!
//! use containerpub_ports::Stores;
//! use containerpub_tests::{fixture, kit};
//!
//! // One body, two runs: a fresh in-memory store, then a fresh PostgreSQL database.
//! kit::on_both(async |t| {
//!     t.clock.set(fixture::at(60)); // the store's clock: stamps are known in advance
//!     let user = fixture::user(&t.store, "new@example.com").await;
//!     assert_eq!(user.created_at, fixture::at(60));
//! })
//! .await;
//!
//! // PostgreSQL with the application's own SQL fixtures, `<dir>/<table>.sql`.
//! let db = kit::TestDatabase::new().await; // migrated, no rows; dropped on drop
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"); // holds users.sql
//! db.load_fixtures_from(&dir, &["users"]).await;
//! let t = kit::TestStore::postgres_on(db).await;
//! let ada = t.store.users().find_by_email(&fixture::email("ada@example.com")).await;
//! assert!(ada.expect("query").is_some());
//! # }
//! ```
//!
//! The body may also return `Result<(), E>` (see [`Outcome`]) to use `?`. For one adapter
//! only: [`TestStore::memory`], [`TestStore::postgres`], or [`on_each`].

mod both;
mod unwind;

pub use both::{Adapter, Outcome, TestStore, on_both, on_each};
pub use containerpub_domain::ManualClock;
pub use containerpub_ports::DynStore;

pub use crate::pg::{FixtureError, TestDatabase};
