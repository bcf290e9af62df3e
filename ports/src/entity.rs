//! [`Entity`]: what the generic store traits ([`Reader`](crate::Reader),
//! [`Writer`](crate::Writer), [`Store`](crate::Store)) need to know about a domain entity,
//! implemented for the nine entities of the schema.

use std::fmt;

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, Function, FunctionId, FunctionPatch, Invocation,
    InvocationId, InvocationPatch, LogEntry, LogId, LogPatch, NewDeployment, NewFunction,
    NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository, NewUser,
    NewUserInformation, Organization, OrganizationId, OrganizationMember, OrganizationMemberId,
    OrganizationMemberPatch, OrganizationPatch, Repository, RepositoryId, RepositoryPatch, User,
    UserId, UserInformation, UserInformationId, UserInformationPatch, UserPatch,
};

use crate::error::Table;
use crate::keys::{
    DeploymentKey, FunctionKey, InvocationKey, LogKey, OrganizationKey, OrganizationMemberKey,
    RepositoryKey, UserInformationKey, UserKey,
};
use crate::query::Field;
use crate::support::Record;

/// A domain entity stored in one table: the types its generic store methods take. Its field
/// enum (filters, sorts, projections, groupings) is its [`Record::Field`].
pub trait Entity: Record + Clone + fmt::Debug + Send + Sync + 'static {
    /// Its typed internal id (`find_by_id`, `update_by_id`, `delete_by_id`).
    type Id: Copy + Eq + fmt::Debug + Send + Sync + 'static;
    /// The insert input.
    type New: Send + Sync + 'static;
    /// The update input (only the fields that change).
    type Patch: Send + Sync + 'static;
    /// Its upsert and create-or-find targets (its unique keys).
    type Key: Copy + Eq + fmt::Debug + Send + Sync + 'static;
    /// The table it lives in (its fields' table).
    const TABLE: Table = <Self::Field as Field>::TABLE;
}

/// An entity with a public `uuid` column: [`UuidReader`](crate::UuidReader) finds it by it.
/// Every entity but [`OrganizationMember`] has one, so `find_by_uuid` on memberships does not
/// compile:
///
/// ```compile_fail
/// fn finds_by_uuid<E: containerpub_ports::WithUuid>() {}
/// finds_by_uuid::<containerpub_ports::domain::OrganizationMember>();
/// ```
///
/// ```
/// fn finds_by_uuid<E: containerpub_ports::WithUuid>() {}
/// finds_by_uuid::<containerpub_ports::domain::User>();
/// ```
pub trait WithUuid: Entity {}

impl Entity for User {
    type Id = UserId;
    type New = NewUser;
    type Patch = UserPatch;
    type Key = UserKey;
}
impl WithUuid for User {}

impl Entity for UserInformation {
    type Id = UserInformationId;
    type New = NewUserInformation;
    type Patch = UserInformationPatch;
    type Key = UserInformationKey;
}
impl WithUuid for UserInformation {}

impl Entity for Organization {
    type Id = OrganizationId;
    type New = NewOrganization;
    type Patch = OrganizationPatch;
    type Key = OrganizationKey;
}
impl WithUuid for Organization {}

impl Entity for OrganizationMember {
    type Id = OrganizationMemberId;
    type New = NewOrganizationMember;
    type Patch = OrganizationMemberPatch;
    type Key = OrganizationMemberKey;
}

impl Entity for Function {
    type Id = FunctionId;
    type New = NewFunction;
    type Patch = FunctionPatch;
    type Key = FunctionKey;
}
impl WithUuid for Function {}

impl Entity for Deployment {
    type Id = DeploymentId;
    type New = NewDeployment;
    type Patch = DeploymentPatch;
    type Key = DeploymentKey;
}
impl WithUuid for Deployment {}

impl Entity for LogEntry {
    type Id = LogId;
    type New = NewLog;
    type Patch = LogPatch;
    type Key = LogKey;
}
impl WithUuid for LogEntry {}

impl Entity for Invocation {
    type Id = InvocationId;
    type New = NewInvocation;
    type Patch = InvocationPatch;
    type Key = InvocationKey;
}
impl WithUuid for Invocation {}

impl Entity for Repository {
    type Id = RepositoryId;
    type New = NewRepository;
    type Patch = RepositoryPatch;
    type Key = RepositoryKey;
}
impl WithUuid for Repository {}
