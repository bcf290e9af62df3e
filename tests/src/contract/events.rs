//! `function_logs` and `function_invocations`: appends, time-range reads, retention, batch
//! atomicity, statistics.

use containerpub_domain::{
    FunctionId, FunctionStats, Invocation, InvocationId, InvocationPatch, InvocationStatus,
    LogEntry, LogId, LogLevel, LogPatch, NewInvocation, NewLog, Timestamp,
};
use containerpub_ports::support::Keyset;
use containerpub_ports::{
    Filter, ForeignKey, InvocationField, InvocationKey, InvocationStore, KeysetRequest, LogField,
    LogKey, LogQuery, LogStore, Query, UniqueKey, Upserted, Window,
};

use super::seed::{at, at_micros, conflict, function, missing, ms, text, user};
use super::surface::{Spec, check};
use super::{ContractStore, Fixture};

fn stored_log(new: &NewLog, id: LogId, now: Timestamp) -> LogEntry {
    LogEntry {
        id,
        uuid: new.uuid,
        function_id: new.function_id,
        level: new.level,
        message: new.message.clone(),
        timestamp: new.timestamp.unwrap_or(now),
    }
}

fn stored_invocation(new: &NewInvocation, id: InvocationId, now: Timestamp) -> Invocation {
    Invocation {
        id,
        uuid: new.uuid,
        function_id: new.function_id,
        status: new.status,
        duration_ms: new.duration_ms,
        error: new.error.clone(),
        timestamp: new.timestamp.unwrap_or(now),
    }
}

fn log(function_id: FunctionId, level: LogLevel, message: &str) -> NewLog {
    NewLog::new(function_id, level, text(message))
}

/// A small deterministic pseudo-random generator (xorshift64), so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generic surface of `function_logs`.
pub async fn logs_generic<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let news: Vec<NewLog> = (0..5)
        .map(|i| {
            let new = log(f.id, LogLevel::ALL[i % 4], &format!("line {i}"));
            if i % 2 == 0 {
                new.at(at(-100 - i as i64))
            } else {
                new
            }
        })
        .collect();
    let store: &dyn LogStore = fx.db.logs();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_log(new, id, now),
            patch: LogPatch {
                level: Some(LogLevel::Error),
                message: Some(text("patched")),
            },
            expect_update: &|before, _| LogEntry {
                level: LogLevel::Error,
                message: text("patched"),
                ..before.clone()
            },
        },
    )
    .await;
}

/// `for_function`: one function's logs, oldest or newest first, in a time range
/// `[from, until)`, of one level; a keyset walk; the same as `find_window` with
/// `LogQuery::to_filter_and_sort`; bad limits and cursors.
#[allow(clippy::too_many_lines)]
pub async fn logs_for_function<U: ContractStore>(fx: Fixture<U>) {
    let logs = fx.db.logs();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let seconds = [5, 1, 3, 3, 0, 9, 7, 3, 2, 8, 6, 4, 3, 7];
    let news: Vec<NewLog> = seconds
        .iter()
        .enumerate()
        .map(|(i, s)| log(f.id, LogLevel::ALL[i % 4], &format!("f {i}")).at(at(*s)))
        .collect();
    let rows = logs.insert_many(news).await.expect("insert_many");
    let other: Vec<NewLog> = (1..=3)
        .map(|s| log(g.id, LogLevel::Error, "g").at(at(s)))
        .collect();
    assert_eq!(logs.append(other).await, Ok(3));

    let oldest_first = {
        let mut v = rows.clone();
        v.sort_by_key(|l| (l.timestamp, l.id));
        v
    };
    let newest_first = {
        let mut v = rows.clone();
        v.sort_by_key(|l| std::cmp::Reverse((l.timestamp, l.id)));
        v
    };
    let everything = |query: LogQuery| async move {
        logs.for_function(query, KeysetRequest::first(100))
            .await
            .expect("for_function")
    };
    let whole = |items: Vec<LogEntry>| Window { items, next: None };

    let q = LogQuery::for_function(f.id);
    assert_eq!(everything(q.clone()).await, whole(oldest_first.clone()));
    let q_desc = LogQuery {
        newest_first: true,
        ..q.clone()
    };
    assert_eq!(
        everything(q_desc.clone()).await,
        whole(newest_first.clone())
    );

    // [from, until): from inclusive, until exclusive.
    let ranged = LogQuery {
        from: Some(at(3)),
        until: Some(at(7)),
        ..q.clone()
    };
    let in_range: Vec<LogEntry> = oldest_first
        .iter()
        .filter(|l| l.timestamp >= at(3) && l.timestamp < at(7))
        .cloned()
        .collect();
    assert_eq!(in_range.len(), 7);
    assert_eq!(everything(ranged.clone()).await, whole(in_range.clone()));
    let errors_in_range = LogQuery {
        level: Some(LogLevel::Error),
        ..ranged.clone()
    };
    let expected: Vec<LogEntry> = in_range
        .iter()
        .filter(|l| l.level == LogLevel::Error)
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(everything(errors_in_range).await, whole(expected));
    let warns = LogQuery {
        level: Some(LogLevel::Warn),
        newest_first: true,
        ..q.clone()
    };
    let expected: Vec<LogEntry> = newest_first
        .iter()
        .filter(|l| l.level == LogLevel::Warn)
        .cloned()
        .collect();
    assert_eq!(everything(warns).await, whole(expected));
    let empty_range = LogQuery {
        from: Some(at(7)),
        until: Some(at(7)),
        ..q.clone()
    };
    assert_eq!(everything(empty_range).await, whole(vec![]));
    assert_eq!(
        everything(LogQuery::for_function(FunctionId::new(999_999))).await,
        whole(vec![])
    );

    // A keyset walk, newest first, four rows at a time; the same as find_window.
    let mut walked = Vec::new();
    let mut request = KeysetRequest::first(4);
    loop {
        let window = logs
            .for_function(q_desc.clone(), request.clone())
            .await
            .expect("for_function");
        let (filter, sort) = q_desc.to_filter_and_sort(f.id);
        assert_eq!(
            logs.find_window(filter, sort, request.clone()).await,
            Ok(window.clone()),
            "for_function is find_window with to_filter_and_sort"
        );
        walked.extend(window.items);
        match window.next {
            Some(next) => request = KeysetRequest::after(next, 4),
            None => break,
        }
    }
    assert_eq!(walked, newest_first);

    // Bad requests.
    let first = logs
        .for_function(q.clone(), KeysetRequest::first(2))
        .await
        .expect("first window");
    let cursor = first.next.expect("more rows");
    for (query, request) in [
        (q.clone(), KeysetRequest::first(0)),
        (
            q.clone(),
            KeysetRequest::first(containerpub_ports::MAX_PAGE_SIZE + 1),
        ),
        // The cursor of the oldest-first query, used newest first or with another range.
        (q_desc.clone(), KeysetRequest::after(cursor.clone(), 2)),
        (ranged.clone(), KeysetRequest::after(cursor.clone(), 2)),
        (
            q.clone(),
            KeysetRequest::after(containerpub_ports::Cursor::from_string("AAAA"), 2),
        ),
    ] {
        let (filter, sort) = query.to_filter_and_sort(f.id);
        let expected = Keyset::plan(&filter, &sort, &request).expect_err("a bad request");
        assert_eq!(logs.for_function(query, request).await, Err(expected));
    }
    let resumed = logs
        .for_function(q, KeysetRequest::after(cursor, 100))
        .await
        .expect("resume");
    assert_eq!(resumed, whole(oldest_first[2..].to_vec()));
}

/// `append` (count, default time, empty batch, errors writing nothing) and
/// `delete_older_than` (strictly older rows of every function).
pub async fn logs_append_and_retention<U: ContractStore>(fx: Fixture<U>) {
    let logs = fx.db.logs();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;

    let t = fx.tick();
    let batch = vec![
        log(f.id, LogLevel::Info, "started"),
        log(g.id, LogLevel::Warn, "slow").at(at(-100)),
    ];
    assert_eq!(logs.append(batch.clone()).await, Ok(2));
    let rows = logs.find_all(Query::new()).await.expect("find_all");
    let expected: Vec<LogEntry> = batch
        .iter()
        .zip(&rows)
        .map(|(new, row)| stored_log(new, row.id, t))
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(
        rows[0].timestamp, t,
        "the store's clock when no time is given"
    );
    assert_eq!(logs.append(vec![]).await, Ok(0));

    // Errors: nothing of the batch is written.
    assert_eq!(
        logs.append(vec![
            log(f.id, LogLevel::Info, "ok"),
            log(FunctionId::new(999_999), LogLevel::Info, "orphan"),
        ])
        .await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(1))
    );
    let dup = NewLog {
        uuid: rows[0].uuid,
        ..log(f.id, LogLevel::Info, "dup")
    };
    assert_eq!(
        logs.append(vec![log(f.id, LogLevel::Info, "ok"), dup])
            .await,
        Err(conflict(UniqueKey::LogsUuid).at_index(1))
    );
    let twice = log(f.id, LogLevel::Info, "twice");
    assert_eq!(
        logs.append(vec![twice.clone(), twice]).await,
        Err(conflict(UniqueKey::LogsUuid).at_index(1)),
        "a duplicate inside the batch names its later occurrence"
    );
    assert_eq!(logs.find_all(Query::new()).await, Ok(rows));

    // Retention: strictly older than the cutoff, whatever the function.
    let mut retained = Vec::new();
    for (s, function_id) in [(-50, f.id), (0, f.id), (0, g.id), (10, g.id), (-1, g.id)] {
        let entry = logs
            .insert(log(function_id, LogLevel::Debug, "r").at(at(s)))
            .await
            .expect("insert");
        if s >= 0 {
            retained.push(entry);
        }
    }
    assert_eq!(logs.delete_older_than(Timestamp::MIN).await, Ok(0));
    // Older than T0: -100, -50 and -1 (the row stamped at T0 + 1 s stays, as those at T0).
    assert_eq!(logs.delete_older_than(at(0)).await, Ok(3));
    assert_eq!(logs.delete_older_than(at(0)).await, Ok(0));
    let left = logs
        .find_all(Query::new().order_by(LogField::Id.asc()))
        .await
        .expect("find_all");
    assert!(left.iter().all(|l| l.timestamp >= at(0)));
    assert_eq!(left.len(), retained.len() + 1);
    assert_eq!(logs.delete_older_than(Timestamp::MAX).await, Ok(4));
    assert_eq!(logs.count(Filter::All).await, Ok(0));
}

/// Batches are all or nothing across statement chunks: a 20,000-row `append` whose row
/// 15,000 references a missing function writes nothing (and its ids are gone for good);
/// the first failing statement decides the error.
pub async fn logs_batch_atomicity<U: ContractStore>(fx: Fixture<U>) {
    let logs = fx.db.logs();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let batch = |n: usize| -> Vec<NewLog> {
        (0..n)
            .map(|i| log(f.id, LogLevel::Info, &format!("line {i}")).at(at_micros(i as i64)))
            .collect()
    };

    let mut rows = batch(20_000);
    rows[15_000].function_id = FunctionId::new(999_999);
    assert_eq!(
        logs.append(rows).await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(15_000))
    );
    assert_eq!(logs.count(Filter::All).await, Ok(0));
    let mut rows = batch(6_000);
    rows[5_500].function_id = FunctionId::new(999_999);
    assert_eq!(
        logs.insert_many(rows).await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(5_500))
    );
    assert_eq!(logs.count(Filter::All).await, Ok(0));
    assert_eq!(logs.append(vec![]).await, Ok(0));
    assert_eq!(logs.insert_many(vec![]).await, Ok(vec![]));

    // Every row the failed statements attempted took an id: 4 x 5,000, then 5,000 + 1,000.
    let next = logs
        .insert(log(f.id, LogLevel::Info, "after"))
        .await
        .expect("insert");
    assert_eq!(next.id, LogId::new(26_001));

    // A whole good batch.
    assert_eq!(logs.append(batch(20_000)).await, Ok(20_000));
    assert_eq!(logs.count(Filter::All).await, Ok(20_001));
    let last = logs
        .find_one(Query::new().order_by(LogField::Id.desc()))
        .await
        .expect("find_one")
        .expect("a row");
    assert_eq!(last.id, LogId::new(46_001));
    assert_eq!(last.message.as_str(), "line 19999");

    // Which error: within one statement, unique keys before foreign keys; across
    // statements, the first failing statement.
    let existing = next.uuid;
    let mut rows = batch(10);
    rows[0].function_id = FunctionId::new(999_999);
    rows[3].uuid = existing;
    assert_eq!(
        logs.append(rows).await,
        Err(conflict(UniqueKey::LogsUuid).at_index(3))
    );
    let mut rows = batch(5_001);
    rows[0].function_id = FunctionId::new(999_999);
    rows[5_000].uuid = existing;
    assert_eq!(
        logs.append(rows).await,
        Err(missing(ForeignKey::LogsFunctionId).at_index(0))
    );
    assert_eq!(logs.count(Filter::All).await, Ok(20_001));
}

/// The generic surface of `function_invocations`.
pub async fn invocations_generic<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let news: Vec<NewInvocation> = (0..5)
        .map(|i| {
            let new = NewInvocation {
                error: (i % 2 == 1).then(|| text("boom")),
                ..NewInvocation::new(
                    f.id,
                    InvocationStatus::ALL[i % 3],
                    ms(i32::try_from(i).expect("small") * 100),
                )
            };
            if i == 2 { new.at(at(-7)) } else { new }
        })
        .collect();
    let store: &dyn InvocationStore = fx.db.invocations();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_invocation(new, id, now),
            patch: InvocationPatch {
                status: Some(InvocationStatus::Timeout),
                duration_ms: Some(ms(30_000)),
                error: Some(None),
            },
            expect_update: &|before, _| Invocation {
                status: InvocationStatus::Timeout,
                duration_ms: ms(30_000),
                error: None,
                ..before.clone()
            },
        },
    )
    .await;
}

/// `record` and `record_many`: rows as stored, default time, counts, errors writing
/// nothing; upserts on uuid (status, duration, error and time from the input).
pub async fn invocations_record<U: ContractStore>(fx: Fixture<U>) {
    let invocations = fx.db.invocations();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;

    let t = fx.tick();
    let new = NewInvocation::new(f.id, InvocationStatus::Success, ms(120));
    let first = invocations.record(new.clone()).await.expect("record");
    assert_eq!(first, stored_invocation(&new, first.id, t));
    let new = NewInvocation {
        error: Some(text("boom")),
        ..NewInvocation::new(g.id, InvocationStatus::Error, ms(0))
    }
    .at(at(-5));
    let second = invocations.record(new.clone()).await.expect("record");
    assert_eq!(second, stored_invocation(&new, second.id, t));
    assert_eq!(second.timestamp, at(-5));

    let batch: Vec<NewInvocation> = (0..3)
        .map(|i| NewInvocation::new(f.id, InvocationStatus::Timeout, ms(1_000 * i)))
        .collect();
    assert_eq!(invocations.record_many(batch).await, Ok(3));
    assert_eq!(invocations.record_many(vec![]).await, Ok(0));
    assert_eq!(invocations.count(Filter::All).await, Ok(5));

    let before = invocations.find_all(Query::new()).await.expect("find_all");
    let orphan = NewInvocation::new(FunctionId::new(999_999), InvocationStatus::Success, ms(1));
    let dup = NewInvocation {
        uuid: first.uuid,
        ..NewInvocation::new(f.id, InvocationStatus::Success, ms(1))
    };
    let fine = NewInvocation::new(f.id, InvocationStatus::Success, ms(1));
    assert_eq!(
        invocations.record(orphan.clone()).await,
        Err(missing(ForeignKey::InvocationsFunctionId))
    );
    assert_eq!(
        invocations.record(dup.clone()).await,
        Err(conflict(UniqueKey::InvocationsUuid))
    );
    assert_eq!(
        invocations.record_many(vec![fine.clone(), orphan]).await,
        Err(missing(ForeignKey::InvocationsFunctionId).at_index(1))
    );
    assert_eq!(
        invocations.record_many(vec![fine.clone(), dup]).await,
        Err(conflict(UniqueKey::InvocationsUuid).at_index(1))
    );
    assert_eq!(
        invocations.record_many(vec![fine.clone(), fine]).await,
        Err(conflict(UniqueKey::InvocationsUuid).at_index(1))
    );
    assert_eq!(invocations.find_all(Query::new()).await, Ok(before));

    // Upsert on the uuid: the function and the id stay; the rest (time: the input's or
    // now) comes from the input.
    let t = fx.tick();
    let input = NewInvocation {
        error: Some(text("late")),
        ..NewInvocation::new(g.id, InvocationStatus::Timeout, ms(9_999))
    };
    let input = NewInvocation {
        uuid: first.uuid,
        ..input
    };
    let updated = Invocation {
        status: InvocationStatus::Timeout,
        duration_ms: ms(9_999),
        error: Some(text("late")),
        timestamp: t,
        ..first.clone()
    };
    assert_eq!(
        invocations.upsert(input, InvocationKey::Uuid).await,
        Ok(Upserted::Updated(updated.clone()))
    );
    assert_eq!(invocations.find_by_id(first.id).await, Ok(Some(updated)));
    assert_eq!(
        invocations
            .upsert(
                NewInvocation::new(FunctionId::new(999_999), InvocationStatus::Success, ms(1)),
                InvocationKey::Uuid
            )
            .await,
        Err(missing(ForeignKey::InvocationsFunctionId))
    );
    let new = NewInvocation::new(g.id, InvocationStatus::Success, ms(7)).at(at(-9));
    match invocations.upsert(new.clone(), InvocationKey::Uuid).await {
        Ok(Upserted::Inserted(row)) => assert_eq!(row, stored_invocation(&new, row.id, t)),
        other => panic!("expected Inserted, got {other:?}"),
    }
    // Log upserts follow the same rule.
    let logs = fx.db.logs();
    let entry = logs
        .insert(log(f.id, LogLevel::Info, "v1").at(at(-3)))
        .await
        .expect("insert");
    let t = fx.tick();
    let replacement = NewLog {
        uuid: entry.uuid,
        ..log(g.id, LogLevel::Error, "v2")
    };
    assert_eq!(
        logs.upsert(replacement, LogKey::Uuid).await,
        Ok(Upserted::Updated(LogEntry {
            level: LogLevel::Error,
            message: text("v2"),
            timestamp: t,
            ..entry
        }))
    );
}

/// The statistics a brute-force computation gives: counts per status, the mean as `sum /
/// count`, the maximum, and continuous percentiles (linear interpolation between the two
/// nearest ranks of the sorted durations, as PostgreSQL's `percentile_cont` in `float8`).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn brute_force_stats(
    function_id: FunctionId,
    since: Timestamp,
    rows: &[(InvocationStatus, i32, Timestamp)],
) -> FunctionStats {
    let window: Vec<&(InvocationStatus, i32, Timestamp)> =
        rows.iter().filter(|r| r.2 >= since).collect();
    let mut durations: Vec<i32> = window.iter().map(|r| r.1).collect();
    durations.sort_unstable();
    let count = |status: InvocationStatus| window.iter().filter(|r| r.0 == status).count() as u64;
    let percentile = |fraction: f64| -> Option<f64> {
        let n = durations.len();
        if n == 0 {
            return None;
        }
        let position = fraction * (n - 1) as f64;
        let below = position.floor();
        let above = position.ceil();
        let low = f64::from(durations[below as usize]);
        if below == above {
            return Some(low);
        }
        let high = f64::from(durations[above as usize]);
        Some(low + (high - low) * (position - below))
    };
    let sum: i64 = durations.iter().map(|&d| i64::from(d)).sum();
    let total = durations.len() as u64;
    FunctionStats {
        function_id,
        since,
        total,
        success: count(InvocationStatus::Success),
        error: count(InvocationStatus::Error),
        timeout: count(InvocationStatus::Timeout),
        avg_duration_ms: (total > 0).then(|| sum as f64 / total as f64),
        max_duration_ms: durations.last().copied(),
        p50_duration_ms: percentile(0.5),
        p95_duration_ms: percentile(0.95),
        p99_duration_ms: percentile(0.99),
    }
}

fn assert_sane(stats: &FunctionStats) {
    if let (Some(p50), Some(p95), Some(p99), Some(max)) = (
        stats.p50_duration_ms,
        stats.p95_duration_ms,
        stats.p99_duration_ms,
        stats.max_duration_ms,
    ) {
        assert!(
            p50 <= p95 && p95 <= p99 && p99 <= f64::from(max),
            "{stats:?}"
        );
    }
    assert_eq!(stats.total, stats.success + stats.error + stats.timeout);
}

/// `stats` over 1,000 pseudo-random invocations (durations with ties, zero and `i32::MAX`,
/// times with ties and on the boundary) equals a brute-force computation, for several
/// `since` values; other functions' invocations are left out.
pub async fn invocations_stats_match_brute_force<U: ContractStore>(fx: Fixture<U>) {
    let invocations = fx.db.invocations();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rows = Vec::new();
    for i in 0..1_000 {
        let status = InvocationStatus::ALL[usize::try_from(rng.below(3)).expect("small")];
        let duration = match i {
            0 => 0,
            1 | 2 => i32::MAX,
            _ => i32::try_from(rng.below(5_000)).expect("small"),
        };
        let when = match i {
            3 => at(300),
            4 => at_micros(300_000_000 - 1),
            _ => at(i64::try_from(rng.below(1_000)).expect("small")),
        };
        rows.push((status, duration, when));
    }
    let news: Vec<NewInvocation> = rows
        .iter()
        .map(|(status, duration, when)| NewInvocation::new(f.id, *status, ms(*duration)).at(*when))
        .collect();
    assert_eq!(invocations.record_many(news).await, Ok(1_000));
    let noise: Vec<NewInvocation> = (0..50)
        .map(|i| {
            NewInvocation::new(g.id, InvocationStatus::Error, ms(7 * i)).at(at(i64::from(i) * 20))
        })
        .collect();
    assert_eq!(invocations.record_many(noise).await, Ok(50));

    for since in [
        Timestamp::MIN,
        at(0),
        at(300),
        at_micros(300_000_000 - 1),
        at_micros(300_000_001),
        at(999),
        at(1_000),
    ] {
        let expected = brute_force_stats(f.id, since, &rows);
        let got = invocations
            .stats(f.id.into(), since)
            .await
            .expect("stats")
            .expect("the function exists");
        assert_eq!(got, expected, "since {since}");
        assert_sane(&got);
    }
    let all = invocations
        .stats(f.id.into(), Timestamp::MIN)
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(all.total, 1_000);
    assert_eq!(all.max_duration_ms, Some(i32::MAX));
}

/// `stats` edges: no invocations (every figure `None`), a missing function (`None`), `since`
/// inclusive to the microsecond, a single invocation.
pub async fn invocations_stats_edges<U: ContractStore>(fx: Fixture<U>) {
    let invocations = fx.db.invocations();
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let h = function(&fx.db, &owner, "h").await;
    let empty = |function_id: FunctionId, since: Timestamp| FunctionStats {
        function_id,
        since,
        total: 0,
        success: 0,
        error: 0,
        timeout: 0,
        avg_duration_ms: None,
        max_duration_ms: None,
        p50_duration_ms: None,
        p95_duration_ms: None,
        p99_duration_ms: None,
    };
    assert_eq!(
        invocations.stats(f.id.into(), at(0)).await,
        Ok(Some(empty(f.id, at(0))))
    );
    let nobody = FunctionId::new(999_999);
    assert_eq!(
        invocations.stats(nobody.into(), Timestamp::MIN).await,
        Ok(None),
        "no such function: no statistics"
    );

    let rows = [
        (InvocationStatus::Success, 100, at(10)),
        (InvocationStatus::Error, 300, at(10)),
        (InvocationStatus::Timeout, 50, at_micros(10_000_000 - 1)),
        (InvocationStatus::Success, 200, at(20)),
    ];
    for (status, duration, when) in rows {
        invocations
            .record(NewInvocation::new(h.id, status, ms(duration)).at(when))
            .await
            .expect("record");
    }
    let at_boundary = invocations
        .stats(h.id.into(), at(10))
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(at_boundary, brute_force_stats(h.id, at(10), &rows));
    assert_eq!(
        (
            at_boundary.total,
            at_boundary.success,
            at_boundary.error,
            at_boundary.timeout
        ),
        (3, 2, 1, 0),
        "since is inclusive"
    );
    assert_eq!(at_boundary.avg_duration_ms, Some(200.0));
    assert_eq!(at_boundary.max_duration_ms, Some(300));
    assert_eq!(at_boundary.p50_duration_ms, Some(200.0));
    let before = invocations
        .stats(h.id.into(), at_micros(10_000_000 - 1))
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(before.total, 4);
    assert_eq!(
        before,
        brute_force_stats(h.id, at_micros(10_000_000 - 1), &rows)
    );
    let single = invocations
        .stats(h.id.into(), at_micros(10_000_001))
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(
        single,
        FunctionStats {
            total: 1,
            success: 1,
            avg_duration_ms: Some(200.0),
            max_duration_ms: Some(200),
            p50_duration_ms: Some(200.0),
            p95_duration_ms: Some(200.0),
            p99_duration_ms: Some(200.0),
            ..empty(h.id, at_micros(10_000_001))
        }
    );
    assert_eq!(
        invocations.stats(h.id.into(), at_micros(20_000_001)).await,
        Ok(Some(empty(h.id, at_micros(20_000_001))))
    );
    // Stats read the rows as they are now: updated durations change the figures.
    invocations
        .update_where(
            InvocationField::FunctionId.eq(h.id),
            InvocationPatch {
                duration_ms: Some(ms(1)),
                ..InvocationPatch::default()
            },
        )
        .await
        .expect("update_where");
    let flat = invocations
        .stats(h.id.into(), Timestamp::MIN)
        .await
        .expect("stats")
        .expect("the function exists");
    assert_eq!(
        (flat.total, flat.avg_duration_ms, flat.p99_duration_ms),
        (4, Some(1.0), Some(1.0))
    );
}
