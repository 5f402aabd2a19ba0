//! A real LSP client over a real pipe: spawns `clusterls lsp`, speaks JSON-RPC frames
//! on its stdin/stdout, answers its requests (progress tokens), and waits on
//! conditions with a deadline, never fixed sleeps.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A directory of its own, removed when the test passes.
pub use clusterls_tests::Scratch as TempDir;
/// The `clusterls` binary: `$CLUSTERLS_BIN`, else built for this test run.
pub use clusterls_tests::clusterls_bin as binary;

pub fn write_frame(w: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(body)?;
    w.flush()
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sent invalid JSON"))
}

pub struct Server {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    rx: Receiver<Value>,
    /// Messages read but not yet consumed by a wait.
    seen: VecDeque<Value>,
    next_id: i64,
    pub stderr_path: PathBuf,
    _dir: Option<TempDir>,
}

impl Server {
    /// `clusterls lsp` initialized for the test cluster `c` (partition gpu, account
    /// lab_dev, 1 GPU, 10 minutes, the fixture's image) with its state and config under
    /// `ws`; `extra` adds to the command (more environment, a working directory).
    pub fn on_cluster(
        c: &clusterls_tests::ClusterInfo,
        ws: &TempDir,
        extra: impl FnOnce(&mut Command),
    ) -> Server {
        let mut cmd = Command::new(binary());
        cmd.arg("lsp")
            .env("RUST_LOG", "clusterls=debug")
            .env("CLUSTERLS_STATE_DIR", ws.path().join("state"))
            .env("XDG_CONFIG_HOME", ws.path().join("config"));
        extra(&mut cmd);
        let mut s = Server::spawn_command(cmd);
        let r = s.initialize(
            json!({
                "host": c.ssh_host, "sshConfig": c.ssh_config, "partition": "gpu",
                "account": "lab_dev", "gpus": 1, "time": "00:10:00", "image": c.image,
            }),
            Some(ws.path()),
        );
        assert!(r.get("result").is_some(), "{r}");
        s
    }

    /// Spawn `clusterls lsp` without initializing it.
    pub fn spawn() -> Server {
        let mut cmd = Command::new(binary());
        cmd.arg("lsp").env("RUST_LOG", "clusterls=debug");
        Server::spawn_command(cmd)
    }

    /// Spawn any language server speaking LSP on stdio.
    pub fn spawn_command(mut cmd: Command) -> Server {
        let dir = TempDir::new("lsp-log");
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn clusterls lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let replier = stdin.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut r) {
                // Answer the server's requests (progress tokens, registrations) at once.
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    let result = if msg["method"] == "workspace/configuration" {
                        let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![Value::Null; n])
                    } else {
                        Value::Null
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": result});
                    let body = serde_json::to_vec(&reply).unwrap();
                    let _ = write_frame(&mut *replier.lock().unwrap(), &body);
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, rx, seen: VecDeque::new(), next_id: 1, stderr_path, _dir: Some(dir) }
    }

    /// Spawn and initialize with these `initializationOptions`, in `root` if given.
    pub fn start(options: Value, root: Option<&Path>) -> Server {
        let mut s = Server::spawn();
        let resp = s.initialize(options, root);
        assert!(resp.get("result").is_some(), "initialize failed: {resp}");
        s
    }

    pub fn initialize(&mut self, options: Value, root: Option<&Path>) -> Value {
        let folders = root.map(|r| json!([{"uri": file_uri(r), "name": "root"}]));
        let resp = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root.map(file_uri),
                "workspaceFolders": folders,
                "capabilities": {"window": {"workDoneProgress": true}},
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        resp
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        write_frame(&mut *self.stdin.lock().unwrap(), body).expect("write to the server");
    }

    /// Bytes as they are, no framing.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let mut w = self.stdin.lock().unwrap();
        w.write_all(bytes).and_then(|_| w.flush()).expect("write to the server");
    }

    /// Bytes as they are; an error when the server no longer reads.
    pub fn try_send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut w = self.stdin.lock().unwrap();
        w.write_all(bytes).and_then(|_| w.flush())
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn send(&mut self, msg: Value) {
        self.send_raw(&serde_json::to_vec(&msg).unwrap());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and return the whole response message.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("response {id} to {method}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// The `result` of a request; panics on an error response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request(method, params);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// The next message (in arrival order) that satisfies `pred`; earlier ones stay
    /// available to later waits.
    pub fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_up_to(TIMEOUT, what, pred)
    }

    /// [`Server::wait`] with another deadline (jobs on a busy cluster wait in its queue).
    pub fn wait_up_to(
        &mut self,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(i) = self.seen.iter().position(&pred) {
            return self.seen.remove(i).unwrap();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(m) => self.seen.push_back(m),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for {what}; messages seen: {:#?}\nserver log:\n{}",
                    self.seen,
                    std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server closed its stdout while we waited for {what}\nserver log:\n{}",
                    std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
                ),
            }
        }
    }

    /// How many messages received so far (and not consumed by a wait) satisfy `pred`.
    pub fn count(&mut self, pred: impl Fn(&Value) -> bool) -> usize {
        self.seen.extend(self.rx.try_iter());
        self.seen.iter().filter(|m| pred(m)).count()
    }

    /// Forget every message received so far (a fuzzer does not read them all).
    pub fn drain(&mut self) -> usize {
        self.seen.clear();
        self.rx.try_iter().count()
    }

    /// The next `publishDiagnostics` for `uri` satisfying `pred`.
    pub fn diagnostics_where(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let uri = uri.to_string();
        self.wait(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && pred(&m["params"])
        })["params"]
            .clone()
    }

    /// The next `publishDiagnostics` for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.diagnostics_where(uri, |p| p["version"] == version)
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "clusterls lsp exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit after `exit`");
            // Polling a child's exit status: there is no blocking wait with a timeout.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Wait (with the deadline) until the process exits; its status.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            // Polling a child's exit status: there is no blocking wait with a timeout.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the server process, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// The most resident memory the server process ever had, in KiB: a peak between
    /// two samples of [`Server::rss_kib`] counts too.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/PID/status"))
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn file_uri(p: &Path) -> String {
    let mut s = String::from("file://");
    for b in p.to_str().unwrap().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

/// Test facts: the local test cluster's shape.
pub fn facts_json() -> Value {
    json!({
        "cluster": "testcluster",
        "slurm_version": "22.05.8",
        "partitions": [
            {"name": "cpu", "is_default": true, "max_time_minutes": null},
            {"name": "test", "max_time_minutes": 480},
            {"name": "gpu", "max_time_minutes": 2880, "gpus": [{"count": 4}]}
        ],
        "associations": [
            {"account": "lab_grads", "partition": "test"},
            {"account": "lab_grads", "partition": "cpu"},
            {"account": "lab_dev"}
        ],
        "default_account": "lab_grads",
        "qos": ["normal"]
    })
}

/// A workspace directory holding `facts.json`.
pub fn workspace_with_facts() -> (TempDir, PathBuf) {
    let dir = TempDir::new("lsp-ws");
    let facts = dir.path().join("facts.json");
    std::fs::write(&facts, serde_json::to_string_pretty(&facts_json()).unwrap()).unwrap();
    (dir, facts)
}

/// Render diagnostics compactly: `line:col-line:col severity code: message`.
pub fn render_diagnostics(params: &Value) -> String {
    let mut out = String::new();
    for d in params["diagnostics"].as_array().unwrap() {
        let r = &d["range"];
        out.push_str(&format!(
            "{}:{}-{}:{} {} {}: {}\n",
            r["start"]["line"],
            r["start"]["character"],
            r["end"]["line"],
            r["end"]["character"],
            d["severity"],
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or("")
        ));
    }
    out
}
