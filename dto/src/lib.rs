//! # containerpub-dto
//!
//! The JSON the ContainerPub API sends, which is the JSON the ContainerPub frontend reads: the
//! keys, order, omissions, defaults and timestamp format of the Dart backend's DTOs
//! (`dart_cloud_backend/packages/database/lib/src/dto/`), as recorded in the project's
//! `docs/WIRE-FORMAT.md`. Every DTO is `Serialize` only (Dart's DTOs have no `fromJson` either);
//! `serde_json::to_string` gives the compact text Dart's `jsonEncode` writes.
//!
//! ## Conventions (every DTO, with or without a Dart counterpart)
//! - Keys are snake_case, in Dart's order; objects are flat (a read model's main row gives the
//!   top-level keys, related rows are nested under their name: `organization`, `members`,
//!   `owner`, `deployments`, `items`).
//! - A key Dart marks optional is **absent** when there is no value, never `null`; a key Dart
//!   always sends is always sent. Where Dart's column is NOT NULL but ours is nullable, a text
//!   with no value is sent as `''` (`first_name`, `last_name`, `image_tag`, `s3_key`).
//! - A member or user without a profile has `''` names and the role `developer`.
//! - Uuids are lowercase hyphenated strings. Internal integer ids and password hashes never
//!   appear, not even as `null`.
//! - Timestamps are written as Dart writes a UTC `DateTime` ([`timestamp`]): trailing `Z`, 3
//!   fractional digits on a whole millisecond, otherwise 6.
//! - Statuses, levels and roles are their stored words (`as_str()` of the domain enums).
//!
//! ## The DTOs
//! | DTO | keys |
//! |---|---|
//! | [`UserDto`] | uuid, email, created_at |
//! | [`UserInformationDto`] | uuid, first_name, last_name, phone_number?, country?, city?, address?, zip_code?, avatar?, role |
//! | [`UserProfileDto`] | uuid, email, first_name, last_name, phone_number?, country?, city?, address?, zip_code?, avatar?, role, created_at |
//! | [`OrganizationDto`] | uuid, name, owner_id, created_at, updated_at |
//! | [`OrganizationMemberDto`] | uuid? (privacy rule), email, first_name, last_name, phone_number?, avatar?, role, joined_at |
//! | [`OrganizationWithMembersDto`] | uuid, name, owner_id, members, member_count, created_at, updated_at |
//! | [`UserWithOrganizationDto`] | uuid, email, first_name, last_name, phone_number?, avatar?, role, organization?, created_at |
//! | [`FunctionDto`] | uuid, name, status, active_deployment_id? (a uuid), analysis_result?, created_at, updated_at |
//! | [`FunctionDeploymentDto`] | uuid, version, image_tag, s3_key, status, is_active, build_logs?, deployed_at |
//! | [`FunctionLogDto`] | uuid, level, message, timestamp |
//! | [`FunctionInvocationDto`] | uuid, status, duration_ms, error?, timestamp |
//! | [`FunctionDetailsDto`] (Rust only) | the [`FunctionDto`] keys, owner, deployments |
//! | [`FunctionSummaryDto`] (Rust only) | the [`FunctionDto`] keys, owner_email, deployment_count |
//! | [`FunctionStatsDto`] (Rust only) | function_uuid?, since, total, success, error, timeout, avg_duration_ms?, max_duration_ms?, p50_duration_ms?, p95_duration_ms?, p99_duration_ms? |
//! | [`PageDto`] (Rust only) | items, total, page, page_size, has_more |
//!
//! ## Where this crate follows the documented intent, not the Dart code
//! - **A member's `uuid` is the member's user uuid.** The Dart query maps rows by column name
//!   with later columns winning, so it sends the profile row's uuid (or nothing when the member
//!   has no profile); its own documentation (`database-dtos.md`) says the member's uuid.
//! - **The owner check compares uuids, not strings.** Dart compares the requester's text with
//!   the owner's, so an upper-case uuid finds the organization but is not its owner; here the
//!   requester is a [`uuid::Uuid`], and equal uuids are equal however they were written.
//! - **No internal id.** Dart's `FunctionDto.active_deployment_id` is the internal integer id
//!   of the active deployment; here that key carries the deployment's **uuid**, and is left out
//!   when the deployment is not known ([`FunctionDto::from_entity`]).
//! - **Members that are not the organization's are an error** ([`DtoError`]), not a silent mix.
//!
//! ## The privacy rule
//! A member's uuid is shown only to the organization's owner; anyone else, or an anonymous
//! request (`None`, as a Dart `null` requester), gets members without the `uuid` key. The rule
//! holds by construction: see [`members`].
//!
//! ```
//! use containerpub_domain::{
//!     Email, EntityName, MemberProfile, Organization, OrganizationId, OrganizationMember,
//!     OrganizationMemberId, Timestamp, User, UserId, Uuid,
//! };
//! use containerpub_dto::OrganizationWithMembersDto;
//!
//! let at = Timestamp::from_unix_micros("t", 1_735_787_045_120_000).unwrap();
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
//!     owner_uuid: owner.uuid,
//!     created_at: at,
//!     updated_at: at,
//! };
//! let members = [MemberProfile {
//!     member: OrganizationMember {
//!         id: OrganizationMemberId::new(1),
//!         organization_uuid: org.uuid,
//!         user_uuid: other.uuid,
//!         joined_at: at,
//!     },
//!     user: other.clone(),
//!     information: None,
//! }];
//!
//! let as_owner = OrganizationWithMembersDto::from_entities(&org, &members, Some(owner.uuid)).unwrap();
//! assert_eq!(
//!     serde_json::to_string(&as_owner.members()[0]).unwrap(),
//!     r#"{"uuid":"00000000-0000-0000-0000-000000000002","email":"other@example.com","first_name":"","last_name":"","role":"developer","joined_at":"2025-01-02T03:04:05.120Z"}"#
//! );
//!
//! let anonymous = OrganizationWithMembersDto::from_entities(&org, &members, None).unwrap();
//! assert_eq!(
//!     serde_json::to_string(&anonymous).unwrap(),
//!     concat!(
//!         r#"{"uuid":"00000000-0000-0000-0000-00000000000a","name":"acme","#,
//!         r#""owner_id":"00000000-0000-0000-0000-000000000001","#,
//!         r#""members":[{"email":"other@example.com","first_name":"","last_name":"","#,
//!         r#""role":"developer","joined_at":"2025-01-02T03:04:05.120Z"}],"member_count":1,"#,
//!         r#""created_at":"2025-01-02T03:04:05.120Z","updated_at":"2025-01-02T03:04:05.120Z"}"#,
//!     )
//! );
//! ```

pub mod deployment;
mod error;
pub mod events;
pub mod function;
pub mod jsonb;
pub mod members;
pub mod organization;
pub mod page;
pub mod stats;
pub mod timestamp;
pub mod user;
mod word;

pub use deployment::FunctionDeploymentDto;
pub use error::DtoError;
pub use events::{FunctionInvocationDto, FunctionLogDto};
pub use function::{FunctionDetailsDto, FunctionDto, FunctionSummaryDto};
pub use members::{OrganizationMemberDto, OrganizationWithMembersDto};
pub use organization::{OrganizationDto, UserWithOrganizationDto};
pub use page::PageDto;
pub use stats::FunctionStatsDto;
pub use user::{ProfileFields, UserDto, UserInformationDto, UserProfileDto};
