//! The engine's library API: what the CLI and the language server call.
//!
//! ```no_run
//! # async fn demo() -> clusterls::engine::Result<()> {
//! use clusterls::engine::{Engine, EngineOptions, RunOptions};
//! let engine = Engine::open(EngineOptions::new("cluster")).await?; // or "local"
//! let mut events = engine.subscribe();             // job state changes, connection state
//! let facts = engine.facts(false).await?;          // cached on disk, with its age
//! let job = engine.run(&RunOptions::new("train.py")).await?;
//! println!("job {}", job.id);
//! let done = engine.follow(&job.id, |e| eprintln!("{e:?}")).await?; // polls until final
//! let logs = engine.logs(&job.id, 0, 0).await?;
//! # Ok(()) }
//! ```
//!
//! Errors are [`EngineError`]; [`EngineError::LoginRequired`] carries the exact `ssh`
//! command a user runs once in a terminal (the editor opens one for them).
//! An `Engine` is cheap to clone; [`Engine::start_tracker`] runs the background poll
//! loop (ONE squeue per poll for every tracked job; no calls when nothing is tracked).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clusterls_core::ClusterFacts;
use clusterls_core::facts::{Image, RuntimeKind};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};

use super::config::Config;
use super::container::{DockerRef, ImageSpec};
use super::error::{EngineError, Result};
use super::programs;
use super::script::{self, JobScript, Resources};
use super::slurm::{self, JobState};
use super::store::{self, JobKind, JobRecord, Store};
use super::transport::{Exec, LineSink, LocalTransport, SshOptions, SshTransport, Transport};
use super::{lease, policy, shell};

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

/// What happened, for whoever listens ([`Engine::subscribe`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A job was submitted or changed state.
    Job {
        host: String,
        id: String,
        state: JobState,
        previous: Option<JobState>,
        reason: Option<String>,
        exit_code: Option<i32>,
    },
    /// The connection came up or failed (`message` says why and what to do;
    /// `login_required`: it failed because logging in needs a person).
    Connection { host: String, connected: bool, login_required: bool, message: Option<String> },
}

/// Facts with their age.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub facts: ClusterFacts,
    /// Seconds since they were read from the cluster.
    pub age_secs: u64,
    pub from_cache: bool,
}

/// `clusterls run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The local script to run.
    pub script: PathBuf,
    /// Arguments for the script, passed intact.
    pub args: Vec<String>,
    /// Flags; unset fields come from `clusterls.toml`.
    pub resources: Resources,
    /// `docker://REF` (pulled first when missing) or a path on the cluster. Default: config.
    pub image: Option<String>,
    /// Run as a step inside this allocation (`srun --jobid`).
    pub in_alloc: Option<String>,
    /// Copy this directory (honouring .gitignore, .ignore and .clusterlsignore) too.
    pub sync: Option<PathBuf>,
    /// Run without a container even if the config names an image.
    pub no_container: bool,
}

impl RunOptions {
    pub fn new(script: impl Into<PathBuf>) -> Self {
        RunOptions { script: script.into(), ..Default::default() }
    }
}

/// New bytes of a job's output and error files since the given offsets.
#[derive(Debug, Clone, Default)]
pub struct LogChunk {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

/// Result of [`Engine::pull`].
#[derive(Debug, Clone, Serialize)]
pub struct PulledImage {
    pub path: String,
    pub already_present: bool,
}

/// A cheap handle; clones share the connection, the store and the events.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    host: String,
    transport: Arc<dyn Transport>,
    ssh: Option<Arc<SshTransport>>,
    store: Store,
    config: Config,
    state_dir: PathBuf,
    events: broadcast::Sender<Event>,
    wake: Notify,
    track: Mutex<TrackState>,
    /// This process's name in the poll lease (pid and a random token).
    holder: String,
}

impl Drop for Inner {
    /// Hand the poll lease over at once instead of letting it expire.
    fn drop(&mut self) {
        let _ = self.store.release_lease(&self.host, &self.holder);
    }
}

/// What a tracker last saw of a job: state, reason, exit code.
type Seen = (JobState, Option<String>, Option<i32>);

struct TrackState {
    last_change: Instant,
    /// Jobs squeue no longer shows as live, waiting for their sacct row: tries, and
    /// squeue's last final state if it showed one.
    awaiting: HashMap<String, (u32, Option<JobState>)>,
    /// Live jobs of the host as this process last saw them, to tell changes another
    /// process's poll wrote to the store.
    seen: HashMap<String, Seen>,
    /// A job was just submitted through this engine: the next tick polls even
    /// without the lease (fast first feedback; one extra poll per submit).
    fresh_submit: bool,
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

fn bash(program: &str, name: &str, args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v = vec!["bash".to_string(), "-c".into(), program.to_string(), name.to_string()];
    v.extend(args);
    v
}

impl Engine {
    /// Open the job store and config. The ssh connection is made by the first command
    /// (call [`Engine::connect`] to make it now).
    pub async fn open(opts: EngineOptions) -> Result<Engine> {
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
        let (transport, ssh): (Arc<dyn Transport>, Option<Arc<SshTransport>>) = if opts.host
            == "local"
        {
            (Arc::new(LocalTransport::new()), None)
        } else {
            let t =
                Arc::new(SshTransport::new(SshOptions::new(&opts.host, opts.ssh_config.clone())));
            (t.clone(), Some(t))
        };
        Self::build(opts.host, transport, ssh, config, state_dir)
    }

    /// An engine over any [`Transport`] (tests, benchmarks, a future transport).
    /// `opts.host` names it in records and events; `opts.config` or `project_dir` as in
    /// [`Engine::open`].
    pub async fn with_transport(
        opts: EngineOptions,
        transport: Arc<dyn Transport>,
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
        Self::build(opts.host, transport, None, config, state_dir)
    }

    fn build(
        host: String,
        transport: Arc<dyn Transport>,
        ssh: Option<Arc<SshTransport>>,
        config: Config,
        state_dir: PathBuf,
    ) -> Result<Engine> {
        let store = Store::open(&state_dir.join("jobs.sqlite"))?;
        let (events, _) = broadcast::channel(256);
        Ok(Engine {
            inner: Arc::new(Inner {
                host,
                transport,
                ssh,
                store,
                config,
                state_dir,
                events,
                wake: Notify::new(),
                track: Mutex::new(TrackState {
                    last_change: Instant::now(),
                    awaiting: HashMap::new(),
                    seen: HashMap::new(),
                    fresh_submit: false,
                }),
                holder: {
                    use std::hash::{BuildHasher, Hasher};
                    let token =
                        std::collections::hash_map::RandomState::new().build_hasher().finish();
                    format!("{}-{token:016x}", std::process::id())
                },
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

    fn emit(&self, e: Event) {
        let _ = self.inner.events.send(e);
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

    async fn exec(&self, exec: Exec) -> Result<super::transport::Output> {
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

    fn save_facts(&self, f: &ClusterFacts) -> Result<()> {
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
        if !refresh
            && let Ok(text) = std::fs::read_to_string(self.facts_path())
            && let Ok(facts) = serde_json::from_str::<ClusterFacts>(&text)
        {
            let age_secs = store::now().saturating_sub(facts.fetched_at.unwrap_or(0));
            return Ok(Facts { facts, age_secs, from_cache: true });
        }
        let image_dir = self.inner.config.image_dir.clone().unwrap_or_default();
        let out = self
            .exec(
                Exec::new("facts", vec!["bash".into(), "-s".into(), "--".into(), image_dir])
                    .stdin(slurm::FACTS_PROGRAM.as_bytes().to_vec()),
            )
            .await?;
        let mut problems = Vec::new();
        let mut facts = slurm::parse_facts(&out.stdout_str(), &mut problems);
        for p in &problems {
            tracing::warn!("facts: {p}");
        }
        if facts.partitions.is_empty() {
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
        Ok(Facts { facts, age_secs: 0, from_cache: false })
    }

    fn runtime(facts: &ClusterFacts) -> Result<(RuntimeKind, Option<String>, String)> {
        let rt = facts.runtime.as_ref().ok_or_else(|| {
            EngineError::Config(
                "no container runtime (apptainer, singularity, charliecloud) was found on the cluster.\nAsk the admins which one to load (e.g. `module load apptainer`), or run without --image.".into(),
            )
        })?;
        let dir = facts.image_dir.clone().ok_or_else(|| {
            EngineError::Config(
                "no image directory is known; set image_dir in clusterls.toml".into(),
            )
        })?;
        Ok((rt.kind, rt.path.clone(), dir))
    }

    /// Pull `docker://REF` into the cluster's runtime inside a light allocation
    /// (`[pull]` in clusterls.toml). Skipped when present; atomic; racing pulls wait.
    pub async fn pull(
        &self,
        reference: &str,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<PulledImage> {
        let ImageSpec::Docker(r) = ImageSpec::parse(reference).map_err(EngineError::Usage)? else {
            return Err(EngineError::Usage(format!(
                "`{reference}` is not a docker:// reference; give one like docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel"
            )));
        };
        let facts = self.facts(false).await?.facts;
        self.pull_ref(&facts, &r, progress).await
    }

    async fn pull_ref(
        &self,
        facts: &ClusterFacts,
        r: &DockerRef,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<PulledImage> {
        let (kind, _, dir) = Self::runtime(facts)?;
        let path = r.image_path(kind, &dir);
        let res = self.inner.config.pull_resources();
        res.validate().map_err(EngineError::Usage)?;
        let mut srun_args = vec!["--job-name=clusterls-pull".to_string()];
        srun_args.extend(res.slurm_options());
        progress(&format!("pulling {} into {path} (srun {})", r.reference(), srun_args.join(" ")));
        let mut args = vec![kind.as_str().to_string(), path.clone(), r.reference()];
        args.extend(srun_args);
        // Lines of the pull's stderr reach `progress` as they come.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = LineSink(Arc::new(move |l: &str| {
            let _ = tx.send(l.to_string());
        }));
        let exec = self.exec(
            Exec::new("pull", bash(programs::PULL_PROGRAM, "clusterls-pull", args))
                .timeout(Duration::from_secs(3600))
                .stderr_lines(sink),
        );
        let drain = async {
            while let Some(line) = rx.recv().await {
                let line = line.trim();
                if !line.is_empty() {
                    progress(line.strip_prefix("clusterls: ").unwrap_or(line));
                }
            }
        };
        let (out, ()) = tokio::join!(exec, drain);
        let out = out?;
        if out.status != 0 {
            let stderr = out.stderr_str();
            let refused = [
                "Unable to allocate resources",
                "submission failed",
                "Invalid account",
                "Invalid partition",
            ];
            if refused.iter().any(|r| stderr.contains(r)) {
                let (kind, message, hint) = slurm::classify_refusal(&stderr);
                return Err(EngineError::SlurmRefused {
                    action: "image pull allocation".into(),
                    kind,
                    message,
                    hint: format!("{hint} (the pull uses [pull] in clusterls.toml)"),
                });
            }
            return Err(EngineError::Remote {
                host: self.inner.host.clone(),
                what: format!("pull {}", r.reference()),
                status: out.status,
                stderr: last_lines(&stderr, 12),
            });
        }
        let stdout = out.stdout_str();
        let already_present = stdout.lines().any(|l| l.starts_with("present "));
        progress(if already_present { "already present" } else { "pulled" });
        // Remember it, so the next run does not ask again.
        let mut f = facts.clone();
        if !f.images.iter().any(|i| i.path == path) {
            f.images.push(Image {
                name: path.rsplit('/').next().unwrap_or("").into(),
                path: path.clone(),
                size_bytes: None,
            });
            let _ = self.save_facts(&f);
        }
        Ok(PulledImage { path, already_present })
    }

    /// Make an allocation that outlives this call (`salloc --no-shell`); tracked like a job.
    pub async fn alloc(&self, res: &Resources) -> Result<JobRecord> {
        let res = self.inner.config.resources(res);
        res.validate().map_err(EngineError::Usage)?;
        let out = self
            .exec(
                Exec::new("salloc", script::salloc_argv(&res, "clusterls-alloc"))
                    .timeout(Duration::from_secs(300))
                    .not_idempotent(),
            )
            .await?;
        let stderr = out.stderr_str();
        let Some(id) = script::parse_salloc_job_id(&stderr).filter(|_| out.status == 0) else {
            let (kind, message, hint) = slurm::classify_refusal(&stderr);
            return Err(EngineError::SlurmRefused {
                action: "allocation".into(),
                kind,
                message,
                hint: hint.into(),
            });
        };
        let rec =
            self.record(&id, JobKind::Alloc, "allocation", JobState::Running, None, None, &res)?;
        Ok(rec)
    }

    /// Store a new job with the resources it asked for, and tell the listeners.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        id: &str,
        kind: JobKind,
        name: &str,
        state: JobState,
        run_dir: Option<String>,
        alloc: Option<String>,
        res: &Resources,
    ) -> Result<JobRecord> {
        let now = store::now();
        let rec = JobRecord {
            host: self.inner.host.clone(),
            id: id.to_string(),
            kind,
            name: name.to_string(),
            state: state.clone(),
            reason: None,
            exit_code: None,
            run_dir,
            alloc_id: alloc,
            nodes: None,
            submitted_at: now,
            updated_at: now,
            partition: res.partition.clone(),
            account: res.account.clone(),
            gpus: res.gpus,
            time_limit: res.time.clone(),
        };
        self.inner.store.insert(&rec)?;
        self.touch();
        self.inner.track.lock().unwrap().fresh_submit = true;
        self.emit(Event::Job {
            host: rec.host.clone(),
            id: rec.id.clone(),
            state,
            previous: None,
            reason: None,
            exit_code: None,
        });
        self.inner.wake.notify_waiters();
        Ok(rec)
    }

    fn touch(&self) {
        self.inner.track.lock().unwrap().last_change = Instant::now();
    }

    /// Copy the script (and `sync`) to a fresh run directory, write the sbatch script
    /// next to it and submit: ONE round trip on a warm connection (plus a pull when a
    /// docker:// image is missing, and a facts read when none are cached).
    pub async fn run(&self, opts: &RunOptions) -> Result<JobRecord> {
        let res = self.inner.config.resources(&opts.resources);
        res.validate().map_err(EngineError::Usage)?;
        let script_name = opts
            .script
            .file_name()
            .ok_or_else(|| EngineError::Usage(format!("{} is not a file", opts.script.display())))?
            .to_str()
            .ok_or_else(|| {
                EngineError::Usage(format!("{} is not valid UTF-8", opts.script.display()))
            })?
            .to_string();
        let script_bytes = std::fs::read(&opts.script)
            .map_err(|e| EngineError::io(format!("cannot read {}", opts.script.display()), e))?;
        // Resolve the image (and the runtime) only when there is one.
        let image = if opts.no_container {
            None
        } else {
            opts.image.clone().or(self.inner.config.image.clone())
        };
        // `image_path` is checked on the cluster before submitting; `image_arg` is what
        // the container line names (charliecloud runs images in its storage by name).
        let (runtime, image_path, image_arg) = match image {
            None => (None, None, None),
            Some(spec) => {
                let spec = ImageSpec::parse(&spec).map_err(EngineError::Usage)?;
                let facts = self.facts(false).await?.facts;
                let (kind, exe, dir) = Self::runtime(&facts)?;
                let (path, arg) = match spec {
                    ImageSpec::Path(p) => (p.clone(), p),
                    ImageSpec::Docker(r) => {
                        let p = r.image_path(kind, &dir);
                        if !facts.images.iter().any(|i| i.path == p) {
                            self.pull_ref(&facts, &r, &|m| tracing::info!("{m}")).await?;
                        }
                        let arg = match kind {
                            RuntimeKind::Charliecloud => {
                                let mut named = r.clone();
                                if named.tag.is_none() && named.digest.is_none() {
                                    named.tag = Some("latest".into());
                                }
                                named.reference()
                            }
                            _ => p.clone(),
                        };
                        (p, arg)
                    }
                };
                (Some((kind, exe)), Some(path), Some(arg))
            }
        };
        let run_name = format!(
            "{}-{}",
            timestamp_name(),
            shell::safe_name(script_name.trim_end_matches(".py"))
        );
        // The script keeps its own name inside the run directory (with --sync, its
        // path relative to the synced directory).
        let mut script_in_run = script_name.clone();
        let mut tar = tar::Builder::new(Vec::new());
        if let Some(dir) = &opts.sync {
            add_dir(&mut tar, dir)?;
            if let (Ok(abs_s), Ok(abs_d)) = (opts.script.canonicalize(), dir.canonicalize())
                && let Ok(rel) = abs_s.strip_prefix(&abs_d)
            {
                script_in_run = rel.to_str().unwrap_or(&script_name).to_string();
            }
        }
        if script_in_run == script_name {
            append(&mut tar, &script_name, &script_bytes, 0o644)?;
        }
        let interpreter = self.inner.config.python.clone().unwrap_or_else(|| "python3".into());
        let binds = self.inner.config.binds.clone().unwrap_or_default();
        let origin = format!("clusterls run {}", script_name);
        let js = JobScript {
            job_name: &script_name,
            resources: &res,
            runtime: runtime.as_ref().map(|r| r.0),
            runtime_path: None,
            image: image_arg.as_deref(),
            binds: &binds,
            interpreter: &interpreter,
            script: &script_in_run,
            args: &opts.args,
            origin: &origin,
        };
        append(&mut tar, script::SBATCH_FILE, js.render().as_bytes(), 0o755)?;
        let tar = tar.into_inner().map_err(|e| EngineError::io("building the upload", e))?;
        let image_check = image_path.clone().unwrap_or_default();
        let (argv, kind) = match &opts.in_alloc {
            None => (
                bash(programs::RUN_PROGRAM, "clusterls-run", [run_name.clone(), image_check]),
                JobKind::Run,
            ),
            Some(alloc) => {
                if !alloc.chars().all(|c| c.is_ascii_digit()) || alloc.is_empty() {
                    return Err(EngineError::Usage(format!(
                        "--in-alloc `{alloc}` is not a job id"
                    )));
                }
                (
                    bash(
                        programs::STEP_PROGRAM,
                        "clusterls-step",
                        [run_name.clone(), image_check, alloc.clone()],
                    ),
                    JobKind::Step,
                )
            }
        };
        let out = self
            .exec(
                Exec::new("sbatch", argv)
                    .stdin(tar)
                    .timeout(Duration::from_secs(120))
                    .not_idempotent(),
            )
            .await?;
        let stdout = out.stdout_str();
        let stderr = out.stderr_str();
        let dir = stdout.lines().find_map(|l| l.strip_prefix("dir ")).map(str::to_string);
        match out.status {
            0 => {}
            97 | 98 => {
                return Err(EngineError::Usage(format!(
                    "{}\n{}",
                    stderr.trim(),
                    if out.status == 97 {
                        "Pull it with `clusterls pull docker://...`, or give --image a path that exists."
                    } else {
                        "Make a new one with `clusterls alloc`."
                    }
                )));
            }
            _ => {
                let (kind, message, hint) = slurm::classify_refusal(&stderr);
                return Err(EngineError::SlurmRefused {
                    action: "submission".into(),
                    kind,
                    message,
                    hint: hint.into(),
                });
            }
        }
        match kind {
            JobKind::Step => {
                let alloc = opts.in_alloc.clone().unwrap();
                let id = format!("{alloc}/{run_name}");
                // A step runs on what its allocation holds.
                let held = match self.job(&alloc)? {
                    Some(a) => Resources {
                        partition: a.partition,
                        account: a.account,
                        gpus: a.gpus,
                        time: a.time_limit,
                        ..Default::default()
                    },
                    None => Resources::default(),
                };
                self.record(
                    &id,
                    JobKind::Step,
                    &script_name,
                    JobState::Running,
                    dir,
                    Some(alloc),
                    &held,
                )
            }
            _ => {
                let id =
                    script::parse_sbatch_job_id(&stdout).ok_or_else(|| EngineError::Remote {
                        host: self.inner.host.clone(),
                        what: "sbatch --parsable".into(),
                        status: out.status,
                        stderr: format!("no job id in its output: {stdout:?} {stderr}"),
                    })?;
                self.record(&id, JobKind::Run, &script_name, JobState::Pending, dir, None, &res)
            }
        }
    }

    /// Cancel a job or release an allocation.
    pub async fn cancel(&self, id: &str) -> Result<()> {
        let rec = self.inner.store.get(&self.inner.host, id)?;
        let out = match rec.as_ref().map(|r| r.kind) {
            Some(JobKind::Step) => {
                let dir = rec.as_ref().and_then(|r| r.run_dir.clone()).unwrap_or_default();
                self.exec(Exec::new(
                    "cancel",
                    bash(programs::CANCEL_STEP_PROGRAM, "clusterls-cancel", [dir]),
                ))
                .await?
            }
            _ => {
                if !id.chars().all(|c| c.is_ascii_digit() || c == '_') || id.is_empty() {
                    return Err(EngineError::Usage(format!("`{id}` is not a job id")));
                }
                self.exec(Exec::new("scancel", vec!["scancel".into(), id.into()])).await?
            }
        };
        if out.status != 0 {
            let (kind, message, hint) = slurm::classify_refusal(&out.stderr_str());
            return Err(EngineError::SlurmRefused {
                action: "cancel".into(),
                kind,
                message,
                hint: hint.into(),
            });
        }
        self.touch();
        self.inner.wake.notify_waiters();
        Ok(())
    }

    /// argv of an interactive shell inside allocation `alloc` (for an editor terminal):
    /// `srun --jobid=ID --overlap --pty bash -l`, over ssh through the live connection.
    pub async fn shell_argv(&self, alloc: &str) -> Result<Vec<String>> {
        if alloc.is_empty() || !alloc.chars().all(|c| c.is_ascii_digit()) {
            return Err(EngineError::Usage(format!("`{alloc}` is not a job id")));
        }
        let remote: Vec<String> =
            ["srun", &format!("--jobid={alloc}"), "--overlap", "--pty", "bash", "-l"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        match &self.inner.ssh {
            None => Ok(remote),
            Some(ssh) => {
                ssh.ensure_connected().await?;
                Ok(ssh.terminal_argv(&remote))
            }
        }
    }

    /// Tracked jobs of this host, newest first.
    pub fn jobs(&self) -> Result<Vec<JobRecord>> {
        self.inner.store.list(Some(&self.inner.host), false)
    }

    /// A job by id on any host (newest first), from the shared store.
    pub fn find_job(&self, id: &str) -> Result<Option<JobRecord>> {
        Ok(self.inner.store.find(id)?.into_iter().next())
    }

    pub fn job(&self, id: &str) -> Result<Option<JobRecord>> {
        self.inner.store.get(&self.inner.host, id)
    }

    /// The bytes of output.log/error.log after the given offsets.
    pub async fn logs(&self, id: &str, out_offset: u64, err_offset: u64) -> Result<LogChunk> {
        let dir = self.run_dir(id, "an allocation has no output")?;
        let out = self
            .exec(Exec::new(
                "logs",
                bash(
                    programs::LOGS_PROGRAM,
                    "clusterls-logs",
                    [dir, out_offset.to_string(), err_offset.to_string()],
                ),
            ))
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
        let out = self
            .exec(Exec::new(
                "script",
                bash(
                    programs::SCRIPT_PROGRAM,
                    "clusterls-script",
                    [format!("{dir}/{}", script::SBATCH_FILE)],
                ),
            ))
            .await?;
        match out.status {
            0 => Ok(out.stdout_str()),
            programs::GONE => Err(EngineError::Usage(format!(
                "the batch script of job {id} is gone from the cluster ({dir}/{} no longer exists); \
                 it was removed with its run directory",
                script::SBATCH_FILE
            ))),
            status => Err(EngineError::Remote {
                host: self.inner.host.clone(),
                what: format!("reading {dir}/{}", script::SBATCH_FILE),
                status,
                stderr: last_lines(&out.stderr_str(), 5),
            }),
        }
    }

    /// The run directory of a tracked job; `none` says why a job may have none.
    fn run_dir(&self, id: &str, none: &str) -> Result<String> {
        let rec = self.job(id)?.ok_or_else(|| {
            EngineError::Usage(format!(
                "job {id} is not tracked on {}; see `clusterls jobs`",
                self.inner.host
            ))
        })?;
        rec.run_dir
            .ok_or_else(|| EngineError::Usage(format!("job {id} has no run directory ({none})")))
    }

    /// One poll of every live job of this host: ONE remote command (squeue for all,
    /// sacct for those that left squeue, exit files of steps). Returns the changes.
    pub async fn poll(&self) -> Result<Vec<Event>> {
        let live = self.inner.store.list(Some(&self.inner.host), true)?;
        if live.is_empty() {
            return Ok(Vec::new());
        }
        let (q, a, steps) = {
            let t = self.inner.track.lock().unwrap();
            let mut q = Vec::new();
            let mut a = Vec::new();
            let mut steps = Vec::new();
            for r in &live {
                match r.kind {
                    JobKind::Step => steps.extend(r.run_dir.clone()),
                    _ if t.awaiting.contains_key(&r.id) => a.push(r.id.clone()),
                    _ => q.push(r.id.clone()),
                }
            }
            (q, a, steps)
        };
        // The allocations that step runs live in: asked of squeue in the same call.
        let mut squeue_ids = q.clone();
        for r in live.iter().filter(|r| r.kind == JobKind::Step) {
            if let Some(alloc) = &r.alloc_id
                && !squeue_ids.contains(alloc)
                && !a.contains(alloc)
            {
                squeue_ids.push(alloc.clone());
            }
        }
        let mut args = vec![squeue_ids.join(","), a.join(",")];
        args.extend(steps);
        let out = self
            .exec(
                Exec::new("squeue", bash(programs::POLL_PROGRAM, "clusterls-poll", args))
                    .timeout(Duration::from_secs(60)),
            )
            .await?;
        let sections = slurm::sections(&out.stdout_str());
        let squeue = slurm::parse_squeue(sections.get("squeue").map(String::as_str).unwrap_or(""));
        let sacct = slurm::parse_sacct(sections.get("sacct").map(String::as_str).unwrap_or(""));
        let mut changes = Vec::new();
        // (id, state, reason, exit code, nodes)
        type Update = (String, JobState, Option<String>, Option<i32>, Option<String>);
        let mut updates: Vec<Update> = Vec::new();
        {
            let mut t = self.inner.track.lock().unwrap();
            for id in &q {
                match squeue.iter().find(|s| &s.id == id) {
                    Some(s) if s.state.is_final() => {
                        t.awaiting.insert(id.clone(), (0, Some(s.state.clone())));
                    }
                    Some(s) => updates.push((
                        id.clone(),
                        s.state.clone(),
                        s.reason.clone(),
                        None,
                        s.nodes.clone(),
                    )),
                    None => {
                        t.awaiting.insert(id.clone(), (0, None));
                    }
                }
            }
            for id in &a {
                let row = sacct.iter().find(|s| &s.id == id);
                match row {
                    Some(s) if s.state.is_final() => {
                        t.awaiting.remove(id);
                        updates.push((
                            id.clone(),
                            s.state.clone(),
                            None,
                            s.exit_code,
                            s.nodes.clone(),
                        ));
                    }
                    _ => {
                        let e = t.awaiting.entry(id.clone()).or_insert((0, None));
                        e.0 += 1;
                        // Accounting never answered: settle with what squeue last said.
                        if e.0 > 40 {
                            let st = e.1.clone().unwrap_or(JobState::Other("VANISHED".into()));
                            t.awaiting.remove(id);
                            updates.push((id.clone(), st, None, None, None));
                        }
                    }
                }
            }
        }
        let mut ended_steps = Vec::new();
        for line in sections.get("steps").map(String::as_str).unwrap_or("").lines() {
            let mut f = line.splitn(3, '|');
            let (Some(code), Some(flag), Some(dir)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if let Some(r) = live.iter().find(|r| r.run_dir.as_deref() == Some(dir)) {
                let code: i32 = code.trim().parse().unwrap_or(-1);
                let st = match (flag, code) {
                    ("cancelled", _) => JobState::Cancelled,
                    (_, 0) => JobState::Completed,
                    _ => JobState::Failed,
                };
                ended_steps.push(r.id.clone());
                updates.push((r.id.clone(), st, None, Some(code), None));
            }
        }
        // A step whose allocation has ended (cancelled, timed out) ended with it.
        let alloc_live = |id: &str| squeue.iter().any(|s| s.id == id && !s.state.is_final());
        for r in live.iter().filter(|r| r.kind == JobKind::Step && !ended_steps.contains(&r.id)) {
            if let Some(alloc) = &r.alloc_id
                && !alloc_live(alloc)
            {
                updates.push((
                    r.id.clone(),
                    JobState::Cancelled,
                    Some(format!("allocation {alloc} ended")),
                    None,
                    None,
                ));
            }
        }
        for (id, state, reason, exit_code, nodes) in updates {
            if let Some(old) = self.inner.store.update_state(
                &self.inner.host,
                &id,
                &state,
                reason.as_deref(),
                exit_code,
                nodes.as_deref(),
            )? {
                let ev = Event::Job {
                    host: self.inner.host.clone(),
                    id,
                    previous: Some(old.state),
                    state,
                    reason,
                    exit_code,
                };
                if let Event::Job { id, state, reason, exit_code, .. } = &ev {
                    self.see(id, state, reason, *exit_code);
                }
                self.emit(ev.clone());
                changes.push(ev);
            }
        }
        if !changes.is_empty() {
            self.touch();
        }
        Ok(changes)
    }

    fn see(&self, id: &str, state: &JobState, reason: &Option<String>, exit_code: Option<i32>) {
        let mut t = self.inner.track.lock().unwrap();
        if state.is_final() {
            t.seen.remove(id);
        } else {
            t.seen.insert(id.to_string(), (state.clone(), reason.clone(), exit_code));
        }
    }

    /// One cooperative poll, what trackers and followers call: at most one process
    /// asks Slurm about a host at a time. This one does ([`Engine::poll`]) when it takes
    /// or renews the host's poll lease in the store, or once right after a submit through
    /// it; otherwise it only reads the store (no remote call) and returns the changes
    /// the lease holder wrote there since this process last looked.
    pub async fn tick(&self) -> Result<Vec<Event>> {
        let Some(interval) = self.next_wait()? else {
            return self.observe();
        };
        let fresh = std::mem::take(&mut self.inner.track.lock().unwrap().fresh_submit);
        let len = lease::length(interval).as_millis() as i64;
        let host = &self.inner.host;
        if self.inner.store.take_lease(host, &self.inner.holder, store::now_ms(), len)? || fresh {
            // Jobs that became final in the store before this poll (seen, no longer live).
            let mut changes = self.observe()?;
            changes.extend(self.poll().await?);
            Ok(changes)
        } else {
            self.observe()
        }
    }

    /// Changes in the store of the jobs this process tracks, since it last looked.
    fn observe(&self) -> Result<Vec<Event>> {
        let host = &self.inner.host;
        let live = self.inner.store.list(Some(host), true)?;
        let ids: Vec<String> = {
            let mut t = self.inner.track.lock().unwrap();
            for r in &live {
                t.seen
                    .entry(r.id.clone())
                    .or_insert_with(|| (r.state.clone(), r.reason.clone(), r.exit_code));
            }
            t.seen.keys().cloned().collect()
        };
        let mut changes = Vec::new();
        for id in ids {
            let Some(r) = self.inner.store.get(host, &id)? else {
                self.inner.track.lock().unwrap().seen.remove(&id);
                continue;
            };
            let prev = self.inner.track.lock().unwrap().seen.get(&id).cloned();
            let now: Seen = (r.state.clone(), r.reason.clone(), r.exit_code);
            self.see(&id, &r.state, &r.reason, r.exit_code);
            if let Some(prev) = prev
                && prev != now
            {
                let ev = Event::Job {
                    host: host.clone(),
                    id,
                    state: now.0,
                    previous: Some(prev.0),
                    reason: now.1,
                    exit_code: now.2,
                };
                self.emit(ev.clone());
                changes.push(ev);
            }
        }
        if !changes.is_empty() {
            self.touch();
        }
        Ok(changes)
    }

    fn next_wait(&self) -> Result<Option<Duration>> {
        let live = self.inner.store.list(Some(&self.inner.host), true)?;
        // The last change any process saw (a submit or state change in the store), so a
        // lease holder polls fast for a job another process just submitted.
        let newest = live.iter().map(|r| r.submitted_at.max(r.updated_at)).max().unwrap_or(0);
        let in_store = Duration::from_secs(store::now().saturating_sub(newest));
        let since = self.inner.track.lock().unwrap().last_change.elapsed().min(in_store);
        Ok(policy::poll_interval(since, live.len()))
    }

    /// How long to wait before the next [`Engine::poll`] (the adaptive policy).
    pub fn next_poll_wait(&self) -> Duration {
        self.next_wait().ok().flatten().unwrap_or(Duration::from_millis(500))
    }

    /// Poll until job `id` is final, calling `on_event` for each change; returns the
    /// final record. Re-attaches to a job submitted by an earlier process.
    pub async fn follow(&self, id: &str, mut on_event: impl FnMut(&Event)) -> Result<JobRecord> {
        self.touch();
        loop {
            let rec = self.job(id)?.ok_or_else(|| {
                EngineError::Usage(format!("job {id} is not tracked on {}", self.inner.host))
            })?;
            if rec.is_final() {
                return Ok(rec);
            }
            for e in self.tick().await? {
                if matches!(&e, Event::Job { id: i, .. } if i == id) {
                    on_event(&e);
                }
            }
            if self.job(id)?.is_some_and(|r| r.is_final()) {
                continue;
            }
            let wait = self.next_wait()?.unwrap_or(Duration::from_millis(500));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.inner.wake.notified() => {}
            }
        }
    }

    /// The background tracker: polls while anything is live. With nothing live it makes
    /// zero remote calls: it wakes on a submit through this engine, and every 5 s reads
    /// the shared job store (local SQLite) for jobs another process submitted.
    /// Errors are reported as Connection events and retried.
    pub fn start_tracker(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let wait = match this.next_wait() {
                    Ok(w) => w,
                    Err(e) => {
                        tracing::warn!("tracker: {e}");
                        Some(Duration::from_secs(5))
                    }
                };
                match wait {
                    None => {
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                            _ = this.inner.wake.notified() => {}
                        }
                        continue;
                    }
                    Some(d) => {
                        tokio::select! {
                            _ = tokio::time::sleep(d) => {}
                            _ = this.inner.wake.notified() => {}
                        }
                    }
                }
                if let Err(e) = this.tick().await {
                    tracing::warn!("tracker: {e}");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        })
    }
}

/// The last `n` lines of a command's stderr, for an error message.
fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn append(tar: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) -> Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(store::now());
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, path, data)
        .map_err(|e| EngineError::io(format!("cannot pack {path}"), e))
}

/// Add a directory's files, honouring .gitignore, .ignore and .clusterlsignore.
fn add_dir(tar: &mut tar::Builder<Vec<u8>>, dir: &Path) -> Result<()> {
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .add_custom_ignore_filename(".clusterlsignore")
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walk {
        let entry =
            entry.map_err(|e| EngineError::Usage(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_str().ok_or_else(|| {
            EngineError::Usage(format!("{} is not valid UTF-8", entry.path().display()))
        })?;
        let data = std::fs::read(entry.path())
            .map_err(|e| EngineError::io(format!("cannot read {}", entry.path().display()), e))?;
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            entry.metadata().map(|m| m.permissions().mode() & 0o777).unwrap_or(0o644)
        };
        append(tar, rel, &data, mode)?;
    }
    Ok(())
}

/// `20261129-155012-1234`: UTC time plus a per-process discriminator, sortable.
fn timestamp_name() -> String {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs();
    let (y, m, d) = civil_from_days((secs / 86400) as i64);
    let s = secs % 86400;
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{:04}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        (now.subsec_micros() ^ std::process::id()) % 10000
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: T) {}

    /// The language server spawns these on a multi-threaded runtime.
    #[allow(dead_code, clippy::let_underscore_future)]
    fn futures_are_send(e: &Engine) {
        assert_send(e.run(&RunOptions::default()));
        assert_send(e.poll());
        assert_send(e.facts(false));
        assert_send(e.pull("x", &|_| {}));
        assert_send(e.alloc(&Resources::default()));
        assert_send(e.cancel("1"));
        assert_send(e.logs("1", 0, 0));
        assert_send(e.script("1"));
        assert_send(e.follow("1", |_| {}));
        assert_send(e.connect());
        assert_send(e.shell_argv("1"));
    }

    /// A scratch state directory and a run directory with a hostile name, removed after.
    struct Scratch(PathBuf);
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn local_engine(scratch: &Scratch) -> Engine {
        let mut opts = EngineOptions::new("local");
        opts.state_dir = Some(scratch.0.join("state"));
        opts.config = Some(Config::default());
        Engine::with_transport(opts, Arc::new(LocalTransport::new())).await.unwrap()
    }

    fn track(e: &Engine, id: &str, kind: JobKind, run_dir: Option<String>) {
        let res = Resources {
            partition: Some("gpu".into()),
            account: Some("lab_dev".into()),
            gpus: Some(2),
            time: Some("00:10:00".into()),
            ..Default::default()
        };
        e.record(id, kind, "x.py", JobState::Pending, run_dir, None, &res).unwrap();
    }

    #[tokio::test]
    async fn script_reads_the_generated_batch_script_in_one_round_trip() {
        let scratch =
            Scratch(std::env::temp_dir().join(format!("clusterls-api-{}", std::process::id())));
        let run = scratch.0.join("runs/a 'b' $(touch pwned); c\nd");
        std::fs::create_dir_all(&run).unwrap();
        let text = "#!/bin/bash\n#SBATCH --partition=gpu\necho 'ü'\n";
        std::fs::write(run.join(script::SBATCH_FILE), text).unwrap();
        let e = local_engine(&scratch).await;
        let run = run.to_str().unwrap().to_string();
        track(&e, "41", JobKind::Run, Some(run.clone()));
        let before = e.round_trips();
        assert_eq!(e.script("41").await.unwrap(), text);
        assert_eq!(e.round_trips() - before, 1);
        assert!(!scratch.0.join("runs/pwned").exists() && !Path::new("pwned").exists());

        // The requested resources are kept with the job.
        let rec = e.job("41").unwrap().unwrap();
        assert_eq!(
            (rec.partition.as_deref(), rec.account.as_deref(), rec.gpus, rec.time_limit.as_deref()),
            (Some("gpu"), Some("lab_dev"), Some(2), Some("00:10:00"))
        );

        // Each error says what went wrong and what to do.
        std::fs::remove_dir_all(&run).unwrap();
        let msg = e.script("41").await.unwrap_err().to_string();
        assert!(msg.contains("gone from the cluster") && msg.contains("job.sbatch"), "{msg}");
        let msg = e.script("42").await.unwrap_err().to_string();
        assert!(msg.contains("job 42 is not tracked on local; see `clusterls jobs`"), "{msg}");
        track(&e, "43", JobKind::Alloc, None);
        let msg = e.script("43").await.unwrap_err().to_string();
        assert!(msg.contains("an allocation has no batch script"), "{msg}");
    }

    #[test]
    fn civil() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_786), (2026, 11, 29));
    }
}
