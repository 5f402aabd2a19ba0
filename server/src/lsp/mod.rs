//! The language server. `proto` is the one place that builds LSP types from core
//! values and owns UTF-16 positions.

use std::process::ExitCode;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    InitializeParams, InitializeResult, InitializedParams, ServerCapabilities, ServerInfo,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::cli::Global;

pub struct Backend {
    #[allow(dead_code)]
    client: Client,
    #[allow(dead_code)]
    global: Global,
}

impl LanguageServer for Backend {
    async fn initialize(&self, _params: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            capabilities: ServerCapabilities::default(),
            server_info: Some(ServerInfo {
                name: "clusterls".into(),
                version: Some(crate::VERSION.into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("client initialized");
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }
}

/// Serve LSP on stdin/stdout until the client says `exit` or closes the pipe.
pub fn run_stdio(global: Global) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("clusterls lsp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async move {
        let (service, socket) = LspService::new(|client| Backend { client, global });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    ExitCode::SUCCESS
}
