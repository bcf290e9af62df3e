//! An organization with its members, and the member-uuid privacy rule.
//!
//! **The rule:** a member's `uuid` (the member's *user* uuid) is sent only to the
//! organization's owner; for anyone else, and for an anonymous request, the key is absent.
//!
//! It holds by construction: [`OrganizationWithMembersDto::from_entities`] is the only way to
//! build either DTO of this module. Their fields are private (read them through the getters),
//! there is no setter, no `Default`, no `Deserialize` and no public constructor of
//! [`OrganizationMemberDto`], so no caller can attach a member uuid the rule did not grant.
//! Each of these is refused by the compiler:
//!
//! ```compile_fail,E0616
//! fn reveal(member: &mut containerpub_dto::OrganizationMemberDto) {
//!     member.uuid = Some(containerpub_domain::Uuid::nil()); // private field
//! }
//! ```
//!
//! ```compile_fail,E0277
//! // No `Deserialize`: JSON cannot smuggle member uuids in either.
//! let _: containerpub_dto::OrganizationWithMembersDto = serde_json::from_str("{}").unwrap();
//! ```
//!
//! ```compile_fail,E0599
//! let _ = containerpub_dto::OrganizationMemberDto::default();
//! ```

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use containerpub_domain::{MemberProfile, Organization, Role};
use serde::Serialize;
use uuid::Uuid;

use crate::DtoError;
use crate::user::{text, text_or_empty};

/// A member of an organization with their profile: `{uuid?, email, first_name, last_name,
/// phone_number?, avatar?, role, joined_at}`. Without a profile the names are `''` and the role
/// `developer`. Only [`OrganizationWithMembersDto::from_entities`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationMemberDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<Uuid>,
    email: String,
    first_name: String,
    last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar: Option<String>,
    #[serde(serialize_with = "crate::word::serialize")]
    role: Role,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    joined_at: DateTime<Utc>,
}

impl OrganizationMemberDto {
    /// The member, with their user uuid only when `show_uuid`.
    fn project(profile: &MemberProfile, show_uuid: bool) -> Self {
        let info = profile.information.as_ref();
        Self {
            uuid: show_uuid.then_some(profile.user.uuid),
            email: profile.user.email.as_str().to_owned(),
            first_name: text_or_empty(info.and_then(|i| i.first_name.as_ref())),
            last_name: text_or_empty(info.and_then(|i| i.last_name.as_ref())),
            phone_number: text(info.and_then(|i| i.phone_number.as_ref())),
            avatar: text(info.and_then(|i| i.avatar.as_ref())),
            role: info.map_or(Role::Developer, |i| i.role),
            joined_at: profile.member.joined_at.as_datetime(),
        }
    }

    /// The member's user uuid, when the requester owns the organization.
    #[must_use]
    pub fn uuid(&self) -> Option<Uuid> {
        self.uuid
    }

    /// The member's e-mail address.
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// First name from the profile; `''` without one.
    #[must_use]
    pub fn first_name(&self) -> &str {
        &self.first_name
    }

    /// Last name from the profile; `''` without one.
    #[must_use]
    pub fn last_name(&self) -> &str {
        &self.last_name
    }

    /// Phone number from the profile.
    #[must_use]
    pub fn phone_number(&self) -> Option<&str> {
        self.phone_number.as_deref()
    }

    /// Avatar URL from the profile.
    #[must_use]
    pub fn avatar(&self) -> Option<&str> {
        self.avatar.as_deref()
    }

    /// Role from the profile; [`Role::Developer`] without one.
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// When the member joined.
    #[must_use]
    pub fn joined_at(&self) -> DateTime<Utc> {
        self.joined_at
    }
}

/// An organization with its members as one requester sees them, flat: `{uuid, name, owner_id,
/// members, member_count, created_at, updated_at}`. Members are newest `joined_at` first;
/// `member_count` is their number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationWithMembersDto {
    uuid: Uuid,
    name: String,
    owner_id: Uuid,
    members: Vec<OrganizationMemberDto>,
    member_count: usize,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::serialize")]
    updated_at: DateTime<Utc>,
}

impl OrganizationWithMembersDto {
    /// Projects `org` and its `members` (as `OrganizationMemberReader::members_of` returns
    /// them) for `requester`, the requesting user's uuid, `None` for an anonymous request.
    ///
    /// Member uuids are included only when `requester` is `org.owner_id`. Uuids are compared as
    /// values, so a uuid parsed from upper-case text still identifies the owner (Dart compares
    /// strings). Members are sorted newest `joined_at` first; members that joined at the same
    /// instant keep the order given.
    ///
    /// # Errors
    /// Nothing is built when `members` holds rows that are not this organization's members:
    /// [`DtoError::ForeignMember`] for a membership of another organization,
    /// [`DtoError::MismatchedMember`] for a membership paired with another user's account or
    /// profile, [`DtoError::DuplicateMember`] for a user listed twice.
    pub fn from_entities(
        org: &Organization,
        members: &[MemberProfile],
        requester: Option<Uuid>,
    ) -> Result<Self, DtoError> {
        let mut seen = HashSet::with_capacity(members.len());
        for (index, m) in members.iter().enumerate() {
            if m.member.organization_uuid != org.uuid {
                return Err(DtoError::ForeignMember { index });
            }
            let profile_is_theirs = m
                .information
                .as_ref()
                .is_none_or(|i| i.user_uuid == m.user.uuid);
            if m.user.uuid != m.member.user_uuid || !profile_is_theirs {
                return Err(DtoError::MismatchedMember { index });
            }
            if !seen.insert(m.user.uuid) {
                return Err(DtoError::DuplicateMember { index });
            }
        }
        let is_owner = requester == Some(org.owner_uuid);
        let mut projected: Vec<OrganizationMemberDto> = members
            .iter()
            .map(|m| OrganizationMemberDto::project(m, is_owner))
            .collect();
        projected.sort_by_key(|m| std::cmp::Reverse(m.joined_at));
        Ok(Self {
            uuid: org.uuid,
            name: org.name.as_str().to_owned(),
            owner_id: org.owner_uuid,
            member_count: projected.len(),
            members: projected,
            created_at: org.created_at.as_datetime(),
            updated_at: org.updated_at.as_datetime(),
        })
    }

    /// The organization's uuid.
    #[must_use]
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The owner's user uuid.
    #[must_use]
    pub fn owner_id(&self) -> Uuid {
        self.owner_id
    }

    /// The members, newest first, as the requester may see them.
    #[must_use]
    pub fn members(&self) -> &[OrganizationMemberDto] {
        &self.members
    }

    /// The number of members.
    #[must_use]
    pub fn member_count(&self) -> usize {
        self.member_count
    }

    /// When the organization was created.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When the organization was last updated.
    #[must_use]
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
