//! Benchmark: sbatch scripts checked per second on one core (no shellcheck), with
//! shellcheck's own time on the same scripts printed beside it.
//!
//!     cargo run --release -p clusterls-sbatch --example bench_sbatch [-- DIR]
//!
//! DIR defaults to tests/data/sbatch/valid. Prints figures; asserts nothing. Each figure
//! is given per second of this thread's CPU time (`/proc/thread-self/schedstat`, Linux),
//! which a loaded machine does not distort, and per wall second.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/data/sbatch/valid")
    });
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("read corpus dir").map(|e| e.unwrap().path()).collect();
    files.sort();
    let texts: Vec<String> = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let facts: clusterls_core::ClusterFacts = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../tests/data/local-cluster-facts-22.05.json"),
        )
        .unwrap(),
    )
    .unwrap();
    println!("corpus: {} scripts, {} bytes, from {}", texts.len(), bytes, dir.display());

    for (label, with_facts) in [("check, no facts", false), ("check, with facts", true)] {
        // Warm up, then run for at least a second on this thread (one core).
        let mut findings = 0;
        for t in &texts {
            findings += clusterls_sbatch::check(t, with_facts.then_some(&facts)).len();
        }
        let start = Instant::now();
        let cpu_start = thread_cpu_ns();
        let mut n = 0u64;
        // At least one CPU second on this thread (a loaded machine gives it less per
        // wall second), at most 30 s of wall time.
        let cpu_so_far = || match (cpu_start, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => start.elapsed(),
        };
        while cpu_so_far() < Duration::from_secs(1) && start.elapsed() < Duration::from_secs(30) {
            for t in &texts {
                std::hint::black_box(clusterls_sbatch::check(t, with_facts.then_some(&facts)));
                n += 1;
            }
        }
        let wall = start.elapsed().as_secs_f64();
        let cpu = match (cpu_start, thread_cpu_ns()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
            _ => wall,
        };
        println!(
            "clusterls {label}: {:.0} scripts per CPU second ({:.1} µs CPU/script, {:.1} MB/s; {n} checks in {cpu:.2} CPU s, {wall:.2} s wall = {:.0} scripts/s wall; {findings} findings over the corpus)",
            n as f64 / cpu,
            cpu * 1e6 / n as f64,
            (bytes as f64 * n as f64 / texts.len() as f64) / cpu / 1e6,
            n as f64 / wall,
        );
    }

    let available = Command::new("shellcheck")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        println!("shellcheck: not installed (apt install shellcheck), no comparison");
        return;
    }
    // One shellcheck process per script, as an editor or `clusterls check` runs it.
    let start = Instant::now();
    for p in &files {
        Command::new("shellcheck")
            .args(["-f", "json1"])
            .arg(p)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
    }
    let per = start.elapsed().as_secs_f64();
    println!(
        "shellcheck, one process per script: {:.1} scripts/s ({:.1} ms/script)",
        files.len() as f64 / per,
        per * 1e3 / files.len() as f64
    );
    // All scripts in one process: shellcheck's own analysis time without start-up.
    let start = Instant::now();
    Command::new("shellcheck")
        .args(["-f", "json1"])
        .args(&files)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let all = start.elapsed().as_secs_f64();
    println!(
        "shellcheck, all scripts in one process: {:.1} scripts/s ({:.1} ms/script)",
        files.len() as f64 / all,
        all * 1e3 / files.len() as f64
    );
}

/// This thread's CPU time in nanoseconds (the first field of
/// `/proc/thread-self/schedstat`), when the system says.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
