//! Valid entities for tests (feature `testing`): mock return values and DTO inputs without a
//! store. Each function gives a row as a store would return it, with fixed, valid defaults
//! (id 1, a fresh random uuid, stamps at [`at`]); override what a test is about with struct
//! update syntax, and link rows through the functions' arguments:
//!
//! ```
//! use containerpub_domain::testing;
//! use containerpub_domain::{Email, FunctionStatus, User};
//!
//! let owner = User { email: Email::parse("ada@example.com").unwrap(), ..testing::user() };
//! let function = testing::function(&owner);
//! assert_eq!(function.user_id, owner.id);
//! assert_eq!(function.status, FunctionStatus::Active);
//! let deployment = testing::deployment(&function);
//! assert_eq!((deployment.function_id, deployment.version.get()), (function.id, 1));
//! ```

use uuid::Uuid;

use crate::entities::{
    Deployment, EntityName, Function, Invocation, LogEntry, Organization, OrganizationMember,
    Repository, User, UserInformation,
};
use crate::enums::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use crate::ids::{
    DeploymentId, FunctionId, InvocationId, LogId, OrganizationId, OrganizationMemberId,
    RepositoryId, UserId, UserInformationId,
};
use crate::time::Timestamp;
use crate::values::{DurationMs, Email, RepositoryPath, Text, Version};

/// The stamp every builder uses: 2026-01-01T00:00:00Z.
#[must_use]
pub fn at() -> Timestamp {
    Timestamp::from_unix_micros("at", 1_767_225_600_000_000).expect("a valid instant")
}

/// A user `user@example.com` without a password.
#[must_use]
pub fn user() -> User {
    User {
        id: UserId::new(1),
        uuid: Uuid::new_v4(),
        email: Email::parse("user@example.com").expect("a valid e-mail"),
        password_hash: None,
        created_at: at(),
        updated_at: at(),
    }
}

/// An empty profile (role `developer`) of `user`.
#[must_use]
pub fn user_information(user: &User) -> UserInformation {
    UserInformation {
        id: UserInformationId::new(1),
        uuid: Uuid::new_v4(),
        user_uuid: user.uuid,
        first_name: None,
        last_name: None,
        phone_number: None,
        country: None,
        city: None,
        address: None,
        zip_code: None,
        avatar: None,
        role: Role::Developer,
        created_at: at(),
        updated_at: at(),
    }
}

/// An organization `acme` owned by `owner`.
#[must_use]
pub fn organization(owner: &User) -> Organization {
    Organization {
        id: OrganizationId::new(1),
        uuid: Uuid::new_v4(),
        name: EntityName::new("name", "acme").expect("a valid name"),
        owner_uuid: owner.uuid,
        created_at: at(),
        updated_at: at(),
    }
}

/// `user`'s membership of `organization`.
#[must_use]
pub fn organization_member(organization: &Organization, user: &User) -> OrganizationMember {
    OrganizationMember {
        id: OrganizationMemberId::new(1),
        organization_uuid: organization.uuid,
        user_uuid: user.uuid,
        joined_at: at(),
    }
}

/// An active function `hello` of `owner`, without deployments.
#[must_use]
pub fn function(owner: &User) -> Function {
    Function {
        id: FunctionId::new(1),
        uuid: Uuid::new_v4(),
        user_id: owner.id,
        name: EntityName::new("name", "hello").expect("a valid name"),
        status: FunctionStatus::Active,
        active_deployment_id: None,
        analysis_result: None,
        created_at: at(),
        updated_at: at(),
    }
}

/// Version 1 of `function`, pending and inactive.
#[must_use]
pub fn deployment(function: &Function) -> Deployment {
    Deployment {
        id: DeploymentId::new(1),
        uuid: Uuid::new_v4(),
        function_id: function.id,
        version: Version::new(1).expect("a valid version"),
        image_tag: None,
        s3_key: None,
        status: DeploymentStatus::Pending,
        is_active: false,
        build_logs: None,
        deployed_at: at(),
    }
}

/// An `info` log line `started` of `function`.
#[must_use]
pub fn log(function: &Function) -> LogEntry {
    LogEntry {
        id: LogId::new(1),
        uuid: Uuid::new_v4(),
        function_id: function.id,
        level: LogLevel::Info,
        message: Text::new("message", "started").expect("a valid message"),
        timestamp: at(),
    }
}

/// A successful 25 ms invocation of `function`.
#[must_use]
pub fn invocation(function: &Function) -> Invocation {
    Invocation {
        id: InvocationId::new(1),
        uuid: Uuid::new_v4(),
        function_id: function.id,
        status: InvocationStatus::Success,
        duration_ms: DurationMs::new(25).expect("a valid duration"),
        error: None,
        timestamp: at(),
    }
}

/// A live top-level repository `library`.
#[must_use]
pub fn repository() -> Repository {
    Repository {
        id: RepositoryId::new(1),
        uuid: Uuid::new_v4(),
        name: "library".to_owned(),
        path: RepositoryPath::parse("library").expect("a valid path"),
        parent_id: None,
        created_at: at(),
        updated_at: at(),
        deleted_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every builder's row links to the rows it was given and holds the documented defaults.
    #[test]
    fn builders_link_and_default() {
        let owner = user();
        let org = organization(&owner);
        let member = organization_member(&org, &owner);
        let function = function(&owner);
        assert_eq!(org.owner_uuid, owner.uuid);
        assert_eq!(
            (member.organization_uuid, member.user_uuid),
            (org.uuid, owner.uuid)
        );
        assert_eq!(user_information(&owner).user_uuid, owner.uuid);
        assert_eq!(function.user_id, owner.id);
        assert_eq!(deployment(&function).function_id, function.id);
        assert_eq!(log(&function).function_id, function.id);
        assert_eq!(invocation(&function).function_id, function.id);
        assert_eq!(repository().path.as_str(), "library");
        assert_eq!(at().to_string(), "2026-01-01T00:00:00.000000Z");
        assert_ne!(user().uuid, user().uuid);
    }
}
