//! The unit of work: one set of stores, on the database or inside a transaction.
//!
//! [`Stores`] hands out every entity's store. A database handle and a transaction both
//! implement it, so the same service code runs on either (the seed's `Queryer`):
//!
//! ```text
//! async fn rename<S: Stores + ?Sized>(stores: &S, id: FunctionId, name: EntityName) -> StoreResult<Function> {
//!     stores.functions().update_by_id(id, FunctionPatch { name: Some(name), ..Default::default() }).await
//! }
//!
//! rename(&db, id, name.clone()).await?;          // autocommit
//! let tx = db.begin().await?;
//! rename(&tx, id, name).await?;                  // inside the transaction
//! tx.commit().await?;
//! ```

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use crate::error::{StoreError, StoreResult};
use crate::store_set::StoreSet;
use crate::stores::{
    DeploymentStore, FunctionStore, InvocationStore, LogStore, OrganizationMemberStore,
    OrganizationStore, RepositoryStore, UserInformationStore, UserStore,
};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Every entity's store, bound to one handle (the database, or one transaction).
///
/// An implementation writes two methods: [`Stores::store_set`] (an adapter whose handle
/// serves every entity returns [`StoreSet::of`] it) and [`Stores::consistent`]; the
/// accessors (`users()`, `functions()`, …) are provided.
pub trait Stores: Send + Sync {
    /// Every entity's store at once; each accessor below hands out one of them.
    fn store_set(&self) -> StoreSet<'_>;

    /// `users`
    fn users(&self) -> &dyn UserStore {
        self.store_set().users
    }
    /// `user_information`
    fn user_information(&self) -> &dyn UserInformationStore {
        self.store_set().user_information
    }
    /// `organizations`
    fn organizations(&self) -> &dyn OrganizationStore {
        self.store_set().organizations
    }
    /// `organization_members`
    fn organization_members(&self) -> &dyn OrganizationMemberStore {
        self.store_set().organization_members
    }
    /// `functions`
    fn functions(&self) -> &dyn FunctionStore {
        self.store_set().functions
    }
    /// `function_deployments`
    fn deployments(&self) -> &dyn DeploymentStore {
        self.store_set().deployments
    }
    /// `function_logs`
    fn logs(&self) -> &dyn LogStore {
        self.store_set().logs
    }
    /// `function_invocations`
    fn invocations(&self) -> &dyn InvocationStore {
        self.store_set().invocations
    }
    /// `repositories`
    fn repositories(&self) -> &dyn RepositoryStore {
        self.store_set().repositories
    }

    /// The same stores with read-your-writes: every read through them sees every write
    /// committed before it began, the caller's own included. An adapter that serves reads
    /// from replicas (which may lag) routes these to the primary; a transaction, and an
    /// adapter that is always consistent (the in-memory one), return themselves. Cheap:
    /// nothing is opened.
    ///
    /// ```text
    /// let user = stores.users().insert(new).await?;
    /// let again = stores.consistent().users().find_by_id(user.id).await?; // never stale
    /// ```
    fn consistent(&self) -> &dyn Stores;
}

/// Something transactions can be begun on: the database, or a transaction (then the new one
/// is a savepoint inside it).
#[async_trait]
pub trait UnitOfWork: Stores {
    /// The transaction type.
    type Tx: Transaction;

    /// Begins a transaction (on a transaction: a savepoint). Its stores see its own writes;
    /// others see them only after `commit`. Dropping it without `commit` rolls it back.
    ///
    /// # Errors
    /// `Unavailable` if no connection could be had; `Internal` otherwise.
    async fn begin(&self) -> StoreResult<Self::Tx>;
}

/// An open transaction (or savepoint): the same stores, bound to it.
#[async_trait]
pub trait Transaction: UnitOfWork + Sized + 'static {
    /// Makes every write of the transaction visible at once (a savepoint: releases it into
    /// the enclosing transaction).
    ///
    /// # Errors
    /// `Unavailable` if nothing was committed: the connection was lost before the commit was
    /// sent, the transaction was already rolled back (an earlier call failed in it, a
    /// deadlock), a savepoint begun in it is still open (savepoints end innermost first, see
    /// [`crate::aborted`]), or the commit could not be serialized with a concurrent one.
    /// `Internal` if the transaction has already ended (a savepoint's handle outliving it).
    /// `OutcomeUnknown` if the commit was sent and its reply lost: the writes may be there
    /// (see [`StoreError::OutcomeUnknown`] for a safe retry). `Internal` otherwise.
    async fn commit(self) -> StoreResult<()>;

    /// Discards every write of the transaction (a savepoint: only those made since it
    /// began).
    ///
    /// # Errors
    /// `Unavailable` if the connection was lost (the server rolls back anyway).
    async fn rollback(self) -> StoreResult<()>;
}

/// The closure form of a transaction, for every [`UnitOfWork`].
///
/// The body is an async closure (`async |tx| { … }`): it may borrow from its surroundings
/// (arguments, locals of the caller) and needs no `Box::pin`. The returned future is `Send`
/// whenever the body's is, so a service built on it can run in `tokio::spawn`.
pub trait UnitOfWorkExt: UnitOfWork {
    /// Runs `body` in a new transaction: commits if it returns `Ok`, rolls back if it returns
    /// `Err` (or panics, or the future is dropped).
    ///
    /// ```text
    /// let name = EntityName::new("name", "acme")?;
    /// let org = db.transaction(async |tx| {
    ///     let owner = tx.users().insert(NewUser::parse("ada@example.com")?).await?;
    ///     let (org, _) = tx.organizations().create_with_owner(NewOrganization::new(name.clone(), owner.uuid)).await?;
    ///     Ok::<_, StoreError>(org)
    /// }).await?;
    /// ```
    ///
    /// # Errors
    /// The body's error, or a `StoreError` from `begin`/`commit` converted into `E`.
    fn transaction<T, E, F>(&self, body: F) -> impl Future<Output = Result<T, E>>
    where
        E: From<StoreError>,
        F: AsyncFnOnce(&Self::Tx) -> Result<T, E>,
    {
        async move {
            let tx = self.begin().await?;
            match body(&tx).await {
                Ok(value) => {
                    tx.commit().await?;
                    Ok(value)
                }
                Err(err) => {
                    // The body's error matters more than a failed rollback; the server
                    // discards the transaction either way.
                    let _ = tx.rollback().await;
                    Err(err)
                }
            }
        }
    }

    /// [`UnitOfWorkExt::transaction`], run again while it fails with a retryable error, at
    /// most `attempts` times in all (at least once): each attempt is a new transaction, so a
    /// deadlock victim or a transaction that lost its connection is retried as a whole, never
    /// a call inside it. The last error is returned when the attempts are used up; an error
    /// that is not retryable (`Conflict`, `OutcomeUnknown`, …) is returned at once. There is
    /// no delay between attempts: a retry run at once may cross the same concurrent unit of
    /// work again and deadlock again, so allow a few attempts. `body` may run several times:
    /// it must not have effects outside the transaction that cannot be repeated.
    ///
    /// ```text
    /// let moved = db.transaction_retrying(3, async |tx| {
    ///     tx.functions().update_by_id(a, patch_a.clone()).await?;
    ///     tx.functions().update_by_id(b, patch_b.clone()).await
    /// }).await?;
    /// ```
    ///
    /// # Errors
    /// As [`UnitOfWorkExt::transaction`], for the last attempt.
    fn transaction_retrying<T, E, F>(
        &self,
        attempts: u32,
        body: F,
    ) -> impl Future<Output = Result<T, E>>
    where
        E: From<StoreError> + Retryable,
        F: AsyncFn(&Self::Tx) -> Result<T, E>,
    {
        async move {
            let mut left = attempts.max(1);
            loop {
                left -= 1;
                match self.transaction(async |tx| body(tx).await).await {
                    Err(err) if left > 0 && err.is_retryable() => {}
                    done => return done,
                }
            }
        }
    }
}

impl<U: UnitOfWork + ?Sized> UnitOfWorkExt for U {}

/// An error that may say "retrying may succeed", for
/// [`UnitOfWorkExt::transaction_retrying`].
pub trait Retryable {
    /// Whether running the whole unit of work again may succeed.
    fn is_retryable(&self) -> bool;
}

impl Retryable for StoreError {
    fn is_retryable(&self) -> bool {
        StoreError::is_retryable(self)
    }
}
