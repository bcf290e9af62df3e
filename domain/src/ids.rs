//! Typed internal ids: a `FunctionId` cannot be passed where a `UserId` is expected.
//!
//! Internal ids are the tables' `SERIAL`/`BIGSERIAL` keys. They never leave the process (DTOs
//! carry uuids only).

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($inner);

        impl $name {
            /// Wraps a raw key value.
            #[must_use]
            pub const fn new(raw: $inner) -> Self {
                Self(raw)
            }

            /// The raw key value.
            #[must_use]
            pub const fn get(self) -> $inner {
                self.0
            }
        }

        impl From<$name> for $inner {
            fn from(id: $name) -> $inner {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

define_id!(
    /// Internal key of `users`.
    UserId(i32)
);
define_id!(
    /// Internal key of `user_information`.
    UserInformationId(i32)
);
define_id!(
    /// Internal key of `organizations`.
    OrganizationId(i32)
);
define_id!(
    /// Internal key of `organization_members`.
    OrganizationMemberId(i32)
);
define_id!(
    /// Internal key of `functions`.
    FunctionId(i32)
);
define_id!(
    /// Internal key of `function_deployments`.
    DeploymentId(i32)
);
define_id!(
    /// Internal key of `function_logs` (64-bit: the table is expected to pass 2^31 rows).
    LogId(i64)
);
define_id!(
    /// Internal key of `function_invocations` (64-bit, as for logs).
    InvocationId(i64)
);
define_id!(
    /// Internal key of `repositories`.
    RepositoryId(i32)
);
