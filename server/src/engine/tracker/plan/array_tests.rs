//! Table tests of job arrays in the tracker, on recorded real squeue/sacct output of
//! both releases (`testdata/slurm/poll-array-*.txt` and `testdata/slurm-24.11/`: a
//! 6-task array `0-5%2`, job id replaced by 7; see the READMEs for the commands).

use super::*;
use crate::engine::array::{Task, new_tasks, summary};
use expect_test::{Expect, expect};

macro_rules! rec {
    ($rel:literal, $f:literal) => {
        include_str!(concat!("../../testdata/", $rel, "/", $f))
    };
}

/// squeue's and sacct's output and status (None: not asked this poll).
fn answer(squeue: (&str, i32), sacct: (&str, i32)) -> Answer {
    Answer {
        squeue: squeue.0.into(),
        squeue_exit: Some(squeue.1),
        sacct: sacct.0.into(),
        sacct_exit: Some(sacct.1),
        steps: String::new(),
    }
}

fn tasks_line(tasks: &[Task]) -> String {
    let one = |t: &Task| {
        let mut s = format!("{}:{}", t.index, t.state);
        if let Some(e) = t.exit_code {
            s.push_str(&format!(" exit={e}"));
        }
        if let Some(r) = &t.reason {
            s.push_str(&format!(" ({r})"));
        }
        s
    };
    tasks.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// Poll array 7 (with `tasks`) once per answer (`times` times each); print each poll
/// that asked or changed something: the plan, how Slurm answered, the array's derived
/// state and its tasks. The array leaves `live` when it becomes final.
#[track_caller]
fn check(tasks: Vec<Task>, mut mem: Memory, polls: &[(usize, Answer)], expect: Expect) {
    let mut live = vec![Tracked::Array { id: "7".into(), tasks }];
    let mut out = String::new();
    let mut n = 0;
    for (times, a) in polls {
        for k in 0..*times {
            n += 1;
            if live.is_empty() {
                out.push_str(&format!("poll {n}: nothing live\n"));
                break;
            }
            let p = plan(&live, &mem);
            let o = apply(&live, &p, a, &mut mem);
            if k > 0 && o.updates.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "poll {n}: squeue [{}] sacct [{}] {:?} {:?}\n",
                p.squeue.join(","),
                p.sacct.join(","),
                o.controller,
                o.accounting
            ));
            for u in &o.updates {
                let tasks = u.tasks.clone().unwrap_or_default();
                out.push_str(&format!(
                    "  {} {} exit={:?} [{}]\n  {}\n",
                    u.id,
                    u.state,
                    u.exit_code,
                    summary(&tasks),
                    tasks_line(&tasks)
                ));
                live = if u.state.is_final() {
                    vec![]
                } else {
                    vec![Tracked::Array { id: u.id.clone(), tasks }]
                };
            }
        }
    }
    expect.assert_eq(&out);
}

fn submitted() -> Memory {
    let mut m = Memory::default();
    m.submitted("7");
    m
}

/// Submitted, pending, two tasks running (the `%2`), then the array left the queue:
/// sacct settles every task; one failed, so the array FAILED with its exit code.
#[test]
fn an_array_is_followed_task_by_task_to_its_end_22_05() {
    check(
        new_tasks("0-5%2").unwrap(),
        submitted(),
        &[
            (1, answer((rec!("slurm", "poll-array-squeue-pending.txt"), 0), ("", 0))),
            (1, answer((rec!("slurm", "poll-array-squeue-running.txt"), 0), ("", 0))),
            (1, answer((rec!("slurm", "squeue-unknown-job.stderr.txt"), 1), ("", 0))),
            (1, answer(("", 0), (rec!("slurm", "poll-array-sacct-done.txt"), 0))),
            (1, answer(("", 0), ("", 0))),
        ],
        expect![[r#"
            poll 1: squeue [7] sacct [] Reachable NotAsked
            poll 2: squeue [7] sacct [] Reachable NotAsked
              7 RUNNING exit=None [2 running, 4 pending]
              0:RUNNING, 1:RUNNING, 2:PENDING (JobArrayTaskLimit), 3:PENDING (JobArrayTaskLimit), 4:PENDING (JobArrayTaskLimit), 5:PENDING (JobArrayTaskLimit)
            poll 3: squeue [7] sacct [] Reachable NotAsked
            poll 4: squeue [7] sacct [7] Reachable Answered
              7 FAILED exit=Some(3) [5 completed, 1 failed]
              0:COMPLETED exit=0, 1:COMPLETED exit=0, 2:COMPLETED exit=0, 3:FAILED exit=3, 4:COMPLETED exit=0, 5:COMPLETED exit=0
            poll 5: nothing live
        "#]],
    );
}

/// The same on 24.11; a fresh process (`jobs --refresh`) asks sacct at once, whose
/// rows of running and not-yet-split tasks do not override squeue.
#[test]
fn an_array_is_followed_task_by_task_to_its_end_24_11() {
    check(
        new_tasks("0-5%2").unwrap(),
        Memory::default(),
        &[
            (
                1,
                answer(
                    (rec!("slurm-24.11", "poll-array-squeue-running.txt"), 0),
                    (rec!("slurm-24.11", "poll-array-sacct-running.txt"), 0),
                ),
            ),
            (1, answer(("", 0), ("", 0))),
            (1, answer(("", 0), (rec!("slurm-24.11", "poll-array-sacct-done.txt"), 0))),
        ],
        expect![[r#"
            poll 1: squeue [7] sacct [7] Reachable Answered
              7 RUNNING exit=None [2 running, 4 pending]
              0:RUNNING, 1:RUNNING, 2:PENDING (JobArrayTaskLimit), 3:PENDING (JobArrayTaskLimit), 4:PENDING (JobArrayTaskLimit), 5:PENDING (JobArrayTaskLimit)
            poll 2: squeue [7] sacct [] Reachable NotAsked
            poll 3: squeue [7] sacct [7] Reachable Answered
              7 FAILED exit=Some(3) [5 completed, 1 failed]
              0:COMPLETED exit=0, 1:COMPLETED exit=0, 2:COMPLETED exit=0, 3:FAILED exit=3, 4:COMPLETED exit=0, 5:COMPLETED exit=0
        "#]],
    );
}

/// Task 4 cancelled while pending (marked by `cancel`: it never gets a row), tasks 0
/// and 1 done, then the whole array cancelled: 22.05 reports the tasks that had not
/// split off (5) only in the `7_[2-3,5%2]` row, 24.11 in their own rows.
#[test]
fn a_cancelled_task_and_a_cancelled_array() {
    for rel in ["22.05", "24.11"] {
        let (sq_mid, sa_mid, sa_cancelled) = match rel {
            "22.05" => (
                rec!("slurm", "poll-array-squeue-mid.txt"),
                rec!("slurm", "poll-array-sacct-mid.txt"),
                rec!("slurm", "poll-array-sacct-cancelled.txt"),
            ),
            _ => (
                rec!("slurm-24.11", "poll-array-squeue-mid.txt"),
                rec!("slurm-24.11", "poll-array-sacct-mid.txt"),
                rec!("slurm-24.11", "poll-array-sacct-cancelled.txt"),
            ),
        };
        let mut tasks = new_tasks("0-5%2").unwrap();
        tasks[4].state = JobState::Cancelled;
        let got = {
            let mut mem = submitted();
            let mut live = vec![Tracked::Array { id: "7".into(), tasks }];
            let mut last = String::new();
            for a in [
                answer((sq_mid, 0), ("", 0)),
                answer((sq_mid, 0), (sa_mid, 0)),
                answer(("", 0), ("", 0)),
                answer(("", 0), (sa_cancelled, 0)),
            ] {
                let p = plan(&live, &mem);
                for u in apply(&live, &p, &a, &mut mem).updates {
                    let tasks = u.tasks.unwrap();
                    last = format!("{} [{}] {}", u.state, summary(&tasks), tasks_line(&tasks));
                    live = vec![Tracked::Array { id: u.id, tasks }];
                }
            }
            last
        };
        expect![[r#"CANCELLED [2 completed, 4 cancelled] 0:COMPLETED exit=0, 1:COMPLETED exit=0, 2:CANCELLED exit=0, 3:CANCELLED exit=0, 4:CANCELLED, 5:CANCELLED exit=0"#]]
        .assert_eq(&got);
    }
}

/// Tasks that left the queue and never got a row are VANISHED after the answered
/// polls; polls where squeue failed read nothing and count nothing.
#[test]
fn tasks_without_a_row_vanish_and_an_outage_changes_nothing() {
    check(
        new_tasks("0-1").unwrap(),
        submitted(),
        &[
            (1, answer((rec!("slurm", "squeue-controller-down.stderr.txt"), 1), ("", 0))),
            (1, answer(("", 0), ("", 0))),
            (VANISH_AFTER_POLLS as usize + 1, answer(("", 0), ("", 0))),
        ],
        expect![[r#"
            poll 1: squeue [7] sacct [] Unreachable("slurm_load_jobs error: Unable to contact slurm controller (connect failure)") NotAsked
            poll 2: squeue [7] sacct [] Reachable NotAsked
            poll 3: squeue [7] sacct [7] Reachable Answered
            poll 42: squeue [7] sacct [7] Reachable Answered
              7 VANISHED exit=None [2 vanished]
              0:VANISHED, 1:VANISHED
            poll 43: nothing live
        "#]],
    );
}

/// Each task's own job id (squeue's `%A`, sacct's `JobIDRaw`: what `%j` names) is
/// kept; the task that took over the array's record has the array's id.
#[test]
fn each_task_keeps_its_own_job_id() {
    let mut all = Vec::new();
    for (squeue, sacct) in [
        (
            rec!("slurm", "poll-array-squeue-job-ids.txt"),
            rec!("slurm", "poll-array-sacct-job-ids.txt"),
        ),
        (
            rec!("slurm-24.11", "poll-array-squeue-job-ids.txt"),
            rec!("slurm-24.11", "poll-array-sacct-job-ids.txt"),
        ),
    ] {
        let mut mem = submitted();
        let mut live = vec![Tracked::Array { id: "7".into(), tasks: new_tasks("0-2").unwrap() }];
        let mut ids = Vec::new();
        for a in
            [answer((squeue, 0), ("", 0)), answer(("", 0), ("", 0)), answer(("", 0), (sacct, 0))]
        {
            let p = plan(&live, &mem);
            for u in apply(&live, &p, &a, &mut mem).updates {
                let tasks = u.tasks.unwrap();
                ids.push(format!(
                    "{} {:?}",
                    u.state,
                    tasks.iter().map(|t| t.job_id).collect::<Vec<_>>()
                ));
                live = vec![Tracked::Array { id: u.id, tasks }];
            }
        }
        all.push(ids.join("\n"));
    }
    expect![[r#"
        RUNNING [Some(8), Some(9), Some(7)]
        COMPLETED [Some(8), Some(9), Some(7)]
        ---
        RUNNING [Some(15), Some(16), Some(7)]
        COMPLETED [Some(15), Some(16), Some(7)]"#]]
    .assert_eq(&all.join("\n---\n"));
}
