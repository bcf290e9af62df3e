//! The leak detector: no internal id, no password hash, no `null` leaves through any DTO.

use std::collections::BTreeSet;

use containerpub_domain::{DeploymentId, PasswordHash};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::every::every_dto;
use crate::fixtures::{
    ACTIVE_DEPLOYMENT_ID, FUNCTION_ID, HASH, HASH_MARK, INTERNAL_IDS, LOG_ID, OWNER_ID, uuid, world,
};

/// Every way an internal id, a password hash or a `null` could show in `value`.
fn leaks(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let text = serde_json::to_string(value).expect("serializable");
    if text.contains(HASH) || text.contains(HASH_MARK) {
        found.push("the password hash appears in the output".to_owned());
    }
    for id in INTERNAL_IDS {
        if text.contains(&id.to_string()) {
            found.push(format!("internal id {id} appears in the output"));
        }
    }
    walk("$", value, &mut found);
    found
}

fn walk(path: &str, value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Null => found.push(format!("{path}: null (Dart omits the key instead)")),
        Value::Number(n) => {
            for &id in INTERNAL_IDS {
                #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
                let same_float = n.as_f64() == Some(id as f64);
                if n.as_i64() == Some(id) || same_float {
                    found.push(format!("{path}: number {n} is internal id {id}"));
                }
            }
        }
        Value::String(s) if s.contains(HASH_MARK) => {
            found.push(format!("{path}: holds the password hash"));
        }
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{path}.{key}");
                let lower = key.to_ascii_lowercase();
                if lower == "id" || lower == "_id" {
                    found.push(format!("{here}: key named id"));
                }
                if lower.contains("password") || lower.contains("hash") {
                    found.push(format!("{here}: password key"));
                }
                // Any reference (`…Id`, `…_id`, `uuid`, `…_uuid`) must be a uuid string.
                let reference =
                    key.ends_with("Id") || lower.ends_with("_id") || lower.ends_with("uuid");
                let is_uuid = item.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok());
                if reference && !is_uuid {
                    found.push(format!("{here}: reference {item} is not a uuid string"));
                }
                // Stored JSON is sent as stored; its own nulls are not ours to drop.
                if key != "analysis_result" {
                    walk(&here, item, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, found);
            }
        }
        Value::Bool(_) | Value::String(_) => {}
    }
}

#[test]
fn the_leak_detector_catches_leaks() {
    let bad = [
        json!({"id": 1}),
        json!({"user_id": OWNER_ID}),
        json!({"active_deployment_id": ACTIVE_DEPLOYMENT_ID}),
        json!({"function_id": "918273645"}),
        json!({"nested": [{"count": FUNCTION_ID}]}),
        json!({"big": LOG_ID}),
        json!({"password_hash": "x"}),
        json!({"passwordHash": null}),
        json!({"password": "x"}),
        json!({"note": HASH}),
        json!({"owner_id": null}),
        json!({"avatar": null}),
        json!({"members": [{"phone_number": null}]}),
        json!({"score": f64::from(ACTIVE_DEPLOYMENT_ID)}),
    ];
    for value in bad {
        assert!(!leaks(&value).is_empty(), "not caught: {value}");
    }
    assert!(leaks(&json!({"owner_id": uuid(1).to_string(), "n": 3})).is_empty());
    assert!(leaks(&json!({"analysis_result": {"x": null}})).is_empty());
}

#[test]
fn no_dto_leaks_an_internal_id_a_password_hash_or_a_null() {
    let w = world();
    let all = every_dto(&w);
    assert!(all.len() >= 28);
    for (name, value) in &all {
        let found = leaks(value);
        assert!(found.is_empty(), "{name} leaks: {found:#?}\n{value:#}");
    }
    // The fixtures really hold what must not leave.
    assert_eq!(
        w.owner.password_hash.as_ref().map(PasswordHash::expose),
        Some(HASH)
    );
    assert_eq!(
        w.function.active_deployment_id.map(DeploymentId::get),
        Some(ACTIVE_DEPLOYMENT_ID)
    );
    assert_eq!(w.stats.function_id.get(), FUNCTION_ID);
}

#[test]
fn every_dto_type_is_covered() {
    let w = world();
    let names: BTreeSet<&str> = every_dto(&w)
        .into_iter()
        .map(|(name, _)| name.split([' ', '<']).next().expect("a name"))
        .collect();
    let expected: BTreeSet<&str> = [
        "UserDto",
        "UserInformationDto",
        "UserProfileDto",
        "OrganizationDto",
        "OrganizationMemberDto",
        "OrganizationWithMembersDto",
        "UserWithOrganizationDto",
        "FunctionDto",
        "FunctionDetailsDto",
        "FunctionSummaryDto",
        "FunctionDeploymentDto",
        "FunctionLogDto",
        "FunctionInvocationDto",
        "FunctionStatsDto",
        "PageDto",
    ]
    .into();
    assert_eq!(names, expected);
}
