//! The description of each table that the generic CRUD code runs on: its SeaORM entity, the
//! mapping of the ports' field enums to columns, `NewX` → `ActiveModel`, patches → column
//! updates, upsert targets, and rows → domain entities (re-validated: a stored value the domain
//! rejects is `StoreError::UnreadableRow` naming the table, the row's uuid and the column, never
//! a panic).
//!
//! Entities whose writes take more than one statement (organizations, deployments,
//! repositories) or a faster path (logs, invocations) override the write hooks of
//! [`TableDef`]; see [`crate::ops`].
//!
//! One file per idea: [`def`] (the trait), [`check`] (stored values re-validated), [`values`]
//! (domain values as columns), then one file per table.

mod check;
mod def;
mod deployments;
mod functions;
mod invocations;
mod logs;
mod members;
mod organizations;
mod profiles;
mod repositories;
mod users;
mod values;

pub(crate) use check::Check;
pub(crate) use def::TableDef;
pub(crate) use deployments::Deployments;
pub(crate) use functions::Functions;
pub(crate) use invocations::Invocations;
pub(crate) use logs::Logs;
pub(crate) use members::Members;
pub(crate) use organizations::Organizations;
pub(crate) use profiles::Profiles;
pub(crate) use repositories::Repositories;
pub(crate) use users::Users;
