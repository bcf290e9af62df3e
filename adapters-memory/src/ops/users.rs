//! Profiles of users: the user with their profile, and with their organization.

use containerpub_domain::{UserProfile, Uuid};
use containerpub_ports::UniqueKey;

use crate::crud::find_by_key;
use crate::db::Db;
use crate::index::IndexKey;
use crate::ops::organizations::organization_of;
use crate::table::{Profiles, Users};

/// `profile(user)`: the user and their profile.
pub(crate) fn profile(db: &Db, user: Uuid) -> Option<UserProfile> {
    let account = find_by_key::<Users>(db, UniqueKey::UsersUuid, &IndexKey::Uuid(user))?;
    let information =
        find_by_key::<Profiles>(db, UniqueKey::UserInformationUserId, &IndexKey::Uuid(user));
    Some(UserProfile {
        user: account,
        information,
    })
}

/// `with_organization(user)`: the user, their organization and their profile, from one
/// snapshot.
pub(crate) fn with_organization(
    db: &Db,
    user: Uuid,
) -> Option<(
    containerpub_domain::UserWithOrganization,
    Option<containerpub_domain::UserInformation>,
)> {
    let UserProfile {
        user: account,
        information,
    } = profile(db, user)?;
    let organization = organization_of(db, user);
    Some((
        containerpub_domain::UserWithOrganization {
            user: account,
            organization,
        },
        information,
    ))
}
