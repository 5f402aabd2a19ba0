//! The engine against the real local cluster, through the real sshd (and `--host
//! local` as alice): facts, pull, run on a GPU in a container, allocations, cancel,
//! Slurm's refusals, hostile file names, re-attaching after the tracker is killed.

mod engine_common;
mod lsp_common;

use std::process::Stdio;

use engine_common::*;
use expect_test::expect;

const PROBE: &str = r#"import os, sys, time
print("CUDA_VISIBLE_DEVICES=" + os.environ.get("CUDA_VISIBLE_DEVICES", ""))
print("args=" + repr(sys.argv[1:]))
print("cwd=" + os.getcwd())
time.sleep(4)  # long enough for the tracker to see RUNNING, even on a loaded machine
"#;

#[test]
fn facts_match_the_fixture() {
    let p = Project::new("facts");
    let out = p.run(&["facts", "--json", "--refresh"]);
    assert!(out.status.success());
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parts: Vec<String> = f["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}{} max={} cpus={} mem={} gpus={}",
                p["name"].as_str().unwrap(),
                if p["is_default"].as_bool().unwrap() { "*" } else { "" },
                p["max_time_minutes"],
                p["cpus_per_node"],
                p["mem_per_node_mb"],
                p["gpus"]
            )
        })
        .collect();
    expect![[r#"
        cpu* max=10080 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        test max=480 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        gpu max=2880 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        multi max=1440 cpus=4 mem=16000 gpus=[{"count":2,"type":"a100"}]
        acctonly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        grouponly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        qosonly max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        limited max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]
        memcap max=1440 cpus=8 mem=32000 gpus=[{"count":4,"type":null}]"#]]
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
    expect!["lab_dev@cpu lab_dev@gpu lab_dev@limited lab_dev@memcap lab_dev@multi lab_dev@test lab_grads@cpu lab_grads@test"]
        .assert_eq(&assoc.join(" "));
    assert_eq!(f["default_account"], "lab_grads");
    assert_eq!(f["user"], "alice");
    assert_eq!(f["runtime"]["kind"], "charliecloud");
    // What the sbatch checker needs to know about enforcement (slurm.conf of the fixture).
    assert_eq!(f["enforce_part_limits"], "ALL");
    assert_eq!(f["accounting_enforce"], serde_json::json!(["associations", "limits"]));
    assert_eq!(f["gres_types"], serde_json::json!(["gpu"]));
    // The JSON is what `clusterls check --facts` reads: it round-trips through the type.
    // (A second call is served from the cache, with its age.)
    let cached = p.run(&["facts"]);
    assert!(stdout(&cached).contains("cached"), "{}", stdout(&cached));
}

/// Pull, then run on `gpu` with one GPU in the container: RUNNING then COMPLETED, and
/// the output shows CUDA_VISIBLE_DEVICES.
#[test]
fn pull_then_run_on_a_gpu_in_a_container() {
    let p = Project::new("gpu");
    let c = cluster();
    let pulled = p.run(&["pull", &c.image]);
    assert!(pulled.status.success());
    // A second pull finds it present.
    let again = p.run(&["pull", &c.image]);
    assert!(again.status.success());
    assert!(stderr(&again).contains("already present"), "{}", stderr(&again));
    let script = p.write("probe.py", PROBE);
    let out = p.run(&[
        "run",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--image",
        &c.image,
        "--follow",
        script.to_str().unwrap(),
        "--",
        "--lr",
        "0.1",
    ]);
    // State lines on stderr (the first says the job's id), the job's output on stdout.
    let text = format!("{}{}", stderr(&out), stdout(&out));
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("job "), "{text}");
    let id = lines[0].trim_start_matches("job ");
    let running = lines.iter().position(|l| *l == format!("job {id} RUNNING"));
    let completed = lines.iter().position(|l| l.starts_with(&format!("job {id} COMPLETED")));
    assert!(running.is_some() && completed > running, "{text}");
    // One of the node's 4 GPUs (which one depends on the other jobs running now).
    assert!(
        ["0", "1", "2", "3"]
            .iter()
            .any(|g| lines.contains(&format!("CUDA_VISIBLE_DEVICES={g}").as_str())),
        "{text}"
    );
    assert!(text.contains("args=['--lr', '0.1']"), "{text}");
    // The job record is shared: `jobs --json` shows it final with exit 0.
    let jobs: serde_json::Value =
        serde_json::from_slice(&p.run(&["jobs", "--json"]).stdout).unwrap();
    assert_eq!(jobs[0]["state"], "COMPLETED");
    assert_eq!(jobs[0]["exit_code"], 0);
}

#[test]
fn run_inside_an_allocation() {
    let p = Project::new("alloc");
    let out = p.run(&["alloc", "--partition", "test", "--time", "5"]);
    assert!(out.status.success());
    let alloc = stdout(&out).trim().to_string();
    assert!(alloc.chars().all(|c| c.is_ascii_digit()), "{alloc}");
    let script = p.write("probe.py", PROBE);
    let out = p.run(&[
        "run",
        "--no-container",
        "--in-alloc",
        &alloc,
        "--follow",
        script.to_str().unwrap(),
    ]);
    let text = format!("{}{}", stderr(&out), stdout(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("COMPLETED exit 0"), "{text}");
    assert!(text.contains("args=[]"), "{text}");
    // A long step, cancelled: it ends CANCELLED and the allocation stays.
    let long =
        p.write("long.py", "import time\nprint('step started', flush=True)\ntime.sleep(300)\n");
    let out = p.run(&["run", "--no-container", "--in-alloc", &alloc, long.to_str().unwrap()]);
    assert!(out.status.success());
    let step = stdout(&out).trim().trim_start_matches("job ").to_string();
    assert!(step.starts_with(&format!("{alloc}/")), "{step}");
    assert!(p.run(&["cancel", &step]).status.success());
    let out = p.run(&["logs", &step, "--follow"]);
    assert!(stderr(&out).contains(&format!("job {step} CANCELLED")), "{}", stderr(&out));
    assert_ne!(out.status.code(), Some(0));
    let state = stdout(&ssh(&["squeue", "-h", "-j", &alloc, "-o", "%T"]));
    assert_eq!(state.trim(), "RUNNING");
    // Release it.
    assert!(p.run(&["cancel", &alloc]).status.success());
    wait_for("the allocation to end", || {
        let o = ssh(&["squeue", "-h", "-j", &alloc, "-o", "%T"]);
        let s = stdout(&o);
        (s.trim().is_empty() || s.contains("CANCELLED") || s.contains("COMPLETED")).then_some(())
    });
}

#[test]
fn cancel_a_running_job() {
    let p = Project::new("cancel");
    let script =
        p.write("sleepy.py", "import time\nprint('started', flush=True)\ntime.sleep(300)\n");
    let out = p.run(&["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()]);
    assert!(out.status.success());
    let id = stdout(&out).trim().trim_start_matches("job ").to_string();
    wait_for("RUNNING", || {
        let o = p.run(&["jobs", "--refresh", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        (v[0]["state"] == "RUNNING").then_some(())
    });
    assert!(p.run(&["cancel", &id]).status.success());
    let out = p.run(&["logs", &id, "--follow"]);
    assert!(stderr(&out).contains(&format!("job {id} CANCELLED")), "{}", stderr(&out));
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn refused_submission_reports_slurms_reason() {
    let p = Project::new("refused");
    let script = p.write("probe.py", PROBE);
    // `run --no-container ARGS probe.py`: refused (exit 4); its stderr.
    let refused = |args: &[&str]| {
        let mut argv = vec!["run", "--no-container"];
        argv.extend_from_slice(args);
        argv.push(script.to_str().unwrap());
        let out = p.run(&argv);
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        stderr(&out)
    };
    expect![[r#"
        clusterls: Slurm refused the submission: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        use an account you belong to on that partition (`clusterls facts` lists your associations) with --account or in clusterls.toml
    "#]]
    .assert_eq(&refused(&["--account", "nope"]));
    let err = refused(&["--partition", "gpu", "--account", "lab_grads"]);
    assert!(err.contains("Invalid account or account/partition combination"), "{err}");
    let err = refused(&["--partition", "test", "--time", "9:00:00"]);
    assert!(err.contains("Requested time limit is invalid"), "{err}");
}

const HOSTILE_DIR: &str = "dir with spaces 'q' \"dq\" $(touch MARKER); `touch MARKER`\nnl ü";
const HOSTILE_SCRIPT: &str = "my 'script' $(touch MARKER); `touch MARKER` ü.py";
const HOSTILE_ARG: &str = "$(touch MARKER); 'x' \"y\"\nz `touch MARKER`";

fn hostile_flow(p: &Project, local: bool) {
    let c = cluster();
    let script = p.write(&format!("{HOSTILE_DIR}/{HOSTILE_SCRIPT}"), PROBE);
    let args = [
        "run",
        "--partition",
        "test",
        "--image",
        &c.image,
        "--follow",
        script.to_str().unwrap(),
        "--",
        HOSTILE_ARG,
        "--lr=0.1",
    ];
    let out = if local { p.cmd_as("alice", &args).output().unwrap() } else { p.run(&args) };
    eprintln!("{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(stderr(&out).contains("COMPLETED exit 0"), "{}", stderr(&out));
    // Both arguments arrived byte for byte (Python's repr of them), newline included.
    let args_line = text.lines().find(|l| l.starts_with("args=")).unwrap_or_default();
    expect![[r#"args=['$(touch MARKER); \'x\' "y"\nz `touch MARKER`', '--lr=0.1']"#]]
        .assert_eq(args_line);
    // The run directory keeps the script under its own name, the sbatch script and the logs.
    let dir = run_dir(&out);
    let listing =
        stdout(&ssh(&["find", &dir, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"]));
    let mut files: Vec<&str> = listing.split_terminator('\0').collect();
    files.sort();
    expect![[r#"["error.log", "job.sbatch", "my 'script' $(touch MARKER); `touch MARKER` ü.py", "output.log"]"#]]
        .assert_eq(&format!("{files:?}"));
    // Nothing was executed: no MARKER locally, in alice's home (run directories
    // included) or in /tmp on the cluster.
    let local = std::process::Command::new("find")
        .arg(p.dir.parent().unwrap())
        .args(["-name", "MARKER"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(stdout(&local), "", "MARKER appeared locally");
    let found = ssh(&["find", "/home/alice", "/tmp", "-name", "MARKER"]);
    assert_eq!(stdout(&found), "", "MARKER appeared on the cluster");
}

#[test]
fn hostile_names_run_and_never_execute() {
    let p = Project::new("hostile");
    hostile_flow(&p, false);
}

#[test]
fn same_flow_through_host_local() {
    let p = Project::new("local");
    hostile_flow(&p, true);
}

/// Kill the process following a job mid-run; a new one re-attaches from the job store.
#[test]
fn tracker_reattaches_after_being_killed() {
    let p = Project::new("reattach");
    let script = p.write("slow.py", "import time\nfor i in range(6):\n    print(i, flush=True)\n    time.sleep(0.5)\nprint('finished')\n");
    let mut child = p
        .cmd(&[
            "run",
            "--no-container",
            "--partition",
            "cpu",
            "--parsable",
            "--follow",
            script.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // `--parsable`: the id, then the job's output (state lines go to stderr).
    let (seen, _) = wait_line(&mut child, |l| l == "0");
    child.kill().unwrap();
    child.wait().unwrap();
    let id = seen[0].clone();
    let out = p.run(&["logs", &id, "--follow"]);
    let text = format!("{}{}", stderr(&out), stdout(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("job {id} COMPLETED exit 0")), "{text}");
    assert!(text.contains("finished"), "{text}");
}

/// Two pulls of the same image race: both succeed, one waits for the other and finds
/// the image present; a failed pull leaves nothing behind. (A storage of its own, so
/// that other tests' images are not touched.)
#[test]
fn racing_pulls_and_failed_pulls_are_safe() {
    let p = Project::new("race");
    let c = cluster();
    let storage = format!("/var/tmp/clusterls-race-{}.ch", std::process::id());
    let _ = ssh(&["rm", "-rf", &storage]);
    p.write(
        "clusterls.toml",
        &format!(
            "image_dir = \"{storage}/img\"\n[pull]\npartition = \"test\"\naccount = \"lab_dev\"\n"
        ),
    );
    let image = c.image.clone();
    let spawn =
        || p.cmd(&["pull", &image]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let both = format!("{}{}", stderr(&a), stderr(&b));
    eprintln!("{both}");
    assert!(a.status.success() && b.status.success(), "{both}");
    assert_eq!(stdout(&a), stdout(&b), "both name the same image");
    assert_eq!(
        both.lines().filter(|l| *l == "clusterls: pulled").count(),
        1,
        "exactly one pull did the work: {both}"
    );
    assert!(both.contains("already present"), "{both}");
    let listing = stdout(&ssh(&["ls", "-A", &format!("{storage}/img")]));
    expect!["127.0.0.1+5443%tiny%python+3.11"].assert_eq(listing.trim());
    // A pull that fails (no such tag) leaves no image and no temporary directory.
    let bad = image.replace(":3.11", ":no-such-tag");
    let out = p.run(&["pull", &bad]);
    assert_eq!(out.status.code(), Some(5), "5: a failure other than usage, connection, refusal");
    let listing = stdout(&ssh(&["ls", "-A", &format!("{storage}/img")]));
    expect!["127.0.0.1+5443%tiny%python+3.11"].assert_eq(listing.trim());
    let _ = ssh(&["rm", "-rf", &storage]);
}

/// `run` on the `test` partition without a container, following the job.
const FOLLOW_ON_TEST: &[&str] = &["run", "--no-container", "--partition", "test", "--follow"];

/// A job that exits 3: `run --follow` reports FAILED and exits 1 (a job's failure; its
/// own code is on stderr's last line), prints the job's output and (on stderr) its error
/// file; sacct agrees, and so does the job store that another process reads.
#[test]
fn failing_job_exit_code_propagates() {
    let p = Project::new("fail");
    let script = p.write(
        "fail.py",
        "import sys\nprint('bye')\nprint('oops on stderr', file=sys.stderr)\nsys.exit(3)\n",
    );
    let out = p.run(&[FOLLOW_ON_TEST, &[script.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let id = err.lines().next().unwrap_or_default().trim_start_matches("job ").to_string();
    // State lines on stderr, the output on stdout.
    assert!(err.lines().any(|l| l == format!("job {id} FAILED exit 3")), "{err}");
    assert!(
        err.contains(&format!("job {id} ended FAILED, exit code 3; clusterls exits 1")),
        "{err}"
    );
    assert_eq!(stdout(&out), "bye\n");
    assert!(stderr(&out).contains("oops on stderr\n"), "the error file is shown: {}", stderr(&out));
    let state = cluster().wait_job_done(id.parse().unwrap(), TIMEOUT);
    assert_eq!(state, "FAILED");
    let jobs: serde_json::Value =
        serde_json::from_slice(&p.run(&["jobs", "--json"]).stdout).unwrap();
    assert_eq!(jobs[0]["id"], id.as_str());
    assert_eq!(jobs[0]["state"], "FAILED");
    assert_eq!(jobs[0]["exit_code"], 3);
}

/// A job that ended and left the queue while no clusterls process watched it is
/// settled from sacct by ONE `jobs --refresh` of a fresh process (which asks sacct
/// about jobs it has not polled yet in the same round trip as squeue). Before, a new
/// process only noted that squeue no longer listed it, and left it PENDING.
#[test]
fn a_fresh_jobs_refresh_settles_a_job_that_left_the_queue() {
    let p = Project::new("refresh");
    let script = p.write("quick.py", "print('done')\n");
    let out = p.run(&["run", "--no-container", "--partition", "test", script.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().trim_start_matches("job ").to_string();
    assert_eq!(cluster().wait_job_done(id.parse().unwrap(), TIMEOUT), "COMPLETED");
    wait_for("the job to leave squeue", || {
        let listed = stdout(&ssh(&["squeue", "-h", "-j", &id, "-o", "%T"]));
        listed.trim().is_empty().then_some(())
    });
    let jobs = |args: &[&str]| -> serde_json::Value {
        let out = p.run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = jobs(&["jobs", "--json"]);
    assert_eq!((&before[0]["id"], &before[0]["state"]), (&id.as_str().into(), &"PENDING".into()));
    let after = jobs(&["jobs", "--refresh", "--json"]);
    assert_eq!(after[0]["id"], id.as_str());
    assert_eq!(after[0]["state"], "COMPLETED", "{after}");
    assert_eq!(after[0]["exit_code"], 0, "{after}");
}

/// slurmctld unreachable: `jobs --refresh` runs with a copy of slurm.conf whose
/// SlurmctldPort is closed (nothing shared is stopped), so squeue fails exactly as
/// when the controller is down. The user is told, and squeue's error is read as
/// nothing: the live job keeps its state (before, it was taken to have left the queue,
/// and after 40 polls marked VANISHED).
#[test]
fn an_unreachable_controller_is_reported_and_changes_no_job() {
    let p = Project::new("outage");
    let script = p.write("long.py", "import time\ntime.sleep(600)\n");
    let args = ["run", "--no-container", "--partition", "test", script.to_str().unwrap()];
    let out = p.cmd_as("alice", &args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().trim_start_matches("job ").to_string();
    struct Cancel(String);
    impl Drop for Cancel {
        fn drop(&mut self) {
            let _ = ssh(&["scancel", &self.0]);
        }
    }
    let _cancel = Cancel(id.clone());
    let etc = cluster().dir.join("etc");
    let down = p.dir.join("controller-down");
    std::fs::create_dir_all(&down).unwrap();
    let conf: Vec<String> =
        std::fs::read_to_string(etc.join("slurm.conf"))
            .unwrap()
            .lines()
            .map(|l| {
                if l.starts_with("SlurmctldPort=") { "SlurmctldPort=6999".into() } else { l.into() }
            })
            .collect();
    std::fs::write(down.join("slurm.conf"), conf.join("\n") + "\n").unwrap();
    if etc.join("gres.conf").exists() {
        std::fs::copy(etc.join("gres.conf"), down.join("gres.conf")).unwrap();
    }
    chmod_r(&down);
    let out = std::process::Command::new("runuser")
        .args(["-u", "alice", "--", "env"])
        .arg(format!("CLUSTERLS_STATE_DIR={}", p.state.display()))
        .arg(format!("SLURM_CONF={}", down.join("slurm.conf").display()))
        .arg("PATH=/usr/local/bin:/usr/bin:/bin")
        .arg(binary())
        .args(["--host", "local", "jobs", "--refresh", "--json"])
        .current_dir(&p.dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    eprintln!("$ clusterls jobs --refresh --json\n{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("controller on local does not answer")
            && err.contains("Unable to contact slurm controller"),
        "the user is told, in Slurm's words: {err}"
    );
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(jobs[0]["id"], id.as_str());
    assert_eq!(jobs[0]["state"], "PENDING", "no state read from squeue's error: {jobs}");

    // A follower is told too, and keeps following (it is stopped here).
    let mut child = std::process::Command::new("runuser")
        .args(["-u", "alice", "--", "env"])
        .arg(format!("CLUSTERLS_STATE_DIR={}", p.state.display()))
        .arg(format!("SLURM_CONF={}", down.join("slurm.conf").display()))
        .arg("PATH=/usr/local/bin:/usr/bin:/bin")
        .arg(binary())
        .args(["--host", "local", "logs", &id, "--follow"])
        .current_dir(&p.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let told = wait_for("the follower to say the controller does not answer", || {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut err, &mut line).unwrap();
        assert!(n > 0, "the follower ended without saying so");
        eprint!("> {line}");
        line.contains("controller on local does not answer").then_some(line)
    });
    assert!(told.contains("Unable to contact slurm controller"), "{told}");
    assert!(child.try_wait().unwrap().is_none(), "the follower keeps following");
    let _ = child.kill();
    let _ = child.wait();

    // The editor is told with a state of its own (not a connection error: ssh may be
    // fine meanwhile), and the job it re-attaches to keeps its state.
    let mut cmd = std::process::Command::new("runuser");
    cmd.args(["-u", "alice", "--", "env"])
        .arg(format!("CLUSTERLS_STATE_DIR={}", p.state.display()))
        .arg(format!("SLURM_CONF={}", down.join("slurm.conf").display()))
        .arg("PATH=/usr/local/bin:/usr/bin:/bin")
        .arg("RUST_LOG=clusterls=debug")
        .arg(binary())
        .arg("lsp")
        .current_dir(&p.dir);
    let mut s = lsp_common::Server::spawn_command(cmd);
    let r = s.initialize(serde_json::json!({"host": "local"}), Some(&p.dir));
    assert!(r.get("result").is_some(), "{r}");
    let told = s.wait_up_to(std::time::Duration::from_secs(90), "clusterls/controllerState", |m| {
        m["method"] == "clusterls/controllerState"
    });
    eprintln!("editor: {told}");
    assert_eq!(told["params"]["host"], "local", "{told}");
    assert_eq!(told["params"]["reachable"], false, "{told}");
    let message = told["params"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Unable to contact slurm controller"), "{told}");
    let connection_errors =
        s.count(|m| m["method"] == "clusterls/connectionState" && m["params"]["state"] == "error");
    assert_eq!(connection_errors, 0, "the ssh side is fine: no connection error");
    let ended = s
        .count(|m| m["method"] == "clusterls/jobState" && m["params"]["job"]["state"] != "pending");
    assert_eq!(ended, 0, "no state read from the outage");
    s.shutdown();
}

/// `run --sync DIR` copies the project without what its .gitignore ignores, and the
/// script imports its neighbours from the copy.
#[test]
fn sync_directory_honours_ignore_rules() {
    let p = Project::new("sync");
    p.write("proj/.gitignore", "data/\n*.ckpt\n");
    p.write("proj/data/big.bin", "x");
    p.write("proj/model.ckpt", "x");
    p.write("proj/src/util.py", "X = 7\n");
    // (No __pycache__ written by the job itself: the listing is what the sync sent.)
    let main = p.write(
        "proj/src/main.py",
        "import sys\nsys.dont_write_bytecode = True\nimport util\nprint(util.X)\n",
    );
    let proj = p.dir.join("proj");
    let out = p.run(
        &[FOLLOW_ON_TEST, &["--sync", proj.to_str().unwrap(), main.to_str().unwrap()]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(stderr(&out).lines().any(|l| l.ends_with(" COMPLETED exit 0")), "{}", stderr(&out));
    assert!(lines.contains(&"7"), "the script imported src/util.py: {text}");
    // What reached the cluster: the run directory, listed over ssh.
    let dir = run_dir(&out);
    let listing = stdout(&ssh(&["find", &dir, "-type", "f", "-printf", "%P\\n"]));
    let mut files: Vec<&str> = listing.lines().collect();
    files.sort();
    expect![[
        r#"[".gitignore", "error.log", "job.sbatch", "output.log", "src/main.py", "src/util.py"]"#
    ]]
    .assert_eq(&format!("{files:?}"));
}

/// The tracker asks Slurm about every tracked job in ONE squeue call per poll:
/// counted by slurmctld itself (sdiag's per-user RPC statistics) for a user no other
/// test uses, while three jobs of that user are tracked. One poll
/// (`jobs --refresh`) must cost exactly what one `squeue -j A,B,C` costs; a squeue
/// per job would cost three times as much.
#[test]
fn one_squeue_per_poll_for_every_tracked_job() {
    let p = Project::new("polls");
    const USER: &str = "clusterls-polls";
    ensure_slurm_user(USER);
    let script = p.write("long.py", "import time\ntime.sleep(600)\n");
    let run = |args: &[&str]| {
        let out = p.cmd_as(USER, args).output().unwrap();
        eprintln!("$ clusterls {}\n{}{}", args.join(" "), stdout(&out), stderr(&out));
        out
    };
    let ids: Vec<String> = (0..3)
        .map(|_| {
            let out =
                run(&["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
            stdout(&out).trim().trim_start_matches("job ").to_string()
        })
        .collect();
    struct Cancel(Vec<String>);
    impl Drop for Cancel {
        fn drop(&mut self) {
            let _ = std::process::Command::new("runuser")
                .args(["-u", "clusterls-polls", "--", "scancel"])
                .args(&self.0)
                .stdin(Stdio::null())
                .output();
        }
    }
    let _cancel = Cancel(ids.clone());
    let joined = ids.join(",");
    // Jobs that start make RPCs of their own under the user: measure once all run.
    wait_for("the three jobs to run", || {
        let states = stdout(&ssh(&["squeue", "-h", "-j", &joined, "-o", "%T"]));
        (states.lines().filter(|l| *l == "RUNNING").count() == 3).then_some(())
    });
    // slurmctld RPCs of USER during `argv` run as USER: the fewest of three tries (any
    // other activity of the user's jobs can only add to a count).
    let rpcs_of = |argv: &[&str]| {
        (0..3)
            .map(|_| {
                let before = slurmctld_rpcs(USER);
                let out = std::process::Command::new("runuser")
                    .args(["-u", USER, "--", "env"])
                    .arg(format!("CLUSTERLS_STATE_DIR={}", p.state.display()))
                    .args(argv)
                    .current_dir(&p.dir)
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{argv:?}: {}", stderr(&out));
                slurmctld_rpcs(USER) - before
            })
            .min()
            .unwrap()
    };
    let one_squeue = rpcs_of(&["squeue", "-h", "-j", &joined, "-o", "%i|%T|%r|%N"]);
    assert!(one_squeue > 0, "sdiag counted no RPC for a squeue of {USER}");
    let bin = binary();
    let poll = rpcs_of(&[bin.to_str().unwrap(), "--host", "local", "jobs", "--refresh"]);
    eprintln!("slurmctld RPCs: one squeue of 3 jobs {one_squeue}, one poll of 3 jobs {poll}");
    let out = run(&["jobs", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let live = jobs
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| ["PENDING", "RUNNING"].contains(&j["state"].as_str().unwrap_or("")))
        .count();
    assert_eq!(live, 3, "all three jobs tracked and live: {jobs}");
    assert_eq!(
        poll, one_squeue,
        "one poll of 3 jobs cost {poll} slurmctld RPCs; one squeue of them costs {one_squeue}"
    );
}

/// Several `clusterls logs ID --follow` of one user on one machine ask slurmctld about
/// as often as one: only the holder of the host's poll lease (in the shared job store)
/// polls, the others read the store. Every follower still sees the job end; when the
/// holder is killed, another follower takes the lease over and the job's end is seen.
#[test]
fn concurrent_followers_poll_slurmctld_like_one() {
    let p = Project::new("lease");
    const USER: &str = "clusterls-lease";
    ensure_slurm_user(USER);
    let submit = |secs: u32| -> String {
        let script =
            p.write(&format!("sleep{secs}.py"), &format!("import time\ntime.sleep({secs})\n"));
        let out = p
            .cmd_as(
                USER,
                &["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()],
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let id = stdout(&out).trim().trim_start_matches("job ").to_string();
        wait_for("the job to run", || {
            (stdout(&ssh(&["squeue", "-h", "-j", &id, "-o", "%T"])).trim() == "RUNNING")
                .then_some(())
        });
        id
    };
    let followers = |id: &str, n: usize| -> Vec<std::process::Child> {
        (0..n)
            .map(|_| {
                p.cmd_as(USER, &["logs", id, "--follow"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect()
    };
    let completed = |id: &str, child: std::process::Child| -> bool {
        let out = child.wait_with_output().unwrap();
        eprintln!("$ clusterls logs {id} --follow\n{}{}", stdout(&out), stderr(&out));
        out.status.success() && stderr(&out).contains(&format!("job {id} COMPLETED"))
    };
    // slurmctld RPCs of USER while `n` followers follow a 10 s job from its start to its end.
    let rpcs_following = |n: usize| -> u64 {
        let id = submit(10);
        let before = slurmctld_rpcs(USER);
        for child in followers(&id, n) {
            assert!(completed(&id, child), "every follower sees job {id} complete and exits 0");
        }
        slurmctld_rpcs(USER) - before
    };
    let one = rpcs_following(1);
    let three = rpcs_following(3);
    eprintln!("slurmctld RPCs following a 10 s job: one follower {one}, three followers {three}");
    assert!(one > 0, "sdiag counted no RPC of {USER} for a follower");
    assert!(
        three * 2 < one * 3,
        "three followers cost {three} slurmctld RPCs, one costs {one}: they must poll as one"
    );

    // The holder dies (SIGKILL: its lease is left to expire); the other follower takes over.
    let id = submit(20);
    let kids = followers(&id, 2);
    let db = p.state.join("jobs.sqlite");
    let holder = || -> Option<String> {
        let c =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()?;
        c.query_row("SELECT holder FROM poll_lease", [], |r| r.get::<_, String>(0)).ok()
    };
    let pid_of = |h: &str| h.split('-').next().unwrap().to_string();
    let first = wait_for("a follower to take the poll lease", holder);
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid_of(&first)])
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(killed.success(), "kill the lease holder {first}");
    let second = wait_for("another follower to take the poll lease over", || {
        holder().filter(|h| pid_of(h) != pid_of(&first))
    });
    eprintln!("lease holder {first} killed; taken over by {second}");
    let ok: Vec<bool> = kids.into_iter().map(|k| completed(&id, k)).collect();
    assert_eq!(
        ok.iter().filter(|c| **c).count(),
        1,
        "the surviving follower sees job {id} complete: {ok:?}"
    );
}
