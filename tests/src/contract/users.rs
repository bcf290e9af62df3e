//! `users` and `user_information`.

use containerpub_domain::{
    NewUser, NewUserInformation, Role, User, UserInformation, UserInformationPatch, UserPatch,
    UserProfile, Uuid,
};
use containerpub_ports::{
    ForeignKey, Query, Table, UniqueKey, Upserted, UserField, UserInformationKey,
    UserInformationStore, UserKey, UserStore,
};

use super::seed::{
    code, conflict, email, hash, missing, new_user, not_found, profile, short, text, user,
};
use super::surface::{Spec, check};
use super::{ContractStore, Fixture};

/// The expected row for a new user inserted at `now`.
fn stored_user(
    new: &NewUser,
    id: containerpub_domain::UserId,
    now: containerpub_domain::Timestamp,
) -> User {
    User {
        id,
        uuid: new.uuid,
        email: new.email.clone(),
        password_hash: new.password_hash.clone(),
        created_at: now,
        updated_at: now,
    }
}

/// The expected row for a new profile inserted at `now`.
fn stored_profile(
    new: &NewUserInformation,
    id: containerpub_domain::UserInformationId,
    now: containerpub_domain::Timestamp,
) -> UserInformation {
    UserInformation {
        id,
        uuid: new.uuid,
        user_uuid: new.user_uuid,
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        phone_number: new.phone_number.clone(),
        country: new.country.clone(),
        city: new.city.clone(),
        address: new.address.clone(),
        zip_code: new.zip_code.clone(),
        avatar: new.avatar.clone(),
        role: new.role,
        created_at: now,
        updated_at: now,
    }
}

/// The generic surface of `users`: every generic method, on an empty table and on five rows.
pub async fn users_generic<U: ContractStore>(fx: Fixture<U>) {
    let store: &dyn UserStore = fx.db.users();
    let mut news: Vec<NewUser> = (0..5)
        .map(|i| new_user(&format!("user{i}@example.com")))
        .collect();
    news[1] = news[1].clone().with_password_hash(hash("$argon2id$one"));
    news[3] = news[3].clone().with_password_hash(hash("$argon2id$three"));
    let patched = hash("$argon2id$patched");
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_user(new, id, now),
            patch: UserPatch {
                email: None,
                password_hash: Some(Some(patched.clone())),
            },
            expect_update: &|before, now| User {
                password_hash: Some(patched.clone()),
                updated_at: now,
                ..before.clone()
            },
        },
    )
    .await;
}

/// Users: normalised e-mails, lookups, updates and their stamps, unique keys on insert,
/// batch and update (nothing written on error).
pub async fn users_crud<U: ContractStore>(fx: Fixture<U>) {
    let users = fx.db.users();
    let t0 = fx.now();
    let new = NewUser::parse("  Ada@Example.COM ").expect("valid");
    let ada = users.insert(new.clone()).await.expect("insert");
    assert_eq!(ada, stored_user(&new, ada.id, t0));
    assert_eq!(ada.email.as_str(), "ada@example.com");
    assert_eq!(
        users.find_by_email(&email("ADA@example.com")).await,
        Ok(Some(ada.clone()))
    );
    assert_eq!(
        users.find_by_email(&email("nobody@example.com")).await,
        Ok(None)
    );
    assert_eq!(users.find_by_uuid(ada.uuid).await, Ok(Some(ada.clone())));
    assert_eq!(users.find_by_id(ada.id).await, Ok(Some(ada.clone())));

    // An update changes what it names and stamps updated_at; created_at stays.
    let t1 = fx.tick();
    let ada = users
        .update_by_id(
            ada.id,
            UserPatch {
                email: Some(email("Ada.Lovelace@Example.com")),
                password_hash: Some(Some(hash("h1"))),
            },
        )
        .await
        .expect("update");
    assert_eq!(ada.email.as_str(), "ada.lovelace@example.com");
    assert_eq!(ada.password_hash, Some(hash("h1")));
    assert_eq!((ada.created_at, ada.updated_at), (t0, t1));
    assert_eq!(
        users.find_by_email(&email("ada@example.com")).await,
        Ok(None)
    );
    // An empty patch still stamps updated_at; Some(None) clears the hash.
    let t2 = fx.tick();
    let same = users
        .update_by_id(ada.id, UserPatch::default())
        .await
        .expect("update");
    assert_eq!(
        same,
        User {
            updated_at: t2,
            ..ada.clone()
        }
    );
    let t3 = fx.tick();
    let ada = users
        .update_by_id(
            ada.id,
            UserPatch {
                email: None,
                password_hash: Some(None),
            },
        )
        .await
        .expect("update");
    assert_eq!(
        ada,
        User {
            password_hash: None,
            updated_at: t3,
            ..same
        }
    );

    // Unique keys: e-mail (case-insensitive through normalisation) and uuid.
    let bob = user(&fx.db, "bob@example.com").await;
    assert_eq!(
        users
            .insert(NewUser::parse("ADA.LOVELACE@example.com").expect("valid"))
            .await,
        Err(conflict(UniqueKey::UsersEmail))
    );
    assert_eq!(
        users
            .insert(NewUser {
                uuid: ada.uuid,
                ..new_user("fresh@example.com")
            })
            .await,
        Err(conflict(UniqueKey::UsersUuid))
    );
    assert_eq!(
        users
            .update_by_id(
                bob.id,
                UserPatch {
                    email: Some(ada.email.clone()),
                    password_hash: None,
                },
            )
            .await,
        Err(conflict(UniqueKey::UsersEmail))
    );
    assert_eq!(
        users.find_by_id(bob.id).await,
        Ok(Some(bob.clone())),
        "nothing changed"
    );

    // update_where: the second row would take the first row's new e-mail: nothing changes.
    fx.tick();
    assert_eq!(
        users
            .update_where(
                UserField::Id.is_in([ada.id, bob.id]),
                UserPatch {
                    email: Some(email("same@example.com")),
                    password_hash: None,
                },
            )
            .await,
        Err(conflict(UniqueKey::UsersEmail))
    );
    assert_eq!(
        users.find_all(Query::new()).await,
        Ok(vec![ada.clone(), bob.clone()])
    );

    // A duplicate inside a batch: nothing of the batch is written.
    let dup_email = users
        .insert_many(vec![
            new_user("carol@example.com"),
            new_user("dave@example.com"),
            new_user("Carol@Example.com"),
        ])
        .await;
    assert_eq!(
        dup_email,
        Err(conflict(UniqueKey::UsersEmail).at_index(2)),
        "the batch names the later occurrence"
    );
    let first = new_user("erin@example.com");
    let dup_uuid = users
        .insert_many(vec![
            first.clone(),
            NewUser {
                uuid: first.uuid,
                ..new_user("frank@example.com")
            },
        ])
        .await;
    assert_eq!(dup_uuid, Err(conflict(UniqueKey::UsersUuid).at_index(1)));
    assert_eq!(users.count(containerpub_ports::Filter::All).await, Ok(2));
    assert_eq!(
        users.find_by_email(&email("carol@example.com")).await,
        Ok(None)
    );

    // A batch writes every row in input order, with one stamp.
    let t = fx.tick();
    let batch = vec![new_user("zed@example.com"), new_user("amy@example.com")];
    let written = users.insert_many(batch.clone()).await.expect("insert_many");
    assert_eq!(written.len(), 2);
    for (new, row) in batch.iter().zip(&written) {
        assert_eq!(*row, stored_user(new, row.id, t));
    }
    assert!(written[0].id < written[1].id);

    // Deletes.
    assert_eq!(users.delete_by_id(written[0].id).await, Ok(()));
    assert_eq!(
        users.delete_by_id(written[0].id).await,
        Err(not_found(Table::Users))
    );
    assert_eq!(
        users
            .delete_where(UserField::Email.starts_with("amy@"))
            .await,
        Ok(1)
    );
    assert_eq!(users.find_all(Query::new()).await, Ok(vec![ada, bob]));
}

/// `users` upserts on both keys: inserted or updated, what the update keeps, and a conflict
/// on the other key.
pub async fn users_upsert<U: ContractStore>(fx: Fixture<U>) {
    let users = fx.db.users();
    let ada = user(&fx.db, "ada@example.com").await;
    let t1 = fx.tick();
    let new = new_user("carol@example.com");
    let carol = match users.upsert(new.clone(), UserKey::Email).await {
        Ok(Upserted::Inserted(row)) => row,
        other => panic!("expected Inserted, got {other:?}"),
    };
    assert_eq!(carol, stored_user(&new, carol.id, t1));

    // Same e-mail: the row keeps id, uuid, created_at and e-mail; takes the hash.
    let t2 = fx.tick();
    let again = NewUser::parse("CAROL@example.com")
        .expect("valid")
        .with_password_hash(hash("h2"));
    let updated = users.upsert(again, UserKey::Email).await;
    let carol = User {
        password_hash: Some(hash("h2")),
        updated_at: t2,
        ..carol
    };
    assert_eq!(updated, Ok(Upserted::Updated(carol.clone())));
    assert_eq!(users.find_by_id(carol.id).await, Ok(Some(carol.clone())));

    // Same uuid: keeps the uuid, takes the e-mail and the hash (None).
    let t3 = fx.tick();
    let by_uuid = NewUser {
        uuid: carol.uuid,
        ..new_user("caroline@example.com")
    };
    let carol = User {
        email: email("caroline@example.com"),
        password_hash: None,
        updated_at: t3,
        ..carol
    };
    assert_eq!(
        users.upsert(by_uuid, UserKey::Uuid).await,
        Ok(Upserted::Updated(carol.clone()))
    );

    // A conflict on the other key.
    let onto_ada = NewUser {
        uuid: carol.uuid,
        ..new_user("ada@example.com")
    };
    assert_eq!(
        users.upsert(onto_ada, UserKey::Uuid).await,
        Err(conflict(UniqueKey::UsersEmail))
    );
    let fresh_email_ada_uuid = NewUser {
        uuid: ada.uuid,
        ..new_user("erin@example.com")
    };
    assert_eq!(
        users.upsert(fresh_email_ada_uuid, UserKey::Email).await,
        Err(conflict(UniqueKey::UsersUuid)),
        "no row holds the e-mail, so the insert branch runs and the uuid is taken"
    );
    // The update branch keeps the row's uuid, so another row's uuid in the input is no
    // conflict when the key matches.
    let t4 = fx.tick();
    let keyed_by_email = NewUser {
        uuid: ada.uuid,
        ..new_user("caroline@example.com")
    };
    let carol = User {
        updated_at: t4,
        ..carol
    };
    assert_eq!(
        users.upsert(keyed_by_email, UserKey::Email).await,
        Ok(Upserted::Updated(carol.clone()))
    );
    assert_eq!(users.find_all(Query::new()).await, Ok(vec![ada, carol]));
}

/// The generic surface of `user_information`.
pub async fn user_information_generic<U: ContractStore>(fx: Fixture<U>) {
    let mut owners = Vec::new();
    for i in 0..5 {
        owners.push(user(&fx.db, &format!("p{i}@example.com")).await);
    }
    let news: Vec<NewUserInformation> = owners
        .iter()
        .enumerate()
        .map(|(i, owner)| NewUserInformation {
            first_name: Some(short(&format!("First{i}"))),
            last_name: (i % 2 == 0).then(|| short("Last")),
            phone_number: Some(code("+351 900 000 000")),
            country: Some(short("Portugal")),
            city: (i == 3).then(|| short("Lisboa")),
            address: Some(text("Rua Augusta 1")),
            zip_code: Some(code("1100-048")),
            avatar: Some(text("https://example.com/a.png")),
            role: [Role::Developer, Role::Team, Role::SubTeamDeveloper][i % 3],
            ..NewUserInformation::new(owner.uuid)
        })
        .collect();
    let store: &dyn UserInformationStore = fx.db.user_information();
    check(
        &fx.clock,
        store,
        Spec {
            news,
            expect_insert: &|_, new, id, now| stored_profile(new, id, now),
            patch: UserInformationPatch {
                city: Some(None),
                role: Some(Role::Team),
                ..UserInformationPatch::default()
            },
            expect_update: &|before, now| UserInformation {
                city: None,
                role: Role::Team,
                updated_at: now,
                ..before.clone()
            },
        },
    )
    .await;
}

/// Profiles: `upsert_for_user` (inserted, then updated with every profile column), lookups
/// by user, `profile` with and without a profile, and the profile's keys.
pub async fn user_information_profiles<U: ContractStore>(fx: Fixture<U>) {
    let store = fx.db.user_information();
    let ada = user(&fx.db, "ada@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;

    let t1 = fx.tick();
    let new = NewUserInformation {
        first_name: Some(short("Ada")),
        city: Some(short("London")),
        ..NewUserInformation::new(ada.uuid)
    };
    let info = match store.upsert_for_user(new.clone()).await {
        Ok(Upserted::Inserted(row)) => row,
        other => panic!("expected Inserted, got {other:?}"),
    };
    assert_eq!(info, stored_profile(&new, info.id, t1));
    assert_eq!(info.role, Role::Developer, "the default role");
    assert_eq!(store.find_by_user(ada.uuid).await, Ok(Some(info.clone())));
    assert_eq!(store.find_by_user(bob.uuid).await, Ok(None));
    assert_eq!(store.find_by_user(Uuid::new_v4()).await, Ok(None));

    // The second call replaces every profile column; id, uuid and created_at stay.
    let t2 = fx.tick();
    let replacement = NewUserInformation {
        last_name: Some(short("Lovelace")),
        role: Role::Team,
        ..NewUserInformation::new(ada.uuid)
    };
    let info = UserInformation {
        first_name: None,
        last_name: Some(short("Lovelace")),
        city: None,
        role: Role::Team,
        updated_at: t2,
        ..info
    };
    assert_eq!(
        store.upsert_for_user(replacement).await,
        Ok(Upserted::Updated(info.clone()))
    );
    assert_eq!(
        store.profile(ada.uuid).await,
        Ok(Some(UserProfile {
            user: ada.clone(),
            information: Some(info.clone()),
        }))
    );
    assert_eq!(
        store.profile(bob.uuid).await,
        Ok(Some(UserProfile {
            user: bob.clone(),
            information: None,
        }))
    );
    assert_eq!(store.profile(Uuid::new_v4()).await, Ok(None));

    // Errors of upsert_for_user and of insert.
    assert_eq!(
        store
            .upsert_for_user(NewUserInformation::new(Uuid::new_v4()))
            .await,
        Err(missing(ForeignKey::UserInformationUserId))
    );
    assert_eq!(
        store
            .upsert_for_user(NewUserInformation {
                uuid: info.uuid,
                ..NewUserInformation::new(bob.uuid)
            })
            .await,
        Err(conflict(UniqueKey::UserInformationUuid))
    );
    assert_eq!(
        store.insert(NewUserInformation::new(ada.uuid)).await,
        Err(conflict(UniqueKey::UserInformationUserId))
    );
    assert_eq!(
        store.insert(NewUserInformation::new(Uuid::new_v4())).await,
        Err(missing(ForeignKey::UserInformationUserId))
    );
    assert_eq!(
        store
            .upsert(
                NewUserInformation::new(Uuid::new_v4()),
                UserInformationKey::User
            )
            .await,
        Err(missing(ForeignKey::UserInformationUserId))
    );
    assert_eq!(
        store
            .insert_many(vec![
                NewUserInformation::new(bob.uuid),
                NewUserInformation::new(bob.uuid)
            ])
            .await,
        Err(conflict(UniqueKey::UserInformationUserId).at_index(1))
    );
    assert_eq!(store.find_by_user(bob.uuid).await, Ok(None));

    // Upsert on the uuid key updates the profile columns too.
    let t3 = fx.tick();
    let by_uuid = NewUserInformation {
        uuid: info.uuid,
        avatar: Some(text("https://example.com/ada.png")),
        ..NewUserInformation::new(ada.uuid)
    };
    let info = UserInformation {
        last_name: None,
        avatar: Some(text("https://example.com/ada.png")),
        role: Role::Developer,
        updated_at: t3,
        ..info
    };
    assert_eq!(
        store.upsert(by_uuid, UserInformationKey::Uuid).await,
        Ok(Upserted::Updated(info.clone()))
    );

    // Patches: Some(None) clears, None keeps.
    let bob_info = profile(&fx.db, &bob, "Bob").await;
    let t4 = fx.tick();
    let patched = store
        .update_by_id(
            bob_info.id,
            UserInformationPatch {
                first_name: Some(None),
                country: Some(Some(short("France"))),
                ..UserInformationPatch::default()
            },
        )
        .await;
    assert_eq!(
        patched,
        Ok(UserInformation {
            first_name: None,
            country: Some(short("France")),
            updated_at: t4,
            ..bob_info
        })
    );
    assert_eq!(store.find_by_user(ada.uuid).await, Ok(Some(info)));
}

/// `with_organization`: the user, their organization and their profile in one call, each
/// part present or absent on its own; and the `UserWithOrganizationDto` built from it.
pub async fn users_with_organization<U: ContractStore>(fx: Fixture<U>) {
    use containerpub_domain::UserWithOrganization;
    use containerpub_dto::UserWithOrganizationDto;

    let store = fx.db.users();
    assert_eq!(store.with_organization(Uuid::new_v4()).await, Ok(None));

    fx.clock.set(super::seed::at_micros(123_456));
    let ada = user(&fx.db, "ada@example.com").await;
    let grace = user(&fx.db, "grace@example.com").await;
    let bob = user(&fx.db, "bob@example.com").await;
    let info = profile(&fx.db, &ada, "Ada").await;
    fx.clock.set(super::seed::at_micros(1_500_000));
    let org = super::seed::organization(&fx.db, "Engines", &ada).await;
    fx.db
        .organization_members()
        .add_member(org.uuid, grace.uuid)
        .await
        .expect("add grace");

    let alone = |user: &User| UserWithOrganization {
        user: user.clone(),
        organization: None,
    };
    let in_org = |user: &User| UserWithOrganization {
        user: user.clone(),
        organization: Some(org.clone()),
    };
    assert_eq!(
        store.with_organization(ada.uuid).await,
        Ok(Some((in_org(&ada), Some(info.clone()))))
    );
    assert_eq!(
        store.with_organization(grace.uuid).await,
        Ok(Some((in_org(&grace), None)))
    );
    assert_eq!(
        store.with_organization(bob.uuid).await,
        Ok(Some((alone(&bob), None)))
    );
    fx.db
        .organization_members()
        .remove_member(org.uuid, grace.uuid)
        .await
        .expect("remove grace");
    assert_eq!(
        store.with_organization(grace.uuid).await,
        Ok(Some((alone(&grace), None)))
    );

    // The DTO from that one call, as `docs/WIRE-FORMAT.md` spells UserWithOrganizationDto.
    let (with_org, information) = store
        .with_organization(ada.uuid)
        .await
        .expect("read")
        .expect("ada");
    let dto = UserWithOrganizationDto::from_entities(&with_org, information.as_ref())
        .expect("her own profile");
    let (a, o) = (ada.uuid, org.uuid);
    assert_eq!(
        serde_json::to_string(&dto).expect("serializable"),
        format!(
            concat!(
                r#"{{"uuid":"{a}","email":"ada@example.com","first_name":"Ada","last_name":"","#,
                r#""role":"developer","organization":{{"uuid":"{o}","name":"Engines","#,
                r#""owner_id":"{a}","created_at":"2025-01-01T00:00:01.500Z","#,
                r#""updated_at":"2025-01-01T00:00:01.500Z"}},"#,
                r#""created_at":"2025-01-01T00:00:00.123456Z"}}"#,
            ),
            a = a,
            o = o
        )
    );
}
