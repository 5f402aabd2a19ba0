//! Running commands on the cluster: a small [`Transport`] trait with a local
//! implementation (clusterls already runs on a login node; `--host local`) and an ssh
//! one (the `openssh` crate over a ControlMaster socket).
//!
//! Every command is an argv. Locally it is executed without any shell; over ssh each
//! word is escaped by `openssh`'s `arg()` for the remote login shell, so file names with
//! spaces, quotes, `$()`, backticks, `;`, newlines or non-ASCII arrive intact and never
//! execute. Every command has a timeout and explicit stdin/stdout/stderr.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, Semaphore};

use super::error::{EngineError, Result};
use super::shell;

/// One command to run on the cluster.
#[derive(Debug, Clone)]
pub struct Exec {
    pub argv: Vec<String>,
    /// Bytes fed to the command's stdin (then closed). Empty: stdin is /dev/null.
    pub stdin: Vec<u8>,
    pub timeout: Duration,
    /// Short description for errors and logs (`sbatch`, `facts`).
    pub what: String,
    /// Safe to send again if the connection died before the command started.
    pub idempotent: bool,
    /// Called with each line of stderr as it arrives (progress of long commands).
    pub stderr_lines: Option<LineSink>,
}

/// A callback for lines of output.
#[derive(Clone)]
pub struct LineSink(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for LineSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineSink")
    }
}

/// Read everything, handing each line to `sink` as it arrives.
async fn collect<R: tokio::io::AsyncRead + Unpin>(
    r: Option<R>,
    sink: Option<&LineSink>,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncBufReadExt;
    let Some(r) = r else { return Ok(Vec::new()) };
    let mut reader = tokio::io::BufReader::new(r);
    let mut all = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            break;
        }
        if let Some(s) = sink {
            (s.0)(String::from_utf8_lossy(&line).trim_end());
        }
        all.extend_from_slice(&line);
    }
    Ok(all)
}

impl Exec {
    pub fn new(what: &str, argv: Vec<String>) -> Exec {
        Exec {
            argv,
            stdin: Vec::new(),
            timeout: Duration::from_secs(60),
            what: what.into(),
            idempotent: true,
            stderr_lines: None,
        }
    }
    pub fn stdin(mut self, bytes: Vec<u8>) -> Exec {
        self.stdin = bytes;
        self
    }
    pub fn timeout(mut self, t: Duration) -> Exec {
        self.timeout = t;
        self
    }
    pub fn stderr_lines(mut self, sink: LineSink) -> Exec {
        self.stderr_lines = Some(sink);
        self
    }
    pub fn not_idempotent(mut self) -> Exec {
        self.idempotent = false;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    /// Exit status; 128+N when killed by signal N; -1 unknown.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Transport: Send + Sync {
    /// Run one command; one network round trip for ssh on a warm connection.
    fn exec(&self, exec: Exec) -> BoxFuture<'_, Result<Output>>;
    /// Commands sent so far (the benchmark reports it).
    fn round_trips(&self) -> u64;
}

fn exit_status(s: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    s.code().or_else(|| s.signal().map(|n| 128 + n)).unwrap_or(-1)
}

/// Runs commands on this machine, without a shell.
#[derive(Debug, Default)]
pub struct LocalTransport {
    trips: AtomicU64,
}

impl LocalTransport {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Transport for LocalTransport {
    fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    fn exec(&self, exec: Exec) -> BoxFuture<'_, Result<Output>> {
        Box::pin(async move {
            self.trips.fetch_add(1, Ordering::Relaxed);
            let Some((program, args)) = exec.argv.split_first() else {
                return Err(EngineError::Usage("empty command".into()));
            };
            let mut cmd = tokio::process::Command::new(program);
            cmd.args(args)
                .stdin(if exec.stdin.is_empty() { Stdio::null() } else { Stdio::piped() })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true);
            let mut child =
                cmd.spawn().map_err(|e| EngineError::io(format!("cannot start `{program}`"), e))?;
            let stdin = child.stdin.take();
            let input = exec.stdin;
            let sink = exec.stderr_lines.clone();
            let run = async move {
                let write = async move {
                    if let Some(mut w) = stdin {
                        // A command that exits without reading all of stdin is not an error here.
                        let _ = w.write_all(&input).await;
                        let _ = w.shutdown().await;
                    }
                };
                let (out, err) = (child.stdout.take(), child.stderr.take());
                let (_, out, err) =
                    tokio::join!(write, collect(out, None), collect(err, sink.as_ref()));
                let status = child.wait().await?;
                Ok::<_, std::io::Error>(std::process::Output { status, stdout: out?, stderr: err? })
            };
            match tokio::time::timeout(exec.timeout, run).await {
                Err(_) => Err(EngineError::Timeout {
                    host: "local".into(),
                    what: exec.what,
                    secs: exec.timeout.as_secs(),
                }),
                Ok(Err(e)) => Err(EngineError::io(format!("`{}`", exec.what), e)),
                Ok(Ok(o)) => {
                    Ok(Output { status: exit_status(o.status), stdout: o.stdout, stderr: o.stderr })
                }
            }
        })
    }
}

/// How to reach an ssh host.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// Host alias from the user's ssh config (or `user@host`).
    pub host: String,
    /// `--ssh-config`, passed to ssh as `-F`.
    pub config: Option<PathBuf>,
    /// Concurrent commands on the connection; sshd's MaxSessions defaults to 10.
    pub max_sessions: usize,
    pub connect_timeout: Duration,
    /// Where clusterls keeps its own control sockets (default `~/.cache/clusterls/cm`).
    pub control_dir: Option<PathBuf>,
    /// How long our own master stays up after the last command.
    pub persist: Duration,
}

impl SshOptions {
    pub fn new(host: &str, config: Option<PathBuf>) -> Self {
        SshOptions {
            host: host.into(),
            config,
            max_sessions: 8,
            connect_timeout: Duration::from_secs(15),
            control_dir: None,
            persist: Duration::from_secs(600),
        }
    }

    fn base_ssh(&self) -> tokio::process::Command {
        let mut c = tokio::process::Command::new("ssh");
        if let Some(f) = &self.config {
            c.arg("-F").arg(f);
        }
        c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        c
    }

    /// `ssh [-F cfg]` as a command line the user can paste.
    fn ssh_words(&self) -> Vec<String> {
        let mut v = vec!["ssh".to_string()];
        if let Some(f) = &self.config {
            v.push("-F".into());
            v.push(f.display().to_string());
        }
        v
    }
}

/// Options ssh resolved for a host (`ssh -G`): lower-case keys, first value wins.
pub fn parse_ssh_g(text: &str) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once(' ') {
            m.entry(k.to_ascii_lowercase()).or_insert_with(|| v.trim().to_string());
        }
    }
    m
}

/// What ssh's log says about a failed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// Needs a password, a code or a key passphrase.
    NeedsPrompt,
    HostKey,
    Other,
}

pub fn classify_ssh_failure(log: &str) -> LoginFailure {
    let l = log.to_ascii_lowercase();
    if l.contains("host key verification failed")
        || l.contains("remote host identification has changed")
        || l.contains("no matching host key")
        || l.contains("host key for") && l.contains("has changed")
    {
        LoginFailure::HostKey
    } else if l.contains("permission denied")
        || l.contains("keyboard-interactive")
        || l.contains("passphrase")
        || l.contains("password")
        || l.contains("too many authentication failures")
    {
        LoginFailure::NeedsPrompt
    } else {
        LoginFailure::Other
    }
}

/// An ssh connection through a ControlMaster socket, using openssh's native mux client
/// (it speaks the mux protocol over the socket: no `ssh` process per command).
pub struct SshTransport {
    opts: SshOptions,
    session: Mutex<Option<Arc<openssh::Session>>>,
    sem: Semaphore,
    trips: AtomicU64,
    /// The socket we attached to, and whether it is the user's own master.
    attached: std::sync::Mutex<Option<(PathBuf, bool)>>,
}

impl SshTransport {
    pub fn new(opts: SshOptions) -> Self {
        let n = opts.max_sessions.max(1);
        SshTransport {
            opts,
            session: Mutex::new(None),
            sem: Semaphore::new(n),
            trips: AtomicU64::new(0),
            attached: std::sync::Mutex::new(None),
        }
    }

    /// `--ssh-config`, absolute (it is kept with the jobs, for other shells).
    pub fn ssh_config(&self) -> Option<String> {
        let p = self.opts.config.as_ref()?;
        Some(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string())
    }

    /// The control socket in use and whether it belongs to the user (never closed by us).
    pub fn attached(&self) -> Option<(PathBuf, bool)> {
        self.attached.lock().ok()?.clone()
    }

    async fn run_local(
        &self,
        mut cmd: tokio::process::Command,
        what: &str,
    ) -> Result<std::process::Output> {
        let fut = cmd.output();
        match tokio::time::timeout(self.opts.connect_timeout + Duration::from_secs(5), fut).await {
            Err(_) => Err(EngineError::Timeout {
                host: self.opts.host.clone(),
                what: what.into(),
                secs: self.opts.connect_timeout.as_secs() + 5,
            }),
            Ok(r) => r.map_err(|e| EngineError::io("cannot run ssh (is OpenSSH installed?)", e)),
        }
    }

    async fn master_alive(&self, socket: &Path) -> Result<bool> {
        if !socket.exists() {
            return Ok(false);
        }
        // The mux protocol's own alive check, not `ssh -O check`: when the socket accepts
        // but no master answers (one that is dying, or anything else on the path), that
        // logs in without a master and exits 0. (A resumed Session never closes the master.)
        let s = openssh::Session::resume_mux(socket.to_path_buf().into_boxed_path(), None);
        let check = tokio::time::timeout(self.opts.connect_timeout, s.check()).await;
        Ok(matches!(check, Ok(Ok(()))))
    }

    fn own_socket(&self) -> Result<PathBuf> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.opts.host.hash(&mut h);
        self.opts.config.hash(&mut h);
        let name = format!("{:016x}", h.finish());
        let home =
            std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp"));
        let mut dir =
            self.opts.control_dir.clone().unwrap_or_else(|| home.join(".cache/clusterls/cm"));
        // A control socket path must stay under 108 bytes, and ssh adds a 17-byte
        // temporary suffix while creating it.
        if dir.join(&name).as_os_str().len() > 88 {
            let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
            dir = PathBuf::from(format!("/tmp/clusterls-{}", shell::safe_name(&user)));
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| EngineError::io(format!("cannot create {}", dir.display()), e))?;
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(dir.join(name))
    }

    /// Attach to a live master (the user's first, then our own), or start our own.
    async fn connect(&self) -> Result<Arc<openssh::Session>> {
        let host = &self.opts.host;
        let mut g = self.opts.base_ssh();
        g.arg("-G").arg(host);
        let out = self.run_local(g, "ssh -G").await?;
        if !out.status.success() {
            return Err(EngineError::Connect {
                host: host.clone(),
                detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
                command: shell::join(self.opts.ssh_words().iter().chain([&"-G".to_string(), host])),
            });
        }
        let resolved = parse_ssh_g(&String::from_utf8_lossy(&out.stdout));
        if let Some(cp) = resolved.get("controlpath").filter(|p| *p != "none") {
            let cp = PathBuf::from(cp);
            if self.master_alive(&cp).await? {
                tracing::info!(socket = %cp.display(), "attaching to the user's ssh master");
                *self.attached.lock().unwrap() = Some((cp.clone(), true));
                return Ok(Arc::new(openssh::Session::resume_mux(cp.into_boxed_path(), None)));
            }
        }
        let socket = self.own_socket()?;
        if !self.master_alive(&socket).await? {
            let _ = std::fs::remove_file(&socket);
            let log = socket.with_extension("log");
            let _ = std::fs::remove_file(&log);
            let mut m = self.opts.base_ssh();
            // BatchMode: never prompt (we have no terminal). Host keys are checked as the
            // user's config says: no StrictHostKeyChecking option is passed.
            m.args(["-o", "ControlMaster=yes", "-o", "BatchMode=yes"])
                .arg("-o")
                .arg(format!("ControlPath={}", socket.display()))
                .arg("-o")
                .arg(format!("ControlPersist={}", self.opts.persist.as_secs()))
                .arg("-o")
                .arg(format!("ConnectTimeout={}", self.opts.connect_timeout.as_secs().max(1)))
                .arg("-E")
                .arg(&log)
                .args(["-f", "-N"])
                .arg(host)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let out = self.run_local(m, "ssh (start master)").await?;
            if !out.status.success() || !socket.exists() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let detail = text
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("ssh exited")
                    .trim()
                    .to_string();
                let mut words = self.opts.ssh_words();
                return Err(match classify_ssh_failure(&text) {
                    LoginFailure::NeedsPrompt => {
                        words.extend([
                            "-o".into(),
                            "ControlMaster=yes".into(),
                            "-o".into(),
                            format!("ControlPath={}", socket.display()),
                            "-o".into(),
                            "ControlPersist=yes".into(),
                            "-fN".into(),
                            host.clone(),
                        ]);
                        EngineError::LoginRequired {
                            host: host.clone(),
                            command: shell::join(&words),
                            argv: words,
                        }
                    }
                    LoginFailure::HostKey => {
                        words.push(host.clone());
                        EngineError::HostKey {
                            host: host.clone(),
                            detail,
                            command: shell::join(&words),
                        }
                    }
                    LoginFailure::Other => {
                        words.push(host.clone());
                        EngineError::Connect {
                            host: host.clone(),
                            detail,
                            command: shell::join(&words),
                        }
                    }
                });
            }
            tracing::info!(socket = %socket.display(), "started an ssh master");
        }
        *self.attached.lock().unwrap() = Some((socket.clone(), false));
        // resume_mux: the Session never shuts the master down on drop; ours ends by
        // ControlPersist, the user's is theirs.
        Ok(Arc::new(openssh::Session::resume_mux(socket.into_boxed_path(), None)))
    }

    async fn session(&self, replace: bool) -> Result<Arc<openssh::Session>> {
        let mut guard = self.session.lock().await;
        if replace {
            *guard = None;
        }
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.connect().await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    /// argv for an interactive terminal running `remote` on the host through the same
    /// control socket (no new login): `ssh -t [-F cfg] -S SOCKET HOST 'word' ...`.
    /// ssh joins the remote words with spaces for the remote shell, so each is quoted.
    pub fn terminal_argv(&self, remote: &[String]) -> Vec<String> {
        let mut v = self.opts.ssh_words();
        v.push("-t".into());
        if let Some((socket, _)) = self.attached() {
            v.push("-S".into());
            v.push(socket.display().to_string());
        }
        v.push(self.opts.host.clone());
        v.extend(remote.iter().map(|w| shell::quote(w)));
        v
    }

    /// Open (or attach to) the connection now, so that errors such as
    /// [`EngineError::LoginRequired`] come before any work.
    pub async fn ensure_connected(&self) -> Result<()> {
        self.session(false).await.map(|_| ())
    }

    async fn exec_once(
        &self,
        session: Arc<openssh::Session>,
        exec: &Exec,
    ) -> std::result::Result<Output, (bool, EngineError)> {
        let host = self.opts.host.clone();
        let (program, args) =
            exec.argv.split_first().ok_or((false, EngineError::Usage("empty command".into())))?;
        let mut cmd = openssh::Session::to_command(session, program.as_str());
        for a in args {
            cmd.arg(a);
        }
        cmd.stdin(if exec.stdin.is_empty() {
            openssh::Stdio::null()
        } else {
            openssh::Stdio::piped()
        })
        .stdout(openssh::Stdio::piped())
        .stderr(openssh::Stdio::piped());
        let run = async {
            // Failing to start means the master is gone: safe to reconnect and retry.
            let mut child = cmd.spawn().await.map_err(|e| (true, e))?;
            let stdin = child.stdin().take();
            let write = async move {
                if let Some(mut w) = stdin {
                    let _ = w.write_all(&exec.stdin).await;
                    let _ = w.shutdown().await;
                }
            };
            let (out, err) = (child.stdout().take(), child.stderr().take());
            let sink = exec.stderr_lines.as_ref();
            let (_, out, err) = tokio::join!(write, collect(out, None), collect(err, sink));
            let io = |e: std::io::Error| (false, openssh::Error::ChildIo(e));
            let (stdout, stderr) = (out.map_err(io)?, err.map_err(io)?);
            // Wait only after the output is read: openssh ends the readers when the
            // child is reaped.
            let status = child.wait().await.map_err(|e| (false, e))?;
            Ok(std::process::Output { status, stdout, stderr })
        };
        match tokio::time::timeout(exec.timeout, run).await {
            Err(_) => Err((
                false,
                EngineError::Timeout {
                    host,
                    what: exec.what.clone(),
                    secs: exec.timeout.as_secs(),
                },
            )),
            Ok(Err((before_start, e))) => Err((
                before_start,
                EngineError::Connect {
                    host: host.clone(),
                    detail: format!("{e} (while running `{}`)", exec.what),
                    command: shell::join(self.opts.ssh_words().iter().chain([&host])),
                },
            )),
            Ok(Ok(o)) => {
                Ok(Output { status: exit_status(o.status), stdout: o.stdout, stderr: o.stderr })
            }
        }
    }
}

impl Transport for SshTransport {
    fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    fn exec(&self, exec: Exec) -> BoxFuture<'_, Result<Output>> {
        Box::pin(async move {
            let _permit = self.sem.acquire().await.expect("semaphore never closed");
            self.trips.fetch_add(1, Ordering::Relaxed);
            let session = self.session(false).await?;
            match self.exec_once(session, &exec).await {
                Ok(o) => Ok(o),
                Err((true, e)) => {
                    // The master died (network drop, ControlPersist expired): replace it
                    // and send the command again; it had not started.
                    // Recovered here; a failure to reconnect reaches the caller.
                    tracing::info!("ssh master unusable ({e}); reconnecting");
                    let session = self.session(true).await?;
                    self.exec_once(session, &exec).await.map_err(|(_, e)| e)
                }
                Err((false, e)) => {
                    if matches!(e, EngineError::Connect { .. }) && exec.idempotent {
                        let session = self.session(true).await?;
                        return self.exec_once(session, &exec).await.map_err(|(_, e)| e);
                    }
                    Err(e)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests;
