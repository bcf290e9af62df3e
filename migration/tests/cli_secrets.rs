//! Issue 19, item 5: the `migration` CLI never prints a URL's password, for a bad scheme or
//! a URL the driver refuses.

use std::process::Command;

const SECRETS: [&str; 4] = ["p@ss", "hunter2", "k3y", "%40ss"];

fn run(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("status")
        .env("DATABASE_URL", url)
        .output()
        .expect("run the migration binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn cli_errors_hide_the_password() {
    for url in [
        "mysql://u:p@ss@127.0.0.1:1/db?password=hunter2&sslpassword=k3y",
        "postgresql://u:p@ss@127.0.0.1:1/db?password=hunter2&sslmode=nonsense",
        "mariadb://u:p%40ss@127.0.0.1:1/db",
    ] {
        let (ok, text) = run(url);
        assert!(!ok, "{url}: the command failed");
        assert!(!text.trim().is_empty(), "{url}: it says why");
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{url}: output shows {secret:?}:\n{text}"
            );
        }
    }
    let (_, text) = run("mysql://u:p@ss@127.0.0.1:1/db");
    assert!(text.contains("mysql://u:***@127.0.0.1:1/db"), "{text}");
}
