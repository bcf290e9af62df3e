//! Snapshots: every table's full contents through the ports, and their differences.

use std::fmt::Debug;

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};
use containerpub_ports::{Query, StoreResult, Stores};

/// Every row of every table (`find_all` with the default order: by id).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub users: Vec<User>,
    pub profiles: Vec<UserInformation>,
    pub organizations: Vec<Organization>,
    pub members: Vec<OrganizationMember>,
    pub functions: Vec<Function>,
    pub deployments: Vec<Deployment>,
    pub logs: Vec<LogEntry>,
    pub invocations: Vec<Invocation>,
    /// Live repositories only (reads never show soft-deleted ones).
    pub repositories: Vec<Repository>,
}

pub async fn snapshot(db: &dyn Stores) -> StoreResult<Snapshot> {
    Ok(Snapshot {
        users: db.users().find_all(Query::new()).await?,
        profiles: db.user_information().find_all(Query::new()).await?,
        organizations: db.organizations().find_all(Query::new()).await?,
        members: db.organization_members().find_all(Query::new()).await?,
        functions: db.functions().find_all(Query::new()).await?,
        deployments: db.deployments().find_all(Query::new()).await?,
        logs: db.logs().find_all(Query::new()).await?,
        invocations: db.invocations().find_all(Query::new()).await?,
        repositories: db.repositories().find_all(Query::new()).await?,
    })
}

/// The tables whose contents differ, with both sides' rows.
pub fn diff(m: &Snapshot, p: &Snapshot) -> String {
    let mut out = String::new();
    macro_rules! table {
        ($($t:ident),+) => {$(
            if m.$t != p.$t {
                out.push_str(&format!(
                    "\n  {}:\n    memory:   {:?}\n    postgres: {:?}",
                    stringify!($t), m.$t, p.$t
                ));
            }
        )+};
    }
    table!(
        users,
        profiles,
        organizations,
        members,
        functions,
        deployments,
        logs,
        invocations,
        repositories
    );
    out
}
