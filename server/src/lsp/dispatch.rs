//! `workspace/executeCommand`: each command of [`ext::command`] decoded to its typed
//! argument, handled by one method, and its typed result encoded. An unknown command is
//! `InvalidParams`.
//!
//! A command that submits a job replies with the job; the client hears of its later
//! states (and of the submission itself, once) through the engine's events.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{LSPAny, ProgressToken, Uri};

use super::cluster::{self, Cluster};
use super::ext::command::{
    Alloc, Build, Cancel, Jobs, Jupyter, Login, Logs, Pull, RefreshFacts, Run, RunInAlloc, Script,
    SessionTerminal,
};
use super::ext::command::{Extend, JobDetail, RemoteSshHost};
use super::ext::{self, Command as _};
use super::handlers::Backend;
use super::reply::{no_cluster, params, reply, request_failed};
use super::run::{display_name, file_path};
use super::worker::Stoppable;
use super::{build, config, run};
use crate::engine;

impl Backend {
    pub(super) async fn execute(
        &self,
        name: &str,
        arguments: Vec<Value>,
        token: Option<ProgressToken>,
    ) -> Result<Option<LSPAny>> {
        // Commands act on the configuration; wait until the first one is applied.
        let _ = self.ready.subscribe().wait_for(|ready| *ready).await;
        match name {
            Run::NAME => reply::<Run>(self.run(params::<Run>(arguments)?, token).await),
            Pull::NAME => reply::<Pull>(self.pull(params::<Pull>(arguments)?, token).await),
            Alloc::NAME => reply::<Alloc>(self.alloc(params::<Alloc>(arguments)?, token).await),
            Build::NAME => reply::<Build>(self.build(params::<Build>(arguments)?, token).await),
            RunInAlloc::NAME => {
                reply::<RunInAlloc>(self.run_in_alloc(params::<RunInAlloc>(arguments)?).await)
            }
            Cancel::NAME => reply::<Cancel>(self.cancel(params::<Cancel>(arguments)?).await),
            Jobs::NAME => {
                params::<Jobs>(arguments)?;
                reply::<Jobs>(self.jobs())
            }
            RefreshFacts::NAME => {
                params::<RefreshFacts>(arguments)?;
                let facts = self.worker().refresh_facts(true).await;
                reply::<RefreshFacts>(facts.map(|f| f.map(ext::Facts)))
            }
            Login::NAME => {
                params::<Login>(arguments)?;
                reply::<Login>(self.login().await)
            }
            Logs::NAME => reply::<Logs>(self.logs(params::<Logs>(arguments)?).await),
            Script::NAME => reply::<Script>(self.script(params::<Script>(arguments)?).await),
            SessionTerminal::NAME => reply::<SessionTerminal>(
                self.session_terminal(params::<SessionTerminal>(arguments)?).await,
            ),
            JobDetail::NAME => {
                let p = params::<JobDetail>(arguments)?;
                reply::<JobDetail>(super::sessions::job_detail(&*self.cluster()?, &p.id).await)
            }
            Extend::NAME => {
                let p = params::<Extend>(arguments)?;
                reply::<Extend>(super::sessions::extend(&*self.cluster()?, p).await)
            }
            RemoteSshHost::NAME => {
                let p = params::<RemoteSshHost>(arguments)?;
                let c = self.cluster()?;
                reply::<RemoteSshHost>(super::sessions::remote_ssh_host(&c, &p.allocation).await)
            }
            Jupyter::NAME => reply::<Jupyter>(self.jupyter(params::<Jupyter>(arguments)?).await),
            _ => Err(Error::invalid_params(format!(
                "unknown command `{name}`; this server knows: {}",
                ext::command::ALL.join(", ")
            ))),
        }
    }

    pub(super) fn cluster(&self) -> Result<Arc<Cluster>> {
        if !self.state().editor.is_trusted() {
            return Err(request_failed(
                "this workspace is not trusted, so clusterls runs nothing on a cluster from it: trust it (Workspaces: Manage Workspace Trust) to run jobs",
            ));
        }
        self.state().cluster.clone().ok_or_else(no_cluster)
    }

    async fn run(&self, p: ext::RunParams, token: Option<ProgressToken>) -> Result<ext::Job> {
        let c = self.cluster()?;
        let script = file_path(&p.uri)?;
        let mut opts = engine::RunOptions::new(&script);
        opts.args = run::split_arguments(p.arguments.as_deref().unwrap_or(""))
            .map_err(Error::invalid_params)?;
        if p.sync != Some(false) {
            let roots = self.state().roots.clone();
            opts.sync = run::project_dir(&script, &roots, &|d: &Path| {
                d.join(config::PROJECT_FILE).is_file()
            });
        }
        opts.resources = p.resources.unwrap_or_default();
        // The project's Dockerfile (the nearest clusterls.toml names it) unless an
        // image is asked for: built first, here, like a missing image is pulled.
        let dockerfile = match &p.image {
            Some(_) => None,
            None => build::project_dockerfile(&script, &self.state().roots.clone())?,
        };
        opts.image = p.image;
        // Defaults from the clusterls.toml of the script's workspace folder (multi-root:
        // each folder's own), over the editor's settings.
        opts.config = Some(self.state().config_for(Some(&script)));
        let name = display_name(&script);
        let stop = self.worker().stoppable(&format!("Running {name} on the cluster"), token).await;
        // A missing image is pulled first, here, so that its progress shows and the
        // user can stop it; the submit itself is not cut in the middle.
        let image = opts
            .image
            .clone()
            .or_else(|| opts.config.as_ref().and_then(|c| c.image.clone()))
            .or_else(|| c.engine.config().image.clone());
        if let Some(file) = dockerfile {
            let uri = Uri::from_file_path(&file).ok_or_else(|| {
                Error::invalid_params(format!("{} is not a local path", file.display()))
            })?;
            let b = engine::BuildOptions { dockerfile: file, ..Default::default() };
            let and = format!("; {name} was not submitted");
            let built = build::build_stoppable(&self.worker(), &c, &uri, &b, &stop, &and).await;
            match built {
                // By name, as a pulled image; the facts list it now.
                Ok(b) => opts.image = Some(format!("docker://{}", b.name)),
                Err(e) => {
                    stop.finish("failed").await;
                    return Err(e);
                }
            }
        } else if let Some(image) = missing_image(&c, image.as_deref()).await {
            let job = std::sync::Mutex::new(None);
            let pulled = tokio::select! {
                r = pull_reporting(&c, &image, &stop, &job) => r,
                () = stop.cancelled() => Err(stop_pull(&c, &image, &job, &format!("; {name} was not submitted")).await),
            };
            if let Err(e) = pulled {
                stop.finish("failed").await;
                return Err(e);
            }
        }
        let what = match &opts.sync {
            Some(d) => format!("copying {} and submitting", d.display()),
            None => "submitting".to_string(),
        };
        stop.report(what, Some(false)).await;
        let r = c.engine.run(&opts).await;
        stop.finish(if r.is_ok() { "submitted" } else { "failed" }).await;
        let rec = r.map_err(cluster::error)?;
        Ok(self.worker().submitted(ext::Job { source: Some(p.uri), ..c.job(&rec) }).await)
    }

    async fn run_in_alloc(&self, p: ext::RunInAllocParams) -> Result<ext::Job> {
        let c = self.cluster()?;
        let script = file_path(&p.uri)?;
        let mut opts = engine::RunOptions::new(&script);
        opts.in_alloc = Some(p.allocation);
        opts.image = p.image;
        let rec = c.engine.run(&opts).await.map_err(cluster::error)?;
        Ok(self.worker().submitted(ext::Job { source: Some(p.uri), ..c.job(&rec) }).await)
    }

    async fn pull(&self, p: ext::PullParams, token: Option<ProgressToken>) -> Result<ext::Pulled> {
        let c = self.cluster()?;
        let Some(image) = p.image.or_else(|| c.engine.config().image.clone()) else {
            return Err(Error::invalid_params(
                "no image to pull: give one, or set clusterls.image (or `image` in clusterls.toml)",
            ));
        };
        let w = self.worker();
        let stop = w.stoppable(&format!("Pulling {image}"), token).await;
        let job = std::sync::Mutex::new(None);
        let r = tokio::select! {
            r = pull_reporting(&c, &image, &stop, &job) => r,
            () = stop.cancelled() => Err(stop_pull(&c, &image, &job, "").await),
        };
        stop.finish(if r.is_ok() { "done" } else { "failed" }).await;
        let pulled = r?;
        // The image list is part of the facts.
        let _ = w.refresh_facts(true).await;
        Ok(ext::Pulled { path: pulled.path, already_present: pulled.already_present })
    }

    async fn alloc(&self, p: ext::AllocParams, token: Option<ProgressToken>) -> Result<ext::Job> {
        let c = self.cluster()?;
        let res = p.resources.unwrap_or_default();
        let stop = self.worker().stoppable("Allocating", token).await;
        let requested = std::sync::Mutex::new(None::<String>);
        let remember = |id: &str| {
            *requested.lock().unwrap_or_else(|e| e.into_inner()) = Some(id.to_string());
        };
        let r = tokio::select! {
            r = c.engine.alloc_with(&res, &remember) => r.map_err(cluster::error),
            () = stop.cancelled() => {
                let id = requested.lock().unwrap_or_else(|e| e.into_inner()).clone();
                Err(withdraw(&c, id).await)
            }
        };
        stop.finish(if r.is_ok() { "allocated" } else { "stopped" }).await;
        Ok(self.worker().submitted(c.job(&r?)).await)
    }

    async fn cancel(&self, p: ext::CancelParams) -> Result<()> {
        let c = self.cluster()?;
        c.engine.cancel(&p.id).await.map_err(cluster::error)
    }

    fn jobs(&self) -> Result<Vec<ext::Job>> {
        let Some(c) = self.state().cluster.clone() else { return Ok(Vec::new()) };
        let records = c.engine.jobs().map_err(cluster::error)?;
        Ok(records.iter().map(|r| c.job(r)).collect())
    }

    async fn logs(&self, p: ext::LogsParams) -> Result<ext::Logs> {
        let c = self.cluster()?;
        let (out_offset, err_offset) = (p.out_offset.unwrap_or(0), p.err_offset.unwrap_or(0));
        // The state first: a job finished before this read has all its output in it.
        // (Of a job array's task `123_4`: that task's state.)
        let finished = match c.engine.job_or_task(&p.id).ok().flatten() {
            Some((r, Some(i))) => r.tasks.iter().any(|t| t.index == i && t.state.is_final()),
            Some((r, None)) => r.is_final(),
            None => false,
        };
        let chunk = c.engine.logs(&p.id, out_offset, err_offset).await.map_err(cluster::error)?;
        let (err, banner) = run::split_banner(&String::from_utf8_lossy(&chunk.err));
        Ok(ext::Logs {
            id: p.id,
            out: String::from_utf8_lossy(&chunk.out).into_owned(),
            err,
            out_offset: out_offset + chunk.out.len() as u64,
            err_offset: err_offset + chunk.err.len() as u64,
            finished,
            banner,
        })
    }

    async fn script(&self, p: ext::ScriptParams) -> Result<ext::Script> {
        let c = self.cluster()?;
        let text = c.engine.script(&p.id).await.map_err(cluster::error)?;
        // The record exists: `script` found its run directory there.
        let path = c.engine.job(&p.id).ok().flatten().and_then(|r| c.job(&r).script_path);
        Ok(ext::Script { id: p.id, path: path.unwrap_or_default(), text })
    }

    async fn session_terminal(
        &self,
        p: ext::SessionTerminalParams,
    ) -> Result<ext::TerminalCommand> {
        let c = self.cluster()?;
        let argv = c.engine.shell_argv(&p.allocation).await.map_err(cluster::error)?;
        Ok(ext::TerminalCommand { argv })
    }

    async fn jupyter(&self, p: ext::JupyterParams) -> Result<ext::Served> {
        use engine::forward::{plan::Server, serve::ServeOptions};
        let c = self.cluster()?;
        let opts = ServeOptions {
            in_alloc: Some(p.allocation),
            image: p.image,
            wait: std::time::Duration::from_secs(180),
            ..Default::default()
        };
        let s = c.engine.serve(Server::Jupyter, &opts, &|_| {}).await.map_err(cluster::error)?;
        Ok(ext::Served { url: s.url, allocation: s.alloc, step: s.step })
    }

    async fn login(&self) -> Result<Option<ext::LoginCommand>> {
        let c = self.cluster()?;
        match c.engine.connect().await {
            Ok(()) => Ok(None),
            Err(engine::EngineError::LoginRequired { host, command, argv }) => {
                Ok(Some(ext::LoginCommand { host, command_line: command, argv }))
            }
            Err(e) => Err(cluster::error(e)),
        }
    }
}

/// Withdraw an allocation request the user stopped waiting for; the error that says so.
async fn withdraw(c: &Cluster, id: Option<String>) -> Error {
    let Some(id) = id else {
        return request_failed(
            "stopped before Slurm named the allocation request; if `squeue --me` shows a clusterls-alloc job, cancel it with `scancel ID`",
        );
    };
    match c.engine.cancel(&id).await {
        Ok(()) => request_failed(format!("stopped: allocation request {id} was withdrawn")),
        Err(e) => request_failed(format!(
            "stopped, but withdrawing allocation request {id} failed ({e}); cancel it with `scancel {id}`"
        )),
    }
}

/// Stop a pull whose future was dropped: that closed its ssh channel, but srun
/// outlives it, so the job the pull runs in is cancelled. The error that says so.
async fn stop_pull(
    c: &Cluster,
    image: &str,
    job: &std::sync::Mutex<Option<String>>,
    and: &str,
) -> Error {
    let id = job.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(id) = id else {
        return request_failed(format!(
            "stopped: the pull of {image} was stopped before its allocation started{and}"
        ));
    };
    match c.engine.cancel(&id).await {
        Ok(()) => request_failed(format!(
            "stopped: the pull of {image} was stopped (job {id} cancelled){and}"
        )),
        Err(e) => request_failed(format!(
            "stopped waiting for the pull of {image}, but cancelling its job {id} failed ({e}); cancel it with `scancel {id}`{and}"
        )),
    }
}

/// The docker:// image a run needs and the cluster lacks (by the cached facts), if any.
async fn missing_image(c: &Cluster, spec: Option<&str>) -> Option<String> {
    use engine::container::ImageSpec;
    let ImageSpec::Docker(r) = ImageSpec::parse(spec?).ok()? else { return None };
    let facts = c.engine.facts(false).await.ok()?.facts;
    let (kind, _, dir) = engine::images::plan::runtime(&facts).ok()?;
    let path = r.image_path(kind, &dir);
    (!facts.images.iter().any(|i| i.path == path)).then(|| spec.unwrap_or_default().to_string())
}

/// Pull `image`, its progress lines reported under `stop`, the job it runs in kept in
/// `job` (for [`stop_pull`]).
async fn pull_reporting(
    c: &Cluster,
    image: &str,
    stop: &Stoppable,
    job: &std::sync::Mutex<Option<String>>,
) -> Result<engine::PulledImage> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let report = async {
        while let Some(m) = rx.recv().await {
            if let Some(id) = engine::images::plan::pull_job_id(&m) {
                *job.lock().unwrap_or_else(|e| e.into_inner()) = Some(id);
            }
            stop.report(m, None).await;
        }
    };
    let pull = async move {
        c.engine
            .pull(image, &move |m: &str| {
                let _ = tx.send(m.to_string());
            })
            .await
    };
    let (r, ()) = tokio::join!(pull, report);
    r.map_err(cluster::error)
}
