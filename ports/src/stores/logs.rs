//! The role traits of `function_logs`: [`LogReader`], [`LogWriter`], [`LogStore`].

use async_trait::async_trait;

use containerpub_domain::{LogEntry, NewLog, Timestamp};

use crate::error::StoreResult;
use crate::query::{KeysetRequest, Window};
use crate::stores::{LogQuery, Reader, UuidReader, Writer};

/// Reads `function_logs`.
#[async_trait]
pub trait LogReader: Reader<LogEntry> + UuidReader<LogEntry> {
    /// One keyset window of a function's logs in a time range, optionally of one level
    /// (the same as `find_window` with [`LogQuery::to_filter_and_sort`]).
    ///
    /// # Errors
    /// `InvalidInput` for a bad limit or cursor.
    async fn for_function(
        &self,
        query: LogQuery,
        window: KeysetRequest,
    ) -> StoreResult<Window<LogEntry>>;
}

/// Writes `function_logs` (append-only in practice).
#[async_trait]
pub trait LogWriter: Writer<LogEntry> {
    /// Appends a batch of logs, all or nothing, as fast as the store allows; returns how
    /// many were written. Prefer it to `insert_many` when the rows are not needed back.
    ///
    /// # Errors
    /// `InBatch { index, error }` naming the first row that fails, with `error`
    /// `Conflict` (`function_logs_uuid_key`: the uuid exists, or repeats an earlier row)
    /// or `ReferenceMissing` (`function_logs_function_id_fkey`); `InvalidInput` with the
    /// index of the first bad row; `InvalidInput` (field `rows`) for more than
    /// `MAX_BATCH_ROWS` rows.
    async fn append(&self, logs: Vec<NewLog>) -> StoreResult<u64>;

    /// Deletes every log older than `cutoff` (retention); returns how many.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn delete_older_than(&self, cutoff: Timestamp) -> StoreResult<u64>;
}

/// Reads and writes `function_logs`.
pub trait LogStore: LogReader + LogWriter {}

impl<T: LogReader + LogWriter + ?Sized> LogStore for T {}
