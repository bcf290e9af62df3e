//! The operations of a case and their generator.

use containerpub_domain::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use proptest::prelude::*;
use proptest::sample::select;

use super::inputs::{
    CursorSpec, FilterSpec, IdRef, JsonSpec, MemberRef, NewUuid, PathSpec, QuerySpec, SortSpec,
    TextSpec, TsSpec, UuidRef, cursor, deployment_status, duration, email, filter, function_status,
    id_ref, invocation_status, json, log_level, member_ref, name, new_uuid, page, path, query,
    role, sort, text, timestamp, uuid_ref, window_limit,
};

/// The nine tables, in the order `Table::ALL` does not matter here: index into pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tbl {
    Users = 0,
    Profiles = 1,
    Organizations = 2,
    Members = 3,
    Functions = 4,
    Deployments = 5,
    Logs = 6,
    Invocations = 7,
    Repositories = 8,
}

pub const TABLES: [Tbl; 9] = [
    Tbl::Users,
    Tbl::Profiles,
    Tbl::Organizations,
    Tbl::Members,
    Tbl::Functions,
    Tbl::Deployments,
    Tbl::Logs,
    Tbl::Invocations,
    Tbl::Repositories,
];

/// How the clock moves before the next op.
#[derive(Debug, Clone, Copy)]
pub enum ClockOp {
    /// Forward by this many microseconds (0 allowed: two ops at the same instant).
    Advance(i64),
    /// To `Timestamp::MAX` (stamps at the very end of the range).
    ToMax,
    /// Back to T0.
    ToT0,
}

#[derive(Debug, Clone)]
pub struct NewUserSpec {
    pub uuid: NewUuid,
    pub email: String,
    pub password: Option<TextSpec>,
}

#[derive(Debug, Clone)]
pub struct UserPatchSpec {
    pub email: Option<String>,
    pub password: Option<Option<TextSpec>>,
}

#[derive(Debug, Clone)]
pub struct NewProfileSpec {
    pub uuid: NewUuid,
    pub user: UuidRef,
    pub first_name: Option<TextSpec>,
    pub city: Option<TextSpec>,
    pub phone: Option<TextSpec>,
    pub address: Option<TextSpec>,
    /// Last name, country, zip code and avatar.
    pub rest: Option<TextSpec>,
    pub role: Role,
}

#[derive(Debug, Clone)]
#[allow(clippy::option_option)]
pub struct ProfilePatchSpec {
    pub first_name: Option<Option<TextSpec>>,
    pub zip: Option<Option<TextSpec>>,
    pub avatar: Option<Option<TextSpec>>,
    pub role: Option<Role>,
}

#[derive(Debug, Clone)]
pub struct NewOrgSpec {
    pub uuid: NewUuid,
    pub name: TextSpec,
    pub owner: UuidRef,
}

#[derive(Debug, Clone)]
pub struct OrgPatchSpec {
    pub name: Option<TextSpec>,
    pub owner: Option<UuidRef>,
}

#[derive(Debug, Clone)]
pub struct NewMemberSpec {
    pub organization: UuidRef,
    pub user: UuidRef,
}

#[derive(Debug, Clone)]
pub struct MemberPatchSpec {
    pub organization: Option<UuidRef>,
}

#[derive(Debug, Clone)]
pub struct NewFunctionSpec {
    pub uuid: NewUuid,
    pub owner: IdRef,
    pub name: TextSpec,
    pub status: FunctionStatus,
    pub analysis: Option<JsonSpec>,
}

#[derive(Debug, Clone)]
#[allow(clippy::option_option)]
pub struct FunctionPatchSpec {
    pub name: Option<TextSpec>,
    pub status: Option<FunctionStatus>,
    pub analysis: Option<Option<JsonSpec>>,
}

#[derive(Debug, Clone)]
pub struct NewDeploymentSpec {
    pub uuid: NewUuid,
    pub function: IdRef,
    pub image_tag: Option<TextSpec>,
    pub s3_key: Option<TextSpec>,
    pub status: DeploymentStatus,
    pub build_logs: Option<TextSpec>,
}

#[derive(Debug, Clone)]
#[allow(clippy::option_option)]
pub struct DeploymentPatchSpec {
    pub image_tag: Option<Option<TextSpec>>,
    pub s3_key: Option<Option<TextSpec>>,
    pub status: Option<DeploymentStatus>,
    pub build_logs: Option<Option<TextSpec>>,
}

#[derive(Debug, Clone)]
pub struct NewLogSpec {
    pub uuid: NewUuid,
    pub function: IdRef,
    pub level: LogLevel,
    pub message: TextSpec,
    pub at: Option<TsSpec>,
}

#[derive(Debug, Clone)]
pub struct LogPatchSpec {
    pub level: Option<LogLevel>,
    pub message: Option<TextSpec>,
}

#[derive(Debug, Clone)]
pub struct NewInvocationSpec {
    pub uuid: NewUuid,
    pub function: IdRef,
    pub status: InvocationStatus,
    pub duration: i64,
    pub error: Option<TextSpec>,
    pub at: Option<TsSpec>,
}

#[derive(Debug, Clone)]
#[allow(clippy::option_option)]
pub struct InvocationPatchSpec {
    pub status: Option<InvocationStatus>,
    pub duration: Option<i64>,
    pub error: Option<Option<TextSpec>>,
}

#[derive(Debug, Clone)]
pub struct NewRepoSpec {
    pub uuid: NewUuid,
    pub path: PathSpec,
}

#[derive(Debug, Clone)]
pub struct RepoPatchSpec {
    pub path: Option<PathSpec>,
}

/// The arguments of `LogReader::for_function`: its query, then its keyset request.
#[derive(Debug, Clone)]
pub struct LogsForSpec {
    pub function: IdRef,
    pub from: Option<TsSpec>,
    pub until: Option<TsSpec>,
    pub level: Option<LogLevel>,
    pub newest_first: bool,
    pub cursor: CursorSpec,
    pub limit: u64,
}

/// The generic writes every table has.
#[derive(Debug, Clone)]
pub enum WriteOp<N, P> {
    Insert(N),
    InsertMany(Vec<N>),
    UpdateById(IdRef, P),
    UpdateWhere(FilterSpec, P),
    /// The upsert key is chosen by index among the table's keys.
    Upsert(N, u8),
    /// `find_or_insert`, the key chosen as for `Upsert`.
    FindOrInsert(N, u8),
}

/// The generic reads (and deletes) every table has.
#[derive(Debug, Clone)]
pub enum ReadOp {
    FindById(IdRef),
    FindByUuid(UuidRef),
    FindOne(QuerySpec),
    FindAll(QuerySpec),
    FindPage(FilterSpec, SortSpec, (u64, u64)),
    FindWindow(FilterSpec, SortSpec, CursorSpec, u64),
    Count(FilterSpec),
    Exists(FilterSpec),
    DeleteById(IdRef),
    DeleteWhere(FilterSpec),
    /// `select`: the query and field indices (modulo the field count).
    Select(QuerySpec, Vec<u8>),
    /// `group_by`: filter, key field index, aggregates (kind 0..4, integer field
    /// index), order 0..4, limit.
    GroupBy(FilterSpec, u8, Vec<(u8, u8)>, u8, Option<u64>),
}

/// Each entity's own operations.
#[derive(Debug, Clone)]
pub enum SpecialOp {
    FindByEmail(String),
    UpsertForUser(NewProfileSpec),
    FindByUser(UuidRef),
    Profile(UuidRef),
    CreateWithOwner(NewOrgSpec),
    FindByName(TextSpec),
    OrganizationOf(UuidRef),
    AddMember(UuidRef, UuidRef),
    RemoveMember(MemberRef),
    MembersOf(UuidRef),
    MembershipOf(UuidRef),
    FindByOwner(IdRef, (u64, u64)),
    Details(IdRef),
    Summaries(QuerySpec),
    CreateNextVersion(NewDeploymentSpec),
    Activate(IdRef),
    ActiveFor(IdRef),
    LogsFor(LogsForSpec),
    Append(Vec<NewLogSpec>),
    DeleteOlderThan(TsSpec),
    Record(NewInvocationSpec),
    RecordMany(Vec<NewInvocationSpec>),
    Stats(IdRef, TsSpec),
    CreateRepository(NewRepoSpec),
    SoftDelete(IdRef),
    FindByPath(PathSpec),
    DescendantsOf(IdRef),
    AncestorsOf(IdRef),
    SiblingsOf(IdRef),
    /// A batch of more than `BATCH_CHUNK_ROWS` rows.
    BigBatch(BigBatchSpec),
    /// `UserWriter::upsert_updating`: the key chosen as for `Upsert`, the update
    /// columns by index (even: e-mail, odd: password hash; repeats and none allowed).
    UpsertUpdating(NewUserSpec, u8, Vec<u8>),
    /// `containerpub_ports::create_with_parents` on the innermost open
    /// transaction, else the store.
    CreateWithParents(NewRepoSpec),
}

/// Which batch call a big batch goes through.
#[derive(Debug, Clone, Copy)]
pub enum BigKind {
    Append,
    InsertLogs,
    RecordMany,
    InsertInvocations,
}

/// A batch of logs or invocations over one or two statement chunks, maybe with a row whose
/// uuid repeats row 0's (`Conflict`) and a row whose function does not exist
/// (`ReferenceMissing`): which error wins depends on the chunk each row is in.
#[derive(Debug, Clone)]
pub struct BigBatchSpec {
    pub kind: BigKind,
    pub function: IdRef,
    pub rows: usize,
    /// The uuid of the row at index `i` is `base + i`.
    pub base: u128,
    pub duplicate_at: Option<usize>,
    pub missing_at: Option<usize>,
}

fn big_batch() -> impl Strategy<Value = Op> {
    let at = || prop::option::weighted(0.4, select(&[1usize, 4_999, 5_000][..]));
    (
        select(
            &[
                BigKind::Append,
                BigKind::InsertLogs,
                BigKind::RecordMany,
                BigKind::InsertInvocations,
            ][..],
        ),
        id_ref(),
        select(&[5_000usize, 5_001][..]),
        any::<u64>(),
        at(),
        at(),
    )
        .prop_map(|(kind, function, rows, base, duplicate_at, missing_at)| {
            Op::Special(SpecialOp::BigBatch(BigBatchSpec {
                kind,
                function,
                rows,
                base: u128::from(base) << 64,
                duplicate_at: duplicate_at.filter(|i| *i < rows),
                missing_at: missing_at.filter(|i| *i < rows),
            }))
        })
}

#[derive(Debug, Clone)]
pub enum Op {
    Clock(ClockOp),
    /// A transaction, or a savepoint inside the innermost open one.
    Begin,
    Commit,
    Rollback,
    Read(Tbl, ReadOp),
    Users(WriteOp<NewUserSpec, UserPatchSpec>),
    Profiles(WriteOp<NewProfileSpec, ProfilePatchSpec>),
    Organizations(WriteOp<NewOrgSpec, OrgPatchSpec>),
    Members(WriteOp<NewMemberSpec, MemberPatchSpec>),
    Functions(WriteOp<NewFunctionSpec, FunctionPatchSpec>),
    Deployments(WriteOp<NewDeploymentSpec, DeploymentPatchSpec>),
    Logs(WriteOp<NewLogSpec, LogPatchSpec>),
    Invocations(WriteOp<NewInvocationSpec, InvocationPatchSpec>),
    Repositories(WriteOp<NewRepoSpec, RepoPatchSpec>),
    Special(SpecialOp),
}

impl Op {
    /// Whether the op cannot change any table (then the contents are not compared again).
    pub fn is_read_only(&self) -> bool {
        match self {
            Op::Clock(_) | Op::Begin => true,
            Op::Read(_, read) => !matches!(read, ReadOp::DeleteById(_) | ReadOp::DeleteWhere(_)),
            Op::Special(special) => matches!(
                special,
                SpecialOp::FindByEmail(_)
                    | SpecialOp::FindByUser(_)
                    | SpecialOp::Profile(_)
                    | SpecialOp::FindByName(_)
                    | SpecialOp::OrganizationOf(_)
                    | SpecialOp::MembersOf(_)
                    | SpecialOp::MembershipOf(_)
                    | SpecialOp::FindByOwner(..)
                    | SpecialOp::Details(_)
                    | SpecialOp::Summaries(_)
                    | SpecialOp::ActiveFor(_)
                    | SpecialOp::LogsFor(_)
                    | SpecialOp::Stats(..)
                    | SpecialOp::FindByPath(_)
                    | SpecialOp::DescendantsOf(_)
                    | SpecialOp::AncestorsOf(_)
                    | SpecialOp::SiblingsOf(_)
            ),
            _ => false,
        }
    }
}

/// How the transactions still open at the end of a case are finished.
#[derive(Debug, Clone, Copy)]
pub enum Finish {
    Commit,
    Rollback,
    Drop,
}

/// One case: the ops, and how open transactions end.
#[derive(Debug, Clone)]
pub struct Case {
    pub ops: Vec<Op>,
    pub finish: Finish,
}

fn new_user() -> impl Strategy<Value = NewUserSpec> + Clone {
    (new_uuid(), email(), prop::option::weighted(0.3, text())).prop_map(
        |(uuid, email, password)| NewUserSpec {
            uuid,
            email,
            password,
        },
    )
}

fn user_patch() -> impl Strategy<Value = UserPatchSpec> + Clone {
    (
        prop::option::of(email()),
        prop::option::of(prop::option::of(text())),
    )
        .prop_map(|(email, password)| UserPatchSpec { email, password })
}

fn new_profile() -> impl Strategy<Value = NewProfileSpec> + Clone {
    (
        new_uuid(),
        uuid_ref(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::weighted(0.3, text()),
        prop::option::weighted(0.3, text()),
        prop::option::weighted(0.3, text()),
        role(),
    )
        .prop_map(
            |(uuid, user, first_name, city, phone, address, rest, role)| NewProfileSpec {
                uuid,
                user,
                first_name,
                city,
                phone,
                address,
                rest,
                role,
            },
        )
}

fn profile_patch() -> impl Strategy<Value = ProfilePatchSpec> + Clone {
    (
        prop::option::of(prop::option::of(text())),
        prop::option::weighted(0.3, prop::option::of(text())),
        prop::option::weighted(0.3, prop::option::of(text())),
        prop::option::of(role()),
    )
        .prop_map(|(first_name, zip, avatar, role)| ProfilePatchSpec {
            first_name,
            zip,
            avatar,
            role,
        })
}

fn new_org() -> impl Strategy<Value = NewOrgSpec> + Clone {
    (new_uuid(), name(), uuid_ref()).prop_map(|(uuid, name, owner)| NewOrgSpec {
        uuid,
        name,
        owner,
    })
}

fn org_patch() -> impl Strategy<Value = OrgPatchSpec> + Clone {
    (prop::option::of(name()), prop::option::of(uuid_ref()))
        .prop_map(|(name, owner)| OrgPatchSpec { name, owner })
}

fn new_member() -> impl Strategy<Value = NewMemberSpec> + Clone {
    (uuid_ref(), uuid_ref()).prop_map(|(organization, user)| NewMemberSpec { organization, user })
}

fn member_patch() -> impl Strategy<Value = MemberPatchSpec> + Clone {
    prop::option::of(uuid_ref()).prop_map(|organization| MemberPatchSpec { organization })
}

fn new_function() -> impl Strategy<Value = NewFunctionSpec> + Clone {
    (
        new_uuid(),
        id_ref(),
        name(),
        function_status(),
        prop::option::weighted(0.4, json()),
    )
        .prop_map(|(uuid, owner, name, status, analysis)| NewFunctionSpec {
            uuid,
            owner,
            name,
            status,
            analysis,
        })
}

fn function_patch() -> impl Strategy<Value = FunctionPatchSpec> + Clone {
    (
        prop::option::of(name()),
        prop::option::of(function_status()),
        prop::option::weighted(0.4, prop::option::of(json())),
    )
        .prop_map(|(name, status, analysis)| FunctionPatchSpec {
            name,
            status,
            analysis,
        })
}

fn new_deployment() -> impl Strategy<Value = NewDeploymentSpec> + Clone {
    (
        new_uuid(),
        id_ref(),
        prop::option::weighted(0.5, text()),
        prop::option::weighted(0.3, text()),
        deployment_status(),
        prop::option::weighted(0.3, text()),
    )
        .prop_map(|(uuid, function, image_tag, s3_key, status, build_logs)| {
            NewDeploymentSpec {
                uuid,
                function,
                image_tag,
                s3_key,
                status,
                build_logs,
            }
        })
}

fn deployment_patch() -> impl Strategy<Value = DeploymentPatchSpec> + Clone {
    (
        prop::option::of(prop::option::of(text())),
        prop::option::weighted(0.3, prop::option::of(text())),
        prop::option::of(deployment_status()),
        prop::option::weighted(0.3, prop::option::of(text())),
    )
        .prop_map(
            |(image_tag, s3_key, status, build_logs)| DeploymentPatchSpec {
                image_tag,
                s3_key,
                status,
                build_logs,
            },
        )
}

fn new_log() -> impl Strategy<Value = NewLogSpec> + Clone {
    (
        new_uuid(),
        id_ref(),
        log_level(),
        text(),
        prop::option::of(timestamp()),
    )
        .prop_map(|(uuid, function, level, message, at)| NewLogSpec {
            uuid,
            function,
            level,
            message,
            at,
        })
}

fn log_patch() -> impl Strategy<Value = LogPatchSpec> + Clone {
    (prop::option::of(log_level()), prop::option::of(text()))
        .prop_map(|(level, message)| LogPatchSpec { level, message })
}

fn new_invocation() -> impl Strategy<Value = NewInvocationSpec> + Clone {
    (
        new_uuid(),
        id_ref(),
        invocation_status(),
        duration(),
        prop::option::weighted(0.3, text()),
        prop::option::of(timestamp()),
    )
        .prop_map(
            |(uuid, function, status, duration, error, at)| NewInvocationSpec {
                uuid,
                function,
                status,
                duration,
                error,
                at,
            },
        )
}

fn invocation_patch() -> impl Strategy<Value = InvocationPatchSpec> + Clone {
    (
        prop::option::of(invocation_status()),
        prop::option::of(duration()),
        prop::option::weighted(0.3, prop::option::of(text())),
    )
        .prop_map(|(status, duration, error)| InvocationPatchSpec {
            status,
            duration,
            error,
        })
}

fn new_repo() -> impl Strategy<Value = NewRepoSpec> + Clone {
    (new_uuid(), path()).prop_map(|(uuid, path)| NewRepoSpec { uuid, path })
}

fn repo_patch() -> impl Strategy<Value = RepoPatchSpec> + Clone {
    prop::option::weighted(0.8, path()).prop_map(|path| RepoPatchSpec { path })
}

/// The generic writes of a table: mostly single inserts, some batches, updates and upserts.
fn write<N, P>(
    new: impl Strategy<Value = N> + Clone + 'static,
    patch: impl Strategy<Value = P> + Clone + 'static,
) -> BoxedStrategy<WriteOp<N, P>>
where
    N: std::fmt::Debug + Clone + 'static,
    P: std::fmt::Debug + Clone + 'static,
{
    prop_oneof![
        6 => new.clone().prop_map(WriteOp::Insert),
        1 => prop::collection::vec(new.clone(), 0..4).prop_map(WriteOp::InsertMany),
        3 => (id_ref(), patch.clone()).prop_map(|(i, p)| WriteOp::UpdateById(i, p)),
        1 => (filter(), patch).prop_map(|(f, p)| WriteOp::UpdateWhere(f, p)),
        2 => (new.clone(), any::<u8>()).prop_map(|(n, k)| WriteOp::Upsert(n, k)),
        2 => (new, any::<u8>()).prop_map(|(n, k)| WriteOp::FindOrInsert(n, k)),
    ]
    .boxed()
}

fn read() -> BoxedStrategy<ReadOp> {
    prop_oneof![
        2 => id_ref().prop_map(ReadOp::FindById),
        2 => uuid_ref().prop_map(ReadOp::FindByUuid),
        2 => query().prop_map(ReadOp::FindOne),
        4 => query().prop_map(ReadOp::FindAll),
        2 => (filter(), sort(), page()).prop_map(|(f, s, p)| ReadOp::FindPage(f, s, p)),
        3 => (filter(), sort(), cursor(), window_limit())
            .prop_map(|(f, s, c, l)| ReadOp::FindWindow(f, s, c, l)),
        1 => filter().prop_map(ReadOp::Count),
        1 => filter().prop_map(ReadOp::Exists),
        2 => id_ref().prop_map(ReadOp::DeleteById),
        1 => filter().prop_map(ReadOp::DeleteWhere),
        2 => (query(), prop::collection::vec(any::<u8>(), 0..4))
            .prop_map(|(q, f)| ReadOp::Select(q, f)),
        2 => (
            filter(),
            any::<u8>(),
            prop::collection::vec((0..4u8, any::<u8>()), 0..3),
            0..4u8,
            prop::option::of(0..4u64),
        )
            .prop_map(|(f, b, a, o, l)| ReadOp::GroupBy(f, b, a, o, l)),
    ]
    .boxed()
}

fn logs_for() -> impl Strategy<Value = LogsForSpec> + Clone {
    (
        id_ref(),
        prop::option::of(timestamp()),
        prop::option::of(timestamp()),
        prop::option::of(log_level()),
        any::<bool>(),
        cursor(),
        window_limit(),
    )
        .prop_map(
            |(function, from, until, level, newest_first, cursor, limit)| LogsForSpec {
                function,
                from,
                until,
                level,
                newest_first,
                cursor,
                limit,
            },
        )
}

fn special() -> BoxedStrategy<SpecialOp> {
    prop_oneof![
        1 => email().prop_map(SpecialOp::FindByEmail),
        3 => new_profile().prop_map(SpecialOp::UpsertForUser),
        1 => uuid_ref().prop_map(SpecialOp::FindByUser),
        1 => uuid_ref().prop_map(SpecialOp::Profile),
        4 => new_org().prop_map(SpecialOp::CreateWithOwner),
        1 => name().prop_map(SpecialOp::FindByName),
        1 => uuid_ref().prop_map(SpecialOp::OrganizationOf),
        3 => (uuid_ref(), uuid_ref()).prop_map(|(o, u)| SpecialOp::AddMember(o, u)),
        2 => member_ref().prop_map(SpecialOp::RemoveMember),
        1 => uuid_ref().prop_map(SpecialOp::MembersOf),
        1 => uuid_ref().prop_map(SpecialOp::MembershipOf),
        1 => (id_ref(), page()).prop_map(|(o, p)| SpecialOp::FindByOwner(o, p)),
        1 => id_ref().prop_map(SpecialOp::Details),
        1 => query().prop_map(SpecialOp::Summaries),
        5 => new_deployment().prop_map(SpecialOp::CreateNextVersion),
        4 => id_ref().prop_map(SpecialOp::Activate),
        1 => id_ref().prop_map(SpecialOp::ActiveFor),
        2 => logs_for().prop_map(SpecialOp::LogsFor),
        3 => prop::collection::vec(new_log(), 0..5).prop_map(SpecialOp::Append),
        1 => timestamp().prop_map(SpecialOp::DeleteOlderThan),
        3 => new_invocation().prop_map(SpecialOp::Record),
        2 => prop::collection::vec(new_invocation(), 0..5).prop_map(SpecialOp::RecordMany),
        2 => (id_ref(), timestamp()).prop_map(|(f, t)| SpecialOp::Stats(f, t)),
        6 => new_repo().prop_map(SpecialOp::CreateRepository),
        3 => id_ref().prop_map(SpecialOp::SoftDelete),
        1 => path().prop_map(SpecialOp::FindByPath),
        1 => id_ref().prop_map(SpecialOp::DescendantsOf),
        1 => id_ref().prop_map(SpecialOp::AncestorsOf),
        1 => id_ref().prop_map(SpecialOp::SiblingsOf),
        3 => (new_user(), any::<u8>(), prop::collection::vec(any::<u8>(), 0..3))
            .prop_map(|(n, k, c)| SpecialOp::UpsertUpdating(n, k, c)),
        4 => new_repo().prop_map(SpecialOp::CreateWithParents),
    ]
    .boxed()
}

fn table() -> impl Strategy<Value = Tbl> + Clone {
    select(&TABLES[..])
}

pub fn op() -> BoxedStrategy<Op> {
    prop_oneof![
        3 => prop_oneof![
            6 => select(&[0i64, 1, 1_000_000, 86_400_000_000][..]).prop_map(ClockOp::Advance),
            1 => Just(ClockOp::ToMax),
            1 => Just(ClockOp::ToT0),
        ]
        .prop_map(Op::Clock),
        3 => Just(Op::Begin),
        2 => Just(Op::Commit),
        2 => Just(Op::Rollback),
        12 => (table(), read()).prop_map(|(t, r)| Op::Read(t, r)),
        8 => write(new_user(), user_patch()).prop_map(Op::Users),
        2 => write(new_profile(), profile_patch()).prop_map(Op::Profiles),
        2 => write(new_org(), org_patch()).prop_map(Op::Organizations),
        2 => write(new_member(), member_patch()).prop_map(Op::Members),
        6 => write(new_function(), function_patch()).prop_map(Op::Functions),
        3 => write(new_deployment(), deployment_patch()).prop_map(Op::Deployments),
        3 => write(new_log(), log_patch()).prop_map(Op::Logs),
        3 => write(new_invocation(), invocation_patch()).prop_map(Op::Invocations),
        5 => write(new_repo(), repo_patch()).prop_map(Op::Repositories),
        20 => special().prop_map(Op::Special),
    ]
    .boxed()
}

/// Creations only, parents first: a case starts with a few, so later ops find rows to work
/// on (1 to 10 ops).
fn setup() -> BoxedStrategy<Vec<Op>> {
    let user = (new_uuid(), select(super::inputs::EMAILS)).prop_map(|(uuid, email)| NewUserSpec {
        uuid,
        email: email.to_owned(),
        password: None,
    });
    let repo = (
        new_uuid(),
        prop::collection::vec(select(&["a", "b", "c", "a-b"][..]), 1..3),
    )
        .prop_map(|(uuid, segments)| NewRepoSpec {
            uuid,
            path: PathSpec::Raw(segments.join("/")),
        });
    let users = prop::collection::vec(user, 1..=3).prop_map(|users| {
        users
            .into_iter()
            .map(|u| Op::Users(WriteOp::Insert(u)))
            .collect()
    });
    let functions = prop::collection::vec(new_function(), 0..=3).prop_map(|fs| {
        fs.into_iter()
            .map(|f| Op::Functions(WriteOp::Insert(f)))
            .collect()
    });
    let rest = prop::collection::vec(setup_rest(repo), 0..=4);
    (users, functions, rest)
        .prop_map(|(users, functions, rest): (Vec<Op>, Vec<Op>, Vec<Op>)| {
            users.into_iter().chain(functions).chain(rest).collect()
        })
        .boxed()
}

fn setup_rest(repo: impl Strategy<Value = NewRepoSpec> + Clone + 'static) -> BoxedStrategy<Op> {
    prop_oneof![
        3 => new_function().prop_map(|f| Op::Functions(WriteOp::Insert(f))),
        3 => new_deployment().prop_map(|d| Op::Special(SpecialOp::CreateNextVersion(d))),
        3 => repo.prop_map(|r| Op::Special(SpecialOp::CreateRepository(r))),
        1 => prop::collection::vec(new_log(), 1..4).prop_map(|l| Op::Special(SpecialOp::Append(l))),
        1 => prop::collection::vec(new_invocation(), 1..4)
            .prop_map(|i| Op::Special(SpecialOp::RecordMany(i))),
        1 => new_org().prop_map(|o| Op::Special(SpecialOp::CreateWithOwner(o))),
        1 => new_profile().prop_map(|p| Op::Special(SpecialOp::UpsertForUser(p))),
        1 => id_ref().prop_map(|d| Op::Special(SpecialOp::Activate(d))),
        1 => (uuid_ref(), uuid_ref()).prop_map(|(o, u)| Op::Special(SpecialOp::AddMember(o, u))),
    ]
    .boxed()
}

/// At most 50 steps: up to 10 creations, then anything; one case in 20 has a big batch
/// somewhere.
pub fn case() -> impl Strategy<Value = Case> {
    (
        setup(),
        prop::collection::vec(op(), 1..=39),
        prop::option::weighted(0.05, (big_batch(), any::<prop::sample::Index>())),
        prop_oneof![
            Just(Finish::Commit),
            Just(Finish::Rollback),
            Just(Finish::Drop)
        ],
    )
        .prop_map(|(mut ops, rest, big, finish)| {
            ops.extend(rest);
            if let Some((op, at)) = big {
                ops.insert(at.index(ops.len() + 1), op);
            }
            Case { ops, finish }
        })
}
