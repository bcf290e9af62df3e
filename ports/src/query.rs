//! Typed queries: filters, sorts, limits, offset pages and keyset windows.
//!
//! No column name or SQL fragment is ever taken from a string: fields are per-entity enums
//! (`UserField`, `FunctionField`, …) and values are typed [`Value`]s, checked against the
//! field's kind by [`Query::validate`] before any adapter runs the query.
//!
//! ## Semantics (identical in every adapter)
//! - Comparisons follow SQL three-valued logic: a comparison with a NULL column is unknown,
//!   and `Not(unknown)` is unknown, so rows with NULL in a compared column never match `eq`,
//!   `ne`, `lt`, … or their negation. Use `is_null` / `is_not_null` for NULLs.
//! - `is_in` with an empty list matches nothing (and its negation everything).
//! - `And([])` matches everything, `Or([])` nothing.
//! - `contains` / `starts_with` compare literal text, case-sensitively: `%`, `_` and `\` match
//!   themselves.
//! - Text orders by byte (code point) order, as PostgreSQL's `COLLATE "C"`; uuids by their 16
//!   bytes; booleans `false < true`.
//! - Sorting ascending puts NULLs last, descending puts them first (PostgreSQL's default).
//!   Every sort ends with the primary key ascending, so ties always come out in one order.

use std::fmt;
use std::hash::Hash;

use containerpub_domain::{Rule, Timestamp, Uuid};

use crate::error::{StoreError, StoreResult, Table};

pub mod ci;
pub mod grouping;
pub mod projection;
pub use ci::{CaseInsensitive, TextOp, fold_case};

/// The largest page size and keyset window accepted.
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// The deepest nesting a filter may have: a condition alone is 1, each `And` / `Or` / `Not`
/// around it adds 1. Deeper is `InvalidInput` (field `filter_depth`).
pub const MAX_FILTER_DEPTH: usize = 32;

/// The most parts a filter may have: every condition, connective and `In` operand counts one.
/// More is `InvalidInput` (field `filter_size`).
pub const MAX_FILTER_SIZE: usize = 100_000;

/// The most rows `find_all` (and `summaries`) returns for a query without a limit: when more
/// rows match, the call is `InvalidInput` (field `limit`) instead of reading them all into
/// memory. Give a limit (any) or page with `find_page` / `find_window` to read more.
pub const MAX_UNLIMITED_ROWS: u64 = 100_000;

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// `BOOLEAN`
    Bool,
    /// `INTEGER` / `BIGINT`
    Int,
    /// `VARCHAR` / `TEXT`
    Text,
    /// `UUID`
    Uuid,
    /// `TIMESTAMP`
    Timestamp,
}

/// A typed value in a filter, a sort key or a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// SQL NULL (what a nullable field holds when empty; never a filter operand).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (ids, versions, durations).
    Int(i64),
    /// Text (names, enum words, messages).
    Text(String),
    /// A uuid.
    Uuid(Uuid),
    /// A timestamp.
    Timestamp(Timestamp),
}

impl Value {
    /// The kind of a non-null value.
    #[must_use]
    pub fn kind(&self) -> Option<ValueKind> {
        match self {
            Value::Null => None,
            Value::Bool(_) => Some(ValueKind::Bool),
            Value::Int(_) => Some(ValueKind::Int),
            Value::Text(_) => Some(ValueKind::Text),
            Value::Uuid(_) => Some(ValueKind::Uuid),
            Value::Timestamp(_) => Some(ValueKind::Timestamp),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl From<$t> for Value {
            fn from($v: $t) -> Self {
                $e
            }
        })+
    };
}

value_from!(
    bool => |v| Value::Bool(v),
    i32 => |v| Value::Int(i64::from(v)),
    i64 => |v| Value::Int(v),
    String => |v| Value::Text(v),
    &str => |v| Value::Text(v.to_owned()),
    Uuid => |v| Value::Uuid(v),
    Timestamp => |v| Value::Timestamp(v),
    containerpub_domain::UserId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::UserInformationId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::OrganizationId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::OrganizationMemberId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::FunctionId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::DeploymentId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::LogId => |v| Value::Int(v.get()),
    containerpub_domain::InvocationId => |v| Value::Int(v.get()),
    containerpub_domain::RepositoryId => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::Version => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::DurationMs => |v| Value::Int(i64::from(v.get())),
    containerpub_domain::Email => |v| Value::Text(v.as_str().to_owned()),
    &containerpub_domain::Email => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::RepositoryPath => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::FunctionStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::DeploymentStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::LogLevel => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::InvocationStatus => |v| Value::Text(v.as_str().to_owned()),
    containerpub_domain::Role => |v| Value::Text(v.as_str().to_owned()),
);

impl<const N: usize> From<containerpub_domain::BoundedText<N>> for Value {
    fn from(v: containerpub_domain::BoundedText<N>) -> Self {
        Value::Text(v.into_inner())
    }
}

impl<const N: usize> From<containerpub_domain::Name<N>> for Value {
    fn from(v: containerpub_domain::Name<N>) -> Self {
        Value::Text(v.into_inner())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A filterable, sortable column of one entity. Implemented by the generated field enums.
pub trait Field: Copy + Eq + Hash + fmt::Debug + Send + Sync + 'static {
    /// Every field, in column order.
    const ALL: &'static [Self];
    /// The primary key field (the final tie-breaker of every sort).
    const ID: Self;
    /// The table the field belongs to.
    const TABLE: Table;
    /// The column name in the schema.
    fn column(self) -> &'static str;
    /// The kind of value it holds.
    fn kind(self) -> ValueKind;
    /// Whether the column is nullable.
    fn nullable(self) -> bool;
}

/// An entity whose fields can be read as [`Value`]s (used to evaluate queries in memory and to
/// build keyset cursors from the last row of a window).
pub trait Record {
    /// The entity's field enum.
    type Field: Field;
    /// The value of one field.
    fn get(&self, field: Self::Field) -> Value;
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A typed filter over the fields `F` of one entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Filter<F> {
    /// Matches every row.
    #[default]
    All,
    /// `field <op> value`.
    Cmp {
        /// The field.
        field: F,
        /// The operator.
        op: CmpOp,
        /// The operand (never NULL).
        value: Value,
    },
    /// `field IN (values)`; empty matches nothing.
    In {
        /// The field.
        field: F,
        /// The operands (never NULL).
        values: Vec<Value>,
    },
    /// `field IS NULL`.
    IsNull(F),
    /// `field IS NOT NULL`.
    IsNotNull(F),
    /// The text field contains `text` literally (case-sensitive).
    Contains {
        /// The field (text).
        field: F,
        /// The literal text.
        text: String,
    },
    /// The text field starts with `text` literally (case-sensitive).
    StartsWith {
        /// The field (text).
        field: F,
        /// The literal text.
        text: String,
    },
    /// The text field matches `text` under `op` ignoring case, as [`fold_case`] folds it
    /// (built by [`CaseInsensitive`]: `eq_ci`, `contains_ci`, `starts_with_ci`).
    TextCi {
        /// The field (text).
        field: F,
        /// Equals, contains or starts with.
        op: TextOp,
        /// The literal text.
        text: String,
    },
    /// Every sub-filter matches (`And([])` matches everything).
    And(Vec<Filter<F>>),
    /// Some sub-filter matches (`Or([])` matches nothing).
    Or(Vec<Filter<F>>),
    /// The sub-filter does not match (SQL `NOT`, three-valued).
    Not(Box<Filter<F>>),
}

impl<F: Field> Filter<F> {
    /// `field = value`.
    pub fn eq(field: F, value: impl Into<Value>) -> Self {
        Filter::Cmp {
            field,
            op: CmpOp::Eq,
            value: value.into(),
        }
    }

    /// Every filter matches.
    pub fn all(filters: impl IntoIterator<Item = Filter<F>>) -> Self {
        Filter::And(filters.into_iter().collect())
    }

    /// Some filter matches.
    pub fn any(filters: impl IntoIterator<Item = Filter<F>>) -> Self {
        Filter::Or(filters.into_iter().collect())
    }

    /// Both this and `other` match.
    #[must_use]
    pub fn and(self, other: Filter<F>) -> Self {
        match self {
            Filter::All => other,
            Filter::And(mut items) => {
                items.push(other);
                Filter::And(items)
            }
            this => Filter::And(vec![this, other]),
        }
    }

    /// This or `other` matches.
    #[must_use]
    pub fn or(self, other: Filter<F>) -> Self {
        match self {
            Filter::Or(mut items) => {
                items.push(other);
                Filter::Or(items)
            }
            this => Filter::Or(vec![this, other]),
        }
    }

    /// Checks the filter's depth and size ([`MAX_FILTER_DEPTH`], [`MAX_FILTER_SIZE`]), then
    /// every operand against its field: kind, no NULL operands, text storable. Iterative: any
    /// filter, however deep, is checked without recursion.
    ///
    /// # Errors
    /// `InvalidInput` with field `filter_depth` or `filter_size` (rule `TooLarge`) for a
    /// filter over the limits; else naming the first bad operand's field and the rule.
    pub fn validate(&self) -> StoreResult<()> {
        let (depth, size) = self.shape();
        if depth > MAX_FILTER_DEPTH {
            return Err(too_large("filter_depth", MAX_FILTER_DEPTH, depth));
        }
        if size > MAX_FILTER_SIZE {
            return Err(too_large("filter_size", MAX_FILTER_SIZE, size));
        }
        let mut pending = vec![self];
        while let Some(filter) = pending.pop() {
            match filter {
                Filter::All | Filter::IsNull(_) | Filter::IsNotNull(_) => {}
                Filter::Cmp { field, value, .. } => check_operand(*field, value)?,
                Filter::In { field, values } => {
                    values.iter().try_for_each(|v| check_operand(*field, v))?;
                }
                Filter::Contains { field, text } | Filter::StartsWith { field, text } => {
                    if field.kind() != ValueKind::Text {
                        return Err(StoreError::invalid(
                            field.column(),
                            Rule::Format("a text field for contains/starts_with"),
                        ));
                    }
                    check_text_operand(*field, text)?;
                }
                Filter::TextCi { field, text, .. } => ci::validate(*field, text)?,
                // In order: the first bad operand is reported.
                Filter::And(items) | Filter::Or(items) => pending.extend(items.iter().rev()),
                Filter::Not(inner) => pending.push(inner),
            }
        }
        Ok(())
    }

    /// The filter's depth and size (see [`MAX_FILTER_DEPTH`], [`MAX_FILTER_SIZE`]), counted
    /// without recursion.
    #[must_use]
    pub fn shape(&self) -> (usize, usize) {
        let (mut depth, mut size) = (0, 0);
        let mut pending = vec![(self, 1)];
        while let Some((filter, level)) = pending.pop() {
            depth = depth.max(level);
            size += 1;
            match filter {
                Filter::And(items) | Filter::Or(items) => {
                    pending.extend(items.iter().map(|item| (item, level + 1)));
                }
                Filter::Not(inner) => pending.push((inner, level + 1)),
                Filter::In { values, .. } => size += values.len(),
                _ => {}
            }
        }
        (depth, size)
    }
}

impl<F: Field> std::ops::Not for Filter<F> {
    type Output = Filter<F>;
    fn not(self) -> Self::Output {
        Filter::Not(Box::new(self))
    }
}

fn too_large(field: &'static str, max: usize, actual: usize) -> StoreError {
    StoreError::invalid(
        field,
        Rule::TooLarge {
            max: i64::try_from(max).unwrap_or(i64::MAX),
            actual: i64::try_from(actual).unwrap_or(i64::MAX),
        },
    )
}

fn check_text_operand<F: Field>(field: F, text: &str) -> StoreResult<()> {
    if text.contains('\0') {
        return Err(StoreError::invalid(field.column(), Rule::NulCharacter));
    }
    Ok(())
}

fn check_operand<F: Field>(field: F, value: &Value) -> StoreResult<()> {
    match value.kind() {
        None => Err(StoreError::invalid(
            field.column(),
            Rule::Format("a non-NULL operand (use is_null / is_not_null)"),
        )),
        Some(kind) if kind != field.kind() => Err(StoreError::invalid(
            field.column(),
            Rule::Format(match field.kind() {
                ValueKind::Bool => "a boolean operand",
                ValueKind::Int => "an integer operand",
                ValueKind::Text => "a text operand",
                ValueKind::Uuid => "a uuid operand",
                ValueKind::Timestamp => "a timestamp operand",
            }),
        )),
        Some(_) => match value {
            Value::Text(text) => check_text_operand(field, text),
            _ => Ok(()),
        },
    }
}

/// Generates the typed filter constructors on a field enum: `UserField::Email.eq(..)` etc.
macro_rules! field_filter_methods {
    ($field:ty) => {
        impl $field {
            /// `self = value`.
            pub fn eq(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::eq(self, value)
            }
            /// `self <> value`.
            pub fn ne(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Ne, value)
            }
            /// `self < value`.
            pub fn lt(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Lt, value)
            }
            /// `self <= value`.
            pub fn le(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Le, value)
            }
            /// `self > value`.
            pub fn gt(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Gt, value)
            }
            /// `self >= value`.
            pub fn ge(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Ge, value)
            }
            /// `self <op> value`.
            pub fn cmp_with(
                self,
                op: $crate::query::CmpOp,
                value: impl Into<$crate::query::Value>,
            ) -> $crate::query::Filter<Self> {
                $crate::query::Filter::Cmp {
                    field: self,
                    op,
                    value: value.into(),
                }
            }
            /// `self IN (values)`.
            pub fn is_in<V: Into<$crate::query::Value>>(
                self,
                values: impl IntoIterator<Item = V>,
            ) -> $crate::query::Filter<Self> {
                $crate::query::Filter::In {
                    field: self,
                    values: values.into_iter().map(Into::into).collect(),
                }
            }
            /// `self IS NULL`.
            #[must_use]
            pub fn is_null(self) -> $crate::query::Filter<Self> {
                $crate::query::Filter::IsNull(self)
            }
            /// `self IS NOT NULL`.
            #[must_use]
            pub fn is_not_null(self) -> $crate::query::Filter<Self> {
                $crate::query::Filter::IsNotNull(self)
            }
            /// The text contains `text` literally.
            pub fn contains(self, text: impl Into<String>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::Contains {
                    field: self,
                    text: text.into(),
                }
            }
            /// The text starts with `text` literally.
            pub fn starts_with(self, text: impl Into<String>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::StartsWith {
                    field: self,
                    text: text.into(),
                }
            }
            /// Ascending sort on this field.
            #[must_use]
            pub fn asc(self) -> $crate::query::Sort<Self> {
                $crate::query::Sort {
                    field: self,
                    direction: $crate::query::Direction::Asc,
                }
            }
            /// Descending sort on this field.
            #[must_use]
            pub fn desc(self) -> $crate::query::Sort<Self> {
                $crate::query::Sort {
                    field: self,
                    direction: $crate::query::Direction::Desc,
                }
            }
        }
    };
}
pub(crate) use field_filter_methods;

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Ascending, NULLs last.
    #[default]
    Asc,
    /// Descending, NULLs first.
    Desc,
}

/// One sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort<F> {
    /// The field.
    pub field: F,
    /// The direction.
    pub direction: Direction,
}

/// The sort keys actually applied: the given ones, then the primary key ascending unless it is
/// already among them (keys after the primary key cannot change the order and are dropped).
#[must_use]
pub fn effective_sort<F: Field>(sort: &[Sort<F>]) -> Vec<Sort<F>> {
    let mut out = Vec::with_capacity(sort.len() + 1);
    for key in sort {
        if out.iter().any(|k: &Sort<F>| k.field == key.field) {
            continue;
        }
        out.push(*key);
        if key.field == F::ID {
            return out;
        }
    }
    out.push(Sort {
        field: F::ID,
        direction: Direction::Asc,
    });
    out
}

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

/// Which page of an offset-paged listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// The page number, from 1.
    pub page: u64,
    /// Rows per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u64,
}

impl PageRequest {
    /// Page `page` (from 1) of `page_size` rows.
    #[must_use]
    pub const fn new(page: u64, page_size: u64) -> Self {
        Self { page, page_size }
    }

    /// Checks the numbers and returns the row offset of the page.
    ///
    /// # Errors
    /// `InvalidInput` for `page` below 1, `page_size` outside 1..=[`MAX_PAGE_SIZE`], or an
    /// offset that does not fit a signed 64-bit integer.
    pub fn offset(&self) -> StoreResult<u64> {
        if self.page < 1 {
            return Err(StoreError::invalid(
                "page",
                Rule::TooSmall {
                    min: 1,
                    actual: i64::try_from(self.page).unwrap_or(i64::MAX),
                },
            ));
        }
        check_size("page_size", self.page_size)?;
        let offset = (self.page - 1)
            .checked_mul(self.page_size)
            .filter(|o| i64::try_from(*o).is_ok())
            .ok_or_else(|| {
                StoreError::invalid(
                    "page",
                    Rule::TooLarge {
                        max: i64::MAX,
                        actual: i64::MAX,
                    },
                )
            })?;
        Ok(offset)
    }
}

fn check_size(field: &'static str, size: u64) -> StoreResult<()> {
    let actual = i64::try_from(size).unwrap_or(i64::MAX);
    if size < 1 {
        return Err(StoreError::invalid(
            field,
            Rule::TooSmall { min: 1, actual },
        ));
    }
    if size > MAX_PAGE_SIZE {
        return Err(StoreError::invalid(
            field,
            Rule::TooLarge {
                max: i64::try_from(MAX_PAGE_SIZE).unwrap_or(i64::MAX),
                actual,
            },
        ));
    }
    Ok(())
}

/// Which keyset window: the rows after `after` (or from the start), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeysetRequest {
    /// The cursor of the previous window (`Window::next`), or `None` for the first.
    pub after: Option<Cursor>,
    /// Rows per window, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u64,
}

impl KeysetRequest {
    /// The first window of `limit` rows.
    #[must_use]
    pub const fn first(limit: u64) -> Self {
        Self { after: None, limit }
    }

    /// The window after `cursor`.
    #[must_use]
    pub const fn after(cursor: Cursor, limit: u64) -> Self {
        Self {
            after: Some(cursor),
            limit,
        }
    }

    /// Checks the limit.
    ///
    /// # Errors
    /// `InvalidInput` for `limit` outside 1..=[`MAX_PAGE_SIZE`].
    pub fn validate(&self) -> StoreResult<()> {
        check_size("limit", self.limit)
    }
}

/// One keyset window.
#[derive(Debug, Clone, PartialEq)]
pub struct Window<T> {
    /// The rows, in the query's order.
    pub items: Vec<T>,
    /// The cursor for the next window; `None` when no row follows the last item.
    pub next: Option<Cursor>,
}

/// An opaque keyset cursor.
///
/// It carries the sort-key values of the last row of a window, a fingerprint of the query
/// (table, filter and sort) it came from, and a checksum of both. Used with a different
/// query, or altered (a byte changed, added or removed), it is rejected as `InvalidInput`
/// (field `cursor`). The checksum is not keyed: a client that decodes a cursor and recomputes
/// it can make a cursor for another position of the same query. That grants nothing: a
/// cursor is a position, not a credential, and every position of the query is one the query
/// itself may return.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({})", self.0)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Cursor {
    /// Wraps a cursor string received from a client (checked when used).
    #[must_use]
    pub fn from_string(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The cursor as text, to hand to a client.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keyset plan shared by every adapter: the effective sort, the query fingerprint, and
/// the decoded position to resume after.
#[derive(Debug, Clone)]
pub struct Keyset<F> {
    /// The effective sort (ending with the primary key).
    pub sort: Vec<Sort<F>>,
    /// The values of the sort keys of the last row seen, in `sort` order.
    pub after: Option<Vec<Value>>,
    /// At most this many rows.
    pub limit: u64,
    fingerprint: u64,
}

impl<F: Field> Keyset<F> {
    /// Validates a keyset request for `filter` and `sort` and decodes its cursor.
    ///
    /// # Errors
    /// `InvalidInput`: bad filter or limit; a nullable sort field (keyset windows need
    /// non-null keys); field `cursor` when the cursor is malformed or came from another query.
    pub fn plan(
        filter: &Filter<F>,
        sort: &[Sort<F>],
        request: &KeysetRequest,
    ) -> StoreResult<Self> {
        filter.validate()?;
        request.validate()?;
        let sort = effective_sort(sort);
        if let Some(key) = sort.iter().find(|k| k.field.nullable()) {
            return Err(StoreError::invalid(
                key.field.column(),
                Rule::Format("a non-nullable field to sort a keyset window by"),
            ));
        }
        let fingerprint = fingerprint(F::TABLE, filter, &sort);
        let after = match &request.after {
            None => None,
            Some(cursor) => Some(crate::cursor::decode(cursor, fingerprint, &sort)?),
        };
        Ok(Self {
            sort,
            after,
            limit: request.limit,
            fingerprint,
        })
    }

    /// Builds the window from up to `limit + 1` rows fetched in order after the position:
    /// keeps `limit` of them and makes the next cursor from the last kept row if more follow.
    pub fn window<R: Record<Field = F>>(&self, mut rows: Vec<R>) -> Window<R> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|last| {
                let values: Vec<Value> = self.sort.iter().map(|k| last.get(k.field)).collect();
                crate::cursor::encode(self.fingerprint, &values)
            })
        } else {
            None
        };
        Window { items: rows, next }
    }
}

/// A stable 64-bit FNV-1a hash of the query shape, binding cursors to their query.
fn fingerprint<F: Field>(table: Table, filter: &Filter<F>, sort: &[Sort<F>]) -> u64 {
    let text = format!("{table:?}|{filter:?}|{sort:?}");
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
