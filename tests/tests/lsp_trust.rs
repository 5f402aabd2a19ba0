//! Workspace trust through the real binary: in a workspace the editor does not trust, or
//! whose clusterls.toml host the user declined, the server runs nothing on a cluster and
//! says why; otherwise the same workspace gets its cluster.

mod lsp_common;

use lsp_common::Server;
use serde_json::{Value, json};

/// The error message (or "ok") of `clusterls.server.logs` in a workspace whose
/// clusterls.toml names `host = "local"`, with these editor settings.
fn logs_with(settings: Value) -> String {
    let dir = tempfile_dir();
    std::fs::write(dir.join("clusterls.toml"), "host = \"local\"\n").unwrap();
    let mut s = Server::start(settings, Some(&dir));
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.logs", "arguments": [{"id": "1"}]}),
    );
    let out = match r.get("error") {
        Some(e) => e["message"].as_str().unwrap_or_default().to_string(),
        None => "ok".to_string(),
    };
    s.shutdown();
    std::fs::remove_dir_all(&dir).ok();
    out
}

fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "clusterls-trust-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn an_untrusted_workspace_runs_nothing_on_a_cluster() {
    let msg = logs_with(json!({"trusted": false}));
    assert!(msg.contains("not trusted") && msg.contains("Manage Workspace Trust"), "{msg}");
}

#[test]
fn a_declined_repository_host_is_not_used() {
    let msg = logs_with(json!({"projectHost": false}));
    assert!(msg.contains("no cluster is configured"), "{msg}");
}

#[test]
fn a_trusted_workspace_gets_its_repository_host() {
    // The control: the same workspace, trusted and agreed to, has its cluster.
    for settings in [json!({}), json!({"trusted": true, "projectHost": true})] {
        let msg = logs_with(settings.clone());
        assert!(
            !msg.contains("not trusted") && !msg.contains("no cluster is configured"),
            "{settings}: {msg}"
        );
    }
}
