//! Mocks for unit tests of services (feature `mock`).
//!
//! [`MockStore<E>`](MockStore) is one generic mockall mock of an entity's whole store: the
//! generic surface ([`Reader`], [`UuidReader`], [`Writer`]) is declared once for every entity,
//! and each entity's role methods once for its own instantiation, so `MockStore<User>` is a
//! [`UserStore`] and `MockStore<Function>` a [`FunctionStore`]. Set expectations on it
//! directly (`expect_find_by_id`, `expect_find_by_email`, …). [`MockStores`] holds one per
//! entity behind the [`Stores`] trait, for services that take `&impl Stores`; the aliases
//! [`MockUserStore`], [`MockFunctionStore`], … name its fields' types. The generic traits are
//! also automocked on their own ([`MockReader`], [`MockUuidReader`], [`MockWriter`]) for
//! code that takes `&dyn Reader<E>` or `&dyn Writer<E>`.
//!
//! (mockall cannot `automock` a trait with supertraits, which every role trait has; a
//! generic `mock!` struct may implement a trait for one instantiation only, which is what
//! gives each `MockStore<E>` its entity's role methods. Every `MockStore<E>` carries the
//! expectation setters of every role method, but only its own entity's role traits are
//! implemented, so only those can ever be called.)
//!
//! An application's service, tested without a database:
//!
//! ```
//! use containerpub_ports::domain::{Email, NewUser, Timestamp, User, UserId, Uuid};
//! use containerpub_ports::mock::MockStores;
//! use containerpub_ports::{StoreError, StoreResult, Stores};
//!
//! /// Signs a user up unless the e-mail is taken.
//! async fn sign_up(stores: &impl Stores, email: &str) -> StoreResult<User> {
//!     let email = Email::parse(email).map_err(StoreError::from)?;
//!     if stores.users().find_by_email(&email).await?.is_some() {
//!         return Err(StoreError::Conflict { key: containerpub_ports::UniqueKey::UsersEmail });
//!     }
//!     stores.users().insert(NewUser::new(email)).await
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut stores = MockStores::new();
//! stores.users.expect_find_by_email().times(1).returning(|_| Ok(None));
//! stores.users.expect_insert().times(1).returning(|new| {
//!     Ok(User {
//!         id: UserId::new(7),
//!         uuid: new.uuid,
//!         email: new.email,
//!         password_hash: None,
//!         created_at: Timestamp::MIN,
//!         updated_at: Timestamp::MIN,
//!     })
//! });
//! let user = sign_up(&stores, "ada@example.com").await.unwrap();
//! assert_eq!(user.id, UserId::new(7));
//! # });
//! ```

use async_trait::async_trait;
use containerpub_domain::{
    Deployment, DeploymentId, Email, EntityName, Function, FunctionDetails, FunctionId,
    FunctionStats, FunctionSummary, Invocation, LogEntry, MemberProfile, NewDeployment,
    NewInvocation, NewLog, NewOrganization, NewRepository, NewUser, NewUserInformation,
    Organization, OrganizationMember, Page, Repository, RepositoryId, RepositoryPath, Timestamp,
    User, UserId, UserInformation, UserProfile, UserWithOrganization, Uuid,
};

use crate::entity::{Entity, WithUuid};
use crate::error::StoreResult;
use crate::fields::FunctionField;
use crate::find_or_insert::Found;
use crate::keys::{Upserted, UserKey};
use crate::query::grouping::{Group, GroupQuery};
use crate::query::projection::Row;
use crate::query::{Filter, KeysetRequest, PageRequest, Query, Sort, Window};
use crate::stores::{
    DeploymentReader, DeploymentStore, DeploymentWriter, FunctionReader, FunctionStore,
    InvocationReader, InvocationStore, InvocationWriter, LogQuery, LogReader, LogStore, LogWriter,
    OrganizationMemberReader, OrganizationMemberStore, OrganizationMemberWriter,
    OrganizationReader, OrganizationStore, OrganizationWriter, Reader, RepositoryReader,
    RepositoryStore, RepositoryWriter, UserInformationReader, UserInformationStore,
    UserInformationWriter, UserReader, UserStore, UserWriter, UuidReader, Writer,
};
pub use crate::stores::{MockReader, MockUuidReader, MockWriter};
use crate::uow::Stores;
use crate::upsert_columns::UserColumn;

mockall::mock! {
    /// A mock of one entity's store: the generic surface and the entity's role methods.
    pub Store<E: Entity> {}

    #[async_trait]
    impl<E: Entity> Reader<E> for Store<E> {
        async fn find_by_id(&self, id: E::Id) -> StoreResult<Option<E>>;
        async fn find_one(&self, query: Query<E::Field>) -> StoreResult<Option<E>>;
        async fn find_all(&self, query: Query<E::Field>) -> StoreResult<Vec<E>>;
        async fn find_page(&self, filter: Filter<E::Field>, sort: Vec<Sort<E::Field>>, page: PageRequest) -> StoreResult<Page<E>>;
        async fn find_window(&self, filter: Filter<E::Field>, sort: Vec<Sort<E::Field>>, window: KeysetRequest) -> StoreResult<Window<E>>;
        async fn select(&self, query: Query<E::Field>, fields: Vec<E::Field>) -> StoreResult<Vec<Row>>;
        async fn select_page(&self, filter: Filter<E::Field>, sort: Vec<Sort<E::Field>>, page: PageRequest, fields: Vec<E::Field>) -> StoreResult<Page<Row>>;
        async fn select_window(&self, filter: Filter<E::Field>, sort: Vec<Sort<E::Field>>, window: KeysetRequest, fields: Vec<E::Field>) -> StoreResult<Window<Row>>;
        async fn group_by(&self, query: GroupQuery<E::Field>) -> StoreResult<Vec<Group>>;
        async fn count(&self, filter: Filter<E::Field>) -> StoreResult<u64>;
        async fn exists(&self, filter: Filter<E::Field>) -> StoreResult<bool>;
    }

    #[async_trait]
    impl<E: WithUuid> UuidReader<E> for Store<E> {
        async fn find_by_uuid(&self, uuid: Uuid) -> StoreResult<Option<E>>;
    }

    #[async_trait]
    impl<E: Entity> Writer<E> for Store<E> {
        async fn insert(&self, new: E::New) -> StoreResult<E>;
        async fn insert_many(&self, rows: Vec<E::New>) -> StoreResult<Vec<E>>;
        async fn update_by_id(&self, id: E::Id, patch: E::Patch) -> StoreResult<E>;
        async fn update_where(&self, filter: Filter<E::Field>, patch: E::Patch) -> StoreResult<u64>;
        async fn delete_by_id(&self, id: E::Id) -> StoreResult<()>;
        async fn delete_where(&self, filter: Filter<E::Field>) -> StoreResult<u64>;
        async fn upsert(&self, new: E::New, key: E::Key) -> StoreResult<Upserted<E>>;
        async fn find_or_insert(&self, new: E::New, key: E::Key) -> StoreResult<Found<E>>;
    }

    #[async_trait]
    impl UserReader for Store<User> {
        async fn find_by_email(&self, email: &Email) -> StoreResult<Option<User>>;
        async fn with_organization(&self, user: Uuid) -> StoreResult<Option<(UserWithOrganization, Option<UserInformation>)>>;
    }
    #[async_trait]
    impl UserWriter for Store<User> {
        async fn upsert_updating(&self, new: NewUser, key: UserKey, update: Vec<UserColumn>) -> StoreResult<Upserted<User>>;
    }
    #[async_trait]
    impl UserInformationReader for Store<UserInformation> {
        async fn find_by_user(&self, user: Uuid) -> StoreResult<Option<UserInformation>>;
        async fn profile(&self, user: Uuid) -> StoreResult<Option<UserProfile>>;
    }
    #[async_trait]
    impl UserInformationWriter for Store<UserInformation> {
        async fn upsert_for_user(&self, profile: NewUserInformation) -> StoreResult<Upserted<UserInformation>>;
    }
    #[async_trait]
    impl OrganizationReader for Store<Organization> {
        async fn find_by_name(&self, name: &EntityName) -> StoreResult<Option<Organization>>;
        async fn organization_of(&self, user: Uuid) -> StoreResult<Option<Organization>>;
    }
    #[async_trait]
    impl OrganizationWriter for Store<Organization> {
        async fn create_with_owner(&self, new: NewOrganization) -> StoreResult<(Organization, OrganizationMember)>;
    }
    #[async_trait]
    impl OrganizationMemberReader for Store<OrganizationMember> {
        async fn members_of(&self, organization: Uuid) -> StoreResult<Vec<MemberProfile>>;
        async fn membership_of(&self, user: Uuid) -> StoreResult<Option<OrganizationMember>>;
    }
    #[async_trait]
    impl OrganizationMemberWriter for Store<OrganizationMember> {
        async fn add_member(&self, organization: Uuid, user: Uuid) -> StoreResult<OrganizationMember>;
        async fn remove_member(&self, organization: Uuid, user: Uuid) -> StoreResult<()>;
    }
    #[async_trait]
    impl FunctionReader for Store<Function> {
        async fn find_by_owner(&self, owner: UserId, page: PageRequest) -> StoreResult<Page<Function>>;
        async fn details(&self, id: FunctionId) -> StoreResult<Option<FunctionDetails>>;
        async fn summaries(&self, query: Query<FunctionField>) -> StoreResult<Vec<FunctionSummary>>;
    }
    #[async_trait]
    impl DeploymentReader for Store<Deployment> {
        async fn active_for(&self, function: FunctionId) -> StoreResult<Option<Deployment>>;
    }
    #[async_trait]
    impl DeploymentWriter for Store<Deployment> {
        async fn create_next_version(&self, new: NewDeployment) -> StoreResult<Deployment>;
        async fn activate(&self, id: DeploymentId) -> StoreResult<Deployment>;
    }
    #[async_trait]
    impl LogReader for Store<LogEntry> {
        async fn for_function(&self, query: LogQuery, window: KeysetRequest) -> StoreResult<Window<LogEntry>>;
    }
    #[async_trait]
    impl LogWriter for Store<LogEntry> {
        async fn append(&self, logs: Vec<NewLog>) -> StoreResult<u64>;
        async fn delete_older_than(&self, cutoff: Timestamp) -> StoreResult<u64>;
    }
    #[async_trait]
    impl InvocationReader for Store<Invocation> {
        async fn stats(&self, function: FunctionId, since: Timestamp) -> StoreResult<FunctionStats>;
    }
    #[async_trait]
    impl InvocationWriter for Store<Invocation> {
        async fn record(&self, invocation: NewInvocation) -> StoreResult<Invocation>;
        async fn record_many(&self, invocations: Vec<NewInvocation>) -> StoreResult<u64>;
    }
    #[async_trait]
    impl RepositoryReader for Store<Repository> {
        async fn find_by_path(&self, path: &RepositoryPath) -> StoreResult<Option<Repository>>;
        async fn descendants_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>>;
        async fn ancestors_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>>;
        async fn siblings_of(&self, id: RepositoryId) -> StoreResult<Vec<Repository>>;
    }
    #[async_trait]
    impl RepositoryWriter for Store<Repository> {
        async fn create(&self, new: NewRepository) -> StoreResult<Repository>;
        async fn soft_delete(&self, id: RepositoryId) -> StoreResult<u64>;
    }
}

/// The mock of `users`' store.
pub type MockUserStore = MockStore<User>;
/// The mock of `user_information`'s store.
pub type MockUserInformationStore = MockStore<UserInformation>;
/// The mock of `organizations`' store.
pub type MockOrganizationStore = MockStore<Organization>;
/// The mock of `organization_members`' store.
pub type MockOrganizationMemberStore = MockStore<OrganizationMember>;
/// The mock of `functions`' store.
pub type MockFunctionStore = MockStore<Function>;
/// The mock of `function_deployments`' store.
pub type MockDeploymentStore = MockStore<Deployment>;
/// The mock of `function_logs`' store.
pub type MockLogStore = MockStore<LogEntry>;
/// The mock of `function_invocations`' store.
pub type MockInvocationStore = MockStore<Invocation>;
/// The mock of `repositories`' store.
pub type MockRepositoryStore = MockStore<Repository>;

/// One mock store per entity; set expectations on the public fields.
#[derive(Default)]
pub struct MockStores {
    /// `users`
    pub users: MockUserStore,
    /// `user_information`
    pub user_information: MockUserInformationStore,
    /// `organizations`
    pub organizations: MockOrganizationStore,
    /// `organization_members`
    pub organization_members: MockOrganizationMemberStore,
    /// `functions`
    pub functions: MockFunctionStore,
    /// `function_deployments`
    pub deployments: MockDeploymentStore,
    /// `function_logs`
    pub logs: MockLogStore,
    /// `function_invocations`
    pub invocations: MockInvocationStore,
    /// `repositories`
    pub repositories: MockRepositoryStore,
}

impl MockStores {
    /// Mocks with no expectations (any call panics until one is set).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl Stores for MockStores {
    fn users(&self) -> &dyn UserStore {
        &self.users
    }
    fn user_information(&self) -> &dyn UserInformationStore {
        &self.user_information
    }
    fn organizations(&self) -> &dyn OrganizationStore {
        &self.organizations
    }
    fn organization_members(&self) -> &dyn OrganizationMemberStore {
        &self.organization_members
    }
    fn functions(&self) -> &dyn FunctionStore {
        &self.functions
    }
    fn deployments(&self) -> &dyn DeploymentStore {
        &self.deployments
    }
    fn logs(&self) -> &dyn LogStore {
        &self.logs
    }
    fn invocations(&self) -> &dyn InvocationStore {
        &self.invocations
    }
    fn repositories(&self) -> &dyn RepositoryStore {
        &self.repositories
    }
    fn consistent(&self) -> &dyn Stores {
        self
    }
}
