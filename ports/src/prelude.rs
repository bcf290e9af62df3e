//! One import for service code: the store traits (so their methods are in scope), the unit
//! of work, typed queries and the error type.
//!
//! ```
//! use containerpub_ports::prelude::*;
//! use containerpub_ports::domain::{Function, Uuid};
//!
//! /// The functions of the user with this uuid, first page, in one transaction.
//! async fn functions_of<U: UnitOfWork>(db: &U, owner: Uuid) -> StoreResult<Vec<Function>> {
//!     db.transaction(async |tx| {
//!         let page = tx.functions().find_by_owner(Ref::uuid(owner), PageRequest::new(1, 50)).await?;
//!         Ok(page.items)
//!     })
//!     .await
//! }
//! ```
//!
//! The query extras are in it too: case-insensitive matching, grouping, typed columns.
//!
//! ```
//! use containerpub_ports::prelude::*;
//! use containerpub_ports::domain::{Function, UserId};
//!
//! async fn search(db: &dyn Stores, owner: UserId) -> StoreResult<(Vec<Function>, Vec<Group>)> {
//!     let mine = columns::functions::USER_ID.eq(owner);
//!     let found = db
//!         .functions()
//!         .find_all(Query::filter(mine.clone().and(FunctionField::Name.contains_ci("search"))))
//!         .await?;
//!     let per_status = db
//!         .functions()
//!         .group_by(GroupQuery::by(FunctionField::Status).filter(mine))
//!         .await?;
//!     Ok((found, per_status))
//! }
//! ```

pub use crate::dyn_store::{DynStore, DynTransaction};
pub use crate::error::{Lookup, StoreError, StoreResult};
pub use crate::fields::*;
pub use crate::find_or_insert::Found;
pub use crate::keys::*;
pub use crate::query::grouping::{Aggregate, Group, GroupOrder, GroupQuery};
pub use crate::query::{
    CaseInsensitive, Cursor, Filter, KeysetRequest, PageRequest, Query, Sort, Window,
};
pub use crate::reference::Ref;
pub use crate::repository_tree::create_with_parents;
pub use crate::stores::{
    DeploymentReader, DeploymentStore, DeploymentWriter, FunctionReader, FunctionStore,
    FunctionWriter, InvocationReader, InvocationStore, InvocationWriter, LogQuery, LogReader,
    LogStore, LogWriter, OrganizationMemberReader, OrganizationMemberStore,
    OrganizationMemberWriter, OrganizationReader, OrganizationStore, OrganizationWriter, Reader,
    RepositoryReader, RepositoryStore, RepositoryWriter, Store, UserInformationReader,
    UserInformationStore, UserInformationWriter, UserReader, UserStore, UserWriter, UuidReader,
    Writer,
};
pub use crate::uow::{Retryable, Stores, Transaction, UnitOfWork, UnitOfWorkExt};
pub use crate::upsert_columns::UserColumn;
