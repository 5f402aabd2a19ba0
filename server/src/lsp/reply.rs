//! Turning outcomes into JSON-RPC replies: typed command arguments in, typed results
//! out, clusterls' error codes, and panics in pure code contained.

use serde::Serialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::LSPAny;

use super::ext::{self, Command};

/// A command's typed argument: the first argument (none: `{}`), as `C::Params`.
pub fn params<C: Command>(arguments: Vec<Value>) -> Result<C::Params> {
    let value = arguments.into_iter().next().unwrap_or(Value::Object(Default::default()));
    serde_json::from_value(value)
        .map_err(|e| Error::invalid_params(format!("{}: bad arguments: {e}", C::NAME)))
}

/// A command's typed result, as the reply's JSON.
pub fn reply<C: Command>(result: Result<C::Result>) -> Result<Option<LSPAny>> {
    to_value(result?)
}

fn to_value<T: Serialize>(v: T) -> Result<Option<LSPAny>> {
    serde_json::to_value(v).map(Some).map_err(|e| Error {
        code: ErrorCode::InternalError,
        message: e.to_string().into(),
        data: None,
    })
}

/// LSP's `RequestFailed`: understood, but it did not work; `message` says what to do.
pub fn request_failed(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(ext::error_code::REQUEST_FAILED),
        message: message.into().into(),
        data: None,
    }
}

/// No cluster is configured: its own code, so that the client offers to pick one.
pub fn no_cluster() -> Error {
    Error {
        code: ErrorCode::ServerError(ext::error_code::NO_CLUSTER),
        message: "no cluster is configured: set the clusterls.host setting (an ssh host alias, or `local`) or `host` in clusterls.toml".into(),
        data: None,
    }
}

/// Run pure code, turning a panic (a bug) into an internal-error reply instead of
/// taking the server down with it.
pub fn contain<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let detail = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!("{what} panicked: {detail}");
        Error {
            code: ErrorCode::InternalError,
            message: format!("clusterls hit a bug in {what} ({detail}); please report it with the file that caused it").into(),
            data: None,
        }
    })
}
