//! The one place where database errors become [`StoreError`]s.
//!
//! | PostgreSQL / driver                                   | `StoreError`                          |
//! |-------------------------------------------------------|---------------------------------------|
//! | `23505` unique violation                              | `Conflict { key }` (by constraint)    |
//! | `23503` foreign-key violation, on insert/update       | `ReferenceMissing { key }`            |
//! | `23503` foreign-key violation, on delete              | `StillReferenced { key }`             |
//! | `23514` check violation                               | `StoreError::check_violation(check)`  |
//! | `23502` NOT NULL violation (only in a database nobody adopted: the schema's NOT NULL columns are required by the domain) | `InvalidInput` naming the column, `Rule::Invariant` |
//! | `57014` statement timeout / cancel, `25P03` idle-in-transaction timeout, `40001`, `40P01`, `57P01`–`57P03`, class `08`, `53300` | `Unavailable` |
//! | `0A000` "cached plan must not change result type" (raw `SELECT *` after an online schema change) | `Unavailable`; the pool replaces the connections opened before it (`crate::stale_plans`) |
//! | `COMMIT` of a top-level transaction failing other than by a server error (connection lost) | `OutcomeUnknown` |
//! | pool timed out or closed, I/O and TLS errors, lost connection | `Unavailable`                 |
//! | `42P01` undefined table, `42703` undefined column, `3F000` undefined schema, in a statement of the adapter's (not raw SQL) | `SchemaMismatch` (the database lacks the schema; its `Display` gives the migration commands) |
//! | a constraint name this crate does not know            | `Internal`, naming the constraint     |
//! | anything else                                         | `Internal`                            |
//!
//! Every `Unavailable`, `Internal` and `SchemaMismatch` mapped from a server error carries
//! its SQLSTATE and primary message as its cause (`StoreError::sqlstate`, and a
//! `ServerError` as `std::error::Error::source`), never its DETAIL; one mapped from an I/O
//! or TLS error or the pool carries the sqlx error as its source. Neither affects equality.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use containerpub_ports::{Cause, CheckConstraint, ForeignKey, StoreError, UniqueKey};
use sea_orm::{DbErr, RuntimeErr, sqlx};

/// What the failing statement was doing: decides how a foreign-key violation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Reads, and statements that cannot violate a foreign key.
    Read,
    /// INSERT or UPDATE: a violated foreign key means the referenced row is missing.
    Write,
    /// DELETE: a violated foreign key means an `ON DELETE RESTRICT` row still references it.
    Delete,
    /// Raw SQL of the caller's: a violated foreign key reads as for `Write`; an undefined
    /// table or column is the caller's SQL, not a database without the schema (`Internal`,
    /// not `SchemaMismatch`).
    Raw,
}

/// Maps a SeaORM error to the store error it stands for.
pub(crate) fn map_db_err(err: DbErr, op: Op) -> StoreError {
    match &err {
        DbErr::ConnectionAcquire(e) => {
            StoreError::unavailable(format!("{}: {e}", crate::connect_failure::NO_CONNECTION))
        }
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            let mapped = map_sqlx_err(e.deref(), op);
            if is_driver_error(e) {
                mapped.with_cause(Cause::none().with_source(Arc::clone(e) as _))
            } else {
                mapped
            }
        }
        DbErr::Conn(e) => StoreError::unavailable(format!("database connection failed: {e}")),
        // A statement refused by a caller's transaction that is no longer usable.
        DbErr::Custom(message) if message.starts_with(crate::conn::UNUSABLE) => {
            StoreError::unavailable(message.clone())
        }
        // A statement through a handle whose transaction has ended.
        DbErr::Custom(message) if message == containerpub_ports::TX_ENDED => {
            StoreError::internal(message.clone())
        }
        _ => StoreError::internal(format!("database error: {err}")),
    }
}

/// Whether a sqlx error may be kept whole as a cause's source: an I/O or TLS error, the pool
/// timing out or closed, the worker crashed. Not a server error (its DETAIL can hold key
/// values: only its SQLSTATE and primary message are kept, [`ServerError`]), nor a
/// configuration or decoding error (which may echo a URL or a value).
fn is_driver_error(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    )
}

/// The cause kept of a server error: its SQLSTATE and primary message, nothing else (never
/// the DETAIL, HINT, WHERE or the values of the row: they can hold key values, internal ids
/// among them). The source of the [`Cause`] of every store error that maps one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerError {
    /// The SQLSTATE (five characters).
    pub(crate) code: String,
    /// The server's primary message.
    pub(crate) message: String,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.message, self.code)
    }
}

impl std::error::Error for ServerError {}

/// Maps a sqlx error (reached inside a `DbErr`).
pub(crate) fn map_sqlx_err(err: &sqlx::Error, op: Op) -> StoreError {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            if code == "23502" {
                let column = db
                    .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    .and_then(sqlx::postgres::PgDatabaseError::column);
                return not_null_violation(column);
            }
            map_database_error(code, db.constraint(), db.message(), op)
        }
        sqlx::Error::Io(e) => StoreError::unavailable(format!("database connection lost: {e}")),
        sqlx::Error::Tls(e) => StoreError::unavailable(format!("database TLS error: {e}")),
        sqlx::Error::PoolTimedOut => StoreError::unavailable(POOL_TIMED_OUT),
        sqlx::Error::PoolClosed => StoreError::unavailable("the connection pool is closed"),
        sqlx::Error::WorkerCrashed => StoreError::unavailable("the database worker crashed"),
        other => StoreError::internal(format!("database driver error: {other}")),
    }
}

/// The message of `Unavailable` when the pool gave no connection within its acquire timeout
/// (all in use, or connecting failed: see `crate::connect_failure`).
pub(crate) const POOL_TIMED_OUT: &str = "timed out waiting for a database connection";

/// Maps a server error by SQLSTATE and constraint name. The errors that report a failure of
/// the store (`Unavailable`, `Internal`, `SchemaMismatch`) carry the SQLSTATE and the
/// server's primary message as their cause ([`ServerError`]).
pub(crate) fn map_database_error(
    code: &str,
    constraint: Option<&str>,
    message: &str,
    op: Op,
) -> StoreError {
    map_database_code(code, constraint, message, op).with_cause(
        Cause::none()
            .with_sqlstate(code)
            .with_source(Arc::new(ServerError {
                code: code.to_owned(),
                message: message.to_owned(),
            })),
    )
}

/// [`map_database_error`] without the cause.
fn map_database_code(code: &str, constraint: Option<&str>, message: &str, op: Op) -> StoreError {
    match code {
        "23505" => match constraint.and_then(UniqueKey::from_constraint_name) {
            Some(key) => StoreError::Conflict { key },
            None => unknown_constraint("unique", constraint, message),
        },
        "23503" => match constraint.and_then(ForeignKey::from_constraint_name) {
            Some(key) if op == Op::Delete => StoreError::StillReferenced { key },
            Some(key) => StoreError::ReferenceMissing { key },
            None => unknown_constraint("foreign key", constraint, message),
        },
        "23514" => match constraint.and_then(CheckConstraint::from_constraint_name) {
            Some(check) => StoreError::check_violation(check),
            None => unknown_constraint("check", constraint, message),
        },
        // Serialization failure, deadlock: the server rolls back the statement, and inside a
        // caller's transaction the adapter rolls back the whole transaction (`crate::conn`).
        "40001" | "40P01" => StoreError::transaction_conflict(code, message),
        // Undefined table, column or schema in a statement of the adapter's own: the database
        // lacks the schema (never migrated, behind the migrations, or the Dart backend's).
        "42P01" | "42703" | "3F000" if op != Op::Raw => StoreError::schema_mismatch(message),
        "57014" => StoreError::unavailable(format!("{STATEMENT_TIMEOUT}({code}): {message}")),
        // A statement prepared before an online schema change (raw `SELECT *`): the pool
        // replaces the connections opened before now, so a retry succeeds.
        "0A000" if message.contains(crate::stale_plans::STALE_PLAN) => {
            crate::stale_plans::record();
            StoreError::unavailable(format!(
                "{code}: {message} (a table changed since this statement was prepared on its \
                 connection; connections opened before the change are being replaced: retry)"
            ))
        }
        // the idle-in-transaction timeout (the server ended the session: nothing of its
        // transaction was committed), shutdowns, cannot connect now, too many connections,
        // and the whole connection-exception class.
        "25P03" | "57P01" | "57P02" | "57P03" | "53300" => {
            StoreError::unavailable(format!("database unavailable ({code}): {message}"))
        }
        c if c.starts_with("08") => {
            StoreError::unavailable(format!("database connection error ({code}): {message}"))
        }
        _ => StoreError::internal(format!("database error {code}: {message}")),
    }
}

/// What `InvalidInput` says about a NOT NULL violation.
pub(crate) const NOT_NULL_RULE: &str =
    "required by this database (NOT NULL), although the schema allows none: adopt the database";

/// A NOT NULL violation: `InvalidInput` naming the column (as one of the schema's column
/// names; `(unknown column)` for a column this crate does not map).
fn not_null_violation(column: Option<&str>) -> StoreError {
    use sea_orm::{IdenStatic, Iterable};

    use crate::entity::{
        deployment, function, invocation, log, member, organization, profile, repository, user,
    };
    fn names<C: Iterable + IdenStatic>() -> impl Iterator<Item = &'static str> {
        C::iter().map(|c| c.as_str())
    }
    let field = column
        .and_then(|column| {
            names::<user::Column>()
                .chain(names::<profile::Column>())
                .chain(names::<organization::Column>())
                .chain(names::<member::Column>())
                .chain(names::<function::Column>())
                .chain(names::<deployment::Column>())
                .chain(names::<log::Column>())
                .chain(names::<invocation::Column>())
                .chain(names::<repository::Column>())
                .find(|name| *name == column)
        })
        .unwrap_or("(unknown column)");
    StoreError::invalid(field, containerpub_domain::Rule::Invariant(NOT_NULL_RULE))
}

/// The start of the message of a statement cancelled by `statement_timeout` (or a cancel
/// request) ([`is_statement_timeout`]).
pub(crate) const STATEMENT_TIMEOUT: &str = "statement timeout or cancel ";

/// Whether `err` is a statement stopped by `statement_timeout` (`57014`): the statement's own
/// doing, not the server's health.
pub(crate) fn is_statement_timeout(err: &StoreError) -> bool {
    matches!(err, StoreError::Unavailable { message, .. } if message.starts_with(STATEMENT_TIMEOUT))
}

/// Maps the error of a top-level `COMMIT`: an answer of the server (a serialization failure,
/// a deferred constraint) means nothing was committed and maps as usual; any other failure
/// (the connection died, the reply was garbled) came after the `COMMIT` may have been sent,
/// so the outcome is unknown.
pub(crate) fn map_commit_err(err: DbErr) -> StoreError {
    let from_server = match &err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(e.deref(), sqlx::Error::Database(_))
        }
        _ => false,
    };
    if from_server {
        return map_db_err(err, Op::Write);
    }
    let mapped = map_db_err(err, Op::Write);
    let cause = mapped.cause().cloned().unwrap_or_default();
    StoreError::outcome_unknown(format!(
        "the connection failed after COMMIT was sent, before its reply ({})",
        mapped.message()
    ))
    .with_cause(cause)
}

fn unknown_constraint(kind: &str, constraint: Option<&str>, message: &str) -> StoreError {
    StoreError::internal(format!(
        "{kind} violation on unknown constraint {}: {message}",
        constraint.unwrap_or("<unnamed>")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_violations_map_by_name_and_operation() {
        assert_eq!(
            map_database_error("23505", Some("users_email_key"), "dup", Op::Write),
            StoreError::Conflict {
                key: UniqueKey::UsersEmail
            }
        );
        assert_eq!(
            map_database_error("23503", Some("functions_user_id_fkey"), "fk", Op::Write),
            StoreError::ReferenceMissing {
                key: ForeignKey::FunctionsUserId
            }
        );
        assert_eq!(
            map_database_error(
                "23503",
                Some("organizations_owner_id_fkey"),
                "fk",
                Op::Delete
            ),
            StoreError::StillReferenced {
                key: ForeignKey::OrganizationsOwnerId
            }
        );
        assert_eq!(
            map_database_error(
                "23514",
                Some("function_invocations_duration_ms_check"),
                "chk",
                Op::Write
            ),
            StoreError::check_violation(CheckConstraint::InvocationsDurationMs)
        );
    }

    #[test]
    fn unknown_constraints_are_internal_and_named() {
        let err = map_database_error("23505", Some("users_pkey"), "dup", Op::Write);
        assert!(
            matches!(&err, StoreError::Internal { message, .. } if message.contains("users_pkey")),
            "{err:?}"
        );
        let err = map_database_error("23503", None, "fk", Op::Write);
        assert!(matches!(err, StoreError::Internal { .. }));
    }

    #[test]
    fn transient_failures_are_unavailable() {
        for code in [
            "57014", "25P03", "40001", "40P01", "57P01", "57P03", "08006", "53300",
        ] {
            assert!(
                map_database_error(code, None, "x", Op::Read).is_retryable(),
                "{code}"
            );
        }
        assert!(!map_database_error("42601", None, "syntax", Op::Read).is_retryable());
        assert!(map_sqlx_err(&sqlx::Error::PoolTimedOut, Op::Read).is_retryable());
        assert!(
            map_db_err(
                DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
                Op::Read
            )
            .is_retryable()
        );
        assert!(!map_sqlx_err(&sqlx::Error::RowNotFound, Op::Read).is_retryable());
    }

    #[test]
    fn deadlocks_and_serialization_failures_say_retry_the_unit_of_work() {
        for code in ["40001", "40P01"] {
            let err = map_database_error(code, None, "deadlock detected", Op::Write);
            assert!(err.is_transaction_conflict(), "{err:?}");
            assert!(err.is_retryable());
            assert!(
                err.to_string().contains("retry the whole unit of work"),
                "{err}"
            );
        }
        assert!(!StoreError::is_transaction_conflict(&map_database_error(
            "57014",
            None,
            "x",
            Op::Read
        )));
    }

    #[test]
    fn a_commit_without_a_server_answer_is_outcome_unknown() {
        let lost = DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
        ))));
        let err = map_commit_err(lost);
        assert!(matches!(err, StoreError::OutcomeUnknown { .. }), "{err:?}");
        assert!(!err.is_retryable());
        // Any failure other than an answer of the server is unknown.
        let custom = map_commit_err(DbErr::Custom("x".to_owned()));
        assert!(
            matches!(custom, StoreError::OutcomeUnknown { .. }),
            "{custom:?}"
        );
    }
}
