//! The editor's "Open Jupyter in Session" through the language server on the real
//! cluster: `clusterls.server.jupyter` on an allocation answers with a local URL whose
//! token opens the notebook's API; cancelling the allocation ends the forward.
//! Fails without the cluster (`tests/cluster/up`).

mod lsp_common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use clusterls_tests::{require_cluster, wait_until};
use lsp_common::{Server, TempDir};
use serde_json::{Value, json};

fn command(s: &mut Server, name: &str, arg: Value) -> Value {
    s.request("workspace/executeCommand", json!({"command": name, "arguments": [arg]}))
}

/// GET over HTTP/1.0: the status code and the answer.
fn get(port: u16, path: &str, headers: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the forward listens");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    (text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), text)
}

#[test]
fn jupyter_on_an_allocation_through_the_language_server() {
    let c = require_cluster();
    let ws = TempDir::new("lsp-jupyter");
    let mut cmd = Command::new(lsp_common::binary());
    cmd.arg("lsp")
        .env("RUST_LOG", "clusterls=debug")
        .env("CLUSTERLS_STATE_DIR", ws.path().join("state"))
        .env("XDG_CONFIG_HOME", ws.path().join("config"));
    let mut s = Server::spawn_command(cmd);
    let r = s.initialize(
        json!({"host": c.ssh_host, "sshConfig": c.ssh_config, "account": "lab_dev", "time": "00:10:00"}),
        Some(ws.path()),
    );
    assert!(r.get("result").is_some(), "{r}");
    let r = command(
        &mut s,
        "clusterls.server.alloc",
        json!({"resources": {"partition": "test", "gpus": 0}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let alloc = r["result"]["id"].as_str().unwrap().to_string();
    struct Cancel(String);
    impl Drop for Cancel {
        fn drop(&mut self) {
            let _ = require_cluster().ssh(&["scancel", &self.0]);
        }
    }
    let _guard = Cancel(alloc.clone());

    let image = format!("docker://{}/tiny/jupyter:6.4", c.registry);
    let r =
        command(&mut s, "clusterls.server.jupyter", json!({"allocation": alloc, "image": image}));
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(r["result"]["allocation"], alloc.as_str(), "{r}");
    let url = r["result"]["url"].as_str().unwrap().to_string();
    let rest = url.strip_prefix("http://127.0.0.1:").expect("a local URL");
    let (port, query) = rest.split_once('/').unwrap();
    let port: u16 = port.parse().unwrap();
    let token = query.strip_prefix("?token=").expect("the URL carries its token");
    let (code, specs) = get(port, "/api/kernelspecs", &format!("Authorization: token {token}\r\n"));
    assert_eq!(code, 200, "{specs}");
    assert!(specs.contains("\"python3\""), "{specs}");

    let r = command(&mut s, "clusterls.server.cancel", json!({"id": alloc}));
    assert!(r.get("error").is_none(), "{r}");
    wait_until("the forward to end with the allocation", Duration::from_secs(120), || {
        TcpStream::connect(("127.0.0.1", port)).is_err().then_some(())
    });
    s.shutdown();
}
