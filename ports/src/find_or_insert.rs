//! Create-or-find: `find_or_insert(new, key)` on every store (GitLab's registry store's
//! create-or-find): the row holding the input's value of `key`, untouched, or the input
//! inserted; [`Found`] tells which.
//!
//! One mechanism for both adapters ([`find_or_insert_with`]): read the holder of the key; if
//! there is none, insert with the normal checks; if that insert loses a race to another
//! caller inserting the same key (`Conflict` on `key`; PostgreSQL's unique check waits for
//! the other transaction to end first), read the winner's row. So when the row exists no
//! statement writes and no sequence value is taken; only a caller that lost such a race has
//! taken one (its INSERT was attempted, `docs/SEMANTICS.md`, Ids and sequences).

use std::future::Future;

use containerpub_domain::{
    NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember,
    NewRepository, NewUser, NewUserInformation,
};

use crate::error::{StoreError, StoreResult, UniqueKey};
use crate::fields::{
    DeploymentField, FunctionField, InvocationField, LogField, OrganizationField,
    OrganizationMemberField, RepositoryField, UserField, UserInformationField,
};
use crate::keys::{
    DeploymentKey, FunctionKey, InvocationKey, LogKey, OrganizationKey, OrganizationMemberKey,
    RepositoryKey, UserInformationKey, UserKey,
};
use crate::query::{Field, Filter};

/// What `find_or_insert` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<T> {
    /// A row already held the key: it is returned as stored, untouched.
    Existing(T),
    /// No row held the key: the input was inserted.
    Inserted(T),
}

impl<T> Found<T> {
    /// The row, whichever happened.
    pub fn into_inner(self) -> T {
        match self {
            Found::Existing(row) | Found::Inserted(row) => row,
        }
    }

    /// The row, borrowed.
    pub fn row(&self) -> &T {
        match self {
            Found::Existing(row) | Found::Inserted(row) => row,
        }
    }

    /// Whether the input was inserted.
    pub fn was_inserted(&self) -> bool {
        matches!(self, Found::Inserted(_))
    }
}

/// An input type whose unique-key values can be looked up: the filter selecting the row
/// that holds the input's value of a key (reads of `repositories` see live rows only, so
/// [`RepositoryKey::LivePath`] needs no extra predicate).
pub trait KeyFilter {
    /// The entity's field enum.
    type Field: Field;
    /// The entity's upsert / create-or-find targets.
    type Key: Copy;
    /// `key`'s columns equal to the input's values.
    fn key_filter(&self, key: Self::Key) -> Filter<Self::Field>;
    /// The schema's unique key `key` stands for.
    fn unique_key(key: Self::Key) -> UniqueKey;
}

impl KeyFilter for NewUser {
    type Field = UserField;
    type Key = UserKey;
    fn unique_key(key: UserKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: UserKey) -> Filter<UserField> {
        match key {
            UserKey::Uuid => UserField::Uuid.eq(self.uuid),
            UserKey::Email => UserField::Email.eq(&self.email),
        }
    }
}

impl KeyFilter for NewUserInformation {
    type Field = UserInformationField;
    type Key = UserInformationKey;
    fn unique_key(key: UserInformationKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: UserInformationKey) -> Filter<UserInformationField> {
        match key {
            UserInformationKey::Uuid => UserInformationField::Uuid.eq(self.uuid),
            UserInformationKey::User => UserInformationField::UserId.eq(self.user_uuid),
        }
    }
}

impl KeyFilter for NewOrganization {
    type Field = OrganizationField;
    type Key = OrganizationKey;
    fn unique_key(key: OrganizationKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: OrganizationKey) -> Filter<OrganizationField> {
        match key {
            OrganizationKey::Uuid => OrganizationField::Uuid.eq(self.uuid),
            OrganizationKey::Name => OrganizationField::Name.eq(self.name.clone()),
        }
    }
}

impl KeyFilter for NewOrganizationMember {
    type Field = OrganizationMemberField;
    type Key = OrganizationMemberKey;
    fn unique_key(key: OrganizationMemberKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: OrganizationMemberKey) -> Filter<OrganizationMemberField> {
        match key {
            OrganizationMemberKey::User => OrganizationMemberField::UserId.eq(self.user_uuid),
        }
    }
}

impl KeyFilter for NewFunction {
    type Field = FunctionField;
    type Key = FunctionKey;
    fn unique_key(key: FunctionKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: FunctionKey) -> Filter<FunctionField> {
        match key {
            FunctionKey::Uuid => FunctionField::Uuid.eq(self.uuid),
            FunctionKey::OwnerAndName => FunctionField::UserId
                .eq(self.user_id)
                .and(FunctionField::Name.eq(self.name.clone())),
        }
    }
}

impl KeyFilter for NewDeployment {
    type Field = DeploymentField;
    type Key = DeploymentKey;
    fn unique_key(key: DeploymentKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: DeploymentKey) -> Filter<DeploymentField> {
        match key {
            DeploymentKey::Uuid => DeploymentField::Uuid.eq(self.uuid),
        }
    }
}

impl KeyFilter for NewLog {
    type Field = LogField;
    type Key = LogKey;
    fn unique_key(key: LogKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: LogKey) -> Filter<LogField> {
        match key {
            LogKey::Uuid => LogField::Uuid.eq(self.uuid),
        }
    }
}

impl KeyFilter for NewInvocation {
    type Field = InvocationField;
    type Key = InvocationKey;
    fn unique_key(key: InvocationKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: InvocationKey) -> Filter<InvocationField> {
        match key {
            InvocationKey::Uuid => InvocationField::Uuid.eq(self.uuid),
        }
    }
}

impl KeyFilter for NewRepository {
    type Field = RepositoryField;
    type Key = RepositoryKey;
    fn unique_key(key: RepositoryKey) -> UniqueKey {
        key.unique_key()
    }
    fn key_filter(&self, key: RepositoryKey) -> Filter<RepositoryField> {
        match key {
            RepositoryKey::Uuid => RepositoryField::Uuid.eq(self.uuid),
            RepositoryKey::LivePath => RepositoryField::Path.eq(self.path.clone()),
        }
    }
}

/// The create-or-find both adapters run, from their own `find_one` (`find`, called at most
/// twice) and `insert`: the holder if `find` gives one; else the inserted row; else, when
/// the insert was a `Conflict` on `key` (another caller inserted it meanwhile), the holder
/// read again.
///
/// # Errors
/// What `find` or `insert` return, except `Conflict` on `key` when the holder can then be
/// read (if it cannot, because the other caller's row was deleted meanwhile, that
/// `Conflict` is returned).
pub async fn find_or_insert_with<T, F, FF, IF>(
    key: UniqueKey,
    find: F,
    insert: IF,
) -> StoreResult<Found<T>>
where
    F: Fn() -> FF,
    FF: Future<Output = StoreResult<Option<T>>>,
    IF: Future<Output = StoreResult<T>>,
{
    if let Some(row) = find().await? {
        return Ok(Found::Existing(row));
    }
    match insert.await {
        Ok(row) => Ok(Found::Inserted(row)),
        Err(StoreError::Conflict { key: lost }) if lost == key => match find().await? {
            Some(row) => Ok(Found::Existing(row)),
            None => Err(StoreError::Conflict { key }),
        },
        Err(other) => Err(other),
    }
}
