//! The language server's side of the engine: opening it for the configured host, and
//! turning its records (which keep the resources each job asked for, whichever process
//! submitted it), events and errors into `ext` values.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};

use super::event::Event;
use super::ext;
use super::reply::request_failed;
use crate::engine::{self, Engine, EngineError, EngineOptions, JobKind, JobRecord};

/// What an engine was opened with; a change means opening a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub host: String,
    pub ssh_config: Option<PathBuf>,
    pub config: engine::config::Config,
}

pub struct Cluster {
    pub key: Key,
    pub engine: Engine,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Cluster {
    /// Open the engine, start its tracker, and forward its events to `events`.
    pub async fn open(
        key: Key,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<Arc<Cluster>, EngineError> {
        let engine = Engine::open(EngineOptions {
            host: key.host.clone(),
            ssh_config: key.ssh_config.clone(),
            project_dir: None,
            state_dir: None,
            config: Some(key.config.clone()),
        })
        .await?;
        let cluster = Arc::new_cyclic(|weak: &std::sync::Weak<Cluster>| {
            let mut rx = engine.subscribe();
            let weak = weak.clone();
            let forward = tokio::spawn(async move {
                loop {
                    let e = match rx.recv().await {
                        Ok(e) => e,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!("missed {n} engine events");
                            continue;
                        }
                        Err(_) => break,
                    };
                    let Some(cluster) = weak.upgrade() else { break };
                    let started = cluster.transition(&e);
                    if let Some(ev) = cluster.translate(e) {
                        let _ = events.send(ev);
                    }
                    if let Some(ev) = started {
                        let _ = events.send(ev);
                    }
                }
            });
            Cluster { key, engine: engine.clone(), tasks: vec![forward, engine.start_tracker()] }
        });
        Ok(cluster)
    }

    /// What a job's transition means beyond its new state: a job that waited now runs
    /// (the start notification, with its node).
    fn transition(&self, e: &engine::Event) -> Option<Event> {
        let engine::Event::Job { id, state, previous, .. } = e else { return None };
        let was_running = previous.as_ref().is_some_and(|p| p.phase() == engine::Phase::Running);
        if state.phase() != engine::Phase::Running || was_running {
            return None;
        }
        let rec = self.engine.job(id).ok().flatten()?;
        Some(Event::JobStarted(started(job(&rec))))
    }

    fn translate(&self, e: engine::Event) -> Option<Event> {
        match e {
            engine::Event::Job { id, .. } => {
                let rec = match self.engine.job(&id) {
                    Ok(Some(r)) => r,
                    Ok(None) => return None,
                    Err(e) => {
                        tracing::warn!("job {id}: {e}");
                        return None;
                    }
                };
                Some(Event::Job(self.job(&rec)))
            }
            engine::Event::Controller { host, reachable, message } => {
                Some(Event::Controller(ext::ControllerStateParams { host, reachable, message }))
            }
            // Only the poller sees it, and a job waits in its last state meanwhile; the
            // log says it (the editor shows the controller's outage, which matters more).
            engine::Event::Accounting { .. } => None,
            engine::Event::Connection { host, connected, login_required, message } => {
                let state = if connected {
                    ext::ConnectionStateKind::Connected
                } else if login_required {
                    ext::ConnectionStateKind::LoginRequired
                } else {
                    ext::ConnectionStateKind::Error
                };
                Some(Event::Connection(ext::ConnectionStateParams { host, state, message }))
            }
        }
    }

    /// A record as the client sees it; the resources come from the job store, so they
    /// are there for every job, whichever process submitted it.
    pub fn job(&self, r: &JobRecord) -> ext::Job {
        job(r)
    }
}

/// A job array's tasks and counts as the client sees them (None, None for other jobs).
fn tasks(r: &JobRecord) -> (Option<Vec<ext::JobTask>>, Option<Vec<ext::TaskCount>>) {
    if !r.is_array() {
        return (None, None);
    }
    let (out, _) = engine::launch::distributed::log_files(true);
    let tasks = r
        .tasks
        .iter()
        .map(|t| ext::JobTask {
            id: format!("{}_{}", r.id, t.index),
            index: t.index,
            state: t.state.phase(),
            slurm_state: t.state.as_str().to_string(),
            exit_code: t.exit_code,
            nodes: t.nodes.clone(),
            reason: t.reason.clone().filter(|r| !t.state.is_final() && r != "None"),
            log_path: match (&r.run_dir, &r.log_out) {
                (Some(d), None) => Some(format!("{d}/{}", out.replace("%a", &t.index.to_string()))),
                _ => None,
            },
        })
        .collect();
    let counts = engine::array::counts(&r.tasks)
        .into_iter()
        .map(|(s, n)| ext::TaskCount {
            state: s.phase(),
            slurm_state: s.as_str().to_string(),
            count: n as u32,
        })
        .collect();
    (Some(tasks), Some(counts))
}

fn job(r: &JobRecord) -> ext::Job {
    let log = r.run_dir.as_ref().map(|d| format!("{d}/output.log")).filter(|_| !r.is_array());
    let (tasks, task_counts) = tasks(r);
    ext::Job {
        id: r.id.clone(),
        name: r.name.clone(),
        state: r.state.phase(),
        slurm_state: Some(r.state.as_str().to_string()),
        resources: r.resources.clone(),
        submitted_at: Some(r.submitted_at),
        started_at: None,
        ended_at: r.is_final().then_some(r.updated_at),
        exit_code: r.exit_code,
        allocation: r.kind == JobKind::Alloc,
        log_path: if r.kind == JobKind::Alloc { None } else { log },
        script_path: r.run_dir.as_ref().map(|d| format!("{d}/{}", engine::script::SBATCH_FILE)),
        source: None,
        reason: r.reason.clone(),
        reason_text: r
            .reason
            .as_deref()
            .filter(|c| !r.is_final() && *c != "None" && !r.is_array())
            .map(|c| {
                let w = engine::sessions::reason::explain(c);
                format!("{}; {}", w.words, w.advice.replace("JOB", &r.id))
            }),
        nodes: r.nodes.clone(),
        tasks,
        task_counts,
    }
}

/// The start notification of a job now running.
fn started(job: ext::Job) -> ext::JobStartedParams {
    let what = if job.allocation {
        format!("Allocation {}", job.id)
    } else {
        format!("Job {} ({})", job.id, job.name)
    };
    let on = job.nodes.as_deref().map(|n| format!(" on {n}")).unwrap_or_default();
    ext::JobStartedParams { message: format!("{what} is running{on}."), job }
}

/// The JSON-RPC error for an engine error. A login that needs a person becomes
/// [`ext::error_code::LOGIN_REQUIRED`] with the ssh command as data; a usage or
/// configuration mistake is `InvalidParams`; the rest is `RequestFailed`.
pub fn error(e: EngineError) -> Error {
    let message = e.to_string();
    match e {
        EngineError::LoginRequired { host, command, argv } => Error {
            code: ErrorCode::ServerError(ext::error_code::LOGIN_REQUIRED),
            message: message.into(),
            data: serde_json::to_value(ext::LoginCommand { host, command_line: command, argv })
                .ok(),
        },
        EngineError::Usage(_) | EngineError::Config(_) => Error::invalid_params(message),
        // The editor has no --force: its findings are marked in the script already.
        EngineError::ScriptErrors { file, errors } => Error::invalid_params(format!(
            "{}\nclusterls checked `{file}` before submitting it and found {} error(s), marked in the editor; nothing was uploaded. Fix them (the light bulb offers fixes), or override the directive with \"Run on cluster GPU with options…\".",
            errors.join("\n"),
            errors.len()
        )),
        _ => request_failed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The editor's words for a script refused by the checker: no --force, which it lacks.
    #[test]
    fn script_errors_in_the_editors_words() {
        let e = error(EngineError::ScriptErrors {
            file: "a.sbatch".into(),
            errors: vec!["a.sbatch:2: error[sbatch/unknown-partition]: no partition nope".into()],
        });
        assert_eq!(e.code, ErrorCode::InvalidParams);
        expect_test::expect![[r#"
            a.sbatch:2: error[sbatch/unknown-partition]: no partition nope
            clusterls checked `a.sbatch` before submitting it and found 1 error(s), marked in the editor; nothing was uploaded. Fix them (the light bulb offers fixes), or override the directive with "Run on cluster GPU with options…"."#]].assert_eq(&e.message);
    }

    #[test]
    fn login_required_carries_the_ssh_command() {
        let e = error(EngineError::LoginRequired {
            host: "kempner".into(),
            command: "ssh -F '/home/a b/cfg' -o ControlMaster=yes kempner true".into(),
            argv: ["ssh", "-F", "/home/a b/cfg", "-o", "ControlMaster=yes", "kempner", "true"]
                .map(String::from)
                .to_vec(),
        });
        assert_eq!(e.code, ErrorCode::ServerError(ext::error_code::LOGIN_REQUIRED));
        assert!(e.message.contains("needs a password or a code"), "{}", e.message);
        assert_eq!(
            e.data,
            Some(serde_json::json!({
                "host": "kempner",
                "commandLine": "ssh -F '/home/a b/cfg' -o ControlMaster=yes kempner true",
                "argv": ["ssh", "-F", "/home/a b/cfg", "-o", "ControlMaster=yes", "kempner", "true"]
            }))
        );
        let e = error(EngineError::Usage("give a script".into()));
        assert_eq!(e.code, ErrorCode::InvalidParams);
    }

    #[test]
    fn a_record_carries_its_resources_to_the_client() {
        let r = JobRecord {
            host: "h".into(),
            id: "12".into(),
            kind: JobKind::Run,
            name: "train.py".into(),
            state: engine::JobState::parse("RUNNING"),
            reason: None,
            exit_code: None,
            run_dir: Some("/home/a/.clusterls/runs/x y".into()),
            alloc_id: None,
            nodes: Some("node1".into()),
            submitted_at: 100,
            updated_at: 110,
            resources: engine::Resources {
                partition: Some("gpu".into()),
                account: Some("lab_dev".into()),
                gpus: Some(2),
                time: Some("1:00:00".into()),
                ..Default::default()
            },
            ssh_config: None,
            log_out: None,
            log_err: None,
            tasks: Vec::new(),
        };
        expect_test::expect![[r#"
            {
              "id": "12",
              "name": "train.py",
              "state": "running",
              "slurmState": "RUNNING",
              "resources": {
                "partition": "gpu",
                "account": "lab_dev",
                "gpus": 2,
                "time": "1:00:00"
              },
              "submittedAt": 100,
              "allocation": false,
              "logPath": "/home/a/.clusterls/runs/x y/output.log",
              "scriptPath": "/home/a/.clusterls/runs/x y/job.sbatch",
              "nodes": "node1"
            }"#]]
        .assert_eq(&serde_json::to_string_pretty(&job(&r)).unwrap());
    }

    /// A job array: no log of its own, its tasks with their ids, states and logs, and
    /// the count per state.
    #[test]
    fn an_array_carries_its_tasks_to_the_client() {
        let mut tasks = engine::array::new_tasks("0-2").unwrap();
        tasks[0].state = engine::JobState::parse("COMPLETED");
        tasks[0].exit_code = Some(0);
        tasks[1].state = engine::JobState::parse("RUNNING");
        tasks[1].nodes = Some("node01".into());
        tasks[2].reason = Some("JobArrayTaskLimit".into());
        let r = JobRecord {
            host: "h".into(),
            id: "12".into(),
            kind: JobKind::Run,
            name: "sweep.py".into(),
            state: engine::JobState::parse("RUNNING"),
            reason: Some(engine::array::summary(&tasks)),
            exit_code: Some(0),
            run_dir: Some("/r".into()),
            alloc_id: None,
            nodes: None,
            submitted_at: 100,
            updated_at: 110,
            resources: Default::default(),
            ssh_config: None,
            log_out: None,
            log_err: None,
            tasks,
        };
        expect_test::expect![[r#"
            {
              "id": "12",
              "name": "sweep.py",
              "state": "running",
              "slurmState": "RUNNING",
              "resources": {},
              "submittedAt": 100,
              "exitCode": 0,
              "allocation": false,
              "scriptPath": "/r/job.sbatch",
              "reason": "1 running, 1 pending, 1 completed",
              "tasks": [
                {
                  "id": "12_0",
                  "index": 0,
                  "state": "completed",
                  "slurmState": "COMPLETED",
                  "exitCode": 0,
                  "logPath": "/r/output-0.log"
                },
                {
                  "id": "12_1",
                  "index": 1,
                  "state": "running",
                  "slurmState": "RUNNING",
                  "nodes": "node01",
                  "logPath": "/r/output-1.log"
                },
                {
                  "id": "12_2",
                  "index": 2,
                  "state": "pending",
                  "slurmState": "PENDING",
                  "reason": "JobArrayTaskLimit",
                  "logPath": "/r/output-2.log"
                }
              ],
              "taskCounts": [
                {
                  "state": "running",
                  "slurmState": "RUNNING",
                  "count": 1
                },
                {
                  "state": "pending",
                  "slurmState": "PENDING",
                  "count": 1
                },
                {
                  "state": "completed",
                  "slurmState": "COMPLETED",
                  "count": 1
                }
              ]
            }"#]]
        .assert_eq(&serde_json::to_string_pretty(&job(&r)).unwrap());
    }

    #[test]
    fn start_messages() {
        let j = |allocation: bool, nodes: Option<&str>| ext::Job {
            id: "41".into(),
            name: "train.py".into(),
            state: ext::JobState::Running,
            slurm_state: None,
            resources: Default::default(),
            submitted_at: None,
            started_at: None,
            ended_at: None,
            exit_code: None,
            allocation,
            log_path: None,
            script_path: None,
            source: None,
            reason: None,
            reason_text: None,
            nodes: nodes.map(String::from),
            tasks: None,
            task_counts: None,
        };
        assert_eq!(
            started(j(false, Some("node01"))).message,
            "Job 41 (train.py) is running on node01."
        );
        assert_eq!(
            started(j(true, Some("node[02-03]"))).message,
            "Allocation 41 is running on node[02-03]."
        );
        assert_eq!(started(j(false, None)).message, "Job 41 (train.py) is running.");
    }

    #[test]
    fn slurm_states() {
        for (word, want) in [
            ("PENDING", ext::JobState::Pending),
            ("RUNNING", ext::JobState::Running),
            ("COMPLETING", ext::JobState::Running),
            ("COMPLETED", ext::JobState::Completed),
            ("CANCELLED by 1000", ext::JobState::Cancelled),
            ("CANCELLED+", ext::JobState::Cancelled),
            ("OUT_OF_MEMORY", ext::JobState::Failed),
            ("TIMEOUT", ext::JobState::Timeout),
            ("REVOKED", ext::JobState::Cancelled),
            ("SPECIAL_EXIT", ext::JobState::Pending),
            ("VANISHED", ext::JobState::Vanished),
            ("WEIRD", ext::JobState::Unknown),
        ] {
            assert_eq!(engine::JobState::parse(word).phase(), want, "{word}");
        }
    }
}
