//! Upsert targets: the unique keys an upsert may resolve a conflict on, per entity.

use crate::error::UniqueKey;

macro_rules! upsert_keys {
    ($($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:ident),+ $(,)? })+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum $name {
                $(
                    $(#[$vmeta])*
                    $variant,
                )+
            }

            impl $name {
                /// The schema's unique key this target stands for.
                #[must_use]
                pub const fn unique_key(self) -> UniqueKey {
                    match self { $($name::$variant => UniqueKey::$key,)+ }
                }
            }
        )+
    };
}

upsert_keys!(
    /// Upsert targets of `users`.
    UserKey {
        /// `uuid`
        Uuid => UsersUuid,
        /// `email`
        Email => UsersEmail,
    }
    /// Upsert targets of `user_information`.
    UserInformationKey {
        /// `uuid`
        Uuid => UserInformationUuid,
        /// `user_id` (one profile per user)
        User => UserInformationUserId,
    }
    /// Upsert targets of `organizations`.
    OrganizationKey {
        /// `uuid`
        Uuid => OrganizationsUuid,
        /// `name`
        Name => OrganizationsName,
    }
    /// Upsert targets of `organization_members`.
    OrganizationMemberKey {
        /// `user_id` (one organization per user: an upsert moves the user)
        User => OrganizationMembersUserId,
    }
    /// Upsert targets of `functions`.
    FunctionKey {
        /// `uuid`
        Uuid => FunctionsUuid,
        /// `(user_id, name)`
        OwnerAndName => FunctionsUserIdName,
    }
    /// Upsert targets of `function_deployments`.
    DeploymentKey {
        /// `uuid`
        Uuid => DeploymentsUuid,
    }
    /// Upsert targets of `function_logs`.
    LogKey {
        /// `uuid`
        Uuid => LogsUuid,
    }
    /// Upsert targets of `function_invocations`.
    InvocationKey {
        /// `uuid`
        Uuid => InvocationsUuid,
    }
    /// Upsert targets of `repositories`.
    RepositoryKey {
        /// `uuid`
        Uuid => RepositoriesUuid,
        /// `path` among live (not soft-deleted) repositories
        LivePath => RepositoriesLivePath,
    }
);

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Upserted<T> {
    /// No row held the key: the input was inserted.
    Inserted(T),
    /// A row held the key: it was updated from the input.
    Updated(T),
}

impl<T> Upserted<T> {
    /// The row, whichever happened.
    pub fn into_inner(self) -> T {
        match self {
            Upserted::Inserted(row) | Upserted::Updated(row) => row,
        }
    }

    /// The row, borrowed.
    pub fn row(&self) -> &T {
        match self {
            Upserted::Inserted(row) | Upserted::Updated(row) => row,
        }
    }

    /// Whether the input was inserted.
    pub fn was_inserted(&self) -> bool {
        matches!(self, Upserted::Inserted(_))
    }
}
