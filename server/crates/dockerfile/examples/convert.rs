//! Convert a Dockerfile to an Apptainer definition file, or measure the converter.
//!
//! `cargo run -p clusterls-dockerfile --example convert -- FILE [NAME=VALUE...]` prints
//! the definition on stdout and the findings (`line: code message`) on stderr.
//!
//! `cargo run --release -p clusterls-dockerfile --example convert -- --bench [DIR] [SECONDS]`
//! converts and reads back every Dockerfile of DIR (default tests/data/dockerfiles) for
//! SECONDS (default 3) and prints files per second. Prints figures; asserts nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clusterls_dockerfile::{convert, deffile};

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().expect("a Dockerfile path, or --bench");
    if first == "--bench" {
        let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/data/dockerfiles")
        });
        let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0);
        bench(&dir, secs);
        return;
    }
    let build_args: Vec<(String, String)> =
        args.filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into()))).collect();
    let text =
        std::fs::read_to_string(&first).unwrap_or_else(|e| panic!("cannot read {first}: {e}"));
    let c = convert::convert(&text, &build_args);
    print!("{}", c.definition);
    for f in c.findings {
        let line = text[..f.range.start].matches('\n').count() + 1;
        eprintln!("{line}: {} {}", f.code, f.message);
    }
}

fn bench(dir: &Path, secs: f64) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let texts: Vec<String> = files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("corpus: {} Dockerfiles, {} KiB, {}", texts.len(), bytes / 1024, dir.display());
    let defs: Vec<String> = texts.iter().map(|t| convert::convert(t, &[]).definition).collect();
    let out: usize = defs.iter().map(String::len).sum();
    println!("definitions: {} KiB", out / 1024);

    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for t in &texts {
            std::hint::black_box(convert::convert(t, &[]));
            n += 1;
        }
    }
    let el = start.elapsed().as_secs_f64();
    println!("convert:         {:>9.0} files/s ({n} in {el:.2}s)", n as f64 / el);

    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for d in &defs {
            std::hint::black_box(deffile::parse(d));
            n += 1;
        }
    }
    let el = start.elapsed().as_secs_f64();
    println!("deffile::parse:  {:>9.0} files/s ({n} in {el:.2}s)", n as f64 / el);
}
