//! Projections (`select`, `select_page`, `select_window`).

use containerpub_domain::{LogLevel, NewFunction, NewLog, Rule};
use containerpub_ports::query::projection::project;
use containerpub_ports::support::Record;
use containerpub_ports::{
    DeploymentField, Field, Filter, FunctionField, KeysetRequest, LogField, PageRequest, Query,
    StoreError, Value,
};

use super::seed::{deployment, function, json, name, text, user};
use super::{ContractStore, Fixture};

/// A projection gives the values of the chosen fields, in list order, for the same rows in
/// the same order as the whole-row read (every field kind, NULLs, 32- and 64-bit ids,
/// booleans); pages have the same total; windows the same cursors; an empty field list is
/// `InvalidInput` (field `fields`).
#[allow(clippy::too_many_lines)]
pub async fn projections_read_chosen_fields<U: ContractStore>(fx: Fixture<U>) {
    let ann = user(&fx.db, "ann@example.com").await;
    let functions = fx.db.functions();
    for (i, n) in ["beta", "alpha", "gamma", "delta"].iter().enumerate() {
        let mut new = NewFunction::new(ann.id, name(n));
        new.analysis_result = Some(json(
            serde_json::json!({ "size": i, "blob": "x".repeat(100) }),
        ));
        functions.insert(new).await.expect("insert");
        fx.tick();
    }
    let f = function(&fx.db, &ann, "with-deployment").await;
    let d = deployment(&fx.db, &f).await;
    fx.db.deployments().activate(d.id).await.expect("activate");
    let rows = functions.find_all(Query::new()).await.expect("find_all");

    // Every field, and a chosen list in a chosen order (with a repeat).
    let all: Vec<FunctionField> = FunctionField::ALL.to_vec();
    assert_eq!(
        functions.select(Query::new(), all.clone()).await,
        Ok(rows.iter().map(|r| project(r, &all)).collect::<Vec<_>>())
    );
    let query = Query::filter(FunctionField::Name.ne("gamma"))
        .order_by(FunctionField::Name.asc())
        .limit(3)
        .offset(1);
    assert_eq!(
        functions
            .select(
                query.clone(),
                vec![FunctionField::Name, FunctionField::Id, FunctionField::Name]
            )
            .await,
        Ok(vec![
            vec![Value::from("beta"), Value::Int(1), Value::from("beta")],
            vec![Value::from("delta"), Value::Int(4), Value::from("delta")],
            vec![
                Value::from("with-deployment"),
                Value::Int(5),
                Value::from("with-deployment")
            ],
        ])
    );
    // NULL and a set nullable integer.
    assert_eq!(
        functions
            .select(Query::new(), vec![FunctionField::ActiveDeploymentId])
            .await,
        Ok(vec![
            vec![Value::Null],
            vec![Value::Null],
            vec![Value::Null],
            vec![Value::Null],
            vec![Value::Int(i64::from(d.id.get()))],
        ])
    );
    // Booleans, and 64-bit ids with timestamps.
    let deployments = fx.db.deployments();
    let d_rows = deployments.find_all(Query::new()).await.expect("find_all");
    let d_all = DeploymentField::ALL.to_vec();
    assert_eq!(
        deployments.select(Query::new(), d_all.clone()).await,
        Ok(d_rows
            .iter()
            .map(|r| project(r, &d_all))
            .collect::<Vec<_>>())
    );
    let logs = fx.db.logs();
    logs.append(vec![
        NewLog::new(f.id, LogLevel::Info, text("one")),
        NewLog::new(f.id, LogLevel::Error, text("two")),
    ])
    .await
    .expect("append");
    let l_rows = logs.find_all(Query::new()).await.expect("find_all");
    let l_all = LogField::ALL.to_vec();
    assert_eq!(
        logs.select(Query::new(), l_all.clone()).await,
        Ok(l_rows
            .iter()
            .map(|r| project(r, &l_all))
            .collect::<Vec<_>>())
    );

    // Pages: same total and rows.
    let fields = vec![FunctionField::Uuid, FunctionField::CreatedAt];
    for page in 1..=3 {
        let whole = functions
            .find_page(
                Filter::All,
                vec![FunctionField::Name.desc()],
                PageRequest::new(page, 2),
            )
            .await
            .expect("find_page");
        let projected = functions
            .select_page(
                Filter::All,
                vec![FunctionField::Name.desc()],
                PageRequest::new(page, 2),
                fields.clone(),
            )
            .await
            .expect("select_page");
        assert_eq!(projected, whole.map(|r| project(&r, &fields)));
    }

    // Windows: same rows and the same cursors, sorted by a field not projected.
    let sort = vec![FunctionField::CreatedAt.desc()];
    let fields = vec![FunctionField::Name];
    let (mut a, mut b) = (KeysetRequest::first(2), KeysetRequest::first(2));
    let mut seen = 0;
    loop {
        let whole = functions
            .find_window(Filter::All, sort.clone(), a)
            .await
            .expect("find_window");
        let projected = functions
            .select_window(Filter::All, sort.clone(), b, fields.clone())
            .await
            .expect("select_window");
        assert_eq!(
            projected.items,
            whole
                .items
                .iter()
                .map(|r| vec![r.get(FunctionField::Name)])
                .collect::<Vec<_>>()
        );
        assert_eq!(projected.next, whole.next);
        seen += projected.items.len();
        match whole.next {
            Some(next) => {
                a = KeysetRequest::after(next.clone(), 2);
                b = KeysetRequest::after(next, 2);
            }
            None => break,
        }
    }
    assert_eq!(seen, rows.len());

    // Errors.
    let empty = StoreError::invalid("fields", Rule::TooSmall { min: 1, actual: 0 });
    assert_eq!(
        functions.select(Query::new(), vec![]).await,
        Err(empty.clone())
    );
    assert_eq!(
        functions
            .select_page(Filter::All, vec![], PageRequest::new(1, 1), vec![])
            .await,
        Err(empty.clone())
    );
    assert_eq!(
        functions
            .select_window(Filter::All, vec![], KeysetRequest::first(1), vec![])
            .await,
        Err(empty)
    );
    let err = functions
        .select(
            Query::filter(FunctionField::Id.eq("x")),
            vec![FunctionField::Name],
        )
        .await
        .expect_err("bad filter");
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err:?}");
}
