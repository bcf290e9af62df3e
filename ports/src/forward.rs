//! The unit of work through a pointer: `&U`, `Arc<U>`, `Box<U>` (anything that dereferences
//! to a [`Stores`] or a [`UnitOfWork`]) is one too, so a service can hold its store however
//! the application shares it:
//!
//! ```
//! # use std::sync::Arc;
//! # use containerpub_ports::{Stores, UnitOfWork};
//! fn service<U: UnitOfWork>(_: U) {}
//! fn share<U: UnitOfWork + 'static>(db: U) {
//!     let db = Arc::new(db);
//!     service(&*db);            // a reference
//!     service(Arc::clone(&db)); // an Arc
//! }
//! ```

use std::ops::Deref;

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::store_set::StoreSet;
use crate::uow::{Stores, UnitOfWork};

impl<P> Stores for P
where
    P: Deref + Send + Sync,
    P::Target: Stores,
{
    #[inline]
    fn store_set(&self) -> StoreSet<'_> {
        (**self).store_set()
    }
    fn consistent(&self) -> &dyn Stores {
        (**self).consistent()
    }
}

#[async_trait]
impl<P> UnitOfWork for P
where
    P: Deref + Send + Sync,
    P::Target: UnitOfWork,
{
    type Tx = <P::Target as UnitOfWork>::Tx;

    async fn begin(&self) -> StoreResult<Self::Tx> {
        (**self).begin().await
    }
}
