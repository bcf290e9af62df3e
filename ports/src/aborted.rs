//! What a failed call does to the transaction it ran in, the same in every adapter.
//!
//! A write that fails inside a transaction on a constraint of the database (`Conflict`,
//! `ReferenceMissing`, `StillReferenced`, a batch's `InBatch`), or whose written row cannot be
//! read back (`UnreadableRow`), leaves the transaction **unusable**, as a failed statement
//! does in PostgreSQL: the failed call itself wrote nothing, but every later call in that
//! transaction level (reads, writes, savepoints, its `commit`) is refused with
//! [`StoreError::transaction_unusable`] and nothing is committed. Rolling back (or dropping)
//! the level the failure happened in makes the enclosing level usable again; so a write that
//! may fail and after which the unit of work goes on belongs in a nested `begin()`:
//!
//! ```
//! use containerpub_ports::domain::{NewUser, User};
//! use containerpub_ports::{StoreError, StoreResult, Stores, Transaction, UnitOfWork};
//!
//! /// Inserts `new` unless its e-mail is taken; the caller's transaction goes on either way.
//! async fn insert_unless_taken<T: UnitOfWork>(tx: &T, new: NewUser) -> StoreResult<Option<User>> {
//!     let attempt = tx.begin().await?; // a savepoint
//!     match attempt.users().insert(new).await {
//!         Ok(user) => {
//!             attempt.commit().await?;
//!             Ok(Some(user))
//!         }
//!         Err(StoreError::Conflict { .. }) => {
//!             attempt.rollback().await?; // `tx` is usable again
//!             Ok(None)
//!         }
//!         Err(other) => Err(other),
//!     }
//! }
//! ```
//!
//! Errors found before anything is sent (`InvalidInput` from validation) and `NotFound` do
//! not touch the transaction. A deadlock or serialization failure ends it for good: it is
//! rolled back at once (its locks released) and every later call says to retry the whole
//! unit of work ([`StoreError::rolled_back_reason`]).
//!
//! Savepoints end innermost first. Committing or rolling back (or dropping) a savepoint while
//! a savepoint begun after it is still open leaves the whole transaction unusable for good
//! ([`OUT_OF_ORDER_END`]): nothing of it is committed. Once the transaction itself has ended,
//! every handle of it and of its savepoints refuses work with `Internal` ([`TX_ENDED`]);
//! their `rollback` (and drop) does nothing.
//!
//! Keeping the transaction usable after every failed write would cost a savepoint per write
//! (three round trips instead of one on PostgreSQL); `BENCHMARKS.md` (`tx_10_writes_ratio`)
//! has the numbers.

use crate::error::StoreError;

/// The start of the message of every call refused by a transaction that is no longer usable.
pub const TX_UNUSABLE: &str = "transaction is no longer usable: ";

/// The start of the message of a deadlock or serialization failure.
const TX_CONFLICT: &str = "deadlock or serialization failure ";

/// Why a transaction level is unusable after a write call in it was dropped (cancelled)
/// before it finished: the write may still have run.
pub const CANCELLED_WRITE: &str = "a write in it was dropped before it finished (it may have run)";

/// Why a transaction is unusable after one of its savepoints was ended (committed, rolled
/// back or dropped) while a savepoint begun after it was still open.
pub const OUT_OF_ORDER_END: &str = "a savepoint was ended while a savepoint begun after it was still open (end savepoints innermost first)";

/// The message of `Internal` for a call through a handle whose transaction has ended.
pub const TX_ENDED: &str = "the transaction has already ended";

impl StoreError {
    /// Whether this error, returned by a write inside a transaction, leaves that transaction
    /// level unusable (see the [module docs](self)).
    #[must_use]
    pub fn aborts_transaction(&self) -> bool {
        matches!(
            self,
            StoreError::Conflict { .. }
                | StoreError::ReferenceMissing { .. }
                | StoreError::StillReferenced { .. }
                | StoreError::InBatch { .. }
                | StoreError::UnreadableRow { .. }
        )
    }

    /// The refusal of a call in a transaction that is no longer usable, for `reason`
    /// (`Unavailable`: retrying the whole unit of work may succeed; nothing was committed).
    #[must_use]
    pub fn transaction_unusable(reason: &str) -> Self {
        StoreError::unavailable(format!("{TX_UNUSABLE}{reason}; nothing was committed"))
    }

    /// A deadlock (`40P01`) or serialization failure (`40001`) reported by the database as
    /// `message`: `Unavailable`; the transaction it happened in is rolled back and refuses
    /// every later call (retry the whole unit of work).
    #[must_use]
    pub fn transaction_conflict(code: &str, message: &str) -> Self {
        StoreError::unavailable(format!(
            "{TX_CONFLICT}({code}: {message}); the transaction was rolled back: retry the \
             whole unit of work"
        ))
    }

    /// Whether this is a deadlock or serialization failure
    /// ([`StoreError::transaction_conflict`]).
    #[must_use]
    pub fn is_transaction_conflict(&self) -> bool {
        matches!(self, StoreError::Unavailable { message, .. } if message.starts_with(TX_CONFLICT))
    }

    /// The reason a transaction gives after this error failed a call in it.
    #[must_use]
    pub fn failed_reason(&self) -> String {
        format!("a statement failed in it ({})", self.message())
    }

    /// The reason a transaction gives after this error (a deadlock or serialization failure)
    /// made the database roll it back.
    #[must_use]
    pub fn rolled_back_reason(&self) -> String {
        format!(
            "the server rolled it back after a deadlock or serialization failure ({}); retry \
             the whole unit of work",
            self.message()
        )
    }

    /// The error's message: the text of an `Unavailable` or `Internal`, else its `Display`.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            StoreError::Unavailable { message, .. } | StoreError::Internal { message, .. } => {
                message.clone()
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UniqueKey;

    #[test]
    fn constraint_errors_abort_and_validation_errors_do_not() {
        let conflict = StoreError::Conflict {
            key: UniqueKey::UsersEmail,
        };
        assert!(conflict.aborts_transaction());
        assert!(conflict.clone().at_index(3).aborts_transaction());
        assert!(
            !StoreError::invalid("email", containerpub_domain::Rule::Empty).aborts_transaction()
        );
        assert!(!StoreError::unavailable("gone").aborts_transaction());
        assert_eq!(
            StoreError::transaction_unusable(&conflict.failed_reason()).message(),
            format!(
                "transaction is no longer usable: a statement failed in it ({conflict}); \
                 nothing was committed"
            )
        );
    }
}
