//! Running shellcheck on sbatch scripts, bounded: scripts over [`MAX_SCRIPT_BYTES`] are not
//! given to it, it is killed after [`TIMEOUT`], and at most [`MAX_OUTPUT_BYTES`] of its
//! report are read. shellcheck's time and memory grow much faster than its input: a 4.4 MB
//! script made it use 6.1 GB; measured here (shellcheck 0.9, a loaded 2-core machine), a
//! 64 KiB script with a finding on every line took 15 s and 184 MB, a clean 250 KiB one
//! 25 s and 373 MB, one with findings 131 s and 683 MB. Real sbatch scripts are a few KiB.
//! Its findings are mapped by `clusterls_sbatch::shellcheck`.

use std::process::Stdio;
use std::time::Duration;

use clusterls_core::Finding;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The largest script given to shellcheck.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;
/// How long shellcheck may take on one script.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// The most of its JSON report read.
pub const MAX_OUTPUT_BYTES: u64 = 16 * 1024 * 1024;

pub fn available() -> bool {
    std::process::Command::new("shellcheck")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `shellcheck -f json1 -` on `text`. Err says why there are no findings from it
/// (for a note); shellcheck is an optional extra and never fails the check.
pub fn run(text: &str) -> Result<Vec<Finding>, String> {
    run_with("shellcheck", text, MAX_SCRIPT_BYTES, TIMEOUT)
}

pub fn run_with(
    program: &str,
    text: &str,
    max_bytes: usize,
    timeout: Duration,
) -> Result<Vec<Finding>, String> {
    if text.len() > max_bytes {
        return Err(format!(
            "the script is larger than the {} KiB given to shellcheck",
            max_bytes / 1024
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let out = rt.block_on(async {
        let mut child = tokio::process::Command::new(program)
            .args(["-f", "json1", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let input = text.as_bytes().to_vec();
        let work = async move {
            // Write and read at once: a large report must not block the writer.
            let write = async {
                let _ = stdin.write_all(&input).await;
                drop(stdin);
            };
            let mut report = Vec::new();
            let mut limited = (&mut stdout).take(MAX_OUTPUT_BYTES + 1);
            let read = limited.read_to_end(&mut report);
            let (_, read) = tokio::join!(write, read);
            read.map(|_| report)
        };
        match tokio::time::timeout(timeout, work).await {
            Err(_) => {
                let _ = child.kill().await;
                Err(format!("{program} took longer than {} s and was stopped", timeout.as_secs()))
            }
            Ok(Err(e)) => Err(format!("cannot read {program}'s report: {e}")),
            Ok(Ok(report)) if report.len() as u64 > MAX_OUTPUT_BYTES => {
                let _ = child.kill().await;
                Err(format!("{program}'s report is larger than {} MiB", MAX_OUTPUT_BYTES >> 20))
            }
            Ok(Ok(report)) => {
                let _ = child.wait().await;
                Ok(report)
            }
        }
    })?;
    Ok(clusterls_sbatch::shellcheck::findings_from_json1(text, &String::from_utf8_lossy(&out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_over_the_cap_is_not_given_to_shellcheck() {
        let err = run_with("shellcheck", &"x".repeat(2048), 1024, TIMEOUT).unwrap_err();
        assert_eq!(err, "the script is larger than the 1 KiB given to shellcheck");
    }

    /// A stand-in for shellcheck: an executable shell script in a scratch directory.
    struct Fake(std::path::PathBuf);

    impl Fake {
        fn new(name: &str, body: &str) -> Fake {
            use std::os::unix::fs::PermissionsExt;
            let dir =
                std::env::temp_dir().join(format!("clusterls-sc-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let program = dir.join("shellcheck");
            std::fs::write(&program, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
            Fake(program)
        }
        fn path(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }

    impl Drop for Fake {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
        }
    }

    #[test]
    fn a_shellcheck_that_hangs_is_stopped() {
        let fake = Fake::new("hang", "exec sleep 600");
        let started = std::time::Instant::now();
        let err =
            run_with(fake.path(), "#!/bin/bash\n", 1024, Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("took longer than"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    /// A report that never ends is read up to the cap, then the program is stopped:
    /// memory stays bounded (before, a 4.4 MB script made a 6.1 GB report).
    #[test]
    fn a_report_over_the_cap_is_refused() {
        let fake = Fake::new("flood", "cat >/dev/null; exec yes '[{\"line\":1}]'");
        let err =
            run_with(fake.path(), "#!/bin/bash\n", 1024, Duration::from_secs(60)).unwrap_err();
        assert!(err.ends_with("report is larger than 16 MiB"), "{err}");
    }
}
