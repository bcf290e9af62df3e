//! Whether a replica may serve reads: its lag, measured from a check's sample (see the
//! module docs of [`crate::replica`], "Health and lag").

use std::time::Duration;

/// A WAL position (`pg_lsn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Lsn(u64);

impl Lsn {
    /// Parses PostgreSQL's text form, `16/B374D848`.
    pub(super) fn parse(text: &str) -> Option<Lsn> {
        let (high, low) = text.trim().split_once('/')?;
        let high = u32::from_str_radix(high, 16).ok()?;
        let low = u32::from_str_radix(low, 16).ok()?;
        Some(Lsn((u64::from(high) << 32) | u64::from(low)))
    }
}

/// What a check read from a replica.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sample {
    pub(super) in_recovery: bool,
    pub(super) replay: Option<Lsn>,
    pub(super) receive: Option<Lsn>,
    /// `now() - pg_last_xact_replay_timestamp()`, in seconds.
    pub(super) replay_age: Option<f64>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Verdict {
    pub(super) healthy: bool,
    pub(super) lag: Option<Duration>,
    pub(super) reason: Option<String>,
}

impl Verdict {
    pub(super) fn skipped(lag: Option<Duration>, reason: impl Into<String>) -> Self {
        Self {
            healthy: false,
            lag,
            reason: Some(reason.into()),
        }
    }
}

/// The replica's lag (see the module docs); `reference` is the primary's WAL position sampled
/// before the replica was asked, if the primary answered.
fn measure_lag(sample: &Sample, reference: Option<Lsn>) -> Option<Duration> {
    if let (Some(replay), Some(target)) = (sample.replay, reference.or(sample.receive))
        && replay >= target
    {
        return Some(Duration::ZERO);
    }
    sample
        .replay_age
        .and_then(|secs| Duration::try_from_secs_f64(secs.max(0.0)).ok())
}

/// Whether reads may go to a replica that answered `sample`.
pub(super) fn assess(
    sample: &Sample,
    reference: Option<Lsn>,
    max_lag: Option<Duration>,
) -> Verdict {
    if !sample.in_recovery {
        return Verdict::skipped(None, "not a standby: pg_is_in_recovery() is false");
    }
    let lag = measure_lag(sample, reference);
    match (max_lag, lag) {
        (Some(max), Some(lag)) if lag > max => Verdict::skipped(
            Some(lag),
            format!("lagging: {lag:?} behind, more than the {max:?} allowed"),
        ),
        (Some(_), None) => Verdict::skipped(
            None,
            "lag unknown: behind the primary and no transaction replayed since it started",
        ),
        (_, lag) => Verdict {
            healthy: true,
            lag,
            reason: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(replay: &str, receive: Option<&str>, age: Option<f64>) -> Sample {
        Sample {
            in_recovery: true,
            replay: Lsn::parse(replay),
            receive: receive.and_then(Lsn::parse),
            replay_age: age,
        }
    }

    #[test]
    fn lsns_parse_and_order() {
        assert_eq!(Lsn::parse("0/0"), Some(Lsn(0)));
        assert_eq!(Lsn::parse("16/B374D848"), Some(Lsn(0x16_B374_D848)));
        assert!(Lsn::parse("1/0") > Lsn::parse("0/FFFFFFFF"));
        assert_eq!(Lsn::parse("x/1"), None);
        assert_eq!(Lsn::parse("12"), None);
    }

    #[test]
    fn caught_up_with_the_primary_is_no_lag_however_old_the_last_transaction() {
        let s = sample("0/3000148", Some("0/3000148"), Some(3600.0));
        assert_eq!(
            measure_lag(&s, Lsn::parse("0/3000148")),
            Some(Duration::ZERO)
        );
        let v = assess(&s, Lsn::parse("0/3000148"), Some(Duration::from_millis(1)));
        assert!(v.healthy, "{v:?}");
    }

    #[test]
    fn behind_the_primary_the_lag_is_the_replay_age() {
        // The replica replayed all it received, but the primary moved on (a lost link).
        let s = sample("0/3000148", Some("0/3000148"), Some(2.5));
        assert_eq!(
            measure_lag(&s, Lsn::parse("0/4000000")),
            Some(Duration::from_millis(2500))
        );
        let v = assess(&s, Lsn::parse("0/4000000"), Some(Duration::from_secs(1)));
        assert!(!v.healthy);
        assert!(
            v.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("lagging")),
            "{v:?}"
        );
        assert!(assess(&s, Lsn::parse("0/4000000"), Some(Duration::from_secs(3))).healthy);
        assert!(assess(&s, Lsn::parse("0/4000000"), None).healthy);
    }

    #[test]
    fn without_the_primary_the_receive_position_is_the_reference() {
        let s = sample("0/5000000", Some("0/5000000"), Some(100.0));
        assert_eq!(measure_lag(&s, None), Some(Duration::ZERO));
        // Received more than replayed (replay paused): lagging by the replay age.
        let s = sample("0/5000000", Some("0/6000000"), Some(0.25));
        assert_eq!(measure_lag(&s, None), Some(Duration::from_millis(250)));
        // Right after a restart the receive position can trail the replay position.
        let s = sample("0/5000100", Some("0/5000000"), None);
        assert_eq!(measure_lag(&s, None), Some(Duration::ZERO));
    }

    #[test]
    fn unknown_lag_and_primaries_are_skipped() {
        let s = sample("0/5000000", Some("0/6000000"), None);
        assert_eq!(measure_lag(&s, None), None);
        assert!(!assess(&s, None, Some(Duration::from_secs(5))).healthy);
        assert!(assess(&s, None, None).healthy);
        let primary = Sample {
            in_recovery: false,
            replay: None,
            receive: None,
            replay_age: None,
        };
        assert!(!assess(&primary, None, None).healthy);
        let skewed = sample("0/1", Some("0/2"), Some(-0.5));
        assert_eq!(measure_lag(&skewed, None), Some(Duration::ZERO));
    }
}
