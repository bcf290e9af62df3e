//! Functions, deployments, logs, invocations and statistics.
//!
//! The entities refer to each other by internal ids (`Function::active_deployment_id`,
//! `Deployment::function_id`, …), which never leave: these DTOs carry uuids only, and a
//! function's uuid appears on a deployment, log, invocation or statistics DTO only when the
//! caller supplies it (`with_function_uuid`).

use chrono::{DateTime, Utc};
use containerpub_domain::{
    Deployment, DeploymentStatus, Function, FunctionDetails, FunctionStats, FunctionStatus,
    FunctionSummary, Invocation, InvocationStatus, LogEntry, LogLevel,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::user::{UserDto, text};

/// A function. It says whether it has an active deployment, not which one (that is an
/// internal id); [`FunctionDetailsDto`] names it by uuid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDto {
    /// The function's public identifier.
    pub uuid: Uuid,
    /// Its name, unique per owner.
    pub name: String,
    /// Status as its stored word (`active`, `inactive`, `building`, `failed`).
    #[serde(with = "crate::word")]
    pub status: FunctionStatus,
    /// Whether a deployment is active.
    pub has_active_deployment: bool,
    /// Static analysis results; the key is absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_result: Option<Value>,
    /// When the function was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the function was last updated.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl FunctionDto {
    /// Projects a function.
    #[must_use]
    pub fn from_entity(function: &Function) -> Self {
        Self {
            uuid: function.uuid,
            name: function.name.as_str().to_owned(),
            status: function.status,
            has_active_deployment: function.active_deployment_id.is_some(),
            analysis_result: function
                .analysis_result
                .as_ref()
                .map(|j| j.as_value().clone()),
            created_at: function.created_at.as_datetime(),
            updated_at: function.updated_at.as_datetime(),
        }
    }
}

impl From<&Function> for FunctionDto {
    fn from(function: &Function) -> Self {
        Self::from_entity(function)
    }
}

/// A function with its owner, its deployments (highest version first) and the uuid of its
/// active deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDetailsDto {
    /// The function.
    pub function: FunctionDto,
    /// Its owner.
    pub owner: UserDto,
    /// Its deployments, in the order of the read model (highest version first).
    pub deployments: Vec<DeploymentDto>,
    /// The active deployment's uuid, `null` when none is active.
    pub active_deployment_uuid: Option<Uuid>,
}

impl From<&FunctionDetails> for FunctionDetailsDto {
    /// The active deployment is the one `Function::active_deployment_id` points to, or failing
    /// that (the two are kept in step, so only on inconsistent input) the one flagged
    /// `is_active`.
    fn from(details: &FunctionDetails) -> Self {
        let deployments = &details.deployments;
        let active = details
            .function
            .active_deployment_id
            .and_then(|id| deployments.iter().find(|d| d.id == id))
            .or_else(|| deployments.iter().find(|d| d.is_active));
        Self {
            function: FunctionDto::from_entity(&details.function),
            owner: UserDto::from(&details.owner),
            deployments: deployments.iter().map(DeploymentDto::from_entity).collect(),
            active_deployment_uuid: active.map(|d| d.uuid),
        }
    }
}

/// A function listed with its owner's e-mail and its number of deployments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionSummaryDto {
    /// The function.
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

/// A deployment of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentDto {
    /// The deployment's public identifier.
    pub uuid: Uuid,
    /// The function's uuid, only when the caller supplied it
    /// ([`DeploymentDto::with_function_uuid`]); otherwise the key is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_uuid: Option<Uuid>,
    /// 1, 2, 3, … per function.
    pub version: i32,
    /// Container image tag, once built.
    pub image_tag: Option<String>,
    /// Storage key of the uploaded archive.
    pub s3_key: Option<String>,
    /// Status as its stored word (`pending`, `building`, `active`, `inactive`, `failed`).
    #[serde(with = "crate::word")]
    pub status: DeploymentStatus,
    /// Whether this is the function's active deployment.
    pub is_active: bool,
    /// Build output.
    pub build_logs: Option<String>,
    /// When the deployment was created.
    #[serde(with = "crate::timestamp")]
    pub deployed_at: DateTime<Utc>,
}

impl DeploymentDto {
    /// Projects a deployment (without its function's uuid, which it does not hold).
    #[must_use]
    pub fn from_entity(deployment: &Deployment) -> Self {
        Self {
            uuid: deployment.uuid,
            function_uuid: None,
            version: deployment.version.get(),
            image_tag: text(deployment.image_tag.as_ref()),
            s3_key: text(deployment.s3_key.as_ref()),
            status: deployment.status,
            is_active: deployment.is_active,
            build_logs: text(deployment.build_logs.as_ref()),
            deployed_at: deployment.deployed_at.as_datetime(),
        }
    }

    /// The same with `functionUuid` set; the caller vouches that it is this deployment's
    /// function.
    #[must_use]
    pub fn with_function_uuid(mut self, function_uuid: Uuid) -> Self {
        self.function_uuid = Some(function_uuid);
        self
    }
}

impl From<&Deployment> for DeploymentDto {
    fn from(deployment: &Deployment) -> Self {
        Self::from_entity(deployment)
    }
}

/// A log line of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogDto {
    /// The log entry's public identifier.
    pub uuid: Uuid,
    /// The function's uuid, only when the caller supplied it; otherwise the key is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_uuid: Option<Uuid>,
    /// Level as its stored word (`debug`, `info`, `warn`, `error`).
    #[serde(with = "crate::word")]
    pub level: LogLevel,
    /// The message.
    pub message: String,
    /// When the event happened.
    #[serde(with = "crate::timestamp")]
    pub timestamp: DateTime<Utc>,
}

impl LogDto {
    /// The same with `functionUuid` set; the caller vouches that it is this entry's function.
    #[must_use]
    pub fn with_function_uuid(mut self, function_uuid: Uuid) -> Self {
        self.function_uuid = Some(function_uuid);
        self
    }
}

impl From<&LogEntry> for LogDto {
    fn from(log: &LogEntry) -> Self {
        Self {
            uuid: log.uuid,
            function_uuid: None,
            level: log.level,
            message: log.message.as_str().to_owned(),
            timestamp: log.timestamp.as_datetime(),
        }
    }
}

/// One invocation of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationDto {
    /// The invocation's public identifier.
    pub uuid: Uuid,
    /// The function's uuid, only when the caller supplied it; otherwise the key is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_uuid: Option<Uuid>,
    /// Outcome as its stored word (`success`, `error`, `timeout`).
    #[serde(with = "crate::word")]
    pub status: InvocationStatus,
    /// Duration in milliseconds.
    pub duration_ms: i32,
    /// Error message when it failed.
    pub error: Option<String>,
    /// When the invocation happened.
    #[serde(with = "crate::timestamp")]
    pub timestamp: DateTime<Utc>,
}

impl InvocationDto {
    /// The same with `functionUuid` set; the caller vouches that it is this invocation's
    /// function.
    #[must_use]
    pub fn with_function_uuid(mut self, function_uuid: Uuid) -> Self {
        self.function_uuid = Some(function_uuid);
        self
    }
}

impl From<&Invocation> for InvocationDto {
    fn from(invocation: &Invocation) -> Self {
        Self {
            uuid: invocation.uuid,
            function_uuid: None,
            status: invocation.status,
            duration_ms: invocation.duration_ms.get(),
            error: text(invocation.error.as_ref()),
            timestamp: invocation.timestamp.as_datetime(),
        }
    }
}

/// Invocation statistics of one function since a point in time. Duration figures are `null`
/// when there were no invocations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionStatsDto {
    /// The function's uuid, only when the caller supplied it
    /// ([`FunctionStatsDto::for_function`]); otherwise the key is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_uuid: Option<Uuid>,
    /// The start of the window (inclusive).
    #[serde(with = "crate::timestamp")]
    pub since: DateTime<Utc>,
    /// Number of invocations.
    pub total: u64,
    /// Successful ones.
    pub success: u64,
    /// Failed ones.
    pub error: u64,
    /// Timed-out ones.
    pub timeout: u64,
    /// Mean duration in ms.
    pub avg_duration_ms: Option<f64>,
    /// Longest duration in ms.
    pub max_duration_ms: Option<i32>,
    /// Median duration in ms.
    pub p50_duration_ms: Option<f64>,
    /// 95th percentile duration in ms.
    pub p95_duration_ms: Option<f64>,
    /// 99th percentile duration in ms.
    pub p99_duration_ms: Option<f64>,
}

impl FunctionStatsDto {
    /// Projects statistics and names the function by `function_uuid`; the caller vouches that
    /// it is the function the statistics are about.
    #[must_use]
    pub fn for_function(stats: &FunctionStats, function_uuid: Uuid) -> Self {
        Self {
            function_uuid: Some(function_uuid),
            ..Self::from(stats)
        }
    }
}

impl From<&FunctionStats> for FunctionStatsDto {
    /// Projects statistics without naming the function (they hold only its internal id).
    fn from(stats: &FunctionStats) -> Self {
        Self {
            function_uuid: None,
            since: stats.since.as_datetime(),
            total: stats.total,
            success: stats.success,
            error: stats.error,
            timeout: stats.timeout,
            avg_duration_ms: stats.avg_duration_ms,
            max_duration_ms: stats.max_duration_ms,
            p50_duration_ms: stats.p50_duration_ms,
            p95_duration_ms: stats.p95_duration_ms,
            p99_duration_ms: stats.p99_duration_ms,
        }
    }
}
