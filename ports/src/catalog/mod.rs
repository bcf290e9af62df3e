//! The schema catalog: the one description of the schema's tables and keys that both
//! adapters derive their key handling from.
//!
//! - [`Table`]: the tables;
//! - [`UniqueKey`]: each unique key's name, typed [`Column`]s, partial [`Predicate`] and, for
//!   an upsert target, the columns the upsert's update branch takes
//!   ([`UniqueKey::upsert_updates`]);
//! - [`ForeignKey`]: each foreign key's name, column, referenced table and column
//!   ([`Target`]) and [`OnDelete`] action;
//! - [`CheckConstraint`]: the check constraints.
//!
//! Columns are typed by the field enums of [`crate::fields`] (a few columns that are not
//! fields by design are [`HiddenColumn`]s); column names are produced from them, never parsed.
//! Keys are declared grouped by table; within a table their declaration order is the check
//! order of both adapters ([`UniqueKey::of`], [`ForeignKey::of`]). The integration tests
//! compare this catalog with the constraints of a freshly migrated database, both ways; each
//! adapter's unit tests compare its upserts' update columns with
//! [`UniqueKey::upsert_updates`].

mod check;
mod column;
mod foreign;
mod table;
mod unique;

pub use check::CheckConstraint;
pub use column::{Column, HiddenColumn};
pub use foreign::{ForeignKey, OnDelete, Target};
pub use table::Table;
pub use unique::{Predicate, UniqueKey};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{DeploymentField, RepositoryField, UserField};

    #[test]
    fn keys_are_grouped_by_table_so_each_table_has_one_run() {
        for table in Table::ALL {
            let uniques: Vec<UniqueKey> = UniqueKey::ALL
                .iter()
                .copied()
                .filter(|k| k.table() == table)
                .collect();
            assert_eq!(UniqueKey::of(table), uniques.as_slice(), "{table}");
            let fks: Vec<ForeignKey> = ForeignKey::ALL
                .iter()
                .copied()
                .filter(|k| k.table() == table)
                .collect();
            assert_eq!(ForeignKey::of(table), fks.as_slice(), "{table}");
        }
        assert_eq!(
            UniqueKey::of(Table::Users),
            [UniqueKey::UsersUuid, UniqueKey::UsersEmail]
        );
        assert!(ForeignKey::of(Table::Users).is_empty());
    }

    #[test]
    fn every_column_of_a_key_belongs_to_the_key_s_table() {
        for key in UniqueKey::ALL {
            assert!(!key.columns().is_empty());
            for column in key.columns() {
                assert_eq!(column.table(), key.table(), "{key}");
            }
            if let Some(Predicate::IsTrue(column)) = key.predicate() {
                assert_eq!(column.table(), key.table(), "{key}");
            }
            for column in key.upsert_updates().unwrap_or_default() {
                assert_eq!(column.table(), key.table(), "{key}");
                assert!(
                    !key.columns().contains(column),
                    "{key} updates its own column"
                );
            }
        }
        for check in CheckConstraint::ALL {
            assert!(check.constraint_name().starts_with(check.table().name()));
        }
    }

    #[test]
    fn columns_are_named_by_their_fields_and_convert_back_by_type() {
        let email = Column::Users(UserField::Email);
        assert_eq!(email.name(), "email");
        assert_eq!(email.field::<UserField>(), Some(UserField::Email));
        assert_eq!(email.field::<RepositoryField>(), None);
        let hidden = Column::Hidden(HiddenColumn::UsersPasswordHash);
        assert_eq!(hidden.name(), "password_hash");
        assert_eq!(hidden.table(), Table::Users);
        assert_eq!(hidden.field::<UserField>(), None);
        assert_eq!(
            UniqueKey::DeploymentsActiveFunctionId.predicate(),
            Some(Predicate::IsTrue(Column::FunctionDeployments(
                DeploymentField::IsActive
            )))
        );
        assert_eq!(
            UniqueKey::RepositoriesLivePath.predicate(),
            Some(Predicate::Live)
        );
    }

    #[test]
    fn foreign_keys_name_their_parent_and_action() {
        assert_eq!(ForeignKey::OrganizationsOwnerId.parent(), Table::Users);
        assert_eq!(ForeignKey::OrganizationsOwnerId.target(), Target::Uuid);
        assert_eq!(
            ForeignKey::OrganizationsOwnerId.on_delete(),
            OnDelete::Restrict
        );
        assert_eq!(
            ForeignKey::FunctionsActiveDeploymentId.on_delete(),
            OnDelete::SetNull
        );
        let into_users: Vec<ForeignKey> = ForeignKey::referencing(Table::Users).collect();
        assert_eq!(
            into_users,
            [
                ForeignKey::FunctionsUserId,
                ForeignKey::UserInformationUserId,
                ForeignKey::OrganizationsOwnerId,
                ForeignKey::OrganizationMembersUserId,
            ]
        );
    }
}
