//! Any adapter behind one trait object, for applications that choose their store at run
//! time: `Arc<dyn DynStore>` is a [`UnitOfWork`] whose transactions are
//! `Box<dyn DynTransaction>`, so the same service code takes it, and the
//! [`UnitOfWorkExt`](crate::UnitOfWorkExt) closure form works on it unchanged.
//!
//! ```
//! # use std::sync::Arc;
//! # use containerpub_ports::{DynStore, UnitOfWork};
//! fn pick<P: UnitOfWork + 'static, M: UnitOfWork + 'static>(production: bool, pg: P, memory: M) -> Arc<dyn DynStore> {
//!     if production { Arc::new(pg) } else { Arc::new(memory) }
//! }
//! ```

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::uow::{Stores, Transaction, UnitOfWork};

/// A [`UnitOfWork`] as a trait object (implemented for every unit of work).
#[async_trait]
pub trait DynStore: Stores {
    /// [`UnitOfWork::begin`], its transaction boxed.
    ///
    /// # Errors
    /// As [`UnitOfWork::begin`].
    async fn begin_dyn(&self) -> StoreResult<Box<dyn DynTransaction>>;
}

/// A [`Transaction`] as a trait object (implemented for every transaction).
#[async_trait]
pub trait DynTransaction: DynStore {
    /// [`Transaction::commit`].
    ///
    /// # Errors
    /// As [`Transaction::commit`].
    async fn commit_dyn(self: Box<Self>) -> StoreResult<()>;

    /// [`Transaction::rollback`].
    ///
    /// # Errors
    /// As [`Transaction::rollback`].
    async fn rollback_dyn(self: Box<Self>) -> StoreResult<()>;
}

#[async_trait]
impl<U: UnitOfWork> DynStore for U {
    async fn begin_dyn(&self) -> StoreResult<Box<dyn DynTransaction>> {
        Ok(Box::new(self.begin().await?))
    }
}

#[async_trait]
impl<T: Transaction> DynTransaction for T {
    async fn commit_dyn(self: Box<Self>) -> StoreResult<()> {
        (*self).commit().await
    }

    async fn rollback_dyn(self: Box<Self>) -> StoreResult<()> {
        (*self).rollback().await
    }
}

#[async_trait]
impl UnitOfWork for dyn DynStore {
    type Tx = Box<dyn DynTransaction>;

    async fn begin(&self) -> StoreResult<Self::Tx> {
        self.begin_dyn().await
    }
}

#[async_trait]
impl UnitOfWork for dyn DynTransaction {
    type Tx = Box<dyn DynTransaction>;

    async fn begin(&self) -> StoreResult<Self::Tx> {
        self.begin_dyn().await
    }
}

#[async_trait]
impl Transaction for Box<dyn DynTransaction> {
    async fn commit(self) -> StoreResult<()> {
        self.commit_dyn().await
    }

    async fn rollback(self) -> StoreResult<()> {
        self.rollback_dyn().await
    }
}
