//! The migrations create exactly `docs/SCHEMA.md`, round-trip through `down`, agree with the seed's
//! tables; and the PostgreSQL harness (`containerpub_tests::pg`) works as documented.

use std::time::{Duration, Instant};

use containerpub_tests::pg::{self, Cluster, ClusterConfig, TestDatabase};
use sqlx::{Connection, PgConnection, Row};

/// The nine tables of `docs/SCHEMA.md`, in its order, each with the type of its `id`
/// key (`SERIAL` integer or `BIGSERIAL` bigint) and its columns after `id` and `uuid` (every
/// table but `organization_members` has a `uuid`). A column is written as the catalog prints it
/// (`name type [NOT NULL] [DEFAULT …]`); a bare name is a timestamp defaulting to
/// `timezone('UTC', now())`, the contract's `now()` held in UTC, NOT NULL.
#[rustfmt::skip]
const COLUMNS: [(&str, &str, &[&str]); 9] = [
    ("users", "integer", &[
        "email character varying(255) NOT NULL",
        "password_hash character varying(255)",
        "created_at", "updated_at",
    ]),
    ("functions", "integer", &[
        "user_id integer NOT NULL",
        "name character varying(255) NOT NULL",
        "status character varying(50) NOT NULL DEFAULT 'active'::character varying",
        "active_deployment_id integer",
        "analysis_result jsonb",
        "created_at", "updated_at",
    ]),
    ("function_deployments", "integer", &[
        "function_id integer NOT NULL",
        "version integer NOT NULL",
        "image_tag character varying(255)",
        "s3_key character varying(500)",
        "status character varying(50) NOT NULL DEFAULT 'pending'::character varying",
        "is_active boolean NOT NULL DEFAULT false",
        "build_logs text",
        "deployed_at",
    ]),
    ("function_logs", "bigint", &[
        "function_id integer NOT NULL",
        "level character varying(20) NOT NULL",
        "message text NOT NULL",
        "timestamp",
    ]),
    ("function_invocations", "bigint", &[
        "function_id integer NOT NULL",
        "status character varying(50) NOT NULL",
        "duration_ms integer NOT NULL",
        "error text",
        "timestamp",
    ]),
    ("user_information", "integer", &[
        "user_id uuid NOT NULL",
        "first_name character varying(100)", "last_name character varying(100)",
        "phone_number character varying(20)",
        "country character varying(100)", "city character varying(100)",
        "address text", "zip_code character varying(20)", "avatar text",
        "role character varying(50) NOT NULL DEFAULT 'developer'::character varying",
        "created_at", "updated_at",
    ]),
    ("organizations", "integer", &[
        "name character varying(255) NOT NULL",
        "owner_id uuid NOT NULL",
        "created_at", "updated_at",
    ]),
    ("organization_members", "integer", &[
        "organization_id uuid NOT NULL",
        "user_id uuid NOT NULL",
        "joined_at",
    ]),
    ("repositories", "integer", &[
        "name character varying(255) NOT NULL",
        "path text NOT NULL",
        "parent_id integer",
        "created_at", "updated_at",
        "deleted_at timestamp without time zone",
    ]),
];

/// The nine table names, as `COLUMNS` writes them: the test's own list, not the migration
/// crate's, so that a table missing from both the migrations and `adopt::spec` still fails.
fn table_names() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().map(|(table, _, _)| *table)
}

/// The one table without a `uuid` column.
const NO_UUID: &str = "organization_members";

/// The expected `column_lines`: each table's `id`, `uuid` and `COLUMNS`, in table-name order
/// (as information_schema lists them), each table's columns in their order.
fn expected_columns() -> Vec<String> {
    let mut tables = COLUMNS.to_vec();
    tables.sort_by_key(|(table, _, _)| *table);
    let mut lines = Vec::new();
    for (table, key, columns) in tables {
        lines.push(format!(
            "{table}.id {key} NOT NULL DEFAULT nextval('{table}_id_seq'::regclass)"
        ));
        if table != NO_UUID {
            lines.push(format!(
                "{table}.uuid uuid NOT NULL DEFAULT gen_random_uuid()"
            ));
        }
        for column in columns {
            lines.push(if column.contains(' ') {
                format!("{table}.{column}")
            } else {
                format!(
                    "{table}.{column} timestamp without time zone NOT NULL \
                     DEFAULT timezone('UTC'::text, now())"
                )
            });
        }
    }
    lines
}

/// The constraints beyond each table's `{table}_pkey` `PRIMARY KEY (id)` and (but for
/// `organization_members`) `{table}_uuid_key` `UNIQUE (uuid)`: (table, name, definition).
#[rustfmt::skip]
const CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("users", "users_email_key", "UNIQUE (email)"),

    ("functions", "functions_user_id_name_key", "UNIQUE (user_id, name)"),
    ("functions", "functions_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"),
    ("functions", "functions_active_deployment_id_fkey", "FOREIGN KEY (active_deployment_id) REFERENCES function_deployments(id) ON DELETE SET NULL"),

    ("function_deployments", "function_deployments_function_id_version_key", "UNIQUE (function_id, version)"),
    ("function_deployments", "function_deployments_version_check", "CHECK ((version > 0))"),
    ("function_deployments", "function_deployments_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("function_logs", "function_logs_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("function_invocations", "function_invocations_duration_ms_check", "CHECK ((duration_ms >= 0))"),
    ("function_invocations", "function_invocations_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("user_information", "user_information_user_id_key", "UNIQUE (user_id)"),
    ("user_information", "user_information_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE"),

    ("organizations", "organizations_name_key", "UNIQUE (name)"),
    ("organizations", "organizations_owner_id_fkey", "FOREIGN KEY (owner_id) REFERENCES users(uuid) ON DELETE RESTRICT"),

    ("organization_members", "organization_members_user_id_key", "UNIQUE (user_id)"),
    ("organization_members", "organization_members_organization_id_fkey", "FOREIGN KEY (organization_id) REFERENCES organizations(uuid) ON DELETE CASCADE"),
    ("organization_members", "organization_members_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE"),

    ("repositories", "repositories_parent_id_fkey", "FOREIGN KEY (parent_id) REFERENCES repositories(id) ON DELETE CASCADE"),
];

/// Every primary-key, unique, check and foreign-key constraint: (table, name, definition).
fn expected_constraints() -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    for table in table_names() {
        all.push((
            table.into(),
            format!("{table}_pkey"),
            "PRIMARY KEY (id)".into(),
        ));
        if table != NO_UUID {
            all.push((
                table.into(),
                format!("{table}_uuid_key"),
                "UNIQUE (uuid)".into(),
            ));
        }
    }
    let listed = CONSTRAINTS
        .iter()
        .map(|&(t, name, def)| (t.into(), name.into(), def.into()));
    all.extend(listed);
    all
}

/// The indexes that are not a primary key's or a unique constraint's (those have the
/// constraint's name and columns): (table, name, columns and predicate after `USING btree`,
/// unique).
#[rustfmt::skip]
const INDEXES: &[(&str, &str, &str, bool)] = &[
    ("functions", "functions_user_id_idx", "(user_id)", false),
    ("functions", "functions_active_deployment_id_idx", "(active_deployment_id)", false),

    ("function_deployments", "function_deployments_function_id_active_key", "(function_id) WHERE is_active", true),
    ("function_deployments", "function_deployments_function_id_idx", "(function_id)", false),
    ("function_deployments", "function_deployments_is_active_idx", "(is_active)", false),
    ("function_deployments", "function_deployments_version_idx", "(version)", false),

    ("function_logs", "function_logs_function_id_timestamp_idx", "(function_id, \"timestamp\")", false),
    ("function_logs", "function_logs_timestamp_idx", "(\"timestamp\")", false),

    ("function_invocations", "function_invocations_function_id_timestamp_idx", "(function_id, \"timestamp\")", false),
    ("function_invocations", "function_invocations_timestamp_idx", "(\"timestamp\")", false),

    ("user_information", "user_information_role_idx", "(role)", false),
    ("organizations", "organizations_owner_id_idx", "(owner_id)", false),
    ("organization_members", "organization_members_organization_id_idx", "(organization_id)", false),

    ("repositories", "repositories_path_live_key", "(path) WHERE (deleted_at IS NULL)", true),
    ("repositories", "repositories_parent_id_idx", "(parent_id)", false),
    // Case-insensitive lookups (m20251203_000011).
    ("users", "users_email_ci_idx", "(lower(((email)::text COLLATE \"C\")))", false),
    ("organizations", "organizations_name_ci_idx", "(lower(((name)::text COLLATE \"C\")))", false),
    ("functions", "functions_name_ci_idx", "(lower(((name)::text COLLATE \"C\")))", false),
];

/// Every index as `pg_indexes` prints it: one per primary key and unique constraint, then
/// `INDEXES`.
fn expected_indexes() -> Vec<String> {
    let index = |table: &str, name: &str, columns: &str, unique: bool| {
        let unique = if unique { "UNIQUE " } else { "" };
        format!("CREATE {unique}INDEX {name} ON public.{table} USING btree {columns}")
    };
    let mut all = Vec::new();
    for (table, name, def) in expected_constraints() {
        let columns = def
            .strip_prefix("PRIMARY KEY ")
            .or(def.strip_prefix("UNIQUE "));
        if let Some(columns) = columns {
            all.push(index(&table, &name, columns, true));
        }
    }
    let listed = INDEXES
        .iter()
        .map(|&(t, name, columns, unique)| index(t, name, columns, unique));
    all.extend(listed);
    all
}

/// Asserts two lists of catalog lines are equal, naming the lines that differ.
#[track_caller]
fn assert_lines(what: &str, actual: &[String], expected: &[String]) {
    if actual == expected {
        return;
    }
    let missing: Vec<&String> = expected.iter().filter(|l| !actual.contains(l)).collect();
    let unexpected: Vec<&String> = actual.iter().filter(|l| !expected.contains(l)).collect();
    panic!(
        "{what} differ from docs/SCHEMA.md\n  expected but missing: {missing:#?}\n  \
         present but not expected: {unexpected:#?}\n  (if both are empty, the order differs)\n\
         actual: {actual:#?}"
    );
}

/// Sorted copy, so that lists compare regardless of catalog order.
fn sorted(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines
}

async fn strings(conn: &mut PgConnection, sql: &'static str) -> Vec<String> {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_all(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// `(table.column type, [ NOT NULL][ DEFAULT …][ IDENTITY])` for every column of the public
/// tables but `seaql_migrations`, in table-name then column order.
async fn columns(conn: &mut PgConnection) -> Vec<(String, String)> {
    let sql = "SELECT table_name || '.' || column_name || ' '
                      || CASE WHEN character_maximum_length IS NULL THEN data_type
                              ELSE data_type || '(' || character_maximum_length || ')' END,
                  CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
                      || COALESCE(' DEFAULT ' || column_default, '')
                      || CASE WHEN is_identity = 'YES' THEN ' IDENTITY' ELSE '' END
               FROM information_schema.columns
               WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'
               ORDER BY table_name, ordinal_position";
    sqlx::query_as(sql)
        .fetch_all(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// `table.column type [NOT NULL] [DEFAULT …]`, for every column (see `columns`).
async fn column_lines(conn: &mut PgConnection) -> Vec<String> {
    let columns = columns(conn).await;
    columns
        .into_iter()
        .map(|(column, rest)| column + &rest)
        .collect()
}

#[tokio::test]
async fn migrated_schema_is_exactly_schema_md() {
    let db = TestDatabase::new().await;
    let mut conn = db.connect().await;

    // Tables: the nine, plus the migrator's bookkeeping table.
    let tables = strings(
        &mut conn,
        "SELECT relname::text FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f')
         ORDER BY 1",
    )
    .await;
    let mut expected: Vec<String> = table_names().map(str::to_owned).collect();
    expected.push("seaql_migrations".into());
    assert_eq!(tables, sorted(expected));

    // Columns: name, type (with varchar length), nullability, default; no identity column.
    let columns = column_lines(&mut conn).await;
    assert_lines("columns", &columns, &expected_columns());

    // Keys: sequence-backed SERIAL/BIGSERIAL, not identity columns.
    let keys = strings(
        &mut conn,
        "SELECT c.relname || ' ' || format_type(a.atttypid, a.atttypmod)
                || ' identity=' || quote_literal(a.attidentity::text)
                || ' seq=' || COALESCE(pg_get_serial_sequence(c.relname::text, 'id'), '-')
                || ' seqtype=' || COALESCE(s.data_type::text, '-')
                || ' default=' || pg_get_expr(d.adbin, d.adrelid)
         FROM pg_class c
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id'
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         LEFT JOIN pg_sequences s
                ON s.schemaname = 'public' AND s.sequencename = c.relname || '_id_seq'
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           AND c.relname <> 'seaql_migrations'
         ORDER BY 1",
    )
    .await;
    let expected: Vec<String> = COLUMNS
        .iter()
        .map(|(t, ty, _)| {
            format!(
                "{t} {ty} identity='' seq=public.{t}_id_seq seqtype={ty} \
                 default=nextval('{t}_id_seq'::regclass)"
            )
        })
        .collect();
    assert_lines("id keys", &keys, &sorted(expected));
    let sequences = strings(
        &mut conn,
        "SELECT sequencename::text FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
    )
    .await;
    let expected: Vec<String> = table_names().map(|t| format!("{t}_id_seq")).collect();
    assert_eq!(
        sequences,
        sorted(expected),
        "exactly one sequence per table"
    );

    // Constraints, by name, with their definitions (ON DELETE actions included). NOT NULL is
    // checked with the columns (PostgreSQL 18 also lists it here, as contype 'n').
    let constraints = strings(
        &mut conn,
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
         FROM pg_constraint
         WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f', 'c', 'x', 't')
           AND conrelid <> 'seaql_migrations'::regclass
         ORDER BY 1",
    )
    .await;
    let expected: Vec<String> = expected_constraints()
        .into_iter()
        .map(|(t, name, def)| format!("{t} {name} {def}"))
        .collect();
    assert_lines("constraints", &constraints, &sorted(expected));
    let deferrable = strings(
        &mut conn,
        "SELECT conname::text FROM pg_constraint
         WHERE connamespace = 'public'::regnamespace AND (condeferrable OR condeferred)",
    )
    .await;
    assert!(
        deferrable.is_empty(),
        "deferrable constraints: {deferrable:?}"
    );

    // Indexes, by name, with their full definitions (partial predicates included).
    let indexes = strings(
        &mut conn,
        "SELECT indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename <> 'seaql_migrations'
         ORDER BY 1",
    )
    .await;
    assert_lines("indexes", &indexes, &sorted(expected_indexes()));

    // Nothing else: no triggers, functions, views, types or extensions of ours.
    let extras = strings(
        &mut conn,
        "SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
         UNION ALL SELECT 'function ' || proname FROM pg_proc
           WHERE pronamespace = 'public'::regnamespace
         UNION ALL SELECT 'type ' || typname FROM pg_type
           WHERE typnamespace = 'public'::regnamespace AND typtype NOT IN ('c', 'b')
         UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'",
    )
    .await;
    assert!(extras.is_empty(), "unexpected objects: {extras:?}");

    // The migrator recorded every migration.
    let applied = containerpub_migration::applied(db.url()).await.unwrap();
    assert_eq!(applied, containerpub_migration::names());
    conn.close().await.unwrap();
    db.drop_db().await;
}

#[tokio::test]
async fn timestamp_defaults_hold_utc_whatever_the_session_time_zone() {
    let db = TestDatabase::new().await;
    let mut conn = db.connect().await;
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SET LOCAL TIME ZONE 'America/New_York'")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO users (email) VALUES ('tz@example.com')")
        .execute(&mut *tx)
        .await
        .unwrap();
    // In one transaction now() is constant: the default must equal now() read in UTC, and
    // differ from the local wall-clock time (New York is never at UTC+0).
    let row = sqlx::query(
        "SELECT created_at = (now() AT TIME ZONE 'UTC'), created_at = now()::timestamp,
                created_at = updated_at
         FROM users WHERE email = 'tz@example.com'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert!(row.get::<bool, _>(0), "created_at must hold UTC");
    assert!(
        !row.get::<bool, _>(1),
        "created_at must not hold the session's local time"
    );
    assert!(row.get::<bool, _>(2));
    tx.rollback().await.unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn up_down_up_leaves_the_schema_of_one_up() {
    let once = TestDatabase::new().await; // the template: one `up` on an empty database
    let trip = TestDatabase::empty().await;
    let url = trip.url();

    containerpub_migration::up(url).await.unwrap();
    containerpub_migration::up(url).await.unwrap(); // nothing pending: a no-op
    containerpub_migration::down_all(url).await.unwrap();

    // Every `down` undoes its `up` completely: only the migrator's table is left, empty.
    let mut conn = trip.connect().await;
    let left = strings(
        &mut conn,
        "SELECT relkind::text || ' ' || relname FROM pg_class
         WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
    )
    .await;
    assert_eq!(left, ["i seaql_migrations_pkey", "r seaql_migrations"]);
    conn.close().await.unwrap();
    assert!(
        containerpub_migration::applied(url)
            .await
            .unwrap()
            .is_empty()
    );

    containerpub_migration::up(url).await.unwrap();
    let once_dump = once.dump_schema().await;
    let trip_dump = trip.dump_schema().await;
    assert!(once_dump.contains("CREATE TABLE public.function_deployments"));
    assert_eq!(trip_dump, once_dump);

    // One step back and forth, then a reset, which also drops the bookkeeping table.
    containerpub_migration::down(url, Some(1)).await.unwrap();
    let applied = containerpub_migration::applied(url).await.unwrap();
    assert_eq!(applied.len(), containerpub_migration::names().len() - 1);
    containerpub_migration::up(url).await.unwrap();
    assert_eq!(trip.dump_schema().await, once_dump);
    containerpub_migration::reset(url).await.unwrap();
    let mut conn = trip.connect().await;
    let left = strings(
        &mut conn,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    )
    .await;
    assert!(left.is_empty(), "left after reset: {left:?}");
    conn.close().await.unwrap();
}

/// The nine tables as the seed document lists them: plain `CREATE TABLE`s with its column
/// names and types (`repositories` from `docs/SCHEMA.md` section 9), no constraints.
const SEED_TABLES: &str = "
CREATE TABLE users (
    id SERIAL PRIMARY KEY, uuid UUID, email VARCHAR(255), password_hash VARCHAR(255),
    created_at TIMESTAMP, updated_at TIMESTAMP);
CREATE TABLE functions (
    id SERIAL PRIMARY KEY, uuid UUID, user_id INTEGER, name VARCHAR(255), status VARCHAR(50),
    active_deployment_id INTEGER, analysis_result JSONB, created_at TIMESTAMP,
    updated_at TIMESTAMP);
CREATE TABLE function_deployments (
    id SERIAL PRIMARY KEY, uuid UUID, function_id INTEGER, version INTEGER,
    image_tag VARCHAR(255), s3_key VARCHAR(500), status VARCHAR(50), is_active BOOLEAN,
    build_logs TEXT, deployed_at TIMESTAMP);
CREATE TABLE function_logs (
    id SERIAL PRIMARY KEY, uuid UUID, function_id INTEGER, level VARCHAR(20), message TEXT,
    timestamp TIMESTAMP);
CREATE TABLE function_invocations (
    id SERIAL PRIMARY KEY, uuid UUID, function_id INTEGER, status VARCHAR(50),
    duration_ms INTEGER, error TEXT, timestamp TIMESTAMP);
CREATE TABLE user_information (
    id SERIAL PRIMARY KEY, uuid UUID, user_id UUID, first_name VARCHAR(100),
    last_name VARCHAR(100), phone_number VARCHAR(20), country VARCHAR(100), city VARCHAR(100),
    address TEXT, zip_code VARCHAR(20), avatar TEXT, role VARCHAR(50), created_at TIMESTAMP,
    updated_at TIMESTAMP);
CREATE TABLE organizations (
    id SERIAL PRIMARY KEY, uuid UUID, name VARCHAR(255), owner_id UUID, created_at TIMESTAMP,
    updated_at TIMESTAMP);
CREATE TABLE organization_members (
    id SERIAL PRIMARY KEY, organization_id UUID, user_id UUID, joined_at TIMESTAMP);
CREATE TABLE repositories (
    id SERIAL PRIMARY KEY, uuid UUID, name VARCHAR(255), path TEXT, parent_id INTEGER,
    created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP);
";

/// `table.column type(len)` of every column, in table-name then column order.
async fn column_types(db: &TestDatabase) -> Vec<String> {
    let mut conn = db.connect().await;
    let columns = columns(&mut conn).await;
    conn.close().await.unwrap();
    columns.into_iter().map(|(column, _)| column).collect()
}

#[tokio::test]
async fn migrated_tables_agree_with_the_seed_tables() {
    let seed = TestDatabase::empty().await;
    seed.execute(SEED_TABLES).await;
    let migrated = TestDatabase::new().await;

    let seed_columns = column_types(&seed).await;
    let migrated_columns = column_types(&migrated).await;
    assert_eq!(seed_columns.len(), expected_columns().len());
    assert_eq!(migrated_columns.len(), expected_columns().len());

    // Same columns, in the same order; the types differ exactly where docs/SCHEMA.md says
    // "(added: 64-bit)".
    let name = |line: &str| line.split(' ').next().unwrap().to_owned();
    let seed_names: Vec<String> = seed_columns.iter().map(|l| name(l)).collect();
    let migrated_names: Vec<String> = migrated_columns.iter().map(|l| name(l)).collect();
    assert_eq!(migrated_names, seed_names);
    let differences: Vec<(String, String)> = seed_columns
        .into_iter()
        .zip(migrated_columns)
        .filter(|(s, m)| s != m)
        .collect();
    assert_eq!(
        differences,
        [
            (
                "function_invocations.id integer".to_owned(),
                "function_invocations.id bigint".to_owned()
            ),
            (
                "function_logs.id integer".to_owned(),
                "function_logs.id bigint".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn fixtures_load_by_plain_sql() {
    let db = TestDatabase::new().await;
    db.load_fixtures(&["users", "functions", "function_deployments", "repositories"])
        .await;
    let mut conn = db.connect().await;

    let count = async |conn: &mut PgConnection, table: &str| -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(conn)
            .await
            .unwrap()
    };
    assert_eq!(count(&mut conn, "users").await, 3);
    assert_eq!(count(&mut conn, "functions").await, 4);
    assert_eq!(count(&mut conn, "function_deployments").await, 4);
    assert_eq!(count(&mut conn, "repositories").await, 6);

    // Relations hold: owners, the active deployment of each function.
    let rows: Vec<(String, String, Option<i32>)> = sqlx::query_as(
        "SELECT u.email::text, f.name::text, d.version
         FROM functions f JOIN users u ON u.id = f.user_id
         LEFT JOIN function_deployments d ON d.id = f.active_deployment_id
         ORDER BY f.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("ada@example.com".into(), "hello-world".into(), Some(2)),
            ("ada@example.com".into(), "image-resize".into(), Some(1)),
            ("grace@example.com".into(), "hello-world".into(), None),
            ("grace@example.com".into(), "nightly-report".into(), None),
        ]
    );
    let worker_parent: String = sqlx::query_scalar(
        "SELECT p.path FROM repositories r JOIN repositories p ON p.id = r.parent_id
         WHERE r.path = 'acme/api/worker'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(worker_parent, "acme/api");

    // The sequences were moved past the explicit ids.
    let next_user: i32 =
        sqlx::query_scalar("INSERT INTO users (email) VALUES ('new@example.com') RETURNING id")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(next_user, 4);
    let next_repo: i32 = sqlx::query_scalar(
        "INSERT INTO repositories (name, path) VALUES ('old', 'acme/old') RETURNING id",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(next_repo, 7, "a soft-deleted path can be created again");

    // The schema's rules apply to fixture rows: a second active deployment is refused, and
    // deleting a user cascades through functions to deployments across the FK cycle.
    let second_active = sqlx::query(
        "INSERT INTO function_deployments (function_id, version, is_active) VALUES (1, 3, true)",
    )
    .execute(&mut conn)
    .await
    .unwrap_err();
    let constraint = second_active
        .as_database_error()
        .and_then(|e| e.constraint().map(str::to_owned));
    assert_eq!(
        constraint.as_deref(),
        Some("function_deployments_function_id_active_key")
    );
    sqlx::query("DELETE FROM users WHERE id = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(count(&mut conn, "functions").await, 2);
    assert_eq!(count(&mut conn, "function_deployments").await, 1);
    conn.close().await.unwrap();
}

async fn database_exists(admin: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(admin)
        .await
        .unwrap()
}

#[tokio::test]
async fn test_databases_are_independent_and_dropped() {
    let a = TestDatabase::new().await;
    let b = TestDatabase::new().await;
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());

    a.execute(
        "INSERT INTO users (email) VALUES ('only-in-a@example.com');
         CREATE TABLE scratch (x INTEGER);",
    )
    .await;
    let mut conn_b = b.connect().await;
    let users_b: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut conn_b)
        .await
        .unwrap();
    assert_eq!(users_b, 0);
    let scratch_b: Option<String> = sqlx::query_scalar("SELECT to_regclass('scratch')::text")
        .fetch_one(&mut conn_b)
        .await
        .unwrap();
    assert_eq!(scratch_b, None);

    let mut admin = PgConnection::connect(&pg::admin_url().await).await.unwrap();
    let (a_name, b_name) = (a.name().to_owned(), b.name().to_owned());
    assert!(database_exists(&mut admin, &a_name).await);
    assert!(database_exists(&mut admin, &b_name).await);

    // Explicitly, even with a session still open on it; then through Drop.
    a.drop_db().await;
    assert!(!database_exists(&mut admin, &a_name).await);
    drop(b);
    assert!(!database_exists(&mut admin, &b_name).await);
    let _ = conn_b.close().await; // its database is gone: the session was ended

    // Also when the test using it panics.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let c = TestDatabase::new().await;
        tx.send(c.name().to_owned()).unwrap();
        panic!("deliberate panic with a TestDatabase alive");
    });
    assert!(task.await.unwrap_err().is_panic());
    let c_name = rx.await.unwrap();
    assert!(!database_exists(&mut admin, &c_name).await);

    // The template is not connectable, so copies can always be made from it.
    let template: Vec<(String, bool)> = sqlx::query_as(
        "SELECT datname::text, datallowconn FROM pg_database WHERE datname LIKE 'cp\\_tmpl\\_%'
         AND datname LIKE '%\\_' || $1 || '\\_%'",
    )
    .bind(std::process::id().to_string())
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(template.len(), 1, "{template:?}");
    assert!(!template[0].1);
    admin.close().await.unwrap();
}

/// The value in the one row of the table `kept` of the server at `url`.
async fn kept(url: &str) -> i32 {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let x = sqlx::query_scalar("SELECT x FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    x
}

#[tokio::test]
async fn cluster_starts_restarts_stops_and_is_removed() {
    let cluster = Cluster::start().await;
    assert!(cluster.is_running());
    let url = cluster.url("postgres");
    assert!(url.starts_with("postgres://postgres@127.0.0.1:"));

    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (42);")
        .execute(&mut conn)
        .await
        .unwrap();
    let listen: String = sqlx::query_scalar("SHOW listen_addresses")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(listen, "127.0.0.1");
    conn.close().await.unwrap();

    cluster.restart().await;
    assert_eq!(kept(&url).await, 42);

    cluster.stop().await;
    assert!(!cluster.is_running());
    assert!(PgConnection::connect(&url).await.is_err());
    cluster.start_again().await;
    assert_eq!(kept(&url).await, 42);
    cluster.stop().await;

    let data_dir = cluster.data_dir().to_path_buf();
    assert!(data_dir.join("PG_VERSION").exists());
    drop(cluster);
    assert!(!data_dir.exists(), "{} was not removed", data_dir.display());
}

#[tokio::test]
async fn cluster_streaming_replica_follows_its_primary() {
    let primary = Cluster::start_with(ClusterConfig::replication_primary()).await;
    let mut conn = PgConnection::connect(&primary.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .execute(&mut conn)
        .await
        .unwrap();

    let replica = Cluster::start_replica_of(&primary, ClusterConfig::new()).await;
    assert_ne!(replica.port(), primary.port());
    sqlx::query("INSERT INTO t VALUES (2)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let mut standby = PgConnection::connect(&replica.url("postgres"))
        .await
        .unwrap();
    let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut standby)
        .await
        .unwrap();
    assert!(in_recovery);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut standby)
            .await
            .unwrap();
        if n == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    standby.close().await.unwrap();
    let dirs = [
        primary.data_dir().to_path_buf(),
        replica.data_dir().to_path_buf(),
    ];
    drop(replica);
    drop(primary);
    assert!(dirs.iter().all(|d| !d.exists()));
}

/// A catalog column's name, checked to belong to `table`.
fn catalog_column(table: containerpub_ports::Table, column: containerpub_ports::Column) -> String {
    assert_eq!(column.table(), table, "{column:?}");
    column.name().to_owned()
}

/// The ports' schema catalog agrees with the migrated schema, both ways: every unique key
/// (constraint or unique index, with its columns in order and its partial predicate), every
/// foreign key (column, referenced table and column, `ON DELETE` action) and every check
/// constraint of the database is in the catalog, and nothing else is.
#[tokio::test]
async fn the_ports_catalog_is_exactly_the_migrated_constraints() {
    use containerpub_ports::{CheckConstraint, ForeignKey, OnDelete, Predicate, UniqueKey};

    let db = TestDatabase::new().await;
    let mut conn = db.connect().await;

    // Unique keys: every unique index but the primary keys (a unique constraint's index has
    // the constraint's name).
    let actual = strings(
        &mut conn,
        "SELECT c.relname || ' ' || i.relname || '('
                || array_to_string(array(
                       SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                       ORDER BY k.n), ',')
                || ')' || COALESCE(' WHERE ' || pg_get_expr(x.indpred, x.indrelid), '')
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class c ON c.oid = x.indrelid
         WHERE x.indisunique AND NOT x.indisprimary
           AND c.relnamespace = 'public'::regnamespace AND c.relname <> 'seaql_migrations'",
    )
    .await;
    let expected: Vec<String> = UniqueKey::ALL
        .iter()
        .map(|key| {
            let columns: Vec<String> = key
                .columns()
                .iter()
                .map(|c| catalog_column(key.table(), *c))
                .collect();
            let predicate = match key.predicate() {
                None => String::new(),
                Some(Predicate::IsTrue(flag)) => {
                    format!(" WHERE {}", catalog_column(key.table(), flag))
                }
                Some(Predicate::Live) => " WHERE (deleted_at IS NULL)".to_owned(),
            };
            format!(
                "{} {}({}){predicate}",
                key.table(),
                key.constraint_name(),
                columns.join(",")
            )
        })
        .collect();
    assert_lines("catalog unique keys", &sorted(actual), &sorted(expected));

    // Foreign keys: one column each, the referenced column, the ON DELETE action.
    let actual = strings(
        &mut conn,
        "SELECT c.relname || ' ' || con.conname || '(' || a.attname || ') -> '
                || p.relname || '(' || pa.attname || ') ON DELETE ' || con.confdeltype::text
                || CASE WHEN cardinality(con.conkey) = 1 THEN '' ELSE ' (multi-column)' END
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_class p ON p.oid = con.confrelid
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = con.confkey[1]
         WHERE con.contype = 'f' AND c.relnamespace = 'public'::regnamespace",
    )
    .await;
    let expected: Vec<String> = ForeignKey::ALL
        .iter()
        .map(|key| {
            let action = match key.on_delete() {
                OnDelete::Cascade => 'c',
                OnDelete::SetNull => 'n',
                OnDelete::Restrict => 'r',
            };
            format!(
                "{} {}({}) -> {}({}) ON DELETE {action}",
                key.table(),
                key.constraint_name(),
                catalog_column(key.table(), key.column()),
                key.parent(),
                key.target().column_name(),
            )
        })
        .collect();
    assert_lines("catalog foreign keys", &sorted(actual), &sorted(expected));

    // Check constraints.
    let actual = strings(
        &mut conn,
        "SELECT c.relname || ' ' || con.conname || '('
                || array_to_string(array(
                       SELECT a.attname FROM unnest(con.conkey) AS k(attnum)
                       JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                       ORDER BY 1), ',') || ')'
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         WHERE con.contype = 'c' AND c.relnamespace = 'public'::regnamespace",
    )
    .await;
    let expected: Vec<String> = CheckConstraint::ALL
        .iter()
        .map(|check| {
            format!(
                "{} {}({})",
                check.table(),
                check.constraint_name(),
                catalog_column(check.table(), check.column())
            )
        })
        .collect();
    assert_lines(
        "catalog check constraints",
        &sorted(actual),
        &sorted(expected),
    );
}
