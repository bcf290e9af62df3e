//! The contract suite: what every store adapter must do, written once, run on each adapter.
//!
//! Each scenario is a `pub async fn` taking a [`Fixture`]: a fresh, **empty** set of stores
//! and the [`ManualClock`] wired into it (so every stamp is known in advance). The scenarios
//! only use the ports (`containerpub_ports`), so the very same code checks the in-memory
//! reference model and the PostgreSQL adapter (in the style of object_store's
//! `integration.rs`). [`contract_suite!`](crate::contract_suite) turns the one list of
//! scenarios into one `#[tokio::test]` per scenario for a fixture factory:
//!
//! ```text
//! // tests/tests/it/contract_memory.rs
//! containerpub_tests::contract_suite!(|| async { Fixture::memory() });
//! // tests/tests/it/contract_pg.rs: each scenario on its own fresh database
//! containerpub_tests::contract_suite!(|| async { Fixture::postgres(TestDatabase::new().await).await });
//! ```
//!
//! Adding a scenario: write it as a `pub async fn name<U: ContractStore>(fx: Fixture<U>)` in
//! a file of this folder and add its name to the list in [`contract_suite!`](crate::contract_suite); the test
//! `contract_registry` (in `tests/it`) fails while a scenario of this folder is missing from
//! the list, or the list names one that does not exist.
//!
//! The rules checked are the port docs (`ports/src/stores/`, every `# Errors` sentence) and
//! `docs/SEMANTICS.md`. Scenarios compare whole entities and exact errors; seed rows are made
//! through the store under test (SQL fixtures are for PostgreSQL-only tests).
//!
//! Areas: the generic surface of every entity ([`users_generic`], …), entity operations,
//! queries ([`filter_operators`], [`sort_orders`], …), pagination, constraints and
//! `ON DELETE` actions, sequences and stamps, batches, transactions, and storms of concurrent
//! calls ([`storm_upsert`], …).

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use containerpub_domain::{ManualClock, Timestamp, chrono::TimeDelta};
use containerpub_memory::MemoryStore;
use containerpub_ports::UnitOfWork;
use containerpub_postgres::{PgConfig, PgStore};

use crate::fixture;
use crate::pg::TestDatabase;

mod case_insensitive;
mod constraints;
mod deployments;
mod events;
mod find_or_insert;
mod functions;
mod grouping;
mod organizations;
mod pagination;
mod projection;
mod queries;
mod repositories;
mod repository_parents;
mod seed;
mod storms;
mod surface;
mod transactions;
mod upsert_columns;
mod users;
mod uuid_first;

pub use case_insensitive::*;
pub use constraints::*;
pub use deployments::*;
pub use events::*;
pub use find_or_insert::*;
pub use functions::*;
pub use grouping::*;
pub use organizations::*;
pub use pagination::*;
pub use projection::*;
pub use queries::*;
pub use repositories::*;
pub use repository_parents::*;
pub use storms::*;
pub use transactions::*;
pub use upsert_columns::*;
pub use users::*;
pub use uuid_first::*;

/// The pool size of [`Fixture::postgres`]: room for a storm's [`STORM_TASKS`] transactions,
/// each holding a connection, and two more.
pub const PG_POOL_SIZE: u32 = 34;

/// How long a call of [`Fixture::postgres`]'s store may wait for a pooled connection: far
/// above what a storm needs, so that a busy shared machine cannot turn a queue into an
/// `Unavailable`.
pub const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The bounds a store set must meet to run the contract suite: a [`UnitOfWork`] (its stores
/// and transactions) that can be cloned into spawned tasks.
pub trait ContractStore: UnitOfWork + Clone + 'static {}

impl<T: UnitOfWork + Clone + 'static> ContractStore for T {}

/// What one scenario runs on: a fresh, empty store set and the clock wired into it.
pub struct Fixture<U> {
    /// The store set under test (every table empty, every sequence at 1).
    pub db: U,
    /// The store's clock (a clone sharing its time): set or advance it to control stamps.
    pub clock: ManualClock,
    /// Whatever must live as long as the store (e.g. a test database), dropped after it.
    _guard: Option<Box<dyn Any + Send + Sync>>,
}

impl<U> Fixture<U> {
    /// A fixture with nothing to keep alive beside the store.
    #[must_use]
    pub fn new(db: U, clock: ManualClock) -> Self {
        Self {
            db,
            clock,
            _guard: None,
        }
    }

    /// A fixture that keeps `guard` (e.g. a `TestDatabase`) alive until the scenario ends;
    /// it is dropped after the store.
    #[must_use]
    pub fn with_guard(db: U, clock: ManualClock, guard: impl Any + Send + Sync) -> Self {
        Self {
            db,
            clock,
            _guard: Some(Box::new(guard)),
        }
    }

    /// The test database this fixture keeps alive, if its guard is one (PostgreSQL runs):
    /// for observing it from outside the store under test.
    #[must_use]
    pub fn test_database(&self) -> Option<&TestDatabase> {
        self._guard.as_ref()?.downcast_ref::<TestDatabase>()
    }

    /// The clock's current time.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        containerpub_domain::Clock::now(&self.clock)
    }

    /// Moves the clock one second forward and returns the new time.
    pub fn tick(&self) -> Timestamp {
        self.clock.advance(TimeDelta::seconds(1));
        self.now()
    }

    /// Sets the clock to [`t0`](crate::fixture::t0) plus `seconds` and returns that time.
    pub fn set_clock(&self, seconds: i64) -> Timestamp {
        let at = seed::at(seconds);
        self.clock.set(at);
        at
    }
}

impl Fixture<MemoryStore> {
    /// A fresh, empty in-memory store whose clock is the fixture's [`fixture::start_clock`].
    #[must_use]
    pub fn memory() -> Self {
        let clock = fixture::start_clock();
        Self::new(MemoryStore::with_clock(Arc::new(clock.clone())), clock)
    }
}

impl Fixture<PgStore> {
    /// A PostgreSQL store on `test_db` (a pool of [`PG_POOL_SIZE`], waiting up to
    /// [`PG_ACQUIRE_TIMEOUT`] for a connection) whose clock is the fixture's
    /// [`fixture::start_clock`]; the fixture keeps `test_db` alive.
    ///
    /// # Panics
    /// If the store cannot connect.
    pub async fn postgres(test_db: TestDatabase) -> Self {
        let clock = fixture::start_clock();
        let db = PgStore::connect(
            PgConfig::new(test_db.url())
                .max_connections(PG_POOL_SIZE)
                .acquire_timeout(PG_ACQUIRE_TIMEOUT),
        )
        .await
        .expect("connect to the test database")
        .with_clock(Arc::new(clock.clone()));
        Self::with_guard(db, clock, test_db)
    }
}

/// The names of every contract scenario, in [`contract_suite!`](crate::contract_suite)'s order: the list each run
/// expands to tests, checked against the scenarios defined in this folder.
pub const SCENARIOS: &[&str] = crate::contract_suite!(@names);

/// Expands to one `#[tokio::test]` per contract scenario, each calling
/// `scenario(factory().await).await`, where `factory` is an async function (or a closure
/// returning a future) that builds a fresh [`Fixture`](crate::contract::Fixture).
///
/// ```text
/// containerpub_tests::contract_suite!(|| async { Fixture::memory() });
/// ```
///
/// This is the one list of scenarios: every adapter runs all of them (`@names` gives the
/// list as [`SCENARIOS`]). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! contract_suite {
    (@names) => {
        $crate::contract_suite!(@list names ())
    };
    (@list $what:ident $factory:tt) => {
        $crate::contract_suite! { @$what $factory;
            // The generic surface, per entity.
            users_generic,
            user_information_generic,
            organizations_generic,
            organization_members_generic,
            functions_generic,
            deployments_generic,
            logs_generic,
            invocations_generic,
            repositories_generic,
            // Entity operations.
            users_crud,
            users_upsert,
            users_upsert_with_chosen_columns,
            user_information_profiles,
            users_with_organization,
            organizations_create_with_owner,
            organizations_update_and_upsert,
            organization_members_add_and_remove,
            organization_members_lists_and_moves,
            functions_crud,
            functions_upsert,
            functions_find_by_owner,
            functions_details_and_summaries,
            deployments_versions,
            deployments_activate,
            deployments_upsert,
            deployments_concurrent_versions,
            logs_for_function,
            logs_append_and_retention,
            logs_batch_atomicity,
            invocations_record,
            invocations_stats_match_brute_force,
            invocations_stats_edges,
            repositories_tree,
            repositories_soft_delete,
            repositories_move,
            repositories_upsert,
            repositories_create_with_parents,
            uuid_first_function_reads,
            uuid_first_repository_tree,
            find_or_insert_creates_or_finds,
            find_or_insert_is_race_safe,
            // Queries and pagination.
            filter_operators,
            filter_three_valued_logic,
            filter_literal_text,
            filter_case_insensitive,
            filter_invalid,
            sort_orders,
            offset_pages,
            keyset_walk_with_ties,
            keyset_cursor_errors,
            projections_read_chosen_fields,
            group_by_counts_and_aggregates,
            // Constraints, deletes, sequences, stamps.
            unique_and_foreign_keys,
            constraint_check_order,
            batch_errors_name_their_row,
            delete_cascades_from_user,
            delete_restricted_by_organization_owner,
            sequences_never_give_ids_back,
            stamps_follow_the_clock,
            // Transactions.
            transaction_commit_and_isolation,
            transaction_rollback_and_drop,
            transaction_savepoints,
            transaction_unusable_after_failed_write,
            transaction_closure,
            transaction_shapes,
            transaction_savepoints_end_innermost_first,
            transaction_failed_call_in_a_savepoint,
            // Storms of concurrent calls.
            storm_next_versions,
            storm_next_versions_in_transactions,
            storm_activation,
            storm_activation_in_transactions,
            storm_one_membership,
            storm_one_membership_in_transactions,
            storm_upsert,
            storm_upsert_in_transactions,
            storm_same_function_name,
            storm_same_function_name_in_transactions,
        }
    };
    (@names (); $($scenario:ident),+ $(,)?) => {
        &[$(stringify!($scenario)),+]
    };
    (@tests $factory:expr; $($scenario:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $scenario() {
                $crate::contract::$scenario(($factory)().await).await;
            }
        )+
    };
    ($factory:expr $(,)?) => {
        $crate::contract_suite! { @list tests $factory }
    };
}
