//! The role traits of `functions`: [`FunctionReader`], [`FunctionWriter`], [`FunctionStore`].

use async_trait::async_trait;

use containerpub_domain::{Function, FunctionDetails, FunctionSummary, Page, User};

use crate::error::StoreResult;
use crate::fields::FunctionField;
use crate::query::{PageRequest, Query};
use crate::reference::Ref;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `functions`.
#[async_trait]
pub trait FunctionReader: Reader<Function> + UuidReader<Function> {
    /// The functions of one owner (by user id or user uuid), newest first (`created_at`
    /// desc, then id desc). An owner that does not exist has no functions: an empty page
    /// (`total` 0), whichever form names it.
    ///
    /// # Errors
    /// `InvalidInput` for a bad page request (checked whether or not the owner exists).
    async fn find_by_owner(
        &self,
        owner: Ref<User>,
        page: PageRequest,
    ) -> StoreResult<Page<Function>>;

    /// The function (by id or uuid), its owner, and its deployments highest version first;
    /// `None` if there is no such function.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn details(&self, function: Ref<Function>) -> StoreResult<Option<FunctionDetails>>;

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
