//! The role traits of `organization_members`: [`OrganizationMemberReader`], [`OrganizationMemberWriter`], [`OrganizationMemberStore`].

use async_trait::async_trait;

use containerpub_domain::{MemberProfile, OrganizationMember, Uuid};

use crate::error::StoreResult;
use crate::stores::{Reader, Writer};

/// Reads `organization_members`.
#[async_trait]
pub trait OrganizationMemberReader: Reader<OrganizationMember> {
    /// The members of the organization with this uuid, with their accounts and profiles,
    /// in order of joining (then id). Empty if the organization does not exist.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn members_of(&self, organization: Uuid) -> StoreResult<Vec<MemberProfile>>;

    /// The membership of the user with this uuid.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn membership_of(&self, user: Uuid) -> StoreResult<Option<OrganizationMember>>;
}

/// Writes `organization_members`. An upsert on [`OrganizationMemberKey::User`](crate::OrganizationMemberKey::User) moves the
/// user to the input's organization and sets `joined_at` to now.
#[async_trait]
pub trait OrganizationMemberWriter: Writer<OrganizationMember> {
    /// Adds the user to the organization.
    ///
    /// # Errors
    /// `Conflict` (`organization_members_user_id_key`) if the user already belongs to an
    /// organization (this one included); `ReferenceMissing`
    /// (`organization_members_organization_id_fkey` / `organization_members_user_id_fkey`)
    /// if the organization or the user does not exist.
    async fn add_member(&self, organization: Uuid, user: Uuid) -> StoreResult<OrganizationMember>;

    /// Removes the user from the organization.
    ///
    /// # Errors
    /// `NotFound` (`organization_members`, `Lookup::Membership` with both uuids) if the user
    /// is not a member of it;
    /// `InvalidInput` (field `user_id`) if the user is the organization's owner.
    async fn remove_member(&self, organization: Uuid, user: Uuid) -> StoreResult<()>;
}

/// Reads and writes `organization_members`.
pub trait OrganizationMemberStore: OrganizationMemberReader + OrganizationMemberWriter {}

impl<T: OrganizationMemberReader + OrganizationMemberWriter + ?Sized> OrganizationMemberStore
    for T
{
}
