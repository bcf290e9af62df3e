//! Validation errors: every one names the field and the rule it broke.

use std::fmt;

/// The rule a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The value must not be empty (or blank).
    Empty,
    /// The value is longer than the column allows (lengths are counted in characters, as
    /// PostgreSQL counts `VARCHAR(n)`).
    TooLong {
        /// The maximum number of characters.
        max: usize,
        /// The number of characters given.
        actual: usize,
    },
    /// The text holds a NUL character, which PostgreSQL cannot store in text.
    NulCharacter,
    /// The value does not have the required shape; the text says which.
    Format(&'static str),
    /// The number is below the allowed minimum.
    TooSmall {
        /// The smallest allowed value.
        min: i64,
        /// The value given.
        actual: i64,
    },
    /// The number is above the allowed maximum.
    TooLarge {
        /// The largest allowed value.
        max: i64,
        /// The value given.
        actual: i64,
    },
    /// The timestamp is outside the supported range (see `Timestamp::MIN`/`Timestamp::MAX`).
    OutOfRange,
    /// A value is not one of the allowed words.
    UnknownVariant {
        /// The allowed words.
        expected: &'static [&'static str],
    },
    /// A domain rule, described in words.
    Invariant(&'static str),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Empty => f.write_str("must not be empty"),
            Rule::TooLong { max, actual } => {
                write!(f, "must be at most {max} characters (got {actual})")
            }
            Rule::NulCharacter => f.write_str("must not contain a NUL character"),
            Rule::Format(what) => write!(f, "must be {what}"),
            Rule::TooSmall { min, actual } => write!(f, "must be at least {min} (got {actual})"),
            Rule::TooLarge { max, actual } => write!(f, "must be at most {max} (got {actual})"),
            Rule::OutOfRange => {
                f.write_str("must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z")
            }
            Rule::UnknownVariant { expected } => {
                write!(f, "must be one of {}", expected.join(", "))
            }
            Rule::Invariant(what) => f.write_str(what),
        }
    }
}

/// A value was rejected: `field` names the input field (the column name), `rule` says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {rule}")]
pub struct ValidationError {
    /// The field (column) that holds the bad value.
    pub field: &'static str,
    /// The rule it broke.
    pub rule: Rule,
}

impl ValidationError {
    /// A new error for `field` breaking `rule`.
    #[must_use]
    pub const fn new(field: &'static str, rule: Rule) -> Self {
        Self { field, rule }
    }
}
