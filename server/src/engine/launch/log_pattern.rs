//! Pure: Slurm's output/error file name patterns (`--output=logs/%x-%A_%a.out`), expanded
//! the way slurmstepd expands them for a batch script, so that `logs`, `--follow` and the
//! editor open the files a job really writes.
//!
//! Facts (sbatch(1) "filename pattern", Slurm `expand_stdio_fields`), re-implemented:
//! - a `\` anywhere turns expansion off for the whole name; the backslashes are dropped;
//! - `%%` is `%`; `%A` the array's master job id (the job id outside an array); `%a` the
//!   array index (4294967294, Slurm's NO_VAL, outside an array); `%b` the index modulo 10;
//!   `%j` the job id; `%J` `jobid` for the batch step (`jobid.step` otherwise); `%s`
//!   `batch` for the batch step; `%N` the first node's short name; `%n` and `%t` 0 for the
//!   batch script; `%u` the user; `%x` the job name; `%r` the restart count;
//! - digits between `%` and the letter zero-pad numbers to that width (at most 10) and
//!   are ignored for names (`%5N`); an unknown letter stays as written (`%q` → `%q`);
//! - a relative name is relative to the job's working directory (the submit directory,
//!   or `--chdir`).
//!
//! The engine calls [`LogNames::of`] with the script's directives (or the CLI's), then
//! [`expand`] once the job id (and, for an array task, its ids) and the first node are
//! known: `expand(&names.output, &JobIds { .. }, work_dir)`.

/// What the patterns refer to. `first_node` is `None` before the job starts: a pattern
/// with `%N` cannot be expanded yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobIds<'a> {
    pub job_id: u64,
    /// `Some((array_job_id, task_id))` for an array task.
    pub array: Option<(u64, u64)>,
    pub user: &'a str,
    pub job_name: &'a str,
    pub first_node: Option<&'a str>,
    pub restart_count: u32,
}

/// Slurm's NO_VAL, which `%a` becomes outside an array.
pub const NO_VAL: u64 = 0xffff_fffe;

/// The output and error patterns of a batch job, Slurm's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogNames {
    pub output: String,
    /// `None`: standard error goes to the output file.
    pub error: Option<String>,
}

impl LogNames {
    /// From the effective `--output`, `--error` and whether the job is an array: without
    /// `--output` Slurm writes `slurm-%j.out` (`slurm-%A_%a.out` for arrays).
    pub fn of(output: Option<&str>, error: Option<&str>, is_array: bool) -> LogNames {
        let default = if is_array { "slurm-%A_%a.out" } else { "slurm-%j.out" };
        LogNames { output: output.unwrap_or(default).to_string(), error: error.map(str::to_string) }
    }
}

/// The file `pattern` names for this job, joined to `work_dir` when relative.
/// `Err` names what is not known yet (`%N` before the job has a node).
pub fn expand(pattern: &str, job: &JobIds, work_dir: &str) -> Result<String, String> {
    let mut out = String::new();
    if !pattern.starts_with('/') && !work_dir.is_empty() {
        out.push_str(work_dir);
        if !work_dir.ends_with('/') {
            out.push('/');
        }
    }
    if pattern.contains('\\') {
        out.extend(pattern.chars().filter(|c| *c != '\\'));
        return Ok(out);
    }
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let Some(letter) = chars.next() else {
            // A trailing `%` vanishes; `%5` at the end stays.
            if !digits.is_empty() {
                out.push('%');
                out.push_str(&digits);
            }
            break;
        };
        if letter == '%' && digits.is_empty() {
            out.push('%');
            continue;
        }
        let width = digits.parse::<usize>().map(|w| w.min(10)).unwrap_or(0);
        let num = |n: u64| format!("{n:0width$}");
        let task = job.array.map(|(_, t)| t).unwrap_or(NO_VAL);
        let text = match letter {
            'A' => num(job.array.map(|(a, _)| a).unwrap_or(job.job_id)),
            'a' => num(task),
            'b' => num(task % 10),
            'j' | 'J' => num(job.job_id),
            's' => "batch".to_string(),
            'n' | 't' => num(0),
            'r' => num(job.restart_count.into()),
            'N' => match job.first_node {
                Some(n) => n.to_string(),
                None => return Err(format!("`{pattern}` names the node (%N), not known yet")),
            },
            'u' => job.user.to_string(),
            'x' => job.job_name.to_string(),
            other => format!("%{digits}{other}"),
        };
        out.push_str(&text);
    }
    Ok(out)
}

/// The job's working directory: `--chdir` (relative to the submit directory) or the
/// submit directory.
pub fn work_dir(submit_dir: &str, chdir: Option<&str>) -> String {
    match chdir {
        Some(d) if d.starts_with('/') => d.to_string(),
        Some(d) => format!("{}/{d}", submit_dir.trim_end_matches('/')),
        None => submit_dir.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(pattern: &str, array: Option<(u64, u64)>, expect: Expect) {
        let job = JobIds {
            job_id: 359,
            array,
            user: "alice",
            job_name: "my job",
            first_node: Some("node02"),
            restart_count: 0,
        };
        let actual = match expand(pattern, &job, "/home/alice/run 1") {
            Ok(s) => s,
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn every_letter() {
        check("slurm-%j.out", None, expect!["/home/alice/run 1/slurm-359.out"]);
        check("/abs/%x-%u-%N.log", None, expect!["/abs/my job-alice-node02.log"]);
        check("%J.%s.%n.%t.%r", None, expect!["/home/alice/run 1/359.batch.0.0.0"]);
        check("%A_%a", None, expect!["/home/alice/run 1/359_4294967294"]);
        check("%A_%a_%b", Some((350, 7)), expect!["/home/alice/run 1/350_7_7"]);
        check("%A_%a_%b", Some((350, 13)), expect!["/home/alice/run 1/350_13_3"]);
        check("100%%_%q_%", None, expect!["/home/alice/run 1/100%_%q_"]);
    }

    #[test]
    fn padding() {
        check("%3a", Some((350, 7)), expect!["/home/alice/run 1/007"]);
        check("%8j %5N %4x", None, expect!["/home/alice/run 1/00000359 node02 my job"]);
        check("%12j", None, expect!["/home/alice/run 1/0000000359"]);
        check("%3q %5", None, expect!["/home/alice/run 1/%3q %5"]);
    }

    #[test]
    fn backslash_turns_expansion_off() {
        check("out\\%j.log", None, expect!["/home/alice/run 1/out%j.log"]);
    }

    #[test]
    fn unknown_node_and_dirs() {
        let job = JobIds { job_id: 1, ..Default::default() };
        expect![[r#"Err("`o-%N` names the node (%N), not known yet")"#]]
            .assert_eq(&format!("{:?}", expand("o-%N", &job, "/w")));
        assert_eq!(work_dir("/home/a/run/", Some("sub dir")), "/home/a/run/sub dir");
        assert_eq!(work_dir("/home/a/run", Some("/scratch")), "/scratch");
        assert_eq!(work_dir("/home/a/run", None), "/home/a/run");
        assert_eq!(LogNames::of(None, None, true).output, "slurm-%A_%a.out");
        assert_eq!(
            LogNames::of(None, Some("e"), false),
            LogNames { output: "slurm-%j.out".into(), error: Some("e".into()) }
        );
    }
}
