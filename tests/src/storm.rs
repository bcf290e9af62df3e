//! Many futures released at the same instant: the driver of every concurrency scenario.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Barrier;
use tokio::task::JoinHandle;

/// Runs `n` futures on tasks of their own, released together by a barrier; returns their
/// outputs in task order.
///
/// # Panics
/// If a task panics.
pub async fn all_at_once<T, F, Fut>(n: usize, make: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let tasks: Vec<JoinHandle<T>> = (0..n)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let work = make(i);
            tokio::spawn(async move {
                barrier.wait().await;
                work.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for task in tasks {
        out.push(task.await.expect("a storm task panicked"));
    }
    out
}
