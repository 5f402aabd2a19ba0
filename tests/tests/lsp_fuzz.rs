//! A frame fuzzer against `clusterls lsp` over its real stdio: valid LSP messages,
//! mutated (bytes flipped, inserted, cut; wrong Content-Length; broken, overlong or
//! non-UTF-8 headers; frames spliced), sent for a bounded time. The server must keep
//! answering valid requests all along and at the end, and its resident memory must stay
//! under 50 MiB.
//!
//! 20 s in the normal suite; `CLUSTERLS_FUZZ_SECONDS=300` for the 5-minute run;
//! `CLUSTERLS_FUZZ_SEED` replays a seed (printed at the start).

mod lsp_common;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use lsp_common::{Server, workspace_with_facts};
use serde_json::{Value, json};

const RSS_LIMIT_KIB: u64 = 50 << 10;
/// How often (percent) a document is large, and how large: 200 copies of a sample
/// (up to 20 KB, some 800 directives or instructions, each with findings).
const BIG: usize = 3;
const BIG_REPEAT: usize = 200;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const URIS: &[&str] = &[
    "file:///w/train.sbatch",
    "file:///w/Dockerfile",
    "file:///w/run.sh",
    "file:///w/my%20dir/x.slurm",
    "untitled:Untitled-1",
];

const TEXTS: &[&str] = &[
    "#!/bin/bash\n#SBATCH -p gpu\n#SBATCH --gres=gpu:2\n#SBATCH --time=1:00:00\nsrun python train.py\n",
    "#!/bin/bash\n#SBATCH --partition=nope --account=lab_dev\n#SBATCH -t 99-00:00:00\n#SBATCH --mem=12QB\n",
    "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN apt-get update && apt-get install -y python3\nUSER 1000\nCMD [\"python3\"]\n",
    "FROM alpine AS a\nRUN <<EOF\necho hi\nEOF\nCOPY --from=a / /\nARG X=1\n",
    "a𐐀b\r\n#SBATCH -p gpu\r\n\u{0}\u{7f}é",
    "",
];

const WORDS: &[&str] = &[
    "initialize",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/codeAction",
    "workspace/executeCommand",
    "clusterls.server.jobs",
    "clusterls.server.run",
    "$/cancelRequest",
    "$/x",
    "jsonrpc",
    "2.0",
    "null",
    "-1",
    "2147483648",
    "1e308",
    "[]",
    "{}",
    "\"\\ud800\"",
    "\u{feff}",
    "Content-Length: 5\r\n\r\n",
    "\r\n\r\n",
];

fn pos(r: &mut Rng) -> Value {
    let big = [0u64, 1, 2, 5, 80, 65535, 4294967295];
    json!({"line": r.pick(&big), "character": r.pick(&big)})
}

fn range(r: &mut Rng) -> Value {
    json!({"start": pos(r), "end": pos(r)})
}

/// A valid (or nearly valid) client message.
fn message(r: &mut Rng, id: &mut i64, version: &mut i64) -> Value {
    let uri = *r.pick(URIS);
    let lang = *r.pick(&["shellscript", "dockerfile", "python", ""]);
    *id += 1;
    *version += 1;
    let text =
        if r.chance(BIG) { r.pick(TEXTS).repeat(BIG_REPEAT) } else { r.pick(TEXTS).to_string() };
    match r.below(12) {
        0 => json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": uri, "languageId": lang, "version": *version, "text": text}}}),
        1 | 2 => {
            let change = if r.chance(20) {
                json!({"text": text})
            } else {
                json!({"range": range(r), "text": r.pick(TEXTS)})
            };
            let v = if r.chance(20) { *version + r.below(50) as i64 } else { *version };
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}})
        }
        3 => json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
            "textDocument": {"uri": uri}}}),
        4 => json!({"jsonrpc": "2.0", "id": *id, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": pos(r)}}),
        5 => json!({"jsonrpc": "2.0", "id": *id, "method": "textDocument/completion", "params": {
            "textDocument": {"uri": uri}, "position": pos(r)}}),
        6 => json!({"jsonrpc": "2.0", "id": *id, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri}, "range": range(r), "context": {"diagnostics": []}}}),
        7 => {
            let command = *r.pick(&[
                "clusterls.server.jobs",
                "clusterls.server.run",
                "clusterls.server.cancel",
                "clusterls.server.logs",
                "clusterls.server.login",
                "clusterls.server.nothing",
            ]);
            let args = r
                .pick(&[json!([]), json!([{"id": "1"}]), json!([{"uri": uri}]), json!([1, 2])])
                .clone();
            json!({"jsonrpc": "2.0", "id": *id, "method": "workspace/executeCommand", "params": {
                "command": command, "arguments": args}})
        }
        8 => json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": *id - 1}}),
        9 => json!({"jsonrpc": "2.0", "id": *id, "method": "$/fuzz", "params": null}),
        10 => json!({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration", "params": {
            "settings": {"clusterls": {"gpus": r.pick(&[json!(1), json!("x"), json!(null)])}}}}),
        _ => json!({"jsonrpc": "2.0", "id": *id, "result": null}),
    }
}

/// Bytes of a body, mutated or not.
fn mutate(r: &mut Rng, mut body: Vec<u8>) -> Vec<u8> {
    for _ in 0..r.below(4) {
        if body.is_empty() {
            break;
        }
        let at = r.below(body.len());
        match r.below(6) {
            0 => body[at] ^= 1 << r.below(8),
            1 => body[at] = r.next() as u8,
            2 => body.truncate(at),
            3 => {
                let w = r.pick(WORDS).as_bytes().to_vec();
                body.splice(at..at, w);
            }
            4 => {
                let end = (at + r.below(64)).min(body.len());
                let chunk = body[at..end].to_vec();
                body.splice(at..at, chunk);
            }
            _ => {
                body.remove(at);
            }
        }
    }
    body
}

/// A frame: the right header, or a wrong one.
fn frame(r: &mut Rng, body: &[u8]) -> Vec<u8> {
    let n = body.len();
    let header = match r.below(20) {
        0 => format!("Content-Length: {}\r\n\r\n", n.saturating_sub(r.below(n + 1))),
        1 => format!("Content-Length: {}\r\n\r\n", n + r.below(200)),
        2 => format!("Content-Type: application/vscode-jsonrpc\r\nContent-Length: {n}\r\n\r\n"),
        3 => "\r\n\r\n".to_string(),
        4 => format!("Content-Length: {n}x\r\n\r\n"),
        5 => format!("content-length:{n}\n\n"),
        6 => {
            let mut h = b"X-\xff\xfe\xc3(: y\r\n".to_vec();
            h.extend(format!("Content-Length: {n}\r\n\r\n").bytes());
            let mut out = h;
            out.extend_from_slice(body);
            return out;
        }
        7 => format!("X: {}\r\nContent-Length: {n}\r\n\r\n", "y".repeat(r.below(20_000))),
        8 => format!("Content-Length: -{n}\r\n\r\n"),
        _ => format!("Content-Length: {n}\r\n\r\n"),
    };
    let mut out = header.into_bytes();
    out.extend_from_slice(body);
    out
}

fn seconds() -> u64 {
    std::env::var("CLUSTERLS_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20)
}

/// Send enough blank lines to end whatever frame a wrong Content-Length left open,
/// then a valid request; it must be answered.
#[track_caller]
fn probe(s: &mut Server, recent: &VecDeque<Vec<u8>>) {
    s.send_bytes(&b"\r\n".repeat(600));
    if !s.alive() {
        dump(recent);
        panic!("the server died; the last frames are in the log above");
    }
    let r = s.request("textDocument/hover", json!({
        "textDocument": {"uri": "file:///w/train.sbatch"}, "position": {"line": 1, "character": 10}}));
    assert!(r.get("result").is_some() || r.get("error").is_some(), "{r}");
}

fn dump(recent: &VecDeque<Vec<u8>>) {
    for f in recent {
        eprintln!("--- frame ---\n{}", String::from_utf8_lossy(&f[..f.len().min(2000)]));
    }
}

#[test]
fn random_frames_neither_stop_the_server_nor_grow_its_memory() {
    let seed = std::env::var("CLUSTERLS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
                as u64
                | 1
        });
    let secs = seconds();
    eprintln!("fuzzing for {secs} s with CLUSTERLS_FUZZ_SEED={seed}");
    let (_ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), None);
    let start_rss = s.rss_kib();
    eprintln!("RSS at start: {start_rss} KiB");
    let mut r = Rng(seed);
    let (mut id, mut version) = (1_000_000i64, 1i64);
    let mut recent = VecDeque::new();
    let (mut frames, mut bytes, mut probes, mut max_rss) = (0u64, 0u64, 0u64, start_rss);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut next_probe = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        let msg = message(&mut r, &mut id, &mut version);
        let body = serde_json::to_vec(&msg).unwrap();
        let body = if r.chance(40) { mutate(&mut r, body) } else { body };
        // `exit` ends the server by design and `shutdown` turns every later request away.
        let text = String::from_utf8_lossy(&body);
        if text.contains("\"exit\"") || text.contains("\"shutdown\"") {
            continue;
        }
        let mut f = frame(&mut r, &body);
        if r.chance(5) {
            // Two frames spliced at a random point.
            let other = serde_json::to_vec(&message(&mut r, &mut id, &mut version)).unwrap();
            let tail = frame(&mut r, &other);
            let cut = r.below(tail.len());
            f.extend_from_slice(&tail[cut..]);
        }
        if let Err(e) = s.try_send_bytes(&f) {
            recent.push_back(f);
            dump(&recent);
            let status = s.wait_exit();
            let log = s.log();
            let tail = &log[log.len().saturating_sub(4000)..];
            panic!("the server stopped reading ({e}), {status}; its log ends:\n{tail}");
        }
        frames += 1;
        bytes += f.len() as u64;
        recent.push_back(f);
        if recent.len() > 20 {
            recent.pop_front();
        }
        if Instant::now() >= next_probe {
            probe(&mut s, &recent);
            probes += 1;
            s.drain();
            let rss = s.rss_kib();
            eprintln!("{:>4} s: {frames} frames, RSS {rss} KiB", started.elapsed().as_secs());
            max_rss = max_rss.max(rss);
            if rss >= RSS_LIMIT_KIB {
                dump(&recent);
                panic!("RSS {rss} KiB is over {RSS_LIMIT_KIB} KiB");
            }
            next_probe = Instant::now() + Duration::from_secs(2);
        }
    }
    probe(&mut s, &recent);
    let end_rss = s.rss_kib();
    // The kernel's high-water mark: a peak between samples counts too.
    max_rss = max_rss.max(end_rss).max(s.peak_rss_kib());
    eprintln!(
        "{frames} frames ({} MiB) in {secs} s, {probes} probes answered; RSS {start_rss} KiB at start, {end_rss} KiB at the end, {max_rss} KiB at most",
        bytes >> 20
    );
    assert!(max_rss < RSS_LIMIT_KIB, "RSS reached {max_rss} KiB");
    s.drain();
    s.shutdown();
}
