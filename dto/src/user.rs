//! Accounts and profiles: `UserDto`, `UserInformationDto`, `UserProfileDto` (the last two
//! share `ProfileFields`).

use chrono::{DateTime, Utc};
use containerpub_domain::{Role, User, UserInformation, UserProfile};
use serde::Serialize;
use uuid::Uuid;

use crate::DtoError;

/// An account: `{uuid, email, created_at}`. Never the password hash, never the internal id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserDto {
    /// The user's uuid.
    pub uuid: Uuid,
    /// The e-mail address as stored (trimmed and lowercased by the domain).
    pub email: String,
    /// When the account was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl UserDto {
    /// The DTO of one user (the same as `UserDto::from(&user)`).
    #[must_use]
    pub fn from_entity(user: &User) -> Self {
        Self {
            uuid: user.uuid,
            email: user.email.as_str().to_owned(),
            created_at: user.created_at.as_datetime(),
        }
    }
}

impl From<&User> for UserDto {
    fn from(user: &User) -> Self {
        Self::from_entity(user)
    }
}

/// A profile: `{uuid, first_name, last_name, phone_number?, country?, city?, address?,
/// zip_code?, avatar?, role}`. `uuid` is the profile's own uuid; no user id, no timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInformationDto {
    /// The profile's uuid.
    pub uuid: Uuid,
    /// The profile's fields, written inline after `uuid`.
    #[serde(flatten)]
    pub fields: ProfileFields,
}

/// A profile's fields as the wire shows them, inline in [`UserInformationDto`] and
/// [`UserProfileDto`]: `first_name, last_name, phone_number?, country?, city?, address?,
/// zip_code?, avatar?, role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileFields {
    /// First name; `''` when not stored.
    pub first_name: String,
    /// Last name; `''` when not stored.
    pub last_name: String,
    /// Phone number; the key is absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Country; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// City; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street address; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    /// Avatar URL; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Role, as its stored word (`developer`, `team`, `sub_team_developer`).
    #[serde(serialize_with = "crate::word::serialize")]
    pub role: Role,
}

impl From<&UserInformation> for ProfileFields {
    fn from(info: &UserInformation) -> Self {
        Self {
            first_name: text_or_empty(info.first_name.as_ref()),
            last_name: text_or_empty(info.last_name.as_ref()),
            phone_number: text(info.phone_number.as_ref()),
            country: text(info.country.as_ref()),
            city: text(info.city.as_ref()),
            address: text(info.address.as_ref()),
            zip_code: text(info.zip_code.as_ref()),
            avatar: text(info.avatar.as_ref()),
            role: info.role,
        }
    }
}

/// `Option<&impl AsRef<str>>` to an owned `Option<String>`.
pub(crate) fn text<T: AsRef<str>>(value: Option<&T>) -> Option<String> {
    value.map(|v| v.as_ref().to_owned())
}

/// A text Dart always sends: the stored value, `''` when there is none.
pub(crate) fn text_or_empty<T: AsRef<str>>(value: Option<&T>) -> String {
    text(value).unwrap_or_default()
}

impl UserInformationDto {
    /// The DTO of one profile (the same as `UserInformationDto::from(&info)`).
    #[must_use]
    pub fn from_entity(info: &UserInformation) -> Self {
        Self {
            uuid: info.uuid,
            fields: ProfileFields::from(info),
        }
    }
}

impl From<&UserInformation> for UserInformationDto {
    fn from(info: &UserInformation) -> Self {
        Self::from_entity(info)
    }
}

/// A user with their profile, flat: `{uuid, email, first_name, last_name, phone_number?,
/// country?, city?, address?, zip_code?, avatar?, role, created_at}`. `uuid` and `created_at`
/// are the user's. As in Dart it needs a profile: there are no defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserProfileDto {
    /// The user's uuid.
    pub uuid: Uuid,
    /// The e-mail address as stored.
    pub email: String,
    /// The profile's fields, written inline after `email`.
    #[serde(flatten)]
    pub fields: ProfileFields,
    /// When the account was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
}

impl UserProfileDto {
    /// Projects a user and their profile.
    ///
    /// # Errors
    /// [`DtoError::ProfileOfAnotherUser`] if `information` is not `user`'s profile.
    pub fn from_entities(user: &User, information: &UserInformation) -> Result<Self, DtoError> {
        if information.user_uuid != user.uuid {
            return Err(DtoError::ProfileOfAnotherUser);
        }
        Ok(Self {
            uuid: user.uuid,
            email: user.email.as_str().to_owned(),
            fields: ProfileFields::from(information),
            created_at: user.created_at.as_datetime(),
        })
    }
}

impl TryFrom<&UserProfile> for UserProfileDto {
    type Error = DtoError;

    /// Projects the read model of `UserInformationReader::profile`.
    ///
    /// # Errors
    /// [`DtoError::MissingProfile`] when the user has no profile;
    /// [`DtoError::ProfileOfAnotherUser`] when it is another user's.
    fn try_from(profile: &UserProfile) -> Result<Self, DtoError> {
        let information = profile
            .information
            .as_ref()
            .ok_or(DtoError::MissingProfile)?;
        Self::from_entities(&profile.user, information)
    }
}
