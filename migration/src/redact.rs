//! Database URLs as they may be shown: passwords hidden.

/// The URL with its password (the user part up to the last `@`, as URL parsers read it) and
/// its `password` / `sslpassword` parameters replaced by `***`; a URL that does not parse is
/// not shown.
pub(crate) fn redact(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<a URL that does not parse, not shown>".to_owned();
    };
    if url.password().is_some() && url.set_password(Some("***")).is_err() {
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
                    "***".to_owned()
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
