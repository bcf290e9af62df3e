//! [`MockDatabase`]: a mocked unit of work whose transactions hand out their own mocks.

use std::sync::Arc;

use async_trait::async_trait;

use super::MockStores;
use crate::error::StoreResult;
use crate::store_set::StoreSet;
use crate::uow::{Stores, Transaction, UnitOfWork};

#[cfg(test)]
mod tests;

/// The generated mock of the transaction lifecycle (a private module, so that mockall's
/// internal modules stay out of the public API and its docs).
mod lifecycle {
    use crate::error::StoreResult;

    mockall::mock! {
        /// `begin`, `commit` and `rollback` of a [`MockDatabase`](super::MockDatabase).
        pub UnitOfWork {
            /// A transaction (or savepoint) is begun.
            pub fn begin(&self) -> StoreResult<()>;
            /// A transaction (or savepoint) is committed.
            pub fn commit(&self) -> StoreResult<()>;
            /// A transaction (or savepoint) is rolled back.
            pub fn rollback(&self) -> StoreResult<()>;
        }
    }

    /// What `expect_begin`, `expect_commit` and `expect_rollback` return.
    pub type Begin = __mock_MockUnitOfWork::__begin::Expectation;
    /// See [`Begin`].
    pub type Commit = __mock_MockUnitOfWork::__commit::Expectation;
    /// See [`Begin`].
    pub type Rollback = __mock_MockUnitOfWork::__rollback::Expectation;
}

/// What a [`MockDatabase`] shares with its open transactions.
struct Shared {
    tx: MockStores,
    lifecycle: lifecycle::MockUnitOfWork,
}

/// A mocked [`UnitOfWork`]: the database handle and its transactions each hand out their own
/// [`MockStores`], so a test tells a call made through the transaction from one made through
/// the handle (a call on the mocks without an expectation panics, naming the method), and
/// `begin`, `commit` and `rollback` are expected (how many times, in which order) and can be
/// made to fail like any mockall expectation.
///
/// Set every expectation before the first `begin`: [`MockDatabase::tx`] and the `expect_*`
/// methods panic while a transaction of this database is open. A transaction begun on a
/// transaction (a savepoint) uses the same transaction mocks and calls `begin` again.
/// Dropping a transaction without `commit` or `rollback` calls neither.
///
/// ```
/// use containerpub_ports::mock::{MockDatabase, testing};
/// use containerpub_ports::{StoreError, Stores, UnitOfWork, UnitOfWorkExt};
///
/// async fn touch<U: UnitOfWork>(db: &U) -> Result<(), StoreError> {
///     db.transaction(async |tx| tx.users().find_by_id(testing::user().id).await.map(drop)).await
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut db = MockDatabase::new();
/// db.expect_committed();
/// db.tx().users.expect_find_by_id().times(1).returning(|_| Ok(None));
/// touch(&db).await.unwrap();
/// # });
/// ```
pub struct MockDatabase {
    handle: MockStores,
    shared: Arc<Shared>,
}

impl Default for MockDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl MockDatabase {
    /// A database without expectations: any store call, `begin`, `commit` or `rollback`
    /// panics until one is set.
    #[must_use]
    pub fn new() -> Self {
        Self {
            handle: MockStores::new(),
            shared: Arc::new(Shared {
                tx: MockStores::new(),
                lifecycle: lifecycle::MockUnitOfWork::new(),
            }),
        }
    }

    /// The mocks called through the database handle, outside any transaction.
    pub fn handle(&mut self) -> &mut MockStores {
        &mut self.handle
    }

    /// The mocks called through a transaction of this database.
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn tx(&mut self) -> &mut MockStores {
        &mut self.shared_mut().tx
    }

    /// Expects a `begin` (times, order, result: a mockall expectation).
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn expect_begin(&mut self) -> &mut lifecycle::Begin {
        self.shared_mut().lifecycle.expect_begin()
    }

    /// Expects a `commit` (times, order, result: a mockall expectation).
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn expect_commit(&mut self) -> &mut lifecycle::Commit {
        self.shared_mut().lifecycle.expect_commit()
    }

    /// Expects a `rollback` (times, order, result: a mockall expectation).
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn expect_rollback(&mut self) -> &mut lifecycle::Rollback {
        self.shared_mut().lifecycle.expect_rollback()
    }

    /// Expects one more transaction that is begun, then committed (both succeed).
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn expect_committed(&mut self) -> &mut Self {
        self.expect_one(true)
    }

    /// Expects one more transaction that is begun, then rolled back (both succeed).
    ///
    /// # Panics
    /// While a transaction of this database is open.
    pub fn expect_rolled_back(&mut self) -> &mut Self {
        self.expect_one(false)
    }

    fn expect_one(&mut self, commit: bool) -> &mut Self {
        let mut order = mockall::Sequence::new();
        self.expect_begin()
            .times(1)
            .in_sequence(&mut order)
            .returning(|| Ok(()));
        if commit {
            self.expect_commit()
                .times(1)
                .in_sequence(&mut order)
                .returning(|| Ok(()));
        } else {
            self.expect_rollback()
                .times(1)
                .in_sequence(&mut order)
                .returning(|| Ok(()));
        }
        self
    }

    fn shared_mut(&mut self) -> &mut Shared {
        Arc::get_mut(&mut self.shared).expect(
            "MockDatabase: set expectations before `begin` (a transaction of it is still open)",
        )
    }
}

/// A transaction of a [`MockDatabase`]: its stores are the database's transaction mocks
/// ([`MockDatabase::tx`]).
pub struct MockTransaction {
    shared: Arc<Shared>,
}

impl MockTransaction {
    /// Calls the expected `begin`; then a transaction (or savepoint) on `shared`'s mocks.
    fn begin_on(shared: &Arc<Shared>) -> StoreResult<Self> {
        shared.lifecycle.begin()?;
        Ok(Self {
            shared: Arc::clone(shared),
        })
    }
}

impl Stores for MockDatabase {
    fn store_set(&self) -> StoreSet<'_> {
        self.handle.store_set()
    }
    fn consistent(&self) -> &dyn Stores {
        self
    }
}

#[async_trait]
impl UnitOfWork for MockDatabase {
    type Tx = MockTransaction;

    async fn begin(&self) -> StoreResult<MockTransaction> {
        MockTransaction::begin_on(&self.shared)
    }
}

impl Stores for MockTransaction {
    fn store_set(&self) -> StoreSet<'_> {
        self.shared.tx.store_set()
    }
    fn consistent(&self) -> &dyn Stores {
        self
    }
}

/// A savepoint: `begin` is called again; the savepoint uses the same transaction mocks.
#[async_trait]
impl UnitOfWork for MockTransaction {
    type Tx = MockTransaction;

    async fn begin(&self) -> StoreResult<MockTransaction> {
        MockTransaction::begin_on(&self.shared)
    }
}

#[async_trait]
impl Transaction for MockTransaction {
    async fn commit(self) -> StoreResult<()> {
        self.shared.lifecycle.commit()
    }

    async fn rollback(self) -> StoreResult<()> {
        self.shared.lifecycle.rollback()
    }
}
