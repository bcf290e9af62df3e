//! Writes that answer with the written row are atomic with their reply.
//!
//! A statement with `RETURNING` commits on its own when it runs directly on the pool; if the
//! returned row then fails to decode or to pass the domain's checks (a row this layer did not
//! write), the caller would get an error for a write that happened. [`replied!`] therefore
//! runs such a write in a transaction (a savepoint inside the caller's transaction) that is
//! committed only once the reply has been mapped: any error after the statement rolls the
//! write back. Writes that answer with a count only use `guarded!`.

/// Runs `$body` (a write whose reply rows are decoded inside it; `$c` is bound to the
/// connection to use) so that it commits only if the whole body, decoding included, succeeds.
macro_rules! replied {
    ($conn:expr, |$c:ident| $body:expr) => {
        $crate::conn::atomic!($conn, |$c| $body)
    };
}
pub(crate) use replied;
