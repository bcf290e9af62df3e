//! The deploy service: one transaction per request.

use containerpub_domain::{
    Deployment, EntityName, ImageTag, LogLevel, NewDeployment, NewFunction, NewLog, Text, Uuid,
};
use containerpub_ports::{FunctionKey, StoreError, Stores, UnitOfWork, UnitOfWorkExt};

/// A request to deploy an image as the next version of an owner's function.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The owner, by the uuid the API receives.
    pub owner: Uuid,
    /// The function's name (created if the owner has none of that name).
    pub function: EntityName,
    /// The image to deploy.
    pub image_tag: ImageTag,
}

/// What a deploy did.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The function deployed to.
    pub function: Uuid,
    /// Whether the function was created by this deploy.
    pub function_created: bool,
    /// The new deployment, active.
    pub deployment: Deployment,
}

/// Why a deploy failed.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployError {
    /// No user has the owner's uuid.
    OwnerNotFound,
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for DeployError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// Deploys functions, on any unit of work: PostgreSQL, the in-memory store, or a mock.
pub struct DeployService<U> {
    db: U,
}

impl<U: UnitOfWork> DeployService<U> {
    /// A service on `db` (a store, `&store`, `Arc<store>`, or `Arc<dyn DynStore>`).
    pub fn new(db: U) -> Self {
        Self { db }
    }

    /// In one transaction: finds the owner by uuid, creates the function if the owner has
    /// none of that name, creates its next deployment version, activates it, and appends a
    /// log line. Nothing is written unless all of it succeeds.
    ///
    /// # Errors
    /// `OwnerNotFound` if no user has the owner's uuid; `Store` for any store error.
    pub async fn deploy(&self, request: &DeployRequest) -> Result<Deployed, DeployError> {
        self.db
            .transaction(async |tx| {
                let owner = tx
                    .users()
                    .find_by_uuid(request.owner)
                    .await?
                    .ok_or(DeployError::OwnerNotFound)?;
                let found = tx
                    .functions()
                    .find_or_insert(
                        NewFunction::new(owner.id, request.function.clone()),
                        FunctionKey::OwnerAndName,
                    )
                    .await?;
                let function_created = found.was_inserted();
                let function = found.into_inner();
                let next =
                    NewDeployment::new(function.id).with_image_tag(request.image_tag.clone());
                let created = tx.deployments().create_next_version(next).await?;
                let deployment = tx.deployments().activate(created.id).await?;
                let message = format!("deployed version {}", deployment.version);
                let line = NewLog::new(
                    function.id,
                    LogLevel::Info,
                    Text::new("message", message).map_err(StoreError::from)?,
                );
                tx.logs().append(vec![line]).await?;
                Ok(Deployed {
                    function: function.uuid,
                    function_created,
                    deployment,
                })
            })
            .await
    }
}
