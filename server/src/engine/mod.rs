//! The engine: everything that touches the cluster. Transports (ssh, local), cluster
//! facts, image pulls, allocations, runs and job tracking sit here, behind small traits.
//!
//! Capabilities, each a pure planning half (`plan`, values in and values out, unit
//! tested) and a thin IO half adding methods to [`Engine`]: [`submit`] (a run: image,
//! run name, job script, the submit program and what its exit means), [`upload`] (the
//! files of a run directory and of a project, incrementally, one tar), [`images`] (pulls,
//! and `images::build`: Dockerfile builds), [`tracker`] (polls: what to ask squeue and
//! sacct, what their answers mean, an unreachable controller, the final `VANISHED`),
//! [`sessions`] (allocations, steps, terminals, cancel, pending reasons, efficiency, time
//! left, Remote-SSH hosts), [`forward`] (port forwards into a job's node, and the Jupyter
//! and TensorBoard servers started for them).
//!
//! Pure modules (no IO, no async; tested with recorded real output and snapshots):
//! [`launch`] (how a run starts: interpreter, a script submitted as written, log file
//! patterns, the one- or multi-node job script, the upload manifest), `array` (job
//! arrays: task ids and the array's state from its tasks), [`state`] (the one table of
//! job states), [`resources`] (the one type of a job's resources), [`shell`] (quoting),
//! [`slurm`] (facts program and parsers of sinfo/scontrol/sacctmgr/squeue/sacct,
//! refusals), [`container`] (image references, SIF and charliecloud names, container
//! lines), [`script`] (the sbatch script, salloc argv), [`policy`] (poll interval),
//! [`lease`] (which process polls a host), [`programs`] (the fixed shell programs sent
//! to the cluster), `event` ([`Event`], what the engine tells its listeners), [`error`]
//! ([`EngineError`], each failure typed). IO: [`transport`], [`store`] (SQLite, and the
//! journal of jobs it could not take), [`config`] (`clusterls.toml`), and the [`Engine`]
//! handle (its struct here, so the capabilities extend it without an import cycle;
//! `api.rs`).
//!
//! Round trips on a warm connection: facts 1; run 1 (a tar of the run directory on the
//! stdin of one `bash -c` that unpacks, checks the image and runs `sbatch --parsable`),
//! 2 with a project (`--sync DIR`, or a run from the editor: one more before it reads the
//! project's manifest, so the tar carries only what changed); a tracker poll 1 for every
//! tracked job of a host (squeue, sacct for jobs that left squeue or that this process has
//! not polled yet, exit files of steps); logs 1; a run's generated batch script 1.
//! Trackers cooperate across processes: only the holder of a host's poll lease (a row
//! of the shared job store, renewed on every poll, expiring after three poll intervals)
//! polls that host; every other process (editor windows, `--follow`s) reads the store
//! and emits the same events ([`Engine::tick`]).
//!
//! Transport choice: `openssh` with its native mux client. Commands speak the
//! ControlMaster protocol over the socket directly (no `ssh` process per command). The
//! master is either the user's own (found with `ssh -G`; a socket counts as alive only
//! when a master answers the mux protocol's alive check, never by `ssh -O check`;
//! attached with `Session::resume_mux`, never closed) or one we start with
//! `ssh -M -f -N -o BatchMode=yes -o ControlPersist=600` (our own command line, so no
//! StrictHostKeyChecking option is passed and the user's config decides), reused by every
//! later clusterls process until it expires.

mod api;
pub mod array;
pub mod config;
pub mod container;
pub mod error;
mod event;
pub mod forward;
pub mod images;
pub mod launch;
pub mod lease;
pub mod local_file;
pub mod policy;
pub mod programs;
pub mod resources;
pub mod script;
pub mod sessions;
pub mod shell;
pub mod slurm;
pub mod state;
pub mod store;
pub mod submit;
pub mod tracker;
pub mod transport;
pub mod upload;

pub use api::{EngineOptions, Facts, LogChunk};
pub use error::{EngineError, Result};
pub use event::Event;
pub use images::PulledImage;
pub use images::build::{BuildOptions, BuiltImage};
pub use resources::Resources;
pub use state::{JobState, Phase};
pub use store::{JobKind, JobRecord};
pub use submit::{RunOptions, RunOutcome};
pub use upload::plan::UploadSummary;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, broadcast};

use config::Config;
use store::Store;
use tracker::TrackState;
use transport::{SshTransport, Transport};

/// A cheap handle; clones share the connection, the store and the events.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    host: String,
    transport: Arc<dyn Transport>,
    ssh: Option<Arc<SshTransport>>,
    store: Store,
    config: Config,
    state_dir: PathBuf,
    events: broadcast::Sender<Event>,
    wake: Notify,
    track: Mutex<TrackState>,
    /// This process's name in the poll lease (pid and a random token).
    holder: String,
}

impl Drop for Inner {
    /// Hand the poll lease over at once instead of letting it expire.
    fn drop(&mut self) {
        let _ = self.store.release_lease(&self.host, &self.holder);
    }
}
