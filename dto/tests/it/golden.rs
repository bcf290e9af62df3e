//! Golden tests: each DTO and view serialized with `serde_json::to_string` (compact, as Dart's
//! `jsonEncode` writes) and compared as exact text with a file of `tests/golden/`. The files
//! were written by hand from `docs/WIRE-FORMAT.md` and the fixtures, never from this crate's
//! output; each holds one line of JSON and a final newline.

use std::collections::BTreeSet;
use std::path::Path;

use containerpub_domain::{InvocationStatus, Page, UserProfile, UserWithOrganization};
use containerpub_dto::*;
use serde::Serialize;

use crate::fixtures::{World, uuid, world};

/// `(file name, the DTO's JSON text)` for every golden file.
fn cases(w: &World) -> Vec<(&'static str, String)> {
    fn text<T: Serialize>(dto: &T) -> String {
        serde_json::to_string(dto).expect("serializable")
    }
    let org = |requester| {
        text(
            &OrganizationWithMembersDto::from_entities(&w.org, &w.members, requester)
                .expect("the organization's members"),
        )
    };
    let member = |requester, email: &str| {
        let dto = OrganizationWithMembersDto::from_entities(&w.org, &w.members, requester)
            .expect("the organization's members");
        let one = dto.members().iter().find(|m| m.email() == email);
        text(one.expect("a member"))
    };
    let mut succeeded = w.invocation.clone();
    succeeded.status = InvocationStatus::Success;
    succeeded.error = None;
    vec![
        ("user.json", text(&UserDto::from(&w.owner))),
        (
            "user_information.json",
            text(&UserInformationDto::from(&w.owner_info)),
        ),
        (
            "user_information_sparse.json",
            text(&UserInformationDto::from(&w.alice_info)),
        ),
        (
            "user_profile.json",
            text(
                &UserProfileDto::try_from(&UserProfile {
                    user: w.owner.clone(),
                    information: Some(w.owner_info.clone()),
                })
                .expect("a profile"),
            ),
        ),
        ("organization.json", text(&OrganizationDto::from(&w.org))),
        (
            "organization_with_members_owner.json",
            org(Some(w.owner.uuid)),
        ),
        (
            "organization_with_members_non_owner.json",
            org(Some(w.alice.uuid)),
        ),
        ("organization_with_members_anonymous.json", org(None)),
        (
            "organization_member_owner_view.json",
            member(Some(w.owner.uuid), "alice@example.com"),
        ),
        (
            "organization_member_without_profile_non_owner_view.json",
            member(Some(w.alice.uuid), "bob@example.com"),
        ),
        (
            "user_with_organization.json",
            text(
                &UserWithOrganizationDto::from_entities(
                    &UserWithOrganization {
                        user: w.alice.clone(),
                        organization: Some(w.org.clone()),
                    },
                    Some(&w.alice_info),
                )
                .expect("her profile"),
            ),
        ),
        (
            "user_with_organization_none.json",
            text(
                &UserWithOrganizationDto::from_entities(
                    &UserWithOrganization {
                        user: w.bob.clone(),
                        organization: None,
                    },
                    None,
                )
                .expect("no profile"),
            ),
        ),
        (
            "function.json",
            text(&FunctionDto::from_entity(&w.function)),
        ),
        (
            "function_details.json",
            text(&FunctionDetailsDto::from(&w.details())),
        ),
        (
            "function_summary.json",
            text(&FunctionSummaryDto::from(&w.summary())),
        ),
        (
            "function_deployment.json",
            text(&FunctionDeploymentDto::from(&w.deployments[0])),
        ),
        (
            "function_deployment_not_built.json",
            text(&FunctionDeploymentDto::from(&w.deployments[1])),
        ),
        ("function_log.json", text(&FunctionLogDto::from(&w.log))),
        (
            "function_invocation.json",
            text(&FunctionInvocationDto::from(&w.invocation)),
        ),
        (
            "function_invocation_success.json",
            text(&FunctionInvocationDto::from(&succeeded)),
        ),
        (
            "function_stats.json",
            text(&FunctionStatsDto::for_function(&w.stats, w.function.uuid)),
        ),
        (
            "function_stats_no_calls.json",
            text(&FunctionStatsDto::from(
                &containerpub_domain::FunctionStats::compute(w.function.id, w.stats.since, []),
            )),
        ),
        (
            "page_of_invocations.json",
            text(&PageDto::from_page_ref(
                &Page::new(vec![w.invocation.clone()], 3, 2, 1),
                FunctionInvocationDto::from,
            )),
        ),
    ]
}

fn golden_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"))
}

#[test]
fn every_dto_writes_exactly_its_golden_file() {
    let w = world();
    let mut failures = Vec::new();
    for (file, actual) in cases(&w) {
        let expected = std::fs::read_to_string(golden_dir().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        if format!("{actual}\n") != expected {
            failures.push(format!("{file}\n  expected {expected}  actual   {actual}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_golden_file_is_checked() {
    let w = world();
    let checked: BTreeSet<String> = cases(&w).into_iter().map(|(f, _)| f.to_owned()).collect();
    let present: BTreeSet<String> = std::fs::read_dir(golden_dir())
        .expect("tests/golden")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(checked, present);
}

#[test]
fn a_stranger_sees_what_a_non_owner_member_sees() {
    let w = world();
    let as_member =
        OrganizationWithMembersDto::from_entities(&w.org, &w.members, Some(w.alice.uuid));
    let as_stranger =
        OrganizationWithMembersDto::from_entities(&w.org, &w.members, Some(uuid(0xDEAD)));
    assert_eq!(
        serde_json::to_string(&as_member.expect("members")).expect("serializable"),
        serde_json::to_string(&as_stranger.expect("members")).expect("serializable"),
    );
}
