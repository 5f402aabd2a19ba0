//! Pure: how often the tracker asks Slurm. Fast right after a submit or a state change
//! (users watch then), slower as nothing happens, and not at all with nothing to track.

use std::time::Duration;

/// The wait before the next poll, given how long ago the last submit or state change
/// was seen and how many jobs are tracked. `None`: nothing to track, do not poll.
pub fn poll_interval(since_last_change: Duration, tracked: usize) -> Option<Duration> {
    if tracked == 0 {
        return None;
    }
    let s = since_last_change.as_secs_f64();
    let ms = if s < 10.0 {
        500
    } else if s < 60.0 {
        2_000
    } else if s < 600.0 {
        10_000
    } else {
        30_000
    };
    Some(Duration::from_millis(ms))
}

/// sacct lags squeue: no row for about a second after submit, then a placeholder.
/// A job squeue no longer lists is asked of sacct again after this long.
pub const SACCT_RETRY: Duration = Duration::from_millis(500);

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn schedule() {
        let table: Vec<String> = [0u64, 5, 10, 59, 60, 300, 600, 3600]
            .iter()
            .map(|s| format!("{s}s→{:?}", poll_interval(Duration::from_secs(*s), 1).unwrap()))
            .collect();
        expect!["0s→500ms 5s→500ms 10s→2s 59s→2s 60s→10s 300s→10s 600s→30s 3600s→30s"]
            .assert_eq(&table.join(" "));
        assert_eq!(poll_interval(Duration::ZERO, 0), None);
    }
}
