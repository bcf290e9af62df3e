//! Deployments: `FunctionDeploymentDto`.

use chrono::{DateTime, Utc};
use containerpub_domain::{Deployment, DeploymentStatus};
use serde::Serialize;
use uuid::Uuid;

use crate::user::{text, text_or_empty};

/// A deployment: `{uuid, version, image_tag, s3_key, status, is_active, build_logs?,
/// deployed_at}`. Dart always sends `image_tag` and `s3_key`; a value not stored is `''`.
/// No function id: the caller knows which function it asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionDeploymentDto {
    /// The deployment's uuid.
    pub uuid: Uuid,
    /// 1, 2, 3, … per function.
    pub version: i32,
    /// Container image tag; `''` before it is built.
    pub image_tag: String,
    /// Storage key of the uploaded archive; `''` when none.
    pub s3_key: String,
    /// Status as its stored word.
    #[serde(serialize_with = "crate::word::serialize")]
    pub status: DeploymentStatus,
    /// Whether this is the function's active deployment.
    pub is_active: bool,
    /// Build output; absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_logs: Option<String>,
    /// When the deployment was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub deployed_at: DateTime<Utc>,
}

impl FunctionDeploymentDto {
    /// The DTO of one deployment (the same as `FunctionDeploymentDto::from(&deployment)`).
    #[must_use]
    pub fn from_entity(deployment: &Deployment) -> Self {
        Self {
            uuid: deployment.uuid,
            version: deployment.version.get(),
            image_tag: text_or_empty(deployment.image_tag.as_ref()),
            s3_key: text_or_empty(deployment.s3_key.as_ref()),
            status: deployment.status,
            is_active: deployment.is_active,
            build_logs: text(deployment.build_logs.as_ref()),
            deployed_at: deployment.deployed_at.as_datetime(),
        }
    }
}

impl From<&Deployment> for FunctionDeploymentDto {
    fn from(deployment: &Deployment) -> Self {
        Self::from_entity(deployment)
    }
}
