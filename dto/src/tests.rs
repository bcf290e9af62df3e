//! Tests of every DTO: no internal id or password hash can leave, the member-uuid privacy
//! rule, camelCase keys, timestamp format, enum words, pages, round trips.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use containerpub_domain::{
    Deployment, DeploymentId, DeploymentStatus, DurationMs, Email, EntityName, Function,
    FunctionDetails, FunctionId, FunctionStats, FunctionStatus, FunctionSummary, Invocation,
    InvocationId, InvocationStatus, Json, LogEntry, LogId, LogLevel, MemberProfile, Organization,
    OrganizationId, OrganizationMember, OrganizationMemberId, Page, PasswordHash, Role, Text,
    Timestamp, User, UserId, UserInformation, UserInformationId, UserProfile, UserWithOrganization,
    Version,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::*;

// ---------------------------------------------------------------------------------------------
// Fixtures: distinctive internal ids and a distinctive password hash.

const OWNER_ID: i32 = 987_654_321;
const ALICE_ID: i32 = 987_654_322;
const BOB_ID: i32 = 987_654_323;
const OWNER_INFO_ID: i32 = 876_543_219;
const ALICE_INFO_ID: i32 = 876_543_218;
const ORG_ID: i32 = 765_432_198;
const OWNER_MEMBER_ID: i32 = 654_321_987;
const ALICE_MEMBER_ID: i32 = 654_321_986;
const BOB_MEMBER_ID: i32 = 654_321_985;
const FUNCTION_ID: i32 = 918_273_645;
const ACTIVE_DEPLOYMENT_ID: i32 = 827_364_519;
const OLD_DEPLOYMENT_ID: i32 = 827_364_518;
const LOG_ID: i64 = 8_765_432_109_876;
const INVOCATION_ID: i64 = 7_654_321_098_765;

/// Every internal id used by the fixtures.
const INTERNAL_IDS: &[i64] = &[
    OWNER_ID as i64,
    ALICE_ID as i64,
    BOB_ID as i64,
    OWNER_INFO_ID as i64,
    ALICE_INFO_ID as i64,
    ORG_ID as i64,
    OWNER_MEMBER_ID as i64,
    ALICE_MEMBER_ID as i64,
    BOB_MEMBER_ID as i64,
    FUNCTION_ID as i64,
    ACTIVE_DEPLOYMENT_ID as i64,
    OLD_DEPLOYMENT_ID as i64,
    LOG_ID,
    INVOCATION_ID,
];

const HASH_MARK: &str = "TOP-SECRET-HASH-xyzzy";
const HASH: &str = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHlzYWx0$TOP-SECRET-HASH-xyzzy";

/// 2025-01-02T03:04:05.123456Z
const T0_MICROS: i64 = 1_735_787_045_123_456;
const T0: &str = "2025-01-02T03:04:05.123456Z";

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros("t", T0_MICROS)
        .expect("valid")
        .saturating_add(TimeDelta::seconds(seconds))
}

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0xC0FF_EE00_0000_0000_0000_0000_0000_0000 | n)
}

fn short(value: &str) -> Option<containerpub_domain::ShortText> {
    Some(containerpub_domain::ShortText::new("text", value).expect("valid"))
}

fn text(value: &str) -> Text {
    Text::new("text", value).expect("valid")
}

fn user(id: i32, n: u128, email: &str) -> User {
    User {
        id: UserId::new(id),
        uuid: uuid(n),
        email: Email::parse(email).expect("valid"),
        password_hash: Some(PasswordHash::new(HASH).expect("valid")),
        created_at: t(0),
        updated_at: t(1),
    }
}

fn info(id: i32, n: u128, user: &User, first: &str, role: Role) -> UserInformation {
    UserInformation {
        id: UserInformationId::new(id),
        uuid: uuid(n),
        user_id: user.uuid,
        first_name: short(first),
        last_name: short("Lovelace"),
        phone_number: Some(
            containerpub_domain::Code::new("phone_number", "+44 20 7946 0000").expect("valid"),
        ),
        country: short("UK"),
        city: short("London"),
        address: Some(text("12 St James's Square")),
        zip_code: Some(containerpub_domain::Code::new("zip_code", "SW1Y 4JH").expect("valid")),
        avatar: Some(text("https://cdn.example.com/a.png")),
        role,
        created_at: t(2),
        updated_at: t(3),
    }
}

struct World {
    owner: User,
    alice: User,
    bob: User,
    owner_info: UserInformation,
    org: Organization,
    members: Vec<MemberProfile>,
    function: Function,
    deployments: Vec<Deployment>,
    log: LogEntry,
    invocation: Invocation,
    stats: FunctionStats,
}

fn member(
    id: i32,
    org: &Organization,
    user: &User,
    info: Option<UserInformation>,
    at: i64,
) -> MemberProfile {
    MemberProfile {
        member: OrganizationMember {
            id: OrganizationMemberId::new(id),
            organization_id: org.uuid,
            user_id: user.uuid,
            joined_at: t(at),
        },
        user: user.clone(),
        information: info,
    }
}

fn world() -> World {
    let owner = user(OWNER_ID, 0x01, "owner@example.com");
    let alice = user(ALICE_ID, 0x02, "alice@example.com");
    let bob = user(BOB_ID, 0x03, "bob@example.com");
    let owner_info = info(OWNER_INFO_ID, 0x11, &owner, "Ada", Role::Team);
    let alice_info = info(ALICE_INFO_ID, 0x12, &alice, "Alice", Role::SubTeamDeveloper);
    let org = Organization {
        id: OrganizationId::new(ORG_ID),
        uuid: uuid(0x21),
        name: EntityName::new("name", "acme").expect("valid"),
        owner_id: owner.uuid,
        created_at: t(4),
        updated_at: t(5),
    };
    let members = vec![
        member(OWNER_MEMBER_ID, &org, &owner, Some(owner_info.clone()), 6),
        member(ALICE_MEMBER_ID, &org, &alice, Some(alice_info), 7),
        member(BOB_MEMBER_ID, &org, &bob, None, 8),
    ];
    let function = Function {
        id: FunctionId::new(FUNCTION_ID),
        uuid: uuid(0x31),
        user_id: owner.id,
        name: EntityName::new("name", "resize-images").expect("valid"),
        status: FunctionStatus::Active,
        active_deployment_id: Some(DeploymentId::new(ACTIVE_DEPLOYMENT_ID)),
        analysis_result: Some(
            Json::new(
                "analysis_result",
                json!({"warnings": ["unused import"], "score": 0.93}),
            )
            .expect("valid"),
        ),
        created_at: t(9),
        updated_at: t(10),
    };
    let deployment = |id: i32, n: u128, version: i32, status, is_active, at| Deployment {
        id: DeploymentId::new(id),
        uuid: uuid(n),
        function_id: function.id,
        version: Version::new(version).expect("valid"),
        image_tag: Some(
            containerpub_domain::ImageTag::new("image_tag", format!("registry/fn:v{version}"))
                .expect("valid"),
        ),
        s3_key: Some(
            containerpub_domain::S3Key::new("s3_key", format!("archives/v{version}.tar.gz"))
                .expect("valid"),
        ),
        status,
        is_active,
        build_logs: Some(text("step 1/3 ok")),
        deployed_at: t(at),
    };
    let deployments = vec![
        deployment(
            ACTIVE_DEPLOYMENT_ID,
            0x42,
            2,
            DeploymentStatus::Active,
            true,
            12,
        ),
        deployment(
            OLD_DEPLOYMENT_ID,
            0x41,
            1,
            DeploymentStatus::Inactive,
            false,
            11,
        ),
    ];
    let log = LogEntry {
        id: LogId::new(LOG_ID),
        uuid: uuid(0x51),
        function_id: function.id,
        level: LogLevel::Warn,
        message: text("cold start took 812 ms"),
        timestamp: t(13),
    };
    let invocation = Invocation {
        id: InvocationId::new(INVOCATION_ID),
        uuid: uuid(0x61),
        function_id: function.id,
        status: InvocationStatus::Error,
        duration_ms: DurationMs::new(42).expect("valid"),
        error: Some(text("boom")),
        timestamp: t(14),
    };
    let d = |ms| DurationMs::new(ms).expect("valid");
    let stats = FunctionStats::compute(
        function.id,
        t(0),
        [
            (InvocationStatus::Success, d(10)),
            (InvocationStatus::Error, d(30)),
            (InvocationStatus::Timeout, d(20)),
            (InvocationStatus::Success, d(40)),
        ],
    );
    World {
        owner,
        alice,
        bob,
        owner_info,
        org,
        members,
        function,
        deployments,
        log,
        invocation,
        stats,
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializable")
}

/// Every DTO type, in every shape the fixtures can give it, serialized.
fn every_dto(w: &World) -> Vec<(&'static str, Value)> {
    let details = FunctionDetails {
        function: w.function.clone(),
        owner: w.owner.clone(),
        deployments: w.deployments.clone(),
    };
    let summary = FunctionSummary {
        function: w.function.clone(),
        owner_email: w.owner.email.clone(),
        deployment_count: 2,
    };
    let no_calls = FunctionStats::compute(w.function.id, t(0), []);
    let users = Page::new(vec![w.owner.clone(), w.alice.clone()], 3, 1, 2);
    let summaries = Page::new(vec![summary.clone()], 1, 1, 10);
    let logs = Page::new(vec![w.log.clone()], 1, 1, 10);
    let invocations = Page::new(vec![w.invocation.clone()], 1, 1, 10);
    let stranger = uuid(0xDEAD);
    vec![
        ("UserDto", to_json(&UserDto::from(&w.owner))),
        (
            "UserInformationDto",
            to_json(&UserInformationDto::from(&w.owner_info)),
        ),
        (
            "UserProfileDto",
            to_json(&UserProfileDto::from(&UserProfile {
                user: w.owner.clone(),
                information: Some(w.owner_info.clone()),
            })),
        ),
        (
            "UserProfileDto (no information)",
            to_json(&UserProfileDto::from(&UserProfile {
                user: w.bob.clone(),
                information: None,
            })),
        ),
        ("OrganizationDto", to_json(&OrganizationDto::from(&w.org))),
        (
            "OrganizationMemberDto (with uuid)",
            to_json(&OrganizationMemberDto::with_uuid(&w.members[1])),
        ),
        (
            "OrganizationMemberDto (without uuid)",
            to_json(&OrganizationMemberDto::without_uuid(&w.members[2])),
        ),
        (
            "OrganizationWithMembersDto (owner)",
            to_json(&OrganizationWithMembersDto::from_entities(
                &w.org,
                &w.members,
                w.owner.uuid,
            )),
        ),
        (
            "OrganizationWithMembersDto (member)",
            to_json(&OrganizationWithMembersDto::from_entities(
                &w.org,
                &w.members,
                w.alice.uuid,
            )),
        ),
        (
            "OrganizationWithMembersDto (stranger)",
            to_json(&OrganizationWithMembersDto::from_entities(
                &w.org, &w.members, stranger,
            )),
        ),
        (
            "UserWithOrganizationDto",
            to_json(&UserWithOrganizationDto::from(&UserWithOrganization {
                user: w.alice.clone(),
                organization: Some(w.org.clone()),
            })),
        ),
        (
            "UserWithOrganizationDto (none)",
            to_json(&UserWithOrganizationDto::from(&UserWithOrganization {
                user: w.bob.clone(),
                organization: None,
            })),
        ),
        (
            "FunctionDto",
            to_json(&FunctionDto::from_entity(&w.function)),
        ),
        (
            "FunctionDetailsDto",
            to_json(&FunctionDetailsDto::from(&details)),
        ),
        (
            "FunctionSummaryDto",
            to_json(&FunctionSummaryDto::from(&summary)),
        ),
        (
            "DeploymentDto",
            to_json(&DeploymentDto::from_entity(&w.deployments[0])),
        ),
        (
            "DeploymentDto (with function uuid)",
            to_json(
                &DeploymentDto::from_entity(&w.deployments[1]).with_function_uuid(w.function.uuid),
            ),
        ),
        ("LogDto", to_json(&LogDto::from(&w.log))),
        (
            "LogDto (with function uuid)",
            to_json(&LogDto::from(&w.log).with_function_uuid(w.function.uuid)),
        ),
        (
            "InvocationDto",
            to_json(&InvocationDto::from(&w.invocation)),
        ),
        (
            "InvocationDto (with function uuid)",
            to_json(&InvocationDto::from(&w.invocation).with_function_uuid(w.function.uuid)),
        ),
        (
            "FunctionStatsDto",
            to_json(&FunctionStatsDto::from(&w.stats)),
        ),
        (
            "FunctionStatsDto (for function)",
            to_json(&FunctionStatsDto::for_function(&w.stats, w.function.uuid)),
        ),
        (
            "FunctionStatsDto (no calls)",
            to_json(&FunctionStatsDto::from(&no_calls)),
        ),
        (
            "PageDto<UserDto>",
            to_json(&PageDto::from_page_ref(&users, UserDto::from)),
        ),
        (
            "PageDto<FunctionSummaryDto>",
            to_json(&PageDto::from_page(summaries, |s| {
                FunctionSummaryDto::from(&s)
            })),
        ),
        (
            "PageDto<LogDto>",
            to_json(&PageDto::from_page_ref(&logs, LogDto::from)),
        ),
        (
            "PageDto<InvocationDto>",
            to_json(&PageDto::from_page_ref(&invocations, |i| {
                InvocationDto::from(i)
            })),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The leak detector.

/// Every way an internal id or a password hash could show in `value`.
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
                // Any reference (`…Id`, `…_id`, `uuid`, `…Uuid`) must be a uuid string.
                let reference =
                    key.ends_with("Id") || lower.ends_with("_id") || lower.ends_with("uuid");
                let is_uuid = item.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok());
                if reference && !is_uuid && !item.is_null() {
                    found.push(format!("{here}: reference {item} is not a uuid string"));
                }
                if reference && item.is_null() && !lower.ends_with("uuid") {
                    found.push(format!("{here}: id key present as null"));
                }
                walk(&here, item, found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_leak_detector_catches_leaks() {
    let bad = [
        json!({"id": 1}),
        json!({"userId": OWNER_ID}),
        json!({"functionId": "918273645"}),
        json!({"nested": [{"count": FUNCTION_ID}]}),
        json!({"big": LOG_ID}),
        json!({"passwordHash": "x"}),
        json!({"password_hash": null}),
        json!({"password": "x"}),
        json!({"note": HASH}),
        json!({"deploymentId": null}),
        json!({"score": f64::from(ACTIVE_DEPLOYMENT_ID)}),
    ];
    for value in bad {
        assert!(!leaks(&value).is_empty(), "not caught: {value}");
    }
    assert!(leaks(&json!({"userId": uuid(1).to_string(), "n": 3})).is_empty());
}

#[test]
fn no_dto_leaks_an_internal_id_or_a_password_hash() {
    let w = world();
    let all = every_dto(&w);
    assert!(all.len() >= 25);
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
        "DeploymentDto",
        "LogDto",
        "InvocationDto",
        "FunctionStatsDto",
        "PageDto",
    ]
    .into();
    assert_eq!(names, expected);
}

// ---------------------------------------------------------------------------------------------
// The member-uuid privacy rule.

fn member_objects(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    value["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_object().expect("object"))
        .collect()
}

#[test]
fn the_owner_sees_every_member_uuid() {
    let w = world();
    let dto = OrganizationWithMembersDto::from_entities(&w.org, &w.members, w.owner.uuid);
    assert!(dto.is_owner);
    let expected: Vec<Option<Uuid>> = w.members.iter().map(|m| Some(m.user.uuid)).collect();
    let got: Vec<Option<Uuid>> = dto.members.iter().map(|m| m.uuid).collect();
    assert_eq!(got, expected);

    let json = to_json(&dto);
    assert_eq!(json["isOwner"], true);
    for (object, profile) in member_objects(&json).into_iter().zip(&w.members) {
        assert_eq!(object["uuid"], profile.user.uuid.to_string());
    }
}

#[test]
fn anyone_else_sees_no_member_uuid_but_everything_else() {
    let w = world();
    let requesters = [
        ("a member", w.alice.uuid),
        ("a member without profile", w.bob.uuid),
        ("a stranger", uuid(0xDEAD)),
        ("the nil uuid", Uuid::nil()),
        ("the organization itself", w.org.uuid),
        ("the owner's profile uuid", w.owner_info.uuid),
    ];
    for (who, requester) in requesters {
        let dto = OrganizationWithMembersDto::from_entities(&w.org, &w.members, requester);
        assert!(!dto.is_owner, "{who}");
        assert!(dto.members.iter().all(|m| m.uuid.is_none()), "{who}");

        let json = to_json(&dto);
        assert_eq!(json["isOwner"], false, "{who}");
        let members = member_objects(&json);
        assert_eq!(members.len(), 3, "{who}");
        for (object, profile) in members.into_iter().zip(&w.members) {
            assert!(!object.contains_key("uuid"), "{who}: {object:?}");
            for key in [
                "email",
                "firstName",
                "lastName",
                "avatar",
                "role",
                "joinedAt",
            ] {
                assert!(object.contains_key(key), "{who}: {key} missing");
            }
            assert_eq!(object["email"], profile.user.email.as_str(), "{who}");
        }
        // No member's user uuid appears anywhere, except the owner's as the organization's
        // ownerId (which every viewer of the organization sees).
        let text = json.to_string();
        for hidden in [w.alice.uuid, w.bob.uuid] {
            assert!(
                !text.contains(&hidden.to_string()),
                "{who}: {hidden} leaked"
            );
        }
        assert_eq!(text.matches(&w.owner.uuid.to_string()).count(), 1, "{who}");
        assert_eq!(json["organization"]["ownerId"], w.owner.uuid.to_string());
    }
}

#[test]
fn member_fields_come_from_the_profile() {
    let w = world();
    let alice = to_json(&OrganizationMemberDto::without_uuid(&w.members[1]));
    assert_eq!(
        alice,
        json!({
            "email": "alice@example.com",
            "firstName": "Alice",
            "lastName": "Lovelace",
            "avatar": "https://cdn.example.com/a.png",
            "role": "sub_team_developer",
            "joinedAt": "2025-01-02T03:04:12.123456Z",
        })
    );
    let bob = to_json(&OrganizationMemberDto::with_uuid(&w.members[2]));
    assert_eq!(
        bob,
        json!({
            "uuid": w.bob.uuid.to_string(),
            "email": "bob@example.com",
            "firstName": null,
            "lastName": null,
            "avatar": null,
            "role": null,
            "joinedAt": "2025-01-02T03:04:13.123456Z",
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Shapes: camelCase keys, timestamps, enum words, pages.

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

#[test]
fn keys_are_camel_case_and_exactly_these() {
    let w = world();
    let all = every_dto(&w);
    let get = |name: &str| &all.iter().find(|(n, _)| *n == name).expect(name).1;
    let user = ["uuid", "email", "createdAt", "updatedAt"];
    let function = [
        "uuid",
        "name",
        "status",
        "hasActiveDeployment",
        "analysisResult",
        "createdAt",
        "updatedAt",
    ];
    let deployment = [
        "uuid",
        "version",
        "imageTag",
        "s3Key",
        "status",
        "isActive",
        "buildLogs",
        "deployedAt",
    ];
    let stats = [
        "since",
        "total",
        "success",
        "error",
        "timeout",
        "avgDurationMs",
        "maxDurationMs",
        "p50DurationMs",
        "p95DurationMs",
        "p99DurationMs",
    ];
    let cases: Vec<(&str, BTreeSet<&str>)> = vec![
        ("UserDto", set(&user)),
        (
            "UserInformationDto",
            set(&[
                "uuid",
                "userId",
                "firstName",
                "lastName",
                "phoneNumber",
                "country",
                "city",
                "address",
                "zipCode",
                "avatar",
                "role",
                "createdAt",
                "updatedAt",
            ]),
        ),
        ("UserProfileDto", set(&["user", "information"])),
        (
            "UserProfileDto (no information)",
            set(&["user", "information"]),
        ),
        (
            "OrganizationDto",
            set(&["uuid", "name", "ownerId", "createdAt", "updatedAt"]),
        ),
        (
            "OrganizationMemberDto (with uuid)",
            set(&[
                "uuid",
                "email",
                "firstName",
                "lastName",
                "avatar",
                "role",
                "joinedAt",
            ]),
        ),
        (
            "OrganizationMemberDto (without uuid)",
            set(&[
                "email",
                "firstName",
                "lastName",
                "avatar",
                "role",
                "joinedAt",
            ]),
        ),
        (
            "OrganizationWithMembersDto (owner)",
            set(&["organization", "members", "isOwner"]),
        ),
        ("UserWithOrganizationDto", set(&["user", "organization"])),
        (
            "UserWithOrganizationDto (none)",
            set(&["user", "organization"]),
        ),
        ("FunctionDto", set(&function)),
        (
            "FunctionDetailsDto",
            set(&["function", "owner", "deployments", "activeDeploymentUuid"]),
        ),
        (
            "FunctionSummaryDto",
            set(&["function", "ownerEmail", "deploymentCount"]),
        ),
        ("DeploymentDto", set(&deployment)),
        ("DeploymentDto (with function uuid)", {
            let mut s = set(&deployment);
            s.insert("functionUuid");
            s
        }),
        ("LogDto", set(&["uuid", "level", "message", "timestamp"])),
        (
            "LogDto (with function uuid)",
            set(&["uuid", "functionUuid", "level", "message", "timestamp"]),
        ),
        (
            "InvocationDto",
            set(&["uuid", "status", "durationMs", "error", "timestamp"]),
        ),
        ("FunctionStatsDto", set(&stats)),
        ("FunctionStatsDto (for function)", {
            let mut s = set(&stats);
            s.insert("functionUuid");
            s
        }),
        (
            "PageDto<UserDto>",
            set(&["items", "total", "page", "pageSize", "hasMore"]),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(keys(get(name)), expected, "{name}");
    }
    assert_eq!(keys(&get("UserProfileDto")["user"]), set(&user));
    assert_eq!(keys(&get("FunctionDetailsDto")["function"]), set(&function));
    assert_eq!(
        keys(&get("FunctionDetailsDto")["deployments"][0]),
        set(&deployment)
    );
    assert_eq!(keys(&get("PageDto<UserDto>")["items"][0]), set(&user));
}

#[test]
fn optional_values_are_null_or_absent_as_documented() {
    let w = world();
    let mut function = w.function.clone();
    function.analysis_result = None;
    function.active_deployment_id = None;
    let json = to_json(&FunctionDto::from_entity(&function));
    assert!(!keys(&json).contains("analysisResult"));
    assert_eq!(json["hasActiveDeployment"], false);

    let json = to_json(&FunctionDto::from_entity(&w.function));
    assert_eq!(
        json["analysisResult"],
        json!({"warnings": ["unused import"], "score": 0.93})
    );
    assert_eq!(json["hasActiveDeployment"], true);

    let profile = to_json(&UserProfileDto::from(&UserProfile {
        user: w.bob.clone(),
        information: None,
    }));
    assert_eq!(profile["information"], Value::Null);
    let no_org = to_json(&UserWithOrganizationDto::from(&UserWithOrganization {
        user: w.bob.clone(),
        organization: None,
    }));
    assert_eq!(no_org["organization"], Value::Null);
}

#[test]
fn timestamps_are_rfc3339_utc_with_microseconds() {
    let w = world();
    let json = to_json(&UserDto::from(&w.owner));
    assert_eq!(json["createdAt"], T0);
    assert_eq!(json["updatedAt"], "2025-01-02T03:04:06.123456Z");

    let whole = Timestamp::from_unix_micros("t", 1_735_787_045_000_000).expect("valid");
    assert_eq!(
        crate::timestamp::format(&whole.as_datetime()),
        "2025-01-02T03:04:05.000000Z"
    );
    assert_eq!(
        crate::timestamp::format(&Timestamp::MIN.as_datetime()),
        "0001-01-01T00:00:00.000000Z"
    );
    assert_eq!(
        crate::timestamp::format(&Timestamp::MAX.as_datetime()),
        "9999-12-31T23:59:59.999999Z"
    );

    // Every timestamp of every DTO has the same shape.
    for (name, value) in every_dto(&w) {
        check_timestamps(name, "$", &value);
    }

    // Reading accepts any offset and converts to UTC.
    let read: UserDto = serde_json::from_value(json!({
        "uuid": w.owner.uuid,
        "email": "owner@example.com",
        "createdAt": "2025-01-02T05:04:05.123456+02:00",
        "updatedAt": T0,
    }))
    .expect("valid");
    assert_eq!(read.created_at, t(0).as_datetime());
    assert!(
        serde_json::from_value::<UserDto>(json!({
            "uuid": w.owner.uuid,
            "email": "owner@example.com",
            "createdAt": "yesterday",
            "updatedAt": T0,
        }))
        .is_err()
    );
}

fn check_timestamps(name: &str, path: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{path}.{key}");
                if key.ends_with("At") || key == "timestamp" || key == "since" {
                    let s = item
                        .as_str()
                        .unwrap_or_else(|| panic!("{name} {here}: {item}"));
                    let b = s.as_bytes();
                    assert_eq!(b.len(), 27, "{name} {here}: {s}");
                    assert!(
                        s.ends_with('Z') && b[10] == b'T' && b[19] == b'.',
                        "{name} {here}: {s}"
                    );
                    assert!(
                        b[20..26].iter().all(u8::is_ascii_digit),
                        "{name} {here}: {s}"
                    );
                    assert!(
                        chrono::DateTime::parse_from_rfc3339(s).is_ok(),
                        "{name} {here}: {s}"
                    );
                }
                check_timestamps(name, &here, item);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| check_timestamps(name, path, i)),
        _ => {}
    }
}

#[test]
fn enums_are_their_stored_words() {
    let w = world();
    for &role in Role::ALL {
        let mut info = w.owner_info.clone();
        info.role = role;
        assert_eq!(
            to_json(&UserInformationDto::from(&info))["role"],
            role.as_str()
        );
    }
    assert_eq!(
        to_json(&UserInformationDto::from(&w.owner_info))["role"],
        "team"
    );
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
            to_json(&DeploymentDto::from_entity(&d))["status"],
            status.as_str()
        );
    }
    for &level in LogLevel::ALL {
        let mut l = w.log.clone();
        l.level = level;
        assert_eq!(to_json(&LogDto::from(&l))["level"], level.as_str());
    }
    for &status in InvocationStatus::ALL {
        let mut i = w.invocation.clone();
        i.status = status;
        assert_eq!(to_json(&InvocationDto::from(&i))["status"], status.as_str());
    }

    // Reading rejects words the domain does not know.
    let mut log = to_json(&LogDto::from(&w.log));
    assert_eq!(
        serde_json::from_value::<LogDto>(log.clone())
            .expect("valid")
            .level,
        LogLevel::Warn
    );
    log["level"] = json!("Warn");
    let err = serde_json::from_value::<LogDto>(log).expect_err("unknown word");
    assert!(err.to_string().contains("level"), "{err}");
}

#[test]
fn pages_keep_their_counts_and_map_items() {
    let w = world();
    let page = Page::new(vec![w.owner.clone(), w.alice.clone()], 5, 2, 2);
    let json = to_json(&PageDto::from_page_ref(&page, UserDto::from));
    assert_eq!(json["total"], 5);
    assert_eq!(json["page"], 2);
    assert_eq!(json["pageSize"], 2);
    assert_eq!(json["hasMore"], true);
    assert_eq!(json["items"][0]["email"], "owner@example.com");
    assert_eq!(json["items"][1]["email"], "alice@example.com");

    let borrowed = Page::new(vec![&w.owner, &w.alice], 5, 2, 2);
    assert_eq!(to_json(&PageDto::from_page(borrowed, UserDto::from)), json);

    let last = Page::new(vec![w.bob.clone()], 5, 3, 2);
    let dto = PageDto::from_page(last, |u| UserDto::from(&u));
    assert!(!dto.has_more);
    assert_eq!(
        (dto.total, dto.page, dto.page_size, dto.items.len()),
        (5, 3, 2, 1)
    );

    let empty: PageDto<UserDto> =
        PageDto::from_page(Page::new(Vec::<User>::new(), 0, 1, 20), |u| {
            UserDto::from(&u)
        });
    assert_eq!(
        to_json(&empty),
        json!({"items": [], "total": 0, "page": 1, "pageSize": 20, "hasMore": false})
    );
}

// ---------------------------------------------------------------------------------------------
// Read models: active deployment, summary, statistics.

#[test]
fn details_name_the_active_deployment_by_uuid() {
    let w = world();
    let mut details = FunctionDetails {
        function: w.function.clone(),
        owner: w.owner.clone(),
        deployments: w.deployments.clone(),
    };
    let dto = FunctionDetailsDto::from(&details);
    assert_eq!(dto.active_deployment_uuid, Some(w.deployments[0].uuid));
    assert_eq!(dto.owner, UserDto::from(&w.owner));
    let versions: Vec<i32> = dto.deployments.iter().map(|d| d.version).collect();
    assert_eq!(versions, [2, 1]);
    assert!(dto.deployments.iter().all(|d| d.function_uuid.is_none()));

    // The function's pointer wins over a stale flag.
    details.deployments[1].is_active = true;
    details.deployments.reverse();
    assert_eq!(
        FunctionDetailsDto::from(&details).active_deployment_uuid,
        Some(w.deployments[0].uuid)
    );
    // Without a pointer, the flag decides.
    details.function.active_deployment_id = None;
    details
        .deployments
        .iter_mut()
        .for_each(|d| d.is_active = false);
    details.deployments[0].is_active = true;
    assert_eq!(
        FunctionDetailsDto::from(&details).active_deployment_uuid,
        Some(w.deployments[1].uuid)
    );
    // None active: null.
    details.deployments[0].is_active = false;
    let json = to_json(&FunctionDetailsDto::from(&details));
    assert_eq!(json["activeDeploymentUuid"], Value::Null);
}

#[test]
fn summaries_and_stats_carry_their_figures() {
    let w = world();
    let summary = to_json(&FunctionSummaryDto::from(&FunctionSummary {
        function: w.function.clone(),
        owner_email: w.owner.email.clone(),
        deployment_count: 2,
    }));
    assert_eq!(summary["ownerEmail"], "owner@example.com");
    assert_eq!(summary["deploymentCount"], 2);
    assert_eq!(summary["function"]["uuid"], w.function.uuid.to_string());

    let stats = to_json(&FunctionStatsDto::for_function(&w.stats, w.function.uuid));
    assert_eq!(
        stats,
        json!({
            "functionUuid": w.function.uuid.to_string(),
            "since": T0,
            "total": 4,
            "success": 2,
            "error": 1,
            "timeout": 1,
            "avgDurationMs": 25.0,
            "maxDurationMs": 40,
            "p50DurationMs": 25.0,
            "p95DurationMs": 38.5,
            "p99DurationMs": w.stats.p99_duration_ms,
        })
    );
    let none = to_json(&FunctionStatsDto::from(&FunctionStats::compute(
        w.function.id,
        t(0),
        [],
    )));
    for key in [
        "avgDurationMs",
        "maxDurationMs",
        "p50DurationMs",
        "p95DurationMs",
        "p99DurationMs",
    ] {
        assert_eq!(none[key], Value::Null, "{key}");
    }
    assert_eq!(none["total"], 0);

    let invocation = to_json(&InvocationDto::from(&w.invocation));
    assert_eq!(invocation["durationMs"], 42);
    assert_eq!(invocation["error"], "boom");
}

// ---------------------------------------------------------------------------------------------
// Clients can read what we write.

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(dto: &T) {
    let text = serde_json::to_string(dto).expect("serializable");
    let back: T = serde_json::from_str(&text).expect("readable");
    assert_eq!(&back, dto, "{text}");
}

#[test]
fn every_dto_round_trips() {
    let w = world();
    let details = FunctionDetails {
        function: w.function.clone(),
        owner: w.owner.clone(),
        deployments: w.deployments.clone(),
    };
    let summary = FunctionSummary {
        function: w.function.clone(),
        owner_email: w.owner.email.clone(),
        deployment_count: 2,
    };
    round_trip(&UserDto::from(&w.owner));
    round_trip(&UserInformationDto::from(&w.owner_info));
    round_trip(&UserProfileDto::from(&UserProfile {
        user: w.owner.clone(),
        information: Some(w.owner_info.clone()),
    }));
    round_trip(&OrganizationDto::from(&w.org));
    round_trip(&OrganizationMemberDto::with_uuid(&w.members[2]));
    round_trip(&OrganizationMemberDto::without_uuid(&w.members[1]));
    round_trip(&OrganizationWithMembersDto::from_entities(
        &w.org,
        &w.members,
        w.owner.uuid,
    ));
    round_trip(&OrganizationWithMembersDto::from_entities(
        &w.org,
        &w.members,
        w.alice.uuid,
    ));
    round_trip(&UserWithOrganizationDto::from(&UserWithOrganization {
        user: w.alice.clone(),
        organization: Some(w.org.clone()),
    }));
    round_trip(&FunctionDto::from_entity(&w.function));
    round_trip(&FunctionDetailsDto::from(&details));
    round_trip(&FunctionSummaryDto::from(&summary));
    round_trip(&DeploymentDto::from_entity(&w.deployments[0]).with_function_uuid(w.function.uuid));
    round_trip(&LogDto::from(&w.log));
    round_trip(&InvocationDto::from(&w.invocation).with_function_uuid(w.function.uuid));
    // serde_json's default (non-`float_roundtrip`) parser may be off by one ulp, so the
    // statistics are compared with a tolerance.
    let stats = FunctionStatsDto::for_function(&w.stats, w.function.uuid);
    let back: FunctionStatsDto =
        serde_json::from_str(&serde_json::to_string(&stats).expect("serializable"))
            .expect("readable");
    let figures = |s: &FunctionStatsDto| {
        [
            s.avg_duration_ms,
            s.p50_duration_ms,
            s.p95_duration_ms,
            s.p99_duration_ms,
        ]
    };
    for (a, b) in figures(&back).into_iter().zip(figures(&stats)) {
        let (a, b) = (a.expect("some"), b.expect("some"));
        assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} != {b}");
    }
    let exact = |s: &FunctionStatsDto| {
        (
            s.function_uuid,
            s.since,
            s.total,
            s.success,
            s.error,
            s.timeout,
            s.max_duration_ms,
        )
    };
    assert_eq!(exact(&back), exact(&stats));
    round_trip(&FunctionStatsDto::from(&FunctionStats::compute(
        w.function.id,
        t(0),
        [],
    )));
    round_trip(&PageDto::from_page_ref(
        &Page::new(vec![w.log.clone()], 9, 1, 1),
        LogDto::from,
    ));
}
