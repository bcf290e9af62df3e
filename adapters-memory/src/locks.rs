//! Row and key locks of open transactions, as PostgreSQL takes them under READ COMMITTED
//! (including which ones a write or delete of a row takes), the waits between transactions,
//! and deadlock detection.
//!
//! A lock is held on a [`Resource`]: a row (`(table, id)`), in one of PostgreSQL's four row
//! lock modes ([`Mode`]), or a unique key value (what an uncommitted index entry is in
//! PostgreSQL: another insert of that value waits for the writer), always exclusive. Locks
//! are held by a transaction until it ends; the ones a failed call or a rolled-back savepoint
//! took are given back (each hold carries the `mark` of the call or savepoint it belongs to).
//! Calls outside a transaction never hold locks: they only wait for the holders (they run
//! atomically, so nothing can see them half-way).

use std::collections::HashMap;

use containerpub_ports::{StoreError, Table, UniqueKey};

use crate::index::IndexKey;
use crate::table::TableDef;

/// A transaction's identity in the lock table.
pub(crate) type TxId = u64;

/// PostgreSQL's row lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mode {
    /// `FOR KEY SHARE`: taken on the parent row by a foreign-key check.
    KeyShare,
    /// `FOR SHARE`.
    Share,
    /// `FOR NO KEY UPDATE`: an update that changes no key column, or the explicit lock of a
    /// function by deployment inserts and activation.
    NoKeyUpdate,
    /// `FOR UPDATE`: a delete, an update of a key column, an explicit `FOR UPDATE`.
    Update,
}

impl Mode {
    /// Whether two transactions can hold these modes on one row at once (PostgreSQL's
    /// conflict table of row-level locks).
    fn conflicts(self, other: Mode) -> bool {
        match (self, other) {
            (Mode::KeyShare, Mode::Update) | (Mode::Update, Mode::KeyShare) => true,
            (Mode::KeyShare, _) | (_, Mode::KeyShare) | (Mode::Share, Mode::Share) => false,
            _ => true,
        }
    }
}

/// What a lock is held on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Resource {
    /// One row.
    Row(Table, i64),
    /// One value of a unique key, written by an uncommitted row.
    Key(UniqueKey, IndexKey),
}

/// One transaction's hold on a resource.
#[derive(Debug, Clone, Copy)]
struct Hold {
    tx: TxId,
    mode: Mode,
    /// The call or savepoint that took it (see [`LockTable::release`]).
    mark: u64,
}

/// A transaction waiting for another one.
#[derive(Debug, Clone, Copy)]
struct Wait {
    /// The transaction it waits for.
    on: TxId,
    /// When it began waiting (a counter): the deadlock victim is the longest waiter.
    since: u64,
    /// Chosen as the victim of a deadlock: its call fails when it wakes.
    victim: bool,
}

/// The error PostgreSQL's `40P01` maps to (`deadlock detected`), as the PostgreSQL adapter
/// reports it.
pub(crate) fn deadlock() -> StoreError {
    StoreError::transaction_conflict("40P01", "deadlock detected")
}

/// What a call that met another transaction's lock returns until it is undone.
pub(crate) fn blocked() -> StoreError {
    StoreError::internal("the call waits for a lock held by another transaction")
}

/// Every lock held and every wait, shared by all the handles of one store.
#[derive(Debug, Default)]
pub(crate) struct LockTable {
    held: HashMap<Resource, Vec<Hold>>,
    /// Per transaction, the resources it holds something on (possibly repeated).
    by_tx: HashMap<TxId, Vec<Resource>>,
    waits: HashMap<TxId, Wait>,
    next_wait: u64,
}

impl LockTable {
    /// Whether no transaction holds anything (calls outside transactions then check nothing).
    pub(crate) fn is_idle(&self) -> bool {
        self.held.is_empty()
    }

    /// Takes `mode` on `resource` for `me` (`None`: a call outside a transaction, which only
    /// checks), or names a transaction holding a conflicting lock.
    pub(crate) fn acquire(
        &mut self,
        me: Option<TxId>,
        mark: u64,
        resource: &Resource,
        mode: Mode,
    ) -> Result<(), TxId> {
        if let Some(holds) = self.held.get(resource) {
            if let Some(h) = holds
                .iter()
                .find(|h| Some(h.tx) != me && h.mode.conflicts(mode))
            {
                return Err(h.tx);
            }
            // The strongest mode covers the weaker ones for every conflict that matters.
            if holds.iter().any(|h| Some(h.tx) == me && h.mode >= mode) {
                return Ok(());
            }
        }
        if let Some(tx) = me {
            self.held
                .entry(resource.clone())
                .or_default()
                .push(Hold { tx, mode, mark });
            self.by_tx.entry(tx).or_default().push(resource.clone());
        }
        Ok(())
    }

    /// Gives back the holds of `tx` taken at `mark` or later (every hold: `mark = 0`).
    /// Returns whether anything was released.
    pub(crate) fn release(&mut self, tx: TxId, mark: u64) -> bool {
        let Some(resources) = self.by_tx.remove(&tx) else {
            return false;
        };
        let mut kept = Vec::new();
        let mut released = false;
        for resource in resources {
            let Some(holds) = self.held.get_mut(&resource) else {
                continue;
            };
            let before = holds.len();
            holds.retain(|h| h.tx != tx || h.mark < mark);
            released |= holds.len() != before;
            let still_mine = holds.iter().any(|h| h.tx == tx);
            if holds.is_empty() {
                self.held.remove(&resource);
            }
            if still_mine && !kept.contains(&resource) {
                kept.push(resource);
            }
        }
        if !kept.is_empty() {
            self.by_tx.insert(tx, kept);
        }
        released
    }

    /// Records that `me` waits for `on` (since `since`, or from now). If that closes a cycle
    /// of waits, the transaction of the cycle that has waited longest is the victim
    /// (PostgreSQL runs its deadlock check in the process whose `deadlock_timeout` fires
    /// first): `Err` if that is `me` (nothing recorded), else it is marked, and its caller
    /// must be woken. Returns the start of the wait and whether a victim was marked.
    pub(crate) fn wait(
        &mut self,
        me: TxId,
        on: TxId,
        since: Option<u64>,
    ) -> Result<(u64, bool), ()> {
        let since = since.unwrap_or_else(|| {
            self.next_wait += 1;
            self.next_wait
        });
        let mut cycle = Vec::new();
        let mut current = on;
        let closes = loop {
            if current == me {
                break true;
            }
            match self.waits.get(&current) {
                Some(w) if !w.victim && cycle.len() <= self.waits.len() => {
                    cycle.push((current, w.since));
                    current = w.on;
                }
                _ => break false,
            }
        };
        let mut marked = false;
        if closes {
            let victim = cycle.iter().copied().min_by_key(|(_, since)| *since);
            match victim {
                Some((tx, first)) if first < since => {
                    if let Some(w) = self.waits.get_mut(&tx) {
                        w.victim = true;
                        marked = true;
                    }
                }
                _ => {
                    self.waits.remove(&me);
                    return Err(());
                }
            }
        }
        self.waits.insert(
            me,
            Wait {
                on,
                since,
                victim: false,
            },
        );
        Ok((since, marked))
    }

    /// Ends the wait of `me`; returns whether it was chosen as a deadlock victim.
    pub(crate) fn end_wait(&mut self, me: TxId) -> bool {
        self.waits.remove(&me).is_some_and(|w| w.victim)
    }

    /// Whether `me` was chosen as a deadlock victim (its wait stays recorded).
    pub(crate) fn is_victim(&self, me: TxId) -> bool {
        self.waits.get(&me).is_some_and(|w| w.victim)
    }

    /// How many resources are locked (tests).
    #[cfg(test)]
    pub(crate) fn held_count(&self) -> usize {
        self.held.len()
    }

    /// How many transactions wait (tests).
    #[cfg(test)]
    pub(crate) fn wait_count(&self) -> usize {
        self.waits.len()
    }
}

/// The lock table lent to one call, with who runs it and what stopped it.
#[derive(Debug)]
pub(crate) struct LockCx {
    /// The store's lock table (moved in for the call: the commit lock is held meanwhile).
    pub(crate) table: LockTable,
    /// The transaction running the call (`None` outside a transaction).
    pub(crate) me: Option<TxId>,
    /// The call's mark.
    pub(crate) mark: u64,
    /// The transaction the call must wait for, once a lock it needs is held by another
    /// (`TxId::MAX` stands for "some holder" outside a transaction).
    pub(crate) blocked: Option<TxId>,
}

impl LockCx {
    /// Takes `mode` on `resource`; on a conflict, records what to wait for and returns false.
    pub(crate) fn take(&mut self, resource: &Resource, mode: Mode) -> bool {
        if self.blocked.is_some() {
            return false;
        }
        if self.me.is_none() && self.table.is_idle() {
            return true;
        }
        match self.table.acquire(self.me, self.mark, resource, mode) {
            Ok(()) => true,
            Err(holder) => {
                self.blocked = Some(holder);
                false
            }
        }
    }

    /// Whether taking locks can matter (inside a transaction, or some lock is held).
    pub(crate) fn active(&self) -> bool {
        self.me.is_some() || !self.table.is_idle()
    }

    /// Whether the call met a lock held by another transaction.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// The locks writing `row` takes, `old` being the row it replaces if it exists: that row
    /// (`FOR UPDATE` when a unique value changes, else `FOR NO KEY UPDATE`), and every unique
    /// value it had and will have (an uncommitted index entry: other writers of that value
    /// wait).
    pub(crate) fn take_write<T: TableDef>(&mut self, old: Option<&T::Row>, row: &T::Row) {
        if !self.active() {
            return;
        }
        if let Some(old) = old {
            let key_change = T::UNIQUES.iter().any(|key| {
                match (T::unique_value(old, *key), T::unique_value(row, *key)) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                }
            });
            let mode = if key_change {
                Mode::Update
            } else {
                Mode::NoKeyUpdate
            };
            self.take(&Resource::Row(T::TABLE, T::id(old)), mode);
            self.take_unique_values::<T>(old);
        }
        self.take_unique_values::<T>(row);
    }

    /// The locks deleting `row` takes: `FOR UPDATE` on it and its unique values.
    pub(crate) fn take_delete<T: TableDef>(&mut self, row: &T::Row) {
        if !self.active() {
            return;
        }
        self.take(&Resource::Row(T::TABLE, T::id(row)), Mode::Update);
        self.take_unique_values::<T>(row);
    }

    /// `FOR UPDATE` on every unique value `row` holds.
    fn take_unique_values<T: TableDef>(&mut self, row: &T::Row) {
        for key in T::UNIQUES {
            if let Some(value) = T::unique_value(row, *key) {
                self.take(&Resource::Key(*key, value), Mode::Update);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64) -> Resource {
        Resource::Row(Table::Users, id)
    }

    #[test]
    fn the_conflict_table_is_postgresqls() {
        use Mode::{KeyShare, NoKeyUpdate, Share, Update};
        let all = [KeyShare, Share, NoKeyUpdate, Update];
        let expected = [
            [false, false, false, true],
            [false, false, true, true],
            [false, true, true, true],
            [true, true, true, true],
        ];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(a.conflicts(*b), expected[i][j], "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn holds_conflict_across_transactions_only_and_release_by_mark() {
        let mut t = LockTable::default();
        assert_eq!(t.acquire(Some(1), 1, &row(1), Mode::NoKeyUpdate), Ok(()));
        assert_eq!(t.acquire(Some(1), 2, &row(1), Mode::Update), Ok(()));
        assert_eq!(t.acquire(Some(2), 1, &row(1), Mode::KeyShare), Err(1));
        assert_eq!(t.acquire(None, 0, &row(1), Mode::KeyShare), Err(1));
        // Giving back the calls from mark 2 on leaves the NO KEY UPDATE.
        assert!(t.release(1, 2));
        assert_eq!(t.acquire(Some(2), 1, &row(1), Mode::KeyShare), Ok(()));
        assert_eq!(t.acquire(Some(2), 1, &row(1), Mode::Share), Err(1));
        assert!(t.release(1, 0));
        assert!(t.release(2, 0));
        assert!(t.is_idle());
    }

    #[test]
    fn a_cycle_makes_the_longest_waiter_the_victim() {
        let mut t = LockTable::default();
        let (first, _) = t.wait(1, 2, None).expect("no cycle yet");
        assert_eq!(
            t.wait(1, 2, Some(first)),
            Ok((first, false)),
            "a renewed wait keeps its start"
        );
        assert_eq!(t.wait(2, 3, None).map(|(_, m)| m), Ok(false));
        // 3 → 1 closes 1 → 2 → 3 → 1: transaction 1 waited longest.
        assert_eq!(
            t.wait(3, 1, None).map(|(_, m)| m),
            Ok(true),
            "a victim was marked"
        );
        assert!(t.is_victim(1));
        assert!(!t.is_victim(2) && !t.is_victim(3));
        assert!(t.end_wait(1));
        assert_eq!(t.wait_count(), 2);
        // A transaction waiting for itself is its own victim.
        let mut t = LockTable::default();
        assert_eq!(t.wait(5, 5, None), Err(()));
        assert_eq!(t.wait_count(), 0);
    }
}
