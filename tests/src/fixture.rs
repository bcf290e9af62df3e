//! The test fixtures of the whole `tests` crate, defined once: validated values (panicking on
//! invalid input, as a test wants), instants relative to [`t0`], and seed rows made through a
//! store's ports. The contract suite, the reliability and differential tests, the examples'
//! checks and the benchmarks all take theirs from here. (SQL fixtures for PostgreSQL-only
//! tests are files in `tests/fixtures/`.)

use containerpub_domain::{
    Code, Deployment, DurationMs, Email, EntityName, Function, Json, ManualClock, NewDeployment,
    NewFunction, NewOrganization, NewRepository, NewUser, NewUserInformation, Organization,
    PasswordHash, Repository, RepositoryPath, ShortText, Text, Timestamp, User, UserInformation,
    chrono::TimeDelta,
};
use containerpub_ports::Stores;

/// The instant every fixture clock starts at: 2025-01-01T00:00:00Z, in Unix microseconds.
pub const T0_UNIX_MICROS: i64 = 1_735_689_600_000_000;

/// [`T0_UNIX_MICROS`] as a [`Timestamp`].
#[must_use]
pub fn t0() -> Timestamp {
    Timestamp::from_unix_micros("t0", T0_UNIX_MICROS).expect("T0 is in range")
}

/// A new [`ManualClock`] showing [`t0`], to wire into a store under test.
#[must_use]
pub fn start_clock() -> ManualClock {
    ManualClock::new(t0())
}

/// [`t0`] plus `seconds`.
pub fn at(seconds: i64) -> Timestamp {
    t0().saturating_add(TimeDelta::seconds(seconds))
}

/// [`t0`] plus `micros` microseconds.
pub fn at_micros(micros: i64) -> Timestamp {
    t0().saturating_add(TimeDelta::microseconds(micros))
}

/// A valid entity name (function, organization), `name` as the field.
pub fn name(s: &str) -> EntityName {
    EntityName::new("name", s).expect("valid name")
}

/// A valid text (`text` as the field).
pub fn text(s: &str) -> Text {
    Text::new("text", s).expect("valid text")
}

/// A valid short text (`text` as the field).
pub fn short(s: &str) -> ShortText {
    ShortText::new("text", s).expect("valid short text")
}

/// A valid code (`code` as the field).
pub fn code(s: &str) -> Code {
    Code::new("code", s).expect("valid code")
}

/// A valid e-mail address.
pub fn email(s: &str) -> Email {
    Email::parse(s).expect("valid e-mail")
}

/// A valid repository path.
pub fn path(s: &str) -> RepositoryPath {
    RepositoryPath::parse(s).expect("valid path")
}

/// A valid password hash.
pub fn hash(s: &str) -> PasswordHash {
    PasswordHash::new(s).expect("valid hash")
}

/// A valid duration in milliseconds.
pub fn ms(v: i32) -> DurationMs {
    DurationMs::new(v).expect("valid duration")
}

/// A valid JSON value (`analysis_result` as the field).
pub fn json(v: serde_json::Value) -> Json {
    Json::new("analysis_result", v).expect("valid JSON")
}

/// A new user with this address and nothing else.
pub fn new_user(address: &str) -> NewUser {
    NewUser::new(email(address))
}

/// Inserts a user with this address through `db`.
pub async fn user<S: Stores + ?Sized>(db: &S, address: &str) -> User {
    db.users()
        .insert(new_user(address))
        .await
        .expect("seed user")
}

/// The users [`cast`] inserts, in order; each has the address `<name>@example.com`.
pub const CAST: [&str; 7] = ["ada", "bob", "carol", "dave", "erin", "frank", "grace"];

/// Inserts the first `N` (at most 7) users of [`CAST`] through `db`, in order (so `let [ada, bob] =
/// cast(db).await` is ada@example.com, then bob@example.com).
pub async fn cast<S: Stores + ?Sized, const N: usize>(db: &S) -> [User; N] {
    let mut inserted = Vec::with_capacity(N);
    for name in &CAST[..N] {
        inserted.push(user(db, &format!("{name}@example.com")).await);
    }
    inserted.try_into().expect("N users")
}

/// Inserts `user`'s profile with this first name through `db`.
pub async fn profile<S: Stores + ?Sized>(db: &S, user: &User, first_name: &str) -> UserInformation {
    let new = NewUserInformation {
        first_name: Some(short(first_name)),
        ..NewUserInformation::new(user.uuid)
    };
    db.user_information()
        .insert(new)
        .await
        .expect("seed profile")
}

/// Inserts a function of `owner` named `fname` through `db`.
pub async fn function<S: Stores + ?Sized>(db: &S, owner: &User, fname: &str) -> Function {
    db.functions()
        .insert(NewFunction::new(owner.id, name(fname)))
        .await
        .expect("seed function")
}

/// Inserts one function per name, owned by `owner`, with one `insert_many` through `db`; the
/// rows come back in the order of `names`.
pub async fn functions_named<S: Stores + ?Sized>(
    db: &S,
    owner: &User,
    names: &[&str],
) -> Vec<Function> {
    db.functions()
        .insert_many(
            names
                .iter()
                .map(|n| NewFunction::new(owner.id, name(n)))
                .collect(),
        )
        .await
        .expect("seed functions")
}

/// Creates `function`'s next deployment version through `db`.
pub async fn deployment<S: Stores + ?Sized>(db: &S, function: &Function) -> Deployment {
    db.deployments()
        .create_next_version(NewDeployment::new(function.id))
        .await
        .expect("seed deployment")
}

/// Creates an organization named `oname`, owned by `owner`, through `db`.
pub async fn organization<S: Stores + ?Sized>(db: &S, oname: &str, owner: &User) -> Organization {
    db.organizations()
        .create_with_owner(NewOrganization::new(name(oname), owner.uuid))
        .await
        .expect("seed organization")
        .0
}

/// Creates the repository at path `p` through `db`.
pub async fn repository<S: Stores + ?Sized>(db: &S, p: &str) -> Repository {
    db.repositories()
        .create(NewRepository::new(path(p)))
        .await
        .expect("seed repository")
}

/// User number `n` of a bulk load: the address `<tag><n>@bench.example` and a password hash
/// derived from `n` (the columns a PostgreSQL seed row has), so every `(tag, n)` is distinct.
#[must_use]
pub fn numbered_user(tag: &str, n: usize) -> NewUser {
    new_user(&format!("{tag}{n}@bench.example"))
        .with_password_hash(hash(&format!("$argon2id$v=19$m=19456,t=2,p=1${n:032x}")))
}

/// [`numbered_user`] `n` of the benchmark's insert series (tag `series-`).
#[must_use]
pub fn series_user(n: usize) -> NewUser {
    numbered_user("series-", n)
}
