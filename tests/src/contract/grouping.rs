//! Grouping (`group_by`): counts and integer aggregates per value of a field.

use containerpub_domain::{InvocationStatus, NewInvocation, Rule};
use containerpub_ports::query::grouping::{
    Aggregate, AggregateValue, Group, GroupOrder, GroupQuery,
};
use containerpub_ports::{FunctionField, InvocationField, StoreError, Value};

use super::seed::{function, ms, text, user};
use super::{ContractStore, Fixture};

fn int(v: i64) -> AggregateValue {
    AggregateValue::Int(Value::Int(v))
}

fn group(key: impl Into<Value>, count: u64, aggregates: Vec<AggregateValue>) -> Group {
    Group {
        key: key.into(),
        count,
        aggregates,
    }
}

/// `group_by` on invocations: count, min, max, exact sum and average of `duration_ms` per
/// status under a filter, in each order, limited; NULL keys form one group ordered last
/// ascending and first descending, ties on count by key; aggregates of an all-NULL column
/// are NULL; no matching row gives no group; a non-integer aggregate is `InvalidInput`.
#[allow(clippy::too_many_lines)]
pub async fn group_by_counts_and_aggregates<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "owner@example.com").await;
    let f = function(&fx.db, &owner, "f").await;
    let g = function(&fx.db, &owner, "g").await;
    use InvocationStatus as S;
    let spec = [
        (f.id, S::Success, 10, None),
        (f.id, S::Error, 20, Some("boom")),
        (f.id, S::Timeout, 30, Some("timed out")),
        (f.id, S::Success, 40, None),
        (f.id, S::Error, 50, Some("Boom!")),
        (f.id, S::Success, 60, None),
        (g.id, S::Success, 5, None),
    ];
    fx.db
        .invocations()
        .insert_many(
            spec.iter()
                .map(|(function, status, duration, error)| NewInvocation {
                    error: error.map(text),
                    ..NewInvocation::new(*function, *status, ms(*duration))
                })
                .collect(),
        )
        .await
        .expect("insert_many");
    let store = fx.db.invocations();
    use InvocationField as I;
    let by_status = GroupQuery::by(I::Status)
        .filter(I::FunctionId.eq(f.id))
        .aggregate(Aggregate::Min(I::DurationMs))
        .aggregate(Aggregate::Max(I::DurationMs))
        .aggregate(Aggregate::Sum(I::DurationMs))
        .aggregate(Aggregate::Avg(I::DurationMs));
    let error = group(
        "error",
        2,
        vec![int(20), int(50), int(70), AggregateValue::Avg(Some(35.0))],
    );
    let success = group(
        "success",
        3,
        vec![
            int(10),
            int(60),
            int(110),
            AggregateValue::Avg(Some(110.0 / 3.0)),
        ],
    );
    let timeout = group(
        "timeout",
        1,
        vec![int(30), int(30), int(30), AggregateValue::Avg(Some(30.0))],
    );
    assert_eq!(
        store.group_by(by_status.clone()).await,
        Ok(vec![error.clone(), success.clone(), timeout.clone()])
    );
    assert_eq!(
        store
            .group_by(by_status.clone().order(GroupOrder::KeyDesc))
            .await,
        Ok(vec![timeout.clone(), success.clone(), error.clone()])
    );
    assert_eq!(
        store
            .group_by(by_status.clone().order(GroupOrder::CountDesc).limit(2))
            .await,
        Ok(vec![success.clone(), error.clone()])
    );
    assert_eq!(
        store
            .group_by(by_status.clone().order(GroupOrder::CountAsc))
            .await,
        Ok(vec![timeout, error, success])
    );
    // A nullable text key: NULL is one group; text by bytes ("B" < "b").
    let by_error = GroupQuery::by(I::Error).filter(I::FunctionId.eq(f.id));
    let (upper, lower, timed, null) = (
        group("Boom!", 1, vec![]),
        group("boom", 1, vec![]),
        group("timed out", 1, vec![]),
        group(Value::Null, 3, vec![]),
    );
    assert_eq!(
        store.group_by(by_error.clone()).await,
        Ok(vec![
            upper.clone(),
            lower.clone(),
            timed.clone(),
            null.clone()
        ])
    );
    assert_eq!(
        store
            .group_by(by_error.clone().order(GroupOrder::KeyDesc))
            .await,
        Ok(vec![
            null.clone(),
            timed.clone(),
            lower.clone(),
            upper.clone()
        ])
    );
    assert_eq!(
        store
            .group_by(by_error.clone().order(GroupOrder::CountDesc))
            .await,
        Ok(vec![null, upper.clone(), lower, timed])
    );
    assert_eq!(store.group_by(by_error.limit(1)).await, Ok(vec![upper]));
    // Without a filter, by function.
    assert_eq!(
        store
            .group_by(GroupQuery::by(I::FunctionId).aggregate(Aggregate::Sum(I::DurationMs)))
            .await,
        Ok(vec![
            group(i64::from(f.id.get()), 6, vec![int(210)]),
            group(i64::from(g.id.get()), 1, vec![int(5)]),
        ])
    );
    // No matching row, no group.
    assert_eq!(
        store
            .group_by(by_status.filter(I::DurationMs.gt(1_000)))
            .await,
        Ok(vec![])
    );
    // Aggregates of an all-NULL column.
    assert_eq!(
        fx.db
            .functions()
            .group_by(
                GroupQuery::by(FunctionField::UserId)
                    .aggregate(Aggregate::Max(FunctionField::ActiveDeploymentId))
                    .aggregate(Aggregate::Sum(FunctionField::ActiveDeploymentId))
                    .aggregate(Aggregate::Avg(FunctionField::ActiveDeploymentId))
            )
            .await,
        Ok(vec![group(
            i64::from(owner.id.get()),
            2,
            vec![
                AggregateValue::Int(Value::Null),
                AggregateValue::Int(Value::Null),
                AggregateValue::Avg(None)
            ]
        )])
    );
    // Errors.
    assert_eq!(
        store
            .group_by(GroupQuery::by(I::Status).aggregate(Aggregate::Min(I::Error)))
            .await,
        Err(StoreError::invalid(
            "error",
            Rule::Format("an integer field to aggregate")
        ))
    );
    assert_eq!(
        store
            .group_by(GroupQuery::by(I::Status).filter(I::Status.eq(1)))
            .await,
        Err(StoreError::invalid(
            "status",
            Rule::Format("a text operand")
        ))
    );
}
