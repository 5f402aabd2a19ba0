//! The CLI's conventions through the built binary: completions, man page, exit codes,
//! colour, `explain`, the directory walk, bad input (FIFOs, devices, size caps, escape
//! sequences), `--fix`, SARIF against the 2.1.0 schema; and, on the cluster, `run
//! --parsable`, `--follow`'s streams, a failed job's exit status and `jobs` without --host.

mod sbatch_common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use clusterls_tests::Scratch;
use sbatch_common::{binary, clusterls};
use serde_json::Value;

const BAD: &str = "#!/bin/bash\n#SBATCH --partiton=gpu\n#SBATCH --time=1:30\necho hi\n";

fn scratch(name: &str) -> Scratch {
    Scratch::new(&format!("cli-{name}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `clusterls ARGS` in `dir` with no standard input and a clean colour environment.
fn in_dir(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = clusterls(&["completions", shell], "");
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        for word in ["check", "explain", "color", "parsable"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    // The bash script is valid bash.
    let out = clusterls(&["completions", "bash"], "");
    let dir = scratch("completions");
    let file = dir.join("clusterls.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let out = clusterls(&["completions", "tcsh-not-a-shell"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_and_help_document_the_exit_status() {
    let out = clusterls(&["man"], "");
    assert_eq!(out.status.code(), Some(0));
    let man = stdout(&out);
    assert!(man.contains(".TH clusterls 1"), "{man}");
    for section in ["CLUSTERLS CHECK", "CLUSTERLS RUN", "CLUSTERLS JOBS", "Exit status"] {
        assert!(man.contains(section), "the man page lacks {section}");
    }
    assert!(man.contains("\\-\\-parsable"), "run's options are in the page");
    let help = stdout(&clusterls(&["--help"], ""));
    for line in [
        "0  success",
        "1  check found errors",
        "2  usage",
        "3  the cluster cannot be reached",
        "5  any other failure",
    ] {
        assert!(help.contains(line), "--help lacks `{line}`:\n{help}");
    }
}

#[test]
fn colour_only_on_request_never_when_piped_or_with_no_color() {
    let dir = scratch("colour");
    std::fs::write(dir.join("job.sh"), BAD).unwrap();
    let piped = in_dir(&dir, &["check", "--no-shellcheck", "job.sh"]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(!piped.stdout.contains(&0x1b), "colour in a pipe: {}", stdout(&piped));
    assert!(stdout(&piped).contains("^^^"), "{}", stdout(&piped));
    let always = in_dir(&dir, &["--color", "always", "check", "--no-shellcheck", "job.sh"]);
    assert!(always.stdout.contains(&0x1b), "--color always: {}", stdout(&always));
    let no_color = Command::new(binary())
        .args(["--color", "auto", "check", "--no-shellcheck", "job.sh"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b));
    let never = in_dir(&dir, &["--color", "never", "check", "--no-shellcheck", "job.sh"]);
    assert_eq!(never.stdout, piped.stdout);
    // clap's own help follows the flag too.
    assert!(in_dir(&dir, &["--color=always", "--help"]).stdout.contains(&0x1b));
    assert!(!in_dir(&dir, &["--help"]).stdout.contains(&0x1b));
}

#[test]
fn explain_a_code() {
    let out = clusterls(&["explain", "sbatch/no-shebang"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("sbatch/no-shebang\n\nThe first line is not #!interpreter"), "{text}");
    assert!(text.contains("server/RULES.md#sbatchno-shebang"), "{text}");
    let out = clusterls(&["explain", "docker/apt-lists-not-cleaned"], "");
    assert!(stdout(&out).contains("Default severity"), "{}", stdout(&out));
    let out = clusterls(&["explain", "sbatch/no-shebag"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Did you mean `sbatch/no-shebang`?"), "{}", stderr(&out));
}

/// The codes reported per file, from `check --format json`.
fn codes_by_file(out: &Output) -> Vec<(String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn directories_are_walked_with_the_ignore_rules_and_only_scripts_are_checked() {
    let dir = scratch("walk");
    let write = |p: &str, text: &str| {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("proj/train.py", "import torch\n");
    write("proj/run.sh", "echo no directives\n");
    write("proj/jobs/a.sh", "echo\n#SBATCH --partiton=gpu\n");
    write("proj/Dockerfile", "FROM ubuntu\n");
    write("proj/.clusterlsignore", "ignored/\n");
    write("proj/ignored/b.sbatch", "#!/bin/bash\n#SBATCH --partiton=gpu\n");
    write("proj/.gitignore", "build/\n");
    write("proj/build/c.sbatch", "#!/bin/bash\n#SBATCH --partiton=gpu\n");
    let out = in_dir(&dir, &["check", "--no-shellcheck", "--format", "json", "proj"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut files: Vec<String> = codes_by_file(&out).into_iter().map(|(f, _)| f).collect();
    files.dedup();
    assert_eq!(files, ["proj/Dockerfile", "proj/jobs/a.sh"]);
    assert!(
        codes_by_file(&out).contains(&("proj/jobs/a.sh".into(), "sbatch/no-shebang".into())),
        "an sbatch script (by its directives) still gets no-shebang"
    );
    // A Python program named on the command line: not an sbatch script, not checked.
    let out = in_dir(&dir, &["check", "--no-shellcheck", "proj/train.py", "proj/run.sh"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("note: skipped proj/train.py: neither a Dockerfile"), "{err}");
    assert!(!err.contains("no-shebang"), "{err}");
    // A directory without scripts says so.
    write("empty/notes.txt", "nothing here\n");
    let out = in_dir(&dir, &["check", "empty"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("found no sbatch script"), "{}", stderr(&out));
}

#[test]
fn a_note_says_when_the_checks_against_the_cluster_were_skipped() {
    let dir = scratch("note");
    std::fs::write(dir.join("job.sh"), BAD).unwrap();
    for format in ["text", "json"] {
        let out = in_dir(&dir, &["check", "--no-shellcheck", "--format", format, "job.sh"]);
        let err = stderr(&out);
        assert!(
            err.contains("note: checks against the cluster (partitions, accounts, limits, images) were skipped: no cluster given; pass --host ALIAS, or --facts FILE"),
            "{format}: {err}"
        );
    }
    let out = in_dir(&dir, &["check", "--no-shellcheck", "--format", "sarif", "job.sh"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(notes[0]["message"]["text"].as_str().unwrap().contains("were skipped"), "{notes}");
    // A host in clusterls.toml: still no network unless asked, and the note says so.
    std::fs::write(dir.join("clusterls.toml"), "host = \"mycluster\"\n").unwrap();
    let out = in_dir(&dir, &["check", "--no-shellcheck", "job.sh"]);
    assert!(
        stderr(&out).contains("clusterls.toml names the host mycluster, but check asks a cluster only when told to; pass --host mycluster"),
        "{}",
        stderr(&out)
    );
    let facts = sbatch_common::data("local-cluster-facts.json");
    let out =
        in_dir(&dir, &["check", "--no-shellcheck", "--facts", facts.to_str().unwrap(), "job.sh"]);
    assert!(!stderr(&out).contains("skipped"), "{}", stderr(&out));
}

/// Run `clusterls ARGS`, failing the test if it has not ended within a minute (a hang).
fn ends_soon(args: &[&str]) -> Output {
    ends_soon_with(args, &[])
}

fn ends_soon_with(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("clusterls {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn fifos_devices_and_huge_files_are_refused_at_once() {
    let dir = scratch("bad-input");
    let fifo = dir.join("job.sbatch");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = ends_soon(&["check", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a regular file (a FIFO)"), "{}", stderr(&out));
    let out = ends_soon(&["check", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/dev/zero is not a regular file (a character device)"),
        "{}",
        stderr(&out)
    );
    let big = dir.join("big.sbatch");
    let mut text = String::from("#!/bin/bash\n");
    while text.len() <= 4 * 1024 * 1024 {
        text.push_str("#SBATCH -p gpu\n");
    }
    std::fs::write(&big, &text).unwrap();
    let out = ends_soon(&["check", "--no-shellcheck", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is larger than 4 MiB"), "{}", stderr(&out));
    // The same on standard input.
    let out = clusterls(&["check", "--no-shellcheck", "-"], &text);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("standard input is larger than 4 MiB"), "{}", stderr(&out));
    // `run` and `build` read their file whole too: refused before anything is done
    // (before, `run /dev/zero` read until memory ran out and a FIFO hung).
    let state = dir.join("state");
    for args in [
        vec!["--host", "local", "run", fifo.to_str().unwrap()],
        vec!["--host", "local", "run", "/dev/zero"],
        vec!["--host", "local", "build", "/dev/zero"],
    ] {
        let out = ends_soon_with(&args, &[("CLUSTERLS_STATE_DIR", state.as_os_str())]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("is not a regular file"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn escape_sequences_from_a_file_are_shown_escaped() {
    let dir = scratch("escapes");
    let name = dir.join("evil\u{1b}]0;title\u{7}.sbatch");
    std::fs::write(&name, "#!/bin/bash\n#SBATCH --x\u{1b}[2J\u{202e}=1\n").unwrap();
    let out = clusterls(&["check", "--no-shellcheck", name.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(!bytes.contains(&0x1b) && !bytes.contains(&0x07), "raw control bytes on {what}");
    }
    let text = stdout(&out);
    assert!(text.contains("no option `--x\\u{1b}[2J\\u{202e}`"), "{text}");
    assert!(text.contains("evil\\u{1b}]0;title\\u{7}.sbatch:2:9"), "{text}");
    assert!(text.contains("2 | #SBATCH --x\\u{1b}[2J\\u{202e}=1"), "{text}");
}

#[test]
fn fix_applies_unambiguous_fixes_once() {
    let dir = scratch("fix");
    let path = dir.join("job.sh");
    std::fs::write(
        &path,
        "#!/bin/bash\n# SBATCH -p gpu\n#SBATCH --partiton=gpu\n#SBATCH --time=1:30\necho hi\n",
    )
    .unwrap();
    let out = in_dir(&dir, &["check", "--no-shellcheck", "--fix", "job.sh"]);
    let fixed = std::fs::read_to_string(&path).unwrap();
    expect_test::expect![[r#"
        #!/bin/bash
        #SBATCH --partition=gpu
        #SBATCH --time=1:30:00
        echo hi
    "#]]
    .assert_eq(&fixed);
    // `# SBATCH` made a directive, which then duplicated `--partition` (the earlier one,
    // which sbatch would ignore, removed), the typo and the time fixed.
    assert!(stderr(&out).contains("fixed 4 finding(s) in job.sh"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A second run changes nothing.
    let again = in_dir(&dir, &["check", "--no-shellcheck", "--fix", "job.sh"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed);
    assert!(!stderr(&again).contains("fixed"), "{}", stderr(&again));
    assert_eq!(stdout(&again), stdout(&out));
    let out = clusterls(&["check", "--fix", "-"], BAD);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot fix standard input"), "{}", stderr(&out));
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(sbatch_common::data("sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let dir = scratch("sarif");
    std::fs::write(dir.join("a job.sh"), BAD).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM ubuntu\nUSER 1000\nRUN apt-get install -y curl\n")
        .unwrap();
    let out = in_dir(&dir, &["check", "--no-shellcheck", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A document the schema refuses is refused (the validator is not vacuous).
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    // Every rule is documented.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 4, "{rules:?}");
    for r in rules {
        assert!(r["fullDescription"]["text"].as_str().is_some_and(|t| t.len() > 20), "{r}");
        let uri = r["helpUri"].as_str().unwrap();
        let anchor: String = r["id"].as_str().unwrap().replace('/', "");
        assert!(uri.ends_with(&format!("server/RULES.md#{anchor}")), "{uri}");
    }
}

#[test]
fn shellcheck_is_not_given_huge_scripts() {
    sbatch_common::require_shellcheck();
    let mut text = String::from("#!/bin/bash\n#SBATCH -p gpu\n");
    while text.len() <= 100 * 1024 {
        text.push_str("echo $x\n");
    }
    let out = clusterls(&["check", "--format", "json", "-"], &text);
    assert!(
        stderr(&out)
            .contains("shellcheck skipped for <stdin>: the script is larger than the 64 KiB"),
        "{}",
        stderr(&out)
    );
}
