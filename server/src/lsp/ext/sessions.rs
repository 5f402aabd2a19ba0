//! The protocol of sessions: a job's detail asked on demand (time left, why it waits
//! and when it may start, how it went), extending a session, the Remote-SSH host of an
//! allocation, and the notification that a job started.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::notification::Notification;

#[cfg(test)]
use ts_rs::TS;

use super::Job;

/// Arguments of [`super::command::JobDetail`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobDetailParams {
    pub id: String,
}

/// What the cluster says of one job now, asked only on demand (a tooltip, a
/// notification), never in the polling loop: for a running job its time left, for a
/// pending one the scheduler's estimated start (`squeue --start`), for an ended one how
/// it went (sacct).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct JobDetail {
    pub id: String,
    /// Running: seconds left when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_left_secs: Option<u64>,
    /// Running: the time limit as Slurm prints it now (after any extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<String>,
    /// Pending: why, in words, with what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Pending: the scheduler's estimated start, with the nodes when it planned them;
    /// or that it has none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_start: Option<String>,
    /// Ended: how it went (time, CPU, memory, GPUs), one line each.
    #[serde(default)]
    pub efficiency: Vec<String>,
    /// Ended: advice where a request was far too large, one line each.
    #[serde(default)]
    pub advice: Vec<String>,
    /// What could not be asked, and why (e.g. accounting has no row yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Arguments of [`super::command::Extend`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendParams {
    pub id: String,
    /// `+30` (minutes), `+1:00:00`, `-10`, `=2:00:00`: Slurm's time forms, signed.
    pub time: String,
}

/// Arguments of [`super::command::RemoteSshHost`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteSshHostParams {
    /// The allocation's job id.
    pub allocation: String,
}

/// The answer to [`super::command::RemoteSshHost`]: the ssh Host entry written for the
/// allocation's node (jumping through the login host), removed when it ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct RemoteSshHost {
    /// The Host alias to open (`clusterls-LOGIN-ID`).
    pub alias: String,
    /// The file holding the entry.
    pub file: String,
    /// The line an ssh config needs (once) to read every such entry.
    pub include_line: String,
    /// `vscode-remote://ssh-remote+ALIAS/`.
    pub uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
/// The params of `clusterls/jobStarted`.
pub struct JobStartedParams {
    pub job: Job,
    /// `Job 41 (train.py) is running on node01.`
    pub message: String,
}

/// Server to client: a job the tracker saw waiting now runs (sent once, from the
/// tracker's transition, with its node).
pub enum JobStartedNotification {}

impl Notification for JobStartedNotification {
    type Params = JobStartedParams;
    const METHOD: &'static str = "clusterls/jobStarted";
}
