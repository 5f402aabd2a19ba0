//! Pure: port forwards into a job's node and the servers (Jupyter, TensorBoard) started
//! there. What a forward's record holds, the remote programs that ask whether a job runs
//! and whether its node answers on a port, what their output means, the launcher that
//! starts a server in the container, and the line it prints.

use serde::{Deserialize, Serialize};

use super::super::error::EngineError;
use super::super::sessions::plan::first_node;

/// One live forward, kept as `forwards/LOCAL.json` in the state directory (one file per
/// local port: creating it new is how two processes never take the same port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardRecord {
    pub host: String,
    /// `--ssh-config` the host was reached with (absolute).
    #[serde(default)]
    pub ssh_config: Option<String>,
    /// The ControlMaster's socket that holds the forward (the forward lives in it).
    pub socket: String,
    /// The job (an allocation or a batch job) whose node it reaches; it ends with it.
    pub job: String,
    pub local_port: u16,
    pub node: String,
    pub remote_port: u16,
    /// The process that watches the job and closes the forward when it ends.
    #[serde(default)]
    pub watcher_pid: Option<u32>,
    /// Unix seconds.
    pub created_at: u64,
    /// What it serves (`jupyter`, `tensorboard`), for the list.
    #[serde(default)]
    pub what: Option<String>,
}

impl ForwardRecord {
    pub fn local_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.local_port)
    }
}

/// `squeue` argv for one job's state and nodes: `STATE|NODELIST`.
pub fn squeue_argv(job: &str) -> Vec<String> {
    ["squeue", "-h", "-j", job, "-o", "%T|%N"].map(String::from).into()
}

/// What squeue says about a job, for a forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobNow {
    /// Running on these nodes; the forward goes to the first.
    Running { node: String },
    /// In the queue but not running (pending, completing, suspended...): its state.
    NotRunning(String),
    /// Not in the queue any more (ended, or never was).
    Gone,
    /// squeue failed for another reason (controller down): nothing can be concluded.
    Unknown(String),
}

/// Read [`squeue_argv`]'s answer.
pub fn job_now(status: i32, stdout: &str, stderr: &str) -> JobNow {
    if status != 0 {
        if stderr.contains("Invalid job id") {
            return JobNow::Gone;
        }
        return JobNow::Unknown(stderr.trim().to_string());
    }
    let Some(line) = stdout.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return JobNow::Gone;
    };
    let (state, nodes) = line.split_once('|').unwrap_or((line, ""));
    match (state, first_node(nodes)) {
        ("RUNNING", Some(node)) => JobNow::Running { node },
        _ => JobNow::NotRunning(state.to_string()),
    }
}

/// `squeue` argv for the state and nodes of several jobs at once: what the watcher of a
/// host asks, ONE call per tick however many forwards the host has: `JOBID|STATE|NODELIST`
/// (JOBID as squeue's `%i`: `123`, or `123_4` for an array task).
pub fn squeue_jobs_argv(jobs: &[String]) -> Vec<String> {
    ["squeue", "-h", "--jobs", &jobs.join(","), "-o", "%i|%T|%N"].map(String::from).into()
}

/// Read [`squeue_jobs_argv`]'s answer into what it says of each of `jobs`. A job absent
/// from the list has left the queue. Measured on 22.05: one unknown id alone exits 1
/// with `Invalid job id specified`; in a list of several, unknown ids are left out (exit 0).
pub fn jobs_now(jobs: &[String], status: i32, stdout: &str, stderr: &str) -> Vec<(String, JobNow)> {
    if status != 0 {
        let now = if stderr.contains("Invalid job id") {
            JobNow::Gone
        } else {
            JobNow::Unknown(stderr.trim().to_string())
        };
        return jobs.iter().map(|j| (j.clone(), now.clone())).collect();
    }
    let lines: Vec<(&str, &str)> = stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once('|'))
        .collect();
    jobs.iter()
        .map(|j| {
            let now = match lines.iter().find(|(id, _)| id == j) {
                Some((_, rest)) => job_now(0, rest, ""),
                None => JobNow::Gone,
            };
            (j.clone(), now)
        })
        .collect()
}

/// The name of the one watcher of a host's forwards (its lock file `watch-NAME.lock`):
/// the host alias made safe for a file name, and a hash of alias and ssh config, so two
/// configs naming the same alias get their own watcher.
pub fn watcher_name(host: &str, ssh_config: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let safe: String = host
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' })
        .collect();
    let mut h = Sha256::new();
    h.update(host.as_bytes());
    h.update([0]);
    h.update(ssh_config.unwrap_or("").as_bytes());
    let hex: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{safe}-{hex}")
}

/// The jobs a host's watcher asks squeue about in one tick: each forwarded job once.
pub fn watched_jobs(forwards: &[ForwardRecord]) -> Vec<String> {
    let mut jobs: Vec<String> = forwards.iter().map(|r| r.job.clone()).collect();
    jobs.sort();
    jobs.dedup();
    jobs
}

/// `bash -c PROBE_PROGRAM clusterls-probe NODE PORT`: whether NODE answers on PORT from
/// the login host, where the master's sshd opens the forwarded connections. Prints
/// `open` or `closed`. NODE and PORT are data (`"$0"`, `"$1"` of the inner bash).
pub const PROBE_PROGRAM: &str = r#"case $2 in ''|*[!0-9]*) echo "clusterls: the port must be a number" >&2; exit 2;; esac
if timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; then echo open; else echo closed; fi"#;

pub fn probe_argv(node: &str, port: u16) -> Vec<String> {
    super::super::script::bash(
        PROBE_PROGRAM,
        "clusterls-probe",
        [node.to_string(), port.to_string()],
    )
}

/// Why a forward to `job` cannot be made now.
pub fn not_running(job: &str, now: &JobNow) -> EngineError {
    match now {
        JobNow::NotRunning(state) => EngineError::Usage(format!(
            "job {job} is {state}, not running: a forward needs its node. `clusterls why {job}` says why it waits; try again once it runs"
        )),
        JobNow::Gone => EngineError::Usage(format!(
            "job {job} is not running (it ended, or is not in the queue): nothing to forward to. `clusterls jobs` lists your jobs"
        )),
        JobNow::Unknown(msg) => {
            EngineError::ControllerUnreachable { action: "forward".into(), message: msg.clone() }
        }
        JobNow::Running { .. } => EngineError::Usage(format!("job {job} is running")),
    }
}

/// The error when the node does not answer on the port.
pub fn no_answer(job: &str, node: &str, port: u16) -> EngineError {
    EngineError::Usage(format!(
        "nothing answers on {node}:{port} (job {job}'s node, tried from the login host): start the server in the job first, listening on all interfaces (0.0.0.0) and port {port}; no forward was made"
    ))
}

/// The error when the login host's sshd would not open the forwarded connection.
pub fn forwarding_refused(host: &str, node: &str, port: u16) -> EngineError {
    EngineError::Usage(format!(
        "{host}'s sshd closed the forwarded connection to {node}:{port} at once: it may not allow TCP forwarding (sshd's AllowTcpForwarding), or {node} is not reachable from it; no forward was kept. Ask the cluster's admins how to reach a compute node's port"
    ))
}

/// The error when the local port is taken.
pub fn port_in_use(local: u16, remote: u16, job: &str) -> EngineError {
    let other = if local == u16::MAX { local - 1 } else { local + 1 };
    EngineError::Usage(format!(
        "local port {local} is in use on this machine: choose another, e.g. `clusterls forward {job} {other}:{remote}`, or see `clusterls forward --list`"
    ))
}

/// What `clusterls jupyter` / `clusterls tensorboard` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Jupyter,
    Tensorboard,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Jupyter => "jupyter",
            Server::Tensorboard => "tensorboard",
        }
    }

    /// The URL a user opens; Jupyter's carries its token.
    pub fn url(self, local_port: u16, token: &str) -> String {
        match self {
            Server::Jupyter => format!("http://127.0.0.1:{local_port}/?token={token}"),
            Server::Tensorboard => format!("http://127.0.0.1:{local_port}/"),
        }
    }

    /// What to say when the image lacks the server.
    pub fn missing(self, image: &str) -> EngineError {
        EngineError::Usage(match self {
            Server::Jupyter => format!(
                "the image {image} has no Jupyter (neither `jupyter-lab` nor `jupyter-notebook` is on its PATH): use an image with it (--image, e.g. a jupyter/* or pytorch image with JupyterLab), or add `RUN pip install jupyterlab` to your Dockerfile (`clusterls build`)"
            ),
            Server::Tensorboard => format!(
                "the image {image} has no TensorBoard (no `tensorboard` on its PATH): use an image with it (--image), or add `RUN pip install tensorboard` to your Dockerfile (`clusterls build`)"
            ),
        })
    }
}

/// The launcher uploaded as the step's script and run with bash in the container:
/// `clusterls-serve.sh jupyter` or `clusterls-serve.sh tensorboard LOGDIR`. It picks a
/// free port and a fresh token on the node, prints one [`parse_serve_line`] line, then
/// becomes the server (the token reaches Jupyter through `JUPYTER_TOKEN`, never argv,
/// so `ps` on the node does not show it; the line goes to the private run directory's
/// log). Exit 97: the image lacks the server.
pub const SERVE_SCRIPT: &str = r#"#!/bin/bash
# Started by `clusterls jupyter` / `clusterls tensorboard` in the container on the node.
set -u
what=$1; shift
py=$(command -v python3 || command -v python) || { echo "clusterls-serve: missing python"; exit 97; }
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
node=${SLURMD_NODENAME:-$("$py" -c 'import socket; print(socket.gethostname())')}
home=${HOME:-/nonexistent}
# Jupyter writes runtime files and kernels their history under $HOME: keep them here
# when the container has no writable home.
if [ ! -w "${HOME:-/nonexistent}" ]; then export HOME=$PWD; fi
case $what in
jupyter)
  token=$("$py" -c 'import secrets; print(secrets.token_hex(24))')
  export JUPYTER_TOKEN=$token
  if command -v jupyter-lab >/dev/null; then
    set -- jupyter-lab --no-browser --ip=0.0.0.0 --port="$port" --ServerApp.port_retries=0 --ServerApp.root_dir="$PWD"
  elif command -v jupyter-notebook >/dev/null; then
    set -- jupyter-notebook --no-browser --ip=0.0.0.0 --port="$port" --NotebookApp.port_retries=0 --NotebookApp.notebook_dir="$PWD"
  else
    echo "clusterls-serve: missing jupyter"; exit 97
  fi;;
tensorboard)
  token=
  command -v tensorboard >/dev/null || { echo "clusterls-serve: missing tensorboard"; exit 97; }
  # A relative log directory is relative to the home directory on the cluster.
  case $1 in /*) logdir=$1;; *) logdir=$home/$1;; esac
  set -- tensorboard --logdir "$logdir" --host 0.0.0.0 --port "$port";;
*) echo "clusterls-serve: unknown server"; exit 2;;
esac
echo "clusterls-serve: node=$node port=$port token=$token"
exec "$@"
"#;

/// The file name of [`SERVE_SCRIPT`] in the run directory.
pub const SERVE_FILE: &str = "clusterls-serve.sh";

/// What the launcher said in its output so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// Not yet.
    Waiting,
    /// The server starts on `node:port`.
    Started { node: String, port: u16, token: String },
    /// The image lacks it.
    Missing,
}

/// Read the launcher's output (all of it so far).
pub fn parse_serve_line(output: &str) -> Served {
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("clusterls-serve: ") else { continue };
        if rest.starts_with("missing ") {
            return Served::Missing;
        }
        let mut node = None;
        let mut port = None;
        let mut token = String::new();
        for word in rest.split_whitespace() {
            match word.split_once('=') {
                Some(("node", v)) if !v.is_empty() => node = Some(v.to_string()),
                Some(("port", v)) => port = v.parse::<u16>().ok().filter(|p| *p != 0),
                Some(("token", v)) => token = v.to_string(),
                _ => {}
            }
        }
        if let (Some(node), Some(port)) = (node, port) {
            return Served::Started { node, port, token };
        }
    }
    Served::Waiting
}

/// A node name as squeue and hostname give it may only hold these (it becomes a host
/// the login host's sshd connects to).
pub fn check_node(node: &str) -> Result<(), EngineError> {
    let ok = !node.is_empty()
        && !node.starts_with('-')
        && node.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    if ok {
        Ok(())
    } else {
        Err(EngineError::Usage(format!("`{node}` is not a node name clusterls can forward to")))
    }
}

#[cfg(test)]
mod tests;
