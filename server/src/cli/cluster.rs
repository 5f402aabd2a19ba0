//! The commands that talk to a cluster: facts, pull, alloc, run, cancel, jobs, logs.
//! They are thin: parse flags, call [`crate::engine::Engine`], print.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::render::visible_lines_of;
use super::{Global, exit, follow};
use crate::engine::launch::distributed::Launcher;
use crate::engine::{Engine, EngineError, EngineOptions, Event, JobRecord, Resources, RunOptions};

#[derive(Debug, clap::Args)]
pub struct FactsArgs {
    /// Print the facts as JSON (the format `clusterls check --facts FILE` reads).
    #[arg(long)]
    pub json: bool,
    /// Read them from the cluster now instead of the cache.
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// `docker://REF`, e.g. docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel
    pub reference: String,
}

#[derive(Debug, clap::Args)]
pub struct AllocArgs {
    /// Unset ones come from clusterls.toml.
    #[command(flatten)]
    pub resources: Resources,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Unset ones come from clusterls.toml.
    #[command(flatten)]
    pub resources: Resources,
    /// `docker://REF` (pulled first when missing) or an image path on the cluster.
    #[arg(long)]
    pub image: Option<String>,
    /// Run without a container, even if clusterls.toml names an image.
    #[arg(long, conflicts_with = "image")]
    pub no_container: bool,
    /// Run in the image of this Dockerfile, built on the cluster first when it changed
    /// (see `clusterls build`; `dockerfile = "..."` in clusterls.toml does the same).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["image", "no_container"])]
    pub dockerfile: Option<PathBuf>,
    /// Run as a step of this allocation (see `clusterls alloc`) instead of queueing.
    #[arg(long, value_name = "JOBID")]
    pub in_alloc: Option<String>,
    /// Also copy this directory (honours .gitignore, .ignore, .clusterlsignore).
    #[arg(long, value_name = "DIR")]
    pub sync: Option<PathBuf>,
    /// Submit an sbatch script even when `clusterls check` finds errors in it.
    #[arg(long)]
    pub force: bool,
    /// Nodes, one task each (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK set for them).
    #[arg(long, value_name = "N")]
    pub nodes: Option<String>,
    /// GPUs on each node (instead of --gpus).
    #[arg(long, value_name = "G")]
    pub gpus_per_node: Option<u32>,
    /// The GPU type (Slurm's typed GRES, e.g. a100; see `clusterls facts`).
    #[arg(long, value_name = "TYPE")]
    pub gpu_type: Option<String>,
    /// Node features the nodes must have (Slurm's --constraint).
    #[arg(long, value_name = "FEATURES")]
    pub constraint: Option<String>,
    /// `torchrun`: start torchrun on each node (rendezvous at MASTER_ADDR:MASTER_PORT).
    #[arg(long, value_name = "LAUNCHER", value_parser = ["torchrun"])]
    pub launcher: Option<String>,
    /// A job array (a sweep): e.g. `0-9%2`, one task per index, at most 2 at once.
    #[arg(long, value_name = "SPEC")]
    pub array: Option<String>,
    /// Follow the job: its state changes on stderr, its output on stdout; exit 0 when it
    /// succeeds, 1 when it does not (its state and exit code on stderr's last line).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Print only the job id (for scripts: `id=$(clusterls run --parsable job.py)`).
    #[arg(long)]
    pub parsable: bool,
    /// The script to run.
    pub script: PathBuf,
    /// Arguments for the script (after `--`), passed intact.
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    pub job: String,
}

#[derive(Debug, clap::Args)]
pub struct JobsArgs {
    /// One job's detail: its record, and when it has ended, how it went (from sacct).
    pub job: Option<String>,
    /// The job records as JSON.
    #[arg(long)]
    pub json: bool,
    /// Ask Slurm for the current state of live jobs first.
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    pub job: String,
    /// Keep printing until the job ends; exit 0 when it succeeds, 1 when it does not.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

pub(super) fn fail(e: &EngineError) -> ExitCode {
    eprintln!("clusterls: {}", visible_lines_of(&e.to_string()));
    ExitCode::from(exit_status(e))
}

/// The CLI's exit status for an engine error (see [`super::exit`]).
pub fn exit_status(e: &EngineError) -> u8 {
    match e.exit_code() {
        c @ (exit::USAGE | exit::UNREACHABLE | exit::REFUSED) => c,
        _ => exit::INTERNAL,
    }
}

/// The facts of `--host` for `clusterls check --host`: from the cache when fresh, else
/// one round trip.
/// Errors carry their exit status (see [`super::exit`]).
/// The facts (cached unless `dirs` are asked about: then one fresh round trip that also
/// says which of them exist).
pub(super) fn fetch_facts(
    g: &Global,
    dirs: &[String],
) -> Result<clusterls_core::ClusterFacts, (u8, String)> {
    let err = |e: EngineError| (exit_status(&e), e.to_string());
    runtime().block_on(async {
        let engine = open(g, None).await.map_err(err)?;
        engine.facts_with_dirs(false, dirs).await.map(|f| f.facts).map_err(err)
    })
}

/// `--host`, else `host` in clusterls.toml, else the host of a known job.
pub(super) async fn open(g: &Global, job: Option<&str>) -> Result<Engine, EngineError> {
    let mut opts = EngineOptions::new("");
    opts.ssh_config = g.ssh_config.clone();
    let config = {
        let dir = std::env::current_dir().map_err(|e| EngineError::io("current directory", e))?;
        crate::engine::config::Config::load(&dir)?.0
    };
    // A job named by id: its host and ssh config, as recorded when it was submitted.
    let known = match job {
        Some(id) => {
            let state = Engine::open(EngineOptions {
                config: Some(config.clone()),
                ..EngineOptions::new("local")
            })
            .await?;
            state.find_job(id)?
        }
        None => None,
    };
    let host = match (&g.host, &config.host, &known) {
        (Some(h), _, _) | (None, Some(h), _) => h.clone(),
        (None, None, Some(r)) => r.host.clone(),
        (None, None, None) => {
            return Err(EngineError::Usage(
                "which cluster? Pass --host ALIAS (an ssh host alias, or `local` on a login node) or set `host = \"...\"` in clusterls.toml".into(),
            ));
        }
    };
    if opts.ssh_config.is_none() {
        opts.ssh_config =
            known.filter(|r| r.host == host).and_then(|r| r.ssh_config).map(Into::into);
    }
    opts.host = host;
    opts.config = Some(config);
    Engine::open(opts).await
}

pub fn facts(g: &Global, a: FactsArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, None).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        match engine.facts(a.refresh).await {
            Err(e) => fail(&e),
            Ok(f) => {
                if a.json {
                    println!("{}", serde_json::to_string_pretty(&f.facts).expect("serialize"));
                } else {
                    super::show::print_facts(&f);
                }
                ExitCode::SUCCESS
            }
        }
    })
}

pub fn pull(g: &Global, a: PullArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, None).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        match engine.pull(&a.reference, &|m| eprintln!("clusterls: {}", visible_lines_of(m))).await
        {
            Ok(p) => {
                println!("{}", p.path);
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}

pub fn alloc(g: &Global, a: AllocArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, None).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        match engine.alloc(&a.resources).await {
            Ok(r) => {
                println!("{}", r.id);
                eprintln!(
                    "clusterls: allocation {} is ready; run in it with `clusterls run --in-alloc {} SCRIPT`, release it with `clusterls cancel {}`",
                    r.id, r.id, r.id
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}

/// The logs of job `id` (of `rec`, or one task of the array `rec`).
async fn print_logs(engine: &Engine, rec: &JobRecord, id: &str) -> Option<ExitCode> {
    rec.run_dir.as_ref()?;
    match engine.logs(id, 0, 0).await {
        Ok(chunk) => {
            follow::write_chunk(&chunk, &mut 0, &mut 0);
            None
        }
        Err(e) => Some(fail(&e)),
    }
}

pub fn run(g: &Global, a: RunArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, None).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        let opts = RunOptions {
            script: a.script.clone(),
            args: a.args.clone(),
            resources: a.resources.clone(),
            image: a.image.clone(),
            in_alloc: a.in_alloc.clone(),
            sync: a.sync.clone(),
            no_container: a.no_container,
            force: a.force,
            nodes: a.nodes.clone(),
            gpus_per_node: a.gpus_per_node,
            gpu_type: a.gpu_type.clone(),
            constraint: a.constraint.clone(),
            launcher: match a.launcher.as_deref() {
                Some("torchrun") => Launcher::Torchrun,
                _ => Launcher::Direct,
            },
            array: a.array.clone(),
            dockerfile: a.dockerfile.clone(),
            config: None,
        };
        // What the run does first (a build or pull it needs, line by line; what the
        // upload sent) goes to stderr as it happens.
        let progress = |m: &str| eprintln!("clusterls: {}", visible_lines_of(m));
        let rec = match engine.run_with(&opts, &progress).await {
            Ok(r) => r.job,
            Err(e) => {
                // Submitted, then not recorded: the job exists, so its id is printed.
                if let Some(id) = e.submitted_job() {
                    print_job_id(&a, id);
                }
                return fail(&e);
            }
        };
        print_job_id(&a, &rec.id);
        if let Some(d) = &rec.run_dir {
            eprintln!("clusterls: run directory {d} on {}", engine.host());
        }
        if !a.follow {
            return ExitCode::SUCCESS;
        }
        follow::print_event(&Event::Job {
            host: rec.host.clone(),
            id: rec.id.clone(),
            state: rec.state.clone(),
            previous: None,
            reason: None,
            exit_code: None,
        });
        follow::follow(&engine, &rec.id).await.unwrap_or_else(|e| fail(&e))
    })
}

/// The id: bare with --parsable (for scripts); with --follow, stdout is the job's
/// output alone, so the human line goes to stderr.
fn print_job_id(a: &RunArgs, id: &str) {
    if a.parsable {
        println!("{id}");
    } else if a.follow {
        eprintln!("job {id}");
    } else {
        println!("job {id}");
    }
    let _ = std::io::stdout().flush();
}

pub fn cancel(g: &Global, a: CancelArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, Some(&a.job)).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        match engine.cancel(&a.job).await {
            Ok(()) => {
                eprintln!("clusterls: cancelled {}", a.job);
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}

pub fn jobs(g: &Global, a: JobsArgs) -> ExitCode {
    runtime().block_on(async {
        // The records are local: without --host, every host's jobs, from the store alone.
        let jobs = match &g.host {
            Some(_) => {
                let engine = match open(g, None).await {
                    Ok(e) => e,
                    Err(e) => return fail(&e),
                };
                if a.refresh {
                    let mut events = engine.subscribe();
                    if let Err(e) = engine.poll().await {
                        return fail(&e);
                    }
                    // An unreachable controller or accounting: the states shown are the
                    // last known ones.
                    while let Ok(e) = events.try_recv() {
                        if matches!(e, Event::Controller { .. } | Event::Accounting { .. }) {
                            follow::print_event(&e);
                        }
                    }
                }
                engine.jobs()
            }
            None => all_jobs(g, a.refresh).await,
        };
        let jobs = match jobs {
            Ok(j) => j,
            Err(e) => return fail(&e),
        };
        if a.json {
            println!("{}", serde_json::to_string_pretty(&jobs).expect("serialize"));
            return ExitCode::SUCCESS;
        }
        if jobs.is_empty() {
            eprintln!("clusterls: no jobs yet; start one with `clusterls run SCRIPT`");
            return ExitCode::SUCCESS;
        }
        super::write_stdout(&super::show::jobs_table(&jobs))
    })
}

/// Every host's jobs; with `refresh`, each host with live jobs is polled first.
async fn all_jobs(g: &Global, refresh: bool) -> Result<Vec<JobRecord>, EngineError> {
    let store = Engine::open(EngineOptions {
        ssh_config: g.ssh_config.clone(),
        ..EngineOptions::new("local")
    })
    .await?;
    if refresh {
        // Each host as its jobs reached it: the ssh config stored with them (unless
        // --ssh-config names one for all).
        let mut hosts: Vec<(String, Option<String>)> = store
            .all_jobs()?
            .into_iter()
            .filter(|j| !j.is_final())
            .map(|j| (j.host, j.ssh_config))
            .collect();
        hosts.sort();
        hosts.dedup();
        for (host, ssh_config) in hosts {
            let one = Global {
                host: Some(host),
                ssh_config: g.ssh_config.clone().or(ssh_config.map(Into::into)),
            };
            open(&one, None).await?.poll().await?;
        }
    }
    store.all_jobs()
}

pub fn logs(g: &Global, a: LogsArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, Some(&a.job)).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        if a.follow {
            return follow::follow(&engine, &a.job).await.unwrap_or_else(|e| fail(&e));
        }
        let rec = match engine.job_or_task(&a.job) {
            Ok(Some((r, _))) => r,
            Ok(None) => {
                return fail(&EngineError::Usage(format!(
                    "job {} is not tracked on {}; see `clusterls jobs`",
                    a.job,
                    engine.host()
                )));
            }
            Err(e) => return fail(&e),
        };
        print_logs(&engine, &rec, &a.job).await.unwrap_or(ExitCode::SUCCESS)
    })
}
