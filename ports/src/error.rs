//! The one error type of every store, meaning the same thing in every adapter.

use std::fmt;

use containerpub_domain::{Rule, ValidationError};

pub use crate::catalog::{CheckConstraint, ForeignKey, Table, UniqueKey};

/// Bad input: which field, which rule, and for a batch the index of the offending row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    /// The field (column, or query parameter such as `limit` or `cursor`).
    pub field: &'static str,
    /// The rule it broke.
    pub rule: Rule,
    /// In a batch, the 0-based index of the first offending row.
    pub index: Option<usize>,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.index {
            write!(f, "row {index}: ")?;
        }
        write!(f, "invalid {}: {}", self.field, self.rule)
    }
}

/// Every store method's error.
///
/// The variants mean the same thing in every adapter: for the same calls on the same data, the
/// in-memory and the PostgreSQL stores return equal errors (the messages of `Unavailable` and
/// `Internal` aside).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The row addressed by id (or key) does not exist (or is soft-deleted).
    #[error("{table}: row not found")]
    NotFound {
        /// The table searched.
        table: Table,
    },
    /// A unique key already holds the value.
    #[error("conflict on unique key {key}")]
    Conflict {
        /// The unique key violated.
        key: UniqueKey,
    },
    /// A foreign key points at a row that does not exist.
    #[error("missing reference: {key}")]
    ReferenceMissing {
        /// The foreign key violated.
        key: ForeignKey,
    },
    /// The row cannot be deleted (or re-keyed) while another row references it with
    /// `ON DELETE RESTRICT`.
    #[error("still referenced through {key}")]
    StillReferenced {
        /// The restricting foreign key.
        key: ForeignKey,
    },
    /// The input breaks a rule: field, rule and, for batches, the row index.
    #[error("{0}")]
    InvalidInput(InvalidInput),
    /// A batch (`insert_many`, `append`, `record_many`) failed because of the row at
    /// `index` (0-based, in input order): `error` is what that row broke (`Conflict`,
    /// `ReferenceMissing` or `StillReferenced`). Nothing was written. Which row is named
    /// follows the check order of `docs/SEMANTICS.md`: the first row that fails. Single-row
    /// calls never return it (a bad batch row's `InvalidInput` carries its own `index`).
    #[error("row {index}: {error}")]
    InBatch {
        /// The 0-based index of the failing row in the batch.
        index: usize,
        /// What the row broke.
        error: Box<StoreError>,
    },
    /// The store cannot serve now; retrying later may succeed (connection lost, pool timed
    /// out, statement timeout, serialization failure, deadlock). Inside a transaction, nothing
    /// of it is committed by the failure (see `Transaction::commit`); a deadlock or
    /// serialization failure there rolls the
    /// whole transaction back: retry the whole unit of work
    /// ([`UnitOfWorkExt::transaction_retrying`](crate::UnitOfWorkExt::transaction_retrying)),
    /// not the call.
    #[error("store unavailable (retryable): {message}")]
    Unavailable {
        /// What happened.
        message: String,
    },
    /// The write was sent but its reply never came (the connection died after a `COMMIT`
    /// left): it may or may not have been committed. Not retryable as is, since the writes
    /// may already be there. Reported for the commit of a transaction, the caller's or one a
    /// multi-statement call runs on its own. (A single-statement write outside a transaction
    /// whose connection dies mid-statement is reported as `Unavailable`, although it may
    /// have committed too: the driver cannot tell it from a connection that was already dead;
    /// the same safe retry applies.)
    ///
    /// # Retrying safely
    /// Find out first, or retry in a way that cannot write twice. Inserts carry client-made
    /// uuids (`NewUser::new` draws one; keep the input value and reuse it): running the same
    /// insert again returns `Conflict` on the table's uuid key (or another unique key of the
    /// row) if the first attempt was committed, and inserts the row if it was not, so a
    /// retried unit of work whose inserts all reuse their uuids never writes a row twice. A
    /// read by uuid tells which case happened.
    #[error("outcome unknown (the writes may have been committed): {message}")]
    OutcomeUnknown {
        /// What happened.
        message: String,
    },
    /// A bug or an unexpected state (an unknown error).
    #[error("internal store error: {message}")]
    Internal {
        /// What happened.
        message: String,
    },
    /// A stored row cannot be read as a domain entity: a row this layer did not write (a
    /// database the Dart backend created and nobody adopted, or a row edited by hand). Names
    /// the table, the row by its public key and the column; the read fails as a whole, no row
    /// is skipped. `migration adopt` turns such rows into readable ones.
    #[error("{table} row {}: column {column} cannot be read: {reason}", row_name(*.row))]
    UnreadableRow {
        /// The table read.
        table: Table,
        /// The row's public key: its `uuid` (for `organization_members`, its `user_id`);
        /// `None` if even that column cannot be read. Internal ids are never named.
        row: Option<containerpub_domain::Uuid>,
        /// The column holding the value.
        column: &'static str,
        /// Why the value cannot be read (the type found, NULL, or the domain rule it breaks);
        /// never the value itself.
        reason: String,
    },
}

fn row_name(row: Option<containerpub_domain::Uuid>) -> String {
    row.map_or_else(|| "(unknown)".to_owned(), |uuid| uuid.to_string())
}

impl StoreError {
    /// An `InvalidInput` for `field` breaking `rule`.
    #[must_use]
    pub fn invalid(field: &'static str, rule: Rule) -> Self {
        StoreError::InvalidInput(InvalidInput {
            field,
            rule,
            index: None,
        })
    }

    /// An `Internal` error.
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        StoreError::Internal {
            message: message.into(),
        }
    }

    /// An `Unavailable` error.
    #[must_use]
    pub fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable {
            message: message.into(),
        }
    }

    /// Tags an error with the index of the batch row it came from: an `InvalidInput` gets
    /// its `index` set; a `Conflict`, `ReferenceMissing` or `StillReferenced` is wrapped in
    /// [`StoreError::InBatch`]; every other error (an `InBatch` included) is returned
    /// unchanged.
    #[must_use]
    pub fn at_index(self, index: usize) -> Self {
        match self {
            StoreError::InvalidInput(mut invalid) => {
                invalid.index = Some(index);
                StoreError::InvalidInput(invalid)
            }
            err @ (StoreError::Conflict { .. }
            | StoreError::ReferenceMissing { .. }
            | StoreError::StillReferenced { .. }) => StoreError::InBatch {
                index,
                error: Box::new(err),
            },
            other => other,
        }
    }

    /// The error without its batch row: the error inside an [`StoreError::InBatch`], an
    /// `InvalidInput` without its `index`; every other error unchanged. (What a single-row
    /// call reports for the same failure.)
    #[must_use]
    pub fn without_index(self) -> Self {
        match self {
            StoreError::InBatch { error, .. } => error.without_index(),
            StoreError::InvalidInput(mut invalid) => {
                invalid.index = None;
                StoreError::InvalidInput(invalid)
            }
            other => other,
        }
    }

    /// The batch row the error names, if any (`InBatch`, or an `InvalidInput` with an
    /// index).
    #[must_use]
    pub fn index(&self) -> Option<usize> {
        match self {
            StoreError::InBatch { index, .. } => Some(*index),
            StoreError::InvalidInput(invalid) => invalid.index,
            _ => None,
        }
    }

    /// An `OutcomeUnknown` error.
    #[must_use]
    pub fn outcome_unknown(message: impl Into<String>) -> Self {
        StoreError::OutcomeUnknown {
            message: message.into(),
        }
    }

    /// Whether retrying the same call later may succeed (looks through `InBatch`).
    /// `OutcomeUnknown` is not: see its docs for how to retry it safely.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Unavailable { .. } => true,
            StoreError::InBatch { error, .. } => error.is_retryable(),
            _ => false,
        }
    }

    /// The error for a violated check constraint: the domain rule it stands for.
    #[must_use]
    pub fn check_violation(check: CheckConstraint) -> Self {
        match check {
            CheckConstraint::DeploymentsVersion => {
                StoreError::invalid("version", Rule::TooSmall { min: 1, actual: 0 })
            }
            CheckConstraint::InvocationsDurationMs => {
                StoreError::invalid("duration_ms", Rule::TooSmall { min: 0, actual: -1 })
            }
        }
    }
}

impl From<ValidationError> for StoreError {
    fn from(err: ValidationError) -> Self {
        StoreError::invalid(err.field, err.rule)
    }
}

/// The result of every store method.
pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_round_trip() {
        for key in UniqueKey::ALL {
            assert_eq!(
                UniqueKey::from_constraint_name(key.constraint_name()),
                Some(*key)
            );
            assert!(key.constraint_name().starts_with(key.table().name()));
        }
        for key in ForeignKey::ALL {
            assert_eq!(
                ForeignKey::from_constraint_name(key.constraint_name()),
                Some(*key)
            );
            assert!(key.constraint_name().ends_with("_fkey"));
        }
        assert_eq!(UniqueKey::from_constraint_name("users_pkey"), None);
    }

    #[test]
    fn validation_errors_become_invalid_input_with_index() {
        let err: StoreError = ValidationError::new("email", Rule::Empty).into();
        let err = err.at_index(7);
        assert_eq!(
            err,
            StoreError::InvalidInput(InvalidInput {
                field: "email",
                rule: Rule::Empty,
                index: Some(7)
            })
        );
        assert_eq!(err.to_string(), "row 7: invalid email: must not be empty");
        assert!(!err.is_retryable());
        assert!(StoreError::unavailable("pool timed out").is_retryable());
        assert_eq!(err.index(), Some(7));
        assert_eq!(
            err.without_index(),
            StoreError::invalid("email", Rule::Empty)
        );
    }

    #[test]
    fn constraint_errors_of_batch_rows_are_wrapped_in_in_batch() {
        let conflict = StoreError::Conflict {
            key: UniqueKey::UsersEmail,
        };
        let err = conflict.clone().at_index(15_000);
        assert_eq!(
            err,
            StoreError::InBatch {
                index: 15_000,
                error: Box::new(conflict.clone())
            }
        );
        assert_eq!(
            err.to_string(),
            "row 15000: conflict on unique key users_email_key"
        );
        assert_eq!(err.index(), Some(15_000));
        assert_eq!(err.clone().without_index(), conflict);
        // Tagging twice keeps the first index.
        assert_eq!(err.clone().at_index(3), err);
        for inner in [
            StoreError::ReferenceMissing {
                key: ForeignKey::LogsFunctionId,
            },
            StoreError::StillReferenced {
                key: ForeignKey::OrganizationsOwnerId,
            },
        ] {
            assert!(matches!(
                inner.clone().at_index(0),
                StoreError::InBatch { index: 0, error } if *error == inner
            ));
        }
        for other in [
            StoreError::NotFound {
                table: Table::Users,
            },
            StoreError::unavailable("gone"),
            StoreError::internal("bug"),
        ] {
            assert_eq!(other.clone().at_index(1), other);
            assert_eq!(other.index(), None);
        }
        assert!(!err.is_retryable());
        let wrapped_unavailable = StoreError::InBatch {
            index: 2,
            error: Box::new(StoreError::unavailable("gone")),
        };
        assert!(wrapped_unavailable.is_retryable());
    }
}
