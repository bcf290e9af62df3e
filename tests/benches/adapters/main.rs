//! Adapter benchmarks.
//!
//! ```text
//! cargo bench -p containerpub-tests --bench adapters                 # full run (~2 min)
//! cargo bench -p containerpub-tests --bench adapters -- --quick      # rough run (<2 min)
//! cargo bench -p containerpub-tests --bench adapters -- --quick --sizes          # + series
//! cargo bench -p containerpub-tests --bench adapters -- --sizes=1000,10000       # series sizes
//! cargo bench -p containerpub-tests --bench adapters -- --no-pgbench   # skip the pgbench floor
//! cargo bench -p containerpub-tests --bench adapters -- --tiny         # smoke-test sizes
//! cargo bench -p containerpub-tests --bench adapters -- --memory-only  # in-memory store only
//! ```
//!
//! Seeds its own data on fresh databases from the test harness (`containerpub_tests::pg`),
//! measures each pair interleaved in the same run, prints a table and writes
//! `<target dir>/bench/report.json` (see `BENCHMARKS.md`; `docs/bench/plot.py` draws the
//! series). The code lives in `suite/`, which the CI smoke test runs on tiny sizes.

mod suite;

use std::path::PathBuf;
use std::process::ExitCode;

use suite::{REQUIRED, Sizes};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only say so, as
    // the harness-less binary cannot run "once" cheaply (the smoke test covers that path).
    if !args.iter().any(|a| a == "--bench") {
        println!("adapters: run with `cargo bench -p containerpub-tests --bench adapters`");
        return ExitCode::SUCCESS;
    }
    let mut sizes = if args.iter().any(|a| a == "--quick") {
        Sizes::quick()
    } else if args.iter().any(|a| a == "--tiny") {
        Sizes::tiny()
    } else {
        Sizes::full()
    };
    for arg in &args {
        if arg == "--sizes" {
            sizes.series_sizes = Sizes::full().series_sizes;
        } else if let Some(list) = arg.strip_prefix("--sizes=") {
            let parsed: Result<Vec<usize>, _> = list.split(',').map(str::parse).collect();
            match parsed {
                Ok(list) if !list.is_empty() => sizes.series_sizes = list,
                _ => {
                    eprintln!("--sizes=N,N,…: table sizes, such as --sizes=1000,10000");
                    return ExitCode::FAILURE;
                }
            }
        } else if arg == "--no-pgbench" {
            sizes.pgbench_secs = 0;
        } else if arg == "--memory-only" {
            sizes.memory_only = true;
        }
    }
    if let Some(&largest) = sizes.series_sizes.iter().max() {
        sizes.memory_large = sizes.memory_large.max(largest);
    }

    eprintln!("adapters: {} run, sizes {sizes:?}", sizes.label);
    let report = suite::run(&sizes);
    print!("{}", report.table());

    let path = report_path();
    let json = serde_json::to_string_pretty(&report.to_json()).expect("JSON");
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, json + "\n"));
    match written {
        Ok(()) => println!("report: {}", path.display()),
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|name| !sizes.memory_only || name.starts_with("memory_"))
        .filter(|name| report.get(name).is_none_or(|m| !m.value.is_finite()))
        .collect();
    if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("measurements without a value: {}", missing.join(", "));
        ExitCode::FAILURE
    }
}

/// `<target dir>/bench/report.json`: `CARGO_TARGET_DIR` if set, else the `target` directory
/// beside the workspace's `Cargo.lock` (found walking up from this crate).
fn report_path() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir().unwrap_or_default().join(dir)
            }
        }
        None => {
            let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let root = manifest
                .ancestors()
                .find(|dir| dir.join("Cargo.lock").is_file())
                .unwrap_or(&manifest)
                .to_path_buf();
            root.join("target")
        }
    };
    target.join("bench").join("report.json")
}
