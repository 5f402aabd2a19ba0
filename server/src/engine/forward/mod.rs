//! Port forwards into a job's node through the ControlMaster: `clusterls forward JOB
//! [LOCAL:]REMOTE_PORT`, `--list`, `--close`, and the servers started for one
//! (`jupyter`, `tensorboard`, in [`serve`]). The decisions are in [`plan`].
//!
//! A forward is a request on the mux (openssh's native mux client,
//! `Session::request_port_forward`, what `ssh -O forward -L` sends): the master that
//! already carries every command listens on 127.0.0.1:LOCAL and the login host's sshd
//! connects to NODE:PORT, so no new login happens and no `ssh` process is started for
//! it. The forward lives in the master; clusterls keeps a record of it
//! (`forwards/LOCAL.json` in the state directory) and one small watcher process per
//! forward (`clusterls forward --watch LOCAL`, detached) that asks squeue every few
//! seconds and cancels the forward on the mux (`close_port_forward`, `ssh -O cancel`)
//! when the job ends. It also keeps a master of clusterls's own from expiring (each
//! check is a mux client, which resets ControlPersist's timer).

pub mod plan;
pub mod serve;

use std::path::{Path, PathBuf};
use std::time::Duration;

use openssh::{ForwardType, Session, Socket};

use super::Engine;
use super::error::{EngineError, Result};
use super::sessions::plan::{ForwardSpec, check_job_id};
use super::store;
use super::transport::Exec;
use plan::{ForwardRecord, JobNow};

/// How often a watcher asks whether its job still runs.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(3);

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

fn pid_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.exists() || proc.join(pid.to_string()).exists()
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
        match self.spawn_watcher(&rec) {
            Ok(pid) => rec.watcher_pid = Some(pid),
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

    /// `clusterls --host H [--ssh-config C] forward --watch LOCAL`, detached (its own
    /// process group, so a Ctrl-C in the terminal that made the forward leaves it).
    fn spawn_watcher(&self, rec: &ForwardRecord) -> Result<u32> {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe()
            .map_err(|e| EngineError::io("cannot find the clusterls binary", e))?;
        let log = self.forwards_dir().join(format!("{}.log", rec.local_port));
        let log = std::fs::File::create(&log)
            .map_err(|e| EngineError::io(format!("cannot write {}", log.display()), e))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("--host").arg(&rec.host);
        if let Some(c) = &rec.ssh_config {
            cmd.arg("--ssh-config").arg(c);
        }
        cmd.args(["forward", "--watch", &rec.local_port.to_string()])
            .env("CLUSTERLS_STATE_DIR", &self.inner.state_dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .process_group(0);
        let child =
            cmd.spawn().map_err(|e| EngineError::io("cannot start the forward's watcher", e))?;
        Ok(child.id())
    }

    /// The forwards this machine holds, of every host; records whose watcher is gone
    /// are cancelled and dropped first (nothing dangles).
    pub async fn forwards(&self) -> Result<Vec<ForwardRecord>> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.forwards_dir()) else { return Ok(out) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(local) = name.strip_suffix(".json").and_then(|p| p.parse::<u16>().ok()) else {
                continue;
            };
            let Some(rec) = self.read_forward(local) else { continue };
            match rec.watcher_pid {
                Some(pid) if pid_alive(pid) => out.push(rec),
                // Being made right now (no watcher yet) if young; else left over.
                None if store::now().saturating_sub(rec.created_at) < 60 => out.push(rec),
                _ => {
                    let _ = cancel_on_master(&rec).await;
                    self.remove_forward(local);
                }
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
        // The watcher sees its record gone and exits.
        self.remove_forward(local);
        let _ = std::fs::remove_file(self.forwards_dir().join(format!("{local}.log")));
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

    /// The watcher of the forward on `local` (`clusterls forward --watch`): until the
    /// record is gone (closed), the master is gone (the forward with it) or the job
    /// has ended (then it cancels the forward).
    pub async fn watch_forward(&self, local: u16) -> Result<()> {
        let me = std::process::id();
        loop {
            tokio::time::sleep(WATCH_INTERVAL).await;
            let Some(rec) = self.read_forward(local) else { return Ok(()) };
            if rec.watcher_pid.is_some_and(|p| p != me) {
                return Ok(());
            }
            // Never let a command below start a new master (a new login): the forward
            // lived in this one.
            if mux(&rec.socket).await.is_none() {
                tracing::info!("the ssh master is gone, and the forward with it");
                self.remove_forward(local);
                return Ok(());
            }
            match self.job_now(&rec.job).await {
                Ok(JobNow::Running { .. }) | Ok(JobNow::Unknown(_)) | Err(_) => continue,
                Ok(JobNow::Gone) | Ok(JobNow::NotRunning(_)) => {
                    tracing::info!(job = %rec.job, "the job ended; closing its forward");
                    let _ = cancel_on_master(&rec).await;
                    self.remove_forward(local);
                    let _ = std::fs::remove_file(self.forwards_dir().join(format!("{local}.log")));
                    return Ok(());
                }
            }
        }
    }
}
