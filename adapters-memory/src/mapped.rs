//! [`Mapped`]: the [`Spec`] each domain entity is stored through, so that the generic store
//! impls ([`crate::surface`]) are written once over the ports' [`Entity`].

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};
use containerpub_ports::Entity;

use crate::schema::Spec;
use crate::specs::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};

/// A domain entity and the table spec that stores it (the same row, field, input and patch
/// types).
pub(crate) trait Mapped: Entity {
    /// Its table spec.
    type Spec: Spec<Row = Self, Field = Self::Field, New = Self::New, Patch = Self::Patch>;

    /// The id as the table's primary-key value.
    fn raw_id(id: Self::Id) -> i64;
}

impl Mapped for User {
    type Spec = Users;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for UserInformation {
    type Spec = Profiles;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Organization {
    type Spec = Organizations;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for OrganizationMember {
    type Spec = Members;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Function {
    type Spec = Functions;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Deployment {
    type Spec = Deployments;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for LogEntry {
    type Spec = Logs;
    fn raw_id(id: Self::Id) -> i64 {
        id.get()
    }
}

impl Mapped for Invocation {
    type Spec = Invocations;
    fn raw_id(id: Self::Id) -> i64 {
        id.get()
    }
}

impl Mapped for Repository {
    type Spec = Repositories;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}
