//! Helpers shared by the integration tests: finding the local cluster that
//! `tests/cluster/up` started, and running commands against it.
//!
//! ```no_run
//! use clusterls_tests::{require_cluster, wait_until};
//! use std::time::Duration;
//!
//! // in tests/tests/my_feature.rs, under #[test]:
//! fn my_cluster_test() {
//!     // A panic (a failure that says how to start it) when there is no cluster.
//!     let c = require_cluster();
//!     let out = c.ssh_ok(&["sinfo", "-h", "-o", "%P"]);
//!     let id = c.sbatch(&["-p", "test", "-A", "lab_grads", "--wrap", "true"]).unwrap();
//!     assert_eq!(c.wait_job_done(id, Duration::from_secs(60)), "COMPLETED");
//!     // The CLI against the cluster (built on first use):
//!     let facts = c.clusterls(&["facts"]).output().unwrap();
//! }
//! ```
//!
//! Everything here waits on conditions (polling with a timeout), never on
//! fixed sleeps, and gives every child process explicit stdio.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where `tests/cluster/up` keeps its state unless `CLUSTERLS_CLUSTER_DIR` says otherwise.
pub const DEFAULT_CLUSTER_DIR: &str = "/var/tmp/clusterls-cluster";

/// The running local cluster, as described by `<state dir>/cluster.env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    /// The state directory (configs, keys, logs, pids, spool, database).
    pub dir: PathBuf,
    /// ssh config file with a `Host testcluster` entry (pass to `ssh -F`, `clusterls --ssh-config`).
    pub ssh_config: PathBuf,
    /// The host alias in `ssh_config`: `testcluster` (logs in as `alice`).
    pub ssh_host: String,
    /// The TLS registry, `host:port`.
    pub registry: String,
    /// A `docker://` reference of an image with python3 in that registry.
    pub image: String,
    /// The registry's self-signed certificate.
    pub registry_ca: PathBuf,
    /// Every compute node (`node01`, `node02`, `node03`), each its own slurmd.
    pub nodes: Vec<String>,
    /// The partition that spans several nodes (`multi`: node02 and node03, two
    /// typed GPUs each), for multi-node jobs; None with an older `up`.
    pub multi_partition: Option<String>,
    /// The nodes of [`ClusterInfo::multi_partition`].
    pub multi_nodes: Vec<String>,
    /// The GPU type of the multi-node partition's typed GRES (`a100`: `gpu:a100:2`).
    pub gpu_type: Option<String>,
}

/// The cluster state directory: `$CLUSTERLS_CLUSTER_DIR`, else [`DEFAULT_CLUSTER_DIR`].
pub fn cluster_dir() -> PathBuf {
    std::env::var_os("CLUSTERLS_CLUSTER_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CLUSTER_DIR))
}

/// The local cluster if it is up: `cluster.env` exists (`down` removes it) and
/// the daemons `up` recorded for sshd and slurmctld are alive.
///
/// With `CLUSTERLS_TEST_RELEASE=24.11` in the environment, the second cluster of
/// that release instead ([`release_cluster`]), so that any cluster test runs on it:
/// `CLUSTERLS_TEST_RELEASE=24.11 cargo test -p clusterls-tests --test engine_cluster`.
pub fn cluster() -> Option<ClusterInfo> {
    match std::env::var("CLUSTERLS_TEST_RELEASE") {
        Ok(release) if !release.is_empty() => release_cluster(&release),
        _ => main_cluster(),
    }
}

fn main_cluster() -> Option<ClusterInfo> {
    let dir = cluster_dir();
    let text = std::fs::read_to_string(dir.join("cluster.env")).ok()?;
    let info = parse_cluster_env(&text, &dir)?;
    let alive = ["sshd", "slurmctld", "slurmd"].iter().all(|name| recorded_pid_alive(&dir, name));
    alive.then_some(info)
}

/// The cluster a test needs: a missing cluster is a test FAILURE (a panic that says
/// how to start it), never a silent pass. Tests that need no cluster do not call this.
#[track_caller]
pub fn require_cluster() -> ClusterInfo {
    cluster().unwrap_or_else(|| no_main_cluster())
}

/// The cluster of `tests/cluster/up` (Slurm 22.05), whatever `CLUSTERLS_TEST_RELEASE`
/// says: for tests that name the release they run on. Missing: a failure.
#[track_caller]
pub fn require_main_cluster() -> ClusterInfo {
    main_cluster().unwrap_or_else(|| no_main_cluster())
}

#[track_caller]
fn no_main_cluster() -> ! {
    panic!(
        "no local cluster: {} is missing or its daemons are not running. \
         Start it with `tests/cluster/up` (as root), or run the whole suite with `tests/run-all`.",
        cluster_dir().join("cluster.env").display()
    );
}

/// A second local cluster running another Slurm release (`tests/cluster/up-release
/// 24.11`), if it is up: the same ssh config, user, registry and image as [`cluster`],
/// but its own ssh host (`testcluster-2411`), whose commands use that release's tools.
pub fn release_cluster(release: &str) -> Option<ClusterInfo> {
    let main = main_cluster()?;
    let dir = main.dir.join(format!("release-{release}"));
    let text = std::fs::read_to_string(dir.join("cluster.env")).ok()?;
    let vars: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let host = vars.get("CLUSTERLS_RELEASE_SSH_HOST")?.to_string();
    let alive = ["slurmctld", "slurmd-node01"].iter().all(|name| recorded_pid_alive(&dir, name));
    alive.then_some(ClusterInfo { ssh_host: host, ..main })
}

/// Like [`release_cluster`], with [`require_cluster`]'s rule: missing is a failure.
#[track_caller]
pub fn require_release_cluster(release: &str) -> ClusterInfo {
    if let Some(c) = release_cluster(release) {
        return c;
    }
    panic!(
        "no local Slurm {release} cluster: {} is missing or its daemons are not running. \
         Start it with `tests/cluster/up-release {release}` (as root), or run `tests/run-all`.",
        cluster_dir().join(format!("release-{release}/cluster.env")).display()
    );
}

fn parse_cluster_env(text: &str, dir: &Path) -> Option<ClusterInfo> {
    let vars: HashMap<&str, &str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .collect();
    Some(ClusterInfo {
        dir: vars.get("CLUSTERLS_CLUSTER_DIR").map_or_else(|| dir.to_path_buf(), PathBuf::from),
        ssh_config: PathBuf::from(vars.get("CLUSTERLS_SSH_CONFIG")?),
        ssh_host: vars.get("CLUSTERLS_SSH_HOST").unwrap_or(&"testcluster").to_string(),
        registry: vars.get("CLUSTERLS_REGISTRY")?.to_string(),
        image: vars.get("CLUSTERLS_IMAGE")?.to_string(),
        registry_ca: vars
            .get("CLUSTERLS_REGISTRY_CA")
            .map_or_else(|| dir.join("registry/certs/ca.crt"), PathBuf::from),
        nodes: list(vars.get("CLUSTERLS_NODES")),
        multi_partition: vars.get("CLUSTERLS_MULTI_PARTITION").map(|s| s.to_string()),
        multi_nodes: list(vars.get("CLUSTERLS_MULTI_NODES")),
        gpu_type: vars.get("CLUSTERLS_GPU_TYPE").map(|s| s.to_string()),
    })
}

/// A comma-separated cluster.env value as a list (empty when absent).
fn list(value: Option<&&str>) -> Vec<String> {
    value.map_or_else(Vec::new, |v| {
        v.split(',').filter(|s| !s.is_empty()).map(String::from).collect()
    })
}

fn recorded_pid_alive(dir: &Path, name: &str) -> bool {
    std::fs::read_to_string(dir.join("pids").join(format!("{name}.pid")))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
}

/// Quote one word for a POSIX shell (single quotes; `'` becomes `'\''`).
/// Safe for any text, including spaces, quotes, `$()`, `;` and newlines.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// Quote an argv into one remote shell command line (what ssh sends to sshd).
pub fn shell_join<S: AsRef<str>>(argv: &[S]) -> String {
    argv.iter().map(|a| shell_quote(a.as_ref())).collect::<Vec<_>>().join(" ")
}

/// Job states after which a job never changes again (sacct's State column;
/// a cancelled job shows `CANCELLED by <uid>`).
pub fn is_final_state(state: &str) -> bool {
    let word = state.split_whitespace().next().unwrap_or("");
    matches!(
        word,
        "COMPLETED"
            | "FAILED"
            | "CANCELLED"
            | "TIMEOUT"
            | "OUT_OF_MEMORY"
            | "NODE_FAIL"
            | "PREEMPTED"
            | "BOOT_FAIL"
            | "DEADLINE"
    )
}

impl ClusterInfo {
    /// The image reference without the `docker://` prefix, as `ch-image pull` wants it.
    pub fn image_ref(&self) -> &str {
        self.image.strip_prefix("docker://").unwrap_or(&self.image)
    }

    /// `ssh -F <config> testcluster -- <argv, each word shell-quoted>`, with
    /// stdin null and stdout/stderr piped. Add `.stdin(...)` to feed input.
    pub fn ssh_command<S: AsRef<str>>(&self, argv: &[S]) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.arg("-F")
            .arg(&self.ssh_config)
            .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"])
            .arg(&self.ssh_host)
            .arg("--")
            // ssh joins its arguments into one string for the remote shell: quote each word.
            .arg(shell_join(argv))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Run argv on the cluster as `alice` and return its output (whatever the exit status).
    pub fn ssh<S: AsRef<str>>(&self, argv: &[S]) -> Output {
        let argv: Vec<&str> = argv.iter().map(AsRef::as_ref).collect();
        self.ssh_command(&argv).output().unwrap_or_else(|e| {
            panic!("could not start ssh for {argv:?}: {e} (is openssh-client installed?)")
        })
    }

    /// Run argv on the cluster; panic with its stderr unless it succeeds; return stdout.
    #[track_caller]
    pub fn ssh_ok<S: AsRef<str>>(&self, argv: &[S]) -> String {
        let out = self.ssh(argv);
        assert!(out.status.success(), "{}", describe(&shell_join(argv), &out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run a shell script on the cluster (`bash -s`, script on stdin, so no quoting is needed).
    pub fn ssh_script(&self, script: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .ssh_command(&["bash", "-s"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start ssh: {e}"));
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(script.as_bytes()).expect("write script to ssh");
        drop(stdin);
        child.wait_with_output().expect("wait for ssh")
    }

    /// `sbatch --parsable ARGS` on the cluster: the job id, or sbatch's stderr.
    pub fn sbatch<S: AsRef<str>>(&self, args: &[S]) -> Result<u64, String> {
        let mut argv = vec!["sbatch", "--parsable"];
        argv.extend(args.iter().map(AsRef::as_ref));
        let out = self.ssh(&argv);
        let stdout = String::from_utf8_lossy(&out.stdout);
        match (out.status.success(), stdout.trim().split(';').next().and_then(|s| s.parse().ok())) {
            (true, Some(id)) => Ok(id),
            _ => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
        }
    }

    /// `clusterls --ssh-config <config> --host testcluster ARGS` with the binary
    /// from [`clusterls_bin`]; stdin null, stdout/stderr piped. Set `current_dir`
    /// to the project directory (the one with clusterls.toml) as needed.
    pub fn clusterls<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(clusterls_bin());
        cmd.arg("--ssh-config")
            .arg(&self.ssh_config)
            .arg("--host")
            .arg(&self.ssh_host)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// The job's State from sacct (`sacct -n -P -X -j ID -o State`), or None while
    /// sacct has no row yet (it lags about 0.75 s behind sbatch).
    pub fn sacct_state(&self, job_id: u64) -> Option<String> {
        let out = self.ssh(&["sacct", "-n", "-P", "-X", "-j", &job_id.to_string(), "-o", "State"]);
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
    }

    /// Wait until sacct reports a final state for the job (see [`is_final_state`]) and return it.
    #[track_caller]
    pub fn wait_job_done(&self, job_id: u64, timeout: Duration) -> String {
        wait_until(&format!("job {job_id} to finish (sacct)"), timeout, || {
            self.sacct_state(job_id).filter(|s| is_final_state(s))
        })
    }
}

/// A readable account of a finished command for assertion messages.
pub fn describe(what: &str, out: &Output) -> String {
    format!(
        "$ {what}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Poll `f` until it returns Some (first after 20 ms, backing off to 250 ms);
/// panic naming `what` if `timeout` passes first.
#[track_caller]
pub fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// The repository root (parent of this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The `clusterls` binary: `$CLUSTERLS_BIN` if set; otherwise built once per
/// test process with `cargo build -p clusterls --bin clusterls` into the same
/// target directory and profile as the running test (a no-op when fresh).
pub fn clusterls_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("CLUSTERLS_BIN").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        // The test runs as <target>/<profile>/deps/<name>-<hash>.
        let exe = std::env::current_exe().expect("current test executable");
        let profile_dir =
            exe.parent().and_then(Path::parent).expect("test binary in <target>/<profile>/deps");
        let target_dir = profile_dir.parent().expect("profile dir has a parent");
        let profile = profile_dir.file_name().and_then(OsStr::to_str).unwrap_or("debug");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "clusterls", "--bin", "clusterls"])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        match profile {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            other => {
                cmd.args(["--profile", other]);
            }
        }
        let status = cmd.status().expect("could not run cargo to build clusterls");
        assert!(
            status.success(),
            "cargo build -p clusterls failed ({status}); see the compiler output above"
        );
        let bin = profile_dir.join("clusterls");
        assert!(bin.exists(), "cargo build succeeded but {} does not exist", bin.display());
        bin
    })
    .clone()
}

/// `tests/data/REL` of this repository (recorded output, corpora, fixtures).
pub fn data_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}

/// A fresh directory of its own under the system temp dir,
/// `clusterls-TAG-PID-N` (unique per process and per call). Removed on drop when
/// the test passes; kept for a look when it fails (its path is in the panic's output
/// when the test prints it).
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("clusterls-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// A `Scratch` is used as the path it holds: `dir.join("a")`, `.current_dir(&dir)`.
impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Run `cmd` with `stdin` as its whole standard input (stdout and stderr captured).
/// A command that exits before reading it all (a usage error) is fine: the broken
/// pipe is ignored.
pub fn output_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {:?}: {e}", cmd.get_program()));
    if let Err(e) = child.stdin.take().expect("piped stdin").write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing the child's stdin: {e}");
    }
    child.wait_with_output().expect("wait for the child")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_hostile_words() {
        let words = ["plain", "with space", "it's", "$(rm -rf /)", "a;b", "new\nline", "", "*"];
        let line = shell_join(&words);
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {line}"))
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("run sh");
        let got: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_string)
            .collect();
        assert_eq!(got, words);
    }

    #[test]
    fn cluster_env_is_parsed() {
        let text = "CLUSTERLS_CLUSTER_DIR=/s\nCLUSTERLS_SSH_CONFIG=/s/ssh/config\nCLUSTERLS_SSH_HOST=testcluster\n\
                    CLUSTERLS_REGISTRY=127.0.0.1:5443\nCLUSTERLS_IMAGE=docker://127.0.0.1:5443/tiny/python:3.11\n";
        let c = parse_cluster_env(text, Path::new("/x")).unwrap();
        assert_eq!(c.dir, PathBuf::from("/s"));
        assert_eq!(c.ssh_config, PathBuf::from("/s/ssh/config"));
        assert_eq!(c.image_ref(), "127.0.0.1:5443/tiny/python:3.11");
        assert_eq!(c.registry_ca, PathBuf::from("/x/registry/certs/ca.crt"));
        assert_eq!(
            (c.nodes.len(), &c.multi_partition),
            (0, &None),
            "keys an older up did not write"
        );
        let c = parse_cluster_env(
            &format!(
                "{text}CLUSTERLS_NODES=node01,node02,node03\nCLUSTERLS_MULTI_PARTITION=multi\n\
                 CLUSTERLS_MULTI_NODES=node02,node03\nCLUSTERLS_GPU_TYPE=a100\n"
            ),
            Path::new("/x"),
        )
        .unwrap();
        assert_eq!(c.nodes, ["node01", "node02", "node03"]);
        assert_eq!(c.multi_partition.as_deref(), Some("multi"));
        assert_eq!(c.multi_nodes, ["node02", "node03"]);
        assert_eq!(c.gpu_type.as_deref(), Some("a100"));
        assert_eq!(parse_cluster_env("CLUSTERLS_SSH_CONFIG=/a\n", Path::new("/x")), None);
    }

    #[test]
    fn final_states() {
        for s in ["COMPLETED", "FAILED", "CANCELLED by 1001", "TIMEOUT", "OUT_OF_MEMORY"] {
            assert!(is_final_state(s), "{s}");
        }
        for s in ["PENDING", "RUNNING", "COMPLETING", "REQUEUED", ""] {
            assert!(!is_final_state(s), "{s}");
        }
    }
}
