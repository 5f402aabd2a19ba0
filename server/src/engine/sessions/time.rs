//! Pure: a session's time. How long a running job has left (`squeue -o %L`, relative,
//! so the clocks of the laptop and the cluster need not agree), and the `scontrol
//! update` that extends (or shortens) its limit. Slurm decides: on most clusters a
//! user may lower their own job's limit but not raise it, and its refusal is shown in
//! its own words.

use clusterls_sbatch::values::parse_time;

use super::super::error::EngineError;

/// `squeue -h -j ID -o` this: id, state, time left, time limit, nodes.
pub const TIME_LEFT_FORMAT: &str = "%i|%T|%L|%l|%N";

/// argv of the time-left query (`id` already checked to be a job id).
pub fn time_left_argv(id: &str) -> Vec<String> {
    ["squeue", "-h", "-j", id, "-o", TIME_LEFT_FORMAT].map(String::from).into()
}

/// What squeue says of a job's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeLeft {
    pub id: String,
    pub state: String,
    /// Seconds left (`None`: no limit, or not running).
    pub left_secs: Option<u64>,
    /// The limit as Slurm prints it (`1:00:00`, `UNLIMITED`).
    pub limit: String,
    /// Its nodes in Slurm's notation (empty while pending).
    pub nodes: String,
}

/// Read `squeue -o` [`TIME_LEFT_FORMAT`]; `None` when the job is not in the queue.
pub fn parse_time_left(text: &str) -> Option<TimeLeft> {
    let line = text.lines().find(|l| l.split('|').count() == 5)?;
    let f: Vec<&str> = line.split('|').map(str::trim).collect();
    let left = match f[2] {
        "UNLIMITED" | "INVALID" | "NOT_SET" | "" => None,
        t => parse_time(t).ok().and_then(|t| t.seconds),
    };
    Some(TimeLeft {
        id: f[0].to_string(),
        state: f[1].to_string(),
        left_secs: left,
        limit: f[3].to_string(),
        nodes: f[4].to_string(),
    })
}

/// How a limit changes: by an amount (`+30`, `-10`), or to a value (`=2:00:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Add(u64),
    Subtract(u64),
    Set(u64),
}

/// Read `[+|-|=]TIME` (TIME in Slurm's forms; no sign: add). Minutes, as Slurm keeps
/// limits (seconds round up).
pub fn change(spec: &str) -> Result<Change, EngineError> {
    let s = spec.trim();
    let (kind, t): (fn(u64) -> Change, &str) = match s.chars().next() {
        Some('+') => (Change::Add, &s[1..]),
        Some('-') => (Change::Subtract, &s[1..]),
        Some('=') => (Change::Set, &s[1..]),
        _ => (Change::Add, s),
    };
    let bad = |why: String| {
        EngineError::Usage(format!(
            "`{spec}` is not a time change: {why}. Give +TIME to extend (e.g. +30 for 30 minutes, +1:00:00), -TIME to shorten, =TIME to set the limit"
        ))
    };
    let minutes = parse_time(t).map_err(bad)?.minutes().ok_or_else(|| {
        bad("UNLIMITED is not an amount; ask the cluster's admins for an unlimited job".into())
    })?;
    if minutes == 0 {
        return Err(bad("it is 0 minutes".into()));
    }
    Ok(kind(minutes))
}

/// The `scontrol update` argv of a change (`id` already checked to be a job id).
pub fn extend_argv(id: &str, c: Change) -> Vec<String> {
    let limit = match c {
        Change::Add(m) => format!("TimeLimit+={m}"),
        Change::Subtract(m) => format!("TimeLimit-={m}"),
        Change::Set(m) => format!("TimeLimit={m}"),
    };
    vec!["scontrol".into(), "update".into(), format!("JobId={id}"), limit]
}

/// A refused change: Slurm's words (every line it printed, `scontrol: error: ` cut) and
/// what they mean for the user.
pub fn refusal(c: Change, slurm: &str) -> (String, &'static str) {
    let words = slurm
        .lines()
        .map(|l| l.trim().trim_start_matches("scontrol: error: ").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let words = if words.is_empty() { "(Slurm printed nothing)".to_string() } else { words };
    let hint = if words.contains("Access/permission denied")
        && matches!(c, Change::Add(_) | Change::Set(_))
    {
        "On most clusters only an operator or administrator may raise a job's time limit (users may lower it): ask the cluster's support, or start a new session with a longer --time."
    } else if words.contains("Invalid job id") {
        "The job is not in the queue any more (`clusterls jobs --refresh` shows its state)."
    } else {
        "Nothing was changed."
    };
    (words, hint)
}

/// `1:02:03`, `12:03` for a countdown.
pub fn countdown(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(spec: &str, expected: Expect) {
        let got = match change(spec) {
            Ok(c) => extend_argv("41", c).join(" "),
            Err(e) => e.to_string(),
        };
        expected.assert_eq(&got);
    }

    #[test]
    fn changes() {
        check("30", expect!["scontrol update JobId=41 TimeLimit+=30"]);
        check("+1:00:00", expect!["scontrol update JobId=41 TimeLimit+=60"]);
        check("+90:01", expect!["scontrol update JobId=41 TimeLimit+=91"]);
        check("-10", expect!["scontrol update JobId=41 TimeLimit-=10"]);
        check("=1-00:00:00", expect!["scontrol update JobId=41 TimeLimit=1440"]);
        check(
            "+0",
            expect![
                "`+0` is not a time change: it is 0 minutes. Give +TIME to extend (e.g. +30 for 30 minutes, +1:00:00), -TIME to shorten, =TIME to set the limit"
            ],
        );
        check(
            "+1h",
            expect![
                "`+1h` is not a time change: `1h` is not a time limit (`h` is not allowed); write one of minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED. Give +TIME to extend (e.g. +30 for 30 minutes, +1:00:00), -TIME to shorten, =TIME to set the limit"
            ],
        );
        check(
            "+UNLIMITED",
            expect![
                "`+UNLIMITED` is not a time change: UNLIMITED is not an amount; ask the cluster's admins for an unlimited job. Give +TIME to extend (e.g. +30 for 30 minutes, +1:00:00), -TIME to shorten, =TIME to set the limit"
            ],
        );
    }

    #[test]
    fn time_left() {
        // Recorded on Slurm 22.05 (`squeue -h -j ID -o '%i|%T|%L|%l|%N'`).
        expect![[r#"Some(TimeLeft { id: "4529", state: "RUNNING", left_secs: Some(599), limit: "10:00", nodes: "node01" })"#]]
            .assert_eq(&format!("{:?}", parse_time_left("4529|RUNNING|9:59|10:00|node01\n")));
        expect![[r#"Some(TimeLeft { id: "7", state: "RUNNING", left_secs: Some(90061), limit: "2-00:00:00", nodes: "node[02-03]" })"#]]
            .assert_eq(&format!("{:?}", parse_time_left("7|RUNNING|1-01:01:01|2-00:00:00|node[02-03]\n")));
        expect![[r#"Some(TimeLeft { id: "8", state: "RUNNING", left_secs: None, limit: "UNLIMITED", nodes: "node01" })"#]]
        .assert_eq(&format!("{:?}", parse_time_left("8|RUNNING|UNLIMITED|UNLIMITED|node01\n")));
        assert_eq!(parse_time_left(""), None);
        assert_eq!(countdown(599), "9:59");
        assert_eq!(countdown(3723), "1:02:03");
    }

    #[test]
    fn refusals_in_slurms_words() {
        expect![[r#"("Access/permission denied for job 41", "On most clusters only an operator or administrator may raise a job's time limit (users may lower it): ask the cluster's support, or start a new session with a longer --time.")"#]]
            .assert_eq(&format!("{:?}", refusal(Change::Add(10), "Access/permission denied for job 41\n")));
        expect![[r#"("Could not load state information for job 9: Invalid job id specified", "The job is not in the queue any more (`clusterls jobs --refresh` shows its state).")"#]]
            .assert_eq(&format!("{:?}", refusal(Change::Subtract(1), "scontrol: error: Could not load state information for job 9: Invalid job id specified\n")));
    }
}
