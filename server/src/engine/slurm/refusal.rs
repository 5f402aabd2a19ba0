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

/// Which of the classifier's rows Slurm's refusal fell in (each has its own hint);
/// the tests name the row a recorded refusal reads as.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::slurm::parse_facts;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check_refusal(stderr: &str, expect: Expect) {
        let (kind, msg, _) = classify_refusal(stderr);
        expect.assert_eq(&format!("{kind:?}: {msg}"));
    }

    #[test]
    fn refusals() {
        check_refusal(
            "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n",
            expect![
                "Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified"
            ],
        );
        check_refusal(
            "sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n",
            expect![
                "Partition: sbatch: error: Batch job submission failed: Invalid partition name specified"
            ],
        );
        check_refusal(
            "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)\n",
            expect![
                "TimeLimit: sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)"
            ],
        );
        check_refusal(
            "sbatch: error: Batch job submission failed: Requested node configuration is not available\n",
            expect![
                "Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available"
            ],
        );
    }

    /// Every refusal recorded from the real sbatch 22.05.8 (tests/cluster/record-testdata).
    #[test]
    fn recorded_refusals() {
        let files = [
            ("bad-account", include_str!("../testdata/slurm/sbatch-bad-account.stderr.txt")),
            ("bad-partition", include_str!("../testdata/slurm/sbatch-bad-partition.stderr.txt")),
            ("bad-time-spec", include_str!("../testdata/slurm/sbatch-bad-time-spec.stderr.txt")),
            (
                "forbidden-account-partition",
                include_str!("../testdata/slurm/sbatch-forbidden-account-partition.stderr.txt"),
            ),
            (
                "invalid-directive",
                include_str!("../testdata/slurm/sbatch-invalid-directive.stderr.txt"),
            ),
            ("time-over-max", include_str!("../testdata/slurm/sbatch-time-over-max.stderr.txt")),
            ("too-many-gpus", include_str!("../testdata/slurm/sbatch-too-many-gpus.stderr.txt")),
            (
                "too-much-memory",
                include_str!("../testdata/slurm/sbatch-too-much-memory.stderr.txt"),
            ),
        ];
        let got: Vec<String> = files
            .iter()
            .map(|(name, text)| {
                let (kind, message, _) = classify_refusal(text);
                format!("{name}: {kind:?}: {message}")
            })
            .collect();
        expect![[r#"
            bad-account: Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
            bad-partition: Partition: sbatch: error: Batch job submission failed: Invalid partition name specified
            bad-time-spec: TimeLimit: sbatch: error: Invalid --time specification
            forbidden-account-partition: Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
            invalid-directive: InvalidOption: sbatch: unrecognized option '--no-such-option'
            time-over-max: TimeLimit: sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)
            too-many-gpus: Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available
            too-much-memory: Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available"#]].assert_eq(&got.join("\n"));
    }

    #[test]
    fn an_unreachable_controller_is_told_apart() {
        let down =
            include_str!("../testdata/slurm/scontrol-show-partition-controller-down.stderr.txt");
        let mut problems = Vec::new();
        let facts = parse_facts(&format!("@@clusterls partitions@@\n{down}"), &mut problems);
        assert!(facts.partitions.is_empty());
        expect![[r#"Some("partitions: unexpected line `slurm_load_partitions error: Unable to contact slurm controller (connect failure)`")"#]]
            .assert_eq(&format!("{:?}", problems.iter().find_map(|p| controller_unreachable(p))));
        let unknown = include_str!("../testdata/slurm/squeue-unknown-job.stderr.txt");
        assert_eq!(controller_unreachable(unknown), None);
    }
}
