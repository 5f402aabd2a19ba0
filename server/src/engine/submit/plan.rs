//! Pure: planning a run. The script's name, the image a run uses, the run directory's
//! name, the job script, the remote program that submits it (a batch job, or a step in
//! an allocation), and what that program's exit means ([`SubmitExit`], typed instead
//! of bare exit codes). Multi-node runs and arrays plan here: they change the job
//! script and the Slurm options, not the round trip.

use std::path::Path;

use clusterls_core::facts::RuntimeKind;
use clusterls_core::{Finding, Severity};

use super::super::error::EngineError;
use super::super::launch::distributed::{self, Layout};
use super::super::launch::interpreter::{self, Interpreter};
use super::super::programs;
use super::super::resources::Resources;
use super::super::script::{self, bash};
use super::super::shell;

/// The script's file name, which names the job and stays its name in the run directory.
pub fn script_name(script: &Path) -> Result<String, EngineError> {
    let name = script
        .file_name()
        .ok_or_else(|| EngineError::Usage(format!("{} is not a file", script.display())))?;
    let name = name
        .to_str()
        .ok_or_else(|| EngineError::Usage(format!("{} is not valid UTF-8", script.display())))?;
    Ok(name.to_string())
}

/// The image a run uses: none with `--no-container`, else the flag's, else the config's.
pub fn image(flag: Option<&str>, no_container: bool, config: Option<&str>) -> Option<String> {
    if no_container { None } else { flag.or(config).map(str::to_string) }
}

/// `20261129-155012-0123456789ab-train`: UTC time of `now` (unix seconds), 48 random
/// bits (`token`), and the script's safe name. Sortable; the cluster refuses a name
/// that exists rather than reuse it.
pub fn run_name(secs: u64, token: u64, script_name: &str) -> String {
    let (y, m, d) = civil_from_days((secs / 86400) as i64);
    let s = secs % 86400;
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{:012x}-{}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        token & 0xffff_ffff_ffff,
        shell::safe_name(script_name.trim_end_matches(".py"))
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Everything a run's job script is written from.
pub struct Run<'a> {
    pub script_name: &'a str,
    /// The script's path inside the run directory.
    pub script_in_run: &'a str,
    pub args: &'a [String],
    pub resources: &'a Resources,
    /// The runtime and what the container line names the image by; None: no container.
    pub image: Option<(RuntimeKind, &'a str)>,
    /// How the script is started, from [`interpreter::interpreter_for`].
    pub interpreter: &'a Interpreter,
    pub layout: &'a Layout,
    /// A checked `--array` spec.
    pub array: Option<&'a str>,
    pub binds: &'a [String],
}

impl Run<'_> {
    /// The job.sbatch (on one node: what `script::JobScript` writes, with the
    /// interpreter chosen from the file).
    pub fn job_script(&self) -> Result<String, EngineError> {
        let command =
            distributed::task_command(self.layout, self.interpreter, self.script_in_run, self.args)
                .map_err(EngineError::Usage)?;
        Ok(distributed::render(&distributed::Job {
            job_name: self.script_name,
            resources: self.resources,
            layout: self.layout,
            array: self.array,
            runtime: self.image.map(|i| i.0),
            runtime_path: None,
            image: self.image.map(|i| i.1),
            binds: self.binds,
            command: &command,
            origin: &format!("clusterls run {}", self.script_name),
        }))
    }
}

/// The interpreter for a script, from its name and first line (its first
/// [`interpreter::SHEBANG_LIMIT`] bytes), with the configured Python for `.py`.
pub fn interpreter(
    script_name: &str,
    bytes: &[u8],
    python: &str,
) -> Result<Interpreter, EngineError> {
    let head = &bytes[..bytes.len().min(interpreter::SHEBANG_LIMIT)];
    let first = String::from_utf8_lossy(head);
    interpreter::interpreter_for(script_name, &first, python).map_err(EngineError::Usage)
}

/// The sbatch checker's error findings that refuse a script submitted as written, as
/// the error to show (`file:LINE: error[code]: message`, one each); findings inside
/// `overridden` (directives a flag replaces) do not apply. None: nothing refuses it.
pub fn refusal(
    file_name: &str,
    text: &str,
    findings: &[Finding],
    overridden: &[std::ops::Range<usize>],
) -> Option<EngineError> {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| !overridden.iter().any(|o| o.start <= f.range.start && f.range.end <= o.end))
        .map(|f| {
            let line = text[..f.range.start.min(text.len())].matches('\n').count() + 1;
            format!("{file_name}:{line}: error[{}]: {}", f.code, f.message)
        })
        .collect();
    (!errors.is_empty()).then(|| EngineError::ScriptErrors { file: file_name.into(), errors })
}

/// `[--] RUN_NAME "" N DIRS.. SBATCH_ARGS..` for [`programs::AS_WRITTEN_PROGRAM`].
pub fn as_written_argv(run_name: &str, log_dirs: &[String], sbatch_argv: &[String]) -> Vec<String> {
    let mut words = vec![run_name.to_string(), String::new(), log_dirs.len().to_string()];
    words.extend(log_dirs.iter().cloned());
    words.extend(sbatch_argv.iter().cloned());
    bash(programs::AS_WRITTEN_PROGRAM, "clusterls-run", words)
}

/// A log pattern of a script submitted as written, made absolute against the job's
/// working directory (`%` patterns kept: they are resolved when the log is read).
pub fn stored_log(pattern: &str, work_dir: &str) -> String {
    if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        format!("{}/{pattern}", work_dir.trim_end_matches('/'))
    }
}

/// The remote command that unpacks the upload on its stdin and submits: a batch job,
/// or a step inside allocation `in_alloc`. `image_check` is the image path checked on
/// the cluster first (empty: none).
pub fn submit_argv(
    in_alloc: Option<&str>,
    run_name: &str,
    image_check: &str,
) -> Result<Vec<String>, EngineError> {
    let (run, image) = (run_name.to_string(), image_check.to_string());
    Ok(match in_alloc {
        None => bash(programs::RUN_PROGRAM, "clusterls-run", [run, image]),
        Some(alloc) => {
            super::super::sessions::plan::check_job_id(alloc, "--in-alloc")?;
            bash(programs::STEP_PROGRAM, "clusterls-step", [run, image, alloc.to_string()])
        }
    })
}

/// What the submit program's exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitExit {
    Submitted,
    /// [`programs::IMAGE_MISSING`]
    ImageMissing,
    /// [`programs::ALLOC_NOT_RUNNING`]
    AllocNotRunning,
    /// [`programs::EXISTS`]: the run directory could not be made new.
    DirExists,
    /// sbatch (or the shell before it) failed: Slurm's words are on stderr.
    Refused,
}

impl SubmitExit {
    pub fn from_status(status: i32) -> SubmitExit {
        match status {
            0 => SubmitExit::Submitted,
            programs::IMAGE_MISSING => SubmitExit::ImageMissing,
            programs::ALLOC_NOT_RUNNING => SubmitExit::AllocNotRunning,
            programs::EXISTS => SubmitExit::DirExists,
            _ => SubmitExit::Refused,
        }
    }
}

/// A submission the cluster accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The absolute run directory, when the program reported it.
    pub dir: Option<String>,
    /// Slurm's job id; for a step, `ALLOC/RUN-NAME`.
    pub id: String,
}

/// Read the submit program's result.
pub fn read_submit(
    host: &str,
    in_alloc: Option<&str>,
    run_name: &str,
    status: i32,
    stdout: &str,
    stderr: &str,
) -> Result<Submitted, EngineError> {
    let dir = stdout.lines().find_map(|l| l.strip_prefix("dir ")).map(str::to_string);
    let next = match SubmitExit::from_status(status) {
        SubmitExit::Submitted => None,
        SubmitExit::ImageMissing => {
            Some("Pull it with `clusterls pull docker://...`, or give --image a path that exists.")
        }
        SubmitExit::AllocNotRunning => Some("Make a new one with `clusterls alloc`."),
        SubmitExit::DirExists => Some("Nothing was submitted."),
        SubmitExit::Refused => {
            return Err(EngineError::refused("submission", stderr, ""));
        }
    };
    if let Some(next) = next {
        return Err(EngineError::Usage(format!("{}\n{next}", stderr.trim())));
    }
    let id = match in_alloc {
        Some(alloc) => format!("{alloc}/{run_name}"),
        None => script::parse_sbatch_job_id(stdout).ok_or_else(|| EngineError::Remote {
            host: host.into(),
            what: "sbatch --parsable".into(),
            status,
            stderr: format!("no job id in its output: {stdout:?} {stderr}"),
        })?,
    };
    Ok(Submitted { dir, id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[test]
    fn civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
    }

    #[test]
    fn names() {
        expect!["20261129-155012-0000000000ab-my_train"].assert_eq(&run_name(
            1_795_967_412,
            0xffff_0000_0000_00ab,
            "my train.py",
        ));
        assert_eq!(image(Some("a"), false, Some("b")), Some("a".into()));
        assert_eq!(image(None, false, Some("b")), Some("b".into()));
        assert_eq!(image(Some("a"), true, Some("b")), None);
        assert!(script_name(Path::new("/")).is_err());
    }

    /// Runs started in the same second by many processes get distinct names (before,
    /// a 4-digit hash of the second collided and `mkdir -p` reused the directory).
    #[test]
    fn run_names_never_repeat() {
        let names: std::collections::HashSet<String> = (0..1000)
            .map(|_| run_name(1_795_967_412, crate::engine::store::random_token(), "train.py"))
            .collect();
        assert_eq!(names.len(), 1000);
    }

    #[track_caller]
    fn check(in_alloc: Option<&str>, status: i32, stdout: &str, stderr: &str, expect: Expect) {
        let r = read_submit("h", in_alloc, "RUN", status, stdout, stderr);
        expect.assert_eq(&match r {
            Ok(s) => format!("{s:?}"),
            Err(e) => format!("error: {e}"),
        });
    }

    #[test]
    fn submit_results() {
        check(
            None,
            0,
            "dir /r/RUN\n42\n",
            "",
            expect![[r#"Submitted { dir: Some("/r/RUN"), id: "42" }"#]],
        );
        check(
            Some("7"),
            0,
            "dir /r/RUN\n",
            "",
            expect![[r#"Submitted { dir: Some("/r/RUN"), id: "7/RUN" }"#]],
        );
        check(
            None,
            programs::IMAGE_MISSING,
            "",
            "clusterls: the image /i/x.sif is not on the cluster\n",
            expect![[r#"
                error: clusterls: the image /i/x.sif is not on the cluster
                Pull it with `clusterls pull docker://...`, or give --image a path that exists."#]],
        );
        check(
            None,
            1,
            "dir /r/RUN\n",
            include_str!("../testdata/slurm/sbatch-controller-down.stderr.txt"),
            expect![[r#"
                error: Slurm's controller does not answer (sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)), so the submission was not done.
                Try again in a minute; if it lasts, ask the cluster's admins."#]],
        );
        check(
            None,
            programs::EXISTS,
            "",
            "clusterls: cannot make the run directory /r/RUN; an existing one is never reused. Run again.\n",
            expect![[r#"
                error: clusterls: cannot make the run directory /r/RUN; an existing one is never reused. Run again.
                Nothing was submitted."#]],
        );
        check(
            Some("7"),
            programs::ALLOC_NOT_RUNNING,
            "",
            "clusterls: allocation 7 is not running (squeue: )\n",
            expect![[r#"
                error: clusterls: allocation 7 is not running (squeue: )
                Make a new one with `clusterls alloc`."#]],
        );
        check(
            None,
            1,
            "dir /r/RUN\n",
            include_str!("../testdata/slurm/sbatch-bad-partition.stderr.txt"),
            expect![[r#"
                error: Slurm refused the submission: sbatch: error: Batch job submission failed: Invalid partition name specified
                choose a partition from `clusterls facts` with --partition"#]],
        );
        check(
            None,
            0,
            "dir /r/RUN\n",
            "",
            expect![[
                r#"error: `sbatch --parsable` failed on h (exit 0): no job id in its output: "dir /r/RUN\n" "#
            ]],
        );
    }

    #[test]
    fn argv() {
        let v = submit_argv(Some("12"), "RUN", "/i.sif").unwrap();
        assert_eq!(v[3..], ["clusterls-step", "RUN", "/i.sif", "12"]);
        let e = submit_argv(Some("12;x"), "RUN", "").unwrap_err();
        expect!["--in-alloc `12;x` is not a job id"].assert_eq(&e.to_string());
    }

    #[test]
    fn as_written_stored_logs_and_refusals() {
        assert_eq!(stored_log("logs/%j.out", "/r/x/"), "/r/x/logs/%j.out");
        assert_eq!(stored_log("/abs/%j.out", "/r"), "/abs/%j.out");
        let text = "#!/bin/bash\n#SBATCH --partition=nope\n";
        let f = Finding::new(20..35, Severity::Error, "unknown-partition", "no partition nope");
        let w = Finding::new(0..5, Severity::Warning, "w", "just a warning");
        expect![[r#"
            a.sbatch:2: error[unknown-partition]: no partition nope
            clusterls checked `a.sbatch` before submitting it and found 1 error(s); nothing was uploaded. Fix them (`clusterls check a.sbatch` shows them with fixes), override the directive with a flag, or submit anyway with --force."#]]
        .assert_eq(&refusal("a.sbatch", text, &[f.clone(), w.clone()], &[]).unwrap().to_string());
        assert!(refusal("a.sbatch", text, &[f, w], &[12..40, 0..0]).is_none(), "overridden");
        let v = as_written_argv("RUN", &["./logs".into()], &["--partition=test".into()]);
        assert_eq!(v[3..], ["clusterls-run", "RUN", "", "1", "./logs", "--partition=test"]);
    }
}
