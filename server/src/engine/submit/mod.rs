//! Submitting runs: the script (and `--sync DIR`) uploaded to a fresh run directory
//! with its job script, and submitted, in ONE round trip on a warm connection (plus a
//! pull when a docker:// image is missing, and a facts read when none are cached).
//! The decisions are in [`plan`]; the files in [`super::upload`].

mod as_written;
pub mod plan;

use std::path::PathBuf;
use std::time::Duration;

use super::Engine;
use super::array;
use super::error::{EngineError, Result};
use super::launch::as_written::is_batch_script;
use super::launch::distributed::{self, Launcher, Layout};
use super::resources::Resources;
use super::sessions;
use super::state::JobState;
use super::store::{self, JobKind, JobRecord};
use super::transport::Exec;
use super::{script, upload};

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
    /// Submit an sbatch script even when the checker finds errors in it.
    pub force: bool,
    /// `--nodes N` (an exact count for a generated run; any sbatch form as written).
    pub nodes: Option<String>,
    /// `--gpus-per-node G`; None: `resources.gpus` (which is per node too).
    pub gpus_per_node: Option<u32>,
    /// `--gpu-type T`: Slurm's typed GRES (`a100`), with the GPUs per node.
    pub gpu_type: Option<String>,
    /// `--constraint C`: node features.
    pub constraint: Option<String>,
    /// `--launcher torchrun`; default: the interpreter runs the script in each task.
    pub launcher: Launcher,
    /// `--array SPEC` (`0-9%2`): a job array, one task per index.
    pub array: Option<String>,
    /// Run in the image of this Dockerfile (built first when its key changed).
    pub dockerfile: Option<PathBuf>,
    /// The configuration this run takes its defaults from instead of the engine's (the
    /// language server: the clusterls.toml of the script's workspace folder).
    pub config: Option<super::config::Config>,
}

impl RunOptions {
    pub fn new(script: impl Into<PathBuf>) -> Self {
        RunOptions { script: script.into(), ..Default::default() }
    }
}

/// What [`Engine::run_with`] did: the job, and what its upload sent.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub job: JobRecord,
    pub upload: upload::plan::UploadSummary,
}

impl Engine {
    /// Copy the script (and `sync`) to a fresh run directory, write the sbatch script
    /// next to it and submit: ONE round trip on a warm connection (plus one that reads
    /// the project's manifest with `sync`, a pull when a docker:// image is missing, a
    /// build when a Dockerfile's key changed, and a facts read when none are cached).
    pub async fn run(&self, opts: &RunOptions) -> Result<JobRecord> {
        Ok(self.run_with(opts, &|m| tracing::info!("{m}")).await?.job)
    }

    /// [`Engine::run`], telling `progress` what it does (the build or pull a run needs
    /// first, line by line; what the upload sent), and returning what it sent.
    pub async fn run_with(
        &self,
        opts: &RunOptions,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<RunOutcome> {
        let config = opts.config.as_ref().unwrap_or(self.config());
        let res = config.resources(&opts.resources);
        res.validate().map_err(EngineError::Usage)?;
        let script_name = plan::script_name(&opts.script)?;
        let script_bytes = super::upload::read_local(&opts.script, config.upload_limit)?;
        // A Dockerfile (flag, or config without --image) resolves to its built image.
        let opts = &self.dockerfile_image(opts, progress).await?;
        if opts.in_alloc.is_none()
            && let Ok(text) = std::str::from_utf8(&script_bytes)
            && is_batch_script(text)
        {
            return self.run_as_written(opts, &script_name, text, progress).await;
        }
        let python = config.python.as_deref().unwrap_or("python3");
        let interpreter = plan::interpreter(&script_name, &script_bytes, python)?;
        let upload::Prepared { run: mut up, project, script_in_run } = upload::prepare(
            &opts.script,
            &script_name,
            script_bytes,
            opts.sync.as_deref(),
            config.upload_limit,
        )?;
        let image =
            match plan::image(opts.image.as_deref(), opts.no_container, config.image.as_deref()) {
                Some(spec) => Some(self.run_image(&spec, progress).await?),
                None => None,
            };
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let run_name = plan::run_name(now.as_secs(), super::store::random_token(), &script_name);
        let (layout, array) = self.layout(opts, &res).await?;
        let tasks = match &array {
            Some(spec) => array::new_tasks(spec).map_err(EngineError::Usage)?,
            None => Vec::new(),
        };
        let job_script = plan::Run {
            script_name: &script_name,
            script_in_run: &script_in_run,
            args: &opts.args,
            resources: &res,
            image: image.as_ref().map(|i| (i.kind, i.arg.as_str())),
            interpreter: &interpreter,
            layout: &layout,
            array: array.as_deref(),
            binds: config.binds.as_deref().unwrap_or_default(),
        }
        .job_script()?;
        up.add(script::SBATCH_FILE, job_script.into_bytes(), upload::plan::SBATCH_MODE);
        let in_alloc = opts.in_alloc.as_deref();
        let image_check = image.as_ref().map(|i| i.check_path.as_str()).unwrap_or("");
        let argv = plan::submit_argv(in_alloc, &run_name, image_check)?;
        let (done, sent) =
            self.submit(project.as_ref(), &up, argv, in_alloc, &run_name, progress).await?;
        let job = match in_alloc {
            Some(alloc) => {
                let held = self.job(alloc)?.map(|a| a.resources);
                let held = sessions::plan::held_by(held.as_ref());
                let mut rec = self.new_record(
                    &done.id,
                    JobKind::Step,
                    &script_name,
                    JobState::Running,
                    &held,
                );
                (rec.run_dir, rec.alloc_id) = (done.dir, Some(alloc.to_string()));
                self.track_new(rec)?
            }
            None => {
                let mut rec =
                    self.new_record(&done.id, JobKind::Run, &script_name, JobState::Pending, &res);
                (rec.run_dir, rec.tasks) = (done.dir, tasks);
                self.track_new(rec)?
            }
        };
        Ok(RunOutcome { job, upload: sent })
    }

    /// The nodes, GPUs and array of a generated run, checked before anything is
    /// uploaded: against the partition's facts (cached, or read once) when the run asks
    /// for more than a plain one-node job.
    async fn layout(&self, opts: &RunOptions, res: &Resources) -> Result<(Layout, Option<String>)> {
        let gpus = opts.gpus_per_node.or(res.gpus).unwrap_or(0);
        let plain = opts.nodes.is_none()
            && opts.gpu_type.is_none()
            && opts.constraint.is_none()
            && opts.launcher == Launcher::Direct
            && opts.array.is_none();
        if plain {
            return Ok((Layout::single(gpus), None));
        }
        if opts.in_alloc.is_some() {
            return Err(EngineError::Usage(
                "--in-alloc runs a step inside an existing allocation; --nodes, --gpu-type, \
                 --constraint, --launcher and --array shape a new job: drop one or the other"
                    .into(),
            ));
        }
        let facts = self.facts(false).await.ok().map(|f| f.facts);
        let partition = facts.as_ref().and_then(|f| {
            f.partitions.iter().find(|p| match &res.partition {
                Some(name) => &p.name == name,
                None => p.is_default,
            })
        });
        let layout = distributed::validate(
            opts.nodes.as_deref().unwrap_or("1"),
            gpus,
            opts.gpu_type.as_deref(),
            opts.constraint.as_deref(),
            opts.launcher,
            partition,
        )
        .map_err(EngineError::Usage)?;
        if let Some(spec) = &opts.array {
            let max = facts.as_ref().and_then(|f| f.admission.max_array_size);
            distributed::validate_array(spec, max).map_err(EngineError::Usage)?;
        }
        Ok((layout, opts.array.clone()))
    }

    /// Upload the run's files (and the project's changes) and run the submit program
    /// `argv` with them, in one round trip (never sent again: a retry could make a
    /// second job); what the cluster said, and what the upload sent.
    pub(super) async fn submit(
        &self,
        project: Option<&upload::Project>,
        up: &upload::plan::Upload,
        argv: Vec<String>,
        in_alloc: Option<&str>,
        run_name: &str,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<(plan::Submitted, upload::plan::UploadSummary)> {
        let exec = Exec::new("sbatch", argv).timeout(Duration::from_secs(600)).not_idempotent();
        let (out, sent) = self.upload_exec(project, up, exec).await?;
        if sent.project.is_some() {
            progress(&sent.line());
        }
        let done = plan::read_submit(
            self.host(),
            in_alloc,
            run_name,
            out.status,
            &out.stdout_str(),
            &out.stderr_str(),
        )?;
        Ok((done, sent))
    }

    /// A new job's record, not stored yet ([`Engine::track_new`] stores it); the caller
    /// adds what else it knows (run directory, allocation, tasks, log files).
    pub(super) fn new_record(
        &self,
        id: &str,
        kind: JobKind,
        name: &str,
        state: JobState,
        res: &Resources,
    ) -> JobRecord {
        let now = store::now();
        JobRecord {
            host: self.host().to_string(),
            id: id.to_string(),
            kind,
            name: name.to_string(),
            state,
            reason: None,
            exit_code: None,
            run_dir: None,
            alloc_id: None,
            nodes: None,
            submitted_at: now,
            updated_at: now,
            resources: res.clone(),
            ssh_config: self.ssh().and_then(|s| s.ssh_config()),
            log_out: None,
            log_err: None,
            tasks: Vec::new(),
        }
    }

    /// Store a new job's record and wake the tracker. The submit is not broadcast as
    /// an event: the caller has the record (and tells its user once); the job's later
    /// changes are.
    pub(super) fn track_new(&self, mut rec: JobRecord) -> Result<JobRecord> {
        if rec.is_array() {
            rec.reason = Some(array::summary(&rec.tasks));
        }
        self.store().insert(&rec)?;
        self.submitted(&rec);
        Ok(rec)
    }
}
