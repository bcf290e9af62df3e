//! Read models that combine rows: profiles, function details, listings, pages (function
//! statistics are in [`crate::stats`], re-exported here).

use crate::entities::{
    Deployment, Function, Organization, OrganizationMember, User, UserInformation,
};
use crate::values::Email;

pub use crate::stats::{FunctionStats, mean, percentile_cont};

/// A user with their profile, if they have one.
#[derive(Debug, Clone, PartialEq)]
pub struct UserProfile {
    /// The account.
    pub user: User,
    /// The profile.
    pub information: Option<UserInformation>,
}

/// A member of an organization with the member's account and profile.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberProfile {
    /// The membership.
    pub member: OrganizationMember,
    /// The member's account.
    pub user: User,
    /// The member's profile.
    pub information: Option<UserInformation>,
}

/// A user with the organization they belong to, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWithOrganization {
    /// The account.
    pub user: User,
    /// Their organization.
    pub organization: Option<Organization>,
}

/// A function with its owner and its deployments, newest version first.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDetails {
    /// The function.
    pub function: Function,
    /// Its owner.
    pub owner: User,
    /// Its deployments, highest version first.
    pub deployments: Vec<Deployment>,
}

/// A function listed with its owner's e-mail and its number of deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSummary {
    /// The function.
    pub function: Function,
    /// The owner's e-mail.
    pub owner_email: Email,
    /// How many deployments it has.
    pub deployment_count: u64,
}

/// One page of an offset-paged listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// The number of rows matching, on every page.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub page_size: u64,
    /// Whether a later page has rows (`page * page_size < total`).
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Builds a page, deriving `has_more`.
    #[must_use]
    pub fn new(items: Vec<T>, total: u64, page: u64, page_size: u64) -> Self {
        let has_more = page.saturating_mul(page_size) < total;
        Self {
            items,
            total,
            page,
            page_size,
            has_more,
        }
    }

    /// The same page with each item mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
            has_more: self.has_more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_derive_has_more() {
        assert!(Page::new(vec![1, 2], 5, 1, 2).has_more);
        assert!(Page::new(vec![3, 4], 5, 2, 2).has_more);
        assert!(!Page::new(vec![5], 5, 3, 2).has_more);
        assert!(!Page::<i32>::new(vec![], 5, 9, 2).has_more);
        assert_eq!(Page::new(vec![1], 1, 1, 1).map(|x| x * 2).items, vec![2]);
    }
}
