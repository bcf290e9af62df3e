//! One-off measurement: listing functions whose `analysis_result` is ~100 kB,
//! whole rows (`find_all`) against a projection of the listing columns (`select`), on
//! PostgreSQL (a fresh test database, dropped at the end).
//!
//! ```text
//! cargo run --release -p containerpub-tests --example projection_measure [ROWS] [ROUNDS]
//! ```
//!
//! Defaults: 10,000 rows, 5 rounds (each round: both reads, alternating which goes first).
//! Prints the median time of each side and their ratio. Nothing is asserted.

use std::time::{Duration, Instant};

use containerpub_ports::{FunctionField, Query, Stores};
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(10_000, |a| a.parse().expect("ROWS"));
    let rounds: usize = args.next().map_or(5, |a| a.parse().expect("ROUNDS"));
    let db = TestDatabase::new().await;
    let seeding = Instant::now();
    // 100,000 characters of md5 hex per row (incompressible enough that TOAST cannot shrink
    // it to nothing), as the JSON object {"blob": "..."}.
    db.execute(&format!(
        "INSERT INTO users (email) VALUES ('owner@example.com');
         INSERT INTO functions (user_id, name, analysis_result)
           SELECT 1, 'fn-' || i,
                  jsonb_build_object('blob',
                    (SELECT string_agg(md5(i::text || '-' || j::text), '')
                       FROM generate_series(1, 3125) j))
             FROM generate_series(1, {rows}) i;
         ANALYZE functions;"
    ))
    .await;
    eprintln!("seeded {rows} rows in {:.1?}", seeding.elapsed());
    let store = PgStore::connect(PgConfig::new(db.url()))
        .await
        .expect("connect");
    let fields = vec![
        FunctionField::Id,
        FunctionField::Uuid,
        FunctionField::Name,
        FunctionField::Status,
        FunctionField::CreatedAt,
        FunctionField::UpdatedAt,
    ];
    let (mut whole, mut projected) = (Vec::new(), Vec::new());
    for round in 0..=rounds {
        for first_whole in [round % 2 == 0, round % 2 != 0] {
            let start = Instant::now();
            if first_whole {
                let all = store
                    .functions()
                    .find_all(Query::new())
                    .await
                    .expect("find_all");
                assert_eq!(all.len(), rows);
                if round > 0 {
                    whole.push(start.elapsed());
                }
            } else {
                let all = store
                    .functions()
                    .select(Query::new(), fields.clone())
                    .await
                    .expect("select");
                assert_eq!(all.len(), rows);
                if round > 0 {
                    projected.push(start.elapsed());
                }
            }
        }
    }
    let (w, p) = (median(whole), median(projected));
    println!(
        "rows={rows} rounds={rounds} find_all_median={w:.1?} select_median={p:.1?} ratio={:.1}",
        w.as_secs_f64() / p.as_secs_f64()
    );
    store.close().await;
    db.drop_db().await;
}
