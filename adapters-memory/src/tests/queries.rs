//! Filters (three-valued logic, literal text matching), ordering (bytes, NULL placement,
//! ties), offsets, pages and keyset windows.

use containerpub_domain::{
    FunctionStatus, LogLevel, NewFunction, NewLog, NewUserInformation, Rule, ShortText, Uuid,
};
use containerpub_ports::{
    Cursor, Filter, FunctionField, KeysetRequest, LogField, LogQuery, PageRequest, Query,
    RepositoryField, StoreError, Stores, UserField, UserInformationField, Value,
};

use super::{at, function, name, repo, store, text, user};

fn short(s: &str) -> ShortText {
    ShortText::new("first_name", s).expect("valid")
}

#[tokio::test]
async fn filters_follow_three_valued_logic() {
    let (db, _) = store();
    for (email, first) in [
        ("a@example.com", Some("Ada")),
        ("b@example.com", Some("bob")),
        ("c@example.com", None),
    ] {
        let u = user(&db, email).await;
        let mut p = NewUserInformation::new(u.uuid);
        p.first_name = first.map(short);
        db.user_information().insert(p).await.expect("profile");
    }
    let f = UserInformationField::FirstName;
    let count = |filter: Filter<UserInformationField>| {
        let db = db.clone();
        async move { db.user_information().count(filter).await.expect("count") }
    };
    assert_eq!(count(f.eq("Ada")).await, 1);
    assert_eq!(count(f.ne("Ada")).await, 1, "NULL <> 'Ada' is unknown");
    assert_eq!(count(!f.eq("Ada")).await, 1, "NOT unknown is unknown");
    assert_eq!(count(f.lt("bob")).await, 1);
    assert_eq!(count(f.is_null()).await, 1);
    assert_eq!(count(f.is_not_null()).await, 2);
    assert_eq!(count(f.is_in(Vec::<String>::new())).await, 0);
    assert_eq!(
        count(!f.is_in(Vec::<String>::new())).await,
        3,
        "NOT IN () is true, even for NULL"
    );
    assert_eq!(count(f.is_in(["bob", "zed"])).await, 1);
    assert_eq!(count(!f.is_in(["bob"])).await, 1);
    assert_eq!(count(Filter::And(Vec::new())).await, 3);
    assert_eq!(count(Filter::Or(Vec::new())).await, 0);
    assert_eq!(count(!Filter::Or(Vec::new())).await, 3);
    assert_eq!(count(f.contains("")).await, 2);
    assert_eq!(count(f.eq("Ada").or(f.is_null())).await, 2);
    // NOT (first_name = 'x' AND first_name IS NULL): false AND … is false, so NOT gives true
    // for the named rows; unknown AND true is unknown for the NULL row.
    assert_eq!(count(!(f.eq("x").and(f.is_null()))).await, 2);
    // unknown OR true is true.
    assert_eq!(
        count(f.eq("x").or(UserInformationField::Role.eq("developer"))).await,
        3
    );
    assert!(matches!(
        db.user_information().count(f.eq(3)).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "first_name"
    ));
    assert!(matches!(
        db.user_information().count(f.eq(Value::Null)).await,
        Err(StoreError::InvalidInput(_))
    ));
    assert_eq!(
        db.user_information().count(f.contains("a\0")).await,
        Err(StoreError::invalid("first_name", Rule::NulCharacter))
    );
}

#[tokio::test]
async fn text_matching_is_literal_and_ordering_is_by_bytes() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    for n in ["100%", "a_b", "a\\b", "abc", "B", "Z", "é", "a"] {
        function(&db, ada.id, n).await;
    }
    let count = |filter| {
        let db = db.clone();
        async move { db.functions().count(filter).await.expect("count") }
    };
    assert_eq!(count(FunctionField::Name.contains("%")).await, 1);
    assert_eq!(count(FunctionField::Name.contains("_")).await, 1);
    assert_eq!(count(FunctionField::Name.starts_with("a_")).await, 1);
    assert_eq!(count(FunctionField::Name.contains("\\")).await, 1);
    assert_eq!(
        count(FunctionField::Name.starts_with("A")).await,
        0,
        "case-sensitive"
    );
    assert_eq!(count(FunctionField::Name.gt("Z")).await, 5);

    let names = |rows: Vec<containerpub_domain::Function>| {
        rows.into_iter()
            .map(|f| f.name.into_inner())
            .collect::<Vec<_>>()
    };
    let asc = db
        .functions()
        .find_all(Query::new().order_by(FunctionField::Name.asc()))
        .await
        .expect("rows");
    assert_eq!(
        names(asc),
        ["100%", "B", "Z", "a", "a\\b", "a_b", "abc", "é"]
    );
    let desc = db
        .functions()
        .find_all(
            Query::new()
                .order_by(FunctionField::Name.desc())
                .offset(1)
                .limit(3),
        )
        .await
        .expect("rows");
    assert_eq!(names(desc), ["abc", "a_b", "a\\b"]);
}

#[tokio::test]
async fn nulls_sort_last_ascending_and_first_descending_with_id_ties() {
    let (db, _) = store();
    let mut ids = Vec::new();
    for (email, first) in [
        ("a@example.com", None),
        ("b@example.com", Some("bob")),
        ("c@example.com", Some("Ada")),
        ("d@example.com", None),
    ] {
        let u = user(&db, email).await;
        let mut p = NewUserInformation::new(u.uuid);
        p.first_name = first.map(short);
        ids.push(db.user_information().insert(p).await.expect("profile").id);
    }
    let order = |sort| {
        let db = db.clone();
        async move {
            db.user_information()
                .find_all(Query::new().order_by(sort))
                .await
                .expect("rows")
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    let f = UserInformationField::FirstName;
    assert_eq!(order(f.asc()).await, [ids[2], ids[1], ids[0], ids[3]]);
    assert_eq!(order(f.desc()).await, [ids[0], ids[3], ids[1], ids[2]]);
    // Ties on the only key come out by id.
    assert_eq!(
        order(UserInformationField::Role.desc()).await,
        [ids[0], ids[1], ids[2], ids[3]]
    );
    // find_one is the first row of find_all, offset applied, limit ignored.
    let second = db
        .user_information()
        .find_one(Query::new().order_by(f.desc()).offset(1).limit(10))
        .await
        .expect("read")
        .map(|p| p.id);
    assert_eq!(second, Some(ids[3]));
    let none = db
        .user_information()
        .find_all(Query::new().limit(0))
        .await
        .expect("read");
    assert!(none.is_empty());
}

#[tokio::test]
async fn offset_pages_count_every_match() {
    let (db, _) = store();
    for i in 0..5 {
        user(&db, &format!("u{i}@example.com")).await;
    }
    let page = db
        .users()
        .find_page(
            UserField::Email.starts_with("u"),
            vec![UserField::Email.desc()],
            PageRequest::new(3, 2),
        )
        .await
        .expect("page");
    assert_eq!(page.total, 5);
    assert!(!page.has_more);
    assert_eq!(
        page.items
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        ["u0@example.com"]
    );
    let first = db
        .users()
        .find_page(Filter::All, Vec::new(), PageRequest::new(1, 2))
        .await
        .expect("page");
    assert!(first.has_more);
    assert!(matches!(
        db.users().find_page(Filter::All, Vec::new(), PageRequest::new(0, 2)).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "page"
    ));
    assert!(matches!(
        db.users().find_page(Filter::All, Vec::new(), PageRequest::new(1, 0)).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "page_size"
    ));
    // The filter is checked before the page request.
    assert!(matches!(
        db.users().find_page(UserField::Email.eq(1), Vec::new(), PageRequest::new(0, 0)).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "email"
    ));
}

#[tokio::test]
async fn keyset_windows_visit_every_row_once() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let statuses = [
        FunctionStatus::Active,
        FunctionStatus::Failed,
        FunctionStatus::Active,
        FunctionStatus::Building,
    ];
    for i in 0..23 {
        let mut f = NewFunction::new(ada.id, name(&format!("f{:02}", (i * 7) % 23)));
        f.status = statuses[i % statuses.len()];
        db.functions().insert(f).await.expect("function");
    }
    let sort = vec![FunctionField::Status.desc(), FunctionField::Name.asc()];
    let filter = FunctionField::Name.ne("f05");
    let expected: Vec<_> = db
        .functions()
        .find_all(Query {
            filter: filter.clone(),
            sort: sort.clone(),
            limit: None,
            offset: 0,
        })
        .await
        .expect("rows")
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(expected.len(), 22);
    let mut seen = Vec::new();
    let mut request = KeysetRequest::first(5);
    loop {
        let window = db
            .functions()
            .find_window(filter.clone(), sort.clone(), request)
            .await
            .expect("window");
        seen.extend(window.items.iter().map(|f| f.id));
        match window.next {
            Some(next) => request = KeysetRequest::after(next, 5),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    // A cursor from another query, a garbled one, and a nullable sort key are refused.
    let window = db
        .functions()
        .find_window(filter.clone(), sort.clone(), KeysetRequest::first(5))
        .await
        .expect("window");
    let cursor = window.next.expect("more rows");
    for (f, c) in [
        (Filter::All, cursor.clone()),
        (filter.clone(), Cursor::from_string("garbage")),
    ] {
        assert!(matches!(
            db.functions().find_window(f, sort.clone(), KeysetRequest::after(c, 5)).await,
            Err(StoreError::InvalidInput(ref i)) if i.field == "cursor"
        ));
    }
    assert!(matches!(
        db.functions()
            .find_window(Filter::All, vec![FunctionField::ActiveDeploymentId.asc()], KeysetRequest::first(5))
            .await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "active_deployment_id"
    ));
    assert!(matches!(
        db.functions().find_window(Filter::All, Vec::new(), KeysetRequest::first(0)).await,
        Err(StoreError::InvalidInput(ref i)) if i.field == "limit"
    ));
}

/// The log window reads the per-function time index; it must agree with a plain sort.
#[tokio::test]
async fn log_windows_match_a_full_sort() {
    let (db, _) = store();
    let ada = user(&db, "ada@example.com").await;
    let api = function(&db, ada.id, "api").await;
    let other = function(&db, ada.id, "other").await;
    let levels = [LogLevel::Info, LogLevel::Error, LogLevel::Debug];
    let mut logs = Vec::new();
    for i in 0..60i64 {
        let target = if i % 4 == 3 { other.id } else { api.id };
        // Several rows share a timestamp: ties are broken by id.
        logs.push(
            NewLog::new(target, levels[(i as usize) % 3], text(&format!("m{i}")))
                .at(at((i * 17) % 13)),
        );
    }
    db.logs().append(logs).await.expect("appended");
    for newest_first in [false, true] {
        for (from, until, level) in [
            (None, None, None),
            (Some(at(3)), Some(at(9)), None),
            (Some(at(3)), None, Some(LogLevel::Error)),
            (None, Some(at(0)), None),
        ] {
            let query = LogQuery {
                function: api.id.into(),
                from,
                until,
                level,
                newest_first,
            };
            let (filter, _) = query.to_filter_and_sort(api.id);
            let mut expected = db
                .logs()
                .find_all(Query::filter(filter))
                .await
                .expect("rows");
            expected.sort_by_key(|l| (l.timestamp, l.id));
            if newest_first {
                expected.reverse();
            }
            let expected: Vec<_> = expected.into_iter().map(|l| l.id).collect();
            for limit in [1, 4, 100] {
                let mut seen = Vec::new();
                let mut request = KeysetRequest::first(limit);
                loop {
                    let window = db
                        .logs()
                        .for_function(query.clone(), request)
                        .await
                        .expect("window");
                    assert!(window.items.len() <= limit as usize);
                    seen.extend(window.items.iter().map(|l| l.id));
                    match window.next {
                        Some(next) => request = KeysetRequest::after(next, limit),
                        None => break,
                    }
                }
                assert_eq!(seen, expected, "{query:?} limit {limit}");
            }
            // Offsets on the same order.
            let (filter, sort) = query.to_filter_and_sort(api.id);
            let page: Vec<_> = db
                .logs()
                .find_all(Query {
                    filter,
                    sort,
                    limit: Some(3),
                    offset: 2,
                })
                .await
                .expect("rows")
                .into_iter()
                .map(|l| l.id)
                .collect();
            let want: Vec<_> = expected.iter().copied().skip(2).take(3).collect();
            assert_eq!(page, want);
        }
    }
    assert_eq!(
        db.logs().count(LogField::FunctionId.eq(other.id)).await,
        Ok(15)
    );
}

#[tokio::test]
async fn reads_never_see_soft_deleted_repositories() {
    let (db, _) = store();
    let a = repo(&db, "a").await;
    let ab = repo(&db, "a/b").await;
    repo(&db, "c").await;
    assert_eq!(db.repositories().soft_delete(a.id.into()).await, Ok(2));
    let repos = db.repositories();
    assert_eq!(repos.find_by_id(ab.id).await, Ok(None));
    assert_eq!(repos.find_by_uuid(ab.uuid).await, Ok(None));
    assert_eq!(repos.find_by_path(&super::path("a/b")).await, Ok(None));
    assert_eq!(repos.count(Filter::All).await, Ok(1));
    assert_eq!(repos.exists(RepositoryField::Path.eq("a")).await, Ok(false));
    assert_eq!(
        repos.exists(RepositoryField::Uuid.eq(a.uuid)).await,
        Ok(false)
    );
    let window = repos
        .find_window(
            Filter::All,
            vec![RepositoryField::Path.asc()],
            KeysetRequest::first(10),
        )
        .await
        .expect("window");
    assert_eq!(window.items.len(), 1);
    assert_eq!(
        repos.delete_by_id(ab.id).await,
        Err(StoreError::not_found(
            containerpub_ports::Table::Repositories,
            containerpub_ports::Lookup::Id
        ))
    );
    assert_eq!(repos.find_by_uuid(Uuid::from_u128(1)).await, Ok(None));
}
