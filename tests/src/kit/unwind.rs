//! A future's panic caught as a value, so that the kit can say which adapter's run panicked.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls `future` to completion: `Ok` with its output, or `Err` with the panic's message if
/// a poll panicked (the panic hook has printed it already, with its location).
pub(crate) async fn catch_panic<F: Future>(future: F) -> Result<F::Output, String> {
    CatchPanic(Box::pin(future)).await.map_err(message)
}

struct CatchPanic<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        // The future is never polled again after it panicked, so no broken state is seen.
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(text) => (*text).to_owned(),
            Err(_) => "a panic with a non-text payload".to_owned(),
        },
    }
}
