//! The incremental project upload (`run --sync DIR`) through ssh on the local cluster
//! (issue 10, "Projects, not files"): a second run after one file changed sends that
//! file alone (as the engine reports it: `clusterls: sent N of M files ...` on stderr),
//! a removed file is gone from the next run directory, an earlier run's directory is
//! left as it was, hostile file names arrive intact, two runs of one project at once
//! both get the whole project, and a project over the size guard is refused naming its
//! largest files with nothing uploaded.

mod engine_common;

use std::process::Stdio;

use engine_common::*;

/// A name the shell would love to run (and a newline in it).
const HOSTILE: &str = "we ird $(touch pwned); 'q\" `id`\nx.txt";

/// Lists the run directory's files (sorted, repr so the newline shows) and their
/// contents' first line.
const LIST: &str = r#"import os
for root, dirs, files in sorted(os.walk(".")):
    for f in sorted(files):
        p = os.path.join(root, f)[2:]
        if p in ("output.log", "error.log") or p.startswith(".clusterls/"):
            continue
        print("file=" + repr(p) + " " + repr(open(p).read().strip()))
        print("hex=" + p.encode().hex())
"#;

/// `(sent, of)` from the engine's upload line on stderr.
fn sent(err: &str) -> (usize, usize) {
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("clusterls: sent "))
        .unwrap_or_else(|| panic!("no upload summary on stderr:\n{err}"));
    let mut words = line.split_whitespace();
    let n = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("of"), "{line}");
    (n, words.next().unwrap().parse().unwrap())
}

/// The files of a run directory on the cluster with their hashes (the job's logs aside).
fn snapshot(dir: &str) -> String {
    let script = format!(
        "cd -- '{dir}' && find . -type f ! -name output.log ! -name error.log ! -path './.clusterls/*' -print0 | sort -z | xargs -0 sha256sum"
    );
    let out = ssh(&["bash", "-c", &script]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn run_sync(p: &Project, extra: &[&str]) -> std::process::Output {
    let mut argv = vec!["run", "--no-container", "--partition", "cpu", "--sync", "."];
    argv.extend(extra);
    argv.push("list.py");
    p.run(&argv)
}

#[test]
fn second_run_sends_the_change_alone_and_keeps_the_first() {
    let p = Project::new("sync");
    p.write("list.py", LIST);
    p.write("lib/model.py", "x = 1\n");
    p.write("data/old.txt", "old\n");
    p.write(HOSTILE, "hostile\n");
    for i in 0..20 {
        p.write(&format!("pkg/mod_{i:02}.py"), &format!("v = {i}\n"));
    }
    p.write(".clusterlsignore", "*.ckpt\n");
    p.write("weights.ckpt", "not sent\n");
    // clusterls.toml, list.py, model, old, hostile, 20 modules, .clusterlsignore
    let files = 26;
    let hostile_hex: String = HOSTILE.bytes().map(|b| format!("{b:02x}")).collect();

    let first = run_sync(&p, &["--follow"]);
    let err = stderr(&first);
    assert!(first.status.success(), "{err}");
    assert_eq!(sent(&err), (files, files), "{err}");
    let out = stdout(&first);
    assert!(out.lines().any(|l| l == format!("hex={hostile_hex}")), "{out}");
    assert!(out.contains("file='data/old.txt' 'old'"), "{out}");
    assert!(!out.contains("weights.ckpt"), "ignored by .clusterlsignore: {out}");
    let dir1 = run_dir(&first);
    let before = snapshot(&dir1);

    // One file changed, one removed: that one file travels.
    p.write("lib/model.py", "x = 2\n");
    std::fs::remove_file(p.dir.join("data/old.txt")).unwrap();
    let second = run_sync(&p, &["--follow"]);
    let err = stderr(&second);
    assert!(second.status.success(), "{err}");
    assert_eq!(sent(&err), (1, files - 1), "{err}");
    assert!(err.contains("1 removed"), "{err}");
    let out = stdout(&second);
    assert!(out.contains("file='lib/model.py' 'x = 2'"), "{out}");
    assert!(!out.contains("data/old.txt"), "the removed file is gone: {out}");
    let dir2 = run_dir(&second);
    assert_ne!(dir1, dir2);
    assert_eq!(snapshot(&dir1), before, "the first run's directory changed");
    assert!(out.lines().any(|l| l == format!("hex={hostile_hex}")), "{out}");
    assert!(!ssh(&["test", "-e", &format!("{dir2}/pwned")]).status.success(), "a name ran");

    // Nothing changed: nothing travels but the run's own files.
    let third = run_sync(&p, &[]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(sent(&stderr(&third)), (0, files - 1));
}

/// Two runs of one project at once: both are submitted, and each run directory holds
/// the whole project (the second waits for the first's lock or plans again).
#[test]
fn two_runs_of_one_project_at_once() {
    let p = Project::new("sync-race");
    p.write("list.py", LIST);
    for i in 0..30 {
        p.write(&format!("m/{i:02}.py"), &format!("{i}\n"));
    }
    let spawn = || {
        p.cmd(&["run", "--no-container", "--partition", "cpu", "--sync", ".", "list.py"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", stderr(o));
        let listed = ssh(&["bash", "-c", &format!("cd -- '{}' && ls m | wc -l", run_dir(o))]);
        assert_eq!(stdout(&listed).trim(), "30", "{}", stderr(o));
    }
    // The one that came second found the first's copy: it sent nothing.
    let mut sends: Vec<usize> = [&a, &b].iter().map(|o| sent(&stderr(o)).0).collect();
    sends.sort();
    assert_eq!(sends, [0, 32]);
}

/// Over the size guard: refused before anything is sent, naming the largest files.
#[test]
fn an_oversize_project_is_refused_naming_the_largest_files() {
    let p = Project::new("sync-big");
    p.write("clusterls.toml", "account = \"lab_dev\"\ntime = \"10\"\nupload_limit = 100000\n");
    let script = format!("big_{}.py", std::process::id());
    p.write(&script, "print(1)\n");
    p.write("data/huge one.bin", &"x".repeat(90_000));
    p.write("data/second.bin", &"y".repeat(30_000));
    let out = p.run(&["run", "--no-container", "--partition", "cpu", "--sync", ".", &script]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("over the upload limit of 100.0 kB"), "{err}");
    let (huge, second) = (err.find("data/huge one.bin"), err.find("data/second.bin"));
    assert!(huge.is_some() && second.is_some() && huge < second, "largest first: {err}");
    assert!(err.contains(".clusterlsignore"), "says what to do: {err}");
    // Nothing reached the cluster: no sync directory, no run directory.
    let canonical = p.dir.canonicalize().unwrap();
    let key = clusterls::engine::upload::plan::project_key("run", canonical.to_str().unwrap());
    assert!(!ssh(&["test", "-e", &format!(".clusterls/sync/{key}")]).status.success());
    let runs = ssh(&["bash", "-c", "ls ~/.clusterls/runs"]);
    let stem = script.trim_end_matches(".py");
    assert!(!stdout(&runs).lines().any(|l| l.ends_with(stem)), "{}", stdout(&runs));
}
