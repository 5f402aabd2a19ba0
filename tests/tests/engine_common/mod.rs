//! Shared by the engine tests: the local cluster (`tests/cluster/up`), the `clusterls`
//! binary, and a fresh project directory + job store per test.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Any single wait in these tests.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// The `clusterls` binary: `$CLUSTERLS_BIN`, else built next to this test binary.
pub fn binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("CLUSTERLS_BIN") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("current exe");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "clusterls", "--bin", "clusterls"]);
        if release {
            cmd.arg("--release");
        }
        cmd.env("CARGO_TARGET_DIR", profile_dir.parent().expect("target dir"));
        cmd.stdin(Stdio::null()).stdout(Stdio::inherit()).stderr(Stdio::inherit());
        assert!(cmd.status().expect("cargo build").success(), "cargo build -p clusterls failed");
        profile_dir.join("clusterls")
    })
    .clone()
}

pub struct Cluster {
    pub ssh_config: PathBuf,
    pub host: String,
    pub image: String,
    pub registry_ca: String,
    pub dir: PathBuf,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();

/// The local cluster (`tests/cluster/up`), or None when it is not up outside CI
/// (`clusterls_tests::require_cluster` panics instead under CI=true).
pub fn try_cluster() -> Option<&'static Cluster> {
    CLUSTER
        .get_or_init(|| {
            clusterls_tests::require_cluster().map(|c| Cluster {
                ssh_config: c.ssh_config,
                host: c.ssh_host,
                image: c.image,
                registry_ca: c.registry_ca.display().to_string(),
                dir: c.dir,
            })
        })
        .as_ref()
}

/// The cluster, once a test has checked [`try_cluster`].
pub fn cluster() -> &'static Cluster {
    try_cluster().expect("the test checked try_cluster() first")
}

/// A fresh project directory (with clusterls.toml) and job store; removed when the
/// test passes, kept for a look when it fails.
pub struct Project {
    pub dir: PathBuf,
    pub state: PathBuf,
}

impl Drop for Project {
    fn drop(&mut self) {
        if !std::thread::panicking()
            && let Some(base) = self.dir.parent()
        {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}

impl Project {
    /// None (the test is skipped) when the local cluster is not up outside CI.
    pub fn new(tag: &str) -> Option<Project> {
        try_cluster()?;
        let base =
            std::env::temp_dir().join(format!("clusterls-engine-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let dir = base.join("project");
        let state = base.join("state");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        // alice (the --host local tests) must read it all.
        chmod_r(&base);
        std::fs::write(
            dir.join("clusterls.toml"),
            "account = \"lab_dev\"\ntime = \"10\"\n[pull]\npartition = \"test\"\naccount = \"lab_dev\"\n",
        )
        .unwrap();
        Some(Project { dir, state })
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
        cmd.arg("--ssh-config").arg(&c.ssh_config).arg("--host").arg(&c.host).args(args);
        cmd.current_dir(&self.dir)
            .env("CLUSTERLS_STATE_DIR", &self.state)
            .env("RUST_LOG", "clusterls=info")
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
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Run a command on the cluster as alice through the test ssh config.
pub fn ssh(args: &[&str]) -> Output {
    let c = cluster();
    Command::new("ssh")
        .arg("-F")
        .arg(&c.ssh_config)
        .arg(&c.host)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("ssh")
}
