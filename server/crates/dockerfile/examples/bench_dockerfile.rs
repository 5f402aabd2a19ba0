//! Dockerfiles checked per second: clusterls (in process), hadolint and dockerfile-utils
//! on the same files in the same run.
//!
//! `cargo run --release -p clusterls-dockerfile --example bench_dockerfile -- [DIR] [SECONDS]`
//! (DIR defaults to tests/data/dockerfiles; peers come from tools/setup-peers.sh and are
//! skipped with a note when missing). Prints figures; asserts nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../tests/data/dockerfiles"));
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let texts: Vec<String> = files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("corpus: {} Dockerfiles, {} KiB, {}", texts.len(), bytes / 1024, dir.display());

    // clusterls, in process.
    let start = Instant::now();
    let mut n = 0u64;
    let mut findings = 0usize;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for t in &texts {
            findings += clusterls_dockerfile::check(t, None).len();
            n += 1;
        }
    }
    let el = start.elapsed().as_secs_f64();
    println!(
        "clusterls-dockerfile (in process):  {:>9.0} files/s  ({n} checks in {el:.2}s, {} findings per pass)",
        n as f64 / el,
        findings / (n as usize / texts.len()).max(1)
    );

    // hadolint: one process over all files (its startup amortised), best of 3.
    let mut best: Option<f64> = None;
    for _ in 0..3 {
        let t = Instant::now();
        let st = Command::new("hadolint")
            .arg("--no-fail")
            .args(&files)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match st {
            Ok(s) if s.success() => {
                let e = t.elapsed().as_secs_f64();
                best = Some(best.map_or(e, |b: f64| b.min(e)));
            }
            _ => break,
        }
    }
    match best {
        Some(e) => println!(
            "hadolint (one process, all files):   {:>9.0} files/s  ({} files in {e:.2}s, best of 3)",
            files.len() as f64 / e,
            files.len()
        ),
        None => println!("hadolint: not found (run tools/setup-peers.sh)"),
    }
    // hadolint as an editor would run it: one process per file (first 50 files).
    let some = &files[..files.len().min(50)];
    let t = Instant::now();
    let mut ok = true;
    for f in some {
        ok &= Command::new("hadolint")
            .arg("--no-fail")
            .arg(f)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    }
    if ok {
        let e = t.elapsed().as_secs_f64();
        println!(
            "hadolint (one process per file):     {:>9.0} files/s  ({} files in {e:.2}s)",
            some.len() as f64 / e,
            some.len()
        );
    }

    // dockerfile-utils in node, in process after startup.
    let script = manifest.join("tools/dfu_bench.js");
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("{secs}"))
        .args(&files)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let s = String::from_utf8_lossy(&o.stdout);
            let v: serde_json::Value = serde_json::from_str(s.trim()).unwrap_or_default();
            println!(
                "dockerfile-utils (node, in process): {:>9.0} files/s  ({} validations in {:.2}s)",
                v["per_second"].as_f64().unwrap_or(0.0),
                v["files"],
                v["seconds"].as_f64().unwrap_or(0.0)
            );
        }
        _ => println!("dockerfile-utils: not runnable (run tools/setup-peers.sh; needs node)"),
    }
}
