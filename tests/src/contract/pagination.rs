//! Offset pages and keyset windows.

use std::collections::HashSet;

use containerpub_domain::{LogEntry, LogLevel, NewLog, Page};
use containerpub_ports::support::Keyset;
use containerpub_ports::{
    Cursor, Filter, KeysetRequest, LogField, LogStore, MAX_PAGE_SIZE, PageRequest, Query, Sort,
    UserField, UserStore, Window,
};

use super::seed::{assert_invalid, at, function, new_user, text, user};
use super::surface::walk;
use super::{ContractStore, Fixture};

/// Offset pages of a filtered, sorted listing: every page's rows, the total on every page,
/// `has_more`, pages past the end, sizes at the limits, bad page requests.
pub async fn offset_pages<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let logs = fx.db.logs();
    let news: Vec<NewLog> = (0..23_i64)
        .map(|i| {
            let level = LogLevel::ALL[usize::try_from(i % 4).expect("small")];
            NewLog::new(f.id, level, text(&format!("f {i}"))).at(at(i % 5))
        })
        .chain((0..4).map(|i| NewLog::new(g.id, LogLevel::Info, text("g")).at(at(i))))
        .collect();
    let rows = logs.insert_many(news).await.expect("insert_many");
    let filter = LogField::FunctionId.eq(f.id);
    let sort = vec![LogField::Timestamp.desc(), LogField::Level.asc()];
    let mut expected: Vec<LogEntry> = rows
        .iter()
        .filter(|l| l.function_id == f.id)
        .cloned()
        .collect();
    expected.sort_by(|x, y| {
        y.timestamp
            .cmp(&x.timestamp)
            .then(x.level.as_str().cmp(y.level.as_str()))
            .then(x.id.cmp(&y.id))
    });
    assert_eq!(
        logs.find_all(Query {
            filter: filter.clone(),
            sort: sort.clone(),
            ..Query::new()
        })
        .await,
        Ok(expected.clone())
    );
    let page = |number: u64, size: u64| {
        let (filter, sort) = (filter.clone(), sort.clone());
        async move {
            logs.find_page(filter, sort, PageRequest::new(number, size))
                .await
                .expect("find_page")
        }
    };
    for number in 1..=5 {
        let start = ((number - 1) * 5) as usize;
        let end = (start + 5).min(23);
        let got = page(number, 5).await;
        assert_eq!(got, Page::new(expected[start..end].to_vec(), 23, number, 5));
        assert_eq!(got.has_more, number < 5);
    }
    assert_eq!(page(6, 5).await, Page::new(vec![], 23, 6, 5));
    assert!(!page(6, 5).await.has_more);
    assert_eq!(page(1_000, 5).await, Page::new(vec![], 23, 1_000, 5));
    assert_eq!(page(1, 23).await, Page::new(expected.clone(), 23, 1, 23));
    assert!(!page(1, 23).await.has_more);
    assert!(page(1, 22).await.has_more);
    assert_eq!(
        page(2, 22).await,
        Page::new(expected[22..].to_vec(), 23, 2, 22)
    );
    assert_eq!(
        page(1, MAX_PAGE_SIZE).await,
        Page::new(expected.clone(), 23, 1, MAX_PAGE_SIZE)
    );
    assert_eq!(
        logs.find_page(
            LogField::FunctionId.eq(999_999),
            sort.clone(),
            PageRequest::new(1, 5)
        )
        .await,
        Ok(Page::new(vec![], 0, 1, 5))
    );
    assert_eq!(
        logs.find_page(Filter::All, vec![], PageRequest::new(3, 10))
            .await,
        Ok(Page::new(rows[20..].to_vec(), 27, 3, 10))
    );
    for (bad, field) in [
        (PageRequest::new(0, 5), "page"),
        (PageRequest::new(1, 0), "page_size"),
        (PageRequest::new(1, MAX_PAGE_SIZE + 1), "page_size"),
        (PageRequest::new(u64::MAX, 2), "page"),
        (PageRequest::new(u64::MAX / 2, u64::MAX / 4), "page_size"),
    ] {
        let expected = bad.offset().expect_err("bad page");
        assert_invalid(&expected, field);
        assert_eq!(
            logs.find_page(filter.clone(), sort.clone(), bad).await,
            Err(expected),
            "{bad:?}"
        );
    }
}

/// Keyset walks through a whole table whose sort keys have many ties: every row exactly
/// once, in `find_all` order, for several sorts, filters and window sizes; a walk survives
/// rows inserted and deleted around its position.
pub async fn keyset_walk_with_ties<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    let logs: &dyn LogStore = fx.db.logs();
    let news: Vec<NewLog> = (0..103_i64)
        .map(|i| {
            let level = LogLevel::ALL[usize::try_from(i % 3).expect("small")];
            let function_id = if i % 10 == 0 { g.id } else { f.id };
            NewLog::new(function_id, level, text(&format!("m{}", i % 4))).at(at(i % 7))
        })
        .collect();
    assert_eq!(logs.append(news).await, Ok(103));

    let sorts: Vec<Vec<Sort<LogField>>> = vec![
        vec![],
        vec![LogField::Level.asc(), LogField::Timestamp.desc()],
        vec![LogField::Timestamp.asc()],
        vec![LogField::Level.desc()],
        vec![LogField::Message.desc(), LogField::FunctionId.asc()],
        vec![LogField::Uuid.asc()],
        vec![
            LogField::FunctionId.desc(),
            LogField::Timestamp.desc(),
            LogField::Id.desc(),
        ],
    ];
    let filters = [
        Filter::All,
        !LogField::Level.eq(LogLevel::Debug),
        LogField::FunctionId
            .eq(f.id)
            .and(LogField::Timestamp.ge(at(2))),
    ];
    for sort in &sorts {
        for filter in &filters {
            let expected = logs
                .find_all(Query {
                    filter: filter.clone(),
                    sort: sort.clone(),
                    ..Query::new()
                })
                .await
                .expect("find_all");
            for limit in [1, 7, 40, 200] {
                if limit == 1 && !matches!(filter, Filter::All) {
                    continue;
                }
                let walked = walk(logs, filter, sort, limit).await;
                assert_eq!(
                    walked, expected,
                    "sort {sort:?}, filter {filter:?}, limit {limit}"
                );
            }
        }
        let ids: HashSet<_> = walk(logs, &Filter::All, sort, 9)
            .await
            .iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(ids.len(), 103, "every row once: {sort:?}");
    }

    // The walk is a position, not a snapshot: rows after it show up, rows before it do not,
    // and deleting the last row seen does not break the cursor.
    let sort = vec![LogField::Timestamp.asc()];
    let first = logs
        .find_window(Filter::All, sort.clone(), KeysetRequest::first(10))
        .await
        .expect("find_window");
    let last_seen = first.items.last().expect("rows").clone();
    let before = logs
        .insert(NewLog::new(f.id, LogLevel::Info, text("early")).at(at(-1)))
        .await
        .expect("insert");
    let after = logs
        .insert(NewLog::new(f.id, LogLevel::Info, text("late")).at(at(100)))
        .await
        .expect("insert");
    logs.delete_by_id(last_seen.id).await.expect("delete");
    let mut rest = Vec::new();
    let mut request = KeysetRequest::after(first.next.expect("more"), 25);
    loop {
        let window = logs
            .find_window(Filter::All, sort.clone(), request)
            .await
            .expect("find_window");
        rest.extend(window.items);
        match window.next {
            Some(next) => request = KeysetRequest::after(next, 25),
            None => break,
        }
    }
    let everything = logs
        .find_all(Query::new().order_by(LogField::Timestamp.asc()))
        .await
        .expect("find_all");
    let position = (last_seen.timestamp, last_seen.id);
    let expected: Vec<LogEntry> = everything
        .into_iter()
        .filter(|l| (l.timestamp, l.id) > position)
        .collect();
    assert_eq!(rest, expected);
    assert_eq!(rest.last(), Some(&after));
    assert!(!rest.contains(&before));
}

/// Bad cursors are `InvalidInput` (field `cursor`): garbage, truncated or extended text, a
/// changed header, and cursors of another query (sort, filter, table); good cursors keep
/// working, also after the row they came from is deleted.
pub async fn keyset_cursor_errors<U: ContractStore>(fx: Fixture<U>) {
    let users: &dyn UserStore = fx.db.users();
    let mut rows = Vec::new();
    for i in 0..6 {
        rows.push(
            users
                .insert(new_user(&format!("u{i}@example.com")))
                .await
                .expect("insert"),
        );
    }
    let owner = &rows[0];
    function(&fx.db, owner, "f").await;
    function(&fx.db, owner, "g").await;
    function(&fx.db, owner, "h").await;
    let sort = vec![UserField::Email.asc()];
    let first = users
        .find_window(Filter::All, sort.clone(), KeysetRequest::first(2))
        .await
        .expect("find_window");
    assert_eq!(first.items, rows[..2].to_vec());
    let cursor = first.next.clone().expect("more rows");
    let text = cursor.as_str().to_owned();
    let functions_cursor = fx
        .db
        .functions()
        .find_window(Filter::All, vec![], KeysetRequest::first(1))
        .await
        .expect("find_window")
        .next
        .expect("more functions");
    let mut changed_header = text.clone().into_bytes();
    changed_header[0] = if changed_header[0] == b'B' {
        b'C'
    } else {
        b'B'
    };
    let changed_header = String::from_utf8(changed_header).expect("ascii");

    let bad: Vec<(Filter<UserField>, Vec<Sort<UserField>>, Cursor)> = vec![
        (Filter::All, sort.clone(), Cursor::from_string("")),
        (Filter::All, sort.clone(), Cursor::from_string("!!!!")),
        (Filter::All, sort.clone(), Cursor::from_string("AAAA")),
        (
            Filter::All,
            sort.clone(),
            Cursor::from_string("not a cursor"),
        ),
        (
            Filter::All,
            sort.clone(),
            Cursor::from_string("A".repeat(100_000)),
        ),
        (
            Filter::All,
            sort.clone(),
            Cursor::from_string(&text[..text.len() - 1]),
        ),
        (
            Filter::All,
            sort.clone(),
            Cursor::from_string(format!("{text}A")),
        ),
        (
            Filter::All,
            sort.clone(),
            Cursor::from_string(changed_header),
        ),
        // Another query: sort, direction, filter, table.
        (Filter::All, vec![UserField::Email.desc()], cursor.clone()),
        (
            Filter::All,
            vec![UserField::CreatedAt.asc()],
            cursor.clone(),
        ),
        (
            UserField::Email.starts_with("u"),
            sort.clone(),
            cursor.clone(),
        ),
        (Filter::All, vec![], functions_cursor.clone()),
        (Filter::All, sort.clone(), functions_cursor),
    ];
    for (filter, sort, cursor) in bad {
        let request = KeysetRequest::after(cursor, 2);
        let expected = Keyset::plan(&filter, &sort, &request).expect_err("a bad cursor");
        assert_invalid(&expected, "cursor");
        assert_eq!(
            users.find_window(filter, sort, request.clone()).await,
            Err(expected),
            "{request:?}"
        );
    }

    // The good cursor resumes right after the second row, also once that row is gone.
    users.delete_by_id(rows[1].id).await.expect("delete");
    let second = users
        .find_window(Filter::All, sort.clone(), KeysetRequest::after(cursor, 10))
        .await;
    assert_eq!(
        second,
        Ok(Window {
            items: rows[2..].to_vec(),
            next: None,
        })
    );
}
