//! Sort keys ([`Sort`], [`Direction`]) and the order every query ends with
//! ([`effective_sort`]).

use super::field::Field;

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
