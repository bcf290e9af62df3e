//! Property tests ("fuzz targets") of keyset cursor decoding through [`Keyset::plan`], the
//! only way a client's cursor string enters the system: 10,000 cases each
//! (`PROPTEST_CASES` overrides). Failures shrink and are saved under
//! `tests/proptest-regressions/`.
//!
//! - Random strings never panic and never decode.
//! - Valid cursors round-trip: the next window starts right after the last row's keys.
//! - A cursor never decodes for another query (other table, filter or effective sort).
//! - Mutated cursors never panic; if one still decodes, it is the canonical encoding of
//!   the values it decodes to (decoding is strict: one string per position).

use containerpub_domain::{FunctionId, LogEntry, LogId, LogLevel, Text, Timestamp, Uuid};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::{base64url_decode, base64url_encode, encode};
use crate::support::{Keyset, Record, effective_sort};
use crate::{
    Cursor, Direction, Field, Filter, KeysetRequest, LogField, Sort, StoreError, UserField, Value,
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/proptest-regressions/ports-cursor.txt"
        )))),
        ..ProptestConfig::default()
    }
}

fn is_bad_cursor(err: &StoreError) -> bool {
    matches!(err, StoreError::InvalidInput(i) if i.field == "cursor" && i.index.is_none())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        Just(Timestamp::MIN),
        Just(Timestamp::MAX),
        (Timestamp::MIN.unix_micros()..=Timestamp::MAX.unix_micros())
            .prop_map(|m| Timestamp::from_unix_micros("t", m).expect("in range")),
    ]
}

fn message() -> impl Strategy<Value = Text> {
    prop_oneof![
        Just(String::new()),
        "[a-z%_\\\\' ]{0,8}",
        any::<String>().prop_map(|s| s.replace('\0', "")),
        Just("é😀\u{301}".repeat(50)),
    ]
    .prop_map(|s| Text::new("message", s).expect("no NUL"))
}

fn level() -> impl Strategy<Value = LogLevel> {
    prop::sample::select(LogLevel::ALL)
}

fn log_entry() -> impl Strategy<Value = LogEntry> {
    (
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), any::<i64>()],
        any::<u128>(),
        any::<i32>(),
        level(),
        message(),
        timestamp(),
    )
        .prop_map(|(id, uuid, function, level, message, timestamp)| LogEntry {
            id: LogId::new(id),
            uuid: Uuid::from_u128(uuid),
            function_id: FunctionId::new(function),
            level,
            message,
            timestamp,
        })
}

fn sort() -> impl Strategy<Value = Vec<Sort<LogField>>> {
    prop::collection::vec(
        (prop::sample::select(LogField::ALL), any::<bool>()).prop_map(|(field, asc)| Sort {
            field,
            direction: if asc { Direction::Asc } else { Direction::Desc },
        }),
        0..4,
    )
}

fn filter() -> impl Strategy<Value = Filter<LogField>> {
    prop_oneof![
        Just(Filter::All),
        any::<i32>().prop_map(|f| LogField::FunctionId.eq(f)),
        level().prop_map(|l| LogField::Level.eq(l)),
        "[a-z%_]{0,3}".prop_map(|t| LogField::Message.contains(t)),
        timestamp().prop_map(|t| !LogField::Timestamp.lt(t)),
    ]
}

/// A valid `next` cursor: a window of `limit` rows out of `rows` (in the given order).
fn next_cursor(
    filter: &Filter<LogField>,
    sort: &[Sort<LogField>],
    rows: Vec<LogEntry>,
    limit: u64,
) -> (Keyset<LogField>, Option<Cursor>, Option<LogEntry>) {
    let keyset = Keyset::plan(filter, sort, &KeysetRequest::first(limit)).expect("valid plan");
    let window = keyset.window(rows);
    let last = window.items.last().cloned();
    (keyset, window.next, last)
}

fn fingerprint_of(cursor: &Cursor) -> u64 {
    let bytes = base64url_decode(cursor.as_str()).expect("a valid cursor");
    u64::from_be_bytes(bytes[1..9].try_into().expect("eight bytes"))
}

/// Ways to damage a cursor string.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, char),
    Insert(prop::sample::Index, char),
    Remove(prop::sample::Index),
    Truncate(prop::sample::Index),
    Append(String),
    /// Flip one bit of the decoded bytes and encode again (a well-formed base64url string).
    FlipBit(prop::sample::Index, u8),
    /// Drop or add decoded bytes at the end, encoded again.
    Resize(i8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let c = prop_oneof![
        prop::sample::select(&['A', 'a', 'z', '0', '-', '_', '+', '/', '=', ' ', '\0', 'é'][..]),
        any::<char>(),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), c.clone()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<prop::sample::Index>(), c).prop_map(|(i, c)| Mutation::Insert(i, c)),
        any::<prop::sample::Index>().prop_map(Mutation::Remove),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        "[A-Za-z0-9_=+/-]{1,6}".prop_map(Mutation::Append),
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (-8i8..8).prop_map(Mutation::Resize),
    ]
}

fn mutate(cursor: &str, m: &Mutation) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    match m {
        Mutation::Replace(i, c) => {
            let i = i.index(chars.len());
            chars[i] = *c;
        }
        Mutation::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
        Mutation::Remove(i) => {
            chars.remove(i.index(chars.len()));
        }
        Mutation::Truncate(i) => chars.truncate(i.index(chars.len())),
        Mutation::Append(s) => chars.extend(s.chars()),
        Mutation::FlipBit(i, bit) => {
            let mut bytes = base64url_decode(cursor).expect("valid");
            let i = i.index(bytes.len());
            bytes[i] ^= 1 << bit;
            return base64url_encode(&bytes);
        }
        Mutation::Resize(n) => {
            let mut bytes = base64url_decode(cursor).expect("valid");
            let len = bytes.len();
            if *n < 0 {
                bytes.truncate(len.saturating_sub(n.unsigned_abs() as usize));
            } else {
                bytes.extend(std::iter::repeat_n(0x41, *n as usize));
            }
            return base64url_encode(&bytes);
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(config())]

    /// Anything a client may send: never a panic, always `InvalidInput` (field `cursor`).
    #[test]
    fn random_strings_never_decode(
        text in prop_oneof![
            any::<String>(),
            "[A-Za-z0-9_-]{0,64}",
            "A[A-Za-z0-9_-]{10,40}",
        ],
        filter in filter(),
        sort in sort(),
    ) {
        let request = KeysetRequest::after(Cursor::from_string(text), 10);
        match Keyset::plan(&filter, &sort, &request) {
            Err(err) => prop_assert!(is_bad_cursor(&err), "{:?}", err),
            Ok(plan) => prop_assert!(false, "decoded {:?}", plan.after),
        }
    }

    /// A window's `next` cursor decodes to the sort-key values of its last row, and to
    /// nothing for any other query.
    #[test]
    fn valid_cursors_round_trip_and_stay_with_their_query(
        rows in prop::collection::vec(log_entry(), 2..6),
        filter in filter(),
        sort in sort(),
        other_filter in filter(),
        other_sort in sort(),
        limit in 1u64..5,
    ) {
        let limit = limit.min(rows.len() as u64 - 1);
        let (keyset, next, last) = next_cursor(&filter, &sort, rows, limit);
        let next = next.expect("more rows follow");
        let last = last.expect("a row was kept");
        let again = Keyset::plan(&filter, &sort, &KeysetRequest::after(next.clone(), 3))
            .expect("its own cursor decodes");
        let expected: Vec<Value> = keyset.sort.iter().map(|k| last.get(k.field)).collect();
        prop_assert_eq!(again.after.as_ref(), Some(&expected));
        prop_assert_eq!(&again.sort, &keyset.sort);

        let same_query = other_filter == filter && effective_sort(&other_sort) == keyset.sort;
        if !same_query {
            let err = Keyset::plan(&other_filter, &other_sort, &KeysetRequest::after(next.clone(), 3))
                .expect_err("another query");
            prop_assert!(is_bad_cursor(&err), "{:?}", err);
        }
        // Another table, however alike the query looks.
        let err = Keyset::plan(
            &Filter::<UserField>::All,
            &[],
            &KeysetRequest::after(next, 3),
        )
        .expect_err("another table");
        prop_assert!(is_bad_cursor(&err), "{:?}", err);
    }

    /// A damaged cursor never panics; if it still decodes for its query, it is exactly the
    /// encoding of the values it decodes to, of the kinds the sort keys hold.
    #[test]
    fn mutated_cursors_are_rejected_or_canonical(
        rows in prop::collection::vec(log_entry(), 2..5),
        filter in filter(),
        sort in sort(),
        m in mutation(),
    ) {
        let (keyset, next, _) = next_cursor(&filter, &sort, rows, 1);
        let next = next.expect("more rows follow");
        let fingerprint = fingerprint_of(&next);
        let damaged = mutate(next.as_str(), &m);
        let request = KeysetRequest::after(Cursor::from_string(damaged.clone()), 1);
        match Keyset::plan(&filter, &sort, &request) {
            Err(err) => prop_assert!(is_bad_cursor(&err), "{:?}", err),
            Ok(plan) => {
                let values = plan.after.expect("a position");
                prop_assert_eq!(values.len(), keyset.sort.len());
                for (value, key) in values.iter().zip(&keyset.sort) {
                    prop_assert_eq!(value.kind(), Some(key.field.kind()));
                }
                let canonical = encode(fingerprint, &values);
                prop_assert_eq!(canonical.as_str(), damaged.as_str());
            }
        }
    }

    /// The base64url layer: every byte string round-trips, and a decodable string is the
    /// one canonical encoding of its bytes.
    #[test]
    fn base64url_is_canonical(bytes in prop::collection::vec(any::<u8>(), 0..64), text in "[A-Za-z0-9_-]{0,12}") {
        prop_assert_eq!(base64url_decode(&base64url_encode(&bytes)), Some(bytes));
        if let Some(decoded) = base64url_decode(&text) {
            prop_assert_eq!(base64url_encode(&decoded), text);
        }
    }
}
