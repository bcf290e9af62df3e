//! The role traits of `user_information`: [`UserInformationReader`], [`UserInformationWriter`], [`UserInformationStore`].

use async_trait::async_trait;

use containerpub_domain::{NewUserInformation, UserInformation, UserProfile, Uuid};

use crate::error::StoreResult;
use crate::keys::Upserted;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `user_information` (profiles).
#[async_trait]
pub trait UserInformationReader: Reader<UserInformation> + UuidReader<UserInformation> {
    /// The profile of the user with this uuid.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_user(&self, user: Uuid) -> StoreResult<Option<UserInformation>>;

    /// The user with this uuid and their profile; `None` if there is no such user.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn profile(&self, user: Uuid) -> StoreResult<Option<UserProfile>>;
}

/// Writes `user_information`: one profile per user.
#[async_trait]
pub trait UserInformationWriter: Writer<UserInformation> {
    /// Creates the user's profile or replaces its fields (the upsert on
    /// [`UserInformationKey::User`](crate::UserInformationKey::User)).
    ///
    /// # Errors
    /// `ReferenceMissing` (`user_information_user_id_fkey`) if the user does not exist;
    /// `Conflict` (`user_information_uuid_key`) if another profile has the input's uuid.
    async fn upsert_for_user(
        &self,
        profile: NewUserInformation,
    ) -> StoreResult<Upserted<UserInformation>>;
}

/// Reads and writes `user_information`.
pub trait UserInformationStore: UserInformationReader + UserInformationWriter {}

impl<T: UserInformationReader + UserInformationWriter + ?Sized> UserInformationStore for T {}
