//! Table tests of the tracker on recorded real squeue/sacct output
//! (`server/src/engine/testdata/slurm/`, see its README for the exact commands).

use super::*;
use expect_test::{Expect, expect};

macro_rules! rec {
    ($f:literal) => {
        include_str!(concat!("../../testdata/slurm/", $f))
    };
}

/// One poll's answer: squeue's output and status, sacct's output and status, step lines.
fn answer(squeue: (&str, i32), sacct: (&str, i32), steps: &str) -> Answer {
    Answer {
        squeue: squeue.0.into(),
        squeue_exit: Some(squeue.1),
        sacct: sacct.0.into(),
        sacct_exit: Some(sacct.1),
        steps: steps.into(),
    }
}

fn job(id: &str) -> Tracked {
    Tracked::Job { id: id.into() }
}

fn step(id: &str, alloc: &str, dir: &str) -> Tracked {
    Tracked::Step { id: id.into(), alloc: alloc.into(), run_dir: dir.into() }
}

/// Poll `live` once per answer (the same answer `times` times), with `mem` as this
/// process remembers; print each poll that asked or changed something: the plan, then
/// the updates and how Slurm answered. Updated jobs that became final leave `live`.
#[track_caller]
fn check(mut live: Vec<Tracked>, mut mem: Memory, polls: &[(usize, Answer)], expect: Expect) {
    let mut out = String::new();
    let mut n = 0;
    for (times, a) in polls {
        for k in 0..*times {
            n += 1;
            let p = plan(&live, &mem);
            let o = apply(&live, &p, a, &mut mem);
            for u in o.updates.iter().filter(|u| u.state.is_final()) {
                live.retain(|t| t.id() != u.id);
            }
            if k > 0 && o.updates.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "poll {n}: squeue [{}] sacct [{}] steps [{}]\n  {:?} {:?}\n",
                p.squeue.join(","),
                p.sacct.join(","),
                p.step_dirs.join(","),
                o.controller,
                o.accounting
            ));
            for u in &o.updates {
                out.push_str(&format!(
                    "  {} {} reason={:?} exit={:?} nodes={:?}\n",
                    u.id, u.state, u.reason, u.exit_code, u.nodes
                ));
            }
        }
    }
    expect.assert_eq(&out);
}

/// A fresh process (`jobs --refresh`) asks sacct for every job in its first poll:
/// job 3 left squeue and is settled from sacct at once; job 1 runs.
#[test]
fn a_fresh_process_settles_a_job_that_left_the_queue_in_one_poll() {
    check(
        vec![job("1"), job("3")],
        Memory::default(),
        &[(
            1,
            answer(
                (rec!("poll-squeue-one-left.txt"), 0),
                (rec!("poll-sacct-running-and-failed.txt"), 0),
                "",
            ),
        )],
        expect![[r#"
            poll 1: squeue [1,3] sacct [1,3] steps []
              Reachable Answered
              1 RUNNING reason=None exit=None nodes=Some("node01")
              3 FAILED reason=None exit=Some(3) nodes=Some("node01")
        "#]],
    );
}

/// A job this process submitted needs no sacct while squeue lists it; sacct's
/// placeholder row (`allocation|PENDING` while the job runs) never overrides squeue.
#[test]
fn squeue_wins_over_sacct_placeholder() {
    let mut mem = Memory::default();
    mem.submitted("6");
    check(
        vec![job("6")],
        mem,
        &[(1, answer(("6|RUNNING|None|node01\n", 0), ("", 0), ""))],
        expect![[r#"
            poll 1: squeue [6] sacct [] steps []
              Reachable NotAsked
              6 RUNNING reason=None exit=None nodes=Some("node01")
        "#]],
    );
    check(
        vec![job("6")],
        Memory::default(),
        &[(1, answer(("6|RUNNING|None|node01\n", 0), (rec!("poll-sacct-placeholder.txt"), 0), ""))],
        expect![[r#"
            poll 1: squeue [6] sacct [6] steps []
              Reachable Answered
              6 RUNNING reason=None exit=None nodes=Some("node01")
        "#]],
    );
}

/// A job that left squeue while sacct still lags (no row, then the placeholder): it
/// waits for sacct, then settles with sacct's final row and exit code.
#[test]
fn sacct_lag_then_final_row() {
    let mut mem = Memory::default();
    mem.submitted("443");
    check(
        vec![job("443")],
        mem,
        &[
            (1, answer((rec!("squeue-unknown-job.stderr.txt"), 1), ("", 0), "")),
            (1, answer(("", 0), (rec!("sacct-unknown-job.txt"), 0), "")),
            (1, answer(("", 0), ("443|allocation|PENDING|0:0|node01\n", 0), "")),
            (1, answer(("", 0), ("443|train.py|COMPLETED|0:0|node01\n", 0), "")),
        ],
        expect![[r#"
            poll 1: squeue [443] sacct [] steps []
              Reachable NotAsked
            poll 2: squeue [] sacct [443] steps []
              NotAsked Answered
            poll 3: squeue [] sacct [443] steps []
              NotAsked Answered
            poll 4: squeue [] sacct [443] steps []
              NotAsked Answered
              443 COMPLETED reason=None exit=Some(0) nodes=Some("node01")
        "#]],
    );
}

/// Several unknown ids: squeue prints nothing and exits 0; the jobs left the queue.
#[test]
fn several_jobs_left_the_queue() {
    check(
        vec![job("99998"), job("99999")],
        Memory::default(),
        &[(
            1,
            answer(
                (rec!("poll-squeue-unknown-jobs.txt"), 0),
                ("99998|x|TIMEOUT|0:0|node01\n", 0),
                "",
            ),
        )],
        expect![[r#"
            poll 1: squeue [99998,99999] sacct [99998,99999] steps []
              Reachable Answered
              99998 TIMEOUT reason=None exit=Some(0) nodes=Some("node01")
        "#]],
    );
}

/// The job left the queue and accounting (answering) never has a row for it: after
/// VANISH_AFTER_POLLS polls it is settled as the final VANISHED, so `--follow` returns.
#[test]
fn a_job_accounting_never_reports_vanishes() {
    let mut mem = Memory::default();
    mem.submitted("7");
    check(
        vec![job("7")],
        mem,
        &[
            (1, answer((rec!("squeue-unknown-job.stderr.txt"), 1), ("", 0), "")),
            (60, answer(("", 0), (rec!("sacct-unknown-job.txt"), 0), "")),
        ],
        expect![[r#"
            poll 1: squeue [7] sacct [] steps []
              Reachable NotAsked
            poll 2: squeue [] sacct [7] steps []
              NotAsked Answered
            poll 41: squeue [] sacct [7] steps []
              NotAsked Answered
              7 VANISHED reason=None exit=None nodes=None
        "#]],
    );
    assert!(JobState::Vanished.is_final());
}

/// slurmctld down (squeue's real error, recorded against a closed port): no job left
/// the queue, none vanishes however long it lasts, no step's allocation "ended"; the
/// outage is reported. When the controller is back, tracking goes on.
#[test]
fn controller_outage_is_never_read_as_jobs_leaving() {
    let mut mem = Memory::default();
    mem.submitted("1");
    let down = answer((rec!("squeue-controller-down.stderr.txt"), 1), ("", 0), "");
    check(
        vec![job("1"), step("20/run", "20", "/r/run")],
        mem,
        &[
            (100, down),
            (1, answer(("1|COMPLETING|None|node01\n20|RUNNING|None|node01\n", 0), ("", 0), "")),
        ],
        expect![[r#"
            poll 1: squeue [1,20] sacct [] steps [/r/run]
              Unreachable("slurm_load_jobs error: Unable to contact slurm controller (connect failure)") NotAsked
            poll 101: squeue [1,20] sacct [] steps [/r/run]
              Reachable NotAsked
              1 COMPLETING reason=None exit=None nodes=Some("node01")
        "#]],
    );
}

/// A fresh process during an outage: sacct (slurmdbd still up) can settle a job that
/// ended, squeue's error is not read as anything.
#[test]
fn outage_in_a_fresh_process_still_settles_from_sacct() {
    check(
        vec![job("1"), job("3")],
        Memory::default(),
        &[(
            1,
            answer(
                (rec!("squeue-controller-down.stderr.txt"), 1),
                (rec!("poll-sacct-running-and-failed.txt"), 0),
                "",
            ),
        )],
        expect![[r#"
            poll 1: squeue [1,3] sacct [1,3] steps []
              Unreachable("slurm_load_jobs error: Unable to contact slurm controller (connect failure)") Answered
              3 FAILED reason=None exit=Some(3) nodes=Some("node01")
        "#]],
    );
}

/// slurmdbd down (sacct's real error): the job that left the queue waits, uncounted,
/// and settles from sacct when accounting is back.
#[test]
fn accounting_outage_delays_but_never_vanishes() {
    let mut mem = Memory::default();
    mem.submitted("3");
    check(
        vec![job("3")],
        mem,
        &[
            (1, answer((rec!("squeue-unknown-job.stderr.txt"), 1), ("", 0), "")),
            (100, answer(("", 0), (rec!("sacct-dbd-down.stderr.txt"), 1), "")),
            (1, answer(("", 0), (rec!("poll-sacct-running-and-failed.txt"), 0), "")),
        ],
        expect![[r#"
            poll 1: squeue [3] sacct [] steps []
              Reachable NotAsked
            poll 2: squeue [] sacct [3] steps []
              NotAsked Unreachable("sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:127.0.0.1:6998: Connection refused; sacct: error: Sending PersistInit msg: Connection refused; sacct: error: Problem talking to the database: Connection refused")
            poll 102: squeue [] sacct [3] steps []
              NotAsked Answered
              3 FAILED reason=None exit=Some(3) nodes=Some("node01")
        "#]],
    );
}

/// No accounting on the cluster (sacct's message, from Slurm's sacct; not recordable
/// on the test cluster, which keeps accounting): squeue's final word settles the job.
#[test]
fn without_accounting_squeues_final_state_settles() {
    let mut mem = Memory::default();
    mem.submitted("5");
    let disabled = ("Slurm accounting storage is disabled\n", 1);
    check(
        vec![job("5")],
        mem,
        &[
            (1, answer(("5|COMPLETED|None|node01\n", 0), ("", 0), "")),
            (1, answer(("", 0), disabled, "")),
        ],
        expect![[r#"
            poll 1: squeue [5] sacct [] steps []
              Reachable NotAsked
            poll 2: squeue [] sacct [5] steps []
              NotAsked Disabled
              5 COMPLETED reason=None exit=None nodes=None
        "#]],
    );
}

/// Step runs end by their exit files, or with their allocation.
#[test]
fn steps() {
    let mut mem = Memory::default();
    mem.submitted("20");
    check(
        vec![
            job("20"),
            step("20/a", "20", "/r/a b"),
            step("20/b", "20", "/r/b"),
            step("21/c", "21", "/r/c"),
        ],
        mem,
        &[(1, answer(("20|RUNNING|None|node01\n", 0), ("", 0), "0||/r/a b\n2|cancelled|/r/b\n"))],
        expect![[r#"
            poll 1: squeue [20,21] sacct [] steps [/r/a b,/r/b,/r/c]
              Reachable NotAsked
              20 RUNNING reason=None exit=None nodes=Some("node01")
              20/a COMPLETED reason=None exit=Some(0) nodes=None
              20/b CANCELLED reason=None exit=Some(2) nodes=None
              21/c CANCELLED reason=Some("allocation 21 ended") exit=None nodes=None
        "#]],
    );
}

#[test]
fn answer_sections() {
    let a = Answer::parse(
        "@@clusterls squeue@@\n1|RUNNING|None|n1\n@@clusterls squeue-exit@@\n0\n@@clusterls sacct@@\n@@clusterls steps@@\n0||/d\n",
    );
    expect![[r#"Answer { squeue: "1|RUNNING|None|n1\n", squeue_exit: Some(0), sacct: "", sacct_exit: None, steps: "0||/d\n" }"#]]
        .assert_eq(&format!("{a:?}"));
}
