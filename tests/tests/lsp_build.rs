//! Image builds through the language server against the real local cluster, over
//! stdio: `clusterls.server.build` reports under the client's own `workDoneToken`
//! (so that the editor can show it with a Cancel button) and a failed build puts a
//! diagnostic on the failing instruction's line of a Dockerfile that is not open; a
//! run of a script whose folder's clusterls.toml names a Dockerfile runs in that image,
//! the name resolved against that folder, not the server's working directory.
//! Fails without the cluster (`tests/cluster/up`).

mod lsp_common;

use std::time::Duration;

use clusterls_tests::require_cluster;
use lsp_common::{Server, TempDir, file_uri};
use serde_json::{Value, json};

const BUILD: Duration = Duration::from_secs(240);

fn start(c: &clusterls_tests::ClusterInfo, ws: &TempDir) -> Server {
    // Not the project's folder: a relative `dockerfile` must not depend on it.
    Server::on_cluster(c, ws, |cmd| {
        cmd.current_dir("/");
    })
}

/// Send a command with the client's own progress token; the reply's request id.
fn command_with_token(s: &mut Server, id: i64, name: &str, arg: Value, token: &str) {
    s.send(json!({"jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand", "params": {
        "command": name, "arguments": [arg], "workDoneToken": token}}));
}

fn nonce() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("{}-{}", std::process::id(), t.as_nanos())
}

#[test]
fn a_failed_build_marks_its_line_under_the_clients_progress() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-build-fail");
    let dockerfile = ws.path().join("Dockerfile");
    // A nonce in a comment: a key of its own. Line 5 fails.
    std::fs::write(
        &dockerfile,
        format!(
            "# {}\nFROM {}\n\nRUN echo before\n  RUN echo failing && exit 4\n",
            nonce(),
            c.image_ref()
        ),
    )
    .unwrap();
    let uri = file_uri(&dockerfile);
    let mut s = start(&c, &ws);
    let token = "client-build-1";
    command_with_token(&mut s, 9100, "clusterls.server.build", json!({"uri": uri}), token);
    let begin = s.wait("the build's progress under the client's token", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["kind"] == "begin"
    });
    assert_eq!(begin["params"]["value"]["cancellable"], true, "{begin}");
    // Its steps stream under that token.
    s.wait_up_to(BUILD, "a build step reported", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["message"].as_str().is_some_and(|t| t.contains(". RUN echo"))
    });
    let r =
        s.wait_up_to(BUILD, "the build's reply", |m| m["id"] == 9100 && m.get("method").is_none());
    let msg = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(msg.contains("build failed at") && msg.contains("Dockerfile:5"), "{msg}");
    // The Dockerfile is not open: its diagnostics come from the file on disk.
    let d = s.diagnostics_where(&uri, |p| {
        p["diagnostics"].as_array().is_some_and(|ds| ds.iter().any(|d| d["code"] == "build/failed"))
    });
    let failed = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "build/failed")
        .unwrap()
        .clone();
    assert_eq!(failed["range"]["start"], json!({"line": 4, "character": 2}), "{failed}");
    assert_eq!(failed["severity"], 1, "{failed}");
    let text = failed["message"].as_str().unwrap();
    assert!(text.contains("exit 4") || text.contains("exited with 4"), "{text}");
    // The server never created that token: it is the client's.
    let created = s.count(|m| {
        m["method"] == "window/workDoneProgress/create" && m["params"]["token"] == token
    });
    assert_eq!(created, 0);
    s.shutdown();
}

#[test]
fn a_run_builds_and_uses_the_dockerfile_its_folders_clusterls_toml_names() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-build-run");
    let project = ws.path().join("my project");
    std::fs::create_dir_all(&project).unwrap();
    let n = nonce();
    std::fs::write(project.join("clusterls.toml"), "dockerfile = \"gpu.Dockerfile\"\n").unwrap();
    std::fs::write(
        project.join("gpu.Dockerfile"),
        format!("FROM {}\nENV LSP_GREETING=\"built {n}\"\n", c.image_ref()),
    )
    .unwrap();
    let probe = project.join("probe.py");
    std::fs::write(&probe, "import os\nprint('greeting:', os.environ.get('LSP_GREETING'))\n")
        .unwrap();
    let mut s = start(&c, &ws);
    let token = "client-run-1";
    command_with_token(
        &mut s,
        9101,
        "clusterls.server.run",
        json!({"uri": file_uri(&probe)}),
        token,
    );
    // The build's first line names its key.
    let keyed = s.wait_up_to(BUILD, "the build's key under the run's progress", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["message"].as_str().is_some_and(|t| t.starts_with("key "))
    });
    let key = keyed["params"]["value"]["message"].as_str().unwrap()[4..20].to_string();
    let r =
        s.wait_up_to(BUILD, "the run's reply", |m| m["id"] == 9101 && m.get("method").is_none());
    let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    s.wait_up_to(Duration::from_secs(300), "the job's end", |m| {
        m["method"] == "clusterls/jobState"
            && m["params"]["job"]["id"] == id.as_str()
            && m["params"]["job"]["state"] == "completed"
    });
    let l = s.call(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.logs", "arguments": [{"id": id}]}),
    );
    assert_eq!(l["out"].as_str().unwrap(), format!("greeting: built {n}\n"), "{l}");
    s.shutdown();
    let path = format!("/var/tmp/alice.ch/img/clusterls-build+{key}");
    let out = c.ssh(&["rm", "-rf", "--", &path]);
    assert!(out.status.success(), "removing {path}: {}", String::from_utf8_lossy(&out.stderr));
}
