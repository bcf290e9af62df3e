//! Functions: `FunctionDto` (Dart's keys) and the Rust-only read models `FunctionDetailsDto`
//! and `FunctionSummaryDto`, which carry the function's keys flat and add theirs after them.

use chrono::{DateTime, Utc};
use containerpub_domain::{Deployment, Function, FunctionDetails, FunctionStatus, FunctionSummary};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::deployment::FunctionDeploymentDto;
use crate::user::UserDto;

/// A function: `{uuid, name, status, active_deployment_id?, analysis_result?, created_at,
/// updated_at}`.
///
/// `active_deployment_id` is the **uuid** of the deployment `Function::active_deployment_id`
/// points to (Dart sends that internal integer; no internal id leaves here). It is present only
/// when that deployment is known: [`FunctionDto::with_deployments`] finds it among the
/// function's deployments; [`FunctionDto::from_entity`] has none and leaves the key out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDto {
    /// The function's uuid.
    pub uuid: Uuid,
    /// Its name, unique per owner.
    pub name: String,
    /// Status as its stored word.
    #[serde(serialize_with = "crate::word::serialize")]
    pub status: FunctionStatus,
    /// The active deployment's uuid; absent when none is active or it is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deployment_id: Option<Uuid>,
    /// Static analysis results as stored; absent when none. Written with `jsonb`'s key order
    /// (shortest key first), as the Dart backend relays the column ([`crate::jsonb`]).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::jsonb::serialize"
    )]
    pub analysis_result: Option<Value>,
    /// When the function was created.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// When the function was last updated.
    #[serde(serialize_with = "crate::timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
}

impl FunctionDto {
    /// Projects a function alone: `active_deployment_id` is left out (only its internal id is
    /// known).
    #[must_use]
    pub fn from_entity(function: &Function) -> Self {
        Self {
            uuid: function.uuid,
            name: function.name.as_str().to_owned(),
            status: function.status,
            active_deployment_id: None,
            analysis_result: function
                .analysis_result
                .as_ref()
                .map(|j| j.as_value().clone()),
            created_at: function.created_at.as_datetime(),
            updated_at: function.updated_at.as_datetime(),
        }
    }

    /// Projects a function with its deployments: `active_deployment_id` is the uuid of the
    /// deployment of this function that `Function::active_deployment_id` points to, absent when
    /// it points nowhere or to none of `deployments`.
    #[must_use]
    pub fn with_deployments(function: &Function, deployments: &[Deployment]) -> Self {
        let active = function.active_deployment_id.and_then(|id| {
            deployments
                .iter()
                .find(|d| d.id == id && d.function_id == function.id)
        });
        Self {
            active_deployment_id: active.map(|d| d.uuid),
            ..Self::from_entity(function)
        }
    }
}

impl From<&Function> for FunctionDto {
    fn from(function: &Function) -> Self {
        Self::from_entity(function)
    }
}

/// A function with its owner and deployments: the [`FunctionDto`] keys (with
/// `active_deployment_id` resolved among the deployments), then `owner` (a [`UserDto`]) and
/// `deployments` (highest version first, as the read model gives them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDetailsDto {
    /// The function's keys, flat.
    #[serde(flatten)]
    pub function: FunctionDto,
    /// Its owner.
    pub owner: UserDto,
    /// Its deployments.
    pub deployments: Vec<FunctionDeploymentDto>,
}

impl From<&FunctionDetails> for FunctionDetailsDto {
    fn from(details: &FunctionDetails) -> Self {
        Self {
            function: FunctionDto::with_deployments(&details.function, &details.deployments),
            owner: UserDto::from(&details.owner),
            deployments: details
                .deployments
                .iter()
                .map(FunctionDeploymentDto::from)
                .collect(),
        }
    }
}

/// A function in a listing: the [`FunctionDto`] keys (without `active_deployment_id`), then
/// `owner_email` and `deployment_count`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionSummaryDto {
    /// The function's keys, flat.
    #[serde(flatten)]
    pub function: FunctionDto,
    /// The owner's e-mail address.
    pub owner_email: String,
    /// How many deployments it has.
    pub deployment_count: u64,
}

impl From<&FunctionSummary> for FunctionSummaryDto {
    fn from(summary: &FunctionSummary) -> Self {
        Self {
            function: FunctionDto::from_entity(&summary.function),
            owner_email: summary.owner_email.as_str().to_owned(),
            deployment_count: summary.deployment_count,
        }
    }
}
