//! The store traits, generic over the [`Entity`](crate::Entity): [`Reader`], [`Writer`] and
//! [`Store`] (both), plus [`UuidReader`] for entities with a public uuid. Per entity, small
//! role traits add the domain operations on the entity they return and name the whole:
//! [`UserReader`]` : Reader<User> + UuidReader<User>`, [`UserWriter`]` : Writer<User>`,
//! [`UserStore`]` : UserReader + UserWriter`, and so on for each entity.
//!
//! Every entity has the same generic surface (the seed's manager API): find by id / by uuid /
//! one / all, offset pages and keyset windows, count, exists, insert, batch insert, update by
//! id, update where, delete by id, delete where and upsert on a named unique key. Domain
//! operations sit beside them, on the reader or writer of the entity they return.
//!
//! ## Rules every method follows
//! - **Atomic.** Each call is all or nothing, batches included; a multi-step operation runs in
//!   one transaction.
//! - **Validation first.** Input is checked before anything is written; a batch reports the
//!   index of its first bad row.
//! - **Constraint order.** When one statement breaks several constraints, the error reported
//!   is the first of: unique keys (row by row, each row's keys in [`UniqueKey`] order), then
//!   foreign keys (row by row, in [`ForeignKey`] order). Batches are split into statements of
//!   [`BATCH_CHUNK_ROWS`] rows.
//! - **Batch errors name the row.** A batch row's constraint error comes as
//!   [`StoreError::InBatch`]` { index, error }`: `index` is the 0-based input position of the
//!   first row that fails in the order above (a duplicate inside the batch names its later
//!   occurrence), `error` the `Conflict` / `ReferenceMissing` it caused; a bad row's
//!   `InvalidInput` carries its `index` itself. Single-row calls never return `InBatch`, nor
//!   do multi-step operations that write several rows for one input (an organization and its
//!   owner's membership).
//! - **Stamps.** `created_at`/`updated_at`/`joined_at`/`deployed_at` and default event times
//!   come from the store's [`Clock`](containerpub_domain::Clock), at microsecond precision;
//!   every update sets `updated_at`.
//! - **Upsert.** On a conflict on the named key the existing row keeps its `id`, `uuid`,
//!   creation time and key columns and takes every other column from the input (entity
//!   notes on the role traits say what differs); a conflict on another unique key is
//!   `Conflict`.
//!
//! [`UniqueKey`]: crate::UniqueKey
//! [`ForeignKey`]: crate::ForeignKey
//! [`StoreError::InBatch`]: crate::StoreError::InBatch

mod batch;
mod deployments;
mod functions;
mod invocations;
mod log_query;
mod logs;
mod organization_members;
mod organizations;
mod reader;
mod repositories;
mod store;
mod user_information;
mod users;
mod uuid_reader;
mod writer;

pub use batch::{BATCH_CHUNK_ROWS, MAX_BATCH_ROWS, check_batch_len};
pub use deployments::{DeploymentReader, DeploymentStore, DeploymentWriter};
pub use functions::{FunctionReader, FunctionStore, FunctionWriter};
pub use invocations::{InvocationReader, InvocationStore, InvocationWriter};
pub use log_query::LogQuery;
pub use logs::{LogReader, LogStore, LogWriter};
pub use organization_members::{
    OrganizationMemberReader, OrganizationMemberStore, OrganizationMemberWriter,
};
pub use organizations::{OrganizationReader, OrganizationStore, OrganizationWriter};
pub use reader::Reader;
pub use repositories::{RepositoryReader, RepositoryStore, RepositoryWriter};
pub use store::Store;
pub use user_information::{UserInformationReader, UserInformationStore, UserInformationWriter};
pub use users::{UserReader, UserStore, UserWithOrganizationAndProfile, UserWriter};
pub use uuid_reader::UuidReader;
pub use writer::Writer;

#[cfg(any(test, feature = "mock"))]
pub use reader::MockReader;
#[cfg(any(test, feature = "mock"))]
pub use uuid_reader::MockUuidReader;
#[cfg(any(test, feature = "mock"))]
pub use writer::MockWriter;
