//! The entity-specific store methods on [`Handle`]: one hand-written impl per role trait,
//! delegating to the generic CRUD code ([`crate::crud`]) and the domain operations
//! ([`crate::ops`]). The generic surface is in [`crate::surface`].

use containerpub_domain::{
    Deployment, DeploymentId, Email, EntityName, Function, FunctionDetails, FunctionStats,
    FunctionSummary, Invocation, LogEntry, MemberProfile, NewDeployment, NewInvocation, NewLog,
    NewOrganization, NewRepository, NewUser, NewUserInformation, Organization, OrganizationMember,
    Page, Repository, RepositoryPath, Timestamp, User, UserInformation, UserProfile, Uuid,
};
use containerpub_ports::{
    DeploymentReader, DeploymentWriter, FunctionField, FunctionReader, InvocationReader,
    InvocationWriter, KeysetRequest, LogField, LogQuery, LogReader, LogWriter,
    OrganizationMemberReader, OrganizationMemberWriter, OrganizationReader, OrganizationWriter,
    PageRequest, Query, Ref, RepositoryReader, RepositoryWriter, StoreResult, UniqueKey, Upserted,
    UserInformationReader, UserInformationWriter, UserKey, UserReader,
    UserWithOrganizationAndProfile, UserWriter, Window, async_trait,
};

use crate::crud;
use crate::handle::Handle;
use crate::index::IndexKey;
use crate::ops;
use crate::reference::refers_to;
use crate::table::{
    Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories, Users,
};

#[async_trait]
impl UserReader for Handle {
    async fn find_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        self.read(|db| {
            Ok(crud::find_by_key::<Users>(
                db,
                UniqueKey::UsersEmail,
                &IndexKey::text(email.as_str()),
            ))
        })
    }

    async fn with_organization(
        &self,
        user: Uuid,
    ) -> StoreResult<Option<UserWithOrganizationAndProfile>> {
        self.read(|db| Ok(ops::users::with_organization(db, user)))
    }
}

#[async_trait]
impl UserWriter for Handle {
    async fn upsert_updating(
        &self,
        new: NewUser,
        key: UserKey,
        update: Vec<containerpub_ports::UserColumn>,
    ) -> StoreResult<Upserted<User>> {
        self.write(|db, cx| {
            let new = crate::ops::upsert_columns::keep_unchosen(db, &new, key, &update);
            crud::upsert::<Users>(db, cx, &new, key.unique_key()).map(crud::owned_upserted)
        })
        .await
    }
}

#[async_trait]
impl UserInformationReader for Handle {
    async fn find_by_user(&self, user: Uuid) -> StoreResult<Option<UserInformation>> {
        self.read(|db| {
            Ok(crud::find_by_key::<Profiles>(
                db,
                UniqueKey::UserInformationUserId,
                &IndexKey::Uuid(user),
            ))
        })
    }

    async fn profile(&self, user: Uuid) -> StoreResult<Option<UserProfile>> {
        self.read(|db| Ok(ops::users::profile(db, user)))
    }
}

#[async_trait]
impl UserInformationWriter for Handle {
    async fn upsert_for_user(
        &self,
        profile: NewUserInformation,
    ) -> StoreResult<Upserted<UserInformation>> {
        self.write(|db, cx| {
            crud::upsert::<Profiles>(db, cx, &profile, UniqueKey::UserInformationUserId)
                .map(crud::owned_upserted)
        })
        .await
    }
}

#[async_trait]
impl OrganizationReader for Handle {
    async fn find_by_name(&self, name: &EntityName) -> StoreResult<Option<Organization>> {
        self.read(|db| {
            Ok(crud::find_by_key::<Organizations>(
                db,
                UniqueKey::OrganizationsName,
                &IndexKey::text(name.as_str()),
            ))
        })
    }

    async fn organization_of(&self, user: Uuid) -> StoreResult<Option<Organization>> {
        self.read(|db| Ok(ops::organizations::organization_of(db, user)))
    }
}

#[async_trait]
impl OrganizationWriter for Handle {
    async fn create_with_owner(
        &self,
        new: NewOrganization,
    ) -> StoreResult<(Organization, OrganizationMember)> {
        self.write(|db, cx| ops::organizations::create_with_owner(db, cx, &new))
            .await
    }
}

#[async_trait]
impl OrganizationMemberReader for Handle {
    async fn members_of(&self, organization: Uuid) -> StoreResult<Vec<MemberProfile>> {
        self.read(|db| ops::organizations::members_of(db, organization))
    }

    async fn membership_of(&self, user: Uuid) -> StoreResult<Option<OrganizationMember>> {
        self.read(|db| {
            Ok(crud::find_by_key::<Members>(
                db,
                UniqueKey::OrganizationMembersUserId,
                &IndexKey::Uuid(user),
            ))
        })
    }
}

#[async_trait]
impl OrganizationMemberWriter for Handle {
    async fn add_member(&self, organization: Uuid, user: Uuid) -> StoreResult<OrganizationMember> {
        self.write(|db, cx| ops::organizations::add_member(db, cx, organization, user))
            .await
    }

    async fn remove_member(&self, organization: Uuid, user: Uuid) -> StoreResult<()> {
        self.write(|db, _| ops::organizations::remove_member(db, organization, user))
            .await
    }
}

#[async_trait]
impl FunctionReader for Handle {
    async fn find_by_owner(
        &self,
        owner: Ref<User>,
        page: PageRequest,
    ) -> StoreResult<Page<Function>> {
        self.read(|db| ops::functions::find_by_owner(db, owner, page))
    }

    async fn details(&self, function: Ref<Function>) -> StoreResult<Option<FunctionDetails>> {
        self.read(|db| ops::functions::details(db, function))
    }

    async fn summaries(&self, query: Query<FunctionField>) -> StoreResult<Vec<FunctionSummary>> {
        self.read(|db| ops::functions::summaries(db, &query))
    }
}

#[async_trait]
impl DeploymentReader for Handle {
    async fn active_for(&self, function: Ref<Function>) -> StoreResult<Option<Deployment>> {
        self.read(|db| Ok(ops::deployments::active_for(db, function)))
    }
}

#[async_trait]
impl DeploymentWriter for Handle {
    async fn create_next_version(&self, new: NewDeployment) -> StoreResult<Deployment> {
        self.write(|db, cx| ops::deployments::insert_deployment(db, cx, &new))
            .await
    }

    async fn activate(&self, id: DeploymentId) -> StoreResult<Deployment> {
        self.write(|db, cx| ops::deployments::activate(db, cx, i64::from(id.get())))
            .await
    }
}

#[async_trait]
impl LogReader for Handle {
    async fn for_function(
        &self,
        query: LogQuery,
        window: KeysetRequest,
    ) -> StoreResult<Window<LogEntry>> {
        self.read(|db| match query.function {
            Ref::Id(id) => {
                let (filter, sort) = query.to_filter_and_sort(id);
                crud::find_window::<Logs>(db, &filter, &sort, &window)
            }
            Ref::Uuid(_) => {
                let function = refers_to::<Functions, _>(db, LogField::FunctionId, query.function);
                let (bounds, sort) = query.bounds_and_sort();
                crud::find_window_within::<Logs>(db, &bounds, function, &sort, &window)
            }
        })
    }
}

#[async_trait]
impl LogWriter for Handle {
    async fn append(&self, logs: Vec<NewLog>) -> StoreResult<u64> {
        if logs.is_empty() {
            self.usable()?;
            return Ok(0);
        }
        self.write(|db, cx| {
            crud::insert_batch::<Logs>(db, cx, &logs, true).map(|rows| rows.len() as u64)
        })
        .await
    }

    async fn delete_older_than(&self, cutoff: Timestamp) -> StoreResult<u64> {
        self.write(|db, _| ops::events::delete_older_than(db, cutoff))
            .await
    }
}

#[async_trait]
impl InvocationReader for Handle {
    async fn stats(
        &self,
        function: Ref<Function>,
        since: Timestamp,
    ) -> StoreResult<Option<FunctionStats>> {
        self.read(|db| Ok(ops::events::stats(db, function, since)))
    }
}

#[async_trait]
impl InvocationWriter for Handle {
    async fn record(&self, invocation: NewInvocation) -> StoreResult<Invocation> {
        self.write(|db, cx| {
            crud::insert::<Invocations>(db, cx, &invocation).map(|row| Invocation::clone(&row))
        })
        .await
    }

    async fn record_many(&self, invocations: Vec<NewInvocation>) -> StoreResult<u64> {
        if invocations.is_empty() {
            self.usable()?;
            return Ok(0);
        }
        self.write(|db, cx| {
            crud::insert_batch::<Invocations>(db, cx, &invocations, true)
                .map(|rows| rows.len() as u64)
        })
        .await
    }
}

#[async_trait]
impl RepositoryReader for Handle {
    async fn find_by_path(&self, path: &RepositoryPath) -> StoreResult<Option<Repository>> {
        self.read(|db| {
            Ok(ops::repositories::live_at(db, path.as_str()).map(|row| Repository::clone(&row)))
        })
    }

    async fn descendants_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        self.read(|db| ops::repositories::descendants_of(db, repository))
    }

    async fn ancestors_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        self.read(|db| ops::repositories::ancestors_of(db, repository))
    }

    async fn siblings_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        self.read(|db| ops::repositories::siblings_of(db, repository))
    }
}

#[async_trait]
impl RepositoryWriter for Handle {
    async fn create(&self, new: NewRepository) -> StoreResult<Repository> {
        self.write(|db, cx| {
            crud::insert::<Repositories>(db, cx, &new).map(|row| Repository::clone(&row))
        })
        .await
    }

    async fn soft_delete(&self, repository: Ref<Repository>) -> StoreResult<u64> {
        self.write(|db, cx| ops::repositories::soft_delete(db, cx, repository))
            .await
    }
}
