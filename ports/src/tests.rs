//! Unit tests of the query language, cursors, and a service tested with the mocks.

use containerpub_domain::{
    Email, EntityName, Function, FunctionId, FunctionStatus, LogEntry, LogId, LogLevel, NewUser,
    Rule, Text, Timestamp, User, UserId, Uuid,
};

use crate::mock::MockStores;
use crate::support::{Keyset, Record, effective_sort};
use crate::{
    Cursor, Direction, Field, Filter, FunctionField, KeysetRequest, LogField, PageRequest, Query,
    Sort, StoreError, StoreResult, Stores, UniqueKey, UserField, Value,
};

fn ts(micros: i64) -> Timestamp {
    Timestamp::from_unix_micros("t", micros).expect("in range")
}

fn log(id: i64, at: i64) -> LogEntry {
    LogEntry {
        id: LogId::new(id),
        uuid: Uuid::from_u128(id as u128),
        function_id: FunctionId::new(1),
        level: LogLevel::Info,
        message: Text::new("message", format!("line {id}")).expect("valid"),
        timestamp: ts(at),
    }
}

/// Every log sorted by timestamp, and the cursor after the first of two logs in that order.
fn timestamp_cursor() -> (Filter<LogField>, Vec<Sort<LogField>>, Cursor) {
    let filter = Filter::All;
    let sort = vec![LogField::Timestamp.asc()];
    let plan = Keyset::plan(&filter, &sort, &KeysetRequest::first(1)).expect("plan");
    let cursor = plan
        .window(vec![log(1, 10), log(2, 20)])
        .next
        .expect("cursor");
    (filter, sort, cursor)
}

/// Asserts that a window after `cursor` (over `filter` and `sort`) is refused as invalid input
/// naming the `cursor`; `why` says what is wrong with it.
#[track_caller]
fn assert_cursor_refused(
    filter: &Filter<LogField>,
    sort: &[Sort<LogField>],
    cursor: Cursor,
    why: &str,
) {
    let err = Keyset::plan(filter, sort, &KeysetRequest::after(cursor, 1)).expect_err(why);
    assert!(
        matches!(err, StoreError::InvalidInput(ref i) if i.field == "cursor"),
        "{why}: {err:?}"
    );
}

#[test]
fn filters_check_operand_kinds() {
    assert!(FunctionField::Name.eq("api").validate().is_ok());
    assert!(
        FunctionField::Status
            .eq(FunctionStatus::Active)
            .validate()
            .is_ok()
    );
    let err = FunctionField::Name.eq(5).validate().expect_err("kind");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "name"));
    let err = FunctionField::UserId.eq("7").validate().expect_err("kind");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "user_id"));
    let err = FunctionField::ActiveDeploymentId
        .eq(Value::Null)
        .validate()
        .expect_err("null operand");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "active_deployment_id"));
    let err = FunctionField::UserId
        .contains("1")
        .validate()
        .expect_err("text only");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "user_id"));
    let err = FunctionField::Name
        .is_in(["a", "b\0"])
        .validate()
        .expect_err("nul");
    assert_eq!(err, StoreError::invalid("name", Rule::NulCharacter));
    // Nested filters are checked too.
    let nested = !(FunctionField::Name.eq("a").or(FunctionField::Uuid.eq(3)));
    assert!(nested.validate().is_err());
}

#[test]
fn filter_combinators_flatten() {
    let f = Filter::All.and(UserField::Id.eq(1));
    assert_eq!(f, UserField::Id.eq(1));
    let f = UserField::Id
        .eq(1)
        .and(UserField::Id.eq(2))
        .and(UserField::Id.eq(3));
    assert!(matches!(f, Filter::And(ref v) if v.len() == 3));
    let f = UserField::Id
        .eq(1)
        .or(UserField::Id.eq(2))
        .or(UserField::Id.eq(3));
    assert!(matches!(f, Filter::Or(ref v) if v.len() == 3));
}

#[test]
fn queries_reject_limits_beyond_i64() {
    assert!(
        Query::<UserField>::new()
            .limit(10)
            .offset(5)
            .validate()
            .is_ok()
    );
    let err = Query::<UserField>::new()
        .limit(u64::MAX)
        .validate()
        .expect_err("limit");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "limit"));
    let err = Query::<UserField>::new()
        .offset(u64::MAX)
        .validate()
        .expect_err("offset");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "offset"));
}

#[test]
fn page_requests_are_checked() {
    assert_eq!(PageRequest::new(1, 20).offset(), Ok(0));
    assert_eq!(PageRequest::new(3, 20).offset(), Ok(40));
    for (bad, field) in [
        (PageRequest::new(0, 20), "page"),
        (PageRequest::new(1, 0), "page_size"),
        (PageRequest::new(1, 10_001), "page_size"),
        (PageRequest::new(u64::MAX, 10), "page"),
    ] {
        let err = bad.offset().expect_err("bad page");
        assert!(
            matches!(err, StoreError::InvalidInput(ref i) if i.field == field),
            "{bad:?}"
        );
    }
}

#[test]
fn sorts_end_with_the_primary_key() {
    let sort = effective_sort(&[FunctionField::Name.desc()]);
    assert_eq!(
        sort,
        vec![FunctionField::Name.desc(), FunctionField::Id.asc()]
    );
    let sort = effective_sort(&[FunctionField::Id.desc(), FunctionField::Name.asc()]);
    assert_eq!(sort, vec![FunctionField::Id.desc()]);
    let sort = effective_sort(&[FunctionField::Name.asc(), FunctionField::Name.desc()]);
    assert_eq!(
        sort,
        vec![FunctionField::Name.asc(), FunctionField::Id.asc()]
    );
    assert_eq!(
        effective_sort::<UserField>(&[]),
        vec![Sort {
            field: UserField::Id,
            direction: Direction::Asc
        }]
    );
}

#[test]
fn records_expose_typed_values() {
    let entry = log(42, 1_000);
    assert_eq!(entry.get(LogField::Id), Value::Int(42));
    assert_eq!(entry.get(LogField::Level), Value::Text("info".into()));
    assert_eq!(entry.get(LogField::Timestamp), Value::Timestamp(ts(1_000)));
    for field in LogField::ALL {
        assert_eq!(entry.get(*field).kind(), Some(field.kind()), "{field:?}");
    }
}

#[test]
fn keyset_cursors_resume_and_bind_to_their_query() {
    let filter = LogField::FunctionId.eq(FunctionId::new(1));
    let sort = vec![LogField::Timestamp.desc()];
    let plan = Keyset::plan(&filter, &sort, &KeysetRequest::first(2)).expect("plan");
    assert!(plan.after.is_none());
    let window = plan.window(vec![log(3, 30), log(2, 20), log(1, 10)]);
    assert_eq!(window.items.len(), 2);
    let cursor = window.next.expect("more rows follow");

    let resumed =
        Keyset::plan(&filter, &sort, &KeysetRequest::after(cursor.clone(), 2)).expect("resume");
    assert_eq!(
        resumed.after,
        Some(vec![Value::Timestamp(ts(20)), Value::Int(2)])
    );
    // No next cursor when nothing follows.
    assert!(resumed.window(vec![log(1, 10)]).next.is_none());

    // The same cursor with another filter or sort is rejected.
    let other_filter = LogField::FunctionId.eq(FunctionId::new(2));
    for (f, s) in [
        (&other_filter, sort.clone()),
        (&filter, vec![LogField::Timestamp.asc()]),
    ] {
        assert_cursor_refused(f, &s, cursor.clone(), "a foreign cursor");
    }
}

#[test]
fn malformed_cursors_are_invalid_input() {
    let (filter, sort, good) = timestamp_cursor();
    let mut tampered = good.as_str().to_owned();
    tampered.pop();
    for bad in [
        String::new(),
        "!!!".to_owned(),
        "AAAA".to_owned(),
        tampered,
        format!("{}AAAA", good.as_str()),
        "A".repeat(100_000),
    ] {
        let why = format!("malformed: {bad:?}");
        assert_cursor_refused(&filter, &sort, Cursor::from_string(bad), &why);
    }
}

#[test]
fn keyset_needs_non_nullable_sort_keys_and_a_sane_limit() {
    let err = Keyset::plan(
        &Filter::All,
        &[FunctionField::ActiveDeploymentId.asc()],
        &KeysetRequest::first(10),
    )
    .expect_err("nullable");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "active_deployment_id"));
    for limit in [0, 10_001] {
        let err = Keyset::<FunctionField>::plan(&Filter::All, &[], &KeysetRequest::first(limit))
            .expect_err("limit");
        assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "limit"));
    }
}

/// A small application service, as a user of the crate would write it: sign up a user and
/// give them a first function, failing cleanly when the e-mail is taken.
async fn sign_up<S: Stores + ?Sized>(stores: &S, email: &str) -> StoreResult<Function> {
    let email = Email::parse(email)?;
    if stores.users().find_by_email(&email).await?.is_some() {
        return Err(StoreError::Conflict {
            key: UniqueKey::UsersEmail,
        });
    }
    let user = stores.users().insert(NewUser::new(email)).await?;
    let name = EntityName::new("name", "hello-world")?;
    stores
        .functions()
        .insert(containerpub_domain::NewFunction::new(user.id, name))
        .await
}

fn user(id: i32, email: &str) -> User {
    User {
        id: UserId::new(id),
        uuid: Uuid::from_u128(id as u128),
        email: Email::parse(email).expect("valid"),
        password_hash: None,
        created_at: ts(0),
        updated_at: ts(0),
    }
}

#[tokio::test]
async fn a_service_is_unit_tested_with_the_mocks() {
    let mut stores = MockStores::new();
    stores
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ada@example.com")
        .times(1)
        .returning(|_| Ok(None));
    stores
        .users
        .expect_insert()
        .withf(|new| new.email.as_str() == "ada@example.com")
        .times(1)
        .returning(|new| Ok(user(7, new.email.as_str())));
    stores
        .functions
        .expect_insert()
        .withf(|new| new.user_id == UserId::new(7) && new.name.as_str() == "hello-world")
        .times(1)
        .returning(|new| {
            Ok(Function {
                id: FunctionId::new(1),
                uuid: new.uuid,
                user_id: new.user_id,
                name: new.name,
                status: new.status,
                active_deployment_id: None,
                analysis_result: None,
                created_at: ts(0),
                updated_at: ts(0),
            })
        });
    let function = sign_up(&stores, " Ada@Example.com ")
        .await
        .expect("signed up");
    assert_eq!(function.user_id, UserId::new(7));
}

#[tokio::test]
async fn a_service_reports_a_taken_email_without_writing() {
    let mut stores = MockStores::new();
    stores
        .users
        .expect_find_by_email()
        .returning(|email| Ok(Some(user(1, email.as_str()))));
    stores.users.expect_insert().never();
    let err = sign_up(&stores, "ada@example.com")
        .await
        .expect_err("taken");
    assert_eq!(
        err,
        StoreError::Conflict {
            key: UniqueKey::UsersEmail
        }
    );
    let err = sign_up(&stores, "not an email").await.expect_err("invalid");
    assert!(matches!(err, StoreError::InvalidInput(ref i) if i.field == "email"));
}

/// Issue 19, item 7: a filter nested far deeper than allowed is refused by an iterative
/// check (and built, validated and dropped without exhausting a test thread's stack).
#[test]
fn filters_over_the_depth_and_size_limits_are_refused_iteratively() {
    use crate::{MAX_FILTER_DEPTH, MAX_FILTER_SIZE};
    let mut deep = UserField::Id.eq(1);
    for _ in 0..10_000 {
        deep = !deep;
    }
    assert_eq!(deep.shape(), (10_001, 10_001));
    assert_eq!(
        deep.validate(),
        Err(StoreError::invalid(
            "filter_depth",
            Rule::TooLarge {
                max: MAX_FILTER_DEPTH as i64,
                actual: 10_001
            }
        ))
    );
    drop(deep);
    let wide = UserField::Id.is_in((0..MAX_FILTER_SIZE as i64).collect::<Vec<_>>());
    assert_eq!(wide.shape(), (1, MAX_FILTER_SIZE + 1));
    assert!(
        matches!(wide.validate(), Err(StoreError::InvalidInput(i)) if i.field == "filter_size")
    );
    let fits = UserField::Id.is_in((1..MAX_FILTER_SIZE as i64).collect::<Vec<_>>());
    assert_eq!(fits.validate(), Ok(()));
    // The first bad operand, in order, is the one reported.
    let mixed = Filter::all([
        UserField::Email.eq("a"),
        Filter::any([UserField::Id.eq("x"), UserField::Email.eq(3)]),
    ]);
    assert!(matches!(mixed.validate(), Err(StoreError::InvalidInput(i)) if i.field == "id"));
}

/// Issue 19, item 9: a cursor whose value bytes were altered (and encoded again, so that it
/// is still well-formed base64url) is rejected, not read as another position.
#[test]
fn cursors_with_altered_values_are_rejected() {
    let (filter, sort, good) = timestamp_cursor();
    assert!(Keyset::plan(&filter, &sort, &KeysetRequest::after(good.clone(), 1)).is_ok());
    let bytes = crate::cursor::decode_bytes(good.as_str()).expect("base64url");
    // Every byte after the version and the fingerprint: the sort-key values (and the sum).
    for i in 9..bytes.len() {
        let mut altered = bytes.clone();
        altered[i] ^= 0x01;
        let cursor = Cursor::from_string(crate::cursor::encode_bytes(&altered));
        assert_cursor_refused(&filter, &sort, cursor, &format!("byte {i} altered"));
    }
}

/// Each entity lives in its own table, the one its fields name.
#[test]
fn every_entity_names_its_table() {
    use crate::{Entity, Table};
    use containerpub_domain::{
        Deployment, Invocation, LogEntry, Organization, OrganizationMember, Repository,
        UserInformation,
    };
    let tables = [
        <User as Entity>::TABLE,
        <UserInformation as Entity>::TABLE,
        <Organization as Entity>::TABLE,
        <OrganizationMember as Entity>::TABLE,
        <Function as Entity>::TABLE,
        <Deployment as Entity>::TABLE,
        <LogEntry as Entity>::TABLE,
        <Invocation as Entity>::TABLE,
        <Repository as Entity>::TABLE,
    ];
    assert_eq!(
        tables,
        [
            Table::Users,
            Table::UserInformation,
            Table::Organizations,
            Table::OrganizationMembers,
            Table::Functions,
            Table::FunctionDeployments,
            Table::FunctionLogs,
            Table::FunctionInvocations,
            Table::Repositories,
        ]
    );
}

/// The generic traits have mocks of their own, for code that takes `&dyn Reader<E>` /
/// `&dyn Writer<E>`.
#[tokio::test]
async fn the_generic_traits_are_mocked_on_their_own() {
    use crate::{MockReader, MockWriter, Reader, Writer};
    async fn rename_or_skip(
        reader: &dyn Reader<Function>,
        writer: &dyn Writer<Function>,
        id: FunctionId,
    ) -> StoreResult<bool> {
        if reader.find_by_id(id).await?.is_none() {
            return Ok(false);
        }
        writer
            .update_by_id(id, containerpub_domain::FunctionPatch::default())
            .await?;
        Ok(true)
    }
    let mut reader = MockReader::<Function>::new();
    reader
        .expect_find_by_id()
        .withf(|id| *id == FunctionId::new(3))
        .times(1)
        .returning(|_| Ok(None));
    let mut writer = MockWriter::<Function>::new();
    writer.expect_update_by_id().never();
    assert_eq!(
        rename_or_skip(&reader, &writer, FunctionId::new(3)).await,
        Ok(false)
    );
}
