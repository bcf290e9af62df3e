//! [`Mapped`]: the [`TableDef`] each domain entity is stored through, so that the generic store
//! impls ([`crate::surface`]) are written once over the ports' [`Entity`].

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};
use containerpub_ports::Entity;

use crate::table::TableDef;
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};

/// A domain entity and the table definition that stores it (the same row, field, input and patch
/// types).
pub(crate) trait Mapped: Entity {
    /// Its table definition.
    type Table: TableDef<Row = Self, Field = Self::Field, New = Self::New, Patch = Self::Patch>;

    /// The id as the table's primary-key value.
    fn raw_id(id: Self::Id) -> i64;
}

impl Mapped for User {
    type Table = Users;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for UserInformation {
    type Table = Profiles;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Organization {
    type Table = Organizations;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for OrganizationMember {
    type Table = Members;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Function {
    type Table = Functions;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for Deployment {
    type Table = Deployments;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}

impl Mapped for LogEntry {
    type Table = Logs;
    fn raw_id(id: Self::Id) -> i64 {
        id.get()
    }
}

impl Mapped for Invocation {
    type Table = Invocations;
    fn raw_id(id: Self::Id) -> i64 {
        id.get()
    }
}

impl Mapped for Repository {
    type Table = Repositories;
    fn raw_id(id: Self::Id) -> i64 {
        i64::from(id.get())
    }
}
