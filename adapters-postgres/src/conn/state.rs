//! Whether a caller's transaction can still be used ([`TxState`], shared by it and its
//! savepoints), and the guards that keep it right across cancellation ([`Armed`], [`Level`]).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use containerpub_ports::{OUT_OF_ORDER_END, StoreError, StoreResult, TX_ENDED};

/// `TxState::status` of a transaction that is broken for good.
const BROKEN: usize = usize::MAX;

/// The start of every refusal's message ([`unusable`]); `map_db_err` recognises it.
pub(crate) const UNUSABLE: &str = containerpub_ports::TX_UNUSABLE;

/// The error of a call refused because its transaction is no longer usable.
pub(crate) fn unusable(reason: &str) -> StoreError {
    StoreError::transaction_unusable(reason)
}

/// Why a transaction is unusable after a write call was dropped before it finished.
pub(crate) const CANCELLED_WRITE: &str = containerpub_ports::CANCELLED_WRITE;

/// Whether a caller's transaction can still be used: shared by the transaction and all its
/// savepoints (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct TxState {
    /// `0`: usable. `d` in `1..BROKEN`: a statement failed at nesting depth `d` (the
    /// transaction is 1, its savepoints 2, 3, …), so the server has aborted that level;
    /// rolling it back makes the transaction usable again. [`BROKEN`]: unusable for good.
    status: AtomicUsize,
    /// Why it is not usable (written when `status` leaves 0, read only to refuse a call).
    reason: Mutex<Option<String>>,
    /// How many levels the caller holds open: the transaction (1) and its savepoints. sqlx
    /// counts nesting per connection and always ends the innermost level, so a level may only
    /// be ended while it is the innermost one.
    open: AtomicUsize,
    /// The transaction has been committed or rolled back: its handles and its savepoints'
    /// refuse work ([`TxState::ended`]).
    ended: AtomicBool,
}

impl TxState {
    /// The state of a transaction just begun (one level open).
    pub(super) fn begun() -> Self {
        let state = Self::default();
        state.open.store(1, Ordering::Release);
        state
    }

    /// A savepoint level was opened; its nesting depth (the transaction is 1).
    pub(super) fn opened(&self) -> usize {
        self.open.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// How many levels are open (the nesting depth a new savepoint gets is one more).
    pub(super) fn open_levels(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// Whether the transaction has ended (committed or rolled back).
    pub(super) fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// `Err(Internal)` once the transaction has ended ([`TX_ENDED`]).
    pub(super) fn ended(&self) -> StoreResult<()> {
        if self.has_ended() {
            return Err(StoreError::internal(TX_ENDED));
        }
        Ok(())
    }

    /// `Ok` if the transaction is usable, else the refusal ([`unusable`]). One atomic load.
    pub(crate) fn check(&self) -> StoreResult<()> {
        if self.status.load(Ordering::Acquire) == 0 {
            return Ok(());
        }
        let reason = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        Err(unusable(
            reason.as_deref().unwrap_or("an earlier call failed in it"),
        ))
    }

    fn set_reason(&self, reason: String, replace: bool) {
        let mut slot = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if replace || slot.is_none() {
            *slot = Some(reason);
        }
    }

    /// A statement failed at nesting depth `depth`: the server aborted that level.
    pub(super) fn abort(&self, depth: usize, reason: String) {
        if self
            .status
            .compare_exchange(0, depth, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.set_reason(reason, true);
        }
    }

    /// A write call failed at nesting depth `depth` (or was dropped before it finished): that
    /// level is unusable, for `reason` (which replaces the reason its failed statement gave).
    pub(super) fn abort_with(&self, depth: usize, reason: String) {
        match self
            .status
            .compare_exchange(0, depth, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => self.set_reason(reason, true),
            Err(status) if status == depth => self.set_reason(reason, true),
            Err(_) => {}
        }
    }

    /// The transaction cannot be trusted any more (its savepoint bookkeeping went wrong).
    pub(crate) fn break_for_good(&self, reason: String) {
        let before = self.status.swap(BROKEN, Ordering::AcqRel);
        // An earlier, recoverable failure is superseded; an earlier break keeps its reason.
        self.set_reason(reason, before != BROKEN);
    }

    /// The level at nesting depth `depth` was rolled back (or dropped, which rolls it back):
    /// an abort at that depth or deeper is gone with it.
    fn recover(&self, depth: usize) {
        let status = self.status.load(Ordering::Acquire);
        if status != 0
            && status != BROKEN
            && status >= depth
            && self
                .status
                .compare_exchange(status, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            *self.reason.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

/// Breaks the transaction for good if dropped before [`Armed::disarm`]: armed around the
/// steps that must not be interrupted (opening, releasing or rolling back a savepoint), so
/// that a caller dropping the future there leaves a transaction that refuses every later call
/// instead of one that silently runs them outside any transaction.
pub(super) struct Armed<'a> {
    state: Option<&'a TxState>,
    step: &'static str,
}

impl<'a> Armed<'a> {
    /// Armed around `step` (a no-op without `state`).
    pub(super) fn new(state: Option<&'a TxState>, step: &'static str) -> Self {
        Self { state, step }
    }

    /// The step finished: dropping no longer breaks anything.
    pub(super) fn disarm(mut self) {
        self.state = None;
    }
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.state {
            state.break_for_good(format!(
                "a call was cancelled while it {} (the enclosing transaction may have been \
                 rolled back)",
                self.step
            ));
        }
    }
}

/// One level of a caller's transaction: the shared state and the level's nesting depth.
/// Dropping it (after the level was committed, rolled back or dropped) closes the level: the
/// transaction's own level ends the transaction; a savepoint's clears an abort of that level
/// ([`TxState::recover`]), or, if a savepoint begun after it is still open (sqlx has then
/// ended that one instead), breaks the transaction for good ([`OUT_OF_ORDER_END`]).
#[derive(Debug)]
pub(super) struct Level {
    pub(super) state: Arc<TxState>,
    pub(super) depth: usize,
}

impl Level {
    /// Whether a savepoint begun after this level is still open.
    pub(super) fn has_open_inner(&self) -> bool {
        self.state.open_levels() > self.depth
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        if self.state.has_ended() {
            return;
        }
        if self.depth == 1 {
            self.state.ended.store(true, Ordering::Release);
            self.state.open.store(0, Ordering::Release);
            return;
        }
        if self.has_open_inner() {
            self.state.break_for_good(OUT_OF_ORDER_END.to_owned());
        }
        self.state.open.fetch_min(self.depth - 1, Ordering::AcqRel);
        self.state.recover(self.depth);
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::DbErr;

    use super::*;
    use crate::error::{Op, map_db_err};

    fn refused(state: &TxState) -> String {
        match state.check() {
            Err(StoreError::Unavailable { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_failed_statement_lasts_until_its_level_is_rolled_back() {
        let state = TxState::default();
        assert_eq!(state.check(), Ok(()));
        state.abort(2, "a statement failed in it (22012)".to_owned());
        assert_eq!(
            refused(&state),
            "transaction is no longer usable: a statement failed in it (22012); nothing was \
             committed"
        );
        // The first failure is the one reported.
        state.abort(3, "another".to_owned());
        assert!(refused(&state).contains("22012"));
        // Rolling back a deeper level does not undo it; rolling back its own level does.
        state.recover(3);
        assert!(state.check().is_err());
        state.recover(2);
        assert_eq!(state.check(), Ok(()));
        // A failure in the transaction itself is not undone by a savepoint's rollback.
        state.abort(1, "top".to_owned());
        state.recover(2);
        assert!(refused(&state).contains("top"));
    }

    #[test]
    fn a_break_is_for_good_and_a_dropped_guard_breaks() {
        let state = TxState::default();
        Armed::new(Some(&state), "opened a savepoint").disarm();
        assert_eq!(state.check(), Ok(()));
        drop(Armed::new(Some(&state), "opened a savepoint"));
        let message = refused(&state);
        assert!(
            message.contains("a call was cancelled while it opened a savepoint"),
            "{message}"
        );
        state.recover(1);
        assert_eq!(
            refused(&state),
            message,
            "nothing recovers a broken transaction"
        );
        state.break_for_good("later".to_owned());
        assert_eq!(
            refused(&state),
            message,
            "the first break is the one reported"
        );
        // A recoverable failure is superseded by a break.
        let state = TxState::default();
        state.abort(2, "read".to_owned());
        state.break_for_good("savepoint".to_owned());
        state.recover(2);
        assert!(refused(&state).contains("savepoint"));
    }

    #[test]
    fn a_refused_statement_maps_back_to_the_refusal() {
        let refusal = unusable("why");
        let err = DbErr::Custom(refusal.message());
        assert_eq!(map_db_err(err, Op::Read), refusal);
        assert!(refusal.is_retryable());
    }
}
