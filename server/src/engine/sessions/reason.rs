//! Pure: why a job is pending, in plain words, with what the user can do. Slurm's reason
//! codes are those of squeue(1) "JOB REASON CODES" and Slurm's "Job Reason Codes" page;
//! the limit reasons (`AssocGrpGRES`, `QOSMaxGRESPerUser`, `MaxCpuPerAccount`, ...)
//! follow one grammar (whose limit, which kind, which resource) and are read by it
//! rather than listed one by one.

use serde::{Deserialize, Serialize};

/// A reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Slurm's code as squeue printed it (e.g. `QOSMaxGRESPerUser`).
    pub code: String,
    /// What it means, one short sentence.
    pub words: String,
    /// What the user can do about it.
    pub advice: String,
}

/// Exact codes: (code, words, advice).
const TABLE: &[(&str, &str, &str)] = &[
    (
        "Priority",
        "jobs with a higher priority are ahead in the queue",
        "wait; a shorter --time or fewer resources may let it start sooner (backfill)",
    ),
    (
        "Resources",
        "the resources it asks for are busy with other jobs",
        "wait for them to free up (`clusterls why JOB` estimates when), or ask for fewer GPUs/CPUs/memory",
    ),
    (
        "Dependency",
        "it waits for a job it depends on to finish",
        "wait; `squeue -j JOB -o %E` shows the dependency",
    ),
    (
        "DependencyNeverSatisfied",
        "a job it depends on ended in a way that can never satisfy the dependency",
        "cancel it and resubmit without that dependency",
    ),
    (
        "BeginTime",
        "its earliest start time (--begin) has not come yet",
        "wait, or `scontrol update JobId=JOB StartTime=now`",
    ),
    (
        "JobArrayTaskLimit",
        "the array already runs as many tasks at once as its %N limit allows",
        "wait for tasks to finish, or raise the limit with `scontrol update JobId=JOB ArrayTaskThrottle=N`",
    ),
    (
        "ReqNodeNotAvail",
        "a node it needs is not available (down, drained or reserved)",
        "wait for the node, or resubmit without --nodelist / in another partition",
    ),
    (
        "PartitionTimeLimit",
        "its --time is longer than the partition allows",
        "it will not start: cancel it and resubmit with a shorter --time (see `clusterls facts`)",
    ),
    (
        "PartitionNodeLimit",
        "it asks for more nodes than the partition allows",
        "it will not start: cancel it and resubmit with fewer nodes",
    ),
    (
        "PartitionDown",
        "the partition is down",
        "wait for the administrators to bring it up, or use another partition",
    ),
    ("PartitionInactive", "the partition is inactive and starts no jobs", "use another partition"),
    (
        "PartitionConfig",
        "it asks for something the partition's configuration does not allow",
        "cancel it and resubmit within the partition's limits",
    ),
    (
        "AccountNotAllowed",
        "its account may not use this partition",
        "cancel it and resubmit with another --account or --partition",
    ),
    (
        "QOSNotAllowed",
        "its QOS may not be used in this partition or by this account",
        "cancel it and resubmit with another --qos",
    ),
    (
        "InvalidAccount",
        "its account is not valid",
        "cancel it and resubmit with an account you belong to (`clusterls facts`)",
    ),
    ("InvalidQOS", "its QOS is not valid", "cancel it and resubmit with a QOS you may use"),
    (
        "BadConstraints",
        "its constraints (--constraint, features) can never be met",
        "cancel it and resubmit with constraints a node has",
    ),
    (
        "JobHeldUser",
        "you (or a script of yours) put it on hold",
        "`scontrol release JOB` lets it go",
    ),
    ("JobHeldAdmin", "an administrator put it on hold", "ask the administrators why"),
    (
        "JobLaunchFailure",
        "it could not be launched (file system, node or software trouble)",
        "look at its output, then resubmit; tell the administrators if it happens again",
    ),
    (
        "launch failed requeued held",
        "its launch failed, it was requeued and held",
        "look at its output, then `scontrol release JOB`",
    ),
    ("Licenses", "it waits for a license", "wait for one to free up"),
    ("NodeDown", "a node it needs is down", "wait, or cancel and resubmit elsewhere"),
    ("NonZeroExitCode", "it ended with a non-zero exit code", "look at its output"),
    ("Prolog", "its prolog is still running on the node", "wait a moment"),
    (
        "Reservation",
        "it waits for its advanced reservation to become usable",
        "wait for the reservation's start",
    ),
    (
        "ReservationDeleted",
        "its reservation was deleted",
        "cancel it and resubmit without --reservation",
    ),
    ("SystemFailure", "Slurm, the file system or the network failed", "tell the administrators"),
    ("TimeLimit", "it reached its time limit", "ask for a longer --time next time"),
    ("InactiveLimit", "it reached the system's inactivity limit", "resubmit it"),
    ("Cleaning", "it is being requeued and still cleaning up", "wait a moment"),
    ("WaitingForScheduling", "the scheduler has not got to it yet", "wait a moment"),
    ("None", "the scheduler has not looked at it yet", "wait a moment"),
    ("SchedDefer", "the scheduler defers new jobs to its next pass", "wait a moment"),
    ("BurstBufferResources", "the burst buffer it needs is busy", "wait"),
    ("BurstBufferStageIn", "its burst buffer is being staged in", "wait"),
    (
        "BurstBufferOperation",
        "a burst buffer operation failed",
        "look at `scontrol show job JOB`; tell the administrators",
    ),
    ("FrontEndDown", "no front end node is available", "wait, or tell the administrators"),
    ("OutOfMemory", "it ran out of memory", "ask for more memory next time"),
    ("MaxRequeue", "it was requeued more often than allowed", "look at its output, then resubmit"),
    (
        "PowerUpNodeTimeout",
        "a node it needed failed to power up",
        "wait, or tell the administrators",
    ),
    (
        "AssociationJobLimit",
        "your association runs as many jobs as it may",
        "wait for your other jobs to finish",
    ),
    (
        "AssociationResourceLimit",
        "your association uses as much as it may",
        "wait for your other jobs to finish",
    ),
    (
        "AssociationTimeLimit",
        "your association used up its time",
        "ask the administrators or your group's PI",
    ),
    ("QOSJobLimit", "the QOS runs as many jobs as it may", "wait for jobs of that QOS to finish"),
    ("QOSResourceLimit", "the QOS uses as much as it may", "wait for jobs of that QOS to finish"),
    ("QOSTimeLimit", "the QOS used up its time", "use another QOS, or ask the administrators"),
    ("QOSUsageThreshold", "the QOS's usage is over its threshold", "wait, or use another QOS"),
    (
        "QOSMinCpuNotSatisfied",
        "it asks for fewer CPUs than the QOS requires",
        "cancel it and resubmit with more CPUs",
    ),
    (
        "QOSMinGRES",
        "it asks for fewer GPUs (GRES) than the QOS requires",
        "cancel it and resubmit with more GPUs",
    ),
    (
        "QOSMinMemory",
        "it asks for less memory than the QOS requires",
        "cancel it and resubmit with more memory",
    ),
    (
        "QOSMinBilling",
        "it asks for less than the QOS's minimum billing",
        "cancel it and resubmit asking for more",
    ),
    (
        "AccountingPolicy",
        "an accounting limit holds it",
        "see `sshare`/`sacctmgr show assoc user=$USER` for your limits, or wait",
    ),
    ("FedJobLock", "the federation is synchronising it", "wait a moment"),
];

/// The reason `code` (as squeue's `%r` prints it) in words. Unknown codes come back
/// with Slurm's own words and advice to read the man page, never empty.
pub fn explain(code: &str) -> Reason {
    let code = code.trim().trim_start_matches('(').trim_end_matches(')');
    // `ReqNodeNotAvail, UnavailableNodes:node01` and `Nodes_required_for_job_are_DOWN,...`.
    let head = code.split([',', ' ']).next().unwrap_or(code);
    let found = TABLE
        .iter()
        .find(|(c, _, _)| *c == code || *c == head)
        .map(|&(_, w, a)| (w.to_string(), a.to_string()));
    let (mut words, advice) = found.or_else(|| limit(head)).unwrap_or_else(|| {
        if head.starts_with("Nodes_required") || head.starts_with("ReqNodeNotAvail") {
            explain_pair("ReqNodeNotAvail")
        } else {
            (format!("Slurm says `{code}`"), "see \"JOB REASON CODES\" in `man squeue`".to_string())
        }
    });
    if let Some(nodes) =
        code.split_once("UnavailableNodes:").map(|(_, n)| n.trim()).filter(|n| !n.is_empty())
    {
        words = format!("{words} ({nodes})");
    }
    Reason { code: code.to_string(), words, advice }
}

fn explain_pair(code: &str) -> (String, String) {
    let (_, w, a) = TABLE.iter().find(|(c, _, _)| *c == code).expect("in the table");
    (w.to_string(), a.to_string())
}

/// The limit reasons: `{Assoc,QOS}Grp<Res>[Limit]`, `{Assoc,QOS}Max<Res>Per{Job,Node,User,
/// Account}[Limit]`, `Max<Res>PerAccount`.
fn limit(code: &str) -> Option<(String, String)> {
    let (owner, rest) = if let Some(r) = code.strip_prefix("Assoc") {
        ("your account's", r)
    } else if let Some(r) = code.strip_prefix("QOS") {
        ("the QOS's", r)
    } else if code.starts_with("Max") && code.contains("PerAccount") {
        ("the QOS's", code)
    } else {
        return None;
    };
    let rest = rest.strip_suffix("Limit").unwrap_or(rest);
    if let Some(res) = rest.strip_prefix("Grp") {
        let (what, running) = resource(res)?;
        let words = format!("{owner} group limit on {what} is reached by jobs already {running}");
        return Some((words, "wait for those jobs (yours or your group's) to finish".into()));
    }
    let body = rest.strip_prefix("Max")?;
    for (per, who, advice) in [
        (
            "PerUser",
            "all your running jobs together",
            "wait for your other jobs to finish, or cancel one",
        ),
        (
            "PerAccount",
            "all your account's jobs together",
            "wait for jobs of your account to finish",
        ),
        ("PerJob", "this one job", "it will not start: cancel it and resubmit asking for less"),
        (
            "PerNode",
            "this job on one node",
            "it will not start: cancel it and resubmit asking for less per node",
        ),
    ] {
        if let Some(res) = body.find(per).map(|i| &body[..i]) {
            let (what, _) = resource(res)?;
            return Some((format!("{who} would exceed {owner} limit on {what}"), advice.into()));
        }
    }
    // `AssocMaxJobs`, `AssocMaxSubmitJob`, `QOSMaxWallDurationPerJob` without a `Per`.
    let (what, _) = resource(body)?;
    Some((
        format!("{owner} limit on {what} is reached"),
        "wait for your other jobs to finish, or ask for less".into(),
    ))
}

/// The resource of a limit name, and how the jobs holding it are described.
fn resource(res: &str) -> Option<(&'static str, &'static str)> {
    let minutes = res.contains("RunMinutes") || res.contains("RunMins");
    let base = res
        .trim_end_matches("RunMinutes")
        .trim_end_matches("Minutes")
        .trim_end_matches("RunMins")
        .trim_end_matches("Mins");
    let running = if minutes { "running (in their remaining time)" } else { "running" };
    let what = match base.to_ascii_lowercase().as_str() {
        "cpu" | "cpus" if res.contains("Min") => "CPU minutes",
        "cpu" | "cpus" => "CPUs",
        "gres" if res.contains("Min") => "GPU (GRES) minutes",
        "gres" => "GPUs (GRES)",
        "mem" | "memory" if res.contains("Min") => "memory minutes",
        "mem" | "memory" => "memory",
        "node" | "nodes" if res.contains("Min") => "node minutes",
        "node" | "nodes" => "nodes",
        "jobs" | "job" => "running jobs",
        "submitjob" | "submitjobs" | "submit" => "queued jobs",
        "wall" | "time" | "wallduration" => "run time",
        "billing" => "billing units",
        "bb" => "burst buffer",
        "energy" => "energy",
        "license" | "licenses" => "licenses",
        "unknown" => "a resource",
        _ => return None,
    };
    Some((what, running))
}

/// The one-cell form for a jobs table: the words, shortened.
pub fn short(code: &str) -> String {
    let r = explain(code);
    if r.words.starts_with("Slurm says") { r.code } else { r.words }
}

/// `squeue --start -h -j ID -o '%i|%T|%r|%S|%Y'`: the estimated start of a pending job
/// (`None` when Slurm has none yet: `N/A`), and the nodes it expects to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartEstimate {
    pub id: String,
    pub state: String,
    pub reason: String,
    pub start: Option<String>,
    pub nodes: Option<String>,
}

pub const START_FORMAT: &str = "%i|%T|%r|%S|%Y";

/// Rows of `squeue --start` in [`START_FORMAT`]; lines of another shape are skipped.
pub fn parse_start(text: &str) -> Vec<StartEstimate> {
    let some = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s != "N/A" && s != "(null)" && s != "Unknown").then(|| s.to_string())
    };
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            (f.len() == 5).then(|| StartEstimate {
                id: f[0].trim().into(),
                state: f[1].trim().into(),
                reason: f[2].trim().into(),
                start: some(f[3]),
                nodes: some(f[4]),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &str, expected: expect_test::Expect) {
        let r = explain(code);
        expected.assert_eq(&format!("{} | {}", r.words, r.advice));
    }

    #[test]
    fn reasons_in_words() {
        use expect_test::expect;
        check(
            "Resources",
            expect![
                "the resources it asks for are busy with other jobs | wait for them to free up (`clusterls why JOB` estimates when), or ask for fewer GPUs/CPUs/memory"
            ],
        );
        check(
            "(Priority)",
            expect![
                "jobs with a higher priority are ahead in the queue | wait; a shorter --time or fewer resources may let it start sooner (backfill)"
            ],
        );
        check(
            "QOSMaxGRESPerUser",
            expect![
                "all your running jobs together would exceed the QOS's limit on GPUs (GRES) | wait for your other jobs to finish, or cancel one"
            ],
        );
        check(
            "AssocGrpGRES",
            expect![
                "your account's group limit on GPUs (GRES) is reached by jobs already running | wait for those jobs (yours or your group's) to finish"
            ],
        );
        check(
            "AssocGrpCPURunMinutesLimit",
            expect![
                "your account's group limit on CPU minutes is reached by jobs already running (in their remaining time) | wait for those jobs (yours or your group's) to finish"
            ],
        );
        check(
            "AssocMaxWallDurationPerJobLimit",
            expect![
                "this one job would exceed your account's limit on run time | it will not start: cancel it and resubmit asking for less"
            ],
        );
        check(
            "QOSMaxMemoryPerJob",
            expect![
                "this one job would exceed the QOS's limit on memory | it will not start: cancel it and resubmit asking for less"
            ],
        );
        check(
            "MaxCpuPerAccount",
            expect![
                "all your account's jobs together would exceed the QOS's limit on CPUs | wait for jobs of your account to finish"
            ],
        );
        check(
            "AssocMaxJobsLimit",
            expect![
                "your account's limit on running jobs is reached | wait for your other jobs to finish, or ask for less"
            ],
        );
        check(
            "ReqNodeNotAvail, UnavailableNodes:node01",
            expect![
                "a node it needs is not available (down, drained or reserved) (node01) | wait for the node, or resubmit without --nodelist / in another partition"
            ],
        );
        check(
            "Dependency",
            expect![
                "it waits for a job it depends on to finish | wait; `squeue -j JOB -o %E` shows the dependency"
            ],
        );
        check(
            "JobArrayTaskLimit",
            expect![
                "the array already runs as many tasks at once as its %N limit allows | wait for tasks to finish, or raise the limit with `scontrol update JobId=JOB ArrayTaskThrottle=N`"
            ],
        );
        check(
            "PartitionTimeLimit",
            expect![
                "its --time is longer than the partition allows | it will not start: cancel it and resubmit with a shorter --time (see `clusterls facts`)"
            ],
        );
        check(
            "BeginTime",
            expect![
                "its earliest start time (--begin) has not come yet | wait, or `scontrol update JobId=JOB StartTime=now`"
            ],
        );
        check(
            "SomethingNew",
            expect!["Slurm says `SomethingNew` | see \"JOB REASON CODES\" in `man squeue`"],
        );
        check(
            "QOSGrpFooBar",
            expect!["Slurm says `QOSGrpFooBar` | see \"JOB REASON CODES\" in `man squeue`"],
        );
    }

    #[test]
    fn every_table_code_reads_as_itself() {
        for (code, words, _) in TABLE {
            assert_eq!(explain(code).words, *words, "{code}");
        }
    }

    #[test]
    fn start_estimates() {
        let rows = parse_start(
            "41|PENDING|Resources|2026-11-30T19:01:02|node01\n42|PENDING|Priority|N/A|(null)\nsqueue: error\n",
        );
        expect_test::expect![[r#"
            [
                StartEstimate {
                    id: "41",
                    state: "PENDING",
                    reason: "Resources",
                    start: Some(
                        "2026-11-30T19:01:02",
                    ),
                    nodes: Some(
                        "node01",
                    ),
                },
                StartEstimate {
                    id: "42",
                    state: "PENDING",
                    reason: "Priority",
                    start: None,
                    nodes: None,
                },
            ]
        "#]]
        .assert_debug_eq(&rows);
    }
}
