//! The description of each table that the generic CRUD code runs on: its SeaORM entity, the
//! mapping of the ports' field enums to columns, `NewX` → `ActiveModel`, patches → column
//! updates, upsert targets, and rows → domain entities (re-validated: a stored value the domain
//! rejects is `StoreError::UnreadableRow` naming the table, the row's uuid and the column, never
//! a panic).
//!
//! Entities whose writes take more than one statement (organizations, deployments,
//! repositories) or a faster path (logs, invocations) override the write hooks of
//! [`TableDef`]; see [`crate::ops`].

use std::future::Future;
use std::str::FromStr;

use containerpub_domain::{
    BoundedText, Deployment, DeploymentId, DeploymentPatch, DeploymentStatus, DurationMs, Email,
    Function, FunctionId, FunctionPatch, FunctionStatus, Invocation, InvocationId, InvocationPatch,
    InvocationStatus, Json, LogEntry, LogId, LogLevel, LogPatch, Name, NewDeployment, NewFunction,
    NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository, NewUser,
    NewUserInformation, Organization, OrganizationId, OrganizationMember, OrganizationMemberId,
    OrganizationMemberPatch, OrganizationPatch, PasswordHash, Repository, RepositoryId,
    RepositoryPatch, RepositoryPath, Role, Timestamp, User, UserId, UserInformation,
    UserInformationId, UserInformationPatch, UserPatch, ValidationError, Version,
};
use containerpub_ports::{
    DeploymentField, DeploymentKey, Field, FunctionField, FunctionKey, InvocationField,
    InvocationKey, LogField, LogKey, OrganizationField, OrganizationKey, OrganizationMemberField,
    OrganizationMemberKey, Record, RepositoryField, RepositoryKey, StoreError, StoreResult, Table,
    Upserted, UserField, UserInformationField, UserInformationKey, UserKey,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, Value,
};

use crate::batch::BatchResult;
use crate::conn::PgConn;
use crate::crud;
use crate::entity::{
    deployment, function, invocation, log, member, organization, profile, repository, user,
};

/// The target of an upsert: the key's columns, and whether the key is a partial index
/// restricted to live rows (`WHERE deleted_at IS NULL`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UpsertTarget<C: 'static> {
    /// The key's columns (the `ON CONFLICT` target).
    pub(crate) columns: &'static [C],
    /// The columns the update branch takes from the input (`EXCLUDED`).
    pub(crate) updates: &'static [C],
    /// The key is the partial index of live rows.
    pub(crate) live_only: bool,
}

/// One table, as the generic CRUD code sees it.
pub(crate) trait TableDef: Sized + Send + Sync + 'static {
    /// The SeaORM entity.
    type Entity: EntityTrait<Model = Self::Model, Column = Self::Column, ActiveModel = Self::ActiveModel>
        + Default;
    /// A row as read.
    type Model: FromQueryResult + Send + Sync + 'static;
    /// A row to write.
    type ActiveModel: ActiveModelTrait<Entity = Self::Entity>
        + ActiveModelBehavior
        + Send
        + Sync
        + 'static;
    /// The entity's columns.
    type Column: ColumnTrait + Copy + Send + Sync + 'static;
    /// The ports' field enum.
    type Field: Field;
    /// The domain entity.
    type Domain: Record<Field = Self::Field> + Send + Sync + 'static;
    /// The typed id.
    type Id: Copy + Send + Sync + 'static;
    /// The insert input.
    type New: Send + Sync + 'static;
    /// The update input.
    type Patch: Send + Sync + 'static;
    /// The upsert targets.
    type Key: Copy + Send + Sync + 'static;

    /// The table.
    const TABLE: Table;
    /// Inserts take more than one statement, so even one row runs in a transaction.
    const INSERT_NEEDS_TX: bool = false;
    /// Upserts take more than one statement.
    const UPSERT_NEEDS_TX: bool = false;

    /// The column of a field.
    fn column(field: Self::Field) -> Self::Column;
    /// The id as a bound value.
    fn id_value(id: Self::Id) -> Value;
    /// The `uuid` column, if the table has one.
    fn uuid_column() -> Option<Self::Column>;
    /// `updated_at`, stamped by every update, if the table has it.
    fn updated_at() -> Option<Self::Column>;
    /// `deleted_at`, for soft-deleting tables: statements then see and change live rows only
    /// (`deleted_at IS NULL`).
    fn deleted_at() -> Option<Self::Column> {
        None
    }
    /// A stored row as a domain entity, re-validated.
    ///
    /// # Errors
    /// `UnreadableRow` naming the table, row and column of a value the domain rejects.
    fn from_model(model: Self::Model) -> StoreResult<Self::Domain>;
    /// The row an input becomes (for tables written by the generic insert).
    fn new_row(new: Self::New, now: Timestamp) -> Self::ActiveModel;
    /// The column updates of a patch (without the `updated_at` stamp).
    fn patch_values(patch: Self::Patch) -> Vec<(Self::Column, Value)>;
    /// The upsert target of a key.
    fn upsert_target(key: Self::Key) -> UpsertTarget<Self::Column>;

    /// Checks a patch for `update_where` (repositories refuse paths there).
    ///
    /// # Errors
    /// `InvalidInput` for a patch `update_where` cannot apply.
    fn check_where_patch(_patch: &Self::Patch) -> StoreResult<()> {
        Ok(())
    }

    /// Whether `update_by_id` with this patch takes more than one statement.
    fn update_needs_tx(_patch: &Self::Patch) -> bool {
        false
    }

    /// Inserts a non-empty batch, in input order, in statements of `BATCH_CHUNK_ROWS` rows
    /// (run through [`crate::batch::Steps`], so that a key violation names its row). Runs
    /// inside a transaction when there is more than one statement.
    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<Self::New>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Self::Domain>>> + Send {
        crud::insert_rows_generic::<Self, D>(db, rows, now)
    }

    /// Inserts `new` or updates the row holding its key.
    fn upsert_row<D: PgConn>(
        db: &D,
        new: Self::New,
        key: Self::Key,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Self::Domain>>> + Send {
        crud::upsert_generic::<Self, D>(db, new, key, now)
    }

    /// Applies a patch to the (live) row with this id.
    fn update_row<D: PgConn>(
        db: &D,
        id: Self::Id,
        patch: Self::Patch,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Self::Domain>> + Send {
        crud::update_by_id_generic::<Self, D>(db, id, patch, now)
    }
}

/// Re-validation of stored values of one row (its table and public key): every failure is
/// `UnreadableRow`, naming table, row and column.
#[derive(Clone, Copy)]
pub(crate) struct Check(pub(crate) Table, pub(crate) containerpub_domain::Uuid);

impl Check {
    fn fail(self, column: &'static str, rule: impl std::fmt::Display) -> StoreError {
        StoreError::UnreadableRow {
            table: self.0,
            row: Some(self.1),
            column,
            reason: format!("the stored value fails validation ({rule})"),
        }
    }

    fn wrap<T>(self, column: &'static str, result: Result<T, ValidationError>) -> StoreResult<T> {
        result.map_err(|e| self.fail(column, e.rule))
    }

    pub(crate) fn ts(
        self,
        column: &'static str,
        at: chrono::NaiveDateTime,
    ) -> StoreResult<Timestamp> {
        self.wrap(column, Timestamp::from_naive_utc(column, at))
    }

    fn opt_ts(
        self,
        column: &'static str,
        at: Option<chrono::NaiveDateTime>,
    ) -> StoreResult<Option<Timestamp>> {
        at.map(|at| self.ts(column, at)).transpose()
    }

    fn text<const N: usize>(
        self,
        column: &'static str,
        value: String,
    ) -> StoreResult<BoundedText<N>> {
        self.wrap(column, BoundedText::new(column, value))
    }

    fn opt_text<const N: usize>(
        self,
        column: &'static str,
        value: Option<String>,
    ) -> StoreResult<Option<BoundedText<N>>> {
        value.map(|v| self.text(column, v)).transpose()
    }

    fn name<const N: usize>(self, column: &'static str, value: String) -> StoreResult<Name<N>> {
        self.wrap(column, Name::new(column, value))
    }

    fn word<E: FromStr<Err = ValidationError>>(
        self,
        column: &'static str,
        value: &str,
    ) -> StoreResult<E> {
        self.wrap(column, value.parse())
    }

    pub(crate) fn email(self, column: &'static str, value: &str) -> StoreResult<Email> {
        let email = self.wrap(column, Email::parse(value))?;
        if email.as_str() != value {
            return Err(self.fail(column, "not stored trimmed and lowercased"));
        }
        Ok(email)
    }

    pub(crate) fn path(self, column: &'static str, value: &str) -> StoreResult<RepositoryPath> {
        self.wrap(column, RepositoryPath::parse(value))
    }
}

fn ts_value(at: Timestamp) -> chrono::NaiveDateTime {
    at.naive_utc()
}

fn opt_string<T: AsRef<str>>(value: Option<T>) -> Option<String> {
    value.map(|v| v.as_ref().to_owned())
}

/// `Some(Some(v))`/`Some(None)` patch values of a nullable text column.
fn set_opt_text<C, T: AsRef<str>>(out: &mut Vec<(C, Value)>, column: C, value: Option<Option<T>>) {
    if let Some(value) = value {
        out.push((column, Value::from(opt_string(value))));
    }
}

macro_rules! field_columns {
    ($field:ident => $col:path { $($variant:ident => $column:ident),+ $(,)? }) => {
        fn column(field: $field) -> $col {
            match field {
                $($field::$variant => <$col>::$column,)+
            }
        }
    };
}

/// `users`
pub(crate) struct Users;

impl TableDef for Users {
    type Entity = user::Entity;
    type Model = user::Model;
    type ActiveModel = user::ActiveModel;
    type Column = user::Column;
    type Field = UserField;
    type Domain = User;
    type Id = UserId;
    type New = NewUser;
    type Patch = UserPatch;
    type Key = UserKey;
    const TABLE: Table = Table::Users;

    field_columns!(UserField => user::Column {
        Id => Id, Uuid => Uuid, Email => Email, CreatedAt => CreatedAt, UpdatedAt => UpdatedAt,
    });

    fn id_value(id: UserId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<user::Column> {
        Some(user::Column::Uuid)
    }
    fn updated_at() -> Option<user::Column> {
        Some(user::Column::UpdatedAt)
    }

    fn from_model(m: user::Model) -> StoreResult<User> {
        let c = Check(Table::Users, m.uuid);
        Ok(User {
            id: UserId::new(m.id),
            uuid: m.uuid,
            email: c.email("email", &m.email)?,
            password_hash: m
                .password_hash
                .map(|h| c.wrap("password_hash", PasswordHash::new(h)))
                .transpose()?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewUser, now: Timestamp) -> user::ActiveModel {
        user::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            email: Set(new.email.as_str().to_owned()),
            password_hash: Set(new.password_hash.map(|h| h.expose().to_owned())),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: UserPatch) -> Vec<(user::Column, Value)> {
        let mut out = Vec::new();
        if let Some(email) = patch.email {
            out.push((user::Column::Email, Value::from(email.as_str().to_owned())));
        }
        if let Some(hash) = patch.password_hash {
            out.push((
                user::Column::PasswordHash,
                Value::from(hash.map(|h| h.expose().to_owned())),
            ));
        }
        out
    }

    fn upsert_target(key: UserKey) -> UpsertTarget<user::Column> {
        use user::Column as C;
        match key {
            UserKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Email, C::PasswordHash, C::UpdatedAt],
                live_only: false,
            },
            UserKey::Email => UpsertTarget {
                columns: &[C::Email],
                updates: &[C::PasswordHash, C::UpdatedAt],
                live_only: false,
            },
        }
    }
}

/// `user_information`
pub(crate) struct Profiles;

impl TableDef for Profiles {
    type Entity = profile::Entity;
    type Model = profile::Model;
    type ActiveModel = profile::ActiveModel;
    type Column = profile::Column;
    type Field = UserInformationField;
    type Domain = UserInformation;
    type Id = UserInformationId;
    type New = NewUserInformation;
    type Patch = UserInformationPatch;
    type Key = UserInformationKey;
    const TABLE: Table = Table::UserInformation;

    field_columns!(UserInformationField => profile::Column {
        Id => Id, Uuid => Uuid, UserId => UserId, FirstName => FirstName, LastName => LastName,
        PhoneNumber => PhoneNumber, Country => Country, City => City, Address => Address,
        ZipCode => ZipCode, Avatar => Avatar, Role => Role, CreatedAt => CreatedAt,
        UpdatedAt => UpdatedAt,
    });

    fn id_value(id: UserInformationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<profile::Column> {
        Some(profile::Column::Uuid)
    }
    fn updated_at() -> Option<profile::Column> {
        Some(profile::Column::UpdatedAt)
    }

    fn from_model(m: profile::Model) -> StoreResult<UserInformation> {
        let c = Check(Table::UserInformation, m.uuid);
        Ok(UserInformation {
            id: UserInformationId::new(m.id),
            uuid: m.uuid,
            user_id: m.user_id,
            first_name: c.opt_text("first_name", m.first_name)?,
            last_name: c.opt_text("last_name", m.last_name)?,
            phone_number: c.opt_text("phone_number", m.phone_number)?,
            country: c.opt_text("country", m.country)?,
            city: c.opt_text("city", m.city)?,
            address: c.opt_text("address", m.address)?,
            zip_code: c.opt_text("zip_code", m.zip_code)?,
            avatar: c.opt_text("avatar", m.avatar)?,
            role: c.word::<Role>("role", &m.role)?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewUserInformation, now: Timestamp) -> profile::ActiveModel {
        profile::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            user_id: Set(new.user_id),
            first_name: Set(opt_string(new.first_name)),
            last_name: Set(opt_string(new.last_name)),
            phone_number: Set(opt_string(new.phone_number)),
            country: Set(opt_string(new.country)),
            city: Set(opt_string(new.city)),
            address: Set(opt_string(new.address)),
            zip_code: Set(opt_string(new.zip_code)),
            avatar: Set(opt_string(new.avatar)),
            role: Set(new.role.as_str().to_owned()),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: UserInformationPatch) -> Vec<(profile::Column, Value)> {
        use profile::Column as C;
        let mut out = Vec::new();
        set_opt_text(&mut out, C::FirstName, patch.first_name);
        set_opt_text(&mut out, C::LastName, patch.last_name);
        set_opt_text(&mut out, C::PhoneNumber, patch.phone_number);
        set_opt_text(&mut out, C::Country, patch.country);
        set_opt_text(&mut out, C::City, patch.city);
        set_opt_text(&mut out, C::Address, patch.address);
        set_opt_text(&mut out, C::ZipCode, patch.zip_code);
        set_opt_text(&mut out, C::Avatar, patch.avatar);
        if let Some(role) = patch.role {
            out.push((C::Role, Value::from(role.as_str().to_owned())));
        }
        out
    }

    fn upsert_target(key: UserInformationKey) -> UpsertTarget<profile::Column> {
        use profile::Column as C;
        const PROFILE: &[C] = &[
            C::FirstName,
            C::LastName,
            C::PhoneNumber,
            C::Country,
            C::City,
            C::Address,
            C::ZipCode,
            C::Avatar,
            C::Role,
            C::UpdatedAt,
        ];
        match key {
            UserInformationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: PROFILE,
                live_only: false,
            },
            UserInformationKey::User => UpsertTarget {
                columns: &[C::UserId],
                updates: PROFILE,
                live_only: false,
            },
        }
    }
}

/// `organizations` (inserts also make the owner a member: see [`crate::ops::organizations`]).
pub(crate) struct Organizations;

impl TableDef for Organizations {
    type Entity = organization::Entity;
    type Model = organization::Model;
    type ActiveModel = organization::ActiveModel;
    type Column = organization::Column;
    type Field = OrganizationField;
    type Domain = Organization;
    type Id = OrganizationId;
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    type Key = OrganizationKey;
    const TABLE: Table = Table::Organizations;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    field_columns!(OrganizationField => organization::Column {
        Id => Id, Uuid => Uuid, Name => Name, OwnerId => OwnerId, CreatedAt => CreatedAt,
        UpdatedAt => UpdatedAt,
    });

    fn id_value(id: OrganizationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<organization::Column> {
        Some(organization::Column::Uuid)
    }
    fn updated_at() -> Option<organization::Column> {
        Some(organization::Column::UpdatedAt)
    }

    fn from_model(m: organization::Model) -> StoreResult<Organization> {
        let c = Check(Table::Organizations, m.uuid);
        Ok(Organization {
            id: OrganizationId::new(m.id),
            uuid: m.uuid,
            name: c.name("name", m.name)?,
            owner_id: m.owner_id,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewOrganization, now: Timestamp) -> organization::ActiveModel {
        organization::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            name: Set(new.name.into_inner()),
            owner_id: Set(new.owner_id),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: OrganizationPatch) -> Vec<(organization::Column, Value)> {
        let mut out = Vec::new();
        if let Some(name) = patch.name {
            out.push((organization::Column::Name, Value::from(name.into_inner())));
        }
        if let Some(owner) = patch.owner_id {
            out.push((organization::Column::OwnerId, Value::from(owner)));
        }
        out
    }

    fn upsert_target(key: OrganizationKey) -> UpsertTarget<organization::Column> {
        use organization::Column as C;
        match key {
            OrganizationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Name, C::OwnerId, C::UpdatedAt],
                live_only: false,
            },
            OrganizationKey::Name => UpsertTarget {
                columns: &[C::Name],
                updates: &[C::OwnerId, C::UpdatedAt],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewOrganization>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Organization>>> + Send {
        crate::ops::organizations::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewOrganization,
        key: OrganizationKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Organization>>> + Send {
        crate::ops::organizations::upsert_row(db, new, key, now)
    }
}

/// `organization_members`
pub(crate) struct Members;

impl TableDef for Members {
    type Entity = member::Entity;
    type Model = member::Model;
    type ActiveModel = member::ActiveModel;
    type Column = member::Column;
    type Field = OrganizationMemberField;
    type Domain = OrganizationMember;
    type Id = OrganizationMemberId;
    type New = NewOrganizationMember;
    type Patch = OrganizationMemberPatch;
    type Key = OrganizationMemberKey;
    const TABLE: Table = Table::OrganizationMembers;

    field_columns!(OrganizationMemberField => member::Column {
        Id => Id, OrganizationId => OrganizationId, UserId => UserId, JoinedAt => JoinedAt,
    });

    fn id_value(id: OrganizationMemberId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<member::Column> {
        None
    }
    fn updated_at() -> Option<member::Column> {
        None
    }

    fn from_model(m: member::Model) -> StoreResult<OrganizationMember> {
        let c = Check(Table::OrganizationMembers, m.user_id);
        Ok(OrganizationMember {
            id: OrganizationMemberId::new(m.id),
            organization_id: m.organization_id,
            user_id: m.user_id,
            joined_at: c.ts("joined_at", m.joined_at)?,
        })
    }

    fn new_row(new: NewOrganizationMember, now: Timestamp) -> member::ActiveModel {
        member::ActiveModel {
            id: NotSet,
            organization_id: Set(new.organization_id),
            user_id: Set(new.user_id),
            joined_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: OrganizationMemberPatch) -> Vec<(member::Column, Value)> {
        patch
            .organization_id
            .map(|org| (member::Column::OrganizationId, Value::from(org)))
            .into_iter()
            .collect()
    }

    fn upsert_target(key: OrganizationMemberKey) -> UpsertTarget<member::Column> {
        use member::Column as C;
        match key {
            OrganizationMemberKey::User => UpsertTarget {
                columns: &[C::UserId],
                updates: &[C::OrganizationId, C::JoinedAt],
                live_only: false,
            },
        }
    }
}

/// `functions`
pub(crate) struct Functions;

impl TableDef for Functions {
    type Entity = function::Entity;
    type Model = function::Model;
    type ActiveModel = function::ActiveModel;
    type Column = function::Column;
    type Field = FunctionField;
    type Domain = Function;
    type Id = FunctionId;
    type New = NewFunction;
    type Patch = FunctionPatch;
    type Key = FunctionKey;
    const TABLE: Table = Table::Functions;

    field_columns!(FunctionField => function::Column {
        Id => Id, Uuid => Uuid, UserId => UserId, Name => Name, Status => Status,
        ActiveDeploymentId => ActiveDeploymentId, CreatedAt => CreatedAt,
        UpdatedAt => UpdatedAt,
    });

    fn id_value(id: FunctionId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<function::Column> {
        Some(function::Column::Uuid)
    }
    fn updated_at() -> Option<function::Column> {
        Some(function::Column::UpdatedAt)
    }

    fn from_model(m: function::Model) -> StoreResult<Function> {
        let c = Check(Table::Functions, m.uuid);
        Ok(Function {
            id: FunctionId::new(m.id),
            uuid: m.uuid,
            user_id: UserId::new(m.user_id),
            name: c.name("name", m.name)?,
            status: c.word::<FunctionStatus>("status", &m.status)?,
            active_deployment_id: m.active_deployment_id.map(DeploymentId::new),
            analysis_result: m
                .analysis_result
                .map(|v| c.wrap("analysis_result", Json::new("analysis_result", v)))
                .transpose()?,
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
        })
    }

    fn new_row(new: NewFunction, now: Timestamp) -> function::ActiveModel {
        function::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            user_id: Set(new.user_id.get()),
            name: Set(new.name.into_inner()),
            status: Set(new.status.as_str().to_owned()),
            active_deployment_id: NotSet,
            analysis_result: Set(new.analysis_result.map(Json::into_value)),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: FunctionPatch) -> Vec<(function::Column, Value)> {
        let mut out = Vec::new();
        if let Some(name) = patch.name {
            out.push((function::Column::Name, Value::from(name.into_inner())));
        }
        if let Some(status) = patch.status {
            out.push((
                function::Column::Status,
                Value::from(status.as_str().to_owned()),
            ));
        }
        if let Some(result) = patch.analysis_result {
            out.push((
                function::Column::AnalysisResult,
                Value::from(result.map(Json::into_value)),
            ));
        }
        out
    }

    fn upsert_target(key: FunctionKey) -> UpsertTarget<function::Column> {
        use function::Column as C;
        match key {
            FunctionKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[
                    C::UserId,
                    C::Name,
                    C::Status,
                    C::AnalysisResult,
                    C::UpdatedAt,
                ],
                live_only: false,
            },
            FunctionKey::OwnerAndName => UpsertTarget {
                columns: &[C::UserId, C::Name],
                updates: &[C::Status, C::AnalysisResult, C::UpdatedAt],
                live_only: false,
            },
        }
    }
}

/// `function_deployments` (inserts lock the function and take its next version: see
/// [`crate::ops::deployments`]).
pub(crate) struct Deployments;

impl TableDef for Deployments {
    type Entity = deployment::Entity;
    type Model = deployment::Model;
    type ActiveModel = deployment::ActiveModel;
    type Column = deployment::Column;
    type Field = DeploymentField;
    type Domain = Deployment;
    type Id = DeploymentId;
    type New = NewDeployment;
    type Patch = DeploymentPatch;
    type Key = DeploymentKey;
    const TABLE: Table = Table::FunctionDeployments;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    field_columns!(DeploymentField => deployment::Column {
        Id => Id, Uuid => Uuid, FunctionId => FunctionId, Version => Version,
        ImageTag => ImageTag, S3Key => S3Key, Status => Status, IsActive => IsActive,
        BuildLogs => BuildLogs, DeployedAt => DeployedAt,
    });

    fn id_value(id: DeploymentId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<deployment::Column> {
        Some(deployment::Column::Uuid)
    }
    fn updated_at() -> Option<deployment::Column> {
        None
    }

    fn from_model(m: deployment::Model) -> StoreResult<Deployment> {
        let c = Check(Table::FunctionDeployments, m.uuid);
        Ok(Deployment {
            id: DeploymentId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            version: c.wrap("version", Version::new(m.version))?,
            image_tag: c.opt_text("image_tag", m.image_tag)?,
            s3_key: c.opt_text("s3_key", m.s3_key)?,
            status: c.word::<DeploymentStatus>("status", &m.status)?,
            is_active: m.is_active,
            build_logs: c.opt_text("build_logs", m.build_logs)?,
            deployed_at: c.ts("deployed_at", m.deployed_at)?,
        })
    }

    /// The row without its version (set by [`crate::ops::deployments`]).
    fn new_row(new: NewDeployment, now: Timestamp) -> deployment::ActiveModel {
        deployment::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            version: NotSet,
            image_tag: Set(opt_string(new.image_tag)),
            s3_key: Set(opt_string(new.s3_key)),
            status: Set(new.status.as_str().to_owned()),
            is_active: Set(false),
            build_logs: Set(opt_string(new.build_logs)),
            deployed_at: Set(ts_value(now)),
        }
    }

    fn patch_values(patch: DeploymentPatch) -> Vec<(deployment::Column, Value)> {
        use deployment::Column as C;
        let mut out = Vec::new();
        set_opt_text(&mut out, C::ImageTag, patch.image_tag);
        set_opt_text(&mut out, C::S3Key, patch.s3_key);
        if let Some(status) = patch.status {
            out.push((C::Status, Value::from(status.as_str().to_owned())));
        }
        set_opt_text(&mut out, C::BuildLogs, patch.build_logs);
        out
    }

    fn upsert_target(key: DeploymentKey) -> UpsertTarget<deployment::Column> {
        use deployment::Column as C;
        match key {
            DeploymentKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::ImageTag, C::S3Key, C::Status, C::BuildLogs],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewDeployment>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Deployment>>> + Send {
        crate::ops::deployments::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewDeployment,
        key: DeploymentKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Deployment>>> + Send {
        crate::ops::deployments::upsert_row(db, new, key, now)
    }
}

/// `function_logs` (batches go through `UNNEST`: see [`crate::ops::events`]).
pub(crate) struct Logs;

impl TableDef for Logs {
    type Entity = log::Entity;
    type Model = log::Model;
    type ActiveModel = log::ActiveModel;
    type Column = log::Column;
    type Field = LogField;
    type Domain = LogEntry;
    type Id = LogId;
    type New = NewLog;
    type Patch = LogPatch;
    type Key = LogKey;
    const TABLE: Table = Table::FunctionLogs;

    field_columns!(LogField => log::Column {
        Id => Id, Uuid => Uuid, FunctionId => FunctionId, Level => Level, Message => Message,
        Timestamp => Timestamp,
    });

    fn id_value(id: LogId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<log::Column> {
        Some(log::Column::Uuid)
    }
    fn updated_at() -> Option<log::Column> {
        None
    }

    fn from_model(m: log::Model) -> StoreResult<LogEntry> {
        let c = Check(Table::FunctionLogs, m.uuid);
        Ok(LogEntry {
            id: LogId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            level: c.word::<LogLevel>("level", &m.level)?,
            message: c.text("message", m.message)?,
            timestamp: c.ts("timestamp", m.timestamp)?,
        })
    }

    fn new_row(new: NewLog, now: Timestamp) -> log::ActiveModel {
        log::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            level: Set(new.level.as_str().to_owned()),
            message: Set(new.message.into_inner()),
            timestamp: Set(ts_value(new.timestamp.unwrap_or(now))),
        }
    }

    fn patch_values(patch: LogPatch) -> Vec<(log::Column, Value)> {
        let mut out = Vec::new();
        if let Some(level) = patch.level {
            out.push((log::Column::Level, Value::from(level.as_str().to_owned())));
        }
        if let Some(message) = patch.message {
            out.push((log::Column::Message, Value::from(message.into_inner())));
        }
        out
    }

    fn upsert_target(key: LogKey) -> UpsertTarget<log::Column> {
        use log::Column as C;
        match key {
            LogKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Level, C::Message, C::Timestamp],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewLog>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<LogEntry>>> + Send {
        crate::ops::events::insert_log_rows(db, rows, now)
    }
}

/// `function_invocations` (batches go through `UNNEST`: see [`crate::ops::events`]).
pub(crate) struct Invocations;

impl TableDef for Invocations {
    type Entity = invocation::Entity;
    type Model = invocation::Model;
    type ActiveModel = invocation::ActiveModel;
    type Column = invocation::Column;
    type Field = InvocationField;
    type Domain = Invocation;
    type Id = InvocationId;
    type New = NewInvocation;
    type Patch = InvocationPatch;
    type Key = InvocationKey;
    const TABLE: Table = Table::FunctionInvocations;

    field_columns!(InvocationField => invocation::Column {
        Id => Id, Uuid => Uuid, FunctionId => FunctionId, Status => Status,
        DurationMs => DurationMs, Error => Error, Timestamp => Timestamp,
    });

    fn id_value(id: InvocationId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<invocation::Column> {
        Some(invocation::Column::Uuid)
    }
    fn updated_at() -> Option<invocation::Column> {
        None
    }

    fn from_model(m: invocation::Model) -> StoreResult<Invocation> {
        let c = Check(Table::FunctionInvocations, m.uuid);
        Ok(Invocation {
            id: InvocationId::new(m.id),
            uuid: m.uuid,
            function_id: FunctionId::new(m.function_id),
            status: c.word::<InvocationStatus>("status", &m.status)?,
            duration_ms: c.wrap("duration_ms", DurationMs::new(m.duration_ms))?,
            error: c.opt_text("error", m.error)?,
            timestamp: c.ts("timestamp", m.timestamp)?,
        })
    }

    fn new_row(new: NewInvocation, now: Timestamp) -> invocation::ActiveModel {
        invocation::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            function_id: Set(new.function_id.get()),
            status: Set(new.status.as_str().to_owned()),
            duration_ms: Set(new.duration_ms.get()),
            error: Set(opt_string(new.error)),
            timestamp: Set(ts_value(new.timestamp.unwrap_or(now))),
        }
    }

    fn patch_values(patch: InvocationPatch) -> Vec<(invocation::Column, Value)> {
        use invocation::Column as C;
        let mut out = Vec::new();
        if let Some(status) = patch.status {
            out.push((C::Status, Value::from(status.as_str().to_owned())));
        }
        if let Some(duration) = patch.duration_ms {
            out.push((C::DurationMs, Value::from(duration.get())));
        }
        set_opt_text(&mut out, C::Error, patch.error);
        out
    }

    fn upsert_target(key: InvocationKey) -> UpsertTarget<invocation::Column> {
        use invocation::Column as C;
        match key {
            InvocationKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::Status, C::DurationMs, C::Error, C::Timestamp],
                live_only: false,
            },
        }
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewInvocation>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Invocation>>> + Send {
        crate::ops::events::insert_invocation_rows(db, rows, now)
    }
}

/// `repositories` (live rows only; inserts resolve the parent, moves rewrite the subtree:
/// see [`crate::ops::repositories`]).
pub(crate) struct Repositories;

impl TableDef for Repositories {
    type Entity = repository::Entity;
    type Model = repository::Model;
    type ActiveModel = repository::ActiveModel;
    type Column = repository::Column;
    type Field = RepositoryField;
    type Domain = Repository;
    type Id = RepositoryId;
    type New = NewRepository;
    type Patch = RepositoryPatch;
    type Key = RepositoryKey;
    const TABLE: Table = Table::Repositories;
    const INSERT_NEEDS_TX: bool = true;
    const UPSERT_NEEDS_TX: bool = true;

    field_columns!(RepositoryField => repository::Column {
        Id => Id, Uuid => Uuid, Name => Name, Path => Path, ParentId => ParentId,
        CreatedAt => CreatedAt, UpdatedAt => UpdatedAt,
    });

    fn id_value(id: RepositoryId) -> Value {
        Value::from(id.get())
    }
    fn uuid_column() -> Option<repository::Column> {
        Some(repository::Column::Uuid)
    }
    fn updated_at() -> Option<repository::Column> {
        Some(repository::Column::UpdatedAt)
    }
    fn deleted_at() -> Option<repository::Column> {
        Some(repository::Column::DeletedAt)
    }

    fn from_model(m: repository::Model) -> StoreResult<Repository> {
        let c = Check(Table::Repositories, m.uuid);
        let path = c.path("path", &m.path)?;
        if path.name() != m.name {
            return Err(c.fail("name", "not the last segment of path"));
        }
        Ok(Repository {
            id: RepositoryId::new(m.id),
            uuid: m.uuid,
            name: m.name,
            path,
            parent_id: m.parent_id.map(RepositoryId::new),
            created_at: c.ts("created_at", m.created_at)?,
            updated_at: c.ts("updated_at", m.updated_at)?,
            deleted_at: c.opt_ts("deleted_at", m.deleted_at)?,
        })
    }

    /// The row without its parent (resolved by [`crate::ops::repositories`]).
    fn new_row(new: NewRepository, now: Timestamp) -> repository::ActiveModel {
        repository::ActiveModel {
            id: NotSet,
            uuid: Set(new.uuid),
            name: Set(new.path.name().to_owned()),
            path: Set(new.path.as_str().to_owned()),
            parent_id: Set(None),
            created_at: Set(ts_value(now)),
            updated_at: Set(ts_value(now)),
            deleted_at: NotSet,
        }
    }

    /// Paths are applied by [`crate::ops::repositories::update_row`]; nothing else changes.
    fn patch_values(_patch: RepositoryPatch) -> Vec<(repository::Column, Value)> {
        Vec::new()
    }

    fn upsert_target(key: RepositoryKey) -> UpsertTarget<repository::Column> {
        use repository::Column as C;
        match key {
            RepositoryKey::Uuid => UpsertTarget {
                columns: &[C::Uuid],
                updates: &[C::UpdatedAt],
                live_only: false,
            },
            RepositoryKey::LivePath => UpsertTarget {
                columns: &[C::Path],
                updates: &[C::UpdatedAt],
                live_only: true,
            },
        }
    }

    fn check_where_patch(patch: &RepositoryPatch) -> StoreResult<()> {
        crate::ops::repositories::check_where_patch(patch)
    }

    fn update_needs_tx(patch: &RepositoryPatch) -> bool {
        patch.path.is_some()
    }

    fn insert_rows<D: PgConn>(
        db: &D,
        rows: Vec<NewRepository>,
        now: Timestamp,
    ) -> impl Future<Output = BatchResult<Vec<Repository>>> + Send {
        crate::ops::repositories::insert_rows(db, rows, now)
    }

    fn upsert_row<D: PgConn>(
        db: &D,
        new: NewRepository,
        key: RepositoryKey,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Upserted<Repository>>> + Send {
        crate::ops::repositories::upsert_row(db, new, key, now)
    }

    fn update_row<D: PgConn>(
        db: &D,
        id: RepositoryId,
        patch: RepositoryPatch,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Repository>> + Send {
        crate::ops::repositories::update_row(db, id, patch, now)
    }
}
