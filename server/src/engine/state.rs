//! Pure: Slurm's job states, in ONE table. Each row names a state as squeue and sacct
//! print it (`%T`, `State`), its short form (`%t`), the coarse phase an editor shows
//! and whether the job can still change. The job store, `jobs --json`, the CLI and the
//! language server all read and write states through this table: nothing parses a
//! state word a second time.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A job's state. Words Slurm may add later are kept as they are (`Other`), live.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobState {
    Pending,
    Requeued,
    RequeueHold,
    RequeueFed,
    ResvDelHold,
    /// Requeued and held after a special exit value; an admin may release it.
    SpecialExit,
    Suspended,
    Configuring,
    Running,
    Completing,
    Resizing,
    Signaling,
    StageOut,
    Stopped,
    Completed,
    Failed,
    Cancelled,
    Timeout,
    Deadline,
    NodeFail,
    OutOfMemory,
    Preempted,
    BootFail,
    /// A federated job's sibling that another cluster ran.
    Revoked,
    /// clusterls's own: the job left the queue and accounting never gave its end
    /// (after [`super::tracker::plan::VANISH_AFTER_POLLS`] answered polls). Final.
    Vanished,
    Other(String),
}

/// What an editor shows: where the job is in its life. The protocol's `JobState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "JobState"))]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    Timeout,
    /// Ended, how is not known ([`JobState::Vanished`]).
    Vanished,
    /// A state word this table does not know.
    Unknown,
}

impl Phase {
    pub const ALL: [Phase; 8] = [
        Phase::Pending,
        Phase::Running,
        Phase::Completed,
        Phase::Failed,
        Phase::Cancelled,
        Phase::Timeout,
        Phase::Vanished,
        Phase::Unknown,
    ];

    /// The job has ended: exactly the phases of the final states (a test holds the
    /// table to it), so an editor never announces the end of a job that may go on.
    pub fn is_ended(self) -> bool {
        matches!(
            self,
            Phase::Completed | Phase::Failed | Phase::Cancelled | Phase::Timeout | Phase::Vanished
        )
    }
}

struct Row {
    state: JobState,
    word: &'static str,
    short: &'static str,
    phase: Phase,
    final_: bool,
}

const fn row(
    state: JobState,
    word: &'static str,
    short: &'static str,
    phase: Phase,
    final_: bool,
) -> Row {
    Row { state, word, short, phase, final_ }
}

use JobState as S;
use Phase as P;

/// Slurm's `job_state_string` and `job_state_string_compact` (src/common/slurm_protocol_defs.c).
const TABLE: &[Row] = &[
    row(S::Pending, "PENDING", "PD", P::Pending, false),
    row(S::Requeued, "REQUEUED", "RQ", P::Pending, false),
    row(S::RequeueHold, "REQUEUE_HOLD", "RH", P::Pending, false),
    row(S::RequeueFed, "REQUEUE_FED", "RF", P::Pending, false),
    row(S::ResvDelHold, "RESV_DEL_HOLD", "RD", P::Pending, false),
    // Held for requeue after a special exit value: waiting, not ended.
    row(S::SpecialExit, "SPECIAL_EXIT", "SE", P::Pending, false),
    row(S::Suspended, "SUSPENDED", "S", P::Pending, false),
    row(S::Configuring, "CONFIGURING", "CF", P::Running, false),
    row(S::Running, "RUNNING", "R", P::Running, false),
    row(S::Completing, "COMPLETING", "CG", P::Running, false),
    row(S::Resizing, "RESIZING", "RS", P::Running, false),
    row(S::Signaling, "SIGNALING", "SI", P::Running, false),
    row(S::StageOut, "STAGE_OUT", "SO", P::Running, false),
    row(S::Stopped, "STOPPED", "ST", P::Running, false),
    row(S::Completed, "COMPLETED", "CD", P::Completed, true),
    row(S::Failed, "FAILED", "F", P::Failed, true),
    row(S::Cancelled, "CANCELLED", "CA", P::Cancelled, true),
    row(S::Timeout, "TIMEOUT", "TO", P::Timeout, true),
    row(S::Deadline, "DEADLINE", "DL", P::Timeout, true),
    row(S::NodeFail, "NODE_FAIL", "NF", P::Failed, true),
    row(S::OutOfMemory, "OUT_OF_MEMORY", "OOM", P::Failed, true),
    row(S::Preempted, "PREEMPTED", "PR", P::Failed, true),
    row(S::BootFail, "BOOT_FAIL", "BF", P::Failed, true),
    row(S::Revoked, "REVOKED", "RV", P::Cancelled, true),
    row(S::Vanished, "VANISHED", "VN", P::Vanished, true),
];

impl JobState {
    fn row(&self) -> Option<&'static Row> {
        TABLE.iter().find(|r| r.state == *self)
    }

    /// `RUNNING`, `CANCELLED by 1000`, `COMPLETED+`, `PD`, ...
    pub fn parse(s: &str) -> JobState {
        let w = s.split_whitespace().next().unwrap_or("").trim_end_matches('+');
        TABLE
            .iter()
            .find(|r| r.word == w || r.short == w)
            .map(|r| r.state.clone())
            .unwrap_or_else(|| JobState::Other(w.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            JobState::Other(s) => s,
            known => known.row().map_or("", |r| r.word),
        }
    }

    /// The job will not change any more.
    pub fn is_final(&self) -> bool {
        self.row().is_some_and(|r| r.final_)
    }

    pub fn phase(&self) -> Phase {
        self.row().map_or(Phase::Unknown, |r| r.phase)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As Slurm's word (`"RUNNING"`), in `jobs --json` and every other JSON.
impl Serialize for JobState {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JobState, D::Error> {
        Ok(JobState::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(word: &str, expect: Expect) {
        let s = JobState::parse(word);
        expect.assert_eq(&format!("{s} {:?} final={}", s.phase(), s.is_final()));
    }

    #[test]
    fn words() {
        check("RUNNING", expect!["RUNNING Running final=false"]);
        check("CANCELLED by 1000", expect!["CANCELLED Cancelled final=true"]);
        check("CANCELLED+", expect!["CANCELLED Cancelled final=true"]);
        check("PD", expect!["PENDING Pending final=false"]);
        check("OOM", expect!["OUT_OF_MEMORY Failed final=true"]);
        // The two a second table once read differently.
        check("REVOKED", expect!["REVOKED Cancelled final=true"]);
        check("SPECIAL_EXIT", expect!["SPECIAL_EXIT Pending final=false"]);
        check("VANISHED", expect!["VANISHED Vanished final=true"]);
        check("WEIRD", expect!["WEIRD Unknown final=false"]);
        check("", expect![" Unknown final=false"]);
    }

    /// Every row reads back as itself from its word and its short form, and no word
    /// or short form is used twice.
    #[test]
    fn the_table_round_trips() {
        for r in TABLE {
            assert_eq!(JobState::parse(r.word), r.state, "{}", r.word);
            assert_eq!(JobState::parse(r.short), r.state, "{}", r.short);
            assert_eq!(r.state.as_str(), r.word);
            let json = serde_json::to_string(&r.state).unwrap();
            assert_eq!(json, format!("\"{}\"", r.word));
            assert_eq!(serde_json::from_str::<JobState>(&json).unwrap(), r.state);
        }
        // An editor's "ended" is the table's "final" (SPECIAL_EXIT was Failed, an ended
        // phase, while the job could still be released and run).
        for r in TABLE {
            assert_eq!(r.phase.is_ended(), r.final_, "{}", r.word);
        }
        let mut names: Vec<&str> = TABLE.iter().flat_map(|r| [r.word, r.short]).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a word or short form is used twice");
    }
}
