//! Smoke test of the second local cluster, Slurm 24.11 (`tests/cluster/up-release 24.11`),
//! all through the same sshd as `alice` on the ssh host `testcluster-2411`: the client
//! tools are 24.11's, `sbatch --test-only` says what it would do, a two-node job with a
//! typed GPU per node runs Python in a container on each node, and `squeue --json`
//! (data_parser v0.0.42) lists a pending job.
//!
//! A failure without that cluster (tests/run-all starts it).

use clusterls_tests::{ClusterInfo, require_release_cluster, shell_quote};
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
