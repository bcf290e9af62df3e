//! Running a call's statements in a transaction (or savepoint) of their own: [`atomic()`], and
//! [`guarded!`], which does so only for a write of several rows inside a caller's transaction.

use sea_orm::DatabaseTransaction;

use super::{CallError, PgConn};

/// Runs `body` in a new transaction on `conn` (a savepoint if `conn` is a transaction):
/// commits on `Ok`, rolls back on `Err`. If the transaction cannot be begun, `body` does not
/// run and that error is returned.
pub(crate) async fn atomic<C: PgConn, T, E: CallError>(
    conn: &C,
    body: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.begin_tx().await?;
    let result = body(tx.conn()).await;
    tx.finish(result).await
}

/// Runs a write of one statement of `$rows` rows directly (a statement is atomic on its own;
/// inside a caller's transaction its failure leaves that transaction unusable, see
/// `containerpub_ports::aborted` and [`PgConn::poison`]), except a statement of several rows
/// inside a caller's transaction: that one runs in a savepoint ([`atomic()`]), so that a key
/// violation's row can still be looked for once it failed ([`crate::batch::settle`]). `$c` is
/// bound to the connection to use.
///
/// A macro, not a function taking a closure: `$body` runs on `$conn` itself (a `&C`) in one
/// branch and on the savepoint (a `&DatabaseTransaction`) in the other, so it is compiled for
/// two connection types. A closure has one parameter type (Rust has no closures generic over
/// a type), and the statement functions the bodies call take `D: PgConn`, which cannot be made
/// a trait object (an associated const, `impl Future` returns); a function would need the body
/// written twice.
macro_rules! guarded {
    ($conn:expr, rows: $rows:expr, |$c:ident| $body:expr) => {{
        if $crate::conn::PgConn::in_transaction($conn) && $rows > 1 {
            $crate::conn::atomic($conn, async |$c| $body).await
        } else {
            let $c = $conn;
            async { $body }.await
        }
    }};
}
pub(crate) use guarded;
