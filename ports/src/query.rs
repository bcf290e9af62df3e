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
//!
//! One idea per file: [`value`](Value), [`field`](Field), [typed field handles](TypedField), filters, sorts, the find-all
//! [`Query`], offset pages, keyset windows. What adapters need besides (the keyset plan,
//! records, the effective sort) is in [`crate::support`].

pub mod ci;
mod field;
mod field_methods;
mod filter;
mod find_all;
pub mod grouping;
pub(crate) mod keyset;
mod page;
pub mod projection;
pub(crate) mod record;
pub(crate) mod sort;
mod typed_field;
mod value;
mod window;

pub use ci::{CaseInsensitive, TextOp, fold_case};
pub use field::Field;
pub(crate) use field_methods::field_filter_methods;
pub use filter::{CmpOp, Filter, MAX_FILTER_DEPTH, MAX_FILTER_SIZE};
pub use find_all::{MAX_UNLIMITED_ROWS, Query};
pub use page::{MAX_PAGE_SIZE, PageRequest};
pub use sort::{Direction, Sort};
pub use typed_field::TypedField;
pub use value::{Value, ValueKind};
pub use window::{Cursor, KeysetRequest, Window};
