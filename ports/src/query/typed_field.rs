//! [`TypedField<F, T>`]: a field handle that takes only the field's Rust type.

use std::fmt;
use std::marker::PhantomData;

use super::field::Field;
use super::filter::{CmpOp, Filter};
use super::sort::{Direction, Sort};
use super::value::Value;

/// A field of `F` whose filter operands must be of its Rust type `T`, so
/// a wrong operand is a compile error instead of a run-time `InvalidInput`.
///
/// The field enums (`FunctionField::UserId.eq(..)`) accept any [`Value`]: a uuid where the
/// column holds an integer compiles and is refused when the query is validated. The typed
/// handles in [`columns`](crate::columns), one constant per field, build the same
/// [`Filter`]s but take only the type the entity's field holds:
///
/// ```
/// use containerpub_ports::columns::functions;
/// use containerpub_ports::domain::UserId;
/// use containerpub_ports::FunctionField;
///
/// let owner = UserId::new(7);
/// assert_eq!(functions::USER_ID.eq(owner), FunctionField::UserId.eq(owner));
/// ```
///
/// ```compile_fail
/// use containerpub_ports::columns::functions;
/// use containerpub_ports::domain::Uuid;
///
/// let some_uuid = Uuid::nil();
/// let _ = functions::USER_ID.eq(some_uuid); // `functions.user_id` holds a `UserId`
/// ```
///
/// A nullable field's handle takes the type of its non-NULL values (`is_null` tests for
/// NULL); text matching (`contains`, `starts_with`, the case-insensitive forms) goes through
/// the field enum ([`TypedField::field`]).
pub struct TypedField<F, T> {
    field: F,
    // `fn() -> T`: the handle holds no `T`, so it is `Copy`, `Send` and `Sync` whatever `T` is.
    value: PhantomData<fn() -> T>,
}

impl<F: Field, T: Into<Value>> TypedField<F, T> {
    /// The handle of `field`, whose values are of type `T` (the constants in
    /// [`columns`](crate::columns) are the ones to use).
    #[must_use]
    pub const fn new(field: F) -> Self {
        Self {
            field,
            value: PhantomData,
        }
    }

    /// The untyped field enum value.
    #[must_use]
    pub const fn field(self) -> F {
        self.field
    }

    /// `self <op> value`.
    pub fn cmp_with(self, op: CmpOp, value: T) -> Filter<F> {
        Filter::Cmp {
            field: self.field,
            op,
            value: value.into(),
        }
    }

    /// `self = value`.
    pub fn eq(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Eq, value)
    }

    /// `self <> value`.
    pub fn ne(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Ne, value)
    }

    /// `self < value`.
    pub fn lt(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Lt, value)
    }

    /// `self <= value`.
    pub fn le(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Le, value)
    }

    /// `self > value`.
    pub fn gt(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Gt, value)
    }

    /// `self >= value`.
    pub fn ge(self, value: T) -> Filter<F> {
        self.cmp_with(CmpOp::Ge, value)
    }

    /// `self IN (values)`; empty matches nothing.
    pub fn is_in(self, values: impl IntoIterator<Item = T>) -> Filter<F> {
        Filter::In {
            field: self.field,
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `self IS NULL`.
    #[must_use]
    pub fn is_null(self) -> Filter<F> {
        Filter::IsNull(self.field)
    }

    /// `self IS NOT NULL`.
    #[must_use]
    pub fn is_not_null(self) -> Filter<F> {
        Filter::IsNotNull(self.field)
    }

    /// Ascending sort on this field.
    #[must_use]
    pub fn asc(self) -> Sort<F> {
        Sort {
            field: self.field,
            direction: Direction::Asc,
        }
    }

    /// Descending sort on this field.
    #[must_use]
    pub fn desc(self) -> Sort<F> {
        Sort {
            field: self.field,
            direction: Direction::Desc,
        }
    }
}

impl<F: Copy, T> Clone for TypedField<F, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: Copy, T> Copy for TypedField<F, T> {}

impl<F: PartialEq, T> PartialEq for TypedField<F, T> {
    fn eq(&self, other: &Self) -> bool {
        self.field == other.field
    }
}

impl<F: Eq, T> Eq for TypedField<F, T> {}

impl<F: fmt::Debug, T> fmt::Debug for TypedField<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedField").field(&self.field).finish()
    }
}

#[cfg(test)]
#[path = "typed_field_tests.rs"]
mod tests;
