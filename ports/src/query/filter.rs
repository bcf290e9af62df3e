//! Typed filters ([`Filter`]): their constructors, connectives, limits and validation.

use containerpub_domain::Rule;

use super::ci::{self, TextOp};
use super::field::Field;
use super::value::{Value, ValueKind};
use crate::error::{StoreError, StoreResult};

/// The deepest nesting a filter may have: a condition alone is 1, each `And` / `Or` / `Not`
/// around it adds 1. Deeper is `InvalidInput` (field `filter_depth`).
pub const MAX_FILTER_DEPTH: usize = 32;

/// The most parts a filter may have: every condition, connective and `In` operand counts one.
/// More is `InvalidInput` (field `filter_size`).
pub const MAX_FILTER_SIZE: usize = 100_000;

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
    /// The text field matches `text` under `op` ignoring case, as [`fold_case`](crate::query::fold_case) folds it
    /// (built by [`CaseInsensitive`](crate::query::CaseInsensitive): `eq_ci`, `contains_ci`, `starts_with_ci`).
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
