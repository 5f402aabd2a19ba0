//! The engine: everything that touches the cluster. Transports (ssh, local), cluster
//! facts, image pulls, allocations, runs and job tracking sit here, behind small traits.
//!
//! Pure modules (no IO, no async; tested with recorded real output and snapshots):
//! [`shell`] (quoting), [`slurm`] (facts program and parsers of sinfo/scontrol/sacctmgr/
//! squeue/sacct, refusals), [`container`] (image references, SIF and charliecloud names,
//! container lines), [`script`] (the sbatch script, salloc argv), [`policy`] (poll
//! interval), [`lease`] (which process polls a host), [`programs`] (the fixed shell programs sent to the cluster), [`config`]
//! (`clusterls.toml`). IO: [`transport`], [`store`] (SQLite), and [`Engine`] (`api.rs`).
//!
//! Round trips on a warm connection: facts 1; run 1 (a tar of the run directory on the
//! stdin of one `bash -c` that unpacks, checks the image and runs `sbatch --parsable`);
//! a tracker poll 1 for every tracked job of a host (squeue, sacct for jobs that left
//! squeue, exit files of steps); logs 1; a run's generated batch script 1.
//! Trackers cooperate across processes: only the holder of a host's poll lease (a row
//! of the shared job store, renewed on every poll, expiring after three poll intervals)
//! polls that host; every other process (editor windows, `--follow`s) reads the store
//! and emits the same events ([`Engine::tick`]).
//!
//! Transport choice: `openssh` with its native mux client. Commands speak the
//! ControlMaster protocol over the socket directly (no `ssh` process per command), the
//! master is either the user's own (found with `ssh -G`, checked with `ssh -O check`,
//! attached with `Session::resume_mux`, never closed) or one we start with
//! `ssh -M -f -N -o BatchMode=yes -o ControlPersist=600` (our own command line, so no
//! StrictHostKeyChecking option is passed and the user's config decides), reused by every
//! later clusterls process until it expires.

mod api;
pub mod config;
pub mod container;
pub mod error;
pub mod journal;
pub mod lease;
pub mod policy;
pub mod programs;
pub mod script;
pub mod shell;
pub mod slurm;
pub mod store;
pub mod transport;

pub use api::{Engine, EngineOptions, Event, Facts, LogChunk, PulledImage, RunOptions};
pub use error::{EngineError, Result};
pub use script::Resources;
pub use slurm::JobState;
pub use store::{JobKind, JobRecord};
