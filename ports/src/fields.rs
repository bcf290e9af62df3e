//! The field enums of every entity: what a query may filter and sort on.
//!
//! JSON columns and password hashes are deliberately not fields.

use containerpub_domain::{
    Deployment, Function, Invocation, LogEntry, Organization, OrganizationMember, Repository, User,
    UserInformation,
};

use crate::error::Table;
use crate::query::{Field, Value, ValueKind};
use crate::support::Record;

macro_rules! entity_fields {
    (
        $(#[$meta:meta])*
        $name:ident for $entity:ty, table $table:ident {
            $($variant:ident => ($col:literal, $kind:ident, $nullable:literal, |$e:ident| $get:expr)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                #[doc = concat!("`", $col, "`")]
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
    };
}

entity_fields!(
    /// Fields of `users` (the password hash is not queryable).
    UserField for User, table Users {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        Email => ("email", Text, false, |e| &e.email),
        CreatedAt => ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);

entity_fields!(
    /// Fields of `user_information`.
    UserInformationField for UserInformation, table UserInformation {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        UserId => ("user_id", Uuid, false, |e| e.user_id),
        FirstName => ("first_name", Text, true, |e| e.first_name.clone()),
        LastName => ("last_name", Text, true, |e| e.last_name.clone()),
        PhoneNumber => ("phone_number", Text, true, |e| e.phone_number.clone()),
        Country => ("country", Text, true, |e| e.country.clone()),
        City => ("city", Text, true, |e| e.city.clone()),
        Address => ("address", Text, true, |e| e.address.clone()),
        ZipCode => ("zip_code", Text, true, |e| e.zip_code.clone()),
        Avatar => ("avatar", Text, true, |e| e.avatar.clone()),
        Role => ("role", Text, false, |e| e.role),
        CreatedAt => ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);

entity_fields!(
    /// Fields of `organizations`.
    OrganizationField for Organization, table Organizations {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        Name => ("name", Text, false, |e| e.name.clone()),
        OwnerId => ("owner_id", Uuid, false, |e| e.owner_id),
        CreatedAt => ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);

entity_fields!(
    /// Fields of `organization_members`.
    OrganizationMemberField for OrganizationMember, table OrganizationMembers {
        Id => ("id", Int, false, |e| e.id),
        OrganizationId => ("organization_id", Uuid, false, |e| e.organization_id),
        UserId => ("user_id", Uuid, false, |e| e.user_id),
        JoinedAt => ("joined_at", Timestamp, false, |e| e.joined_at),
    }
);

entity_fields!(
    /// Fields of `functions` (the JSON analysis result is not queryable).
    FunctionField for Function, table Functions {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        UserId => ("user_id", Int, false, |e| e.user_id),
        Name => ("name", Text, false, |e| e.name.clone()),
        Status => ("status", Text, false, |e| e.status),
        ActiveDeploymentId => ("active_deployment_id", Int, true, |e| e.active_deployment_id),
        CreatedAt => ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);

entity_fields!(
    /// Fields of `function_deployments`.
    DeploymentField for Deployment, table FunctionDeployments {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => ("function_id", Int, false, |e| e.function_id),
        Version => ("version", Int, false, |e| e.version),
        ImageTag => ("image_tag", Text, true, |e| e.image_tag.clone()),
        S3Key => ("s3_key", Text, true, |e| e.s3_key.clone()),
        Status => ("status", Text, false, |e| e.status),
        IsActive => ("is_active", Bool, false, |e| e.is_active),
        BuildLogs => ("build_logs", Text, true, |e| e.build_logs.clone()),
        DeployedAt => ("deployed_at", Timestamp, false, |e| e.deployed_at),
    }
);

entity_fields!(
    /// Fields of `function_logs`.
    LogField for LogEntry, table FunctionLogs {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => ("function_id", Int, false, |e| e.function_id),
        Level => ("level", Text, false, |e| e.level),
        Message => ("message", Text, false, |e| e.message.clone()),
        Timestamp => ("timestamp", Timestamp, false, |e| e.timestamp),
    }
);

entity_fields!(
    /// Fields of `function_invocations`.
    InvocationField for Invocation, table FunctionInvocations {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        FunctionId => ("function_id", Int, false, |e| e.function_id),
        Status => ("status", Text, false, |e| e.status),
        DurationMs => ("duration_ms", Int, false, |e| e.duration_ms),
        Error => ("error", Text, true, |e| e.error.clone()),
        Timestamp => ("timestamp", Timestamp, false, |e| e.timestamp),
    }
);

entity_fields!(
    /// Fields of `repositories` (soft-deleted rows are never visible, so `deleted_at` is not
    /// a field).
    RepositoryField for Repository, table Repositories {
        Id => ("id", Int, false, |e| e.id),
        Uuid => ("uuid", Uuid, false, |e| e.uuid),
        Name => ("name", Text, false, |e| e.name.as_str()),
        Path => ("path", Text, false, |e| e.path.clone()),
        ParentId => ("parent_id", Int, true, |e| e.parent_id),
        CreatedAt => ("created_at", Timestamp, false, |e| e.created_at),
        UpdatedAt => ("updated_at", Timestamp, false, |e| e.updated_at),
    }
);
