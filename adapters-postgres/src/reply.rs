//! Writes that answer with the written row are atomic with their reply.
//!
//! A statement with `RETURNING` commits on its own when it runs directly on the pool; if the
//! returned row then fails to decode or to pass the domain's checks (a row this layer did not
//! write), the caller would get an error for a write that happened. [`replied!`] therefore
//! runs such a write in a transaction that is committed only once the reply has been mapped:
//! any error after the statement rolls the write back (inside a caller's transaction, the
//! error leaves that transaction unusable instead, so the write is never committed). Writes that answer with a count only use `guarded!`.

/// Runs `$body` (a write of `$rows` rows in one statement, whose reply rows are decoded
/// inside it; `$c` is bound to the connection to use) so that it commits only if the whole
/// body, decoding included, succeeds: on the pool in a transaction of its own; inside a
/// caller's transaction as [`guarded!`](crate::conn::guarded) runs it, where a failure after
/// the statement leaves the caller's transaction unusable, so the write is never committed
/// (`crate::handle`'s `written`).
///
/// A macro for the reason [`guarded!`](crate::conn::guarded) is one: `$body` runs on `$conn`
/// (a `&C`) or on a transaction of its own (a `&DatabaseTransaction`), two types one closure
/// cannot take.
macro_rules! replied {
    ($conn:expr, rows: $rows:expr, |$c:ident| $body:expr) => {{
        if $crate::conn::PgConn::in_transaction($conn) {
            $crate::conn::guarded!($conn, rows: $rows, |$c| $body)
        } else {
            $crate::conn::atomic($conn, async |$c| $body).await
        }
    }};
}
pub(crate) use replied;
