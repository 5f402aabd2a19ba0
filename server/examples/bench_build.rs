//! Benchmark (prints figures; not a test): `clusterls build` of a small Dockerfile FROM
//! the local registry's image, first (a ch-image build in a `[pull]` allocation), then
//! unchanged (the key's image is there: one round trip, no allocation), over ssh on a
//! warm connection.
//!
//!     tests/cluster/up
//!     cargo run --release -p clusterls --example bench_build [-- --runs 10]
//!
//! The image it builds is removed at the end.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clusterls::engine::config::{Config, PullConfig};
use clusterls::engine::{BuildOptions, Engine, EngineOptions, Resources};

fn cluster_env() -> HashMap<String, String> {
    let text = std::fs::read_to_string("/var/tmp/clusterls-cluster/cluster.env")
        .expect("no /var/tmp/clusterls-cluster/cluster.env: run tests/cluster/up first");
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let env = cluster_env();
    let image = env["CLUSTERLS_IMAGE"].trim_start_matches("docker://").to_string();
    let work = std::env::temp_dir().join(format!("clusterls-bench-build-{}", std::process::id()));
    std::fs::create_dir_all(work.join("project/data")).unwrap();
    let project = work.join("project");
    let nonce = format!("{:?}", std::time::SystemTime::now());
    std::fs::write(project.join("data/msg.txt"), &nonce).unwrap();
    std::fs::write(
        project.join("Dockerfile"),
        format!(
            "FROM {image}\nENV GREETING=hi\nWORKDIR /app\nCOPY data/ /app/data/\nRUN echo built > /app/built.txt\n"
        ),
    )
    .unwrap();
    let pull = Resources {
        account: Some("lab_dev".into()),
        partition: Some("test".into()),
        ..Default::default()
    };
    let config = Config {
        host: Some(env["CLUSTERLS_SSH_HOST"].clone()),
        pull: Some(PullConfig { resources: pull }),
        ..Default::default()
    };
    let engine = Engine::open(EngineOptions {
        host: env["CLUSTERLS_SSH_HOST"].clone(),
        ssh_config: Some(env["CLUSTERLS_SSH_CONFIG"].clone().into()),
        project_dir: Some(project.clone()),
        state_dir: Some(work.join("state")),
        config: Some(config),
    })
    .await
    .expect("open the engine");
    // Warm the connection and the facts cache.
    engine.facts(true).await.expect("facts");
    let opts = BuildOptions { dockerfile: project.join("Dockerfile"), ..Default::default() };
    let quiet = |_: &str| {};
    let t = Instant::now();
    let first = engine.build_image(&opts, &quiet).await.expect("first build");
    let first_time = t.elapsed();
    assert!(first.built);
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let again = engine.build_image(&opts, &quiet).await.expect("unchanged build");
        times.push(t.elapsed());
        assert!(!again.built && again.key == first.key);
    }
    times.sort();
    println!("build, first (ch-image in an allocation): {:8.1} ms", ms(first_time));
    println!(
        "build, unchanged x{runs}: median {:6.1} ms, min {:6.1} ms, max {:6.1} ms ({:.0}x faster)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        first_time.as_secs_f64() / times[times.len() / 2].as_secs_f64()
    );
    let _ = std::process::Command::new("ssh")
        .args([
            "-F",
            &env["CLUSTERLS_SSH_CONFIG"],
            &env["CLUSTERLS_SSH_HOST"],
            "--",
            "rm",
            "-rf",
            "--",
        ])
        .arg(&first.path)
        .stdin(Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(&work);
}
