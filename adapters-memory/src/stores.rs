//! The port traits, implemented on [`Conn`]: thin delegation to the generic engine (one
//! macro for the generic surface) and to the domain operations.

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, Email, EntityName, Function, FunctionDetails,
    FunctionId, FunctionPatch, FunctionStats, FunctionSummary, Invocation, InvocationId,
    InvocationPatch, LogEntry, LogId, LogPatch, MemberProfile, NewDeployment, NewFunction,
    NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository, NewUser,
    NewUserInformation, Organization, OrganizationId, OrganizationMember, OrganizationMemberId,
    OrganizationMemberPatch, OrganizationPatch, Page, Repository, RepositoryId, RepositoryPatch,
    RepositoryPath, Timestamp, User, UserId, UserInformation, UserInformationId,
    UserInformationPatch, UserPatch, UserProfile, Uuid,
};
use containerpub_ports::{
    DeploymentField, DeploymentKey, DeploymentReader, DeploymentWriter, Filter, FunctionField,
    FunctionKey, FunctionReader, FunctionWriter, InvocationField, InvocationKey, InvocationReader,
    InvocationWriter, KeysetRequest, LogField, LogKey, LogQuery, LogReader, LogWriter,
    OrganizationField, OrganizationKey, OrganizationMemberField, OrganizationMemberKey,
    OrganizationMemberReader, OrganizationMemberWriter, OrganizationReader, OrganizationWriter,
    PageRequest, Query, RepositoryField, RepositoryKey, RepositoryReader, RepositoryWriter, Sort,
    StoreResult, UniqueKey, Upserted, UserField, UserInformationField, UserInformationKey,
    UserInformationReader, UserInformationWriter, UserKey, UserReader, UserWriter, Window,
    async_trait,
};

use crate::engine;
use crate::handle::Conn;
use crate::index::IndexKey;
use crate::ops;
use crate::schema::Spec;
use crate::specs::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};

/// Implements a reader and a writer on [`Conn`]: the generic surface delegating to the
/// engine, plus the domain methods given.
macro_rules! entity_store {
    (@uuid yes, $spec:ty, $entity:ty; $($rest:tt)*) => {
        entity_store!(@emit [
            async fn find_by_uuid(&self, uuid: Uuid) -> StoreResult<Option<$entity>> {
                self.read(|db| Ok(engine::find_by_uuid::<$spec>(db, &uuid)))
            }
        ] $spec, $entity; $($rest)*);
    };
    (@uuid no, $spec:ty, $entity:ty; $($rest:tt)*) => {
        entity_store!(@emit [] $spec, $entity; $($rest)*);
    };
    (@emit [$($uuid_method:tt)*] $spec:ty, $entity:ty;
        id: $id:ty, field: $field:ty, new: $new:ty, patch: $patch:ty, key: $key:ty,
        reader $reader:ident { $($reader_extra:tt)* }
        writer $writer:ident { $($writer_extra:tt)* }
    ) => {
        #[async_trait]
        impl $reader for Conn {
            async fn find_by_id(&self, id: $id) -> StoreResult<Option<$entity>> {
                self.read(|db| Ok(engine::find_by_id::<$spec>(db, i64::from(id.get()))))
            }

            $($uuid_method)*

            async fn find_one(&self, query: Query<$field>) -> StoreResult<Option<$entity>> {
                self.read(|db| engine::find_one::<$spec>(db, &query))
            }

            async fn find_all(&self, query: Query<$field>) -> StoreResult<Vec<$entity>> {
                self.read(|db| engine::find_all::<$spec>(db, &query).map(engine::owned))
            }

            async fn find_page(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                page: PageRequest,
            ) -> StoreResult<Page<$entity>> {
                self.read(|db| engine::find_page::<$spec>(db, &filter, &sort, page))
            }

            async fn find_window(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                window: KeysetRequest,
            ) -> StoreResult<Window<$entity>> {
                self.read(|db| engine::find_window::<$spec>(db, &filter, &sort, &window))
            }

            async fn select(
                &self,
                query: Query<$field>,
                fields: Vec<$field>,
            ) -> StoreResult<Vec<containerpub_ports::query::projection::Row>> {
                self.usable()?;
                containerpub_ports::query::projection::validate_fields(&fields)?;
                let rows = <Self as $reader>::find_all(self, query).await?;
                Ok(rows
                    .iter()
                    .map(|row| containerpub_ports::query::projection::project(row, &fields))
                    .collect())
            }

            async fn select_page(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                page: PageRequest,
                fields: Vec<$field>,
            ) -> StoreResult<Page<containerpub_ports::query::projection::Row>> {
                self.usable()?;
                containerpub_ports::query::projection::validate_fields(&fields)?;
                let page = <Self as $reader>::find_page(self, filter, sort, page).await?;
                Ok(page.map(|row| containerpub_ports::query::projection::project(&row, &fields)))
            }

            async fn select_window(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                window: KeysetRequest,
                fields: Vec<$field>,
            ) -> StoreResult<Window<containerpub_ports::query::projection::Row>> {
                self.usable()?;
                containerpub_ports::query::projection::validate_fields(&fields)?;
                let window = <Self as $reader>::find_window(self, filter, sort, window).await?;
                Ok(Window {
                    items: window
                        .items
                        .iter()
                        .map(|row| containerpub_ports::query::projection::project(row, &fields))
                        .collect(),
                    next: window.next,
                })
            }

            async fn group_by(
                &self,
                query: containerpub_ports::query::grouping::GroupQuery<$field>,
            ) -> StoreResult<Vec<containerpub_ports::query::grouping::Group>> {
                self.usable()?;
                query.validate()?;
                let rows = <Self as $reader>::find_all(self, Query::filter(query.filter.clone())).await?;
                crate::grouping::group(&rows, &query)
            }

            async fn count(&self, filter: Filter<$field>) -> StoreResult<u64> {
                self.read(|db| engine::count::<$spec>(db, &filter))
            }

            async fn exists(&self, filter: Filter<$field>) -> StoreResult<bool> {
                self.read(|db| engine::exists::<$spec>(db, &filter))
            }

            $($reader_extra)*
        }

        #[async_trait]
        impl $writer for Conn {
            async fn insert(&self, new: $new) -> StoreResult<$entity> {
                self.write(|db, cx| {
                    engine::insert::<$spec>(db, cx, &new).map(|row| <$entity>::clone(&row))
                }).await
            }

            async fn insert_many(&self, rows: Vec<$new>) -> StoreResult<Vec<$entity>> {
                if rows.is_empty() {
                    self.usable()?;
                    return Ok(Vec::new());
                }
                self.write(|db, cx| {
                    engine::insert_batch::<$spec>(db, cx, &rows, true).map(engine::owned)
                }).await
            }

            async fn update_by_id(&self, id: $id, patch: $patch) -> StoreResult<$entity> {
                self.write(|db, cx| {
                    <$spec as Spec>::update_by_id(db, cx, i64::from(id.get()), &patch)
                        .map(|row| <$entity>::clone(&row))
                }).await
            }

            async fn update_where(&self, filter: Filter<$field>, patch: $patch) -> StoreResult<u64> {
                self.write(|db, cx| engine::update_where::<$spec>(db, cx, &filter, &patch)).await
            }

            async fn delete_by_id(&self, id: $id) -> StoreResult<()> {
                self.write(|db, _| engine::delete_by_id::<$spec>(db, i64::from(id.get()))).await
            }

            async fn delete_where(&self, filter: Filter<$field>) -> StoreResult<u64> {
                self.write(|db, _| engine::delete_where::<$spec>(db, &filter)).await
            }

            async fn upsert(&self, new: $new, key: $key) -> StoreResult<Upserted<$entity>> {
                self.write(|db, cx| {
                    engine::upsert::<$spec>(db, cx, &new, key.unique_key())
                        .map(engine::owned_upserted)
                }).await
            }

            async fn find_or_insert(
                &self,
                new: $new,
                key: $key,
            ) -> StoreResult<containerpub_ports::Found<$entity>> {
                let filter = containerpub_ports::KeyFilter::key_filter(&new, key);
                let found = containerpub_ports::find_or_insert_with(
                    key.unique_key(),
                    || <Self as $reader>::find_one(self, Query::filter(filter.clone())),
                    self.write_isolated(|db, cx| {
                        engine::insert::<$spec>(db, cx, &new).map(|row| <$entity>::clone(&row))
                    }),
                )
                .await;
                if let Err(err) = &found {
                    self.poison(err);
                }
                found
            }

            $($writer_extra)*
        }
    };
}

entity_store!(@uuid yes, Users, User;
    id: UserId, field: UserField, new: NewUser, patch: UserPatch, key: UserKey,
    reader UserReader {
        async fn find_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
            self.read(|db| {
                Ok(engine::find_by_key::<Users>(
                    db,
                    UniqueKey::UsersEmail,
                    &IndexKey::text(email.as_str()),
                ))
            })
        }

        async fn with_organization(
            &self,
            user: Uuid,
        ) -> StoreResult<Option<(containerpub_domain::UserWithOrganization, Option<UserInformation>)>> {
            self.read(|db| Ok(ops::with_organization(db, user)))
        }
    }
    writer UserWriter {
        async fn upsert_updating(
            &self,
            new: NewUser,
            key: UserKey,
            update: Vec<containerpub_ports::UserColumn>,
        ) -> StoreResult<Upserted<User>> {
            self.write(|db, cx| {
                let new = crate::upsert_columns::keep_unchosen(db, &new, key, &update);
                engine::upsert::<Users>(db, cx, &new, key.unique_key()).map(engine::owned_upserted)
            })
            .await
        }
    }
);

entity_store!(@uuid yes, Profiles, UserInformation;
    id: UserInformationId, field: UserInformationField, new: NewUserInformation,
    patch: UserInformationPatch, key: UserInformationKey,
    reader UserInformationReader {
        async fn find_by_user(&self, user: Uuid) -> StoreResult<Option<UserInformation>> {
            self.read(|db| {
                Ok(engine::find_by_key::<Profiles>(
                    db,
                    UniqueKey::UserInformationUserId,
                    &IndexKey::Uuid(user),
                ))
            })
        }

        async fn profile(&self, user: Uuid) -> StoreResult<Option<UserProfile>> {
            self.read(|db| Ok(ops::profile(db, user)))
        }
    }
    writer UserInformationWriter {
        async fn upsert_for_user(
            &self,
            profile: NewUserInformation,
        ) -> StoreResult<Upserted<UserInformation>> {
            self.write(|db, cx| {
                engine::upsert::<Profiles>(db, cx, &profile, UniqueKey::UserInformationUserId)
                    .map(engine::owned_upserted)
            }).await
        }
    }
);

entity_store!(@uuid yes, Organizations, Organization;
    id: OrganizationId, field: OrganizationField, new: NewOrganization,
    patch: OrganizationPatch, key: OrganizationKey,
    reader OrganizationReader {
        async fn find_by_name(&self, name: &EntityName) -> StoreResult<Option<Organization>> {
            self.read(|db| {
                Ok(engine::find_by_key::<Organizations>(
                    db,
                    UniqueKey::OrganizationsName,
                    &IndexKey::text(name.as_str()),
                ))
            })
        }

        async fn organization_of(&self, user: Uuid) -> StoreResult<Option<Organization>> {
            self.read(|db| Ok(ops::organization_of(db, user)))
        }
    }
    writer OrganizationWriter {
        async fn create_with_owner(
            &self,
            new: NewOrganization,
        ) -> StoreResult<(Organization, OrganizationMember)> {
            self.write(|db, cx| ops::create_with_owner(db, cx, &new)).await
        }
    }
);

entity_store!(@uuid no, Members, OrganizationMember;
    id: OrganizationMemberId, field: OrganizationMemberField, new: NewOrganizationMember,
    patch: OrganizationMemberPatch, key: OrganizationMemberKey,
    reader OrganizationMemberReader {
        async fn members_of(&self, organization: Uuid) -> StoreResult<Vec<MemberProfile>> {
            self.read(|db| ops::members_of(db, organization))
        }

        async fn membership_of(&self, user: Uuid) -> StoreResult<Option<OrganizationMember>> {
            self.read(|db| {
                Ok(engine::find_by_key::<Members>(
                    db,
                    UniqueKey::OrganizationMembersUserId,
                    &IndexKey::Uuid(user),
                ))
            })
        }
    }
    writer OrganizationMemberWriter {
        async fn add_member(
            &self,
            organization: Uuid,
            user: Uuid,
        ) -> StoreResult<OrganizationMember> {
            self.write(|db, cx| ops::add_member(db, cx, organization, user)).await
        }

        async fn remove_member(&self, organization: Uuid, user: Uuid) -> StoreResult<()> {
            self.write(|db, _| ops::remove_member(db, organization, user)).await
        }
    }
);

entity_store!(@uuid yes, Functions, Function;
    id: FunctionId, field: FunctionField, new: NewFunction, patch: FunctionPatch,
    key: FunctionKey,
    reader FunctionReader {
        async fn find_by_owner(
            &self,
            owner: UserId,
            page: PageRequest,
        ) -> StoreResult<Page<Function>> {
            self.read(|db| ops::find_by_owner(db, owner, page))
        }

        async fn details(&self, id: FunctionId) -> StoreResult<Option<FunctionDetails>> {
            self.read(|db| ops::details(db, id))
        }

        async fn summaries(
            &self,
            query: Query<FunctionField>,
        ) -> StoreResult<Vec<FunctionSummary>> {
            self.read(|db| ops::summaries(db, &query))
        }
    }
    writer FunctionWriter {}
);

entity_store!(@uuid yes, Deployments, Deployment;
    id: DeploymentId, field: DeploymentField, new: NewDeployment, patch: DeploymentPatch,
    key: DeploymentKey,
    reader DeploymentReader {
        async fn active_for(&self, function: FunctionId) -> StoreResult<Option<Deployment>> {
            self.read(|db| Ok(ops::active_for(db, function)))
        }
    }
    writer DeploymentWriter {
        async fn create_next_version(&self, new: NewDeployment) -> StoreResult<Deployment> {
            self.write(|db, cx| ops::insert_deployment(db, cx, &new)).await
        }

        async fn activate(&self, id: DeploymentId) -> StoreResult<Deployment> {
            self.write(|db, cx| ops::activate(db, cx, i64::from(id.get()))).await
        }
    }
);

entity_store!(@uuid yes, Logs, LogEntry;
    id: LogId, field: LogField, new: NewLog, patch: LogPatch, key: LogKey,
    reader LogReader {
        async fn for_function(
            &self,
            query: LogQuery,
            window: KeysetRequest,
        ) -> StoreResult<Window<LogEntry>> {
            let (filter, sort) = query.to_filter_and_sort();
            self.read(|db| engine::find_window::<Logs>(db, &filter, &sort, &window))
        }
    }
    writer LogWriter {
        async fn append(&self, logs: Vec<NewLog>) -> StoreResult<u64> {
            if logs.is_empty() {
                self.usable()?;
                return Ok(0);
            }
            self.write(|db, cx| {
                engine::insert_batch::<Logs>(db, cx, &logs, true).map(|rows| rows.len() as u64)
            }).await
        }

        async fn delete_older_than(&self, cutoff: Timestamp) -> StoreResult<u64> {
            self.write(|db, _| ops::delete_older_than(db, cutoff)).await
        }
    }
);

entity_store!(@uuid yes, Invocations, Invocation;
    id: InvocationId, field: InvocationField, new: NewInvocation, patch: InvocationPatch,
    key: InvocationKey,
    reader InvocationReader {
        async fn stats(&self, function: FunctionId, since: Timestamp) -> StoreResult<FunctionStats> {
            self.read(|db| Ok(ops::stats(db, function, since)))
        }
    }
    writer InvocationWriter {
        async fn record(&self, invocation: NewInvocation) -> StoreResult<Invocation> {
            self.write(|db, cx| {
                engine::insert::<Invocations>(db, cx, &invocation).map(|row| Invocation::clone(&row))
            }).await
        }

        async fn record_many(&self, invocations: Vec<NewInvocation>) -> StoreResult<u64> {
            if invocations.is_empty() {
                self.usable()?;
                return Ok(0);
            }
            self.write(|db, cx| {
                engine::insert_batch::<Invocations>(db, cx, &invocations, true)
                    .map(|rows| rows.len() as u64)
            }).await
        }
    }
);

entity_store!(@uuid yes, Repositories, Repository;
    id: RepositoryId, field: RepositoryField, new: NewRepository, patch: RepositoryPatch,
    key: RepositoryKey,
    reader RepositoryReader {
        async fn find_by_path(&self, path: &RepositoryPath) -> StoreResult<Option<Repository>> {
            self.read(|db| Ok(ops::live_at(db, path.as_str()).map(|row| Repository::clone(&row))))
        }

        async fn descendants_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>> {
            self.read(|db| ops::descendants_of(db, id))
        }

        async fn ancestors_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>> {
            self.read(|db| ops::ancestors_of(db, id))
        }

        async fn siblings_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>> {
            self.read(|db| ops::siblings_of(db, id))
        }
    }
    writer RepositoryWriter {
        async fn create(&self, new: NewRepository) -> StoreResult<Repository> {
            self.write(|db, cx| {
                engine::insert::<Repositories>(db, cx, &new).map(|row| Repository::clone(&row))
            }).await
        }

        async fn soft_delete(&self, id: RepositoryId) -> StoreResult<u64> {
            self.write(|db, cx| ops::soft_delete(db, cx, id)).await
        }
    }
);
