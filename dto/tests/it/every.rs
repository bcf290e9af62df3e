//! Every DTO type, in every shape the fixtures can give it.

use containerpub_domain::{FunctionStats, Page, UserProfile, UserWithOrganization};
use containerpub_dto::*;
use serde::Serialize;
use serde_json::Value;

use crate::fixtures::{World, at, uuid};

pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializable")
}

/// `(name, JSON)` for every DTO type and shape.
pub fn every_dto(w: &World) -> Vec<(&'static str, Value)> {
    let no_calls = FunctionStats::compute(w.function.id, at("2025-11-23T00:00:00Z"), []);
    let users = Page::new(vec![w.owner.clone(), w.alice.clone()], 3, 1, 2);
    let summaries = Page::new(vec![w.summary()], 1, 1, 10);
    let logs = Page::new(vec![w.log.clone()], 1, 1, 10);
    let invocations = Page::new(vec![w.invocation.clone()], 1, 1, 10);
    let org = |requester| {
        to_json(
            &OrganizationWithMembersDto::from_entities(&w.org, &w.members, requester)
                .expect("the organization's members"),
        )
    };
    let with_org = |user: &containerpub_domain::User, info, org: Option<_>| {
        to_json(
            &UserWithOrganizationDto::from_entities(
                &UserWithOrganization {
                    user: user.clone(),
                    organization: org,
                },
                info,
            )
            .expect("the user's profile"),
        )
    };
    let first_member = |requester| {
        let dto = OrganizationWithMembersDto::from_entities(&w.org, &w.members, requester)
            .expect("the organization's members");
        to_json(&dto.members()[0])
    };
    vec![
        ("UserDto", to_json(&UserDto::from(&w.owner))),
        (
            "UserInformationDto",
            to_json(&UserInformationDto::from(&w.owner_info)),
        ),
        (
            "UserInformationDto (sparse)",
            to_json(&UserInformationDto::from(&w.alice_info)),
        ),
        (
            "UserProfileDto",
            to_json(
                &UserProfileDto::try_from(&UserProfile {
                    user: w.owner.clone(),
                    information: Some(w.owner_info.clone()),
                })
                .expect("a profile"),
            ),
        ),
        ("OrganizationDto", to_json(&OrganizationDto::from(&w.org))),
        (
            "OrganizationMemberDto (with uuid)",
            first_member(Some(w.owner.uuid)),
        ),
        ("OrganizationMemberDto (without uuid)", first_member(None)),
        (
            "OrganizationWithMembersDto (owner)",
            org(Some(w.owner.uuid)),
        ),
        (
            "OrganizationWithMembersDto (member)",
            org(Some(w.alice.uuid)),
        ),
        (
            "OrganizationWithMembersDto (stranger)",
            org(Some(uuid(0xDEAD))),
        ),
        ("OrganizationWithMembersDto (anonymous)", org(None)),
        (
            "UserWithOrganizationDto",
            with_org(&w.alice, Some(&w.alice_info), Some(w.org.clone())),
        ),
        (
            "UserWithOrganizationDto (none)",
            with_org(&w.bob, None, None),
        ),
        (
            "FunctionDto",
            to_json(&FunctionDto::from_entity(&w.function)),
        ),
        (
            "FunctionDto (with deployments)",
            to_json(&FunctionDto::with_deployments(&w.function, &w.deployments)),
        ),
        (
            "FunctionDetailsDto",
            to_json(&FunctionDetailsDto::from(&w.details())),
        ),
        (
            "FunctionSummaryDto",
            to_json(&FunctionSummaryDto::from(&w.summary())),
        ),
        (
            "FunctionDeploymentDto",
            to_json(&FunctionDeploymentDto::from(&w.deployments[0])),
        ),
        (
            "FunctionDeploymentDto (not built)",
            to_json(&FunctionDeploymentDto::from(&w.deployments[1])),
        ),
        ("FunctionLogDto", to_json(&FunctionLogDto::from(&w.log))),
        (
            "FunctionInvocationDto",
            to_json(&FunctionInvocationDto::from(&w.invocation)),
        ),
        (
            "FunctionStatsDto",
            to_json(&FunctionStatsDto::from(&w.stats)),
        ),
        (
            "FunctionStatsDto (for function)",
            to_json(&FunctionStatsDto::for_function(&w.stats, w.function.uuid)),
        ),
        (
            "FunctionStatsDto (no calls)",
            to_json(&FunctionStatsDto::from(&no_calls)),
        ),
        (
            "PageDto<UserDto>",
            to_json(&PageDto::from_page_ref(&users, UserDto::from)),
        ),
        (
            "PageDto<FunctionSummaryDto>",
            to_json(&PageDto::from_page(summaries, |s| {
                FunctionSummaryDto::from(&s)
            })),
        ),
        (
            "PageDto<FunctionLogDto>",
            to_json(&PageDto::from_page_ref(&logs, FunctionLogDto::from)),
        ),
        (
            "PageDto<FunctionInvocationDto>",
            to_json(&PageDto::from_page_ref(&invocations, |i| {
                FunctionInvocationDto::from(i)
            })),
        ),
    ]
}
