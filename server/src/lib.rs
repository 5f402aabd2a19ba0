//! clusterls: the engine (SSH or local transport, Slurm, containers, job tracking), the
//! language server, and the command-line interface. The pure checkers and domain
//! types live in `clusterls-core`, `clusterls-sbatch` and `clusterls-dockerfile`.

pub mod checks;
pub mod cli;
pub mod engine;
pub mod global;
pub mod lsp;

/// `clusterls <semver>`, as `--version` prints it and `serverInfo` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
