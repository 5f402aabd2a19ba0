//! Pure: one poll's answer about a job array, task by task. The array is asked of the
//! same ONE `squeue -r` as every other job of the host (`-r` prints one line per task,
//! pending ones included: `7_4|PENDING|JobArrayTaskLimit|`), and of `sacct -j ID`
//! (every task's row, `7_0|...|COMPLETED|0:0|node01`) once some of its tasks left the
//! queue. Recorded output of both releases in `testdata/slurm*/poll-array-*.txt`.
//!
//! The rules are the tracker's ([`super`]), per task: squeue is trusted for the
//! tasks it lists live; a final sacct row settles a task; sacct's row for the tasks that
//! had not split off (`7_[2-3,5%2]`) settles those of its tasks without a row of their
//! own (a whole array cancelled while they waited: measured on 22.05); a task that left
//! the queue without a final row for [`super::VANISH_AFTER_POLLS`] answered polls
//! is settled as `VANISHED` (a task cancelled while pending never gets a row: `cancel`
//! marks it itself).

use super::super::super::array::{Task, task_indexes};
use super::super::super::slurm::JobStatus;
use super::super::super::state::{JobState, Phase};
use super::{Accounting, VANISH_AFTER_POLLS};

/// What this process remembers of an array between polls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrayWait {
    /// Some tasks left squeue without a final row: ask sacct.
    pub left: bool,
    /// Answered sacct polls while tasks waited for their final row.
    pub polls: u32,
}

/// The array's tasks after this poll (None: nothing changed). `squeue`: the rows of a
/// reachable squeue that was asked about this array; `sacct`: the rows when sacct was
/// asked about it (with how accounting answered).
pub fn apply(
    id: &str,
    tasks: &[Task],
    squeue: Option<&[JobStatus]>,
    sacct: Option<(&[JobStatus], &Accounting)>,
    wait: &mut ArrayWait,
) -> Option<Vec<Task>> {
    let mut new = tasks.to_vec();
    if let Some((rows, _)) = sacct {
        // A task's own row first, then the rows of tasks that had not split off.
        for own in [true, false] {
            for r in rows.iter().filter(|r| r.state.is_final() && r.id.contains('[') != own) {
                for i in task_indexes(id, &r.id).unwrap_or_default() {
                    if let Some(t) = new.iter_mut().find(|t| t.index == i && !t.state.is_final()) {
                        *t = Task {
                            index: i,
                            state: r.state.clone(),
                            reason: None,
                            exit_code: r.exit_code.or(t.exit_code),
                            nodes: r.nodes.clone().or(t.nodes.clone()),
                            // A row of tasks not split off has the array's id.
                            job_id: if own { r.raw_id.or(t.job_id) } else { t.job_id },
                        };
                    }
                }
            }
        }
    }
    let mut left = false;
    if let Some(rows) = squeue {
        for t in new.iter_mut().filter(|t| !t.state.is_final()) {
            let row = rows.iter().find(|r| {
                !r.state.is_final()
                    && task_indexes(id, &r.id).is_some_and(|ix| ix.contains(&t.index))
            });
            match row {
                Some(r) => {
                    t.state = r.state.clone();
                    t.reason = r.reason.clone();
                    t.nodes = r.nodes.clone().or(t.nodes.take());
                    // A pending task that has not split off shows the array's id.
                    if r.state.phase() != Phase::Pending {
                        t.job_id = r.raw_id.or(t.job_id);
                    }
                }
                None => left = true,
            }
        }
    } else {
        left = wait.left && new.iter().any(|t| !t.state.is_final());
    }
    let waiting = new.iter().any(|t| !t.state.is_final());
    if let Some((_, accounting)) = sacct
        && wait.left
        && waiting
        && matches!(accounting, Accounting::Answered | Accounting::Disabled)
    {
        wait.polls += 1;
        if wait.polls >= VANISH_AFTER_POLLS {
            // Tasks still listed live by squeue stay as they are.
            let live: Vec<u32> = squeue
                .map(|rows| {
                    rows.iter()
                        .filter(|r| !r.state.is_final())
                        .flat_map(|r| task_indexes(id, &r.id).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            for t in new.iter_mut().filter(|t| !t.state.is_final() && !live.contains(&t.index)) {
                t.state = JobState::Vanished;
                t.reason = None;
            }
        }
    }
    wait.left = left && new.iter().any(|t| !t.state.is_final());
    if !wait.left {
        wait.polls = 0;
    }
    (new != tasks).then_some(new)
}
