//! The language server (`clusterls lsp`).
//!
//! - `transport`: the guard in front of tower-lsp-server's stdio transport.
//! - `ext`: the clusterls protocol (commands, notifications, errors), declared once; the
//!   client's TypeScript is generated from it.
//! - `state`: what the server knows; `event`: the `event::Event`s that change it.
//! - `handlers`: the LSP handlers; `dispatch`: `workspace/executeCommand`, typed.
//! - `worker`: the one loop that applies events, reads facts and publishes diagnostics.
//! - `documents`: open documents, synced incrementally in version order; `kind`: which
//!   file is what.
//! - `features`: completion and hover on byte offsets.
//! - `proto`: the one place that builds LSP types from core values and owns UTF-16.
//! - `config`: editor settings merged with `clusterls.toml`; `cluster`: the engine's
//!   side; `reply`: typed replies and error codes.
//! - `run`: the run commands' pure helpers (the folder a run copies, arguments, banner,
//!   a failed build's line as a finding and its rule, [`RULES`]); `build`: image builds
//!   from the editor (progress, stop, the failing line's diagnostic).
//! - `sessions`: the session commands (a job's detail on demand, extend, Remote-SSH host).
//! - `dirs`: when to ask whether an sbatch script's `--output`/`--error` directories exist
//!   (pure); `dir_probe`: the asking, through the engine, and publishing again.

mod build;
mod cluster;
mod config;
mod dir_probe;
mod dirs;
mod dispatch;
mod documents;
mod event;
mod ext;
mod features;
mod handlers;
mod kind;
mod proto;
mod reply;
mod run;
mod sessions;
mod state;
mod transport;
mod worker;

/// The language server's own rules (a failed build's diagnostic), for `cli::rules`.
pub use run::RULES;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::{LspService, Server};

use crate::global::Global;

/// Serve LSP on stdin/stdout until the client says `exit` or closes the pipe. The exit
/// code is 0 after `shutdown`, 1 otherwise (the protocol's rule for `exit`).
pub fn run_stdio(global: Global) -> ExitCode {
    let rt =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("clusterls lsp: cannot start the async runtime: {e}");
                return ExitCode::from(2);
            }
        };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    rt.block_on(async move {
        // tower-lsp-server has no handler for `window/workDoneProgress/cancel` yet.
        let (service, socket) =
            LspService::build(|client| handlers::Backend::new(client, global, flag))
                .custom_method("window/workDoneProgress/cancel", handlers::Backend::progress_cancel)
                .finish();
        let (input, output, tasks) =
            transport::Guard::new(tokio::io::stdin(), tokio::io::stdout()).split();
        Server::new(input, output, socket).serve(service).await;
        tasks.finish().await;
    });
    // A blocking thread may still sit in a read of stdin (a client that sent `exit`
    // without closing the pipe); don't wait for it.
    rt.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        tracing::warn!("exiting without a shutdown request");
        ExitCode::FAILURE
    }
}
