//! Shared by the engine tests: the local cluster (`tests/cluster/up`), the `clusterls`
//! binary, and a fresh project directory + job store per test.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clusterls_tests::Scratch;

/// Any single wait in these tests.
pub const TIMEOUT: Duration = Duration::from_secs(120);

pub use clusterls_tests::clusterls_bin as binary;

pub use clusterls_tests::ClusterInfo as Cluster;

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The local cluster (`tests/cluster/up`); a test that calls this fails (never passes
/// silently) when the cluster is not up.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(clusterls_tests::require_cluster)
}

/// A fresh project directory (with clusterls.toml) and job store; removed when the
/// test passes, kept for a look when it fails.
pub struct Project {
    pub dir: PathBuf,
    pub state: PathBuf,
    scratch: Scratch,
}

impl Project {
    /// Fails the test when the local cluster is not up.
    pub fn new(tag: &str) -> Project {
        cluster();
        let scratch = Scratch::new(&format!("engine-{tag}"));
        let base = scratch.path();
        let dir = base.join("project");
        let state = base.join("state");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        // alice (the --host local tests) must read it all.
        chmod_r(base);
        std::fs::write(
            dir.join("clusterls.toml"),
            "account = \"lab_dev\"\ntime = \"10\"\n[pull]\npartition = \"test\"\naccount = \"lab_dev\"\n",
        )
        .unwrap();
        Project { dir, state, scratch }
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        chmod_r(&self.dir);
        p
    }

    /// `clusterls --ssh-config CFG --host testcluster ARGS` in the project directory.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let c = cluster();
        let mut cmd = Command::new(binary());
        cmd.arg("--ssh-config").arg(&c.ssh_config).arg("--host").arg(&c.ssh_host).args(args);
        cmd.current_dir(&self.dir)
            .env("CLUSTERLS_STATE_DIR", &self.state)
            .env("RUST_LOG", "clusterls=info")
            .stdin(Stdio::null());
        cmd
    }

    /// `clusterls --host local ARGS` run as the unix `user` (through `runuser`; the
    /// tests run as root), with this project's job store: the engine then calls
    /// sbatch, squeue and sacct itself, as that user.
    pub fn cmd_as(&self, user: &str, args: &[&str]) -> Command {
        let c = cluster();
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", user, "--", "env"])
            .arg(format!("CLUSTERLS_STATE_DIR={}", self.state.display()))
            .arg("CH_IMAGE_CACHE=disabled")
            .arg(format!("REQUESTS_CA_BUNDLE={}", c.registry_ca.display()))
            .arg("PATH=/usr/local/bin:/usr/bin:/bin")
            .arg(binary())
            .args(["--host", "local"])
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self
            .cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("spawn clusterls");
        eprintln!(
            "$ clusterls {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

pub fn chmod_r(p: &Path) {
    let _ = Command::new("chmod").arg("-R").arg("a+rwX").arg(p).status();
    // Parents too: alice walks down to it.
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Read a child's stdout lines until one matches, within TIMEOUT.
pub fn wait_line(
    child: &mut Child,
    pred: impl Fn(&str) -> bool,
) -> (Vec<String>, BufReader<std::process::ChildStdout>) {
    let out = child.stdout.take().expect("piped stdout");
    let mut r = BufReader::new(out);
    let start = Instant::now();
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).unwrap();
        assert!(n > 0, "child ended before the expected line; saw {seen:?}");
        eprint!("> {line}");
        let done = pred(line.trim_end());
        seen.push(line.trim_end().to_string());
        if done {
            return (seen, r);
        }
        assert!(start.elapsed() < TIMEOUT, "no matching line; saw {seen:?}");
    }
}

/// Poll `f` until it returns Some, within TIMEOUT (a condition, never a fixed sleep).
#[track_caller]
pub fn wait_for<T>(what: &str, f: impl FnMut() -> Option<T>) -> T {
    clusterls_tests::wait_until(what, TIMEOUT, f)
}

/// Run a command on the cluster as alice through the test ssh config (each word
/// quoted for the remote shell).
pub fn ssh(args: &[&str]) -> Output {
    cluster().ssh(args)
}

/// The run directory a `clusterls run` reported on stderr
/// (`clusterls: run directory DIR on HOST`).
pub fn run_dir(out: &Output) -> String {
    let err = stderr(out);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("clusterls: run directory "))
        .unwrap_or_else(|| panic!("no run directory reported:\n{err}"));
    line.rsplit_once(" on ").expect("`DIR on HOST`").0.to_string()
}

/// A unix user of the machine (created if missing) with a lab_dev association on
/// every partition, for measurements that must not mix with other tests' (they
/// all run as alice). Needs root, as the whole suite does.
pub fn ensure_slurm_user(user: &str) {
    let run = |argv: &[&str]| {
        Command::new(argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", argv[0]))
    };
    if !run(&["id", user]).status.success() {
        let o = run(&["useradd", "--create-home", "--shell", "/bin/bash", user]);
        assert!(o.status.success(), "useradd {user} (the tests run as root): {}", stderr(&o));
    }
    let shown =
        run(&["sacctmgr", "-nP", "show", "assoc", &format!("user={user}"), "format=account"]);
    if !stdout(&shown).contains("lab_dev") {
        let o = run(&[
            "sacctmgr",
            "-i",
            "add",
            "user",
            user,
            "Account=lab_dev",
            "Partition=cpu,test,gpu",
        ]);
        assert!(o.status.success(), "sacctmgr add user {user}: {}", stderr(&o));
    }
}

/// The RPCs slurmctld has counted for `user` (sdiag's per-user statistics).
pub fn slurmctld_rpcs(user: &str) -> u64 {
    let out = ssh(&["sdiag"]);
    assert!(out.status.success(), "sdiag: {}", stderr(&out));
    let text = stdout(&out);
    let users = text
        .split_once("Remote Procedure Call statistics by user")
        .unwrap_or_else(|| panic!("no per-user statistics in sdiag's output:\n{text}"))
        .1;
    users
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Pending RPC"))
        .find(|l| l.split(|c: char| c == '(' || c.is_whitespace()).next() == Some(user))
        .and_then(|l| l.split("count:").nth(1)?.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
