//! Why a DTO could not be built from the rows it was given.
//!
//! The rows come from the stores, so these errors mean the caller paired rows that do not
//! belong together. Their messages name the argument and the rule, never a uuid: an error
//! text may reach a client that is not allowed to see member uuids.

use thiserror::Error;

/// Rows that do not fit the DTO they were given to.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DtoError {
    /// `UserProfileDto` needs a profile (as in Dart, where `information` is required).
    #[error("information: the user has no profile, which UserProfileDto requires")]
    MissingProfile,
    /// The profile given with a user is another user's (`information.user_id != user.uuid`).
    #[error("information: the profile belongs to another user")]
    ProfileOfAnotherUser,
    /// `members[index]` is a membership of another organization.
    #[error("members[{index}]: the membership belongs to another organization")]
    ForeignMember {
        /// Its position in the slice given.
        index: usize,
    },
    /// `members[index]` pairs a membership with another user's account or profile.
    #[error("members[{index}]: the account or profile is not the member's")]
    MismatchedMember {
        /// Its position in the slice given.
        index: usize,
    },
    /// `members[index]` is a user already listed earlier.
    #[error("members[{index}]: the user is listed twice")]
    DuplicateMember {
        /// Its position in the slice given.
        index: usize,
    },
}
