//! Batch limits: how many rows one statement and one call take.

use crate::error::{StoreError, StoreResult};

/// Rows per statement when a batch is written (keeps every statement far below PostgreSQL's
/// 65,535 bind parameters, and fixes the constraint-check order for both adapters).
pub const BATCH_CHUNK_ROWS: usize = 5_000;

/// The most rows one batch call (`insert_many`, `append`, `record_many`) takes; a larger
/// batch is `InvalidInput` (field `rows`, rule `TooLarge`) before anything is written.
pub const MAX_BATCH_ROWS: usize = 100_000;

/// `Ok` for a batch of at most [`MAX_BATCH_ROWS`] rows (both adapters check with it first).
///
/// # Errors
/// `InvalidInput` (field `rows`, rule `TooLarge`) for a larger batch.
pub fn check_batch_len(len: usize) -> StoreResult<()> {
    if len > MAX_BATCH_ROWS {
        return Err(StoreError::invalid(
            "rows",
            containerpub_domain::Rule::TooLarge {
                max: i64::try_from(MAX_BATCH_ROWS).unwrap_or(i64::MAX),
                actual: i64::try_from(len).unwrap_or(i64::MAX),
            },
        ));
    }
    Ok(())
}
