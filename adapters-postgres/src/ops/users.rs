//! Profiles of users.

use containerpub_domain::{UserInformation, UserProfile, Uuid};
use containerpub_ports::{StoreResult, UserInformationField};

use crate::conn::PgConn;
use crate::crud;
use crate::handle::Handle;
use crate::table::{Profiles, Users};

/// The profile of the user with this uuid.
pub(crate) async fn find_profile_by_user<C: PgConn>(
    h: &Handle<C>,
    user: Uuid,
) -> StoreResult<Option<UserInformation>> {
    crud::find_by_column::<Profiles, C>(h, UserInformationField::UserId, user.into()).await
}

/// The user with this uuid and their profile.
pub(crate) async fn profile<C: PgConn>(
    h: &Handle<C>,
    user: Uuid,
) -> StoreResult<Option<UserProfile>> {
    let Some(user) = crud::find_by_uuid::<Users, C>(h, user).await? else {
        return Ok(None);
    };
    let information = find_profile_by_user(h, user.uuid).await?;
    Ok(Some(UserProfile { user, information }))
}
