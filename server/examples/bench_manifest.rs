//! Benchmark (prints figures; not a test) of the incremental upload's pure part: hash a
//! synthetic 50 MB project (SHA-256, `engine::launch::manifest`), plan the first upload,
//! change one source file, hash and plan again. Prints bytes to send and times; the
//! goal is that the second upload sends under 1% of the bytes.
//!
//!     cargo run -p clusterls --example bench_manifest [-- --mb 50 --files 400]
//!
//! The IO (walking the tree, reading files, the tar over ssh) is the engine's and is
//! not measured here.

use std::time::Instant;

use clusterls::engine::launch::manifest::{
    ContentHasher, DEFAULT_LIMIT, LocalFile, check_size, human_bytes, plan_upload,
};

/// Deterministic bytes (xorshift), so runs are comparable.
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn hash_all(files: &[(String, Vec<u8>)]) -> Vec<LocalFile> {
    files
        .iter()
        .map(|(path, bytes)| {
            let mut h = ContentHasher::new();
            h.update(bytes);
            LocalFile {
                path: path.clone(),
                size: bytes.len() as u64,
                hash: h.finish(),
                mode: 0o644,
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (mb, count) = (arg("--mb", 50), arg("--files", 400));
    // A few big data files and many small sources, like a research project.
    let big = count / 20;
    let total = mb * 1_000_000;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..count {
        let len = if i < big { total * 9 / 10 / big } else { total / 10 / (count - big) };
        let path =
            if i < big { format!("data/shard {i:03}.bin") } else { format!("src/mod_{i:03}.py") };
        files.push((path, content(i as u64, len)));
    }
    let start = Instant::now();
    let local = hash_all(&files);
    let hash_time = start.elapsed();
    let total_bytes: u64 = local.iter().map(|f| f.size).sum();
    check_size(&local, DEFAULT_LIMIT).expect("under the default limit");
    let start = Instant::now();
    let first = plan_upload(&local, None);
    let plan_time = start.elapsed();
    println!(
        "project: {} in {} files; hash {:.0} ms ({:.0} MB/s); plan {:.2} ms; manifest {} bytes",
        human_bytes(total_bytes),
        local.len(),
        hash_time.as_secs_f64() * 1e3,
        total_bytes as f64 / 1e6 / hash_time.as_secs_f64(),
        plan_time.as_secs_f64() * 1e3,
        first.manifest.len()
    );
    println!("first upload: send {} files, {}", first.send.len(), human_bytes(first.send_bytes));
    // One source file changes.
    let changed = count - 1;
    files[changed].1[0] ^= 0xff;
    let start = Instant::now();
    let local = hash_all(&files);
    let second = plan_upload(&local, Some(&first.manifest));
    let again = start.elapsed();
    println!(
        "second upload (one file changed): send {} file(s), {} = {:.3}% of the bytes (+ manifest {}); hash and plan {:.0} ms",
        second.send.len(),
        human_bytes(second.send_bytes),
        second.send_bytes as f64 * 100.0 / total_bytes as f64,
        human_bytes(second.manifest.len() as u64),
        again.as_secs_f64() * 1e3
    );
}
