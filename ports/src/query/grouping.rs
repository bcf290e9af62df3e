//! Grouping (the seed's `groupBy` + `COUNT`): rows matching a filter, grouped by the value
//! of one field, each group with its row count and aggregates (min / max / sum / avg) of
//! integer fields, ordered and limited.
//!
//! ## Semantics (identical in every adapter)
//! - Groups are the distinct values of `by` among matching rows; NULL is one group (SQL
//!   `GROUP BY`). Text groups by exact bytes.
//! - `count` is the group's row count. `Min`/`Max` are `Value::Int` or `Value::Null` when
//!   every value in the group is NULL; `Sum` likewise (an exact integer sum; beyond `i64`
//!   it is `Internal`); `Avg` is `sum / count of non-NULL values` computed in `f64` by
//!   [`containerpub_domain::mean`] from the exact sum, `None` when all are NULL.
//! - Order: [`GroupOrder`]; ties (equal counts) by key ascending; keys order as sorts do
//!   (text by bytes, NULL last ascending, first descending). Then `limit` groups.

use containerpub_domain::Rule;

use crate::error::{StoreError, StoreResult};
use crate::query::{Field, Filter, Value, ValueKind};

/// An aggregate of an integer field over each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aggregate<F> {
    /// The smallest non-NULL value.
    Min(F),
    /// The largest non-NULL value.
    Max(F),
    /// The exact sum of the non-NULL values.
    Sum(F),
    /// The mean of the non-NULL values.
    Avg(F),
}

impl<F: Field> Aggregate<F> {
    /// The aggregated field.
    pub fn field(self) -> F {
        match self {
            Aggregate::Min(f) | Aggregate::Max(f) | Aggregate::Sum(f) | Aggregate::Avg(f) => f,
        }
    }
}

/// The order of the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GroupOrder {
    /// By key, ascending (NULL last).
    #[default]
    KeyAsc,
    /// By key, descending (NULL first).
    KeyDesc,
    /// Largest groups first, ties by key ascending.
    CountDesc,
    /// Smallest groups first, ties by key ascending.
    CountAsc,
}

/// A grouping query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupQuery<F> {
    /// Which rows.
    pub filter: Filter<F>,
    /// The field whose values form the groups.
    pub by: F,
    /// The aggregates computed per group, in this order.
    pub aggregates: Vec<Aggregate<F>>,
    /// The order of the groups.
    pub order: GroupOrder,
    /// At most this many groups.
    pub limit: Option<u64>,
}

impl<F: Field> GroupQuery<F> {
    /// Every row grouped by `by`, ordered by key, no aggregate.
    #[must_use]
    pub fn by(by: F) -> Self {
        Self {
            filter: Filter::All,
            by,
            aggregates: Vec::new(),
            order: GroupOrder::KeyAsc,
            limit: None,
        }
    }

    /// Only rows matching `filter`.
    #[must_use]
    pub fn filter(mut self, filter: Filter<F>) -> Self {
        self.filter = filter;
        self
    }

    /// Adds an aggregate.
    #[must_use]
    pub fn aggregate(mut self, aggregate: Aggregate<F>) -> Self {
        self.aggregates.push(aggregate);
        self
    }

    /// Sets the order.
    #[must_use]
    pub fn order(mut self, order: GroupOrder) -> Self {
        self.order = order;
        self
    }

    /// Sets the limit.
    #[must_use]
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Checks the filter, the aggregated fields (integers) and the limit.
    ///
    /// # Errors
    /// `InvalidInput` naming the column (`Format("an integer field to aggregate")`), a bad
    /// filter's field, or `limit` above `i64::MAX`.
    pub fn validate(&self) -> StoreResult<()> {
        self.filter.validate()?;
        for aggregate in &self.aggregates {
            let field = aggregate.field();
            if field.kind() != ValueKind::Int {
                return Err(StoreError::invalid(
                    field.column(),
                    Rule::Format("an integer field to aggregate"),
                ));
            }
        }
        if let Some(limit) = self.limit
            && i64::try_from(limit).is_err()
        {
            return Err(StoreError::invalid(
                "limit",
                Rule::TooLarge {
                    max: i64::MAX,
                    actual: i64::MAX,
                },
            ));
        }
        Ok(())
    }
}

/// The value of one aggregate for one group.
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateValue {
    /// `Min`, `Max`, `Sum`: an integer, or `Value::Null` when every value was NULL.
    Int(Value),
    /// `Avg`: `None` when every value was NULL.
    Avg(Option<f64>),
}

/// One group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The group's value of the `by` field.
    pub key: Value,
    /// Its row count.
    pub count: u64,
    /// The aggregates, in query order.
    pub aggregates: Vec<AggregateValue>,
}

/// An exact sum as the `Value` a group reports.
///
/// # Errors
/// `Internal` when it does not fit `i64`.
pub fn sum_value(sum: Option<i128>) -> StoreResult<Value> {
    match sum {
        None => Ok(Value::Null),
        Some(sum) => i64::try_from(sum)
            .map(Value::Int)
            .map_err(|_| StoreError::internal("a group's sum does not fit a 64-bit integer")),
    }
}

/// The average from an exact sum and the count of non-NULL values.
///
/// # Errors
/// `Internal` when the sum does not fit `i64`.
pub fn avg_value(sum: Option<i128>, non_null: u64) -> StoreResult<AggregateValue> {
    match sum_value(sum)? {
        Value::Int(sum) => Ok(AggregateValue::Avg(containerpub_domain::mean(
            sum, non_null,
        ))),
        _ => Ok(AggregateValue::Avg(None)),
    }
}
