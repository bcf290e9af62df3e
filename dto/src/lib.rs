//! # containerpub-dto
//!
//! The JSON the ContainerPub API sends: camelCase projections of the domain's entities and
//! read models. Only `uuid`s leave: internal ids (`UserId`, `FunctionId`, …) and password
//! hashes are never serialized, not even as `null`. Timestamps are RFC 3339 UTC strings with
//! microseconds ([`timestamp`]); statuses, levels and roles are their stored lowercase words.
//!
//! One privacy rule applies: an organization's member uuids are shown only to its owner.
//!
//! ```
//! use containerpub_domain::{
//!     Email, EntityName, MemberProfile, Organization, OrganizationId, OrganizationMember,
//!     OrganizationMemberId, Timestamp, User, UserId, Uuid,
//! };
//! use containerpub_dto::OrganizationWithMembersDto;
//!
//! let at = Timestamp::from_unix_micros("t", 1_735_787_045_123_456).unwrap();
//! let user = |n: u128, email: &str| User {
//!     id: UserId::new(n as i32),
//!     uuid: Uuid::from_u128(n),
//!     email: Email::parse(email).unwrap(),
//!     password_hash: None,
//!     created_at: at,
//!     updated_at: at,
//! };
//! let (owner, other) = (user(1, "owner@example.com"), user(2, "other@example.com"));
//! let org = Organization {
//!     id: OrganizationId::new(1),
//!     uuid: Uuid::from_u128(10),
//!     name: EntityName::new("name", "acme").unwrap(),
//!     owner_id: owner.uuid,
//!     created_at: at,
//!     updated_at: at,
//! };
//! let members = [MemberProfile {
//!     member: OrganizationMember {
//!         id: OrganizationMemberId::new(1),
//!         organization_id: org.uuid,
//!         user_id: other.uuid,
//!         joined_at: at,
//!     },
//!     user: other.clone(),
//!     information: None,
//! }];
//!
//! let seen_by_owner = OrganizationWithMembersDto::from_entities(&org, &members, owner.uuid);
//! let json = serde_json::to_value(&seen_by_owner).unwrap();
//! assert_eq!(json["members"][0]["uuid"], other.uuid.to_string());
//!
//! let seen_by_member = OrganizationWithMembersDto::from_entities(&org, &members, other.uuid);
//! let json = serde_json::to_value(&seen_by_member).unwrap();
//! assert!(!json["members"][0].as_object().unwrap().contains_key("uuid"));
//! assert_eq!(json["members"][0]["email"], "other@example.com");
//! assert_eq!(json["members"][0]["joinedAt"], "2025-01-02T03:04:05.123456Z");
//! ```

pub mod function;
pub mod organization;
pub mod page;
pub mod timestamp;
pub mod user;
mod word;

#[cfg(test)]
mod tests;

pub use function::{
    DeploymentDto, FunctionDetailsDto, FunctionDto, FunctionStatsDto, FunctionSummaryDto,
    InvocationDto, LogDto,
};
pub use organization::{
    OrganizationDto, OrganizationMemberDto, OrganizationWithMembersDto, UserWithOrganizationDto,
};
pub use page::PageDto;
pub use user::{UserDto, UserInformationDto, UserProfileDto};
