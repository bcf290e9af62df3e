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
use crate::stores::{
    DeploymentStore, FunctionStore, InvocationStore, LogStore, OrganizationMemberStore,
    OrganizationStore, RepositoryStore, UserInformationStore, UserStore,
};

/// A boxed, sendable future (the body of [`UnitOfWorkExt::transaction`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Every entity's store, bound to one handle (the database, or one transaction).
pub trait Stores: Send + Sync {
    /// `users`
    fn users(&self) -> &dyn UserStore;
    /// `user_information`
    fn user_information(&self) -> &dyn UserInformationStore;
    /// `organizations`
    fn organizations(&self) -> &dyn OrganizationStore;
    /// `organization_members`
    fn organization_members(&self) -> &dyn OrganizationMemberStore;
    /// `functions`
    fn functions(&self) -> &dyn FunctionStore;
    /// `function_deployments`
    fn deployments(&self) -> &dyn DeploymentStore;
    /// `function_logs`
    fn logs(&self) -> &dyn LogStore;
    /// `function_invocations`
    fn invocations(&self) -> &dyn InvocationStore;
    /// `repositories`
    fn repositories(&self) -> &dyn RepositoryStore;
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
    /// `Unavailable` if the connection was lost (then nothing was committed) or the commit
    /// could not be serialized with a concurrent one; `Internal` otherwise.
    async fn commit(self) -> StoreResult<()>;

    /// Discards every write of the transaction (a savepoint: only those made since it
    /// began).
    ///
    /// # Errors
    /// `Unavailable` if the connection was lost (the server rolls back anyway).
    async fn rollback(self) -> StoreResult<()>;
}

/// The closure form of a transaction, for every [`UnitOfWork`].
#[async_trait]
pub trait UnitOfWorkExt: UnitOfWork {
    /// Runs `body` in a new transaction: commits if it returns `Ok`, rolls back if it returns
    /// `Err` (or panics, or the future is dropped).
    ///
    /// ```text
    /// let org = db.transaction(|tx| Box::pin(async move {
    ///     let owner = tx.users().insert(NewUser::parse("ada@example.com")?).await?;
    ///     let (org, _) = tx.organizations().create_with_owner(NewOrganization::new(name, owner.uuid)).await?;
    ///     Ok::<_, StoreError>(org)
    /// })).await?;
    /// ```
    ///
    /// # Errors
    /// The body's error, or a `StoreError` from `begin`/`commit` converted into `E`.
    async fn transaction<T, E, F>(&self, body: F) -> Result<T, E>
    where
        T: Send,
        E: From<StoreError> + Send,
        F: for<'t> FnOnce(&'t Self::Tx) -> BoxFuture<'t, Result<T, E>> + Send,
    {
        let tx = self.begin().await?;
        match body(&tx).await {
            Ok(value) => {
                tx.commit().await?;
                Ok(value)
            }
            Err(err) => {
                // The body's error matters more than a failed rollback; the server discards
                // the transaction either way.
                let _ = tx.rollback().await;
                Err(err)
            }
        }
    }
}

impl<U: UnitOfWork + ?Sized> UnitOfWorkExt for U {}
