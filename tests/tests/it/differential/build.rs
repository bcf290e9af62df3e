//! Building domain values through their constructors, checked against independent rules:
//! a value the domain rejects must be rejected with the error the rules predict.

use std::fmt::Debug;

use containerpub_domain::{BoundedText, DurationMs, Name};
use containerpub_domain::{
    DeploymentPatch, Email, EntityName, FunctionId, FunctionPatch, InvocationPatch, Json, LogPatch,
    NewDeployment, NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember,
    NewRepository, NewUser, NewUserInformation, OrganizationMemberPatch, OrganizationPatch,
    PasswordHash, RepositoryPatch, RepositoryPath, Rule, Timestamp, UserId, UserInformationPatch,
    UserPatch, ValidationError, serde_json::Value as JsonValue,
};

use super::inputs::{JsonSpec, PathSpec, TextSpec, TsSpec};
use super::ops::{
    DeploymentPatchSpec, FunctionPatchSpec, InvocationPatchSpec, LogPatchSpec, MemberPatchSpec,
    NewDeploymentSpec, NewFunctionSpec, NewInvocationSpec, NewLogSpec, NewMemberSpec, NewOrgSpec,
    NewProfileSpec, NewRepoSpec, NewUserSpec, OrgPatchSpec, ProfilePatchSpec, RepoPatchSpec, Tbl,
    UserPatchSpec,
};
use super::pools::{Pools, RawId};

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

pub(super) fn name<const N: usize>(field: &'static str, spec: &TextSpec) -> Built<Name<N>> {
    let s = spec.resolve(N);
    let expected = if s.trim().is_empty() {
        Some(Rule::Empty)
    } else {
        text_rule(&s, N)
    };
    judge(field, &s, Name::<N>::new(field, s.clone()), expected)
}

pub(super) fn email(raw: &str) -> Built<Email> {
    match Email::parse(raw) {
        Ok(email) if email.as_str() == raw.trim().to_lowercase() => Ok(email),
        Err(e) if e.field == "email" => Err(Reject::Domain),
        other => Err(Reject::Oracle(format!(
            "Email::parse({raw:?}) gave {other:?}"
        ))),
    }
}

pub(super) fn password(spec: &TextSpec) -> Built<PasswordHash> {
    let s = spec.resolve(PasswordHash::MAX_LEN);
    let expected = if s.is_empty() {
        Some(Rule::Empty)
    } else {
        text_rule(&s, PasswordHash::MAX_LEN)
    };
    judge("password_hash", &s, PasswordHash::new(s.clone()), expected)
}

pub(super) fn path(raw: &str) -> Built<RepositoryPath> {
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

pub(super) fn timestamp(pools: &Pools, spec: TsSpec) -> Built<Timestamp> {
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
            user_uuid: p.uuid(Tbl::Users, self.user),
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
            owner_uuid: p.uuid(Tbl::Users, self.owner),
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
            owner_uuid: self.owner.map(|o| p.uuid(Tbl::Users, o)),
        })
    }
}

impl Spec for NewMemberSpec {
    type Out = NewOrganizationMember;
    fn build(&self, p: &Pools) -> Built<NewOrganizationMember> {
        Ok(NewOrganizationMember {
            organization_uuid: p.uuid(Tbl::Organizations, self.organization),
            user_uuid: p.uuid(Tbl::Users, self.user),
        })
    }
}

impl Spec for MemberPatchSpec {
    type Out = OrganizationMemberPatch;
    fn build(&self, p: &Pools) -> Built<OrganizationMemberPatch> {
        Ok(OrganizationMemberPatch {
            organization_uuid: self.organization.map(|o| p.uuid(Tbl::Organizations, o)),
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

/// Small specs for the values special ops take directly.
pub(super) struct EmailSpec<'a>(pub(super) &'a str);
pub(super) struct NameSpec<'a>(pub(super) &'a TextSpec);
pub(super) struct PathOf<'a>(pub(super) &'a PathSpec);
pub(super) struct TsOpt(pub(super) Option<TsSpec>);

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
