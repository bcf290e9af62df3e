//! The one error type of every store, meaning the same thing in every adapter.

use std::fmt;

use containerpub_domain::{Rule, ValidationError};

mod cause;
mod lookup;

pub use crate::catalog::{CheckConstraint, ForeignKey, Table, UniqueKey};
pub use cause::Cause;
pub use lookup::Lookup;

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
/// in-memory and the PostgreSQL stores return equal errors (the messages of `Unavailable`,
/// `OutcomeUnknown` and `Internal` aside).
///
/// # Causes, for logs
/// `Unavailable`, `OutcomeUnknown`, `Internal` and `SchemaMismatch` carry a [`Cause`]: the
/// SQLSTATE the server gave ([`StoreError::sqlstate`]) and the underlying error
/// ([`std::error::Error::source`]). A cause never takes part in equality (see [`Cause`]) and
/// holds nothing private: no internal id, no password, no DETAIL of a server error. Neither
/// `Display` nor `Debug` of any variant prints an internal id or a password.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StoreError {
    /// The row the call addressed does not exist (or is soft-deleted): `key` says how it was
    /// looked up, without private values (see [`Lookup`]).
    NotFound {
        /// The table searched.
        table: Table,
        /// How the row was looked up: by id (its value withheld), by uuid, by a unique key
        /// (named, its value withheld), or a membership by both uuids.
        key: Lookup,
    },
    /// A unique key already holds the value.
    Conflict {
        /// The unique key violated.
        key: UniqueKey,
    },
    /// A foreign key points at a row that does not exist.
    ReferenceMissing {
        /// The foreign key violated.
        key: ForeignKey,
    },
    /// The row cannot be deleted (or re-keyed) while another row references it with
    /// `ON DELETE RESTRICT`.
    StillReferenced {
        /// The restricting foreign key.
        key: ForeignKey,
    },
    /// The input breaks a rule: field, rule and, for batches, the row index.
    InvalidInput(InvalidInput),
    /// A batch (`insert_many`, `append`, `record_many`) failed because of the row at
    /// `index` (0-based, in input order): `error` is what that row broke (`Conflict`,
    /// `ReferenceMissing` or `StillReferenced`). Nothing was written. Which row is named
    /// follows the check order of `docs/SEMANTICS.md`: the first row that fails. Single-row
    /// calls never return it (a bad batch row's `InvalidInput` carries its own `index`).
    InBatch {
        /// The 0-based index of the failing row in the batch.
        index: usize,
        /// What the row broke.
        error: Box<StoreError>,
    },
    /// The store cannot serve now; retrying later may succeed (connection lost or refused,
    /// pool timed out, statement timeout, serialization failure, deadlock). Inside a
    /// transaction, nothing of it is committed by the failure (see `Transaction::commit`); a
    /// deadlock or serialization failure there rolls the
    /// whole transaction back: retry the whole unit of work
    /// ([`UnitOfWorkExt::transaction_retrying`](crate::UnitOfWorkExt::transaction_retrying)),
    /// not the call. Build it with [`StoreError::unavailable`].
    #[non_exhaustive]
    Unavailable {
        /// What happened.
        message: String,
        /// Why, for logs (never compared).
        cause: Cause,
    },
    /// The write was sent but its reply never came (the connection died after a `COMMIT`
    /// left): it may or may not have been committed. Not retryable as is, since the writes
    /// may already be there. Reported for the commit of a transaction, the caller's or one a
    /// multi-statement call runs on its own. (A single-statement write outside a transaction
    /// whose connection dies mid-statement is reported as `Unavailable`, although it may
    /// have committed too: the driver cannot tell it from a connection that was already dead;
    /// the same safe retry applies.) Build it with [`StoreError::outcome_unknown`].
    ///
    /// # Retrying safely
    /// Find out first, or retry in a way that cannot write twice. Inserts carry client-made
    /// uuids (`NewUser::new` draws one; keep the input value and reuse it): running the same
    /// insert again returns `Conflict` on the table's uuid key (or another unique key of the
    /// row) if the first attempt was committed, and inserts the row if it was not, so a
    /// retried unit of work whose inserts all reuse their uuids never writes a row twice. A
    /// read by uuid tells which case happened.
    #[non_exhaustive]
    OutcomeUnknown {
        /// What happened.
        message: String,
        /// Why, for logs (never compared).
        cause: Cause,
    },
    /// A bug or an unexpected state (an unknown error). Build it with
    /// [`StoreError::internal`].
    #[non_exhaustive]
    Internal {
        /// What happened.
        message: String,
        /// Why, for logs (never compared).
        cause: Cause,
    },
    /// The database lacks this layer's schema, or part of it: a table, column or schema the
    /// call needs does not exist (PostgreSQL `42P01`, `42703`, `3F000`). The database was
    /// never migrated, is behind the migrations, or is a foreign one (the Dart backend's,
    /// not adopted). Not retryable. Its `Display` gives the commands that fix it
    /// ([`SCHEMA_FIX`]). Only the PostgreSQL store returns it.
    #[non_exhaustive]
    SchemaMismatch {
        /// What is missing, in the server's words (e.g. `relation "users" does not exist`).
        message: String,
        /// Why, for logs (never compared): the SQLSTATE and the server's message.
        cause: Cause,
    },
    /// A stored row cannot be read as a domain entity: a row this layer did not write (a
    /// database the Dart backend created and nobody adopted, or a row edited by hand). Names
    /// the table, the row by its public key and the column; the read fails as a whole, no row
    /// is skipped. `migration adopt` turns such rows into readable ones.
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

/// The commands that give a database this layer's schema, as [`StoreError::SchemaMismatch`]
/// names them.
pub const SCHEMA_FIX: &str = "for a new database run `cargo run -p containerpub-migration -- up`; \
     for one the Dart backend created, `cargo run -p containerpub-migration -- adopt --dry-run` \
     (then `adopt`, see the README)";

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound { table, key } => write!(f, "{table}: no row found {key}"),
            StoreError::Conflict { key } => write!(f, "conflict on unique key {key}"),
            StoreError::ReferenceMissing { key } => write!(f, "missing reference: {key}"),
            StoreError::StillReferenced { key } => write!(f, "still referenced through {key}"),
            StoreError::InvalidInput(invalid) => write!(f, "{invalid}"),
            StoreError::InBatch { index, error } => write!(f, "row {index}: {error}"),
            StoreError::Unavailable { message, .. } => {
                write!(f, "store unavailable (retryable): {message}")
            }
            StoreError::OutcomeUnknown { message, .. } => write!(
                f,
                "outcome unknown (the writes may have been committed): {message}"
            ),
            StoreError::Internal { message, .. } => write!(f, "internal store error: {message}"),
            StoreError::SchemaMismatch { message, .. } => write!(
                f,
                "the database lacks this layer's schema ({message}): {SCHEMA_FIX}"
            ),
            StoreError::UnreadableRow {
                table,
                row,
                column,
                reason,
            } => write!(
                f,
                "{table} row {}: column {column} cannot be read: {reason}",
                row_name(*row)
            ),
        }
    }
}

/// `source()` is the underlying error of the [`Cause`], if any.
impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause().and_then(Cause::source)
    }
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

    /// A `NotFound` in `table`, looked up by `key`.
    #[must_use]
    pub fn not_found(table: Table, key: Lookup) -> Self {
        StoreError::NotFound { table, key }
    }

    /// An `Internal` error, without a cause (see [`StoreError::with_cause`]).
    #[must_use]
    pub fn internal(message: impl Into<String>) -> Self {
        StoreError::Internal {
            message: message.into(),
            cause: Cause::none(),
        }
    }

    /// An `Unavailable` error, without a cause (see [`StoreError::with_cause`]).
    #[must_use]
    pub fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable {
            message: message.into(),
            cause: Cause::none(),
        }
    }

    /// A `SchemaMismatch`: `message` says what is missing; without a cause (see
    /// [`StoreError::with_cause`]).
    #[must_use]
    pub fn schema_mismatch(message: impl Into<String>) -> Self {
        StoreError::SchemaMismatch {
            message: message.into(),
            cause: Cause::none(),
        }
    }

    /// This error with `cause` (for `Unavailable`, `OutcomeUnknown`, `Internal` and
    /// `SchemaMismatch`; every other error is returned unchanged, since it is an answer of
    /// the domain and has no cause to log).
    #[must_use]
    pub fn with_cause(mut self, new: Cause) -> Self {
        match &mut self {
            StoreError::Unavailable { cause, .. }
            | StoreError::OutcomeUnknown { cause, .. }
            | StoreError::Internal { cause, .. }
            | StoreError::SchemaMismatch { cause, .. } => *cause = new,
            _ => {}
        }
        self
    }

    /// The cause of an `Unavailable`, `OutcomeUnknown`, `Internal` or `SchemaMismatch`
    /// (looks through `InBatch`); `None` for every other error.
    #[must_use]
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            StoreError::Unavailable { cause, .. }
            | StoreError::OutcomeUnknown { cause, .. }
            | StoreError::Internal { cause, .. }
            | StoreError::SchemaMismatch { cause, .. } => Some(cause),
            StoreError::InBatch { error, .. } => error.cause(),
            _ => None,
        }
    }

    /// The SQLSTATE the database server gave for this error, if it came from one (see
    /// [`Cause`]). For logs: match on the variants to decide what to do.
    #[must_use]
    pub fn sqlstate(&self) -> Option<&str> {
        self.cause().and_then(Cause::sqlstate)
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

    /// An `OutcomeUnknown` error, without a cause (see [`StoreError::with_cause`]).
    #[must_use]
    pub fn outcome_unknown(message: impl Into<String>) -> Self {
        StoreError::OutcomeUnknown {
            message: message.into(),
            cause: Cause::none(),
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
                key: Lookup::Id,
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

    #[test]
    fn causes_are_kept_for_logs_and_ignored_by_equality() {
        use std::error::Error as _;
        use std::sync::Arc;

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let caused = StoreError::unavailable("gone").with_cause(
            Cause::none()
                .with_sqlstate("57P01")
                .with_source(Arc::new(io)),
        );
        // Equal to the same error without a cause, and to one with another cause.
        assert_eq!(caused, StoreError::unavailable("gone"));
        assert_eq!(
            caused,
            StoreError::unavailable("gone").with_cause(Cause::none().with_sqlstate("08006"))
        );
        // The message still counts.
        assert_ne!(caused, StoreError::unavailable("other"));
        assert_eq!(caused.sqlstate(), Some("57P01"));
        assert_eq!(
            caused.source().map(ToString::to_string).as_deref(),
            Some("refused")
        );
        assert!(
            caused
                .source()
                .and_then(|e| e.downcast_ref::<std::io::Error>())
                .is_some()
        );
        assert_eq!(caused.to_string(), "store unavailable (retryable): gone");
        let debug = format!("{caused:?}");
        assert!(
            debug.contains("57P01") && debug.contains("refused"),
            "{debug}"
        );
        // Through a batch row, and on the other failure variants.
        let wrapped = StoreError::InBatch {
            index: 0,
            error: Box::new(caused.clone()),
        };
        assert_eq!(wrapped.sqlstate(), Some("57P01"));
        for err in [
            StoreError::internal("bug"),
            StoreError::outcome_unknown("lost"),
            StoreError::schema_mismatch("relation \"users\" does not exist"),
        ] {
            let with = err.clone().with_cause(Cause::none().with_sqlstate("XX000"));
            assert_eq!(with, err);
            assert_eq!(with.sqlstate(), Some("XX000"));
            assert_eq!(err.sqlstate(), None);
            assert!(err.source().is_none());
        }
        // Answers of the domain have no cause.
        let conflict = StoreError::Conflict {
            key: UniqueKey::UsersEmail,
        };
        let still = conflict
            .clone()
            .with_cause(Cause::none().with_sqlstate("23505"));
        assert_eq!(still.sqlstate(), None);
        assert_eq!(still, conflict);
    }

    #[test]
    fn not_found_names_the_key_but_no_private_value() {
        let uuid = containerpub_domain::Uuid::from_u128(0x1234);
        let cases = [
            (Lookup::Id, "users: no row found by id"),
            (
                Lookup::Uuid(uuid),
                "users: no row found by uuid 00000000-0000-0000-0000-000000001234",
            ),
            (
                Lookup::Unique(UniqueKey::UsersEmail),
                "users: no row found by unique key users_email_key",
            ),
        ];
        for (key, display) in cases {
            let err = StoreError::not_found(Table::Users, key);
            assert_eq!(err.to_string(), display);
            assert!(!err.is_retryable());
            assert_eq!(err.sqlstate(), None);
        }
        // `update_by_id(UserId::new(987_654))` fails with `Lookup::Id`: the id is in neither
        // form.
        let err = StoreError::not_found(Table::Users, Lookup::Id);
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(
                !text.contains("987654") && !text.contains("987_654"),
                "{text}"
            );
        }
        assert_eq!(format!("{err:?}"), "NotFound { table: Users, key: Id }");
        let membership = StoreError::not_found(
            Table::OrganizationMembers,
            Lookup::Membership {
                organization: uuid,
                user: uuid,
            },
        );
        assert!(membership.to_string().contains("by organization 0000"));
    }

    #[test]
    fn a_schema_mismatch_gives_the_commands_that_fix_it() {
        let err = StoreError::schema_mismatch("relation \"users\" does not exist");
        let text = err.to_string();
        assert!(text.contains("relation \"users\" does not exist"), "{text}");
        assert!(
            text.contains("cargo run -p containerpub-migration -- up"),
            "{text}"
        );
        assert!(
            text.contains("cargo run -p containerpub-migration -- adopt --dry-run"),
            "{text}"
        );
        assert!(!err.is_retryable());
    }
}
