//! What every DTO shares: the Dart timestamp format, snake_case keys, stored words, omitted
//! optional keys, `jsonEncode`'s escaping, pages, and the active deployment's uuid.

use containerpub_domain::{
    DeploymentId, DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Page, Role,
    Timestamp, UserInformation,
};
use containerpub_dto::*;
use serde_json::{Value, json};

use crate::every::{every_dto, to_json};
use crate::fixtures::{at, text, world};

#[test]
fn timestamps_are_written_as_dart_writes_a_utc_datetime() {
    let f = |s: &str| timestamp::format(&at(s).as_datetime());
    // `docs/WIRE-FORMAT.md`: 6 fractional digits, or 3 on a whole millisecond; always `Z`.
    assert_eq!(
        f("2025-11-20T09:30:01.123456Z"),
        "2025-11-20T09:30:01.123456Z"
    );
    assert_eq!(f("2025-11-20T09:30:01.120Z"), "2025-11-20T09:30:01.120Z");
    assert_eq!(f("2025-11-20T09:30:01Z"), "2025-11-20T09:30:01.000Z");
    assert_eq!(
        f("2025-11-20T09:30:01.1234Z"),
        "2025-11-20T09:30:01.123400Z"
    );
    assert_eq!(
        f("2025-11-20T09:30:01.000001Z"),
        "2025-11-20T09:30:01.000001Z"
    );
    assert_eq!(f("2025-11-20T11:30:01.5+02:00"), "2025-11-20T09:30:01.500Z");
    assert_eq!(
        timestamp::format(&Timestamp::MIN.as_datetime()),
        "0001-01-01T00:00:00.000Z"
    );
    assert_eq!(
        timestamp::format(&Timestamp::MAX.as_datetime()),
        "9999-12-31T23:59:59.999999Z"
    );

    // Every timestamp of every DTO has one of the two shapes.
    for (name, value) in every_dto(&world()) {
        check_timestamps(name, "$", &value);
    }
}

fn check_timestamps(name: &str, path: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{path}.{key}");
                if key.ends_with("_at") || key == "timestamp" || key == "since" {
                    let s = item
                        .as_str()
                        .unwrap_or_else(|| panic!("{name} {here}: {item}"));
                    let b = s.as_bytes();
                    assert!(
                        s.ends_with('Z') && b[10] == b'T' && b[19] == b'.',
                        "{name} {here}: {s}"
                    );
                    let fraction = &s[20..s.len() - 1];
                    assert!(
                        fraction.bytes().all(|c| c.is_ascii_digit()),
                        "{name} {here}: {s}"
                    );
                    let whole_milli = fraction.len() == 3;
                    let micros = fraction.len() == 6 && !fraction.ends_with("000");
                    assert!(whole_milli || micros, "{name} {here}: {s}");
                }
                check_timestamps(name, &here, item);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| check_timestamps(name, path, i)),
        _ => {}
    }
}

#[test]
fn every_key_is_snake_case() {
    fn walk(name: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    assert!(
                        key.bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'),
                        "{name}: {key}"
                    );
                    // Stored JSON keeps its own keys.
                    if key != "analysis_result" {
                        walk(name, item);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(name, i)),
            _ => {}
        }
    }
    for (name, value) in every_dto(&world()) {
        walk(name, &value);
    }
}

#[test]
fn statuses_levels_and_roles_are_their_stored_words() {
    let w = world();
    for &role in Role::ALL {
        let info = UserInformation {
            role,
            ..w.owner_info.clone()
        };
        assert_eq!(
            to_json(&UserInformationDto::from(&info))["role"],
            role.as_str()
        );
    }
    for &status in FunctionStatus::ALL {
        let mut f = w.function.clone();
        f.status = status;
        assert_eq!(
            to_json(&FunctionDto::from_entity(&f))["status"],
            status.as_str()
        );
    }
    for &status in DeploymentStatus::ALL {
        let mut d = w.deployments[0].clone();
        d.status = status;
        assert_eq!(
            to_json(&FunctionDeploymentDto::from(&d))["status"],
            status.as_str()
        );
    }
    for &level in LogLevel::ALL {
        let mut l = w.log.clone();
        l.level = level;
        assert_eq!(to_json(&FunctionLogDto::from(&l))["level"], level.as_str());
    }
    for &status in InvocationStatus::ALL {
        let mut i = w.invocation.clone();
        i.status = status;
        assert_eq!(
            to_json(&FunctionInvocationDto::from(&i))["status"],
            status.as_str()
        );
    }
}

#[test]
fn optional_keys_are_absent_and_required_names_are_empty() {
    let w = world();
    let bare = UserInformation {
        first_name: None,
        last_name: None,
        phone_number: None,
        country: None,
        city: None,
        address: None,
        zip_code: None,
        avatar: None,
        ..w.owner_info.clone()
    };
    assert_eq!(
        serde_json::to_string(&UserInformationDto::from(&bare)).expect("serializable"),
        r#"{"uuid":"c0ffee00-0000-0000-0000-000000000011","first_name":"","last_name":"","role":"team"}"#
    );
    let mut function = w.function.clone();
    function.analysis_result = None;
    let json = to_json(&FunctionDto::from_entity(&function));
    assert!(json.get("analysis_result").is_none());
    assert!(json.get("active_deployment_id").is_none());
}

#[test]
fn text_is_escaped_as_json_encode_escapes_it() {
    // Dart's `jsonEncode` (dart:convert, `_JsonStringifier.writeStringContent`) escapes `"`,
    // `\` and the control characters below U+0020 (`\b \t \n \f \r`, else `\u00xx` in
    // lower-case hex) and writes everything else, non-ASCII included, as is.
    let w = world();
    let mut log = w.log.clone();
    log.message = text("a\u{1}b\u{1f}c\td\ne\u{8}f\u{c}g\rh\"i\\j/k\u{7f}l é 東 🙂");
    let json = serde_json::to_string(&FunctionLogDto::from(&log)).expect("serializable");
    assert!(
        json.contains(r#""message":"a\u0001b\u001fc\td\ne\bf\fg\rh\"i\\j/k"#),
        "{json}"
    );
    assert!(json.contains("\u{7f}l é 東 🙂\""), "{json}");
}

#[test]
fn pages_keep_their_counts_and_map_items() {
    let w = world();
    let page = Page::new(vec![w.owner.clone(), w.alice.clone()], 5, 2, 2);
    let json = to_json(&PageDto::from_page_ref(&page, UserDto::from));
    assert_eq!(json["total"], 5);
    assert_eq!(json["page"], 2);
    assert_eq!(json["page_size"], 2);
    assert_eq!(json["has_more"], true);
    assert_eq!(json["items"][0]["email"], "owner@example.com");
    assert_eq!(json["items"][1]["email"], "alice@example.com");

    let borrowed = Page::new(vec![&w.owner, &w.alice], 5, 2, 2);
    assert_eq!(to_json(&PageDto::from_page(borrowed, UserDto::from)), json);

    let empty: PageDto<UserDto> =
        PageDto::from_page(Page::new(Vec::new(), 0, 1, 20), |u| UserDto::from(&u));
    assert_eq!(
        serde_json::to_string(&empty).expect("serializable"),
        r#"{"items":[],"total":0,"page":1,"page_size":20,"has_more":false}"#
    );
}

#[test]
fn the_active_deployment_is_named_by_its_uuid_or_left_out() {
    let w = world();
    let active = |function: &containerpub_domain::Function, deployments: &[_]| {
        FunctionDto::with_deployments(function, deployments).active_deployment_id
    };
    assert_eq!(
        active(&w.function, &w.deployments),
        Some(w.deployments[0].uuid)
    );
    // Alone, the function knows only the internal id: the key is left out.
    assert_eq!(
        FunctionDto::from_entity(&w.function).active_deployment_id,
        None
    );
    // A pointer to a deployment not given, or to another function's deployment: left out.
    assert_eq!(active(&w.function, &w.deployments[1..]), None);
    let mut foreign = w.deployments.clone();
    foreign[0].function_id = containerpub_domain::FunctionId::new(1);
    assert_eq!(active(&w.function, &foreign), None);
    // No pointer: left out, even if a row is flagged active.
    let mut function = w.function.clone();
    function.active_deployment_id = None;
    assert_eq!(active(&function, &w.deployments), None);
    // The pointer decides, not the flag.
    let mut flags = w.deployments.clone();
    flags[0].is_active = false;
    flags[1].is_active = true;
    function.active_deployment_id = Some(DeploymentId::new(flags[0].id.get()));
    assert_eq!(active(&function, &flags), Some(w.deployments[0].uuid));
    let json = to_json(&FunctionDetailsDto::from(&w.details()));
    assert_eq!(
        json["active_deployment_id"],
        json!(w.deployments[0].uuid.to_string())
    );
}

/// `analysis_result` comes out as PostgreSQL prints a `jsonb` value, which is what the Dart
/// backend relays: keys shortest first, keys of one length in byte order, at every depth
/// (`SELECT '{"warnings":[],"b":{"zz":1,"a":2},"aa":null,"id":1}'::jsonb` prints
/// `{"b": {"a": 2, "zz": 1}, "aa": null, "id": 1, "warnings": []}`).
#[test]
fn stored_json_keeps_jsonbs_key_order() {
    let w = world();
    let mut function = w.function.clone();
    function.analysis_result = Some(
        containerpub_domain::Json::new(
            "analysis_result",
            json!({
                "warnings": [{"zz": 1, "a": 2}],
                "b": {"zz": 1, "a": 2},
                "aa": null,
                "id": 1
            }),
        )
        .expect("json"),
    );
    let text = serde_json::to_string(&FunctionDto::from_entity(&function)).expect("json");
    assert!(
        text.contains(
            r#""analysis_result":{"b":{"a":2,"zz":1},"aa":null,"id":1,"warnings":[{"a":2,"zz":1}]}"#
        ),
        "{text}"
    );
}
