//! The adapter benchmark (`benches/adapters`) on tiny sizes, so CI proves it still runs: every
//! measurement is taken and has a finite value. Timings are not asserted.

#[allow(dead_code)]
#[path = "../../benches/adapters/suite/mod.rs"]
mod suite;

#[test]
fn adapter_benchmark_runs_on_tiny_sizes() {
    let report = suite::run(&suite::Sizes::tiny());
    for name in suite::REQUIRED {
        let measurement = report
            .get(name)
            .unwrap_or_else(|| panic!("the report has no `{name}`"));
        assert!(
            measurement.value.is_finite(),
            "`{name}` has no finite value: {:?}",
            measurement.detail
        );
    }
    // The series of the plot are produced too, one point per size.
    for name in [
        "series_memory_lookup_latency",
        "series_memory_insert_throughput",
        "series_postgres_lookup_latency",
        "series_postgres_insert_throughput",
    ] {
        let m = report
            .get(name)
            .unwrap_or_else(|| panic!("the report has no `{name}`"));
        let points = m.detail["series"]["points"].as_array().expect("points");
        assert_eq!(
            points.len(),
            suite::Sizes::tiny().series_sizes.len(),
            "{name}"
        );
    }
    let json = report.to_json();
    let items = json.as_array().expect("an array");
    assert!(
        items
            .iter()
            .all(|m| m["name"].is_string() && m.get("pass").is_some())
    );
}
