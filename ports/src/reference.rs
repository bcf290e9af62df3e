//! [`Ref<E>`]: one row of an entity's table, named by its internal id or by its public uuid.
//!
//! An API receives uuids; code that already holds a row has its internal id. The operations
//! that address "the function" or "the owner" ([`FunctionReader::find_by_owner`],
//! [`FunctionReader::details`], [`DeploymentReader::active_for`],
//! [`InvocationReader::stats`], [`LogQuery::for_function`], the repository tree operations)
//! take a `Ref`, so a request handler passes the uuid it received without resolving it
//! first: the store resolves it in the same read (PostgreSQL: a subquery on the uuid in the
//! same statement; memory: the same snapshot), following the same rules as the id form
//! (soft-deleted rows do not exist). A uuid no row has gives what an id no row has.
//!
//! ```
//! use containerpub_ports::Ref;
//! use containerpub_ports::domain::{Function, FunctionId, Uuid};
//!
//! let by_id: Ref<Function> = FunctionId::new(7).into();
//! let by_uuid: Ref<Function> = Ref::uuid(Uuid::nil());
//! assert_eq!(by_id, Ref::Id(FunctionId::new(7)));
//! assert_eq!(Ref::<Function>::from(Uuid::nil()), by_uuid);
//! ```
//!
//! The entity is part of the type, so a user's id cannot name a function:
//!
//! ```compile_fail
//! use containerpub_ports::Ref;
//! use containerpub_ports::domain::{Function, UserId};
//! let wrong: Ref<Function> = UserId::new(7).into();
//! ```
//!
//! [`FunctionReader::find_by_owner`]: crate::FunctionReader::find_by_owner
//! [`FunctionReader::details`]: crate::FunctionReader::details
//! [`DeploymentReader::active_for`]: crate::DeploymentReader::active_for
//! [`InvocationReader::stats`]: crate::InvocationReader::stats
//! [`LogQuery::for_function`]: crate::LogQuery::for_function

use std::fmt;
use std::hash::{Hash, Hasher};

use containerpub_domain::{
    Deployment, DeploymentId, Function, FunctionId, Invocation, InvocationId, LogEntry, LogId,
    Organization, OrganizationId, Repository, RepositoryId, User, UserId, UserInformation,
    UserInformationId, Uuid,
};

use crate::entity::WithUuid;
use crate::error::Lookup;

/// One row of `E`'s table: by internal id (`Ref::Id`) or by public uuid (`Ref::Uuid`).
pub enum Ref<E: WithUuid> {
    /// The row with this internal id.
    Id(E::Id),
    /// The row with this public uuid.
    Uuid(Uuid),
}

impl<E: WithUuid> Ref<E> {
    /// The row with this public uuid.
    #[must_use]
    pub const fn uuid(uuid: Uuid) -> Self {
        Ref::Uuid(uuid)
    }

    /// The row with this internal id.
    #[must_use]
    pub const fn id(id: E::Id) -> Self {
        Ref::Id(id)
    }

    /// How a `NotFound` for this reference names the key: [`Lookup::Id`] (the id's value is
    /// never shown) or [`Lookup::Uuid`] with the uuid.
    #[must_use]
    pub const fn lookup(&self) -> Lookup {
        match self {
            Ref::Id(_) => Lookup::Id,
            Ref::Uuid(uuid) => Lookup::Uuid(*uuid),
        }
    }
}

// Written out rather than derived: a derive would require `E` itself to be `Copy`, `Eq`, ….
impl<E: WithUuid> Clone for Ref<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: WithUuid> Copy for Ref<E> {}

impl<E: WithUuid> PartialEq for Ref<E> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Ref::Id(a), Ref::Id(b)) => a == b,
            (Ref::Uuid(a), Ref::Uuid(b)) => a == b,
            _ => false,
        }
    }
}

impl<E: WithUuid> Eq for Ref<E> {}

impl<E: WithUuid> Hash for Ref<E>
where
    E::Id: Hash,
{
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Ref::Id(id) => {
                0u8.hash(state);
                id.hash(state);
            }
            Ref::Uuid(uuid) => {
                1u8.hash(state);
                uuid.hash(state);
            }
        }
    }
}

impl<E: WithUuid> fmt::Debug for Ref<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Id(id) => f.debug_tuple("Id").field(id).finish(),
            Ref::Uuid(uuid) => f.debug_tuple("Uuid").field(uuid).finish(),
        }
    }
}

impl<E: WithUuid> From<Uuid> for Ref<E> {
    fn from(uuid: Uuid) -> Self {
        Ref::Uuid(uuid)
    }
}

// One `From` per id type: a blanket `impl<E> From<E::Id> for Ref<E>` would overlap with the
// standard `impl<T> From<T> for T` as far as coherence can tell.
macro_rules! ref_from_id {
    ($($entity:ty => $id:ty),+ $(,)?) => {
        $(impl From<$id> for Ref<$entity> {
            fn from(id: $id) -> Self {
                Ref::Id(id)
            }
        })+
    };
}

ref_from_id!(
    User => UserId,
    UserInformation => UserInformationId,
    Organization => OrganizationId,
    Function => FunctionId,
    Deployment => DeploymentId,
    LogEntry => LogId,
    Invocation => InvocationId,
    Repository => RepositoryId,
);
