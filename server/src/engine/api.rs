//! The engine's handle: what the CLI and the language server hold. The capabilities
//! are in their own modules, each a pure planning half and a thin IO half that adds
//! methods to [`Engine`]: [`super::submit`] (`run`), [`super::images`] (`pull`),
//! [`super::sessions`] (`alloc`, `cancel`, `shell_argv`), [`super::tracker`] (`poll`,
//! `tick`, `start_tracker`). This file keeps the handle, opening it, facts, the job
//! records and a run's files (`logs`, `script`).
//!
//! ```no_run
//! # async fn demo() -> clusterls::engine::Result<()> {
//! use clusterls::engine::{Engine, EngineOptions, RunOptions};
//! let engine = Engine::open(EngineOptions::new("cluster")).await?; // or "local"
//! let mut events = engine.subscribe();             // job state changes, connection state
//! let facts = engine.facts(false).await?;          // cached on disk, with its age
//! let job = engine.run(&RunOptions::new("train.py")).await?;
//! println!("job {}", job.id);
//! while !engine.job(&job.id)?.is_some_and(|r| r.is_final()) {
//!     engine.tick().await?;                        // one cooperative poll
//!     tokio::time::sleep(engine.next_poll_wait()).await;
//! }
//! let logs = engine.logs(&job.id, 0, 0).await?;
//! # Ok(()) }
//! ```
//!
//! Errors are [`EngineError`]; [`EngineError::LoginRequired`] carries the exact `ssh`
//! command a user runs once in a terminal (the editor opens one for them).
//! An `Engine` is cheap to clone; [`Engine::start_tracker`] runs the background poll
//! loop (ONE squeue per poll for every tracked job; no calls when nothing is tracked).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clusterls_core::ClusterFacts;
use serde::Serialize;
use tokio::sync::{Notify, broadcast};

use super::Engine;
use super::Inner;
use super::config::Config;
use super::error::{EngineError, Result};
use super::event::Event;
use super::store::{self, JobRecord, Store};
use super::transport::{Exec, LocalTransport, SshOptions, SshTransport, Transport};
use super::{programs, script, shell, slurm};

/// How to open an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// An ssh host alias, or `local` to run Slurm commands on this machine.
    pub host: String,
    /// `--ssh-config` (ssh `-F`).
    pub ssh_config: Option<PathBuf>,
    /// Where `clusterls.toml` is searched from (upwards). Default: current directory.
    pub project_dir: Option<PathBuf>,
    /// Job store and facts cache. Default `$CLUSTERLS_STATE_DIR`, else
    /// `$XDG_STATE_HOME/clusterls`, else `~/.local/state/clusterls`.
    pub state_dir: Option<PathBuf>,
    /// Use this config instead of reading `clusterls.toml` files.
    pub config: Option<Config>,
}

impl EngineOptions {
    pub fn new(host: &str) -> Self {
        EngineOptions {
            host: host.into(),
            ssh_config: None,
            project_dir: None,
            state_dir: None,
            config: None,
        }
    }
}

/// Facts with their age.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub facts: ClusterFacts,
    /// Seconds since they were read from the cluster.
    pub age_secs: u64,
    pub from_cache: bool,
}

/// New bytes of a job's output and error files since the given offsets.
#[derive(Debug, Clone, Default)]
pub struct LogChunk {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

fn default_state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CLUSTERLS_STATE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME") {
        return PathBuf::from(d).join("clusterls");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".local/state/clusterls")
}

impl Engine {
    /// Open the job store and config. The ssh connection is made by the first command
    /// (call [`Engine::connect`] to make it now).
    pub async fn open(opts: EngineOptions) -> Result<Engine> {
        super::config::validate_host(&opts.host)
            .map_err(|e| EngineError::Usage(format!("host: {e}")))?;
        if opts.host == "local" {
            return Self::with_transport(opts, Arc::new(LocalTransport::new())).await;
        }
        let t = Arc::new(SshTransport::new(SshOptions::new(&opts.host, opts.ssh_config.clone())));
        Self::build(opts, t.clone(), Some(t))
    }

    /// An engine over any [`Transport`] (tests, benchmarks, a future transport).
    /// `opts.host` names it in records and events; `opts.config` or `project_dir` as in
    /// [`Engine::open`].
    pub async fn with_transport(
        opts: EngineOptions,
        transport: Arc<dyn Transport>,
    ) -> Result<Engine> {
        Self::build(opts, transport, None)
    }

    fn build(
        opts: EngineOptions,
        transport: Arc<dyn Transport>,
        ssh: Option<Arc<SshTransport>>,
    ) -> Result<Engine> {
        let state_dir = opts.state_dir.clone().unwrap_or_else(default_state_dir);
        let config = match opts.config {
            Some(c) => c,
            None => {
                let dir = match opts.project_dir.clone() {
                    Some(d) => d,
                    None => std::env::current_dir()
                        .map_err(|e| EngineError::io("current directory", e))?,
                };
                Config::load(&dir)?.0
            }
        };
        // Whatever the configuration came from (files, flags, editor settings).
        config.validate().map_err(|e| {
            EngineError::Config(format!("{e}\nFix it in clusterls.toml or the editor settings."))
        })?;
        let store = Store::open(&state_dir.join("jobs.sqlite"))?;
        let (events, _) = broadcast::channel(256);
        let holder = {
            use std::hash::{BuildHasher, Hasher};
            let token = std::collections::hash_map::RandomState::new().build_hasher().finish();
            format!("{}-{token:016x}", std::process::id())
        };
        Ok(Engine {
            inner: Arc::new(Inner {
                host: opts.host,
                transport,
                ssh,
                store,
                config,
                state_dir,
                events,
                wake: Notify::new(),
                track: Mutex::new(Default::default()),
                holder,
            }),
        })
    }

    pub fn host(&self) -> &str {
        &self.inner.host
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Commands sent to the cluster by this engine so far.
    pub fn round_trips(&self) -> u64 {
        self.inner.transport.round_trips()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    pub(super) fn emit(&self, e: Event) {
        if let Event::Job { state, .. } = &e
            && state.is_final()
        {
            // An ended allocation takes its Remote-SSH Host entry with it, in whichever
            // process sees it end.
            self.sweep_ended_sessions();
        }
        let _ = self.inner.events.send(e);
    }

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) fn ssh(&self) -> Option<&Arc<SshTransport>> {
        self.inner.ssh.as_ref()
    }

    pub(super) fn wake(&self) -> &Notify {
        &self.inner.wake
    }

    pub(super) fn holder(&self) -> &str {
        &self.inner.holder
    }

    /// Connect now (ssh: attach to a live master or start one). Emits a Connection event.
    pub async fn connect(&self) -> Result<()> {
        let r = match &self.inner.ssh {
            Some(s) => s.ensure_connected().await,
            None => Ok(()),
        };
        self.emit(Event::Connection {
            host: self.inner.host.clone(),
            connected: r.is_ok(),
            login_required: matches!(r, Err(EngineError::LoginRequired { .. })),
            message: r.as_ref().err().map(|e| e.to_string()),
        });
        r
    }

    /// Run one command; a failed connection is also told to the listeners.
    pub(super) async fn exec(&self, exec: Exec) -> Result<super::transport::Output> {
        let r = self.inner.transport.exec(exec).await;
        if let Err(
            e @ (EngineError::LoginRequired { .. }
            | EngineError::Connect { .. }
            | EngineError::HostKey { .. }),
        ) = &r
        {
            self.emit(Event::Connection {
                host: self.inner.host.clone(),
                connected: false,
                login_required: matches!(e, EngineError::LoginRequired { .. }),
                message: Some(e.to_string()),
            });
        }
        r
    }

    fn facts_path(&self) -> PathBuf {
        self.inner
            .state_dir
            .join("facts")
            .join(format!("{}.json", shell::safe_name(&self.inner.host)))
    }

    pub(super) fn save_facts(&self, f: &ClusterFacts) -> Result<()> {
        let path = self.facts_path();
        let dir = path.parent().unwrap();
        std::fs::create_dir_all(dir)
            .map_err(|e| EngineError::io(format!("cannot create {}", dir.display()), e))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let json = serde_json::to_vec_pretty(f).expect("facts serialize");
        std::fs::write(&tmp, json)
            .map_err(|e| EngineError::io(format!("cannot write {}", tmp.display()), e))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| EngineError::io(format!("cannot write {}", path.display()), e))
    }

    /// The cluster's facts: from the disk cache unless `refresh` (or none cached),
    /// else read in ONE round trip.
    pub async fn facts(&self, refresh: bool) -> Result<Facts> {
        self.facts_with_dirs(refresh, &[]).await
    }

    /// As [`Engine::facts`], and whether each of `dirs` (absolute directories, e.g. the
    /// checked scripts' `--output` directories: `clusterls_sbatch::log_dirs`) exists on
    /// the cluster, asked with `test -d` in the same one round trip (so never from the
    /// cache). The answers are in `admission.dirs`; the cache keeps the facts without them.
    pub async fn facts_with_dirs(&self, refresh: bool, dirs: &[String]) -> Result<Facts> {
        let dirs = slurm::probed_dirs(dirs);
        if !refresh
            && dirs.is_empty()
            && let Ok(text) = std::fs::read_to_string(self.facts_path())
            && let Ok(facts) = serde_json::from_str::<ClusterFacts>(&text)
        {
            let age_secs = store::now().saturating_sub(facts.fetched_at.unwrap_or(0));
            return Ok(Facts { facts, age_secs, from_cache: true });
        }
        let image_dir = self.inner.config.image_dir.clone().unwrap_or_default();
        let mut argv = vec!["bash".into(), "-s".into(), "--".into(), image_dir];
        argv.extend(dirs.iter().cloned());
        let out = self
            .exec(Exec::new("facts", argv).stdin(slurm::FACTS_PROGRAM.as_bytes().to_vec()))
            .await?;
        let mut problems = Vec::new();
        let mut facts = slurm::parse_facts(&out.stdout_str(), &mut problems);
        for p in &problems {
            tracing::warn!("facts: {p}");
        }
        if facts.partitions.is_empty() {
            if let Some(message) = problems.iter().find_map(|p| slurm::controller_unreachable(p)) {
                let action = "reading of the cluster's facts".into();
                return Err(EngineError::ControllerUnreachable { action, message });
            }
            return Err(EngineError::Remote {
                host: self.inner.host.clone(),
                what: "scontrol show partition".into(),
                status: out.status,
                stderr: format!(
                    "no partitions found; is Slurm installed and reachable there? {}",
                    problems.join("; ")
                ),
            });
        }
        facts.host = Some(self.inner.host.clone());
        facts.fetched_at = Some(store::now());
        self.save_facts(&facts)?;
        facts.admission.dirs = slurm::parse_dirs(&out.stdout_str(), &dirs);
        Ok(Facts { facts, age_secs: 0, from_cache: false })
    }

    /// Whether each of `dirs` (absolute directories) exists on the cluster: `test -d` on
    /// the login node, in one round trip that asks nothing of Slurm (the language server
    /// asks this for a document's `--output`/`--error` directories). A directory without
    /// an answer is left out (unknown).
    pub async fn dirs_exist(
        &self,
        dirs: &[String],
    ) -> Result<Vec<clusterls_core::facts::RemoteDir>> {
        let dirs = slurm::probed_dirs(dirs);
        if dirs.is_empty() {
            return Ok(Vec::new());
        }
        let mut argv = vec!["bash".into(), "-s".into(), "--".into()];
        argv.extend(dirs.iter().cloned());
        let out = self
            .exec(Exec::new("test -d", argv).stdin(slurm::DIRS_PROGRAM.as_bytes().to_vec()))
            .await?;
        Ok(slurm::parse_dirs(&out.stdout_str(), &dirs))
    }

    /// Tracked jobs of this host, newest first.
    pub fn jobs(&self) -> Result<Vec<JobRecord>> {
        self.inner.store.list(Some(&self.inner.host), false)
    }

    /// Every host's jobs in the shared store (the records are local: no cluster is asked).
    pub fn all_jobs(&self) -> Result<Vec<JobRecord>> {
        self.inner.store.list(None, false)
    }

    /// A job by id on any host (newest first), from the shared store.
    pub fn find_job(&self, id: &str) -> Result<Option<JobRecord>> {
        let found = self.inner.store.find(id)?.into_iter().next();
        match (found, super::array::split_task_id(id)) {
            (None, Some((array, _))) => Ok(self.inner.store.find(array)?.into_iter().next()),
            (found, _) => Ok(found),
        }
    }

    /// Job `id`; for a task of a job array (`123_4`), the task seen as a job of its own
    /// (its state, reason, exit code and nodes; the array's name, resources and run
    /// directory), so that following it reads like following a job.
    pub fn job_view(&self, id: &str) -> Result<Option<JobRecord>> {
        Ok(self.job_or_task(id)?.map(|(r, task)| {
            match task.and_then(|i| r.tasks.iter().find(|t| t.index == i).cloned()) {
                Some(t) => JobRecord {
                    id: id.to_string(),
                    state: t.state,
                    reason: t.reason,
                    exit_code: t.exit_code,
                    nodes: t.nodes,
                    tasks: Vec::new(),
                    ..r
                },
                None => r,
            }
        }))
    }

    /// Job `id`, or the job array whose task `id` (`123_4`) names, with that task's index.
    /// A task of an array that does not have it is an error that names its tasks.
    pub fn job_or_task(&self, id: &str) -> Result<Option<(JobRecord, Option<u32>)>> {
        if let Some(r) = self.job(id)? {
            return Ok(Some((r, None)));
        }
        let Some((array, index)) = super::array::split_task_id(id) else { return Ok(None) };
        let Some(r) = self.job(array)?.filter(JobRecord::is_array) else { return Ok(None) };
        if !r.tasks.iter().any(|t| t.index == index) {
            let (first, last) = (r.tasks[0].index, r.tasks[r.tasks.len() - 1].index);
            return Err(EngineError::Usage(format!(
                "job array {array} has no task {index}; its tasks are {array}_{first} to {array}_{last} \
                 (see `clusterls jobs {array}`)"
            )));
        }
        Ok(Some((r, Some(index))))
    }

    pub fn job(&self, id: &str) -> Result<Option<JobRecord>> {
        self.inner.store.get(&self.inner.host, id)
    }

    /// The bytes of output.log/error.log after the given offsets.
    /// A job array's task (`123_4`) reads that task's files.
    pub async fn logs(&self, id: &str, out_offset: u64, err_offset: u64) -> Result<LogChunk> {
        let dir = self.run_dir(id, "an allocation has no output")?;
        let mut args = vec![dir.clone(), out_offset.to_string(), err_offset.to_string()];
        let found = self.job_or_task(id)?;
        let task = match &found {
            Some((rec, None)) if rec.is_array() => {
                let first = rec.tasks[0].index;
                return Err(EngineError::Usage(format!(
                    "job {id} is an array of {} tasks, each with its own log; name one, e.g. \
                     `clusterls logs {id}_{first}` (`clusterls jobs {id}` lists them)",
                    rec.tasks.len()
                )));
            }
            Some((rec, Some(i))) => rec.tasks.iter().find(|t| t.index == *i),
            _ => None,
        };
        if let (Some(t), Some((rec, _))) = (task, &found)
            && rec.log_out.is_none()
        {
            // A generated array run: one pair of files per task in the run directory.
            let (out, err) = super::launch::distributed::log_files(true);
            let index = t.index.to_string();
            args.extend([out, err].map(|f| format!("{dir}/{}", f.replace("%a", &index))));
        }
        if let Some((rec, _)) = &found
            && rec.log_out.is_some()
        {
            // A script submitted as written: its own files, Slurm's patterns resolved.
            let facts = self.facts(false).await.ok();
            let user = facts.as_ref().and_then(|f| f.facts.user.clone()).unwrap_or_default();
            let version = facts.as_ref().and_then(|f| f.facts.slurm_version.clone());
            let logged = super::launch::log_pattern::LoggedJob {
                id: if task.is_some() { id } else { &rec.id },
                name: &rec.name,
                nodes: task.and_then(|t| t.nodes.as_deref()).or(rec.nodes.as_deref()),
                log_out: rec.log_out.as_deref().unwrap_or_default(),
                log_err: rec.log_err.as_deref(),
                task_job_id: task.and_then(|t| t.job_id),
            };
            let (o, e) = super::launch::log_pattern::log_files(&logged, &user, version.as_deref())
                .map_err(EngineError::Usage)?;
            args.extend([o, e]);
        }
        let out = self
            .exec(Exec::new("logs", script::bash(programs::LOGS_PROGRAM, "clusterls-logs", args)))
            .await?;
        let mut chunk = LogChunk::default();
        for line in out.stdout_str().lines() {
            if let Some(b) = line.strip_prefix("out ") {
                chunk.out = programs::base64_decode(b);
            } else if let Some(b) = line.strip_prefix("err ") {
                chunk.err = programs::base64_decode(b);
            }
        }
        Ok(chunk)
    }

    /// The batch script clusterls generated for job `id` (`job.sbatch` in its run
    /// directory), read in ONE round trip.
    pub async fn script(&self, id: &str) -> Result<String> {
        let dir = self.run_dir(id, "an allocation has no batch script")?;
        let file = format!("{dir}/{}", script::SBATCH_FILE);
        let argv = script::bash(programs::SCRIPT_PROGRAM, "clusterls-script", [file.clone()]);
        let out = self.exec(Exec::new("script", argv)).await?;
        match out.status {
            0 => Ok(out.stdout_str()),
            programs::GONE => Err(EngineError::Usage(format!(
                "the batch script of job {id} is gone from the cluster ({file} no longer exists); \
                 it was removed with its run directory"
            ))),
            status => Err(EngineError::Remote {
                host: self.inner.host.clone(),
                what: format!("reading {file}"),
                status,
                stderr: super::error::last_lines(&out.stderr_str(), 5),
            }),
        }
    }

    /// The run directory of a tracked job; `none` says why a job may have none.
    fn run_dir(&self, id: &str, none: &str) -> Result<String> {
        let rec = self.job_or_task(id)?.map(|(r, _)| r).ok_or_else(|| {
            EngineError::Usage(format!(
                "job {id} is not tracked on {}; see `clusterls jobs`",
                self.inner.host
            ))
        })?;
        rec.run_dir
            .ok_or_else(|| EngineError::Usage(format!("job {id} has no run directory ({none})")))
    }
}

#[cfg(test)]
mod tests;
