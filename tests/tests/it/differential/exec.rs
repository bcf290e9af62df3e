//! Running one op on both adapters and comparing what they return.

use std::fmt::Debug;

use containerpub_domain::{BoundedText, DurationMs, InvocationStatus, LogLevel, Name, Text};
use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, Email, EntityName, Function, FunctionId,
    FunctionPatch, Invocation, InvocationId, InvocationPatch, Json, LogEntry, LogId, LogPatch,
    NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember,
    NewRepository, NewUser, NewUserInformation, Organization, OrganizationId, OrganizationMember,
    OrganizationMemberId, OrganizationMemberPatch, OrganizationPatch, PasswordHash, Repository,
    RepositoryId, RepositoryPatch, RepositoryPath, Rule, Timestamp, User, UserId, UserInformation,
    UserInformationId, UserInformationPatch, UserPatch, Uuid, ValidationError,
    serde_json::Value as JsonValue,
};
use containerpub_ports::query::grouping::{Aggregate, GroupOrder, GroupQuery};
use containerpub_ports::{
    Cursor, DeploymentKey, Field, Filter, FunctionKey, InvocationKey, KeysetRequest, LogKey,
    LogQuery, OrganizationKey, OrganizationMemberKey, PageRequest, Query, RepositoryKey, Sort,
    StoreError, StoreResult, Stores, TextOp, Upserted, UserColumn, UserInformationKey, UserKey,
    Value, ValueKind,
};
use containerpub_tests::contract::{T0_UNIX_MICROS, t0};
use proptest::test_runner::TestCaseError;

use super::inputs::{
    CursorSpec, FilterSpec, IdRef, JsonSpec, MemberRef, NewUuid, PathSpec, QuerySpec, SortSpec,
    TextSpec, TsSpec, UuidRef, ValueSpec,
};
use super::ops::{
    BigBatchSpec, BigKind, DeploymentPatchSpec, FunctionPatchSpec, InvocationPatchSpec,
    LogPatchSpec, MemberPatchSpec, NewDeploymentSpec, NewFunctionSpec, NewInvocationSpec,
    NewLogSpec, NewMemberSpec, NewOrgSpec, NewProfileSpec, NewRepoSpec, NewUserSpec, Op,
    OrgPatchSpec, ProfilePatchSpec, ReadOp, RepoPatchSpec, SpecialOp, TABLES, Tbl, UserPatchSpec,
    WriteOp,
};
use super::tree::{SetRepositoryUuid, TreeUow, normalise};

/// The longest failure message kept (hostile values can be huge).
const MAX_MESSAGE: usize = 12_000;

pub fn fail(message: String) -> TestCaseError {
    let message = match message.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}… (cut)", &message[..i]),
        None => message,
    };
    TestCaseError::fail(message)
}

// ---------------------------------------------------------------------------------------
// Pools: what ops refer to.

/// Everything seen so far in a case (from the memory side, which equals the PostgreSQL side
/// or the case has failed): ids and uuids per table, texts and timestamps for filter
/// operands, cursors for keyset windows.
#[derive(Debug)]
pub struct Pools {
    ids: [Vec<i64>; 9],
    uuids: [Vec<Uuid>; 9],
    texts: Vec<String>,
    stamps: Vec<Timestamp>,
    cursors: Vec<Cursor>,
    paths: Vec<String>,
    memberships: Vec<(Uuid, Uuid)>,
    pub now: Timestamp,
}

fn push_unique<T: PartialEq>(pool: &mut Vec<T>, value: T, cap: usize) {
    if pool.len() < cap && !pool.contains(&value) {
        pool.push(value);
    }
}

fn pick<T>(pool: &[T], i: u16) -> Option<&T> {
    (!pool.is_empty()).then(|| &pool[usize::from(i) % pool.len()])
}

impl Pools {
    pub fn new() -> Self {
        Self {
            ids: Default::default(),
            uuids: Default::default(),
            texts: Vec::new(),
            stamps: Vec::new(),
            cursors: Vec::new(),
            paths: Vec::new(),
            memberships: Vec::new(),
            now: t0(),
        }
    }

    fn id(&self, table: Tbl, r: IdRef) -> i64 {
        match r {
            IdRef::Seen(i) => pick(&self.ids[table as usize], i).copied().unwrap_or(1),
            IdRef::Unknown(id) => id,
        }
    }

    fn uuid(&self, table: Tbl, r: UuidRef) -> Uuid {
        match r {
            UuidRef::Seen(i) => pick(&self.uuids[table as usize], i)
                .copied()
                .unwrap_or(Uuid::from_u128(u128::from(i))),
            UuidRef::OtherTable(i) => {
                let others: Vec<Uuid> = TABLES
                    .iter()
                    .filter(|t| **t != table)
                    .flat_map(|t| self.uuids[*t as usize].iter().copied())
                    .collect();
                pick(&others, i)
                    .copied()
                    .unwrap_or(Uuid::from_u128(u128::from(i)))
            }
            UuidRef::Unknown(u) => Uuid::from_u128(u),
        }
    }

    fn new_uuid(&self, table: Tbl, n: NewUuid) -> Uuid {
        match n {
            NewUuid::Fresh(u) => Uuid::from_u128(u),
            NewUuid::Reuse(i) => pick(&self.uuids[table as usize], i)
                .copied()
                .unwrap_or(Uuid::from_u128(u128::from(i))),
            NewUuid::Nil => Uuid::nil(),
        }
    }

    fn value(&self, kind: ValueKind, v: &ValueSpec) -> Value {
        const INTS: &[i64] = &[
            0,
            1,
            2,
            3,
            -1,
            i64::MIN,
            i64::MAX,
            i32::MAX as i64,
            i32::MAX as i64 + 1,
            i32::MIN as i64,
            i32::MIN as i64 - 1,
            100,
        ];
        match v {
            ValueSpec::Pool(i) => match kind {
                ValueKind::Int => Value::Int(i64::from(*i % 8)),
                ValueKind::Bool => Value::Bool(i % 2 == 0),
                ValueKind::Text => Value::Text(
                    pick(&self.texts, *i)
                        .cloned()
                        .unwrap_or_else(|| "a".to_owned()),
                ),
                ValueKind::Uuid => {
                    let all: Vec<Uuid> = self.uuids.iter().flatten().copied().collect();
                    Value::Uuid(
                        pick(&all, *i)
                            .copied()
                            .unwrap_or(Uuid::from_u128(u128::from(*i))),
                    )
                }
                ValueKind::Timestamp => {
                    Value::Timestamp(pick(&self.stamps, *i).copied().unwrap_or(self.now))
                }
            },
            ValueSpec::Lit(seed, text) => match kind {
                ValueKind::Int => Value::Int(INTS[(*seed % INTS.len() as u64) as usize]),
                ValueKind::Bool => Value::Bool(seed % 2 == 1),
                ValueKind::Text => Value::Text(text.clone()),
                ValueKind::Uuid => Value::Uuid(Uuid::from_u128(u128::from(*seed))),
                ValueKind::Timestamp => Value::Timestamp(match seed % 7 {
                    0 => Timestamp::MIN,
                    1 => Timestamp::MAX,
                    2 => t0(),
                    3 => at_micros(T0_UNIX_MICROS + 1_000_000),
                    4 => at_micros(T0_UNIX_MICROS - 1),
                    5 => self.now,
                    _ => at_micros(T0_UNIX_MICROS + 10_000_000),
                }),
            },
            ValueSpec::Null => Value::Null,
            ValueSpec::WrongKind(seed) => {
                if kind == ValueKind::Text {
                    Value::Int(*seed as i64)
                } else {
                    Value::Text("1".to_owned())
                }
            }
        }
    }

    fn filter<F: Field>(&self, spec: &FilterSpec) -> Filter<F> {
        let field = |i: u8| F::ALL[usize::from(i) % F::ALL.len()];
        // Mostly a text field (any field when the index is 7 mod 8: `InvalidInput`).
        let text_field = |i: u8| {
            let texts: Vec<F> = F::ALL
                .iter()
                .copied()
                .filter(|f| f.kind() == ValueKind::Text)
                .collect();
            if i % 8 == 7 || texts.is_empty() {
                field(i)
            } else {
                texts[usize::from(i) % texts.len()]
            }
        };
        match spec {
            FilterSpec::All => Filter::All,
            FilterSpec::Cmp(f, op, v) => {
                let field = field(*f);
                Filter::Cmp {
                    field,
                    op: *op,
                    value: self.value(field.kind(), v),
                }
            }
            FilterSpec::In(f, values) => {
                let field = field(*f);
                Filter::In {
                    field,
                    values: values.iter().map(|v| self.value(field.kind(), v)).collect(),
                }
            }
            FilterSpec::IsNull(f) => Filter::IsNull(field(*f)),
            FilterSpec::IsNotNull(f) => Filter::IsNotNull(field(*f)),
            FilterSpec::Contains(f, text) => Filter::Contains {
                field: text_field(*f),
                text: text.clone(),
            },
            FilterSpec::StartsWith(f, text) => Filter::StartsWith {
                field: text_field(*f),
                text: text.clone(),
            },
            FilterSpec::TextCi(f, op, text) => Filter::TextCi {
                field: text_field(*f),
                op: match op {
                    0 => TextOp::Eq,
                    1 => TextOp::Contains,
                    _ => TextOp::StartsWith,
                },
                text: text.clone(),
            },
            FilterSpec::And(items) => Filter::And(items.iter().map(|s| self.filter(s)).collect()),
            FilterSpec::Or(items) => Filter::Or(items.iter().map(|s| self.filter(s)).collect()),
            FilterSpec::Not(inner) => Filter::Not(Box::new(self.filter(inner))),
        }
    }

    fn sort<F: Field>(spec: &SortSpec) -> Vec<Sort<F>> {
        spec.iter()
            .map(|(i, asc)| {
                let field = F::ALL[usize::from(*i) % F::ALL.len()];
                if *asc {
                    field.asc_sort()
                } else {
                    field.desc_sort()
                }
            })
            .collect()
    }

    fn query<F: Field>(&self, spec: &QuerySpec) -> Query<F> {
        Query {
            filter: self.filter(&spec.filter),
            sort: Self::sort(&spec.sort),
            limit: spec.limit,
            offset: spec.offset,
        }
    }

    fn cursor(&self, spec: &CursorSpec) -> Option<Cursor> {
        match spec {
            CursorSpec::First => None,
            CursorSpec::Seen(i) => pick(&self.cursors, *i).cloned(),
            CursorSpec::Damaged(i, at, c) => pick(&self.cursors, *i).map(|cursor| {
                let mut chars: Vec<char> = cursor.as_str().chars().collect();
                if !chars.is_empty() {
                    let at = usize::from(*at) % chars.len();
                    chars[at] = *c;
                }
                Cursor::from_string(chars.into_iter().collect::<String>())
            }),
            CursorSpec::Garbage(s) => Some(Cursor::from_string(s.clone())),
        }
    }

    fn path(&self, spec: &PathSpec) -> String {
        match spec {
            PathSpec::Raw(p) => p.clone(),
            PathSpec::Under(i, segment) => match pick(&self.paths, *i) {
                Some(parent) => format!("{parent}/{segment}"),
                None => (*segment).to_owned(),
            },
        }
    }

    fn membership(&self, spec: MemberRef) -> (Uuid, Uuid) {
        match spec {
            MemberRef::Seen(i) => pick(&self.memberships, i).copied().unwrap_or_else(|| {
                (
                    self.uuid(Tbl::Organizations, UuidRef::Seen(i)),
                    self.uuid(Tbl::Users, UuidRef::Seen(i)),
                )
            }),
            MemberRef::Refs(o, u) => (self.uuid(Tbl::Organizations, o), self.uuid(Tbl::Users, u)),
        }
    }

    fn ts_micros(&self, spec: TsSpec) -> i64 {
        match spec {
            TsSpec::Min => Timestamp::MIN.unix_micros(),
            TsSpec::Max => Timestamp::MAX.unix_micros(),
            TsSpec::BeforeMin => Timestamp::MIN.unix_micros() - 1,
            TsSpec::AfterMax => Timestamp::MAX.unix_micros() + 1,
            TsSpec::T0Plus(s) => T0_UNIX_MICROS + s * 1_000_000,
            TsSpec::Now => self.now.unix_micros(),
            TsSpec::Micros(m) => m,
        }
    }

    /// Takes in everything a snapshot shows.
    pub fn absorb(&mut self, s: &Snapshot) {
        const CAP: usize = 400;
        let text = |pool: &mut Vec<String>, t: &str| {
            if t.chars().count() <= 64 {
                push_unique(pool, t.to_owned(), CAP);
            }
        };
        for r in &s.users {
            push_unique(&mut self.ids[0], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[0], r.uuid, CAP);
            text(&mut self.texts, r.email.as_str());
            push_unique(&mut self.stamps, r.created_at, CAP);
        }
        for r in &s.profiles {
            push_unique(&mut self.ids[1], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[1], r.uuid, CAP);
            if let Some(f) = &r.first_name {
                text(&mut self.texts, f.as_str());
            }
        }
        for r in &s.organizations {
            push_unique(&mut self.ids[2], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[2], r.uuid, CAP);
            text(&mut self.texts, r.name.as_str());
        }
        for r in &s.members {
            push_unique(&mut self.ids[3], i64::from(r.id.get()), CAP);
            push_unique(&mut self.memberships, (r.organization_id, r.user_id), CAP);
            push_unique(&mut self.stamps, r.joined_at, CAP);
        }
        for r in &s.functions {
            push_unique(&mut self.ids[4], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[4], r.uuid, CAP);
            text(&mut self.texts, r.name.as_str());
            push_unique(&mut self.stamps, r.updated_at, CAP);
        }
        for r in &s.deployments {
            push_unique(&mut self.ids[5], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[5], r.uuid, CAP);
            push_unique(&mut self.stamps, r.deployed_at, CAP);
        }
        for r in &s.logs {
            push_unique(&mut self.ids[6], r.id.get(), CAP);
            push_unique(&mut self.uuids[6], r.uuid, CAP);
            text(&mut self.texts, r.message.as_str());
            push_unique(&mut self.stamps, r.timestamp, CAP);
        }
        for r in &s.invocations {
            push_unique(&mut self.ids[7], r.id.get(), CAP);
            push_unique(&mut self.uuids[7], r.uuid, CAP);
            push_unique(&mut self.stamps, r.timestamp, CAP);
        }
        for r in &s.repositories {
            push_unique(&mut self.ids[8], i64::from(r.id.get()), CAP);
            push_unique(&mut self.uuids[8], r.uuid, CAP);
            text(&mut self.texts, r.path.as_str());
            push_unique(&mut self.paths, r.path.as_str().to_owned(), CAP);
            push_unique(&mut self.stamps, r.created_at, CAP);
        }
    }

    /// The uuids of every repository seen so far.
    pub fn repository_uuids(&self) -> &[Uuid] {
        &self.uuids[Tbl::Repositories as usize]
    }
}

fn at_micros(m: i64) -> Timestamp {
    Timestamp::from_unix_micros("t", m).expect("in range")
}

/// `Field::asc`/`desc` live on the generated enums; this reaches them generically.
trait SortExt: Field {
    fn asc_sort(self) -> Sort<Self> {
        Sort {
            field: self,
            direction: containerpub_ports::Direction::Asc,
        }
    }
    fn desc_sort(self) -> Sort<Self> {
        Sort {
            field: self,
            direction: containerpub_ports::Direction::Desc,
        }
    }
}

impl<F: Field> SortExt for F {}

/// Ids of every width from the raw pool value (out-of-range values saturate: still unknown).
pub trait RawId {
    fn from_raw(raw: i64) -> Self;
}

macro_rules! raw_id {
    (i32: $($t:ty),+) => {$(
        impl RawId for $t {
            fn from_raw(raw: i64) -> Self {
                <$t>::new(i32::try_from(raw).unwrap_or(if raw < 0 { i32::MIN } else { i32::MAX }))
            }
        }
    )+};
    (i64: $($t:ty),+) => {$(
        impl RawId for $t {
            fn from_raw(raw: i64) -> Self {
                <$t>::new(raw)
            }
        }
    )+};
}

raw_id!(i32: UserId, UserInformationId, OrganizationId, OrganizationMemberId, FunctionId, DeploymentId, RepositoryId);
raw_id!(i64: LogId, InvocationId);

// ---------------------------------------------------------------------------------------
// Building domain values through their constructors, checked against independent rules.

/// Why an op was not run.
pub enum Reject {
    /// The domain rejected a value, with the error the rules predict: the op is skipped.
    Domain,
    /// The domain's answer differs from the rules: the case fails.
    Oracle(String),
}

type Built<T> = Result<T, Reject>;

/// Accepts the constructor's answer if it is what `expected` predicts.
fn judge<T: Debug>(
    field: &'static str,
    input: &str,
    got: Result<T, ValidationError>,
    expected: Option<Rule>,
) -> Built<T> {
    match (got, expected) {
        (Ok(v), None) => Ok(v),
        (Err(e), Some(rule)) if e.field == field && e.rule == rule => Err(Reject::Domain),
        (got, expected) => Err(Reject::Oracle(format!(
            "the domain's answer for {field} = {input:?} is {got:?}, the rules say {expected:?}"
        ))),
    }
}

fn text_rule(s: &str, max: usize) -> Option<Rule> {
    if s.contains('\0') {
        return Some(Rule::NulCharacter);
    }
    let n = s.chars().count();
    (max != usize::MAX && n > max).then_some(Rule::TooLong { max, actual: n })
}

fn bounded<const N: usize>(field: &'static str, spec: &TextSpec) -> Built<BoundedText<N>> {
    let s = spec.resolve(N);
    judge(
        field,
        &s,
        BoundedText::<N>::new(field, s.clone()),
        text_rule(&s, N),
    )
}

fn opt_bounded<const N: usize>(
    field: &'static str,
    spec: &Option<TextSpec>,
) -> Built<Option<BoundedText<N>>> {
    spec.as_ref().map(|s| bounded::<N>(field, s)).transpose()
}

#[allow(clippy::option_option)]
fn patch_bounded<const N: usize>(
    field: &'static str,
    spec: &Option<Option<TextSpec>>,
) -> Built<Option<Option<BoundedText<N>>>> {
    spec.as_ref()
        .map(|inner| opt_bounded::<N>(field, inner))
        .transpose()
}

fn name<const N: usize>(field: &'static str, spec: &TextSpec) -> Built<Name<N>> {
    let s = spec.resolve(N);
    let expected = if s.trim().is_empty() {
        Some(Rule::Empty)
    } else {
        text_rule(&s, N)
    };
    judge(field, &s, Name::<N>::new(field, s.clone()), expected)
}

fn email(raw: &str) -> Built<Email> {
    match Email::parse(raw) {
        Ok(email) if email.as_str() == raw.trim().to_lowercase() => Ok(email),
        Err(e) if e.field == "email" => Err(Reject::Domain),
        other => Err(Reject::Oracle(format!(
            "Email::parse({raw:?}) gave {other:?}"
        ))),
    }
}

fn password(spec: &TextSpec) -> Built<PasswordHash> {
    let s = spec.resolve(PasswordHash::MAX_LEN);
    let expected = if s.is_empty() {
        Some(Rule::Empty)
    } else {
        text_rule(&s, PasswordHash::MAX_LEN)
    };
    judge("password_hash", &s, PasswordHash::new(s.clone()), expected)
}

fn path(raw: &str) -> Built<RepositoryPath> {
    match RepositoryPath::parse(raw) {
        Ok(p) if p.as_str() == raw => Ok(p),
        Err(e) if e.field == "path" => Err(Reject::Domain),
        other => Err(Reject::Oracle(format!(
            "RepositoryPath::parse({raw:?}) gave {other:?}"
        ))),
    }
}

fn json(spec: &JsonSpec) -> Built<Json> {
    fn walk(v: &JsonValue, depth: usize, nul: &mut bool, deepest: &mut usize, changed: &mut bool) {
        match v {
            JsonValue::String(s) => *nul |= s.contains('\0'),
            // Of the floats the generator draws, JSONB gives back only -0.0 changed (as 0.0);
            // `adoption::numbers` checks this against the server.
            JsonValue::Number(n) => {
                *changed |=
                    n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) && n.is_f64();
            }
            JsonValue::Array(items) => {
                *deepest = (*deepest).max(depth);
                items
                    .iter()
                    .for_each(|i| walk(i, depth + 1, nul, deepest, changed));
            }
            JsonValue::Object(map) => {
                *deepest = (*deepest).max(depth);
                for (k, item) in map {
                    *nul |= k.contains('\0');
                    walk(item, depth + 1, nul, deepest, changed);
                }
            }
            _ => {}
        }
    }
    let value = spec.resolve();
    let (mut nul, mut deepest, mut changed) = (false, 0, false);
    walk(&value, 1, &mut nul, &mut deepest, &mut changed);
    let max = Json::MAX_DEPTH;
    let expected = if nul {
        Some(Rule::NulCharacter)
    } else if deepest > max {
        Some(Rule::TooLarge {
            max: max as i64,
            actual: max as i64 + 1,
        })
    } else if changed {
        Some(Rule::Format(containerpub_domain::json::NUMBER_RULE))
    } else {
        None
    };
    let shown = format!("{spec:.200?}");
    judge(
        "analysis_result",
        &shown,
        Json::new("analysis_result", value),
        expected,
    )
}

fn duration(raw: i64) -> Built<DurationMs> {
    let expected = if raw < 0 {
        Some(Rule::TooSmall {
            min: 0,
            actual: raw,
        })
    } else if raw > i64::from(i32::MAX) {
        Some(Rule::TooLarge {
            max: i64::from(i32::MAX),
            actual: raw,
        })
    } else {
        None
    };
    judge(
        "duration_ms",
        &raw.to_string(),
        DurationMs::from_i64(raw),
        expected,
    )
}

fn timestamp(pools: &Pools, spec: TsSpec) -> Built<Timestamp> {
    let micros = pools.ts_micros(spec);
    let in_range = (Timestamp::MIN.unix_micros()..=Timestamp::MAX.unix_micros()).contains(&micros);
    judge(
        "timestamp",
        &micros.to_string(),
        Timestamp::from_unix_micros("timestamp", micros),
        (!in_range).then_some(Rule::OutOfRange),
    )
}

fn opt_timestamp(pools: &Pools, spec: Option<TsSpec>) -> Built<Option<Timestamp>> {
    spec.map(|s| timestamp(pools, s)).transpose()
}

/// Builds an op's input from its spec.
pub trait Spec {
    type Out: Clone + Debug + Send + Sync + 'static;
    fn build(&self, pools: &Pools) -> Built<Self::Out>;
}

impl Spec for NewUserSpec {
    type Out = NewUser;
    fn build(&self, p: &Pools) -> Built<NewUser> {
        Ok(NewUser {
            uuid: p.new_uuid(Tbl::Users, self.uuid),
            email: email(&self.email)?,
            password_hash: self.password.as_ref().map(password).transpose()?,
        })
    }
}

impl Spec for UserPatchSpec {
    type Out = UserPatch;
    fn build(&self, _: &Pools) -> Built<UserPatch> {
        Ok(UserPatch {
            email: self.email.as_deref().map(email).transpose()?,
            password_hash: self
                .password
                .as_ref()
                .map(|inner| inner.as_ref().map(password).transpose())
                .transpose()?,
        })
    }
}

impl Spec for NewProfileSpec {
    type Out = NewUserInformation;
    fn build(&self, p: &Pools) -> Built<NewUserInformation> {
        Ok(NewUserInformation {
            uuid: p.new_uuid(Tbl::Profiles, self.uuid),
            user_id: p.uuid(Tbl::Users, self.user),
            first_name: opt_bounded::<100>("first_name", &self.first_name)?,
            last_name: opt_bounded::<100>("last_name", &self.rest)?,
            phone_number: opt_bounded::<20>("phone_number", &self.phone)?,
            country: opt_bounded::<100>("country", &self.rest)?,
            city: opt_bounded::<100>("city", &self.city)?,
            address: opt_bounded::<{ usize::MAX }>("address", &self.address)?,
            zip_code: opt_bounded::<20>("zip_code", &self.rest)?,
            avatar: opt_bounded::<{ usize::MAX }>("avatar", &self.rest)?,
            role: self.role,
        })
    }
}

impl Spec for ProfilePatchSpec {
    type Out = UserInformationPatch;
    fn build(&self, _: &Pools) -> Built<UserInformationPatch> {
        Ok(UserInformationPatch {
            first_name: patch_bounded::<100>("first_name", &self.first_name)?,
            zip_code: patch_bounded::<20>("zip_code", &self.zip)?,
            avatar: patch_bounded::<{ usize::MAX }>("avatar", &self.avatar)?,
            role: self.role,
            ..UserInformationPatch::default()
        })
    }
}

impl Spec for NewOrgSpec {
    type Out = NewOrganization;
    fn build(&self, p: &Pools) -> Built<NewOrganization> {
        Ok(NewOrganization {
            uuid: p.new_uuid(Tbl::Organizations, self.uuid),
            name: name::<255>("name", &self.name)?,
            owner_id: p.uuid(Tbl::Users, self.owner),
        })
    }
}

impl Spec for OrgPatchSpec {
    type Out = OrganizationPatch;
    fn build(&self, p: &Pools) -> Built<OrganizationPatch> {
        Ok(OrganizationPatch {
            name: self
                .name
                .as_ref()
                .map(|n| name::<255>("name", n))
                .transpose()?,
            owner_id: self.owner.map(|o| p.uuid(Tbl::Users, o)),
        })
    }
}

impl Spec for NewMemberSpec {
    type Out = NewOrganizationMember;
    fn build(&self, p: &Pools) -> Built<NewOrganizationMember> {
        Ok(NewOrganizationMember {
            organization_id: p.uuid(Tbl::Organizations, self.organization),
            user_id: p.uuid(Tbl::Users, self.user),
        })
    }
}

impl Spec for MemberPatchSpec {
    type Out = OrganizationMemberPatch;
    fn build(&self, p: &Pools) -> Built<OrganizationMemberPatch> {
        Ok(OrganizationMemberPatch {
            organization_id: self.organization.map(|o| p.uuid(Tbl::Organizations, o)),
        })
    }
}

impl Spec for NewFunctionSpec {
    type Out = NewFunction;
    fn build(&self, p: &Pools) -> Built<NewFunction> {
        Ok(NewFunction {
            uuid: p.new_uuid(Tbl::Functions, self.uuid),
            user_id: UserId::from_raw(p.id(Tbl::Users, self.owner)),
            name: name::<255>("name", &self.name)?,
            status: self.status,
            analysis_result: self.analysis.as_ref().map(json).transpose()?,
        })
    }
}

impl Spec for FunctionPatchSpec {
    type Out = FunctionPatch;
    fn build(&self, _: &Pools) -> Built<FunctionPatch> {
        Ok(FunctionPatch {
            name: self
                .name
                .as_ref()
                .map(|n| name::<255>("name", n))
                .transpose()?,
            status: self.status,
            analysis_result: self
                .analysis
                .as_ref()
                .map(|inner| inner.as_ref().map(json).transpose())
                .transpose()?,
        })
    }
}

impl Spec for NewDeploymentSpec {
    type Out = NewDeployment;
    fn build(&self, p: &Pools) -> Built<NewDeployment> {
        Ok(NewDeployment {
            uuid: p.new_uuid(Tbl::Deployments, self.uuid),
            function_id: FunctionId::from_raw(p.id(Tbl::Functions, self.function)),
            image_tag: opt_bounded::<255>("image_tag", &self.image_tag)?,
            s3_key: opt_bounded::<500>("s3_key", &self.s3_key)?,
            status: self.status,
            build_logs: opt_bounded::<{ usize::MAX }>("build_logs", &self.build_logs)?,
        })
    }
}

impl Spec for DeploymentPatchSpec {
    type Out = DeploymentPatch;
    fn build(&self, _: &Pools) -> Built<DeploymentPatch> {
        Ok(DeploymentPatch {
            image_tag: patch_bounded::<255>("image_tag", &self.image_tag)?,
            s3_key: patch_bounded::<500>("s3_key", &self.s3_key)?,
            status: self.status,
            build_logs: patch_bounded::<{ usize::MAX }>("build_logs", &self.build_logs)?,
        })
    }
}

impl Spec for NewLogSpec {
    type Out = NewLog;
    fn build(&self, p: &Pools) -> Built<NewLog> {
        Ok(NewLog {
            uuid: p.new_uuid(Tbl::Logs, self.uuid),
            function_id: FunctionId::from_raw(p.id(Tbl::Functions, self.function)),
            level: self.level,
            message: bounded::<{ usize::MAX }>("message", &self.message)?,
            timestamp: opt_timestamp(p, self.at)?,
        })
    }
}

impl Spec for LogPatchSpec {
    type Out = LogPatch;
    fn build(&self, _: &Pools) -> Built<LogPatch> {
        Ok(LogPatch {
            level: self.level,
            message: self
                .message
                .as_ref()
                .map(|m| bounded::<{ usize::MAX }>("message", m))
                .transpose()?,
        })
    }
}

impl Spec for NewInvocationSpec {
    type Out = NewInvocation;
    fn build(&self, p: &Pools) -> Built<NewInvocation> {
        Ok(NewInvocation {
            uuid: p.new_uuid(Tbl::Invocations, self.uuid),
            function_id: FunctionId::from_raw(p.id(Tbl::Functions, self.function)),
            status: self.status,
            duration_ms: duration(self.duration)?,
            error: opt_bounded::<{ usize::MAX }>("error", &self.error)?,
            timestamp: opt_timestamp(p, self.at)?,
        })
    }
}

impl Spec for InvocationPatchSpec {
    type Out = InvocationPatch;
    fn build(&self, _: &Pools) -> Built<InvocationPatch> {
        Ok(InvocationPatch {
            status: self.status,
            duration_ms: self.duration.map(duration).transpose()?,
            error: patch_bounded::<{ usize::MAX }>("error", &self.error)?,
        })
    }
}

impl Spec for NewRepoSpec {
    type Out = NewRepository;
    fn build(&self, p: &Pools) -> Built<NewRepository> {
        Ok(NewRepository {
            uuid: p.new_uuid(Tbl::Repositories, self.uuid),
            path: path(&p.path(&self.path))?,
        })
    }
}

impl Spec for RepoPatchSpec {
    type Out = RepositoryPatch;
    fn build(&self, p: &Pools) -> Built<RepositoryPatch> {
        Ok(RepositoryPatch {
            path: self
                .path
                .as_ref()
                .map(|spec| path(&p.path(spec)))
                .transpose()?,
        })
    }
}

impl<S: Spec> Spec for Vec<S> {
    type Out = Vec<S::Out>;
    fn build(&self, p: &Pools) -> Built<Vec<S::Out>> {
        self.iter().map(|s| s.build(p)).collect()
    }
}

// ---------------------------------------------------------------------------------------
// Read back exactly: what an insert returns holds the input's values.

pub trait Echo<N> {
    fn echoes(&self, new: &N) -> bool;
}

impl Echo<NewUser> for User {
    fn echoes(&self, n: &NewUser) -> bool {
        self.uuid == n.uuid && self.email == n.email && self.password_hash == n.password_hash
    }
}

impl Echo<NewUserInformation> for UserInformation {
    fn echoes(&self, n: &NewUserInformation) -> bool {
        self.uuid == n.uuid
            && self.user_id == n.user_id
            && self.first_name == n.first_name
            && self.last_name == n.last_name
            && self.phone_number == n.phone_number
            && self.country == n.country
            && self.city == n.city
            && self.address == n.address
            && self.zip_code == n.zip_code
            && self.avatar == n.avatar
            && self.role == n.role
    }
}

impl Echo<NewOrganization> for Organization {
    fn echoes(&self, n: &NewOrganization) -> bool {
        self.uuid == n.uuid && self.name == n.name && self.owner_id == n.owner_id
    }
}

impl Echo<NewOrganizationMember> for OrganizationMember {
    fn echoes(&self, n: &NewOrganizationMember) -> bool {
        self.organization_id == n.organization_id && self.user_id == n.user_id
    }
}

impl Echo<NewFunction> for Function {
    fn echoes(&self, n: &NewFunction) -> bool {
        self.uuid == n.uuid
            && self.user_id == n.user_id
            && self.name == n.name
            && self.status == n.status
            && self.analysis_result == n.analysis_result
    }
}

impl Echo<NewDeployment> for Deployment {
    fn echoes(&self, n: &NewDeployment) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.image_tag == n.image_tag
            && self.s3_key == n.s3_key
            && self.status == n.status
            && self.build_logs == n.build_logs
            && !self.is_active
    }
}

impl Echo<NewLog> for LogEntry {
    fn echoes(&self, n: &NewLog) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.level == n.level
            && self.message == n.message
            && n.timestamp.is_none_or(|t| t == self.timestamp)
    }
}

impl Echo<NewInvocation> for Invocation {
    fn echoes(&self, n: &NewInvocation) -> bool {
        self.uuid == n.uuid
            && self.function_id == n.function_id
            && self.status == n.status
            && self.duration_ms == n.duration_ms
            && self.error == n.error
            && n.timestamp.is_none_or(|t| t == self.timestamp)
    }
}

impl Echo<NewRepository> for Repository {
    fn echoes(&self, n: &NewRepository) -> bool {
        self.uuid == n.uuid
            && self.path == n.path
            && self.name == n.path.name()
            && self.deleted_at.is_none()
    }
}

fn echo<T: Echo<N> + Debug, N: Debug>(what: &str, row: &T, new: &N) -> Result<(), TestCaseError> {
    if row.echoes(new) {
        Ok(())
    } else {
        Err(fail(format!(
            "{what} stored something else than its input:\n input: {new:?}\n row:   {row:?}"
        )))
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots: every table's full contents through the ports.

/// Every row of every table (`find_all` with the default order: by id).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub users: Vec<User>,
    pub profiles: Vec<UserInformation>,
    pub organizations: Vec<Organization>,
    pub members: Vec<OrganizationMember>,
    pub functions: Vec<Function>,
    pub deployments: Vec<Deployment>,
    pub logs: Vec<LogEntry>,
    pub invocations: Vec<Invocation>,
    /// Live repositories only (reads never show soft-deleted ones).
    pub repositories: Vec<Repository>,
}

pub async fn snapshot(db: &dyn Stores) -> StoreResult<Snapshot> {
    Ok(Snapshot {
        users: db.users().find_all(Query::new()).await?,
        profiles: db.user_information().find_all(Query::new()).await?,
        organizations: db.organizations().find_all(Query::new()).await?,
        members: db.organization_members().find_all(Query::new()).await?,
        functions: db.functions().find_all(Query::new()).await?,
        deployments: db.deployments().find_all(Query::new()).await?,
        logs: db.logs().find_all(Query::new()).await?,
        invocations: db.invocations().find_all(Query::new()).await?,
        repositories: db.repositories().find_all(Query::new()).await?,
    })
}

/// The tables whose contents differ, with both sides' rows.
pub fn diff(m: &Snapshot, p: &Snapshot) -> String {
    let mut out = String::new();
    macro_rules! table {
        ($($t:ident),+) => {$(
            if m.$t != p.$t {
                out.push_str(&format!(
                    "\n  {}:\n    memory:   {:?}\n    postgres: {:?}",
                    stringify!($t), m.$t, p.$t
                ));
            }
        )+};
    }
    table!(
        users,
        profiles,
        organizations,
        members,
        functions,
        deployments,
        logs,
        invocations,
        repositories
    );
    out
}

// ---------------------------------------------------------------------------------------
// Running one op.

/// One op on both sides.
pub struct Cx<'a> {
    pub mem: &'a dyn Stores,
    pub pg: &'a dyn Stores,
    /// The same places as units of work, for `create_with_parents`.
    pub mem_uow: &'a dyn TreeUow,
    pub pg_uow: &'a dyn TreeUow,
    /// PostgreSQL's place again, for aligning the uuids of the ancestors
    /// `create_with_parents` creates (see [`super::tree`]).
    pub pg_raw: &'a dyn SetRepositoryUuid,
    pub pools: &'a mut Pools,
    pub step: usize,
    /// What happened, for the statistics: `skipped`, `ok`, or the error's variant.
    pub outcomes: Vec<String>,
}

/// The variant of an error with its key or field (what the statistics count).
pub fn label(err: &StoreError) -> String {
    match err {
        StoreError::NotFound { table } => format!("NotFound({table})"),
        StoreError::Conflict { key } => format!("Conflict({key})"),
        StoreError::ReferenceMissing { key } => format!("ReferenceMissing({key})"),
        StoreError::StillReferenced { key } => format!("StillReferenced({key})"),
        StoreError::InvalidInput(i) => match i.index {
            Some(index) => format!("InvalidInput({}, row {index})", i.field),
            None => format!("InvalidInput({})", i.field),
        },
        StoreError::InBatch { index, error } => format!("InBatch(row {index}, {})", label(error)),
        StoreError::Unavailable { .. } => "Unavailable".to_owned(),
        StoreError::Internal { .. } => "Internal".to_owned(),
        _ => "other".to_owned(),
    }
}

/// Both results must be equal (`Unavailable` only by variant); `Internal` always fails.
/// Records the outcome in `outcomes`.
pub fn compare<T: PartialEq + Debug>(
    step: usize,
    what: &str,
    m: StoreResult<T>,
    p: StoreResult<T>,
    outcomes: &mut Vec<String>,
) -> Result<Option<T>, TestCaseError> {
    let internal = |r: &StoreResult<T>| matches!(r, Err(StoreError::Internal { .. }));
    if internal(&m) || internal(&p) {
        return Err(fail(format!(
            "step {step}: {what}: Internal error\n  memory:   {m:?}\n  postgres: {p:?}"
        )));
    }
    match (m, p) {
        (Err(StoreError::Unavailable { .. }), Err(StoreError::Unavailable { .. })) => {
            outcomes.push(format!("{what}: Unavailable"));
            Ok(None)
        }
        (m, p) if m == p => {
            outcomes.push(match &m {
                Ok(_) => format!("{what}: ok"),
                Err(e) => format!("{what}: {}", label(e)),
            });
            Ok(m.ok())
        }
        (m, p) => Err(fail(format!(
            "step {step}: {what} differs\n  memory:   {m:?}\n  postgres: {p:?}"
        ))),
    }
}

impl Cx<'_> {
    /// [`compare`] for this op.
    pub fn check<T: PartialEq + Debug>(
        &mut self,
        what: &str,
        m: StoreResult<T>,
        p: StoreResult<T>,
    ) -> Result<Option<T>, TestCaseError> {
        compare(self.step, what, m, p, &mut self.outcomes)
    }

    fn cursor_seen(&mut self, next: Option<&Cursor>) {
        if let Some(c) = next {
            push_unique(&mut self.pools.cursors, c.clone(), 64);
        }
    }
}

/// Runs `$call` (an expression on `$db`, a `&dyn Stores`) on both sides and compares.
macro_rules! both {
    ($cx:ident, $what:expr, |$db:ident| $call:expr) => {{
        let m = {
            let $db: &dyn Stores = $cx.mem;
            $call.await
        };
        let p = {
            let $db: &dyn Stores = $cx.pg;
            $call.await
        };
        $cx.check($what, m, p)?
    }};
}

/// Builds a spec's value; a value the domain rejects skips the op.
macro_rules! build {
    ($cx:ident, $spec:expr) => {
        match $spec.build(&*$cx.pools) {
            Ok(v) => v,
            Err(Reject::Domain) => {
                $cx.outcomes
                    .push("skipped (rejected by the domain)".to_owned());
                return Ok(());
            }
            Err(Reject::Oracle(message)) => {
                return Err(fail(format!("step {}: {message}", $cx.step)));
            }
        }
    };
}

macro_rules! read_ops {
    ($cx:ident, $op:expr, $acc:ident, $id:ty, $table:expr, uuid: $uuid:tt) => {{
        let table = $table;
        match $op {
            ReadOp::FindById(r) => {
                let id = <$id>::from_raw($cx.pools.id(table, *r));
                both!($cx, "find_by_id", |db| db.$acc().find_by_id(id));
            }
            ReadOp::FindByUuid(r) => {
                read_ops!(@uuid $uuid, $cx, $acc, table, r);
            }
            ReadOp::FindOne(q) => {
                let query = $cx.pools.query(q);
                both!($cx, "find_one", |db| db.$acc().find_one(query.clone()));
            }
            ReadOp::FindAll(q) => {
                let query = $cx.pools.query(q);
                both!($cx, "find_all", |db| db.$acc().find_all(query.clone()));
            }
            ReadOp::FindPage(f, s, (page, size)) => {
                let filter = $cx.pools.filter(f);
                let sort = Pools::sort(s);
                let request = PageRequest::new(*page, *size);
                both!($cx, "find_page", |db| db
                    .$acc()
                    .find_page(filter.clone(), sort.clone(), request));
            }
            ReadOp::FindWindow(f, s, c, limit) => {
                let filter = $cx.pools.filter(f);
                let sort = Pools::sort(s);
                let request = KeysetRequest {
                    after: $cx.pools.cursor(c),
                    limit: *limit,
                };
                let window = both!($cx, "find_window", |db| db.$acc().find_window(
                    filter.clone(),
                    sort.clone(),
                    request.clone()
                ));
                $cx.cursor_seen(window.as_ref().and_then(|w| w.next.as_ref()));
            }
            ReadOp::Select(q, fields) => {
                let query = $cx.pools.query(q);
                let fields = pick_fields(fields);
                both!($cx, "select", |db| db.$acc().select(query.clone(), fields.clone()));
            }
            ReadOp::GroupBy(f, by, aggregates, order, limit) => {
                let filter = $cx.pools.filter(f);
                let query = group_query(filter, *by, aggregates, *order, *limit);
                both!($cx, "group_by", |db| db.$acc().group_by(query.clone()));
            }
            ReadOp::Count(f) => {
                let filter = $cx.pools.filter(f);
                both!($cx, "count", |db| db.$acc().count(filter.clone()));
            }
            ReadOp::Exists(f) => {
                let filter = $cx.pools.filter(f);
                both!($cx, "exists", |db| db.$acc().exists(filter.clone()));
            }
            ReadOp::DeleteById(r) => {
                let id = <$id>::from_raw($cx.pools.id(table, *r));
                both!($cx, "delete_by_id", |db| db.$acc().delete_by_id(id));
            }
            ReadOp::DeleteWhere(f) => {
                let filter = $cx.pools.filter(f);
                both!($cx, "delete_where", |db| db.$acc().delete_where(filter.clone()));
            }
        }
    }};
    (@uuid yes, $cx:ident, $acc:ident, $table:expr, $r:expr) => {{
        let uuid = $cx.pools.uuid($table, *$r);
        both!($cx, "find_by_uuid", |db| db.$acc().find_by_uuid(uuid));
    }};
    (@uuid no, $cx:ident, $acc:ident, $table:expr, $r:expr) => {{
        let _ = $r;
        $cx.outcomes.push("skipped (no uuid column)".to_owned());
    }};
}

macro_rules! write_ops {
    ($cx:ident, $op:expr, $acc:ident, $id:ty, $table:expr, keys: [$($key:expr),+]) => {{
        let table = $table;
        match $op {
            WriteOp::Insert(n) => {
                let new = build!($cx, n);
                if let Some(row) = both!($cx, "insert", |db| db.$acc().insert(new.clone())) {
                    echo("insert", &row, &new)?;
                }
            }
            WriteOp::InsertMany(ns) => {
                let rows = build!($cx, ns);
                if let Some(stored) = both!($cx, "insert_many", |db| db.$acc().insert_many(rows.clone())) {
                    if stored.len() != rows.len() {
                        return Err(fail(format!("step {}: insert_many returned {} rows for {}", $cx.step, stored.len(), rows.len())));
                    }
                    for (row, new) in stored.iter().zip(&rows) {
                        echo("insert_many", row, new)?;
                    }
                }
            }
            WriteOp::UpdateById(r, p) => {
                let id = <$id>::from_raw($cx.pools.id(table, *r));
                let patch = build!($cx, p);
                both!($cx, "update_by_id", |db| db.$acc().update_by_id(id, patch.clone()));
            }
            WriteOp::UpdateWhere(f, p) => {
                let filter = $cx.pools.filter(f);
                let patch = build!($cx, p);
                both!($cx, "update_where", |db| db.$acc().update_where(filter.clone(), patch.clone()));
            }
            WriteOp::Upsert(n, k) => {
                let keys = [$($key),+];
                let key = keys[usize::from(*k) % keys.len()];
                let new = build!($cx, n);
                if let Some(row) = both!($cx, "upsert", |db| db.$acc().upsert(new.clone(), key)) {
                    if row.was_inserted() {
                        echo("upsert", row.row(), &new)?;
                    }
                }
            }
            WriteOp::FindOrInsert(n, k) => {
                let keys = [$($key),+];
                let key = keys[usize::from(*k) % keys.len()];
                let new = build!($cx, n);
                if let Some(row) = both!($cx, "find_or_insert", |db| db.$acc().find_or_insert(new.clone(), key)) {
                    if row.was_inserted() {
                        echo("find_or_insert", row.row(), &new)?;
                    }
                }
            }
        }
    }};
}

/// Runs one op (not a transaction op or a clock move) on both sides.
pub async fn run(cx: &mut Cx<'_>, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::Clock(_) | Op::Begin | Op::Commit | Op::Rollback => Ok(()),
        Op::Read(table, read) => run_read(cx, *table, read).await,
        Op::Users(w) => {
            write_ops!(cx, w, users, UserId, Tbl::Users, keys: [UserKey::Uuid, UserKey::Email]);
            Ok(())
        }
        Op::Profiles(w) => {
            write_ops!(cx, w, user_information, UserInformationId, Tbl::Profiles,
                keys: [UserInformationKey::Uuid, UserInformationKey::User]);
            Ok(())
        }
        Op::Organizations(w) => {
            write_ops!(cx, w, organizations, OrganizationId, Tbl::Organizations,
                keys: [OrganizationKey::Uuid, OrganizationKey::Name]);
            Ok(())
        }
        Op::Members(w) => {
            write_ops!(cx, w, organization_members, OrganizationMemberId, Tbl::Members,
                keys: [OrganizationMemberKey::User]);
            Ok(())
        }
        Op::Functions(w) => {
            write_ops!(cx, w, functions, FunctionId, Tbl::Functions,
                keys: [FunctionKey::Uuid, FunctionKey::OwnerAndName]);
            Ok(())
        }
        Op::Deployments(w) => {
            write_ops!(cx, w, deployments, DeploymentId, Tbl::Deployments,
                keys: [DeploymentKey::Uuid]);
            Ok(())
        }
        Op::Logs(w) => {
            write_ops!(cx, w, logs, LogId, Tbl::Logs, keys: [LogKey::Uuid]);
            Ok(())
        }
        Op::Invocations(w) => {
            write_ops!(cx, w, invocations, InvocationId, Tbl::Invocations,
                keys: [InvocationKey::Uuid]);
            Ok(())
        }
        Op::Repositories(w) => {
            write_ops!(cx, w, repositories, RepositoryId, Tbl::Repositories,
                keys: [RepositoryKey::Uuid, RepositoryKey::LivePath]);
            Ok(())
        }
        Op::Special(s) => run_special(cx, s).await,
    }
}

/// The fields at these indices (modulo the field count).
fn pick_fields<F: Field>(indices: &[u8]) -> Vec<F> {
    indices
        .iter()
        .map(|i| F::ALL[usize::from(*i) % F::ALL.len()])
        .collect()
}

/// A grouping query from its spec: aggregates over the integer fields (some of which are
/// nullable), by index.
fn group_query<F: Field>(
    filter: Filter<F>,
    by: u8,
    aggregates: &[(u8, u8)],
    order: u8,
    limit: Option<u64>,
) -> GroupQuery<F> {
    let ints: Vec<F> = F::ALL
        .iter()
        .copied()
        .filter(|f| f.kind() == ValueKind::Int)
        .collect();
    let mut query = GroupQuery::by(F::ALL[usize::from(by) % F::ALL.len()]).filter(filter);
    for (kind, field) in aggregates {
        let field = ints[usize::from(*field) % ints.len()];
        query = query.aggregate(match kind {
            0 => Aggregate::Min(field),
            1 => Aggregate::Max(field),
            2 => Aggregate::Sum(field),
            _ => Aggregate::Avg(field),
        });
    }
    query.order = match order {
        0 => GroupOrder::KeyAsc,
        1 => GroupOrder::KeyDesc,
        2 => GroupOrder::CountDesc,
        _ => GroupOrder::CountAsc,
    };
    query.limit = limit;
    query
}

async fn run_read(cx: &mut Cx<'_>, table: Tbl, op: &ReadOp) -> Result<(), TestCaseError> {
    match table {
        Tbl::Users => read_ops!(cx, op, users, UserId, table, uuid: yes),
        Tbl::Profiles => {
            read_ops!(cx, op, user_information, UserInformationId, table, uuid: yes);
        }
        Tbl::Organizations => {
            read_ops!(cx, op, organizations, OrganizationId, table, uuid: yes);
        }
        Tbl::Members => {
            read_ops!(cx, op, organization_members, OrganizationMemberId, table, uuid: no);
        }
        Tbl::Functions => read_ops!(cx, op, functions, FunctionId, table, uuid: yes),
        Tbl::Deployments => read_ops!(cx, op, deployments, DeploymentId, table, uuid: yes),
        Tbl::Logs => read_ops!(cx, op, logs, LogId, table, uuid: yes),
        Tbl::Invocations => read_ops!(cx, op, invocations, InvocationId, table, uuid: yes),
        Tbl::Repositories => {
            read_ops!(cx, op, repositories, RepositoryId, table, uuid: yes);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_lines)]
async fn run_special(cx: &mut Cx<'_>, op: &SpecialOp) -> Result<(), TestCaseError> {
    match op {
        SpecialOp::FindByEmail(raw) => {
            let address = build!(cx, EmailSpec(raw));
            both!(cx, "find_by_email", |db| db.users().find_by_email(&address));
        }
        SpecialOp::UpsertForUser(spec) => {
            let new = build!(cx, spec);
            let row = both!(cx, "upsert_for_user", |db| db
                .user_information()
                .upsert_for_user(new.clone()));
            if let Some(row) = row
                && row.was_inserted()
            {
                echo("upsert_for_user", row.row(), &new)?;
            }
        }
        SpecialOp::FindByUser(r) => {
            let user = cx.pools.uuid(Tbl::Users, *r);
            both!(cx, "find_by_user", |db| db
                .user_information()
                .find_by_user(user));
        }
        SpecialOp::Profile(r) => {
            let user = cx.pools.uuid(Tbl::Users, *r);
            both!(cx, "profile", |db| db.user_information().profile(user));
        }
        SpecialOp::CreateWithOwner(spec) => {
            let new = build!(cx, spec);
            if let Some((org, member)) = both!(cx, "create_with_owner", |db| db
                .organizations()
                .create_with_owner(new.clone()))
            {
                echo("create_with_owner", &org, &new)?;
                let membership = NewOrganizationMember {
                    organization_id: org.uuid,
                    user_id: new.owner_id,
                };
                echo("create_with_owner", &member, &membership)?;
            }
        }
        SpecialOp::FindByName(spec) => {
            let n = build!(cx, NameSpec(spec));
            both!(cx, "find_by_name", |db| db.organizations().find_by_name(&n));
        }
        SpecialOp::OrganizationOf(r) => {
            let user = cx.pools.uuid(Tbl::Users, *r);
            both!(cx, "organization_of", |db| db
                .organizations()
                .organization_of(user));
        }
        SpecialOp::AddMember(o, u) => {
            let org = cx.pools.uuid(Tbl::Organizations, *o);
            let user = cx.pools.uuid(Tbl::Users, *u);
            both!(cx, "add_member", |db| db
                .organization_members()
                .add_member(org, user));
        }
        SpecialOp::RemoveMember(m) => {
            let (org, user) = cx.pools.membership(*m);
            both!(cx, "remove_member", |db| db
                .organization_members()
                .remove_member(org, user));
        }
        SpecialOp::MembersOf(o) => {
            let org = cx.pools.uuid(Tbl::Organizations, *o);
            both!(cx, "members_of", |db| db
                .organization_members()
                .members_of(org));
        }
        SpecialOp::MembershipOf(u) => {
            let user = cx.pools.uuid(Tbl::Users, *u);
            both!(cx, "membership_of", |db| db
                .organization_members()
                .membership_of(user));
        }
        SpecialOp::FindByOwner(r, (page, size)) => {
            let owner = UserId::from_raw(cx.pools.id(Tbl::Users, *r));
            let request = PageRequest::new(*page, *size);
            both!(cx, "find_by_owner", |db| db
                .functions()
                .find_by_owner(owner, request));
        }
        SpecialOp::Details(r) => {
            let id = FunctionId::from_raw(cx.pools.id(Tbl::Functions, *r));
            both!(cx, "details", |db| db.functions().details(id));
        }
        SpecialOp::Summaries(q) => {
            let query = cx.pools.query(q);
            both!(cx, "summaries", |db| db
                .functions()
                .summaries(query.clone()));
        }
        SpecialOp::CreateNextVersion(spec) => {
            let new = build!(cx, spec);
            if let Some(row) = both!(cx, "create_next_version", |db| db
                .deployments()
                .create_next_version(new.clone()))
            {
                echo("create_next_version", &row, &new)?;
            }
        }
        SpecialOp::Activate(r) => {
            let id = DeploymentId::from_raw(cx.pools.id(Tbl::Deployments, *r));
            both!(cx, "activate", |db| db.deployments().activate(id));
        }
        SpecialOp::ActiveFor(r) => {
            let id = FunctionId::from_raw(cx.pools.id(Tbl::Functions, *r));
            both!(cx, "active_for", |db| db.deployments().active_for(id));
        }
        SpecialOp::LogsFor {
            function,
            from,
            until,
            level,
            newest_first,
            cursor,
            limit,
        } => {
            let from = build!(cx, TsOpt(*from));
            let until = build!(cx, TsOpt(*until));
            let query = LogQuery {
                function_id: FunctionId::from_raw(cx.pools.id(Tbl::Functions, *function)),
                from,
                until,
                level: *level,
                newest_first: *newest_first,
            };
            let request = KeysetRequest {
                after: cx.pools.cursor(cursor),
                limit: *limit,
            };
            let window = both!(cx, "for_function", |db| db
                .logs()
                .for_function(query.clone(), request.clone()));
            cx.cursor_seen(window.as_ref().and_then(|w| w.next.as_ref()));
        }
        SpecialOp::Append(specs) => {
            let rows = build!(cx, specs);
            let written = both!(cx, "append", |db| db.logs().append(rows.clone()));
            if let Some(n) = written
                && n != rows.len() as u64
            {
                return Err(fail(format!(
                    "step {}: append wrote {n} of {} rows",
                    cx.step,
                    rows.len()
                )));
            }
        }
        SpecialOp::DeleteOlderThan(ts) => {
            let cutoff = build!(cx, TsOpt(Some(*ts)));
            let cutoff = cutoff.unwrap_or(Timestamp::MIN);
            both!(cx, "delete_older_than", |db| db
                .logs()
                .delete_older_than(cutoff));
        }
        SpecialOp::Record(spec) => {
            let new = build!(cx, spec);
            if let Some(row) = both!(cx, "record", |db| db.invocations().record(new.clone())) {
                echo("record", &row, &new)?;
            }
        }
        SpecialOp::RecordMany(specs) => {
            let rows = build!(cx, specs);
            both!(cx, "record_many", |db| db
                .invocations()
                .record_many(rows.clone()));
        }
        SpecialOp::Stats(r, ts) => {
            let id = FunctionId::from_raw(cx.pools.id(Tbl::Functions, *r));
            let since = build!(cx, TsOpt(Some(*ts))).unwrap_or(Timestamp::MIN);
            both!(cx, "stats", |db| db.invocations().stats(id, since));
        }
        SpecialOp::CreateRepository(spec) => {
            let new = build!(cx, spec);
            if let Some(row) = both!(cx, "create", |db| db.repositories().create(new.clone())) {
                echo("create", &row, &new)?;
            }
        }
        SpecialOp::SoftDelete(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "soft_delete", |db| db.repositories().soft_delete(id));
        }
        SpecialOp::FindByPath(raw) => {
            let p = build!(cx, PathOf(raw));
            both!(cx, "find_by_path", |db| db.repositories().find_by_path(&p));
        }
        SpecialOp::DescendantsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "descendants_of", |db| db
                .repositories()
                .descendants_of(id));
        }
        SpecialOp::AncestorsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "ancestors_of", |db| db.repositories().ancestors_of(id));
        }
        SpecialOp::SiblingsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "siblings_of", |db| db.repositories().siblings_of(id));
        }
        SpecialOp::BigBatch(spec) => run_big_batch(cx, spec).await?,
        SpecialOp::UpsertUpdating(spec, k, columns) => {
            let keys = [UserKey::Uuid, UserKey::Email];
            let key = keys[usize::from(*k) % keys.len()];
            let columns: Vec<UserColumn> = columns
                .iter()
                .map(|c| {
                    if c % 2 == 0 {
                        UserColumn::Email
                    } else {
                        UserColumn::PasswordHash
                    }
                })
                .collect();
            let new = build!(cx, spec);
            if let Some(row) = both!(cx, "upsert_updating", |db| db.users().upsert_updating(
                new.clone(),
                key,
                columns.clone()
            )) {
                taken_columns(&row, &new, key, &columns)?;
                if !row.was_inserted() {
                    cx.outcomes.push("upsert_updating: ok, updated".to_owned());
                }
            }
        }
        SpecialOp::CreateWithParents(spec) => run_create_with_parents(cx, spec).await?,
    }
    Ok(())
}

/// What `upsert_updating` returned holds the input: all of it when inserted; the key and
/// the columns taken when updated (the others keep stored values, which the full-content
/// comparison after the step checks on both sides).
fn taken_columns(
    row: &Upserted<User>,
    new: &NewUser,
    key: UserKey,
    columns: &[UserColumn],
) -> Result<(), TestCaseError> {
    let user = row.row();
    let holds = if row.was_inserted() {
        user.echoes(new)
    } else {
        let email = key == UserKey::Email || columns.contains(&UserColumn::Email);
        let password = columns.contains(&UserColumn::PasswordHash);
        (key != UserKey::Uuid || user.uuid == new.uuid)
            && (!email || user.email == new.email)
            && (!password || user.password_hash == new.password_hash)
    };
    if holds {
        Ok(())
    } else {
        Err(fail(format!(
            "upsert_updating by {key:?} taking {columns:?} stored something else than its \
             input:\n input: {new:?}\n row:   {row:?}"
        )))
    }
}

/// `create_with_parents` on both sides: results compared with the ancestors' uuids
/// normalised, the rows checked against the input, then PostgreSQL's ancestors given the
/// memory side's uuids (see [`super::tree`]).
async fn run_create_with_parents(cx: &mut Cx<'_>, spec: &NewRepoSpec) -> Result<(), TestCaseError> {
    let new = build!(cx, spec);
    let m = cx.mem_uow.create_with_parents(new.clone()).await;
    let p = cx.pg_uow.create_with_parents(new.clone()).await;
    let p = normalise(&m, p);
    let Some(rows) = cx.check("create_with_parents", m, p)? else {
        return Ok(());
    };
    let Some((created, ancestors)) = rows.split_last() else {
        return Err(fail(format!(
            "step {}: create_with_parents returned no row",
            cx.step
        )));
    };
    echo("create_with_parents", created, &new)?;
    // The ancestors created are the path's last missing ones, top first: a suffix of all
    // its ancestors, each a fresh live row with its own uuid.
    let all = containerpub_ports::repository_tree::ancestors(&new.path);
    let skipped = all.len().checked_sub(ancestors.len());
    let expected = skipped.map_or(&[][..], |s| &all[s..]);
    let fresh = |r: &Repository| r.uuid != new.uuid && !r.uuid.is_nil();
    if ancestors.len() > all.len()
        || ancestors.iter().zip(expected).any(|(row, path)| {
            !row.echoes(&NewRepository {
                uuid: row.uuid,
                path: path.clone(),
            }) || !fresh(row)
        })
    {
        return Err(fail(format!(
            "step {}: create_with_parents created other ancestors than {all:?} of {new:?}: {ancestors:?}",
            cx.step
        )));
    }
    if !ancestors.is_empty() {
        cx.outcomes
            .push("create_with_parents: ok, with ancestors created".to_owned());
    }
    for row in ancestors {
        let changed = cx
            .pg_raw
            .set_repository_uuid(row.id, row.uuid)
            .await
            .map_err(|e| {
                fail(format!(
                    "step {}: aligning an ancestor's uuid: {e}",
                    cx.step
                ))
            })?;
        if changed != 1 {
            return Err(fail(format!(
                "step {}: aligning the uuid of repository {:?} changed {changed} rows",
                cx.step, row.id
            )));
        }
    }
    Ok(())
}

async fn run_big_batch(cx: &mut Cx<'_>, spec: &BigBatchSpec) -> Result<(), TestCaseError> {
    let function = FunctionId::from_raw(cx.pools.id(Tbl::Functions, spec.function));
    let uuid = |i: usize| {
        let i = if Some(i) == spec.duplicate_at { 0 } else { i };
        Uuid::from_u128(spec.base + i as u128)
    };
    let function_of = |i: usize| {
        if Some(i) == spec.missing_at {
            FunctionId::new(i32::MAX)
        } else {
            function
        }
    };
    match spec.kind {
        BigKind::Append | BigKind::InsertLogs => {
            let rows: Vec<NewLog> = (0..spec.rows)
                .map(|i| NewLog {
                    uuid: uuid(i),
                    function_id: function_of(i),
                    level: LogLevel::Info,
                    message: Text::new("message", format!("line {i}")).expect("valid"),
                    timestamp: None,
                })
                .collect();
            if matches!(spec.kind, BigKind::Append) {
                both!(cx, "append (big)", |db| db.logs().append(rows.clone()));
            } else {
                both!(cx, "insert_many (big logs)", |db| db
                    .logs()
                    .insert_many(rows.clone()));
            }
        }
        BigKind::RecordMany | BigKind::InsertInvocations => {
            let rows: Vec<NewInvocation> = (0..spec.rows)
                .map(|i| NewInvocation {
                    uuid: uuid(i),
                    function_id: function_of(i),
                    status: InvocationStatus::Success,
                    duration_ms: DurationMs::new(i32::try_from(i % 1_000).unwrap_or(0))
                        .expect("valid"),
                    error: None,
                    timestamp: None,
                })
                .collect();
            if matches!(spec.kind, BigKind::RecordMany) {
                both!(cx, "record_many (big)", |db| db
                    .invocations()
                    .record_many(rows.clone()));
            } else {
                both!(cx, "insert_many (big invocations)", |db| db
                    .invocations()
                    .insert_many(rows.clone()));
            }
        }
    }
    Ok(())
}

/// Small specs for the values special ops take directly.
struct EmailSpec<'a>(&'a str);
struct NameSpec<'a>(&'a TextSpec);
struct PathOf<'a>(&'a PathSpec);
struct TsOpt(Option<TsSpec>);

impl Spec for EmailSpec<'_> {
    type Out = Email;
    fn build(&self, _: &Pools) -> Built<Email> {
        email(self.0)
    }
}

impl Spec for NameSpec<'_> {
    type Out = EntityName;
    fn build(&self, _: &Pools) -> Built<EntityName> {
        name::<255>("name", self.0)
    }
}

impl Spec for PathOf<'_> {
    type Out = RepositoryPath;
    fn build(&self, p: &Pools) -> Built<RepositoryPath> {
        path(&p.path(self.0))
    }
}

impl Spec for TsOpt {
    type Out = Option<Timestamp>;
    fn build(&self, p: &Pools) -> Built<Option<Timestamp>> {
        opt_timestamp(p, self.0)
    }
}
