//! Domain operations beyond the generic surface: joins, multi-step writes, batches through
//! `UNNEST`, statistics, and the repository tree; the raw statements they run in
//! [`raw_statements`].

pub(crate) mod deployments;
pub(crate) mod events;
pub(crate) mod find_or_insert;
pub(crate) mod functions;
pub(crate) mod grouping;
pub(crate) mod organizations;
pub(crate) mod projection;
pub(crate) mod raw_statements;
pub(crate) mod repositories;
pub(crate) mod stats;
pub(crate) mod upsert_columns;
pub(crate) mod users;
