//! The cluster commands' conventions on the real cluster: `run --parsable` prints the bare
//! id, `--follow` keeps stdout for the job's output (state lines on stderr), a failed
//! job makes exit status 1 with its own code on stderr's last line, and `jobs` lists every
//! host's jobs without --host, as an aligned table; `jobs --refresh` without --host
//! reaches each host through the ssh config stored with its jobs.

mod engine_common;

use std::process::{Command, Stdio};

use engine_common::{Project, binary, ssh, stderr, stdout, wait_for};

const RUN: &[&str] = &["run", "--no-container", "--partition", "test"];

#[test]
fn run_parsable_follow_streams_exit_status_and_jobs_without_host() {
    let p = Project::new("cli-conventions");
    let ok = p.write("ok.py", "print('out line')\n");
    let ok = ok.to_str().unwrap();
    // --parsable: the bare id, nothing else on stdout.
    let out = p.run(&[RUN, &["--parsable", ok]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_digit()), "{id:?}");
    // --follow: stdout is the job's output alone; the state lines are on stderr.
    let out = p.run(&[RUN, &["--follow", ok]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "out line\n");
    let err = stderr(&out);
    let followed = err.lines().next().unwrap_or_default().trim_start_matches("job ").to_string();
    assert!(err.contains(&format!("job {followed} COMPLETED exit 0")), "{err}");
    // --parsable --follow: the id first, then the output.
    let out = p.run(&[RUN, &["--parsable", "--follow", ok]].concat());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].chars().all(|c| c.is_ascii_digit()), "{text}");
    assert_eq!(lines[1], "out line");
    // A job that exits 3: clusterls exits 1 (not 3, which means "cannot reach the
    // cluster"), and says the job's own code last.
    let fail = p.write("fail.py", "import sys\nprint('bye')\nsys.exit(3)\n");
    let out = p.run(&[RUN, &["--follow", fail.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "bye\n");
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.contains("ended FAILED, exit code 3; clusterls exits 1"), "{err}");
    // `jobs` without --host: the local records of every host, aligned.
    let out = Command::new(binary())
        .arg("jobs")
        .current_dir(&p.dir)
        .env("CLUSTERLS_STATE_DIR", &p.state)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    eprintln!("{table}");
    assert!(!table.contains('\u{1b}'), "no colour in a pipe");
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 5, "a header and four jobs: {table}");
    assert!(rows[0].starts_with("HOST"), "{table}");
    let state_col = rows[0].find("STATE").unwrap();
    for row in &rows[1..] {
        let state = &row[state_col..];
        assert!(
            state.starts_with("COMPLETED")
                || state.starts_with("FAILED")
                || state.starts_with("PENDING")
                || state.starts_with("RUNNING"),
            "misaligned: {row}"
        );
        assert!(!row.contains("Run") && !row.contains("Some("), "Debug formatting: {row}");
    }
    assert!(rows.iter().any(|r| r.contains(&id)), "{table}");
    // --json unchanged: the records as a list.
    let out = p.run(&["jobs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
}

/// `jobs --refresh` with neither --host nor --ssh-config: the host is reached through the
/// ssh config its job was submitted with (the test host is unknown to the default one).
#[test]
fn jobs_refresh_without_host_uses_each_jobs_ssh_config() {
    let p = Project::new("cli-refresh");
    let long = p.write("long.sh", "sleep 300\n");
    let out = p.run(&[RUN, &["--parsable", long.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    // Ended behind clusterls's back: only a poll can tell.
    let gone = ssh(&["scancel", &id]);
    assert!(gone.status.success(), "{}", stderr(&gone));
    let refresh = || {
        Command::new(binary())
            .args(["jobs", "--refresh", "--json"])
            .current_dir(&p.dir)
            .env("CLUSTERLS_STATE_DIR", &p.state)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let state = wait_for("jobs --refresh to see the job cancelled", || {
        let out = refresh();
        assert!(out.status.success(), "jobs --refresh without --host: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rec = v.as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).cloned().unwrap();
        (rec["state"] == "CANCELLED").then_some(rec["state"].clone())
    });
    assert_eq!(state, "CANCELLED");
}
