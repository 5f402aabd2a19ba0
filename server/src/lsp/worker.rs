//! The event loop: the one task that applies [`Event`]s in order, reads facts, computes
//! diagnostics and talks to the client. It starts when the client says `initialized`,
//! so nothing reaches the client before the initialize reply.

use std::path::PathBuf;
use std::sync::Arc;

use clusterls_core::facts::RemoteDir;
use clusterls_core::{ClusterFacts, CodeFilter, Finding};
use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{ErrorCode, Result};
use tower_lsp_server::ls_types::{MessageType, ProgressToken, Uri};

use super::cluster::{self, Cluster};
use super::config::{self, Config};
use super::event::Event;
use super::ext;
use super::kind::DocKind;
use super::proto;
use super::reply::{contain, request_failed};
use super::state::{Shared, Source, lock};
use crate::global::Global;

const MAX_POPUPS: u32 = 3;

/// The loop's side: owns nothing but handles to the shared state and the client.
#[derive(Clone)]
pub struct Worker {
    pub client: Client,
    pub global: Global,
    pub state: Shared,
    pub events: mpsc::UnboundedSender<Event>,
    pub ready: Arc<tokio::sync::watch::Sender<bool>>,
}

pub type Progress = tower_lsp_server::OngoingProgress<
    tower_lsp_server::Unbounded,
    tower_lsp_server::NotCancellable,
>;

/// Work the user can stop from the editor's progress notification.
pub struct Stoppable {
    progress: Option<
        tower_lsp_server::OngoingProgress<
            tower_lsp_server::Unbounded,
            tower_lsp_server::Cancellable,
        >,
    >,
    id: String,
    cancel: Arc<tokio::sync::Notify>,
    state: Shared,
}

impl Stoppable {
    /// A message under the title; `stoppable: Some(false)` takes the cancel button away
    /// (for a step that must not be cut in the middle, such as a submit).
    pub async fn report(&self, message: impl Into<String>, stoppable: Option<bool>) {
        if let Some(p) = &self.progress {
            p.report_with_message(message, stoppable).await;
        }
    }

    /// Resolves when the user cancels.
    pub async fn cancelled(&self) {
        self.cancel.notified().await
    }

    pub async fn finish(mut self, message: &str) {
        if let Some(p) = self.progress.take() {
            p.finish_with_message(message).await;
        }
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        lock(&self.state).cancels.remove(&self.id);
    }
}

impl Worker {
    pub async fn run(self, mut receiver: mpsc::UnboundedReceiver<Event>) {
        while let Some(event) = receiver.recv().await {
            self.apply(event).await;
        }
    }

    /// The one place events take effect.
    async fn apply(&self, event: Event) {
        tracing::debug!(?event, "event");
        match event {
            Event::Changed(uri) => {
                lock(&self.state).dirty.remove(&uri);
                self.publish(&uri, false).await
            }
            Event::Closed(uri) => self.client.publish_diagnostics(uri, Vec::new(), None).await,
            Event::ClientConfig => {
                let next = lock(&self.state).editor_next.take();
                if let Some(c) = next {
                    lock(&self.state).editor = c;
                    self.config_changed().await;
                }
            }
            Event::ProjectFile => {
                let roots = lock(&self.state).roots.clone();
                let (folders, errors) = config::read_folders(&roots);
                for e in errors {
                    self.popup(MessageType::WARNING, e).await;
                }
                // The first folder's decides the host and what the engine runs with.
                let project = folders.first().map(|(_, c)| c.clone()).unwrap_or_default();
                let folders_changed = {
                    let mut s = lock(&self.state);
                    s.project = project;
                    std::mem::replace(&mut s.folders, folders) != s.folders
                };
                self.config_changed().await;
                // Another folder's file changed what applies to its documents (the
                // first folder's is a change of the engine's source: published above).
                if folders_changed {
                    self.publish_all().await;
                }
                self.ready.send_replace(true);
            }
            Event::Facts(Ok(facts), applied) => {
                let mismatch = runtime_mismatch(&lock(&self.state).editor, facts.as_ref());
                if let Some(w) = mismatch {
                    self.popup(MessageType::WARNING, w).await;
                }
                let changed = {
                    let mut s = lock(&self.state);
                    let changed = s.facts.as_deref() != facts.as_ref();
                    s.facts = facts.map(Arc::new);
                    changed
                };
                if changed {
                    self.publish_all().await;
                }
                if let Some(tx) = applied {
                    let _ = tx.send(());
                }
            }
            Event::Facts(Err(e), applied) => {
                tracing::warn!("reading facts: {}", e.message);
                // A login that needs the user is announced by the connection state
                // (the client offers to log in); don't also raise a popup.
                if e.code != ErrorCode::ServerError(ext::error_code::LOGIN_REQUIRED) {
                    self.popup(MessageType::WARNING, e.message.to_string()).await;
                }
                if let Some(tx) = applied {
                    let _ = tx.send(());
                }
            }
            Event::Job(job) => {
                self.client
                    .send_notification::<ext::JobStateNotification>(ext::JobStateParams { job })
                    .await;
            }
            Event::JobStarted(params) => {
                self.client.send_notification::<ext::JobStartedNotification>(params).await;
            }
            Event::Connection(params) => {
                self.client.send_notification::<ext::ConnectionStateNotification>(params).await;
            }
            Event::Controller(params) => {
                self.client.send_notification::<ext::ControllerStateNotification>(params).await;
            }
        }
    }

    async fn config_changed(&self) {
        let (before, after) = {
            let s = lock(&self.state);
            let mut project = s.project.clone();
            if s.editor.project_host == Some(false) {
                // The user declined the repository's host: it must not be connected to.
                project.host = None;
            }
            let engine = project.or(s.editor.engine_config());
            let ssh_config = s
                .editor
                .ssh_config
                .as_ref()
                .map(PathBuf::from)
                .or_else(|| self.global.ssh_config.clone());
            // An untrusted workspace runs nothing on a cluster (no engine at all).
            let host = match s.editor.is_trusted() {
                true => engine.host.clone().or_else(|| self.global.host.clone()),
                false => None,
            };
            let after =
                Source { host, ssh_config, facts_file: s.editor.facts_file.clone(), engine };
            (s.source.clone(), after)
        };
        if before.as_ref() == Some(&after) {
            return;
        }
        tracing::info!(?after, "configuration");
        lock(&self.state).source = Some(after.clone());
        // A new engine when what it runs with changed.
        let key = after.host.clone().map(|host| cluster::Key {
            host,
            ssh_config: after.ssh_config.clone(),
            config: after.engine.clone(),
        });
        let current = lock(&self.state).cluster.as_ref().map(|c| c.key.clone());
        if key != current {
            let opened = match key {
                None => None,
                Some(key) => match Cluster::open(key, self.events.clone()).await {
                    Ok(c) => Some(c),
                    Err(e) => {
                        self.popup(MessageType::ERROR, e.to_string()).await;
                        None
                    }
                },
            };
            let mut s = lock(&self.state);
            s.cluster = opened;
            s.dirs.clear();
        }
        let facts_source_changed = before.as_ref().is_none_or(|b| {
            b.host != after.host
                || b.ssh_config != after.ssh_config
                || b.facts_file != after.facts_file
        });
        if facts_source_changed {
            let w = self.clone();
            tokio::spawn(async move { w.refresh_facts(false).await });
        }
        self.publish_all().await;
    }

    /// Read facts from the configured source (`refresh`: from the cluster, not the
    /// engine's disk cache) and send the result as an event.
    pub async fn refresh_facts(&self, refresh: bool) -> Result<Option<ClusterFacts>> {
        let (source, cluster) = {
            let s = lock(&self.state);
            (s.source.clone(), s.cluster.clone())
        };
        let Some(source) = source else { return Ok(None) };
        let progress = self.progress("Reading cluster facts").await;
        if let (Some(c), None) = (&cluster, &source.facts_file) {
            // Connect first: the client learns the connection state (and whether the
            // user must log in) before anything else goes to the cluster.
            if let Some(p) = &progress {
                p.report(format!("connecting to {}", c.key.host)).await;
            }
            let _ = c.engine.connect().await;
        }
        let result = load_facts(&source, cluster.as_deref(), refresh).await;
        // Hand the result to the event loop and wait until it is in effect, so that
        // the end of the progress (and the command's reply) means "facts applied".
        let (tx, rx) = tokio::sync::oneshot::channel();
        let event = match &result {
            Ok(f) => Event::Facts(Ok(f.clone()), Some(tx)),
            Err(e) => Event::Facts(Err(e.clone()), Some(tx)),
        };
        if self.events.send(event).is_ok() {
            let _ = rx.await;
        }
        if let Some(p) = progress {
            p.finish_with_message(if result.is_ok() { "done" } else { "failed" }).await;
        }
        result
    }

    /// A work-done progress, when the client supports them.
    /// The one notification of a submission (the engine sends no event for it: the
    /// submitter has the record), so every view learns of the job as the reply does.
    pub async fn submitted(&self, job: ext::Job) -> ext::Job {
        self.client
            .send_notification::<ext::JobStateNotification>(ext::JobStateParams {
                job: job.clone(),
            })
            .await;
        job
    }

    pub async fn progress(&self, title: &str) -> Option<Progress> {
        if !lock(&self.state).work_done_progress {
            return None;
        }
        let token = ProgressToken::String(format!("clusterls/{}", next_token()));
        if let Err(e) = self.client.create_work_done_progress(token.clone()).await {
            tracing::debug!("the client refused a progress token: {e}");
            return None;
        }
        Some(self.client.progress(token, title.to_string()).begin().await)
    }

    /// A work-done progress with a cancel button; [`Stoppable::cancelled`] resolves
    /// when the user presses it. Under the client's own token when the command came
    /// with one (`workDoneToken`: the client shows it where it can offer Cancel), else
    /// under one the server creates. Without client support it shows nothing and is
    /// never cancelled.
    pub async fn stoppable(&self, title: &str, client_token: Option<ProgressToken>) -> Stoppable {
        let cancel = Arc::new(tokio::sync::Notify::new());
        let (token, id) = match client_token {
            Some(t) => {
                let id = token_key(&t);
                (t, id)
            }
            None => {
                let id = format!("clusterls/{}", next_token());
                if !lock(&self.state).work_done_progress {
                    return Stoppable { progress: None, id, cancel, state: self.state.clone() };
                }
                let token = ProgressToken::String(id.clone());
                if let Err(e) = self.client.create_work_done_progress(token.clone()).await {
                    tracing::debug!("the client refused a progress token: {e}");
                    return Stoppable { progress: None, id, cancel, state: self.state.clone() };
                }
                (token, id)
            }
        };
        let mut stop =
            Stoppable { progress: None, id: id.clone(), cancel, state: self.state.clone() };
        lock(&self.state).cancels.insert(id, stop.cancel.clone());
        let p = self.client.progress(token, title.to_string()).with_cancel_button().begin().await;
        stop.progress = Some(p);
        stop
    }

    pub async fn popup(&self, typ: MessageType, message: String) {
        let show = {
            let mut s = lock(&self.state);
            s.popups += 1;
            s.popups <= MAX_POPUPS
        };
        if show {
            self.client.show_message(typ, format!("clusterls: {message}")).await;
        } else {
            self.client.log_message(typ, message).await;
        }
    }

    async fn publish_all(&self) {
        let uris = {
            let mut s = lock(&self.state);
            for uri in s.docs.uris() {
                if let Some(d) = s.docs.get_mut(&uri) {
                    d.findings = None;
                }
            }
            s.docs.uris()
        };
        for uri in uris {
            self.publish(&uri, true).await;
        }
    }

    /// Check a document and publish its diagnostics, unless they are already
    /// published for its current version.
    pub(super) async fn publish(&self, uri: &Uri, force: bool) {
        let snapshot = {
            let s = lock(&self.state);
            let Some(doc) = s.docs.get(uri) else { return };
            if !force && doc.findings.as_ref().is_some_and(|(v, _)| *v == doc.version) {
                return;
            }
            let filter = s.config_for_uri(uri).code_filter();
            let failed = s.build_failures.get(uri).cloned();
            // Directory answers only from a cluster (not from a facts file alone).
            let known = match &s.cluster {
                Some(_) if doc.kind == DocKind::Sbatch => s.dirs.all(),
                _ => Vec::new(),
            };
            let doc = (doc.version, doc.kind, doc.text.clone(), doc.index.clone());
            (doc, s.facts.clone(), filter, failed, known)
        };
        let ((version, kind, text, index), facts, filter, failed, known) = snapshot;
        let checked = check_document_off_thread(kind, text.clone(), facts, filter, known).await;
        let (mut findings, dirs) = match checked {
            Ok(f) => f,
            // A checker bug must not stop the server; the log says which document.
            Err(_) => {
                tracing::error!(uri = uri.as_str(), "the checker panicked on this document");
                (Vec::new(), Vec::new())
            }
        };
        findings.extend(failed.and_then(|f| f.finding(&text, &index)));
        let diagnostics = proto::diagnostics(&proto::Text::new(&text, &index), &findings);
        {
            let mut s = lock(&self.state);
            match s.docs.get_mut(uri) {
                Some(doc) if doc.version == version => {
                    // Code actions need only the findings that have fixes.
                    let fixable = findings.iter().filter(|f| !f.fixes.is_empty()).cloned();
                    doc.findings = Some((version, Arc::new(fixable.collect())));
                    doc.log_dirs = dirs.clone();
                }
                // Changed or closed meanwhile: a newer event will publish.
                _ => return,
            }
        }
        self.client.publish_diagnostics(uri.clone(), diagnostics, Some(version)).await;
        self.ask_dirs(&dirs);
    }
}

type CheckJob = Box<dyn FnOnce() + Send>;

/// The one thread that runs checks, one at a time: a large document's check holds a
/// lot of memory while it runs, and one thread reuses the same memory (allocator arena)
/// for every check, so the server's footprint stays that of one check. It also keeps
/// CPU-bound work off the protocol's threads.
fn checker() -> Option<&'static std::sync::Mutex<std::sync::mpsc::Sender<CheckJob>>> {
    static CHECKER: std::sync::OnceLock<
        Option<std::sync::Mutex<std::sync::mpsc::Sender<CheckJob>>>,
    > = std::sync::OnceLock::new();
    CHECKER
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<CheckJob>();
            let spawned =
                std::thread::Builder::new().name("clusterls-check".into()).spawn(move || {
                    for job in rx {
                        job();
                    }
                });
            match spawned {
                Ok(_) => Some(std::sync::Mutex::new(tx)),
                Err(e) => {
                    tracing::error!("cannot start the checker thread: {e}");
                    None
                }
            }
        })
        .as_ref()
}

/// [`check`] on the checker thread; a panic (a checker bug) becomes an internal error.
pub async fn check_off_thread(
    kind: DocKind,
    text: Arc<str>,
    facts: Option<Arc<ClusterFacts>>,
    filter: CodeFilter,
) -> Result<Vec<Finding>> {
    on_checker(move || {
        contain("checking a document", || check(kind, &text, facts.as_deref(), &filter))
    })
    .await
}

/// [`check_off_thread`] for a document being published ([`crate::checks::check_document`]):
/// also the absolute `--output`/`--error` directories an sbatch script names, checked with
/// the answers in `known` (`sbatch/output-dir-missing`).
async fn check_document_off_thread(
    kind: DocKind,
    text: Arc<str>,
    facts: Option<Arc<ClusterFacts>>,
    filter: CodeFilter,
    known: Vec<RemoteDir>,
) -> Result<(Vec<Finding>, Vec<String>)> {
    on_checker(move || {
        contain("checking a document", || match kind.file_kind() {
            Some(k) => crate::checks::check_document(k, &text, facts.as_deref(), &filter, &known),
            None => (Vec::new(), Vec::new()),
        })
    })
    .await
}

/// Run `run` on the checker thread (inline when it could not be started).
async fn on_checker<T: Send + 'static>(
    run: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let Some(checker) = checker() else { return run() };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: CheckJob = Box::new(move || {
        let _ = tx.send(run());
    });
    let sent = checker.lock().unwrap_or_else(|e| e.into_inner()).send(job);
    if sent.is_err() {
        return Err(request_failed("the checker thread is gone; restart the language server"));
    }
    rx.await.unwrap_or_else(|_| {
        Err(request_failed("the checker thread is gone; restart the language server"))
    })
}

/// Every finding for a document of `kind`, less the codes `clusterls.toml` turns off.
pub fn check(
    kind: DocKind,
    text: &str,
    facts: Option<&ClusterFacts>,
    filter: &CodeFilter,
) -> Vec<Finding> {
    match kind.file_kind() {
        Some(k) => crate::checks::check(k, text, facts, filter),
        None => Vec::new(),
    }
}

/// The `runtime` setting names what the user expects; the facts say what is there.
fn runtime_mismatch(editor: &Config, facts: Option<&ClusterFacts>) -> Option<String> {
    let want = editor.runtime.as_deref()?;
    let facts = facts?;
    let have = facts.runtime.as_ref().map(|r| r.kind.as_str());
    (have != Some(want)).then(|| match have {
        Some(have) => format!(
            "the clusterls.runtime setting says {want}, but the cluster has {have}; clusterls uses {have}. Clear the setting or fix it."
        ),
        None => format!(
            "the clusterls.runtime setting says {want}, but no container runtime was found on the cluster; install {want} there or ask its admins."
        ),
    })
}

/// The key of a progress token in `State::cancels`.
pub fn token_key(t: &ProgressToken) -> String {
    match t {
        ProgressToken::String(s) => s.clone(),
        ProgressToken::Number(n) => n.to_string(),
    }
}

fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Facts from the configured source: a facts file, else the cluster (through the
/// engine). `Ok(None)`: no source configured.
async fn load_facts(
    source: &Source,
    cluster: Option<&Cluster>,
    refresh: bool,
) -> Result<Option<ClusterFacts>> {
    if let Some(path) = &source.facts_file {
        let path = path.clone();
        let text = tokio::fs::read_to_string(&path).await.map_err(|e| {
            request_failed(format!(
                "cannot read the facts file {path}: {e}; fix the factsFile setting"
            ))
        })?;
        return serde_json::from_str(&text).map(Some).map_err(|e| {
            request_failed(format!("the facts file {path} is not valid facts JSON: {e}"))
        });
    }
    match cluster {
        Some(c) => c.engine.facts(refresh).await.map(|f| Some(f.facts)).map_err(cluster::error),
        None => Ok(None),
    }
}
