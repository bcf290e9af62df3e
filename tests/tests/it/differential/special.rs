//! Running the entity operations (activation, membership moves, repository trees, upserts,
//! big batches, …) on both adapters and comparing what they return.

use containerpub_domain::{
    DeploymentId, FunctionId, NewInvocation, NewLog, NewOrganizationMember, NewRepository, NewUser,
    Repository, RepositoryId, Timestamp, User, UserId, Uuid,
};
use containerpub_domain::{DurationMs, InvocationStatus, LogLevel, Text};
use containerpub_ports::{
    KeysetRequest, LogQuery, PageRequest, Stores, Upserted, UserColumn, UserKey,
};
use proptest::test_runner::TestCaseError;

use super::build::{EmailSpec, NameSpec, PathOf, Spec, TsOpt};
use super::echo::{Echo, echo};
use super::exec::{Cx, both, build, fail};
use super::ops::{BigBatchSpec, BigKind, NewRepoSpec, SpecialOp, Tbl};
use super::pools::RawId;
use super::tree::normalise;

#[allow(clippy::too_many_lines)]
pub(super) async fn run_special(cx: &mut Cx<'_>, op: &SpecialOp) -> Result<(), TestCaseError> {
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
                    organization_uuid: org.uuid,
                    user_uuid: new.owner_uuid,
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
                .find_by_owner(owner.into(), request));
        }
        SpecialOp::Details(r) => {
            let id = FunctionId::from_raw(cx.pools.id(Tbl::Functions, *r));
            both!(cx, "details", |db| db.functions().details(id.into()));
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
            both!(cx, "active_for", |db| db
                .deployments()
                .active_for(id.into()));
        }
        SpecialOp::LogsFor(spec) => {
            let from = build!(cx, TsOpt(spec.from));
            let until = build!(cx, TsOpt(spec.until));
            let query = LogQuery {
                function: FunctionId::from_raw(cx.pools.id(Tbl::Functions, spec.function)).into(),
                from,
                until,
                level: spec.level,
                newest_first: spec.newest_first,
            };
            let request = KeysetRequest {
                after: cx.pools.cursor(&spec.cursor),
                limit: spec.limit,
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
            both!(cx, "stats", |db| db.invocations().stats(id.into(), since));
        }
        SpecialOp::CreateRepository(spec) => {
            let new = build!(cx, spec);
            if let Some(row) = both!(cx, "create", |db| db.repositories().create(new.clone())) {
                echo("create", &row, &new)?;
            }
        }
        SpecialOp::SoftDelete(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "soft_delete", |db| db
                .repositories()
                .soft_delete(id.into()));
        }
        SpecialOp::FindByPath(raw) => {
            let p = build!(cx, PathOf(raw));
            both!(cx, "find_by_path", |db| db.repositories().find_by_path(&p));
        }
        SpecialOp::DescendantsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "descendants_of", |db| db
                .repositories()
                .descendants_of(id.into()));
        }
        SpecialOp::AncestorsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "ancestors_of", |db| db
                .repositories()
                .ancestors_of(id.into()));
        }
        SpecialOp::SiblingsOf(r) => {
            let id = RepositoryId::from_raw(cx.pools.id(Tbl::Repositories, *r));
            both!(cx, "siblings_of", |db| db
                .repositories()
                .siblings_of(id.into()));
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
