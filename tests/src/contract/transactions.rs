//! Transactions: commit, isolation, rollback, drop, savepoints and the closure form.

use std::sync::Arc;

use containerpub_domain::{NewFunction, NewOrganization, NewUser, User, UserId, UserPatch};
use containerpub_ports::{
    DynStore, Filter, OUT_OF_ORDER_END, Query, StoreError, Stores, Transaction, UniqueKey,
    UnitOfWork, UnitOfWorkExt, UserField,
};

use super::seed::{conflict, email, function, name, new_user, user};
use super::{ContractStore, Fixture};

/// A patch that changes the e-mail address only.
fn new_email(address: &str) -> UserPatch {
    UserPatch {
        email: Some(email(address)),
        password_hash: None,
    }
}

async fn emails<S: Stores + ?Sized>(db: &S) -> Vec<String> {
    db.users()
        .find_all(Query::new())
        .await
        .expect("find_all")
        .iter()
        .map(|u| u.email.as_str().to_owned())
        .collect()
}

/// A transaction reads its own writes; nobody else sees them before `commit`; after it,
/// everybody does (inserts, updates, deletes, across tables).
pub async fn transaction_commit_and_isolation<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let tx = db.begin().await.expect("begin");
    let ada = user(&tx, "ada@example.com").await;
    let f = function(&tx, &ada, "f").await;
    assert_eq!(tx.users().find_by_id(ada.id).await, Ok(Some(ada.clone())));
    assert_eq!(tx.users().count(Filter::All).await, Ok(1));
    assert_eq!(
        tx.functions()
            .details(f.id.into())
            .await
            .map(|d| d.map(|d| d.owner)),
        Ok(Some(ada.clone()))
    );
    // Outside: nothing yet.
    assert_eq!(db.users().find_by_id(ada.id).await, Ok(None));
    assert_eq!(db.users().find_by_uuid(ada.uuid).await, Ok(None));
    assert_eq!(db.users().find_by_email(&ada.email).await, Ok(None));
    assert_eq!(db.users().count(Filter::All).await, Ok(0));
    assert_eq!(db.users().exists(Filter::All).await, Ok(false));
    assert_eq!(db.functions().find_all(Query::new()).await, Ok(vec![]));
    tx.commit().await.expect("commit");
    assert_eq!(db.users().find_by_id(ada.id).await, Ok(Some(ada.clone())));
    assert_eq!(db.functions().find_by_id(f.id).await, Ok(Some(f.clone())));

    // Updates and deletes are isolated the same way.
    let bob = user(db, "bob@example.com").await;
    let tx = db.begin().await.expect("begin");
    let t = fx.tick();
    let renamed = tx
        .users()
        .update_by_id(ada.id, new_email("ada.l@example.com"))
        .await
        .expect("update");
    assert_eq!(
        renamed,
        User {
            email: email("ada.l@example.com"),
            updated_at: t,
            ..ada.clone()
        }
    );
    assert_eq!(tx.users().delete_by_id(bob.id).await, Ok(()));
    assert_eq!(emails(&tx).await, ["ada.l@example.com"]);
    assert_eq!(emails(db).await, ["ada@example.com", "bob@example.com"]);
    tx.commit().await.expect("commit");
    assert_eq!(emails(db).await, ["ada.l@example.com"]);
    assert_eq!(db.users().find_by_id(ada.id).await, Ok(Some(renamed)));
}

/// `rollback` and dropping a transaction discard every write of it (across tables and
/// multi-step operations); committed rows stay as they were.
pub async fn transaction_rollback_and_drop<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let kept = user(db, "kept@example.com").await;

    let tx = db.begin().await.expect("begin");
    let ada = user(&tx, "ada@example.com").await;
    let (org, _) = tx
        .organizations()
        .create_with_owner(NewOrganization::new(name("acme"), ada.uuid))
        .await
        .expect("create");
    function(&tx, &ada, "f").await;
    tx.users()
        .update_by_id(kept.id, new_email("changed@example.com"))
        .await
        .expect("update");
    tx.rollback().await.expect("rollback");
    assert_eq!(
        db.users().find_all(Query::new()).await,
        Ok(vec![kept.clone()])
    );
    assert_eq!(db.organizations().find_by_uuid(org.uuid).await, Ok(None));
    assert_eq!(
        db.organization_members().membership_of(ada.uuid).await,
        Ok(None)
    );
    assert_eq!(db.functions().count(Filter::All).await, Ok(0));

    let tx = db.begin().await.expect("begin");
    user(&tx, "bob@example.com").await;
    tx.users().delete_by_id(kept.id).await.expect("delete");
    drop(tx);
    assert_eq!(
        db.users().find_all(Query::new()).await,
        Ok(vec![kept.clone()])
    );

    // The e-mails the discarded transactions used are free.
    let ada_again = user(db, "ada@example.com").await;
    assert!(ada_again.id > ada.id, "ids are not given back");
    assert_eq!(emails(db).await, ["kept@example.com", "ada@example.com"]);
}

/// Nested `begin` is a savepoint: rolling it back (or dropping it) undoes only what followed
/// it, committing it releases into the enclosing transaction, which still decides.
pub async fn transaction_savepoints<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let tx = db.begin().await.expect("begin");
    user(&tx, "a@example.com").await;

    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "b@example.com").await;
    assert_eq!(emails(&sp).await, ["a@example.com", "b@example.com"]);
    sp.rollback().await.expect("rollback to savepoint");
    assert_eq!(emails(&tx).await, ["a@example.com"]);

    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "c@example.com").await;
    sp.commit().await.expect("release");
    assert_eq!(emails(&tx).await, ["a@example.com", "c@example.com"]);

    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "d@example.com").await;
    drop(sp);
    assert_eq!(emails(&tx).await, ["a@example.com", "c@example.com"]);

    // Two levels: the inner release goes into the outer savepoint, rolled back after.
    let outer = tx.begin().await.expect("savepoint");
    user(&outer, "e@example.com").await;
    let inner = outer.begin().await.expect("savepoint");
    user(&inner, "f@example.com").await;
    inner.commit().await.expect("release");
    assert_eq!(
        emails(&outer).await,
        [
            "a@example.com",
            "c@example.com",
            "e@example.com",
            "f@example.com"
        ]
    );
    outer.rollback().await.expect("rollback");
    assert_eq!(emails(&tx).await, ["a@example.com", "c@example.com"]);

    // The e-mail of a rolled-back savepoint is free again inside the transaction.
    user(&tx, "b@example.com").await;
    assert_eq!(emails(db).await, Vec::<String>::new());
    tx.commit().await.expect("commit");
    assert_eq!(
        emails(db).await,
        ["a@example.com", "c@example.com", "b@example.com"]
    );
}

/// A write that fails inside a transaction on a constraint leaves that level unusable, as a
/// failed statement does in PostgreSQL: the failed call wrote nothing, every later call of the
/// level (read, write, savepoint, commit) is refused with the same error on both adapters, and
/// the commit commits nothing. Rolling back the savepoint the failure happened in makes the
/// enclosing level usable again; validation errors and `NotFound` leave it usable.
pub async fn transaction_unusable_after_failed_write<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    user(db, "taken@example.com").await;

    // Validation errors and NotFound are found before anything is written.
    let tx = db.begin().await.expect("begin");
    user(&tx, "a@example.com").await;
    let missing = tx
        .users()
        .update_by_id(
            containerpub_domain::UserId::new(999_999),
            UserPatch::default(),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    user(&tx, "b@example.com").await;
    let invalid = tx
        .users()
        .delete_where(UserField::Email.contains("a\0"))
        .await;
    assert!(
        matches!(invalid, Err(StoreError::InvalidInput(_))),
        "{invalid:?}"
    );
    assert_eq!(
        tx.users().count(Filter::All).await,
        Ok(3),
        "still usable after InvalidInput"
    );

    // A conflict: refused from then on, and nothing of the transaction is committed.
    let failed = tx.users().insert(new_user("taken@example.com")).await;
    assert_eq!(failed, Err(conflict(UniqueKey::UsersEmail)));
    let refusal =
        StoreError::transaction_unusable(&failed.expect_err("a conflict").failed_reason());
    assert!(
        matches!(&refusal, StoreError::Unavailable { message, .. }
            if message.starts_with(containerpub_ports::TX_UNUSABLE)
                && message.ends_with("nothing was committed")),
        "{refusal:?}"
    );
    assert_eq!(
        tx.users().insert(new_user("c@example.com")).await,
        Err(refusal.clone())
    );
    assert_eq!(tx.users().count(Filter::All).await, Err(refusal.clone()));
    assert_eq!(tx.begin().await.map(drop), Err(refusal.clone()));
    assert_eq!(tx.commit().await, Err(refusal));
    assert_eq!(emails(db).await, ["taken@example.com"], "nothing committed");

    // In a savepoint: rolling it back makes the transaction usable again.
    let tx = db.begin().await.expect("begin");
    user(&tx, "d@example.com").await;
    let attempt = tx.begin().await.expect("savepoint");
    assert_eq!(
        attempt.users().insert(new_user("taken@example.com")).await,
        Err(conflict(UniqueKey::UsersEmail))
    );
    attempt.rollback().await.expect("rollback to the savepoint");
    user(&tx, "e@example.com").await;
    // A savepoint dropped after a failure recovers the level too.
    let attempt = tx.begin().await.expect("savepoint");
    assert!(
        attempt
            .users()
            .insert(new_user("taken@example.com"))
            .await
            .is_err()
    );
    drop(attempt);
    tx.commit().await.expect("commit");
    assert_eq!(
        emails(db).await,
        ["taken@example.com", "d@example.com", "e@example.com"]
    );
}

/// An application error for the closure form.
#[derive(Debug, PartialEq)]
enum AppError {
    Store(StoreError),
    Refused,
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        AppError::Store(err)
    }
}

/// `UnitOfWorkExt::transaction`: commits when the body returns `Ok`, rolls back when it
/// returns `Err` (its own error or a store error), on the database and on a transaction.
pub async fn transaction_closure<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let (ada, org) = db
        .transaction(async move |tx| {
            let ada = tx
                .users()
                .insert(NewUser::parse("ada@example.com")?)
                .await?;
            let (org, _) = tx
                .organizations()
                .create_with_owner(NewOrganization::new(name("acme"), ada.uuid))
                .await?;
            Ok::<_, StoreError>((ada, org))
        })
        .await
        .expect("committed");
    assert_eq!(db.users().find_by_id(ada.id).await, Ok(Some(ada.clone())));
    assert_eq!(
        db.organizations().organization_of(ada.uuid).await,
        Ok(Some(org))
    );

    let refused: Result<(), AppError> = db
        .transaction(async move |tx| {
            tx.users().insert(new_user("bob@example.com")).await?;
            Err(AppError::Refused)
        })
        .await;
    assert_eq!(refused, Err(AppError::Refused));
    let failed: Result<User, AppError> = db
        .transaction(async move |tx| {
            tx.users().insert(new_user("carol@example.com")).await?;
            let dup = tx.users().insert(new_user("ada@example.com")).await?;
            Ok(dup)
        })
        .await;
    assert_eq!(
        failed,
        Err(AppError::Store(conflict(UniqueKey::UsersEmail)))
    );
    assert_eq!(emails(db).await, ["ada@example.com"]);

    // On a transaction, the closure form works on a savepoint.
    let tx = db.begin().await.expect("begin");
    let undone: Result<(), StoreError> = tx
        .transaction(async move |sp| {
            sp.users().insert(new_user("dave@example.com")).await?;
            Err(StoreError::invalid(
                "email",
                containerpub_domain::Rule::Invariant("changed my mind"),
            ))
        })
        .await;
    assert!(undone.is_err());
    let erin = tx
        .transaction(async move |sp| sp.users().insert(new_user("erin@example.com")).await)
        .await
        .expect("released");
    assert_eq!(emails(&tx).await, ["ada@example.com", "erin@example.com"]);
    tx.commit().await.expect("commit");
    assert_eq!(db.users().find_by_id(erin.id).await, Ok(Some(erin)));
    assert_eq!(
        db.users()
            .count(UserField::Email.is_in([
                "bob@example.com",
                "carol@example.com",
                "dave@example.com"
            ]))
            .await,
        Ok(0)
    );
}

/// A service written once over any unit of work: signs up every address of `emails` (a
/// slice the caller owns) in one transaction, the body borrowing both the slice and a local.
async fn sign_up_all<D: UnitOfWork>(db: &D, emails: &[&str]) -> Result<Vec<User>, StoreError> {
    let domain = "example.com";
    db.transaction(async |tx| {
        let mut users = Vec::new();
        for local in emails {
            users.push(
                tx.users()
                    .insert(new_user(&format!("{local}@{domain}")))
                    .await?,
            );
        }
        Ok(users)
    })
    .await
}

/// The closure form borrows from its caller (no `Box::pin`, no `'static` captures) and its
/// future can be spawned; every shape of unit of work runs the same service: the store, a
/// reference, an `Arc`, and `Arc<dyn DynStore>` (any adapter chosen at run time), whose
/// transactions are `Box<dyn DynTransaction>` with savepoints, commit and rollback.
pub async fn transaction_shapes<U: ContractStore>(fx: Fixture<U>) {
    let shared = Arc::new(fx.db.clone());
    let spawned = tokio::spawn({
        let shared = Arc::clone(&shared);
        async move { sign_up_all(&shared, &["ada", "bob"]).await }
    });
    assert_eq!(spawned.await.expect("the task").map(|u| u.len()), Ok(2));
    assert_eq!(
        sign_up_all(&&fx.db, &["carol"]).await.map(|u| u.len()),
        Ok(1)
    );
    let any: Arc<dyn DynStore> = Arc::new(fx.db.clone());
    assert_eq!(sign_up_all(&any, &["dave"]).await.map(|u| u.len()), Ok(1));
    // A duplicate rolls the whole body back, through the trait object too.
    assert_eq!(
        sign_up_all(&any, &["erin", "ada"]).await,
        Err(conflict(UniqueKey::UsersEmail))
    );

    // The boxed transaction: its own writes, a savepoint rolled back, commit.
    let tx = any.begin().await.expect("begin");
    user(&tx, "frank@example.com").await;
    let sp = tx.begin().await.expect("savepoint");
    user(&sp, "gina@example.com").await;
    sp.rollback().await.expect("rollback the savepoint");
    assert_eq!(
        emails(&fx.db).await.len(),
        4,
        "uncommitted: not seen outside"
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        emails(&*shared).await,
        [
            "ada@example.com",
            "bob@example.com",
            "carol@example.com",
            "dave@example.com",
            "frank@example.com"
        ]
    );
}

/// A call failing inside a savepoint refuses the savepoint's later calls; rolling the
/// savepoint back, or dropping it, leaves the transaction usable with nothing of the
/// savepoint written (a batch failing on its second row included).
pub async fn transaction_failed_call_in_a_savepoint<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let tx = db.begin().await.expect("begin");
    let ada = user(&tx, "ada@example.com").await;
    let sp = tx.begin().await.expect("savepoint");
    assert!(
        sp.users()
            .insert(new_user("ada@example.com"))
            .await
            .is_err()
    );
    assert!(sp.users().count(Filter::All).await.is_err(), "refused");
    sp.rollback().await.expect("rollback");
    let sp = tx.begin().await.expect("savepoint");
    assert!(
        sp.functions()
            .insert_many(vec![
                NewFunction::new(ada.id, name("ok")),
                NewFunction::new(UserId::new(99), name("bad")),
            ])
            .await
            .is_err()
    );
    drop(sp);
    assert_eq!(tx.functions().count(Filter::All).await, Ok(0));
    function(&tx, &ada, "api").await;
    tx.commit().await.expect("commit");
    assert_eq!(db.functions().count(Filter::All).await, Ok(1));
}

/// Savepoints end innermost first: a savepoint committed, rolled back or dropped while one
/// begun after it is still open leaves the whole transaction unusable, and nothing of it is
/// committed (the transaction's own commit included). A savepoint begun on an outer handle is
/// the innermost level all the same. Once the transaction has ended, its savepoints' handles
/// refuse work with `Internal` and their rollback does nothing.
pub async fn transaction_savepoints_end_innermost_first<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let out_of_order = StoreError::transaction_unusable(OUT_OF_ORDER_END);

    // Rolled back, committed or dropped out of order: unusable, nothing committed.
    for end in ["rollback", "commit", "drop"] {
        let tx = db.begin().await.expect("begin");
        user(&tx, &format!("{end}-a@example.com")).await;
        let outer = tx.begin().await.expect("outer");
        user(&outer, &format!("{end}-b@example.com")).await;
        let inner = outer.begin().await.expect("inner");
        user(&inner, &format!("{end}-c@example.com")).await;
        match end {
            "rollback" => assert_eq!(outer.rollback().await, Ok(())),
            "commit" => assert_eq!(outer.commit().await, Err(out_of_order.clone())),
            _ => drop(outer),
        }
        assert_eq!(
            tx.users().count(Filter::All).await,
            Err(out_of_order.clone()),
            "{end}"
        );
        assert_eq!(inner.commit().await, Err(out_of_order.clone()), "{end}");
        assert_eq!(tx.commit().await, Err(out_of_order.clone()), "{end}");
    }
    assert_eq!(emails(db).await, Vec::<String>::new(), "nothing committed");

    // A savepoint begun on the transaction while another is open is the innermost one.
    let tx = db.begin().await.expect("begin");
    let first = tx.begin().await.expect("first");
    user(&first, "kept@example.com").await;
    let second = tx.begin().await.expect("second");
    user(&second, "undone@example.com").await;
    assert_eq!(second.rollback().await, Ok(()));
    assert_eq!(first.commit().await, Ok(()));

    tx.commit().await.expect("commit");

    // The transaction committed while a savepoint is open: refused, nothing committed; and
    // handles of an ended transaction (after that, or after a rollback).
    let ended = StoreError::internal(containerpub_ports::TX_ENDED);
    let tx = db.begin().await.expect("begin");
    user(&tx, "lost@example.com").await;
    let sp = tx.begin().await.expect("savepoint");
    assert_eq!(tx.commit().await, Err(out_of_order.clone()));
    assert_eq!(sp.users().count(Filter::All).await, Err(ended.clone()));
    assert_eq!(sp.begin().await.err(), Some(ended.clone()));
    assert_eq!(sp.rollback().await, Ok(()));
    let tx = db.begin().await.expect("begin");
    let sp = tx.begin().await.expect("savepoint");
    tx.rollback().await.expect("rollback");
    assert_eq!(sp.commit().await, Err(ended));
    assert_eq!(emails(db).await, ["kept@example.com"]);
}
