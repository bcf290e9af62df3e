//! The store traits: per entity a `Reader`, a `Writer`, and a `Store` that is both.
//!
//! Every entity has the same generic surface (the seed's manager API): find by id / by uuid /
//! one / all, offset pages and keyset windows, count, exists, insert, batch insert, update by
//! id, update where, delete by id, delete where and upsert on a named unique key. Domain
//! operations sit beside them, on the reader or writer of the entity they return.
//!
//! ## Rules every method follows
//! - **Atomic.** Each call is all or nothing, batches included; a multi-step operation runs in
//!   one transaction.
//! - **Validation first.** Input is checked before anything is written; a batch reports the
//!   index of its first bad row.
//! - **Constraint order.** When one statement breaks several constraints, the error reported
//!   is the first of: unique keys (row by row, each row's keys in [`UniqueKey`] order), then
//!   foreign keys (row by row, in [`ForeignKey`] order). Batches are split into statements of
//!   [`BATCH_CHUNK_ROWS`] rows.
//! - **Batch errors name the row.** A batch row's constraint error comes as
//!   [`StoreError::InBatch`]` { index, error }`: `index` is the 0-based input position of the
//!   first row that fails in the order above (a duplicate inside the batch names its later
//!   occurrence), `error` the `Conflict` / `ReferenceMissing` it caused; a bad row's
//!   `InvalidInput` carries its `index` itself. Single-row calls never return `InBatch`, nor
//!   do multi-step operations that write several rows for one input (an organization and its
//!   owner's membership).
//! - **Stamps.** `created_at`/`updated_at`/`joined_at`/`deployed_at` and default event times
//!   come from the store's [`Clock`](containerpub_domain::Clock), at microsecond precision;
//!   every update sets `updated_at`.
//! - **Upsert.** On a conflict on the named key the existing row keeps its `id`, `uuid`,
//!   creation time and key columns and takes every other column from the input (entity
//!   notes below say what differs); a conflict on another unique key is `Conflict`.
//!
//! [`UniqueKey`]: crate::UniqueKey
//! [`ForeignKey`]: crate::ForeignKey
//! [`StoreError::InBatch`]: crate::StoreError::InBatch

use async_trait::async_trait;
use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, Email, EntityName, Function, FunctionDetails,
    FunctionId, FunctionPatch, FunctionStats, FunctionSummary, Invocation, InvocationId,
    InvocationPatch, LogEntry, LogId, LogLevel, LogPatch, MemberProfile, NewDeployment,
    NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository,
    NewUser, NewUserInformation, Organization, OrganizationId, OrganizationMember,
    OrganizationMemberId, OrganizationMemberPatch, OrganizationPatch, Page, Repository,
    RepositoryId, RepositoryPatch, RepositoryPath, Timestamp, User, UserId, UserInformation,
    UserInformationId, UserInformationPatch, UserPatch, UserProfile, Uuid,
};

use crate::error::StoreResult;
use crate::fields::{
    DeploymentField, FunctionField, InvocationField, LogField, OrganizationField,
    OrganizationMemberField, RepositoryField, UserField, UserInformationField,
};
use crate::keys::{
    DeploymentKey, FunctionKey, InvocationKey, LogKey, OrganizationKey, OrganizationMemberKey,
    RepositoryKey, Upserted, UserInformationKey, UserKey,
};
use crate::query::{Filter, KeysetRequest, PageRequest, Query, Sort, Window};

/// Rows per statement when a batch is written (keeps every statement far below PostgreSQL's
/// 65,535 bind parameters, and fixes the constraint-check order for both adapters).
pub const BATCH_CHUNK_ROWS: usize = 5_000;

/// The most rows one batch call (`insert_many`, `append`, `record_many`) takes; a larger
/// batch is `InvalidInput` (field `rows`, rule `TooLarge`) before anything is written.
pub const MAX_BATCH_ROWS: usize = 100_000;

/// `Ok` for a batch of at most [`MAX_BATCH_ROWS`] rows (both adapters check with it first).
///
/// # Errors
/// `InvalidInput` (field `rows`, rule `TooLarge`) for a larger batch.
pub fn check_batch_len(len: usize) -> StoreResult<()> {
    if len > MAX_BATCH_ROWS {
        return Err(crate::error::StoreError::invalid(
            "rows",
            containerpub_domain::Rule::TooLarge {
                max: i64::try_from(MAX_BATCH_ROWS).unwrap_or(i64::MAX),
                actual: i64::try_from(len).unwrap_or(i64::MAX),
            },
        ));
    }
    Ok(())
}

macro_rules! store_traits {
    // find_by_uuid exists only for tables with a uuid column.
    (@uuid yes $entity:ident; $($rest:tt)*) => {
        store_traits!(@methods [
            #[doc = concat!("Finds the `", stringify!($entity), "` with this public uuid.")]
            ///
            /// # Errors
            /// `Unavailable` or `Internal` when the store fails.
            fn find_by_uuid(uuid: [Uuid]) -> [StoreResult<Option<$entity>>];
        ] $entity; $($rest)*);
    };
    (@uuid no $entity:ident; $($rest:tt)*) => {
        store_traits!(@methods [] $entity; $($rest)*);
    };
    // The generic surface, built once as token lists so that the traits and the combined
    // mock receive the very same methods (attribute macros cannot see inside nested macro
    // calls, so the lists are expanded before the traits are emitted).
    (@methods [$($uuid_method:tt)*] $entity:ident;
        id: $id:ident, field: $field:ident, new: $new:ident, patch: $patch:ident, key: $key:ident,
        $($rest:tt)*
    ) => {
        store_traits!(@emit [
            #[doc = concat!("Finds the `", stringify!($entity), "` with this internal id.")]
            ///
            /// # Errors
            /// `Unavailable` or `Internal` when the store fails.
            fn find_by_id(id: [$id]) -> [StoreResult<Option<$entity>>];

            $($uuid_method)*

            /// The first row of `query` (its order; limit ignored, offset applied).
            ///
            /// # Errors
            /// `InvalidInput` for a filter operand of the wrong kind, a NULL operand, text with
            /// NUL, or an offset above `i64::MAX`.
            fn find_one(query: [Query<$field>]) -> [StoreResult<Option<$entity>>];

            /// The rows matching `query.filter`, in `query.sort` order then by id, after
            /// skipping `query.offset`, at most `query.limit`.
            ///
            /// # Errors
            /// `InvalidInput` as for `find_one`, or a limit above `i64::MAX`, or (field
            /// `limit`) no limit while more than `MAX_UNLIMITED_ROWS` rows match.
            fn find_all(query: [Query<$field>]) -> [StoreResult<Vec<$entity>>];

            /// One offset page: the rows of `page` in `sort` order (then by id) and the total.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter, `page` below 1, or `page_size` outside
            /// 1..=`MAX_PAGE_SIZE`.
            fn find_page(filter: [Filter<$field>], sort: [Vec<Sort<$field>>], page: [PageRequest]) -> [StoreResult<Page<$entity>>];

            /// One keyset window: up to `window.limit` rows after `window.after`, in `sort`
            /// order then by id. Walking `next` cursors visits every matching row once, with
            /// no gaps or repeats, however deep.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter, a nullable sort field, `limit` outside
            /// 1..=`MAX_PAGE_SIZE`, or (field `cursor`) a cursor that is malformed or came
            /// from another query.
            fn find_window(filter: [Filter<$field>], sort: [Vec<Sort<$field>>], window: [KeysetRequest]) -> [StoreResult<Window<$entity>>];

            /// Projection of `find_all`: for each row of `query`, the values of `fields`
            /// in list order (see [`crate::query::projection`]).
            ///
            /// # Errors
            /// As `find_all`; `InvalidInput` (field `fields`) for an empty field list.
            fn select(query: [Query<$field>], fields: [Vec<$field>]) -> [StoreResult<Vec<crate::query::projection::Row>>];

            /// Projection of `find_page`: the same page and total, each row as the values
            /// of `fields`.
            ///
            /// # Errors
            /// As `find_page`; `InvalidInput` (field `fields`) for an empty field list.
            fn select_page(filter: [Filter<$field>], sort: [Vec<Sort<$field>>], page: [PageRequest], fields: [Vec<$field>]) -> [StoreResult<Page<crate::query::projection::Row>>];

            /// Projection of `find_window`: the same rows and the same `next` cursor, each
            /// row as the values of `fields`.
            ///
            /// # Errors
            /// As `find_window`; `InvalidInput` (field `fields`) for an empty field list.
            fn select_window(filter: [Filter<$field>], sort: [Vec<Sort<$field>>], window: [KeysetRequest], fields: [Vec<$field>]) -> [StoreResult<Window<crate::query::projection::Row>>];

            /// Groups the rows matching `query.filter` by `query.by`: each group's key, row
            /// count and aggregates, in `query.order`, at most `query.limit` groups (see
            /// [`crate::query::grouping`]).
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter, an aggregate of a non-integer field, or a
            /// limit above `i64::MAX`; `Internal` if a sum exceeds `i64`.
            fn group_by(query: [crate::query::grouping::GroupQuery<$field>]) -> [StoreResult<Vec<crate::query::grouping::Group>>];

            /// How many rows match `filter`.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter.
            fn count(filter: [Filter<$field>]) -> [StoreResult<u64>];

            /// Whether any row matches `filter`.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter.
            fn exists(filter: [Filter<$field>]) -> [StoreResult<bool>];
        ] [
            #[doc = concat!("Inserts one `", stringify!($entity), "` and returns it as stored.")]
            ///
            /// # Errors
            /// `Conflict` naming the unique key already holding a value; `ReferenceMissing`
            /// naming the foreign key whose target does not exist; `InvalidInput` for a domain
            /// rule the input breaks.
            fn insert(new: [$new]) -> [StoreResult<$entity>];

            /// Inserts every row or none, returning them as stored, in input order.
            /// An empty batch returns an empty list.
            ///
            /// # Errors
            /// `InBatch { index, error }` naming the first row that fails, with the error
            /// `insert` would give for it (`Conflict`, `ReferenceMissing`); a duplicate key
            /// inside the batch is a `Conflict` of its later occurrence. `InvalidInput`
            /// carries the index of the first bad row; `InvalidInput` (field `rows`) for more
            /// than `MAX_BATCH_ROWS` rows.
            fn insert_many(rows: [Vec<$new>]) -> [StoreResult<Vec<$entity>>];

            /// Applies `patch` to the row with this id and returns it as stored.
            ///
            /// # Errors
            /// `NotFound` if no such row; `Conflict`, `ReferenceMissing` and `InvalidInput` as
            /// for `insert`.
            fn update_by_id(id: [$id], patch: [$patch]) -> [StoreResult<$entity>];

            /// Applies `patch` to every row matching `filter`; returns how many changed.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter; `Conflict` and `ReferenceMissing` as for
            /// `update_by_id` (then no row changes).
            fn update_where(filter: [Filter<$field>], patch: [$patch]) -> [StoreResult<u64>];

            /// Deletes the row with this id, with the schema's `ON DELETE` actions.
            ///
            /// # Errors
            /// `NotFound` if no such row; `StillReferenced` if an `ON DELETE RESTRICT` row
            /// references it (then nothing is deleted).
            fn delete_by_id(id: [$id]) -> [StoreResult<()>];

            /// Deletes every row matching `filter`; returns how many.
            ///
            /// # Errors
            /// `InvalidInput` for a bad filter; `StillReferenced` as for `delete_by_id`.
            fn delete_where(filter: [Filter<$field>]) -> [StoreResult<u64>];

            /// Inserts `new`, or, if a row already holds its value of `key`, updates that row
            /// from it; tells which happened.
            ///
            /// # Errors
            /// `Conflict` on a unique key other than `key`; `ReferenceMissing` and
            /// `InvalidInput` as for `insert`.
            fn upsert(new: [$new], key: [$key]) -> [StoreResult<Upserted<$entity>>];

            /// Create-or-find: returns the row already holding the input's value of `key`,
            /// untouched (no statement writes, no sequence value is taken, `updated_at`
            /// keeps its value), or inserts `new` as `insert` does; tells which. Race-safe:
            /// of concurrent callers with one key value, one inserts and every other gets
            /// that row as `Existing` (a caller that lost the race to insert has taken a
            /// sequence value, as any attempted INSERT does).
            ///
            /// # Errors
            /// As `insert`, except a `Conflict` on `key` itself: `Conflict` on another
            /// unique key, `ReferenceMissing`, `InvalidInput`.
            fn find_or_insert(new: [$new], key: [$key]) -> [StoreResult<crate::find_or_insert::Found<$entity>>];
        ] $($rest)*);
    };
    // Every signature is written here, in one expansion with the attributes: async-trait and
    // mockall resolve `self` by hygiene, so `&self` must come from the same expansion as them.
    (@emit
        [$($(#[$($ra:tt)*])* fn $rf:ident($($rarg:ident: [$($rty:tt)*]),*) -> [$($rret:tt)*];)*]
        [$($(#[$($wa:tt)*])* fn $wf:ident($($warg:ident: [$($wty:tt)*]),*) -> [$($wret:tt)*];)*]
        $(#[$rmeta:meta])* reader $reader:ident {
            $($(#[$($rxa:tt)*])* fn $rxf:ident($($rxarg:ident: [$($rxty:tt)*]),*) -> [$($rxret:tt)*];)*
        }
        $(#[$wmeta:meta])* writer $writer:ident {
            $($(#[$($wxa:tt)*])* fn $wxf:ident($($wxarg:ident: [$($wxty:tt)*]),*) -> [$($wxret:tt)*];)*
        }
        $(#[$smeta:meta])* store $store:ident;
    ) => {
        $(#[$rmeta])*
        #[cfg_attr(any(test, feature = "mock"), mockall::automock)]
        #[async_trait]
        pub trait $reader: Send + Sync {
            $($(#[$($ra)*])* async fn $rf(&self, $($rarg: $($rty)*),*) -> $($rret)*;)*
            $($(#[$($rxa)*])* async fn $rxf(&self, $($rxarg: $($rxty)*),*) -> $($rxret)*;)*
        }

        $(#[$wmeta])*
        #[cfg_attr(any(test, feature = "mock"), mockall::automock)]
        #[async_trait]
        pub trait $writer: Send + Sync {
            $($(#[$($wa)*])* async fn $wf(&self, $($warg: $($wty)*),*) -> $($wret)*;)*
            $($(#[$($wxa)*])* async fn $wxf(&self, $($wxarg: $($wxty)*),*) -> $($wxret)*;)*
        }

        $(#[$smeta])*
        pub trait $store: $reader + $writer {}

        impl<T: $reader + $writer + ?Sized> $store for T {}

        #[cfg(any(test, feature = "mock"))]
        mockall::mock! {
            pub $store {}

            #[async_trait]
            impl $reader for $store {
                $($(#[$($ra)*])* async fn $rf(&self, $($rarg: $($rty)*),*) -> $($rret)*;)*
                $($(#[$($rxa)*])* async fn $rxf(&self, $($rxarg: $($rxty)*),*) -> $($rxret)*;)*
            }

            #[async_trait]
            impl $writer for $store {
                $($(#[$($wa)*])* async fn $wf(&self, $($warg: $($wty)*),*) -> $($wret)*;)*
                $($(#[$($wxa)*])* async fn $wxf(&self, $($wxarg: $($wxty)*),*) -> $($wxret)*;)*
            }
        }
    };
}

store_traits!(@uuid yes User;
    id: UserId, field: UserField, new: NewUser, patch: UserPatch, key: UserKey,
    /// Reads `users`.
    reader UserReader {
        /// Finds the user with this e-mail (already normalised by [`Email`]).
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn find_by_email(email: [&Email]) -> [StoreResult<Option<User>>];

        /// The user with this uuid, with the organization they belong to (if any) and their
        /// profile (if any): all that `UserWithOrganizationDto` needs, in one call. `None` if
        /// there is no such user.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn with_organization(user: [Uuid]) -> [StoreResult<Option<(containerpub_domain::UserWithOrganization, Option<UserInformation>)>>];
    }
    /// Writes `users`. Deleting a user cascades to their functions (and so deployments,
    /// logs and invocations), profile and membership, and is `StillReferenced`
    /// (`organizations_owner_id_fkey`) while they own an organization.
    writer UserWriter {
        /// `upsert` whose update branch takes from the input only the columns in `update`
        /// (and stamps `updated_at`); the other columns keep their stored values, so
        /// `upsert_updating(new, UserKey::Email, vec![])` leaves the password hash alone.
        /// The insert branch, the sequence value and every check are `upsert`'s; a column
        /// not taken is not checked either (an e-mail not taken cannot conflict).
        ///
        /// # Errors
        /// As `upsert`: `Conflict` on a unique key other than `key` (`users_uuid_key` when
        /// inserting, `users_email_key` when the e-mail is taken), `InvalidInput`.
        fn upsert_updating(new: [NewUser], key: [UserKey], update: [Vec<crate::upsert_columns::UserColumn>]) -> [StoreResult<Upserted<User>>];
    }
    /// Reads and writes `users`.
    store UserStore;
);

store_traits!(@uuid yes UserInformation;
    id: UserInformationId, field: UserInformationField, new: NewUserInformation,
    patch: UserInformationPatch, key: UserInformationKey,
    /// Reads `user_information` (profiles).
    reader UserInformationReader {
        /// The profile of the user with this uuid.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn find_by_user(user: [Uuid]) -> [StoreResult<Option<UserInformation>>];

        /// The user with this uuid and their profile; `None` if there is no such user.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn profile(user: [Uuid]) -> [StoreResult<Option<UserProfile>>];
    }
    /// Writes `user_information`: one profile per user.
    writer UserInformationWriter {
        /// Creates the user's profile or replaces its fields (the upsert on
        /// [`UserInformationKey::User`]).
        ///
        /// # Errors
        /// `ReferenceMissing` (`user_information_user_id_fkey`) if the user does not exist;
        /// `Conflict` (`user_information_uuid_key`) if another profile has the input's uuid.
        fn upsert_for_user(profile: [NewUserInformation]) -> [StoreResult<Upserted<UserInformation>>];
    }
    /// Reads and writes `user_information`.
    store UserInformationStore;
);

store_traits!(@uuid yes Organization;
    id: OrganizationId, field: OrganizationField, new: NewOrganization,
    patch: OrganizationPatch, key: OrganizationKey,
    /// Reads `organizations`.
    reader OrganizationReader {
        /// The organization with this name.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn find_by_name(name: [&EntityName]) -> [StoreResult<Option<Organization>>];

        /// The organization the user with this uuid belongs to.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn organization_of(user: [Uuid]) -> [StoreResult<Option<Organization>>];
    }
    /// Writes `organizations`. Every insert (plain, batch, or the insert branch of an upsert)
    /// also makes the owner a member in the same step: if the owner already belongs to an
    /// organization the whole call fails with `Conflict`
    /// (`organization_members_user_id_key`). Changing the owner does not change memberships.
    writer OrganizationWriter {
        /// Creates an organization and its owner's membership, atomically.
        ///
        /// # Errors
        /// `Conflict` (`organizations_name_key`, `organizations_uuid_key`, or
        /// `organization_members_user_id_key` when the owner already belongs to an
        /// organization); `ReferenceMissing` (`organizations_owner_id_fkey`) if the owner
        /// does not exist. Nothing is written on error.
        fn create_with_owner(new: [NewOrganization]) -> [StoreResult<(Organization, OrganizationMember)>];
    }
    /// Reads and writes `organizations`.
    store OrganizationStore;
);

store_traits!(@uuid no OrganizationMember;
    id: OrganizationMemberId, field: OrganizationMemberField, new: NewOrganizationMember,
    patch: OrganizationMemberPatch, key: OrganizationMemberKey,
    /// Reads `organization_members`.
    reader OrganizationMemberReader {
        /// The members of the organization with this uuid, with their accounts and profiles,
        /// in order of joining (then id). Empty if the organization does not exist.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn members_of(organization: [Uuid]) -> [StoreResult<Vec<MemberProfile>>];

        /// The membership of the user with this uuid.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn membership_of(user: [Uuid]) -> [StoreResult<Option<OrganizationMember>>];
    }
    /// Writes `organization_members`. An upsert on [`OrganizationMemberKey::User`] moves the
    /// user to the input's organization and sets `joined_at` to now.
    writer OrganizationMemberWriter {
        /// Adds the user to the organization.
        ///
        /// # Errors
        /// `Conflict` (`organization_members_user_id_key`) if the user already belongs to an
        /// organization (this one included); `ReferenceMissing`
        /// (`organization_members_organization_id_fkey` / `organization_members_user_id_fkey`)
        /// if the organization or the user does not exist.
        fn add_member(organization: [Uuid], user: [Uuid]) -> [StoreResult<OrganizationMember>];

        /// Removes the user from the organization.
        ///
        /// # Errors
        /// `NotFound` (`organization_members`) if the user is not a member of it;
        /// `InvalidInput` (field `user_id`) if the user is the organization's owner.
        fn remove_member(organization: [Uuid], user: [Uuid]) -> [StoreResult<()>];
    }
    /// Reads and writes `organization_members`.
    store OrganizationMemberStore;
);

store_traits!(@uuid yes Function;
    id: FunctionId, field: FunctionField, new: NewFunction, patch: FunctionPatch,
    key: FunctionKey,
    /// Reads `functions`.
    reader FunctionReader {
        /// The functions of one owner, newest first (`created_at` desc, then id desc).
        ///
        /// # Errors
        /// `InvalidInput` for a bad page request.
        fn find_by_owner(owner: [UserId], page: [PageRequest]) -> [StoreResult<Page<Function>>];

        /// The function, its owner, and its deployments highest version first.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn details(id: [FunctionId]) -> [StoreResult<Option<FunctionDetails>>];

        /// The functions matching `query`, each with its owner's e-mail and its number of
        /// deployments (the seed's join query), in the query's order.
        ///
        /// # Errors
        /// `InvalidInput` as for `find_all`.
        fn summaries(query: [Query<FunctionField>]) -> [StoreResult<Vec<FunctionSummary>>];
    }
    /// Writes `functions`. Deleting one cascades to its deployments, logs and invocations.
    /// The active deployment changes only through [`DeploymentWriter::activate`].
    writer FunctionWriter {}
    /// Reads and writes `functions`.
    store FunctionStore;
);

store_traits!(@uuid yes Deployment;
    id: DeploymentId, field: DeploymentField, new: NewDeployment, patch: DeploymentPatch,
    key: DeploymentKey,
    /// Reads `function_deployments`.
    reader DeploymentReader {
        /// The active deployment of the function.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn active_for(function: [FunctionId]) -> [StoreResult<Option<Deployment>>];
    }
    /// Writes `function_deployments`. Every insert takes the function's next version
    /// (1, 2, 3, …; a batch takes consecutive versions in input order), safely under
    /// concurrent callers; new deployments are inactive. The upsert's update branch keeps
    /// `function_id`, `version`, `is_active` and `deployed_at`. Deleting the active deployment
    /// sets the function's `active_deployment_id` to NULL.
    writer DeploymentWriter {
        /// Creates the function's next version (the same as `insert`).
        ///
        /// # Errors
        /// `ReferenceMissing` (`function_deployments_function_id_fkey`) if the function does
        /// not exist; `Conflict` (`function_deployments_uuid_key`) on a duplicate uuid.
        fn create_next_version(new: [NewDeployment]) -> [StoreResult<Deployment>];

        /// Makes this deployment its function's only active one and points the function's
        /// `active_deployment_id` at it, in one atomic step. Activating the active one again
        /// changes nothing but is not an error.
        ///
        /// # Errors
        /// `NotFound` (`function_deployments`) if there is no such deployment.
        fn activate(id: [DeploymentId]) -> [StoreResult<Deployment>];
    }
    /// Reads and writes `function_deployments`.
    store DeploymentStore;
);

/// Which logs of one function to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The function.
    pub function_id: FunctionId,
    /// Only logs at or after this time.
    pub from: Option<Timestamp>,
    /// Only logs strictly before this time.
    pub until: Option<Timestamp>,
    /// Only logs of this level.
    pub level: Option<LogLevel>,
    /// Newest first (`timestamp` desc, id desc) instead of oldest first.
    pub newest_first: bool,
}

impl LogQuery {
    /// Every log of the function, oldest first.
    #[must_use]
    pub fn for_function(function_id: FunctionId) -> Self {
        Self {
            function_id,
            from: None,
            until: None,
            level: None,
            newest_first: false,
        }
    }

    /// The query as a filter and a sort on `function_logs` (what adapters run).
    #[must_use]
    pub fn to_filter_and_sort(&self) -> (Filter<LogField>, Vec<Sort<LogField>>) {
        let mut filter = LogField::FunctionId.eq(self.function_id);
        if let Some(from) = self.from {
            filter = filter.and(LogField::Timestamp.ge(from));
        }
        if let Some(until) = self.until {
            filter = filter.and(LogField::Timestamp.lt(until));
        }
        if let Some(level) = self.level {
            filter = filter.and(LogField::Level.eq(level));
        }
        let sort = if self.newest_first {
            vec![LogField::Timestamp.desc(), LogField::Id.desc()]
        } else {
            vec![LogField::Timestamp.asc(), LogField::Id.asc()]
        };
        (filter, sort)
    }
}

store_traits!(@uuid yes LogEntry;
    id: LogId, field: LogField, new: NewLog, patch: LogPatch, key: LogKey,
    /// Reads `function_logs`.
    reader LogReader {
        /// One keyset window of a function's logs in a time range, optionally of one level
        /// (the same as `find_window` with [`LogQuery::to_filter_and_sort`]).
        ///
        /// # Errors
        /// `InvalidInput` for a bad limit or cursor.
        fn for_function(query: [LogQuery], window: [KeysetRequest]) -> [StoreResult<Window<LogEntry>>];
    }
    /// Writes `function_logs` (append-only in practice).
    writer LogWriter {
        /// Appends a batch of logs, all or nothing, as fast as the store allows; returns how
        /// many were written. Prefer it to `insert_many` when the rows are not needed back.
        ///
        /// # Errors
        /// `InBatch { index, error }` naming the first row that fails, with `error`
        /// `Conflict` (`function_logs_uuid_key`: the uuid exists, or repeats an earlier row)
        /// or `ReferenceMissing` (`function_logs_function_id_fkey`); `InvalidInput` with the
        /// index of the first bad row; `InvalidInput` (field `rows`) for more than
        /// `MAX_BATCH_ROWS` rows.
        fn append(logs: [Vec<NewLog>]) -> [StoreResult<u64>];

        /// Deletes every log older than `cutoff` (retention); returns how many.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn delete_older_than(cutoff: [Timestamp]) -> [StoreResult<u64>];
    }
    /// Reads and writes `function_logs`.
    store LogStore;
);

store_traits!(@uuid yes Invocation;
    id: InvocationId, field: InvocationField, new: NewInvocation, patch: InvocationPatch,
    key: InvocationKey,
    /// Reads `function_invocations`.
    reader InvocationReader {
        /// Statistics of the function's invocations at or after `since`: counts per status,
        /// average, maximum and continuous p50/p95/p99 durations.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn stats(function: [FunctionId], since: [Timestamp]) -> [StoreResult<FunctionStats>];
    }
    /// Writes `function_invocations`.
    writer InvocationWriter {
        /// Records one invocation (the same as `insert`).
        ///
        /// # Errors
        /// `ReferenceMissing` (`function_invocations_function_id_fkey`); `Conflict`
        /// (`function_invocations_uuid_key`).
        fn record(invocation: [NewInvocation]) -> [StoreResult<Invocation>];

        /// Records a batch, all or nothing; returns how many were written.
        ///
        /// # Errors
        /// `InBatch { index, error }` naming the first row that fails, with the error
        /// `record` would give for it; `InvalidInput` with the index of the first bad row;
        /// `InvalidInput` (field `rows`) for more than `MAX_BATCH_ROWS` rows.
        fn record_many(invocations: [Vec<NewInvocation>]) -> [StoreResult<u64>];
    }
    /// Reads and writes `function_invocations`.
    store InvocationStore;
);

store_traits!(@uuid yes Repository;
    id: RepositoryId, field: RepositoryField, new: NewRepository, patch: RepositoryPatch,
    key: RepositoryKey,
    /// Reads `repositories` (seed 004's `RepositoryReader`). Every read leaves soft-deleted
    /// rows out, as if they did not exist.
    reader RepositoryReader {
        /// The live repository at this path.
        ///
        /// # Errors
        /// `Unavailable` or `Internal` when the store fails.
        fn find_by_path(path: [&RepositoryPath]) -> [StoreResult<Option<Repository>>];

        /// Every live repository below this one, at any depth, ordered by path.
        ///
        /// # Errors
        /// `NotFound` if there is no live repository with this id.
        fn descendants_of(id: [RepositoryId]) -> [StoreResult<Vec<Repository>>];

        /// Its parent, the parent's parent, … up to the top: nearest first.
        ///
        /// # Errors
        /// `NotFound` if there is no live repository with this id.
        fn ancestors_of(id: [RepositoryId]) -> [StoreResult<Vec<Repository>>];

        /// The live repositories sharing its parent (top-level ones are siblings of each
        /// other), itself excluded, ordered by path.
        ///
        /// # Errors
        /// `NotFound` if there is no live repository with this id.
        fn siblings_of(id: [RepositoryId]) -> [StoreResult<Vec<Repository>>];
    }
    /// Writes `repositories`. An insert derives `name` (the last segment) and `parent_id`
    /// (the live repository at the parent path) from the path; a missing parent is
    /// `ReferenceMissing` (`repositories_parent_id_fkey`), a live duplicate path `Conflict`
    /// (`repositories_path_live_key`). A patch with a new path renames or moves the
    /// repository with its whole subtree (the new parent must exist; a repository cannot
    /// move below itself: `InvalidInput` field `path`); `update_where` cannot change paths
    /// (`InvalidInput` field `path`). `delete_by_id` / `delete_where` delete rows for good,
    /// cascading to the subtree. Every write leaves soft-deleted rows untouched, except the
    /// cascade of a hard delete.
    writer RepositoryWriter {
        /// Creates a repository (the same as `insert`).
        ///
        /// # Errors
        /// As `insert`.
        fn create(new: [NewRepository]) -> [StoreResult<Repository>];

        /// Soft-deletes the repository and its whole live subtree (one `deleted_at` for all);
        /// returns how many rows were soft-deleted. Their paths can then be created again.
        ///
        /// # Errors
        /// `NotFound` if there is no live repository with this id.
        fn soft_delete(id: [RepositoryId]) -> [StoreResult<u64>];
    }
    /// Reads and writes `repositories` (seed 004's `RepositoryStore`).
    store RepositoryStore;
);
