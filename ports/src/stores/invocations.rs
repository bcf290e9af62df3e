//! The role traits of `function_invocations`: [`InvocationReader`], [`InvocationWriter`], [`InvocationStore`].

use async_trait::async_trait;

use containerpub_domain::{Function, FunctionStats, Invocation, NewInvocation, Timestamp};

use crate::error::StoreResult;
use crate::reference::Ref;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `function_invocations`.
#[async_trait]
pub trait InvocationReader: Reader<Invocation> + UuidReader<Invocation> {
    /// Statistics of the function's (by id or uuid) invocations at or after `since`: counts
    /// per status, average, maximum and continuous p50/p95/p99 durations, with the
    /// function's internal id. `None` if there is no such function (a function without
    /// invocations has statistics: zero counts, no durations).
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn stats(
        &self,
        function: Ref<Function>,
        since: Timestamp,
    ) -> StoreResult<Option<FunctionStats>>;
}

/// Writes `function_invocations`.
#[async_trait]
pub trait InvocationWriter: Writer<Invocation> {
    /// Records one invocation (the same as `insert`).
    ///
    /// # Errors
    /// `ReferenceMissing` (`function_invocations_function_id_fkey`); `Conflict`
    /// (`function_invocations_uuid_key`).
    async fn record(&self, invocation: NewInvocation) -> StoreResult<Invocation>;

    /// Records a batch, all or nothing; returns how many were written.
    ///
    /// # Errors
    /// `InBatch { index, error }` naming the first row that fails, with the error
    /// `record` would give for it; `InvalidInput` with the index of the first bad row;
    /// `InvalidInput` (field `rows`) for more than `MAX_BATCH_ROWS` rows.
    async fn record_many(&self, invocations: Vec<NewInvocation>) -> StoreResult<u64>;
}

/// Reads and writes `function_invocations`.
pub trait InvocationStore: InvocationReader + InvocationWriter {}

impl<T: InvocationReader + InvocationWriter + ?Sized> InvocationStore for T {}
