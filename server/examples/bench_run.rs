//! Benchmark (prints figures; not a test): `clusterls run` on a warm connection vs a
//! naive `scp` then `ssh ... sbatch`, both through a TCP proxy that delays each
//! direction by 20 ms; then slurmctld RPCs per minute (sdiag, per user) while the
//! tracker follows 1 job and 50 jobs.
//!
//!     tests/cluster/up
//!     cargo run --release -p clusterls --example bench_run [-- --runs 10 --window 60]
//!
//! Needs the local cluster and root (sdiag -r resets the counters).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clusterls::engine::config::Config;
use clusterls::engine::transport::{BoxFuture, Exec, LocalTransport, Output, Transport};
use clusterls::engine::{Engine, EngineOptions, Resources, RunOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DELAY: Duration = Duration::from_millis(20);

/// Forward one direction, holding every chunk for DELAY (a bounded queue: at most
/// 256 chunks in flight per direction).
async fn delayed_pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Instant, Vec<u8>)>(256);
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((Instant::now() + DELAY, buf[..n].to_vec())).await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at.into()).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// A loopback-only proxy to `target`, at most 64 connections at once.
async fn start_proxy(target: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let limit = Arc::new(tokio::sync::Semaphore::new(64));
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else { continue };
            let permit = limit.clone().acquire_owned().await.unwrap();
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&target).await else { return };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(delayed_pipe(cr, sw), delayed_pipe(sr, cw));
                drop(permit);
            });
        }
    });
    port
}

fn ssh_g(cfg: &Path, host: &str) -> HashMap<String, String> {
    let out = std::process::Command::new("ssh")
        .arg("-F")
        .arg(cfg)
        .arg("-G")
        .arg(host)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    clusterls::engine::transport::parse_ssh_g(&String::from_utf8_lossy(&out.stdout))
}

fn cluster_env() -> HashMap<String, String> {
    let text = std::fs::read_to_string("/var/tmp/clusterls-cluster/cluster.env")
        .expect("no /var/tmp/clusterls-cluster/cluster.env: run tests/cluster/up first");
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect()
}

fn sh(argv: &[&str]) -> std::process::Output {
    std::process::Command::new(argv[0]).args(&argv[1..]).stdin(Stdio::null()).output().unwrap()
}

/// RPCs alice made since the last `sdiag -r`.
fn sdiag_user_rpcs(user: &str) -> u64 {
    let out = String::from_utf8_lossy(&sh(&["sdiag"]).stdout).into_owned();
    let mut in_users = false;
    for line in out.lines() {
        if line.contains("Remote Procedure Call statistics by user") {
            in_users = true;
            continue;
        }
        if in_users {
            let l = line.trim();
            if l.is_empty() || l.starts_with("Pending RPC") {
                break;
            }
            if l.starts_with(&format!("{user} ")) || l.starts_with(&format!("{user}(")) {
                // `alice           (    1001) count:12     ave_time:...`
                if let Some(c) = l.split("count:").nth(1) {
                    return c.split_whitespace().next().unwrap_or("0").parse().unwrap_or(0);
                }
            }
        }
    }
    0
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let runs = arg("--runs", 10) as usize;
    let window = Duration::from_secs(arg("--window", 60));
    let env = cluster_env();
    let cfg = PathBuf::from(&env["CLUSTERLS_SSH_CONFIG"]);
    let host = env["CLUSTERLS_SSH_HOST"].clone();
    let g = ssh_g(&cfg, &host);
    let port = start_proxy(format!("{}:{}", g["hostname"], g["port"])).await;
    let work = std::env::temp_dir().join(format!("clusterls-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    // The same host through the proxy; host keys checked against the same known_hosts
    // entry (HostKeyAlias), nothing weakened.
    let bench_cfg = work.join("ssh_config");
    std::fs::write(
        &bench_cfg,
        format!(
            "Host bench\n  HostName 127.0.0.1\n  Port {port}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  HostKeyAlias [{}]:{}\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
            g["user"],
            g["identityfile"],
            g["userknownhostsfile"].split_whitespace().next().unwrap(),
            g["hostname"],
            g["port"]
        ),
    )
    .unwrap();
    let script = work.join("train.py");
    std::fs::write(&script, "print('hello')\n").unwrap();
    let config = Config {
        resources: Resources {
            account: Some("lab_dev".into()),
            partition: Some("cpu".into()),
            time: Some("5".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let engine = Engine::open(EngineOptions {
        host: "bench".into(),
        ssh_config: Some(bench_cfg.clone()),
        project_dir: None,
        state_dir: Some(work.join("state")),
        config: Some(config.clone()),
    })
    .await
    .unwrap();
    println!(
        "# clusterls run vs naive scp + ssh sbatch, through a proxy adding {} ms each way",
        DELAY.as_millis()
    );
    let t = Instant::now();
    engine.connect().await.unwrap();
    println!("connect (start our ControlMaster): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let mut ids = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..runs {
        let before = engine.round_trips();
        let t = Instant::now();
        let rec = engine
            .run(&RunOptions { no_container: true, ..RunOptions::new(&script) })
            .await
            .unwrap();
        ours.push((t.elapsed(), engine.round_trips() - before));
        ids.push(rec.id);
    }
    let mut naive = Vec::new();
    let sbatch = work.join("job.sbatch");
    std::fs::write(&sbatch, "#!/bin/bash\n#SBATCH --partition=cpu\n#SBATCH --account=lab_dev\n#SBATCH --time=5\npython3 train.py\n").unwrap();
    for i in 0..runs {
        let dir = format!(".clusterls/naive/{}-{i}", std::process::id());
        let t = Instant::now();
        let base =
            ["-F", bench_cfg.to_str().unwrap(), "-o", "ControlMaster=no", "-o", "ControlPath=none"];
        let mut c = vec!["ssh"];
        c.extend(base);
        c.extend(["bench", "mkdir", "-p", &dir]);
        assert!(sh(&c).status.success());
        let mut c = vec!["scp", "-q"];
        c.extend(base);
        let dest = format!("bench:{dir}/");
        c.extend([script.to_str().unwrap(), sbatch.to_str().unwrap(), &dest]);
        assert!(sh(&c).status.success(), "scp failed");
        let mut c = vec!["ssh"];
        c.extend(base);
        let cmd = format!("cd {dir} && sbatch --parsable job.sbatch");
        c.extend(["bench", &cmd]);
        let o = sh(&c);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        naive.push((t.elapsed(), 3u64));
        ids.push(String::from_utf8_lossy(&o.stdout).trim().to_string());
    }
    let stats = |v: &[(Duration, u64)]| {
        let mut ms: Vec<f64> = v.iter().map(|x| x.0.as_secs_f64() * 1e3).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (ms[ms.len() / 2], ms[0], ms[ms.len() - 1], v[0].1)
    };
    let (m, lo, hi, rt) = stats(&ours);
    println!(
        "clusterls run (warm):     median {m:.0} ms (min {lo:.0}, max {hi:.0}), {rt} ssh command(s) per run, 0 new connections"
    );
    let (m2, lo, hi, rt) = stats(&naive);
    println!(
        "naive mkdir+scp+sbatch:   median {m2:.0} ms (min {lo:.0}, max {hi:.0}), {rt} ssh/scp connections per run"
    );
    println!("speedup: {:.1}x", m2 / m);
    let cancel: Vec<&str> =
        std::iter::once("scancel").chain(ids.iter().map(String::as_str)).collect();
    sh(&cancel);

    // --- slurmctld RPCs while tracking ---------------------------------------------
    // Other test suites share alice and root, so the tracker runs as a user of its own
    // (created here if missing, with an association), through `--host local` wrapped
    // in runuser: the same Slurm commands, counted under a user nobody else uses.
    let user = ensure_bench_user();
    println!(
        "\n# slurmctld RPCs (sdiag, user {user}) while the tracker follows N jobs, {} s window",
        window.as_secs()
    );
    for n in [1usize, 50] {
        let state = work.join(format!("state-{n}"));
        let engine = Engine::with_transport(
            EngineOptions {
                host: "local".into(),
                ssh_config: None,
                project_dir: None,
                state_dir: Some(state),
                config: Some(config.clone()),
            },
            Arc::new(AsUser { user: user.clone(), inner: LocalTransport::new() }),
        )
        .await
        .unwrap();
        let long = work.join("long.py");
        chmod_world(&work);
        std::fs::write(&long, "import time\ntime.sleep(600)\n").unwrap();
        let mut ids = Vec::new();
        for _ in 0..n {
            let r = engine
                .run(&RunOptions {
                    no_container: true,
                    resources: Resources {
                        cpus: Some(1),
                        mem: Some("100".into()),
                        ..Default::default()
                    },
                    ..RunOptions::new(&long)
                })
                .await
                .unwrap();
            ids.push(r.id);
        }
        assert!(sh(&["sdiag", "-r"]).status.success(), "sdiag -r needs root");
        let before = engine.round_trips();
        let tracker = engine.start_tracker();
        tokio::time::sleep(window).await;
        tracker.abort();
        let rpcs = sdiag_user_rpcs(&user);
        let polls = engine.round_trips() - before;
        println!(
            "tracking {n:>2} job(s): {rpcs} RPCs in {} s = {:.1} RPCs/min ({polls} polls, {:.1} RPCs per poll)",
            window.as_secs(),
            rpcs as f64 * 60.0 / window.as_secs_f64(),
            rpcs as f64 / polls.max(1) as f64
        );
        let cancel: Vec<&str> =
            std::iter::once("scancel").chain(ids.iter().map(String::as_str)).collect();
        sh(&cancel);
    }
    let _ = std::fs::remove_dir_all(&work);
}

const BENCH_USER: &str = "clusterls-bench";

/// A unix user with a home and a lab_dev association, for clean per-user RPC counts.
fn ensure_bench_user() -> String {
    if !sh(&["id", BENCH_USER]).status.success() {
        let o = sh(&["useradd", "--create-home", "--shell", "/bin/bash", BENCH_USER]);
        assert!(o.status.success(), "useradd: {}", String::from_utf8_lossy(&o.stderr));
    }
    let shown =
        sh(&["sacctmgr", "-nP", "show", "assoc", &format!("user={BENCH_USER}"), "format=account"]);
    if !String::from_utf8_lossy(&shown.stdout).contains("lab_dev") {
        let o = sh(&[
            "sacctmgr",
            "-i",
            "add",
            "user",
            BENCH_USER,
            "Account=lab_dev",
            "Partition=cpu,test,gpu",
        ]);
        assert!(o.status.success(), "sacctmgr add user: {}", String::from_utf8_lossy(&o.stderr));
    }
    BENCH_USER.to_string()
}

fn chmod_world(p: &Path) {
    let _ = sh(&["chmod", "-R", "a+rwX", p.to_str().unwrap()]);
}

/// Runs every command as another user (root only): `runuser -u USER -- ARGV`.
struct AsUser {
    user: String,
    inner: LocalTransport,
}

impl Transport for AsUser {
    fn round_trips(&self) -> u64 {
        self.inner.round_trips()
    }
    fn exec(&self, mut exec: Exec) -> BoxFuture<'_, clusterls::engine::Result<Output>> {
        let mut argv = vec!["runuser".to_string(), "-u".into(), self.user.clone(), "--".into()];
        argv.append(&mut exec.argv);
        exec.argv = argv;
        self.inner.exec(exec)
    }
}
