//! The migrations create exactly `docs/SCHEMA.md`, round-trip through `down`, agree with the seed's
//! tables; and the PostgreSQL harness (`containerpub_tests::pg`) works as documented.

use std::time::{Duration, Instant};

use containerpub_tests::pg::{self, Cluster, ClusterConfig, TestDatabase};
use sqlx::{Connection, PgConnection, Row};

/// The nine tables of `docs/SCHEMA.md`.
const TABLES: [&str; 9] = [
    "users",
    "functions",
    "function_deployments",
    "function_logs",
    "function_invocations",
    "user_information",
    "organizations",
    "organization_members",
    "repositories",
];

const NOW: Option<&str> = Some("timezone('UTC'::text, now())");
const GEN_UUID: Option<&str> = Some("gen_random_uuid()");
const NULL: bool = true;
const NOT_NULL: bool = false;

/// Every column of `docs/SCHEMA.md`, in table order: (table, column, type, nullable, default).
/// Timestamps default to `timezone('UTC', now())`, the contract's `now()` held in UTC.
#[rustfmt::skip]
const COLUMNS: &[(&str, &str, &str, bool, Option<&str>)] = &[
    // 1. users
    ("users", "id", "integer", NOT_NULL, Some("nextval('users_id_seq'::regclass)")),
    ("users", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("users", "email", "character varying(255)", NOT_NULL, None),
    ("users", "password_hash", "character varying(255)", NULL, None),
    ("users", "created_at", "timestamp without time zone", NOT_NULL, NOW),
    ("users", "updated_at", "timestamp without time zone", NOT_NULL, NOW),
    // 2. functions
    ("functions", "id", "integer", NOT_NULL, Some("nextval('functions_id_seq'::regclass)")),
    ("functions", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("functions", "user_id", "integer", NOT_NULL, None),
    ("functions", "name", "character varying(255)", NOT_NULL, None),
    ("functions", "status", "character varying(50)", NOT_NULL, Some("'active'::character varying")),
    ("functions", "active_deployment_id", "integer", NULL, None),
    ("functions", "analysis_result", "jsonb", NULL, None),
    ("functions", "created_at", "timestamp without time zone", NOT_NULL, NOW),
    ("functions", "updated_at", "timestamp without time zone", NOT_NULL, NOW),
    // 3. function_deployments
    ("function_deployments", "id", "integer", NOT_NULL, Some("nextval('function_deployments_id_seq'::regclass)")),
    ("function_deployments", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("function_deployments", "function_id", "integer", NOT_NULL, None),
    ("function_deployments", "version", "integer", NOT_NULL, None),
    ("function_deployments", "image_tag", "character varying(255)", NULL, None),
    ("function_deployments", "s3_key", "character varying(500)", NULL, None),
    ("function_deployments", "status", "character varying(50)", NOT_NULL, Some("'pending'::character varying")),
    ("function_deployments", "is_active", "boolean", NOT_NULL, Some("false")),
    ("function_deployments", "build_logs", "text", NULL, None),
    ("function_deployments", "deployed_at", "timestamp without time zone", NOT_NULL, NOW),
    // 4. function_logs
    ("function_logs", "id", "bigint", NOT_NULL, Some("nextval('function_logs_id_seq'::regclass)")),
    ("function_logs", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("function_logs", "function_id", "integer", NOT_NULL, None),
    ("function_logs", "level", "character varying(20)", NOT_NULL, None),
    ("function_logs", "message", "text", NOT_NULL, None),
    ("function_logs", "timestamp", "timestamp without time zone", NOT_NULL, NOW),
    // 5. function_invocations
    ("function_invocations", "id", "bigint", NOT_NULL, Some("nextval('function_invocations_id_seq'::regclass)")),
    ("function_invocations", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("function_invocations", "function_id", "integer", NOT_NULL, None),
    ("function_invocations", "status", "character varying(50)", NOT_NULL, None),
    ("function_invocations", "duration_ms", "integer", NOT_NULL, None),
    ("function_invocations", "error", "text", NULL, None),
    ("function_invocations", "timestamp", "timestamp without time zone", NOT_NULL, NOW),
    // 6. user_information
    ("user_information", "id", "integer", NOT_NULL, Some("nextval('user_information_id_seq'::regclass)")),
    ("user_information", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("user_information", "user_id", "uuid", NOT_NULL, None),
    ("user_information", "first_name", "character varying(100)", NULL, None),
    ("user_information", "last_name", "character varying(100)", NULL, None),
    ("user_information", "phone_number", "character varying(20)", NULL, None),
    ("user_information", "country", "character varying(100)", NULL, None),
    ("user_information", "city", "character varying(100)", NULL, None),
    ("user_information", "address", "text", NULL, None),
    ("user_information", "zip_code", "character varying(20)", NULL, None),
    ("user_information", "avatar", "text", NULL, None),
    ("user_information", "role", "character varying(50)", NOT_NULL, Some("'developer'::character varying")),
    ("user_information", "created_at", "timestamp without time zone", NOT_NULL, NOW),
    ("user_information", "updated_at", "timestamp without time zone", NOT_NULL, NOW),
    // 7. organizations
    ("organizations", "id", "integer", NOT_NULL, Some("nextval('organizations_id_seq'::regclass)")),
    ("organizations", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("organizations", "name", "character varying(255)", NOT_NULL, None),
    ("organizations", "owner_id", "uuid", NOT_NULL, None),
    ("organizations", "created_at", "timestamp without time zone", NOT_NULL, NOW),
    ("organizations", "updated_at", "timestamp without time zone", NOT_NULL, NOW),
    // 8. organization_members (no uuid column)
    ("organization_members", "id", "integer", NOT_NULL, Some("nextval('organization_members_id_seq'::regclass)")),
    ("organization_members", "organization_id", "uuid", NOT_NULL, None),
    ("organization_members", "user_id", "uuid", NOT_NULL, None),
    ("organization_members", "joined_at", "timestamp without time zone", NOT_NULL, NOW),
    // 9. repositories
    ("repositories", "id", "integer", NOT_NULL, Some("nextval('repositories_id_seq'::regclass)")),
    ("repositories", "uuid", "uuid", NOT_NULL, GEN_UUID),
    ("repositories", "name", "character varying(255)", NOT_NULL, None),
    ("repositories", "path", "text", NOT_NULL, None),
    ("repositories", "parent_id", "integer", NULL, None),
    ("repositories", "created_at", "timestamp without time zone", NOT_NULL, NOW),
    ("repositories", "updated_at", "timestamp without time zone", NOT_NULL, NOW),
    ("repositories", "deleted_at", "timestamp without time zone", NULL, None),
];

/// Every primary-key, unique, check and foreign-key constraint: (table, name, definition).
#[rustfmt::skip]
const CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("users", "users_pkey", "PRIMARY KEY (id)"),
    ("users", "users_uuid_key", "UNIQUE (uuid)"),
    ("users", "users_email_key", "UNIQUE (email)"),

    ("functions", "functions_pkey", "PRIMARY KEY (id)"),
    ("functions", "functions_uuid_key", "UNIQUE (uuid)"),
    ("functions", "functions_user_id_name_key", "UNIQUE (user_id, name)"),
    ("functions", "functions_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"),
    ("functions", "functions_active_deployment_id_fkey", "FOREIGN KEY (active_deployment_id) REFERENCES function_deployments(id) ON DELETE SET NULL"),

    ("function_deployments", "function_deployments_pkey", "PRIMARY KEY (id)"),
    ("function_deployments", "function_deployments_uuid_key", "UNIQUE (uuid)"),
    ("function_deployments", "function_deployments_function_id_version_key", "UNIQUE (function_id, version)"),
    ("function_deployments", "function_deployments_version_check", "CHECK ((version > 0))"),
    ("function_deployments", "function_deployments_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("function_logs", "function_logs_pkey", "PRIMARY KEY (id)"),
    ("function_logs", "function_logs_uuid_key", "UNIQUE (uuid)"),
    ("function_logs", "function_logs_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("function_invocations", "function_invocations_pkey", "PRIMARY KEY (id)"),
    ("function_invocations", "function_invocations_uuid_key", "UNIQUE (uuid)"),
    ("function_invocations", "function_invocations_duration_ms_check", "CHECK ((duration_ms >= 0))"),
    ("function_invocations", "function_invocations_function_id_fkey", "FOREIGN KEY (function_id) REFERENCES functions(id) ON DELETE CASCADE"),

    ("user_information", "user_information_pkey", "PRIMARY KEY (id)"),
    ("user_information", "user_information_uuid_key", "UNIQUE (uuid)"),
    ("user_information", "user_information_user_id_key", "UNIQUE (user_id)"),
    ("user_information", "user_information_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE"),

    ("organizations", "organizations_pkey", "PRIMARY KEY (id)"),
    ("organizations", "organizations_uuid_key", "UNIQUE (uuid)"),
    ("organizations", "organizations_name_key", "UNIQUE (name)"),
    ("organizations", "organizations_owner_id_fkey", "FOREIGN KEY (owner_id) REFERENCES users(uuid) ON DELETE RESTRICT"),

    ("organization_members", "organization_members_pkey", "PRIMARY KEY (id)"),
    ("organization_members", "organization_members_user_id_key", "UNIQUE (user_id)"),
    ("organization_members", "organization_members_organization_id_fkey", "FOREIGN KEY (organization_id) REFERENCES organizations(uuid) ON DELETE CASCADE"),
    ("organization_members", "organization_members_user_id_fkey", "FOREIGN KEY (user_id) REFERENCES users(uuid) ON DELETE CASCADE"),

    ("repositories", "repositories_pkey", "PRIMARY KEY (id)"),
    ("repositories", "repositories_uuid_key", "UNIQUE (uuid)"),
    ("repositories", "repositories_parent_id_fkey", "FOREIGN KEY (parent_id) REFERENCES repositories(id) ON DELETE CASCADE"),
];

/// Every index, including those of primary keys and unique constraints: (table, name, columns
/// and predicate after `USING btree`, unique).
#[rustfmt::skip]
const INDEXES: &[(&str, &str, &str, bool)] = &[
    ("users", "users_pkey", "(id)", true),
    ("users", "users_uuid_key", "(uuid)", true),
    ("users", "users_email_key", "(email)", true),

    ("functions", "functions_pkey", "(id)", true),
    ("functions", "functions_uuid_key", "(uuid)", true),
    ("functions", "functions_user_id_name_key", "(user_id, name)", true),
    ("functions", "functions_user_id_idx", "(user_id)", false),
    ("functions", "functions_active_deployment_id_idx", "(active_deployment_id)", false),

    ("function_deployments", "function_deployments_pkey", "(id)", true),
    ("function_deployments", "function_deployments_uuid_key", "(uuid)", true),
    ("function_deployments", "function_deployments_function_id_version_key", "(function_id, version)", true),
    ("function_deployments", "function_deployments_function_id_active_key", "(function_id) WHERE is_active", true),
    ("function_deployments", "function_deployments_function_id_idx", "(function_id)", false),
    ("function_deployments", "function_deployments_is_active_idx", "(is_active)", false),
    ("function_deployments", "function_deployments_version_idx", "(version)", false),

    ("function_logs", "function_logs_pkey", "(id)", true),
    ("function_logs", "function_logs_uuid_key", "(uuid)", true),
    ("function_logs", "function_logs_function_id_timestamp_idx", "(function_id, \"timestamp\")", false),
    ("function_logs", "function_logs_timestamp_idx", "(\"timestamp\")", false),

    ("function_invocations", "function_invocations_pkey", "(id)", true),
    ("function_invocations", "function_invocations_uuid_key", "(uuid)", true),
    ("function_invocations", "function_invocations_function_id_timestamp_idx", "(function_id, \"timestamp\")", false),
    ("function_invocations", "function_invocations_timestamp_idx", "(\"timestamp\")", false),

    ("user_information", "user_information_pkey", "(id)", true),
    ("user_information", "user_information_uuid_key", "(uuid)", true),
    ("user_information", "user_information_user_id_key", "(user_id)", true),
    ("user_information", "user_information_role_idx", "(role)", false),

    ("organizations", "organizations_pkey", "(id)", true),
    ("organizations", "organizations_uuid_key", "(uuid)", true),
    ("organizations", "organizations_name_key", "(name)", true),
    ("organizations", "organizations_owner_id_idx", "(owner_id)", false),

    ("organization_members", "organization_members_pkey", "(id)", true),
    ("organization_members", "organization_members_user_id_key", "(user_id)", true),
    ("organization_members", "organization_members_organization_id_idx", "(organization_id)", false),

    ("repositories", "repositories_pkey", "(id)", true),
    ("repositories", "repositories_uuid_key", "(uuid)", true),
    ("repositories", "repositories_path_live_key", "(path) WHERE (deleted_at IS NULL)", true),
    ("repositories", "repositories_parent_id_idx", "(parent_id)", false),
    // Case-insensitive lookups (m20251203_000011).
    ("users", "users_email_ci_idx", "(lower(((email)::text COLLATE \"C\")))", false),
    ("organizations", "organizations_name_ci_idx", "(lower(((name)::text COLLATE \"C\")))", false),
    ("functions", "functions_name_ci_idx", "(lower(((name)::text COLLATE \"C\")))", false),
];

/// The `id` key of each table: `SERIAL` (integer) or `BIGSERIAL` (bigint).
const KEYS: [(&str, &str); 9] = [
    ("users", "integer"),
    ("functions", "integer"),
    ("function_deployments", "integer"),
    ("function_logs", "bigint"),
    ("function_invocations", "bigint"),
    ("user_information", "integer"),
    ("organizations", "integer"),
    ("organization_members", "integer"),
    ("repositories", "integer"),
];

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

/// `table.column type [NOT NULL] [DEFAULT …]`, for every column of the public tables but
/// `seaql_migrations`, in table-name then column order.
async fn column_lines(conn: &mut PgConnection) -> Vec<String> {
    strings(
        conn,
        "SELECT table_name || '.' || column_name || ' '
                || CASE WHEN character_maximum_length IS NULL THEN data_type
                        ELSE data_type || '(' || character_maximum_length || ')' END
                || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
                || COALESCE(' DEFAULT ' || column_default, '')
                || CASE WHEN is_identity = 'YES' THEN ' IDENTITY' ELSE '' END
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'
         ORDER BY table_name, ordinal_position",
    )
    .await
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
    let mut expected: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    expected.push("seaql_migrations".into());
    assert_eq!(tables, sorted(expected));

    // Columns: name, type (with varchar length), nullability, default; no identity column.
    let mut expected: Vec<(usize, String)> = COLUMNS
        .iter()
        .map(|&(table, column, ty, nullable, default)| {
            let order = TABLES.iter().position(|t| *t == table).unwrap();
            let mut line = format!("{table}.{column} {ty}");
            if !nullable {
                line.push_str(" NOT NULL");
            }
            if let Some(default) = default {
                line.push_str(&format!(" DEFAULT {default}"));
            }
            (order, line)
        })
        .collect();
    // information_schema lists tables by name; keep each table's column order.
    expected.sort_by_key(|(order, _)| TABLES[*order]);
    let expected: Vec<String> = expected.into_iter().map(|(_, line)| line).collect();
    assert_lines("columns", &column_lines(&mut conn).await, &expected);

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
    let expected: Vec<String> = KEYS
        .iter()
        .map(|(t, ty)| {
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
    let expected: Vec<String> = TABLES.iter().map(|t| format!("{t}_id_seq")).collect();
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
    let expected: Vec<String> = CONSTRAINTS
        .iter()
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
    let expected: Vec<String> = INDEXES
        .iter()
        .map(|(t, name, cols, unique)| {
            let unique = if *unique { "UNIQUE " } else { "" };
            format!("CREATE {unique}INDEX {name} ON public.{t} USING btree {cols}")
        })
        .collect();
    assert_lines("indexes", &indexes, &sorted(expected));

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
    let lines = strings(
        &mut conn,
        "SELECT table_name || '.' || column_name || ' '
                || CASE WHEN character_maximum_length IS NULL THEN data_type
                        ELSE data_type || '(' || character_maximum_length || ')' END
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'
         ORDER BY table_name, ordinal_position",
    )
    .await;
    conn.close().await.unwrap();
    lines
}

#[tokio::test]
async fn migrated_tables_agree_with_the_seed_tables() {
    let seed = TestDatabase::empty().await;
    seed.execute(SEED_TABLES).await;
    let migrated = TestDatabase::new().await;

    let seed_columns = column_types(&seed).await;
    let migrated_columns = column_types(&migrated).await;
    assert_eq!(seed_columns.len(), COLUMNS.len());
    assert_eq!(migrated_columns.len(), COLUMNS.len());

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
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let x: i32 = sqlx::query_scalar("SELECT x FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(x, 42);
    conn.close().await.unwrap();

    cluster.stop().await;
    assert!(!cluster.is_running());
    assert!(PgConnection::connect(&url).await.is_err());
    cluster.start_again().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let x: i32 = sqlx::query_scalar("SELECT x FROM kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(x, 42);
    conn.close().await.unwrap();
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
