//! The engine end to end through `--host local` against a fake Slurm (tiny shell
//! scripts on PATH that run the job at once): runs anywhere, no cluster needed. The
//! real cluster tests are in engine_cluster.rs.

mod engine_common;

use std::path::Path;
use std::process::{Command, Stdio};

use engine_common::binary;

const FAKE_SBATCH: &str = r#"#!/bin/sh
# Fake sbatch: run the job script now, as Slurm would later, in the submit directory.
for a in "$@"; do case $a in --account=nope) echo "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" >&2; exit 1;; esac; done
grep -q -- '--account=nope' job.sbatch && { echo "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" >&2; exit 1; }
for a in "$@"; do script=$a; done
SLURM_JOB_ID=42 CUDA_VISIBLE_DEVICES=0 bash "$script" > output.log 2> error.log
echo $? > "$FAKE_STATE/exit"
echo 42
"#;

const FAKE_SQUEUE: &str =
    "#!/bin/sh\necho \"$*\" >> \"$FAKE_STATE/squeue.calls\"\necho '42|COMPLETED|None|node1'\n";

const FAKE_SACCT: &str = "#!/bin/sh\necho \"42|job|$( [ \"$(cat \"$FAKE_STATE/exit\")\" = 0 ] && echo COMPLETED || echo FAILED)|$(cat \"$FAKE_STATE/exit\"):0|node1\"\n";

struct Fake {
    base: std::path::PathBuf,
}

impl Drop for Fake {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }
}

impl Fake {
    fn new(tag: &str) -> Fake {
        let base =
            std::env::temp_dir().join(format!("clusterls-fake-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        for d in ["bin", "home", "state", "project", "fake"] {
            std::fs::create_dir_all(base.join(d)).unwrap();
        }
        for (name, text) in
            [("sbatch", FAKE_SBATCH), ("squeue", FAKE_SQUEUE), ("sacct", FAKE_SACCT)]
        {
            let p = base.join("bin").join(name);
            std::fs::write(&p, text).unwrap();
            Command::new("chmod").arg("+x").arg(&p).status().unwrap();
        }
        Fake { base }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let path = format!(
            "{}:{}",
            self.base.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new(binary())
            .args(["--host", "local"])
            .args(args)
            .current_dir(self.base.join("project"))
            .env("PATH", path)
            .env("HOME", self.base.join("home"))
            .env("CLUSTERLS_STATE_DIR", self.base.join("state"))
            .env("FAKE_STATE", self.base.join("fake"))
            .env_remove("XDG_CONFIG_HOME")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        eprintln!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

fn no_marker_under(dir: &Path) {
    let out = Command::new("find").arg(dir).args(["-name", "MARKER"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "MARKER was created: something executed");
}

#[test]
fn hostile_names_and_args_arrive_intact_and_never_execute() {
    let f = Fake::new("hostile");
    let dir = f.base.join("project").join("d 'q' \"dq\" $(touch MARKER); `touch MARKER`\nnl ü");
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("s 'q' $(touch MARKER); `touch MARKER` ü.py");
    std::fs::write(&script, "import sys, os\nprint(repr(sys.argv[1:]))\nprint('CUDA_VISIBLE_DEVICES=' + os.environ['CUDA_VISIBLE_DEVICES'])\n")
        .unwrap();
    let arg = "$(touch MARKER); 'x' \"y\"\nz `touch MARKER`";
    let out = f.run(&[
        "run",
        "--no-container",
        "--follow",
        script.to_str().unwrap(),
        "--",
        arg,
        "--lr=0.1",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let expected = "job 42\njob 42 PENDING\njob 42 COMPLETED exit 0\n['$(touch MARKER); \\'x\\' \"y\"\\nz `touch MARKER`', '--lr=0.1']\nCUDA_VISIBLE_DEVICES=0\n";
    assert_eq!(text, expected);
    no_marker_under(&f.base);
    // The run directory keeps the script under its own name, the sbatch script and the logs.
    let runs: Vec<_> = std::fs::read_dir(f.base.join("home/.clusterls/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1);
    let mut files: Vec<String> = std::fs::read_dir(&runs[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    expect_test::expect![[
        r#"["error.log", "job.sbatch", "output.log", "s 'q' $(touch MARKER); `touch MARKER` ü.py"]"#
    ]]
    .assert_eq(&format!("{files:?}"));
    // ONE squeue call per poll, with every tracked job.
    let calls = std::fs::read_to_string(f.base.join("fake/squeue.calls")).unwrap();
    assert_eq!(calls.lines().next().unwrap(), "-h -j 42 -o %i|%T|%r|%N");
}

#[test]
fn failing_job_exit_code_and_refusal() {
    let f = Fake::new("fail");
    let script = f.base.join("project/fail.py");
    std::fs::write(&script, "import sys\nprint('bye')\nsys.exit(3)\n").unwrap();
    let out = f.run(&["run", "--no-container", "--follow", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("job 42 FAILED exit 3\nbye\n"));
    let out = f.run(&["run", "--no-container", "--account", "nope", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    expect_test::expect![[r#"
        clusterls: Slurm refused the submission: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        use an account you belong to on that partition (`clusterls facts` lists your associations) with --account or in clusterls.toml
    "#]]
    .assert_eq(&String::from_utf8_lossy(&out.stderr));
    // Records are shared: `jobs --json` in another process sees both runs' outcome.
    let out = f.run(&["jobs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["state"], "FAILED");
    assert_eq!(v[0]["exit_code"], 3);
}

#[test]
fn sync_directory_honours_ignore_rules() {
    let f = Fake::new("sync");
    let p = f.base.join("project/proj");
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::create_dir_all(p.join("src")).unwrap();
    std::fs::write(p.join(".gitignore"), "data/\n*.ckpt\n").unwrap();
    std::fs::write(p.join("data/big.bin"), "x").unwrap();
    std::fs::write(p.join("model.ckpt"), "x").unwrap();
    std::fs::write(p.join("src/util.py"), "X = 7\n").unwrap();
    std::fs::write(p.join("src/main.py"), "import util\nprint(util.X)\n").unwrap();
    let out = f.run(&[
        "run",
        "--no-container",
        "--follow",
        "--sync",
        p.to_str().unwrap(),
        p.join("src/main.py").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("COMPLETED exit 0\n7\n"));
    let runs: Vec<_> = std::fs::read_dir(f.base.join("home/.clusterls/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let listing =
        Command::new("find").arg(".").arg("-type").arg("f").current_dir(&runs[0]).output().unwrap();
    let mut files: Vec<String> =
        String::from_utf8_lossy(&listing.stdout).lines().map(str::to_string).collect();
    files.sort();
    expect_test::expect![[r#"["./.gitignore", "./error.log", "./job.sbatch", "./output.log", "./src/main.py", "./src/util.py"]"#]]
        .assert_eq(&format!("{files:?}"));
}

/// The CLI and several editor windows opening a new job store at the same moment: none
/// fails with "database is locked".
#[test]
fn concurrent_processes_share_a_new_job_store() {
    let f = Fake::new("store");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(binary())
                .args(["--host", "local", "jobs", "--json"])
                .current_dir(f.base.join("project"))
                .env("CLUSTERLS_STATE_DIR", f.base.join("state"))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
