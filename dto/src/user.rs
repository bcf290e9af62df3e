//! Accounts and profiles.

use chrono::{DateTime, Utc};
use containerpub_domain::{Role, User, UserInformation, UserProfile};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An account: its uuid and e-mail. Never the password hash, never the internal id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    /// The user's public identifier.
    pub uuid: Uuid,
    /// The normalised e-mail address.
    pub email: String,
    /// When the account was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the account was last updated.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserDto {
    fn from(user: &User) -> Self {
        Self {
            uuid: user.uuid,
            email: user.email.as_str().to_owned(),
            created_at: user.created_at.as_datetime(),
            updated_at: user.updated_at.as_datetime(),
        }
    }
}

/// A user's profile. `userId` is the user's uuid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInformationDto {
    /// The profile's public identifier.
    pub uuid: Uuid,
    /// The user's uuid.
    pub user_id: Uuid,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    pub zip_code: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Role, as its stored word (`developer`, `team`, `sub_team_developer`).
    #[serde(with = "crate::word")]
    pub role: Role,
    /// When the profile was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the profile was last updated.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// `Option<&impl AsRef<str>>` to an owned `Option<String>`.
pub(crate) fn text<T: AsRef<str>>(value: Option<&T>) -> Option<String> {
    value.map(|v| v.as_ref().to_owned())
}

impl From<&UserInformation> for UserInformationDto {
    fn from(info: &UserInformation) -> Self {
        Self {
            uuid: info.uuid,
            user_id: info.user_id,
            first_name: text(info.first_name.as_ref()),
            last_name: text(info.last_name.as_ref()),
            phone_number: text(info.phone_number.as_ref()),
            country: text(info.country.as_ref()),
            city: text(info.city.as_ref()),
            address: text(info.address.as_ref()),
            zip_code: text(info.zip_code.as_ref()),
            avatar: text(info.avatar.as_ref()),
            role: info.role,
            created_at: info.created_at.as_datetime(),
            updated_at: info.updated_at.as_datetime(),
        }
    }
}

/// A user with their profile (`information` is `null` when they have none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfileDto {
    /// The account.
    pub user: UserDto,
    /// The profile, if any.
    pub information: Option<UserInformationDto>,
}

impl From<&UserProfile> for UserProfileDto {
    fn from(profile: &UserProfile) -> Self {
        Self {
            user: UserDto::from(&profile.user),
            information: profile.information.as_ref().map(UserInformationDto::from),
        }
    }
}
