//! Pure: job arrays. A job array is ONE record (the array's job id, `123`) holding its
//! tasks (`123_0`, `123_1`, ...), each with its own state; the record's state is
//! derived from its tasks ([`derive()`]). The task indexes come from the `--array` spec
//! ([`indexes`]); Slurm's task ids are `ARRAY_INDEX` ([`split_task_id`]), and squeue
//! and sacct print pending tasks that have not split off yet as `123_[2-5%2]`
//! ([`task_indexes`]).

use serde::{Deserialize, Serialize};

use super::state::{JobState, Phase};

/// One task of a job array, as the tracker last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub index: u32,
    pub state: JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// The task's own job id (not the array's id plus its index), once Slurm gave it
    /// one: what `%j` in an output pattern names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<u64>,
}

impl Task {
    pub fn pending(index: u32) -> Task {
        Task {
            index,
            state: JobState::Pending,
            reason: None,
            exit_code: None,
            nodes: None,
            job_id: None,
        }
    }
}

/// The most tasks clusterls keeps a record of (Slurm's MaxArraySize defaults to 1001;
/// sites raise it, but a sweep of more tasks than this is not tracked task by task).
pub const MAX_TASKS: usize = 100_000;

/// The indexes an `--array` spec names (`0-5%2`, `1,3,5`, `0-99:10`), sorted and
/// without duplicates; the `%` limit does not change them.
pub fn indexes(spec: &str) -> Result<Vec<u32>, String> {
    let list = spec.trim().split('%').next().unwrap_or("");
    let bad = || format!("`{spec}` is not an array index list; write e.g. 0-15, 1,3,5 or 0-99:10");
    let num = |x: &str| x.trim().parse::<u32>().map_err(|_| bad());
    let mut out = Vec::new();
    for part in list.split(',') {
        let (range, step) = match part.split_once(':') {
            Some((r, s)) => (r, num(s)?),
            None => (part, 1),
        };
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, num(range)?),
        };
        if b < a || step == 0 {
            return Err(bad());
        }
        let mut i = a;
        while i <= b {
            out.push(i);
            if out.len() > MAX_TASKS {
                return Err(format!(
                    "`{spec}` names more than {MAX_TASKS} tasks; split the sweep into several arrays"
                ));
            }
            match i.checked_add(step) {
                Some(n) => i = n,
                None => break,
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `123_4` → (`123`, 4). None for a plain job id or anything else.
pub fn split_task_id(id: &str) -> Option<(&str, u32)> {
    let (job, task) = id.split_once('_')?;
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (numeric(job) && numeric(task)).then_some(())?;
    Some((job, task.parse().ok()?))
}

/// The task indexes of a squeue/sacct row id of array `array`: `123_4` → `[4]`,
/// `123_[2-3,5%2]` → `[2, 3, 5]`; None when the row is not a task of that array.
pub fn task_indexes(array: &str, row_id: &str) -> Option<Vec<u32>> {
    let rest = row_id.strip_prefix(array)?.strip_prefix('_')?;
    if let Some(list) = rest.strip_prefix('[') {
        return indexes(list.strip_suffix(']')?).ok();
    }
    rest.parse().ok().map(|i| vec![i])
}

/// The tasks of a new array, all pending.
pub fn new_tasks(spec: &str) -> Result<Vec<Task>, String> {
    Ok(indexes(spec)?.into_iter().map(Task::pending).collect())
}

/// The array's state from its tasks: RUNNING while any runs; else PENDING while any
/// waits; once all ended: COMPLETED when all completed, else the state of the first
/// task that failed (FAILED, OUT_OF_MEMORY, TIMEOUT ... in that order of precedence:
/// a failure over a cancel), else CANCELLED. The exit code: the largest of the tasks'.
pub fn derive(tasks: &[Task]) -> (JobState, Option<i32>) {
    let exit = tasks.iter().filter_map(|t| t.exit_code).max();
    if tasks.is_empty() {
        return (JobState::Pending, None);
    }
    if let Some(t) = tasks.iter().find(|t| !t.state.is_final() && t.state.phase() == Phase::Running)
    {
        return (t.state.clone(), exit);
    }
    if let Some(t) = tasks.iter().find(|t| !t.state.is_final()) {
        return (t.state.clone(), exit);
    }
    if tasks.iter().all(|t| t.state == JobState::Completed) {
        return (JobState::Completed, exit);
    }
    let rank = |s: &JobState| match s.phase() {
        Phase::Failed => 0,
        Phase::Timeout => 1,
        Phase::Vanished => 2,
        Phase::Unknown => 3,
        Phase::Cancelled => 4,
        _ => 5,
    };
    let worst = tasks.iter().map(|t| &t.state).min_by_key(|s| rank(s)).cloned();
    (worst.unwrap_or(JobState::Completed), exit)
}

/// How many tasks are in each state, in the order of the state table's phases
/// (running, pending, completed, failed, ...), states as Slurm names them.
pub fn counts(tasks: &[Task]) -> Vec<(JobState, usize)> {
    let order = |s: &JobState| match s.phase() {
        Phase::Running => 0,
        Phase::Pending => 1,
        Phase::Completed => 2,
        Phase::Failed => 3,
        Phase::Timeout => 4,
        Phase::Cancelled => 5,
        Phase::Vanished => 6,
        Phase::Unknown => 7,
    };
    let mut out: Vec<(JobState, usize)> = Vec::new();
    for t in tasks {
        match out.iter_mut().find(|(s, _)| *s == t.state) {
            Some((_, n)) => *n += 1,
            None => out.push((t.state.clone(), 1)),
        }
    }
    out.sort_by_key(|(s, _)| (order(s), s.as_str().to_string()));
    out
}

/// `2 running, 3 pending, 1 completed` (lower-case state words).
pub fn summary(tasks: &[Task]) -> String {
    counts(tasks)
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str().to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check_indexes(spec: &str, expect: Expect) {
        let got = match indexes(spec) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&got);
    }

    #[test]
    fn the_indexes_a_spec_names() {
        check_indexes("0-5%2", expect!["[0, 1, 2, 3, 4, 5]"]);
        check_indexes("1,3,5", expect!["[1, 3, 5]"]);
        check_indexes("0-9:3", expect!["[0, 3, 6, 9]"]);
        check_indexes("5,0-2,2", expect!["[0, 1, 2, 5]"]);
        check_indexes("7", expect!["[7]"]);
        check_indexes("2-3,5%2", expect!["[2, 3, 5]"]);
        check_indexes(
            "3-1",
            expect!["error: `3-1` is not an array index list; write e.g. 0-15, 1,3,5 or 0-99:10"],
        );
        check_indexes(
            "-1",
            expect!["error: `-1` is not an array index list; write e.g. 0-15, 1,3,5 or 0-99:10"],
        );
        check_indexes(
            "0-200000",
            expect![
                "error: `0-200000` names more than 100000 tasks; split the sweep into several arrays"
            ],
        );
    }

    #[test]
    fn task_ids() {
        assert_eq!(split_task_id("123_4"), Some(("123", 4)));
        for id in ["123", "123_", "_4", "123_4_5", "12a_4", "123_-4", "123_[1-2]"] {
            assert_eq!(split_task_id(id), None, "{id}");
        }
        assert_eq!(task_indexes("7", "7_4"), Some(vec![4]));
        assert_eq!(task_indexes("7", "7_[2-3,5%2]"), Some(vec![2, 3, 5]));
        assert_eq!(task_indexes("7", "77_4"), None);
        assert_eq!(task_indexes("7", "7"), None);
    }

    fn tasks(states: &[(&str, Option<i32>)]) -> Vec<Task> {
        states
            .iter()
            .enumerate()
            .map(|(i, (s, e))| Task {
                exit_code: *e,
                state: JobState::parse(s),
                ..Task::pending(i as u32)
            })
            .collect()
    }

    #[test]
    fn the_array_state_comes_from_its_tasks() {
        let check = |states: &[(&str, Option<i32>)], expect: Expect| {
            let t = tasks(states);
            let (s, e) = derive(&t);
            expect.assert_eq(&format!("{s} exit={e:?} ({})", summary(&t)));
        };
        check(&[("PENDING", None), ("PENDING", None)], expect!["PENDING exit=None (2 pending)"]);
        check(
            &[("COMPLETED", Some(0)), ("RUNNING", None), ("PENDING", None)],
            expect!["RUNNING exit=Some(0) (1 running, 1 pending, 1 completed)"],
        );
        check(
            &[("COMPLETED", Some(0)), ("COMPLETED", Some(0))],
            expect!["COMPLETED exit=Some(0) (2 completed)"],
        );
        check(
            &[("COMPLETED", Some(0)), ("FAILED", Some(3)), ("CANCELLED", None)],
            expect!["FAILED exit=Some(3) (1 completed, 1 failed, 1 cancelled)"],
        );
        check(
            &[("COMPLETED", Some(0)), ("CANCELLED", None)],
            expect!["CANCELLED exit=Some(0) (1 completed, 1 cancelled)"],
        );
        check(
            &[("TIMEOUT", None), ("OUT_OF_MEMORY", None)],
            expect!["OUT_OF_MEMORY exit=None (1 out_of_memory, 1 timeout)"],
        );
    }
}
