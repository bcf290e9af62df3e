//! Organizations: `OrganizationDto` and `UserWithOrganizationDto`. The members and their
//! privacy rule are in [`crate::members`].

use chrono::{DateTime, Utc};
use containerpub_domain::{Organization, Role, UserInformation, UserWithOrganization};
use serde::Serialize;
use uuid::Uuid;

use crate::DtoError;
use crate::user::{text, text_or_empty};

/// An organization: `{uuid, name, owner_id, created_at, updated_at}`. `owner_id` is the
/// owner's user uuid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationDto {
    /// The organization's uuid.
    pub uuid: Uuid,
    /// Its unique name.
    pub name: String,
    /// The owner's user uuid.
    pub owner_id: Uuid,
    /// When the organization was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// When the organization was last updated.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
}

impl OrganizationDto {
    /// The DTO of one organization (the same as `OrganizationDto::from(&org)`).
    #[must_use]
    pub fn from_entity(org: &Organization) -> Self {
        Self {
            uuid: org.uuid,
            name: org.name.as_str().to_owned(),
            owner_id: org.owner_uuid,
            created_at: org.created_at.as_datetime(),
            updated_at: org.updated_at.as_datetime(),
        }
    }
}

impl From<&Organization> for OrganizationDto {
    fn from(org: &Organization) -> Self {
        Self::from_entity(org)
    }
}

/// A user, their profile and their organization, flat: `{uuid, email, first_name, last_name,
/// phone_number?, avatar?, role, organization?, created_at}`. Without a profile the names are
/// `''` and the role `developer`; `organization` is an [`OrganizationDto`], absent when the
/// user belongs to none. `uuid` and `created_at` are the user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserWithOrganizationDto {
    /// The user's uuid.
    pub uuid: Uuid,
    /// The e-mail address as stored.
    pub email: String,
    /// First name from the profile; `''` without one.
    pub first_name: String,
    /// Last name from the profile; `''` without one.
    pub last_name: String,
    /// Phone number from the profile; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Avatar URL from the profile; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Role from the profile as its stored word; `developer` without a profile.
    #[serde(serialize_with = "crate::word::serialize")]
    pub role: Role,
    /// The user's organization; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationDto>,
    /// When the account was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl UserWithOrganizationDto {
    /// Projects the read model and the user's profile, as `UserReader::with_organization`
    /// returns them.
    ///
    /// # Errors
    /// [`DtoError::ProfileOfAnotherUser`] if `information` is not the user's profile.
    pub fn from_entities(
        value: &UserWithOrganization,
        information: Option<&UserInformation>,
    ) -> Result<Self, DtoError> {
        let user = &value.user;
        if information.is_some_and(|i| i.user_uuid != user.uuid) {
            return Err(DtoError::ProfileOfAnotherUser);
        }
        Ok(Self {
            uuid: user.uuid,
            email: user.email.as_str().to_owned(),
            first_name: text_or_empty(information.and_then(|i| i.first_name.as_ref())),
            last_name: text_or_empty(information.and_then(|i| i.last_name.as_ref())),
            phone_number: text(information.and_then(|i| i.phone_number.as_ref())),
            avatar: text(information.and_then(|i| i.avatar.as_ref())),
            role: information.map_or(Role::Developer, |i| i.role),
            organization: value.organization.as_ref().map(OrganizationDto::from),
            created_at: user.created_at.as_datetime(),
        })
    }
}
