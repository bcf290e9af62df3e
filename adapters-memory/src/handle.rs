//! One store handle for every table: [`Handle`], the committed state (autocommit) or one
//! transaction. It implements every store trait: the generic surface once in
//! [`crate::surface`], the entity-specific methods in [`crate::roles`]; [`Handle::read`] runs
//! a read and [`Handle::write`] a write call ([`Call`]: atomic, waiting for locks).

use std::fmt;
use std::pin::pin;
use std::sync::{Arc, MutexGuard};

use containerpub_domain::Uuid;
use containerpub_ports::{CANCELLED_WRITE, StoreError, StoreResult};

use crate::active::{Aborted, Active, FOR_GOOD, TxCell, ended};
use crate::crud;
use crate::db::Db;
use crate::locks::{LockCx, TxId, deadlock};
use crate::sequences::{CallSeq, Cx};
use crate::shared::{Shared, lock};
use crate::table::TableDef;

/// One write call in progress: if it is dropped while waiting for a lock (or fails), the
/// locks it took are given back and its wait forgotten, so it leaves nothing behind; dropped
/// inside a transaction, it leaves that transaction level unusable, as on PostgreSQL (where
/// the dropped statement may still run).
struct Call<'a> {
    shared: &'a Shared,
    /// The transaction it runs in and its savepoint level.
    cell: Option<(&'a TxCell, usize)>,
    /// The transaction and the call's mark, once it ran inside one.
    tx: Option<(TxId, u64)>,
    /// When it began waiting (kept across its runs: the deadlock victim is the longest
    /// waiter).
    since: Option<u64>,
    /// Finished: nothing to give back on drop.
    done: bool,
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some((cell, level)) = self.cell
            && let Some(active) = lock(cell).as_mut()
        {
            active.abort(level, CANCELLED_WRITE.to_owned());
        }
        if let Some((tx, mark)) = self.tx {
            self.shared.release(tx, mark);
        }
    }
}

/// One handle on the data: the committed state (autocommit) or one transaction. It is what
/// [`Stores`](containerpub_ports::Stores) hands out as every entity's store.
#[derive(Clone)]
pub(crate) struct Handle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) tx: Option<Arc<TxCell>>,
    /// The savepoint level its writes run at: 0 for the transaction (and autocommit), `n`
    /// for the `n`-th savepoint open in it.
    pub(crate) level: usize,
}

impl Handle {
    /// `Ok` unless this is a transaction that a failed or dropped write left unusable: then
    /// the refusal (for calls that have nothing to do, such as an empty batch).
    pub(crate) fn usable(&self) -> StoreResult<()> {
        match &self.tx {
            None => Ok(()),
            Some(tx) => lock(tx).as_ref().ok_or_else(ended)?.check(),
        }
    }

    /// Runs a read on the state this handle sees: the committed state, or the transaction's
    /// own writes over the latest committed state. Reads never wait for locks.
    pub(crate) fn read<R>(&self, op: impl FnOnce(&Db) -> StoreResult<R>) -> StoreResult<R> {
        match &self.tx {
            None => op(&lock(&self.shared.committed).db),
            Some(tx) => {
                let mut guard = lock(tx);
                let active = guard.as_mut().ok_or_else(ended)?;
                active.check()?;
                active.catch_up(&lock(&self.shared.committed));
                op(&active.work)
            }
        }
    }

    /// `find_by_uuid`: outside a transaction one probe of the committed state's hash index
    /// (`crate::hot`), inside one a read of its own state as [`Handle::read`] runs.
    pub(crate) fn read_by_uuid<T: TableDef>(&self, uuid: &Uuid) -> StoreResult<Option<T::Row>> {
        match &self.tx {
            None => Ok(lock(&self.shared.committed).hot.find::<T>(uuid)),
            Some(_) => self.read(|db| Ok(crud::find_by_uuid::<T>(db, uuid))),
        }
    }

    /// Runs one write call atomically, in place on the state this handle writes, undone if
    /// it fails. A row or key value it needs that another transaction has locked makes it
    /// wait (without holding any mutex) until that transaction gives its locks back, then
    /// run again on the newer committed state, re-checking everything; the sequence values
    /// its first run took are reused. Calls are serialised on the commit lock.
    ///
    /// # Errors
    /// What `op` returns; the deadlock error (`Unavailable`, as PostgreSQL's `40P01`) if the
    /// call is chosen as a deadlock victim.
    pub(crate) async fn write<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
    ) -> StoreResult<R> {
        self.run_write(op, true).await
    }

    /// [`Handle::write`] for a call whose failure must leave its transaction usable, as a
    /// savepoint of its own does on PostgreSQL (`find_or_insert`'s insert, which reads the
    /// winner's row after losing a race on the key).
    pub(crate) async fn write_isolated<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
    ) -> StoreResult<R> {
        self.run_write(op, false).await
    }

    /// A write call that failed with `err` after its own writes were undone (see
    /// [`Handle::write_isolated`]): if `err` aborts a transaction, this one becomes unusable.
    pub(crate) fn poison(&self, err: &StoreError) {
        if err.aborts_transaction()
            && let Some(tx) = &self.tx
            && let Some(active) = lock(tx).as_mut()
        {
            active.abort(self.level, err.failed_reason());
        }
    }

    async fn run_write<R: Send>(
        &self,
        op: impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R> + Send + Sync,
        poison: bool,
    ) -> StoreResult<R> {
        let cx = Cx {
            seq: CallSeq::new(&self.shared.seq),
            now: self.shared.clock.now(),
        };
        let mut call = Call {
            shared: &self.shared,
            cell: self.tx.as_deref().map(|cell| (cell, self.level)),
            tx: None,
            since: None,
            done: false,
        };
        loop {
            let mut notified = pin!(self.shared.released.notified());
            notified.as_mut().enable();
            cx.seq.rewind();
            if let Some(out) = self.attempt(&op, &cx, &mut call, poison) {
                return out;
            }
            notified.await;
        }
    }

    /// One run of a write call: `None` if it must wait for a lock.
    fn attempt<R>(
        &self,
        op: &impl Fn(&mut Db, &Cx<'_>) -> StoreResult<R>,
        cx: &Cx<'_>,
        call: &mut Call<'_>,
        poison: bool,
    ) -> Option<StoreResult<R>> {
        let Some(tx) = &self.tx else {
            let mut committed = lock(&self.shared.committed);
            let c = &mut *committed;
            c.db.locks = Some(LockCx {
                table: std::mem::take(&mut c.locks),
                me: None,
                mark: 0,
                blocked: None,
            });
            let (out, undo) = c.db.atomically_logged(|db| op(db, cx));
            let lent = c.db.locks.take()?;
            c.locks = lent.table;
            if lent.blocked.is_some() {
                return None;
            }
            if let Some(undo) = undo {
                c.hot.written(&c.db, &undo);
            }
            if out.is_ok() {
                c.version += 1;
            }
            call.done = true;
            return Some(out);
        };
        let mut guard = lock(tx);
        let Some(active) = guard.as_mut() else {
            call.done = true;
            return Some(Err(ended()));
        };
        if let Err(refused) = active.check() {
            call.done = true;
            return Some(Err(refused));
        }
        let mut committed = lock(&self.shared.committed);
        let c = &mut *committed;
        let me = active.id;
        let mark = match call.tx {
            Some((_, mark)) => mark,
            None => active.next_mark(),
        };
        call.tx = Some((me, mark));
        if c.locks.is_victim(me) {
            drop(committed);
            return Some(self.rolled_back(guard, call));
        }
        active.catch_up(c);
        active.work.locks = Some(LockCx {
            table: std::mem::take(&mut c.locks),
            me: Some(me),
            mark,
            blocked: None,
        });
        let out = active.work.atomically(|db| op(db, cx));
        let lent = active.work.locks.take()?;
        c.locks = lent.table;
        if let Some(holder) = lent.blocked {
            return match c.locks.wait(me, holder, call.since) {
                Ok((since, marked)) => {
                    call.since = Some(since);
                    drop(committed);
                    if marked {
                        self.shared.released.notify_waiters();
                    }
                    None
                }
                Err(()) => {
                    drop(committed);
                    Some(self.rolled_back(guard, call))
                }
            };
        }
        c.locks.end_wait(me);
        drop(committed);
        if poison
            && let Err(err) = &out
            && err.aborts_transaction()
        {
            active.abort(self.level, err.failed_reason());
        }
        drop(guard);
        if out.is_err() {
            // As a PostgreSQL savepoint rolled back: the failed call's locks go.
            self.shared.release(me, mark);
        }
        call.done = true;
        Some(out)
    }

    /// The call's transaction was chosen as a deadlock victim: as PostgreSQL does, the whole
    /// transaction is rolled back at once (its locks given back, so the others go on) and
    /// refuses every later call; the call gets the deadlock error.
    fn rolled_back<R>(
        &self,
        mut guard: MutexGuard<'_, Option<Active>>,
        call: &mut Call<'_>,
    ) -> StoreResult<R> {
        let err = deadlock();
        if let Some(active) = guard.as_mut() {
            active.aborted = Some(Aborted {
                level: FOR_GOOD,
                reason: err.rolled_back_reason(),
            });
            let discarded = std::mem::take(&mut active.work);
            let id = active.id;
            drop(guard);
            self.shared.release(id, 0);
            drop(discarded);
        }
        call.done = true;
        Err(err)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("transaction", &self.tx.is_some())
            .finish_non_exhaustive()
    }
}
