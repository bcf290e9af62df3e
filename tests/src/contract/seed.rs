//! Small helpers: validated values, seed rows made through the store under test, errors.

use containerpub_domain::{
    Code, Deployment, DurationMs, Email, EntityName, Function, Json, NewDeployment, NewFunction,
    NewOrganization, NewRepository, NewUser, NewUserInformation, Organization, PasswordHash,
    Repository, RepositoryPath, ShortText, Text, Timestamp, User, UserInformation,
    chrono::TimeDelta,
};
use containerpub_ports::{
    Filter, ForeignKey, InvalidInput, Query, StoreError, Stores, Table, UniqueKey,
};

use super::t0;

/// [`t0`] plus `seconds`.
pub(crate) fn at(seconds: i64) -> Timestamp {
    t0().saturating_add(TimeDelta::seconds(seconds))
}

/// [`t0`] plus `micros` microseconds.
pub(crate) fn at_micros(micros: i64) -> Timestamp {
    t0().saturating_add(TimeDelta::microseconds(micros))
}

pub(crate) fn name(s: &str) -> EntityName {
    EntityName::new("name", s).expect("valid name")
}

pub(crate) fn text(s: &str) -> Text {
    Text::new("text", s).expect("valid text")
}

pub(crate) fn short(s: &str) -> ShortText {
    ShortText::new("text", s).expect("valid short text")
}

pub(crate) fn code(s: &str) -> Code {
    Code::new("code", s).expect("valid code")
}

pub(crate) fn email(s: &str) -> Email {
    Email::parse(s).expect("valid e-mail")
}

pub(crate) fn path(s: &str) -> RepositoryPath {
    RepositoryPath::parse(s).expect("valid path")
}

pub(crate) fn hash(s: &str) -> PasswordHash {
    PasswordHash::new(s).expect("valid hash")
}

pub(crate) fn ms(v: i32) -> DurationMs {
    DurationMs::new(v).expect("valid duration")
}

pub(crate) fn json(v: serde_json::Value) -> Json {
    Json::new("analysis_result", v).expect("valid JSON")
}

pub(crate) fn new_user(address: &str) -> NewUser {
    NewUser::new(email(address))
}

pub(crate) async fn user<S: Stores + ?Sized>(db: &S, address: &str) -> User {
    db.users()
        .insert(new_user(address))
        .await
        .expect("seed user")
}

pub(crate) async fn profile<S: Stores + ?Sized>(
    db: &S,
    user: &User,
    first_name: &str,
) -> UserInformation {
    let new = NewUserInformation {
        first_name: Some(short(first_name)),
        ..NewUserInformation::new(user.uuid)
    };
    db.user_information()
        .insert(new)
        .await
        .expect("seed profile")
}

pub(crate) async fn function<S: Stores + ?Sized>(db: &S, owner: &User, fname: &str) -> Function {
    db.functions()
        .insert(NewFunction::new(owner.id, name(fname)))
        .await
        .expect("seed function")
}

pub(crate) async fn deployment<S: Stores + ?Sized>(db: &S, function: &Function) -> Deployment {
    db.deployments()
        .create_next_version(NewDeployment::new(function.id))
        .await
        .expect("seed deployment")
}

pub(crate) async fn organization<S: Stores + ?Sized>(
    db: &S,
    oname: &str,
    owner: &User,
) -> Organization {
    db.organizations()
        .create_with_owner(NewOrganization::new(name(oname), owner.uuid))
        .await
        .expect("seed organization")
        .0
}

pub(crate) async fn repository<S: Stores + ?Sized>(db: &S, p: &str) -> Repository {
    db.repositories()
        .create(NewRepository::new(path(p)))
        .await
        .expect("seed repository")
}

pub(crate) fn conflict(key: UniqueKey) -> StoreError {
    StoreError::Conflict { key }
}

pub(crate) fn missing(key: ForeignKey) -> StoreError {
    StoreError::ReferenceMissing { key }
}

pub(crate) fn not_found(table: Table) -> StoreError {
    StoreError::NotFound { table }
}

/// Asserts that `err` is `InvalidInput` for `field`, without a row index.
#[track_caller]
pub(crate) fn assert_invalid(err: &StoreError, field: &str) {
    match err {
        StoreError::InvalidInput(InvalidInput {
            field: got,
            index: None,
            ..
        }) if *got == field => {}
        other => panic!("expected InvalidInput for field {field:?}, got {other:?}"),
    }
}

/// Every row of a query, in id order.
pub(crate) fn all<F: containerpub_ports::Field>() -> Query<F> {
    Query::filter(Filter::All)
}
