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
        // Typed, so the client need not read the words.
        Some(e) if e["code"] == -32002 => {
            format!("[no cluster] {}", e["message"].as_str().unwrap_or_default())
        }
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
    assert!(msg.starts_with("[no cluster] no cluster is configured"), "{msg}");
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

/// What initialize runs in a workspace whose clusterls.toml names `host = "local"` (the
/// attack: opening a repository ran the facts program there, and a hostile `image_dir`
/// reached `find` as an option; such values are now refused when the file is read):
/// whether Slurm's tools were started before the facts read ended, and whether the
/// workspace's files survived.
fn initialize_where_the_repository_names_a_host(settings: Value) -> (bool, bool) {
    let dir = tempfile_dir();
    std::fs::write(dir.join("clusterls.toml"), "host = \"local\"\n").unwrap();
    std::fs::write(dir.join("precious.py"), "print('keep me')\n").unwrap();
    // Slurm's tools, first on PATH, leave a mark when anything starts them.
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let marker = dir.join("a-slurm-tool-ran");
    for tool in ["sinfo", "squeue", "scontrol", "sacctmgr", "sacct", "sbatch", "srun"] {
        let path = bin.join(tool);
        std::fs::write(&path, format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()))
            .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = std::process::Command::new(lsp_common::binary());
    cmd.arg("lsp")
        .env("RUST_LOG", "clusterls=debug")
        .env("PATH", path)
        .env("CLUSTERLS_STATE_DIR", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .current_dir(&dir);
    let mut s = Server::spawn_command(cmd);
    let r = s.initialize(settings, Some(&dir));
    assert!(r.get("result").is_some(), "{r}");
    // The facts read that initialize starts, to its end.
    let begin = s.wait("the facts read to begin", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["title"] == "Reading cluster facts"
    });
    let token = begin["params"]["token"].clone();
    s.wait("the facts read to end", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["kind"] == "end"
    });
    s.shutdown();
    let ran = marker.exists();
    let kept = dir.join("precious.py").exists() && dir.join("clusterls.toml").exists();
    std::fs::remove_dir_all(&dir).ok();
    (ran, kept)
}

#[test]
fn opening_an_untrusted_workspace_runs_nothing() {
    let (ran, kept) = initialize_where_the_repository_names_a_host(json!({"trusted": false}));
    assert!(!ran, "no Slurm tool may start in an untrusted workspace");
    assert!(kept);
    let (ran, kept) = initialize_where_the_repository_names_a_host(json!({"projectHost": false}));
    assert!(!ran, "the declined repository host is not used");
    assert!(kept);
    // The control: trusted, the same workspace reads its facts on the named host.
    let (ran, kept) = initialize_where_the_repository_names_a_host(json!({"trusted": true}));
    assert!(ran, "the facts program ran in the trusted workspace");
    assert!(kept);
}
