//! The role traits of `users`: [`UserReader`], [`UserWriter`], [`UserStore`].

use async_trait::async_trait;

use containerpub_domain::{Email, NewUser, User, UserInformation, UserWithOrganization, Uuid};

use crate::error::StoreResult;
use crate::keys::{Upserted, UserKey};
use crate::stores::{Reader, UuidReader, Writer};
use crate::upsert_columns::UserColumn;

/// What [`UserReader::with_organization`] finds: the user with the organization they belong
/// to (if any), and their profile (if any).
pub type UserWithOrganizationAndProfile = (UserWithOrganization, Option<UserInformation>);

/// Reads `users`.
#[async_trait]
pub trait UserReader: Reader<User> + UuidReader<User> {
    /// Finds the user with this e-mail (already normalised by [`Email`]).
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn find_by_email(&self, email: &Email) -> StoreResult<Option<User>>;

    /// The user with this uuid, with the organization they belong to (if any) and their
    /// profile (if any): all that `UserWithOrganizationDto` needs, in one call. `None` if
    /// there is no such user.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn with_organization(
        &self,
        user: Uuid,
    ) -> StoreResult<Option<UserWithOrganizationAndProfile>>;
}

/// Writes `users`. Deleting a user cascades to their functions (and so deployments,
/// logs and invocations), profile and membership, and is `StillReferenced`
/// (`organizations_owner_id_fkey`) while they own an organization.
#[async_trait]
pub trait UserWriter: Writer<User> {
    /// `upsert` whose update branch takes from the input only the columns in `update`
    /// (and stamps `updated_at`); the other columns keep their stored values, so
    /// `upsert_updating(new, UserKey::Email, vec![])` leaves the password hash alone.
    /// The insert branch, the sequence value and every check are `upsert`'s; a column
    /// not taken is not checked either (an e-mail not taken cannot conflict).
    ///
    /// # Errors
    /// As `upsert`: `Conflict` on a unique key other than `key` (`users_uuid_key` when
    /// inserting, `users_email_key` when the e-mail is taken), `InvalidInput`.
    async fn upsert_updating(
        &self,
        new: NewUser,
        key: UserKey,
        update: Vec<UserColumn>,
    ) -> StoreResult<Upserted<User>>;
}

/// Reads and writes `users`.
pub trait UserStore: UserReader + UserWriter {}

impl<T: UserReader + UserWriter + ?Sized> UserStore for T {}
