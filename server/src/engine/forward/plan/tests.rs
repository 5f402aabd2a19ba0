use expect_test::{Expect, expect};

use super::*;

fn check_job(status: i32, stdout: &str, stderr: &str, expected: Expect) {
    let now = job_now(status, stdout, stderr);
    let text = match &now {
        JobNow::Running { node } => format!("running on {node}"),
        other => not_running("12", other).to_string(),
    };
    expected.assert_eq(&text);
}

#[test]
fn what_squeue_says_about_a_job() {
    check_job(0, "RUNNING|node01\n", "", expect!["running on node01"]);
    check_job(0, "RUNNING|node[02-03]\n", "", expect!["running on node02"]);
    check_job(
        0,
        "PENDING|\n",
        "",
        expect![
            "job 12 is PENDING, not running: a forward needs its node. `clusterls why 12` says why it waits; try again once it runs"
        ],
    );
    check_job(
        0,
        "",
        "",
        expect![
            "job 12 is not running (it ended, or is not in the queue): nothing to forward to. `clusterls jobs` lists your jobs"
        ],
    );
    check_job(
        1,
        "",
        "slurm_load_jobs error: Invalid job id specified\n",
        expect![
            "job 12 is not running (it ended, or is not in the queue): nothing to forward to. `clusterls jobs` lists your jobs"
        ],
    );
    check_job(
        1,
        "",
        "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n",
        expect![[r#"
            Slurm's controller does not answer (slurm_load_jobs error: Unable to contact slurm controller (connect failure)), so the forward was not done.
            Try again in a minute; if it lasts, ask the cluster's admins."#]],
    );
}

fn check_served(output: &str, expected: Expect) {
    expected.assert_eq(&format!("{:?}", parse_serve_line(output)));
}

#[test]
fn the_launchers_line() {
    check_served("", expect!["Waiting"]);
    check_served(
        "noise\nclusterls-serve: node=node01 port=41234 token=ab12\n[I] Jupyter\n",
        expect![[r#"Started { node: "node01", port: 41234, token: "ab12" }"#]],
    );
    check_served(
        "clusterls-serve: node=node02 port=6006 token=\n",
        expect![[r#"Started { node: "node02", port: 6006, token: "" }"#]],
    );
    check_served("clusterls-serve: missing jupyter\n", expect!["Missing"]);
    check_served("clusterls-serve: node= port=1 token=x\n", expect!["Waiting"]);
    check_served("clusterls-serve: node=n port=0 token=x\n", expect!["Waiting"]);
}

#[test]
fn urls_and_messages() {
    expect!["http://127.0.0.1:18888/?token=abc"].assert_eq(&Server::Jupyter.url(18888, "abc"));
    expect!["http://127.0.0.1:16006/"].assert_eq(&Server::Tensorboard.url(16006, ""));
    expect!["local port 8888 is in use on this machine: choose another, e.g. `clusterls forward 7 8889:8888`, or see `clusterls forward --list`"]
        .assert_eq(&port_in_use(8888, 8888, "7").to_string());
    expect!["nothing answers on node01:8888 (job 7's node, tried from the login host): start the server in the job first, listening on all interfaces (0.0.0.0) and port 8888; no forward was made"]
        .assert_eq(&no_answer("7", "node01", 8888).to_string());
    expect!["the image docker://x/y has no TensorBoard (no `tensorboard` on its PATH): use an image with it (--image), or add `RUN pip install tensorboard` to your Dockerfile (`clusterls build`)"]
        .assert_eq(&Server::Tensorboard.missing("docker://x/y").to_string());
}

#[test]
fn node_names() {
    for ok in ["node01", "gpu-a.cluster.example", "n_1"] {
        assert!(check_node(ok).is_ok(), "{ok}");
    }
    for bad in ["", "-oProxyCommand=x", "a b", "a;b", "$(x)"] {
        assert!(check_node(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_probe_takes_node_and_port_as_data() {
    let argv = probe_argv("node01", 8888);
    assert_eq!(argv[..2], ["bash", "-c"]);
    assert_eq!(argv[3..], ["clusterls-probe", "node01", "8888"]);
    assert_eq!(squeue_argv("12"), ["squeue", "-h", "-j", "12", "-o", "%T|%N"]);
}

#[test]
fn a_record_reads_back() {
    let r = ForwardRecord {
        host: "testcluster".into(),
        ssh_config: None,
        socket: "/tmp/s".into(),
        job: "12".into(),
        local_port: 18888,
        node: "node01".into(),
        remote_port: 8888,
        watcher_pid: Some(4),
        created_at: 1,
        what: None,
    };
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<ForwardRecord>(&json).unwrap(), r);
    assert_eq!(r.local_url(), "http://127.0.0.1:18888/");
}

fn record(job: &str, local: u16) -> ForwardRecord {
    ForwardRecord {
        host: "testcluster".into(),
        ssh_config: None,
        socket: "/tmp/s".into(),
        job: job.into(),
        local_port: local,
        node: "node01".into(),
        remote_port: 8888,
        watcher_pid: None,
        created_at: 1,
        what: None,
    }
}

#[test]
fn one_squeue_per_tick_for_all_forwards_of_a_host() {
    // N forwards (into N/2 jobs, two each): what ONE tick of the host's watcher asks.
    let mut lines = Vec::new();
    for n in [1usize, 2, 10, 100] {
        let recs: Vec<_> =
            (0..n).map(|i| record(&(100 + i / 2).to_string(), 9000 + i as u16)).collect();
        let jobs = watched_jobs(&recs);
        let calls = [squeue_jobs_argv(&jobs)];
        lines.push(format!("{n} forwards, {} jobs: {} squeue per tick", jobs.len(), calls.len()));
    }
    eprintln!("{}", lines.join("\n"));
    expect![[r#"
        1 forwards, 1 jobs: 1 squeue per tick
        2 forwards, 1 jobs: 1 squeue per tick
        10 forwards, 5 jobs: 1 squeue per tick
        100 forwards, 50 jobs: 1 squeue per tick"#]]
    .assert_eq(&lines.join("\n"));
    assert_eq!(
        squeue_jobs_argv(&watched_jobs(&[record("7", 1), record("12", 2), record("7", 3)])),
        ["squeue", "-h", "--jobs", "12,7", "-o", "%i|%T|%N"]
    );
}

fn check_jobs(jobs: &[&str], status: i32, stdout: &str, stderr: &str, expected: Expect) {
    let jobs: Vec<String> = jobs.iter().map(|j| j.to_string()).collect();
    let text: Vec<String> = jobs_now(&jobs, status, stdout, stderr)
        .iter()
        .map(|(j, n)| format!("{j}: {n:?}"))
        .collect();
    expected.assert_eq(&text.join("\n"));
}

#[test]
fn what_one_squeue_says_about_several_jobs() {
    // Measured on 22.05 (6269 running, array 6270 task 2 running, 1 unknown).
    check_jobs(
        &["6269", "1", "6270_2"],
        0,
        "6269|RUNNING|node01\n6270_2|RUNNING|node01\n",
        "",
        expect![[r#"
            6269: Running { node: "node01" }
            1: Gone
            6270_2: Running { node: "node01" }"#]],
    );
    check_jobs(
        &["1", "2"],
        0,
        "",
        "",
        expect![[r#"
        1: Gone
        2: Gone"#]],
    );
    check_jobs(
        &["1"],
        1,
        "",
        "slurm_load_jobs error: Invalid job id specified\n",
        expect!["1: Gone"],
    );
    check_jobs(
        &["5", "6"],
        0,
        "5|COMPLETING|node01\n6|RUNNING|node[02-03]\n",
        "",
        expect![[r#"
            5: NotRunning("COMPLETING")
            6: Running { node: "node02" }"#]],
    );
    check_jobs(
        &["5", "6"],
        1,
        "",
        "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n",
        expect![[r#"
            5: Unknown("slurm_load_jobs error: Unable to contact slurm controller (connect failure)")
            6: Unknown("slurm_load_jobs error: Unable to contact slurm controller (connect failure)")"#]],
    );
}

#[test]
fn watcher_names_are_file_names() {
    let a = watcher_name("testcluster", None);
    let b = watcher_name("testcluster", Some("/x/config"));
    assert!(a.starts_with("testcluster-") && b.starts_with("testcluster-") && a != b, "{a} {b}");
    let odd = watcher_name("a b/$(x);'", None);
    assert!(odd.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)), "{odd}");
}
