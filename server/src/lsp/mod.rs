//! The language server (`clusterls lsp`).
//!
//! - `proto`: the one place that builds LSP types from core values and owns UTF-16.
//! - `ext`: clusterls' own notifications and commands (mirrored in the client's `lsp_ext.ts`).
//! - `documents`: open documents, synced incrementally in version order.
//! - `features`: completion and hover on byte offsets.
//! - `config`: editor settings merged with `clusterls.toml`.
//! - `server`: the handlers, the state, and the one loop that applies [`server::Event`]s.

mod cluster;
pub mod config;
pub mod documents;
pub mod ext;
pub mod features;
pub mod proto;
mod server;
mod transport;

use std::process::ExitCode;

use tower_lsp_server::{LspService, Server};

use crate::cli::Global;

/// Serve LSP on stdin/stdout until the client says `exit` or closes the pipe.
pub fn run_stdio(global: Global) -> ExitCode {
    let rt =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("clusterls lsp: cannot start the async runtime: {e}");
                return ExitCode::from(2);
            }
        };
    rt.block_on(async move {
        let (service, socket) = LspService::new(|client| server::Backend::new(client, global));
        let (input, output, tasks) =
            transport::Guard::new(tokio::io::stdin(), tokio::io::stdout()).split();
        Server::new(input, output, socket).serve(service).await;
        tasks.finish().await;
    });
    // A blocking thread may still sit in a read of stdin (a client that sent `exit`
    // without closing the pipe); don't wait for it.
    rt.shutdown_background();
    ExitCode::SUCCESS
}
