//! The find-all [`Query`]: filter, sort, limit and offset, with its limits.

use containerpub_domain::Rule;

use super::field::Field;
use super::filter::Filter;
use super::sort::Sort;
use crate::error::{StoreError, StoreResult};

/// The most rows `find_all` (and `summaries`) returns for a query without a limit: when more
/// rows match, the call is `InvalidInput` (field `limit`) instead of reading them all into
/// memory. Give a limit (any) or page with `find_page` / `find_window` to read more.
pub const MAX_UNLIMITED_ROWS: u64 = 100_000;

/// A find-all query: filter, multi-key sort, limit and offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query<F> {
    /// Which rows.
    pub filter: Filter<F>,
    /// In which order (the primary key is always the final tie-breaker).
    pub sort: Vec<Sort<F>>,
    /// At most this many rows (`Some(0)` returns none).
    pub limit: Option<u64>,
    /// Skip this many rows first.
    pub offset: u64,
}

impl<F> Default for Query<F> {
    fn default() -> Self {
        Self {
            filter: Filter::All,
            sort: Vec::new(),
            limit: None,
            offset: 0,
        }
    }
}

impl<F: Field> Query<F> {
    /// Every row, in primary key order.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows matching `filter`.
    #[must_use]
    pub fn filter(filter: Filter<F>) -> Self {
        Self {
            filter,
            ..Self::default()
        }
    }

    /// Adds a filter (and-ed with the current one).
    #[must_use]
    pub fn and_where(mut self, filter: Filter<F>) -> Self {
        self.filter = std::mem::take(&mut self.filter).and(filter);
        self
    }

    /// Adds a sort key.
    #[must_use]
    pub fn order_by(mut self, sort: Sort<F>) -> Self {
        self.sort.push(sort);
        self
    }

    /// Sets the limit.
    #[must_use]
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets the offset.
    #[must_use]
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Checks the filter, and that limit and offset fit a signed 64-bit integer.
    ///
    /// # Errors
    /// `InvalidInput` naming the field (`limit`, `offset` or a column) and the rule.
    pub fn validate(&self) -> StoreResult<()> {
        self.validate_ignoring_limit()?;
        check_i64("limit", self.limit.unwrap_or(0))
    }

    /// How many rows an adapter reads for this query: the limit, or one more than
    /// [`MAX_UNLIMITED_ROWS`] without one (so that [`Query::check_unlimited`] can tell).
    #[must_use]
    pub fn fetch_limit(&self) -> u64 {
        self.limit.unwrap_or(MAX_UNLIMITED_ROWS + 1)
    }

    /// For a query without a limit that read `rows` rows (at most [`Query::fetch_limit`]):
    /// `Ok` unless more than [`MAX_UNLIMITED_ROWS`] matched.
    ///
    /// # Errors
    /// `InvalidInput` (field `limit`) when a query without a limit matches more than
    /// [`MAX_UNLIMITED_ROWS`] rows.
    pub fn check_unlimited(&self, rows: usize) -> StoreResult<()> {
        if self.limit.is_none() && rows as u64 > MAX_UNLIMITED_ROWS {
            return Err(StoreError::invalid(
                "limit",
                Rule::Invariant(
                    "a limit when more than 100,000 rows match (or find_page / find_window)",
                ),
            ));
        }
        Ok(())
    }

    /// As [`Query::validate`] without the limit (for `find_one`, which ignores it).
    ///
    /// # Errors
    /// `InvalidInput` naming the field (`offset` or a column) and the rule.
    pub fn validate_ignoring_limit(&self) -> StoreResult<()> {
        self.filter.validate()?;
        check_i64("offset", self.offset)
    }
}

fn check_i64(field: &'static str, value: u64) -> StoreResult<()> {
    if i64::try_from(value).is_err() {
        return Err(StoreError::invalid(
            field,
            Rule::TooLarge {
                max: i64::MAX,
                actual: i64::MAX,
            },
        ));
    }
    Ok(())
}
