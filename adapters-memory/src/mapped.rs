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
/// types), and how its typed id becomes the table's key.
pub(crate) trait Mapped: Entity {
    /// Its table definition.
    type Table: TableDef<Row = Self, Field = Self::Field, New = Self::New, Patch = Self::Patch>;

    /// The primary key's integer: `i32` for a `SERIAL` key, `i64` for a `BIGSERIAL` one
    /// (what the domain's id converts into).
    type RawId: From<Self::Id> + Into<i64>;

    /// The id as the table's primary-key value.
    fn raw_id(id: Self::Id) -> i64 {
        Self::RawId::from(id).into()
    }
}

impl Mapped for User {
    type Table = Users;
    type RawId = i32;
}

impl Mapped for UserInformation {
    type Table = Profiles;
    type RawId = i32;
}

impl Mapped for Organization {
    type Table = Organizations;
    type RawId = i32;
}

impl Mapped for OrganizationMember {
    type Table = Members;
    type RawId = i32;
}

impl Mapped for Function {
    type Table = Functions;
    type RawId = i32;
}

impl Mapped for Deployment {
    type Table = Deployments;
    type RawId = i32;
}

impl Mapped for LogEntry {
    type Table = Logs;
    type RawId = i64;
}

impl Mapped for Invocation {
    type Table = Invocations;
    type RawId = i64;
}

impl Mapped for Repository {
    type Table = Repositories;
    type RawId = i32;
}
