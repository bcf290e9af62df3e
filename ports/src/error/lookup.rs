//! How a call addressed the row it did not find ([`StoreError::NotFound`](super::StoreError::NotFound)).

use std::fmt;

use containerpub_domain::Uuid;

use crate::catalog::UniqueKey;

/// The key a call looked a row up by, as [`StoreError::NotFound`](super::StoreError::NotFound)
/// names it: the same on every adapter for the same call.
///
/// It never holds a private value: an internal id is named as `Id` without its value
/// (internal ids never appear in error messages or `Debug`), and a unique key such as
/// `users_email_key` is named without the value looked for (an e-mail address is personal
/// data). Public uuids are named with their value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// By the row's internal id (`update_by_id`, `delete_by_id`, `activate`, the repository
    /// tree methods, …); the id itself is not repeated.
    Id,
    /// By the row's public uuid.
    Uuid(Uuid),
    /// By a unique key, named; the value looked for is not repeated.
    Unique(UniqueKey),
    /// A membership, by the organization's and the user's uuids (`remove_member`).
    Membership {
        /// The organization's uuid.
        organization: Uuid,
        /// The user's uuid.
        user: Uuid,
    },
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Id => f.write_str("by id"),
            Lookup::Uuid(uuid) => write!(f, "by uuid {uuid}"),
            Lookup::Unique(key) => write!(f, "by unique key {key}"),
            Lookup::Membership { organization, user } => {
                write!(f, "by organization {organization} and user {user}")
            }
        }
    }
}
