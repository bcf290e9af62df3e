//! Running one op on both adapters and comparing what they return (writes, reads and
//! transactions; the entity operations are in [`super::special`]).

use std::fmt::Debug;

use containerpub_domain::{
    DeploymentId, FunctionId, InvocationId, LogId, OrganizationId, OrganizationMemberId,
    RepositoryId, UserId, UserInformationId,
};
use containerpub_ports::query::grouping::{Aggregate, GroupOrder, GroupQuery};
use containerpub_ports::{
    Cursor, DeploymentKey, Field, Filter, FunctionKey, InvocationKey, KeysetRequest, LogKey,
    OrganizationKey, OrganizationMemberKey, PageRequest, RepositoryKey, StoreError, StoreResult,
    Stores, UserInformationKey, UserKey, ValueKind,
};
use proptest::test_runner::TestCaseError;

use super::build::Spec;
use super::echo::echo;
use super::ops::{Op, ReadOp, Tbl, WriteOp};
use super::pools::{Pools, RawId, push_unique};
use super::special::run_special;
use super::tree::{SetRepositoryUuid, TreeUow};

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
        StoreError::NotFound { table, .. } => format!("NotFound({table})"),
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

    pub(super) fn cursor_seen(&mut self, next: Option<&Cursor>) {
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
pub(super) use both;

/// Builds a spec's value; a value the domain rejects skips the op.
macro_rules! build {
    ($cx:ident, $spec:expr) => {
        match $spec.build(&*$cx.pools) {
            Ok(v) => v,
            Err(super::build::Reject::Domain) => {
                $cx.outcomes
                    .push("skipped (rejected by the domain)".to_owned());
                return Ok(());
            }
            Err(super::build::Reject::Oracle(message)) => {
                return Err(super::exec::fail(format!("step {}: {message}", $cx.step)));
            }
        }
    };
}
pub(super) use build;

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
