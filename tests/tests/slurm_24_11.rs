//! Smoke test of the second local cluster, Slurm 24.11 (`tests/cluster/up-release 24.11`),
//! all through the same sshd as `alice` on the ssh host `testcluster-2411`: the client
//! tools are 24.11's, `sbatch --test-only` says what it would do, a two-node job with a
//! typed GPU per node runs Python in a container on each node, and `squeue --json`
//! (data_parser v0.0.42) lists a pending job. Then the engine's cluster tests (facts,
//! run, track, cancel, logs, Slurm's refusals) on it, through ssh exactly as on 22.05
//! (`engine_cluster.rs`), so that `cargo test` covers both releases. (The engine tests
//! that use `--host local` through `runuser` stay 22.05's: 24.11's tools live in its
//! tree, reachable only through its sshd.)
//!
//! A failure without that cluster (tests/run-all starts it).

use clusterls_tests::{ClusterInfo, Scratch, require_release_cluster, shell_quote};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unique(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{tag}-{}-{nanos}", std::process::id())
}

fn cluster() -> ClusterInfo {
    require_release_cluster("24.11")
}

#[test]
fn the_tools_are_slurm_24_11_and_test_only_answers() {
    let c = cluster();
    let version = c.ssh_ok(&["sinfo", "--version"]);
    assert!(version.starts_with("slurm-wlm 24.11."), "{version}");

    let ok = c.ssh(&[
        "sbatch",
        "--test-only",
        "-p",
        "gpu",
        "-A",
        "lab_dev",
        "--gres=gpu:1",
        "--wrap",
        "true",
    ]);
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "", "--test-only prints only to stderr");
    assert!(
        err.starts_with("sbatch: Job ") && err.contains("on nodes node01 in partition gpu"),
        "{err}"
    );
    // A typed GPU that only the multi partition has.
    let bad = c.ssh(&[
        "sbatch",
        "--test-only",
        "-p",
        "gpu",
        "-A",
        "lab_dev",
        "--gres=gpu:a100:1",
        "--wrap",
        "true",
    ]);
    assert!(!bad.status.success(), "{}", String::from_utf8_lossy(&bad.stderr));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("Requested node configuration is not available"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn two_node_typed_gpu_job_runs_python_in_a_container_on_each_node() {
    let c = cluster();
    let pull = c.ssh(&["ch-image", "pull", c.image_ref()]);
    assert!(pull.status.success(), "{}", clusterls_tests::describe("ch-image pull", &pull));

    let out_file = format!("{}.out", unique("smoke-2411"));
    let py = "import os, socket\n\
              print(os.environ['SLURM_PROCID'], socket.gethostname(), os.environ.get('CUDA_VISIBLE_DEVICES'))";
    let task = format!("ch-run {} -- python3 -c {}", shell_quote(c.image_ref()), shell_quote(py));
    let wrap = format!("srun sh -c {}", shell_quote(&task));
    let id = c
        .sbatch(&[
            "-p",
            "multi",
            "-A",
            "lab_dev",
            "-N",
            "2",
            "--ntasks-per-node=1",
            "--gres=gpu:a100:1",
            "-t",
            "5",
            "-o",
            &out_file,
            "--wrap",
            &wrap,
        ])
        .unwrap_or_else(|e| panic!("sbatch refused the two-node job: {e}"));
    let state = c.wait_job_done(id, Duration::from_secs(120));
    let tres = c.ssh_ok(&["sacct", "-n", "-P", "-X", "-j", &id.to_string(), "-o", "AllocTRES"]);
    let output = c.ssh_ok(&["cat", &out_file]);
    c.ssh_ok(&["rm", "-f", &out_file]);
    assert_eq!(state, "COMPLETED", "job {id} output:\n{output}");
    assert!(tres.contains("gres/gpu:a100=2"), "AllocTRES of job {id}: {tres}");
    let mut lines: Vec<&str> = output.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines.len(), 2, "{output}");
    for (rank, (line, node)) in lines.iter().zip(["node02", "node03"]).enumerate() {
        let gpu = line
            .strip_prefix(&format!("{rank} {node} "))
            .unwrap_or_else(|| panic!("task {rank}: `{line}`; output:\n{output}"));
        assert!(["0", "1"].contains(&gpu), "task {rank}: one GPU expected, got {gpu:?}");
    }
}

#[test]
fn squeue_json_lists_a_pending_job() {
    let c = cluster();
    let id = c
        .sbatch(&[
            "-p",
            "test",
            "-A",
            "lab_grads",
            "--begin=now+1hour",
            "-J",
            "later",
            "--wrap",
            "true",
        ])
        .unwrap_or_else(|e| panic!("sbatch: {e}"));
    let out = c.ssh(&["squeue", "--json", "-j", &id.to_string()]);
    c.ssh_ok(&["scancel", &id.to_string()]);
    assert!(out.status.success(), "{}", clusterls_tests::describe("squeue --json", &out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("squeue --json is JSON");
    assert_eq!(v["meta"]["plugin"]["data_parser"], "data_parser/v0.0.42", "{}", v["meta"]);
    let job = &v["jobs"][0];
    assert_eq!(job["job_id"], id, "{job}");
    assert_eq!(job["job_state"], serde_json::json!(["PENDING"]), "{job}");
    assert_eq!(
        (&job["partition"], &job["account"], &job["name"]),
        (&"test".into(), &"lab_grads".into(), &"later".into())
    );
}

/// A fresh project (clusterls.toml) and job store for clusterls against 24.11.
struct Project {
    c: ClusterInfo,
    scratch: Scratch,
}

impl Project {
    fn new(tag: &str) -> Project {
        let c = cluster();
        let scratch = Scratch::new(&format!("engine-2411-{tag}"));
        std::fs::create_dir_all(scratch.join("project")).unwrap();
        std::fs::write(
            scratch.join("project/clusterls.toml"),
            "account = \"lab_dev\"\ntime = \"10\"\n[pull]\npartition = \"test\"\naccount = \"lab_dev\"\n",
        )
        .unwrap();
        Project { c, scratch }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.scratch.join("project").join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }

    /// `clusterls --host testcluster-2411 ARGS` in the project, its own job store.
    fn run(&self, args: &[&str]) -> Output {
        let out = self
            .c
            .clusterls(args)
            .current_dir(self.scratch.join("project"))
            .env("CLUSTERLS_STATE_DIR", self.scratch.join("state"))
            .output()
            .expect("spawn clusterls");
        eprintln!("{}", clusterls_tests::describe(&format!("clusterls {}", args.join(" ")), &out));
        out
    }

    /// stderr then stdout of `run`.
    fn text(&self, args: &[&str]) -> (Output, String) {
        let out = self.run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        (out, text)
    }
}

/// The facts of 24.11 read by the engine in one round trip: the same fixture as 22.05's
/// (hidden restricted partitions, QOS `high`, licenses, reservations, node features).
#[test]
fn engine_facts_on_24_11() {
    let p = Project::new("facts");
    let out = p.run(&["facts", "--json", "--refresh"]);
    assert!(out.status.success());
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(f["slurm_version"].as_str().unwrap().starts_with("24.11."), "{}", f["slurm_version"]);
    let parts: Vec<String> = f["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}{} max={} cpus={} mem={} gpus={} kinds={}",
                p["name"].as_str().unwrap(),
                if p["is_default"].as_bool().unwrap() { "*" } else { "" },
                p["max_time_minutes"],
                p["cpus_per_node"],
                p["mem_per_node_mb"],
                p["gpus"],
                p["node_kinds"].as_array().map_or(0, Vec::len)
            )
        })
        .collect();
    expect_test::expect![[r#"
        cpu* max=10080 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        test max=480 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        gpu max=2880 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        multi max=1440 cpus=4 mem=16000 gpus=[{"count":2,"type":"a100"}] kinds=2
        acctonly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        grouponly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        qosonly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        limited max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1
        memcap max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}] kinds=1"#]]
    .assert_eq(&parts.join("\n"));
    let mut assoc: Vec<String> = f["associations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!("{}@{}", a["account"].as_str().unwrap(), a["partition"].as_str().unwrap_or("*"))
        })
        .collect();
    assoc.sort();
    expect_test::expect![
        "lab_dev@cpu lab_dev@gpu lab_dev@limited lab_dev@memcap lab_dev@multi lab_dev@test lab_grads@cpu lab_grads@test"
    ]
    .assert_eq(&assoc.join(" "));
    let admission = serde_json::json!({
        "user": f["user"], "default_account": f["default_account"], "runtime": f["runtime"]["kind"],
        "enforce_part_limits": f["enforce_part_limits"], "accounting_enforce": f["accounting_enforce"],
        "gres_types": f["gres_types"], "groups": f["groups"], "licenses": f["licenses"],
        "reservations": f["reservations"], "max_array_size": f["max_array_size"], "qos": f["qos"],
    });
    expect_test::expect![[r#"{"accounting_enforce":["associations","limits"],"default_account":"lab_grads","enforce_part_limits":"ALL","gres_types":["gpu"],"groups":["alice"],"licenses":[{"name":"ansys","total":1},{"name":"matlab","total":2}],"max_array_size":1001,"qos":["normal","high"],"reservations":["alice_resv","root_resv"],"runtime":"charliecloud","user":"alice"}"#]].assert_eq(&serde_json::to_string(&admission).unwrap());
    // The checks against this cluster use its facts: its partition rules decide.
    let script = p.write(
        "job.sbatch",
        "#!/bin/bash\n#SBATCH -p acctonly\n#SBATCH -A lab_grads\n#SBATCH -t 10\nhostname\n",
    );
    let (out, text) = p.text(&["check", "--no-shellcheck", &script]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("sbatch/account-partition"), "{text}");
    let ok = p.write(
        "ok.sbatch",
        "#!/bin/bash\n#SBATCH -p gpu\n#SBATCH -A LAB_DEV\n#SBATCH -t 10\n#SBATCH -L matlab:2\nhostname\n",
    );
    let (out, text) = p.text(&["check", "--no-shellcheck", &ok]);
    assert_eq!(out.status.code(), Some(0), "{text}");
}

/// Pull, then run on `gpu` with one GPU in a container, followed to the end (the tracker
/// on 24.11's squeue and sacct); `logs` reads the output again, `jobs` has the record.
#[test]
fn engine_runs_tracks_and_logs_a_gpu_job_on_24_11() {
    let p = Project::new("run");
    let image = p.c.image.clone();
    let pulled = p.run(&["pull", &image]);
    assert!(pulled.status.success());
    let script = p.write(
        "probe.py",
        "import os, sys, time\nprint('CUDA_VISIBLE_DEVICES=' + os.environ.get('CUDA_VISIBLE_DEVICES', ''))\nprint('args=' + repr(sys.argv[1:]))\ntime.sleep(4)\n",
    );
    let (out, text) = p.text(&[
        "run",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--image",
        &image,
        "--follow",
        &script,
        "--",
        "--lr",
        "0.1",
    ]);
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let id = lines[0].strip_prefix("job ").unwrap_or_else(|| panic!("{text}")).to_string();
    let running = lines.iter().position(|l| *l == format!("job {id} RUNNING"));
    let completed = lines.iter().position(|l| l.starts_with(&format!("job {id} COMPLETED")));
    assert!(running.is_some() && completed > running, "{text}");
    assert!(
        ["0", "1", "2", "3"]
            .iter()
            .any(|g| lines.contains(&format!("CUDA_VISIBLE_DEVICES={g}").as_str())),
        "{text}"
    );
    assert!(text.contains("args=['--lr', '0.1']"), "{text}");
    let logs = p.run(&["logs", &id]);
    assert!(String::from_utf8_lossy(&logs.stdout).contains("args=['--lr', '0.1']"));
    let jobs: serde_json::Value =
        serde_json::from_slice(&p.run(&["jobs", "--json"]).stdout).unwrap();
    assert_eq!(
        (&jobs[0]["id"], &jobs[0]["state"], &jobs[0]["exit_code"]),
        (&id.clone().into(), &"COMPLETED".into(), &0.into())
    );
}

/// A running job cancelled: `logs --follow` ends with CANCELLED and a failure status;
/// a job's own exit code reaches the record; Slurm 24.11's refusals reach the user.
#[test]
fn engine_cancels_and_reports_failures_on_24_11() {
    let p = Project::new("cancel");
    let sleepy =
        p.write("sleepy.py", "import time\nprint('started', flush=True)\ntime.sleep(300)\n");
    let out = p.run(&["run", "--no-container", "--partition", "cpu", "--parsable", &sleepy]);
    assert!(out.status.success());
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    clusterls_tests::wait_until("the job to run", Duration::from_secs(120), || {
        let o = p.run(&["jobs", "--refresh", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        (v[0]["state"] == "RUNNING").then_some(())
    });
    assert!(p.run(&["cancel", &id]).status.success());
    let (out, text) = p.text(&["logs", &id, "--follow"]);
    assert!(text.contains(&format!("job {id} CANCELLED")), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");

    let fail = p.write("fail.py", "import sys\nprint('failing')\nsys.exit(3)\n");
    let (out, text) = p.text(&["run", "--no-container", "--partition", "cpu", "--follow", &fail]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAILED exit 3") && text.contains("exit code 3"), "{text}");

    // Refused by 24.11's slurmctld (exit 4), with its reason and what to do.
    let (out, text) =
        p.text(&["run", "--no-container", "--partition", "multi", "--account", "lab_grads", &fail]);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("Invalid account or account/partition combination specified"), "{text}");
}
