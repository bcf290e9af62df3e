//! What caused an `Unavailable`, `OutcomeUnknown`, `Internal` or `SchemaMismatch`, kept for
//! logs without taking part in equality.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// The cause of a [`StoreError`](super::StoreError) that reports a failure of the store rather
/// than an answer of the domain: the SQLSTATE the server gave, if any, and the underlying
/// error, reached through [`std::error::Error::source`] on the `StoreError`.
///
/// It is for logs only and never takes part in equality: any two causes compare equal, so an
/// error of the PostgreSQL store equals the same error of the in-memory store (which has no
/// cause to give) and an error built by [`StoreError::internal`](super::StoreError::internal)
/// or [`StoreError::unavailable`](super::StoreError::unavailable).
///
/// What adapters put in it leaks nothing private: of a server error, the PostgreSQL adapter
/// keeps the SQLSTATE and the server's primary message only, never its DETAIL (which can
/// hold key values, internal ids among them); of a driver error (I/O, TLS, the pool timing
/// out), the driver's error itself, which names no row and no password.
#[derive(Clone, Default)]
pub struct Cause {
    sqlstate: Option<Box<str>>,
    source: Option<Arc<dyn Error + Send + Sync + 'static>>,
}

impl Cause {
    /// No cause: no SQLSTATE, no underlying error.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// This cause with the SQLSTATE the server gave (five characters, e.g. `57014`).
    #[must_use]
    pub fn with_sqlstate(mut self, code: impl Into<Box<str>>) -> Self {
        self.sqlstate = Some(code.into());
        self
    }

    /// This cause with `source` as the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: Arc<dyn Error + Send + Sync + 'static>) -> Self {
        self.source = Some(source);
        self
    }

    /// The SQLSTATE the server gave, if any.
    #[must_use]
    pub fn sqlstate(&self) -> Option<&str> {
        self.sqlstate.as_deref()
    }

    /// The underlying error, if any.
    #[must_use]
    pub fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// Always equal: the cause is for logs, not for telling errors apart.
impl PartialEq for Cause {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Cause {}

/// The SQLSTATE and the underlying error's `Display` (what was vetted to leak nothing), not
/// its `Debug`.
impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cause")
            .field("sqlstate", &self.sqlstate)
            .field("source", &self.source.as_ref().map(ToString::to_string))
            .finish()
    }
}
