//! Hostile input and faults against the real cluster and the real binary (issue 15):
//! a repository's values never reach a program as options, run directories are
//! private, a user's file never fakes clusterls's control files, a job is remembered
//! with the ssh config that reached it, and a locked job store loses no job.

mod engine_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use engine_common::*;

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A repository's `clusterls.toml` says `image_dir = "-delete"`, and the workspace
/// holds a directory named `-delete` (so `[ -d "$d" ]` passes): with `host = "local"`
/// the facts program ran `find -delete ...` in the workspace and deleted its files.
/// Now the value is refused when the file is read: a clear error, nothing deleted,
/// nothing run.
#[test]
fn an_image_dir_that_looks_like_an_option_deletes_nothing() {
    let p = Project::new("sec-delete");
    p.write("clusterls.toml", "host = \"local\"\nimage_dir = \"-delete\"\n");
    p.write("-delete/keep.txt", "keep");
    p.write("train.py", "print('hi')\n");
    let out = p.cmd_as("alice", &["facts", "--refresh"]).output().unwrap();
    let err = stderr(&out);
    eprintln!("{err}");
    assert!(!out.status.success());
    assert!(
        err.contains("clusterls.toml: image_dir: `-delete` starts with `-`, which a program would read as an option"),
        "{err}"
    );
    assert!(err.contains("Fix the file or move it away."), "{err}");
    for f in ["clusterls.toml", "-delete/keep.txt", "train.py"] {
        assert!(p.dir.join(f).exists(), "{f} was deleted");
    }
}

/// Image references are parsed by the OCI grammar before anything reaches the
/// cluster: `;`, `$`, a leading `-`, a digest that climbs out of the image directory.
#[test]
fn hostile_image_references_are_refused_before_anything_runs() {
    let p = Project::new("sec-image");
    let script = p.write("train.py", "print('hi')\n");
    for (image, why) in [
        ("docker://x@../../y", "the digest `../../y` is not ALGORITHM:HEX"),
        ("docker://x;touch MARKER", "contains whitespace"),
        ("docker://x$(id)", "may hold only lower-case letters"),
        ("docker://-x", "may hold only lower-case letters"),
        ("-x.sif", "must not start with `-`"),
    ] {
        let flag = format!("--image={image}");
        let out = p.run(&["run", &flag, script.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{image}: {}", stderr(&out));
        assert!(stderr(&out).contains(why), "{image}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{image}: nothing was submitted");
    }
    let jobs = p.run(&["jobs", "--json"]);
    assert_eq!(stdout(&jobs).trim(), "[]");
}

/// Run directories are 0700 and the files in them keep at most their own mode: a
/// 0600 script stays 0600, nothing becomes readable by other users of the cluster
/// (who could read the job's `--token=...` arguments from job.sbatch).
#[test]
fn run_directories_are_private() {
    let p = Project::new("sec-private");
    let script = p.write("src/train.py", "print('hi')\n");
    let tool = p.write("src/tool.sh", "#!/bin/sh\n");
    let data = p.write("src/data.txt", "data\n");
    set_mode(&script, 0o600);
    set_mode(&tool, 0o755);
    set_mode(&data, 0o644);
    let sync = p.dir.join("src");
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "cpu",
        "--sync",
        sync.to_str().unwrap(),
        "--follow",
        script.to_str().unwrap(),
        "--",
        "--token=secret",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = run_dir(&out);
    let modes = ssh(&["find", &dir, "-printf", "%m %P\\n"]);
    let mut lines: Vec<String> = stdout(&modes).lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "600 data.txt",
            "600 error.log",
            "600 output.log",
            "600 train.py",
            "700 ",
            "700 job.sbatch",
            "700 tool.sh"
        ],
        "{}",
        stderr(&modes)
    );
    let runs = ssh(&["stat", "-c", "%a", "/home/alice/.clusterls/runs"]);
    assert_eq!(stdout(&runs).trim(), "700");
}

/// A synced file named like a control file (`exit_code`, `cancelled`, and even a
/// `.clusterls/` of the user's) fakes nothing: the step fails with its own exit code.
#[test]
fn synced_files_named_like_control_files_fake_nothing() {
    let p = Project::new("sec-control");
    let script = p.write("work/fail.py", "import time\ntime.sleep(1)\nraise SystemExit(3)\n");
    p.write("work/exit_code", "0\n");
    p.write("work/cancelled", "");
    p.write("work/.clusterls/exit_code", "0\n");
    let out = p.run(&["alloc", "--partition", "test", "--time", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let alloc = stdout(&out).trim().to_string();
    let sync = p.dir.join("work");
    let out = p.run(&[
        "run",
        "--no-container",
        "--in-alloc",
        &alloc,
        "--sync",
        sync.to_str().unwrap(),
        "--follow",
        script.to_str().unwrap(),
    ]);
    // The state lines are on stderr (the job's output alone on stdout).
    let text = stderr(&out);
    let _ = p.run(&["cancel", &alloc]);
    assert!(text.contains(" FAILED exit 3"), "{text}\n{}", stdout(&out));
    assert!(!text.contains("CANCELLED") && !text.contains("COMPLETED"), "{text}");
    // The user's files arrived as they were; the control directory is clusterls's own.
    let dir = run_dir(&out);
    let user = ssh(&["cat", &format!("{dir}/exit_code"), &format!("{dir}/.clusterls/exit_code")]);
    assert_eq!(stdout(&user), "0\n3\n");
}

/// `logs ID` from another shell, without `--ssh-config` or `--host`: the job store
/// remembered both with the job.
#[test]
fn the_ssh_config_is_remembered_with_the_job() {
    let p = Project::new("sec-sshcfg");
    let script = p.write("hello.py", "print('hello from the job')\n");
    let out = p.run(&["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().trim_start_matches("job ").to_string();
    let out = std::process::Command::new(binary())
        .args(["logs", &id, "--follow"])
        .current_dir(&p.dir)
        .env("CLUSTERLS_STATE_DIR", &p.state)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("hello from the job"), "{}", stdout(&out));
}

/// The job store is locked by another connection (an exclusive transaction) from
/// before `run` until after it ends, longer than its retries: the job submitted is
/// not lost. Its id is printed, it is kept in the journal next to the store, and the
/// next clusterls imports it; there is one job on the cluster, not a retry's
/// duplicate.
#[test]
fn a_locked_store_loses_no_job() {
    let p = Project::new("sec-locked");
    assert!(p.run(&["jobs"]).status.success());
    let script = p.write("locked.py", "print('ran once')\n");
    let store = p.state.join("jobs.sqlite");
    let locker = rusqlite::Connection::open(&store).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let start = std::time::Instant::now();
    let out = p.run(&["run", "--no-container", "--partition", "cpu", script.to_str().unwrap()]);
    eprintln!("run with the store locked took {:.1?}", start.elapsed());
    let journal =
        std::fs::read_dir(p.state.join("jobs.sqlite.journal")).map(|d| d.count()).unwrap_or(0);
    locker.execute_batch("COMMIT").unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().trim_start_matches("job ").to_string();
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_digit()), "{}", stdout(&out));
    assert!(stderr(&out).contains("is locked: job"), "{}", stderr(&out));
    assert_eq!(journal, 1, "the job waited in the journal");
    // The next process imports it and follows it to its end.
    let out = p.run(&["logs", &id, "--follow"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ran once"), "{}", stdout(&out));
    let jobs = p.run(&["jobs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["id"], id.as_str());
    let left = std::fs::read_dir(p.state.join("jobs.sqlite.journal")).unwrap().count();
    assert_eq!(left, 0, "the journal is emptied once imported");
}
