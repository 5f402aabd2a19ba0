//! The ssh transport against the real sshd of the local cluster: reusing the user's
//! own ControlMaster (and never closing it), failing fast with the exact command when
//! login needs a prompt, and never weakening host key checking.

mod engine_common;

use std::path::Path;
use std::process::{Command, Stdio};

use clusterls_tests::Scratch;
use engine_common::*;

struct Env {
    base: std::path::PathBuf,
    _scratch: Scratch,
}

impl Env {
    /// None (the test is skipped) when the local cluster is not up outside CI.
    fn new(tag: &str) -> Option<Env> {
        try_cluster()?;
        let scratch = Scratch::new(&format!("ssh-{tag}"));
        let base = scratch.path().to_path_buf();
        std::fs::create_dir_all(base.join("home")).unwrap();
        std::fs::create_dir_all(base.join("state")).unwrap();
        Some(Env { base, _scratch: scratch })
    }

    /// An ssh config: `extra` lines first (ssh keeps the first value it reads), then
    /// the cluster's own config.
    fn config(&self, extra: &str) -> std::path::PathBuf {
        let p = self.base.join("ssh_config");
        std::fs::write(
            &p,
            format!("Host testcluster\n{extra}\nInclude {}\n", cluster().ssh_config.display()),
        )
        .unwrap();
        p
    }

    /// clusterls with HOME in the sandbox: any master of our own would appear under it.
    fn clusterls(&self, cfg: &Path, args: &[&str]) -> std::process::Output {
        let out = Command::new(binary())
            .arg("--ssh-config")
            .arg(cfg)
            .args(["--host", "testcluster"])
            .args(args)
            .env("HOME", self.base.join("home"))
            .env("CLUSTERLS_STATE_DIR", self.base.join("state"))
            .current_dir(&self.base)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        eprintln!("{}{}", stdout(&out), stderr(&out));
        out
    }

    fn own_masters(&self) -> usize {
        std::fs::read_dir(self.base.join("home/.cache/clusterls/cm"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

#[test]
fn reuses_the_users_control_master_and_never_closes_it() {
    let Some(env) = Env::new("reuse") else { return };
    let sock = env.base.join("cm");
    let cfg = env.config(&format!("  ControlPath {}", sock.display()));
    // The user authenticated once (here with a key; on a 2FA cluster, with a code).
    let st = Command::new("ssh")
        .arg("-F")
        .arg(&cfg)
        .args(["-o", "ControlMaster=yes", "-o", "ControlPersist=60", "-fN", "testcluster"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(st.success());
    let out = env.clusterls(&cfg, &["facts", "--refresh", "--json"]);
    assert!(out.status.success());
    assert_eq!(
        env.own_masters(),
        0,
        "clusterls started its own master instead of reusing the user's"
    );
    // Still alive after clusterls exited.
    let check = Command::new("ssh")
        .arg("-F")
        .arg(&cfg)
        .args(["-O", "check", "testcluster"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let _ = Command::new("ssh").arg("-F").arg(&cfg).args(["-O", "exit", "testcluster"]).output();
}

#[test]
fn starts_its_own_master_and_reuses_it_across_processes() {
    let Some(env) = Env::new("own") else { return };
    let cfg = env.config("");
    assert!(env.clusterls(&cfg, &["facts", "--refresh"]).status.success());
    assert_eq!(env.own_masters(), 2, "one socket and its log");
    let sock = std::fs::read_dir(env.base.join("home/.cache/clusterls/cm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_none())
        .unwrap();
    assert!(sock.as_os_str().len() < 108);
    let t = std::time::Instant::now();
    assert!(env.clusterls(&cfg, &["facts", "--refresh"]).status.success());
    eprintln!("second call on the warm master: {:?}", t.elapsed());
    assert_eq!(env.own_masters(), 2);
    let _ = Command::new("ssh").arg("-S").arg(&sock).args(["-O", "exit", "testcluster"]).output();
}

#[test]
fn login_that_needs_a_prompt_fails_fast_with_the_command_to_run() {
    let Some(env) = Env::new("prompt") else { return };
    // No usable key: the server would need a password (or a code), which we never ask.
    // (IdentityFile lines add up, so the cluster's config is copied without its key.)
    let theirs = std::fs::read_to_string(&cluster().ssh_config).unwrap();
    let cfg = env.base.join("ssh_config_nokey");
    let text: Vec<String> = theirs
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("IdentityFile") {
                "  IdentityFile /nonexistent/key".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&cfg, text.join("\n")).unwrap();
    let t = std::time::Instant::now();
    let out = env.clusterls(&cfg, &["facts", "--refresh"]);
    assert!(t.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("needs a password or a code"), "{err}");
    let cmd =
        err.lines().find(|l| l.trim_start().starts_with("ssh -F ")).expect("the command to run");
    assert!(
        cmd.contains("ControlMaster=yes")
            && cmd.contains("ControlPersist=yes")
            && cmd.trim_end().ends_with("testcluster"),
        "{cmd}"
    );
}

#[test]
fn unknown_host_key_is_refused_not_accepted() {
    let Some(env) = Env::new("hostkey") else { return };
    let empty = env.base.join("known_hosts");
    std::fs::write(&empty, "").unwrap();
    let cfg = env.config(&format!("  UserKnownHostsFile {}", empty.display()));
    let out = env.clusterls(&cfg, &["facts", "--refresh"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("host key"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "", "the key was added without asking");
}
