//! Uuid-first reads ([`Ref`]): every operation an API reaches by uuid gives, for a row's uuid,
//! exactly what it gives for the row's id; for a uuid no row holds (or a soft-deleted row's),
//! exactly what it gives for an id no row has (a `NotFound` naming the uuid rather than the
//! id); and validation errors do not depend on the form.

use containerpub_domain::{
    FunctionId, InvocationStatus, LogLevel, NewInvocation, NewLog, RepositoryId, UserId, Uuid,
};
use containerpub_ports::{
    KeysetRequest, LogQuery, Lookup, PageRequest, Ref, StoreError, Stores, Table, Transaction,
    UnitOfWorkExt,
};

use super::seed::{at, deployment, function, ms, not_found, repository, text, user};
use super::{ContractStore, Fixture};

/// A uuid no row of any table holds.
const NOBODY: Uuid = Uuid::from_u128(0x00de_ad00);

/// `find_by_owner`, `details`, `active_for`, `stats` and `LogQuery::for_function` by uuid:
/// the id form's results; unknown uuids as unknown ids; the same validation errors; a row of
/// another table is not found by its uuid; inside a transaction its own writes resolve.
pub async fn uuid_first_function_reads<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let mut mine = Vec::new();
    for n in ["a", "b", "c"] {
        fx.tick();
        mine.push(function(db, &ada, n).await);
    }
    let theirs = function(db, &bob, "z").await;
    let api = &mine[0];

    // find_by_owner.
    let functions = db.functions();
    for request in [PageRequest::new(1, 2), PageRequest::new(2, 2)] {
        let by_id = functions.find_by_owner(ada.id.into(), request).await;
        assert_eq!(
            functions.find_by_owner(Ref::uuid(ada.uuid), request).await,
            by_id
        );
        assert_eq!(by_id.map(|p| p.total), Ok(3));
    }
    let unknown_id = functions
        .find_by_owner(UserId::new(999_999).into(), PageRequest::new(1, 2))
        .await;
    assert_eq!(
        unknown_id.as_ref().map(|p| (p.total, p.items.len())),
        Ok((0, 0))
    );
    assert_eq!(
        functions
            .find_by_owner(Ref::uuid(NOBODY), PageRequest::new(1, 2))
            .await,
        unknown_id,
        "an unknown owner uuid gives the empty page an unknown id gives"
    );
    // The uuid of a row of another table names no user.
    assert_eq!(
        functions
            .find_by_owner(Ref::uuid(api.uuid), PageRequest::new(1, 2))
            .await,
        unknown_id
    );
    let bad = PageRequest::new(0, 2);
    let by_id = functions.find_by_owner(ada.id.into(), bad).await;
    assert!(by_id.is_err());
    assert_eq!(
        functions.find_by_owner(Ref::uuid(ada.uuid), bad).await,
        by_id
    );
    assert_eq!(functions.find_by_owner(Ref::uuid(NOBODY), bad).await, by_id);

    // details.
    let first = deployment(db, api).await;
    let by_id = functions.details(api.id.into()).await;
    assert!(matches!(&by_id, Ok(Some(d)) if d.owner == ada && d.deployments == [first.clone()]));
    assert_eq!(functions.details(Ref::uuid(api.uuid)).await, by_id);
    assert_eq!(
        functions.details(FunctionId::new(999_999).into()).await,
        Ok(None)
    );
    assert_eq!(functions.details(Ref::uuid(NOBODY)).await, Ok(None));
    assert_eq!(functions.details(Ref::uuid(ada.uuid)).await, Ok(None));

    // active_for.
    let deployments = db.deployments();
    assert_eq!(deployments.active_for(Ref::uuid(api.uuid)).await, Ok(None));
    let active = deployments.activate(first.id).await.expect("activate");
    let by_id = deployments.active_for(api.id.into()).await;
    assert_eq!(by_id, Ok(Some(active)));
    assert_eq!(deployments.active_for(Ref::uuid(api.uuid)).await, by_id);
    assert_eq!(
        deployments.active_for(Ref::uuid(theirs.uuid)).await,
        Ok(None)
    );
    assert_eq!(
        deployments
            .active_for(FunctionId::new(999_999).into())
            .await,
        Ok(None)
    );
    assert_eq!(deployments.active_for(Ref::uuid(NOBODY)).await, Ok(None));

    // stats.
    let invocations = db.invocations();
    for (status, duration, second) in [
        (InvocationStatus::Success, 10, 1),
        (InvocationStatus::Error, 30, 2),
    ] {
        invocations
            .record(NewInvocation::new(api.id, status, ms(duration)).at(at(second)))
            .await
            .expect("record");
    }
    let by_id = invocations.stats(api.id.into(), at(0)).await;
    assert!(matches!(&by_id, Ok(Some(s)) if s.total == 2 && s.function_id == api.id));
    assert_eq!(invocations.stats(Ref::uuid(api.uuid), at(0)).await, by_id);
    let none_yet = invocations.stats(Ref::uuid(theirs.uuid), at(0)).await;
    assert!(matches!(&none_yet, Ok(Some(s)) if s.total == 0 && s.function_id == theirs.id));
    assert_eq!(
        invocations
            .stats(FunctionId::new(999_999).into(), at(0))
            .await,
        Ok(None)
    );
    assert_eq!(invocations.stats(Ref::uuid(NOBODY), at(0)).await, Ok(None));

    // Logs: the same rows, window by window, with the uuid form's own cursors.
    let logs = db.logs();
    let rows: Vec<NewLog> = (0..7)
        .map(|i| {
            let level = if i % 2 == 0 {
                LogLevel::Info
            } else {
                LogLevel::Error
            };
            NewLog::new(api.id, level, text(&format!("line {i}"))).at(at(i))
        })
        .chain([NewLog::new(theirs.id, LogLevel::Info, text("theirs")).at(at(3))])
        .collect();
    logs.append(rows).await.expect("append");
    for mut query in [
        LogQuery::for_function(api.id),
        LogQuery {
            from: Some(at(2)),
            level: Some(LogLevel::Error),
            newest_first: true,
            ..LogQuery::for_function(api.id)
        },
    ] {
        let everything = logs
            .for_function(query.clone(), KeysetRequest::first(100))
            .await
            .expect("for_function")
            .items;
        assert!(!everything.is_empty());
        query.function = Ref::uuid(api.uuid);
        let mut walked = Vec::new();
        let mut request = KeysetRequest::first(2);
        loop {
            let window = logs
                .for_function(query.clone(), request)
                .await
                .expect("for_function by uuid");
            walked.extend(window.items);
            match window.next {
                Some(next) => request = KeysetRequest::after(next, 2),
                None => break,
            }
        }
        assert_eq!(walked, everything, "{query:?}");
    }
    let unknown = logs
        .for_function(
            LogQuery::for_function(FunctionId::new(999_999)),
            KeysetRequest::first(5),
        )
        .await;
    assert_eq!(
        unknown.as_ref().map(|w| (w.items.len(), w.next.is_none())),
        Ok((0, true))
    );
    assert_eq!(
        logs.for_function(LogQuery::for_function(NOBODY), KeysetRequest::first(5))
            .await,
        unknown
    );
    let by_id = logs
        .for_function(LogQuery::for_function(api.id), KeysetRequest::first(0))
        .await;
    assert!(by_id.is_err());
    for function in [Ref::uuid(api.uuid), Ref::uuid(NOBODY)] {
        assert_eq!(
            logs.for_function(LogQuery::for_function(function), KeysetRequest::first(0))
                .await,
            by_id
        );
    }

    // A cursor is bound to its query's shape, which for the uuid form leaves the function
    // out: the id form's cursors are refused by the uuid form, and the other way round.
    let (by_id, by_uuid) = (
        LogQuery::for_function(api.id),
        LogQuery::for_function(api.uuid),
    );
    for (from, to) in [(&by_id, &by_uuid), (&by_uuid, &by_id)] {
        let cursor = logs
            .for_function(from.clone(), KeysetRequest::first(2))
            .await
            .expect("first window")
            .next
            .expect("more rows");
        let refused = logs
            .for_function(to.clone(), KeysetRequest::after(cursor, 2))
            .await;
        assert!(
            matches!(refused, Err(StoreError::InvalidInput(_))),
            "{refused:?}"
        );
    }

    // In a transaction, a uuid resolves against the transaction's own writes.
    let tx = fx.db.begin().await.expect("begin");
    let fresh = function(&tx, &bob, "fresh").await;
    assert_eq!(
        tx.functions()
            .details(Ref::uuid(fresh.uuid))
            .await
            .map(|d| d.map(|d| d.function)),
        Ok(Some(fresh.clone()))
    );
    assert_eq!(
        tx.functions()
            .find_by_owner(Ref::uuid(bob.uuid), PageRequest::new(1, 10))
            .await
            .map(|p| p.total),
        Ok(2)
    );
    tx.rollback().await.expect("rollback");
    assert_eq!(functions.details(Ref::uuid(fresh.uuid)).await, Ok(None));
    let seen = fx
        .db
        .transaction(async |tx| {
            tx.functions()
                .find_by_owner(Ref::uuid(bob.uuid), PageRequest::new(1, 10))
                .await
        })
        .await
        .map(|p| p.total);
    assert_eq!(seen, Ok(1));
}

/// The repository tree operations by uuid: the id form's results; a soft-deleted
/// repository's uuid, like its id, is `NotFound`; so is a uuid no repository holds.
pub async fn uuid_first_repository_tree<U: ContractStore>(fx: Fixture<U>) {
    let db = &fx.db;
    let repos = db.repositories();
    let mut tree = Vec::new();
    for p in [
        "acme",
        "acme/api",
        "acme/api/worker",
        "acme/web",
        "acme/web/cdn",
    ] {
        fx.tick();
        tree.push(repository(db, p).await);
    }
    let (api, worker, web) = (&tree[1], &tree[2], &tree[3]);
    for r in [api, worker, web] {
        assert_eq!(
            repos.descendants_of(Ref::uuid(r.uuid)).await,
            repos.descendants_of(r.id.into()).await
        );
        assert_eq!(
            repos.ancestors_of(Ref::uuid(r.uuid)).await,
            repos.ancestors_of(r.id.into()).await
        );
        assert_eq!(
            repos.siblings_of(Ref::uuid(r.uuid)).await,
            repos.siblings_of(r.id.into()).await
        );
    }
    assert_eq!(
        repos
            .ancestors_of(Ref::uuid(worker.uuid))
            .await
            .map(|rows| rows
                .iter()
                .map(|r| r.path.as_str().to_owned())
                .collect::<Vec<_>>()),
        Ok(vec!["acme/api".to_owned(), "acme".to_owned()])
    );

    // Unknown: NotFound, as an unknown id, naming the key it was asked by (the uuid form
    // names its uuid; the id form never shows the id).
    let unknown_id = repos
        .descendants_of(RepositoryId::new(999_999).into())
        .await;
    assert_eq!(unknown_id, Err(not_found(Table::Repositories)));
    let unknown_uuid: Result<Vec<_>, _> = Err(missing_uuid(NOBODY));
    assert_eq!(repos.descendants_of(Ref::uuid(NOBODY)).await, unknown_uuid);
    assert_eq!(repos.ancestors_of(Ref::uuid(NOBODY)).await, unknown_uuid);
    assert_eq!(repos.siblings_of(Ref::uuid(NOBODY)).await, unknown_uuid);
    assert_eq!(
        repos.soft_delete(Ref::uuid(NOBODY)).await,
        Err(missing_uuid(NOBODY))
    );

    // Soft delete by uuid: the subtree goes; then its uuid is NotFound, as its id.
    assert_eq!(repos.soft_delete(Ref::uuid(web.uuid)).await, Ok(2));
    for gone in [
        Ref::uuid(web.uuid),
        Ref::Id(web.id),
        Ref::uuid(tree[4].uuid),
    ] {
        let error = match gone {
            Ref::Uuid(uuid) => missing_uuid(uuid),
            Ref::Id(_) => not_found(Table::Repositories),
        };
        let missing: Result<Vec<_>, _> = Err(error.clone());
        assert_eq!(repos.descendants_of(gone).await, missing, "{gone:?}");
        assert_eq!(repos.ancestors_of(gone).await, missing, "{gone:?}");
        assert_eq!(repos.siblings_of(gone).await, missing, "{gone:?}");
        assert_eq!(repos.soft_delete(gone).await, Err(error), "{gone:?}");
    }
    // The live rows no longer list it.
    assert_eq!(repos.siblings_of(Ref::uuid(api.uuid)).await, Ok(Vec::new()));
    // A live repository at the same path is a new row: its uuid works, the old one does not.
    let again = repository(db, "acme/web").await;
    assert_eq!(
        repos.siblings_of(Ref::uuid(again.uuid)).await,
        Ok(vec![api.clone()])
    );
    assert_eq!(
        repos.siblings_of(Ref::uuid(web.uuid)).await,
        Err(missing_uuid(web.uuid))
    );
}

/// The `NotFound` of a repository asked for by uuid: it names that uuid.
fn missing_uuid(uuid: Uuid) -> StoreError {
    StoreError::not_found(Table::Repositories, Lookup::Uuid(uuid))
}
