//! Generators of the raw values users send and attackers try, and the specs ops are made of.
//!
//! Everything here is raw: texts, e-mails, paths, JSON, timestamps and numbers are built into
//! domain values only when an op runs ([`super::exec`]), through the validating constructors,
//! so values the domain rejects are generated too (and checked to be rejected).

use containerpub_domain::serde_json::{self, Map, Value as Json};
use containerpub_domain::{DeploymentStatus, FunctionStatus, InvocationStatus, LogLevel, Role};
use containerpub_ports::CmpOp;
use proptest::prelude::*;
use proptest::sample::select;

/// Hostile text: empty, blanks, case, quotes, backslashes, LIKE wildcards, SQL, control
/// characters (NUL included), multi-byte, combining and right-to-left characters, emoji.
pub const HOSTILE: &[&str] = &[
    "",
    " ",
    "  ",
    "a",
    "A",
    "MiXeD",
    " lead",
    "trail ",
    "'",
    "\"",
    "\\",
    "%",
    "_",
    "a%b_c\\d",
    "'; DROP TABLE users; --",
    "\u{0}",
    "a\u{0}b",
    "\u{1}\u{7f}",
    "\t\n\r",
    "é",
    "e\u{301}",
    "👩\u{200d}👩\u{200d}👧",
    "😀",
    "中文",
    "İ",
    "ß",
    "Σ",
    "\u{feff}",
    "\u{202e}rtl",
    "NULL",
    "-1",
    "9223372036854775808",
    "$1",
    "@a",
    "{}",
    "[\"x\"]",
];

/// Single characters of 1 to 4 bytes, repeated to a column's limit.
const LIMIT_PIECES: &[&str] = &["a", "é", "中", "😀"];

/// Text for a column, resolved against the column's limit when built.
#[derive(Debug, Clone)]
pub enum TextSpec {
    /// This text.
    Lit(String),
    /// One character repeated to the column's limit plus `delta` (`TEXT`: 3,000 plus delta).
    AtLimit(&'static str, i8),
}

impl TextSpec {
    /// The text for a column of at most `max` characters.
    pub fn resolve(&self, max: usize) -> String {
        match self {
            TextSpec::Lit(s) => s.clone(),
            TextSpec::AtLimit(piece, delta) => {
                let base = if max == usize::MAX { 3_000 } else { max };
                let n = base.saturating_add_signed(isize::from(*delta));
                piece.repeat(n)
            }
        }
    }
}

pub fn text() -> impl Strategy<Value = TextSpec> + Clone {
    prop_oneof![
        4 => select(HOSTILE).prop_map(|s| TextSpec::Lit(s.to_owned())),
        2 => prop::collection::vec(select(HOSTILE), 1..4).prop_map(|p| TextSpec::Lit(p.concat())),
        3 => "[a-c]{1,2}".prop_map(TextSpec::Lit),
        1 => (select(LIMIT_PIECES), -1i8..=1).prop_map(|(p, d)| TextSpec::AtLimit(p, d)),
    ]
}

/// Names (`VARCHAR(255)`, not blank): a few that collide, and hostile text.
pub fn name() -> impl Strategy<Value = TextSpec> + Clone {
    prop_oneof![
        3 => select(&["acme", "Acme", " acme", "acme ", "beta", "api", "API"][..])
            .prop_map(|s| TextSpec::Lit(s.to_owned())),
        2 => text(),
    ]
}

/// Valid addresses, several spellings of the same one among them.
pub const EMAILS: &[&str] = &[
    "a@x.io",
    "A@X.IO",
    " a@x.io ",
    "b@x.io",
    "c@y.org",
    "d@z.net",
    "e@z.net",
    "É@x.io",
    "é@x.io",
    "o'brien@x.io",
    "a%b_c@x.io",
];

/// Addresses the domain rejects.
const BAD_EMAILS: &[&str] = &[
    "a@x",
    "@x.io",
    "a@@x.io",
    "a@x..io",
    "",
    "  ",
    "a b@x.io",
    "a\u{0}@x.io",
    "a@x.io\u{1}",
    "'; DROP TABLE users; --@x.io",
];

/// Raw e-mail input: colliding addresses in several spellings, broken shapes, hostile text,
/// and addresses of exactly 255 and 256 characters.
pub fn email() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => select(EMAILS).prop_map(str::to_owned),
        1 => select(BAD_EMAILS).prop_map(str::to_owned),
        2 => (
            select(&["a", "Z", "é", "x.y", "%", "_", "\\"][..]),
            select(&["x.io", "X.IO", "ü.de", "a.b.c"][..]),
            select(&["", " ", "\t"][..]),
        )
            .prop_map(|(l, d, pad)| format!("{pad}{l}@{d}{pad}")),
        1 => (0usize..2, select(&["a", "A", "é"][..]))
            .prop_map(|(extra, c)| format!("{}@example.com", c.repeat(243 + extra))),
        1 => text().prop_map(|t| t.resolve(255)),
    ]
}

const SEGMENTS: &[&str] = &["a", "b", "c", "a-b", "x.y", "0", "a_1"];
const BAD_PATHS: &[&str] = &[
    "", "A", "a//b", "a/", "/a", "a b", "é", "a\u{0}", "a--b", "a/-b", ".a", "a/B",
];

/// A repository path: raw text, or a segment below a path seen so far.
#[derive(Debug, Clone)]
pub enum PathSpec {
    Raw(String),
    Under(u16, &'static str),
}

/// Repository paths: mostly below a path that exists (or existed), else raw.
pub fn path() -> impl Strategy<Value = PathSpec> + Clone {
    prop_oneof![
        3 => raw_path().prop_map(PathSpec::Raw),
        2 => (any::<u16>(), select(SEGMENTS)).prop_map(|(i, s)| PathSpec::Under(i, s)),
    ]
}

/// Raw repository paths: short trees that collide, long segments (moves that make a
/// descendant's path too long), paths at and over 255 characters, and broken ones.
fn raw_path() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        8 => prop::collection::vec(select(SEGMENTS), 1..3).prop_map(|s| s.join("/")),
        2 => (
            prop::collection::vec(select(SEGMENTS), 0..2),
            select(&[60usize, 120, 126, 127, 250, 255, 256][..]),
            prop::collection::vec(select(SEGMENTS), 0..2),
        )
            .prop_map(|(head, n, tail)| {
                let long = "l".repeat(n);
                let mut parts: Vec<&str> = head;
                parts.push(&long);
                parts.extend(tail);
                parts.join("/")
            }),
        1 => select(BAD_PATHS).prop_map(str::to_owned),
    ]
}

/// A JSON document for `functions.analysis_result`.
#[derive(Debug, Clone)]
pub enum JsonSpec {
    /// This document.
    Doc(Json),
    /// Arrays (or objects) nested this deep around a number.
    Deep(usize, bool),
    /// An array of this many mixed values.
    Wide(usize),
}

impl JsonSpec {
    pub fn resolve(&self) -> Json {
        match self {
            JsonSpec::Doc(v) => v.clone(),
            JsonSpec::Deep(depth, object) => (0..*depth).fold(Json::from(1), |inner, _| {
                if *object {
                    let mut map = Map::new();
                    map.insert("k".to_owned(), inner);
                    Json::Object(map)
                } else {
                    Json::Array(vec![inner])
                }
            }),
            JsonSpec::Wide(n) => Json::Array(
                (0..*n)
                    .map(|i| match i % 4 {
                        0 => Json::from(i),
                        1 => Json::from(format!("item {i} é")),
                        2 => Json::from(i % 3 == 0),
                        _ => Json::Null,
                    })
                    .collect(),
            ),
        }
    }
}

const JSON_INTS: &[i64] = &[0, 1, -1, i64::MIN, i64::MAX, 9_007_199_254_740_993];
const JSON_FLOATS: &[f64] = &[0.1, -0.0, 1.5, -2.25, 1e308, 5e-324, 1e-7, 123_456_789.125];
const JSON_KEYS: &[&str] = &[
    "", "a", "A", "é", "k\u{0}", "'", "\\", "$1", "😀", "long key",
];

fn json_leaf() -> impl Strategy<Value = Json> + Clone {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        select(JSON_INTS).prop_map(Json::from),
        Just(Json::from(u64::MAX)),
        select(JSON_FLOATS)
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        select(HOSTILE).prop_map(Json::from),
    ]
}

pub fn json() -> impl Strategy<Value = JsonSpec> + Clone {
    let doc = json_leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((select(JSON_KEYS), inner), 0..4).prop_map(|kv| {
                Json::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    });
    prop_oneof![
        6 => doc.prop_map(JsonSpec::Doc),
        1 => (select(&[1usize, 63, 64, 65, 66][..]), any::<bool>())
            .prop_map(|(d, o)| JsonSpec::Deep(d, o)),
        1 => select(&[1_000usize, 5_000][..]).prop_map(JsonSpec::Wide),
    ]
}

/// A timestamp given as input, at and beyond the edges of the supported range.
#[derive(Debug, Clone, Copy)]
pub enum TsSpec {
    Min,
    Max,
    /// `Timestamp::MIN` minus 1µs (rejected).
    BeforeMin,
    /// `Timestamp::MAX` plus 1µs (rejected).
    AfterMax,
    /// T0 plus this many seconds.
    T0Plus(i64),
    /// The clock's time.
    Now,
    /// Raw Unix microseconds (mostly out of range).
    Micros(i64),
}

pub fn timestamp() -> impl Strategy<Value = TsSpec> + Clone {
    prop_oneof![
        1 => Just(TsSpec::Min),
        1 => Just(TsSpec::Max),
        1 => Just(TsSpec::BeforeMin),
        1 => Just(TsSpec::AfterMax),
        4 => (-5i64..20).prop_map(TsSpec::T0Plus),
        2 => Just(TsSpec::Now),
        1 => select(&[i64::MIN, i64::MAX, 0, -1][..]).prop_map(TsSpec::Micros),
    ]
}

/// Durations in ms: negative and overflowing ones too.
pub fn duration() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![
        4 => 0i64..2_000,
        1 => select(vec![
            0,
            i64::from(i32::MAX),
            -1,
            i64::from(i32::MIN),
            i64::from(i32::MAX) + 1,
            i64::MIN,
            i64::MAX,
        ]),
    ]
}

/// A reference to a row of the op's table: one seen so far, or an unknown id.
#[derive(Debug, Clone, Copy)]
pub enum IdRef {
    Seen(u16),
    Unknown(i64),
}

pub fn id_ref() -> impl Strategy<Value = IdRef> + Clone {
    prop_oneof![
        9 => any::<u16>().prop_map(IdRef::Seen),
        1 => select(vec![0, -1, 9_999, i64::from(i32::MAX), i64::MAX]).prop_map(IdRef::Unknown),
    ]
}

/// A membership to remove: one seen so far, or any organization and user.
#[derive(Debug, Clone, Copy)]
pub enum MemberRef {
    Seen(u16),
    Refs(UuidRef, UuidRef),
}

pub fn member_ref() -> impl Strategy<Value = MemberRef> + Clone {
    prop_oneof![
        2 => any::<u16>().prop_map(MemberRef::Seen),
        1 => (uuid_ref(), uuid_ref()).prop_map(|(o, u)| MemberRef::Refs(o, u)),
    ]
}

/// A reference to a row by uuid: one seen in the expected table, one of another table, or
/// an unknown uuid.
#[derive(Debug, Clone, Copy)]
pub enum UuidRef {
    Seen(u16),
    OtherTable(u16),
    Unknown(u128),
}

pub fn uuid_ref() -> impl Strategy<Value = UuidRef> + Clone {
    prop_oneof![
        12 => any::<u16>().prop_map(UuidRef::Seen),
        1 => any::<u16>().prop_map(UuidRef::OtherTable),
        1 => any::<u128>().prop_map(UuidRef::Unknown),
    ]
}

/// The uuid of a new row: fresh, one the table already holds, or the nil uuid.
#[derive(Debug, Clone, Copy)]
pub enum NewUuid {
    Fresh(u128),
    Reuse(u16),
    Nil,
}

pub fn new_uuid() -> impl Strategy<Value = NewUuid> + Clone {
    prop_oneof![
        12 => any::<u128>().prop_map(NewUuid::Fresh),
        1 => any::<u16>().prop_map(NewUuid::Reuse),
        1 => Just(NewUuid::Nil),
    ]
}

/// A filter operand, resolved against the field's kind.
#[derive(Debug, Clone)]
pub enum ValueSpec {
    /// A value of the field's kind seen so far (or a small integer).
    Pool(u16),
    /// A literal of the field's kind derived from the seed (integers and timestamps at
    /// their edges), or this text.
    Lit(u64, String),
    /// NULL (invalid as an operand).
    Null,
    /// A value of another kind (invalid).
    WrongKind(u64),
}

fn value_spec() -> impl Strategy<Value = ValueSpec> + Clone {
    prop_oneof![
        12 => any::<u16>().prop_map(ValueSpec::Pool),
        8 => (any::<u64>(), select(HOSTILE)).prop_map(|(s, t)| ValueSpec::Lit(s, t.to_owned())),
        1 => Just(ValueSpec::Null),
        1 => any::<u64>().prop_map(ValueSpec::WrongKind),
    ]
}

/// A filter over the fields of some table (field indices are taken modulo its field count).
#[derive(Debug, Clone)]
pub enum FilterSpec {
    All,
    Cmp(u8, CmpOp, ValueSpec),
    In(u8, Vec<ValueSpec>),
    IsNull(u8),
    IsNotNull(u8),
    Contains(u8, String),
    StartsWith(u8, String),
    /// A case-insensitive match: operator 0 = eq, 1 = contains, else starts with.
    TextCi(u8, u8, String),
    And(Vec<FilterSpec>),
    Or(Vec<FilterSpec>),
    Not(Box<FilterSpec>),
}

const PATTERNS: &[&str] = &[
    "", "a", "A", "%", "_", "\\", "@", "é", "x.io", "a%", "'", "\u{0}", "/", "-", "l", "e\u{301}",
];

/// Operands of case-insensitive filters: ASCII in both cases and the letters whose case
/// PostgreSQL's locales and Rust's Unicode mapping disagree on.
const CI_PATTERNS: &[&str] = &[
    "a", "A", "MIXED", "mixed", "ß", "SS", "ẞ", "İ", "I", "ı", "i", "Σ", "σ", "ς", "É", "é",
    "E\u{301}", "😀", "ACME", "Api", "%", "_", "\\",
];

pub fn filter() -> impl Strategy<Value = FilterSpec> + Clone {
    let op = select(
        &[
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ][..],
    );
    let leaf = prop_oneof![
        1 => Just(FilterSpec::All),
        6 => (any::<u8>(), op, value_spec()).prop_map(|(f, o, v)| FilterSpec::Cmp(f, o, v)),
        2 => (any::<u8>(), prop::collection::vec(value_spec(), 0..4)).prop_map(|(f, v)| FilterSpec::In(f, v)),
        1 => any::<u8>().prop_map(FilterSpec::IsNull),
        1 => any::<u8>().prop_map(FilterSpec::IsNotNull),
        2 => (any::<u8>(), select(PATTERNS)).prop_map(|(f, t)| FilterSpec::Contains(f, t.to_owned())),
        2 => (any::<u8>(), select(PATTERNS)).prop_map(|(f, t)| FilterSpec::StartsWith(f, t.to_owned())),
        3 => (any::<u8>(), 0..3u8, select(CI_PATTERNS)).prop_map(|(f, o, t)| FilterSpec::TextCi(f, o, t.to_owned())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(FilterSpec::And),
            prop::collection::vec(inner.clone(), 0..3).prop_map(FilterSpec::Or),
            inner.prop_map(|f| FilterSpec::Not(Box::new(f))),
        ]
    })
}

/// Sort keys: (field index, ascending).
pub type SortSpec = Vec<(u8, bool)>;

pub fn sort() -> impl Strategy<Value = SortSpec> + Clone {
    prop::collection::vec((any::<u8>(), any::<bool>()), 0..3)
}

/// A find-all query.
#[derive(Debug, Clone)]
pub struct QuerySpec {
    pub filter: FilterSpec,
    pub sort: SortSpec,
    pub limit: Option<u64>,
    pub offset: u64,
}

pub fn query() -> impl Strategy<Value = QuerySpec> + Clone {
    (
        filter(),
        sort(),
        prop_oneof![
            4 => Just(None),
            3 => (0u64..4).prop_map(Some),
            1 => select(&[i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX][..]).prop_map(Some),
        ],
        prop_oneof![
            6 => Just(0u64),
            3 => 1u64..4,
            1 => select(&[i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX][..]),
        ],
    )
        .prop_map(|(filter, sort, limit, offset)| QuerySpec {
            filter,
            sort,
            limit,
            offset,
        })
}

/// Page numbers and sizes, valid and not.
pub fn page() -> impl Strategy<Value = (u64, u64)> + Clone {
    (
        prop_oneof![6 => 1u64..4, 1 => Just(0u64), 1 => Just(u64::MAX), 1 => Just(i64::MAX as u64)],
        prop_oneof![6 => 1u64..4, 1 => Just(0u64), 1 => Just(10_000u64), 1 => Just(10_001u64), 1 => Just(u64::MAX)],
    )
}

/// Which cursor a keyset window resumes after.
#[derive(Debug, Clone)]
pub enum CursorSpec {
    /// The first window.
    First,
    /// A `next` cursor returned by an earlier window (of any query).
    Seen(u16),
    /// A cursor returned earlier with one character changed.
    Damaged(u16, u16, char),
    /// Garbage.
    Garbage(String),
}

pub fn cursor() -> impl Strategy<Value = CursorSpec> + Clone {
    prop_oneof![
        4 => Just(CursorSpec::First),
        4 => any::<u16>().prop_map(CursorSpec::Seen),
        1 => (any::<u16>(), any::<u16>(), select(&['A', 'z', '0', '-', '=', 'é'][..]))
            .prop_map(|(i, at, c)| CursorSpec::Damaged(i, at, c)),
        1 => select(&["", "AAAA", "not a cursor", "'; DROP TABLE users; --", "\u{0}"][..])
            .prop_map(|s| CursorSpec::Garbage(s.to_owned())),
    ]
}

pub fn window_limit() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![6 => 1u64..4, 1 => Just(0u64), 1 => Just(10_001u64)]
}

pub fn function_status() -> impl Strategy<Value = FunctionStatus> + Clone {
    select(FunctionStatus::ALL)
}

pub fn deployment_status() -> impl Strategy<Value = DeploymentStatus> + Clone {
    select(DeploymentStatus::ALL)
}

pub fn log_level() -> impl Strategy<Value = LogLevel> + Clone {
    select(LogLevel::ALL)
}

pub fn invocation_status() -> impl Strategy<Value = InvocationStatus> + Clone {
    select(InvocationStatus::ALL)
}

pub fn role() -> impl Strategy<Value = Role> + Clone {
    select(Role::ALL)
}
