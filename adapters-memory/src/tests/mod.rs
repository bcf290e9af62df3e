//! Unit tests of the in-memory model (no server): constraints, actions, filters, ordering,
//! transactions, sequences, and its internals (indexes, undo, locks, the hot index). The
//! domain operations' contracts are scenarios of the contract suite (`containerpub-tests`),
//! run on both adapters.

mod constraints;
mod hot;
mod queries;
mod transactions;

use std::sync::Arc;

use containerpub_domain::FunctionId;
use containerpub_domain::{
    DurationMs, EntityName, Function, InvocationStatus, LogLevel, ManualClock, NewFunction,
    NewInvocation, NewLog, NewOrganization, NewRepository, NewUser, Organization, Repository,
    RepositoryPath, Text, Timestamp, User, UserId,
};
use containerpub_ports::{ForeignKey, Stores, Table, UniqueKey};

use crate::MemoryStore;
use crate::table::{
    Deployments, Functions, Invocations, Logs, Members, Organizations, Profiles, Repositories,
    Users,
};
use crate::table::{TableDef, fk_info};

/// 2024-01-01T00:00:00Z plus `seconds`.
pub(crate) fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros("t", 1_704_067_200_000_000 + seconds * 1_000_000).expect("valid")
}

/// A store whose clock shows `at(0)` until moved.
pub(crate) fn store() -> (MemoryStore, ManualClock) {
    let clock = ManualClock::new(at(0));
    (MemoryStore::with_clock(Arc::new(clock.clone())), clock)
}

pub(crate) fn name(s: &str) -> EntityName {
    EntityName::new("name", s).expect("valid name")
}

pub(crate) fn path(s: &str) -> RepositoryPath {
    RepositoryPath::parse(s).expect("valid path")
}

pub(crate) fn text(s: &str) -> Text {
    Text::new("message", s).expect("valid text")
}

pub(crate) fn ms(n: i32) -> DurationMs {
    DurationMs::new(n).expect("valid duration")
}

pub(crate) async fn user<S: Stores + ?Sized>(db: &S, email: &str) -> User {
    db.users()
        .insert(NewUser::parse(email).expect("valid email"))
        .await
        .expect("user inserted")
}

pub(crate) async fn function<S: Stores + ?Sized>(db: &S, owner: UserId, n: &str) -> Function {
    db.functions()
        .insert(NewFunction::new(owner, name(n)))
        .await
        .expect("function inserted")
}

pub(crate) async fn org<S: Stores + ?Sized>(db: &S, n: &str, owner: &User) -> Organization {
    db.organizations()
        .insert(NewOrganization::new(name(n), owner.uuid))
        .await
        .expect("organization inserted")
}

pub(crate) async fn repo<S: Stores + ?Sized>(db: &S, p: &str) -> Repository {
    db.repositories()
        .create(NewRepository::new(path(p)))
        .await
        .expect("repository created")
}

pub(crate) fn log_at(function: FunctionId, message: &str, seconds: i64) -> NewLog {
    NewLog::new(function, LogLevel::Info, text(message)).at(at(seconds))
}

pub(crate) fn invocation_at(
    function: FunctionId,
    status: InvocationStatus,
    duration: i32,
    seconds: i64,
) -> NewInvocation {
    NewInvocation::new(function, status, ms(duration)).at(at(seconds))
}

fn same_order<K: Copy + PartialEq + std::fmt::Debug>(
    ours: &[K],
    all: &[K],
    keep: impl Fn(K) -> bool,
) {
    let expected: Vec<K> = all.iter().copied().filter(|k| keep(*k)).collect();
    assert_eq!(ours, expected.as_slice());
}

#[test]
fn hashed_indexes_keep_every_id_under_a_shared_fingerprint() {
    use crate::index::{IndexKey, KeyIndex};
    // Two keys with one fingerprint (kinds never mix in one index; only the slot is tested).
    let (a, b) = (IndexKey::Int(5), IndexKey::IntInt(0, 5));
    let mut index = KeyIndex::Hashed(imbl::OrdMap::new());
    index.insert(a.clone(), 1);
    index.insert(b.clone(), 2);
    assert_eq!(index.candidates(&a), [1, 2]);
    index.remove(&a, 1);
    assert_eq!(index.candidates(&b), [2]);
    index.remove(&b, 2);
    assert!(index.candidates(&b).is_empty());
    assert!(!IndexKey::text("x").fingerprint_is_exact());
    assert!(IndexKey::Uuid(containerpub_domain::Uuid::nil()).fingerprint_is_exact());
}

#[test]
fn table_defs_list_the_schema_keys_in_declaration_order() {
    fn check<T: TableDef>() {
        same_order(T::UNIQUES, UniqueKey::ALL, |k| k.table() == T::TABLE);
        same_order(T::FKS, ForeignKey::ALL, |k| k.table() == T::TABLE);
        if let Some(key) = T::UUID_KEY {
            assert_eq!(key.columns().len(), 1);
            assert_eq!(key.columns()[0].name(), "uuid");
            assert_eq!(key.table(), T::TABLE);
        }
    }
    check::<Users>();
    check::<Profiles>();
    check::<Organizations>();
    check::<Members>();
    check::<Functions>();
    check::<Deployments>();
    check::<Logs>();
    check::<Invocations>();
    check::<Repositories>();
    for fk in ForeignKey::ALL {
        let info = fk_info(*fk);
        assert_eq!(info.child, fk.table());
    }
    assert_eq!(
        fk_info(ForeignKey::OrganizationsOwnerId).parent,
        Table::Users
    );
}
