//! Case-insensitive lookups on e-mail and names are index scans on PostgreSQL: the statement
//! shapes the adapter sends (pinned by the unit test in `adapters-postgres/src/sql_ci.rs`),
//! prepared with a parameter as the driver does, use the expression indexes of migration
//! `m20251203_000011_case_insensitive_indexes`, also after the plan cache has had the
//! statement executed more than five times (when PostgreSQL may switch to a generic plan).

use containerpub_tests::pg::TestDatabase;
use sqlx::{AssertSqlSafe, Executor, Row};

/// (table, column, an `=` parameter, a `LIKE` parameter, the index that must serve both).
#[rustfmt::skip]
const LOOKUPS: [(&str, &str, &str, &str, &str); 3] = [
    ("users", "email", "user-1234@example.com", "user-1234@%", "users_email_ci_idx"),
    ("organizations", "name", "org 1234", "org 1234%", "organizations_name_ci_idx"),
    ("functions", "name", "fn-1234", "fn-1234%", "functions_name_ci_idx"),
];

/// The two statements the adapter sends for a case-insensitive lookup on `table.column`,
/// `=` and `LIKE`, each with its parameter and the index that must serve it.
fn statements() -> Vec<(String, &'static str, &'static str)> {
    LOOKUPS
        .iter()
        .flat_map(|&(table, column, equal, like, index)| {
            let lowered = format!(r#""{table}"."{column}" COLLATE "C""#);
            let select = format!(r#"SELECT "{table}"."id" FROM "{table}" WHERE lower({lowered})"#);
            [
                (format!("{select} = $1"), equal, index),
                (format!(r"{select} LIKE $1 ESCAPE '\'"), like, index),
            ]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_insensitive_lookups_use_the_expression_indexes() {
    let db = TestDatabase::new().await;
    db.execute(
        "INSERT INTO users (email) SELECT 'user-' || i || '@example.com' FROM generate_series(1, 5000) i;
         INSERT INTO organizations (name, owner_id)
           SELECT 'Org ' || i, u.uuid FROM generate_series(1, 5000) i JOIN users u ON u.id = i;
         INSERT INTO functions (user_id, name) SELECT i, 'Fn-' || i FROM generate_series(1, 5000) i;
         ANALYZE users; ANALYZE organizations; ANALYZE functions;",
    )
    .await;
    let mut conn = db.connect().await;
    for (n, (sql, param, index)) in statements().iter().enumerate() {
        conn.execute(AssertSqlSafe(format!("PREPARE lookup{n}(text) AS {sql}")))
            .await
            .expect("prepare");
        for run in 1..=8 {
            // The statements and parameters are this file's constants.
            let rows = sqlx::query(AssertSqlSafe(format!(
                "EXPLAIN (COSTS OFF) EXECUTE lookup{n}('{param}')"
            )))
            .fetch_all(&mut conn)
            .await
            .expect("explain");
            let plan: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            let plan = plan.join("\n");
            assert!(
                plan.contains(&format!("Index Scan using {index}"))
                    || plan.contains(&format!("Bitmap Index Scan on {index}"))
                    || plan.contains(&format!("Index Only Scan using {index}")),
                "run {run} of {sql} with {param}:\n{plan}"
            );
            assert!(!plan.contains("Seq Scan"), "{plan}");
        }
        // And the statement finds the one row it should.
        let found = sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(param)
            .fetch_all(&mut conn)
            .await
            .expect("run");
        assert_eq!(found.len(), 1, "{sql} with {param}");
    }
    drop(conn);
    db.drop_db().await;
}
