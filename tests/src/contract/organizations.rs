//! `organizations` and `organization_members`.

use containerpub_domain::{
    MemberProfile, NewOrganization, NewOrganizationMember, Organization, OrganizationId,
    OrganizationMember, OrganizationMemberPatch, OrganizationPatch, Rule, Timestamp, User, Uuid,
};
use containerpub_ports::{
    Filter, ForeignKey, OrganizationField, OrganizationKey, OrganizationMemberKey,
    OrganizationMemberStore, OrganizationStore, Query, StoreError, Stores, Table, UniqueKey,
    Upserted,
};

use super::seed::{
    cast, conflict, missing, name, no_membership, not_found, organization, profile, user,
};
use super::surface::{Spec, assert_refused, check, check_after};
use super::{ContractStore, Fixture};

/// The membership of `user` in `organization`, to insert.
fn joining(organization: Uuid, user: Uuid) -> NewOrganizationMember {
    NewOrganizationMember {
        organization_uuid: organization,
        user_uuid: user,
    }
}

/// A patch that changes the owner only.
fn new_owner(owner: Uuid) -> OrganizationPatch {
    OrganizationPatch {
        name: None,
        owner_uuid: Some(owner),
    }
}

/// A patch that changes the name only.
fn renamed(to: &str) -> OrganizationPatch {
    OrganizationPatch {
        name: Some(name(to)),
        owner_uuid: None,
    }
}

fn stored_org(new: &NewOrganization, id: OrganizationId, now: Timestamp) -> Organization {
    Organization {
        id,
        uuid: new.uuid,
        name: new.name.clone(),
        owner_uuid: new.owner_uuid,
        created_at: now,
        updated_at: now,
    }
}

/// Every organization and every membership, to check that a failed call wrote nothing.
async fn snapshot<S: Stores + ?Sized>(db: &S) -> (Vec<Organization>, Vec<OrganizationMember>) {
    (
        db.organizations()
            .find_all(Query::new())
            .await
            .expect("organizations"),
        db.organization_members()
            .find_all(Query::new())
            .await
            .expect("members"),
    )
}

/// The membership of `user`, which must exist.
async fn membership<S: Stores + ?Sized>(db: &S, user: &User) -> OrganizationMember {
    db.organization_members()
        .membership_of(user.uuid)
        .await
        .expect("membership_of")
        .expect("a membership")
}

fn member_profile(member: &OrganizationMember, user: &User) -> MemberProfile {
    MemberProfile {
        member: member.clone(),
        user: user.clone(),
        information: None,
    }
}

/// The generic surface of `organizations` (each insert also makes the owner a member).
pub async fn organizations_generic<U: ContractStore>(fx: Fixture<U>) {
    let mut owners = Vec::new();
    for i in 0..5 {
        owners.push(user(&fx.db, &format!("owner{i}@example.com")).await);
    }
    let spare = user(&fx.db, "spare@example.com").await;
    let news: Vec<NewOrganization> = owners
        .iter()
        .enumerate()
        .map(|(i, owner)| NewOrganization::new(name(&format!("org {i}")), owner.uuid))
        .collect();
    let store: &dyn OrganizationStore = fx.db.organizations();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_org(new, id, now),
            patch: new_owner(spare.uuid),
            expect_update: &|before, now| Organization {
                owner_uuid: spare.uuid,
                updated_at: now,
                ..before.clone()
            },
        },
    )
    .await;
}

/// `create_with_owner` and plain inserts: the owner becomes a member in the same step; every
/// error (name, uuid, owner already in an organization, missing owner) writes nothing, in
/// single calls and in batches.
pub async fn organizations_create_with_owner<U: ContractStore>(fx: Fixture<U>) {
    let orgs = fx.db.organizations();
    let members = fx.db.organization_members();
    let [ada, bob, carol, dave, erin] = cast(&fx.db).await;

    let t1 = fx.tick();
    let new = NewOrganization::new(name("acme"), ada.uuid);
    let (acme, owner_member) = orgs.create_with_owner(new.clone()).await.expect("create");
    assert_eq!(acme, stored_org(&new, acme.id, t1));
    assert_eq!(
        owner_member,
        OrganizationMember {
            id: owner_member.id,
            organization_uuid: acme.uuid,
            user_uuid: ada.uuid,
            joined_at: t1,
        }
    );
    assert_eq!(
        orgs.find_by_name(&name("acme")).await,
        Ok(Some(acme.clone()))
    );
    assert_eq!(
        orgs.find_by_name(&name("ACME")).await,
        Ok(None),
        "names are case-sensitive"
    );
    assert_eq!(orgs.find_by_uuid(acme.uuid).await, Ok(Some(acme.clone())));
    assert_eq!(orgs.organization_of(ada.uuid).await, Ok(Some(acme.clone())));
    assert_eq!(orgs.organization_of(bob.uuid).await, Ok(None));
    assert_eq!(orgs.organization_of(Uuid::new_v4()).await, Ok(None));
    assert_eq!(
        members.membership_of(ada.uuid).await,
        Ok(Some(owner_member.clone()))
    );
    assert_eq!(
        members.members_of(acme.uuid).await,
        Ok(vec![member_profile(&owner_member, &ada)])
    );

    // A plain insert makes the owner a member too.
    let t2 = fx.tick();
    let beta = orgs
        .insert(NewOrganization::new(name("beta"), bob.uuid))
        .await
        .expect("insert");
    let bob_member = membership(&fx.db, &bob).await;
    assert_eq!(
        bob_member,
        OrganizationMember {
            id: bob_member.id,
            organization_uuid: beta.uuid,
            user_uuid: bob.uuid,
            joined_at: t2,
        }
    );

    // Every error leaves no trace.
    let before = snapshot(&fx.db).await;
    let cases = [
        (
            NewOrganization::new(name("acme"), carol.uuid),
            conflict(UniqueKey::OrganizationsName),
        ),
        (
            NewOrganization {
                uuid: acme.uuid,
                ..NewOrganization::new(name("gamma"), carol.uuid)
            },
            conflict(UniqueKey::OrganizationsUuid),
        ),
        (
            NewOrganization::new(name("gamma"), ada.uuid),
            conflict(UniqueKey::OrganizationMembersUserId),
        ),
        (
            NewOrganization::new(name("gamma"), Uuid::new_v4()),
            missing(ForeignKey::OrganizationsOwnerId),
        ),
    ];
    for (new, expected) in cases {
        let created = orgs.create_with_owner(new.clone()).await;
        assert_refused(orgs, new, created, expected).await;
    }
    assert_eq!(snapshot(&fx.db).await, before);
    assert_eq!(orgs.find_by_name(&name("gamma")).await, Ok(None));
    assert_eq!(members.membership_of(carol.uuid).await, Ok(None));

    // Batches: every owner becomes a member; one owner already in an organization (or the
    // same owner twice) fails the whole batch.
    let t3 = fx.tick();
    let batch = vec![
        NewOrganization::new(name("gamma"), carol.uuid),
        NewOrganization::new(name("delta"), dave.uuid),
    ];
    let written = orgs.insert_many(batch.clone()).await.expect("insert_many");
    assert_eq!(written.len(), 2);
    for ((new, row), owner) in batch.iter().zip(&written).zip([&carol, &dave]) {
        assert_eq!(*row, stored_org(new, row.id, t3));
        let m = membership(&fx.db, owner).await;
        assert_eq!((m.organization_uuid, m.joined_at), (row.uuid, t3));
    }
    let before = snapshot(&fx.db).await;
    // Each batch fails on its second row: (first, second, the key it breaks).
    for (first, second, key) in [
        (
            ("epsilon", &erin),
            ("zeta", &ada),
            UniqueKey::OrganizationMembersUserId,
        ),
        (
            ("eta", &erin),
            ("theta", &erin),
            UniqueKey::OrganizationMembersUserId,
        ),
        (
            ("iota", &erin),
            ("iota", &bob),
            UniqueKey::OrganizationsName,
        ),
    ] {
        let batch = [first, second].map(|(n, owner)| NewOrganization::new(name(n), owner.uuid));
        assert_eq!(
            orgs.insert_many(batch.to_vec()).await,
            Err(conflict(key).at_index(1))
        );
    }
    assert_eq!(snapshot(&fx.db).await, before);
    assert_eq!(members.membership_of(erin.uuid).await, Ok(None));
}

/// Organization updates (the owner changes, memberships do not), upserts on both keys (the
/// insert branch adds the owner's membership), and deletes cascading to memberships.
#[allow(clippy::too_many_lines)]
pub async fn organizations_update_and_upsert<U: ContractStore>(fx: Fixture<U>) {
    let orgs = fx.db.organizations();
    let members = fx.db.organization_members();
    let [ada, bob, carol, dave] = cast(&fx.db).await;
    let acme = organization(&fx.db, "acme", &ada).await;
    let beta = organization(&fx.db, "beta", &bob).await;
    members
        .add_member(acme.uuid, carol.uuid)
        .await
        .expect("add carol");
    let acme_members = members.members_of(acme.uuid).await.expect("members_of");

    // Changing the owner does not change memberships.
    let t = fx.tick();
    let acme = orgs.update_by_id(acme.id, new_owner(carol.uuid)).await;
    let acme = acme.expect("update");
    assert_eq!((acme.owner_uuid, acme.updated_at), (carol.uuid, t));
    assert_eq!(
        members.members_of(acme.uuid).await,
        Ok(acme_members.clone())
    );
    assert_eq!(orgs.organization_of(ada.uuid).await, Ok(Some(acme.clone())));

    // Update errors change nothing.
    let before = snapshot(&fx.db).await;
    assert_eq!(
        orgs.update_by_id(acme.id, renamed("beta")).await,
        Err(conflict(UniqueKey::OrganizationsName))
    );
    assert_eq!(
        orgs.update_by_id(acme.id, new_owner(Uuid::new_v4())).await,
        Err(missing(ForeignKey::OrganizationsOwnerId))
    );
    assert_eq!(
        orgs.update_where(Filter::All, new_owner(Uuid::new_v4()))
            .await,
        Err(missing(ForeignKey::OrganizationsOwnerId))
    );
    assert_eq!(
        orgs.update_where(Filter::All, renamed("same")).await,
        Err(conflict(UniqueKey::OrganizationsName))
    );
    assert_eq!(
        orgs.update_by_id(OrganizationId::new(999_999), OrganizationPatch::default())
            .await,
        Err(not_found(Table::Organizations))
    );
    assert_eq!(snapshot(&fx.db).await, before);

    // Upsert on the name: keeps id, uuid, created_at and name; takes the owner.
    let t = fx.tick();
    let acme = Organization {
        owner_uuid: bob.uuid,
        updated_at: t,
        ..acme
    };
    assert_eq!(
        orgs.upsert(
            NewOrganization::new(name("acme"), bob.uuid),
            OrganizationKey::Name
        )
        .await,
        Ok(Upserted::Updated(acme.clone()))
    );
    assert_eq!(
        members.members_of(acme.uuid).await,
        Ok(acme_members.clone())
    );
    // Upsert on the uuid: takes the name and the owner.
    let t = fx.tick();
    let acme = Organization {
        name: name("acme-renamed"),
        owner_uuid: ada.uuid,
        updated_at: t,
        ..acme
    };
    let by_uuid = NewOrganization {
        uuid: acme.uuid,
        ..NewOrganization::new(name("acme-renamed"), ada.uuid)
    };
    assert_eq!(
        orgs.upsert(by_uuid, OrganizationKey::Uuid).await,
        Ok(Upserted::Updated(acme.clone()))
    );
    // Conflicts on the other key, and the insert branch's checks.
    let before = snapshot(&fx.db).await;
    let onto_beta = NewOrganization {
        uuid: acme.uuid,
        ..NewOrganization::new(name("beta"), ada.uuid)
    };
    assert_eq!(
        orgs.upsert(onto_beta, OrganizationKey::Uuid).await,
        Err(conflict(UniqueKey::OrganizationsName))
    );
    let acme_uuid_new_name = NewOrganization {
        uuid: acme.uuid,
        ..NewOrganization::new(name("epsilon"), dave.uuid)
    };
    assert_eq!(
        orgs.upsert(acme_uuid_new_name, OrganizationKey::Name).await,
        Err(conflict(UniqueKey::OrganizationsUuid))
    );
    assert_eq!(
        orgs.upsert(
            NewOrganization::new(name("delta"), ada.uuid),
            OrganizationKey::Name
        )
        .await,
        Err(conflict(UniqueKey::OrganizationMembersUserId))
    );
    assert_eq!(
        orgs.upsert(
            NewOrganization::new(name("delta"), Uuid::new_v4()),
            OrganizationKey::Name
        )
        .await,
        Err(missing(ForeignKey::OrganizationsOwnerId))
    );
    assert_eq!(snapshot(&fx.db).await, before);
    // The insert branch makes the owner a member.
    let t = fx.tick();
    let new = NewOrganization::new(name("gamma"), dave.uuid);
    let gamma = match orgs.upsert(new.clone(), OrganizationKey::Name).await {
        Ok(Upserted::Inserted(row)) => row,
        other => panic!("expected Inserted, got {other:?}"),
    };
    assert_eq!(gamma, stored_org(&new, gamma.id, t));
    let m = membership(&fx.db, &dave).await;
    assert_eq!((m.organization_uuid, m.joined_at), (gamma.uuid, t));

    // Deleting an organization deletes its memberships.
    assert_eq!(orgs.delete_by_id(beta.id).await, Ok(()));
    assert_eq!(members.membership_of(bob.uuid).await, Ok(None));
    assert_eq!(orgs.organization_of(bob.uuid).await, Ok(None));
    assert_eq!(members.members_of(beta.uuid).await, Ok(vec![]));
    assert_eq!(
        orgs.delete_by_id(beta.id).await,
        Err(not_found(Table::Organizations))
    );
    assert_eq!(
        orgs.delete_where(OrganizationField::Name.eq("gamma")).await,
        Ok(1)
    );
    assert_eq!(members.membership_of(dave.uuid).await, Ok(None));
    assert_eq!(orgs.find_all(Query::new()).await, Ok(vec![acme.clone()]));
    assert_eq!(members.members_of(acme.uuid).await, Ok(acme_members));
    assert!(users_exist(&fx.db, &[&ada, &bob, &carol, &dave]).await);
}

async fn users_exist<S: Stores + ?Sized>(db: &S, users: &[&User]) -> bool {
    for u in users {
        if db
            .users()
            .find_by_id(u.id)
            .await
            .expect("find_by_id")
            .as_ref()
            != Some(*u)
        {
            return false;
        }
    }
    true
}

/// The generic surface of `organization_members` (the owners' memberships already there).
pub async fn organization_members_generic<U: ContractStore>(fx: Fixture<U>) {
    let owner_a = user(&fx.db, "owner-a@example.com").await;
    let owner_b = user(&fx.db, "owner-b@example.com").await;
    let a = organization(&fx.db, "a", &owner_a).await;
    let b = organization(&fx.db, "b", &owner_b).await;
    let existing = fx
        .db
        .organization_members()
        .find_all(Query::new())
        .await
        .expect("members");
    assert_eq!(existing.len(), 2, "the owners' memberships");
    let mut news = Vec::new();
    for i in 0..5 {
        let u = user(&fx.db, &format!("member{i}@example.com")).await;
        news.push(joining(a.uuid, u.uuid));
    }
    let store: &dyn OrganizationMemberStore = fx.db.organization_members();
    check_after(
        &fx.clock,
        store,
        existing,
        Spec {
            news,
            expect_insert: &|_, new, id, now| OrganizationMember {
                id,
                organization_uuid: new.organization_uuid,
                user_uuid: new.user_uuid,
                joined_at: now,
            },
            patch: OrganizationMemberPatch {
                organization_uuid: Some(b.uuid),
            },
            // A plain update moves the member; only an upsert sets joined_at.
            expect_update: &|before, _| OrganizationMember {
                organization_uuid: b.uuid,
                ..before.clone()
            },
        },
    )
    .await;
}

/// `add_member` and `remove_member`: every error of both, the owner's protection (which
/// follows the owner), and plain inserts.
#[allow(clippy::too_many_lines)]
pub async fn organization_members_add_and_remove<U: ContractStore>(fx: Fixture<U>) {
    let orgs = fx.db.organizations();
    let members = fx.db.organization_members();
    let [ada, bob, carol, dave, erin, frank] = cast(&fx.db).await;
    let acme = organization(&fx.db, "acme", &ada).await;
    let beta = organization(&fx.db, "beta", &erin).await;

    let t = fx.tick();
    let bob_member = members
        .add_member(acme.uuid, bob.uuid)
        .await
        .expect("add bob");
    assert_eq!(
        bob_member,
        OrganizationMember {
            id: bob_member.id,
            organization_uuid: acme.uuid,
            user_uuid: bob.uuid,
            joined_at: t,
        }
    );
    assert_eq!(
        members.membership_of(bob.uuid).await,
        Ok(Some(bob_member.clone()))
    );

    let before = snapshot(&fx.db).await;
    let nobody = Uuid::new_v4();
    let add_errors = [
        (
            acme.uuid,
            bob.uuid,
            conflict(UniqueKey::OrganizationMembersUserId),
        ),
        (
            beta.uuid,
            bob.uuid,
            conflict(UniqueKey::OrganizationMembersUserId),
        ),
        (
            acme.uuid,
            ada.uuid,
            conflict(UniqueKey::OrganizationMembersUserId),
        ),
        (
            nobody,
            carol.uuid,
            missing(ForeignKey::OrganizationMembersOrganizationId),
        ),
        (
            acme.uuid,
            nobody,
            missing(ForeignKey::OrganizationMembersUserId),
        ),
        (
            nobody,
            Uuid::new_v4(),
            missing(ForeignKey::OrganizationMembersOrganizationId),
        ),
    ];
    for (org, member, expected) in add_errors {
        assert_eq!(
            members.add_member(org, member).await,
            Err(expected),
            "add_member({org}, {member})"
        );
    }
    let owner_rule = StoreError::invalid(
        "user_id",
        Rule::Invariant("the organization's owner cannot be removed"),
    );
    let remove_errors = [
        (acme.uuid, carol.uuid, no_membership(acme.uuid, carol.uuid)),
        (beta.uuid, bob.uuid, no_membership(beta.uuid, bob.uuid)),
        (nobody, bob.uuid, no_membership(nobody, bob.uuid)),
        (acme.uuid, nobody, no_membership(acme.uuid, nobody)),
        // Ada owns acme but is no member of beta: the membership is checked first.
        (beta.uuid, ada.uuid, no_membership(beta.uuid, ada.uuid)),
        (acme.uuid, ada.uuid, owner_rule.clone()),
        (beta.uuid, erin.uuid, owner_rule.clone()),
    ];
    for (org, member, expected) in remove_errors {
        assert_eq!(
            members.remove_member(org, member).await,
            Err(expected),
            "remove_member({org}, {member})"
        );
    }
    assert_eq!(snapshot(&fx.db).await, before);

    assert_eq!(members.remove_member(acme.uuid, bob.uuid).await, Ok(()));
    assert_eq!(members.membership_of(bob.uuid).await, Ok(None));
    assert_eq!(
        members.remove_member(acme.uuid, bob.uuid).await,
        Err(no_membership(acme.uuid, bob.uuid))
    );

    // The protection follows the owner.
    members
        .add_member(acme.uuid, carol.uuid)
        .await
        .expect("add carol");
    orgs.update_by_id(acme.id, new_owner(carol.uuid))
        .await
        .expect("new owner");
    assert_eq!(
        members.remove_member(acme.uuid, carol.uuid).await,
        Err(owner_rule)
    );
    assert_eq!(members.remove_member(acme.uuid, ada.uuid).await, Ok(()));
    assert_eq!(orgs.organization_of(ada.uuid).await, Ok(None));

    // Plain inserts have the same keys.
    let t = fx.tick();
    let new = joining(beta.uuid, dave.uuid);
    let dave_member = members.insert(new).await.expect("insert");
    assert_eq!(
        dave_member,
        OrganizationMember {
            id: dave_member.id,
            organization_uuid: beta.uuid,
            user_uuid: dave.uuid,
            joined_at: t,
        }
    );
    assert_eq!(
        members.insert(new).await,
        Err(conflict(UniqueKey::OrganizationMembersUserId))
    );
    let twice = joining(acme.uuid, frank.uuid);
    assert_eq!(
        members.insert_many(vec![twice, twice]).await,
        Err(conflict(UniqueKey::OrganizationMembersUserId).at_index(1))
    );
    assert_eq!(members.membership_of(frank.uuid).await, Ok(None));
}

/// `members_of` (joining order, then id; accounts and profiles), `membership_of`, and moving
/// members with upserts (joined_at becomes now) and updates.
pub async fn organization_members_lists_and_moves<U: ContractStore>(fx: Fixture<U>) {
    let members = fx.db.organization_members();
    let [ada, bob, carol, dave, erin, frank, grace] = cast(&fx.db).await;
    let bob_info = profile(&fx.db, &bob, "Bob").await;
    let acme = organization(&fx.db, "acme", &ada).await;
    let beta = organization(&fx.db, "beta", &erin).await;
    let ada_member = membership(&fx.db, &ada).await;
    let erin_member = membership(&fx.db, &erin).await;

    fx.tick();
    let bob_member = members.add_member(acme.uuid, bob.uuid).await.expect("add");
    fx.tick();
    let carol_member = members
        .add_member(acme.uuid, carol.uuid)
        .await
        .expect("add");
    // Two members joining at the same instant come out in id order.
    fx.tick();
    let batch = members
        .insert_many(vec![
            joining(acme.uuid, dave.uuid),
            joining(acme.uuid, frank.uuid),
        ])
        .await
        .expect("insert_many");
    let (dave_member, frank_member) = (batch[0].clone(), batch[1].clone());

    let bob_profile = MemberProfile {
        information: Some(bob_info.clone()),
        ..member_profile(&bob_member, &bob)
    };
    assert_eq!(
        members.members_of(acme.uuid).await,
        Ok(vec![
            member_profile(&ada_member, &ada),
            bob_profile.clone(),
            member_profile(&carol_member, &carol),
            member_profile(&dave_member, &dave),
            member_profile(&frank_member, &frank),
        ])
    );
    assert_eq!(
        members.members_of(beta.uuid).await,
        Ok(vec![member_profile(&erin_member, &erin)])
    );
    assert_eq!(members.members_of(Uuid::new_v4()).await, Ok(vec![]));
    assert_eq!(
        members.membership_of(bob.uuid).await,
        Ok(Some(bob_member.clone()))
    );
    assert_eq!(members.membership_of(grace.uuid).await, Ok(None));
    assert_eq!(members.membership_of(Uuid::new_v4()).await, Ok(None));

    // An upsert on the user moves them and sets joined_at to now; the id stays.
    // To beta, then back to acme.
    let mut back = bob_member.clone();
    for to in [&beta, &acme] {
        back = OrganizationMember {
            organization_uuid: to.uuid,
            joined_at: fx.tick(),
            ..back
        };
        assert_eq!(
            members
                .upsert(joining(to.uuid, bob.uuid), OrganizationMemberKey::User)
                .await,
            Ok(Upserted::Updated(back.clone()))
        );
    }
    // Joining order, not id order: bob now joined last.
    assert_eq!(
        members.members_of(acme.uuid).await,
        Ok(vec![
            member_profile(&ada_member, &ada),
            member_profile(&carol_member, &carol),
            member_profile(&dave_member, &dave),
            member_profile(&frank_member, &frank),
            MemberProfile {
                member: back,
                ..bob_profile
            },
        ])
    );
    let t = fx.tick();
    let new = joining(beta.uuid, grace.uuid);
    match members.upsert(new, OrganizationMemberKey::User).await {
        Ok(Upserted::Inserted(row)) => assert_eq!(
            row,
            OrganizationMember {
                id: row.id,
                organization_uuid: beta.uuid,
                user_uuid: grace.uuid,
                joined_at: t,
            }
        ),
        other => panic!("expected Inserted, got {other:?}"),
    }
    let nowhere = joining(Uuid::new_v4(), bob.uuid);
    assert_eq!(
        members.upsert(nowhere, OrganizationMemberKey::User).await,
        Err(missing(ForeignKey::OrganizationMembersOrganizationId))
    );

    // update_by_id moves a member and keeps joined_at.
    assert_eq!(
        members
            .update_by_id(
                carol_member.id,
                OrganizationMemberPatch {
                    organization_uuid: Some(Uuid::new_v4()),
                },
            )
            .await,
        Err(missing(ForeignKey::OrganizationMembersOrganizationId))
    );
    fx.tick();
    assert_eq!(
        members
            .update_by_id(
                carol_member.id,
                OrganizationMemberPatch {
                    organization_uuid: Some(beta.uuid),
                },
            )
            .await,
        Ok(OrganizationMember {
            organization_uuid: beta.uuid,
            ..carol_member.clone()
        })
    );
    assert_eq!(
        fx.db.organizations().organization_of(carol.uuid).await,
        Ok(Some(beta))
    );
}
