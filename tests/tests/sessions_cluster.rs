//! Sessions on the real cluster: why a job waits (the reason in words in `clusterls
//! jobs`, `clusterls why` with the scheduler's estimated start).

mod engine_common;

use engine_common::{Project, ssh, stderr, stdout, wait_for};

/// Cancels the jobs it holds when the test ends, passed or not.
struct Cancel(Vec<String>);

impl Drop for Cancel {
    fn drop(&mut self) {
        for id in &self.0 {
            let _ = ssh(&["scancel", id]);
        }
    }
}

#[test]
fn a_job_held_by_a_full_node_says_why_in_words_and_when() {
    let p = Project::new("sessions-why");
    let mut jobs = Cancel(Vec::new());
    // Fill node01's four GPUs with a long job (submitted directly, not tracked).
    let fill = ssh(&[
        "sbatch",
        "--parsable",
        "-p",
        "gpu",
        "-A",
        "lab_dev",
        "--gres=gpu:4",
        "-t",
        "10",
        "-J",
        "clusterls-test-fill",
        "--wrap",
        "sleep 600",
    ]);
    let fill_id = stdout(&fill).trim().to_string();
    assert!(fill.status.success() && !fill_id.is_empty(), "{}", stderr(&fill));
    jobs.0.push(fill_id.clone());
    wait_for("the filling job to run", || {
        let o = ssh(&["squeue", "-h", "-j", &fill_id, "-o", "%T"]);
        (stdout(&o).trim() == "RUNNING").then_some(())
    });
    let script = p.write("wait.py", "print('ran')\n");
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--parsable",
        script.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    jobs.0.push(id.clone());
    // The REASON column says it in words once Slurm has looked at the job: Resources,
    // or Priority when another user's job already waits for node01 (a shared cluster).
    const HELD: [(&str, &str); 2] = [
        ("Resources", "the resources it asks for are busy with other jobs"),
        ("Priority", "jobs with a higher priority are ahead in the queue"),
    ];
    let (row, code) = wait_for("the Resources reason in `clusterls jobs`", || {
        let out = p.run(&["jobs", "--refresh"]);
        let table = stdout(&out);
        table.lines().find(|l| l.split_whitespace().nth(1) == Some(id.as_str())).and_then(|l| {
            HELD.iter().find(|(_, words)| l.contains(words)).map(|(c, _)| (l.to_string(), *c))
        })
    });
    assert!(row.contains("PENDING"), "{row}");
    // `why`: the words, what to do, and an estimated start (or that Slurm has none yet).
    let out = p.run(&["why", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("job {id} is PENDING because ")), "{text}");
    assert!(text.contains(&format!("(Slurm: {code})")), "{text}");
    let start = text.lines().find(|l| l.starts_with("estimated start: ")).expect("a start line");
    assert!(start.contains(" on node01") || start.contains("Slurm has none yet"), "{text}");
    // A job that is not pending: said plainly.
    let out = p.run(&["why", &fill_id]);
    assert!(!out.status.success(), "an untracked running job: {}", stdout(&out));
    assert!(stderr(&out).contains("is not pending"), "{}", stderr(&out));
}

/// A job that holds 300 MB and spins a CPU for 40 s (longer than the cluster's 30 s
/// accounting sample, so MaxRSS is recorded) on a 4G request: `clusterls jobs ID` prints
/// the lines sacct's own record gives, and the advice to ask for less memory.
#[test]
fn a_finished_jobs_efficiency_matches_sacct() {
    let p = Project::new("sessions-efficiency");
    let script = p.write(
        "eff.py",
        "import time\nx = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nt = time.time()\nwhile time.time() - t < 40:\n    pass\nprint('done')\n",
    );
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--cpus",
        "2",
        "--mem",
        "4G",
        "--parsable",
        "--follow",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stdout(&out).lines().next().unwrap_or_default().trim().to_string();
    let _cancel = Cancel(vec![id.clone()]);
    // What sacct recorded, read by the same parser, once accounting has the steps' MaxRSS.
    let fields = clusterls::engine::sessions::efficiency::SACCT_FIELDS;
    let recorded = wait_for("sacct's record with MaxRSS", || {
        let o = ssh(&["sacct", "-nP", "-j", &id, "-o", fields]);
        let e = clusterls::engine::sessions::efficiency::parse(&stdout(&o))?;
        (e.state == "COMPLETED" && e.max_rss_bytes.is_some()).then_some(e)
    });
    eprintln!("{recorded:?}");
    assert!(recorded.elapsed_secs >= 40, "{recorded:?}");
    assert_eq!((recorded.cpus, recorded.gpus), (2, 1));
    assert_eq!(recorded.mem_bytes, Some(4 << 30));
    let rss = recorded.max_rss_bytes.unwrap();
    assert!((300 << 20..1 << 30).contains(&rss), "{rss}");
    let expected = clusterls::engine::sessions::efficiency::lines(&recorded);
    let out = p.run(&["jobs", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let shown: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("how it went (sacct):"))
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(shown, expected, "{text}");
    assert!(text.contains(&format!("job {id} on ")), "{text}");
    assert!(
        shown
            .iter()
            .any(|l| l.starts_with("advice: used ") && l.ends_with(": ask for --mem=1G next time")),
        "{text}"
    );
}

/// `clusterls code ALLOC --print` writes the allocation node's Host entry into the hosts
/// directory; `ssh -G` reads it back through an Include, as the user's config would, it
/// really reaches the node through the login host (with clusterls's own master), and the
/// entry goes away once the allocation has ended.
#[test]
fn an_allocations_remote_ssh_entry_is_read_by_ssh_and_goes_when_it_ends() {
    let p = Project::new("sessions-remote-ssh");
    let c = engine_common::cluster();
    // Not in the project directory, which the tests open to alice (ssh refuses
    // included files others may write).
    let hosts = p.state.join("ssh hosts");
    let with_hosts = |args: &[&str]| {
        let out = p
            .cmd(args)
            .env("CLUSTERLS_SSH_HOSTS_DIR", &hosts)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("spawn clusterls");
        eprintln!("$ clusterls {}\n{}{}", args.join(" "), stdout(&out), stderr(&out));
        out
    };
    let out = with_hosts(&["alloc", "--partition", "test", "--time", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    let _cancel = Cancel(vec![id.clone()]);
    let out = with_hosts(&["code", &id, "--print"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let alias = stdout(&out).trim().to_string();
    assert_eq!(alias, format!("clusterls-{}-{id}", c.ssh_host));
    // The cluster's config does not read the directory yet: the line to add is said.
    let include = format!("Include \"{}/*.conf\"", hosts.display());
    assert!(stderr(&out).contains(&include), "{}", stderr(&out));
    let file = hosts.join(format!("{alias}.conf"));
    let text = std::fs::read_to_string(&file).expect("the entry file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    // A user's config: the Include line at the top, then the cluster's own config.
    let config = p.state.join("ssh_config");
    std::fs::write(&config, format!("{include}\nInclude {}\n", c.ssh_config.display())).unwrap();
    let g = std::process::Command::new("ssh")
        .arg("-F")
        .arg(&config)
        .args(["-G", &alias])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
    let resolved = stdout(&g);
    let has = |line: &str| resolved.lines().any(|l| l == line);
    assert!(has("hostname node01"), "{text}\n{resolved}");
    assert!(has("user alice"), "{text}\n{resolved}");
    let proxy = resolved.lines().find(|l| l.starts_with("proxycommand ")).expect("a proxycommand");
    assert!(proxy.contains(&format!("-F {}", c.ssh_config.display())), "{proxy}");
    assert!(proxy.ends_with(&format!("-W '[%h]:%p' -- {}", c.ssh_host)), "{proxy}");
    // Through the jump to the node: the test cluster's nodes are names of this machine,
    // whose sshd listens on the login host's port (a real node's listens on 22).
    let port = ssh(&["true"]); // the login host answers
    assert!(port.status.success(), "{}", stderr(&port));
    let login_port = std::fs::read_to_string(&c.ssh_config)
        .unwrap()
        .lines()
        .find_map(|l| l.trim().strip_prefix("Port ").map(|p| p.trim().to_string()))
        .expect("the login host's Port");
    let on_node = std::process::Command::new("ssh")
        .arg("-F")
        .arg(&config)
        .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"])
        .args(["-o", "UserKnownHostsFile=/dev/null", "-o", &format!("Port={login_port}")])
        .args([&alias, "echo", "on-the-node"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(stdout(&on_node).trim(), "on-the-node", "{}", stderr(&on_node));
    // Ended outside clusterls: the next poll sees it and the entry goes.
    assert!(ssh(&["scancel", &id]).status.success());
    wait_for("the entry removed after the allocation ended", || {
        let out = with_hosts(&["jobs", "--refresh"]);
        assert!(out.status.success(), "{}", stderr(&out));
        (!file.exists()).then_some(())
    });
    let out = with_hosts(&["code", &id, "--print"]);
    assert_eq!(out.status.code(), Some(2), "an ended allocation: {}", stderr(&out));
    assert!(stderr(&out).contains("has no node to open"), "{}", stderr(&out));
}

/// A regular user may not raise their own job's limit: `clusterls extend` shows Slurm's
/// refusal in its words (exit 4, nothing changed); lowering it, which Slurm allows
/// users, works, says the new limit and records it. (The fixture has no operator
/// reachable by ssh.)
#[test]
fn extending_is_refused_in_slurms_words_and_shortening_works() {
    let p = Project::new("sessions-extend");
    let out = p.run(&["alloc", "--partition", "test", "--time", "10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    let _cancel = Cancel(vec![id.clone()]);
    let out = p.run(&["extend", &id, "+30"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("Access/permission denied for job {id}")), "{err}");
    assert!(err.contains("only an operator or administrator may raise"), "{err}");
    let limit = stdout(&ssh(&["squeue", "-h", "-j", &id, "-o", "%l"])).trim().to_string();
    assert_eq!(limit, "10:00");
    let out = p.run(&["extend", &id, "-3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("job {id}: time limit 7:00, ")), "{text}");
    assert!(text.trim_end().ends_with(" left"), "{text}");
    // The record keeps the new limit (the Jobs view's "elapsed / limit" reads it).
    let jobs = p.run(&["jobs", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&stdout(&jobs)).expect("jobs --json");
    let rec = all.as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).expect("the record");
    assert_eq!(rec["time"], "7:00", "{rec}");
    let out = p.run(&["extend", &id, "+1h"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not a time change"), "{}", stderr(&out));
}

/// `why` of a job that has ended: its final state, exit 0 (not squeue's refusal). A job
/// clusterls followed (its record says it), and one submitted behind its back, ended
/// and gone from squeue's answer for a single id (then sacct says it).
#[test]
fn why_of_an_ended_job_says_it_finished() {
    let p = Project::new("sessions-why-ended");
    let script = p.write("quick.sh", "echo hi\n");
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "test",
        "--parsable",
        "--follow",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stdout(&out).lines().next().unwrap().trim().to_string();
    let out = p.run(&["why", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "job {id} has finished: COMPLETED, exit code 0; it no longer waits. `clusterls jobs {id}` shows how it went\n"
        )
    );

    let c = engine_common::cluster();
    let other = c.sbatch(&["-p", "test", "-t", "1", "--wrap", "exit 0"]).unwrap();
    c.wait_job_done(other, std::time::Duration::from_secs(120));
    let other = other.to_string();
    let out = p.run(&["why", &other]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("job {other} has finished: COMPLETED;")),
        "{}",
        stdout(&out)
    );
}
