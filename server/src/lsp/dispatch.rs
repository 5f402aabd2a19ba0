//! `workspace/executeCommand`: each command of [`ext::command`] decoded to its typed
//! argument, handled by one method, and its typed result encoded. An unknown command is
//! `InvalidParams`.
//!
//! A command that submits a job replies with the job; the client hears of its later
//! states (and of the submission itself, once) through the engine's events.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{LSPAny, Uri};

use super::cluster::{self, Cluster};
use super::ext::command::{
    Alloc, Cancel, Jobs, Login, Logs, Pull, RefreshFacts, Run, RunInAlloc, Script, SessionTerminal,
};
use super::ext::{self, Command as _};
use super::handlers::Backend;
use super::reply::{params, reply, request_failed};
use crate::engine;

impl Backend {
    pub(super) async fn execute(
        &self,
        name: &str,
        arguments: Vec<Value>,
    ) -> Result<Option<LSPAny>> {
        // Commands act on the configuration; wait until the first one is applied.
        let _ = self.ready.subscribe().wait_for(|ready| *ready).await;
        match name {
            Run::NAME => reply::<Run>(self.run(params::<Run>(arguments)?).await),
            Pull::NAME => reply::<Pull>(self.pull(params::<Pull>(arguments)?).await),
            Alloc::NAME => reply::<Alloc>(self.alloc(params::<Alloc>(arguments)?).await),
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
            _ => Err(Error::invalid_params(format!(
                "unknown command `{name}`; this server knows: {}",
                ext::command::ALL.join(", ")
            ))),
        }
    }

    fn cluster(&self) -> Result<Arc<Cluster>> {
        if !self.state().editor.is_trusted() {
            return Err(request_failed(
                "this workspace is not trusted, so clusterls runs nothing on a cluster from it: trust it (Workspaces: Manage Workspace Trust) to run jobs",
            ));
        }
        self.state().cluster.clone().ok_or_else(|| {
            request_failed(
                "no cluster is configured: set the clusterls.host setting (an ssh host alias, or `local`) or `host` in clusterls.toml",
            )
        })
    }

    async fn run(&self, p: ext::RunParams) -> Result<ext::Job> {
        let c = self.cluster()?;
        let script = file_path(&p.uri)?;
        let mut opts = engine::RunOptions::new(&script);
        opts.resources = engine::Resources {
            partition: p.partition,
            account: p.account,
            gpus: p.gpus,
            time: p.time,
            ..Default::default()
        };
        opts.image = p.image;
        let progress =
            self.worker().progress(&format!("Submitting {}", display_name(&script))).await;
        let r = c.engine.run(&opts).await;
        if let Some(p) = progress {
            p.finish().await;
        }
        let rec = r.map_err(cluster::error)?;
        Ok(ext::Job { source: Some(p.uri), ..c.job(&rec) })
    }

    async fn run_in_alloc(&self, p: ext::RunInAllocParams) -> Result<ext::Job> {
        let c = self.cluster()?;
        let script = file_path(&p.uri)?;
        let mut opts = engine::RunOptions::new(&script);
        opts.in_alloc = Some(p.allocation);
        opts.image = p.image;
        let rec = c.engine.run(&opts).await.map_err(cluster::error)?;
        Ok(ext::Job { source: Some(p.uri), ..c.job(&rec) })
    }

    async fn pull(&self, p: ext::PullParams) -> Result<ext::Pulled> {
        let c = self.cluster()?;
        let Some(image) = p.image.or_else(|| c.engine.config().image.clone()) else {
            return Err(Error::invalid_params(
                "no image to pull: give one, or set clusterls.image (or `image` in clusterls.toml)",
            ));
        };
        let w = self.worker();
        let progress = w.progress(&format!("Pulling {image}")).await;
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let report = async {
            while let Some(m) = rx.recv().await {
                if let Some(p) = &progress {
                    p.report(m).await;
                }
            }
        };
        let pull = async move {
            c.engine
                .pull(&image, &move |m: &str| {
                    let _ = tx.send(m.to_string());
                })
                .await
        };
        let (r, ()) = tokio::join!(pull, report);
        if let Some(p) = progress {
            p.finish().await;
        }
        let pulled = r.map_err(cluster::error)?;
        // The image list is part of the facts.
        let _ = w.refresh_facts(true).await;
        Ok(ext::Pulled { path: pulled.path, already_present: pulled.already_present })
    }

    async fn alloc(&self, p: ext::AllocParams) -> Result<ext::Job> {
        let c = self.cluster()?;
        let res = engine::Resources {
            partition: p.partition,
            account: p.account,
            gpus: p.gpus,
            time: p.time,
            ..Default::default()
        };
        let progress = self.worker().progress("Allocating").await;
        let r = c.engine.alloc(&res).await;
        if let Some(p) = progress {
            p.finish().await;
        }
        Ok(c.job(&r.map_err(cluster::error)?))
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
        let chunk = c.engine.logs(&p.id, 0, 0).await.map_err(cluster::error)?;
        Ok(ext::Logs {
            id: p.id,
            out: String::from_utf8_lossy(&chunk.out).into_owned(),
            err: String::from_utf8_lossy(&chunk.err).into_owned(),
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

    async fn login(&self) -> Result<Option<ext::LoginCommand>> {
        let c = self.cluster()?;
        match c.engine.connect().await {
            Ok(()) => Ok(None),
            Err(engine::EngineError::LoginRequired { host, command }) => {
                Ok(Some(ext::LoginCommand { host, command_line: command }))
            }
            Err(e) => Err(cluster::error(e)),
        }
    }
}

/// A local file path from a `file://` URI argument.
fn file_path(uri: &str) -> Result<PathBuf> {
    let u: Uri =
        uri.parse().map_err(|e| Error::invalid_params(format!("`{uri}` is not a URI: {e}")))?;
    u.to_file_path().map(|p| p.into_owned()).ok_or_else(|| {
        Error::invalid_params(format!("`{uri}` is not a file on this machine; save it first"))
    })
}

fn display_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
