//! The [`Field`] trait: a filterable, sortable column of one entity.

use std::fmt;
use std::hash::Hash;

use super::value::ValueKind;
use crate::error::Table;

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
