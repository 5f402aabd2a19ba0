//! `clusterls run` for what researchers run, through ssh on the local cluster: a shell
//! script runs with bash in the container, a shebang is honoured (issue 10).

mod engine_common;

use engine_common::{Project, cluster, stderr, stdout};

/// `clusterls run --image IMAGE --partition test --follow SCRIPT ARGS`: (exit code, stdout, stderr).
fn run_followed(p: &Project, extra: &[&str], script: &str, args: &[&str]) -> (i32, String, String) {
    let c = cluster();
    let mut argv = vec!["run", "--image", &c.image, "--partition", "test", "--follow"];
    argv.extend(extra);
    argv.push(script);
    if !args.is_empty() {
        argv.push("--");
        argv.extend(args);
    }
    let out = p.run(&argv);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn a_shell_script_runs_with_bash_and_a_shebang_is_honoured() {
    let Some(p) = Project::new("kinds") else { return };
    let pulled = p.run(&["pull", &cluster().image]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    // No shebang, .sh: bash (BASH_VERSION is set only under bash), inside the container.
    let sh = p.write(
        "my job.sh",
        "echo \"bash=${BASH_VERSION:+yes} args=$*\"\npython3 -c 'print(\"python in image\")'\n",
    );
    let (code, out, err) = run_followed(&p, &[], sh.to_str().unwrap(), &["a b", "$(x)"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "bash=yes args=a b $(x)\npython in image\n", "{err}");
    // No extension, a Python shebang: the shebang's interpreter.
    let tool =
        p.write("tool", "#!/usr/bin/env python3\nimport sys\nprint('shebang', sys.argv[1:])\n");
    let (code, out, err) = run_followed(&p, &[], tool.to_str().unwrap(), &["x"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "shebang ['x']\n", "{err}");
    // Neither: refused before anything is uploaded, saying what to add.
    let bad = p.write("notes.txt", "echo hi\n");
    let (code, _, err) = run_followed(&p, &[], bad.to_str().unwrap(), &[]);
    assert_ne!(code, 0);
    assert!(err.contains("Add a first line such as `#!/bin/bash`"), "{err}");
}

/// An sbatch script with its own directives, output pattern and an `srun` line is
/// submitted as written: it completes, `--follow` and `logs` show its own log file; a
/// flag overrides a directive; a wrong partition is refused before anything is uploaded.
#[test]
fn an_sbatch_script_is_submitted_as_written() {
    let Some(p) = Project::new("as-written") else { return };
    let script = p.write(
        "train job.sbatch",
        "#!/bin/bash\n#SBATCH --job-name=aw\n#SBATCH --partition=cpu\n#SBATCH --time=5\n\
         #SBATCH --output=logs/%x-%j.out\n#SBATCH --error=logs/%x-%j.err\n\
         echo \"name=$SLURM_JOB_NAME partition=$SLURM_JOB_PARTITION\"\n\
         srun hostname >/dev/null && echo step ok\necho to-stderr >&2\n",
    );
    let script = script.to_str().unwrap();
    // --partition test overrides the script's cpu.
    let out = p.run(&["run", "--partition", "test", "--follow", script]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(text, "name=aw partition=test\nstep ok\n", "{err}");
    assert!(err.contains("to-stderr"), "{err}");
    let id = err.lines().next().unwrap().trim_start_matches("job ").to_string();
    // The file Slurm wrote, by its pattern, in the run directory; `logs` shows it.
    let dir = engine_common::run_dir(&out);
    let file = format!("{dir}/logs/aw-{id}.out");
    let c = cluster();
    assert_eq!(c.ssh_ok(&["cat", &file]), text);
    let logs = p.run(&["logs", &id]);
    assert!(logs.status.success(), "{}", stderr(&logs));
    assert_eq!(stdout(&logs), text);
    // The copy says where each value came from.
    let copy = c.ssh_ok(&["cat", &format!("{dir}/job.sbatch")]);
    assert!(
        copy.contains("--partition=test   from the command line (the script says cpu)"),
        "{copy}"
    );
    // A partition the cluster does not have: refused with the finding, nothing uploaded.
    let bad = p.write("bad.sbatch", "#!/bin/bash\n#SBATCH --partition=nosuchpart\nhostname\n");
    let runs_before = c.ssh_ok(&["ls", ".clusterls/runs"]);
    let out = p.run(&["run", bad.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.sbatch:2: error[") && err.contains("nosuchpart"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(c.ssh_ok(&["ls", ".clusterls/runs"]), runs_before, "nothing uploaded");
}
