//! Image builds from the editor: `clusterls.server.build` (a Dockerfile to an image on
//! the cluster, its steps reported as stoppable work-done progress), the Dockerfile a
//! run uses (`dockerfile = "..."` in the nearest clusterls.toml, built first with the
//! same progress), and a failed build's diagnostic on the failing instruction's line,
//! kept until the next build of that file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clusterls_core::LineIndex;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ProgressToken, Uri};

use super::cluster::{self, Cluster};
use super::config::{self, EngineConfig};
use super::ext;
use super::handlers::Backend;
use super::kind::DocKind;
use super::proto;
use super::reply::request_failed;
use super::run::{BuildFailure as Failure, display_name, file_path};
use super::state::lock;
use super::worker::{Stoppable, Worker, check_off_thread};
use crate::engine::images::build::plan::parse_build_arg;
use crate::engine::{self, BuildOptions, BuiltImage};

/// The Dockerfile named by the nearest `clusterls.toml` of `script` (inside its
/// workspace folder), resolved against that file's folder (a relative name in the file
/// means the project's Dockerfile, whatever the server's working directory).
pub fn project_dockerfile(script: &Path, roots: &[PathBuf]) -> Result<Option<PathBuf>> {
    let has = |d: &Path| d.join(config::PROJECT_FILE).is_file();
    let Some(dir) = super::run::project_dir(script, roots, &has).filter(|d| has(d)) else {
        return Ok(None);
    };
    let file = dir.join(config::PROJECT_FILE);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        request_failed(format!("cannot read {}: {e}; fix or remove it", file.display()))
    })?;
    let cfg = EngineConfig::parse(&text, &file).map_err(cluster::error)?;
    Ok(cfg.dockerfile.map(|d| dir.join(d)))
}

impl Backend {
    pub(super) async fn build(
        &self,
        p: ext::BuildParams,
        token: Option<ProgressToken>,
    ) -> Result<ext::Built> {
        let c = self.cluster()?;
        let file = file_path(&p.uri)?;
        let uri: Uri = p.uri.parse().map_err(|_| Error::invalid_params("not a URI"))?;
        let build_args = p
            .build_args
            .unwrap_or_default()
            .iter()
            .map(|a| parse_build_arg(a))
            .collect::<std::result::Result<Vec<_>, String>>()
            .map_err(Error::invalid_params)?;
        let opts = BuildOptions { dockerfile: file.clone(), build_args, ..Default::default() };
        let stop =
            self.worker().stoppable(&format!("Building {}", display_name(&file)), token).await;
        let b = build_stoppable(&self.worker(), &c, &uri, &opts, &stop, "").await;
        stop.finish(if b.is_ok() { "done" } else { "failed" }).await;
        let b = b?;
        // The image list is part of the facts.
        let _ = self.worker().refresh_facts(true).await;
        Ok(ext::Built { key: b.key, name: b.name, path: b.path, built: b.built })
    }
}

/// Build under `stop`: each step reported, stopped (its allocation cancelled) when the
/// user cancels, and a failure that names a line shown on that line of `uri`. `and` is
/// added to a stop's message (what else did not happen).
pub async fn build_stoppable(
    w: &Worker,
    c: &Cluster,
    uri: &Uri,
    opts: &BuildOptions,
    stop: &Stoppable,
    and: &str,
) -> Result<BuiltImage> {
    w.set_build_failure(uri, None).await;
    let log = Mutex::new(Vec::new());
    let key = Mutex::new(None);
    let name = display_name(&opts.dockerfile);
    let r = tokio::select! {
        r = build_reporting(c, opts, stop, &log, &key) => r,
        () = stop.cancelled() => return Err(stop_build(c, &name, &key, and).await),
    };
    if r.is_err() {
        let failure = Failure::from_log(&log.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(f) = failure {
            w.set_build_failure(uri, Some(f)).await;
        }
    }
    r
}

/// Build, each progress line reported under `stop` and kept in `log`; the content key
/// (the first line says it) kept in `key`, for [`stop_build`].
async fn build_reporting(
    c: &Cluster,
    opts: &BuildOptions,
    stop: &Stoppable,
    log: &Mutex<Vec<String>>,
    key: &Mutex<Option<String>>,
) -> Result<BuiltImage> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let report = async {
        while let Some(m) = rx.recv().await {
            if let Some(k) = m.strip_prefix("key ").and_then(|r| r.split(':').next()) {
                key.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(|| k.into());
            }
            log.lock().unwrap_or_else(|e| e.into_inner()).push(m.clone());
            stop.report(m, None).await;
        }
    };
    let build = async move {
        c.engine
            .build_image(opts, &move |m: &str| {
                let _ = tx.send(m.to_string());
            })
            .await
    };
    let (r, ()) = tokio::join!(build, report);
    r.map_err(cluster::error)
}

/// Stop a build whose future was dropped: that closed its ssh channel, but srun
/// outlives it, so its allocation is cancelled by name. The error that says so.
async fn stop_build(c: &Cluster, name: &str, key: &Mutex<Option<String>>, and: &str) -> Error {
    let k = key.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(k) = k else {
        return request_failed(format!(
            "stopped: the build of {name} was stopped before it started{and}"
        ));
    };
    let job = engine::images::build::plan::job_name(&k);
    match c.engine.cancel_build(&k).await {
        Ok(()) => request_failed(format!(
            "stopped: the build of {name} was stopped (its allocation {job} cancelled; no image was kept){and}"
        )),
        Err(e) => request_failed(format!(
            "stopped waiting for the build of {name}, but cancelling its allocation failed ({e}); cancel it with `scancel --me --name={job}`{and}"
        )),
    }
}

impl Worker {
    /// Set (or clear) the build failure of a Dockerfile and show its diagnostics again:
    /// an open document through the usual publish, a file not open from disk.
    pub async fn set_build_failure(&self, uri: &Uri, failure: Option<Failure>) {
        let (changed, open) = {
            let mut s = lock(&self.state);
            let changed = match &failure {
                Some(f) => s.build_failures.insert(uri.clone(), f.clone()).as_ref() != Some(f),
                None => s.build_failures.remove(uri).is_some(),
            };
            (changed, s.docs.get(uri).is_some())
        };
        if !changed {
            return;
        }
        if open {
            self.publish(uri, true).await;
            return;
        }
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else { return };
        let Ok(text) = tokio::fs::read_to_string(&path).await else { return };
        let (facts, filter) = {
            let s = lock(&self.state);
            (s.facts.clone(), s.project.clone().or(s.editor.engine_config()).code_filter())
        };
        let text: Arc<str> = text.into();
        let mut findings = check_off_thread(DocKind::Dockerfile, text.clone(), facts, filter)
            .await
            .unwrap_or_default();
        let index = LineIndex::new(&text);
        findings.extend(failure.and_then(|f| f.finding(&text, &index)));
        let diagnostics = proto::diagnostics(&proto::Text::new(&text, &index), &findings);
        self.client.publish_diagnostics(uri.clone(), diagnostics, None).await;
    }
}
