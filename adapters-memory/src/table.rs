//! The nine tables, each described for the generic CRUD code ([`crate::crud`]) as a
//! [`TableDef`]: its row, field, input and patch types, keys, indexes, and how rows are built
//! from inputs and changed by patches.
//!
//! One file per idea: [`def`] (the trait and the key handling derived from the ports' schema
//! catalog), then one file per table.

use containerpub_ports::{StoreError, StoreResult};

/// The accessors every table description repeats: where its state, undo log and hot uuid
/// index live in [`crate::db::Db`] / [`crate::db::Undo`] / [`crate::hot::Hot`], and its row's
/// id as `i64`.
///
/// A macro because the seven accessors differ per table only by a field name and the row
/// type: written out they would be seven near-identical functions in each of nine files; the
/// plain-Rust alternative, one generic container of nine slots per kind of slot (with a
/// generic associated type naming what a slot holds) and one `slot`/`slot_mut` pair per
/// table, is longer than this and no clearer.
macro_rules! table_slot {
    ($slot:ident, $row:ty) => {
        fn state(db: &Db) -> &TableState<Self> {
            &db.$slot
        }
        fn state_mut(db: &mut Db) -> &mut TableState<Self> {
            Arc::make_mut(&mut db.$slot)
        }
        fn undo_log(undo: &Undo) -> &UndoLog<Self> {
            &undo.$slot
        }
        fn undo_log_mut(undo: &mut Undo) -> &mut UndoLog<Self> {
            &mut undo.$slot
        }
        fn hot(hot: &$crate::hot::Hot) -> &$crate::hot::HotMap<$row> {
            &hot.$slot
        }
        fn hot_mut(hot: &mut $crate::hot::Hot) -> &mut $crate::hot::HotMap<$row> {
            &mut hot.$slot
        }
        fn id(row: &$row) -> i64 {
            i64::from(row.id.get())
        }
    };
}

/// Calls a generic function with the [`TableDef`] of a runtime
/// [`Table`](containerpub_ports::Table): `dispatch!(table, f(args))` is `f::<Users>(args)` for
/// `Table::Users`, and so on (the caller has `Table` in scope).
///
/// A macro because what it chooses by the runtime value is a type argument: Rust has no
/// generic closures, so a plain function would need a trait with a generic method and, at
/// each call site, a struct carrying the arguments with an impl of that trait.
macro_rules! dispatch {
    ($table:expr, $func:ident ( $($arg:expr),* $(,)? )) => {
        match $table {
            Table::Users => $func::<$crate::table::Users>($($arg),*),
            Table::UserInformation => $func::<$crate::table::Profiles>($($arg),*),
            Table::Organizations => $func::<$crate::table::Organizations>($($arg),*),
            Table::OrganizationMembers => $func::<$crate::table::Members>($($arg),*),
            Table::Functions => $func::<$crate::table::Functions>($($arg),*),
            Table::FunctionDeployments => $func::<$crate::table::Deployments>($($arg),*),
            Table::FunctionLogs => $func::<$crate::table::Logs>($($arg),*),
            Table::FunctionInvocations => $func::<$crate::table::Invocations>($($arg),*),
            Table::Repositories => $func::<$crate::table::Repositories>($($arg),*),
        }
    };
}

pub(crate) use dispatch;

/// A `SERIAL` value as the `i32` its id type holds.
fn id32(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|_| StoreError::internal(format!("id {id} out of range")))
}

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

pub(crate) use def::{Lookup, OnDelete, TableDef, Target, fk_info, incoming, table_index};
pub(crate) use deployments::Deployments;
pub(crate) use functions::Functions;
pub(crate) use invocations::Invocations;
pub(crate) use logs::Logs;
pub(crate) use members::Members;
pub(crate) use organizations::Organizations;
pub(crate) use profiles::Profiles;
pub(crate) use repositories::{NOT_BELOW_ITSELF, Repositories};
pub(crate) use users::Users;
