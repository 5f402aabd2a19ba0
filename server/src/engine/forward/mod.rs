//! Port forwards into a job's node through the ControlMaster: `clusterls forward JOB
//! [LOCAL:]REMOTE_PORT`, `--list`, `--close`, and the servers started for one
//! (`jupyter`, `tensorboard`, in [`serve`]). The decisions are in [`plan`].
//!
//! A forward is a request on the mux (openssh's native mux client,
//! `Session::request_port_forward`, what `ssh -O forward -L` sends): the master that
//! already carries every command listens on 127.0.0.1:LOCAL and the login host's sshd
//! connects to NODE:PORT, so no new login happens and no `ssh` process is started for
//! it. The forward lives in the master; clusterls keeps a record of it
//! (`forwards/LOCAL.json` in the state directory) and ONE small watcher process per
//! host (`clusterls --host H forward --watch`, detached; it holds the lock
//! `forwards/watch-NAME.lock` while it lives, so a second one exits at once) that asks
//! squeue about all the host's forwarded jobs with one call per tick, no more often than
//! the tracker polls ([`policy::poll_interval`]), and cancels a forward on the mux
//! (`close_port_forward`, `ssh -O cancel`) when its job ends. `clusterls cancel JOB`
//! closes the job's forwards at once (`Engine::cancel`). It also keeps a master of
//! clusterls's own from expiring (each check is a mux client, which resets
//! ControlPersist's timer).

pub mod plan;
pub mod serve;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use openssh::{ForwardType, Session, Socket};

use super::Engine;
use super::error::{EngineError, Result};
use super::policy;
use super::sessions::plan::{ForwardSpec, check_job_id};
use super::store;
use super::transport::Exec;
use plan::{ForwardRecord, JobNow};

fn listen(local: u16) -> Socket<'static> {
    Socket::new("127.0.0.1", local)
}

fn connect_to(node: &str, port: u16) -> Socket<'static> {
    Socket::new(node.to_string(), port)
}

async fn mux(socket: &str) -> Option<Session> {
    let s = Session::resume_mux(PathBuf::from(socket).into_boxed_path(), None);
    match tokio::time::timeout(Duration::from_secs(10), s.check()).await {
        Ok(Ok(())) => Some(s),
        _ => None,
    }
}

/// Cancel the forward on its master; a master that is gone took the forward with it.
async fn cancel_on_master(rec: &ForwardRecord) -> Result<()> {
    let Some(s) = mux(&rec.socket).await else { return Ok(()) };
    s.close_port_forward(
        ForwardType::Local,
        listen(rec.local_port),
        connect_to(&rec.node, rec.remote_port),
    )
    .await
    .map_err(|e| EngineError::Usage(format!(
        "the ssh master did not cancel the forward of 127.0.0.1:{} ({e}); `ssh -S {} -O cancel -L 127.0.0.1:{}:{}:{} HOST` does it by hand",
        rec.local_port, rec.socket, rec.local_port, rec.node, rec.remote_port
    )))
}

/// Whether a connection through the new forward is closed at once without a byte:
/// what ssh does when the login host's sshd refuses to open the channel (a site with
/// `AllowTcpForwarding no`). A server that answers, or waits for a request, keeps it
/// open; a refusal slower than the window goes unnoticed (and the forward is kept).
async fn refused_through(local: u16) -> bool {
    use tokio::io::AsyncReadExt;
    let Ok(mut c) = tokio::net::TcpStream::connect(("127.0.0.1", local)).await else {
        return false;
    };
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_millis(500), c.read(&mut byte)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

/// Take the exclusive lock of `f` without waiting (flock(2), released by the kernel
/// when the holder dies): whether it was taken.
fn try_lock(f: &std::fs::File) -> bool {
    rustix::fs::flock(f, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
}

/// Whether the lock file at `path` is held (by a live watcher: the kernel releases a
/// dead process's lock).
fn lock_held(path: &std::path::Path) -> bool {
    let Ok(f) =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
    else {
        return false;
    };
    match try_lock(&f) {
        true => {
            let _ = rustix::fs::flock(&f, rustix::fs::FlockOperation::Unlock);
            false
        }
        false => true,
    }
}

impl Engine {
    fn forwards_dir(&self) -> PathBuf {
        self.inner.state_dir.join("forwards")
    }

    fn forward_path(&self, local: u16) -> PathBuf {
        self.forwards_dir().join(format!("{local}.json"))
    }

    fn read_forward(&self, local: u16) -> Option<ForwardRecord> {
        let text = std::fs::read_to_string(self.forward_path(local)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn write_forward(&self, rec: &ForwardRecord, new: bool) -> Result<()> {
        use std::io::Write;
        let dir = self.forwards_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| EngineError::io(format!("cannot create {}", dir.display()), e))?;
        let path = self.forward_path(rec.local_port);
        let json = serde_json::to_vec_pretty(rec).expect("a forward record serializes");
        if new {
            // Created new: a second process forwarding the same local port stops here.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => EngineError::Usage(format!(
                        "local port {} is already forwarded by clusterls; `clusterls forward --list` shows it, `clusterls forward --close {}` ends it",
                        rec.local_port, rec.local_port
                    )),
                    _ => EngineError::io(format!("cannot write {}", path.display()), e),
                })?;
            f.write_all(&json)
                .map_err(|e| EngineError::io(format!("cannot write {}", path.display()), e))
        } else {
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, &json)
                .and_then(|_| std::fs::rename(&tmp, &path))
                .map_err(|e| EngineError::io(format!("cannot write {}", path.display()), e))
        }
    }

    fn remove_forward(&self, local: u16) {
        let _ = std::fs::remove_file(self.forward_path(local));
    }

    /// What squeue says about `job` now (one round trip).
    pub(super) async fn job_now(&self, job: &str) -> Result<JobNow> {
        let out = self.exec(Exec::new("squeue", plan::squeue_argv(job))).await?;
        Ok(plan::job_now(out.status, &out.stdout_str(), &out.stderr_str()))
    }

    /// Whether `node` answers on `port` from the login host (one round trip).
    pub(super) async fn node_answers(&self, node: &str, port: u16) -> Result<bool> {
        let out = self
            .exec(Exec::new("probe", plan::probe_argv(node, port)).timeout(Duration::from_secs(20)))
            .await?;
        Ok(out.stdout_str().trim() == "open")
    }

    /// Forward 127.0.0.1:`spec.local` to `spec.remote` on the first node of the running
    /// job `job`, through the live master; record it and start its watcher. Refused,
    /// with nothing left behind, when the job does not run, the local port is taken or
    /// nothing answers on the node.
    pub async fn forward(
        &self,
        job: &str,
        spec: ForwardSpec,
        what: Option<&str>,
    ) -> Result<ForwardRecord> {
        let job = self.forward_job(job)?;
        let Some(ssh) = self.ssh() else {
            return Err(EngineError::Usage(
                "forwards go through an ssh connection: pass --host ALIAS (with `--host local` on a login node, connect to the node yourself)".into(),
            ));
        };
        let node = match self.job_now(&job).await? {
            JobNow::Running { node } => node,
            other => return Err(plan::not_running(&job, &other)),
        };
        plan::check_node(&node)?;
        // Records whose watcher died go first (their forwards cancelled), so only a live
        // forward holds a port.
        let _ = self.forwards().await;
        if let Some(other) = self.read_forward(spec.local) {
            return Err(EngineError::Usage(format!(
                "local port {} already forwards to {}:{} (job {}); `clusterls forward --close {}` ends it",
                spec.local, other.node, other.remote_port, other.job, spec.local
            )));
        }
        if std::net::TcpListener::bind(("127.0.0.1", spec.local)).is_err() {
            return Err(plan::port_in_use(spec.local, spec.remote, &job));
        }
        if !self.node_answers(&node, spec.remote).await? {
            return Err(plan::no_answer(&job, &node, spec.remote));
        }
        ssh.ensure_connected().await?;
        let (socket, _) = ssh.attached().ok_or_else(|| {
            EngineError::Usage("no ssh master to forward through; run the command again".into())
        })?;
        let socket = socket.display().to_string();
        let mut rec = ForwardRecord {
            host: self.host().to_string(),
            ssh_config: ssh.ssh_config(),
            socket,
            job: job.clone(),
            local_port: spec.local,
            node,
            remote_port: spec.remote,
            watcher_pid: None,
            created_at: store::now(),
            what: what.map(str::to_string),
        };
        self.write_forward(&rec, true)?;
        let made = async {
            let s = mux(&rec.socket).await.ok_or_else(|| EngineError::Connect {
                host: rec.host.clone(),
                detail: format!("the ssh master at {} does not answer", rec.socket),
                command: format!("ssh {}", rec.host),
            })?;
            s.request_port_forward(
                ForwardType::Local,
                listen(rec.local_port),
                connect_to(&rec.node, rec.remote_port),
            )
            .await
            .map_err(|e| {
                tracing::info!("forward refused by the master: {e}");
                plan::port_in_use(rec.local_port, rec.remote_port, &rec.job)
            })
        };
        if let Err(e) = made.await {
            self.remove_forward(rec.local_port);
            return Err(e);
        }
        if refused_through(rec.local_port).await {
            let _ = cancel_on_master(&rec).await;
            self.remove_forward(rec.local_port);
            return Err(plan::forwarding_refused(&rec.host, &rec.node, rec.remote_port));
        }
        match self.ensure_watcher(&rec) {
            Ok(pid) => rec.watcher_pid = pid,
            Err(e) => {
                let _ = cancel_on_master(&rec).await;
                self.remove_forward(rec.local_port);
                return Err(e);
            }
        }
        self.write_forward(&rec, false)?;
        Ok(rec)
    }

    /// A step (`ALLOC/RUN`) forwards into its allocation.
    fn forward_job(&self, job: &str) -> Result<String> {
        if let Some((alloc, _)) = job.split_once('/') {
            check_job_id(alloc, "job")?;
            return Ok(alloc.to_string());
        }
        check_job_id(job, "job")?;
        Ok(job.to_string())
    }

    fn watch_lock(&self, rec: &ForwardRecord) -> PathBuf {
        let name = plan::watcher_name(&rec.host, rec.ssh_config.as_deref());
        self.forwards_dir().join(format!("watch-{name}.lock"))
    }

    /// Start the host's watcher unless one lives (its lock is held); called after the
    /// record is written, so a watcher about to leave for want of forwards sees it
    /// (it looks again after letting the lock go). Two started at once: one keeps the
    /// lock, the other exits. The pid of the watcher started, if any.
    fn ensure_watcher(&self, rec: &ForwardRecord) -> Result<Option<u32>> {
        if lock_held(&self.watch_lock(rec)) {
            let pid = std::fs::read_to_string(self.watch_lock(rec)).ok();
            return Ok(pid.and_then(|p| p.trim().parse().ok()));
        }
        self.spawn_watcher(rec).map(Some)
    }

    /// `clusterls --host H [--ssh-config C] forward --watch`, detached (its own process
    /// group, so a Ctrl-C in the terminal that made the forward leaves it).
    fn spawn_watcher(&self, rec: &ForwardRecord) -> Result<u32> {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe()
            .map_err(|e| EngineError::io("cannot find the clusterls binary", e))?;
        let log = self.watch_lock(rec).with_extension("log");
        let log = std::fs::File::create(&log)
            .map_err(|e| EngineError::io(format!("cannot write {}", log.display()), e))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("--host").arg(&rec.host);
        if let Some(c) = &rec.ssh_config {
            cmd.arg("--ssh-config").arg(c);
        }
        cmd.args(["forward", "--watch"])
            .env("CLUSTERLS_STATE_DIR", &self.inner.state_dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .process_group(0);
        let child =
            cmd.spawn().map_err(|e| EngineError::io("cannot start the forwards' watcher", e))?;
        Ok(child.id())
    }

    /// The forwards this machine holds, of every host; records whose host has no live
    /// watcher are cancelled and dropped first (nothing dangles).
    pub async fn forwards(&self) -> Result<Vec<ForwardRecord>> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.forwards_dir()) else { return Ok(out) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(local) = name.strip_suffix(".json").and_then(|p| p.parse::<u16>().ok()) else {
                continue;
            };
            let Some(rec) = self.read_forward(local) else { continue };
            // Being made right now (no watcher yet) if young; else left over.
            if lock_held(&self.watch_lock(&rec)) || store::now().saturating_sub(rec.created_at) < 60
            {
                out.push(rec);
            } else {
                let _ = cancel_on_master(&rec).await;
                self.remove_forward(local);
            }
        }
        out.sort_by_key(|r| r.local_port);
        Ok(out)
    }

    /// Close the forward on local port `local`.
    pub async fn close_forward(&self, local: u16) -> Result<ForwardRecord> {
        let Some(rec) = self.read_forward(local) else {
            return Err(EngineError::Usage(format!(
                "no forward on local port {local}; `clusterls forward --list` shows them"
            )));
        };
        let r = cancel_on_master(&rec).await;
        // The watcher sees the record gone (and exits when it was the host's last).
        self.remove_forward(local);
        r.map(|()| rec)
    }

    /// Close every forward into job `job`.
    pub async fn close_job_forwards(&self, job: &str) -> Result<Vec<ForwardRecord>> {
        let job = self.forward_job(job)?;
        let mut closed = Vec::new();
        for rec in self.forwards().await? {
            if rec.job == job {
                closed.push(self.close_forward(rec.local_port).await?);
            }
        }
        Ok(closed)
    }

    /// The forwards of the host this engine reaches (same alias and ssh config).
    fn host_forwards(&self) -> Vec<ForwardRecord> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.forwards_dir()) else { return out };
        let config = self.ssh().and_then(|s| s.ssh_config());
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(local) = name.strip_suffix(".json").and_then(|p| p.parse::<u16>().ok()) else {
                continue;
            };
            if let Some(rec) = self.read_forward(local)
                && rec.host == self.host()
                && rec.ssh_config == config
            {
                out.push(rec);
            }
        }
        out
    }

    /// Close the forwards into job `job` of this host (its cancel went through): how
    /// many.
    pub(super) async fn close_forwards_of(&self, job: &str) -> usize {
        let mut n = 0;
        for rec in self.host_forwards().iter().filter(|r| r.job == job) {
            self.end_forward(rec).await;
            n += 1;
        }
        n
    }

    /// Close `rec` because its job ended (or its master went).
    async fn end_forward(&self, rec: &ForwardRecord) {
        let _ = cancel_on_master(rec).await;
        self.remove_forward(rec.local_port);
    }

    /// The watcher of this host's forwards (`clusterls forward --watch`): while the host
    /// has forwards, ONE squeue per tick for all their jobs, at the tracker's pace (fast
    /// just after a forward was made or a job ended, then down to once a minute);
    /// a forward whose job left the running state, or whose master is gone, is closed.
    /// Returns at once when another watcher of the host lives.
    pub async fn watch_forwards(&self) -> Result<()> {
        let probe = ForwardRecord {
            host: self.host().to_string(),
            ssh_config: self.ssh().and_then(|s| s.ssh_config()),
            socket: String::new(),
            job: String::new(),
            local_port: 0,
            node: String::new(),
            remote_port: 0,
            watcher_pid: None,
            created_at: 0,
            what: None,
        };
        let path = self.watch_lock(&probe);
        let _ = std::fs::create_dir_all(self.forwards_dir());
        let lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| EngineError::io(format!("cannot open {}", path.display()), e))?;
        if !try_lock(&lock) {
            return Ok(());
        }
        let _ = std::fs::write(&path, std::process::id().to_string());
        let mut last_change = Instant::now();
        loop {
            let recs = self.host_forwards();
            if recs.is_empty() {
                // Let go, then look once more: a forward written before its maker found
                // the lock held is seen here.
                let _ = rustix::fs::flock(&lock, rustix::fs::FlockOperation::Unlock);
                if self.host_forwards().is_empty() || !try_lock(&lock) {
                    return Ok(());
                }
                continue;
            }
            let newest = recs.iter().map(|r| r.created_at).max().unwrap_or(0);
            let since =
                last_change.elapsed().min(Duration::from_secs(store::now().saturating_sub(newest)));
            let wait = policy::poll_interval(since, recs.len()).unwrap_or(Duration::from_secs(1));
            tokio::time::sleep(wait).await;
            if self.watch_tick().await > 0 {
                last_change = Instant::now();
            }
        }
    }

    /// One tick of the host's watcher: the forwards whose master is gone are dropped
    /// (the master took them), then ONE squeue for the jobs of the rest. How many
    /// forwards it closed.
    pub async fn watch_tick(&self) -> usize {
        let mut closed = 0;
        let mut live = Vec::new();
        let mut masters: std::collections::HashMap<String, bool> = Default::default();
        for rec in self.host_forwards() {
            // Never let a command below start a new master (a new login): the forward
            // lived in this one.
            let up = match masters.get(&rec.socket) {
                Some(up) => *up,
                None => {
                    let up = mux(&rec.socket).await.is_some();
                    masters.insert(rec.socket.clone(), up);
                    up
                }
            };
            if up {
                live.push(rec);
            } else {
                tracing::info!(
                    local = rec.local_port,
                    "the ssh master is gone, and the forward with it"
                );
                self.remove_forward(rec.local_port);
                closed += 1;
            }
        }
        let jobs = plan::watched_jobs(&live);
        if jobs.is_empty() {
            return closed;
        }
        let asked = self.exec(Exec::new("squeue", plan::squeue_jobs_argv(&jobs))).await;
        // What the tests count: squeue calls per tick, however many forwards.
        tracing::info!(
            "watch tick: {} forwards into {} jobs asked with 1 squeue call",
            live.len(),
            jobs.len()
        );
        let out = match asked {
            Ok(out) => out,
            Err(e) => {
                tracing::info!("squeue: {e}");
                return closed;
            }
        };
        for (job, now) in plan::jobs_now(&jobs, out.status, &out.stdout_str(), &out.stderr_str()) {
            if matches!(now, JobNow::Gone | JobNow::NotRunning(_)) {
                tracing::info!(%job, "the job ended; closing its forwards");
                for rec in live.iter().filter(|r| r.job == job) {
                    self.end_forward(rec).await;
                    closed += 1;
                }
            }
        }
        closed
    }
}
