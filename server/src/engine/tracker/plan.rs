//! Pure: the tracker's decisions, values in and values out. [`plan`] says what one
//! poll asks (one `squeue` for every tracked job, `sacct` for jobs that left it, the
//! exit files of step runs); [`apply`] reads the answer ([`Answer`], the sections of
//! [`super::super::programs::POLL_PROGRAM`]) into state updates. Tested on recorded real
//! output in `tracker/plan/tests.rs` (job arrays, `array`: `tracker/plan/array_tests.rs`).
//!
//! The rules:
//! - squeue is trusted for jobs it lists live; sacct's final row settles a job;
//! - a squeue that failed for another reason than "Invalid job id" means the controller
//!   is unreachable ([`Controller::Unreachable`]): nothing is read from it, no job is
//!   taken to have left the queue, no allocation to have ended;
//! - a job this process has not polled yet is asked of squeue AND sacct in its first
//!   poll, so a fresh process (`jobs --refresh`) settles a job that left the queue at once;
//! - a job that left the queue and that accounting, answering, has no final row for
//!   after [`VANISH_AFTER_POLLS`] polls is settled as squeue last saw it, else as the
//!   final [`JobState::Vanished`]; polls where accounting did not answer do not count.

use std::collections::{HashMap, HashSet};

use super::super::array::Task;
use super::super::slurm::{self, JobStatus};
use super::super::state::JobState;
use array::ArrayWait;

mod array;

/// Answered polls without a final accounting row before a job that left the queue is
/// settled without one.
pub const VANISH_AFTER_POLLS: u32 = 40;

/// A live job as the tracker needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracked {
    /// A batch job or an allocation: asked of squeue and sacct.
    Job { id: String },
    /// A step run inside an allocation: its exit file in its run directory.
    Step { id: String, alloc: String, run_dir: String },
    /// A job array: its tasks as last stored, followed one by one (`tracker/plan/array.rs`).
    Array { id: String, tasks: Vec<Task> },
}

impl Tracked {
    pub fn id(&self) -> &str {
        match self {
            Tracked::Job { id } | Tracked::Step { id, .. } | Tracked::Array { id, .. } => id,
        }
    }
}

/// What this process remembers between polls.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// Jobs squeue no longer lists as live, waiting for their final sacct row.
    awaiting: HashMap<String, Awaiting>,
    /// Jobs this process has asked squeue (or submitted): they need no sacct while
    /// squeue lists them.
    polled: HashSet<String>,
    /// Job arrays with tasks that left squeue, waiting for their final sacct rows.
    arrays: HashMap<String, ArrayWait>,
}

#[derive(Debug, Clone, Default)]
struct Awaiting {
    /// Polls where accounting answered without a final row.
    polls: u32,
    /// squeue's final state for the job, if it showed one before dropping it.
    squeue_final: Option<JobState>,
}

impl Memory {
    /// A job this process just submitted: squeue alone covers its first poll.
    pub fn submitted(&mut self, id: &str) {
        self.polled.insert(id.to_string());
    }
}

/// What one poll asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub squeue: Vec<String>,
    pub sacct: Vec<String>,
    pub step_dirs: Vec<String>,
}

impl Plan {
    /// The arguments of the poll program: `SQUEUE_IDS SACCT_IDS STEP_DIRS...`.
    pub fn args(&self) -> Vec<String> {
        let mut v = vec![self.squeue.join(","), self.sacct.join(",")];
        v.extend(self.step_dirs.iter().cloned());
        v
    }
}

pub fn plan(live: &[Tracked], mem: &Memory) -> Plan {
    let mut p = Plan::default();
    for t in live {
        match t {
            Tracked::Job { id } if mem.awaiting.contains_key(id) => p.sacct.push(id.clone()),
            Tracked::Job { id } => {
                p.squeue.push(id.clone());
                if !mem.polled.contains(id) {
                    p.sacct.push(id.clone());
                }
            }
            Tracked::Step { run_dir, .. } => p.step_dirs.push(run_dir.clone()),
            // Always in squeue (one call whatever the tasks); sacct once tasks left it.
            Tracked::Array { id, .. } => {
                p.squeue.push(id.clone());
                if !mem.polled.contains(id) || mem.arrays.get(id).is_some_and(|w| w.left) {
                    p.sacct.push(id.clone());
                }
            }
        }
    }
    // The allocations that step runs live in, asked of squeue in the same call.
    for t in live {
        if let Tracked::Step { alloc, .. } = t
            && !p.squeue.contains(alloc)
            && !mem.awaiting.contains_key(alloc)
        {
            p.squeue.push(alloc.clone());
        }
    }
    p
}

/// The poll program's output, by section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// squeue's stdout and stderr.
    pub squeue: String,
    /// None: squeue was not run (nothing asked) or its status is missing.
    pub squeue_exit: Option<i32>,
    pub sacct: String,
    pub sacct_exit: Option<i32>,
    /// `CODE|cancelled?|DIR` lines of step runs that ended.
    pub steps: String,
}

impl Answer {
    pub fn parse(stdout: &str) -> Answer {
        let s = slurm::sections(stdout);
        let text = |k: &str| s.get(k).cloned().unwrap_or_default();
        let exit = |k: &str| s.get(k).and_then(|t| t.trim().parse().ok());
        Answer {
            squeue: text("squeue"),
            squeue_exit: exit("squeue-exit"),
            sacct: text("sacct"),
            sacct_exit: exit("sacct-exit"),
            steps: text("steps"),
        }
    }
}

/// Whether slurmctld answered this poll's squeue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Controller {
    /// Nothing was asked of squeue.
    NotAsked,
    Reachable,
    /// squeue failed (e.g. `Unable to contact slurm controller`): Slurm's words.
    Unreachable(String),
}

/// Whether accounting (slurmdbd) answered this poll's sacct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounting {
    NotAsked,
    Answered,
    /// The cluster keeps no accounting: squeue's last word is all there is.
    Disabled,
    /// sacct failed (e.g. slurmdbd down): Slurm's words. Jobs wait for it.
    Unreachable(String),
}

/// A job's new state, as one poll saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub id: String,
    pub state: JobState,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub nodes: Option<String>,
    /// A job array's tasks after this poll (the state is derived from them).
    pub tasks: Option<Vec<Task>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub updates: Vec<Update>,
    pub controller: Controller,
    pub accounting: Accounting,
}

/// The error lines of a command's output (what is not a data row), joined.
fn error_text(text: &str, is_row: impl Fn(&str) -> bool) -> String {
    let lines: Vec<&str> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !is_row(l)).collect();
    lines.join("; ")
}

fn controller(plan: &Plan, a: &Answer) -> Controller {
    if plan.squeue.is_empty() {
        return Controller::NotAsked;
    }
    // `squeue -j` of ONE unknown id fails with this; of several, it prints nothing
    // and exits 0 (testdata/slurm/poll-squeue-unknown-jobs.txt).
    if a.squeue_exit == Some(0) || a.squeue.contains("Invalid job id specified") {
        return Controller::Reachable;
    }
    let said = error_text(&a.squeue, |l| !slurm::parse_squeue(l).is_empty());
    Controller::Unreachable(match (a.squeue_exit, said.is_empty()) {
        (Some(n), true) => format!("squeue exited {n}"),
        (None, true) => "squeue gave no answer".into(),
        _ => said,
    })
}

fn accounting(plan: &Plan, a: &Answer) -> Accounting {
    if plan.sacct.is_empty() {
        return Accounting::NotAsked;
    }
    if a.sacct_exit == Some(0) {
        return Accounting::Answered;
    }
    // `Slurm accounting storage is disabled` (exit 1; "SLURM" in older releases).
    if a.sacct.to_ascii_lowercase().contains("accounting storage is disabled") {
        return Accounting::Disabled;
    }
    let said = error_text(&a.sacct, |l| !slurm::parse_sacct(l).is_empty());
    Accounting::Unreachable(if said.is_empty() { "sacct gave no answer".into() } else { said })
}

fn update(s: &JobStatus) -> Update {
    Update {
        id: s.id.clone(),
        state: s.state.clone(),
        reason: s.reason.clone(),
        exit_code: s.exit_code,
        nodes: s.nodes.clone(),
        tasks: None,
    }
}

fn settle(id: &str, state: JobState) -> Update {
    Update { id: id.into(), state, reason: None, exit_code: None, nodes: None, tasks: None }
}

/// Read one poll's answer: the updates to store, and how Slurm answered.
pub fn apply(live: &[Tracked], plan: &Plan, a: &Answer, mem: &mut Memory) -> Outcome {
    let controller = controller(plan, a);
    let accounting = accounting(plan, a);
    let squeue =
        if controller == Controller::Reachable { slurm::parse_squeue(&a.squeue) } else { vec![] };
    let sacct = slurm::parse_sacct(&a.sacct);
    let sacct_final = |id: &str| sacct.iter().find(|s| s.id == id && s.state.is_final());
    let mut updates = Vec::new();

    // Forget jobs that are no longer live (another process settled them).
    let ids: HashSet<&str> = live.iter().map(Tracked::id).collect();
    mem.awaiting.retain(|id, _| ids.contains(id.as_str()));
    mem.polled.retain(|id| ids.contains(id.as_str()));
    mem.arrays.retain(|id, _| ids.contains(id.as_str()));

    // Job arrays, task by task.
    for t in live {
        let Tracked::Array { id, tasks } = t else { continue };
        let asked_squeue = plan.squeue.contains(id) && controller == Controller::Reachable;
        if asked_squeue {
            mem.polled.insert(id.clone());
        }
        let sacct_rows = plan.sacct.contains(id).then_some((sacct.as_slice(), &accounting));
        let wait = mem.arrays.entry(id.clone()).or_default();
        let squeue_rows = asked_squeue.then_some(squeue.as_slice());
        if let Some(new) = array::apply(id, tasks, squeue_rows, sacct_rows, wait) {
            let (state, exit_code) = super::super::array::derive(&new);
            let reason = Some(super::super::array::summary(&new));
            updates.push(Update { exit_code, reason, tasks: Some(new), ..settle(id, state) });
        }
    }

    let jobs: HashSet<&str> = live
        .iter()
        .filter_map(|t| match t {
            Tracked::Job { id } => Some(id.as_str()),
            Tracked::Step { .. } | Tracked::Array { .. } => None,
        })
        .collect();
    for id in plan.squeue.iter().filter(|id| jobs.contains(id.as_str())) {
        if controller != Controller::Reachable {
            continue;
        }
        mem.polled.insert(id.clone());
        if sacct_final(id).is_some() {
            continue;
        }
        match squeue.iter().find(|s| &s.id == id) {
            Some(s) if !s.state.is_final() => {
                mem.awaiting.remove(id);
                updates.push(update(s));
            }
            Some(s) => {
                mem.awaiting.entry(id.clone()).or_default().squeue_final = Some(s.state.clone())
            }
            None => {
                mem.awaiting.entry(id.clone()).or_default();
            }
        }
    }
    for id in plan.sacct.iter().filter(|id| jobs.contains(id.as_str())) {
        if let Some(s) = sacct_final(id) {
            mem.awaiting.remove(id);
            updates.push(update(s));
            continue;
        }
        let Some(w) = mem.awaiting.get_mut(id) else { continue };
        let settled = match accounting {
            Accounting::Answered => {
                w.polls += 1;
                w.polls >= VANISH_AFTER_POLLS
            }
            Accounting::Disabled => {
                w.polls += 1;
                w.squeue_final.is_some() || w.polls >= VANISH_AFTER_POLLS
            }
            Accounting::NotAsked | Accounting::Unreachable(_) => false,
        };
        if settled {
            let state = w.squeue_final.clone().unwrap_or(JobState::Vanished);
            mem.awaiting.remove(id);
            updates.push(settle(id, state));
        }
    }

    // Step runs: their exit files, and the allocations they live in.
    let mut ended = Vec::new();
    for line in a.steps.lines() {
        let mut f = line.splitn(3, '|');
        let (Some(code), Some(flag), Some(dir)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let Some(id) = live.iter().find_map(|t| match t {
            Tracked::Step { id, run_dir, .. } if run_dir == dir => Some(id),
            _ => None,
        }) else {
            continue;
        };
        let code: i32 = code.trim().parse().unwrap_or(-1);
        let state = match (flag, code) {
            ("cancelled", _) => JobState::Cancelled,
            (_, 0) => JobState::Completed,
            _ => JobState::Failed,
        };
        ended.push(id.clone());
        updates.push(Update { exit_code: Some(code), ..settle(id, state) });
    }
    for t in live {
        let Tracked::Step { id, alloc, .. } = t else { continue };
        if ended.contains(id) {
            continue;
        }
        let alloc_ended = if plan.squeue.contains(alloc) {
            controller == Controller::Reachable
                && !squeue.iter().any(|s| &s.id == alloc && !s.state.is_final())
        } else {
            mem.awaiting.contains_key(alloc)
        } || updates.iter().any(|u| &u.id == alloc && u.state.is_final());
        if alloc_ended {
            updates.push(Update {
                reason: Some(format!("allocation {alloc} ended")),
                ..settle(id, JobState::Cancelled)
            });
        }
    }
    Outcome { updates, controller, accounting }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod array_tests;
