//! [`Mapped`]: the [`TableDef`] each domain entity is stored through, so that the generic
//! store impls ([`crate::surface`]) are written once over the ports' [`Entity`].

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};
use containerpub_ports::Entity;

use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    TableDef, Users,
};
use crate::trace::Rows;

/// A domain entity and the table definition that stores it (the same id, field, input,
/// patch and key types); one entity is one row in a call's trace.
pub(crate) trait Mapped: Entity + Rows {
    /// Its table definition.
    type Table: TableDef<
            Domain = Self,
            Id = Self::Id,
            Field = Self::Field,
            New = Self::New,
            Patch = Self::Patch,
            Key = Self::Key,
        >;
}

impl Mapped for User {
    type Table = Users;
}

impl Mapped for UserInformation {
    type Table = Profiles;
}

impl Mapped for Organization {
    type Table = Organizations;
}

impl Mapped for OrganizationMember {
    type Table = Members;
}

impl Mapped for Function {
    type Table = Functions;
}

impl Mapped for Deployment {
    type Table = Deployments;
}

impl Mapped for LogEntry {
    type Table = Logs;
}

impl Mapped for Invocation {
    type Table = Invocations;
}

impl Mapped for Repository {
    type Table = Repositories;
}
