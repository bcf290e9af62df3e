//! One small world of rows with distinctive internal ids and a distinctive password hash,
//! whose every value the golden files spell out by hand.

use containerpub_domain::chrono::{DateTime, Utc};
use containerpub_domain::{
    Code, Deployment, DeploymentId, DeploymentStatus, DurationMs, Email, EntityName, Function,
    FunctionDetails, FunctionId, FunctionStats, FunctionStatus, FunctionSummary, ImageTag,
    Invocation, InvocationId, InvocationStatus, Json, LogEntry, LogId, LogLevel, MemberProfile,
    Organization, OrganizationId, OrganizationMember, OrganizationMemberId, PasswordHash, Role,
    S3Key, ShortText, Text, Timestamp, User, UserId, UserInformation, UserInformationId, Uuid,
    Version,
};
use serde_json::json;

pub const OWNER_ID: i32 = 987_654_321;
pub const ALICE_ID: i32 = 987_654_322;
pub const BOB_ID: i32 = 987_654_323;
pub const OWNER_INFO_ID: i32 = 876_543_219;
pub const ALICE_INFO_ID: i32 = 876_543_218;
pub const ORG_ID: i32 = 765_432_198;
pub const OWNER_MEMBER_ID: i32 = 654_321_987;
pub const ALICE_MEMBER_ID: i32 = 654_321_986;
pub const BOB_MEMBER_ID: i32 = 654_321_985;
pub const FUNCTION_ID: i32 = 918_273_645;
pub const ACTIVE_DEPLOYMENT_ID: i32 = 827_364_519;
pub const OLD_DEPLOYMENT_ID: i32 = 827_364_518;
pub const LOG_ID: i64 = 8_765_432_109_876;
pub const INVOCATION_ID: i64 = 7_654_321_098_765;

/// Every internal id used by the fixtures.
pub const INTERNAL_IDS: &[i64] = &[
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

pub const HASH_MARK: &str = "TOP-SECRET-HASH-xyzzy";
pub const HASH: &str = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHlzYWx0$TOP-SECRET-HASH-xyzzy";

/// An instant from RFC 3339 text (any offset).
pub fn at(text: &str) -> Timestamp {
    let parsed = DateTime::parse_from_rfc3339(text).expect("RFC 3339");
    Timestamp::new(parsed.with_timezone(&Utc)).expect("in range")
}

/// `c0ffee00-0000-0000-0000-0000000000NN`.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0xC0FF_EE00_0000_0000_0000_0000_0000_0000 | n)
}

pub fn short(value: &str) -> Option<ShortText> {
    Some(ShortText::new("text", value).expect("valid"))
}

pub fn code(value: &str) -> Option<Code> {
    Some(Code::new("code", value).expect("valid"))
}

pub fn text(value: &str) -> Text {
    Text::new("text", value).expect("valid")
}

pub struct World {
    pub owner: User,
    pub alice: User,
    pub bob: User,
    pub owner_info: UserInformation,
    pub alice_info: UserInformation,
    pub org: Organization,
    /// Owner, Alice, Bob: in order of joining, as `members_of` returns them.
    pub members: Vec<MemberProfile>,
    pub function: Function,
    /// Version 2 (active), then version 1: as `FunctionDetails` holds them.
    pub deployments: Vec<Deployment>,
    pub log: LogEntry,
    pub invocation: Invocation,
    pub stats: FunctionStats,
}

impl World {
    pub fn details(&self) -> FunctionDetails {
        FunctionDetails {
            function: self.function.clone(),
            owner: self.owner.clone(),
            deployments: self.deployments.clone(),
        }
    }

    pub fn summary(&self) -> FunctionSummary {
        FunctionSummary {
            function: self.function.clone(),
            owner_email: self.owner.email.clone(),
            deployment_count: 2,
        }
    }
}

fn user(id: i32, n: u128, email: &str, created: &str) -> User {
    User {
        id: UserId::new(id),
        uuid: uuid(n),
        email: Email::parse(email).expect("valid"),
        password_hash: Some(PasswordHash::new(HASH).expect("valid")),
        created_at: at(created),
        updated_at: at("2025-12-01T00:00:00Z"),
    }
}

fn member(
    id: i32,
    org: &Organization,
    user: &User,
    info: Option<&UserInformation>,
    joined: &str,
) -> MemberProfile {
    MemberProfile {
        member: OrganizationMember {
            id: OrganizationMemberId::new(id),
            organization_uuid: org.uuid,
            user_uuid: user.uuid,
            joined_at: at(joined),
        },
        user: user.clone(),
        information: info.cloned(),
    }
}

pub fn world() -> World {
    let owner = user(
        OWNER_ID,
        0x01,
        "owner@example.com",
        "2025-11-20T09:30:01.123456Z",
    );
    let alice = user(
        ALICE_ID,
        0x02,
        "alice@example.com",
        "2025-11-20T09:30:01.120Z",
    );
    let bob = user(BOB_ID, 0x03, "bob@example.com", "2025-11-20T09:30:00Z");
    let owner_info = UserInformation {
        id: UserInformationId::new(OWNER_INFO_ID),
        uuid: uuid(0x11),
        user_uuid: owner.uuid,
        first_name: short("Ada"),
        last_name: short("Lovelace"),
        phone_number: code("+44 20 7946 0000"),
        country: short("UK"),
        city: short("London"),
        address: Some(text("12 St James's Square")),
        zip_code: code("SW1Y 4JH"),
        avatar: Some(text("https://cdn.example.com/a.png")),
        role: Role::Team,
        created_at: at("2025-11-20T09:31:00Z"),
        updated_at: at("2025-11-20T09:32:00Z"),
    };
    let alice_info = UserInformation {
        id: UserInformationId::new(ALICE_INFO_ID),
        uuid: uuid(0x12),
        user_uuid: alice.uuid,
        first_name: short("Zoë"),
        last_name: None,
        phone_number: code("+81 3-1234-5678"),
        country: None,
        city: short("東京"),
        address: None,
        zip_code: None,
        avatar: None,
        role: Role::SubTeamDeveloper,
        created_at: at("2025-11-20T09:33:00Z"),
        updated_at: at("2025-11-20T09:34:00Z"),
    };
    let org = Organization {
        id: OrganizationId::new(ORG_ID),
        uuid: uuid(0x21),
        name: EntityName::new("name", "Café Engines 東京").expect("valid"),
        owner_uuid: owner.uuid,
        created_at: at("2025-11-20T10:30:01.12+01:00"),
        updated_at: at("2025-11-20T09:30:01.1234Z"),
    };
    let members = vec![
        member(
            OWNER_MEMBER_ID,
            &org,
            &owner,
            Some(&owner_info),
            "2025-11-20T09:30:01.120Z",
        ),
        member(BOB_MEMBER_ID, &org, &bob, None, "2025-11-21T12:00:00Z"),
        member(
            ALICE_MEMBER_ID,
            &org,
            &alice,
            Some(&alice_info),
            "2025-11-22T08:00:00.000001Z",
        ),
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
        created_at: at("2025-11-23T00:00:00.5Z"),
        updated_at: at("2025-11-23T00:00:00.654321Z"),
    };
    let deployments = vec![
        Deployment {
            id: DeploymentId::new(ACTIVE_DEPLOYMENT_ID),
            uuid: uuid(0x42),
            function_id: function.id,
            version: Version::new(2).expect("valid"),
            image_tag: Some(ImageTag::new("image_tag", "registry/fn:v2").expect("valid")),
            s3_key: Some(S3Key::new("s3_key", "archives/v2.tar.gz").expect("valid")),
            status: DeploymentStatus::Active,
            is_active: true,
            build_logs: Some(text("step 1/3 ok")),
            deployed_at: at("2025-11-23T01:00:00.001Z"),
        },
        Deployment {
            id: DeploymentId::new(OLD_DEPLOYMENT_ID),
            uuid: uuid(0x41),
            function_id: function.id,
            version: Version::new(1).expect("valid"),
            image_tag: None,
            s3_key: None,
            status: DeploymentStatus::Failed,
            is_active: false,
            build_logs: None,
            deployed_at: at("2025-11-23T00:30:00.000999Z"),
        },
    ];
    let log = LogEntry {
        id: LogId::new(LOG_ID),
        uuid: uuid(0x51),
        function_id: function.id,
        level: LogLevel::Warn,
        message: text("cold start took 812 ms — \"slow\""),
        timestamp: at("2025-11-23T02:00:00.25Z"),
    };
    let invocation = Invocation {
        id: InvocationId::new(INVOCATION_ID),
        uuid: uuid(0x61),
        function_id: function.id,
        status: InvocationStatus::Error,
        duration_ms: DurationMs::new(42).expect("valid"),
        error: Some(text("boom")),
        timestamp: at("2025-11-23T02:00:01.000042Z"),
    };
    let d = |ms| DurationMs::new(ms).expect("valid");
    let stats = FunctionStats::compute(
        function.id,
        at("2025-11-23T00:00:00Z"),
        [
            (InvocationStatus::Success, d(100)),
            (InvocationStatus::Error, d(200)),
            (InvocationStatus::Timeout, d(100)),
            (InvocationStatus::Success, d(200)),
        ],
    );
    World {
        owner,
        alice,
        bob,
        owner_info,
        alice_info,
        org,
        members,
        function,
        deployments,
        log,
        invocation,
        stats,
    }
}
