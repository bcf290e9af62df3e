//! The query language: every filter operator, SQL three-valued logic, literal text matching,
//! invalid filters, and sort orders.

use containerpub_domain::{
    Deployment, Function, ImageTag, Invocation, InvocationPatch, InvocationStatus, LogLevel,
    NewDeployment, NewFunction, NewInvocation, NewLog, Rule,
};
use containerpub_ports::support::Keyset;
use containerpub_ports::{
    DeploymentField, Direction, Filter, FunctionField, InvocationField, KeysetRequest, LogField,
    PageRequest, Query, Sort, StoreError, Value,
};

use super::seed::{assert_invalid, at, function, functions_named, ms, name, text, user};
use super::surface::{Crud, assert_filtered, walk};
use super::{ContractStore, Fixture};

/// Five invocations of one function:
///
/// | # | status  | duration | error       | time   |
/// |---|---------|----------|-------------|--------|
/// | 0 | success | 10       | NULL        | T0     |
/// | 1 | error   | 20       | "boom"      | T0 + 1 |
/// | 2 | timeout | 30       | "timed out" | T0 + 2 |
/// | 3 | success | 40       | NULL        | T0 + 3 |
/// | 4 | error   | 50       | "Boom!"     | T0 + 4 |
async fn five_invocations<U: ContractStore>(fx: &Fixture<U>) -> (Function, Vec<Invocation>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let spec = [
        (InvocationStatus::Success, 10, None),
        (InvocationStatus::Error, 20, Some("boom")),
        (InvocationStatus::Timeout, 30, Some("timed out")),
        (InvocationStatus::Success, 40, None),
        (InvocationStatus::Error, 50, Some("Boom!")),
    ];
    let news: Vec<NewInvocation> = spec
        .iter()
        .zip(0_i64..)
        .map(|((status, duration, error), i)| {
            NewInvocation {
                error: error.map(text),
                ..NewInvocation::new(f.id, *status, ms(*duration))
            }
            .at(at(i))
        })
        .collect();
    let rows = fx
        .db
        .invocations()
        .insert_many(news)
        .await
        .expect("insert_many");
    (f, rows)
}

/// Checks each filter with `find_all`, `count`, `exists` and `find_page` against the rows at
/// the given indexes (in id order).
async fn expect_matches<S: Crud + ?Sized>(
    store: &S,
    rows: &[S::Entity],
    cases: Vec<(Filter<S::Field>, Vec<usize>)>,
) {
    for (filter, indexes) in cases {
        let expected: Vec<S::Entity> = indexes.iter().map(|&i| rows[i].clone()).collect();
        let page = assert_filtered(store, &filter, &expected).await;
        assert_eq!(
            store.exists(filter.clone()).await,
            Ok(!expected.is_empty()),
            "exists {filter:?}"
        );
        assert_eq!(
            page.total,
            expected.len() as u64,
            "find_page total {filter:?}"
        );
    }
}

/// Every operator on ints, timestamps, text, uuids and ids: `eq ne lt le gt ge in` (empty
/// `in` too), `is_null is_not_null contains starts_with`, `and or not`, empty `And`/`Or`.
#[allow(clippy::too_many_lines)]
pub async fn filter_operators<U: ContractStore>(fx: Fixture<U>) {
    let (f, rows) = five_invocations(&fx).await;
    let store = fx.db.invocations();
    use InvocationField as I;
    let success = InvocationStatus::Success;
    let error = InvocationStatus::Error;
    let cases: Vec<(Filter<I>, Vec<usize>)> = vec![
        (I::DurationMs.eq(30), vec![2]),
        (I::DurationMs.ne(30), vec![0, 1, 3, 4]),
        (I::DurationMs.lt(30), vec![0, 1]),
        (I::DurationMs.le(30), vec![0, 1, 2]),
        (I::DurationMs.gt(30), vec![3, 4]),
        (I::DurationMs.ge(30), vec![2, 3, 4]),
        (I::DurationMs.gt(ms(50)), vec![]),
        (I::Timestamp.lt(at(2)), vec![0, 1]),
        (I::Timestamp.le(at(2)), vec![0, 1, 2]),
        (I::Timestamp.ge(at(3)), vec![3, 4]),
        (I::Timestamp.eq(at(4)), vec![4]),
        (I::Timestamp.ne(at(0)), vec![1, 2, 3, 4]),
        (I::Status.eq(error), vec![1, 4]),
        (I::Status.ne(error), vec![0, 2, 3]),
        (I::Status.lt("success"), vec![1, 4]),
        (I::Status.le("error"), vec![1, 4]),
        (I::Status.gt("success"), vec![2]),
        (I::Status.ge("timeout"), vec![2]),
        (I::Uuid.eq(rows[3].uuid), vec![3]),
        (I::Uuid.ne(rows[3].uuid), vec![0, 1, 2, 4]),
        (I::Id.eq(rows[1].id), vec![1]),
        (I::Id.gt(rows[1].id), vec![2, 3, 4]),
        (I::FunctionId.eq(f.id), vec![0, 1, 2, 3, 4]),
        (I::FunctionId.ne(f.id), vec![]),
        (
            I::Id.is_in([rows[0].id.get(), rows[4].id.get(), 999_999]),
            vec![0, 4],
        ),
        (I::DurationMs.is_in([10, 50, 999]), vec![0, 4]),
        (
            I::Status.is_in([success, InvocationStatus::Timeout]),
            vec![0, 2, 3],
        ),
        (I::Uuid.is_in([rows[2].uuid]), vec![2]),
        (I::Timestamp.is_in([at(1), at(3), at(99)]), vec![1, 3]),
        (I::DurationMs.is_in(Vec::<i32>::new()), vec![]),
        (!I::DurationMs.is_in(Vec::<i32>::new()), vec![0, 1, 2, 3, 4]),
        (I::Error.is_null(), vec![0, 3]),
        (I::Error.is_not_null(), vec![1, 2, 4]),
        (I::Id.is_null(), vec![]),
        (I::Id.is_not_null(), vec![0, 1, 2, 3, 4]),
        (I::Error.contains("oo"), vec![1, 4]),
        (I::Error.contains("Boom"), vec![4]),
        (I::Error.contains("out"), vec![2]),
        (I::Error.starts_with("b"), vec![1]),
        (I::Error.starts_with("B"), vec![4]),
        (I::Error.starts_with("boom"), vec![1]),
        (I::Status.starts_with("succ"), vec![0, 3]),
        (I::Status.contains("r"), vec![1, 4]),
        (I::Status.eq(error).and(I::DurationMs.gt(20)), vec![4]),
        (I::DurationMs.eq(10).or(I::Status.eq("timeout")), vec![0, 2]),
        (!I::Status.eq(success), vec![1, 2, 4]),
        (Filter::And(vec![]), vec![0, 1, 2, 3, 4]),
        (Filter::Or(vec![]), vec![]),
        (!Filter::And(vec![]), vec![]),
        (!Filter::Or(vec![]), vec![0, 1, 2, 3, 4]),
        (Filter::All, vec![0, 1, 2, 3, 4]),
        (
            Filter::any([
                Filter::all([I::Status.eq(success), I::DurationMs.gt(10)]),
                !I::DurationMs.lt(50),
            ]),
            vec![3, 4],
        ),
        (
            Filter::all([
                I::Timestamp.ge(at(1)),
                I::Timestamp.lt(at(4)),
                !I::Status.eq("timeout"),
            ]),
            vec![1, 3],
        ),
    ];
    expect_matches(store, &rows, cases).await;

    // Writes select rows with the same filters.
    assert_eq!(
        store
            .update_where(
                I::Status.eq(error).and(I::DurationMs.ge(50)),
                InvocationPatch {
                    duration_ms: Some(ms(55)),
                    ..InvocationPatch::default()
                },
            )
            .await,
        Ok(1)
    );
    assert_eq!(
        store.delete_where(I::DurationMs.is_in([10, 20])).await,
        Ok(2)
    );
    assert_eq!(
        store.find_all(Query::new()).await,
        Ok(vec![
            rows[2].clone(),
            rows[3].clone(),
            Invocation {
                duration_ms: ms(55),
                ..rows[4].clone()
            },
        ])
    );
}

/// SQL three-valued logic on NULL columns: a comparison with NULL is unknown, `NOT unknown`
/// is unknown, `unknown AND false` is false, `unknown OR true` is true; `IN ()` is false for
/// every row; the same rules in `update_where` and `delete_where`.
#[allow(clippy::too_many_lines)]
pub async fn filter_three_valued_logic<U: ContractStore>(fx: Fixture<U>) {
    let (_, rows) = five_invocations(&fx).await;
    let store = fx.db.invocations();
    use InvocationField as I;
    let cases: Vec<(Filter<I>, Vec<usize>)> = vec![
        (I::Error.eq("boom"), vec![1]),
        (I::Error.ne("boom"), vec![2, 4]),
        (!I::Error.eq("boom"), vec![2, 4]),
        (!!I::Error.eq("boom"), vec![1]),
        (I::Error.lt("c"), vec![1, 4]),
        (!I::Error.lt("c"), vec![2]),
        (!I::Error.contains("o"), vec![]),
        (!I::Error.starts_with("b"), vec![2, 4]),
        (!I::Error.is_in(["boom"]), vec![2, 4]),
        (I::Error.is_in(Vec::<&str>::new()), vec![]),
        (!I::Error.is_in(Vec::<&str>::new()), vec![0, 1, 2, 3, 4]),
        (!I::Error.is_null(), vec![1, 2, 4]),
        (!I::Error.is_not_null(), vec![0, 3]),
        (I::Error.eq("boom").or(I::Error.is_null()), vec![0, 1, 3]),
        (!(I::Error.eq("boom").or(I::Error.is_null())), vec![2, 4]),
        // NULL rows: false AND unknown = false, so NOT(...) is true.
        (
            !Filter::all([I::Error.is_not_null(), I::Error.eq("zzz")]),
            vec![0, 1, 2, 3, 4],
        ),
        // NULL rows: unknown OR false = unknown, so NOT(...) leaves them out.
        (
            !(I::Error.eq("zzz").or(I::DurationMs.eq(999))),
            vec![1, 2, 4],
        ),
        // NULL rows: unknown AND false = false.
        (
            !Filter::all([I::Error.eq("boom"), I::DurationMs.eq(20)]),
            vec![0, 2, 3, 4],
        ),
        // NULL rows: unknown AND true = unknown; other rows: true.
        (
            !Filter::all([I::Error.ne("x"), I::DurationMs.ge(0)]),
            vec![],
        ),
        // unknown OR true = true.
        (
            I::Error.eq("zzz").or(I::DurationMs.ge(0)),
            vec![0, 1, 2, 3, 4],
        ),
        (!(I::Error.eq("zzz").or(I::DurationMs.ge(0))), vec![]),
    ];
    expect_matches(store, &rows, cases).await;

    // Nullable integers follow the same rules.
    let owner = user(&fx.db, "ints@example.com").await;
    let f = function(&fx.db, &owner, "with-active").await;
    let g = function(&fx.db, &owner, "without").await;
    let d = fx
        .db
        .deployments()
        .create_next_version(NewDeployment::new(f.id))
        .await
        .expect("deployment");
    fx.db.deployments().activate(d.id).await.expect("activate");
    let functions = fx.db.functions();
    let f = functions.find_by_id(f.id).await.expect("find").expect("f");
    let ours = FunctionField::UserId.eq(owner.id);
    use FunctionField as F;
    for (filter, expected) in [
        (F::ActiveDeploymentId.eq(d.id), vec![f.clone()]),
        (F::ActiveDeploymentId.ne(d.id), vec![]),
        (!F::ActiveDeploymentId.eq(d.id), vec![]),
        (!F::ActiveDeploymentId.gt(0), vec![]),
        (F::ActiveDeploymentId.lt(999_999), vec![f.clone()]),
        (F::ActiveDeploymentId.is_null(), vec![g.clone()]),
        (!F::ActiveDeploymentId.is_in([d.id]), vec![]),
        (
            !F::ActiveDeploymentId.is_in(Vec::<i32>::new()),
            vec![f.clone(), g.clone()],
        ),
    ] {
        assert_eq!(
            functions
                .find_all(Query::filter(ours.clone().and(filter.clone())))
                .await,
            Ok(expected),
            "{filter:?}"
        );
    }

    // Writes: NOT(error = 'boom') changes the two non-NULL, non-boom rows only.
    assert_eq!(
        store
            .update_where(
                !I::Error.eq("boom"),
                InvocationPatch {
                    duration_ms: Some(ms(1)),
                    ..InvocationPatch::default()
                },
            )
            .await,
        Ok(2)
    );
    assert_eq!(store.count(I::DurationMs.eq(1)).await, Ok(2));
    assert_eq!(store.delete_where(!I::Error.eq("zzz")).await, Ok(3));
    assert_eq!(
        store.find_all(Query::new()).await,
        Ok(vec![rows[0].clone(), rows[3].clone()])
    );
}

/// `contains` and `starts_with` match literally and case-sensitively: `%`, `_` and `\` are
/// ordinary characters; the empty string matches every non-NULL value.
pub async fn filter_literal_text<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let names = [
        "100%",
        "100x",
        "a_b",
        "axb",
        "back\\slash",
        "backslash",
        "percent%sign",
        "Alpha",
        "café",
        "x%_\\y",
        "AXB",
    ];
    let rows = functions_named(&fx.db, &owner, &names).await;
    let store = fx.db.functions();
    let index_of = |n: &str| names.iter().position(|x| *x == n).expect("a name");
    let idx = |ns: &[&str]| ns.iter().map(|n| index_of(n)).collect::<Vec<_>>();
    use FunctionField as F;
    let cases: Vec<(Filter<F>, Vec<usize>)> = vec![
        (
            F::Name.contains("%"),
            idx(&["100%", "percent%sign", "x%_\\y"]),
        ),
        (F::Name.contains("0%"), idx(&["100%"])),
        (F::Name.starts_with("100%"), idx(&["100%"])),
        (F::Name.starts_with("100"), idx(&["100%", "100x"])),
        (F::Name.contains("_"), idx(&["a_b", "x%_\\y"])),
        (F::Name.starts_with("a_"), idx(&["a_b"])),
        (F::Name.contains("\\"), idx(&["back\\slash", "x%_\\y"])),
        (F::Name.contains("k\\s"), idx(&["back\\slash"])),
        (F::Name.starts_with("back\\"), idx(&["back\\slash"])),
        (F::Name.contains("%_\\"), idx(&["x%_\\y"])),
        (F::Name.contains("%%"), vec![]),
        (F::Name.contains("\\\\"), vec![]),
        (F::Name.starts_with("%"), vec![]),
        (F::Name.starts_with("_"), vec![]),
        (F::Name.starts_with("A"), idx(&["Alpha", "AXB"])),
        (F::Name.starts_with("a"), idx(&["a_b", "axb"])),
        (F::Name.contains("XB"), idx(&["AXB"])),
        (F::Name.contains("é"), idx(&["café"])),
        (F::Name.eq("100%"), idx(&["100%"])),
        (F::Name.eq("a_b"), idx(&["a_b"])),
        (
            !F::Name.contains("%"),
            idx(&[
                "100x",
                "a_b",
                "axb",
                "back\\slash",
                "backslash",
                "Alpha",
                "café",
                "AXB",
            ]),
        ),
    ];
    expect_matches(store, &rows, cases).await;
    // And against a brute-force reading of "literal, case-sensitive" for many needles.
    for needle in [
        "", "%", "_", "\\", "a", "A", "x", "0", "s", "la", "é", "%s", "b_", "a%",
    ] {
        let contains: Vec<usize> = (0..names.len())
            .filter(|&i| names[i].contains(needle))
            .collect();
        let prefix: Vec<usize> = (0..names.len())
            .filter(|&i| names[i].starts_with(needle))
            .collect();
        expect_matches(
            store,
            &rows,
            vec![
                (F::Name.contains(needle), contains),
                (F::Name.starts_with(needle), prefix),
            ],
        )
        .await;
    }
}

/// Invalid filters, limits and offsets are `InvalidInput` naming the field (the same error
/// as the ports' own validation), from every method taking a filter or a query, and
/// nothing is changed.
#[allow(clippy::too_many_lines)]
pub async fn filter_invalid<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let store = fx.db.functions();
    use FunctionField as F;
    let bad: Vec<(Filter<F>, &str)> = vec![
        (F::Name.eq(5), "name"),
        (F::UserId.eq("7"), "user_id"),
        (F::Id.eq("1"), "id"),
        (F::Uuid.eq(5), "uuid"),
        (F::CreatedAt.gt(true), "created_at"),
        (F::Status.eq(at(0)), "status"),
        (F::Status.eq(Value::Null), "status"),
        (
            F::ActiveDeploymentId.ne(Value::Null),
            "active_deployment_id",
        ),
        (F::Name.eq("a\0b"), "name"),
        (F::Name.contains("a\0"), "name"),
        (F::Name.starts_with("\0"), "name"),
        (F::UserId.contains("1"), "user_id"),
        (F::CreatedAt.starts_with("2025"), "created_at"),
        (
            F::Name.is_in([Value::Text("a".into()), Value::Int(1)]),
            "name",
        ),
        (F::Name.is_in(["a", "b\0"]), "name"),
        (F::Name.is_in([Value::Null]), "name"),
        (
            !Filter::all([F::Name.eq("a"), Filter::any([F::Uuid.eq(3)])]),
            "uuid",
        ),
        (
            F::Name.eq("f").or(F::UpdatedAt.le("yesterday")),
            "updated_at",
        ),
    ];
    let before = store.find_all(Query::new()).await.expect("find_all");
    for (filter, field) in bad {
        let expected = filter.validate().expect_err("an invalid filter");
        assert_invalid(&expected, field);
        let query = Query::filter(filter.clone());
        let err = |what: &str| format!("{what} {filter:?}");
        assert_eq!(
            store.find_one(query.clone()).await,
            Err(expected.clone()),
            "{}",
            err("find_one")
        );
        assert_eq!(
            store.find_all(query.clone()).await,
            Err(expected.clone()),
            "{}",
            err("find_all")
        );
        assert_eq!(
            store
                .find_page(filter.clone(), vec![], PageRequest::new(1, 10))
                .await,
            Err(expected.clone()),
            "{}",
            err("find_page")
        );
        assert_eq!(
            store
                .find_window(filter.clone(), vec![], KeysetRequest::first(10))
                .await,
            Err(expected.clone()),
            "{}",
            err("find_window")
        );
        assert_eq!(
            store.count(filter.clone()).await,
            Err(expected.clone()),
            "{}",
            err("count")
        );
        assert_eq!(
            store.exists(filter.clone()).await,
            Err(expected.clone()),
            "{}",
            err("exists")
        );
        assert_eq!(
            store
                .update_where(
                    filter.clone(),
                    containerpub_domain::FunctionPatch::default()
                )
                .await,
            Err(expected.clone()),
            "{}",
            err("update_where")
        );
        assert_eq!(
            store.delete_where(filter.clone()).await,
            Err(expected.clone()),
            "{}",
            err("delete_where")
        );
        assert_eq!(
            store.summaries(query).await,
            Err(expected),
            "{}",
            err("summaries")
        );
    }
    assert_eq!(
        fx.db
            .deployments()
            .count(DeploymentField::IsActive.eq("yes"))
            .await,
        Err(StoreError::invalid(
            "is_active",
            Rule::Format("a boolean operand")
        ))
    );
    assert_eq!(
        fx.db
            .logs()
            .count(
                LogField::Level
                    .eq(LogLevel::Info)
                    .and(LogField::Timestamp.eq(5))
            )
            .await,
        Err(StoreError::invalid(
            "timestamp",
            Rule::Format("a timestamp operand")
        ))
    );

    // Limits and offsets must fit a signed 64-bit integer.
    let beyond = i64::MAX as u64 + 1;
    for query in [
        Query::<F>::new().limit(beyond),
        Query::new().limit(u64::MAX),
        Query::new().offset(beyond),
        Query::new().offset(u64::MAX).limit(1),
    ] {
        let expected = query.validate().expect_err("too large");
        assert!(
            matches!(&expected, StoreError::InvalidInput(i) if i.field == "limit" || i.field == "offset")
        );
        assert_eq!(
            store.find_all(query.clone()).await,
            Err(expected.clone()),
            "{query:?}"
        );
        assert_eq!(
            store.summaries(query.clone()).await,
            Err(expected.clone()),
            "{query:?}"
        );
        if query.limit.is_none_or(|l| l <= i64::MAX as u64) {
            // find_one ignores the limit but not the offset.
            assert_eq!(store.find_one(query).await, Err(expected), "find_one");
        }
    }
    assert_eq!(
        store.find_all(Query::new().offset(i64::MAX as u64)).await,
        Ok(vec![]),
        "the largest valid offset"
    );

    // Keyset windows need non-nullable sort keys.
    let sort = vec![F::ActiveDeploymentId.asc()];
    let request = KeysetRequest::first(10);
    let expected = Keyset::plan(&Filter::All, &sort, &request).expect_err("nullable key");
    assert_invalid(&expected, "active_deployment_id");
    assert_eq!(
        store.find_window(Filter::All, sort.clone(), request).await,
        Err(expected)
    );
    // A nullable key is fine for lists and pages.
    assert_eq!(
        store
            .find_all(Query::new().order_by(F::ActiveDeploymentId.asc()))
            .await,
        Ok(before.clone())
    );

    assert_eq!(store.find_all(Query::new()).await, Ok(before.clone()));
    assert_eq!(store.find_by_id(f.id).await, Ok(Some(f)));
    // find_one ignores the limit ("limit ignored, offset applied"; its errors name the
    // offset only), so a limit no other method accepts is no error here.
    assert_eq!(
        store.find_one(Query::new().limit(u64::MAX)).await,
        Ok(Some(before[0].clone())),
        "find_one ignores the limit"
    );
}

/// Sort orders: text by bytes (`"B" < "Z" < "a" < "ab" < "b" < "é"`), multi-key with ties
/// resolved by id ascending (also under a descending key), NULLs last ascending and first
/// descending, booleans false first, uuids by bytes, timestamps chronologically, keys after
/// the id ignored; the same order in lists, pages and windows.
#[allow(clippy::too_many_lines)]
pub async fn sort_orders<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let functions = fx.db.functions();
    use FunctionField as F;
    let statuses = [
        containerpub_domain::FunctionStatus::Active,
        containerpub_domain::FunctionStatus::Failed,
        containerpub_domain::FunctionStatus::Active,
        containerpub_domain::FunctionStatus::Building,
        containerpub_domain::FunctionStatus::Failed,
        containerpub_domain::FunctionStatus::Active,
    ];
    let mut rows = Vec::new();
    for (n, status) in ["b", "B", "é", "a", "Z", "ab"].iter().zip(statuses) {
        fx.tick();
        rows.push(
            functions
                .insert(NewFunction {
                    status,
                    ..NewFunction::new(owner.id, name(n))
                })
                .await
                .expect("insert"),
        );
    }
    let names = |fs: &[Function]| {
        fs.iter()
            .map(|f| f.name.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    let list = |sort: Vec<Sort<F>>| async move {
        let all = functions
            .find_all(Query {
                sort: sort.clone(),
                ..Query::new()
            })
            .await
            .expect("find_all");
        let page = functions
            .find_page(Filter::All, sort.clone(), PageRequest::new(1, 100))
            .await
            .expect("find_page");
        assert_eq!(page.items, all, "find_page sorts as find_all: {sort:?}");
        all
    };
    assert_eq!(
        names(&list(vec![F::Name.asc()]).await),
        ["B", "Z", "a", "ab", "b", "é"]
    );
    assert_eq!(
        names(&list(vec![F::Name.desc()]).await),
        ["é", "b", "ab", "a", "Z", "B"]
    );
    // Ties resolved by id ascending, whatever the direction of the key.
    assert_eq!(
        names(&list(vec![F::Status.asc()]).await),
        ["b", "é", "ab", "a", "B", "Z"],
        "active (b, é, ab) < building (a) < failed (B, Z)"
    );
    let by_status_then_id = |desc: bool| {
        let mut v = rows.clone();
        v.sort_by(|x, y| {
            let o = x.status.as_str().cmp(y.status.as_str());
            let o = if desc { o.reverse() } else { o };
            o.then(x.id.cmp(&y.id))
        });
        names(&v)
    };
    assert_eq!(
        names(&list(vec![F::Status.asc()]).await),
        by_status_then_id(false)
    );
    assert_eq!(
        names(&list(vec![F::Status.desc()]).await),
        by_status_then_id(true)
    );
    assert_eq!(names(&list(vec![F::Status.desc(), F::Name.asc()]).await), {
        let mut v = rows.clone();
        v.sort_by(|x, y| {
            y.status
                .as_str()
                .cmp(x.status.as_str())
                .then(x.name.as_str().as_bytes().cmp(y.name.as_str().as_bytes()))
        });
        names(&v)
    });
    // Keys after the id change nothing; a repeated key counts once.
    let reversed: Vec<Function> = rows.iter().rev().cloned().collect();
    assert_eq!(list(vec![F::Id.desc(), F::Name.asc()]).await, reversed);
    assert_eq!(
        list(vec![F::Name.asc(), F::Name.desc()]).await,
        list(vec![F::Name.asc()]).await
    );
    assert_eq!(
        list(vec![F::CreatedAt.desc()]).await,
        reversed,
        "timestamps chronologically"
    );
    // The same order in a keyset walk.
    let store: &dyn containerpub_ports::FunctionStore = functions;
    for sort in [
        vec![F::Name.asc()],
        vec![F::Status.desc()],
        vec![F::Status.asc(), F::Name.desc()],
        vec![F::Uuid.asc()],
    ] {
        assert_eq!(
            walk(store, &Filter::All, &sort, 2).await,
            list(sort.clone()).await,
            "{sort:?}"
        );
    }
    // Uuids by their 16 bytes.
    let mut by_uuid = rows.clone();
    by_uuid.sort_by(|x, y| x.uuid.as_bytes().cmp(y.uuid.as_bytes()));
    assert_eq!(list(vec![F::Uuid.asc()]).await, by_uuid);

    // NULLs: last ascending, first descending; ties among NULLs by id ascending.
    let f = &rows[0];
    let tags = [Some("b"), None, Some("a"), None, Some("c")];
    let mut deployments: Vec<Deployment> = Vec::new();
    for tag in tags {
        deployments.push(
            fx.db
                .deployments()
                .create_next_version(NewDeployment {
                    image_tag: tag.map(|t| ImageTag::new("image_tag", t).expect("tag")),
                    ..NewDeployment::new(f.id)
                })
                .await
                .expect("deployment"),
        );
    }
    fx.db
        .deployments()
        .activate(deployments[2].id)
        .await
        .expect("activate");
    let d = |i: usize| deployments[i].id;
    let dstore = fx.db.deployments();
    let ids = |sort: Vec<Sort<DeploymentField>>| async move {
        dstore
            .find_all(Query {
                sort,
                ..Query::new()
            })
            .await
            .expect("find_all")
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>()
    };
    use DeploymentField as D;
    assert_eq!(
        ids(vec![D::ImageTag.asc()]).await,
        [d(2), d(0), d(4), d(1), d(3)]
    );
    assert_eq!(
        ids(vec![D::ImageTag.desc()]).await,
        [d(1), d(3), d(4), d(0), d(2)]
    );
    assert_eq!(
        ids(vec![
            Sort {
                field: D::ImageTag,
                direction: Direction::Desc
            },
            D::Version.desc()
        ])
        .await,
        [d(3), d(1), d(4), d(0), d(2)]
    );
    // Booleans: false < true.
    assert_eq!(
        ids(vec![D::IsActive.asc()]).await,
        [d(0), d(1), d(3), d(4), d(2)]
    );
    assert_eq!(
        ids(vec![D::IsActive.desc()]).await,
        [d(2), d(0), d(1), d(3), d(4)]
    );
    assert_eq!(
        ids(vec![D::Version.desc()]).await,
        [d(4), d(3), d(2), d(1), d(0)]
    );

    // Timestamps chronologically, whatever the insertion order.
    let times = [5, -3, 0, 12, -7];
    let logs = fx.db.logs();
    for (i, s) in times.iter().enumerate() {
        logs.insert(NewLog::new(f.id, LogLevel::Info, text(&format!("{i}"))).at(at(*s)))
            .await
            .expect("log");
    }
    let messages: Vec<String> = logs
        .find_all(Query::new().order_by(LogField::Timestamp.asc()))
        .await
        .expect("find_all")
        .iter()
        .map(|l| l.message.as_str().to_owned())
        .collect();
    assert_eq!(messages, ["4", "1", "2", "0", "3"]);
}
