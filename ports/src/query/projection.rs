//! Projections: read only chosen fields of an entity (the seed's `select([...])`).
//!
//! `select`, `select_page` and `select_window` take the same query, page or window as
//! `find_all`, `find_page` and `find_window`, plus a non-empty list of fields, and give for
//! each row the values of those fields, in list order (a field may repeat). They return the
//! same rows in the same order, the same totals and the very same cursors as their
//! whole-row counterparts; only the columns read differ (a listing of functions then does
//! not read `analysis_result`).

use std::sync::Arc;

use containerpub_domain::Rule;

use crate::error::{StoreError, StoreResult};
use crate::query::{Field, Sort, Value};
use crate::support::Record;

/// One projected row: the values of the requested fields, in request order.
pub type Row = Vec<Value>;

/// Checks a projection's field list.
///
/// # Errors
/// `InvalidInput` (field `fields`, rule `TooSmall { min: 1 }`) for an empty list.
pub fn validate_fields<F: Field>(fields: &[F]) -> StoreResult<()> {
    if fields.is_empty() {
        return Err(StoreError::invalid(
            "fields",
            Rule::TooSmall { min: 1, actual: 0 },
        ));
    }
    Ok(())
}

/// The values of `fields` of a whole row.
pub fn project<R: Record>(row: &R, fields: &[R::Field]) -> Row {
    fields.iter().map(|f| row.get(*f)).collect()
}

/// The columns to read for a keyset window of `fields`: `fields`, then the sort keys not
/// among them (the next cursor is built from the sort keys of the last row).
#[must_use]
pub fn window_columns<F: Field>(fields: &[F], sort: &[Sort<F>]) -> Vec<F> {
    let mut out = fields.to_vec();
    for key in sort {
        if !out.contains(&key.field) {
            out.push(key.field);
        }
    }
    out
}

/// A row read with [`window_columns`], readable as a [`Record`] (for
/// [`Keyset::window`](crate::support::Keyset::window)); [`PartialRow::into_row`] keeps the requested
/// fields only.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialRow<F> {
    columns: Arc<[F]>,
    values: Vec<Value>,
    requested: usize,
}

impl<F: Field> PartialRow<F> {
    /// `values` of `columns`, of which the first `requested` were asked for.
    #[must_use]
    pub fn new(columns: Arc<[F]>, values: Vec<Value>, requested: usize) -> Self {
        Self {
            columns,
            values,
            requested,
        }
    }

    /// The requested values.
    #[must_use]
    pub fn into_row(mut self) -> Row {
        self.values.truncate(self.requested);
        self.values
    }
}

impl<F: Field> Record for PartialRow<F> {
    type Field = F;
    fn get(&self, field: F) -> Value {
        self.columns
            .iter()
            .position(|c| *c == field)
            .and_then(|i| self.values.get(i).cloned())
            .unwrap_or(Value::Null)
    }
}
