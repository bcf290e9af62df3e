//! [`StoreSet`]: every entity's store that one handle hands out, as one value. An
//! implementation of [`Stores`](crate::Stores) returns it; the trait's accessors
//! (`users()`, `functions()`, …) each read one of its fields.

use crate::stores::{
    DeploymentStore, FunctionStore, InvocationStore, LogStore, OrganizationMemberStore,
    OrganizationStore, RepositoryStore, UserInformationStore, UserStore,
};

/// Every entity's store, bound to one handle (the database, or one transaction): what
/// [`Stores::store_set`](crate::Stores::store_set) returns and each accessor of
/// [`Stores`](crate::Stores) reads one field of.
///
/// An adapter whose one handle type implements every store builds it with
/// [`StoreSet::of`]; a set of separate stores (the mocks) fills the fields one by one.
#[derive(Clone, Copy)]
pub struct StoreSet<'a> {
    /// `users`
    pub users: &'a dyn UserStore,
    /// `user_information`
    pub user_information: &'a dyn UserInformationStore,
    /// `organizations`
    pub organizations: &'a dyn OrganizationStore,
    /// `organization_members`
    pub organization_members: &'a dyn OrganizationMemberStore,
    /// `functions`
    pub functions: &'a dyn FunctionStore,
    /// `function_deployments`
    pub deployments: &'a dyn DeploymentStore,
    /// `function_logs`
    pub logs: &'a dyn LogStore,
    /// `function_invocations`
    pub invocations: &'a dyn InvocationStore,
    /// `repositories`
    pub repositories: &'a dyn RepositoryStore,
}

impl<'a> StoreSet<'a> {
    /// Every store served by one object (an adapter's handle).
    #[must_use]
    #[inline]
    pub fn of<H>(handle: &'a H) -> Self
    where
        H: UserStore
            + UserInformationStore
            + OrganizationStore
            + OrganizationMemberStore
            + FunctionStore
            + DeploymentStore
            + LogStore
            + InvocationStore
            + RepositoryStore,
    {
        Self {
            users: handle,
            user_information: handle,
            organizations: handle,
            organization_members: handle,
            functions: handle,
            deployments: handle,
            logs: handle,
            invocations: handle,
            repositories: handle,
        }
    }
}
