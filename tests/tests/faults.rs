//! Fault tests on the real cluster (issue 15): a daemon stopped under a running
//! `clusterls`, a stalled or dropped link, a locked job store, a killed language server.
//! Each asserts what the user sees (stderr, exit codes, `jobs`), waits with deadlines
//! only, and restores what it broke even when it fails (a guard restarts the daemon
//! exactly as `tests/cluster/up` / `up-release` start it: by running that script again,
//! which starts only what is not running).
//!
//! The tests run one at a time (one static mutex): they stop daemons every other test
//! of this binary needs. Run them as their own binary, never next to other cluster
//! tests: `cargo test -p clusterls-tests --test faults`. Against the Slurm 24.11
//! cluster: `CLUSTERLS_TEST_RELEASE=24.11 cargo test -p clusterls-tests --test faults`.
//! They stop daemons, so they need root (the cluster's daemons run as root); without
//! it, or without a cluster, they fail (never skip).

mod engine_common;
mod lsp_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use clusterls_tests::{repo_root, wait_until};
use engine_common::{Project, cluster};
use serde_json::Value;

/// One fault at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The project of a fault test. Fails the test without a cluster, or without root
/// (stopping the cluster's daemons needs it).
fn project(tag: &str) -> Project {
    let p = Project::new(tag);
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    assert!(root, "the fault tests stop the cluster's daemons: run them as root");
    p
}

// --- the cluster's daemons ----------------------------------------------------------

/// Where the cluster under test records its daemons' pids, and the script that starts
/// whichever of them is not running (and waits until each is ready).
fn daemons() -> (PathBuf, Vec<String>) {
    let c = cluster();
    let script = |name: &str| repo_root().join("tests/cluster").join(name).display().to_string();
    match std::env::var("CLUSTERLS_TEST_RELEASE") {
        Ok(r) if !r.is_empty() => {
            (c.dir.join(format!("release-{r}/pids")), vec![script("up-release"), r])
        }
        _ => (c.dir.join("pids"), vec![script("up")]),
    }
}

fn alive(pid: u32) -> bool {
    // A zombie (exited, not yet reaped by whatever adopted it) counts as gone.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.chars().next()))
        .flatten()
        .is_some_and(|st| st != 'Z' && st != 'X')
}

/// A daemon of the cluster stopped by [`stop`]; started again by [`Down::start`] or,
/// whatever happens to the test, when dropped.
struct Down {
    name: &'static str,
    started: bool,
}

/// Stop the daemon `up` recorded as `pids/NAME.pid` (SIGTERM, then SIGKILL after 30 s).
fn stop(name: &'static str) -> Down {
    let (pids, _) = daemons();
    let pid: u32 = std::fs::read_to_string(pids.join(format!("{name}.pid")))
        .unwrap_or_else(|e| panic!("no recorded pid for {name} in {}: {e}", pids.display()))
        .trim()
        .parse()
        .unwrap();
    assert!(alive(pid), "{name} (pid {pid}) is not running before the test");
    let signal = |sig: &str| {
        Command::new("kill").args([sig, &pid.to_string()]).stdin(Stdio::null()).status().unwrap()
    };
    signal("-TERM");
    let start = Instant::now();
    while alive(pid) {
        if start.elapsed() > Duration::from_secs(30) {
            signal("-KILL");
        }
        assert!(start.elapsed() < Duration::from_secs(40), "{name} (pid {pid}) does not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("[fault] stopped {name} (pid {pid}) in {:.1?}", start.elapsed());
    Down { name, started: false }
}

impl Down {
    /// Start it again as `up` does (its script, which starts what is not running and
    /// waits until it answers), within 3 minutes.
    fn start(&mut self) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        let (_, argv) = daemons();
        let log =
            std::env::temp_dir().join(format!("clusterls-faults-up-{}.log", std::process::id()));
        let file = std::fs::File::create(&log).unwrap();
        let t = Instant::now();
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {argv:?}: {e}"));
        let status = wait_child(&mut child, Duration::from_secs(180));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        eprintln!("[fault] started {} again with {argv:?} in {:.1?}", self.name, t.elapsed());
        if !status.is_some_and(|s| s.success()) && !std::thread::panicking() {
            panic!("{argv:?} could not start {} again ({status:?}):\n{text}", self.name);
        }
    }
}

impl Drop for Down {
    fn drop(&mut self) {
        self.start();
    }
}

/// Wait for a child up to `timeout`; kill it when it runs longer (None then).
fn wait_child(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// --- a clusterls process watched line by line ------------------------------------------

/// A running `clusterls` whose stdout and stderr lines are collected as they come
/// (with the time each arrived, for "told within one poll").
struct Watched {
    child: Child,
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Watched {
    /// Spawn `cmd` with the log level a user has (no RUST_LOG): what it prints is what
    /// the user sees.
    fn spawn(mut cmd: Command) -> Watched {
        cmd.env_remove("RUST_LOG");
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let out = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        let (o, e) = (out.clone(), err.clone());
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                eprintln!("[stdout] {line}");
                o.lock().unwrap().push(line);
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[stderr] {line}");
                e.lock().unwrap().push((Instant::now(), line));
            }
        });
        Watched { child, out, err }
    }

    /// The first stderr line containing `text` (and when it came), waiting up to `timeout`.
    #[track_caller]
    fn wait_err(&self, text: &str, timeout: Duration) -> (Instant, String) {
        wait_until(&format!("a stderr line with {text:?}"), timeout, || {
            self.err.lock().unwrap().iter().find(|(_, l)| l.contains(text)).cloned()
        })
    }

    fn stderr(&self) -> String {
        self.err.lock().unwrap().iter().map(|(_, l)| format!("{l}\n")).collect()
    }

    fn stdout(&self) -> String {
        self.out.lock().unwrap().iter().map(|l| format!("{l}\n")).collect()
    }

    /// Its exit status, waiting up to `timeout` (killed and a panic after that).
    #[track_caller]
    fn finish(&mut self, timeout: Duration) -> ExitStatus {
        let status = wait_child(&mut self.child, timeout);
        // Let the readers take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        status
            .unwrap_or_else(|| panic!("clusterls still runs after {timeout:?}:\n{}", self.stderr()))
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The job id in `clusterls run`'s `job ID` line.
fn job_id(line: &str) -> String {
    line.split_whitespace().nth(1).unwrap_or_default().to_string()
}

/// States a job must never be shown in because of an outage.
const FALSE_STATES: [&str; 4] = ["VANISHED", "FAILED", "UNKNOWN", "NODE_FAIL"];

#[track_caller]
fn assert_no_false_state(stderr: &str) {
    for s in FALSE_STATES {
        assert!(!stderr.contains(s), "the user was shown {s}:\n{stderr}");
    }
}

/// `jobs --json` of the project: (id, state) of each tracked job.
fn jobs(p: &Project, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["jobs", "--json"];
    args.extend_from_slice(extra);
    let mut w = Watched::spawn(p.cmd(&args));
    let status = w.finish(Duration::from_secs(120));
    assert!(status.success(), "{}", w.stderr());
    let v: Value = serde_json::from_str(&w.stdout()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|j| (j["id"].as_str().unwrap().to_string(), j["state"].as_str().unwrap().to_string()))
        .collect()
}

// --- the faults ------------------------------------------------------------------------

/// slurmctld stops while `run --follow` watches a running job and starts again: the user
/// is told within one poll that the controller does not answer, then that it answers
/// again; the job is never shown in a state it is not in; the follow ends with the job's
/// output and success.
#[test]
fn slurmctld_stopped_during_a_follow() {
    let _serial = serial();
    let p = project("fault-ctld");
    let script = p.write(
        "ctld.py",
        "import time\nprint('started', flush=True)\ntime.sleep(40)\nprint('survived the outage')\n",
    );
    let mut follow = Watched::spawn(p.cmd(&[
        "run",
        "--follow",
        "--no-container",
        "--partition",
        "cpu",
        script.to_str().unwrap(),
    ]));
    let (_, submitted) = follow.wait_err("job ", Duration::from_secs(60));
    follow.wait_err("RUNNING", Duration::from_secs(120));
    let mut down = stop("slurmctld");
    let stopped = Instant::now();
    let (told, line) = follow.wait_err("clusterls: Slurm's controller", Duration::from_secs(60));
    eprintln!("[fault] told {:.1?} after slurmctld stopped: {line}", told - stopped);
    // One poll: at most 5 s between polls in a job's first minute, plus squeue's own
    // attempts to reach the controller before it gives up.
    assert!(told - stopped < Duration::from_secs(45), "told only after {:.1?}", told - stopped);
    assert!(line.contains("ask the cluster's admins"), "says what to do: {line}");
    down.start();
    follow.wait_err("answers again", Duration::from_secs(90));
    let status = follow.finish(Duration::from_secs(150));
    let err = follow.stderr();
    assert!(status.success(), "{status}\n{err}");
    assert!(follow.stdout().contains("survived the outage"), "{}", follow.stdout());
    assert_no_false_state(&err);
    let id = job_id(&submitted);
    let id = if id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty() {
        id
    } else {
        jobs(&p, &[])[0].0.clone()
    };
    assert_eq!(jobs(&p, &[]), [(id.clone(), "COMPLETED".to_string())]);
    eprintln!("[fault] what the user saw:\n{err}");
}

/// slurmdbd is stopped (sacct cannot answer) while a short job runs and ends: the
/// follow says that accounting does not answer, waits without showing a false state
/// and, once slurmdbd is back, says so and settles the job as COMPLETED with its output.
#[test]
fn slurmdbd_stopped_while_a_job_ends() {
    let _serial = serial();
    let p = project("fault-dbd");
    let c = cluster();
    let script = p.write("dbd.py", "print('ended while accounting was down')\n");
    let mut down = stop("slurmdbd");
    let mut follow = Watched::spawn(p.cmd(&[
        "run",
        "--follow",
        "--no-container",
        "--partition",
        "cpu",
        script.to_str().unwrap(),
    ]));
    let (_, submitted) = follow.wait_err("job ", Duration::from_secs(60));
    let id = job_id(&submitted);
    // The job ends and leaves the queue while accounting is down.
    wait_until("the job to leave the queue", Duration::from_secs(90), || {
        let q = c.ssh(&["squeue", "-h", "-j", &id, "-o", "%T"]);
        String::from_utf8_lossy(&q.stdout).trim().is_empty().then_some(())
    });
    // The follower says why the job's end does not show yet (before, nothing).
    follow.wait_err("accounting (slurmdbd) on ", Duration::from_secs(120));
    let seen_during = follow.stderr();
    eprintln!("[fault] while slurmdbd was down, the user saw:\n{seen_during}");
    down.start();
    let status = follow.finish(Duration::from_secs(120));
    let err = follow.stderr();
    assert!(status.success(), "{status}\n{err}");
    assert!(err.contains("accounting on ") && err.contains(" answers again"), "{err}");
    assert!(follow.stdout().contains("ended while accounting was down"), "{}", follow.stdout());
    assert_no_false_state(&err);
    assert_eq!(jobs(&p, &["--refresh"]), [(id.clone(), "COMPLETED".to_string())]);
    assert_eq!(c.wait_job_done(id.parse().unwrap(), Duration::from_secs(60)), "COMPLETED");
    eprintln!("[fault] what the user saw:\n{err}");
}

/// The job store is locked (an exclusive transaction of another process) for 30 s from
/// before `run`: the id is printed, the job kept in the journal and recorded by the next
/// process; one job on the cluster.
#[test]
fn the_store_locked_for_30_seconds_during_run() {
    let _serial = serial();
    let p = project("fault-lock");
    assert!(jobs(&p, &[]).is_empty());
    // A name no other run has, to count this run's jobs on the cluster.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let unique = format!("locked-{}-{}", std::process::id(), now.as_millis());
    let script = p.write(&format!("{unique}.py"), "print('ran once')\n");
    let locker = rusqlite::Connection::open(p.state.join("jobs.sqlite")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let locked = Instant::now();
    let mut run = Watched::spawn(p.cmd(&[
        "run",
        "--no-container",
        "--partition",
        "cpu",
        script.to_str().unwrap(),
    ]));
    let status = run.finish(Duration::from_secs(90));
    eprintln!("[fault] run with the store locked took {:.1?}", locked.elapsed());
    // The lock outlives run's retries; it lasts 30 s in all.
    std::thread::sleep(Duration::from_secs(30).saturating_sub(locked.elapsed()));
    locker.execute_batch("COMMIT").unwrap();
    let err = run.stderr();
    assert!(status.success(), "{status}\n{err}");
    let id = run.stdout().trim().trim_start_matches("job ").to_string();
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_digit()), "{}", run.stdout());
    assert!(err.contains("is locked: job"), "{err}");
    let mut logs = Watched::spawn(p.cmd(&["logs", &id, "--follow"]));
    assert!(logs.finish(Duration::from_secs(120)).success(), "{}", logs.stderr());
    assert!(logs.stdout().contains("ran once"), "{}", logs.stdout());
    assert_eq!(jobs(&p, &[]), [(id.clone(), "COMPLETED".to_string())]);
    // One job on the cluster, not only one record: nothing was submitted twice.
    let named =
        cluster().ssh(&["sacct", "-n", "-X", "-P", "-S", "now-1days", "-o", "JobID,JobName"]);
    let mine: Vec<String> = String::from_utf8_lossy(&named.stdout)
        .lines()
        .filter(|l| l.contains(&unique))
        .map(|l| l.split('|').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(mine, [id], "jobs named after {unique} on the cluster");
    eprintln!("[fault] what the user saw:\n{err}");
}

// --- the link: a loopback proxy between clusterls and sshd -------------------------------

/// A TCP proxy on 127.0.0.1 in front of the cluster's sshd that can stall the link
/// (stop forwarding, connections kept open) or drop it (close every connection and
/// refuse new ones, as a restarting sshd does).
struct Proxy {
    port: u16,
    stalled: Arc<AtomicBool>,
    down: Arc<AtomicBool>,
    /// Bumped to close every open connection.
    generation: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start(target: (String, u16)) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let p = Proxy {
            port,
            stalled: Arc::default(),
            down: Arc::default(),
            generation: Arc::default(),
            stop: Arc::default(),
        };
        let (stalled, down, generation, stop) =
            (p.stalled.clone(), p.down.clone(), p.generation.clone(), p.stop.clone());
        std::thread::spawn(move || {
            let mut listener = Some(listener);
            while !stop.load(Ordering::Relaxed) {
                match (&listener, down.load(Ordering::Relaxed)) {
                    // Down: not listening, so connections are refused.
                    (Some(_), true) => listener = None,
                    (None, false) => listener = TcpListener::bind(("127.0.0.1", port)).ok(),
                    _ => {}
                }
                let Some(l) = &listener else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                l.set_nonblocking(true).unwrap();
                match l.accept() {
                    Ok((client, _)) => {
                        let Ok(server) = TcpStream::connect((target.0.as_str(), target.1)) else {
                            continue;
                        };
                        let g = generation.load(Ordering::Relaxed);
                        for (from, to) in [
                            (client.try_clone().unwrap(), server.try_clone().unwrap()),
                            (server, client),
                        ] {
                            let (stalled, generation) = (stalled.clone(), generation.clone());
                            std::thread::spawn(move || pump(from, to, g, &stalled, &generation));
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        p
    }

    /// Close every connection now and refuse new ones until [`Proxy::up`].
    fn drop_link(&self) {
        self.down.store(true, Ordering::Relaxed);
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    fn up(&self) {
        self.down.store(false, Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.generation.fetch_add(1, Ordering::Relaxed);
    }
}

/// Copy `from` to `to` while the proxy is not stalled, until either side closes or the
/// proxy drops the connections of generation `g`.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    g: u64,
    stalled: &AtomicBool,
    generation: &AtomicU64,
) {
    from.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    while generation.load(Ordering::Relaxed) == g {
        if stalled.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// An ssh config naming the cluster's host, but through the proxy (the host key
/// checked as sshd's own port's).
fn ssh_config_through(p: &Project, proxy: &Proxy) -> PathBuf {
    let c = cluster();
    let out = Command::new("ssh")
        .arg("-G")
        .arg("-F")
        .arg(&c.ssh_config)
        .arg(&c.ssh_host)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let g = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| {
        g.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in ssh -G:\n{g}"))
            .to_string()
    };
    let (host, port) = (get("hostname"), get("port"));
    let cfg = format!(
        "Host {}\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  \
         HostKeyAlias [{host}]:{port}\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
         StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
        c.ssh_host,
        proxy.port,
        get("user"),
        get("identityfile"),
        get("userknownhostsfile").split_whitespace().next().unwrap(),
    );
    let path = p.state.join("ssh_config_proxy");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn sshd_target() -> (String, u16) {
    let c = cluster();
    let out = Command::new("ssh")
        .arg("-G")
        .arg("-F")
        .arg(&c.ssh_config)
        .arg(&c.ssh_host)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let g = String::from_utf8_lossy(&out.stdout).into_owned();
    let get =
        |key: &str| g.lines().find_map(|l| l.strip_prefix(&format!("{key} "))).unwrap().to_string();
    (get("hostname"), get("port").parse().unwrap())
}

/// `clusterls --ssh-config CFG --host HOST ARGS` in the project, through `cfg`.
fn cmd_via(p: &Project, cfg: &Path, args: &[&str]) -> Command {
    let c = cluster();
    let mut cmd = Command::new(engine_common::binary());
    cmd.arg("--ssh-config").arg(cfg).arg("--host").arg(&c.ssh_host).args(args);
    cmd.current_dir(&p.dir).env("CLUSTERLS_STATE_DIR", &p.state).stdin(Stdio::null());
    cmd
}

/// The link to the cluster stalls for 60 s (the proxy stops forwarding, connections
/// stay open): a command started during the stall ends within its timeout with a
/// message that says what went wrong; a follow across the stall is not lost; both
/// recover when the link resumes.
#[test]
fn the_link_stalled_for_60_seconds() {
    let _serial = serial();
    let p = project("fault-stall");
    let proxy = Proxy::start(sshd_target());
    let cfg = ssh_config_through(&p, &proxy);
    let script = p.write(
        "stall.py",
        "import time\nprint('started', flush=True)\ntime.sleep(20)\nprint('after the stall')\n",
    );
    let mut run = Watched::spawn(cmd_via(
        &p,
        &cfg,
        &["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()],
    ));
    assert!(run.finish(Duration::from_secs(120)).success(), "{}", run.stderr());
    let id = run.stdout().trim().trim_start_matches("job ").to_string();
    let follow = Watched::spawn(cmd_via(&p, &cfg, &["logs", &id, "--follow"]));
    follow.wait_err("RUNNING", Duration::from_secs(120));
    proxy.stalled.store(true, Ordering::Relaxed);
    let stalled = Instant::now();
    let mut during = Watched::spawn(cmd_via(&p, &cfg, &["jobs", "--refresh"]));
    let status = during.finish(Duration::from_secs(100));
    let took = stalled.elapsed();
    let during_err = during.stderr();
    eprintln!(
        "[fault] `jobs --refresh` during the stall: {status} after {took:.1?}:\n{during_err}"
    );
    assert!(!status.success(), "a command that cannot reach the cluster fails:\n{during_err}");
    assert!(
        during_err.contains("timed out") || during_err.contains("not answer"),
        "says what went wrong: {during_err}"
    );
    std::thread::sleep(Duration::from_secs(60).saturating_sub(stalled.elapsed()));
    proxy.stalled.store(false, Ordering::Relaxed);
    eprintln!("[fault] link resumed after {:.1?}", stalled.elapsed());
    let mut follow = follow;
    let status = follow.finish(Duration::from_secs(150));
    let err = follow.stderr();
    eprintln!("[fault] the follow across the stall: {status}\n{err}");
    let mut after = Watched::spawn(cmd_via(&p, &cfg, &["jobs", "--refresh", "--json"]));
    assert!(after.finish(Duration::from_secs(120)).success(), "{}", after.stderr());
    let v: Value = serde_json::from_str(&after.stdout()).unwrap();
    assert_eq!(v[0]["state"], "COMPLETED", "{v}");
    assert_no_false_state(&err);
    assert!(status.success(), "the follow survives a stalled link: {status}\n{err}");
    assert!(follow.stdout().contains("after the stall"), "{}", follow.stdout());
}

/// The link drops (every connection closed, new ones refused for 5 s, as when sshd
/// restarts) while `run --follow` watches a job: the follow reconnects and completes.
/// (The proxy stands for sshd: the cluster's one sshd also serves the other cluster and
/// every other test.)
#[test]
fn sshd_restarted_during_a_follow() {
    let _serial = serial();
    let p = project("fault-sshd");
    let proxy = Proxy::start(sshd_target());
    let cfg = ssh_config_through(&p, &proxy);
    let script = p.write(
        "sshd.py",
        "import time\nprint('started', flush=True)\ntime.sleep(20)\nprint('after the restart')\n",
    );
    let mut follow = Watched::spawn(cmd_via(
        &p,
        &cfg,
        &["run", "--follow", "--no-container", "--partition", "cpu", script.to_str().unwrap()],
    ));
    follow.wait_err("RUNNING", Duration::from_secs(120));
    proxy.drop_link();
    let dropped = Instant::now();
    wait_until("5 s of refused connections", Duration::from_secs(6), || {
        (dropped.elapsed() > Duration::from_secs(5)).then_some(())
    });
    proxy.up();
    let status = follow.finish(Duration::from_secs(150));
    let err = follow.stderr();
    eprintln!("[fault] what the user saw:\n{err}");
    assert_no_false_state(&err);
    assert!(status.success(), "{status}\n{err}");
    assert!(follow.stdout().contains("after the restart"), "{}", follow.stdout());
    assert_eq!(jobs(&p, &[])[0].1, "COMPLETED");
}

// --- the language server -------------------------------------------------------------

/// The language server is killed while three jobs run, and started again: the new
/// server re-attaches to all three and reports each COMPLETED.
#[test]
fn the_language_server_killed_while_three_jobs_run() {
    let _serial = serial();
    let p = project("fault-lsp");
    let c = cluster();
    let start = || {
        let mut cmd = Command::new(lsp_common::binary());
        cmd.arg("lsp")
            .current_dir(&p.dir)
            .env("RUST_LOG", "clusterls=debug")
            .env("CLUSTERLS_STATE_DIR", &p.state)
            .env("XDG_CONFIG_HOME", p.state.join("config"));
        let mut s = lsp_common::Server::spawn_command(cmd);
        let r = s.initialize(
            serde_json::json!({
                "host": c.ssh_host, "sshConfig": c.ssh_config, "partition": "cpu",
                "account": "lab_dev", "time": "00:10:00",
            }),
            Some(&p.dir),
        );
        assert!(r.get("result").is_some(), "{r}");
        s
    };
    let state_of = |s: &mut lsp_common::Server, id: &str, states: &str| {
        s.wait_up_to(Duration::from_secs(150), &format!("job {id} {states}"), |m| {
            m["method"] == "clusterls/jobState"
                && m["params"]["job"]["id"] == id
                && m["params"]["job"]["state"]
                    .as_str()
                    .is_some_and(|st| states.split('|').any(|x| x == st))
        })
    };
    let mut s = start();
    let mut ids = Vec::new();
    for n in 0..3 {
        let script = p.write(&format!("lsp{n}.py"), "import time\ntime.sleep(20)\nprint('done')\n");
        let r = s.request(
            "workspace/executeCommand",
            serde_json::json!({"command": "clusterls.server.run", "arguments": [{"uri": lsp_common::file_uri(&script)}]}),
        );
        let id = r["result"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
        ids.push(id);
    }
    for id in &ids {
        state_of(&mut s, id, "running");
    }
    let pid = s.pid();
    Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(!s.wait_exit().success());
    eprintln!("[fault] killed the language server (pid {pid}) with jobs {ids:?} running");
    let mut s = start();
    for id in &ids {
        let m = state_of(&mut s, id, "completed");
        assert_eq!(m["params"]["job"]["slurmState"], "COMPLETED", "{m}");
    }
    let listed =
        s.call("workspace/executeCommand", serde_json::json!({"command": "clusterls.server.jobs"}));
    for id in &ids {
        let j = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{listed}"));
        assert_eq!(j["state"], "completed", "{j}");
    }
    s.shutdown();
}
