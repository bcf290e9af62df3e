//! Case-insensitive text filters (`eq_ci`, `contains_ci`, `starts_with_ci`): the ASCII
//! folding of `docs/SEMANTICS.md` ("Case-insensitive matching"), on hostile Unicode.

use containerpub_domain::{Function, Rule};
use containerpub_ports::{
    CaseInsensitive, Filter, FunctionField, Query, StoreError, TextOp, UserField,
};

use super::seed::{assert_invalid, functions_named, user};
use super::surface::{Crud, assert_filtered, walk};
use super::{ContractStore, Fixture};

/// The names stored, one function each (indexes below refer to this list).
const NAMES: [&str; 20] = [
    "My-Search-Fn",  // 0
    "my-search-fn2", // 1
    "MY-SEARCH-FN3", // 2
    "straße",        // 3  German sharp s
    "STRASSE",       // 4
    "Straẞe",        // 5  capital sharp s (U+1E9E)
    "İstanbul",      // 6  Turkish dotted capital I (U+0130)
    "Istanbul",      // 7
    "ıstanbul",      // 8  Turkish dotless i (U+0131)
    "ΟΔΟΣ",          // 9  Greek capital sigma
    "οδος",          // 10 final sigma (U+03C2)
    "οδοσ",          // 11 medial sigma (U+03C3)
    "café",          // 12 precomposed é (U+00E9)
    "cafe\u{301}",   // 13 e + combining acute
    "CAFÉ",          // 14 precomposed É (U+00C9)
    "😀 Party",      // 15
    "😀 PARTY 2",    // 16
    "100%Done",      // 17
    "a_b",           // 18
    "A\\B",          // 19
];

/// The folding as `docs/SEMANTICS.md` states it, written independently of the ports: the
/// 26 ASCII capitals become small letters, every other code point stays.
fn folded(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                char::from(u8::try_from(u32::from(c) + 32).expect("ASCII"))
            } else {
                c
            }
        })
        .collect()
}

async fn check<S: Crud<Entity = Function, Field = FunctionField> + ?Sized>(
    store: &S,
    rows: &[Function],
    filter: Filter<FunctionField>,
    expected: &[usize],
) {
    let expected: Vec<Function> = expected.iter().map(|&i| rows[i].clone()).collect();
    assert_filtered(store, &filter, &expected).await;
    // Negation is the complement (names are never NULL).
    let rest = store
        .count(!filter.clone())
        .await
        .expect("count of the negation");
    assert_eq!(rest, (rows.len() - expected.len()) as u64, "not {filter:?}");
    // A keyset walk in windows of 2 sees the same rows.
    let walked = walk(store, &filter, &[FunctionField::Name.asc()], 2).await;
    let mut by_name = expected.clone();
    by_name.sort_by(|a, b| a.name.as_str().as_bytes().cmp(b.name.as_str().as_bytes()));
    assert_eq!(walked, by_name, "find_window {filter:?}");
}

/// `eq_ci` / `contains_ci` / `starts_with_ci` fold the 26 ASCII capitals and nothing else:
/// German ß, Turkish İ/ı, Greek Σ/σ/ς, accented letters (precomposed or combining) and
/// emoji compare exactly; `%`, `_` and `\` are literal. Both adapters give the same rows in
/// `find_all`, `count`, `find_page`, `find_window` and under `Not`; an e-mail lookup ignores
/// the case of the operand; a non-text field or NUL in the operand is `InvalidInput`.
#[allow(clippy::too_many_lines)]
pub async fn filter_case_insensitive<U: ContractStore>(fx: Fixture<U>) {
    let owner = user(&fx.db, "ann@example.com").await;
    let rows = functions_named(&fx.db, &owner, &NAMES).await;
    let store = fx.db.functions();
    use FunctionField as F;
    // Cases stated by hand from the definition.
    let cases: Vec<(Filter<F>, Vec<usize>)> = vec![
        (F::Name.contains_ci("search"), vec![0, 1, 2]),
        (F::Name.contains_ci("SEARCH-fn"), vec![0, 1, 2]),
        (F::Name.eq_ci("my-search-fn"), vec![0]),
        (F::Name.starts_with_ci("MY-"), vec![0, 1, 2]),
        // ß is not "ss", and ẞ is not ß.
        (F::Name.eq_ci("strasse"), vec![4]),
        (F::Name.eq_ci("STRAßE"), vec![3]),
        (F::Name.eq_ci("straẞe"), vec![5]),
        (F::Name.contains_ci("ß"), vec![3]),
        // İ and ı fold to nothing but themselves; I folds to i.
        (F::Name.starts_with_ci("istanbul"), vec![7]),
        (F::Name.starts_with_ci("İSTANBUL"), vec![6]),
        (F::Name.starts_with_ci("ıSTANBUL"), vec![8]),
        (F::Name.contains_ci("STANBUL"), vec![6, 7, 8]),
        // Σ, σ and ς are three letters.
        (F::Name.eq_ci("οδος"), vec![10]),
        (F::Name.eq_ci("οδοσ"), vec![11]),
        (F::Name.eq_ci("ΟΔΟΣ"), vec![9]),
        (F::Name.contains_ci("Σ"), vec![9]),
        // Accents: precomposed and combining forms differ; É is not é.
        (F::Name.eq_ci("CAFÉ"), vec![14]),
        (F::Name.eq_ci("café"), vec![12]),
        (F::Name.starts_with_ci("CAFE"), vec![13]),
        (F::Name.contains_ci("\u{301}"), vec![13]),
        (F::Name.starts_with_ci("caf"), vec![12, 13, 14]),
        // Emoji have no case; the letters after them do.
        (F::Name.starts_with_ci("😀 party"), vec![15, 16]),
        (F::Name.contains_ci("😀"), vec![15, 16]),
        // Literal text.
        (F::Name.contains_ci("0%d"), vec![17]),
        (F::Name.contains_ci("%"), vec![17]),
        (F::Name.starts_with_ci("A_"), vec![18]),
        (F::Name.eq_ci("a\\b"), vec![19]),
        (F::Name.contains_ci("_"), vec![18]),
        (F::Name.eq_ci(""), vec![]),
        (F::Name.contains_ci(""), (0..NAMES.len()).collect()),
        // Combined with other filters.
        (
            F::Name
                .contains_ci("search")
                .and(!F::Name.eq_ci("MY-SEARCH-FN2")),
            vec![0, 2],
        ),
    ];
    for (filter, expected) in cases {
        check(store, &rows, filter, &expected).await;
    }
    // Against the definition, for every stored name (upper- and lower-cased by Rust too) as
    // a needle, with every operator.
    let mut needles: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
    needles.extend(NAMES.iter().map(|s| s.to_uppercase()));
    needles.extend(NAMES.iter().map(|s| s.to_lowercase()));
    needles.extend(["s", "S", "i", "I", "σ", "ς", "é", "e", "E", "😀"].map(str::to_owned));
    for needle in &needles {
        for op in [TextOp::Eq, TextOp::Contains, TextOp::StartsWith] {
            let want: Vec<usize> = (0..NAMES.len())
                .filter(|&i| {
                    let (hay, pin) = (folded(NAMES[i]), folded(needle));
                    match op {
                        TextOp::Eq => hay == pin,
                        TextOp::Contains => hay.contains(&pin),
                        TextOp::StartsWith => hay.starts_with(&pin),
                    }
                })
                .collect();
            let filter = Filter::TextCi {
                field: F::Name,
                op,
                text: needle.clone(),
            };
            let got: Vec<Function> = store
                .find_all(Query::filter(filter.clone()))
                .await
                .expect("find_all");
            let want: Vec<Function> = want.iter().map(|&i| rows[i].clone()).collect();
            assert_eq!(got, want, "{filter:?}");
        }
    }
    // E-mails are stored folded; the operand's case does not matter.
    let users = fx.db.users();
    for probe in ["ann@example.com", "ANN@Example.COM"] {
        assert_eq!(
            users
                .find_all(Query::filter(UserField::Email.eq_ci(probe)))
                .await,
            Ok(vec![owner.clone()]),
            "{probe}"
        );
    }
    assert_eq!(
        users.count(UserField::Email.starts_with_ci("ANN@")).await,
        Ok(1)
    );
    assert_eq!(
        users.count(UserField::Email.eq("ANN@Example.COM")).await,
        Ok(0)
    );
    // Bad filters.
    let err = store
        .count(F::UserId.contains_ci("1"))
        .await
        .expect_err("a non-text field");
    assert_invalid(&err, "user_id");
    assert_eq!(
        err,
        StoreError::invalid(
            "user_id",
            Rule::Format("a text field for a case-insensitive match")
        )
    );
    let err = store
        .find_all(Query::filter(F::Name.eq_ci("a\0b")))
        .await
        .expect_err("NUL");
    assert_eq!(err, StoreError::invalid("name", Rule::NulCharacter));
}
