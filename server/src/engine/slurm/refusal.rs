//! Pure: why Slurm refused a request, in its own words, and what the user can do.

use serde::{Deserialize, Serialize};

/// Slurm's words when slurmctld did not answer a command
/// (`... error: Unable to contact slurm controller (connect failure)`), if it says so.
pub fn controller_unreachable(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| l.to_ascii_lowercase().contains("unable to contact slurm controller"))
        .map(str::to_string)
}

/// What went wrong when Slurm refused a request, in Slurm's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    Account,
    Partition,
    TimeLimit,
    Resources,
    InvalidOption,
    QosLimit,
    Other,
}

/// Classify sbatch/salloc/srun stderr. Returns the kind, Slurm's own message (its last
/// `error:` line) and what the user can do.
pub fn classify_refusal(stderr: &str) -> (RefusalKind, String, &'static str) {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let message = lines
        .iter()
        .rev()
        .find(|l| l.contains("error"))
        .or_else(|| lines.iter().find(|l| !l.starts_with("Try ")))
        .or(lines.last())
        .map(|l| l.to_string())
        .unwrap_or_else(|| "(Slurm printed nothing)".to_string());
    let all = stderr.to_ascii_lowercase();
    let (kind, hint) = if all.contains("invalid account") {
        (
            RefusalKind::Account,
            "use an account you belong to on that partition (`clusterls facts` lists your associations) with --account or in clusterls.toml",
        )
    } else if all.contains("invalid partition") {
        (RefusalKind::Partition, "choose a partition from `clusterls facts` with --partition")
    } else if all.contains("time limit") || all.contains("invalid --time") {
        (
            RefusalKind::TimeLimit,
            "ask for less time with --time (the partition's MaxTime is in `clusterls facts`)",
        )
    } else if all.contains("node configuration is not available")
        || all.contains("requested node configuration")
        || all.contains("more processors than permitted")
        || all.contains("memory specification")
    {
        (
            RefusalKind::Resources,
            "ask for fewer GPUs, CPUs or less memory than one node of the partition has (see `clusterls facts`)",
        )
    } else if all.contains("qos") {
        (
            RefusalKind::QosLimit,
            "the request exceeds your QOS limits; ask for less or use another QOS",
        )
    } else if all.contains("unrecognized option")
        || all.contains("invalid directive")
        || all.contains("invalid --")
    {
        (RefusalKind::InvalidOption, "fix the option Slurm names above")
    } else {
        (
            RefusalKind::Other,
            "read Slurm's message above; `clusterls facts` shows what the cluster offers",
        )
    };
    (kind, message, hint)
}
