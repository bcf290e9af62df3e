//! The role traits of `organizations`: [`OrganizationReader`], [`OrganizationWriter`], [`OrganizationStore`].

use async_trait::async_trait;

use containerpub_domain::{EntityName, NewOrganization, Organization, OrganizationMember, Uuid};

use crate::error::StoreResult;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `organizations`.
#[async_trait]
pub trait OrganizationReader: Reader<Organization> + UuidReader<Organization> {
    /// The organization with this name.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_name(&self, name: &EntityName) -> StoreResult<Option<Organization>>;

    /// The organization the user with this uuid belongs to.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn organization_of(&self, user: Uuid) -> StoreResult<Option<Organization>>;
}

/// Writes `organizations`. Every insert (plain, batch, or the insert branch of an upsert)
/// also makes the owner a member in the same step: if the owner already belongs to an
/// organization the whole call fails with `Conflict`
/// (`organization_members_user_id_key`). Changing the owner does not change memberships.
#[async_trait]
pub trait OrganizationWriter: Writer<Organization> {
    /// Creates an organization and its owner's membership, atomically.
    ///
    /// # Errors
    /// `Conflict` (`organizations_name_key`, `organizations_uuid_key`, or
    /// `organization_members_user_id_key` when the owner already belongs to an
    /// organization); `ReferenceMissing` (`organizations_owner_id_fkey`) if the owner
    /// does not exist. Nothing is written on error.
    async fn create_with_owner(
        &self,
        new: NewOrganization,
    ) -> StoreResult<(Organization, OrganizationMember)>;
}

/// Reads and writes `organizations`.
pub trait OrganizationStore: OrganizationReader + OrganizationWriter {}

impl<T: OrganizationReader + OrganizationWriter + ?Sized> OrganizationStore for T {}
