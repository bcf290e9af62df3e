//! The entity-specific store methods on [`Handle<C>`]: one hand-written impl per role
//! trait, each method a traced delegation to [`crate::crud`] or [`crate::ops`]. Reads run
//! through [`routed`], writes through [`written`], as in [`crate::surface`].

use async_trait::async_trait;
use containerpub_domain::{
    Deployment, DeploymentId, Email, EntityName, Function, FunctionDetails, FunctionStats,
    FunctionSummary, Invocation, LogEntry, MemberProfile, NewDeployment, NewInvocation, NewLog,
    NewOrganization, NewRepository, NewUserInformation, Organization, OrganizationMember, Page,
    Repository, RepositoryPath, Timestamp, User, UserInformation, UserProfile, Uuid,
};
use containerpub_ports::{
    DeploymentReader, DeploymentWriter, FunctionField, FunctionReader, InvocationReader,
    InvocationWriter, KeysetRequest, LogField, LogQuery, LogReader, LogWriter, OrganizationField,
    OrganizationMemberReader, OrganizationMemberWriter, OrganizationReader, OrganizationWriter,
    PageRequest, Query, Ref, RepositoryField, RepositoryReader, RepositoryWriter, StoreResult,
    Upserted, UserField, UserInformationKey, UserInformationReader, UserInformationWriter,
    UserReader, UserWithOrganizationAndProfile, UserWriter, Window,
};

use crate::conn::PgConn;
use crate::crud;
use crate::handle::{Handle, written};
use crate::ops;
use crate::reference::{Scope, refers_to};
use crate::replica::{Routed, routed};
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    TableDef, Users,
};
use crate::trace::traced;

#[async_trait]
impl<C: Routed> UserReader for Handle<C> {
    async fn find_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let value = email.into();
        let call = routed(self, value, async |h, value| {
            crud::find_by_column::<Users, C>(h, UserField::Email, value).await
        });
        traced(&self.conn, "find_by_email", Users::TABLE, call).await
    }

    async fn with_organization(
        &self,
        user: Uuid,
    ) -> StoreResult<Option<UserWithOrganizationAndProfile>> {
        let call = routed(self, user, async |h, user| {
            ops::organizations::user_with_organization(h, user).await
        });
        traced(&self.conn, "with_organization", Users::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> UserWriter for Handle<C> {
    async fn upsert_updating(
        &self,
        new: containerpub_domain::NewUser,
        key: containerpub_ports::UserKey,
        update: Vec<containerpub_ports::UserColumn>,
    ) -> StoreResult<Upserted<User>> {
        let call = ops::upsert_columns::run(self, new, key, update);
        written(self, "upsert_updating", Users::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> UserInformationReader for Handle<C> {
    async fn find_by_user(&self, user: Uuid) -> StoreResult<Option<UserInformation>> {
        let call = routed(self, user, async |h, user| {
            ops::users::find_profile_by_user(h, user).await
        });
        traced(&self.conn, "find_by_user", Profiles::TABLE, call).await
    }

    async fn profile(&self, user: Uuid) -> StoreResult<Option<UserProfile>> {
        let call = routed(self, user, async |h, user| {
            ops::users::profile(h, user).await
        });
        traced(&self.conn, "profile", Profiles::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> UserInformationWriter for Handle<C> {
    async fn upsert_for_user(
        &self,
        profile: NewUserInformation,
    ) -> StoreResult<Upserted<UserInformation>> {
        let call = crud::upsert::<Profiles, C>(self, profile, UserInformationKey::User);
        written(self, "upsert_for_user", Profiles::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> OrganizationReader for Handle<C> {
    async fn find_by_name(&self, name: &EntityName) -> StoreResult<Option<Organization>> {
        let value = name.as_str().into();
        let call = routed(self, value, async |h, value| {
            crud::find_by_column::<Organizations, C>(h, OrganizationField::Name, value).await
        });
        traced(&self.conn, "find_by_name", Organizations::TABLE, call).await
    }

    async fn organization_of(&self, user: Uuid) -> StoreResult<Option<Organization>> {
        let call = routed(self, user, async |h, user| {
            ops::organizations::organization_of(h, user).await
        });
        traced(&self.conn, "organization_of", Organizations::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> OrganizationWriter for Handle<C> {
    async fn create_with_owner(
        &self,
        new: NewOrganization,
    ) -> StoreResult<(Organization, OrganizationMember)> {
        let call = ops::organizations::create_with_owner(self, new);
        written(self, "create_with_owner", Organizations::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> OrganizationMemberReader for Handle<C> {
    async fn members_of(&self, organization: Uuid) -> StoreResult<Vec<MemberProfile>> {
        let call = routed(self, organization, async |h, organization| {
            ops::organizations::members_of(h, organization).await
        });
        traced(&self.conn, "members_of", Members::TABLE, call).await
    }

    async fn membership_of(&self, user: Uuid) -> StoreResult<Option<OrganizationMember>> {
        let call = routed(self, user, async |h, user| {
            crud::find_by_column::<Members, C>(
                h,
                containerpub_ports::OrganizationMemberField::UserId,
                user.into(),
            )
            .await
        });
        traced(&self.conn, "membership_of", Members::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> OrganizationMemberWriter for Handle<C> {
    async fn add_member(&self, organization: Uuid, user: Uuid) -> StoreResult<OrganizationMember> {
        let call = ops::organizations::add_member(self, organization, user);
        written(self, "add_member", Members::TABLE, call).await
    }

    async fn remove_member(&self, organization: Uuid, user: Uuid) -> StoreResult<()> {
        let call = ops::organizations::remove_member(self, organization, user);
        written(self, "remove_member", Members::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> FunctionReader for Handle<C> {
    async fn find_by_owner(
        &self,
        owner: Ref<User>,
        page: PageRequest,
    ) -> StoreResult<Page<Function>> {
        let Scope { filter, within } = refers_to::<Functions, Users>(FunctionField::UserId, owner);
        let sort = vec![FunctionField::CreatedAt.desc(), FunctionField::Id.desc()];
        let call = routed(
            self,
            (filter, within, sort, page),
            async |h, (filter, within, sort, page)| {
                crud::find_page_within::<Functions, C>(h, filter, within, sort, page).await
            },
        );
        traced(&self.conn, "find_by_owner", Functions::TABLE, call).await
    }

    async fn details(&self, function: Ref<Function>) -> StoreResult<Option<FunctionDetails>> {
        let call = routed(self, function, async |h, function| {
            ops::functions::details(h, function).await
        });
        traced(&self.conn, "details", Functions::TABLE, call).await
    }

    async fn summaries(&self, query: Query<FunctionField>) -> StoreResult<Vec<FunctionSummary>> {
        let call = routed(self, query, async |h, query| {
            ops::functions::summaries(h, query).await
        });
        traced(&self.conn, "summaries", Functions::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> DeploymentReader for Handle<C> {
    async fn active_for(&self, function: Ref<Function>) -> StoreResult<Option<Deployment>> {
        let call = routed(self, function, async |h, function| {
            ops::deployments::active_for(h, function).await
        });
        traced(&self.conn, "active_for", Deployments::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> DeploymentWriter for Handle<C> {
    async fn create_next_version(&self, new: NewDeployment) -> StoreResult<Deployment> {
        let call = crud::insert::<Deployments, C>(self, new);
        written(self, "create_next_version", Deployments::TABLE, call).await
    }

    async fn activate(&self, id: DeploymentId) -> StoreResult<Deployment> {
        let call = ops::deployments::activate(self, id);
        written(self, "activate", Deployments::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> LogReader for Handle<C> {
    async fn for_function(
        &self,
        query: LogQuery,
        window: KeysetRequest,
    ) -> StoreResult<Window<LogEntry>> {
        let (filter, within, sort) = match query.function {
            Ref::Id(id) => {
                let (filter, sort) = query.to_filter_and_sort(id);
                (filter, None, sort)
            }
            Ref::Uuid(_) => {
                let function = refers_to::<Logs, Functions>(LogField::FunctionId, query.function);
                let (bounds, sort) = query.bounds_and_sort();
                (bounds, function.within, sort)
            }
        };
        let call = routed(
            self,
            (filter, within, sort, window),
            async |h, (filter, within, sort, window)| {
                crud::find_window_within::<Logs, C>(h, filter, within, sort, window).await
            },
        );
        traced(&self.conn, "for_function", Logs::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> LogWriter for Handle<C> {
    async fn append(&self, logs: Vec<NewLog>) -> StoreResult<u64> {
        let call = ops::events::append(self, logs);
        written(self, "append", Logs::TABLE, call).await
    }

    async fn delete_older_than(&self, cutoff: Timestamp) -> StoreResult<u64> {
        let filter = containerpub_ports::LogField::Timestamp.lt(cutoff);
        let call = crud::delete_where::<Logs, C>(self, filter);
        written(self, "delete_older_than", Logs::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> InvocationReader for Handle<C> {
    async fn stats(
        &self,
        function: Ref<Function>,
        since: Timestamp,
    ) -> StoreResult<Option<FunctionStats>> {
        let call = routed(self, (function, since), async |h, (function, since)| {
            ops::stats::stats(h, function, since).await
        });
        traced(&self.conn, "stats", Invocations::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> InvocationWriter for Handle<C> {
    async fn record(&self, invocation: NewInvocation) -> StoreResult<Invocation> {
        let call = crud::insert::<Invocations, C>(self, invocation);
        written(self, "record", Invocations::TABLE, call).await
    }

    async fn record_many(&self, invocations: Vec<NewInvocation>) -> StoreResult<u64> {
        let call = ops::events::record_many(self, invocations);
        written(self, "record_many", Invocations::TABLE, call).await
    }
}

#[async_trait]
impl<C: Routed> RepositoryReader for Handle<C> {
    async fn find_by_path(&self, path: &RepositoryPath) -> StoreResult<Option<Repository>> {
        let value = path.as_str().into();
        let call = routed(self, value, async |h, value| {
            crud::find_by_column::<Repositories, C>(h, RepositoryField::Path, value).await
        });
        traced(&self.conn, "find_by_path", Repositories::TABLE, call).await
    }

    async fn descendants_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        let call = routed(self, repository, async |h, repository| {
            ops::repositories::descendants_of(h, repository).await
        });
        traced(&self.conn, "descendants_of", Repositories::TABLE, call).await
    }

    async fn ancestors_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        let call = routed(self, repository, async |h, repository| {
            ops::repositories::ancestors_of(h, repository).await
        });
        traced(&self.conn, "ancestors_of", Repositories::TABLE, call).await
    }

    async fn siblings_of(&self, repository: Ref<Repository>) -> StoreResult<Vec<Repository>> {
        let call = routed(self, repository, async |h, repository| {
            ops::repositories::siblings_of(h, repository).await
        });
        traced(&self.conn, "siblings_of", Repositories::TABLE, call).await
    }
}

#[async_trait]
impl<C: PgConn> RepositoryWriter for Handle<C> {
    async fn create(&self, new: NewRepository) -> StoreResult<Repository> {
        let call = crud::insert::<Repositories, C>(self, new);
        written(self, "create", Repositories::TABLE, call).await
    }

    async fn soft_delete(&self, repository: Ref<Repository>) -> StoreResult<u64> {
        let call = ops::repositories::soft_delete(self, repository);
        written(self, "soft_delete", Repositories::TABLE, call).await
    }
}
