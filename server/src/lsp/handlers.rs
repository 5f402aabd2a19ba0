//! The LSP handlers: [`Backend`] answers requests from the current [`State`] and turns
//! notifications into state changes plus an [`Event`] for the worker.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionProviderCapability, CodeActionResponse, CompletionOptions,
    CompletionParams, CompletionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, Hover, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, InitializedParams, LSPAny, MessageType, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
    WorkDoneProgressCancelParams,
};
use tower_lsp_server::ls_types::{
    DidChangeWorkspaceFoldersParams, OneOf, WorkspaceFolder, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use tower_lsp_server::{Client, LanguageServer};

use super::config::{self, Config};
use super::event::Event;
use super::reply::contain;
use super::state::{Shared, State, lock};
use super::worker::{Worker, check_off_thread};
use super::{ext, features, proto};
use crate::global::Global;

pub struct Backend {
    client: Client,
    global: Global,
    state: Shared,
    events: mpsc::UnboundedSender<Event>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Event>>>,
    /// True once the first configuration (settings + clusterls.toml) is applied;
    /// commands wait for it.
    pub(super) ready: Arc<tokio::sync::watch::Sender<bool>>,
    /// Set by `shutdown`: an `exit` after it is a clean exit.
    shut_down: Arc<AtomicBool>,
}

impl Backend {
    pub fn new(client: Client, global: Global, shut_down: Arc<AtomicBool>) -> Backend {
        let (events, receiver) = mpsc::unbounded_channel();
        Backend {
            client,
            global,
            state: Arc::default(),
            events,
            receiver: Mutex::new(Some(receiver)),
            ready: Arc::new(tokio::sync::watch::Sender::new(false)),
            shut_down,
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn send(&self, event: Event) {
        // The receiver lives as long as the server; a send error means it is shutting down.
        let _ = self.events.send(event);
    }

    /// Mark a document changed; one `Changed` waits for the worker per document.
    fn changed(&self, uri: Uri) {
        let first = self.state().dirty.insert(uri.clone());
        if first {
            self.send(Event::Changed(uri));
        }
    }

    /// `window/workDoneProgress/cancel`: wake the work under that progress token.
    pub(super) async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        let token = super::worker::token_key(&params.token);
        let cancel = self.state().cancels.get(&token).cloned();
        match cancel {
            Some(c) => c.notify_one(),
            None => tracing::debug!("cancel of {token}: nothing under way"),
        }
    }

    pub(super) fn worker(&self) -> Worker {
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
                // Folders added or removed later get their clusterls.toml read and watched.
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: ext::command::ALL.iter().map(|s| s.to_string()).collect(),
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

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let path = |f: &WorkspaceFolder| f.uri.to_file_path().map(|p| p.into_owned());
        {
            let mut s = self.state();
            let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(path).collect();
            s.roots.retain(|r| !removed.contains(r));
            for added in params.event.added.iter().filter_map(path) {
                if !s.roots.contains(&added) {
                    s.roots.push(added);
                }
            }
        }
        self.watch_project_files();
        self.send(Event::ProjectFile);
    }

    async fn shutdown(&self) -> Result<()> {
        self.state().watcher = None;
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        self.state().docs.open(d.uri.clone(), d.language_id, d.version, d.text);
        self.changed(d.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let moved =
            self.state().docs.change(&uri, params.text_document.version, params.content_changes);
        if moved {
            self.changed(uri);
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
            Ok(c) => {
                let queued = self.state().editor_next.replace(c).is_some();
                if !queued {
                    self.send(Event::ClientConfig);
                }
            }
            // Counted with the server's other messages, so a client that keeps sending
            // bad settings fills the log, not the screen.
            Err(e) => self.worker().popup(MessageType::WARNING, e).await,
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
                    s.config_for_uri(&uri).code_filter(),
                ))),
            )
        };
        let findings = match findings {
            Ok(f) => f,
            // Not checked yet at this version: check now.
            Err((kind, facts, filter)) => {
                Arc::new(check_off_thread(kind, text.clone(), facts, filter).await?)
            }
        };
        let t = proto::Text::new(&text, &index);
        let actions = proto::code_actions(&uri, &t, &findings, t.byte_range(params.range));
        Ok(if actions.is_empty() { None } else { Some(actions) })
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let token = params.work_done_progress_params.work_done_token;
        let result = self.execute(&params.command, params.arguments, token).await;
        if let Err(e) = &result {
            tracing::info!(command = params.command, code = %e.code, "command failed: {}", e.message);
        }
        result
    }
}
