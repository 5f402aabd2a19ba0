//! The job store shared by processes (no cluster needed): the CLI and several editor
//! windows open it at the same moment.

mod engine_common;

use std::process::{Command, Stdio};

use engine_common::*;

/// Eight real `clusterls jobs --json` processes open a job store that does not exist
/// yet, all at once: none fails (e.g. with "database is locked") and all see it empty.
#[test]
fn concurrent_processes_share_a_new_job_store() {
    let scratch = clusterls_tests::Scratch::new("store");
    let state = scratch.path().join("state");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(binary())
                .args(["--host", "local", "jobs", "--json"])
                .current_dir(scratch.path())
                .env("CLUSTERLS_STATE_DIR", &state)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), "[]", "{}", stderr(&out));
    }
}
