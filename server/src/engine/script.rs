//! Pure: the readable sbatch script clusterls writes next to a run's output, and the
//! argv of the Slurm commands it runs.

use clusterls_core::facts::RuntimeKind;

use super::container::container_line;
// Re-exported where it lived before `resources` (engine/launch names it here).
pub use super::resources::Resources;
use super::shell;

/// Everything needed to write a run's sbatch script.
#[derive(Debug, Clone)]
pub struct JobScript<'a> {
    pub job_name: &'a str,
    pub resources: &'a Resources,
    pub runtime: Option<RuntimeKind>,
    /// Runtime executable path when known (`/usr/bin/ch-run`).
    pub runtime_path: Option<&'a str>,
    /// Image path on the cluster; `None` runs without a container.
    pub image: Option<&'a str>,
    pub binds: &'a [String],
    /// Interpreter, e.g. `python3`.
    pub interpreter: &'a str,
    /// The script's file name inside the run directory (may hold any character).
    pub script: &'a str,
    pub args: &'a [String],
    /// What the user ran, for the header comment.
    pub origin: &'a str,
}

/// The output and error file names inside the run directory.
pub const OUTPUT_FILE: &str = "output.log";
pub const ERROR_FILE: &str = "error.log";
pub const SBATCH_FILE: &str = "job.sbatch";
/// clusterls's own files inside a run directory (a step's `exit_code`, `cancelled`,
/// pids), apart from the user's: a synced file of the same name is only data. A
/// synced directory's own top-level `.clusterls` is never uploaded.
pub const CONTROL_DIR: &str = ".clusterls";

/// A relative path as a command's argument: `./`-prefixed, so that a file named
/// `-c.py` is never read as an option by the interpreter.
pub fn path_arg(p: &str) -> String {
    if p.starts_with('/') || p.starts_with("./") { p.to_string() } else { format!("./{p}") }
}

impl JobScript<'_> {
    pub fn render(&self) -> String {
        let mut s = String::from("#!/bin/bash\n");
        s.push_str(&format!("#SBATCH --job-name={}\n", shell::safe_name(self.job_name)));
        for opt in self.resources.slurm_options() {
            s.push_str(&format!("#SBATCH {opt}\n"));
        }
        s.push_str(&format!("#SBATCH --output={OUTPUT_FILE}\n#SBATCH --error={ERROR_FILE}\n"));
        s.push_str(&format!(
            "# Written by clusterls {} for {}.\n# Run it again from this directory with: sbatch {SBATCH_FILE}\n",
            crate::VERSION,
            self.origin.replace('\n', " ")
        ));
        // Slurm starts the job in the directory it was submitted from: the run directory.
        s.push_str("set -eo pipefail\n");
        s.push_str("echo \"clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\" >&2\n");
        let mut command = vec![self.interpreter.to_string(), path_arg(self.script)];
        command.extend(self.args.iter().cloned());
        let line = match (self.runtime, self.image) {
            (Some(kind), Some(image)) => container_line(
                kind,
                self.runtime_path,
                image,
                self.resources.gpus.unwrap_or(0) > 0,
                self.binds,
                &command,
            ),
            _ => shell::join(&command),
        };
        s.push_str("exec ");
        s.push_str(&line);
        s.push('\n');
        s
    }
}

/// `bash -c PROGRAM NAME ARGS...`: one of the fixed programs of
/// [`super::programs`], with user data only as further argv words.
pub fn bash(program: &str, name: &str, args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v = vec!["bash".to_string(), "-c".into(), program.to_string(), name.to_string()];
    v.extend(args);
    v
}

/// `salloc --no-shell` argv for an allocation that outlives the command.
pub fn salloc_argv(res: &Resources, job_name: &str) -> Vec<String> {
    let mut v = vec![
        "salloc".to_string(),
        "--no-shell".into(),
        format!("--job-name={}", shell::safe_name(job_name)),
    ];
    v.extend(res.slurm_options());
    v
}

/// The job id salloc reports on stderr: `salloc: Granted job allocation 42`.
pub fn parse_salloc_job_id(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        let rest = l.split("Granted job allocation ").nth(1)?;
        let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!id.is_empty()).then_some(id)
    })
}

/// `sbatch --parsable` prints `ID` or `ID;CLUSTER`.
pub fn parse_sbatch_job_id(stdout: &str) -> Option<String> {
    let line = stdout.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let id = line.split(';').next()?;
    id.chars().all(|c| c.is_ascii_digit()).then(|| id.to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(runtime: Option<RuntimeKind>, res: Resources, expect: Expect) {
        let args = vec!["--epochs".to_string(), "2 3".to_string()];
        let js = JobScript {
            job_name: "train it",
            resources: &res,
            runtime,
            runtime_path: None,
            image: Some("/home/alice/img/python_3.11.sif"),
            binds: &[],
            interpreter: "python3",
            script: "my $(touch MARKER); 'train'.py",
            args: &args,
            origin: "clusterls run my.py",
        };
        expect.assert_eq(&js.render().replace(crate::VERSION, "VERSION"));
    }

    #[test]
    fn charliecloud_gpu() {
        check(
            Some(RuntimeKind::Charliecloud),
            Resources {
                partition: Some("gpu".into()),
                account: Some("lab".into()),
                gpus: Some(1),
                time: Some("10".into()),
                ..Default::default()
            },
            expect![[r##"
                #!/bin/bash
                #SBATCH --job-name=train_it
                #SBATCH --partition=gpu
                #SBATCH --account=lab
                #SBATCH --gres=gpu:1
                #SBATCH --time=10
                #SBATCH --output=output.log
                #SBATCH --error=error.log
                # Written by clusterls VERSION for clusterls run my.py.
                # Run it again from this directory with: sbatch job.sbatch
                set -eo pipefail
                echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
                exec ch-run --home --set-env --env-no-expand -c "$PWD" /home/alice/img/python_3.11.sif -- python3 './my $(touch MARKER); '\''train'\''.py' --epochs '2 3'
            "##]],
        );
    }

    #[test]
    fn apptainer_and_singularity() {
        check(
            Some(RuntimeKind::Apptainer),
            Resources {
                gpus: Some(2),
                cpus: Some(4),
                mem: Some("16G".into()),
                ..Default::default()
            },
            expect![[r##"
                #!/bin/bash
                #SBATCH --job-name=train_it
                #SBATCH --gres=gpu:2
                #SBATCH --cpus-per-task=4
                #SBATCH --mem=16G
                #SBATCH --output=output.log
                #SBATCH --error=error.log
                # Written by clusterls VERSION for clusterls run my.py.
                # Run it again from this directory with: sbatch job.sbatch
                set -eo pipefail
                echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
                exec apptainer exec --nv --pwd "$PWD" /home/alice/img/python_3.11.sif python3 './my $(touch MARKER); '\''train'\''.py' --epochs '2 3'
            "##]],
        );
        check(
            Some(RuntimeKind::Singularity),
            Resources::default(),
            expect![[r##"
                #!/bin/bash
                #SBATCH --job-name=train_it
                #SBATCH --output=output.log
                #SBATCH --error=error.log
                # Written by clusterls VERSION for clusterls run my.py.
                # Run it again from this directory with: sbatch job.sbatch
                set -eo pipefail
                echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
                exec singularity exec --pwd "$PWD" /home/alice/img/python_3.11.sif python3 './my $(touch MARKER); '\''train'\''.py' --epochs '2 3'
            "##]],
        );
    }

    #[test]
    fn no_container() {
        check(
            None,
            Resources::default(),
            expect![[r##"
                #!/bin/bash
                #SBATCH --job-name=train_it
                #SBATCH --output=output.log
                #SBATCH --error=error.log
                # Written by clusterls VERSION for clusterls run my.py.
                # Run it again from this directory with: sbatch job.sbatch
                set -eo pipefail
                echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
                exec python3 './my $(touch MARKER); '\''train'\''.py' --epochs '2 3'
            "##]],
        );
    }

    #[test]
    fn validation_and_ids() {
        assert_eq!(parse_sbatch_job_id("42\n"), Some("42".into()));
        assert_eq!(parse_sbatch_job_id("42;cluster\n"), Some("42".into()));
        assert_eq!(parse_sbatch_job_id(""), None);
        assert_eq!(
            parse_salloc_job_id(
                "salloc: Pending job allocation 7\nsalloc: Granted job allocation 7\n"
            ),
            Some("7".into())
        );
        expect![[
            r#"["salloc", "--no-shell", "--job-name=dev", "--partition=gpu", "--gres=gpu:1"]"#
        ]]
        .assert_eq(&format!(
            "{:?}",
            salloc_argv(
                &Resources { partition: Some("gpu".into()), gpus: Some(1), ..Default::default() },
                "dev"
            )
        ));
    }
}
