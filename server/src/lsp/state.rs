//! What the server knows.
//!
//! Handlers change [`State`] under a short-held `std::sync::Mutex` (never across an
//! `.await`) and send an `Event`; one task (`worker`) applies events in order.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use clusterls_core::ClusterFacts;
use tower_lsp_server::ls_types::Uri;

use super::cluster::Cluster;
use super::config::{self, Config, EngineConfig};
use super::documents::Documents;

#[derive(Default)]
pub struct State {
    pub docs: Documents,
    /// The editor's settings.
    pub editor: Config,
    /// `clusterls.toml` (project, then user) of the first workspace folder: the host
    /// and what the engine runs with.
    pub project: EngineConfig,
    /// Each workspace folder's `clusterls.toml` (project, then user), in the order of
    /// `roots`: what applies to the files of that folder.
    pub folders: Vec<(PathBuf, EngineConfig)>,
    /// Where facts come from and what the engine runs with; `None` until known.
    pub source: Option<Source>,
    /// The engine for `source`'s host, when one is configured and opened.
    pub cluster: Option<Arc<Cluster>>,
    pub facts: Option<Arc<ClusterFacts>>,
    pub roots: Vec<PathBuf>,
    pub work_done_progress: bool,
    /// Kept alive while the server runs.
    pub watcher: Option<notify::RecommendedWatcher>,
    /// Messages shown to the user so far; capped so a broken setup does not flood.
    pub popups: u32,
    /// Documents changed since the worker last looked (each has one `Changed` queued).
    pub dirty: HashSet<Uri>,
    /// Editor settings received and not yet applied (a `ClientConfig` is queued).
    pub editor_next: Option<Config>,
    /// Cancellable work under way, by its progress token: what `window/workDoneProgress/cancel` wakes.
    pub cancels: HashMap<String, Arc<tokio::sync::Notify>>,
    /// Dockerfiles whose last build from the editor failed: the failing line, shown as a
    /// diagnostic until the next build of that file.
    pub build_failures: HashMap<Uri, super::run::BuildFailure>,
    /// Whether the open scripts' `--output`/`--error` directories exist on the cluster.
    pub dirs: super::dirs::RemoteDirs,
}

impl State {
    /// The configuration that applies to a file: the `clusterls.toml` of the workspace
    /// folder holding it (the first folder's for a file outside every folder), over
    /// the editor's settings.
    pub fn config_for(&self, path: Option<&Path>) -> EngineConfig {
        let project =
            path.and_then(|p| config::folder_config(&self.folders, p)).unwrap_or(&self.project);
        project.clone().or(self.editor.engine_config())
    }

    /// [`Self::config_for`] the file of a document.
    pub fn config_for_uri(&self, uri: &Uri) -> EngineConfig {
        self.config_for(uri.to_file_path().as_deref())
    }
}

/// Where facts come from and what the engine runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub host: Option<String>,
    pub ssh_config: Option<PathBuf>,
    pub facts_file: Option<String>,
    pub engine: EngineConfig,
}

pub type Shared = Arc<Mutex<State>>;

pub fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves consistent data (every update is one
    // assignment); keep serving.
    state.lock().unwrap_or_else(|e| e.into_inner())
}
