//! The in-memory store (`containerpub_memory::MemoryStore`), awaited on the current-thread
//! runtime [`super::run`] builds (one thread).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use containerpub_domain::{NewUser, User, Uuid};
use containerpub_memory::MemoryStore;
use containerpub_ports::{Stores, Transaction, UnitOfWork};
use containerpub_tests::fixture::numbered_user;

use super::pg::series_measurement;
use super::report::{Measurement, Target, round3};
use super::{Rng, Sizes, insert_series_batch, interleave, interleave_ops, median, ns_per_op};

/// `memory_scale_ratio`: the store's 1k -> large lookup slowdown over a plain `HashMap`'s
/// slowdown measured in the same run.
const SCALE_TARGET: Target = Target::AtMost(1.3);
/// `memory_begin_scale_ratio`: the begin+insert+commit slowdown over a `HashMap`
/// insert+remove slowdown measured in the same run.
const BEGIN_SCALE_TARGET: Target = Target::AtMost(1.0);

/// The measurements this module produces (failed ones are reported if loading fails).
const NAMES: &[(&str, &str, Target)] = &[
    ("memory_lookup_ratio", "ratio", Target::AtMost(2.0)),
    ("memory_scale_ratio", "ratio", SCALE_TARGET),
    ("memory_begin_scale_ratio", "ratio", BEGIN_SCALE_TARGET),
];

/// Runs every in-memory measurement.
pub(crate) async fn run(sizes: &Sizes, out: &mut Vec<Measurement>) {
    out.push(lookup_ratio(sizes).await);
    eprintln!("memory: lookup pair done");
    if let Err(e) = scale(sizes, out).await {
        for (name, unit, target) in NAMES {
            if !out.iter().any(|m| m.name == *name) {
                out.push(Measurement::failed(name, unit, *target, e.clone()));
            }
        }
    }
}

/// Inserts users `from..to` with `insert_many` in chunks of `chunk` (as a caller loading a
/// table would); returns them as stored and the time the calls took.
async fn load(
    store: &MemoryStore,
    tag: &str,
    from: usize,
    to: usize,
    chunk: usize,
) -> Result<(Vec<User>, Duration), String> {
    let mut users = Vec::with_capacity(to.saturating_sub(from));
    let mut spent = Duration::ZERO;
    let mut start = from;
    while start < to {
        let end = (start + chunk.max(1)).min(to);
        let batch: Vec<NewUser> = (start..end).map(|n| numbered_user(tag, n)).collect();
        let t = Instant::now();
        let stored = store
            .users()
            .insert_many(batch)
            .await
            .map_err(|e| format!("insert_many: {e}"))?;
        spent += t.elapsed();
        users.extend(stored);
        start = end;
    }
    Ok((users, spent))
}

/// `count` lookups of uuids drawn from `uuids`; ns per lookup.
async fn lookups(store: &MemoryStore, order: &[Uuid]) -> Result<f64, String> {
    let t = Instant::now();
    for &u in order {
        let user = store
            .users()
            .find_by_uuid(u)
            .await
            .map_err(|e| format!("find_by_uuid: {e}"))?;
        black_box(user.ok_or("find_by_uuid found no row")?);
    }
    Ok(ns_per_op(t, order.len()))
}

/// One begin + insert + commit cycle (user `cycle-<n>`); returns its time and adds the time of
/// each step to `steps` (begin, insert, commit). The row is deleted again (untimed), so the
/// table keeps its size.
async fn begin_cycle(
    store: &MemoryStore,
    n: usize,
    steps: &mut [Duration; 3],
) -> Result<Duration, String> {
    let new = numbered_user("cycle-", n);
    let t0 = Instant::now();
    let tx = store.begin().await.map_err(|e| format!("begin: {e}"))?;
    let t1 = Instant::now();
    let user = tx
        .users()
        .insert(new)
        .await
        .map_err(|e| format!("insert: {e}"))?;
    let t2 = Instant::now();
    tx.commit().await.map_err(|e| format!("commit: {e}"))?;
    let t3 = Instant::now();
    steps[0] += t1 - t0;
    steps[1] += t2 - t1;
    steps[2] += t3 - t2;
    store
        .users()
        .delete_by_id(user.id)
        .await
        .map_err(|e| format!("delete_by_id: {e}"))?;
    Ok(t3 - t0)
}

/// `HashMap` get + clone of every uuid in `order`; ns per lookup.
fn map_lookups(map: &HashMap<Uuid, User>, order: &[Uuid]) -> Result<f64, String> {
    let t = Instant::now();
    for u in order {
        let user = map.get(u).cloned();
        black_box(user.ok_or("HashMap has no entry")?);
    }
    Ok(ns_per_op(t, order.len()))
}

/// `n` inserts of a copy of `template` under a fresh uuid into `map`, each removed again
/// (so the map keeps its size); ns per insert + remove. The uuids are drawn before timing.
fn map_writes(map: &mut HashMap<Uuid, User>, template: &User, n: usize) -> f64 {
    let uuids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
    let t = Instant::now();
    for &uuid in &uuids {
        let mut user = template.clone();
        user.uuid = uuid;
        map.insert(uuid, user);
        black_box(map.remove(&uuid));
    }
    ns_per_op(t, n)
}

/// `memory_lookup_ratio`: `find_by_uuid` through the async port over a `HashMap` get + clone.
async fn lookup_ratio(sizes: &Sizes) -> Measurement {
    const NAME: &str = "memory_lookup_ratio";
    let target = Target::AtMost(2.0);
    let store = MemoryStore::new();
    let users = match load(
        &store,
        "user",
        0,
        sizes.memory_users,
        sizes.memory_load_chunk,
    )
    .await
    {
        Ok((users, _)) => users,
        Err(e) => return Measurement::failed(NAME, "ratio", target, e),
    };
    let uuids: Vec<Uuid> = users.iter().map(|u| u.uuid).collect();
    let map: HashMap<Uuid, User> = users.into_iter().map(|u| (u.uuid, u)).collect();
    let order = Rng::new(11).sample(&uuids, sizes.memory_lookups_per_round);
    let rounds = interleave(
        sizes.memory_rounds,
        async || lookups(&store, &order).await,
        async || map_lookups(&map, &order),
    )
    .await;
    match rounds {
        Ok(r) => Measurement::new(NAME, r.ratio(), "ratio", target)
            .with_rounds(&r, "port_ns", "hashmap_ns")
            .with("port_lookups_per_s", round3(1e9 / r.a()))
            .with("hashmap_lookups_per_s", round3(1e9 / r.b()))
            .with("rows", sizes.memory_users)
            .with("lookups_per_round", sizes.memory_lookups_per_round)
            .with("rounds", sizes.memory_rounds)
            .with(
                "summary",
                format!(
                    "port {:.0} ns ({:.2} M lookups/s), HashMap get+clone {:.0} ns",
                    r.a(),
                    1e3 / r.a(),
                    r.b()
                ),
            ),
        Err(e) => Measurement::failed(NAME, "ratio", target, e),
    }
}

/// Loads the large table step by step (taking the series at each series size), then the
/// scale pairs: lookups and begin + insert + commit, large table over small.
async fn scale(sizes: &Sizes, out: &mut Vec<Measurement>) -> Result<(), String> {
    let chunk = sizes.memory_load_chunk;
    let small = MemoryStore::new();
    let (small_users, _) = load(&small, "small", 0, sizes.memory_small, chunk).await?;
    let small_uuids: Vec<Uuid> = small_users.iter().map(|u| u.uuid).collect();
    // The same entities in plain `HashMap`s: the floor of a lookup at each size.
    let small_map: HashMap<Uuid, User> = small_users.into_iter().map(|u| (u.uuid, u)).collect();
    let mut big_map: HashMap<Uuid, User> = HashMap::with_capacity(sizes.memory_large);

    let big = MemoryStore::new();
    let mut steps: Vec<usize> = sizes
        .series_sizes
        .iter()
        .copied()
        .filter(|&s| s < sizes.memory_large)
        .collect();
    steps.push(sizes.memory_large);
    let mut big_uuids: Vec<Uuid> = Vec::with_capacity(sizes.memory_large);
    let mut load_time = Duration::ZERO;
    let mut series_lookup = Vec::new();
    let mut series_insert = Vec::new();
    let mut serial = 0usize;
    for step in steps {
        let (users, spent) = load(&big, "user", big_uuids.len(), step, chunk).await?;
        load_time += spent;
        big_uuids.extend(users.iter().map(|u| u.uuid));
        big_map.extend(users.into_iter().map(|u| (u.uuid, u)));
        if !sizes.series_sizes.contains(&step) {
            continue;
        }
        let order = Rng::new(step as u64).sample(&big_uuids, sizes.series_lookups);
        let mut per_round = Vec::new();
        let mut rates = Vec::new();
        for round in 0..=sizes.rounds {
            let ns = lookups(&big, &order).await?;
            let (inserted, rate) =
                insert_series_batch(big.users(), &mut serial, sizes.series_insert_batch).await?;
            for user in inserted {
                big.users()
                    .delete_by_id(user.id)
                    .await
                    .map_err(|e| format!("delete_by_id: {e}"))?;
            }
            if round > 0 {
                per_round.push(ns / 1e3);
                rates.push(rate);
            }
        }
        series_lookup.push((step, median(&per_round)));
        series_insert.push((step, median(&rates)));
        eprintln!("memory series: {step} rows done");
    }
    if !sizes.series_sizes.is_empty() {
        out.push(series_measurement(
            "memory",
            "lookup_latency",
            "µs",
            &series_lookup,
        ));
        out.push(series_measurement(
            "memory",
            "insert_throughput",
            "rows/s",
            &series_insert,
        ));
    }
    let load_rate = sizes.memory_large as f64 / load_time.as_secs_f64();
    out.push(
        Measurement::new(
            "memory_load_rows_per_s",
            load_rate,
            "rows/s",
            Target::Report,
        )
        .with("rows", sizes.memory_large)
        .with("chunk_rows", chunk)
        .with("seconds", round3(load_time.as_secs_f64()))
        .with(
            "summary",
            format!(
                "{} users by insert_many({chunk}) in {:.1} s",
                sizes.memory_large,
                load_time.as_secs_f64()
            ),
        ),
    );

    // Lookups: large over small, against a `HashMap`'s own slowdown (the memory hierarchy's
    // share, which no design avoids).
    const SCALE: &str = "memory_scale_ratio";
    let big_order = Rng::new(21).sample(&big_uuids, sizes.memory_lookups_per_round);
    let small_order = Rng::new(22).sample(&small_uuids, sizes.memory_lookups_per_round);
    let rounds = interleave(
        sizes.memory_rounds,
        async || lookups(&big, &big_order).await,
        async || lookups(&small, &small_order).await,
    )
    .await;
    // The same lookups in `HashMap`s of the same entities, at the same two sizes.
    let floor = interleave(
        sizes.memory_rounds,
        async || map_lookups(&big_map, &big_order),
        async || map_lookups(&small_map, &small_order),
    )
    .await;
    let floor_detail = match &floor {
        Ok(f) => serde_json::json!({
            "large_ns": round3(f.a()),
            "small_ns": round3(f.b()),
            "ratio": round3(f.ratio()),
        }),
        Err(e) => serde_json::json!({ "error": e }),
    };
    let floor_ratio = floor.as_ref().map_or(f64::NAN, super::Rounds::ratio);
    out.push(match rounds {
        Ok(r) => Measurement::new(SCALE, r.ratio() / floor_ratio, "ratio", SCALE_TARGET)
            .with_rounds(&r, "large_ns", "small_ns")
            .with("port_slowdown", round3(r.ratio()))
            .with("hashmap_floor", floor_detail)
            .with("large_rows", sizes.memory_large)
            .with("small_rows", sizes.memory_small)
            .with("lookups_per_round", sizes.memory_lookups_per_round)
            .with("rounds", sizes.memory_rounds)
            .with(
                "summary",
                format!(
                    "slowdown {:.1}x ({:.0} ns at {} rows, {:.0} ns at {} rows) over HashMap get+clone's {floor_ratio:.1}x",
                    r.ratio(),
                    r.a(),
                    sizes.memory_large,
                    r.b(),
                    sizes.memory_small
                ),
            ),
        Err(e) => Measurement::failed(SCALE, "ratio", SCALE_TARGET, e),
    });
    drop(big_order);
    drop(big_uuids);

    // begin + insert + commit: large over small.
    const BEGIN: &str = "memory_begin_scale_ratio";
    let ops = sizes.memory_begin_ops_per_round;
    let (mut steps_a, mut steps_b) = ([Duration::ZERO; 3], [Duration::ZERO; 3]);
    let rounds = interleave_ops(
        sizes.rounds,
        ops,
        async |i| begin_cycle(&big, i, &mut steps_a).await,
        async |i| begin_cycle(&small, i, &mut steps_b).await,
    )
    .await
    .map(|r| r.map(|s| s * 1e9));
    // The same scale question for a plain `HashMap`: insert + remove of a new entity.
    let template = small_map.values().next().cloned();
    let write_floor = match template {
        Some(template) => {
            let n = ops * 10;
            let (mut big_map, mut small_map) = (big_map, small_map);
            interleave(
                sizes.rounds,
                async || Ok(map_writes(&mut big_map, &template, n)),
                async || Ok(map_writes(&mut small_map, &template, n)),
            )
            .await
        }
        None => Err("no template row".to_owned()),
    };
    let write_floor_detail = match &write_floor {
        Ok(f) => serde_json::json!({
            "large_ns": round3(f.a()),
            "small_ns": round3(f.b()),
            "ratio": round3(f.ratio()),
        }),
        Err(e) => serde_json::json!({ "error": e }),
    };
    let write_floor_ratio = write_floor.as_ref().map_or(f64::NAN, super::Rounds::ratio);
    let cycles = (ops * sizes.rounds.max(1) + (ops / 5).max(1)) as f64;
    let breakdown = |steps: &[Duration; 3]| {
        serde_json::json!({
            "begin_us": round3(steps[0].as_secs_f64() * 1e6 / cycles),
            "insert_us": round3(steps[1].as_secs_f64() * 1e6 / cycles),
            "commit_us": round3(steps[2].as_secs_f64() * 1e6 / cycles),
        })
    };
    out.push(match rounds {
        Ok(r) => Measurement::new(
            BEGIN,
            r.ratio() / write_floor_ratio,
            "ratio",
            BEGIN_SCALE_TARGET,
        )
        .with_rounds(&r, "large_ns", "small_ns")
        .with("port_slowdown", round3(r.ratio()))
            .with("large_rows", sizes.memory_large)
            .with("small_rows", sizes.memory_small)
            .with("cycles_per_round", ops)
            .with("large_breakdown", breakdown(&steps_a))
            .with("small_breakdown", breakdown(&steps_b))
            .with("hashmap_write_floor", write_floor_detail)
            .with(
                "summary",
                format!(
                    "slowdown {:.1}x (begin+insert+commit {:.1} µs at {} rows, {:.1} µs at {} rows) over HashMap insert+remove's {write_floor_ratio:.1}x",
                    r.ratio(),
                    r.a() / 1e3,
                    sizes.memory_large,
                    r.b() / 1e3,
                    sizes.memory_small
                ),
            ),
        Err(e) => Measurement::failed(BEGIN, "ratio", BEGIN_SCALE_TARGET, e),
    });
    Ok(())
}
