//! The clusterls protocol: the commands, notifications, values and errors the server
//! and the editor client exchange on top of LSP, declared once, here. The client's
//! TypeScript (`editor-client/src/protocol.ts`) is generated from these declarations
//! with ts-rs by the test in `typescript.rs` (`UPDATE_EXPECT=1` rewrites it), which fails
//! when the two drift apart.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::notification::Notification;

#[cfg(test)]
use ts_rs::TS;

pub use crate::engine::Resources;

/// A `workspace/executeCommand` command of this server: its name, its one argument
/// (`arguments[0]`) and its reply.
pub trait Command {
    const NAME: &'static str;
    /// [`NoParams`] for a command that takes none.
    type Params: serde::de::DeserializeOwned;
    type Result: Serialize;
}

/// Declares each command once: a type implementing [`Command`], the list of names the
/// server advertises, and (for the TypeScript generator) the client helper's name.
macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $ty:ident = $name:literal, $helper:ident($params:ty) -> $result:ty; )*) => {
        $(
            $(#[doc = $doc])*
            pub enum $ty {}
            impl Command for $ty {
                const NAME: &'static str = $name;
                type Params = $params;
                type Result = $result;
            }
        )*

        /// Every command, as advertised in `executeCommandProvider`.
        pub const ALL: &[&str] = &[$($name),*];

        /// What the TypeScript generator needs to know about each command.
        #[cfg(test)]
        pub(crate) fn specs() -> Vec<super::typescript::CommandSpec> {
            let cfg = super::typescript::ts_config();
            vec![$(super::typescript::CommandSpec {
                name: $name,
                helper: stringify!($helper),
                doc: concat!($($doc, "\n"),*),
                params: <$params as TS>::name(&cfg),
                result: <$result as TS>::name(&cfg),
            }),*]
        }
    };
}

/// The commands. Their argument types say which fields each takes; unknown fields are
/// refused (`InvalidParams`), as are unknown commands. Inside `resources` (the type
/// clusterls.toml and the job store share, which must read older files) an unknown key
/// is ignored; the generated TypeScript keeps the client to the known ones.
pub mod command {
    use super::*;

    commands! {
        /// Run a file on the cluster, in a container, as a batch job.
        Run = "clusterls.server.run", run(RunParams) -> Job;
        /// Pull an image into the cluster's container runtime (no image: the configured one).
        Pull = "clusterls.server.pull", pull(PullParams) -> Pulled;
        /// Make an allocation (an interactive GPU session) that outlives the command.
        Alloc = "clusterls.server.alloc", alloc(AllocParams) -> Job;
        /// Run a file as a step of a live allocation.
        RunInAlloc = "clusterls.server.runInAlloc", runInAlloc(RunInAllocParams) -> Job;
        /// Cancel a job or release an allocation.
        Cancel = "clusterls.server.cancel", cancel(CancelParams) -> ();
        /// Every tracked job of the configured host (empty when none is configured).
        Jobs = "clusterls.server.jobs", jobs(NoParams) -> Vec<Job>;
        /// Read the cluster's facts again (not from the cache); null without a source.
        RefreshFacts = "clusterls.server.refreshFacts", refreshFacts(NoParams) -> Option<Facts>;
        /// Connect; null when connected, else the ssh command that logs in.
        Login = "clusterls.server.login", login(NoParams) -> Option<LoginCommand>;
        /// A job's output and error so far.
        Logs = "clusterls.server.logs", logs(LogsParams) -> super::Logs;
        /// The batch script clusterls generated for a job.
        Script = "clusterls.server.script", script(ScriptParams) -> super::Script;
        /// The program and arguments of an interactive shell in an allocation.
        SessionTerminal = "clusterls.server.sessionTerminal", sessionTerminal(SessionTerminalParams) -> TerminalCommand;
        /// One job's detail, asked now (time left, estimated start, or how it went).
        JobDetail = "clusterls.server.jobDetail", jobDetail(JobDetailParams) -> super::JobDetail;
        /// Extend (or shorten) a running job's time limit; Slurm's refusal in its words.
        Extend = "clusterls.server.extend", extend(ExtendParams) -> super::JobDetail;
        /// Write the ssh Host entry of an allocation's node for VS Code's Remote-SSH.
        RemoteSshHost = "clusterls.server.remoteSshHost", remoteSshHost(RemoteSshHostParams) -> super::RemoteSshHost;
        /// Start Jupyter in the container on an allocation's node and forward it here.
        Jupyter = "clusterls.server.jupyter", jupyter(JupyterParams) -> Served;
        /// Build a Dockerfile into an image on the cluster (checked first, cached by
        /// content); its steps are reported as work-done progress, stoppable. A failed
        /// build also puts a diagnostic on the failing instruction's line.
        Build = "clusterls.server.build", build(BuildParams) -> Built;
    }
}

/// JSON-RPC error codes of clusterls' own errors.
pub mod error_code {
    /// The host needs an interactive login first; the error's `data` is a
    /// [`super::LoginCommand`].
    pub const LOGIN_REQUIRED: i64 = -32001;
    /// No cluster is configured (no host in the settings or clusterls.toml): the client
    /// offers to pick one.
    pub const NO_CLUSTER: i64 = -32002;
    /// The request was understood but failed (the cluster said no, a file is missing);
    /// LSP's `RequestFailed`. The message says what to do.
    pub const REQUEST_FAILED: i64 = -32803;
}

/// The argument of a command that takes none: `{}`, or no argument at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Cluster facts (partitions, accounts, limits, runtime, images), in the
/// `clusterls facts --json` form; their TypeScript is generated from the same types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(transparent)]
pub struct Facts(pub clusterls_core::ClusterFacts);

/// The reply to [`command::Pull`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Pulled {
    /// Where the image is on the cluster.
    pub path: String,
    /// It was there already; nothing was pulled.
    pub already_present: bool,
}

/// A job's state, coarse enough for an editor: the phase of the engine's one table
/// of Slurm's states.
pub use crate::engine::Phase as JobState;

/// A job as the client sees it. Times are unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub name: String,
    pub state: JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Slurm's own state word, e.g. `CANCELLED`, `OUT_OF_MEMORY`.
    pub slurm_state: Option<String>,
    /// What was asked for at submit (flags, settings and clusterls.toml merged), as
    /// the job store keeps it; an unset field: the cluster's default.
    #[serde(default)]
    pub resources: Resources,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// An allocation (interactive session) rather than a batch run.
    #[serde(default)]
    pub allocation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Absolute path of the job's output on the cluster.
    pub log_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Absolute path of the batch script clusterls generated.
    pub script_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The file that was run (a URI), when this server submitted it.
    pub source: Option<String>,
    /// Why it is pending, or why it failed (Slurm's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Slurm's reason in plain words, with what the user can do (for a job not ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_text: Option<String>,
    /// The node(s) it runs or ran on, in Slurm's notation (`node[02-03]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// A job array's tasks, each with its own state and log (absent for other jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<JobTask>>,
    /// A job array's count of tasks per state, running first (absent for other jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_counts: Option<Vec<TaskCount>>,
}

/// One task of a job array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct JobTask {
    /// Slurm's id of the task, `123_4`: what the cancel and logs commands take.
    pub id: String,
    /// Its index in the array (`SLURM_ARRAY_TASK_ID`).
    pub index: u32,
    pub state: JobState,
    /// Slurm's own state word.
    pub slurm_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// Why it is pending (Slurm's reason, e.g. `JobArrayTaskLimit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Absolute path of the task's output on the cluster, when clusterls named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
}

/// How many tasks of a job array are in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct TaskCount {
    pub state: JobState,
    /// Slurm's own state word (`RUNNING`, `OUT_OF_MEMORY`).
    pub slurm_state: String,
    pub count: u32,
}

/// Arguments of [`command::Run`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunParams {
    /// URI of the file to run (`file://...`). A script with `#SBATCH` directives is
    /// submitted as written; the engine decides by its content.
    pub uri: String,
    /// The script's arguments as one command line, split like a POSIX shell does
    /// (quotes and backslashes; no expansion), and passed to the script intact.
    #[serde(default)]
    pub arguments: Option<String>,
    /// Copy the project with the script (default): the nearest folder holding
    /// `clusterls.toml`, else the workspace folder, honouring .gitignore, .ignore and
    /// .clusterlsignore. `false`: the file alone.
    #[serde(default)]
    pub sync: Option<bool>,
    /// What the job asks Slurm for; unset fields come from `clusterls.toml`, then
    /// the editor's settings.
    #[serde(default)]
    pub resources: Option<Resources>,
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::Build`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildParams {
    /// URI of the Dockerfile (`file://...`); its folder is the build context.
    pub uri: String,
    /// Build arguments, `NAME=VALUE` each, passed intact.
    #[serde(default)]
    pub build_args: Option<Vec<String>>,
}

/// The reply to [`command::Build`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Built {
    /// The content key (SHA-256, hex).
    pub key: String,
    /// The image's name (`clusterls-build:KEY16`); a run takes `docker://NAME`.
    pub name: String,
    /// Where the image is on the cluster.
    pub path: String,
    /// False when the key's image was there already (nothing was built).
    pub built: bool,
}

/// Arguments of [`command::Pull`]. No image: the configured one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PullParams {
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::Alloc`]; unset fields come from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocParams {
    /// What the session asks Slurm for.
    #[serde(default)]
    pub resources: Option<Resources>,
}

/// Arguments of [`command::RunInAlloc`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunInAllocParams {
    pub uri: String,
    /// The allocation's job id.
    pub allocation: String,
    #[serde(default)]
    pub image: Option<String>,
}

/// Arguments of [`command::Cancel`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelParams {
    pub id: String,
}

/// Arguments of [`command::SessionTerminal`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionTerminalParams {
    /// The allocation's job id.
    pub allocation: String,
}

/// The answer to [`command::SessionTerminal`]: the program and arguments of an
/// interactive shell in the allocation (ssh through the live connection, then srun).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct TerminalCommand {
    pub argv: Vec<String>,
}

/// Arguments of [`command::Jupyter`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(test, ts(optional_fields))]
pub struct JupyterParams {
    /// The allocation's job id.
    pub allocation: String,
    /// `docker://REF` or a path on the cluster; default: the configured image.
    #[serde(default)]
    pub image: Option<String>,
}

/// The answer to [`command::Jupyter`]: the local URL (with its token) to open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Served {
    pub url: String,
    pub allocation: String,
    /// The step that runs the server.
    pub step: String,
}

/// Arguments of [`command::Logs`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(test, ts(optional_fields))]
pub struct LogsParams {
    pub id: String,
    /// Bytes of the output already read: only what follows is sent (default 0).
    #[serde(default)]
    pub out_offset: Option<u64>,
    /// Bytes of the error output already read (default 0).
    #[serde(default)]
    pub err_offset: Option<u64>,
}

/// The answer to [`command::Logs`]: the job's output and error after the offsets asked
/// for. clusterls' own banner line (`clusterls: job N on HOST, ...`, written to the
/// error output) is not in `err` but in `banner`, so it is not shown as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct Logs {
    pub id: String,
    pub out: String,
    pub err: String,
    /// Bytes of output now read (the next request's `outOffset`).
    pub out_offset: u64,
    /// Bytes of error output now read (the next request's `errOffset`).
    pub err_offset: u64,
    /// The job is finished: the output will not grow.
    pub finished: bool,
    /// clusterls' banner line, when this chunk of the error output held it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
}

/// Arguments of [`command::Script`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScriptParams {
    pub id: String,
}

/// The answer to [`command::Script`]: the batch script clusterls generated for a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Script {
    pub id: String,
    /// Where it is on the cluster.
    pub path: String,
    pub text: String,
}

/// The answer to [`command::Login`] and the `data` of a [`error_code::LOGIN_REQUIRED`] error: the
/// command that opens an interactive ssh master the server can then reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct LoginCommand {
    pub host: String,
    /// The ssh command to run in a terminal, shell-quoted.
    pub command_line: String,
    /// The same command as words: a terminal runs it as its process, without a shell
    /// (text typed into a shell that is still starting is echoed twice).
    pub argv: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
/// How the connection to the cluster stands.
pub enum ConnectionStateKind {
    Connected,
    LoginRequired,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
/// The params of `clusterls/connectionState`.
pub struct ConnectionStateParams {
    pub host: String,
    pub state: ConnectionStateKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
/// The params of `clusterls/jobState`.
pub struct JobStateParams {
    pub job: Job,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
/// The params of `clusterls/controllerState`: whether Slurm's controller (slurmctld)
/// on a host answers, as the last poll of any clusterls process saw it. While it does
/// not, the jobs' states are as last seen, not lost or ended.
pub struct ControllerStateParams {
    pub host: String,
    pub reachable: bool,
    /// Slurm's words when it does not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
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

/// Server to client: Slurm's controller stopped or started answering (distinct from
/// the ssh connection, which may be fine meanwhile).
pub enum ControllerStateNotification {}

impl Notification for ControllerStateNotification {
    type Params = ControllerStateParams;
    const METHOD: &'static str = "clusterls/controllerState";
}

mod sessions;
pub use sessions::*;

#[cfg(test)]
pub(crate) mod typescript;
