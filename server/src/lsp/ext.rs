//! The clusterls protocol extensions, declared once on the server side. The client's
//! counterpart is `editor-client/src/lsp_ext.ts`; keep the two in step.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::notification::Notification;

/// `workspace/executeCommand` names the server implements, listed once.
pub mod command {
    pub const RUN: &str = "clusterls.server.run";
    pub const PULL: &str = "clusterls.server.pull";
    pub const ALLOC: &str = "clusterls.server.alloc";
    pub const RUN_IN_ALLOC: &str = "clusterls.server.runInAlloc";
    pub const CANCEL: &str = "clusterls.server.cancel";
    pub const JOBS: &str = "clusterls.server.jobs";
    pub const REFRESH_FACTS: &str = "clusterls.server.refreshFacts";
    pub const LOGIN: &str = "clusterls.server.login";
    pub const LOGS: &str = "clusterls.server.logs";
    pub const SCRIPT: &str = "clusterls.server.script";
    pub const SESSION_TERMINAL: &str = "clusterls.server.sessionTerminal";

    /// Every command, as advertised in `executeCommandProvider`.
    pub const ALL: &[&str] = &[
        RUN,
        PULL,
        ALLOC,
        RUN_IN_ALLOC,
        CANCEL,
        JOBS,
        REFRESH_FACTS,
        LOGIN,
        LOGS,
        SCRIPT,
        SESSION_TERMINAL,
    ];
}

/// JSON-RPC error code for "the host needs an interactive login first"; the error's
/// `data` is a [`LoginCommand`].
pub const LOGIN_REQUIRED: i64 = -32001;

/// A job's state, coarse enough for an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Submitting,
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    Timeout,
    Unknown,
}

impl JobState {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Failed | JobState::Cancelled | JobState::Timeout
        )
    }
}

/// A job as the client sees it. Times are unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub name: String,
    pub state: JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub allocation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why it is pending, or why it failed (Slurm's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Arguments of [`command::RUN`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunParams {
    /// URI of the file to run (`file://...`).
    pub uri: String,
    #[serde(default)]
    pub partition: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub gpus: Option<u32>,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::PULL`]. No image: the configured one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PullParams {
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::ALLOC`]; unset fields come from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocParams {
    #[serde(default)]
    pub partition: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub gpus: Option<u32>,
    #[serde(default)]
    pub time: Option<String>,
}

/// Arguments of [`command::RUN_IN_ALLOC`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunInAllocParams {
    pub uri: String,
    /// The allocation's job id.
    pub allocation: String,
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::CANCEL`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelParams {
    pub id: String,
}

/// Arguments of [`command::SESSION_TERMINAL`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionTerminalParams {
    /// The allocation's job id.
    pub allocation: String,
}

/// The answer to [`command::SESSION_TERMINAL`]: the program and arguments of an
/// interactive shell in the allocation (ssh through the live connection, then srun).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminalCommand {
    pub argv: Vec<String>,
}

/// Arguments of [`command::LOGS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogsParams {
    pub id: String,
}

/// The answer to [`command::LOGS`]: the job's output and error so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logs {
    pub id: String,
    pub out: String,
    pub err: String,
}

/// Arguments of [`command::SCRIPT`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScriptParams {
    pub id: String,
}

/// The answer to [`command::SCRIPT`]: the batch script clusterls generated for a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    pub id: String,
    /// Where it is on the cluster.
    pub path: String,
    pub text: String,
}

/// The answer to [`command::LOGIN`] and the `data` of a [`LOGIN_REQUIRED`] error: the
/// command that opens an interactive ssh master the server can then reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginCommand {
    pub host: String,
    /// The ssh command to run in a terminal, shell-quoted.
    pub command_line: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStateKind {
    Disconnected,
    Connecting,
    Connected,
    LoginRequired,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStateParams {
    pub host: String,
    pub state: ConnectionStateKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStateParams {
    pub job: Job,
}

/// Server to client: a job changed state (including its first appearance).
pub enum JobStateNotification {}

impl Notification for JobStateNotification {
    type Params = JobStateParams;
    const METHOD: &'static str = "clusterls/jobState";
}

/// Server to client: the connection to the cluster changed state.
pub enum ConnectionStateNotification {}

impl Notification for ConnectionStateNotification {
    type Params = ConnectionStateParams;
    const METHOD: &'static str = "clusterls/connectionState";
}
