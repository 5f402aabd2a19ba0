//! Benchmark (prints figures; not a test) of the incremental project upload through ssh
//! to the real cluster: a generated ~50 MB project (a few hundred files of varied
//! sizes) run with `--sync` (bytes on the wire and wall time of the whole `run`: walk,
//! hash, read the manifest, upload, the run directory's copy, sbatch), then run again
//! after one file changed, then unchanged. The goal: the second run sends under 1% of
//! the first's bytes. The jobs are cancelled and the run and sync directories removed
//! after.
//!
//!     tests/cluster/up
//!     cargo run --release -p clusterls --example bench_sync [-- --mb 50 --files 400]
//!
//! `--host H --ssh-config F` point it at another cluster (default: the local one).
//!
//! Measured on the local cluster (2 busy cores, ext4, so the run directory's copy is a
//! real copy): first run 50.5 MB on the wire in 1.1-1.7 s; one file changed 50.7 kB
//! (0.10%: the 3.9 kB file, the run's files and the 401-line manifest) in 0.3-0.8 s;
//! unchanged 46.1 kB in 0.3-0.9 s; 2 round trips each.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clusterls::engine::config::Config;
use clusterls::engine::launch::manifest::human_bytes;
use clusterls::engine::upload::plan::project_key;
use clusterls::engine::{Engine, EngineOptions, Resources, RunOptions, RunOutcome};

/// Deterministic bytes (xorshift), so runs are comparable and nothing compresses.
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

/// A research project: a few large data files, some medium ones, many small sources,
/// in nested folders; sizes spread so that `mb` megabytes fill `count` files.
fn generate(dir: &Path, mb: usize, count: usize) -> u64 {
    let total = mb * 1_000_000;
    // Weights: 5% of the files hold 80% of the bytes, 15% hold 15%, the rest 5%.
    let (big, medium) = ((count / 20).max(1), (count * 3 / 20).max(1));
    let small = count.saturating_sub(big + medium).max(1);
    let mut written = 0u64;
    for i in 0..count {
        let (path, len) = if i < big {
            (format!("data/shard {i:03}.bin"), total * 80 / 100 / big + i * 997)
        } else if i < big + medium {
            (format!("assets/set_{}/item_{i:03}.npy", i % 7), total * 15 / 100 / medium)
        } else {
            let len = (total * 5 / 100 / small) * (1 + i % 3) / 2;
            (format!("src/pkg_{}/mod_{i:03}.py", i % 11), len.max(10))
        };
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content(i as u64, len)).unwrap();
        written += len as u64;
    }
    std::fs::write(dir.join("train.sh"), "#!/bin/bash\ntrue\n").unwrap();
    written
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn ssh(cfg: &Path, host: &str, argv: &[&str]) {
    let _ = Command::new("ssh")
        .arg("-F")
        .arg(cfg)
        .arg(host)
        .args(argv.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status();
}

fn report(what: &str, o: &RunOutcome, ms: f64, first_wire: u64, round_trips: u64) {
    let u = &o.upload;
    println!(
        "{what:<28} {:>4} of {} files sent, {:>9} of {:>9} content, {:>9} on the wire ({:>7.3}% of the first), {ms:>6.0} ms, {round_trips} round trips",
        u.sent_files,
        u.files,
        human_bytes(u.sent_bytes),
        human_bytes(u.bytes),
        human_bytes(u.stdin_bytes),
        u.stdin_bytes as f64 * 100.0 / first_wire.max(1) as f64,
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: usize = arg(&args, "--mb").and_then(|v| v.parse().ok()).unwrap_or(50);
    let count: usize = arg(&args, "--files").and_then(|v| v.parse().ok()).unwrap_or(400);
    let host = arg(&args, "--host").unwrap_or_else(|| "testcluster".into());
    let cfg = PathBuf::from(
        arg(&args, "--ssh-config")
            .unwrap_or_else(|| "/var/tmp/clusterls-cluster/ssh/config".into()),
    );
    let work = std::env::temp_dir().join(format!("clusterls-bench-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let project = work.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let t = Instant::now();
    let bytes = generate(&project, mb, count);
    println!(
        "# project: {} in {} files (+ train.sh), generated in {:.0} ms",
        human_bytes(bytes),
        count,
        t.elapsed().as_secs_f64() * 1e3
    );
    let config = Config {
        resources: Resources {
            account: Some("lab_dev".into()),
            partition: Some("cpu".into()),
            time: Some("2".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let engine = Engine::open(EngineOptions {
        host: host.clone(),
        ssh_config: Some(cfg.clone()),
        project_dir: None,
        state_dir: Some(work.join("state")),
        config: Some(config),
    })
    .await
    .expect("open the engine");
    engine.connect().await.expect("connect (is the cluster up? tests/cluster/up)");
    let opts = RunOptions {
        no_container: true,
        sync: Some(project.clone()),
        ..RunOptions::new(project.join("train.sh"))
    };
    let mut outcomes = Vec::new();
    let run = |what: &'static str| {
        let (engine, opts) = (&engine, &opts);
        async move {
            let before = engine.round_trips();
            let t = Instant::now();
            let o = engine.run_with(opts, &|_| {}).await.expect("run");
            (what, o, t.elapsed().as_secs_f64() * 1e3, engine.round_trips() - before)
        }
    };
    outcomes.push(run("first run (nothing there)").await);
    let changed = project.join("src/pkg_3/mod_399.py");
    let changed = if changed.exists() {
        changed
    } else {
        project.join(format!("src/pkg_{}/mod_{:03}.py", (count - 1) % 11, count - 1))
    };
    let mut text = std::fs::read(&changed).unwrap();
    text[0] ^= 0xff;
    std::fs::write(&changed, text).unwrap();
    outcomes.push(run("second run (1 file changed)").await);
    outcomes.push(run("third run (unchanged)").await);
    let first_wire = outcomes[0].1.upload.stdin_bytes;
    for (what, o, ms, rt) in &outcomes {
        report(what, o, *ms, first_wire, *rt);
    }
    // Clean up: the jobs, their run directories (a copy of the project each) and the
    // project's sync directory.
    for (_, o, _, _) in &outcomes {
        let _ = engine.cancel(&o.job.id).await;
        if let Some(dir) = &o.job.run_dir {
            ssh(&cfg, &host, &["rm", "-rf", "--", dir]);
        }
    }
    let key = project_key("run", project.canonicalize().unwrap().to_str().unwrap());
    ssh(&cfg, &host, &["rm", "-rf", "--", &format!(".clusterls/sync/{key}")]);
    let _ = std::fs::remove_dir_all(&work);
}
