//! Sessions: allocations that outlive a command, the shell a terminal opens in one,
//! and cancelling jobs, steps and allocations. Steps themselves are submitted by
//! [`super::submit`] (`run --in-alloc`). The decisions are in [`plan`].

pub mod efficiency;
pub mod plan;
pub mod reason;
pub mod remote_ssh;
pub mod time;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use super::Engine;
use super::error::{EngineError, Result};
use super::resources::Resources;
use super::script;
use super::state::JobState;
use super::store::{JobKind, JobRecord};
use super::transport::{Exec, LineSink};

impl Engine {
    /// Make an allocation that outlives this call (`salloc --no-shell`); tracked like a job.
    pub async fn alloc(&self, res: &Resources) -> Result<JobRecord> {
        self.alloc_with(res, &|_| {}).await
    }

    /// [`Engine::alloc`], telling `requested` the job id as soon as salloc names it
    /// (while it waits), so that a caller that stops waiting can withdraw the request
    /// with [`Engine::cancel`].
    pub async fn alloc_with(
        &self,
        res: &Resources,
        requested: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<JobRecord> {
        let res = self.config().resources(res);
        res.validate().map_err(EngineError::Usage)?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = LineSink(Arc::new(move |l: &str| {
            if let Some(id) = plan::requested_job_id(l) {
                let _ = tx.send(id);
            }
        }));
        let exec = self.exec(
            Exec::new("salloc", script::salloc_argv(&res, "clusterls-alloc"))
                .timeout(Duration::from_secs(300))
                .not_idempotent()
                .stderr_lines(sink),
        );
        let tell = async {
            while let Some(id) = rx.recv().await {
                requested(&id);
            }
        };
        let (out, ()) = tokio::join!(exec, tell);
        let out = out?;
        let stderr = out.stderr_str();
        let Some(id) = script::parse_salloc_job_id(&stderr).filter(|_| out.status == 0) else {
            return Err(EngineError::refused("allocation", &stderr, ""));
        };
        self.track_new(self.new_record(&id, JobKind::Alloc, "allocation", JobState::Running, &res))
    }

    /// Cancel a job or release an allocation.
    pub async fn cancel(&self, id: &str) -> Result<()> {
        let rec = self.job(id)?;
        let step_dir = rec
            .as_ref()
            .filter(|r| r.kind == JobKind::Step)
            .map(|r| r.run_dir.clone().unwrap_or_default());
        let argv = plan::cancel_argv(id, step_dir.as_deref())?;
        let what = if step_dir.is_some() { "cancel" } else { "scancel" };
        let out = self.exec(Exec::new(what, argv)).await?;
        if out.status != 0 {
            return Err(EngineError::refused("cancel", &out.stderr_str(), ""));
        }
        self.cancelled_task(id)?;
        if step_dir.is_none() {
            // Its forwards end with it, now rather than at the watcher's next look.
            self.close_forwards_of(id).await;
        }
        self.changed();
        Ok(())
    }

    /// argv of an interactive shell inside allocation `alloc` (for an editor terminal):
    /// `srun --jobid=ID --overlap --pty bash -l`, over ssh through the live connection.
    pub async fn shell_argv(&self, alloc: &str) -> Result<Vec<String>> {
        let remote = plan::shell_argv(alloc)?;
        match self.ssh() {
            None => Ok(remote),
            Some(ssh) => {
                ssh.ensure_connected().await?;
                Ok(ssh.terminal_argv(&remote))
            }
        }
    }

    /// Why job `id` waits: its reason now and the scheduler's estimated start, from
    /// `squeue --start` (which makes the scheduler simulate: only on demand, never in a
    /// poll). `None` when the job is not pending.
    pub async fn why(&self, id: &str) -> Result<Option<reason::StartEstimate>> {
        plan::check_job_or_task_id(id, "job")?;
        let argv: Vec<String> = ["squeue", "--start", "-h", "-j", id, "-o", reason::START_FORMAT]
            .map(String::from)
            .into();
        let out = self.exec(Exec::new("squeue", argv)).await?;
        if out.status != 0 {
            // Left the queue (ended): not pending; the caller says how it ended.
            if out.stderr_str().contains("Invalid job id") {
                return Ok(None);
            }
            return Err(EngineError::refused("squeue --start", &out.stderr_str(), ""));
        }
        Ok(reason::parse_start(&out.stdout_str()).into_iter().next())
    }

    /// How job `id` went, from accounting (`None`: no row yet).
    pub async fn efficiency(&self, id: &str) -> Result<Option<efficiency::Efficiency>> {
        plan::check_job_or_task_id(id, "job")?;
        let out = self.exec(Exec::new("sacct", efficiency::sacct_argv(id))).await?;
        if out.status != 0 {
            return Err(EngineError::refused("sacct", &out.stderr_str(), ""));
        }
        Ok(efficiency::parse(&out.stdout_str()))
    }

    /// How long running job `id` has left, from squeue (`None`: not in the queue).
    pub async fn time_left(&self, id: &str) -> Result<Option<time::TimeLeft>> {
        plan::check_job_id(id, "job")?;
        let out = self.exec(Exec::new("squeue", time::time_left_argv(id))).await?;
        if out.status != 0 {
            let err = out.stderr_str();
            if err.contains("Invalid job id") {
                return Ok(None);
            }
            return Err(EngineError::refused("squeue", &err, ""));
        }
        Ok(time::parse_time_left(&out.stdout_str()))
    }

    /// Change job `id`'s time limit (`[+|-|=]TIME`, see [`time::change`]) with
    /// `scontrol update`; Slurm's refusal in its own words. The time left after it.
    pub async fn extend(&self, id: &str, spec: &str) -> Result<Option<time::TimeLeft>> {
        plan::check_job_id(id, "job")?;
        let change = time::change(spec)?;
        let out = self
            .exec(Exec::new("scontrol", time::extend_argv(id, change)).not_idempotent())
            .await?;
        // scontrol prints some refusals on stdout (`Access/permission denied for job N`).
        let said = format!("{}{}", out.stderr_str(), out.stdout_str());
        if out.status != 0 {
            if let Some(message) = super::slurm::controller_unreachable(&said) {
                return Err(EngineError::ControllerUnreachable {
                    action: "time limit change".into(),
                    message,
                });
            }
            let (message, hint) = time::refusal(change, &said);
            return Err(EngineError::SlurmRefused {
                action: format!("time limit change of job {id}"),
                message,
                hint: hint.into(),
            });
        }
        self.changed();
        let left = self.time_left(id).await?;
        // The record keeps the new limit, and every view of the job learns it (its state
        // is unchanged: no start or end is announced).
        if let Some(t) = &left
            && !t.limit.is_empty()
            && let Ok(Some(rec)) = self.inner.store.update_time_limit(self.host(), id, &t.limit)
        {
            self.emit(super::Event::Job {
                host: rec.host.clone(),
                id: rec.id.clone(),
                previous: Some(rec.state.clone()),
                state: rec.state,
                reason: rec.reason,
                exit_code: rec.exit_code,
            });
        }
        Ok(left)
    }

    /// Write the ssh Host entry through which VS Code's Remote-SSH opens running
    /// allocation `id`'s node into `dir` (see [`remote_ssh`]); its alias and file.
    pub async fn remote_ssh_host(&self, id: &str, dir: &Path) -> Result<RemoteHost> {
        plan::check_job_id(id, "allocation")?;
        let Some(ssh) = self.ssh() else {
            return Err(EngineError::Usage(
                "clusterls runs Slurm on this machine (host `local`): open the node with `ssh NODE` from here, or use an ssh host for the login node".into(),
            ));
        };
        let rec = self.job(id)?.filter(|r| r.kind == JobKind::Alloc).ok_or_else(|| {
            EngineError::Usage(format!(
                "{id} is not an allocation clusterls tracks on {}; make one with `clusterls alloc` (or \"Allocate GPU Session\")",
                self.host()
            ))
        })?;
        // Asked now: the record may not know the node yet (salloc does not say it).
        let now = self.time_left(id).await?;
        let node =
            now.as_ref().filter(|t| t.state == "RUNNING").and_then(|t| plan::first_node(&t.nodes));
        let Some(node) = node else {
            return Err(EngineError::Usage(format!(
                "allocation {id} is {} and has no node to open; wait until it runs, or make a new one",
                now.map(|t| t.state).unwrap_or_else(|| format!("{} (not in the queue)", rec.state))
            )));
        };
        ssh.ensure_connected().await?;
        let config = ssh.ssh_config();
        let mut g = tokio::process::Command::new("ssh");
        if let Some(c) = &config {
            g.arg("-F").arg(c);
        }
        g.arg("-G").arg("--").arg(self.host());
        g.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let out = g.output().await.map_err(|e| EngineError::io("running ssh -G", e))?;
        let (user, identity_files) =
            remote_ssh::from_ssh_g(&String::from_utf8_lossy(&out.stdout), &|p: &str| {
                Path::new(p).is_file()
            });
        let control_path =
            ssh.attached().filter(|(_, users)| !users).map(|(p, _)| p.display().to_string());
        let spec = remote_ssh::HostSpec {
            login_host: self.host().to_string(),
            ssh_config: config,
            job_id: id.to_string(),
            node,
            user,
            identity_files,
            control_path,
        };
        let text = remote_ssh::entry(&spec)?;
        let file = dir.join(remote_ssh::file_name(self.host(), id));
        write_private(dir, &file, &text)?;
        self.sweep_remote_hosts(dir)?;
        Ok(RemoteHost {
            alias: remote_ssh::alias(self.host(), id),
            file,
            include_line: remote_ssh::include_line(dir),
        })
    }

    /// [`Engine::sweep_remote_hosts`] in [`hosts_dir`], a failure logged: called when a
    /// job ends.
    pub(crate) fn sweep_ended_sessions(&self) {
        if let Err(e) = self.sweep_remote_hosts(&hosts_dir()) {
            tracing::warn!("removing the Remote-SSH entries of ended allocations: {e}");
        }
    }

    /// Remove the Host entries in `dir` of this host's allocations that ended (or that
    /// the job store no longer knows). Entries of other hosts are left alone.
    pub fn sweep_remote_hosts(&self, dir: &Path) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(removed) };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "conf") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Some((id, host)) = remote_ssh::owner(&text) else { continue };
            if host != self.host() {
                continue;
            }
            let ended = self.job(&id)?.is_none_or(|r| r.is_final());
            if ended && std::fs::remove_file(&path).is_ok() {
                tracing::info!(file = %path.display(), "allocation {id} ended: its Remote-SSH entry removed");
                removed.push(id);
            }
        }
        Ok(removed)
    }
}

/// A Remote-SSH Host entry written for an allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteHost {
    /// The Host alias (`clusterls-LOGIN-ID`).
    pub alias: String,
    pub file: PathBuf,
    /// The line the user's ssh config needs to read the entries.
    pub include_line: String,
}

/// Where the Remote-SSH entries live: `$CLUSTERLS_SSH_HOSTS_DIR`, else `~/.ssh/clusterls`.
pub fn hosts_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CLUSTERLS_SSH_HOSTS_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".ssh").join("clusterls")
}

/// Write `text` to `file` in `dir` (made 0700), the file 0600 (ssh refuses config
/// files others can write), atomically (a reader never sees half an entry).
fn write_private(dir: &Path, file: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let io = |what: &str, e| EngineError::io(format!("{what} {}", dir.display()), e);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io("making", e))?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| io("writing into", e))?;
    f.write_all(text.as_bytes()).map_err(|e| io("writing into", e))?;
    drop(f);
    std::fs::rename(&tmp, file).map_err(|e| io("writing into", e))
}
