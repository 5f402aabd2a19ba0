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
//! - `%b` exists from Slurm 24.05.5, `%r` and `%S` (SLUID) from 26.05: older releases
//!   keep them as written (measured on 22.05.8: `%b` stays `%b`);
//! - digits between `%` and the letter zero-pad numbers to that width (at most 10) and
//!   are ignored for names (`%5N`); an unknown letter stays as written (`%q` → `%q`);
//! - a relative name is relative to the job's working directory (the submit directory,
//!   or `--chdir`).
//!
//! The engine calls [`LogNames::of`] with the script's directives (or the CLI's), then
//! [`expand`] once the job id (and, for an array task, its ids) and the first node are
//! known: `expand(&names.output, &JobIds { .. }, work_dir)`; [`log_files`] does so for a
//! job record (`logs` of a script submitted as written).

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
    /// `(22, 5, 8)`; `None`: the newest release.
    pub slurm_version: Option<(u32, u32, u32)>,
}

/// `22.05.8` → `(22, 5, 8)`, as facts report Slurm's version.
pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split(['.', '-']).map(|p| p.parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
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
/// `job.job_id` is the job's own id (`SLURM_JOB_ID`): an array task has its own, which
/// is not `array_job_id + index` (measured: tasks 11 and 12 of array 389 were jobs 391
/// and 389). `Err` names what is not known (`%N` before the job has a node).
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
        let version = job.slurm_version.unwrap_or((u32::MAX, 0, 0));
        let known = match letter {
            'b' => version >= (24, 5, 5),
            'r' | 'S' => version >= (26, 5, 0),
            _ => true,
        };
        let text = match letter {
            _ if !known => format!("%{digits}{letter}"),
            'S' => return Err(format!("`{pattern}` names the job's SLUID (%S), not known here")),
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

/// What [`log_files`] reads of a job's record.
#[derive(Debug, Clone, Copy)]
pub struct LoggedJob<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub nodes: Option<&'a str>,
    /// The stored `--output` pattern, absolute.
    pub log_out: &'a str,
    pub log_err: Option<&'a str>,
    /// A job array task's own job id (what `%j` names), when known; `id` is then
    /// `ARRAY_TASK`.
    pub task_job_id: Option<u64>,
}

/// The output and error files of `rec` (a script submitted as written) for the logs
/// program: its stored patterns resolved with Slurm's rules; an empty error file when
/// standard error goes to the output file. `user` is the cluster user (from the facts).
pub fn log_files(
    rec: &LoggedJob,
    user: &str,
    slurm_version: Option<&str>,
) -> Result<(String, String), String> {
    let (job, array) = match rec.id.split_once('_') {
        Some((a, t)) => (a, t.parse::<u64>().ok()),
        None => (rec.id, None),
    };
    let array_id: u64 = job.parse().map_err(|_| format!("job {} has no numeric id", rec.id))?;
    // A task's own job id is not the array's (measured: task 2 of array 5850 was job
    // 5850, tasks 0 and 1 jobs 5851 and 5852); until the tracker saw it, `%j` is unknown.
    let job_id = match (array, rec.task_job_id) {
        (Some(_), Some(own)) => own,
        (Some(t), None)
            if rec.log_out.contains("%j") || rec.log_err.is_some_and(|e| e.contains("%j")) =>
        {
            return Err(format!(
                "task {t} of job {job} has not started yet, and its output file is named by its \
                 own job id (%j); try again once it runs"
            ));
        }
        _ => array_id,
    };
    let first_node = rec.nodes.map(first_node);
    let ids = JobIds {
        job_id,
        array: array.map(|t| (array_id, t)),
        user,
        job_name: rec.name,
        first_node: first_node.as_deref(),
        restart_count: 0,
        slurm_version: slurm_version.and_then(parse_version),
    };
    let expand = |p: &str| {
        expand(p, &ids, "").map_err(|e| {
            format!("cannot tell which file job {} writes: {e}; look in {p} on the cluster", rec.id)
        })
    };
    let out = expand(rec.log_out)?;
    let err = match rec.log_err {
        Some(p) => expand(p)?,
        None => String::new(),
    };
    Ok((out, err))
}

/// The first node of a Slurm node list: `node[02-03],gpu1` → `node02`.
pub fn first_node(list: &str) -> String {
    let head = list.split(',').next().unwrap_or(list);
    match head.split_once('[') {
        Some((prefix, range)) => {
            let first = range.split(['-', ',', ']']).next().unwrap_or("");
            format!("{prefix}{first}")
        }
        None => head.to_string(),
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
            slurm_version: None,
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

    /// File names Slurm 22.05.8 wrote on the test cluster for these scripts (the first
    /// with `sbatch --array=11-12`, and again with `--output=%A_%a.out`), read through our
    /// sbatch parser as the engine will (it removes one level of `\\`, as sbatch does).
    #[test]
    fn as_slurm_22_05_wrote_them() {
        let p = "#!/bin/bash\n#SBATCH -p multi -A lab_dev -t 2 -J pat\n#SBATCH --output=o-%x-%5j-%A_%3a-%b-%N-%n-%t-%u-%s-%J-%%-%q-%r-%12j-%5N\n#SBATCH --error=sub/e\\%j\necho hi\n";
        let q = "#!/bin/bash\n#SBATCH -p multi -A lab_dev -t 2 -J pat\n#SBATCH --error=sub/e\\\\%j-%x -o \"sub/o %j\"\necho hi\n";
        let value = |text: &str, opt: &str| {
            clusterls_sbatch::parse(text).last(opt).and_then(|d| d.value.clone()).unwrap()
        };
        let job = |job_id, array| JobIds {
            job_id,
            array,
            user: "alice",
            job_name: "pat",
            first_node: Some("node02"),
            restart_count: 0,
            slurm_version: parse_version("22.05.8"),
        };
        let recorded = [
            (
                job(391, Some((389, 11))),
                value(p, "output"),
                "o-pat-00391-389_011-%b-node02-0-0-alice-batch-391-%-%q-%r-0000000391-node02",
            ),
            (
                job(389, Some((389, 12))),
                value(p, "output"),
                "o-pat-00389-389_012-%b-node02-0-0-alice-batch-389-%-%q-%r-0000000389-node02",
            ),
            (job(391, Some((389, 11))), value(p, "error"), "sub/e391"),
            (job(390, None), "%A_%a.out".into(), "390_4294967294.out"),
            (job(422, None), value(q, "error"), "sub/e%j-%x"),
            (job(422, None), value(q, "output"), "sub/o 422"),
        ];
        for (ids, pattern, wrote) in recorded {
            assert_eq!(expand(&pattern, &ids, "").unwrap(), wrote, "{pattern}");
        }
        let old = JobIds { array: Some((1, 23)), ..job(1, None) };
        assert_eq!(expand("%b-%r", &old, ""), Ok("%b-%r".into()));
        let newest = JobIds { slurm_version: None, ..old };
        assert_eq!(expand("%b-%r", &newest, ""), Ok("3-0".into()));
        assert!(expand("%S", &newest, "").is_err());
        assert_eq!(expand("%S", &job(1, None), ""), Ok("%S".into()));
        assert_eq!(parse_version("25.05.0-1"), Some((25, 5, 0)));
        assert_eq!(parse_version("24.11"), Some((24, 11, 0)));
        assert_eq!(parse_version("x"), None);
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

    #[test]
    fn first_nodes() {
        for (list, first) in
            [("node02", "node02"), ("node[02-03]", "node02"), ("node[05,07],gpu1", "node05")]
        {
            assert_eq!(first_node(list), first, "{list}");
        }
    }

    #[test]
    fn logs_of_a_job_submitted_as_written() {
        let rec = |id: &'static str, out: &'static str, err: Option<&'static str>| LoggedJob {
            id,
            name: "aw",
            nodes: Some("node[02-03]"),
            log_out: out,
            log_err: err,
            task_job_id: None,
        };
        let r = rec("42", "/r/logs/%x-%j-%N.out", Some("/r/%u.err"));
        expect![[r#"Ok(("/r/logs/aw-42-node02.out", "/r/alice.err"))"#]]
            .assert_eq(&format!("{:?}", log_files(&r, "alice", Some("22.05.8"))));
        let r = rec("42_3", "/r/slurm-%A_%a.out", None);
        expect![[r#"Ok(("/r/slurm-42_3.out", ""))"#]]
            .assert_eq(&format!("{:?}", log_files(&r, "alice", None)));
        // A task's %j is its own job id, once known.
        let r = LoggedJob { task_job_id: Some(45), ..rec("42_3", "/r/%j-%A_%a.out", None) };
        expect![[r#"Ok(("/r/45-42_3.out", ""))"#]]
            .assert_eq(&format!("{:?}", log_files(&r, "alice", None)));
        let r = rec("42_3", "/r/%j.out", None);
        expect![[r#"Err("task 3 of job 42 has not started yet, and its output file is named by its own job id (%j); try again once it runs")"#]].assert_eq(&format!("{:?}", log_files(&r, "alice", None)));
    }
}
