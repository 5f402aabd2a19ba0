//! The checks against the real cluster, through the language server over stdio: one
//! document per family of issue 13 (partition rules, QOS, constraints, licenses, array
//! size, per-node and per-job partition limits, reservations, the container a script
//! runs, its --output directory), each finding on
//! its line and range with the facts the server read from the cluster itself.
//! The same cases on both local clusters, Slurm 22.05 (`tests/cluster/up`) and 24.11
//! (`tests/cluster/up-release 24.11`), which have the same fixture (restricted
//! partitions, features, licenses, reservations, QOS `high`); a cluster that lacks it,
//! or is not up, is a failure.

mod lsp_common;

use clusterls_tests::{ClusterInfo, require_main_cluster, require_release_cluster};
use expect_test::{Expect, expect};
use lsp_common::{Server, TempDir, file_uri};
use serde_json::{Value, json};

/// `line:col-line:col code` (0-based, UTF-16 as the editor gets them) per diagnostic.
fn positions(params: &Value) -> String {
    let mut out = String::new();
    for d in params["diagnostics"].as_array().unwrap() {
        let r = &d["range"];
        out += &format!(
            "{}:{}-{}:{} {}\n",
            r["start"]["line"],
            r["start"]["character"],
            r["end"]["line"],
            r["end"]["character"],
            d["code"].as_str().unwrap_or("")
        );
    }
    out
}

#[test]
fn each_family_of_cluster_findings_on_its_line_on_slurm_22_05() {
    families(require_main_cluster(), "22.05");
}

#[test]
fn each_family_of_cluster_findings_on_its_line_on_slurm_24_11() {
    families(require_release_cluster("24.11"), "24.11");
}

fn families(c: ClusterInfo, release: &str) {
    let ws = TempDir::new(&format!("lsp-cluster-checks-{release}"));
    let mut cmd = std::process::Command::new(lsp_common::binary());
    cmd.arg("lsp")
        .env("CLUSTERLS_STATE_DIR", ws.path().join("state"))
        .env("XDG_CONFIG_HOME", ws.path().join("config"));
    let mut s = Server::spawn_command(cmd);
    let r = s.initialize(json!({"host": c.ssh_host, "sshConfig": c.ssh_config}), Some(ws.path()));
    assert!(r.get("result").is_some(), "{r}");
    let f = s.call("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    let parts: Vec<&str> =
        f["partitions"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(
        ["acctonly", "grouponly", "qosonly", "multi", "limited", "memcap"]
            .iter()
            .all(|p| parts.contains(p))
            && f["licenses"].as_array().is_some_and(|l| !l.is_empty())
            && f["reservation_access"].as_array().is_some_and(|r| !r.is_empty()),
        "the cluster lacks the fixture of these checks (partitions {parts:?}; licenses, reservations): start it with tests/cluster/up{}",
        if release == "22.05" { String::new() } else { format!("-release {release}") }
    );
    assert!(
        f["slurm_version"].as_str().is_some_and(|v| v.starts_with(release)),
        "{}",
        f["slurm_version"]
    );

    let mut n = 0;
    let mut case = |script: &str, expect: Expect| {
        n += 1;
        let uri = file_uri(&ws.path().join(format!("job{n}.sbatch")));
        s.open(&uri, "shellscript", &format!("#!/bin/bash\n{script}"));
        // The first publish may come before the facts are applied: wait for a finding.
        let d = s.diagnostics_where(&uri, |p| {
            p["diagnostics"].as_array().is_some_and(|d| {
                d.iter().any(|x| x["code"].as_str().is_some_and(|c| !c.starts_with("shellcheck/")))
            })
        });
        let shown: String = positions(&d)
            .lines()
            .filter(|l| !l.contains("shellcheck/"))
            .map(|l| format!("{l}\n"))
            .collect();
        expect.assert_eq(&shown);
    };
    // Partition rules: AllowAccounts, AllowGroups, AllowQos.
    case(
        "#SBATCH -p acctonly\n#SBATCH -A lab_grads\nhostname\n",
        expect![[r#"
            2:11-2:20 sbatch/account-partition
        "#]],
    );
    case(
        "#SBATCH -p grouponly -A lab_dev\nhostname\n",
        expect![[r#"
            1:8-1:20 sbatch/partition-restricted
            1:24-1:31 sbatch/account-partition
        "#]],
    );
    // QOS: a partition that allows another, per-job limits, the per-user submit limit.
    case(
        "#SBATCH -p qosonly -A lab_dev -q normal\nhostname\n",
        expect![[r#"
            1:8-1:18 sbatch/partition-restricted
            1:22-1:29 sbatch/account-partition
        "#]],
    );
    case(
        "#SBATCH -p gpu -A lab_dev\n#SBATCH -q high -c 8 -t 1:00:00\n#SBATCH --array=0-19\nhostname\n",
        expect![[r#"
            2:11-2:15 sbatch/qos-limit
            3:16-3:20 sbatch/qos-submit-limit
        "#]],
    );
    // Constraints: a feature no node has, features no single node has together.
    case(
        "#SBATCH -p multi -A lab_dev\n#SBATCH -C nvme\nhostname\n",
        expect![[r#"
            2:11-2:15 sbatch/unknown-feature
        "#]],
    );
    case(
        "#SBATCH -p multi -A lab_dev\n#SBATCH --constraint=rack1&rack2\nhostname\n",
        expect![[r#"
            2:21-2:32 sbatch/feature-combination
        "#]],
    );
    // Licenses.
    case(
        "#SBATCH -p cpu -A lab_grads\n#SBATCH -L matlab:3\nhostname\n",
        expect![[r#"
            2:11-2:19 sbatch/unknown-license
        "#]],
    );
    // Array size.
    case(
        "#SBATCH -p cpu -A lab_grads\n#SBATCH --array=0-5000\nhostname\n",
        expect![[r#"
            2:16-2:22 sbatch/array-too-large
        "#]],
    );
    // Per-node limits: CPUs, memory, GPUs of the partition's nodes.
    case(
        "#SBATCH -p multi -A lab_dev\n#SBATCH -c 6\n#SBATCH --mem=20G\n#SBATCH --gres=gpu:a100:3\nhostname\n",
        expect![[r#"
            2:11-2:12 sbatch/too-many-cpus
            3:14-3:17 sbatch/too-much-memory
            4:15-4:25 sbatch/too-many-gpus
        "#]],
    );
    // Per-job limits of the partition (not of its nodes): MaxCPUsPerNode, MaxMemPerCPU.
    case(
        "#SBATCH -p limited -A lab_dev\n#SBATCH -c 5\nhostname\n",
        expect![[r#"
            2:11-2:12 sbatch/partition-limit
        "#]],
    );
    case(
        "#SBATCH -p memcap -A lab_dev\n#SBATCH --mem-per-cpu=3000\nhostname\n",
        expect![[r#"
            2:22-2:26 sbatch/mem-per-cpu-raised
        "#]],
    );
    // Reservations.
    case(
        "#SBATCH -p cpu -A lab_grads -t 10\n#SBATCH --reservation=root_resv\nhostname\n",
        expect![[r#"
            2:22-2:31 sbatch/reservation-denied
        "#]],
    );
    // The container: no --nv in a GPU job, a run of another image than the pull writes.
    case(
        "#SBATCH -p gpu -A lab_dev --gpus=1\nIMG=x\napptainer exec --nv pytorch_2.1.sif python train.py\napptainer exec pytorch_2.2.sif python eval.py\napptainer pull docker://pytorch/pytorch:2.2\n",
        expect![[r#"
            3:20-3:35 sbatch/image-not-pulled
            4:0-4:14 sbatch/container-no-nv
            5:0-5:14 sbatch/pull-in-gpu-job
        "#]],
    );
    // The --output directory: asked with `test -d` when the document names it (a warning:
    // sbatch accepts the job, which then fails without output). One that exists is fine.
    case(
        "#SBATCH -p cpu -A lab_grads\n#SBATCH --output=/nonexistent/clusterls-logs/%j.out\n#SBATCH -e /tmp/x.err\nhostname\n",
        expect![[r#"
            2:17-2:51 sbatch/output-dir-missing
        "#]],
    );
    s.shutdown();
}
