//! The unique keys of the schema (constraints and unique indexes, primary keys aside): their
//! names, columns, partial predicates and, for upsert targets, the columns an upsert's update
//! branch takes from its input.

use std::fmt;

use super::{Column, HiddenColumn, Table};
use crate::fields::{
    DeploymentField as D, FunctionField as F, InvocationField as I, LogField as L,
    OrganizationField as O, OrganizationMemberField as M, RepositoryField as R, UserField as U,
    UserInformationField as P,
};

/// Which rows a partial unique key covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Predicate {
    /// `WHERE <column>`: rows whose boolean column is true.
    IsTrue(Column),
    /// `WHERE deleted_at IS NULL`: live rows, not soft-deleted.
    Live,
}

/// A unique key of the schema (constraints and unique indexes, primary keys aside).
///
/// Declared grouped by table, in table creation order; within a table, the declaration order
/// is the order in which both adapters check the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UniqueKey {
    /// `users_uuid_key`
    UsersUuid,
    /// `users_email_key`
    UsersEmail,
    /// `functions_uuid_key`
    FunctionsUuid,
    /// `functions_user_id_name_key`
    FunctionsUserIdName,
    /// `function_deployments_uuid_key`
    DeploymentsUuid,
    /// `function_deployments_function_id_version_key`
    DeploymentsFunctionIdVersion,
    /// `function_deployments_function_id_active_key`: partial, at most one active deployment
    /// per function.
    DeploymentsActiveFunctionId,
    /// `function_logs_uuid_key`
    LogsUuid,
    /// `function_invocations_uuid_key`
    InvocationsUuid,
    /// `user_information_uuid_key`
    UserInformationUuid,
    /// `user_information_user_id_key`
    UserInformationUserId,
    /// `organizations_uuid_key`
    OrganizationsUuid,
    /// `organizations_name_key`
    OrganizationsName,
    /// `organization_members_user_id_key`
    OrganizationMembersUserId,
    /// `repositories_uuid_key`
    RepositoriesUuid,
    /// `repositories_path_live_key`: partial, unique among repositories that are not
    /// soft-deleted.
    RepositoriesLivePath,
}

/// Everything the catalog says about one unique key.
struct Spec {
    name: &'static str,
    columns: &'static [Column],
    predicate: Option<Predicate>,
    /// For an upsert target: the columns its update branch takes from the input.
    upsert_updates: Option<&'static [Column]>,
}

const fn key(name: &'static str, columns: &'static [Column]) -> Spec {
    Spec {
        name,
        columns,
        predicate: None,
        upsert_updates: None,
    }
}

const fn upsert(
    name: &'static str,
    columns: &'static [Column],
    updates: &'static [Column],
) -> Spec {
    Spec {
        name,
        columns,
        predicate: None,
        upsert_updates: Some(updates),
    }
}

/// The columns an upsert of `user_information` takes: every profile column (the link to the
/// user is kept).
const PROFILE_UPDATES: &[Column] = &[
    Column::UserInformation(P::FirstName),
    Column::UserInformation(P::LastName),
    Column::UserInformation(P::PhoneNumber),
    Column::UserInformation(P::Country),
    Column::UserInformation(P::City),
    Column::UserInformation(P::Address),
    Column::UserInformation(P::ZipCode),
    Column::UserInformation(P::Avatar),
    Column::UserInformation(P::Role),
    Column::UserInformation(P::UpdatedAt),
];

impl UniqueKey {
    /// Every unique key, in declaration order.
    pub const ALL: &'static [UniqueKey] = &[
        UniqueKey::UsersUuid,
        UniqueKey::UsersEmail,
        UniqueKey::FunctionsUuid,
        UniqueKey::FunctionsUserIdName,
        UniqueKey::DeploymentsUuid,
        UniqueKey::DeploymentsFunctionIdVersion,
        UniqueKey::DeploymentsActiveFunctionId,
        UniqueKey::LogsUuid,
        UniqueKey::InvocationsUuid,
        UniqueKey::UserInformationUuid,
        UniqueKey::UserInformationUserId,
        UniqueKey::OrganizationsUuid,
        UniqueKey::OrganizationsName,
        UniqueKey::OrganizationMembersUserId,
        UniqueKey::RepositoriesUuid,
        UniqueKey::RepositoriesLivePath,
    ];

    /// The one place each key is described.
    const fn spec(self) -> Spec {
        use Column::{
            FunctionDeployments as Dc, FunctionInvocations as Ic, FunctionLogs as Lc,
            Functions as Fc, OrganizationMembers as Mc, Organizations as Oc, Repositories as Rc,
            UserInformation as Pc, Users as Uc,
        };
        match self {
            UniqueKey::UsersUuid => upsert(
                "users_uuid_key",
                &[Uc(U::Uuid)],
                &[
                    Uc(U::Email),
                    Column::Hidden(HiddenColumn::UsersPasswordHash),
                    Uc(U::UpdatedAt),
                ],
            ),
            UniqueKey::UsersEmail => upsert(
                "users_email_key",
                &[Uc(U::Email)],
                &[
                    Column::Hidden(HiddenColumn::UsersPasswordHash),
                    Uc(U::UpdatedAt),
                ],
            ),
            UniqueKey::FunctionsUuid => upsert(
                "functions_uuid_key",
                &[Fc(F::Uuid)],
                &[
                    Fc(F::UserId),
                    Fc(F::Name),
                    Fc(F::Status),
                    Column::Hidden(HiddenColumn::FunctionsAnalysisResult),
                    Fc(F::UpdatedAt),
                ],
            ),
            UniqueKey::FunctionsUserIdName => upsert(
                "functions_user_id_name_key",
                &[Fc(F::UserId), Fc(F::Name)],
                &[
                    Fc(F::Status),
                    Column::Hidden(HiddenColumn::FunctionsAnalysisResult),
                    Fc(F::UpdatedAt),
                ],
            ),
            UniqueKey::DeploymentsUuid => upsert(
                "function_deployments_uuid_key",
                &[Dc(D::Uuid)],
                &[
                    Dc(D::ImageTag),
                    Dc(D::S3Key),
                    Dc(D::Status),
                    Dc(D::BuildLogs),
                ],
            ),
            UniqueKey::DeploymentsFunctionIdVersion => key(
                "function_deployments_function_id_version_key",
                &[Dc(D::FunctionId), Dc(D::Version)],
            ),
            UniqueKey::DeploymentsActiveFunctionId => Spec {
                predicate: Some(Predicate::IsTrue(Dc(D::IsActive))),
                ..key(
                    "function_deployments_function_id_active_key",
                    &[Dc(D::FunctionId)],
                )
            },
            UniqueKey::LogsUuid => upsert(
                "function_logs_uuid_key",
                &[Lc(L::Uuid)],
                &[Lc(L::Level), Lc(L::Message), Lc(L::Timestamp)],
            ),
            UniqueKey::InvocationsUuid => upsert(
                "function_invocations_uuid_key",
                &[Ic(I::Uuid)],
                &[
                    Ic(I::Status),
                    Ic(I::DurationMs),
                    Ic(I::Error),
                    Ic(I::Timestamp),
                ],
            ),
            UniqueKey::UserInformationUuid => {
                upsert("user_information_uuid_key", &[Pc(P::Uuid)], PROFILE_UPDATES)
            }
            UniqueKey::UserInformationUserId => upsert(
                "user_information_user_id_key",
                &[Pc(P::UserId)],
                PROFILE_UPDATES,
            ),
            UniqueKey::OrganizationsUuid => upsert(
                "organizations_uuid_key",
                &[Oc(O::Uuid)],
                &[Oc(O::Name), Oc(O::OwnerId), Oc(O::UpdatedAt)],
            ),
            UniqueKey::OrganizationsName => upsert(
                "organizations_name_key",
                &[Oc(O::Name)],
                &[Oc(O::OwnerId), Oc(O::UpdatedAt)],
            ),
            UniqueKey::OrganizationMembersUserId => upsert(
                "organization_members_user_id_key",
                &[Mc(M::UserId)],
                &[Mc(M::OrganizationId), Mc(M::JoinedAt)],
            ),
            UniqueKey::RepositoriesUuid => {
                upsert("repositories_uuid_key", &[Rc(R::Uuid)], &[Rc(R::UpdatedAt)])
            }
            UniqueKey::RepositoriesLivePath => Spec {
                predicate: Some(Predicate::Live),
                ..upsert(
                    "repositories_path_live_key",
                    &[Rc(R::Path)],
                    &[Rc(R::UpdatedAt)],
                )
            },
        }
    }

    /// The constraint's (or unique index's) name in the schema.
    #[must_use]
    pub const fn constraint_name(self) -> &'static str {
        self.spec().name
    }

    /// The table the key is on.
    #[must_use]
    pub const fn table(self) -> Table {
        self.spec().columns[0].table()
    }

    /// The key's columns, in index order.
    #[must_use]
    pub const fn columns(self) -> &'static [Column] {
        self.spec().columns
    }

    /// The rows a partial key covers (`None`: every row).
    #[must_use]
    pub const fn predicate(self) -> Option<Predicate> {
        self.spec().predicate
    }

    /// For a key an upsert may target: the columns its update branch takes from the input
    /// (`upsert`'s default; the key's own columns and the rest are kept). `None` for a key
    /// no upsert targets.
    #[must_use]
    pub const fn upsert_updates(self) -> Option<&'static [Column]> {
        self.spec().upsert_updates
    }

    /// The constraint with this schema name, if it is one of ours.
    #[must_use]
    pub fn from_constraint_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|key| key.constraint_name() == name)
            .copied()
    }

    /// The unique keys of `table`, in declaration order.
    #[must_use]
    pub const fn of(table: Table) -> &'static [UniqueKey] {
        let all = Self::ALL;
        let mut start = 0;
        while start < all.len() && all[start].table() as u8 != table as u8 {
            start += 1;
        }
        let mut end = start;
        while end < all.len() && all[end].table() as u8 == table as u8 {
            end += 1;
        }
        all.split_at(end).0.split_at(start).1
    }
}

impl fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.constraint_name())
    }
}
