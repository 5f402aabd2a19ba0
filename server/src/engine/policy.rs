//! Pure: how often the tracker asks Slurm. Fast right after a submit or a state change
//! (users watch then), slower as nothing happens, and not at all with nothing to track.

use std::time::Duration;

/// The wait before the next poll, given how long ago the last submit or state change
/// was seen and how many jobs are tracked. `None`: nothing to track, do not poll.
pub fn poll_interval(since_last_change: Duration, tracked: usize) -> Option<Duration> {
    if tracked == 0 {
        return None;
    }
    // slurmctld is shared by everyone on the cluster: one squeue (2 RPCs) a second for the
    // first seconds after a change, then quickly down to one a minute for a long job.
    let s = since_last_change.as_secs_f64();
    let ms = if s < 10.0 {
        1_000
    } else if s < 60.0 {
        5_000
    } else if s < 600.0 {
        15_000
    } else {
        60_000
    };
    Some(Duration::from_millis(ms))
}

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
        expect!["0s→1s 5s→1s 10s→5s 59s→5s 60s→15s 300s→15s 600s→60s 3600s→60s"]
            .assert_eq(&table.join(" "));
        assert_eq!(poll_interval(Duration::ZERO, 0), None);
    }
}
