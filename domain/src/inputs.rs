//! Input types: what a caller supplies to create (`NewX`) or change (`XPatch`) a row.
//!
//! Keys, versions and timestamps the store assigns are not part of them. Each `NewX` carries a
//! fresh v4 `uuid` (the application's choice; override it with the public field). In patches,
//! `None` leaves a column unchanged; for nullable columns `Some(None)` sets it to NULL.

use uuid::Uuid;

use crate::entities::{Code, EntityName, ImageTag, S3Key, ShortText};
use crate::enums::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use crate::error::ValidationError;
use crate::ids::{FunctionId, UserId};
use crate::json::Json;
use crate::time::Timestamp;
use crate::values::{DurationMs, Email, PasswordHash, RepositoryPath, Text};

/// A new `users` row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Public identifier.
    pub uuid: Uuid,
    /// E-mail.
    pub email: Email,
    /// Password hash, if any.
    pub password_hash: Option<PasswordHash>,
}

impl NewUser {
    /// A user with `email` and no password.
    #[must_use]
    pub fn new(email: Email) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            email,
            password_hash: None,
        }
    }

    /// Parses the e-mail and builds the input.
    ///
    /// # Errors
    /// As [`Email::parse`].
    pub fn parse(email: &str) -> Result<Self, ValidationError> {
        Ok(Self::new(Email::parse(email)?))
    }

    /// Sets the password hash.
    #[must_use]
    pub fn with_password_hash(mut self, hash: PasswordHash) -> Self {
        self.password_hash = Some(hash);
        self
    }
}

/// Changes to a `users` row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserPatch {
    /// New e-mail.
    pub email: Option<Email>,
    /// New password hash (`Some(None)` removes it).
    pub password_hash: Option<Option<PasswordHash>>,
}

/// A new `user_information` row (a user's profile).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewUserInformation {
    /// Public identifier.
    pub uuid: Uuid,
    /// The user's uuid (column `user_id`).
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
    /// Role (default `developer`).
    pub role: Role,
}

impl NewUserInformation {
    /// An empty profile for the user with uuid `user_uuid`.
    #[must_use]
    pub fn new(user_uuid: Uuid) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            user_uuid,
            ..Self::default()
        }
    }
}

/// Changes to a `user_information` row.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(clippy::option_option)]
pub struct UserInformationPatch {
    /// First name.
    pub first_name: Option<Option<ShortText>>,
    /// Last name.
    pub last_name: Option<Option<ShortText>>,
    /// Phone number.
    pub phone_number: Option<Option<Code>>,
    /// Country.
    pub country: Option<Option<ShortText>>,
    /// City.
    pub city: Option<Option<ShortText>>,
    /// Street address.
    pub address: Option<Option<Text>>,
    /// Postal code.
    pub zip_code: Option<Option<Code>>,
    /// Avatar URL.
    pub avatar: Option<Option<Text>>,
    /// Role.
    pub role: Option<Role>,
}

/// A new `organizations` row. Creating one also makes the owner a member.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganization {
    /// Public identifier.
    pub uuid: Uuid,
    /// Unique name.
    pub name: EntityName,
    /// The owner's user uuid (column `owner_id`).
    pub owner_uuid: Uuid,
}

impl NewOrganization {
    /// An organization named `name` owned by the user with uuid `owner_uuid`.
    #[must_use]
    pub fn new(name: EntityName, owner_uuid: Uuid) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            name,
            owner_uuid,
        }
    }
}

/// Changes to an `organizations` row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrganizationPatch {
    /// New name.
    pub name: Option<EntityName>,
    /// New owner (a user uuid; column `owner_id`).
    pub owner_uuid: Option<Uuid>,
}

/// A new `organization_members` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewOrganizationMember {
    /// The organization's uuid (column `organization_id`).
    pub organization_uuid: Uuid,
    /// The user's uuid (column `user_id`).
    pub user_uuid: Uuid,
}

/// Changes to an `organization_members` row (moving a user to another organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrganizationMemberPatch {
    /// The new organization's uuid (column `organization_id`).
    pub organization_uuid: Option<Uuid>,
}

/// A new `functions` row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFunction {
    /// Public identifier.
    pub uuid: Uuid,
    /// Owner.
    pub user_id: UserId,
    /// Name, unique per owner.
    pub name: EntityName,
    /// Status (default `active`).
    pub status: FunctionStatus,
    /// Static analysis results.
    pub analysis_result: Option<Json>,
}

impl NewFunction {
    /// An active function `name` owned by `user_id`.
    #[must_use]
    pub fn new(user_id: UserId, name: EntityName) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            user_id,
            name,
            status: FunctionStatus::default(),
            analysis_result: None,
        }
    }
}

/// Changes to a `functions` row. The active deployment changes only through activation.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(clippy::option_option)]
pub struct FunctionPatch {
    /// New name.
    pub name: Option<EntityName>,
    /// New status.
    pub status: Option<FunctionStatus>,
    /// New analysis result (`Some(None)` clears it).
    pub analysis_result: Option<Option<Json>>,
}

/// A new `function_deployments` row; the store assigns the next version.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeployment {
    /// Public identifier.
    pub uuid: Uuid,
    /// The function.
    pub function_id: FunctionId,
    /// Image tag, if known.
    pub image_tag: Option<ImageTag>,
    /// Archive key, if uploaded.
    pub s3_key: Option<S3Key>,
    /// Status (default `pending`).
    pub status: DeploymentStatus,
    /// Build output.
    pub build_logs: Option<Text>,
}

impl NewDeployment {
    /// A pending deployment of `function_id`; the `with_*` methods set the rest:
    ///
    /// ```
    /// use containerpub_domain::{DeploymentStatus, FunctionId, ImageTag, NewDeployment, S3Key, Text};
    ///
    /// let new = NewDeployment::new(FunctionId::new(7))
    ///     .with_image_tag(ImageTag::new("image_tag", "registry/hello:1").unwrap())
    ///     .with_s3_key(S3Key::new("s3_key", "bucket/hello/1.zip").unwrap())
    ///     .with_status(DeploymentStatus::Building)
    ///     .with_build_logs(Text::new("build_logs", "step 1/3").unwrap());
    /// assert_eq!(new.image_tag.unwrap().as_str(), "registry/hello:1");
    /// assert_eq!(new.s3_key.unwrap().as_str(), "bucket/hello/1.zip");
    /// assert_eq!(new.status, DeploymentStatus::Building);
    /// assert_eq!(new.build_logs.unwrap().as_str(), "step 1/3");
    /// ```
    #[must_use]
    pub fn new(function_id: FunctionId) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            function_id,
            image_tag: None,
            s3_key: None,
            status: DeploymentStatus::default(),
            build_logs: None,
        }
    }

    /// Sets the container image tag.
    #[must_use]
    pub fn with_image_tag(mut self, image_tag: ImageTag) -> Self {
        self.image_tag = Some(image_tag);
        self
    }

    /// Sets the archive's storage key.
    #[must_use]
    pub fn with_s3_key(mut self, s3_key: S3Key) -> Self {
        self.s3_key = Some(s3_key);
        self
    }

    /// Sets the status (default `pending`).
    #[must_use]
    pub fn with_status(mut self, status: DeploymentStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets the build output.
    #[must_use]
    pub fn with_build_logs(mut self, build_logs: Text) -> Self {
        self.build_logs = Some(build_logs);
        self
    }
}

/// Changes to a `function_deployments` row. `is_active` changes only through activation.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(clippy::option_option)]
pub struct DeploymentPatch {
    /// Image tag.
    pub image_tag: Option<Option<ImageTag>>,
    /// Archive key.
    pub s3_key: Option<Option<S3Key>>,
    /// Status.
    pub status: Option<DeploymentStatus>,
    /// Build output.
    pub build_logs: Option<Option<Text>>,
}

/// A new `function_logs` row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLog {
    /// Public identifier.
    pub uuid: Uuid,
    /// The function.
    pub function_id: FunctionId,
    /// Level.
    pub level: LogLevel,
    /// Message.
    pub message: Text,
    /// When it happened; `None` means the store's clock.
    pub timestamp: Option<Timestamp>,
}

impl NewLog {
    /// A log line stamped by the store.
    #[must_use]
    pub fn new(function_id: FunctionId, level: LogLevel, message: Text) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            function_id,
            level,
            message,
            timestamp: None,
        }
    }

    /// Sets the event time.
    #[must_use]
    pub fn at(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }
}

/// Changes to a `function_logs` row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogPatch {
    /// Level.
    pub level: Option<LogLevel>,
    /// Message.
    pub message: Option<Text>,
}

/// A new `function_invocations` row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvocation {
    /// Public identifier.
    pub uuid: Uuid,
    /// The function.
    pub function_id: FunctionId,
    /// Outcome.
    pub status: InvocationStatus,
    /// Duration.
    pub duration_ms: DurationMs,
    /// Error message.
    pub error: Option<Text>,
    /// When it happened; `None` means the store's clock.
    pub timestamp: Option<Timestamp>,
}

impl NewInvocation {
    /// An invocation stamped by the store.
    #[must_use]
    pub fn new(function_id: FunctionId, status: InvocationStatus, duration_ms: DurationMs) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            function_id,
            status,
            duration_ms,
            error: None,
            timestamp: None,
        }
    }

    /// Sets the event time.
    #[must_use]
    pub fn at(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }
}

/// Changes to a `function_invocations` row.
#[derive(Debug, Clone, PartialEq, Default)]
#[allow(clippy::option_option)]
pub struct InvocationPatch {
    /// Outcome.
    pub status: Option<InvocationStatus>,
    /// Duration.
    pub duration_ms: Option<DurationMs>,
    /// Error message.
    pub error: Option<Option<Text>>,
}

/// A new `repositories` row; its name and parent follow from the path.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRepository {
    /// Public identifier.
    pub uuid: Uuid,
    /// The path; its parent path must exist (unless it is a top-level path).
    pub path: RepositoryPath,
}

impl NewRepository {
    /// A repository at `path`.
    #[must_use]
    pub fn new(path: RepositoryPath) -> Self {
        Self {
            uuid: Uuid::new_v4(),
            path,
        }
    }
}

/// Changes to a `repositories` row: a new path renames or moves it with its whole subtree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RepositoryPatch {
    /// The new path.
    pub path: Option<RepositoryPath>,
}
