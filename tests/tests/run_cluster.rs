//! `clusterls run` for what researchers run, through ssh on the local cluster: a shell
//! script runs with bash in the container, a shebang is honoured (issue 10).

mod engine_common;

use engine_common::{Project, cluster, stderr, stdout};

/// A fresh project; the test fails (never passes on nothing) when the cluster is not up.
/// Through [`IntoProject`], so that it reads `Project::new` whether it returns the
/// project or an `Option` of it (main moved to the former while this file was written).
fn project(tag: &str) -> Project {
    Project::new(tag).into_project()
}

trait IntoProject {
    fn into_project(self) -> Project;
}

impl IntoProject for Project {
    fn into_project(self) -> Project {
        self
    }
}

impl IntoProject for Option<Project> {
    fn into_project(self) -> Project {
        self.expect("the local cluster is not up: start it with tests/cluster/up")
    }
}

/// `clusterls run --image IMAGE --partition test --follow SCRIPT ARGS`: (exit code, stdout, stderr).
fn run_followed(p: &Project, extra: &[&str], script: &str, args: &[&str]) -> (i32, String, String) {
    let c = cluster();
    let mut argv = vec!["run", "--image", &c.image, "--partition", "test", "--follow"];
    argv.extend(extra);
    argv.push(script);
    if !args.is_empty() {
        argv.push("--");
        argv.extend(args);
    }
    let out = p.run(&argv);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn a_shell_script_runs_with_bash_and_a_shebang_is_honoured() {
    let p = project("kinds");
    let pulled = p.run(&["pull", &cluster().image]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    // No shebang, .sh: bash (BASH_VERSION is set only under bash), inside the container.
    let sh = p.write(
        "my job.sh",
        "echo \"bash=${BASH_VERSION:+yes} args=$*\"\npython3 -c 'print(\"python in image\")'\n",
    );
    let (code, out, err) = run_followed(&p, &[], sh.to_str().unwrap(), &["a b", "$(x)"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "bash=yes args=a b $(x)\npython in image\n", "{err}");
    // No extension, a Python shebang: the shebang's interpreter.
    let tool =
        p.write("tool", "#!/usr/bin/env python3\nimport sys\nprint('shebang', sys.argv[1:])\n");
    let (code, out, err) = run_followed(&p, &[], tool.to_str().unwrap(), &["x"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "shebang ['x']\n", "{err}");
    // Neither: refused before anything is uploaded, saying what to add.
    let bad = p.write("notes.txt", "echo hi\n");
    let (code, _, err) = run_followed(&p, &[], bad.to_str().unwrap(), &[]);
    assert_ne!(code, 0);
    assert!(err.contains("Add a first line such as `#!/bin/bash`"), "{err}");
    // An array Slurm would refuse is explained before the upload: an index over the
    // cluster's MaxArraySize (1001), a spec sbatch cannot read. (Arrays themselves:
    // array_cluster.rs.)
    let (code, _, err) = run_followed(&p, &["--array", "0-1001%2"], sh.to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("index 1001 is not below MaxArraySize=1001"), "{err}");
    let (code, _, err) = run_followed(&p, &["--array", "5-1"], sh.to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Invalid job array specification"), "{err}");
    // Over `upload_limit`: refused, naming the largest file, nothing sent.
    let toml = p.dir.join("clusterls.toml");
    let mut conf = std::fs::read_to_string(&toml).unwrap();
    conf.insert_str(0, "upload_limit = 1000\n");
    std::fs::write(&toml, conf).unwrap();
    p.write("data/weights.bin", &"x".repeat(5000));
    let sync = p.dir.join("data");
    let extra = ["--sync", sync.to_str().unwrap()];
    let (code, _, err) = run_followed(&p, &extra, sh.to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("over the upload limit of 1.0 kB") && err.contains("weights.bin"),
        "{err}"
    );
}

/// An sbatch script with its own directives, output pattern and an `srun` line is
/// submitted as written: it completes, `--follow` and `logs` show its own log file; a
/// flag overrides a directive; a wrong partition is refused before anything is uploaded.
#[test]
fn an_sbatch_script_is_submitted_as_written() {
    let p = project("as-written");
    let script = p.write(
        "train job.sbatch",
        "#!/bin/bash\n#SBATCH --job-name=aw\n#SBATCH --partition=cpu\n#SBATCH --time=5\n\
         #SBATCH --output=logs/%x-%j.out\n#SBATCH --error=logs/%x-%j.err\n\
         echo \"name=$SLURM_JOB_NAME partition=$SLURM_JOB_PARTITION\"\n\
         srun hostname >/dev/null && echo step ok\necho to-stderr >&2\n",
    );
    let script = script.to_str().unwrap();
    // clusterls.toml's partition and time are not what this script is submitted with.
    p.write(
        "clusterls.toml",
        "account = \"lab_dev\"\npartition = \"gpu\"\ntime = \"10\"\n[pull]\npartition = \"test\"\n",
    );
    // --partition test overrides the script's cpu.
    let out = p.run(&["run", "--partition", "test", "--follow", script]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(text, "name=aw partition=test\nstep ok\n", "{err}");
    assert!(err.contains("to-stderr"), "{err}");
    let id = err.lines().next().unwrap().trim_start_matches("job ").to_string();
    // The file Slurm wrote, by its pattern, in the run directory; `logs` shows it.
    let dir = engine_common::run_dir(&out);
    let file = format!("{dir}/logs/aw-{id}.out");
    let c = cluster();
    assert_eq!(c.ssh_ok(&["cat", &file]), text);
    let logs = p.run(&["logs", &id]);
    assert!(logs.status.success(), "{}", stderr(&logs));
    assert_eq!(stdout(&logs), text);
    // The record holds what was submitted: the flag's partition, the script's time,
    // clusterls.toml's account (the one value neither sets); not the toml's gpu and 10.
    let jobs = p.run(&["jobs", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&stdout(&jobs)).expect("jobs --json");
    let rec = all.as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).expect("the record");
    assert_eq!(
        (&rec["partition"], &rec["time"], &rec["account"]),
        (&serde_json::json!("test"), &serde_json::json!("5"), &serde_json::json!("lab_dev")),
        "{rec}"
    );
    // The copy says where each value came from.
    let copy = c.ssh_ok(&["cat", &format!("{dir}/job.sbatch")]);
    assert!(
        copy.contains("--partition=test   from the command line (the script says cpu)"),
        "{copy}"
    );
    // A partition the cluster does not have: refused with the finding, nothing uploaded.
    let bad = p.write("bad.sbatch", "#!/bin/bash\n#SBATCH --partition=nosuchpart\nhostname\n");
    // Only this script's run directories: other tests (as alice) may make theirs now.
    let bad_runs = || {
        let all = c.ssh_ok(&["ls", ".clusterls/runs"]);
        all.lines().filter(|l| l.ends_with("-bad.sbatch")).map(str::to_string).collect::<Vec<_>>()
    };
    let runs_before = bad_runs();
    let out = p.run(&["run", bad.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.sbatch:2: error[") && err.contains("nosuchpart"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(bad_runs(), runs_before, "nothing uploaded");
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
print(f"rank={rank} node_rank={os.environ['NODE_RANK']} world={world} sum={total} "
      f"host={socket.gethostname()} CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')} "
      f"args={sys.argv[1:]}", flush=True)
"#;

/// `run --nodes 2 --gpus-per-node 2 --gpu-type a100` on `multi`: each rank meets rank 0
/// over TCP in the container and prints the sum and its own GPUs; `--launcher torchrun`
/// with an image without torch is refused at once with a message (exit 97), not a hang;
/// a node count the partition cannot meet is refused before the upload.
#[test]
fn two_nodes_meet_over_tcp_and_a_missing_torchrun_is_explained() {
    let p = project("two-nodes");
    let c = cluster();
    let pulled = p.run(&["pull", &c.image]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    let script = p.write("sum 'ranks' $(x).py", SUM_RANKS);
    let script = script.to_str().unwrap();
    let multi = ["--partition", "multi", "--nodes", "2", "--gpus-per-node", "2", "--gpu-type"];
    let mut argv = vec!["run", "--image", &c.image, "--follow"];
    argv.extend(multi);
    argv.extend(["a100", script, "--", "a b"]);
    let out = p.run(&argv);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    expect_test::expect![[r#"
        rank=0 node_rank=0 world=2 sum=1 host=node02 CUDA_VISIBLE_DEVICES=0,1 args=['a b']
        rank=1 node_rank=1 world=2 sum=1 host=node03 CUDA_VISIBLE_DEVICES=0,1 args=['a b']"#]]
    .assert_eq(&lines.join("\n"));
    // torchrun is not in the image: the job ends at once, and says why.
    argv.insert(4, "--launcher");
    argv.insert(5, "torchrun");
    let out = p.run(&argv);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("torchrun is not in the container image"), "{err}");
    assert!(err.contains("exit code 97"), "{err}");
    // Three nodes on a two-node partition: refused before anything is uploaded.
    let out = p.run(&["run", "--partition", "multi", "--nodes", "3", script]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("partition multi has 2 node(s)"), "{err}");
}
