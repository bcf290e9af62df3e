//! Store errors as HTTP status codes.

use containerpub_ports::StoreError;

use crate::service::DeployError;

/// The HTTP status that answers a request failed with `error`.
#[must_use]
pub fn http_status(error: &StoreError) -> u16 {
    match error {
        // The addressed row does not exist.
        StoreError::NotFound { .. } => 404,
        // A unique key is taken, or a row is still referenced: the request conflicts with
        // the current state.
        StoreError::Conflict { .. } | StoreError::StillReferenced { .. } => 409,
        // The request names a row that does not exist, or breaks a rule of a field.
        StoreError::ReferenceMissing { .. } | StoreError::InvalidInput(_) => 422,
        // A batch failed because of one row: that row's error decides.
        StoreError::InBatch { error, .. } => http_status(error),
        // Retrying later may succeed.
        StoreError::Unavailable { .. } => 503,
        // The writes may or may not have been committed, a bug, a database without the
        // schema, or a row this layer cannot read; and any variant a later version adds
        // (`StoreError` is non-exhaustive).
        StoreError::OutcomeUnknown { .. }
        | StoreError::Internal { .. }
        | StoreError::SchemaMismatch { .. }
        | StoreError::UnreadableRow { .. }
        | _ => 500,
    }
}

impl DeployError {
    /// The HTTP status that answers a deploy failed with this error.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            Self::OwnerNotFound => 404,
            Self::Store(error) => http_status(error),
        }
    }
}
