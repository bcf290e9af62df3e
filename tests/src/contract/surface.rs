//! The generic surface every store shares, checked once for any entity.
//!
//! [`Crud`] gives the fifteen generic methods of every `dyn XStore` one shape, so that
//! [`check`] can walk them all (empty table, inserts, reads with limits and offsets, pages,
//! windows, updates, deletes and their `NotFound` errors) for each of the nine entities; the
//! scenario of each entity supplies the inputs and the exact rows it expects back.

use std::fmt::Debug;

use containerpub_domain::{
    Deployment, DeploymentId, DeploymentPatch, Function, FunctionId, FunctionPatch, Invocation,
    InvocationId, InvocationPatch, LogEntry, LogId, LogPatch, ManualClock, NewDeployment,
    NewFunction, NewInvocation, NewLog, NewOrganization, NewOrganizationMember, NewRepository,
    NewUser, NewUserInformation, Organization, OrganizationId, OrganizationMember,
    OrganizationMemberId, OrganizationMemberPatch, OrganizationPatch, Page, Repository,
    RepositoryId, RepositoryPatch, Timestamp, User, UserId, UserInformation, UserInformationId,
    UserInformationPatch, UserPatch, Uuid, chrono::TimeDelta,
};
use containerpub_ports::support::{Keyset, Record};
use containerpub_ports::{
    Cursor, DeploymentField, DeploymentStore, Field, Filter, FunctionField, FunctionStore,
    InvocationField, InvocationStore, KeysetRequest, LogField, LogStore, MAX_PAGE_SIZE,
    OrganizationField, OrganizationMemberField, OrganizationMemberStore, OrganizationStore,
    PageRequest, Query, RepositoryField, RepositoryStore, Sort, StoreError, StoreResult, UserField,
    UserInformationField, UserInformationStore, UserStore, Value, Window,
};

use super::seed::{all, not_found};

/// The generic methods of one entity's store, with its types.
pub(crate) trait Crud {
    type Entity: Record<Field = Self::Field> + Clone + PartialEq + Debug;
    type Field: Field;
    type Id: Copy + Debug;
    type New: Clone;
    type Patch: Clone;

    fn id_of(entity: &Self::Entity) -> Self::Id;
    /// An id no row of a fresh store has.
    fn missing_id() -> Self::Id;
    /// The entity's uuid; `None` for tables without one (`organization_members`).
    fn uuid_of(entity: &Self::Entity) -> Option<Uuid>;

    async fn find_by_id(&self, id: Self::Id) -> StoreResult<Option<Self::Entity>>;
    /// `None` for tables without a uuid.
    async fn find_by_uuid(&self, uuid: Uuid) -> Option<StoreResult<Option<Self::Entity>>>;
    async fn find_one(&self, query: Query<Self::Field>) -> StoreResult<Option<Self::Entity>>;
    async fn find_all(&self, query: Query<Self::Field>) -> StoreResult<Vec<Self::Entity>>;
    async fn find_page(
        &self,
        filter: Filter<Self::Field>,
        sort: Vec<Sort<Self::Field>>,
        page: PageRequest,
    ) -> StoreResult<Page<Self::Entity>>;
    async fn find_window(
        &self,
        filter: Filter<Self::Field>,
        sort: Vec<Sort<Self::Field>>,
        window: KeysetRequest,
    ) -> StoreResult<Window<Self::Entity>>;
    async fn count(&self, filter: Filter<Self::Field>) -> StoreResult<u64>;
    async fn exists(&self, filter: Filter<Self::Field>) -> StoreResult<bool>;
    async fn insert(&self, new: Self::New) -> StoreResult<Self::Entity>;
    async fn insert_many(&self, rows: Vec<Self::New>) -> StoreResult<Vec<Self::Entity>>;
    async fn update_by_id(&self, id: Self::Id, patch: Self::Patch) -> StoreResult<Self::Entity>;
    async fn update_where(
        &self,
        filter: Filter<Self::Field>,
        patch: Self::Patch,
    ) -> StoreResult<u64>;
    async fn delete_by_id(&self, id: Self::Id) -> StoreResult<()>;
    async fn delete_where(&self, filter: Filter<Self::Field>) -> StoreResult<u64>;
}

/// Asserts that `new` is refused with `expected` three ways: by the entity's own create call
/// (`created`, its result), by `insert`, and by `insert_many` of it alone (at index 0).
pub(crate) async fn assert_refused<S, T>(
    store: &S,
    new: S::New,
    created: StoreResult<T>,
    expected: StoreError,
) where
    S: Crud + ?Sized,
    S::New: Debug,
    T: PartialEq + Debug,
{
    assert_eq!(created, Err(expected.clone()), "create {new:?}");
    assert_eq!(
        store.insert(new.clone()).await.map(drop),
        Err(expected.clone()),
        "insert {new:?}"
    );
    assert_eq!(
        store.insert_many(vec![new.clone()]).await.map(drop),
        Err(expected.at_index(0)),
        "insert_many {new:?}"
    );
}

macro_rules! crud {
    (@uuid yes, $e:ident) => { Some($e.uuid) };
    (@uuid no, $e:ident) => { { let _ = $e; None } };
    (@find_uuid yes, $s:ident, $reader:ty, $u:ident) => {
        Some(<Self as $reader>::find_by_uuid($s, $u).await)
    };
    (@find_uuid no, $s:ident, $reader:ty, $u:ident) => { { let _ = ($s, $u); None } };
    ($store:ident: $reader:ident + $writer:ident, $entity:ty, $field:ty, $id:ident, $new:ty,
        $patch:ty, uuid $has_uuid:ident) => {
        impl<'a> Crud for dyn $store + 'a {
            type Entity = $entity;
            type Field = $field;
            type Id = $id;
            type New = $new;
            type Patch = $patch;

            fn id_of(entity: &$entity) -> $id {
                entity.id
            }
            fn missing_id() -> $id {
                $id::new(999_999)
            }
            fn uuid_of(entity: &$entity) -> Option<Uuid> {
                crud!(@uuid $has_uuid, entity)
            }
            async fn find_by_id(&self, id: $id) -> StoreResult<Option<$entity>> {
                <Self as containerpub_ports::Reader<$entity>>::find_by_id(self, id).await
            }
            async fn find_by_uuid(&self, uuid: Uuid) -> Option<StoreResult<Option<$entity>>> {
                crud!(@find_uuid $has_uuid, self, containerpub_ports::UuidReader<$entity>, uuid)
            }
            async fn find_one(&self, query: Query<$field>) -> StoreResult<Option<$entity>> {
                <Self as containerpub_ports::Reader<$entity>>::find_one(self, query).await
            }
            async fn find_all(&self, query: Query<$field>) -> StoreResult<Vec<$entity>> {
                <Self as containerpub_ports::Reader<$entity>>::find_all(self, query).await
            }
            async fn find_page(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                page: PageRequest,
            ) -> StoreResult<Page<$entity>> {
                <Self as containerpub_ports::Reader<$entity>>::find_page(self, filter, sort, page).await
            }
            async fn find_window(
                &self,
                filter: Filter<$field>,
                sort: Vec<Sort<$field>>,
                window: KeysetRequest,
            ) -> StoreResult<Window<$entity>> {
                <Self as containerpub_ports::Reader<$entity>>::find_window(self, filter, sort, window)
                    .await
            }
            async fn count(&self, filter: Filter<$field>) -> StoreResult<u64> {
                <Self as containerpub_ports::Reader<$entity>>::count(self, filter).await
            }
            async fn exists(&self, filter: Filter<$field>) -> StoreResult<bool> {
                <Self as containerpub_ports::Reader<$entity>>::exists(self, filter).await
            }
            async fn insert(&self, new: $new) -> StoreResult<$entity> {
                <Self as containerpub_ports::Writer<$entity>>::insert(self, new).await
            }
            async fn insert_many(&self, rows: Vec<$new>) -> StoreResult<Vec<$entity>> {
                <Self as containerpub_ports::Writer<$entity>>::insert_many(self, rows).await
            }
            async fn update_by_id(&self, id: $id, patch: $patch) -> StoreResult<$entity> {
                <Self as containerpub_ports::Writer<$entity>>::update_by_id(self, id, patch).await
            }
            async fn update_where(&self, filter: Filter<$field>, patch: $patch) -> StoreResult<u64> {
                <Self as containerpub_ports::Writer<$entity>>::update_where(self, filter, patch).await
            }
            async fn delete_by_id(&self, id: $id) -> StoreResult<()> {
                <Self as containerpub_ports::Writer<$entity>>::delete_by_id(self, id).await
            }
            async fn delete_where(&self, filter: Filter<$field>) -> StoreResult<u64> {
                <Self as containerpub_ports::Writer<$entity>>::delete_where(self, filter).await
            }
        }
    };
}

crud!(UserStore: UserReader + UserWriter, User, UserField, UserId, NewUser, UserPatch, uuid yes);
crud!(UserInformationStore: UserInformationReader + UserInformationWriter, UserInformation,
    UserInformationField, UserInformationId, NewUserInformation, UserInformationPatch, uuid yes);
crud!(OrganizationStore: OrganizationReader + OrganizationWriter, Organization,
    OrganizationField, OrganizationId, NewOrganization, OrganizationPatch, uuid yes);
crud!(OrganizationMemberStore: OrganizationMemberReader + OrganizationMemberWriter,
    OrganizationMember, OrganizationMemberField, OrganizationMemberId, NewOrganizationMember,
    OrganizationMemberPatch, uuid no);
crud!(FunctionStore: FunctionReader + FunctionWriter, Function, FunctionField, FunctionId,
    NewFunction, FunctionPatch, uuid yes);
crud!(DeploymentStore: DeploymentReader + DeploymentWriter, Deployment, DeploymentField,
    DeploymentId, NewDeployment, DeploymentPatch, uuid yes);
crud!(LogStore: LogReader + LogWriter, LogEntry, LogField, LogId, NewLog, LogPatch, uuid yes);
crud!(InvocationStore: InvocationReader + InvocationWriter, Invocation, InvocationField,
    InvocationId, NewInvocation, InvocationPatch, uuid yes);
crud!(RepositoryStore: RepositoryReader + RepositoryWriter, Repository, RepositoryField,
    RepositoryId, NewRepository, RepositoryPatch, uuid yes);

/// The row `insert` must return for input number `index`, given the id the store chose and
/// the clock's time.
pub(crate) type ExpectInsert<'f, S> =
    &'f dyn Fn(usize, &<S as Crud>::New, <S as Crud>::Id, Timestamp) -> <S as Crud>::Entity;

/// What [`check`] needs to know about one entity.
pub(crate) struct Spec<'f, S: Crud + ?Sized> {
    /// At least five inputs: the first two are inserted one by one, the rest in one batch.
    pub news: Vec<S::New>,
    /// The row `insert` must return for each input.
    pub expect_insert: ExpectInsert<'f, S>,
    /// A patch that can be applied to any two inserted rows at once.
    pub patch: S::Patch,
    /// The row `patch` must turn `before` into at the clock's time.
    pub expect_update: &'f dyn Fn(&S::Entity, Timestamp) -> S::Entity,
}

fn id_value<E: Record>(entity: &E) -> Value {
    entity.get(<E::Field as Field>::ID)
}

fn id_filter<E: Record>(rows: &[&E]) -> Filter<E::Field> {
    <E::Field as Field>::ID.in_values(rows.iter().map(|r| id_value(*r)))
}

/// `IN` over raw values, for any field type.
trait InValues: Field {
    fn in_values(self, values: impl IntoIterator<Item = Value>) -> Filter<Self> {
        Filter::In {
            field: self,
            values: values.into_iter().collect(),
        }
    }
}

impl<F: Field> InValues for F {}

fn by_id_desc<F: Field>() -> Vec<Sort<F>> {
    vec![Sort {
        field: F::ID,
        direction: containerpub_ports::Direction::Desc,
    }]
}

/// Asserts that `find_all`, `count` and the first `find_page` of 100 rows under `filter` give
/// exactly `expected` (in id order); returns that page for further checks.
pub(crate) async fn assert_filtered<S: Crud + ?Sized>(
    store: &S,
    filter: &Filter<S::Field>,
    expected: &[S::Entity],
) -> Page<S::Entity> {
    assert_eq!(
        store.find_all(Query::filter(filter.clone())).await,
        Ok(expected.to_vec()),
        "find_all {filter:?}"
    );
    assert_eq!(
        store.count(filter.clone()).await,
        Ok(expected.len() as u64),
        "count {filter:?}"
    );
    let page = store
        .find_page(filter.clone(), vec![], PageRequest::new(1, 100))
        .await
        .expect("find_page");
    assert_eq!(page.items, expected, "find_page {filter:?}");
    page
}

/// Walks every window of `limit` rows and returns the rows, checking that only the last
/// window has no `next` cursor.
pub(crate) async fn walk<S: Crud + ?Sized>(
    store: &S,
    filter: &Filter<S::Field>,
    sort: &[Sort<S::Field>],
    limit: u64,
) -> Vec<S::Entity> {
    let mut out = Vec::new();
    let mut request = KeysetRequest::first(limit);
    for _ in 0..100_000 {
        let window = store
            .find_window(filter.clone(), sort.to_vec(), request.clone())
            .await
            .expect("find_window");
        assert!(
            window.items.len() as u64 <= limit,
            "a window holds at most `limit` rows"
        );
        out.extend(window.items);
        match window.next {
            Some(next) => request = KeysetRequest::after(next, limit),
            None => return out,
        }
    }
    panic!("the keyset walk did not end");
}

/// Checks the generic surface of one entity's store (see the module doc), starting on an
/// empty table.
pub(crate) async fn check<S: Crud + ?Sized>(clock: &ManualClock, store: &S, spec: Spec<'_, S>) {
    check_after(clock, store, Vec::new(), spec).await;
}

/// [`check`] on a table that already holds `existing` (in id order) when it starts.
#[allow(clippy::too_many_lines)]
pub(crate) async fn check_after<S: Crud + ?Sized>(
    clock: &ManualClock,
    store: &S,
    existing: Vec<S::Entity>,
    spec: Spec<'_, S>,
) {
    let table = <S::Field as Field>::TABLE;
    let Spec {
        news,
        expect_insert,
        patch,
        expect_update,
    } = spec;
    assert!(news.len() >= 5, "the check needs at least five inputs");
    let tick = || {
        clock.advance(TimeDelta::seconds(1));
        containerpub_domain::Clock::now(clock)
    };
    let missing = S::missing_id();

    // The table as given: reads of absent rows, writes that address nothing.
    assert_eq!(store.find_all(all()).await.expect("find_all"), existing);
    assert_eq!(store.find_by_id(missing).await.expect("find_by_id"), None);
    if let Some(found) = store.find_by_uuid(Uuid::new_v4()).await {
        assert_eq!(found.expect("find_by_uuid"), None);
    }
    if existing.is_empty() {
        assert_eq!(store.find_one(all()).await.expect("find_one"), None);
        assert_eq!(store.count(Filter::All).await.expect("count"), 0);
        assert!(!store.exists(Filter::All).await.expect("exists"));
        let page = store
            .find_page(Filter::All, vec![], PageRequest::new(1, 10))
            .await
            .expect("find_page");
        assert_eq!(page, Page::new(vec![], 0, 1, 10));
        let window = store
            .find_window(Filter::All, vec![], KeysetRequest::first(10))
            .await
            .expect("find_window");
        assert_eq!(
            window,
            Window {
                items: vec![],
                next: None
            }
        );
        assert_eq!(store.update_where(Filter::All, patch.clone()).await, Ok(0));
        assert_eq!(store.delete_where(Filter::All).await, Ok(0));
    }
    assert_eq!(
        store.update_by_id(missing, patch.clone()).await,
        Err(not_found(table))
    );
    let err = store.delete_by_id(missing).await;
    assert_eq!(err, Err(not_found(table)));
    // NotFound names the key (by id) but never the internal id's value.
    let err = err.expect_err("NotFound");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            text.contains("by id") || text.contains("Id"),
            "names the key: {text}"
        );
        assert!(!text.contains("999999"), "no internal id in {text}");
    }
    assert_eq!(store.insert_many(vec![]).await, Ok(vec![]));
    assert_eq!(
        store.count(Filter::All).await,
        Ok(existing.len() as u64),
        "an empty batch writes nothing"
    );

    // Inserts: two single rows, then a batch (one instant for the whole batch).
    let mut inserted: Vec<S::Entity> = Vec::new();
    for (index, new) in news.iter().take(2).enumerate() {
        let now = tick();
        let row = store.insert(new.clone()).await.expect("insert");
        assert_eq!(row, expect_insert(index, new, S::id_of(&row), now));
        inserted.push(row);
    }
    let now = tick();
    let batch = store
        .insert_many(news[2..].to_vec())
        .await
        .expect("insert_many");
    assert_eq!(batch.len(), news.len() - 2, "insert_many returns every row");
    for (offset, row) in batch.into_iter().enumerate() {
        let index = offset + 2;
        assert_eq!(
            row,
            expect_insert(index, &news[index], S::id_of(&row), now),
            "insert_many row {index}"
        );
        inserted.push(row);
    }
    let mut rows = existing.clone();
    rows.extend(inserted.iter().cloned());
    for pair in rows.windows(2) {
        assert!(
            id_value(&pair[0]) < id_value(&pair[1]),
            "ids grow in insertion order: {:?} then {:?}",
            id_value(&pair[0]),
            id_value(&pair[1])
        );
    }
    for row in &inserted {
        assert_eq!(store.find_by_id(S::id_of(row)).await, Ok(Some(row.clone())));
        if let Some(uuid) = S::uuid_of(row) {
            let found = store.find_by_uuid(uuid).await.expect("the table has uuids");
            assert_eq!(found, Ok(Some(row.clone())));
        }
    }

    // find_all: limits and offsets, including zero and past the end.
    let n = rows.len();
    let find_all = |q: Query<S::Field>| async move { store.find_all(q).await.expect("find_all") };
    assert_eq!(find_all(all()).await, rows);
    assert_eq!(find_all(all().limit(0)).await, vec![]);
    assert_eq!(find_all(all().limit(2)).await, rows[..2].to_vec());
    assert_eq!(find_all(all().offset(2)).await, rows[2..].to_vec());
    assert_eq!(
        find_all(all().offset(1).limit(2)).await,
        rows[1..3].to_vec()
    );
    assert_eq!(find_all(all().limit(n as u64 + 5)).await, rows);
    assert_eq!(find_all(all().offset(n as u64)).await, vec![]);
    assert_eq!(find_all(all().offset(n as u64 + 10)).await, vec![]);
    assert_eq!(find_all(all().offset(n as u64).limit(0)).await, vec![]);
    let reversed: Vec<S::Entity> = rows.iter().rev().cloned().collect();
    let mut desc = all();
    desc.sort = by_id_desc();
    assert_eq!(find_all(desc.clone()).await, reversed);
    assert_eq!(
        find_all(Query::filter(id_filter(&[&rows[1], &rows[3]]))).await,
        vec![rows[1].clone(), rows[3].clone()]
    );

    // find_one: the first row of find_all, offset applied, limit ignored.
    let find_one = |q: Query<S::Field>| async move { store.find_one(q).await.expect("find_one") };
    assert_eq!(find_one(all()).await, Some(rows[0].clone()));
    assert_eq!(find_one(all().limit(0)).await, Some(rows[0].clone()));
    assert_eq!(find_one(all().offset(1)).await, Some(rows[1].clone()));
    assert_eq!(find_one(all().offset(n as u64)).await, None);
    assert_eq!(find_one(desc).await, Some(rows[n - 1].clone()));
    assert_eq!(
        find_one(Query::filter(id_filter::<S::Entity>(&[]))).await,
        None
    );

    // count and exists.
    assert_eq!(store.count(Filter::All).await, Ok(n as u64));
    assert_eq!(store.count(id_filter(&[&rows[0], &rows[2]])).await, Ok(2));
    assert_eq!(store.count(id_filter::<S::Entity>(&[])).await, Ok(0));
    assert_eq!(
        store.count(!id_filter::<S::Entity>(&[])).await,
        Ok(n as u64)
    );
    assert_eq!(store.exists(Filter::All).await, Ok(true));
    assert_eq!(store.exists(id_filter(&[&rows[n - 1]])).await, Ok(true));
    let missing_filter = Filter::eq(<S::Field as Field>::ID, 999_999_i64);
    assert_eq!(store.exists(missing_filter.clone()).await, Ok(false));
    assert_eq!(store.count(missing_filter.clone()).await, Ok(0));

    // Offset pages of two rows, one past the end.
    let pages = n.div_ceil(2) as u64;
    for page in 1..=pages + 1 {
        let start = (((page - 1) * 2) as usize).min(n);
        let end = (start + 2).min(n);
        let got = store
            .find_page(Filter::All, vec![], PageRequest::new(page, 2))
            .await
            .expect("find_page");
        assert_eq!(got, Page::new(rows[start..end].to_vec(), n as u64, page, 2));
        assert_eq!(got.has_more, page < pages, "has_more on page {page}");
    }
    let got = store
        .find_page(Filter::All, by_id_desc(), PageRequest::new(1, 3))
        .await
        .expect("find_page");
    assert_eq!(got, Page::new(reversed[..3].to_vec(), n as u64, 1, 3));
    for bad in [
        PageRequest::new(0, 2),
        PageRequest::new(1, 0),
        PageRequest::new(1, MAX_PAGE_SIZE + 1),
    ] {
        let expected = bad.offset().expect_err("a bad page request");
        assert_eq!(
            store.find_page(Filter::All, vec![], bad).await,
            Err(expected),
            "{bad:?}"
        );
    }

    // Keyset windows: whole walks, exact fits, and bad requests.
    assert_eq!(walk(store, &Filter::All, &[], 2).await, rows);
    assert_eq!(walk(store, &Filter::All, &by_id_desc(), 3).await, reversed);
    let exact = store
        .find_window(Filter::All, vec![], KeysetRequest::first(n as u64))
        .await
        .expect("find_window");
    assert_eq!(
        exact,
        Window {
            items: rows.clone(),
            next: None
        }
    );
    let short = store
        .find_window(Filter::All, vec![], KeysetRequest::first(n as u64 - 1))
        .await
        .expect("find_window");
    assert_eq!(short.items, rows[..n - 1].to_vec());
    let next = short.next.expect("one row follows");
    let last = store
        .find_window(Filter::All, vec![], KeysetRequest::after(next.clone(), 10))
        .await
        .expect("find_window");
    assert_eq!(
        last,
        Window {
            items: vec![rows[n - 1].clone()],
            next: None
        }
    );
    let bad_requests = [
        (Filter::All, vec![], KeysetRequest::first(0)),
        (Filter::All, vec![], KeysetRequest::first(MAX_PAGE_SIZE + 1)),
        (
            Filter::All,
            vec![],
            KeysetRequest::after(Cursor::from_string("garbage!"), 2),
        ),
        // A cursor of another query: another sort, another filter.
        (
            Filter::All,
            by_id_desc(),
            KeysetRequest::after(next.clone(), 2),
        ),
        (
            !id_filter::<S::Entity>(&[]),
            vec![],
            KeysetRequest::after(next, 2),
        ),
    ];
    for (filter, sort, request) in bad_requests {
        let expected = Keyset::plan(&filter, &sort, &request).expect_err("a bad window request");
        assert_eq!(
            store.find_window(filter, sort, request.clone()).await,
            Err(expected),
            "{request:?}"
        );
    }

    // Updates: one by id, two by filter (one instant), none by a filter matching nothing.
    let now = tick();
    let first = &inserted[0];
    let updated = store
        .update_by_id(S::id_of(first), patch.clone())
        .await
        .expect("update_by_id");
    assert_eq!(updated, expect_update(first, now));
    assert_eq!(
        store.find_by_id(S::id_of(first)).await,
        Ok(Some(updated.clone()))
    );
    let now = tick();
    let targets = [&inserted[1], &inserted[2]];
    assert_eq!(
        store.update_where(id_filter(&targets), patch.clone()).await,
        Ok(2)
    );
    let mut expected_rows = rows.clone();
    for row in &mut expected_rows {
        if id_value(row) == id_value(first) {
            *row = updated.clone();
        } else if targets.iter().any(|t| id_value(*t) == id_value(row)) {
            *row = expect_update(row, now);
        }
    }
    assert_eq!(find_all(all()).await, expected_rows);
    assert_eq!(
        store
            .update_where(missing_filter.clone(), patch.clone())
            .await,
        Ok(0)
    );
    assert_eq!(
        store.update_where(id_filter::<S::Entity>(&[]), patch).await,
        Ok(0)
    );
    assert_eq!(
        find_all(all()).await,
        expected_rows,
        "matching nothing changes nothing"
    );

    // Deletes: by id (then NotFound), by filter, by a filter matching nothing.
    let last = inserted[inserted.len() - 1].clone();
    assert_eq!(store.delete_by_id(S::id_of(&last)).await, Ok(()));
    assert_eq!(store.find_by_id(S::id_of(&last)).await, Ok(None));
    assert_eq!(
        store.delete_by_id(S::id_of(&last)).await,
        Err(not_found(table))
    );
    let pair = [&inserted[inserted.len() - 2], &inserted[inserted.len() - 3]];
    assert_eq!(store.delete_where(id_filter(&pair)).await, Ok(2));
    assert_eq!(store.delete_where(missing_filter).await, Ok(0));
    let remaining: Vec<S::Entity> = expected_rows[..n - 3].to_vec();
    assert_eq!(find_all(all()).await, remaining);
    assert_eq!(store.count(Filter::All).await, Ok(remaining.len() as u64));
}
