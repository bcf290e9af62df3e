//! The field enums of every entity: what a query may filter and sort on; and [`columns`],
//! the same fields as [`TypedField`] handles that take only the field's Rust type.
//!
//! JSON columns and password hashes are deliberately not fields.

use containerpub_domain::{
    Code, Deployment, DeploymentId, DeploymentStatus, DurationMs, Email, EntityName, Function,
    FunctionId, FunctionStatus, ImageTag, Invocation, InvocationId, InvocationStatus, LogEntry,
    LogId, LogLevel, Organization, OrganizationId, OrganizationMember, OrganizationMemberId,
    Repository, RepositoryId, RepositoryPath, Role, S3Key, ShortText, Text, Timestamp, User,
    UserId, UserInformation, UserInformationId, Uuid, Version,
};

use crate::error::Table;
use crate::query::{Field, TypedField, Value, ValueKind};
use crate::support::Record;

macro_rules! entity_fields {
    ($(
        $(#[$meta:meta])*
        $name:ident for $entity:ty, table $table:ident, columns $module:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $const:ident: $rust:ty = ($col:literal, $kind:ident, $nullable:literal, |$e:ident| $get:expr)
            ),+ $(,)?
        }
    )+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum $name {
                $(
                    #[doc = concat!("`", $col, "`")]
                    $(#[$vmeta])*
                    $variant,
                )+
            }

            impl Field for $name {
                const ALL: &'static [Self] = &[$($name::$variant),+];
                const ID: Self = $name::Id;
                const TABLE: Table = Table::$table;

                fn column(self) -> &'static str {
                    match self { $($name::$variant => $col,)+ }
                }

                fn kind(self) -> ValueKind {
                    match self { $($name::$variant => ValueKind::$kind,)+ }
                }

                fn nullable(self) -> bool {
                    match self { $($name::$variant => $nullable,)+ }
                }
            }

            impl Record for $entity {
                type Field = $name;

                fn get(&self, field: $name) -> Value {
                    match field {
                        $($name::$variant => {
                            let read = |$e: &$entity| Value::from($get);
                            read(self)
                        })+
                    }
                }
            }

            crate::query::field_filter_methods!($name);
        )+

        /// Typed handles of every field, one module per table: `columns::functions::USER_ID`
        /// filters on `functions.user_id` and takes only a [`UserId`] (see [`TypedField`]).
        pub mod columns {
            $(
                #[doc = concat!("Typed handles of the fields of `", stringify!($module), "` ([`", stringify!($name), "`](super::", stringify!($name), ")).")]
                pub mod $module {
                    use super::super::*;
                    $(
                        #[doc = concat!("`", $col, "`, operands of type `", stringify!($rust), "`.")]
                        pub const $const: TypedField<$name, $rust> = TypedField::new($name::$variant);
                    )+
                }
            )+
        }
    };
}

entity_fields!(
    /// Fields of `users` (the password hash is not queryable).
    UserField for User, table Users, columns users {
        Id => ID: UserId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        Email => EMAIL: Email = ("email", Text, false, |e| &e.email),
        CreatedAt => CREATED_AT: Timestamp = ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => UPDATED_AT: Timestamp = ("updated_at", Timestamp, false, |e| e.updated_at),
    }

    /// Fields of `user_information`.
    UserInformationField for UserInformation, table UserInformation, columns user_information {
        Id => ID: UserInformationId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        /// The user's uuid: reads [`UserInformation::user_uuid`].
        UserId => USER_ID: Uuid = ("user_id", Uuid, false, |e| e.user_uuid),
        FirstName => FIRST_NAME: ShortText = ("first_name", Text, true, |e| e.first_name.clone()),
        LastName => LAST_NAME: ShortText = ("last_name", Text, true, |e| e.last_name.clone()),
        PhoneNumber => PHONE_NUMBER: Code = ("phone_number", Text, true, |e| e.phone_number.clone()),
        Country => COUNTRY: ShortText = ("country", Text, true, |e| e.country.clone()),
        City => CITY: ShortText = ("city", Text, true, |e| e.city.clone()),
        Address => ADDRESS: Text = ("address", Text, true, |e| e.address.clone()),
        ZipCode => ZIP_CODE: Code = ("zip_code", Text, true, |e| e.zip_code.clone()),
        Avatar => AVATAR: Text = ("avatar", Text, true, |e| e.avatar.clone()),
        Role => ROLE: Role = ("role", Text, false, |e| e.role),
        CreatedAt => CREATED_AT: Timestamp = ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => UPDATED_AT: Timestamp = ("updated_at", Timestamp, false, |e| e.updated_at),
    }

    /// Fields of `organizations`.
    OrganizationField for Organization, table Organizations, columns organizations {
        Id => ID: OrganizationId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        Name => NAME: EntityName = ("name", Text, false, |e| e.name.clone()),
        /// The owner's user uuid: reads [`Organization::owner_uuid`].
        OwnerId => OWNER_ID: Uuid = ("owner_id", Uuid, false, |e| e.owner_uuid),
        CreatedAt => CREATED_AT: Timestamp = ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => UPDATED_AT: Timestamp = ("updated_at", Timestamp, false, |e| e.updated_at),
    }

    /// Fields of `organization_members`.
    OrganizationMemberField for OrganizationMember, table OrganizationMembers, columns organization_members {
        Id => ID: OrganizationMemberId = ("id", Int, false, |e| e.id),
        /// The organization's uuid: reads [`OrganizationMember::organization_uuid`].
        OrganizationId => ORGANIZATION_ID: Uuid = ("organization_id", Uuid, false, |e| e.organization_uuid),
        /// The user's uuid: reads [`OrganizationMember::user_uuid`].
        UserId => USER_ID: Uuid = ("user_id", Uuid, false, |e| e.user_uuid),
        JoinedAt => JOINED_AT: Timestamp = ("joined_at", Timestamp, false, |e| e.joined_at),
    }

    /// Fields of `functions` (the JSON analysis result is not queryable).
    FunctionField for Function, table Functions, columns functions {
        Id => ID: FunctionId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        /// The owner's internal id: reads [`Function::user_id`].
        UserId => USER_ID: UserId = ("user_id", Int, false, |e| e.user_id),
        Name => NAME: EntityName = ("name", Text, false, |e| e.name.clone()),
        Status => STATUS: FunctionStatus = ("status", Text, false, |e| e.status),
        ActiveDeploymentId => ACTIVE_DEPLOYMENT_ID: DeploymentId = ("active_deployment_id", Int, true, |e| e.active_deployment_id),
        CreatedAt => CREATED_AT: Timestamp = ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => UPDATED_AT: Timestamp = ("updated_at", Timestamp, false, |e| e.updated_at),
    }

    /// Fields of `function_deployments`.
    DeploymentField for Deployment, table FunctionDeployments, columns function_deployments {
        Id => ID: DeploymentId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => FUNCTION_ID: FunctionId = ("function_id", Int, false, |e| e.function_id),
        Version => VERSION: Version = ("version", Int, false, |e| e.version),
        ImageTag => IMAGE_TAG: ImageTag = ("image_tag", Text, true, |e| e.image_tag.clone()),
        S3Key => S3_KEY: S3Key = ("s3_key", Text, true, |e| e.s3_key.clone()),
        Status => STATUS: DeploymentStatus = ("status", Text, false, |e| e.status),
        IsActive => IS_ACTIVE: bool = ("is_active", Bool, false, |e| e.is_active),
        BuildLogs => BUILD_LOGS: Text = ("build_logs", Text, true, |e| e.build_logs.clone()),
        DeployedAt => DEPLOYED_AT: Timestamp = ("deployed_at", Timestamp, false, |e| e.deployed_at),
    }

    /// Fields of `function_logs`.
    LogField for LogEntry, table FunctionLogs, columns function_logs {
        Id => ID: LogId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => FUNCTION_ID: FunctionId = ("function_id", Int, false, |e| e.function_id),
        Level => LEVEL: LogLevel = ("level", Text, false, |e| e.level),
        Message => MESSAGE: Text = ("message", Text, false, |e| e.message.clone()),
        Timestamp => TIMESTAMP: Timestamp = ("timestamp", Timestamp, false, |e| e.timestamp),
    }

    /// Fields of `function_invocations`.
    InvocationField for Invocation, table FunctionInvocations, columns function_invocations {
        Id => ID: InvocationId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => FUNCTION_ID: FunctionId = ("function_id", Int, false, |e| e.function_id),
        Status => STATUS: InvocationStatus = ("status", Text, false, |e| e.status),
        DurationMs => DURATION_MS: DurationMs = ("duration_ms", Int, false, |e| e.duration_ms),
        Error => ERROR: Text = ("error", Text, true, |e| e.error.clone()),
        Timestamp => TIMESTAMP: Timestamp = ("timestamp", Timestamp, false, |e| e.timestamp),
    }

    /// Fields of `repositories` (soft-deleted rows are never visible, so `deleted_at` is not
    /// a field).
    RepositoryField for Repository, table Repositories, columns repositories {
        Id => ID: RepositoryId = ("id", Int, false, |e| e.id),
        Uuid => UUID: Uuid = ("uuid", Uuid, false, |e| e.uuid),
        Name => NAME: String = ("name", Text, false, |e| e.name.as_str()),
        Path => PATH: RepositoryPath = ("path", Text, false, |e| e.path.clone()),
        ParentId => PARENT_ID: RepositoryId = ("parent_id", Int, true, |e| e.parent_id),
        CreatedAt => CREATED_AT: Timestamp = ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => UPDATED_AT: Timestamp = ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);
