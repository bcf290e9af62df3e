//! One `tracing` span per store call: `operation`, `table`, and, filled in after the call,
//! `rows`, `duration_us` and `error`.
//!
//! The span is `DEBUG` level, target `containerpub_postgres`. When no subscriber listens to it
//! (`span.is_disabled()`), nothing else is computed: no clock reading, no row count.

use std::future::Future;
use std::time::Instant;

use containerpub_domain::{FunctionStats, Page, UserProfile};
use containerpub_ports::{StoreResult, Table, Upserted, Window};
use tracing::Instrument;

use crate::conn::PgConn;
use tracing::field::{Empty, display};

/// How many rows a call's result stands for (the span's `rows` field).
pub(crate) trait Rows {
    /// The number of rows.
    fn rows(&self) -> u64;
}

impl Rows for u64 {
    fn rows(&self) -> u64 {
        *self
    }
}

impl Rows for bool {
    fn rows(&self) -> u64 {
        u64::from(*self)
    }
}

impl Rows for () {
    fn rows(&self) -> u64 {
        0
    }
}

impl<T> Rows for Option<T> {
    fn rows(&self) -> u64 {
        u64::from(self.is_some())
    }
}

impl<T> Rows for Vec<T> {
    fn rows(&self) -> u64 {
        self.len() as u64
    }
}

impl<T> Rows for Page<T> {
    fn rows(&self) -> u64 {
        self.items.len() as u64
    }
}

impl<T> Rows for Window<T> {
    fn rows(&self) -> u64 {
        self.items.len() as u64
    }
}

impl<T> Rows for Upserted<T> {
    fn rows(&self) -> u64 {
        1
    }
}

impl<A, B> Rows for (A, B) {
    fn rows(&self) -> u64 {
        2
    }
}

impl Rows for FunctionStats {
    fn rows(&self) -> u64 {
        self.total
    }
}

impl Rows for UserProfile {
    fn rows(&self) -> u64 {
        1
    }
}

/// Implements [`Rows`] as one row for each listed type (a macro: one trait impl per type).
macro_rules! single_row {
    ($($t:ty),+ $(,)?) => {
        $(impl Rows for $t {
            fn rows(&self) -> u64 {
                1
            }
        })+
    };
}

single_row!(
    containerpub_domain::User,
    containerpub_domain::UserInformation,
    containerpub_domain::Organization,
    containerpub_domain::OrganizationMember,
    containerpub_domain::Function,
    containerpub_domain::Deployment,
    containerpub_domain::LogEntry,
    containerpub_domain::Invocation,
    containerpub_domain::Repository,
);

/// Runs one store call on `conn` inside its span; an error is first explained by the
/// connection ([`PgConn::explain`]: a pool timeout says why no connection could be had).
pub(crate) async fn traced<C: PgConn, T, F>(
    conn: &C,
    operation: &'static str,
    table: Table,
    call: F,
) -> StoreResult<T>
where
    T: Rows,
    F: Future<Output = StoreResult<T>>,
{
    let explained = async {
        match call.await {
            Err(err) => Err(conn.explain(err).await),
            ok => ok,
        }
    };
    spanned(operation, table, explained).await
}

/// Runs one call inside its span.
async fn spanned<T, F>(operation: &'static str, table: Table, call: F) -> StoreResult<T>
where
    T: Rows,
    F: Future<Output = StoreResult<T>>,
{
    let span = tracing::debug_span!(
        target: "containerpub_postgres",
        "store",
        operation,
        table = table.name(),
        rows = Empty,
        duration_us = Empty,
        error = Empty,
    );
    if span.is_disabled() {
        return call.await;
    }
    let start = Instant::now();
    let result = call.instrument(span.clone()).await;
    span.record(
        "duration_us",
        u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
    );
    match &result {
        Ok(value) => span.record("rows", value.rows()),
        Err(err) => span.record("error", display(err)),
    };
    result
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use containerpub_ports::StoreError;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;

    #[derive(Default, Clone)]
    struct Capture(Arc<Mutex<Vec<(String, String)>>>);

    impl Visit for Capture {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if let Ok(mut fields) = self.0.lock() {
                fields.push((field.name().to_owned(), format!("{value:?}")));
            }
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            span.record(&mut self.clone());
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            values.record(&mut self.clone());
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn field(capture: &Capture, name: &str) -> Option<String> {
        let fields = capture.0.lock().ok()?;
        fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    #[tokio::test]
    async fn spans_carry_operation_table_rows_duration_and_error() {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let rows = spanned("find_all", Table::Users, async { Ok(vec![1, 2, 3]) }).await;
        assert_eq!(rows, Ok(vec![1, 2, 3]));
        assert_eq!(
            field(&capture, "operation").as_deref(),
            Some("\"find_all\"")
        );
        assert_eq!(field(&capture, "table").as_deref(), Some("\"users\""));
        assert_eq!(field(&capture, "rows").as_deref(), Some("3"));
        assert!(field(&capture, "duration_us").is_some());
        let failed: StoreResult<u64> = spanned("count", Table::Functions, async {
            Err(StoreError::internal("boom"))
        })
        .await;
        assert!(failed.is_err());
        assert_eq!(
            field(&capture, "error").as_deref(),
            Some("internal store error: boom")
        );
    }

    #[tokio::test]
    async fn without_a_subscriber_the_call_just_runs() {
        assert_eq!(
            spanned("exists", Table::Users, async { Ok(true) }).await,
            Ok(true)
        );
    }
}
