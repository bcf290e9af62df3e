//! One test body, run on both adapters: once on a fresh in-memory store, once on a fresh
//! PostgreSQL database, each as an `Arc<dyn DynStore>` with a [`ManualClock`] to drive.

use std::fmt;
use std::sync::Arc;

use containerpub_domain::ManualClock;
use containerpub_memory::MemoryStore;
use containerpub_ports::DynStore;
use containerpub_postgres::PgStore;

use crate::contract::Fixture;
use crate::kit::unwind::catch_panic;
use crate::pg::TestDatabase;

/// The adapter a [`TestStore`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adapter {
    /// The in-memory store (`containerpub-memory`).
    Memory,
    /// The PostgreSQL store (`containerpub-postgres`) on a [`TestDatabase`] of its own.
    Postgres,
}

impl Adapter {
    /// Both adapters, in the order [`on_both`] runs them.
    pub const BOTH: [Adapter; 2] = [Adapter::Memory, Adapter::Postgres];
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Memory => "memory",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// A fresh, empty store for one test: any adapter behind `Arc<dyn DynStore>` (a
/// `UnitOfWork`: stores, `begin`, the `transaction` closure form) and the [`ManualClock`]
/// wired into it, which starts at [`fixture::t0`](crate::fixture::t0).
///
/// Dropping it drops the store and then, on PostgreSQL, its test database.
pub struct TestStore {
    /// The store under test; clone the `Arc` to hand it to a service.
    pub store: Arc<dyn DynStore>,
    /// The store's clock (a clone sharing its time): set or advance it to control every
    /// stamp the store writes.
    pub clock: ManualClock,
    adapter: Adapter,
    /// On PostgreSQL: the fixture keeping the store's database alive (dropped last).
    postgres: Option<Fixture<PgStore>>,
}

impl TestStore {
    /// A fresh in-memory store.
    #[must_use]
    pub fn memory() -> TestStore {
        let fx = Fixture::<MemoryStore>::memory();
        TestStore {
            store: Arc::new(fx.db),
            clock: fx.clock,
            adapter: Adapter::Memory,
            postgres: None,
        }
    }

    /// A PostgreSQL store on a fresh [`TestDatabase::new`] (migrated, no rows).
    ///
    /// # Panics
    /// As [`TestDatabase::new`], or if the store cannot connect.
    pub async fn postgres() -> TestStore {
        Self::postgres_on(TestDatabase::new().await).await
    }

    /// A PostgreSQL store on `database`, e.g. one whose SQL fixtures are loaded already;
    /// the store keeps it alive and it is dropped with the store.
    ///
    /// # Panics
    /// If the store cannot connect.
    pub async fn postgres_on(database: TestDatabase) -> TestStore {
        let fx = Fixture::postgres(database).await;
        TestStore {
            store: Arc::new(fx.db.clone()),
            clock: fx.clock.clone(),
            adapter: Adapter::Postgres,
            postgres: Some(fx),
        }
    }

    /// A fresh store of `adapter` ([`TestStore::memory`] or [`TestStore::postgres`]).
    ///
    /// # Panics
    /// As [`TestStore::postgres`].
    pub async fn new(adapter: Adapter) -> TestStore {
        match adapter {
            Adapter::Memory => Self::memory(),
            Adapter::Postgres => Self::postgres().await,
        }
    }

    /// The adapter behind [`TestStore::store`].
    #[must_use]
    pub fn adapter(&self) -> Adapter {
        self.adapter
    }

    /// The store's database on PostgreSQL (to look at it from outside the store: SQL,
    /// fixtures), `None` on the memory store.
    #[must_use]
    pub fn database(&self) -> Option<&TestDatabase> {
        self.postgres.as_ref()?.test_database()
    }
}

impl fmt::Debug for TestStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestStore")
            .field("adapter", &self.adapter)
            .field("database", &self.database().map(TestDatabase::name))
            .finish_non_exhaustive()
    }
}

/// What a test body may return: `()` (it fails by panicking, as `assert!` does) or a
/// `Result<(), E>` (an `Err` fails the run, as `?` in a test does).
pub trait Outcome {
    /// `None` if the run passed, else why it failed.
    fn failure(self) -> Option<String>;
}

impl Outcome for () {
    fn failure(self) -> Option<String> {
        None
    }
}

impl<E: fmt::Debug> Outcome for Result<(), E> {
    fn failure(self) -> Option<String> {
        self.err().map(|e| format!("returned Err({e:?})"))
    }
}

/// Runs `body` on a fresh [`TestStore`] of each adapter in `adapters`, one after the other;
/// every run happens even if an earlier one failed, and each store (with its database) is
/// dropped before the next run starts.
///
/// # Panics
/// After the last run, if any run panicked or returned an error: the message starts with
/// `the test body failed on <adapters>` and then gives each adapter's outcome (`passed`, or
/// the panic message or error).
pub async fn on_each<F, R>(adapters: &[Adapter], body: F)
where
    F: AsyncFn(&TestStore) -> R,
    R: Outcome,
{
    let mut failed = Vec::new();
    let mut report = String::new();
    for &adapter in adapters {
        let outcome = catch_panic(async {
            let store = TestStore::new(adapter).await;
            body(&store).await.failure()
        })
        .await
        .unwrap_or_else(|panic| Some(format!("panicked: {panic}")));
        match outcome {
            None => report.push_str(&format!("\n  {adapter}: passed")),
            Some(why) => {
                report.push_str(&format!("\n  {adapter}: {why}"));
                failed.push(adapter.to_string());
            }
        }
    }
    if !failed.is_empty() {
        panic!("the test body failed on {}{report}", failed.join(" and "));
    }
}

/// Runs `body` twice: on a fresh in-memory store, then on a fresh PostgreSQL database
/// ([`on_each`] with [`Adapter::BOTH`]).
///
/// ```no_run
/// # async fn example() {
/// use containerpub_ports::Stores;
/// use containerpub_tests::{fixture, kit};
///
/// kit::on_both(async |t| {
///     let user = fixture::user(&t.store, "ada@example.com").await;
///     assert_eq!(user.created_at, fixture::t0());
/// })
/// .await;
/// # }
/// ```
///
/// # Panics
/// As [`on_each`]: naming the adapter(s) whose run failed.
pub async fn on_both<F, R>(body: F)
where
    F: AsyncFn(&TestStore) -> R,
    R: Outcome,
{
    on_each(&Adapter::BOTH, body).await;
}
