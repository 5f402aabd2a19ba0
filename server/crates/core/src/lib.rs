//! The pure core of clusterls: values shared by the checkers (`clusterls-sbatch`,
//! `clusterls-dockerfile`) and the engine.
//!
//! Architecture invariant: this crate does no IO and knows nothing of LSP, SSH or
//! processes. Its Cargo.toml depends on `serde` only, and it should stay that way.

pub mod facts;
pub mod finding;
pub mod kind;
pub mod rule;
pub mod suggest;
pub mod text;

pub use facts::ClusterFacts;
pub use finding::{CodeFilter, Edit, Finding, Fix, Severity};
pub use kind::FileKind;
pub use rule::Rule;
pub use text::LineIndex;
