//! Every finding code the sbatch checker emits, with a one-line description (SARIF rule
//! descriptions, documentation, "explain" in editors). A test keeps it complete.

/// `(code, description)`, sorted by code.
pub const CODES: &[(&str, &str)] = &[
    (
        "sbatch/abbreviated-option",
        "A long option abbreviated (works through getopt prefix matching, but fragile).",
    ),
    ("sbatch/account-partition", "The account may not submit to that partition."),
    ("sbatch/ambiguous-option", "An abbreviation that matches several options: sbatch refuses it."),
    ("sbatch/container-no-nv", "GPUs requested but apptainer/singularity runs without --nv."),
    ("sbatch/cpus-conflict", "--cpus-per-gpu together with --cpus-per-task."),
    ("sbatch/directive-after-command", "#SBATCH after the first command: sbatch ignores it."),
    ("sbatch/directive-case", "#sbatch in the wrong case: sbatch ignores it."),
    ("sbatch/dos-line-endings", "CRLF line endings: sbatch refuses the script."),
    ("sbatch/duplicate-option", "An option given twice: the last one wins."),
    ("sbatch/empty-script", "An empty script: sbatch refuses it."),
    (
        "sbatch/filename-pattern",
        "An unknown %-pattern, or %a/%A outside a job array, in an output file name.",
    ),
    ("sbatch/gpu-conflict", "GPU requests that disagree (--gres vs --gpus-per-node vs --gpus)."),
    ("sbatch/gpu-type", "A GPU type the partition does not have."),
    (
        "sbatch/gpus-per-task-without-tasks",
        "--gpus-per-task without --ntasks or --gpus: sbatch refuses it.",
    ),
    ("sbatch/hetjob-array", "A heterogeneous job that is also a job array: sbatch refuses it."),
    ("sbatch/image-not-found", "A .sif image that is not among the cluster's images."),
    ("sbatch/indented-directive", "An indented #SBATCH: sbatch ignores it."),
    ("sbatch/invalid-array", "A malformed --array index expression."),
    ("sbatch/invalid-begin", "A --begin/--deadline time sbatch cannot parse."),
    ("sbatch/invalid-choice", "A value that is not one of the option's choices."),
    ("sbatch/invalid-constraint", "A malformed --constraint/--prefer feature expression."),
    ("sbatch/invalid-dependency", "A malformed --dependency list."),
    ("sbatch/invalid-export", "An --export entry that is not a variable name."),
    ("sbatch/invalid-gpus", "A malformed [type:]count GPU request."),
    ("sbatch/invalid-gres", "A malformed --gres, or a GRES the cluster does not have."),
    ("sbatch/invalid-mail-type", "A --mail-type that is not a mail event."),
    ("sbatch/invalid-memory", "A memory size sbatch cannot parse."),
    ("sbatch/invalid-node-count", "A malformed or impossible --nodes value."),
    ("sbatch/invalid-number", "A value that must be a whole number."),
    ("sbatch/invalid-signal", "A malformed --signal value."),
    ("sbatch/invalid-time", "A time limit in none of Slurm's forms."),
    (
        "sbatch/invalid-value",
        "A value sbatch rejects (distribution, cpu-freq, gpu-bind, -B, empty list items).",
    ),
    ("sbatch/leading-colon", "A directive word starting with `:`: sbatch aborts."),
    (
        "sbatch/mem-conflict",
        "--mem, --mem-per-cpu and --mem-per-gpu together: sbatch refuses the script.",
    ),
    ("sbatch/missing-value", "An option without its required value."),
    ("sbatch/no-gpus-on-partition", "GPUs requested on a partition without GPUs."),
    ("sbatch/no-nodes-left", "--exclude removes every node of the partition."),
    ("sbatch/no-shebang", "The first line is not #!interpreter: sbatch refuses the script."),
    ("sbatch/not-in-script", "An option that only makes sense on the command line."),
    ("sbatch/nul-byte", "A NUL byte in the script: sbatch refuses it."),
    ("sbatch/option-version", "An option the cluster's Slurm release does not have."),
    ("sbatch/partition-down", "The partition is DOWN, DRAINED or INACTIVE."),
    (
        "sbatch/partition-list",
        "A list of partitions with per-partition associations: Slurm refuses it.",
    ),
    ("sbatch/per-gpu-without-gpus", "A per-GPU option without a GPU request."),
    ("sbatch/pull-in-gpu-job", "Pulling or building an image inside a GPU job."),
    ("sbatch/qos-not-allowed", "A QOS the account's association does not allow."),
    ("sbatch/root-only", "An option only root may use."),
    (
        "sbatch/shell-variable",
        "A shell variable, command substitution or ~ in a directive: taken literally.",
    ),
    ("sbatch/slurm-magic", "#SLURM instead of #SBATCH."),
    ("sbatch/spaced-directive", "`# SBATCH` with a space: sbatch ignores it."),
    (
        "sbatch/stray-word",
        "A word that is not an option (\"Invalid directive found in batch script\").",
    ),
    ("sbatch/task-layout", "Task, node and tasks-per-node counts that do not fit together."),
    ("sbatch/time-min-over-time", "--time-min longer than --time."),
    ("sbatch/time-minutes-seconds", "A time like 1:30, which means minutes:seconds."),
    ("sbatch/time-over-limit", "A time limit over the partition's MaxTime."),
    ("sbatch/too-many-cpus", "More CPUs per node than the partition's nodes have."),
    ("sbatch/too-many-gpus", "More GPUs than the partition's nodes have."),
    ("sbatch/too-many-nodes", "More nodes than the partition has."),
    ("sbatch/too-much-memory", "More memory per node than the partition's nodes have."),
    ("sbatch/unexpected-value", "A value for an option that takes none."),
    ("sbatch/unknown-account", "An account the user does not have."),
    ("sbatch/unknown-feature", "A node feature no node of the partition has."),
    ("sbatch/unknown-node", "A node name the cluster does not have."),
    ("sbatch/unknown-option", "An option sbatch does not have."),
    ("sbatch/unknown-partition", "A partition the cluster does not have."),
    ("sbatch/unknown-qos", "A QOS the cluster does not have."),
    ("sbatch/unknown-reservation", "A reservation the cluster does not have."),
    ("sbatch/unmatched-quote", "An unclosed quote in a directive: sbatch aborts."),
];

/// The description of `code`, if it is one of this checker's.
pub fn describe(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"sbatch/..."` literal in the checker's sources is listed, and nothing else.
    #[test]
    fn codes_are_complete_and_sorted() {
        let sources = [include_str!("checks.rs")];
        let mut used: Vec<String> = Vec::new();
        for src in sources {
            for (i, _) in src.match_indices("\"sbatch/") {
                let rest = &src[i + 1..];
                let end = rest.find('"').unwrap();
                used.push(rest[..end].to_string());
            }
        }
        used.sort();
        used.dedup();
        let listed: Vec<String> = CODES.iter().map(|(c, _)| c.to_string()).collect();
        assert_eq!(used, listed);
    }
}
