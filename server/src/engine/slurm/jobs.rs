//! Pure: what `squeue` and `sacct` say of jobs, read into [`JobStatus`] rows.

use super::super::state::JobState;

/// One job as `squeue` or `sacct` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: String,
    pub state: JobState,
    /// squeue's reason (`Resources`, `Priority`, `None`), when pending.
    pub reason: Option<String>,
    /// sacct's exit code of the batch script, `0:0` → 0; a signal → 128+N.
    pub exit_code: Option<i32>,
    pub nodes: Option<String>,
    /// The job's own numeric id (squeue's `%A`, sacct's `JobIDRaw`): for a task of a job
    /// array (`123_4`) its own job id, which `%j` in an output pattern names.
    pub raw_id: Option<u64>,
}

/// Rows of the tracker's `squeue -h -r -j IDS -o '%i|%T|%r|%N|%A'`
/// ([`crate::engine::programs::POLL_PROGRAM`]; rows without the last field are read too);
/// anything else (an error line) is skipped.
pub fn parse_squeue(s: &str) -> Vec<JobStatus> {
    s.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            if !(4..=5).contains(&f.len())
                || f[0].is_empty()
                || !f[0].starts_with(|c: char| c.is_ascii_digit())
            {
                return None;
            }
            Some(JobStatus {
                id: f[0].to_string(),
                state: JobState::parse(f[1]),
                reason: Some(f[2].to_string()).filter(|r| !r.is_empty() && r != "None"),
                exit_code: None,
                nodes: Some(f[3].to_string()).filter(|n| !n.is_empty() && !n.starts_with('(')),
                raw_id: f.get(4).and_then(|r| r.parse().ok()),
            })
        })
        .collect()
}

/// Rows of the tracker's `sacct -nP -X -j IDS -o JobID,JobName,State,ExitCode,NodeList,JobIDRaw`
/// (rows without the last field are read too). The placeholder row sacct shows right after submit (JobName
/// `allocation`, PENDING while the job already runs) is reported as it is; the caller
/// trusts squeue over sacct for jobs squeue still lists.
pub fn parse_sacct(s: &str) -> Vec<JobStatus> {
    s.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('|').map(str::trim).collect();
            if !(5..=6).contains(&f.len())
                || !f[0].starts_with(|c: char| c.is_ascii_digit())
                || f[0].contains('.')
            {
                return None;
            }
            Some(JobStatus {
                id: f[0].to_string(),
                state: JobState::parse(f[2]),
                reason: None,
                exit_code: parse_exit_code(f[3]),
                nodes: Some(f[4].to_string()).filter(|n| !n.is_empty() && n != "None assigned"),
                raw_id: f.get(5).and_then(|r| r.parse().ok()),
            })
        })
        .collect()
}

/// `0:0` → 0, `3:0` → 3, `0:9` (killed by signal 9) → 137.
pub fn parse_exit_code(s: &str) -> Option<i32> {
    let (code, sig) = s.split_once(':')?;
    let code: i32 = code.parse().ok()?;
    let sig: i32 = sig.parse().ok()?;
    Some(if sig != 0 { 128 + sig } else { code })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::state::JobState;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check_state(input: &str, expect: Expect) {
        let s = JobState::parse(input);
        expect.assert_eq(&format!("{s} final={}", s.is_final()));
    }

    #[test]
    fn states() {
        check_state("RUNNING", expect!["RUNNING final=false"]);
        check_state("CANCELLED by 1000", expect!["CANCELLED final=true"]);
        check_state("COMPLETED", expect!["COMPLETED final=true"]);
        check_state("PD", expect!["PENDING final=false"]);
        check_state("RESIZING", expect!["RESIZING final=false"]);
    }

    #[test]
    fn squeue_and_sacct() {
        expect![[r#"[JobStatus { id: "12", state: Running, reason: None, exit_code: None, nodes: Some("node1"), raw_id: None }, JobStatus { id: "13", state: Pending, reason: Some("Resources"), exit_code: None, nodes: None, raw_id: None }]"#]]
            .assert_eq(&format!("{:?}", parse_squeue("12|RUNNING|None|node1\n13|PENDING|Resources|\nslurm_load_jobs error: Invalid job id specified\n")));
        expect![[r#"[JobStatus { id: "12", state: Completed, reason: None, exit_code: Some(0), nodes: Some("node1"), raw_id: None }, JobStatus { id: "14", state: Failed, reason: None, exit_code: Some(3), nodes: Some("node1"), raw_id: None }, JobStatus { id: "15", state: Cancelled, reason: None, exit_code: Some(137), nodes: None, raw_id: None }]"#]]
            .assert_eq(&format!("{:?}", parse_sacct("12|train|COMPLETED|0:0|node1\n12.batch|batch|COMPLETED|0:0|node1\n14|x|FAILED|3:0|node1\n15|y|CANCELLED by 0|0:9|None assigned\n")));
    }
}
