//! Errors a user of the engine sees. Each says what went wrong and what to do next.

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Logging in needs a password or a one-time code, which clusterls never asks for.
    /// Run `command` once in a terminal; every later clusterls call reuses that connection.
    /// `argv` is the same command as words, for a terminal that runs it without a shell.
    #[error(
        "logging in to {host} needs a password or a code, which clusterls never asks for.\nRun this once in a terminal, then try again (clusterls reuses that connection):\n  {command}"
    )]
    LoginRequired { host: String, command: String, argv: Vec<String> },

    #[error(
        "the host key of {host} could not be verified (ssh said: {detail}).\nCheck it and add it to known_hosts by connecting once in a terminal:\n  {command}"
    )]
    HostKey { host: String, detail: String, command: String },

    #[error("cannot connect to {host}: {detail}\nCheck that `{command}` works in a terminal.")]
    Connect { host: String, detail: String, command: String },

    #[error(
        "`{what}` on {host} did not answer within {secs} s; the cluster may be overloaded. Try again, or raise the timeout."
    )]
    Timeout { host: String, what: String, secs: u64 },

    /// Slurm refused a request; `message` is Slurm's own words.
    #[error("Slurm refused the {action}: {message}\n{hint}")]
    SlurmRefused { action: String, message: String, hint: String },

    /// slurmctld did not answer (down, restarting, unreachable): nothing was done.
    #[error(
        "Slurm's controller does not answer ({message}), so the {action} was not done.\nTry again in a minute; if it lasts, ask the cluster's admins."
    )]
    ControllerUnreachable { action: String, message: String },

    #[error("`{what}` failed on {host} (exit {status}): {stderr}")]
    Remote { host: String, what: String, status: i32, stderr: String },

    /// An image build stopped at a Dockerfile instruction; nothing was kept.
    #[error(
        "build failed at {dockerfile}:{line}: `{instruction}` (on {host}). No image was kept: fix that line and build again. The build's last lines:\n{stderr}"
    )]
    BuildFailed {
        host: String,
        dockerfile: String,
        line: usize,
        instruction: String,
        stderr: String,
    },

    #[error("{0}")]
    Config(String),

    #[error("{0}")]
    Usage(String),

    /// The checker found errors in a script submitted as written; nothing was uploaded.
    /// `errors` are `file:LINE: error[code]: message`, one each.
    #[error(
        "{}\nclusterls checked `{file}` before submitting it and found {} error(s); nothing was uploaded. Fix them (`clusterls check {file}` shows them with fixes), override the directive with a flag, or submit anyway with --force.",
        errors.join("\n"),
        errors.len()
    )]
    ScriptErrors { file: String, errors: Vec<String> },

    #[error(
        "job store {path}: {source}\nIf the file is damaged, move it away; clusterls starts a new one."
    )]
    Store { path: String, source: rusqlite::Error },

    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },

    /// A job was submitted, but neither the job store nor its journal could record it.
    #[error(
        "job {id} was submitted on {host}, but clusterls could not record it: {store}; and its journal: {journal}.\nThe job runs all the same: see it with `squeue -j {id}` and stop it with `scancel {id}` on {host}. Free disk space or fix the state directory so that clusterls can track new jobs again."
    )]
    NotRecorded { host: String, id: String, store: String, journal: String },
}

impl EngineError {
    /// What a Slurm command's stderr says went wrong with `action`: an unreachable
    /// controller, or Slurm's refusal with what to do (`more` adds to the hint).
    pub fn refused(action: &str, stderr: &str, more: &str) -> Self {
        if let Some(message) = super::slurm::controller_unreachable(stderr) {
            return EngineError::ControllerUnreachable { action: action.into(), message };
        }
        let (_, message, hint) = super::slurm::classify_refusal(stderr);
        EngineError::SlurmRefused { action: action.into(), message, hint: format!("{hint}{more}") }
    }

    /// The id of a job that exists on the cluster although this error ended the call
    /// (it was submitted, then not recorded): the caller still prints it.
    pub fn submitted_job(&self) -> Option<&str> {
        match self {
            EngineError::NotRecorded { id, .. } => Some(id),
            _ => None,
        }
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        EngineError::Io { what: what.into(), source }
    }

    /// A process exit code for the CLI: 2 usage/config, 3 connection/login/controller,
    /// 4 Slurm refusal, 1 other.
    pub fn exit_code(&self) -> u8 {
        match self {
            EngineError::Usage(_) | EngineError::Config(_) | EngineError::ScriptErrors { .. } => 2,
            EngineError::LoginRequired { .. }
            | EngineError::HostKey { .. }
            | EngineError::Connect { .. }
            | EngineError::ControllerUnreachable { .. } => 3,
            EngineError::SlurmRefused { .. } => 4,
            _ => 1,
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The last `n` lines of a command's stderr, for an error message.
pub fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
