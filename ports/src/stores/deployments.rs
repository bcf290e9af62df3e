//! The role traits of `function_deployments`: [`DeploymentReader`], [`DeploymentWriter`], [`DeploymentStore`].

use async_trait::async_trait;

use containerpub_domain::{Deployment, DeploymentId, Function, NewDeployment};

use crate::error::StoreResult;
use crate::reference::Ref;
use crate::stores::{Reader, UuidReader, Writer};

/// Reads `function_deployments`.
#[async_trait]
pub trait DeploymentReader: Reader<Deployment> + UuidReader<Deployment> {
    /// The active deployment of the function (by id or uuid); `None` if it has none or
    /// there is no such function.
    ///
    /// # Errors
    /// `Unavailable` or `Internal` when the store fails.
    async fn active_for(&self, function: Ref<Function>) -> StoreResult<Option<Deployment>>;
}

/// Writes `function_deployments`. Every insert takes the function's next version
/// (1, 2, 3, …; a batch takes consecutive versions in input order), safely under
/// concurrent callers; new deployments are inactive. The upsert's update branch keeps
/// `function_id`, `version`, `is_active` and `deployed_at`. Deleting the active deployment
/// sets the function's `active_deployment_id` to NULL.
#[async_trait]
pub trait DeploymentWriter: Writer<Deployment> {
    /// Creates the function's next version (the same as `insert`).
    ///
    /// # Errors
    /// `ReferenceMissing` (`function_deployments_function_id_fkey`) if the function does
    /// not exist; `Conflict` (`function_deployments_uuid_key`) on a duplicate uuid.
    async fn create_next_version(&self, new: NewDeployment) -> StoreResult<Deployment>;

    /// Makes this deployment its function's only active one and points the function's
    /// `active_deployment_id` at it, in one atomic step. Activating the active one again
    /// changes nothing but is not an error.
    ///
    /// # Errors
    /// `NotFound` (`function_deployments`, `Lookup::Id`) if there is no such deployment.
    async fn activate(&self, id: DeploymentId) -> StoreResult<Deployment>;
}

/// Reads and writes `function_deployments`.
pub trait DeploymentStore: DeploymentReader + DeploymentWriter {}

impl<T: DeploymentReader + DeploymentWriter + ?Sized> DeploymentStore for T {}
