//! Smoke test of the local cluster (`tests/cluster/up`), all through the real
//! sshd as `alice`: pull the python3 image with Charliecloud, run python3 in it
//! in a Slurm job on an emulated GPU, run a two-node `srun` job with a typed GPU
//! per node, and check what Slurm refuses at submit.

use clusterls_tests::{ClusterInfo, require_cluster, shell_quote};
use expect_test::{Expect, expect};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unique(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{tag}-{}-{nanos}", std::process::id())
}

#[test]
fn gpu_job_runs_python3_in_a_container() {
    let c = require_cluster();

    let pull = c.ssh(&["ch-image", "pull", c.image_ref()]);
    assert!(pull.status.success(), "{}", clusterls_tests::describe("ch-image pull", &pull));
    let container_python = c.ssh_ok(&["ch-run", c.image_ref(), "--", "python3", "--version"]);
    let container_python =
        container_python.trim().strip_prefix("Python ").expect("python3 --version");

    let out_file = format!("{}.out", unique("smoke"));
    let py = "import os, sys\n\
              print('CUDA_VISIBLE_DEVICES=' + os.environ.get('CUDA_VISIBLE_DEVICES', '<unset>'))\n\
              print('python ' + sys.version.split()[0])";
    let wrap = format!("ch-run {} -- python3 -c {}", shell_quote(c.image_ref()), shell_quote(py));
    let id = c
        .sbatch(&[
            "-p",
            "gpu",
            "-A",
            "lab_dev",
            "--gres=gpu:1",
            "-t",
            "5",
            "-J",
            "smoke",
            "-o",
            &out_file,
            "--wrap",
            &wrap,
        ])
        .unwrap_or_else(|e| panic!("sbatch refused the smoke job: {e}"));

    let state = c.wait_job_done(id, Duration::from_secs(120));
    let tres = c.ssh_ok(&["sacct", "-n", "-P", "-X", "-j", &id.to_string(), "-o", "AllocTRES"]);
    let output = c.ssh_ok(&["cat", &out_file]);
    c.ssh_ok(&["rm", "-f", &out_file]);
    assert_eq!(state, "COMPLETED", "job {id} output:\n{output}");
    assert!(tres.contains("gres/gpu=1"), "AllocTRES of job {id}: {tres}");

    let mut lines = output.lines();
    let gpus = lines
        .next()
        .and_then(|l| l.strip_prefix("CUDA_VISIBLE_DEVICES="))
        .unwrap_or_else(|| panic!("output:\n{output}"));
    assert!(["0", "1", "2", "3"].contains(&gpus), "one emulated GPU expected, got {gpus:?}");
    assert_eq!(
        lines.next(),
        Some(format!("python {container_python}").as_str()),
        "output:\n{output}"
    );
}

/// A two-node job on the multi-node partition: one `srun` task per node, one typed GPU each.
/// Each task runs on its own node (its own slurmd, hostname and GPUs).
#[test]
fn two_node_srun_job_runs_one_task_per_node_with_its_own_gpu() {
    let c = require_cluster();
    let partition = c.multi_partition.clone().unwrap_or_else(|| {
        panic!("cluster.env names no multi-node partition: the cluster predates it; restart it with tests/cluster/down && tests/cluster/up")
    });
    let gpu_type = c.gpu_type.clone().expect("cluster.env: CLUSTERLS_GPU_TYPE");
    assert_eq!(c.multi_nodes.len(), 2, "{c:?}");

    let out_file = format!("{}.out", unique("smoke-2node"));
    let task = r#"echo "PROCID=$SLURM_PROCID NODEID=$SLURM_NODEID host=$(hostname) CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES""#;
    let wrap = format!("srun sh -c {}", shell_quote(task));
    let gres = format!("--gres=gpu:{gpu_type}:1");
    let id = c
        .sbatch(&[
            "-p",
            &partition,
            "-A",
            "lab_dev",
            "-N",
            "2",
            "--ntasks-per-node=1",
            &gres,
            "-t",
            "5",
            "-J",
            "smoke-2node",
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
    assert!(
        tres.contains(&format!("gres/gpu:{gpu_type}=2")) && tres.contains("node=2"),
        "AllocTRES of job {id}: {tres}"
    );

    // srun's tasks print in any order; rank 0 runs on the allocation's first node.
    let mut lines: Vec<&str> = output.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines.len(), 2, "one line per task expected:\n{output}");
    for (rank, (line, node)) in lines.iter().zip(&c.multi_nodes).enumerate() {
        let prefix = format!("PROCID={rank} NODEID={rank} host={node} CUDA_VISIBLE_DEVICES=");
        let gpu = line.strip_prefix(&prefix).unwrap_or_else(|| {
            panic!("task {rank}: expected `{prefix}<gpu>`, got `{line}`; output:\n{output}")
        });
        // Each node has two GPUs; another test's job may hold one of them.
        assert!(["0", "1"].contains(&gpu), "task {rank}: one GPU expected, got {gpu:?}");
    }
}

/// What `sbatch --parsable ARGS --wrap true` says when Slurm refuses it.
#[track_caller]
fn check_refused(c: &ClusterInfo, args: &[&str], expect: Expect) {
    let mut argv = vec!["sbatch", "--parsable"];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--wrap", "true"]);
    let out = c.ssh(&argv);
    assert!(
        !out.status.success(),
        "sbatch accepted {args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing on stdout");
    expect.assert_eq(&format!(
        "exit {}: {}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr)
    ));
}

#[test]
fn slurm_refuses_bad_submissions_at_submit() {
    let c = require_cluster();
    check_refused(
        &c,
        &["-p", "gpu", "-A", "no_such_account"],
        expect![[r#"
            exit 1: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        "#]],
    );
    // lab_grads exists but may not use the gpu partition.
    check_refused(
        &c,
        &["-p", "gpu", "-A", "lab_grads", "--gres=gpu:1"],
        expect![[r#"
            exit 1: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        "#]],
    );
    check_refused(
        &c,
        &["-p", "test", "-A", "lab_dev", "-t", "8:00:01"],
        expect![[r#"
            exit 1: sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)
        "#]],
    );
    check_refused(
        &c,
        &["-p", "gpu", "-A", "lab_dev", "--gres=gpu:5"],
        expect![[r#"
            exit 1: sbatch: error: Batch job submission failed: Requested node configuration is not available
        "#]],
    );
}

#[test]
fn the_clusterls_binary_is_found_and_reports_its_version() {
    let out = std::process::Command::new(clusterls_tests::clusterls_bin())
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run clusterls --version");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("clusterls "),
        "{}",
        clusterls_tests::describe("clusterls --version", &out)
    );
}
