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
    /// Fails the test when the local cluster is not up.
    fn new(tag: &str) -> Env {
        cluster();
        let scratch = Scratch::new(&format!("ssh-{tag}"));
        let base = scratch.path().to_path_buf();
        std::fs::create_dir_all(base.join("home")).unwrap();
        std::fs::create_dir_all(base.join("state")).unwrap();
        Env { base, _scratch: scratch }
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
    let env = Env::new("reuse");
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
    let env = Env::new("own");
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
    let env = Env::new("prompt");
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
    let env = Env::new("hostkey");
    let empty = env.base.join("known_hosts");
    std::fs::write(&empty, "").unwrap();
    let cfg = env.config(&format!("  UserKnownHostsFile {}", empty.display()));
    let out = env.clusterls(&cfg, &["facts", "--refresh"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("host key"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "", "the key was added without asking");
}

/// clusterls's own master (the only socket under the sandboxed HOME's control dir).
struct OwnMaster {
    cfg: std::path::PathBuf,
    sock: std::path::PathBuf,
}

impl OwnMaster {
    fn find(env: &Env, cfg: &Path) -> OwnMaster {
        let sock = std::fs::read_dir(env.base.join("home/.cache/clusterls/cm"))
            .expect("clusterls made its control directory")
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_none())
            .expect("a control socket");
        OwnMaster { cfg: cfg.to_path_buf(), sock }
    }

    fn ctl(&self, op: &str) -> std::process::Output {
        Command::new("ssh")
            .arg("-F")
            .arg(&self.cfg)
            .arg("-S")
            .arg(&self.sock)
            .args(["-O", op, "testcluster"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// The master's pid as ssh itself reports it (`Master running (pid=N)`), or None
    /// when no master answers on the socket. Only that line counts: just after a kill,
    /// the socket may still accept, the hello exchange fails, and ssh then goes on to
    /// log in without a master (exit 0, no pid).
    fn pid(&self) -> Option<u32> {
        let out = self.ctl("check");
        let err = stderr(&out);
        let pid = err
            .split_once("Master running (pid=")
            .and_then(|(_, rest)| rest.split_once(')'))
            .and_then(|(n, _)| n.parse().ok());
        pid.filter(|_| out.status.success())
    }

    /// SIGKILL the master once one runs that is none of `dead` (by the pid it reported,
    /// after checking that this pid is the ssh master of our socket), and wait until
    /// it no longer answers. Its socket file stays behind, as after a crash.
    fn kill(&self, dead: &[u32]) -> u32 {
        let pid = wait_for("a new master", || self.pid().filter(|p| !dead.contains(p)));
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(
            cmdline.starts_with("ssh ") && cmdline.contains(&*self.sock.to_string_lossy()),
            "pid {pid} is not our master: {cmdline}"
        );
        let st = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stdin(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "kill -KILL {pid}");
        // (A follow may already have replaced it: only this pid must stop answering.)
        wait_for("the killed master to stop answering", || (self.pid() != Some(pid)).then_some(()));
        pid
    }
}

/// Nothing outlives the test, even when it fails: our master is told to exit.
impl Drop for OwnMaster {
    fn drop(&mut self) {
        let _ = self.ctl("exit");
    }
}

/// A child that must not outlive a failed test (a follow would start a new master
/// after the test told its master to exit). Declared after the [`OwnMaster`], so it
/// is dropped first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A master that died (SIGKILL, socket file left behind) is detected and replaced:
/// by the next clusterls process, and by a running one in the middle of following a
/// job (its next command fails to start, so it reconnects and sends it again).
#[test]
fn a_dead_master_is_detected_and_replaced() {
    let env = Env::new("deadmaster");
    let cfg = env.config("");
    std::fs::write(env.base.join("clusterls.toml"), "account = \"lab_dev\"\ntime = \"10\"\n")
        .unwrap();
    assert!(env.clusterls(&cfg, &["facts", "--refresh"]).status.success());
    let master = OwnMaster::find(&env, &cfg);
    let first = master.kill(&[]);

    // A new process: the stale socket does not answer, so a new master is started.
    let out = env.clusterls(&cfg, &["facts", "--refresh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = master.pid().expect("a new master after the dead one");
    assert_ne!(second, first);

    // Mid-follow, twice: once as soon as the job runs (the follow is then fetching
    // the job's output: a command in flight dies with the master), and once after
    // the first output line (the follow is then waiting: its next command cannot start).
    let script = env.base.join("slow.py");
    std::fs::write(
        &script,
        "import time\nfor i in range(10):\n    print(i, flush=True)\n    time.sleep(1.5)\nprint('finished')\n",
    )
    .unwrap();
    let err_path = env.base.join("follow.stderr");
    let mut child = KillOnDrop(
        Command::new(binary())
            .arg("--ssh-config")
            .arg(&cfg)
            .args(["--host", "testcluster"])
            .args(["run", "--no-container", "--partition", "test", "--parsable", "--follow"])
            .arg(&script)
            .env("RUST_LOG", "clusterls=info")
            .env("HOME", env.base.join("home"))
            .env("CLUSTERLS_STATE_DIR", env.base.join("state"))
            .current_dir(&env.base)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&err_path).unwrap())
            .spawn()
            .unwrap(),
    );
    let child = &mut child.0;
    // `--parsable --follow`: the id, then the job's output (state lines go to stderr);
    // its first output line means it runs.
    let (seen, mut rest) = wait_line(child, |l| l == "0");
    let id = seen[0].clone();
    assert_eq!(master.kill(&[first]), second);
    let mut killed = vec![first, second];
    // Again, once the follow has replaced the master and printed one more line.
    wait_for("the follow to start a new master", || master.pid());
    let mut tail = String::new();
    assert!(std::io::BufRead::read_line(&mut rest, &mut tail).unwrap() > 0);
    let third = master.kill(&killed);
    killed.push(third);
    assert!(
        child.try_wait().unwrap().is_none(),
        "the follow ended before the master was killed: make the job longer"
    );
    std::io::Read::read_to_string(&mut rest, &mut tail).unwrap();
    eprint!("{tail}");
    let status = child.wait().unwrap();
    let err = std::fs::read_to_string(&err_path).unwrap();
    eprint!("{err}");
    assert!(status.success(), "run --follow after the master died: {status}\n{err}");
    assert!(err.contains(&format!("job {id} COMPLETED exit 0")), "{err}");
    let output: Vec<&str> = seen[1..].iter().map(String::as_str).chain(tail.lines()).collect();
    assert_eq!(output.join(" "), "0 1 2 3 4 5 6 7 8 9 finished", "no output lost or repeated");
    // The follow itself replaced the master each time (it found `second` alive at start).
    assert_eq!(err.matches("started an ssh master").count(), 2, "{err}");
    // Which way each death was noticed: a command that could not start (warned about,
    // then sent again), or one in flight that failed (sent again: all are idempotent).
    let not_started = err.matches("; reconnecting").count();
    eprintln!(
        "deaths noticed before a command started: {not_started}, in flight: {}",
        2 - not_started
    );
    let fourth = master.pid().expect("the follow left a working master");
    assert!(!killed.contains(&fourth), "{killed:?} {fourth}");
}

/// A control socket that accepts but does not speak the mux protocol (a master in
/// the middle of dying, or something else on the path) is not taken for a live
/// master: `ssh -O check` then says "master hello exchange failed", logs in without
/// a master and exits 0, so its exit status alone would say "alive".
#[test]
fn a_socket_that_is_not_a_master_is_replaced() {
    let env = Env::new("notmaster");
    let cfg = env.config("");
    assert!(env.clusterls(&cfg, &["facts", "--refresh"]).status.success());
    let master = OwnMaster::find(&env, &cfg);
    let first = master.pid().expect("clusterls started its master");
    assert!(master.ctl("exit").status.success());
    wait_for("the master to remove its socket", || (!master.sock.exists()).then_some(()));
    // Accept and hang up at once, until the test ends.
    let listener = std::os::unix::net::UnixListener::bind(&master.sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hangups = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        drop(conn);
                        n += 1;
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
            n
        }
    });
    let out = env.clusterls(&cfg, &["facts", "--refresh"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let hangups: u32 = hangups.join().unwrap();
    assert!(hangups > 0, "clusterls never tried the socket");
    assert!(out.status.success(), "{}", stderr(&out));
    let second = master.pid().expect("a real master on the socket now");
    assert_ne!(second, first);
}
