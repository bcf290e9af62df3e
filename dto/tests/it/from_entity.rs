//! `XDto::from_entity(&x)` is `XDto::from(&x)` for every DTO built from one entity, and an
//! activated deployment reads as the Dart backend writes it.

use containerpub_domain::{Deployment, DeploymentStatus, testing};
use containerpub_dto::{
    FunctionDeploymentDto, FunctionInvocationDto, FunctionLogDto, OrganizationDto, UserDto,
    UserInformationDto,
};

#[test]
fn from_entity_is_from() {
    let user = testing::user();
    let function = testing::function(&user);
    let deployment = testing::deployment(&function);
    let log = testing::log(&function);
    let invocation = testing::invocation(&function);
    let org = testing::organization(&user);
    let profile = testing::user_information(&user);
    assert_eq!(UserDto::from_entity(&user), UserDto::from(&user));
    assert_eq!(
        UserInformationDto::from_entity(&profile),
        UserInformationDto::from(&profile)
    );
    assert_eq!(
        OrganizationDto::from_entity(&org),
        OrganizationDto::from(&org)
    );
    assert_eq!(
        FunctionDeploymentDto::from_entity(&deployment),
        FunctionDeploymentDto::from(&deployment)
    );
    assert_eq!(
        FunctionLogDto::from_entity(&log),
        FunctionLogDto::from(&log)
    );
    assert_eq!(
        FunctionInvocationDto::from_entity(&invocation),
        FunctionInvocationDto::from(&invocation)
    );
    assert_eq!(FunctionLogDto::from_entity(&log).uuid, log.uuid);
}

/// What `activate` stores (status `active`, `is_active`) is what the frontend reads.
#[test]
fn activated_deployment_reads_active() {
    let function = testing::function(&testing::user());
    let activated = Deployment {
        is_active: true,
        status: DeploymentStatus::Active,
        ..testing::deployment(&function)
    };
    let json = serde_json::to_value(FunctionDeploymentDto::from_entity(&activated)).expect("json");
    assert_eq!(json["status"], "active");
    assert_eq!(json["is_active"], true);
}
