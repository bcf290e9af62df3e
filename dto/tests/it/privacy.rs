//! The member-uuid privacy rule, member order and count, and the typed errors for rows that
//! do not belong together.

use containerpub_domain::{MemberProfile, Role, UserProfile, UserWithOrganization, Uuid};
use containerpub_dto::{
    DtoError, OrganizationWithMembersDto, UserProfileDto, UserWithOrganizationDto,
};
use serde_json::Value;

use crate::fixtures::{at, uuid, world};

fn view(
    w: &crate::fixtures::World,
    members: &[MemberProfile],
    requester: Option<Uuid>,
) -> OrganizationWithMembersDto {
    OrganizationWithMembersDto::from_entities(&w.org, members, requester).expect("members")
}

#[test]
fn the_owner_sees_every_members_user_uuid() {
    let w = world();
    let dto = view(&w, &w.members, Some(w.owner.uuid));
    let got: Vec<Option<Uuid>> = dto.members().iter().map(|m| m.uuid()).collect();
    // Newest first: Alice, Bob, the owner; their *user* uuids, never their profiles'.
    assert_eq!(
        got,
        [Some(w.alice.uuid), Some(w.bob.uuid), Some(w.owner.uuid)]
    );
    let text = serde_json::to_string(&dto).expect("serializable");
    for profile_uuid in [w.owner_info.uuid, w.alice_info.uuid] {
        assert!(!text.contains(&profile_uuid.to_string()), "{text}");
    }
}

#[test]
fn an_owner_uuid_written_in_upper_case_still_identifies_the_owner() {
    let w = world();
    let upper = w.owner.uuid.to_string().to_uppercase();
    assert_ne!(upper, w.owner.uuid.to_string());
    let requester = Uuid::parse_str(&upper).expect("a uuid");
    let dto = view(&w, &w.members, Some(requester));
    assert!(dto.members().iter().all(|m| m.uuid().is_some()));
}

#[test]
fn anyone_else_sees_no_member_uuid_but_everything_else() {
    let w = world();
    let requesters = [
        ("a member", Some(w.alice.uuid)),
        ("a member without profile", Some(w.bob.uuid)),
        ("a stranger", Some(uuid(0xDEAD))),
        ("the nil uuid", Some(Uuid::nil())),
        ("the organization itself", Some(w.org.uuid)),
        ("the owner's profile uuid", Some(w.owner_info.uuid)),
        ("an anonymous request", None),
    ];
    for (who, requester) in requesters {
        let dto = view(&w, &w.members, requester);
        assert!(dto.members().iter().all(|m| m.uuid().is_none()), "{who}");
        let json: Value = serde_json::to_value(&dto).expect("serializable");
        let members = json["members"].as_array().expect("members");
        assert_eq!(members.len(), 3, "{who}");
        for object in members {
            let object = object.as_object().expect("an object");
            assert!(!object.contains_key("uuid"), "{who}: {object:?}");
            for key in ["email", "first_name", "last_name", "role", "joined_at"] {
                assert!(object.contains_key(key), "{who}: {key} missing");
            }
        }
        // No member's user uuid appears anywhere, except the owner's as the organization's
        // owner_id (which every viewer of the organization sees).
        let text = json.to_string();
        for hidden in [
            w.alice.uuid,
            w.bob.uuid,
            w.owner_info.uuid,
            w.alice_info.uuid,
        ] {
            assert!(
                !text.contains(&hidden.to_string()),
                "{who}: {hidden} leaked"
            );
        }
        assert_eq!(text.matches(&w.owner.uuid.to_string()).count(), 1, "{who}");
        assert_eq!(json["owner_id"], w.owner.uuid.to_string(), "{who}");
    }
}

#[test]
fn members_are_newest_first_whatever_order_they_come_in() {
    let w = world();
    let emails = |members: &[MemberProfile]| -> Vec<String> {
        view(&w, members, None)
            .members()
            .iter()
            .map(|m| m.email().to_owned())
            .collect()
    };
    let newest_first = ["alice@example.com", "bob@example.com", "owner@example.com"];
    let mut reversed = w.members.clone();
    reversed.reverse();
    assert_eq!(emails(&w.members), newest_first);
    assert_eq!(emails(&reversed), newest_first);

    // Members who joined at the same instant keep the order given.
    let mut tied = w.members.clone();
    for m in &mut tied {
        m.member.joined_at = at("2025-11-24T00:00:00Z");
    }
    assert_eq!(
        emails(&tied),
        ["owner@example.com", "bob@example.com", "alice@example.com"]
    );
    tied.reverse();
    assert_eq!(
        emails(&tied),
        ["alice@example.com", "bob@example.com", "owner@example.com"]
    );
}

#[test]
fn member_count_is_the_number_of_members() {
    let w = world();
    for n in 0..=w.members.len() {
        let dto = view(&w, &w.members[..n], Some(w.owner.uuid));
        assert_eq!(dto.member_count(), n);
        assert_eq!(dto.members().len(), n);
        let json: Value = serde_json::to_value(&dto).expect("serializable");
        assert_eq!(json["member_count"], n);
    }
}

#[test]
fn a_member_without_profile_gets_the_dart_defaults() {
    let w = world();
    let dto = view(&w, &w.members, Some(w.owner.uuid));
    let bob = &dto.members()[1];
    assert_eq!(bob.email(), "bob@example.com");
    assert_eq!((bob.first_name(), bob.last_name()), ("", ""));
    assert_eq!((bob.phone_number(), bob.avatar()), (None, None));
    assert_eq!(bob.role(), Role::Developer);
    assert_eq!(bob.joined_at(), at("2025-11-21T12:00:00Z").as_datetime());
}

#[test]
fn members_of_another_organization_are_an_error() {
    let w = world();
    let mut members = w.members.clone();
    members[1].member.organization_uuid = uuid(0x22);
    assert_eq!(
        OrganizationWithMembersDto::from_entities(&w.org, &members, Some(w.owner.uuid)),
        Err(DtoError::ForeignMember { index: 1 })
    );
}

#[test]
fn a_membership_paired_with_another_users_rows_is_an_error() {
    let w = world();
    let mut account = w.members.clone();
    account[2].user = w.bob.clone();
    let mut profile = w.members.clone();
    profile[0].information = Some(w.alice_info.clone());
    for members in [account, profile] {
        let err = OrganizationWithMembersDto::from_entities(&w.org, &members, None)
            .expect_err("mismatched");
        assert!(
            matches!(err, DtoError::MismatchedMember { index: 0 | 2 }),
            "{err:?}"
        );
    }
}

#[test]
fn a_user_listed_twice_is_an_error() {
    let w = world();
    let mut members = w.members.clone();
    members.push(w.members[0].clone());
    assert_eq!(
        OrganizationWithMembersDto::from_entities(&w.org, &members, None),
        Err(DtoError::DuplicateMember { index: 3 })
    );
}

#[test]
fn errors_name_the_argument_and_never_a_uuid() {
    let w = world();
    let mut foreign = w.members.clone();
    foreign[2].member.organization_uuid = uuid(0x22);
    let err =
        OrganizationWithMembersDto::from_entities(&w.org, &foreign, None).expect_err("foreign");
    let text = err.to_string();
    assert_eq!(
        text,
        "members[2]: the membership belongs to another organization"
    );
    for errors in [
        DtoError::MissingProfile,
        DtoError::ProfileOfAnotherUser,
        DtoError::MismatchedMember { index: 0 },
        DtoError::DuplicateMember { index: 0 },
    ] {
        let text = errors.to_string();
        assert!(
            text.starts_with("information: ") || text.starts_with("members[0]: "),
            "{text}"
        );
        assert!(!text.contains("c0ffee00"), "{text}");
    }
}

#[test]
fn a_user_profile_needs_the_users_own_profile() {
    let w = world();
    assert_eq!(
        UserProfileDto::try_from(&UserProfile {
            user: w.bob.clone(),
            information: None,
        }),
        Err(DtoError::MissingProfile)
    );
    assert_eq!(
        UserProfileDto::from_entities(&w.bob, &w.alice_info),
        Err(DtoError::ProfileOfAnotherUser)
    );
    let with_org = UserWithOrganization {
        user: w.bob.clone(),
        organization: None,
    };
    assert_eq!(
        UserWithOrganizationDto::from_entities(&with_org, Some(&w.alice_info)),
        Err(DtoError::ProfileOfAnotherUser)
    );
}
