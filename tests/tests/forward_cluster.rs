//! Forwards on the real cluster through the real sshd: a server in the container on the
//! node reached on 127.0.0.1 through the ControlMaster (no new login), closed by hand
//! and by the job's end; the errors; `clusterls jupyter` with Debian's notebook 6.4.

mod engine_common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use engine_common::{Project, cluster, ssh, stderr, stdout, wait_for};

/// Cancels the jobs it holds when the test ends, passed or not.
struct Cancel(Vec<String>);

impl Drop for Cancel {
    fn drop(&mut self) {
        for id in &self.0 {
            let _ = ssh(&["scancel", id]);
        }
    }
}

/// A port free on this machine (the test cluster's nodes are this machine).
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

/// GET `path` from 127.0.0.1:`port` (HTTP/1.0, so the body ends with the
/// connection): the status code and the whole answer, or the connect error.
fn get(port: u16, path: &str, headers: &str) -> Result<(u16, String), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n")
        .map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let code = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((code, text))
}

/// Whether a local port takes connections (a forward's listener is there).
fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// The tiny image has python3-minimal: a socket server, no http.server.
const SERVER: &str = r#"import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(16)
print("serving", flush=True)
while True:
    c, _ = s.accept()
    try:
        if c.recv(65536):
            body = b"hello from the node\n"
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    c.close()
"#;

/// Submit the server as a batch job in the container; wait until it serves.
fn start_server(p: &Project, jobs: &mut Cancel, port: u16) -> String {
    let script = p.write("serve.py", SERVER);
    let c = cluster();
    let port_s = port.to_string();
    let out =
        p.run(&["run", "--image", &c.image, "--parsable", script.to_str().unwrap(), "--", &port_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    jobs.0.push(id.clone());
    wait_for("the server to serve", || {
        let logs = p.run(&["logs", &id]);
        stdout(&logs).contains("serving").then_some(())
    });
    id
}

/// `pid` of the process listening on 127.0.0.1:`port` (from `ss`).
fn listener_pid(port: u16) -> Option<u32> {
    let out = std::process::Command::new("ss")
        .args(["-ltnpH", &format!("sport = :{port}")])
        .output()
        .expect("ss (iproute2)");
    let text = String::from_utf8_lossy(&out.stdout);
    let at = text.find("pid=")?;
    text[at + 4..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The local ports of `pid`'s TCP connections to the cluster's sshd.
fn ssh_source_ports(pid: u32) -> Vec<u16> {
    // The port ssh resolves for the host under test (`ssh -G`).
    let c = cluster();
    let g = std::process::Command::new("ssh")
        .arg("-F")
        .arg(&c.ssh_config)
        .args(["-G", &c.ssh_host])
        .output()
        .expect("ssh -G");
    let sshd_port = String::from_utf8_lossy(&g.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("port ").map(|p| p.trim().to_string()))
        .expect("ssh -G names the port");
    let out = std::process::Command::new("ss")
        .args(["-tnpH", "state", "established", &format!("dport = :{sshd_port}")])
        .output()
        .expect("ss (iproute2)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&format!("pid={pid},")))
        .filter_map(|l| {
            let local = l.split_whitespace().nth(2)?;
            local.rsplit_once(':')?.1.parse().ok()
        })
        .collect()
}

/// sshd's "Accepted" lines (one per login), in order.
fn logins() -> Vec<String> {
    let log = cluster().dir.join("log/sshd.log");
    std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("{}: {e}", log.display()))
        .lines()
        .filter(|l| l.contains("Accepted "))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_forward_reaches_the_server_in_the_job_without_a_new_login_and_ends_with_it() {
    let p = Project::new("forward");
    let mut jobs = Cancel(Vec::new());
    let remote = free_port();
    let id = start_server(&p, &mut jobs, remote);

    let before = logins();
    let local = free_port();
    let spec = format!("{local}:{remote}");
    let out = p.run(&["forward", &id, &spec]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("http://127.0.0.1:{local}/"));

    let (code, page) = get(local, "/", "").expect("the forward answers");
    assert_eq!(code, 200, "{page}");
    assert!(page.ends_with("hello from the node\n"), "{page}");

    // No new login: the listener belongs to an ssh master whose one connection to sshd
    // logged in before the forward was asked for.
    let master = listener_pid(local).expect("something listens on the local port");
    let ports = ssh_source_ports(master);
    assert_eq!(ports.len(), 1, "the master {master} has one connection to sshd: {ports:?}");
    let port_word = format!(" port {} ", ports[0]);
    assert!(
        before.iter().any(|l| l.contains(&port_word)),
        "the master's login (source port {}) was logged before the forward",
        ports[0]
    );
    let after = logins();
    let new: Vec<_> =
        after[before.len().min(after.len())..].iter().filter(|l| l.contains(&port_word)).collect();
    assert!(new.is_empty(), "no new login on the master's connection: {new:?}");

    let list = p.run(&["forward", "--list"]);
    assert!(stdout(&list).contains(&format!("127.0.0.1:{local}")), "{}", stdout(&list));
    assert!(stdout(&list).contains(&format!("node01:{remote}")), "{}", stdout(&list));

    // The same local port twice: refused, saying who holds it.
    let again = p.run(&["forward", &id, &spec]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already forwards"), "{}", stderr(&again));

    // Closing removes it.
    let close = p.run(&["forward", "--close", &local.to_string()]);
    assert!(close.status.success(), "{}", stderr(&close));
    assert!(!listening(local), "the local port still listens after --close");
    assert!(!stdout(&p.run(&["forward", "--list"])).contains(&format!(":{local} ")));

    // Every forward of a job at once.
    let (a, b) = (free_port(), free_port());
    for l in [a, b] {
        let out = p.run(&["forward", &id, &format!("{l}:{remote}")]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // ONE watcher for the host's forwards, ONE squeue per tick for all of them.
    let locks: Vec<_> = std::fs::read_dir(p.state.join("forwards"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("watch-"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "lock"))
        .map(|e| e.path())
        .collect();
    assert_eq!(locks.len(), 1, "one watcher lock for the host: {locks:?}");
    let log = locks[0].with_extension("log");
    let ticks = wait_for("two ticks of the watcher with both forwards", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let ticks: Vec<String> = text
            .lines()
            .filter_map(|l| l.split("watch tick: ").nth(1).map(str::to_string))
            .filter(|t| t.starts_with("2 forwards"))
            .collect();
        (ticks.len() >= 2).then_some(ticks)
    });
    eprintln!("watcher ticks with 2 forwards: {ticks:#?}");
    for t in &ticks {
        assert_eq!(t, "2 forwards into 1 jobs asked with 1 squeue call", "{ticks:?}");
    }
    let close = p.run(&["forward", "--close-job", &id]);
    assert!(close.status.success(), "{}", stderr(&close));
    assert!(!listening(a) && !listening(b), "--close-job left a listener");

    // The job ending removes it (its watcher sees the job go).
    let local2 = free_port();
    let out = p.run(&["forward", &id, &format!("{local2}:{remote}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(listening(local2));
    let cancel = p.run(&["cancel", &id]);
    assert!(cancel.status.success(), "{}", stderr(&cancel));
    // `clusterls cancel` closes the job's forwards itself: no wait for the watcher.
    assert!(!listening(local2), "the forward outlived `clusterls cancel`");
    let l = p.run(&["forward", "--list"]);
    assert!(!stdout(&l).contains(&format!(":{local2} ")), "{}", stdout(&l));

    // A job ended behind clusterls's back (scancel on the login host): the watcher sees
    // it at its next tick (1 s apart just after the forward was made, as the tracker).
    let remote3 = free_port();
    let id3 = start_server(&p, &mut jobs, remote3);
    let local3 = free_port();
    let out = p.run(&["forward", &id3, &format!("{local3}:{remote3}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(listening(local3));
    let gone = ssh(&["scancel", &id3]);
    assert!(gone.status.success(), "{}", stderr(&gone));
    let started = std::time::Instant::now();
    wait_for("the watcher to close the forward of the ended job", || {
        (!listening(local3)).then_some(())
    });
    eprintln!("closed by the watcher {:?} after scancel", started.elapsed());
    wait_for("the watcher to leave with no forwards", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let held = std::process::Command::new("flock")
            .args(["-n", "-x"])
            .arg(&locks[0])
            .arg("true")
            .status()
            .unwrap();
        (held.success() && !text.is_empty()).then_some(())
    });
    let records = std::fs::read_dir(p.state.join("forwards"))
        .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "json")).count())
        .unwrap_or(0);
    assert_eq!(records, 0, "no forward record left");
}

#[test]
fn forwards_that_cannot_be_made_say_why_and_leave_nothing() {
    let p = Project::new("forward-errors");
    let mut jobs = Cancel(Vec::new());
    let remote = free_port();
    let id = start_server(&p, &mut jobs, remote);

    // A local port another program holds.
    let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let out = p.run(&["forward", &id, &format!("{taken_port}:{remote}")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("local port {taken_port} is in use")),
        "{}",
        stderr(&out)
    );

    // Nothing answers on the node's port.
    let silent = free_port();
    let local = free_port();
    let out = p.run(&["forward", &id, &format!("{local}:{silent}")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("nothing answers on node01:{silent}")),
        "{}",
        stderr(&out)
    );
    assert!(!listening(local), "no listener left after a refused forward");

    // A job that is not running.
    let cancel = p.run(&["cancel", &id]);
    assert!(cancel.status.success(), "{}", stderr(&cancel));
    wait_for("the job to leave the queue", || {
        let o = ssh(&["squeue", "-h", "-j", &id]);
        stdout(&o).trim().is_empty().then_some(())
    });
    let out = p.run(&["forward", &id, &format!("{local}:{remote}")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("job {id} is not running")), "{}", stderr(&out));
    assert!(!listening(local));
    let list = p.run(&["forward", "--list"]);
    assert!(stdout(&list).trim().is_empty(), "no forwards left: {}", stdout(&list));
}

/// The image with Debian 12's `jupyter-notebook` (tests/cluster/up pushes it).
fn jupyter_image() -> String {
    format!("docker://{}/tiny/jupyter:6.4", cluster().registry)
}

#[test]
fn jupyter_starts_a_notebook_that_answers_through_its_forward_and_ends_with_the_allocation() {
    let p = Project::new("jupyter");
    let mut jobs = Cancel(Vec::new());
    let image = jupyter_image();
    let out = p.run(&["jupyter", "--image", &image, "--wait", "150"]);
    let err = stderr(&out);
    if let Some(alloc) = err.split("allocation ").nth(1).and_then(|s| s.split_whitespace().next()) {
        jobs.0.push(alloc.to_string());
    }
    assert!(out.status.success(), "{err}");
    let url = stdout(&out).trim().to_string();
    let rest = url.strip_prefix("http://127.0.0.1:").expect("a local URL");
    let (port, query) = rest.split_once('/').unwrap();
    let port: u16 = port.parse().unwrap();
    let token = query.strip_prefix("?token=").expect("the URL carries the token");
    assert!(token.len() >= 32, "a fresh token: {token}");

    // The printed URL answers (the notebook sends you on to its tree with the token).
    let (code, page) = get(port, &format!("/{query}"), "").unwrap();
    assert!(code == 200 || code == 302, "{page}");
    let (code, page) = get(port, &format!("/tree?token={token}"), "").unwrap();
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("Jupyter Notebook") || page.contains("<title>Home"), "{page}");
    // The kernel list, with the token; refused without it.
    let (code, specs) =
        get(port, "/api/kernelspecs", &format!("Authorization: token {token}\r\n")).unwrap();
    assert_eq!(code, 200, "{specs}");
    assert!(specs.contains("\"python3\""), "{specs}");
    let (code, _) = get(port, "/api/kernelspecs", "").unwrap();
    assert_eq!(code, 403, "no token, no kernels");

    // The allocation cancelled: the forward is torn down.
    let alloc = jobs.0.first().cloned().expect("the allocation's id on stderr");
    let cancel = p.run(&["cancel", &alloc]);
    assert!(cancel.status.success(), "{}", stderr(&cancel));
    wait_for("the forward to end with the allocation", || (!listening(port)).then_some(()));
}

#[test]
fn an_image_without_the_server_says_how_to_fix_it_and_releases_its_allocation() {
    let p = Project::new("jupyter-missing");
    let mut jobs = Cancel(Vec::new());
    let c = cluster();
    let out = p.run(&["jupyter", "--image", &c.image, "--wait", "120"]);
    let err = stderr(&out);
    let alloc = err
        .split("allocation ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the allocation's id on stderr")
        .to_string();
    jobs.0.push(alloc.clone());
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("has no Jupyter"), "{err}");
    assert!(err.contains("pip install jupyterlab"), "{err}");
    wait_for("the allocation made for it to go", || {
        let o = ssh(&["squeue", "-h", "-j", &alloc, "-o", "%T"]);
        let s = stdout(&o);
        (s.trim().is_empty() || s.contains("COMPLETING")).then_some(())
    });

    let out =
        p.run(&["tensorboard", "--logdir", "runs", "--image", &jupyter_image(), "--wait", "120"]);
    let err = stderr(&out);
    if let Some(a) = err.split("allocation ").nth(1).and_then(|s| s.split_whitespace().next()) {
        jobs.0.push(a.to_string());
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("has no TensorBoard") && err.contains("pip install tensorboard"), "{err}");
}

#[test]
fn jupyter_stopped_with_ctrl_c_while_starting_cancels_its_allocation() {
    use std::io::BufRead;
    let p = Project::new("jupyter-stop");
    let mut jobs = Cancel(Vec::new());
    let mut child = p
        .cmd(&["jupyter", "--image", &jupyter_image()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let alloc = loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "ended early: {seen}");
        seen.push_str(&line);
        if let Some(rest) = line.strip_prefix("clusterls: allocation ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    jobs.0.push(alloc.clone());
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}{rest}");
    assert!(rest.contains(&format!("stopped; cancelled {alloc}")), "{seen}{rest}");
    wait_for("the allocation to be gone", || {
        let o = ssh(&["squeue", "-h", "-j", &alloc, "-o", "%T"]);
        let s = stdout(&o);
        (s.trim().is_empty() || s.contains("COMPLETING")).then_some(())
    });
}
