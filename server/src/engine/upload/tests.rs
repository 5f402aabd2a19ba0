//! The incremental upload end to end on this machine: the engine's packer and manifest
//! planner against the real remote programs (`bash -c`, a scratch `$HOME`, a fake
//! `sbatch` on PATH that prints a job id). The same on the real cluster is
//! `tests/tests/sync_cluster.rs`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::launch::manifest::{self, ContentHasher, LocalFile};
use super::super::programs;
use super::plan::{self, Entry, SyncPart, Upload};

/// A scratch `$HOME` and a PATH with a fake sbatch, removed after.
struct Remote {
    dir: PathBuf,
    path: String,
}

impl Remote {
    fn new(name: &str) -> Remote {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("clusterls-sync-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let sbatch = dir.join("bin/sbatch");
        std::fs::write(&sbatch, "#!/bin/sh\necho 4242\n").unwrap();
        std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap());
        Remote { dir, path }
    }

    fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    /// `bash -c PROGRAM NAME ARGS...` with `stdin`: (exit status, stdout, stderr).
    fn run(&self, program: &str, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
        let mut child = Command::new("bash")
            .args(["-c", program, "clusterls-test"])
            .args(args)
            .current_dir(&self.dir)
            .env("HOME", self.home())
            .env("PATH", &self.path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        let s = |b: &[u8]| String::from_utf8_lossy(b).to_string();
        (out.status.code().unwrap_or(-1), s(&out.stdout), s(&out.stderr))
    }

    /// What the engine does for a run of `files` as project `key` in run `name`: read
    /// the manifest, plan, pack, run the submit program. Returns (status, what was sent).
    fn upload(&self, key: &str, files: &[(&str, &[u8])], name: &str) -> (i32, Vec<String>) {
        let (status, out, err) = self.run(programs::SYNC_READ_PROGRAM, &[key], b"");
        assert_eq!(status, 0, "{err}");
        let remote = plan::read_remote(&out);
        self.apply(key, files, name, remote.as_ref().map(|r| r.generation.as_str()), &out)
    }

    fn apply(
        &self,
        key: &str,
        files: &[(&str, &[u8])],
        name: &str,
        expect: Option<&str>,
        read: &str,
    ) -> (i32, Vec<String>) {
        let local: Vec<LocalFile> = files.iter().map(|(p, d)| local(p, d)).collect();
        let remote = plan::read_remote(read);
        let up = manifest::plan_upload(&local, remote.as_ref().map(|r| r.manifest.as_str()));
        let sent: Vec<Entry> = up
            .send
            .iter()
            .map(|p| {
                let data = files.iter().find(|(q, _)| q == p).unwrap().1.to_vec();
                Entry { path: p.clone(), data, mode: 0o644 }
            })
            .collect();
        let mut run = Upload::default();
        run.add("job.sbatch", b"#!/bin/bash\necho hi\n".to_vec(), 0o755);
        let generation = format!("g-{name}");
        let part = SyncPart { key, expect, generation: &generation, plan: &up, files: &sent };
        let tar = plan::pack(&run, Some(&part), 1).unwrap();
        let (status, _, err) = self.run(programs::RUN_PROGRAM, &[name, ""], &tar);
        assert!(status == 0 || status == programs::STALE, "{err}");
        (status, up.send.clone())
    }

    fn run_dir(&self, name: &str) -> PathBuf {
        self.home().join(".clusterls/runs").join(name)
    }

    fn sync_files(&self, key: &str) -> PathBuf {
        self.home().join(".clusterls/sync").join(key).join("files")
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn local(path: &str, data: &[u8]) -> LocalFile {
    let mut h = ContentHasher::new();
    h.update(data);
    LocalFile { path: path.into(), size: data.len() as u64, hash: h.finish(), mode: 0o644 }
}

/// Every file under `dir`, relative, with its content.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in ignore::WalkBuilder::new(dir).standard_filters(false).build() {
        let e = e.unwrap();
        if e.file_type().is_some_and(|t| t.is_file()) {
            let rel = e.path().strip_prefix(dir).unwrap().to_str().unwrap().to_string();
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
    out.sort();
    out
}

const HOSTILE: &str = "we'ird \"$(touch pwned)\"; `x` \n\tname.py";

#[test]
fn second_upload_sends_the_change_deletes_the_removed_and_keeps_earlier_runs() {
    let r = Remote::new("incremental");
    let key = "run-0123456789abcdef-proj";
    let v1: Vec<(&str, &[u8])> = vec![
        ("train.py", b"print(1)\n"),
        ("lib/model.py", b"x = 1\n"),
        ("old/gone.txt", b"bye\n"),
        (HOSTILE, b"hostile\n"),
    ];
    let (status, sent) = r.upload(key, &v1, "run1");
    assert_eq!((status, sent.len()), (0, 4));
    let first = tree(&r.run_dir("run1"));
    let names: Vec<&str> = first.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["job.sbatch", "lib/model.py", "old/gone.txt", "train.py", HOSTILE]);
    assert!(!r.dir.join("pwned").exists() && !r.home().join("pwned").exists());

    // One file changed, one removed: one file travels.
    let v2: Vec<(&str, &[u8])> =
        vec![("train.py", b"print(2)\n"), ("lib/model.py", b"x = 1\n"), (HOSTILE, b"hostile\n")];
    let (status, sent) = r.upload(key, &v2, "run2");
    assert_eq!((status, sent), (0, vec!["train.py".to_string()]));
    let second = tree(&r.run_dir("run2"));
    let names: Vec<&str> = second.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["job.sbatch", "lib/model.py", "train.py", HOSTILE]);
    assert_eq!(std::fs::read(r.run_dir("run2/train.py")).unwrap(), b"print(2)\n");
    // The removed file's empty directory went with it.
    assert!(!r.sync_files(key).join("old").exists());
    // The first run's directory is as it was.
    assert_eq!(tree(&r.run_dir("run1")), first);

    // A job that writes into its copy changes neither the sync directory nor the next run.
    std::fs::write(r.run_dir("run2/lib/model.py"), "changed by the job\n").unwrap();
    assert_eq!(std::fs::read(r.sync_files(key).join("lib/model.py")).unwrap(), b"x = 1\n");
    let (status, sent) = r.upload(key, &v2, "run3");
    assert_eq!((status, sent.len()), (0, 0));
    assert_eq!(std::fs::read(r.run_dir("run3/lib/model.py")).unwrap(), b"x = 1\n");
}

/// Two uploads planned against the same manifest: the second finds it changed, stops
/// before making its run directory (exit STALE), and goes through when read again.
#[test]
fn an_upload_planned_against_an_old_manifest_is_refused() {
    let r = Remote::new("stale");
    let key = "run-0123456789abcdef-proj";
    r.upload(key, &[("a.py", b"1")], "run1");
    let (_, read, _) = r.run(programs::SYNC_READ_PROGRAM, &[key], b"");
    let g = plan::read_remote(&read).unwrap().generation;
    assert_eq!(g, "g-run1");
    r.upload(key, &[("a.py", b"2")], "run2");
    let (status, _) = r.apply(key, &[("a.py", b"3"), ("b.py", b"3")], "run3", Some(&g), &read);
    assert_eq!(status, programs::STALE);
    assert!(!r.run_dir("run3").exists());
    assert_eq!(std::fs::read(r.sync_files(key).join("a.py")).unwrap(), b"2");
    let (status, sent) = r.upload(key, &[("a.py", b"3"), ("b.py", b"3")], "run3");
    assert_eq!((status, sent.len()), (0, 2));
}

/// A sync directory whose upload was cut (no generation) is not trusted: the next
/// upload sends everything and replaces its files whole.
#[test]
fn a_cut_upload_is_replaced_whole() {
    let r = Remote::new("cut");
    let key = "run-0123456789abcdef-proj";
    r.upload(key, &[("a.py", b"1"), ("b.py", b"1")], "run1");
    std::fs::remove_file(r.home().join(".clusterls/sync").join(key).join("generation")).unwrap();
    std::fs::write(r.sync_files(key).join("stray.txt"), "half-written").unwrap();
    let (status, sent) = r.upload(key, &[("a.py", b"1")], "run2");
    assert_eq!((status, sent.len()), (0, 1));
    let names: Vec<String> = tree(&r.run_dir("run2")).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["a.py", "job.sbatch"]);
}

/// A run without a project still unpacks its own files alone.
#[test]
fn a_run_without_a_project() {
    let r = Remote::new("alone");
    let mut run = Upload::default();
    run.add("t.py", b"print(1)\n".to_vec(), 0o644);
    run.add("job.sbatch", b"#!/bin/bash\n".to_vec(), 0o755);
    let (status, out, err) = r.run(programs::RUN_PROGRAM, &["run1", ""], &run.tar(1).unwrap());
    assert_eq!(status, 0, "{err}");
    assert!(out.ends_with("4242\n"), "{out}");
    let names: Vec<String> = tree(&r.run_dir("run1")).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["job.sbatch", "t.py"]);
    assert_eq!(std::fs::read_dir(r.home().join(".clusterls/runs")).unwrap().count(), 1);
}

#[test]
fn project_keys() {
    let a = plan::project_key("run", "/home/me/My Project");
    assert!(a.starts_with("run-") && a.ends_with("-my-project"), "{a}");
    assert_eq!(a.len(), "run-".len() + 16 + "-my-project".len());
    assert_ne!(a, plan::project_key("build", "/home/me/My Project"));
    assert_ne!(a, plan::project_key("run", "/home/other/My Project"));
    let odd = plan::project_key("run", "/x/$(rm -rf)");
    assert!(
        odd.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{odd}"
    );
    assert_eq!(plan::read_remote("none\n"), None);
    assert_eq!(
        plan::read_remote("generation abc\nclusterls-manifest 1 sha256\n"),
        Some(plan::Remote {
            generation: "abc".into(),
            manifest: "clusterls-manifest 1 sha256\n".into()
        })
    );
}
