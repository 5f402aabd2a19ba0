//! The language server's commands against the real local cluster, over stdio:
//! facts, run (with jobState notifications and progress), logs, the generated script,
//! cancel, jobs (from a new server too), login.
//! Fails without the cluster (`tests/cluster/up`).

mod lsp_common;

use std::process::Command;
use std::time::Duration;

use clusterls_tests::require_cluster;
use lsp_common::{Server, TempDir, file_uri};
use serde_json::{Value, json};

fn start(c: &clusterls_tests::ClusterInfo, ws: &TempDir) -> Server {
    Server::on_cluster(c, ws, |_| {})
}

fn command(s: &mut Server, name: &str, arg: Value) -> Value {
    s.request("workspace/executeCommand", json!({"command": name, "arguments": [arg]}))
}

/// The next jobState notification for `id` whose state is one of `states` (`|`-separated).
/// Jobs may wait in the queue of a busy cluster: up to five minutes.
fn job_state(s: &mut Server, id: &str, states: &str) -> Value {
    s.wait_up_to(Duration::from_secs(300), &format!("job {id} {states}"), |m| {
        m["method"] == "clusterls/jobState"
            && m["params"]["job"]["id"] == id
            && m["params"]["job"]["state"]
                .as_str()
                .is_some_and(|st| states.split('|').any(|x| x == st))
    })["params"]["job"]
        .clone()
}

#[test]
fn run_logs_cancel_through_the_language_server() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-cluster");
    // A hostile file name: spaces, quotes, $().
    let script = ws.path().join("my 'train' $(x).py");
    std::fs::write(
        &script,
        "import os\nprint('hello from the lsp test', os.environ.get('CUDA_VISIBLE_DEVICES'))\n",
    )
    .unwrap();
    let mut s = start(&c, &ws);

    // Facts from the cluster: partitions are known, and sbatch scripts are checked with them.
    let f = s.call("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    let names: Vec<&str> =
        f["partitions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"gpu") && names.contains(&"test"), "{f}");
    let uri = file_uri(&ws.path().join("job.sbatch"));
    s.open(&uri, "shellscript", "#!/bin/bash\n#SBATCH -p gpuu\n#SBATCH -A lab_dev\nhostname\n");
    s.diagnostics_where(&uri, |p| {
        p["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "sbatch/unknown-partition")
    });

    // The client learnt that the connection is up.
    let m = s.wait("connection state", |m| m["method"] == "clusterls/connectionState");
    assert_eq!(m["params"], json!({"host": c.ssh_host, "state": "connected"}));

    // Login: key-based, so nothing to do.
    let r = s.call("workspace/executeCommand", json!({"command": "clusterls.server.login"}));
    assert_eq!(r, Value::Null);

    let r = command(&mut s, "clusterls.server.run", json!({"uri": file_uri(&script)}));
    let job = r["result"].clone();
    assert!(r.get("error").is_none(), "{r}");
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(job["resources"]["partition"], "gpu");
    assert_eq!(job["resources"]["gpus"], 1);
    let done = job_state(&mut s, &id, "completed");
    assert_eq!(done["slurmState"], "COMPLETED", "{done}");
    // One notification for the submission (the reply carries the job too).
    let submitted = s.count(|m| {
        m["method"] == "clusterls/jobState"
            && m["params"]["job"]["id"] == id.as_str()
            && m["params"]["job"]["submittedAt"].is_number()
            && m["params"]["job"]["state"] == "pending"
    });
    assert_eq!(submitted, 1, "notifications of the submission");
    assert!(done["logPath"].as_str().unwrap().ends_with("/output.log"), "{done}");
    let logs = s.call(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.logs", "arguments": [{"id": id}]}),
    );
    let out = logs["out"].as_str().unwrap();
    // The job saw one of the node's GPUs.
    let gpu = out.strip_prefix("hello from the lsp test ").map(str::trim);
    assert!(gpu.is_some_and(|g| ["0", "1", "2", "3"].contains(&g)), "{logs}");
    // The submit reported progress.
    s.wait("submit progress", |m| {
        m["method"] == "$/progress"
            && m["params"]["value"]["title"].as_str().is_some_and(|t| t.starts_with("Running"))
    });

    // A long job, cancelled.
    let long = ws.path().join("long.py");
    std::fs::write(&long, "import time\nprint('started', flush=True)\ntime.sleep(600)\n").unwrap();
    let r = command(&mut s, "clusterls.server.run", json!({"uri": file_uri(&long)}));
    let long_id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    // Cancel it whether it already runs or still waits in the queue.
    job_state(&mut s, &long_id, "pending|running");
    let r = command(&mut s, "clusterls.server.cancel", json!({"id": long_id}));
    assert!(r.get("error").is_none(), "{r}");
    let cancelled = job_state(&mut s, &long_id, "cancelled");
    assert!(cancelled["slurmState"].as_str().unwrap().starts_with("CANCELLED"), "{cancelled}");

    let jobs = s.call("workspace/executeCommand", json!({"command": "clusterls.server.jobs"}));
    let ids: Vec<&str> =
        jobs.as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&id.as_str()) && ids.contains(&long_id.as_str()), "{jobs}");

    // Slurm refusals come back as errors that say what to do.
    let r = command(
        &mut s,
        "clusterls.server.run",
        json!({"uri": file_uri(&script), "resources": {"partition": "nope"}}),
    );
    let msg = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(msg.contains("Invalid partition"), "{msg}");
    s.shutdown();
}

/// A run from the editor copies the project (the workspace folder) with the script, so a
/// `train.py` that imports `model.py` works; `sync: false` sends the file alone. The
/// arguments line reaches the script word by word, quotes and `$()` intact.
#[test]
fn a_run_copies_the_project_and_passes_the_arguments() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-project");
    let proj = ws.path().join("my project");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("model.py"), "NAME = 'the model'\n").unwrap();
    let train = proj.join("train.py");
    std::fs::write(
        &train,
        "import sys\nimport model\nprint('imported', model.NAME)\nprint('args', sys.argv[1:])\n",
    )
    .unwrap();
    let mut s = start(&c, &ws);
    let r = command(
        &mut s,
        "clusterls.server.run",
        json!({"uri": file_uri(&train), "arguments": "--lr 0.1 --name 'my run' '$(x)'"}),
    );
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    let done = job_state(&mut s, &id, "completed|failed");
    let logs = command(&mut s, "clusterls.server.logs", json!({"id": id}))["result"].clone();
    assert_eq!(done["state"], "completed", "{done}\n{logs}");
    assert_eq!(
        logs["out"], "imported the model\nargs ['--lr', '0.1', '--name', 'my run', '$(x)']\n",
        "{logs}"
    );
    // The banner is apart from the errors.
    assert!(
        logs["banner"].as_str().is_some_and(|b| b.starts_with(&format!("clusterls: job {id} on "))),
        "{logs}"
    );
    assert!(!logs["err"].as_str().unwrap().contains("clusterls: job"), "{logs}");
    // Offsets: nothing new after the end.
    let again = command(
        &mut s,
        "clusterls.server.logs",
        json!({"id": id, "outOffset": logs["outOffset"], "errOffset": logs["errOffset"]}),
    )["result"]
        .clone();
    assert_eq!(
        (&again["out"], &again["err"], &again["finished"]),
        (&json!(""), &json!(""), &json!(true)),
        "{again}"
    );

    // The file alone: the import fails, so the copy above is what made it work.
    let r =
        command(&mut s, "clusterls.server.run", json!({"uri": file_uri(&train), "sync": false}));
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    job_state(&mut s, &id, "failed");
    let logs = command(&mut s, "clusterls.server.logs", json!({"id": id}))["result"].clone();
    assert!(logs["err"].as_str().unwrap().contains("No module named 'model'"), "{logs}");

    // A bad arguments line is refused before anything is sent.
    let r = command(
        &mut s,
        "clusterls.server.run",
        json!({"uri": file_uri(&train), "arguments": "'open"}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("unclosed quote"), "{r}");
    s.shutdown();
}

/// The log of a running job is read in increments (offsets), so an editor's document
/// grows as the job writes: two writes a few seconds apart arrive as two chunks.
#[test]
fn a_running_jobs_log_grows() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-grow");
    let script = ws.path().join("grow.py");
    std::fs::write(
        &script,
        "import time\nprint('first', flush=True)\ntime.sleep(4)\nprint('second', flush=True)\n",
    )
    .unwrap();
    let mut s = start(&c, &ws);
    let r =
        command(&mut s, "clusterls.server.run", json!({"uri": file_uri(&script), "sync": false}));
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    let (mut out, mut chunks, mut offsets) = (String::new(), Vec::new(), (json!(0), json!(0)));
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    loop {
        assert!(std::time::Instant::now() < deadline, "job {id} did not finish; read {out:?}");
        let l = command(
            &mut s,
            "clusterls.server.logs",
            json!({"id": id, "outOffset": offsets.0, "errOffset": offsets.1}),
        );
        // Before the job starts its run directory has no log yet: an error or nothing.
        // A poll interval, not a wait for a condition: the loop ends on the condition.
        std::thread::sleep(Duration::from_millis(200));
        let Some(l) = l.get("result").cloned() else { continue };
        let chunk = l["out"].as_str().unwrap().to_string();
        if !chunk.is_empty() {
            chunks.push(chunk.clone());
            out.push_str(&chunk);
        }
        offsets = (l["outOffset"].clone(), l["errOffset"].clone());
        assert_eq!(offsets.0, json!(out.len()), "{l}");
        if l["finished"] == true && out.contains("second") {
            break;
        }
    }
    assert_eq!(out, "first\nsecond\n");
    assert_eq!(chunks, ["first\n", "second\n"], "the log grew in two steps");
    s.shutdown();
}

/// The generated batch script comes back through `clusterls.server.script`, and a NEW
/// server process (another editor window, or after a restart) reports the resources the
/// job asked for, from the job store.
#[test]
fn the_generated_script_and_the_resources_outlive_the_server() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-script");
    let script = ws.path().join("res.py");
    std::fs::write(&script, "print('resources test')\n").unwrap();
    let mut s = start(&c, &ws);
    // Other values than the settings' (gpus 1, 00:10:00): the request's own are kept.
    let r = command(
        &mut s,
        "clusterls.server.run",
        json!({"uri": file_uri(&script), "resources": {"gpus": 2, "time": "00:05:00"}}),
    );
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    job_state(&mut s, &id, "completed");
    let r = s.call(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.script", "arguments": [{"id": id}]}),
    );
    let text = r["text"].as_str().unwrap_or_else(|| panic!("{r}"));
    for want in [
        "#!/bin/bash\n",
        "\n#SBATCH --partition=gpu\n",
        "\n#SBATCH --account=lab_dev\n",
        "\n#SBATCH --gres=gpu:2\n",
        "\n#SBATCH --time=00:05:00\n",
        "\n#SBATCH --output=output.log\n",
        "\nexec ch-run ",
        " -- python3 ./res.py",
    ] {
        assert!(text.contains(want), "the script lacks {want:?}:\n{text}");
    }
    assert!(r["path"].as_str().unwrap().ends_with("/job.sbatch"), "{r}");
    // A job nobody tracks: an error that says where to look.
    let r = command(&mut s, "clusterls.server.script", json!({"id": "999999"}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("not tracked"), "{r}");
    s.shutdown();

    // A new server on the same job store.
    let mut s = start(&c, &ws);
    let jobs = s.call("workspace/executeCommand", json!({"command": "clusterls.server.jobs"}));
    let job = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id.as_str())
        .unwrap_or_else(|| panic!("job {id} in {jobs}"));
    assert_eq!(
        (
            &job["resources"]["partition"],
            &job["resources"]["gpus"],
            &job["resources"]["time"],
            &job["state"]
        ),
        (&json!("gpu"), &json!(2), &json!("00:05:00"), &json!("completed")),
        "{job}"
    );
    s.shutdown();
}

#[test]
fn allocate_then_run_in_the_allocation() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-alloc");
    let script = ws.path().join("step.py");
    std::fs::write(&script, "import os\nprint('step in', os.environ.get('SLURM_JOB_ID'))\n")
        .unwrap();
    let mut s = start(&c, &ws);
    let r = command(
        &mut s,
        "clusterls.server.alloc",
        json!({"resources": {"partition": "test", "account": "lab_grads", "gpus": 0}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let alloc = r["result"].clone();
    assert_eq!(alloc["allocation"], true, "{alloc}");
    assert_eq!(alloc["resources"]["partition"], "test", "{alloc}");
    let alloc_id = alloc["id"].as_str().unwrap().to_string();
    // The terminal command goes through the live connection into the allocation.
    let t = s.call(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.sessionTerminal", "arguments": [{"allocation": alloc_id}]}),
    );
    let argv: Vec<&str> =
        t["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(argv[0], "ssh", "{t}");
    assert!(argv.contains(&"-S"), "through the control socket: {t}");
    assert!(argv.contains(&format!("--jobid={alloc_id}").as_str()), "{t}");
    let r = command(
        &mut s,
        "clusterls.server.runInAlloc",
        json!({"uri": file_uri(&script), "allocation": alloc_id}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let step_id = r["result"]["id"].as_str().unwrap().to_string();
    job_state(&mut s, &step_id, "completed");
    let logs = s.call(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.logs", "arguments": [{"id": step_id}]}),
    );
    assert!(logs["out"].as_str().unwrap().contains(&format!("step in {alloc_id}")), "{logs}");
    let r = command(&mut s, "clusterls.server.cancel", json!({"id": alloc_id}));
    assert!(r.get("error").is_none(), "{r}");
    job_state(&mut s, &alloc_id, "cancelled");
    s.shutdown();
}

/// Job ids of alice's jobs named `name` in `states` (squeue's `-t`), over ssh.
fn squeue(c: &clusterls_tests::ClusterInfo, name: &str, states: &str) -> Vec<String> {
    let out = Command::new("ssh")
        .arg("-F")
        .arg(&c.ssh_config)
        .args([&c.ssh_host, "squeue", "-h", "-u", "alice", "-n", name, "-t", states, "-o", "%i"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "squeue: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_string).collect()
}

/// Wait (polling) until `f` returns something.
fn poll<T>(what: &str, f: impl Fn() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// An allocation request the user stops waiting for (the progress's cancel button:
/// `window/workDoneProgress/cancel`) is withdrawn from Slurm's queue.
#[test]
fn a_waiting_allocation_request_is_withdrawn_when_stopped() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-withdraw");
    let mut s = start(&c, &ws);
    // One GPU of node01 held, so a request for all four of them waits.
    let r = command(
        &mut s,
        "clusterls.server.alloc",
        json!({"resources": {"partition": "test", "account": "lab_dev", "gpus": 1, "time": "00:05:00"}}),
    );
    let held = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    let before = squeue(&c, "clusterls-alloc", "PENDING");
    // The first allocation's progress is not the one to stop.
    s.drain();
    s.send(json!({"jsonrpc": "2.0", "id": 9001, "method": "workspace/executeCommand", "params": {
        "command": "clusterls.server.alloc",
        "arguments": [{"resources": {"partition": "test", "account": "lab_dev", "gpus": 4, "time": "00:05:00"}}]}}));
    let begin = s.wait("a stoppable allocation progress", |m| {
        m["method"] == "$/progress"
            && m["params"]["value"]["kind"] == "begin"
            && m["params"]["value"]["title"] == "Allocating"
            && m["params"]["value"]["cancellable"] == true
    });
    let waiting = poll("the request in the queue", || {
        squeue(&c, "clusterls-alloc", "PENDING").into_iter().find(|id| !before.contains(id))
    });
    s.notify("window/workDoneProgress/cancel", json!({"token": begin["params"]["token"]}));
    let r = s.wait("the allocation's reply", |m| m["id"] == 9001 && m.get("method").is_none());
    let msg = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(msg.contains(&format!("allocation request {waiting} was withdrawn")), "{msg}");
    poll("the request gone from the queue", || {
        (!squeue(&c, "clusterls-alloc", "PENDING,RUNNING").contains(&waiting)).then_some(())
    });
    let r = command(&mut s, "clusterls.server.cancel", json!({"id": held}));
    assert!(r.get("error").is_none(), "{r}");
    s.shutdown();
}

/// A pull the user stops from its progress ends on the cluster too: the job it runs
/// in is cancelled (srun would outlive the closed ssh channel) and no image is left.
/// (A storage of its own, so that other tests' images are not touched.)
#[test]
fn a_pull_stopped_from_the_editor_stops_on_the_cluster() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-stop-pull");
    let storage = format!("/var/tmp/clusterls-stop-pull-{}.ch", std::process::id());
    std::fs::write(
        ws.path().join("clusterls.toml"),
        format!(
            "image_dir = \"{storage}/img\"\n[pull]\npartition = \"test\"\naccount = \"lab_dev\"\n"
        ),
    )
    .unwrap();
    let mut s = start(&c, &ws);
    let image = format!("docker://{}/pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel", c.registry);
    s.send(json!({"jsonrpc": "2.0", "id": 9002, "method": "workspace/executeCommand", "params": {
        "command": "clusterls.server.pull", "arguments": [{"image": image}]}}));
    let report = s.wait_up_to(Duration::from_secs(120), "the pull's job", |m| {
        m["method"] == "$/progress"
            && m["params"]["value"]["message"].as_str().is_some_and(|t| t.starts_with("pull job "))
    });
    let job =
        report["params"]["value"]["message"].as_str().unwrap()["pull job ".len()..].to_string();
    s.notify("window/workDoneProgress/cancel", json!({"token": report["params"]["token"]}));
    let r = s.wait_up_to(Duration::from_secs(60), "the pull's reply", |m| {
        m["id"] == 9002 && m.get("method").is_none()
    });
    let msg = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(msg.contains(&format!("(job {job} cancelled)")), "{msg}");
    poll("the pull's job gone from the queue", || {
        (!squeue(&c, "clusterls-pull", "PENDING,RUNNING,COMPLETING").contains(&job)).then_some(())
    });
    let out = Command::new("ssh")
        .arg("-F")
        .arg(&c.ssh_config)
        .args([&c.ssh_host, "ls", "-A", &format!("{storage}/img")])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        !listing.contains("pytorch") && !listing.contains("clusterls-tmp"),
        "an image was left: {listing}"
    );
    let _ = Command::new("ssh")
        .arg("-F")
        .arg(&c.ssh_config)
        .args([&c.ssh_host, "rm", "-rf", &storage])
        .stdin(std::process::Stdio::null())
        .status();
    s.shutdown();
}

/// Stops the ssh master a test started (`ssh -O exit`), also when the test fails.
struct Master {
    ssh_config: std::path::PathBuf,
    socket: String,
    host: String,
}

impl Drop for Master {
    fn drop(&mut self) {
        let _ = Command::new("ssh")
            .arg("-F")
            .arg(&self.ssh_config)
            .args(["-o", &format!("ControlPath={}", self.socket), "-O", "exit", &self.host])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[test]
fn a_host_that_needs_a_password_gets_a_login_command_then_works() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-login");
    // alice's key, protected by a passphrase: ssh in batch mode cannot use it, as on a
    // cluster that asks for a password or a one-time code.
    let key = ws.path().join("key");
    std::fs::copy(c.ssh_config.parent().unwrap().join("id_ed25519"), &key).unwrap();
    let st = Command::new("ssh-keygen")
        .args(["-q", "-p", "-P", "", "-N", "secret passphrase", "-f"])
        .arg(&key)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let config = std::fs::read_to_string(&c.ssh_config).unwrap();
    let config: String = config
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("IdentityFile") {
                format!("  IdentityFile {}\n", key.display())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let ssh_config = ws.path().join("ssh_config");
    std::fs::write(&ssh_config, config).unwrap();
    let info = clusterls_tests::ClusterInfo { ssh_config: ssh_config.clone(), ..c.clone() };
    let mut s = start(&info, &ws);

    // The server says so as soon as it tries, and commands fail with the login command.
    let m = s.wait("login required", |m| {
        m["method"] == "clusterls/connectionState" && m["params"]["state"] == "loginRequired"
    });
    assert!(m["params"]["message"].as_str().unwrap().contains("needs a password"), "{m}");
    let r =
        s.request("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    assert_eq!(r["error"]["code"], -32001, "{r}");
    let line = r["error"]["data"]["commandLine"].as_str().unwrap().to_string();
    assert_eq!(r["error"]["data"]["host"], c.ssh_host);
    let login = s.call("workspace/executeCommand", json!({"command": "clusterls.server.login"}));
    assert_eq!(login["commandLine"], line.as_str());

    // The user runs it in a terminal and types the passphrase (here: SSH_ASKPASS).
    let socket = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ControlPath="))
        .expect("ControlPath in the login command")
        .to_string();
    let _master = Master { ssh_config: ssh_config.clone(), socket, host: c.ssh_host.clone() };
    let askpass = ws.path().join("askpass");
    std::fs::write(&askpass, "#!/bin/sh\necho 'secret passphrase'\n").unwrap();
    std::fs::set_permissions(&askpass, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap();
    let st = Command::new("sh")
        .args(["-c", &line])
        .env("SSH_ASKPASS", &askpass)
        .env("SSH_ASKPASS_REQUIRE", "force")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "the login command failed: {line}");

    // Now the server reuses that connection.
    let login = s.call("workspace/executeCommand", json!({"command": "clusterls.server.login"}));
    assert_eq!(login, Value::Null);
    let f = s.call("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    assert!(f["partitions"].as_array().is_some_and(|p| !p.is_empty()), "{f}");
    s.shutdown();
}
