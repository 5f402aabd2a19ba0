//! `clusterls forward` (a local port to a port on a job's node, through the live ssh
//! connection; `--list`, `--close`), `clusterls jupyter` and `clusterls tensorboard`.

use std::process::ExitCode;
use std::time::Duration;

use super::Global;
use super::cluster::{fail, open, runtime};
use super::render::visible;
use crate::engine::forward::plan::{ForwardRecord, Server};
use crate::engine::forward::serve::ServeOptions;
use crate::engine::sessions::plan::forward_spec;
use crate::engine::{Engine, EngineError, EngineOptions, Resources};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The forward goes through the ssh master clusterls already uses (no new login) \
and ends with the job. Examples:\n  clusterls forward 359 8888          # 127.0.0.1:8888 -> the job's node:8888\n  clusterls forward 359 18888:8888    # 127.0.0.1:18888 -> node:8888\n  clusterls forward --list\n  clusterls forward --close 18888"
)]
pub struct ForwardArgs {
    /// The job (allocation or batch job) whose first node to reach.
    #[arg(required_unless_present_any = ["list", "close", "close_job", "watch"])]
    pub job: Option<String>,
    /// `REMOTE_PORT` or `LOCAL:REMOTE_PORT`.
    #[arg(required_unless_present_any = ["list", "close", "close_job", "watch"], value_name = "[LOCAL:]REMOTE_PORT")]
    pub port: Option<String>,
    /// List the forwards this machine holds.
    #[arg(long, conflicts_with_all = ["job", "close", "close_job"])]
    pub list: bool,
    /// Close the forward on this local port.
    #[arg(long, value_name = "LOCAL", conflicts_with_all = ["job", "close_job"])]
    pub close: Option<u16>,
    /// Close every forward into this job.
    #[arg(long, value_name = "JOB", conflicts_with = "job")]
    pub close_job: Option<String>,
    /// (internal) watch the forwards of `--host` and close each when its job ends.
    #[arg(long, hide = true)]
    pub watch: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Unset ones come from clusterls.toml.
    #[command(flatten)]
    pub resources: Resources,
    /// `docker://REF` (pulled first when missing) or an image path on the cluster.
    #[arg(long)]
    pub image: Option<String>,
    /// Start it in this allocation (see `clusterls alloc`) instead of making one.
    #[arg(long, value_name = "JOBID")]
    pub in_alloc: Option<String>,
    /// The local port (default: a free one).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Seconds to wait for the server to answer.
    #[arg(long, default_value = "180", value_name = "SECS")]
    pub wait: u64,
}

#[derive(Debug, clap::Args)]
pub struct TensorboardArgs {
    /// The log directory on the cluster (relative: to your home directory there).
    #[arg(long, value_name = "DIR")]
    pub logdir: String,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The state directory alone (records are local; no cluster is asked).
async fn local_engine() -> Result<Engine, EngineError> {
    let config = {
        let dir = std::env::current_dir().map_err(|e| EngineError::io("current directory", e))?;
        crate::engine::config::Config::load(&dir)?.0
    };
    Engine::open(EngineOptions { config: Some(config), ..EngineOptions::new("local") }).await
}

fn line(r: &ForwardRecord) -> String {
    format!(
        "127.0.0.1:{} -> {}:{} (job {} on {})",
        r.local_port,
        visible(&r.node),
        r.remote_port,
        visible(&r.job),
        visible(&r.host)
    )
}

pub fn forward(g: &Global, a: ForwardArgs) -> ExitCode {
    runtime().block_on(async {
        if a.watch {
            let engine = match open(g, None).await {
                Ok(e) => e,
                Err(e) => return fail(&e),
            };
            return match engine.watch_forwards().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            };
        }
        if a.list || a.close.is_some() || a.close_job.is_some() {
            let engine = match local_engine().await {
                Ok(e) => e,
                Err(e) => return fail(&e),
            };
            return list_or_close(&engine, &a).await;
        }
        let (Some(job), Some(port)) = (a.job.as_deref(), a.port.as_deref()) else {
            return fail(&EngineError::Usage("give JOB and [LOCAL:]REMOTE_PORT".into()));
        };
        let spec = match forward_spec(port) {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
        let engine = match open(g, Some(job)).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        match engine.forward(job, spec, None).await {
            Ok(r) => {
                println!("{}", r.local_url());
                eprintln!(
                    "clusterls: forwarding {}; it ends with the job, or with `clusterls forward --close {}`",
                    line(&r),
                    r.local_port
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}

async fn list_or_close(engine: &Engine, a: &ForwardArgs) -> ExitCode {
    if let Some(local) = a.close {
        return match engine.close_forward(local).await {
            Ok(r) => {
                eprintln!("clusterls: closed {}", line(&r));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    if let Some(job) = &a.close_job {
        return match engine.close_job_forwards(job).await {
            Ok(closed) => {
                for r in &closed {
                    eprintln!("clusterls: closed {}", line(r));
                }
                if closed.is_empty() {
                    eprintln!("clusterls: job {} has no forwards", visible(job));
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    match engine.forwards().await {
        Ok(list) if list.is_empty() => {
            eprintln!("clusterls: no forwards");
            ExitCode::SUCCESS
        }
        Ok(list) => {
            use super::table::{Cell, render};
            let rows: Vec<Vec<Cell>> = list
                .iter()
                .map(|r| {
                    vec![
                        Cell::plain(format!("127.0.0.1:{}", r.local_port)),
                        Cell::plain(format!("{}:{}", r.node, r.remote_port)),
                        Cell::plain(&r.job),
                        Cell::plain(&r.host),
                        Cell::plain(r.what.clone().unwrap_or_default()),
                    ]
                })
                .collect();
            super::write_stdout(&render(&["LOCAL", "REMOTE", "JOB", "HOST", "WHAT"], &rows))
        }
        Err(e) => fail(&e),
    }
}

fn serve(g: &Global, server: Server, a: ServeArgs, logdir: Option<String>) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, a.in_alloc.as_deref()).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        let opts = ServeOptions {
            resources: a.resources,
            image: a.image,
            in_alloc: a.in_alloc,
            logdir,
            local_port: a.port,
            wait: Duration::from_secs(a.wait),
            made: Default::default(),
        };
        let note = |l: &str| eprintln!("clusterls: {l}");
        let served = tokio::select! {
            r = engine.serve(server, &opts, &note) => r,
            _ = tokio::signal::ctrl_c() => {
                // Stopped while starting: withdraw what was made (the allocation this
                // call asked for, its step with it; or the step in a given allocation),
                // so nothing keeps running.
                let made: Vec<String> = opts.made.lock().unwrap().clone();
                let made_alloc = opts.in_alloc.is_none();
                let mut cancelled = Vec::new();
                for id in made.iter().rev().filter(|id| !made_alloc || !id.contains('/')) {
                    if engine.cancel(id).await.is_ok() {
                        cancelled.push(id.clone());
                    }
                }
                let what = if cancelled.is_empty() { "nothing had started".to_string() } else { format!("cancelled {}", cancelled.join(", ")) };
                eprintln!("clusterls: stopped; {what}");
                // 128 + SIGINT, as a shell reports a command Ctrl-C ended.
                return ExitCode::from(130);
            }
        };
        match served {
            Ok(s) => {
                println!("{}", s.url);
                let end = if s.made_alloc {
                    format!("release the allocation with `clusterls cancel {}`", s.alloc)
                } else {
                    format!("stop it with `clusterls cancel {}`", s.step)
                };
                eprintln!(
                    "clusterls: {} runs in allocation {} ({}); the forward ends with the allocation; {end}",
                    server.name(),
                    s.alloc,
                    line(&s.forward)
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}

pub fn jupyter(g: &Global, a: ServeArgs) -> ExitCode {
    serve(g, Server::Jupyter, a, None)
}

pub fn tensorboard(g: &Global, a: TensorboardArgs) -> ExitCode {
    serve(g, Server::Tensorboard, a.serve, Some(a.logdir))
}
