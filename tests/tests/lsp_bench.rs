//! Benchmark of the language server; prints figures, asserts nothing about time.
//!
//! ```text
//! CLUSTERLS_BIN=target/release/clusterls \
//!   cargo test -p clusterls-tests --release --test lsp_bench -- --ignored --nocapture
//! ```
//!
//! - didChange → publishDiagnostics latency (p50, p99) for a 200-line sbatch script and a
//!   100-line Dockerfile, one edit at a time, each waiting for its diagnostics;
//! - resident memory idle and with 100 open documents;
//! - the same Dockerfile figures for dockerfile-language-server-nodejs
//!   (`docker-langserver --stdio`, from tests/e2e/node_modules or $DOCKER_LANGSERVER),
//!   in the same run.

mod lsp_common;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use lsp_common::{Server, workspace_with_facts};
use serde_json::{Value, json};

const WARMUP: usize = 20;
const EDITS: usize = 300;
const DOCS: usize = 100;

/// A realistic 200-line sbatch script; line 150 is a comment the benchmark edits.
fn sbatch_script() -> String {
    let mut s = String::from("#!/bin/bash\n");
    for d in [
        "--job-name=finetune-llm",
        "--partition=gpu",
        "--account=lab_dev",
        "--gres=gpu:2",
        "--cpus-per-task=8",
        "--mem=64G",
        "--time=1-12:00:00",
        "--nodes=1",
        "--ntasks-per-node=1",
        "--output=logs/%x-%j.out",
        "--error=logs/%x-%j.err",
        "--mail-type=END,FAIL",
        "--mail-user=alice@example.org",
        "--signal=B:USR1@120",
        "--requeue",
        "--qos=normal",
    ] {
        let _ = writeln!(s, "#SBATCH {d}");
    }
    s.push_str("\nset -euo pipefail\nmodule load cuda/12.1 || true\nexport OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK\n");
    let mut line = s.lines().count();
    let mut i = 0;
    while line < 199 {
        let text = match i % 6 {
            0 => format!("# step {i}: evaluate the checkpoint"),
            1 => format!("echo \"step {i} on $(hostname) with $CUDA_VISIBLE_DEVICES\""),
            2 => format!(
                "srun --ntasks=1 python3 train.py --epoch {i} --lr 0.0{i} --out \"$SCRATCH/run-$SLURM_JOB_ID\""
            ),
            3 => format!("if [[ -f stop-{i} ]]; then exit 0; fi"),
            4 => {
                format!("cp -r \"results/{i}\" \"$HOME/archive/\" || echo \"copy {i} failed\" >&2")
            }
            _ => "sleep 1".to_string(),
        };
        s.push_str(&text);
        s.push('\n');
        line += 1;
        i += 1;
    }
    s.push_str("echo done\n");
    s
}

/// A realistic 100-line Dockerfile; line 60 is a comment the benchmark edits.
fn dockerfile() -> String {
    let mut s = String::from(
        "# syntax=docker/dockerfile:1\nARG CUDA=12.1.1\nFROM nvidia/cuda:${CUDA}-cudnn8-devel-ubuntu22.04 AS build\nENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1\n",
    );
    s.push_str("RUN apt-get update && apt-get install -y --no-install-recommends \\\n");
    for p in [
        "build-essential",
        "git",
        "curl",
        "ca-certificates",
        "python3",
        "python3-pip",
        "python3-venv",
        "libgl1",
        "ffmpeg",
        "wget",
    ] {
        let _ = writeln!(s, "    {p} \\");
    }
    s.push_str("    && rm -rf /var/lib/apt/lists/*\nWORKDIR /opt/app\nCOPY requirements.txt .\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n");
    let mut i = 0;
    while s.lines().count() < 96 {
        let text = match i % 5 {
            0 => format!("# layer {i}: model assets"),
            1 => format!("ENV STAGE_{i}=enabled"),
            2 => format!("COPY src/module_{i}/ /opt/app/src/module_{i}/"),
            3 => format!("RUN /opt/venv/bin/python -c \"import sys; print({i}, sys.version)\""),
            _ => format!("LABEL org.example.layer{i}=\"{i}\""),
        };
        s.push_str(&text);
        s.push('\n');
        i += 1;
    }
    s.push_str("FROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04\nCOPY --from=build /opt/venv /opt/venv\nUSER 1000\nCMD [\"/opt/venv/bin/python\", \"-m\", \"app\"]\n");
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Edit one character of `line` back and forth; each edit waits for its diagnostics.
fn latency(
    s: &mut Server,
    uri: &str,
    language: &str,
    text: &str,
    line: u32,
) -> (Duration, Duration) {
    s.open(uri, language, text);
    s.diagnostics_where(uri, |_| true);
    let mut samples = Vec::with_capacity(EDITS);
    for n in 0..WARMUP + EDITS {
        let version = n as i64 + 2;
        let ch = if n % 2 == 0 { "x" } else { "y" };
        let t0 = Instant::now();
        s.change(
            uri,
            version,
            json!([{"range": {"start": {"line": line, "character": 2},
                              "end": {"line": line, "character": 3}}, "text": ch}]),
        );
        // The next publish for this document after the edit is its answer (servers
        // that report versions must report this one).
        s.diagnostics_where(uri, |p| p["version"].is_null() || p["version"] == version);
        if n >= WARMUP {
            samples.push(t0.elapsed());
        }
    }
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

/// RSS idle, then with `DOCS` documents open (each with its diagnostics published).
fn memory(s: &mut Server, docs: &[(String, &str, String)]) -> (u64, u64) {
    // One round trip so that initialization work is done.
    let _ = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///none"}, "position": {"line": 0, "character": 0}}),
    );
    let idle = s.rss_kib();
    for (uri, language, text) in docs {
        s.open(uri, language, text);
    }
    for (uri, _, _) in docs {
        s.diagnostics_where(uri, |_| true);
    }
    (idle, s.rss_kib())
}

fn docker_langserver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOCKER_LANGSERVER") {
        return Some(PathBuf::from(p));
    }
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e/node_modules/.bin/docker-langserver");
    p.exists().then_some(p)
}

fn clusterls(facts: &std::path::Path) -> Server {
    let mut s = Server::spawn_command({
        let mut c = Command::new(lsp_common::binary());
        c.arg("lsp").env("RUST_LOG", "warn");
        c
    });
    let r = s.initialize(json!({"factsFile": facts}), None);
    assert!(r.get("result").is_some(), "{r}");
    // Facts are read right after `initialized`; wait for them so every check uses them.
    s.wait("facts", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    s
}

#[test]
#[ignore = "benchmark: run explicitly, see the module docs"]
fn lsp_bench() {
    let (_ws, facts) = workspace_with_facts();
    let sbatch = sbatch_script();
    let dockerfile = dockerfile();
    assert_eq!(sbatch.lines().count(), 200);
    assert_eq!(dockerfile.lines().count(), 100);
    println!("clusterls binary: {}", lsp_common::binary().display());

    let mut rows: Vec<[String; 5]> = Vec::new();

    let mut s = clusterls(&facts);
    let (p50, p99) = latency(&mut s, "file:///bench/train.sbatch", "shellscript", &sbatch, 150);
    let (d50, d99) = latency(&mut s, "file:///bench/Dockerfile", "dockerfile", &dockerfile, 60);
    s.shutdown();
    let mut s = clusterls(&facts);
    let docs: Vec<(String, &str, String)> = (0..DOCS)
        .map(|i| {
            if i % 2 == 0 {
                (format!("file:///bench/job{i}.sbatch"), "shellscript", sbatch.clone())
            } else {
                (format!("file:///bench/d{i}/Dockerfile"), "dockerfile", dockerfile.clone())
            }
        })
        .collect();
    let (idle, loaded) = memory(&mut s, &docs);
    s.shutdown();
    rows.push([
        "clusterls".into(),
        format!("{} / {}", ms(p50), ms(p99)),
        format!("{} / {}", ms(d50), ms(d99)),
        format!("{:.1} MiB", idle as f64 / 1024.0),
        format!("{:.1} MiB (50 sbatch + 50 Dockerfiles)", loaded as f64 / 1024.0),
    ]);

    // Memory with 100 Dockerfiles, to compare like with like.
    let mut s = clusterls(&facts);
    let dfs: Vec<(String, &str, String)> = (0..DOCS)
        .map(|i| (format!("file:///bench/d{i}/Dockerfile"), "dockerfile", dockerfile.clone()))
        .collect();
    let (_, loaded_df) = memory(&mut s, &dfs);
    s.shutdown();
    rows.push([
        "clusterls".into(),
        "".into(),
        "".into(),
        "".into(),
        format!("{:.1} MiB (100 Dockerfiles)", loaded_df as f64 / 1024.0),
    ]);

    match docker_langserver() {
        Some(bin) => {
            let spawn = || {
                let mut c = Command::new(&bin);
                c.arg("--stdio");
                let mut s = Server::spawn_command(c);
                let r = s.initialize(Value::Null, None);
                assert!(r.get("result").is_some(), "{r}");
                s
            };
            let mut s = spawn();
            let (d50, d99) =
                latency(&mut s, "file:///bench/Dockerfile", "dockerfile", &dockerfile, 60);
            drop(s);
            let mut s = spawn();
            let (idle, loaded) = memory(&mut s, &dfs);
            drop(s);
            rows.push([
                "dockerfile-language-server-nodejs 0.15.0".into(),
                "n/a".into(),
                format!("{} / {}", ms(d50), ms(d99)),
                format!("{:.1} MiB", idle as f64 / 1024.0),
                format!("{:.1} MiB (100 Dockerfiles)", loaded as f64 / 1024.0),
            ]);
        }
        None => println!(
            "docker-langserver not found: run `npm ci` in tests/e2e or set DOCKER_LANGSERVER"
        ),
    }

    println!(
        "\n{EDITS} edits each (after {WARMUP} warm-up), didChange -> publishDiagnostics, p50 / p99:"
    );
    let header = [
        "server",
        "sbatch (200 lines)",
        "Dockerfile (100 lines)",
        "RSS idle",
        "RSS, 100 open documents",
    ]
    .map(String::from);
    for r in std::iter::once(header).chain(rows) {
        println!("{:<42} {:<22} {:<22} {:<12} {}", r[0], r[1], r[2], r[3], r[4]);
    }
}
