//! [`atomic!`] and [`guarded!`]: a call's statements in a transaction (or savepoint) of their
//! own.

/// Runs `$body` (an expression that may use `?`, with `$tx: &DatabaseTransaction`) in a new
/// transaction on `$conn` (a savepoint if `$conn` is a transaction): commits on `Ok`, rolls
/// back on `Err`.
macro_rules! atomic {
    ($conn:expr, |$tx:ident| $body:expr) => {{
        let __tx = $crate::conn::PgConn::begin_tx($conn).await?;
        let __result = {
            let $tx = __tx.conn();
            async { $body }.await
        };
        __tx.finish(__result).await
    }};
}
pub(crate) use atomic;

/// Runs a write of one statement of `$rows` rows directly (a statement is atomic on its own;
/// inside a caller's transaction its failure leaves that transaction unusable, see
/// `containerpub_ports::aborted` and [`PgConn::poison`](super::PgConn::poison)), except a statement of several rows
/// inside a caller's transaction: that one runs in a savepoint, so that a key violation's row
/// can still be looked for once it failed ([`crate::batch::settle`]). `$c` is bound to the
/// connection to use.
macro_rules! guarded {
    ($conn:expr, rows: $rows:expr, |$c:ident| $body:expr) => {{
        if $crate::conn::PgConn::in_transaction($conn) && $rows > 1 {
            $crate::conn::atomic!($conn, |$c| $body)
        } else {
            let $c = $conn;
            async { $body }.await
        }
    }};
}
pub(crate) use guarded;
