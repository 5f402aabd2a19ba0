//! Shared by the sbatch tests: the built `clusterls` binary, the test data paths,
//! and whether shellcheck is installed.

#![allow(dead_code)]

use std::process::{Command, Output, Stdio};

/// The `clusterls` binary: `$CLUSTERLS_BIN`, else built for this test run.
pub use clusterls_tests::clusterls_bin as binary;
/// `tests/data/...` of this repository.
pub use clusterls_tests::data_path as data;

/// Run `clusterls ARGS` with `stdin` as its standard input.
pub fn clusterls(args: &[&str], stdin: &str) -> Output {
    clusterls_tests::output_with_stdin(Command::new(binary()).args(args), stdin.as_bytes())
}

/// The tests that need shellcheck fail without it, never pass silently
/// (`tests/cluster/up` installs it; `apt install shellcheck` does too).
pub fn require_shellcheck() {
    let ok = Command::new("shellcheck")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "shellcheck is not installed: `apt install shellcheck` (tests/cluster/up installs it)"
    );
}
