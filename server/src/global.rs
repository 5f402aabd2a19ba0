//! Options every entry point shares (the CLI's global flags, which `clusterls lsp` also
//! takes). A leaf module, so that the CLI and the language server both depend on it and
//! not on each other.

use std::path::PathBuf;

/// Options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub ssh_config: Option<PathBuf>,
    pub host: Option<String>,
}
