//! Mocks for unit tests of services (feature `mock`).
//!
//! Every store trait has a mockall mock: `MockUserReader`, `MockUserWriter` (automock) and
//! `MockUserStore` (both), and so on for each entity. [`MockStores`] bundles one `MockXStore`
//! per entity behind the [`Stores`] trait, for services that take `&impl Stores`.

use crate::stores::{
    DeploymentStore, FunctionStore, InvocationStore, LogStore, MockDeploymentStore,
    MockFunctionStore, MockInvocationStore, MockLogStore, MockOrganizationMemberStore,
    MockOrganizationStore, MockRepositoryStore, MockUserInformationStore, MockUserStore,
    OrganizationMemberStore, OrganizationStore, RepositoryStore, UserInformationStore, UserStore,
};
use crate::uow::Stores;

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
