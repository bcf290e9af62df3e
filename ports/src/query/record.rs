//! The [`Record`] trait: an entity read field by field (for adapter authors).

use super::field::Field;
use super::value::Value;

/// An entity whose fields can be read as [`Value`]s (used to evaluate queries in memory and to
/// build keyset cursors from the last row of a window).
pub trait Record {
    /// The entity's field enum.
    type Field: Field;
    /// The value of one field.
    fn get(&self, field: Self::Field) -> Value;
}
