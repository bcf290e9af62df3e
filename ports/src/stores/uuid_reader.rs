//! [`UuidReader`]: finding an entity by its public uuid.

use async_trait::async_trait;
use containerpub_domain::Uuid;

use crate::entity::WithUuid;
use crate::error::StoreResult;

/// Finds rows of a table with a `uuid` column (every entity but `OrganizationMember`).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UuidReader<E: WithUuid>: Send + Sync {
    /// Finds the entity with this public uuid.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_uuid(&self, uuid: Uuid) -> StoreResult<Option<E>>;
}
