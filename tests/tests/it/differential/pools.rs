//! Pools: what ops refer to. The ids, uuids and keys seen so far, and the random references
//! of an op resolved against them into filters, sorts, cursors and ids.

use std::fmt::Debug;

use containerpub_domain::{
    DeploymentId, FunctionId, InvocationId, LogId, OrganizationId, OrganizationMemberId,
    RepositoryId, Timestamp, UserId, UserInformationId, Uuid,
};
use containerpub_ports::{Cursor, Field, Filter, Query, Sort, TextOp, Value, ValueKind};
use containerpub_tests::fixture::{T0_UNIX_MICROS, t0};

use super::inputs::{
    CursorSpec, FilterSpec, IdRef, MemberRef, NewUuid, PathSpec, QuerySpec, SortSpec, TsSpec,
    UuidRef, ValueSpec,
};
use super::ops::{TABLES, Tbl};
use super::snapshot::Snapshot;

/// Everything seen so far in a case (from the memory side, which equals the PostgreSQL side
/// or the case has failed): ids and uuids per table, texts and timestamps for filter
/// operands, cursors for keyset windows.
#[derive(Debug)]
pub struct Pools {
    ids: [Vec<i64>; 9],
    uuids: [Vec<Uuid>; 9],
    texts: Vec<String>,
    stamps: Vec<Timestamp>,
    pub(super) cursors: Vec<Cursor>,
    paths: Vec<String>,
    memberships: Vec<(Uuid, Uuid)>,
    pub now: Timestamp,
}

pub(super) fn push_unique<T: PartialEq>(pool: &mut Vec<T>, value: T, cap: usize) {
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

    pub(super) fn id(&self, table: Tbl, r: IdRef) -> i64 {
        match r {
            IdRef::Seen(i) => pick(&self.ids[table as usize], i).copied().unwrap_or(1),
            IdRef::Unknown(id) => id,
        }
    }

    pub(super) fn uuid(&self, table: Tbl, r: UuidRef) -> Uuid {
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

    pub(super) fn new_uuid(&self, table: Tbl, n: NewUuid) -> Uuid {
        match n {
            NewUuid::Fresh(u) => Uuid::from_u128(u),
            NewUuid::Reuse(i) => pick(&self.uuids[table as usize], i)
                .copied()
                .unwrap_or(Uuid::from_u128(u128::from(i))),
            NewUuid::Nil => Uuid::nil(),
        }
    }

    pub(super) fn value(&self, kind: ValueKind, v: &ValueSpec) -> Value {
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

    pub(super) fn filter<F: Field>(&self, spec: &FilterSpec) -> Filter<F> {
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

    pub(super) fn sort<F: Field>(spec: &SortSpec) -> Vec<Sort<F>> {
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

    pub(super) fn query<F: Field>(&self, spec: &QuerySpec) -> Query<F> {
        Query {
            filter: self.filter(&spec.filter),
            sort: Self::sort(&spec.sort),
            limit: spec.limit,
            offset: spec.offset,
        }
    }

    pub(super) fn cursor(&self, spec: &CursorSpec) -> Option<Cursor> {
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

    pub(super) fn path(&self, spec: &PathSpec) -> String {
        match spec {
            PathSpec::Raw(p) => p.clone(),
            PathSpec::Under(i, segment) => match pick(&self.paths, *i) {
                Some(parent) => format!("{parent}/{segment}"),
                None => (*segment).to_owned(),
            },
        }
    }

    pub(super) fn membership(&self, spec: MemberRef) -> (Uuid, Uuid) {
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

    pub(super) fn ts_micros(&self, spec: TsSpec) -> i64 {
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
            push_unique(
                &mut self.memberships,
                (r.organization_uuid, r.user_uuid),
                CAP,
            );
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
pub(super) trait SortExt: Field {
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
