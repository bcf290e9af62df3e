//! The tables of the schema.

use std::fmt;

/// The tables of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// `users`
    Users,
    /// `user_information`
    UserInformation,
    /// `organizations`
    Organizations,
    /// `organization_members`
    OrganizationMembers,
    /// `functions`
    Functions,
    /// `function_deployments`
    FunctionDeployments,
    /// `function_logs`
    FunctionLogs,
    /// `function_invocations`
    FunctionInvocations,
    /// `repositories`
    Repositories,
}

impl Table {
    /// Every table, in creation order.
    pub const ALL: [Table; 9] = [
        Table::Users,
        Table::Functions,
        Table::FunctionDeployments,
        Table::FunctionLogs,
        Table::FunctionInvocations,
        Table::UserInformation,
        Table::Organizations,
        Table::OrganizationMembers,
        Table::Repositories,
    ];

    /// The table's SQL name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::UserInformation => "user_information",
            Table::Organizations => "organizations",
            Table::OrganizationMembers => "organization_members",
            Table::Functions => "functions",
            Table::FunctionDeployments => "function_deployments",
            Table::FunctionLogs => "function_logs",
            Table::FunctionInvocations => "function_invocations",
            Table::Repositories => "repositories",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
