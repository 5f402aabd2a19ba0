//! Pure: who polls a host. Every process (each editor window's language server, each
//! `clusterls run --follow`) tracks jobs, but at most one of them asks Slurm for a
//! given host at a time: the holder of that host's poll lease (a row in the shared job
//! store). The others read the store. A lease that is not renewed expires, so when the
//! holder dies another process takes over within a few poll intervals.

use std::time::Duration;

/// The lease row of a host as stored: who holds it and until when (unix ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub expires_at: i64,
}

/// Whether `me` may poll now (taking or renewing the lease): when nobody holds it, it
/// has expired, or it is already ours.
pub fn may_take(now_ms: i64, row: Option<&Lease>, me: &str) -> bool {
    match row {
        None => true,
        Some(l) => l.holder == me || l.expires_at <= now_ms,
    }
}

/// How long a lease lasts when taken or renewed before a poll: three poll intervals
/// (a holder that misses two polls in a row loses it), never under 3 s.
pub fn length(poll_interval: Duration) -> Duration {
    (poll_interval * 3).max(Duration::from_secs(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[track_caller]
    fn check(now: i64, row: Option<(&str, i64)>, expect: expect_test::Expect) {
        let row = row.map(|(h, e)| Lease { holder: h.into(), expires_at: e });
        expect.assert_eq(&may_take(now, row.as_ref(), "me").to_string());
    }

    #[test]
    fn absent_is_taken() {
        check(1000, None, expect!["true"]);
    }

    #[test]
    fn ours_is_renewed_even_when_expired() {
        check(1000, Some(("me", 5000)), expect!["true"]);
        check(9000, Some(("me", 5000)), expect!["true"]);
    }

    #[test]
    fn another_live_holder_keeps_it() {
        check(1000, Some(("other", 5000)), expect!["false"]);
        check(4999, Some(("other", 5000)), expect!["false"]);
    }

    #[test]
    fn another_expired_holder_loses_it() {
        check(5000, Some(("other", 5000)), expect!["true"]);
        check(6000, Some(("other", 5000)), expect!["true"]);
    }

    #[test]
    fn lengths() {
        let l = |ms| length(Duration::from_millis(ms)).as_millis().to_string();
        expect!["3000 3000 15000 180000"]
            .assert_eq(&[l(500), l(1000), l(5000), l(60000)].join(" "));
    }
}
