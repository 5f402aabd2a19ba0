//! Handlers, state and the event loop.
//!
//! Handlers change state under a short-held `std::sync::Mutex` (never across an
//! `.await`) and send an [`Event`]; one task applies events in order, computes
//! diagnostics and talks to the client. The task starts when the client says
//! `initialized`, so nothing reaches the client before the initialize reply.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use clusterls_core::{ClusterFacts, CodeFilter, Finding};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionProviderCapability, CodeActionResponse, CompletionOptions,
    CompletionParams, CompletionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, Hover, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, InitializedParams, LSPAny, MessageType, ProgressToken,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use tower_lsp_server::{Client, LanguageServer};

use super::cluster::{self, Cluster};
use super::config::{self, Config, EngineConfig};
use super::documents::{DocKind, Documents};
use super::ext::{self, command};
use super::{features, proto};
use crate::cli::Global;
use crate::engine;

/// Everything that changes what the server shows, applied in one place
/// ([`Backend::apply`]).
#[derive(Debug)]
pub enum Event {
    /// A document's text changed (or it was opened).
    Changed(Uri),
    /// A document was closed: clear its diagnostics.
    Closed(Uri),
    /// The editor's settings changed.
    ClientConfig(Config),
    /// `clusterls.toml` in the workspace was created, edited or removed.
    ProjectFile,
    /// Cluster facts were read (`None`: no source is configured any more), or
    /// reading them failed.
    /// `applied` is told once the facts are in effect (and diagnostics republished).
    Facts(
        std::result::Result<Option<ClusterFacts>, Error>,
        Option<tokio::sync::oneshot::Sender<()>>,
    ),
    /// A job changed state.
    Job(ext::Job),
    /// The connection to the cluster changed state.
    Connection(ext::ConnectionStateParams),
}

#[derive(Default)]
struct State {
    docs: Documents,
    /// The editor's settings.
    editor: Config,
    /// `clusterls.toml` (project, then user).
    project: EngineConfig,
    /// Where facts come from and what the engine runs with; `None` until known.
    source: Option<Source>,
    /// The engine for `source`'s host, when one is configured and opened.
    cluster: Option<Arc<Cluster>>,
    facts: Option<Arc<ClusterFacts>>,
    roots: Vec<PathBuf>,
    work_done_progress: bool,
    jobs: BTreeMap<String, ext::Job>,
    /// Kept alive while the server runs.
    watcher: Option<notify::RecommendedWatcher>,
    /// Messages shown to the user so far; capped so a broken setup does not flood.
    popups: u32,
}

pub struct Backend {
    client: Client,
    global: Global,
    state: Arc<Mutex<State>>,
    events: mpsc::UnboundedSender<Event>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Event>>>,
    /// True once the first configuration (settings + clusterls.toml) is applied;
    /// commands wait for it.
    ready: Arc<tokio::sync::watch::Sender<bool>>,
}

const MAX_POPUPS: u32 = 3;

impl Backend {
    pub fn new(client: Client, global: Global) -> Backend {
        let (events, receiver) = mpsc::unbounded_channel();
        Backend {
            client,
            global,
            state: Arc::default(),
            events,
            receiver: Mutex::new(Some(receiver)),
            ready: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn send(&self, event: Event) {
        // The receiver lives as long as the server; a send error means it is shutting down.
        let _ = self.events.send(event);
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves consistent data (every update is one
    // assignment); keep serving.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The loop's side: owns nothing but handles to the shared state and the client.
#[derive(Clone)]
struct Worker {
    client: Client,
    global: Global,
    state: Arc<Mutex<State>>,
    events: mpsc::UnboundedSender<Event>,
    ready: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Worker {
    async fn run(self, mut receiver: mpsc::UnboundedReceiver<Event>) {
        while let Some(event) = receiver.recv().await {
            self.apply(event).await;
        }
    }

    /// The one place events take effect.
    async fn apply(&self, event: Event) {
        tracing::debug!(?event, "event");
        match event {
            Event::Changed(uri) => self.publish(&uri, false).await,
            Event::Closed(uri) => self.client.publish_diagnostics(uri, Vec::new(), None).await,
            Event::ClientConfig(c) => {
                lock(&self.state).editor = c;
                self.config_changed().await;
            }
            Event::ProjectFile => {
                let roots = lock(&self.state).roots.clone();
                let (project, error) = config::read_project(&roots);
                if let Some(e) = error {
                    self.popup(MessageType::WARNING, e).await;
                }
                lock(&self.state).project = project;
                self.config_changed().await;
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
                if e.code != ErrorCode::ServerError(ext::LOGIN_REQUIRED) {
                    self.popup(MessageType::WARNING, e.message.to_string()).await;
                }
                if let Some(tx) = applied {
                    let _ = tx.send(());
                }
            }
            Event::Job(job) => {
                lock(&self.state).jobs.insert(job.id.clone(), job.clone());
                self.client
                    .send_notification::<ext::JobStateNotification>(ext::JobStateParams { job })
                    .await;
            }
            Event::Connection(params) => {
                self.client.send_notification::<ext::ConnectionStateNotification>(params).await;
            }
        }
    }

    async fn config_changed(&self) {
        let (before, after) = {
            let s = lock(&self.state);
            let engine = s.project.clone().or(s.editor.engine_config());
            let ssh_config = s
                .editor
                .ssh_config
                .as_ref()
                .map(PathBuf::from)
                .or_else(|| self.global.ssh_config.clone());
            let host = engine.host.clone().or_else(|| self.global.host.clone());
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
            lock(&self.state).cluster = opened;
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
    async fn refresh_facts(&self, refresh: bool) -> Result<Option<ClusterFacts>> {
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

    async fn progress(
        &self,
        title: &str,
    ) -> Option<
        tower_lsp_server::OngoingProgress<
            tower_lsp_server::Unbounded,
            tower_lsp_server::NotCancellable,
        >,
    > {
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

    async fn popup(&self, typ: MessageType, message: String) {
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
    async fn publish(&self, uri: &Uri, force: bool) {
        let snapshot = {
            let s = lock(&self.state);
            let Some(doc) = s.docs.get(uri) else { return };
            if !force && doc.findings.as_ref().is_some_and(|(v, _)| *v == doc.version) {
                return;
            }
            let filter = s.project.code_filter();
            (doc.version, doc.kind, doc.text.clone(), doc.index.clone(), s.facts.clone(), filter)
        };
        let (version, kind, text, index, facts, filter) = snapshot;
        let findings = match contain("checking a document", || {
            check(kind, &text, facts.as_deref(), &filter)
        }) {
            Ok(f) => f,
            // A checker bug must not stop the server; the log says which document.
            Err(_) => {
                tracing::error!(uri = uri.as_str(), "the checker panicked on this document");
                Vec::new()
            }
        };
        let diagnostics = proto::diagnostics(&proto::Text::new(&text, &index), &findings);
        {
            let mut s = lock(&self.state);
            match s.docs.get_mut(uri) {
                Some(doc) if doc.version == version => {
                    doc.findings = Some((version, Arc::new(findings)))
                }
                // Changed or closed meanwhile: a newer event will publish.
                _ => return,
            }
        }
        self.client.publish_diagnostics(uri.clone(), diagnostics, Some(version)).await;
    }
}

/// Run pure code, turning a panic (a bug) into an internal-error reply instead of
/// taking the server down with it.
fn contain<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let detail = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!("{what} panicked: {detail}");
        Error {
            code: ErrorCode::InternalError,
            message: format!("clusterls hit a bug in {what} ({detail}); please report it with the file that caused it").into(),
            data: None,
        }
    })
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

fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
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

/// Where facts come from and what the engine runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    host: Option<String>,
    ssh_config: Option<PathBuf>,
    facts_file: Option<String>,
    engine: EngineConfig,
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

/// Typed command arguments: the first argument, as `T`.
fn args<T: DeserializeOwned>(name: &str, arguments: Vec<Value>) -> Result<T> {
    let value = arguments.into_iter().next().unwrap_or(Value::Object(Default::default()));
    serde_json::from_value(value)
        .map_err(|e| Error::invalid_params(format!("{name}: bad arguments: {e}")))
}

fn request_failed(message: impl Into<String>) -> Error {
    Error { code: ErrorCode::ServerError(-32803), message: message.into().into(), data: None }
}

fn to_value<T: serde::Serialize>(v: T) -> Result<Option<LSPAny>> {
    serde_json::to_value(v).map(Some).map_err(|e| Error {
        code: ErrorCode::InternalError,
        message: e.to_string().into(),
        data: None,
    })
}

impl Backend {
    fn worker(&self) -> Worker {
        Worker {
            client: self.client.clone(),
            global: self.global.clone(),
            state: self.state.clone(),
            events: self.events.clone(),
            ready: self.ready.clone(),
        }
    }

    fn watch_project_files(&self) {
        use notify::Watcher;
        let roots = self.state().roots.clone();
        if roots.is_empty() {
            return;
        }
        let events = self.events.clone();
        let handler = move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res
                && ev.paths.iter().any(|p| p.file_name().is_some_and(|n| n == config::PROJECT_FILE))
            {
                let _ = events.send(Event::ProjectFile);
            }
        };
        let mut watcher = match notify::recommended_watcher(handler) {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!("cannot watch {}: {e}", config::PROJECT_FILE);
                return;
            }
        };
        for root in &roots {
            if let Err(e) = watcher.watch(root, notify::RecursiveMode::NonRecursive) {
                tracing::warn!("cannot watch {}: {e}", root.display());
            }
        }
        self.state().watcher = Some(watcher);
    }

    fn cluster(&self) -> Result<Arc<Cluster>> {
        self.state().cluster.clone().ok_or_else(|| {
            request_failed(
                "no cluster is configured: set the clusterls.host setting (an ssh host alias, or `local`) or `host` in clusterls.toml",
            )
        })
    }

    async fn execute(&self, name: &str, arguments: Vec<Value>) -> Result<Option<LSPAny>> {
        // Commands act on the configuration; wait until the first one is applied.
        let _ = self.ready.subscribe().wait_for(|ready| *ready).await;
        match name {
            command::REFRESH_FACTS => {
                let facts = self.worker().refresh_facts(true).await?;
                to_value(facts)
            }
            command::JOBS => {
                let Some(c) = self.state().cluster.clone() else {
                    return to_value(Vec::<ext::Job>::new());
                };
                let records = c.engine.jobs().map_err(cluster::error)?;
                to_value(records.iter().map(|r| c.job(r)).collect::<Vec<_>>())
            }
            command::RUN => {
                let p: ext::RunParams = args(name, arguments)?;
                let c = self.cluster()?;
                let script = file_path(&p.uri)?;
                let res = engine::Resources {
                    partition: p.partition,
                    account: p.account,
                    gpus: p.gpus,
                    time: p.time,
                    ..Default::default()
                };
                let mut opts = engine::RunOptions::new(&script);
                opts.resources = res;
                opts.image = p.image;
                let w = self.worker();
                let progress = w.progress(&format!("Submitting {}", display_name(&script))).await;
                let r = c.engine.run(&opts).await;
                if let Some(p) = progress {
                    p.finish().await;
                }
                let rec = r.map_err(cluster::error)?;
                let mut job = c.job(&rec);
                job.source = Some(p.uri);
                let _ = self.events.send(Event::Job(job.clone()));
                to_value(job)
            }
            command::RUN_IN_ALLOC => {
                let p: ext::RunInAllocParams = args(name, arguments)?;
                let c = self.cluster()?;
                let script = file_path(&p.uri)?;
                let mut opts = engine::RunOptions::new(&script);
                opts.in_alloc = Some(p.allocation);
                opts.image = p.image;
                let rec = c.engine.run(&opts).await.map_err(cluster::error)?;
                let mut job = c.job(&rec);
                job.source = Some(p.uri);
                let _ = self.events.send(Event::Job(job.clone()));
                to_value(job)
            }
            command::PULL => {
                let p: ext::PullParams = args(name, arguments)?;
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
                to_value(pulled)
            }
            command::ALLOC => {
                let p: ext::AllocParams = args(name, arguments)?;
                let c = self.cluster()?;
                let res = engine::Resources {
                    partition: p.partition,
                    account: p.account,
                    gpus: p.gpus,
                    time: p.time,
                    ..Default::default()
                };
                let w = self.worker();
                let progress = w.progress("Allocating").await;
                let r = c.engine.alloc(&res).await;
                if let Some(p) = progress {
                    p.finish().await;
                }
                let rec = r.map_err(cluster::error)?;
                let job = c.job(&rec);
                let _ = self.events.send(Event::Job(job.clone()));
                to_value(job)
            }
            command::CANCEL => {
                let p: ext::CancelParams = args(name, arguments)?;
                let c = self.cluster()?;
                c.engine.cancel(&p.id).await.map_err(cluster::error)?;
                Ok(None)
            }
            command::LOGS => {
                let p: ext::LogsParams = args(name, arguments)?;
                let c = self.cluster()?;
                let chunk = c.engine.logs(&p.id, 0, 0).await.map_err(cluster::error)?;
                to_value(ext::Logs {
                    id: p.id,
                    out: String::from_utf8_lossy(&chunk.out).into_owned(),
                    err: String::from_utf8_lossy(&chunk.err).into_owned(),
                })
            }
            command::SCRIPT => {
                let p: ext::ScriptParams = args(name, arguments)?;
                let c = self.cluster()?;
                let text = c.engine.script(&p.id).await.map_err(cluster::error)?;
                // The record exists: `script` found its run directory there.
                let path = c.engine.job(&p.id).ok().flatten().and_then(|r| c.job(&r).script_path);
                to_value(ext::Script { id: p.id, path: path.unwrap_or_default(), text })
            }
            command::SESSION_TERMINAL => {
                let p: ext::SessionTerminalParams = args(name, arguments)?;
                let c = self.cluster()?;
                let argv = c.engine.shell_argv(&p.allocation).await.map_err(cluster::error)?;
                to_value(ext::TerminalCommand { argv })
            }
            command::LOGIN => {
                let c = self.cluster()?;
                match c.engine.connect().await {
                    Ok(()) => Ok(None),
                    Err(engine::EngineError::LoginRequired { host, command }) => {
                        to_value(ext::LoginCommand { host, command_line: command })
                    }
                    Err(e) => Err(cluster::error(e)),
                }
            }
            _ => Err(Error::invalid_params(format!(
                "unknown command `{name}`; this server knows: {}",
                command::ALL.join(", ")
            ))),
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let client_config = match params.initialization_options.as_ref() {
            Some(v) => Config::from_client(v).map_err(Error::invalid_params)?,
            None => Config::default(),
        };
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(p) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
        {
            roots.push(p.into_owned());
        }
        let work_done_progress =
            params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
        {
            let mut s = self.state();
            s.editor = client_config;
            s.roots = roots;
            s.work_done_progress = work_done_progress;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        [" ", "=", "-", ":", ","].iter().map(|s| s.to_string()).collect(),
                    ),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: command::ALL.iter().map(|s| s.to_string()).collect(),
                    ..Default::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "clusterls".into(),
                version: Some(crate::VERSION.into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("client initialized");
        let Some(receiver) = self.receiver.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        self.watch_project_files();
        // Read clusterls.toml first: it completes the configuration, and a config
        // change with a facts source triggers the first facts refresh.
        self.send(Event::ProjectFile);
        tokio::spawn(self.worker().run(receiver));
    }

    async fn shutdown(&self) -> Result<()> {
        self.state().watcher = None;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        self.state().docs.open(d.uri.clone(), d.language_id, d.version, d.text);
        self.send(Event::Changed(d.uri));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let moved =
            self.state().docs.change(&uri, params.text_document.version, params.content_changes);
        if moved {
            self.send(Event::Changed(uri));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if self.state().docs.close(&uri) {
            self.send(Event::Closed(uri));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        match Config::from_client(&params.settings) {
            Ok(c) => self.send(Event::ClientConfig(c)),
            Err(e) => {
                self.client.show_message(MessageType::WARNING, e).await;
            }
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let (kind, text, index, facts) = {
            let s = self.state();
            let Some(doc) = s.docs.get(&pos.text_document.uri) else { return Ok(None) };
            (doc.kind, doc.text.clone(), doc.index.clone(), s.facts.clone())
        };
        let t = proto::Text::new(&text, &index);
        let items = contain("completion", || {
            features::completion(kind, &text, t.offset(pos.position), facts.as_deref())
        })?;
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(CompletionResponse::Array(proto::completion_items(&t, items))))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let (kind, text, index, facts) = {
            let s = self.state();
            let Some(doc) = s.docs.get(&pos.text_document.uri) else { return Ok(None) };
            (doc.kind, doc.text.clone(), doc.index.clone(), s.facts.clone())
        };
        let t = proto::Text::new(&text, &index);
        let h = contain("hover", || {
            features::hover(kind, &text, t.offset(pos.position), facts.as_deref())
        })?;
        Ok(h.map(|h| proto::hover(&t, h)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let (text, index, findings) = {
            let s = self.state();
            let Some(doc) = s.docs.get(&uri) else { return Ok(None) };
            let findings = match &doc.findings {
                Some((v, f)) if *v == doc.version => Some(f.clone()),
                _ => None,
            };
            (
                doc.text.clone(),
                doc.index.clone(),
                findings.map(Ok).unwrap_or(Err((
                    doc.kind,
                    s.facts.clone(),
                    s.project.code_filter(),
                ))),
            )
        };
        let findings = match findings {
            Ok(f) => f,
            // Not checked yet at this version: check now.
            Err((kind, facts, filter)) => Arc::new(contain("checking a document", || {
                check(kind, &text, facts.as_deref(), &filter)
            })?),
        };
        let t = proto::Text::new(&text, &index);
        let actions = proto::code_actions(&uri, &t, &findings, t.byte_range(params.range));
        Ok(if actions.is_empty() { None } else { Some(actions) })
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let result = self.execute(&params.command, params.arguments).await;
        if let Err(e) = &result {
            tracing::info!(command = params.command, code = %e.code, "command failed: {}", e.message);
        }
        result
    }
}
