//! Mocks for unit tests of services (feature `mock`).
//!
//! [`MockStore<E>`](MockStore) is one generic mockall mock of an entity's whole store: the
//! generic surface ([`Reader`](crate::Reader), [`UuidReader`](crate::UuidReader),
//! [`Writer`](crate::Writer)) is declared once for every entity, and each entity's role
//! methods once for its own instantiation, so `MockStore<User>` is a [`UserStore`] and
//! `MockStore<Function>` a [`FunctionStore`]. Set expectations on it directly
//! (`expect_find_by_id`, `expect_find_by_email`, …). [`MockStores`] holds one per entity
//! behind the [`Stores`] trait, for services that take `&impl Stores`; the aliases
//! [`MockUserStore`], [`MockFunctionStore`], … name its fields' types. The generic traits are
//! also automocked on their own ([`MockReader`], [`MockUuidReader`], [`MockWriter`]) for code
//! that takes `&dyn Reader<E>` or `&dyn Writer<E>`.
//!
//! For services that take a [`UnitOfWork`](crate::UnitOfWork) and run transactions,
//! [`MockDatabase`] is a mocked unit of work: the database handle and its transactions have
//! mocks of their own, and `begin`, `commit` and `rollback` are expectations. Entities to
//! return from the mocks come from [`testing`] (the domain's test builders, re-exported here).
//!
//! (mockall cannot `automock` a trait with supertraits, which every role trait has; a
//! generic `mock!` struct may implement a trait for one instantiation only, which is what
//! gives each `MockStore<E>` its entity's role methods. Every `MockStore<E>` carries the
//! expectation setters of every role method, but only its own entity's role traits are
//! implemented, so only those can ever be called:
//!
//! ```compile_fail
//! use containerpub_ports::{MockFunctionStore, UserReader};
//! async fn calls(functions: &MockFunctionStore, email: &containerpub_ports::domain::Email) {
//!     let _ = functions.find_by_email(email).await; // `MockStore<Function>` is no `UserReader`
//! }
//! ```
//! )
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

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};

use crate::store_set::StoreSet;
pub use crate::stores::{MockReader, MockUuidReader, MockWriter};
use crate::uow::Stores;

mod database;
mod store;

pub use containerpub_domain::testing;
pub use database::{MockDatabase, MockTransaction};
pub use store::MockStore;

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
    fn store_set(&self) -> StoreSet<'_> {
        StoreSet {
            users: &self.users,
            user_information: &self.user_information,
            organizations: &self.organizations,
            organization_members: &self.organization_members,
            functions: &self.functions,
            deployments: &self.deployments,
            logs: &self.logs,
            invocations: &self.invocations,
            repositories: &self.repositories,
        }
    }
    fn consistent(&self) -> &dyn Stores {
        self
    }
}
