//! Pure: what the engine tells whoever listens ([`super::Engine::subscribe`]): job state
//! changes, the connection's state, slurmctld and slurmdbd answering or not. A leaf, so that every
//! capability that emits an event (the tracker, sessions) depends on it and on nothing
//! above it.

use serde::Serialize;

use super::state::JobState;

/// What happened, for whoever listens ([`super::Engine::subscribe`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A tracked job changed state (a submit is not an event: the submitter has the
    /// record it returned).
    Job {
        host: String,
        id: String,
        state: JobState,
        previous: Option<JobState>,
        reason: Option<String>,
        exit_code: Option<i32>,
    },
    /// The connection came up or failed (`message` says why and what to do;
    /// `login_required`: it failed because logging in needs a person).
    Connection { host: String, connected: bool, login_required: bool, message: Option<String> },
    /// slurmctld stopped answering (`message`: Slurm's words) or answers again. While
    /// it does not, no job is taken to have left the queue: their states wait.
    Controller { host: String, reachable: bool, message: Option<String> },
    /// Accounting (slurmdbd, what sacct asks) stopped answering or answers again, as
    /// this process's polls saw it. While it does not, a job that left the queue keeps
    /// its last state: its end shows when accounting answers.
    Accounting { host: String, reachable: bool, message: Option<String> },
}
