//! Job arrays on the real cluster through the real sshd (issue 10, "Sweeps"): a 6-task
//! array with `%2` followed to completion with a log per task, an sbatch script with
//! `#SBATCH --array` submitted as written with one task cancelled, a whole array
//! cancelled, and slurmctld's RPCs per poll, which do not grow with the tasks.
//! `CLUSTERLS_TEST_RELEASE=24.11` runs the ssh tests on the second cluster.

mod engine_common;

use std::process::{Output, Stdio};

use engine_common::*;

/// The job id `run` printed (`job 123`, or the bare id with `--parsable`).
fn job_id(out: &Output) -> String {
    assert!(out.status.success(), "run failed: {}", stderr(out));
    stdout(out).trim().trim_start_matches("job ").to_string()
}

/// The record of `id` from `jobs --json`, after `jobs --refresh` asked Slurm.
fn record(p: &Project, id: &str) -> serde_json::Value {
    let out = p.cmd(&["jobs", "--refresh", "--json"]).output().unwrap();
    assert!(out.status.success(), "jobs --refresh: {}", stderr(&out));
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    jobs.as_array().unwrap().iter().find(|j| j["id"] == id).cloned().expect("the job's record")
}

/// `INDEX:STATE` of every task of the record.
fn task_states(rec: &serde_json::Value) -> Vec<String> {
    rec["tasks"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| format!("{}:{}", t["index"], t["state"].as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default()
}

fn is_final(rec: &serde_json::Value) -> bool {
    clusterls_tests::is_final_state(rec["state"].as_str().unwrap_or(""))
}

/// Cancels jobs left behind by a failed test.
struct Cancel(Vec<String>);
impl Drop for Cancel {
    fn drop(&mut self) {
        for id in &self.0 {
            let _ = ssh(&["scancel", id]);
        }
    }
}

/// `run --array 0-5%2 --follow`: each task prints its SLURM_ARRAY_TASK_ID; the array
/// ends COMPLETED with every task COMPLETED, and `logs ID_N` shows task N's output.
#[test]
fn a_six_task_array_is_followed_to_completion_with_a_log_per_task() {
    let p = Project::new("array-six");
    p.write("task.sh", "echo \"task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID\"\nsleep 1\n");
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "cpu",
        "--array",
        "0-5%2",
        "--follow",
        "task.sh",
    ]);
    let err = stderr(&out);
    assert!(out.status.success(), "the array did not succeed:\n{err}");
    let id = err
        .lines()
        .find_map(|l| l.strip_prefix("job ").filter(|r| !r.contains(' ')))
        .expect("`job ID` on stderr")
        .to_string();
    assert!(err.contains(&format!("array {id}: 6 completed")), "{err}");
    // Throttled by %2: never more than two tasks ran at once as squeue saw them (a
    // task that left the queue keeps its last state until sacct settles it, so the
    // state lines may count a finished task as running for one poll).
    let rec = record(&p, &id);
    assert_eq!(rec["state"], "COMPLETED", "{rec}");
    assert_eq!(
        task_states(&rec),
        (0..6).map(|i| format!("{i}:COMPLETED")).collect::<Vec<_>>(),
        "{rec}"
    );
    for i in 0..6 {
        let out = p.run(&["logs", &format!("{id}_{i}")]);
        assert!(out.status.success(), "logs {id}_{i}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), format!("task {i} of {id}"));
    }
    // A task followed like a job: its output, and its end as the exit status.
    let out = p.run(&["logs", &format!("{id}_2"), "--follow"]);
    assert!(out.status.success(), "logs {id}_2 --follow: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("task 2 of {id}"));
    // The array itself has no single log: the message names a task.
    let out = p.run(&["logs", &id]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("clusterls logs {id}_0")), "{}", stderr(&out));
    let out = p.run(&["jobs", &id]);
    assert!(stdout(&out).contains(&format!("{id}_5  COMPLETED")), "{}", stdout(&out));
}

/// An sbatch script with `#SBATCH --array` and its own output pattern, submitted as
/// written (its output named by each task's own job id, `%j`): one pending task cancelled alone (`cancel ID_2`) ends CANCELLED while
/// the others complete, each log read through the script's pattern; a third array
/// cancelled whole (`cancel ID`) ends with every task CANCELLED.
#[test]
fn one_task_or_a_whole_array_is_cancelled() {
    let p = Project::new("array-cancel");
    p.write(
        "sweep.sbatch",
        "#!/bin/bash\n#SBATCH --array=0-2%1\n#SBATCH --partition=cpu\n#SBATCH --output=logs/%x-%j-%a.out\n\
         echo \"sweep $SLURM_ARRAY_TASK_ID\"\nsleep 3\n",
    );
    let id = job_id(&p.run(&["run", "--parsable", "sweep.sbatch"]));
    let mut guard = Cancel(vec![id.clone()]);
    let out = p.run(&["cancel", &format!("{id}_2")]);
    assert!(out.status.success(), "cancel {id}_2: {}", stderr(&out));
    let rec = wait_for("the sweep to end", || Some(record(&p, &id)).filter(is_final));
    assert_eq!(task_states(&rec), ["0:COMPLETED", "1:COMPLETED", "2:CANCELLED"], "{rec}");
    assert_eq!(rec["state"], "CANCELLED", "{rec}");
    for i in 0..2 {
        let out = p.run(&["logs", &format!("{id}_{i}")]);
        assert_eq!(stdout(&out).trim(), format!("sweep {i}"), "{}", stderr(&out));
    }
    // Ids are data: an option or a malformed task is refused before anything runs.
    for bad in ["--me", &format!("{id}_x"), &format!("{id}_1_2")] {
        let out = p.run(&["cancel", bad]);
        assert_eq!(out.status.code(), Some(2), "cancel {bad}: {}", stderr(&out));
    }

    p.write("long.sh", "sleep 300\n");
    let whole = job_id(&p.run(&[
        "run",
        "--no-container",
        "--partition",
        "cpu",
        "--array",
        "0-3%2",
        "long.sh",
    ]));
    guard.0.push(whole.clone());
    wait_for("two tasks to run", || {
        let rec = record(&p, &whole);
        (task_states(&rec).iter().filter(|s| s.ends_with("RUNNING")).count() == 2).then_some(())
    });
    let out = p.run(&["cancel", &whole]);
    assert!(out.status.success(), "cancel {whole}: {}", stderr(&out));
    let rec = wait_for("the array to end", || Some(record(&p, &whole)).filter(is_final));
    assert_eq!(rec["state"], "CANCELLED", "{rec}");
    assert_eq!(
        task_states(&rec),
        (0..4).map(|i| format!("{i}:CANCELLED")).collect::<Vec<_>>(),
        "{rec}"
    );
}

/// One poll of a tracked array costs slurmctld what one squeue of it costs, however
/// many tasks it has: counted by slurmctld itself (sdiag's per-user RPC statistics)
/// for a user no other test uses, with an array of 6 tasks and then one of 60. On the
/// machine's own Slurm (`--host local`, run as that user), like the tracker test.
#[test]
fn slurmctld_rpcs_per_poll_do_not_grow_with_the_tasks() {
    let p = Project::new("array-rpcs");
    const USER: &str = "clusterls-arrays";
    ensure_slurm_user(USER);
    p.write("long.sh", "sleep 600\n");
    let run = |args: &[&str]| {
        let out = p.cmd_as(USER, args).stdout(Stdio::piped()).stderr(Stdio::piped()).output();
        let out = out.unwrap();
        eprintln!("$ clusterls {}\n{}{}", args.join(" "), stdout(&out), stderr(&out));
        out
    };
    let scancel = |id: &str| {
        let _ = std::process::Command::new("runuser")
            .args(["-u", USER, "--", "scancel", id])
            .stdin(Stdio::null())
            .output();
    };
    struct Guard<F: Fn(&str)>(Vec<String>, F);
    impl<F: Fn(&str)> Drop for Guard<F> {
        fn drop(&mut self) {
            self.0.iter().for_each(|id| (self.1)(id));
        }
    }
    let mut guard = Guard(Vec::new(), scancel);
    // slurmctld RPCs of USER during `argv` run as USER: the fewest of three tries.
    let rpcs_of = |argv: &[&str]| {
        (0..3)
            .map(|_| {
                let before = local_rpcs(USER);
                let out = std::process::Command::new("runuser")
                    .args(["-u", USER, "--", "env"])
                    .arg(format!("CLUSTERLS_STATE_DIR={}", p.state.display()))
                    .args(argv)
                    .current_dir(&p.dir)
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{argv:?}: {}", stderr(&out));
                local_rpcs(USER) - before
            })
            .min()
            .unwrap()
    };
    let bin = binary();
    let mut figures = Vec::new();
    for spec in ["0-5%2", "0-59%2"] {
        let id = job_id(&run(&[
            "run",
            "--no-container",
            "--partition",
            "cpu",
            "--array",
            spec,
            "long.sh",
        ]));
        guard.0.push(id.clone());
        // Tasks that start make RPCs of their own under the user: measure once two run.
        wait_for("two tasks to run", || {
            let out = std::process::Command::new("squeue")
                .args(["-h", "-r", "-j", &id, "-o", "%T"])
                .output()
                .unwrap();
            (stdout(&out).lines().filter(|l| *l == "RUNNING").count() == 2).then_some(())
        });
        let squeue = rpcs_of(&["squeue", "-h", "-r", "-j", &id, "-o", "%i|%T|%r|%N"]);
        let poll = rpcs_of(&[bin.to_str().unwrap(), "--host", "local", "jobs", "--refresh"]);
        let tasks =
            spec.split('%').next().unwrap().split('-').nth(1).unwrap().parse::<u32>().unwrap() + 1;
        eprintln!(
            "slurmctld RPCs: array of {tasks} tasks: one squeue -r {squeue}, one poll {poll}"
        );
        figures.push((tasks, squeue, poll));
        let out = run(&["cancel", &id]);
        assert!(out.status.success(), "{}", stderr(&out));
        wait_for("the array to be settled", || {
            let out = run(&["jobs", "--refresh", "--json"]);
            let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
            let rec = jobs.as_array()?.iter().find(|j| j["id"] == id.as_str())?.clone();
            is_final(&rec).then_some(())
        });
    }
    eprintln!("figures (tasks, squeue RPCs, poll RPCs): {figures:?}");
    let (small, large) = (figures[0], figures[1]);
    assert!(small.1 > 0, "sdiag counted no RPC for a squeue of {USER}");
    assert_eq!(small.2, small.1, "one poll of {} tasks costs what one squeue costs", small.0);
    assert_eq!(
        large.2, small.2,
        "one poll of {} tasks cost {} slurmctld RPCs, of {} tasks {}",
        large.0, large.2, small.0, small.2
    );
}

/// The RPCs the machine's own slurmctld has counted for `user` (sdiag run here, not
/// through ssh: the measured commands run here with `--host local`).
fn local_rpcs(user: &str) -> u64 {
    let out = std::process::Command::new("sdiag").stdin(Stdio::null()).output().expect("sdiag");
    assert!(out.status.success(), "sdiag: {}", stderr(&out));
    let text = stdout(&out);
    let users = text
        .split_once("Remote Procedure Call statistics by user")
        .unwrap_or_else(|| panic!("no per-user statistics in sdiag's output:\n{text}"))
        .1;
    users
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Pending RPC"))
        .find(|l| l.split(|c: char| c == '(' || c.is_whitespace()).next() == Some(user))
        .and_then(|l| l.split("count:").nth(1)?.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
