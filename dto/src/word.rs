//! Serde for the domain's word enums (which have no serde derives): written as their stored
//! lowercase word, read back through `FromStr` so unknown words are rejected.

use std::str::FromStr;

use containerpub_domain::{
    DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role, ValidationError,
};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// A domain enum stored as a word.
pub(crate) trait Word: Copy + FromStr<Err = ValidationError> {
    /// The stored word.
    fn word(self) -> &'static str;
}

macro_rules! impl_word {
    ($($t:ty),+) => {
        $(impl Word for $t {
            fn word(self) -> &'static str {
                self.as_str()
            }
        })+
    };
}

impl_word!(
    FunctionStatus,
    DeploymentStatus,
    LogLevel,
    InvocationStatus,
    Role
);

/// Writes the word.
pub(crate) fn serialize<T: Word, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.word())
}

/// Reads a word, rejecting unknown ones.
pub(crate) fn deserialize<'de, T: Word, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    String::deserialize(deserializer)?
        .parse()
        .map_err(D::Error::custom)
}

/// The same for an optional word (`null` when absent).
pub(crate) mod option {
    use super::{Deserialize, Deserializer, Serializer, Word};
    use serde::de::Error as _;

    /// Writes the word or `null`.
    #[allow(clippy::ref_option)] // serde's `with` passes `&Option<T>`.
    pub(crate) fn serialize<T: Word, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(v.word()),
            None => serializer.serialize_none(),
        }
    }

    /// Reads a word or `null`.
    pub(crate) fn deserialize<'de, T: Word, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|w| w.parse().map_err(D::Error::custom))
            .transpose()
    }
}
