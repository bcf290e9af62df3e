//! The committed state's hash index by uuid ([`Hot`]): what `find_by_uuid` outside a
//! transaction reads, one hash probe instead of a walk down the persistent uuid trie (about
//! four cache-missing levels at a million rows).
//!
//! It is a plain `HashMap` per table, owned by the committed state alone (never snapshotted,
//! so it is updated in place), and mirrors the committed state's uuid index exactly: every
//! row, visible or not, under its uuid (reads filter by visibility as the trie's readers do).
//! Whatever changes the committed state brings it up to date for exactly the rows it wrote,
//! under the same lock: a commit for its write set ([`Hot::published`]), a write call outside
//! a transaction for its undo log ([`Hot::written`]). Transactions read their own snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use containerpub_domain::Uuid;
use containerpub_ports::Table;
use imbl::OrdSet;

use crate::db::{Db, Undo, UndoLog};
use crate::index::UuidHasherBuilder;
use crate::rows::{TableState, uuid_of};
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    TableDef, Users, dispatch, table_index,
};

/// uuid (as `u128`) → row, of one table.
pub(crate) type HotMap<R> = HashMap<u128, Arc<R>, UuidHasherBuilder>;

/// One [`HotMap`] per table (`members`, which has no uuid, keeps its empty).
#[derive(Default)]
pub(crate) struct Hot {
    pub(crate) users: HotMap<<Users as TableDef>::Row>,
    pub(crate) profiles: HotMap<<Profiles as TableDef>::Row>,
    pub(crate) organizations: HotMap<<Organizations as TableDef>::Row>,
    pub(crate) members: HotMap<<Members as TableDef>::Row>,
    pub(crate) functions: HotMap<<Functions as TableDef>::Row>,
    pub(crate) deployments: HotMap<<Deployments as TableDef>::Row>,
    pub(crate) logs: HotMap<<Logs as TableDef>::Row>,
    pub(crate) invocations: HotMap<<Invocations as TableDef>::Row>,
    pub(crate) repositories: HotMap<<Repositories as TableDef>::Row>,
}

/// Brings one table's map up to date after the rows in `changes` were written: each id with
/// a row it had before (any version: entries still naming that id under an old uuid go),
/// then each id's row as it is in `now` goes in. Removing first keeps two rows that swapped
/// uuids right.
fn sync<T: TableDef>(hot: &mut Hot, changes: &UndoLog<T>, now: &TableState<T>) {
    if T::UUID_KEY.is_none() || changes.is_empty() {
        return;
    }
    let map = T::hot_mut(hot);
    for (id, old) in changes {
        let Some(old_uuid) = old.as_deref().and_then(uuid_of::<T>) else {
            continue;
        };
        let same = now
            .get(*id)
            .is_some_and(|row| uuid_of::<T>(row) == Some(old_uuid));
        if !same && map.get(&old_uuid).is_some_and(|row| T::id(row) == *id) {
            map.remove(&old_uuid);
        }
    }
    for (id, _) in changes {
        if let Some(row) = now.get(*id)
            && let Some(uuid) = uuid_of::<T>(row)
        {
            map.insert(uuid, Arc::clone(row));
        }
    }
}

/// [`sync`] for the ids in `written` (a transaction's write set), their old rows read from
/// `previous`.
/// [`sync`] for the rows of `undo` (a write call's undo log).
fn sync_written<T: TableDef>(hot: &mut Hot, now: &Db, undo: &Undo) {
    sync::<T>(hot, T::undo_log(undo), now.t::<T>());
}

fn sync_published<T: TableDef>(hot: &mut Hot, previous: &Db, now: &Db, written: &[OrdSet<i64>]) {
    let ids = &written[table_index(T::TABLE)];
    if T::UUID_KEY.is_none() || ids.is_empty() {
        return;
    }
    let before = previous.t::<T>();
    let changes: UndoLog<T> = ids
        .iter()
        .map(|id| (*id, before.get(*id).cloned()))
        .collect();
    sync::<T>(hot, &changes, now.t::<T>());
}

impl Hot {
    /// The visible row with this uuid (one hash probe).
    pub(crate) fn find<T: TableDef>(&self, uuid: &Uuid) -> Option<T::Row> {
        T::hot(self)
            .get(&uuid.as_u128())
            .filter(|row| T::visible(row))
            .map(|row| T::Row::clone(row))
    }

    /// After a commit replaced the committed state `previous` by `now`, which differ in the
    /// rows of `written` at most (the transaction's write set).
    pub(crate) fn published(&mut self, previous: &Db, now: &Db, written: &[OrdSet<i64>]) {
        for table in Table::ALL {
            dispatch!(table, sync_published(self, previous, now, written));
        }
    }

    /// After a successful write call changed the committed state `now` in place: `undo` is
    /// its undo log (every row it wrote, with the row it replaced).
    pub(crate) fn written(&mut self, now: &Db, undo: &Undo) {
        for table in Table::ALL {
            dispatch!(table, sync_written(self, now, undo));
        }
    }

    /// Panics unless every map equals a rebuild from `db`'s rows (the same uuids, each
    /// holding the very row of `db`).
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self, db: &Db) {
        fn check<T: TableDef>(hot: &Hot, db: &Db) {
            let map = T::hot(hot);
            let mut rebuilt: HashMap<u128, &Arc<T::Row>> = HashMap::new();
            for row in db.t::<T>().rows() {
                if let Some(uuid) = uuid_of::<T>(row) {
                    assert!(
                        rebuilt.insert(uuid, row).is_none(),
                        "{}: two rows share a uuid",
                        T::TABLE
                    );
                }
            }
            assert_eq!(
                map.len(),
                rebuilt.len(),
                "{}: the hot index holds {} uuids, the committed rows {}",
                T::TABLE,
                map.len(),
                rebuilt.len()
            );
            for (uuid, row) in rebuilt {
                let hot_row = map.get(&uuid);
                assert!(
                    hot_row.is_some_and(|hot_row| Arc::ptr_eq(hot_row, row)),
                    "{}: the hot index's entry of row {} is stale or missing",
                    T::TABLE,
                    T::id(row)
                );
            }
        }
        for table in Table::ALL {
            dispatch!(table, check(self, db));
        }
    }
}
