//! Issue 19, item 8 (PostgreSQL): on a database whose sessions default to
//! `standard_conforming_strings = off`, `contains` / `starts_with` and raw SQL with
//! backslashes in `'…'` literals still read as the adapter wrote them (it pins the setting on
//! its sessions).

use containerpub_domain::LogLevel;
use containerpub_domain::NewLog;
use containerpub_ports::{LogField, Stores, Value};
use containerpub_tests::fixture::{function, text, user};
use containerpub_tests::pg::TestDatabase;

use super::support::pg_store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backslashes_mean_the_same_whatever_the_database_default() {
    let test_db = TestDatabase::new().await;
    test_db
        .execute(&format!(
            "ALTER DATABASE \"{}\" SET standard_conforming_strings = off",
            test_db.name()
        ))
        .await;
    let store = pg_store(test_db.url(), 2).await;
    let owner = user(&store, "owner@example.com").await;
    let f = function(&store, &owner, "f").await;
    store
        .logs()
        .append(vec![
            NewLog::new(f.id, LogLevel::Info, text(r"C:\dir\file")),
            NewLog::new(f.id, LogLevel::Info, text(r"C:/dir/file")),
        ])
        .await
        .expect("append");
    assert_eq!(
        store
            .logs()
            .count(LogField::Message.contains(r"\dir"))
            .await,
        Ok(1)
    );
    assert_eq!(
        store
            .logs()
            .count(LogField::Message.starts_with(r"C:\"))
            .await,
        Ok(1)
    );
    assert_eq!(
        store.logs().count(LogField::Message.contains("dir")).await,
        Ok(2)
    );

    // A raw literal with a backslash, then a parameter: one parameter, bound.
    let rows = store
        .raw_query(
            r"SELECT 'a\' AS lit, @x::int4 AS x",
            &[("x", Value::Int(7))],
        )
        .await
        .expect("raw query");
    assert_eq!(rows[0].get::<String>("lit").as_deref(), Ok(r"a\"));
    assert_eq!(rows[0].get::<i32>("x"), Ok(7));
    store.close().await;
    test_db.drop_db().await;
}
