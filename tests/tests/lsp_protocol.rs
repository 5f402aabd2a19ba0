//! `clusterls lsp` driven over its stdio with real JSON-RPC frames: the protocol
//! layer, robustness against malformed input, and commands.

mod lsp_common;

use expect_test::expect;
use lsp_common::{Server, file_uri, workspace_with_facts};
use serde_json::{Value, json};

#[test]
fn initialize_reports_server_info_and_capabilities_and_nothing_comes_first() {
    let (ws, _) = workspace_with_facts();
    // A broken clusterls.toml makes the server warn the user, but only after the
    // initialize reply.
    std::fs::write(ws.path().join("clusterls.toml"), "gpus = \"many\"\n").unwrap();
    let mut s = Server::spawn();
    s.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": null, "rootUri": file_uri(ws.path()), "capabilities": {}}}));
    let first = s.wait("the first message", |_| true);
    assert_eq!(first["id"], 1, "the first message must be the initialize reply: {first}");
    let mut result = first["result"].clone();
    result["serverInfo"]["version"] = json!("<version>");
    expect![[r#"
        {
          "capabilities": {
            "codeActionProvider": true,
            "completionProvider": {
              "triggerCharacters": [
                " ",
                "=",
                "-",
                ":",
                ","
              ]
            },
            "executeCommandProvider": {
              "commands": [
                "clusterls.server.run",
                "clusterls.server.pull",
                "clusterls.server.alloc",
                "clusterls.server.runInAlloc",
                "clusterls.server.cancel",
                "clusterls.server.jobs",
                "clusterls.server.refreshFacts",
                "clusterls.server.login",
                "clusterls.server.logs",
                "clusterls.server.script",
                "clusterls.server.sessionTerminal",
                "clusterls.server.jobDetail",
                "clusterls.server.extend",
                "clusterls.server.remoteSshHost",
                "clusterls.server.jupyter",
                "clusterls.server.build"
              ]
            },
            "hoverProvider": true,
            "textDocumentSync": 2,
            "workspace": {
              "workspaceFolders": {
                "changeNotifications": true,
                "supported": true
              }
            }
          },
          "serverInfo": {
            "name": "clusterls",
            "version": "<version>"
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&result).unwrap());
    assert_eq!(first["result"]["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    s.notify("initialized", json!({}));
    let warning = s.wait("a warning about clusterls.toml", |m| m["method"] == "window/showMessage");
    let text = warning["params"]["message"].as_str().unwrap();
    assert!(text.contains("clusterls.toml") && text.contains("gpus"), "{text}");
    s.shutdown();
}

#[test]
fn malformed_input_gets_error_replies_and_the_server_keeps_serving() {
    let mut s = Server::start(Value::Null, None);
    // Not JSON.
    s.send_raw(b"{this is not json");
    let e = s.wait("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    // JSON, but not a JSON-RPC message.
    s.send_raw(br#"{"hello": "world"}"#);
    s.wait("invalid request", |m| m["error"]["code"] == -32600);
    // A header block without Content-Length.
    s.send_bytes(b"X-Nonsense: yes\r\n\r\n");
    s.wait("parse error for the header", |m| {
        m["error"]["message"].as_str().is_some_and(|t| t.contains("no Content-Length"))
    });
    // A method nobody knows.
    let r = s.request("clusterls/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Bad params for a known request.
    let r = s.request("textDocument/hover", json!({"textDocument": 42}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Bad params for notifications are dropped; later requests still work.
    s.notify("textDocument/didChange", json!({"nonsense": true}));
    s.notify("textDocument/didOpen", json!([1, 2, 3]));
    // Requests about documents that are not open answer null.
    let r = s.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.sbatch"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r, Value::Null);
    assert!(s.alive());
    s.shutdown();
}

#[test]
fn commands_are_typed_and_unknown_ones_are_invalid_params() {
    let (_ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), None);
    let r = s
        .request("workspace/executeCommand", json!({"command": "clusterls.server.launchMissiles"}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("unknown command"), "{r}");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.cancel", "arguments": [{"job": 5}]}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("unknown field `job`"), "{r}");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.run", "arguments": ["not an object"]}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "clusterls.server.script", "arguments": [{"id": 7, "extra": 1}]}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("clusterls.server.script"), "{r}");
    let jobs = s.call("workspace/executeCommand", json!({"command": "clusterls.server.jobs"}));
    assert_eq!(jobs, json!([]));
    let f = s.call("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    assert_eq!(f["partitions"][2]["name"], "gpu", "{f}");
    // The refresh reported progress through window/workDoneProgress.
    s.wait("progress begin", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
    });
    s.wait("progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    s.shutdown();
}

#[test]
fn a_bad_facts_file_is_reported_with_what_to_do() {
    let mut s = Server::start(json!({"factsFile": "/nonexistent/facts.json"}), None);
    let m = s.wait("a warning", |m| m["method"] == "window/showMessage");
    let text = m["params"]["message"].as_str().unwrap();
    assert!(text.contains("/nonexistent/facts.json") && text.contains("factsFile"), "{text}");
    let r =
        s.request("workspace/executeCommand", json!({"command": "clusterls.server.refreshFacts"}));
    assert!(r["error"]["message"].as_str().unwrap().contains("cannot read the facts file"), "{r}");
    s.shutdown();
}
