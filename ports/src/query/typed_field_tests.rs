//! Tests of [`TypedField`](super::TypedField): the typed handles build the filters the field
//! enums build.

use containerpub_domain::{
    DeploymentId, EntityName, Function, FunctionId, FunctionStatus, LogLevel, Timestamp, UserId,
    Uuid,
};

use crate::columns::{function_logs, functions, organization_members, user_information};
use crate::query::CmpOp;
use crate::{
    Field, FunctionField, LogField, LogQuery, OrganizationMemberField, Ref, UserInformationField,
};

#[test]
fn typed_and_untyped_forms_build_equal_filters() {
    let owner = UserId::new(7);
    let name = EntityName::new("name", "api").expect("valid");
    let at = Timestamp::from_unix_micros("t", 5).expect("valid");
    let uuid = Uuid::from_u128(9);
    // One row per operator: the typed handle's filter, then the field enum's.
    let function_filters = [
        (
            functions::USER_ID.eq(owner),
            FunctionField::UserId.eq(owner),
        ),
        (
            functions::USER_ID.ne(owner),
            FunctionField::UserId.ne(owner),
        ),
        (
            functions::NAME.lt(name.clone()),
            FunctionField::Name.lt(name.clone()),
        ),
        (
            functions::CREATED_AT.le(at),
            FunctionField::CreatedAt.le(at),
        ),
        (
            functions::CREATED_AT.gt(at),
            FunctionField::CreatedAt.gt(at),
        ),
        (
            functions::CREATED_AT.ge(at),
            FunctionField::CreatedAt.ge(at),
        ),
        (
            functions::STATUS.cmp_with(CmpOp::Ne, FunctionStatus::Active),
            FunctionField::Status.cmp_with(CmpOp::Ne, FunctionStatus::Active),
        ),
        (
            functions::USER_ID.is_in([owner, UserId::new(8)]),
            FunctionField::UserId.is_in([owner, UserId::new(8)]),
        ),
        (
            functions::ACTIVE_DEPLOYMENT_ID.is_null(),
            FunctionField::ActiveDeploymentId.is_null(),
        ),
        (
            functions::ACTIVE_DEPLOYMENT_ID.is_not_null(),
            FunctionField::ActiveDeploymentId.is_not_null(),
        ),
        (
            functions::ACTIVE_DEPLOYMENT_ID.eq(DeploymentId::new(3)),
            FunctionField::ActiveDeploymentId.eq(DeploymentId::new(3)),
        ),
    ];
    for (row, (typed, untyped)) in function_filters.into_iter().enumerate() {
        assert_eq!(typed, untyped, "row {row}");
    }
    assert_eq!(
        [functions::ID.desc(), functions::ID.asc()],
        [FunctionField::Id.desc(), FunctionField::Id.asc()]
    );
    // The other tables' handles, one filter each.
    assert_eq!(
        (
            user_information::USER_ID.eq(uuid),
            organization_members::ORGANIZATION_ID.eq(uuid),
            function_logs::LEVEL.eq(LogLevel::Warn),
        ),
        (
            UserInformationField::UserId.eq(uuid),
            OrganizationMemberField::OrganizationId.eq(uuid),
            LogField::Level.eq(LogLevel::Warn),
        )
    );
}

#[test]
fn every_typed_handle_names_its_field() {
    assert_eq!(functions::USER_ID.field(), FunctionField::UserId);
    assert_eq!(functions::USER_ID.field().column(), "user_id");
    assert_eq!(
        user_information::USER_ID.field(),
        UserInformationField::UserId
    );
}

#[test]
fn the_untyped_form_of_a_wrong_operand_is_refused_only_when_validated() {
    // What the typed handle turns into a compile error (its `compile_fail` doc test).
    let filter = FunctionField::UserId.eq(Uuid::nil());
    assert!(filter.validate().is_err());
    assert!(functions::USER_ID.eq(UserId::new(1)).validate().is_ok());
}

#[test]
fn log_queries_take_a_function_id_or_uuid() {
    let uuid = Uuid::from_u128(4);
    assert_eq!(
        LogQuery::for_function(FunctionId::new(3)).function,
        Ref::<Function>::Id(FunctionId::new(3))
    );
    assert_eq!(
        LogQuery::for_function(uuid).function,
        Ref::<Function>::uuid(uuid)
    );
    let mut query = LogQuery::for_function(uuid);
    query.level = Some(LogLevel::Error);
    let (filter, _) = query.to_filter_and_sort(FunctionId::new(3));
    assert_eq!(
        filter,
        LogField::FunctionId
            .eq(FunctionId::new(3))
            .and(LogField::Level.eq(LogLevel::Error))
    );
    let (bounds, sort) = query.bounds_and_sort();
    assert_eq!(bounds, LogField::Level.eq(LogLevel::Error));
    assert_eq!(sort, vec![LogField::Timestamp.asc(), LogField::Id.asc()]);
    assert_eq!(
        LogQuery::for_function(uuid).bounds_and_sort().0,
        crate::Filter::All
    );
}
