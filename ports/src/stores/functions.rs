//! The role traits of `functions`: [`FunctionReader`], [`FunctionWriter`], [`FunctionStore`].

use async_trait::async_trait;

use containerpub_domain::{Function, FunctionDetails, FunctionId, FunctionSummary, Page, UserId};

use crate::error::StoreResult;
use crate::fields::FunctionField;
use crate::query::{PageRequest, Query};
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `functions`.
#[async_trait]
pub trait FunctionReader: Reader<Function> + UuidReader<Function> {
    /// The functions of one owner, newest first (`created_at` desc, then id desc).
    ///
    /// # Errors
    /// `InvalidInput` for a bad page request.
    async fn find_by_owner(&self, owner: UserId, page: PageRequest) -> StoreResult<Page<Function>>;

    /// The function, its owner, and its deployments highest version first.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn details(&self, id: FunctionId) -> StoreResult<Option<FunctionDetails>>;

    /// The functions matching `query`, each with its owner's e-mail and its number of
    /// deployments (the seed's join query), in the query's order.
    ///
    /// # Errors
    /// `InvalidInput` as for `find_all`.
    async fn summaries(&self, query: Query<FunctionField>) -> StoreResult<Vec<FunctionSummary>>;
}

/// Writes `functions`. Deleting one cascades to its deployments, logs and invocations.
/// The active deployment changes only through [`DeploymentWriter::activate`](crate::DeploymentWriter::activate).
pub trait FunctionWriter: Writer<Function> {}

impl<T: Writer<Function> + ?Sized> FunctionWriter for T {}

/// Reads and writes `functions`.
pub trait FunctionStore: FunctionReader + FunctionWriter {}

impl<T: FunctionReader + FunctionWriter + ?Sized> FunctionStore for T {}
