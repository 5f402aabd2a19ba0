//! Dockerfiles: parse with exact spans and check them, including what
//! Apptainer/Singularity will do with each instruction. Pure, never fails.
//!
//! - [`parse()`] gives the model ([`Dockerfile`]): directives, instructions with spans,
//!   flags, words, JSON (exec) form, heredocs, stages.
//! - [`docs::INSTRUCTIONS`] documents every instruction (hover/completion).
//! - [`check`] / [`check_with`] return [`Finding`]s with stable codes
//!   (`docker/...`, `apptainer/...`, `gpu/...`); [`rules::RULES`] lists them.

pub mod docs;
pub mod parse;

pub use parse::{Args, Dockerfile, Flag, Heredoc, Instruction, Kind, Stage, Word, parse};

use clusterls_core::{ClusterFacts, Finding};

/// Project configuration for the checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Codes never reported (`docker/latest-tag`), or whole namespaces (`apptainer`,
    /// `apptainer/*`).
    pub disabled: Vec<String>,
}

/// Check a Dockerfile. `facts` enables checks against the cluster (GPU driver).
pub fn check(text: &str, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    check_with(text, facts, &Config::default())
}

/// [`check`] with a project configuration.
pub fn check_with(_text: &str, _facts: Option<&ClusterFacts>, _config: &Config) -> Vec<Finding> {
    Vec::new()
}
