//! The nine tables, described for the generic engine.

use std::sync::Arc;

use containerpub_domain::{
    Deployment, DeploymentId, FunctionId, Invocation, InvocationId, LogEntry, LogId, NewDeployment,
    NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository,
    NewUser, NewUserInformation, Organization, OrganizationId, OrganizationMember,
    OrganizationMemberId, Repository, RepositoryId, Rule, Timestamp, User, UserId, UserInformation,
    UserInformationId, Version,
};
use containerpub_domain::{
    DeploymentPatch, Function, FunctionPatch, InvocationPatch, LogPatch, OrganizationMemberPatch,
    OrganizationPatch, RepositoryPatch, UserInformationPatch, UserPatch,
};
use containerpub_ports::{
    CheckConstraint, DeploymentField, ForeignKey, FunctionField, InvocationField, LogField,
    OrganizationField, OrganizationMemberField, RepositoryField, StoreError, StoreResult, Table,
    UniqueKey, UserField, UserInformationField,
};

use crate::db::{Cx, Db, Undo, UndoLog};
use crate::engine;
use crate::index::IndexKey;
use crate::locks::Mode;
use crate::schema::Spec;
use crate::table::TableState;

/// The accessors every table description repeats: where its state and undo log live in
/// [`Db`] / [`Undo`], and its row's id as `i64`.
macro_rules! table_slot {
    ($slot:ident, $row:ty) => {
        fn state(db: &Db) -> &TableState<Self> {
            &db.$slot
        }
        fn state_mut(db: &mut Db) -> &mut TableState<Self> {
            Arc::make_mut(&mut db.$slot)
        }
        fn undo_log(undo: &mut Undo) -> &mut UndoLog<Self> {
            &mut undo.$slot
        }
        fn id(row: &$row) -> i64 {
            i64::from(row.id.get())
        }
    };
}

/// A `SERIAL` value as the `i32` its id type holds.
fn id32(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|_| StoreError::internal(format!("id {id} out of range")))
}

/// `users`.
pub(crate) enum Users {}

impl Spec for Users {
    type Row = User;
    type Field = UserField;
    type New = NewUser;
    type Patch = UserPatch;
    type Prep = ();

    const TABLE: Table = Table::Users;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::UsersUuid);

    table_slot!(users, User);
    fn prepare(_db: &mut Db, _new: &NewUser) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewUser, (): (), id: i64, now: Timestamp) -> StoreResult<User> {
        Ok(User {
            id: UserId::new(id32(id)?),
            uuid: new.uuid,
            email: new.email.clone(),
            password_hash: new.password_hash.clone(),
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(row: &User, patch: &UserPatch, now: Timestamp) -> StoreResult<User> {
        let mut row = row.clone();
        if let Some(email) = &patch.email {
            row.email = email.clone();
        }
        if let Some(hash) = &patch.password_hash {
            row.password_hash = hash.clone();
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &User, new: &NewUser, now: Timestamp) -> User {
        User {
            email: new.email.clone(),
            password_hash: new.password_hash.clone(),
            updated_at: now,
            ..row.clone()
        }
    }
}

/// `user_information`.
pub(crate) enum Profiles {}

impl Spec for Profiles {
    type Row = UserInformation;
    type Field = UserInformationField;
    type New = NewUserInformation;
    type Patch = UserInformationPatch;
    type Prep = ();

    const TABLE: Table = Table::UserInformation;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::UserInformationUuid);

    table_slot!(profiles, UserInformation);
    fn prepare(_db: &mut Db, _new: &NewUserInformation) -> StoreResult<()> {
        Ok(())
    }
    fn build(
        new: &NewUserInformation,
        (): (),
        id: i64,
        now: Timestamp,
    ) -> StoreResult<UserInformation> {
        Ok(UserInformation {
            id: UserInformationId::new(id32(id)?),
            uuid: new.uuid,
            user_id: new.user_id,
            first_name: new.first_name.clone(),
            last_name: new.last_name.clone(),
            phone_number: new.phone_number.clone(),
            country: new.country.clone(),
            city: new.city.clone(),
            address: new.address.clone(),
            zip_code: new.zip_code.clone(),
            avatar: new.avatar.clone(),
            role: new.role,
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(
        row: &UserInformation,
        patch: &UserInformationPatch,
        now: Timestamp,
    ) -> StoreResult<UserInformation> {
        fn set<T: Clone>(column: &mut T, value: Option<&T>) {
            if let Some(value) = value {
                column.clone_from(value);
            }
        }
        let mut row = row.clone();
        set(&mut row.first_name, patch.first_name.as_ref());
        set(&mut row.last_name, patch.last_name.as_ref());
        set(&mut row.phone_number, patch.phone_number.as_ref());
        set(&mut row.country, patch.country.as_ref());
        set(&mut row.city, patch.city.as_ref());
        set(&mut row.address, patch.address.as_ref());
        set(&mut row.zip_code, patch.zip_code.as_ref());
        set(&mut row.avatar, patch.avatar.as_ref());
        set(&mut row.role, patch.role.as_ref());
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(
        row: &UserInformation,
        new: &NewUserInformation,
        now: Timestamp,
    ) -> UserInformation {
        // Every profile column; the link to the user (`user_id`) is kept.
        UserInformation {
            first_name: new.first_name.clone(),
            last_name: new.last_name.clone(),
            phone_number: new.phone_number.clone(),
            country: new.country.clone(),
            city: new.city.clone(),
            address: new.address.clone(),
            zip_code: new.zip_code.clone(),
            avatar: new.avatar.clone(),
            role: new.role,
            updated_at: now,
            ..row.clone()
        }
    }
}

/// `organizations`.
pub(crate) enum Organizations {}

impl Spec for Organizations {
    type Row = Organization;
    type Field = OrganizationField;
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    type Prep = ();

    const TABLE: Table = Table::Organizations;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::OrganizationsUuid);

    table_slot!(organizations, Organization);
    fn prepare(_db: &mut Db, _new: &NewOrganization) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewOrganization, (): (), id: i64, now: Timestamp) -> StoreResult<Organization> {
        Ok(Organization {
            id: OrganizationId::new(id32(id)?),
            uuid: new.uuid,
            name: new.name.clone(),
            owner_id: new.owner_id,
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(
        row: &Organization,
        patch: &OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization> {
        let mut row = row.clone();
        if let Some(name) = &patch.name {
            row.name = name.clone();
        }
        if let Some(owner) = patch.owner_id {
            row.owner_id = owner;
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &Organization, new: &NewOrganization, now: Timestamp) -> Organization {
        Organization {
            name: new.name.clone(),
            owner_id: new.owner_id,
            updated_at: now,
            ..row.clone()
        }
    }
    /// The owners' memberships: one more INSERT into `organization_members` after each
    /// statement of organizations; in a batch, a membership's error names its organization's
    /// row.
    fn after_insert(
        db: &mut Db,
        cx: &Cx<'_>,
        rows: &[Arc<Organization>],
        first: Option<usize>,
    ) -> StoreResult<()> {
        let members: Vec<NewOrganizationMember> = rows
            .iter()
            .map(|org| NewOrganizationMember {
                organization_id: org.uuid,
                user_id: org.owner_id,
            })
            .collect();
        engine::insert_batch_from::<Members>(db, cx, &members, first).map(drop)
    }
}

/// `organization_members`.
pub(crate) enum Members {}

impl Spec for Members {
    type Row = OrganizationMember;
    type Field = OrganizationMemberField;
    type New = NewOrganizationMember;
    type Patch = OrganizationMemberPatch;
    type Prep = ();

    const TABLE: Table = Table::OrganizationMembers;
    const UUID_KEY: Option<UniqueKey> = None;

    table_slot!(members, OrganizationMember);
    fn prepare(_db: &mut Db, _new: &NewOrganizationMember) -> StoreResult<()> {
        Ok(())
    }
    fn build(
        new: &NewOrganizationMember,
        (): (),
        id: i64,
        now: Timestamp,
    ) -> StoreResult<OrganizationMember> {
        Ok(OrganizationMember {
            id: OrganizationMemberId::new(id32(id)?),
            organization_id: new.organization_id,
            user_id: new.user_id,
            joined_at: now,
        })
    }
    /// The table has no `updated_at`: only the organization changes.
    fn patch(
        row: &OrganizationMember,
        patch: &OrganizationMemberPatch,
        _now: Timestamp,
    ) -> StoreResult<OrganizationMember> {
        let mut row = row.clone();
        if let Some(organization) = patch.organization_id {
            row.organization_id = organization;
        }
        Ok(row)
    }
    fn upsert_update(
        row: &OrganizationMember,
        new: &NewOrganizationMember,
        now: Timestamp,
    ) -> OrganizationMember {
        OrganizationMember {
            organization_id: new.organization_id,
            joined_at: now,
            ..row.clone()
        }
    }
}

/// `functions`.
pub(crate) enum Functions {}

impl Spec for Functions {
    type Row = Function;
    type Field = FunctionField;
    type New = NewFunction;
    type Patch = FunctionPatch;
    type Prep = ();

    const TABLE: Table = Table::Functions;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::FunctionsUuid);

    table_slot!(functions, Function);
    fn set_null(row: &Function, fk: ForeignKey) -> Function {
        let mut row = row.clone();
        if fk == ForeignKey::FunctionsActiveDeploymentId {
            row.active_deployment_id = None;
        }
        row
    }
    fn prepare(_db: &mut Db, _new: &NewFunction) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewFunction, (): (), id: i64, now: Timestamp) -> StoreResult<Function> {
        Ok(Function {
            id: FunctionId::new(id32(id)?),
            uuid: new.uuid,
            user_id: new.user_id,
            name: new.name.clone(),
            status: new.status,
            active_deployment_id: None,
            analysis_result: new.analysis_result.clone(),
            created_at: now,
            updated_at: now,
        })
    }
    fn patch(row: &Function, patch: &FunctionPatch, now: Timestamp) -> StoreResult<Function> {
        let mut row = row.clone();
        if let Some(name) = &patch.name {
            row.name = name.clone();
        }
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(analysis) = &patch.analysis_result {
            row.analysis_result = analysis.clone();
        }
        row.updated_at = now;
        Ok(row)
    }
    fn upsert_update(row: &Function, new: &NewFunction, now: Timestamp) -> Function {
        Function {
            user_id: new.user_id,
            name: new.name.clone(),
            status: new.status,
            analysis_result: new.analysis_result.clone(),
            updated_at: now,
            ..row.clone()
        }
    }
}

/// `function_deployments`.
pub(crate) enum Deployments {}

impl Spec for Deployments {
    type Row = Deployment;
    type Field = DeploymentField;
    type New = NewDeployment;
    type Patch = DeploymentPatch;
    type Prep = Version;

    const TABLE: Table = Table::FunctionDeployments;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::DeploymentsUuid);
    const ROW_BY_ROW: bool = true;

    table_slot!(deployments, Deployment);
    fn new_unique_value(new: &NewDeployment, key: UniqueKey) -> Option<IndexKey> {
        (key == UniqueKey::DeploymentsUuid).then_some(IndexKey::Uuid(new.uuid))
    }
    fn check(row: &Deployment) -> StoreResult<()> {
        if row.version.get() < 1 {
            return Err(StoreError::check_violation(
                CheckConstraint::DeploymentsVersion,
            ));
        }
        Ok(())
    }
    /// The function must exist (else `ReferenceMissing`, before any sequence value); it is
    /// locked `FOR NO KEY UPDATE` as the PostgreSQL adapter does (a concurrent transaction
    /// inserting a deployment of it, activating one or updating it waits for this one); the
    /// version is the function's highest plus one, read once the lock is held.
    fn prepare(db: &mut Db, new: &NewDeployment) -> StoreResult<Version> {
        let function = i64::from(new.function_id.get());
        if db.t::<Functions>().get(function).is_none() {
            return Err(StoreError::ReferenceMissing {
                key: ForeignKey::DeploymentsFunctionId,
            });
        }
        db.lock_row(Table::Functions, function, Mode::NoKeyUpdate)?;
        let table = db.t::<Deployments>();
        let highest = table
            .children_of(ForeignKey::DeploymentsFunctionId, &IndexKey::Int(function))
            .into_iter()
            .filter_map(|id| table.get(id).map(|d| d.version))
            .max();
        match highest {
            None => Ok(Version::FIRST),
            Some(version) => version.next().map_err(StoreError::from),
        }
    }
    fn build(
        new: &NewDeployment,
        version: Version,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Deployment> {
        Ok(Deployment {
            id: DeploymentId::new(id32(id)?),
            uuid: new.uuid,
            function_id: new.function_id,
            version,
            image_tag: new.image_tag.clone(),
            s3_key: new.s3_key.clone(),
            status: new.status,
            is_active: false,
            build_logs: new.build_logs.clone(),
            deployed_at: now,
        })
    }
    /// The table has no `updated_at`.
    fn patch(
        row: &Deployment,
        patch: &DeploymentPatch,
        _now: Timestamp,
    ) -> StoreResult<Deployment> {
        let mut row = row.clone();
        if let Some(tag) = &patch.image_tag {
            row.image_tag = tag.clone();
        }
        if let Some(key) = &patch.s3_key {
            row.s3_key = key.clone();
        }
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(logs) = &patch.build_logs {
            row.build_logs = logs.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &Deployment, new: &NewDeployment, _now: Timestamp) -> Deployment {
        Deployment {
            image_tag: new.image_tag.clone(),
            s3_key: new.s3_key.clone(),
            status: new.status,
            build_logs: new.build_logs.clone(),
            ..row.clone()
        }
    }
}

/// `function_logs`.
pub(crate) enum Logs {}

impl Spec for Logs {
    type Row = LogEntry;
    type Field = LogField;
    type New = NewLog;
    type Patch = LogPatch;
    type Prep = ();

    const TABLE: Table = Table::FunctionLogs;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::LogsUuid);
    const TIME_FIELDS: Option<(LogField, LogField)> =
        Some((LogField::FunctionId, LogField::Timestamp));

    table_slot!(logs, LogEntry);
    fn time_key(row: &LogEntry) -> Option<(i64, Timestamp)> {
        Some((i64::from(row.function_id.get()), row.timestamp))
    }
    fn prepare(_db: &mut Db, _new: &NewLog) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewLog, (): (), id: i64, now: Timestamp) -> StoreResult<LogEntry> {
        Ok(LogEntry {
            id: LogId::new(id),
            uuid: new.uuid,
            function_id: new.function_id,
            level: new.level,
            message: new.message.clone(),
            timestamp: new.timestamp.unwrap_or(now),
        })
    }
    fn patch(row: &LogEntry, patch: &LogPatch, _now: Timestamp) -> StoreResult<LogEntry> {
        let mut row = row.clone();
        if let Some(level) = patch.level {
            row.level = level;
        }
        if let Some(message) = &patch.message {
            row.message = message.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &LogEntry, new: &NewLog, now: Timestamp) -> LogEntry {
        LogEntry {
            level: new.level,
            message: new.message.clone(),
            timestamp: new.timestamp.unwrap_or(now),
            ..row.clone()
        }
    }
}

/// `function_invocations`.
pub(crate) enum Invocations {}

impl Spec for Invocations {
    type Row = Invocation;
    type Field = InvocationField;
    type New = NewInvocation;
    type Patch = InvocationPatch;
    type Prep = ();

    const TABLE: Table = Table::FunctionInvocations;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::InvocationsUuid);
    const TIME_FIELDS: Option<(InvocationField, InvocationField)> =
        Some((InvocationField::FunctionId, InvocationField::Timestamp));

    table_slot!(invocations, Invocation);
    fn time_key(row: &Invocation) -> Option<(i64, Timestamp)> {
        Some((i64::from(row.function_id.get()), row.timestamp))
    }
    fn check(row: &Invocation) -> StoreResult<()> {
        if row.duration_ms.get() < 0 {
            return Err(StoreError::check_violation(
                CheckConstraint::InvocationsDurationMs,
            ));
        }
        Ok(())
    }
    fn prepare(_db: &mut Db, _new: &NewInvocation) -> StoreResult<()> {
        Ok(())
    }
    fn build(new: &NewInvocation, (): (), id: i64, now: Timestamp) -> StoreResult<Invocation> {
        Ok(Invocation {
            id: InvocationId::new(id),
            uuid: new.uuid,
            function_id: new.function_id,
            status: new.status,
            duration_ms: new.duration_ms,
            error: new.error.clone(),
            timestamp: new.timestamp.unwrap_or(now),
        })
    }
    fn patch(
        row: &Invocation,
        patch: &InvocationPatch,
        _now: Timestamp,
    ) -> StoreResult<Invocation> {
        let mut row = row.clone();
        if let Some(status) = patch.status {
            row.status = status;
        }
        if let Some(duration) = patch.duration_ms {
            row.duration_ms = duration;
        }
        if let Some(error) = &patch.error {
            row.error = error.clone();
        }
        Ok(row)
    }
    fn upsert_update(row: &Invocation, new: &NewInvocation, now: Timestamp) -> Invocation {
        Invocation {
            status: new.status,
            duration_ms: new.duration_ms,
            error: new.error.clone(),
            timestamp: new.timestamp.unwrap_or(now),
            ..row.clone()
        }
    }
}

/// `repositories`.
pub(crate) enum Repositories {}

/// The rule `update_where` breaks with a path.
pub(crate) const PATHS_ONE_AT_A_TIME: &str = "paths change one repository at a time";
/// The rule a move below the moved repository breaks.
pub(crate) const NOT_BELOW_ITSELF: &str = "a repository cannot move below itself";

impl Spec for Repositories {
    type Row = Repository;
    type Field = RepositoryField;
    type New = NewRepository;
    type Patch = RepositoryPatch;
    type Prep = Option<RepositoryId>;

    const TABLE: Table = Table::Repositories;
    const UUID_KEY: Option<UniqueKey> = Some(UniqueKey::RepositoriesUuid);
    const ORDERED_UNIQUE: Option<UniqueKey> = Some(UniqueKey::RepositoriesLivePath);
    const NULL_CHILDREN: Option<ForeignKey> = Some(ForeignKey::RepositoriesParentId);
    const ROW_BY_ROW: bool = true;

    table_slot!(repositories, Repository);
    fn new_unique_value(new: &NewRepository, key: UniqueKey) -> Option<IndexKey> {
        match key {
            UniqueKey::RepositoriesUuid => Some(IndexKey::Uuid(new.uuid)),
            UniqueKey::RepositoriesLivePath => Some(IndexKey::text(new.path.as_str())),
            _ => None,
        }
    }
    fn visible(row: &Repository) -> bool {
        row.deleted_at.is_none()
    }
    /// The live parent (the path minus its last segment) must exist, else
    /// `ReferenceMissing` before any sequence value.
    fn prepare(db: &mut Db, new: &NewRepository) -> StoreResult<Option<RepositoryId>> {
        crate::ops::lock_live_parent(db, &new.path)
    }
    fn build(
        new: &NewRepository,
        parent: Option<RepositoryId>,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Repository> {
        Ok(Repository {
            id: RepositoryId::new(id32(id)?),
            uuid: new.uuid,
            name: new.path.name().to_owned(),
            path: new.path.clone(),
            parent_id: parent,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }
    /// Without a path, an update only stamps `updated_at` (paths go through
    /// [`crate::ops::update_repository`]).
    fn patch(row: &Repository, patch: &RepositoryPatch, now: Timestamp) -> StoreResult<Repository> {
        if patch.path.is_some() {
            return Err(StoreError::invalid(
                "path",
                Rule::Invariant(PATHS_ONE_AT_A_TIME),
            ));
        }
        Ok(Repository {
            updated_at: now,
            ..row.clone()
        })
    }
    fn upsert_update(row: &Repository, _new: &NewRepository, now: Timestamp) -> Repository {
        Repository {
            updated_at: now,
            ..row.clone()
        }
    }
    fn check_bulk_patch(patch: &RepositoryPatch) -> StoreResult<()> {
        if patch.path.is_some() {
            return Err(StoreError::invalid(
                "path",
                Rule::Invariant(PATHS_ONE_AT_A_TIME),
            ));
        }
        Ok(())
    }
    fn update_by_id(
        db: &mut Db,
        cx: &Cx<'_>,
        id: i64,
        patch: &RepositoryPatch,
    ) -> StoreResult<Arc<Repository>> {
        crate::ops::update_repository(db, cx, id, patch)
    }
}
