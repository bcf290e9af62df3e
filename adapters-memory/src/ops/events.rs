//! Logs and invocations: the statistics of a function's invocations and log retention.

use containerpub_domain::{Function, FunctionStats, Timestamp};
use containerpub_ports::{Ref, StoreResult, Table};

use crate::db::Db;
use crate::foreign_keys::delete_rows;
use crate::reference::find_by_ref;
use crate::table::{Functions, Invocations, Logs};

/// `stats(function, since)`: invocations with `timestamp >= since`, from the time index;
/// `None` if the function does not exist.
pub(crate) fn stats(db: &Db, function: Ref<Function>, since: Timestamp) -> Option<FunctionStats> {
    let function = find_by_ref::<Functions>(db, function)?.id;
    let table = db.t::<Invocations>();
    let rows = table
        .function_events_since(i64::from(function.get()), since)
        .into_iter()
        .filter_map(|id| table.get(id).map(|i| (i.status, i.duration_ms)));
    Some(FunctionStats::compute(function, since, rows))
}

/// `delete_older_than(cutoff)`: logs with `timestamp < cutoff`.
pub(crate) fn delete_older_than(db: &mut Db, cutoff: Timestamp) -> StoreResult<u64> {
    let ids = db.t::<Logs>().events_before(cutoff);
    let n = ids.len() as u64;
    delete_rows(db, Table::FunctionLogs, ids)?;
    Ok(n)
}
