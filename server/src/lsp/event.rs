//! The events that change what the server shows, applied in order by the worker.

use clusterls_core::ClusterFacts;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::Uri;

use super::ext;

/// Everything that changes what the server shows, applied in one place
/// (`Worker::apply`).
#[derive(Debug)]
pub enum Event {
    /// A document's text changed (or it was opened). Sent once until the worker takes
    /// the document off `State::dirty`, so a flood of changes queues one event.
    Changed(Uri),
    /// A document was closed: clear its diagnostics.
    Closed(Uri),
    /// The editor's settings changed; the latest are in `State::editor_next` (one
    /// event however many changes came meanwhile).
    ClientConfig,
    /// `clusterls.toml` in the workspace was created, edited or removed.
    ProjectFile,
    /// Cluster facts were read (`None`: no source is configured any more), or
    /// reading them failed.
    /// `applied` is told once the facts are in effect (and diagnostics republished).
    Facts(Result<Option<ClusterFacts>, Error>, Option<tokio::sync::oneshot::Sender<()>>),
    /// A job changed state.
    Job(ext::Job),
    /// A job the tracker saw waiting now runs.
    JobStarted(ext::JobStartedParams),
    /// The connection to the cluster changed state.
    Connection(ext::ConnectionStateParams),
    /// Slurm's controller stopped or started answering.
    Controller(ext::ControllerStateParams),
}
