//! The domain operations beside the generic surface, in the PostgreSQL adapter's file names:
//! profiles ([`users`]), organizations and members ([`organizations`]), function details and
//! summaries ([`functions`]), activation ([`deployments`]), statistics and retention
//! ([`events`]), the repository tree ([`repositories`]); `group_by` ([`grouping`]) and
//! `upsert_updating`'s untaken columns ([`upsert_columns`]).

pub(crate) mod deployments;
pub(crate) mod events;
pub(crate) mod functions;
pub(crate) mod grouping;
pub(crate) mod organizations;
pub(crate) mod repositories;
pub(crate) mod upsert_columns;
pub(crate) mod users;

use containerpub_ports::StoreError;

/// The internal error for a row a consistent state always holds (`what` names it).
pub(crate) fn internal_missing(what: &str) -> StoreError {
    StoreError::internal(format!("inconsistent state: {what} is missing"))
}
