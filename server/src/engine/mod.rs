//! The engine: everything that touches the cluster. Transports (ssh, local), cluster
//! facts, image pulls, allocations, runs and job tracking sit here, behind small traits.
//!
//! Pure modules (no IO, no async): [`shell`], [`slurm`], [`container`], [`script`],
//! [`policy`]. IO: [`transport`], [`store`], and the [`Engine`] itself.

pub mod container;
pub mod error;
pub mod policy;
pub mod script;
pub mod shell;
pub mod slurm;
pub mod transport;

pub use error::{EngineError, Result};
