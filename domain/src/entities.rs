//! Entities: one per table of the schema, as stored. Built by the stores, read by everyone.
//!
//! Every field already holds a validated value, so an entity cannot describe a row the
//! database would refuse.

use uuid::Uuid;

use crate::enums::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use crate::ids::{
    DeploymentId, FunctionId, InvocationId, LogId, OrganizationId, OrganizationMemberId,
    RepositoryId, UserId, UserInformationId,
};
use crate::json::Json;
use crate::time::Timestamp;
use crate::values::{
    BoundedText, DurationMs, Email, Name, PasswordHash, RepositoryPath, Text, Version,
};

/// `functions.name`, `organizations.name`: `VARCHAR(255)`, not blank.
pub type EntityName = Name<255>;
/// `function_deployments.image_tag`: `VARCHAR(255)`.
pub type ImageTag = BoundedText<255>;
/// `function_deployments.s3_key`: `VARCHAR(500)`.
pub type S3Key = BoundedText<500>;
/// `user_information` names and places: `VARCHAR(100)`.
pub type ShortText = BoundedText<100>;
/// `user_information.phone_number`, `zip_code`: `VARCHAR(20)`.
pub type Code = BoundedText<20>;

/// A row of `users`. `Debug` never shows the password hash.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Internal key.
    pub id: UserId,
    /// Public identifier.
    pub uuid: Uuid,
    /// Unique, trimmed and lowercased.
    pub email: Email,
    /// The hash, if the account has a password; redacted in `Debug`.
    pub password_hash: Option<PasswordHash>,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last updated.
    pub updated_at: Timestamp,
}

/// A row of `user_information`: a user's profile (one per user).
#[derive(Debug, Clone, PartialEq)]
pub struct UserInformation {
    /// Internal key.
    pub id: UserInformationId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The user's uuid (column `user_id`, `REFERENCES users(uuid)`), unique.
    pub user_uuid: Uuid,
    /// First name.
    pub first_name: Option<ShortText>,
    /// Last name.
    pub last_name: Option<ShortText>,
    /// Phone number.
    pub phone_number: Option<Code>,
    /// Country.
    pub country: Option<ShortText>,
    /// City.
    pub city: Option<ShortText>,
    /// Street address.
    pub address: Option<Text>,
    /// Postal code.
    pub zip_code: Option<Code>,
    /// Avatar URL.
    pub avatar: Option<Text>,
    /// Role.
    pub role: Role,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last updated.
    pub updated_at: Timestamp,
}

/// A row of `organizations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// Internal key.
    pub id: OrganizationId,
    /// Public identifier.
    pub uuid: Uuid,
    /// Unique name.
    pub name: EntityName,
    /// The owner's user uuid (column `owner_id`, `REFERENCES users(uuid) ON DELETE RESTRICT`).
    pub owner_uuid: Uuid,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last updated.
    pub updated_at: Timestamp,
}

/// A row of `organization_members`: a user's membership (at most one per user).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationMember {
    /// Internal key (members have no uuid: they are addressed by organization and user).
    pub id: OrganizationMemberId,
    /// The organization's uuid (column `organization_id`).
    pub organization_uuid: Uuid,
    /// The user's uuid (column `user_id`), unique.
    pub user_uuid: Uuid,
    /// When the user joined.
    pub joined_at: Timestamp,
}

/// A row of `functions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Internal key.
    pub id: FunctionId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The owner (`REFERENCES users(id) ON DELETE CASCADE`).
    pub user_id: UserId,
    /// Name, unique per owner.
    pub name: EntityName,
    /// Status.
    pub status: FunctionStatus,
    /// The active deployment, kept in step with its `is_active` flag by activation.
    pub active_deployment_id: Option<DeploymentId>,
    /// Static analysis results, any JSON value.
    pub analysis_result: Option<Json>,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last updated.
    pub updated_at: Timestamp,
}

/// A row of `function_deployments`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Internal key.
    pub id: DeploymentId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The function (`ON DELETE CASCADE`).
    pub function_id: FunctionId,
    /// 1, 2, 3, … per function, assigned by the store.
    pub version: Version,
    /// Container image tag, once built.
    pub image_tag: Option<ImageTag>,
    /// Storage key of the uploaded archive.
    pub s3_key: Option<S3Key>,
    /// Status.
    pub status: DeploymentStatus,
    /// Whether this is the function's active deployment (at most one per function).
    pub is_active: bool,
    /// Build output.
    pub build_logs: Option<Text>,
    /// When the deployment was created.
    pub deployed_at: Timestamp,
}

/// A row of `function_logs`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Internal key (64-bit).
    pub id: LogId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The function (`ON DELETE CASCADE`).
    pub function_id: FunctionId,
    /// Level.
    pub level: LogLevel,
    /// Message.
    pub message: Text,
    /// When the event happened.
    pub timestamp: Timestamp,
}

/// A row of `function_invocations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// Internal key (64-bit).
    pub id: InvocationId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The function (`ON DELETE CASCADE`).
    pub function_id: FunctionId,
    /// Outcome.
    pub status: InvocationStatus,
    /// Duration in milliseconds, never negative.
    pub duration_ms: DurationMs,
    /// Error message when it failed.
    pub error: Option<Text>,
    /// When the invocation happened.
    pub timestamp: Timestamp,
}

/// A row of `repositories`: a container image repository in a path hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub struct Repository {
    /// Internal key.
    pub id: RepositoryId,
    /// Public identifier.
    pub uuid: Uuid,
    /// The last segment of `path`.
    pub name: String,
    /// The full path; unique among live repositories.
    pub path: RepositoryPath,
    /// The repository one level up, `None` at the top.
    pub parent_id: Option<RepositoryId>,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When the row was last updated.
    pub updated_at: Timestamp,
    /// Set by a soft delete; reads never return soft-deleted rows.
    pub deleted_at: Option<Timestamp>,
}
