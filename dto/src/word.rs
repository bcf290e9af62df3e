//! Serde for the domain's word enums (which have no serde derives): written as their stored
//! lowercase word (`as_str()`).

use containerpub_domain::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use serde::Serializer;

/// A domain enum stored as a word.
pub(crate) trait Word: Copy {
    /// The stored word.
    fn word(self) -> &'static str;
}

impl Word for FunctionStatus {
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl Word for DeploymentStatus {
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl Word for LogLevel {
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl Word for InvocationStatus {
    fn word(self) -> &'static str {
        self.as_str()
    }
}

impl Word for Role {
    fn word(self) -> &'static str {
        self.as_str()
    }
}

/// Writes the word.
pub(crate) fn serialize<T: Word, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.word())
}
