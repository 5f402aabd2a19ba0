//! The engine: everything that touches the cluster. Transports (ssh, local), cluster
//! facts, image pulls, allocations, runs and job tracking sit here, behind small traits.
//!
//! Pure modules (no IO, no async): [`shell`], [`slurm`], [`container`], [`script`],
//! [`policy`]. IO: [`transport`], [`store`], and the [`Engine`] itself.

mod api;
pub mod config;
pub mod container;
pub mod error;
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
