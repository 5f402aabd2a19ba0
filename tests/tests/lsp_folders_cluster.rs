//! Multi-root workspaces against the real local cluster, over stdio: a run takes its
//! defaults from the clusterls.toml of the script's own workspace folder.
//! Fails without the cluster (`tests/cluster/up`).

mod lsp_common;

use std::process::Command;
use std::time::Duration;

use clusterls_tests::require_cluster;
use lsp_common::{Server, TempDir, file_uri};
use serde_json::{Value, json};

fn run(s: &mut Server, script: &std::path::Path) -> Value {
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.run", "arguments": [{"uri": file_uri(script)}]}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

#[test]
fn a_run_takes_the_defaults_of_its_own_folder() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-folders-cluster");
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    for dir in [&a, &b] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("hello.py"), "print('hello from', __file__)\n").unwrap();
    }
    // The first folder has no file: the editor's settings apply there. The second asks
    // for another partition, account and no GPU.
    std::fs::write(
        b.join("clusterls.toml"),
        "partition = \"test\"\naccount = \"lab_grads\"\ngpus = 0\n",
    )
    .unwrap();
    let mut cmd = Command::new(lsp_common::binary());
    cmd.arg("lsp")
        .env("CLUSTERLS_STATE_DIR", ws.path().join("state"))
        .env("XDG_CONFIG_HOME", ws.path().join("config"));
    let mut s = Server::spawn_command(cmd);
    let r = s.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": file_uri(&a),
            "workspaceFolders": [
                {"uri": file_uri(&a), "name": "a"},
                {"uri": file_uri(&b), "name": "b"},
            ],
            "capabilities": {},
            "initializationOptions": {
                "host": c.ssh_host, "sshConfig": c.ssh_config, "partition": "gpu",
                "account": "lab_dev", "gpus": 1, "time": "00:10:00", "image": c.image,
            },
        }),
    );
    assert!(r.get("result").is_some(), "{r}");
    s.notify("initialized", json!({}));

    let in_b = run(&mut s, &b.join("hello.py"));
    let asked = |job: &serde_json::Value| {
        (job["resources"]["partition"].clone(), job["resources"]["gpus"].clone())
    };
    assert_eq!(asked(&in_b), (json!("test"), json!(0)), "{in_b}");
    let in_a = run(&mut s, &a.join("hello.py"));
    assert_eq!(asked(&in_a), (json!("gpu"), json!(1)), "{in_a}");
    // Slurm took b's account and partition: the job ran to its end.
    let id = in_b["id"].as_str().unwrap().to_string();
    let done = s.wait_up_to(Duration::from_secs(300), "folder b's job completed", |m| {
        m["method"] == "clusterls/jobState"
            && m["params"]["job"]["id"] == id.as_str()
            && m["params"]["job"]["state"] == "completed"
    });
    assert_eq!(done["params"]["job"]["slurmState"], "COMPLETED", "{done}");
    s.shutdown();
}
