//! Re-validation of the stored values of one row on reading: a value the domain rejects is
//! `StoreError::UnreadableRow` naming the table, the row's uuid and the column, never a panic.

use std::str::FromStr;

use containerpub_domain::{BoundedText, Email, Name, RepositoryPath, Timestamp, ValidationError};
use containerpub_ports::{StoreError, StoreResult, Table};

/// Re-validation of stored values of one row (its table and public key): every failure is
/// `UnreadableRow`, naming table, row and column.
#[derive(Clone, Copy)]
pub(crate) struct Check(pub(crate) Table, pub(crate) containerpub_domain::Uuid);

impl Check {
    pub(super) fn fail(self, column: &'static str, rule: impl std::fmt::Display) -> StoreError {
        StoreError::UnreadableRow {
            table: self.0,
            row: Some(self.1),
            column,
            reason: format!("the stored value fails validation ({rule})"),
        }
    }

    pub(super) fn wrap<T>(
        self,
        column: &'static str,
        result: Result<T, ValidationError>,
    ) -> StoreResult<T> {
        result.map_err(|e| self.fail(column, e.rule))
    }

    pub(crate) fn ts(
        self,
        column: &'static str,
        at: chrono::NaiveDateTime,
    ) -> StoreResult<Timestamp> {
        self.wrap(column, Timestamp::from_naive_utc(column, at))
    }

    pub(super) fn opt_ts(
        self,
        column: &'static str,
        at: Option<chrono::NaiveDateTime>,
    ) -> StoreResult<Option<Timestamp>> {
        at.map(|at| self.ts(column, at)).transpose()
    }

    pub(super) fn text<const N: usize>(
        self,
        column: &'static str,
        value: String,
    ) -> StoreResult<BoundedText<N>> {
        self.wrap(column, BoundedText::new(column, value))
    }

    pub(super) fn opt_text<const N: usize>(
        self,
        column: &'static str,
        value: Option<String>,
    ) -> StoreResult<Option<BoundedText<N>>> {
        value.map(|v| self.text(column, v)).transpose()
    }

    pub(super) fn name<const N: usize>(
        self,
        column: &'static str,
        value: String,
    ) -> StoreResult<Name<N>> {
        self.wrap(column, Name::new(column, value))
    }

    pub(super) fn word<E: FromStr<Err = ValidationError>>(
        self,
        column: &'static str,
        value: &str,
    ) -> StoreResult<E> {
        self.wrap(column, value.parse())
    }

    pub(crate) fn email(self, column: &'static str, value: &str) -> StoreResult<Email> {
        let email = self.wrap(column, Email::parse(value))?;
        if email.as_str() != value {
            return Err(self.fail(column, "not stored trimmed and lowercased"));
        }
        Ok(email)
    }

    pub(crate) fn path(self, column: &'static str, value: &str) -> StoreResult<RepositoryPath> {
        self.wrap(column, RepositoryPath::parse(value))
    }
}
