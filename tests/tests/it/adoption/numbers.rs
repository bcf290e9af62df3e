//! JSON numbers: what the domain accepts comes back from PostgreSQL's JSONB unchanged, and what
//! it rejects is exactly what JSONB would change (checked against the server).

use containerpub_domain::json::jsonb_number_text;
use containerpub_domain::{Email, EntityName, Json, NewFunction, NewUser, Rule, ValidationError};
use containerpub_memory::MemoryStore;
use containerpub_ports::Stores;
use containerpub_postgres::{PgConfig, PgStore};
use containerpub_tests::pg::TestDatabase;
use serde_json::json;

use super::scalar;

async fn round_trip<U: Stores>(db: &U, value: &serde_json::Value) -> serde_json::Value {
    let user = db
        .users()
        .insert(NewUser::new(
            Email::parse(&format!("{}@example.com", uuid::Uuid::new_v4().simple())).expect("valid"),
        ))
        .await
        .expect("user");
    let mut new = NewFunction::new(user.id, EntityName::new("name", "f").expect("valid"));
    new.analysis_result = Some(Json::new("analysis_result", value.clone()).expect("accepted"));
    let f = db.functions().insert(new).await.expect("insert");
    let read = db
        .functions()
        .find_by_id(f.id)
        .await
        .expect("read")
        .expect("present");
    read.analysis_result.expect("set").into_value()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_numbers_round_trip_and_rejected_ones_would_not() {
    let test_db = TestDatabase::new().await;
    let pg = PgStore::connect(PgConfig::new(test_db.url()).max_connections(2))
        .await
        .expect("connect");
    let memory = MemoryStore::new();
    let accepted = json!({"a": [0.1, 1e-7, 123.0, -2.5, 0.93, -1e300, 5, u64::MAX, i64::MIN]});
    for_both(&pg, &memory, &accepted).await;

    let rejected = ValidationError::new(
        "analysis_result",
        Rule::Format(containerpub_domain::json::NUMBER_RULE),
    );
    for bad in [f64::MAX, -0.0, 1e16] {
        assert_eq!(
            Json::new("analysis_result", json!([bad])),
            Err(rejected.clone()),
            "{bad}"
        );
        // What PostgreSQL prints is the domain's jsonb_number_text, and it reads back changed.
        let literal = serde_json::Number::from_f64(bad)
            .expect("finite")
            .to_string();
        let printed = scalar(&test_db, &format!("SELECT ('{literal}'::jsonb)::text"))
            .await
            .expect("printed");
        assert_eq!(printed, jsonb_number_text(&literal), "{literal}");
        let back: Result<serde_json::Value, _> = serde_json::from_str(&printed);
        assert!(
            back.map_or(true, |v| v.to_string() != literal),
            "{literal} would round-trip"
        );
    }
    drop(pg);
}

async fn for_both(pg: &PgStore, memory: &MemoryStore, value: &serde_json::Value) {
    let from_pg = round_trip(pg, value).await;
    let from_memory = round_trip(memory, value).await;
    assert_eq!(from_pg.to_string(), value.to_string());
    assert_eq!(from_memory.to_string(), value.to_string());
}
