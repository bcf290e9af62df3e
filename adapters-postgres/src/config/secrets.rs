//! URL secrets: the URL as it may be shown ([`redact`]) and as the driver may see it
//! ([`without_secrets`]), the password handed over apart.

#[cfg(test)]
use crate::config::PgConfig;

/// The URL as it may be shown (`Debug`, replica status, logs, errors): the password of the
/// user part (everything between the first `:` and the *last* `@` of the authority, as the
/// URL standard and libpq read it) and the values of the `password` and `sslpassword`
/// parameters become `***`; a URL that does not parse is not shown at all.
///
/// `postgres://user:p@ss@host/db?sslpassword=x` → `postgres://user:***@host/db?sslpassword=***`.
///
/// Public as `containerpub_postgres::redact_url`, for callers that show URLs too (the test
/// harness's messages).
///
/// ```
/// assert_eq!(
///     containerpub_postgres::redact_url("postgres://u:secret@h/db?sslmode=disable"),
///     "postgres://u:***@h/db?sslmode=disable"
/// );
/// ```
pub fn redact(raw: &str) -> String {
    const HIDDEN: &str = "***";
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<a URL that does not parse, not shown>".to_owned();
    };
    if url.password().is_some() && url.set_password(Some(HIDDEN)).is_err() {
        return "<a URL that cannot be redacted, not shown>".to_owned();
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let secret = matches!(
                    key.to_ascii_lowercase().as_str(),
                    "password" | "sslpassword"
                );
                let value = if secret {
                    HIDDEN.into()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.set_fragment(None);
    url.to_string()
}

/// A URL made safe to hand to the driver, which may log it (SeaORM's connect span records
/// its options, URL included; sqlx logs unknown parameters with their values): the URL
/// without its password and without `password` / `sslpassword` parameters, and the password
/// to set on the connection options instead (the parameter wins over the user part, as in
/// sqlx). `None` if the URL does not parse.
pub(crate) fn without_secrets(raw: &str) -> Option<(String, Option<String>)> {
    let mut url = url::Url::parse(raw).ok()?;
    let mut password = url.password().map(percent_decode);
    if url.query().is_some() {
        let mut kept = Vec::new();
        for (key, value) in url.query_pairs() {
            match key.to_ascii_lowercase().as_str() {
                "password" => password = Some(value.into_owned()),
                // Not read by sqlx 0.9 (it would only log it).
                "sslpassword" => {}
                _ => kept.push((key.into_owned(), value.into_owned())),
            }
        }
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url.set_password(None).ok()?;
    url.set_fragment(None);
    Some((url.to_string(), password))
}

/// `%xx` escapes decoded (as sqlx decodes the password of a URL).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19, item 5: hostile URLs never show their secrets.
    #[test]
    fn redaction_hides_every_form_of_password() {
        for (url, secrets, shown) in [
            (
                "postgres://u:secret@h/db",
                &["secret"][..],
                "postgres://u:***@h/db",
            ),
            (
                "postgres://u:p@ss@h/db",
                &["p@ss", "ss@", "p%40ss"][..],
                "postgres://u:***@h/db",
            ),
            (
                "postgres://u:a@b@c@h:5433/db",
                &["a@b", "b@c", "%40"][..],
                "postgres://u:***@h:5433/db",
            ),
            (
                "postgres://u@h/db?password=hunter2&sslmode=require",
                &["hunter2"][..],
                "postgres://u@h/db?password=***&sslmode=require",
            ),
            (
                "postgresql://u@h/db?sslpassword=k3y&application_name=x",
                &["k3y"][..],
                "postgresql://u@h/db?sslpassword=***&application_name=x",
            ),
            (
                "postgres://u@h/db?PassWord=Zz9",
                &["Zz9"][..],
                "postgres://u@h/db?PassWord=***",
            ),
            ("postgres://u:pa/ss@h/db", &["pa/ss", "ss@"][..], ""),
            ("postgres://u:pa#ss@h/db", &["pa#ss", "ss@"][..], ""),
            (
                "postgres://u:pa%20ss@h/db#frag",
                &["pa%20ss", "frag"][..],
                "postgres://u:***@h/db",
            ),
            ("not a url with s3cret", &["s3cret"][..], ""),
        ] {
            let text = redact(url);
            for secret in secrets {
                assert!(!text.contains(secret), "{url} → {text}");
            }
            if !shown.is_empty() {
                assert_eq!(text, shown, "{url}");
            }
            let debug = format!("{:?}", PgConfig::new(url).replica(url));
            for secret in secrets {
                assert!(!debug.contains(secret), "{url} → {debug}");
            }
        }
    }

    #[test]
    fn the_driver_gets_the_url_without_secrets_and_the_password_apart() {
        assert_eq!(
            without_secrets("postgres://u:p%40ss@h/db?sslmode=disable"),
            Some((
                "postgres://u@h/db?sslmode=disable".to_owned(),
                Some("p@ss".to_owned())
            ))
        );
        assert_eq!(
            without_secrets("postgres://u:p@ss@h/db?password=hunter2&sslpassword=k3y"),
            Some(("postgres://u@h/db".to_owned(), Some("hunter2".to_owned())))
        );
        assert_eq!(
            without_secrets("postgres://u@h:5433/db"),
            Some(("postgres://u@h:5433/db".to_owned(), None))
        );
        assert_eq!(without_secrets("postgres://u:pa/ss@h/db"), None);
        let options = PgConfig::new("postgres://u:s3cr3t@h/db?password=hunter2").to_options();
        let debug = format!("{options:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("hunter2"),
            "{debug}"
        );
    }
}
