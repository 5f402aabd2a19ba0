//! The launch planners' output (engine/launch) run by the real Slurm of the local
//! cluster, before the engine wires them in: the generated two-node job meets at
//! MASTER_ADDR:MASTER_PORT, a missing torchrun fails at once with its own exit code, and
//! an sbatch script submitted as written writes its logs where `log_pattern` says.
//! Needs the `multi` partition (node02, node03, 2 GPUs each) of `tests/cluster/up`.

use std::time::Duration;

use clusterls::engine::launch::{as_written, distributed, interpreter, log_pattern};
use clusterls::engine::script::Resources;
use clusterls_tests::{ClusterInfo, describe, require_cluster, wait_until};
use expect_test::expect;

/// A fresh directory on the cluster with `files` in it; returns its absolute path.
fn remote_dir(c: &ClusterInfo, tag: &str, files: &[(&str, &str)]) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = format!("launch-tests/{tag}-{}-{nanos}", std::process::id());
    let mut script = format!("set -e\nmkdir -p {dir}\ncd {dir}\n");
    for (name, text) in files {
        assert!(!text.contains("\nCLUSTERLS_EOF\n"));
        script.push_str(&format!(
            "cat > {} <<'CLUSTERLS_EOF'\n{text}\nCLUSTERLS_EOF\n",
            clusterls_tests::shell_quote(name)
        ));
    }
    script.push_str("pwd\n");
    let out = c.ssh_script(&script);
    assert!(out.status.success(), "{}", describe("write files", &out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `sbatch --parsable ARGV job` in `dir`: the job id.
fn submit(c: &ClusterInfo, dir: &str, argv: &[String], job: &str) -> u64 {
    let mut cmd = vec![
        "sh".to_string(),
        "-c".into(),
        "cd \"$1\" && shift && exec sbatch --parsable \"$@\"".into(),
        "sh".into(),
        dir.into(),
    ];
    cmd.extend(argv.iter().cloned());
    cmd.push(job.into());
    let out = c.ssh_ok(&cmd);
    out.trim().split(';').next().unwrap().parse().unwrap_or_else(|_| panic!("sbatch said {out}"))
}

/// Every row of `sacct -X` for the job (array tasks included) as `JobID|JobIDRaw|State|ExitCode|NodeList`,
/// once all are final.
fn wait_all_done(c: &ClusterInfo, id: u64, rows: usize) -> Vec<Vec<String>> {
    wait_until(&format!("job {id} to finish"), Duration::from_secs(120), || {
        let out = c.ssh(&[
            "sacct",
            "-n",
            "-P",
            "-X",
            "-j",
            &id.to_string(),
            "-o",
            "JobID,JobIDRaw,State,ExitCode,NodeList",
        ]);
        let v: Vec<Vec<String>> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('|').map(str::to_string).collect())
            .collect();
        (v.len() == rows && v.iter().all(|r| clusterls_tests::is_final_state(&r[2]))).then_some(v)
    })
}

fn cat(c: &ClusterInfo, path: &str) -> String {
    c.ssh_ok(&["cat", path])
}

fn multi_partition(c: &ClusterInfo) {
    let parts = c.ssh_ok(&["sinfo", "-h", "-o", "%P %D %G"]);
    assert!(
        parts.lines().any(|l| l.starts_with("multi 2 ")),
        "the cluster has no 2-node `multi` partition (tests/cluster/up adds node02, node03):\n{parts}"
    );
}

/// Rank 0 listens at MASTER_ADDR:MASTER_PORT; the others send their rank; all print the sum.
const SUM_RANKS: &str = r#"import os, socket, sys, time
rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
if rank == 0:
    srv = socket.create_server(("0.0.0.0", port))
    peers = [srv.accept()[0] for _ in range(world - 1)]
    total = rank + sum(int(p.recv(64)) for p in peers)
    for p in peers:
        p.sendall(str(total).encode())
else:
    for _ in range(150):
        try:
            s = socket.create_connection((addr, port))
            break
        except OSError:
            time.sleep(0.2)
    s.sendall(str(rank).encode())
    total = int(s.recv(64))
print(f"rank={rank} node_rank={os.environ['NODE_RANK']} local_rank={os.environ['LOCAL_RANK']} "
      f"world={world} sum={total} host={socket.gethostname()} "
      f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')} args={sys.argv[1:]}", flush=True)"#;

const SCRIPT: &str = "sum 'ranks' $(touch MARKER).py";

fn two_node_job(launcher: distributed::Launcher) -> String {
    let layout = distributed::Layout {
        nodes: 2,
        gpus_per_node: 2,
        gpu_type: Some("a100".into()),
        constraint: None,
        launcher,
    };
    let py = interpreter::interpreter_for(SCRIPT, "", "python3").unwrap();
    let args = ["a b".to_string(), "$(touch MARKER)".into()];
    let cmd = distributed::task_command(&layout, &py, SCRIPT, &args).unwrap();
    let res = Resources {
        partition: Some("multi".into()),
        account: Some("lab_dev".into()),
        time: Some("5".into()),
        ..Default::default()
    };
    distributed::render(&distributed::Job {
        job_name: "sum ranks",
        resources: &res,
        layout: &layout,
        array: None,
        // No container here: the container line is container.rs's, tested on its own.
        runtime: None,
        runtime_path: None,
        image: None,
        binds: &[],
        command: &cmd,
        origin: "launch_cluster test",
    })
}

#[test]
fn two_nodes_meet_at_master_addr_and_port() {
    let c = require_cluster();
    multi_partition(&c);
    let dir = remote_dir(
        &c,
        "two-nodes",
        &[("job.sbatch", &two_node_job(distributed::Launcher::Direct)), (SCRIPT, SUM_RANKS)],
    );
    let id = submit(&c, &dir, &[], "job.sbatch");
    let rows = wait_all_done(&c, id, 1);
    let out = cat(&c, &format!("{dir}/output.log"));
    assert_eq!(
        rows[0][2],
        "COMPLETED",
        "{rows:?}\n{out}\n{}",
        cat(&c, &format!("{dir}/error.log"))
    );
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    expect![[r#"
        rank=0 node_rank=0 local_rank=0 world=2 sum=1 host=node02 CUDA_VISIBLE_DEVICES=0,1 args=['a b', '$(touch MARKER)']
        rank=1 node_rank=1 local_rank=0 world=2 sum=1 host=node03 CUDA_VISIBLE_DEVICES=0,1 args=['a b', '$(touch MARKER)']"#]]
    .assert_eq(&lines.join("\n"));
    assert!(c.ssh(&["test", "-e", &format!("{dir}/MARKER")]).status.code() == Some(1));
    c.ssh_ok(&["rm", "-rf", &dir]);
}

#[test]
fn missing_torchrun_fails_at_once_with_its_exit_code() {
    let c = require_cluster();
    multi_partition(&c);
    let dir = remote_dir(
        &c,
        "torchrun",
        &[("job.sbatch", &two_node_job(distributed::Launcher::Torchrun)), (SCRIPT, SUM_RANKS)],
    );
    let id = submit(&c, &dir, &[], "job.sbatch");
    let rows = wait_all_done(&c, id, 1);
    assert_eq!((rows[0][2].as_str(), rows[0][3].as_str()), ("FAILED", "97:0"), "{rows:?}");
    let code: i32 = rows[0][3].split(':').next().unwrap().parse().unwrap();
    assert!(distributed::explain_exit(code).is_some());
    let err = cat(&c, &format!("{dir}/error.log"));
    assert!(err.contains("clusterls: torchrun is not in the container image"), "{err}");
    c.ssh_ok(&["rm", "-rf", &dir]);
}

#[test]
fn a_script_as_written_logs_where_its_patterns_say() {
    let c = require_cluster();
    let text = "#!/bin/bash\n#SBATCH --job-name=as-written\n#SBATCH --partition=nonexistent\n#SBATCH --output=logs/%x-%A_%3a.out\n#SBATCH --error=logs/%x-%j.err\necho \"task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID on $(hostname)\"\necho oops >&2\n";
    let flags = as_written::Flags {
        resources: Resources { partition: Some("test".into()), ..Default::default() },
        array: Some("0-2%2".into()),
        ..Default::default()
    };
    let config = Resources {
        account: Some("lab_grads".into()),
        time: Some("5".into()),
        ..Default::default()
    };
    let plan = as_written::plan(text, &flags, &config, "my job.sbatch", "job.sbatch").unwrap();
    let dir = remote_dir(&c, "as-written", &[("job.sbatch", &plan.copy)]);
    let work = log_pattern::work_dir(&dir, plan.chdir.as_deref());
    for d in plan.log_dirs(&work) {
        c.ssh_ok(&["mkdir", "-p", &d]);
    }
    let id = submit(&c, &dir, &plan.argv, "job.sbatch");
    let rows = wait_all_done(&c, id, 3);
    let version = c.ssh_ok(&["sinfo", "--version"]);
    let version = log_pattern::parse_version(version.trim().rsplit(' ').next().unwrap());
    let mut seen = Vec::new();
    for row in &rows {
        assert_eq!(row[2], "COMPLETED", "{rows:?}");
        let (array_id, task) = row[0].split_once('_').unwrap();
        let ids = log_pattern::JobIds {
            job_id: row[1].parse().unwrap(),
            array: Some((array_id.parse().unwrap(), task.parse().unwrap())),
            user: "alice",
            job_name: &plan.job_name,
            first_node: Some(&row[4]),
            restart_count: 0,
            slurm_version: version,
        };
        let out = log_pattern::expand(&plan.logs.output, &ids, &work).unwrap();
        let err = log_pattern::expand(plan.logs.error.as_ref().unwrap(), &ids, &work).unwrap();
        let text = cat(&c, &out);
        assert_eq!(text, format!("task {task} of {id} on {}\n", row[4]));
        assert_eq!(cat(&c, &err), "oops\n");
        seen.push(out.rsplit('/').next().unwrap().to_string());
    }
    seen.sort();
    let expected: Vec<String> = (0..3).map(|t| format!("as-written-{id}_{t:03}.out")).collect();
    assert_eq!(seen, expected);
    c.ssh_ok(&["rm", "-rf", &dir]);
}
