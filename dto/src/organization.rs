//! Organizations, their members, and the member-uuid privacy rule.

use chrono::{DateTime, Utc};
use containerpub_domain::{MemberProfile, Organization, Role, UserWithOrganization};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::user::{UserDto, text};

/// An organization. `ownerId` is the owner's user uuid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDto {
    /// The organization's public identifier.
    pub uuid: Uuid,
    /// Its unique name.
    pub name: String,
    /// The owner's user uuid.
    pub owner_id: Uuid,
    /// When the organization was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the organization was last updated.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<&Organization> for OrganizationDto {
    fn from(org: &Organization) -> Self {
        Self {
            uuid: org.uuid,
            name: org.name.as_str().to_owned(),
            owner_id: org.owner_id,
            created_at: org.created_at.as_datetime(),
            updated_at: org.updated_at.as_datetime(),
        }
    }
}

/// A member of an organization, with the member's profile.
///
/// `uuid` is the member's **user** uuid and is only present for viewers allowed to see it
/// (the organization's owner): otherwise the key is absent from the JSON, not `null`. There is
/// deliberately no `From<&MemberProfile>`: choose [`OrganizationMemberDto::with_uuid`] or
/// [`OrganizationMemberDto::without_uuid`], or let
/// [`OrganizationWithMembersDto::from_entities`] apply the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationMemberDto {
    /// The member's user uuid, when visible to the requester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    /// The member's e-mail address.
    pub email: String,
    /// First name, from the member's profile.
    pub first_name: Option<String>,
    /// Last name, from the member's profile.
    pub last_name: Option<String>,
    /// Avatar URL, from the member's profile.
    pub avatar: Option<String>,
    /// Role from the member's profile as its stored word; `null` when they have no profile.
    #[serde(default, with = "crate::word::option")]
    pub role: Option<Role>,
    /// When the member joined.
    #[serde(with = "crate::timestamp")]
    pub joined_at: DateTime<Utc>,
}

impl OrganizationMemberDto {
    /// The member as the organization's owner sees them: with their user uuid.
    #[must_use]
    pub fn with_uuid(profile: &MemberProfile) -> Self {
        Self {
            uuid: Some(profile.user.uuid),
            ..Self::without_uuid(profile)
        }
    }

    /// The member as anyone else sees them: no uuid (the key is absent from the JSON).
    #[must_use]
    pub fn without_uuid(profile: &MemberProfile) -> Self {
        let info = profile.information.as_ref();
        Self {
            uuid: None,
            email: profile.user.email.as_str().to_owned(),
            first_name: text(info.and_then(|i| i.first_name.as_ref())),
            last_name: text(info.and_then(|i| i.last_name.as_ref())),
            avatar: text(info.and_then(|i| i.avatar.as_ref())),
            role: info.map(|i| i.role),
            joined_at: profile.member.joined_at.as_datetime(),
        }
    }
}

/// An organization with its members, as seen by one requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationWithMembersDto {
    /// The organization.
    pub organization: OrganizationDto,
    /// Its members; their `uuid` is present only when the requester owns the organization.
    pub members: Vec<OrganizationMemberDto>,
    /// Whether the requester owns the organization.
    pub is_owner: bool,
}

impl OrganizationWithMembersDto {
    /// Projects `org` and `members` for `requester` (a user uuid).
    ///
    /// Member uuids are included only when `requester == org.owner_id`; for anyone else every
    /// member's `uuid` key is absent. Members are kept in the order given; the caller passes
    /// the members of `org`.
    #[must_use]
    pub fn from_entities(org: &Organization, members: &[MemberProfile], requester: Uuid) -> Self {
        let is_owner = requester == org.owner_id;
        let project = if is_owner {
            OrganizationMemberDto::with_uuid
        } else {
            OrganizationMemberDto::without_uuid
        };
        Self {
            organization: OrganizationDto::from(org),
            members: members.iter().map(project).collect(),
            is_owner,
        }
    }
}

/// A user with the organization they belong to (`organization` is `null` when none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserWithOrganizationDto {
    /// The account.
    pub user: UserDto,
    /// Their organization, if any.
    pub organization: Option<OrganizationDto>,
}

impl From<&UserWithOrganization> for UserWithOrganizationDto {
    fn from(value: &UserWithOrganization) -> Self {
        Self {
            user: UserDto::from(&value.user),
            organization: value.organization.as_ref().map(OrganizationDto::from),
        }
    }
}
