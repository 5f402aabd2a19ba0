//! The sessions' editor side over stdio against the real local cluster: the start
//! notification from the tracker's transition (with the node), a job's detail asked on
//! demand (time left while it runs, how it went once it ended: the same lines as what
//! sacct recorded), and an extension refused in Slurm's words.
//! Fails without the cluster (`tests/cluster/up`).

mod lsp_common;

use std::time::{Duration, Instant};

use clusterls_tests::require_cluster;
use lsp_common::{Server, TempDir, file_uri};
use serde_json::{Value, json};

fn start(c: &clusterls_tests::ClusterInfo, ws: &TempDir) -> Server {
    Server::on_cluster(c, ws, |cmd| {
        cmd.env("CLUSTERLS_SSH_HOSTS_DIR", ws.path().join("ssh-hosts"));
    })
}

fn command(s: &mut Server, name: &str, arg: Value) -> Value {
    s.request("workspace/executeCommand", json!({"command": name, "arguments": [arg]}))
}

#[test]
fn a_job_starts_runs_and_ends_with_its_detail_from_the_cluster() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-sessions");
    let script = ws.path().join("spin.py");
    // Longer than a poll, so the tracker sees it running.
    std::fs::write(
        &script,
        "import time\nt = time.time()\nwhile time.time() - t < 15:\n    pass\nprint('spun')\n",
    )
    .unwrap();
    let mut s = start(&c, &ws);
    let r = command(&mut s, "clusterls.server.run", json!({"uri": file_uri(&script)}));
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();

    // The start notification: once, from the PENDING -> RUNNING transition, with the node.
    let m = s.wait_up_to(Duration::from_secs(300), "the start notification", |m| {
        m["method"] == "clusterls/jobStarted" && m["params"]["job"]["id"] == id.as_str()
    });
    let message = m["params"]["message"].as_str().unwrap();
    let node = m["params"]["job"]["nodes"].as_str().expect("the node");
    assert_eq!(message, format!("Job {id} (spin.py) is running on {node}."));
    assert_eq!(m["params"]["job"]["state"], "running");

    // While it runs: its time left, from Slurm.
    let d = command(&mut s, "clusterls.server.jobDetail", json!({"id": id}));
    let d = &d["result"];
    assert_eq!(d["timeLimit"], "10:00", "{d}");
    let left = d["timeLeftSecs"].as_u64().unwrap_or_else(|| panic!("{d}"));
    assert!((500..=600).contains(&left), "{d}");

    // Shortening is the user's right; raising it is refused in Slurm's words.
    let r = command(&mut s, "clusterls.server.extend", json!({"id": id, "time": "+30"}));
    let msg = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(msg.contains(&format!("Access/permission denied for job {id}")), "{msg}");

    // Ended: how it went, the same lines as what sacct recorded (once it has them).
    s.wait_up_to(Duration::from_secs(300), "the end", |m| {
        m["method"] == "clusterls/jobState"
            && m["params"]["job"]["id"] == id.as_str()
            && m["params"]["job"]["state"] == "completed"
    });
    let fields = clusterls::engine::sessions::efficiency::SACCT_FIELDS;
    let deadline = Instant::now() + Duration::from_secs(120);
    let (detail, recorded) = loop {
        let d = command(&mut s, "clusterls.server.jobDetail", json!({"id": id}))["result"].clone();
        let o = c.ssh(&["sacct", "-nP", "-j", &id, "-o", fields]);
        let rec =
            clusterls::engine::sessions::efficiency::parse(&String::from_utf8_lossy(&o.stdout));
        if let Some(rec) = rec.filter(|r| r.state == "COMPLETED")
            && d["note"].is_null()
        {
            break (d, rec);
        }
        assert!(Instant::now() < deadline, "no accounting row for {id}: {d}");
        std::thread::sleep(Duration::from_millis(500));
    };
    let lines = clusterls::engine::sessions::efficiency::lines(&recorded);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let used: Vec<String> =
        lines.iter().filter(|l| !l.starts_with("advice: ")).map(|l| squeeze(l)).collect();
    let advice: Vec<String> =
        lines.iter().filter_map(|l| l.strip_prefix("advice: ").map(str::to_string)).collect();
    assert_eq!(detail["efficiency"], json!(used), "{detail}");
    assert_eq!(detail["advice"], json!(advice), "{detail}");
    assert!(used[0].starts_with("time: 0:00:1"), "{detail}");
    assert!(used.iter().any(|l| l.starts_with("gpus: 1 asked for")), "{detail}");
    s.shutdown();
}
