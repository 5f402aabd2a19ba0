//! Following a job from the CLI (`run --follow`, `logs --follow`): its state changes on
//! stderr as they happen, its output on stdout as it grows, its end as our exit status,
//! and a lost link to the cluster waited out rather than ending the follow.

use std::io::Write;
use std::process::ExitCode;

use super::exit;
use super::render::visible;
use crate::engine::launch::distributed;
use crate::engine::{Engine, EngineError, Event, JobRecord, JobState, LogChunk};

pub(super) fn print_event(e: &Event) {
    match e {
        Event::Controller { host, reachable: false, message } => eprintln!(
            "clusterls: Slurm's controller on {host} does not answer ({}); job states stay as last seen until it does. If it lasts, ask the cluster's admins.",
            message.as_deref().unwrap_or("no answer")
        ),
        Event::Controller { host, reachable: true, .. } => {
            eprintln!("clusterls: Slurm's controller on {host} answers again")
        }
        Event::Accounting { host, reachable: false, message } => eprintln!(
            "clusterls: Slurm's accounting (slurmdbd) on {host} does not answer ({}); a job that left the queue shows how it ended once it does. If it lasts, ask the cluster's admins.",
            message.as_deref().unwrap_or("no answer")
        ),
        Event::Accounting { host, reachable: true, .. } => {
            eprintln!("clusterls: Slurm's accounting on {host} answers again")
        }
        _ => {}
    }
    if let Event::Job { id, state, reason, exit_code, .. } = e {
        let mut line = format!("job {id} {state}");
        if let Some(r) = reason {
            line.push_str(&format!(" ({r})"));
        }
        if let Some(c) = exit_code {
            line.push_str(&format!(" exit {c}"));
        }
        // State lines go to stderr: stdout carries the job's own output alone.
        eprintln!("{}", visible(&line));
    }
}

/// How long a follow waits between attempts while the link to the cluster is lost.
const LINK_RETRY: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a follow keeps retrying a lost link before it gives up.
const LINK_GIVE_UP: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// A follow's view of the link to the cluster: a dropped connection (sshd restarted,
/// network gone) or a stalled one (a command timed out) is waited out, told once,
/// rather than ending the follow: the job keeps running there. Only once the link has
/// worked in this follow: a host that never answers fails at once, as before.
#[derive(Default)]
struct Link {
    worked: bool,
    lost_at: Option<std::time::Instant>,
}

impl Link {
    /// Whether `e` is a lost link to wait out (told the first time); false for any
    /// other error, or once the link has been lost for [`LINK_GIVE_UP`].
    fn lost(&mut self, e: &EngineError, engine: &Engine, id: &str) -> bool {
        if !self.worked || !matches!(e, EngineError::Connect { .. } | EngineError::Timeout { .. }) {
            return false;
        }
        match self.lost_at {
            Some(t) => t.elapsed() < LINK_GIVE_UP,
            None => {
                self.lost_at = Some(std::time::Instant::now());
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default();
                eprintln!(
                    "clusterls: lost the link to {}: {}\nJob {id} keeps running there; still following it, retrying every {} s (Ctrl-C stops following, not the job).",
                    engine.host(),
                    visible(first),
                    LINK_RETRY.as_secs()
                );
                true
            }
        }
    }

    /// The link answers again (told when it had been lost).
    fn back(&mut self, engine: &Engine, id: &str) {
        self.worked = true;
        if self.lost_at.take().is_some() {
            eprintln!("clusterls: {} answers again; following job {id}", engine.host());
        }
    }
}

/// Follow a job to its end: state changes as they happen, its output as it grows,
/// and its exit code as ours.
pub(super) async fn follow(engine: &Engine, id: &str) -> Result<ExitCode, EngineError> {
    let (mut off_out, mut off_err) = (0u64, 0u64);
    // The last state printed; None before the first tick (a job already final prints none).
    let mut printed: Option<JobState> = None;
    let mut link = Link::default();
    let rec = loop {
        let rec = match engine.job_view(id) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Err(EngineError::Usage(format!(
                    "job {id} is not tracked on {}; see `clusterls jobs`",
                    engine.host()
                )));
            }
            Err(e) => return Err(e),
        };
        if rec.is_final() {
            // Another process's poll may have written the end between two ticks.
            if printed.as_ref().is_some_and(|p| *p != rec.state) {
                print_event(&Event::Job {
                    host: rec.host.clone(),
                    id: rec.id.clone(),
                    state: rec.state.clone(),
                    previous: printed,
                    reason: rec.reason.clone(),
                    exit_code: rec.exit_code,
                });
            }
            break rec;
        }
        printed.get_or_insert(rec.state.clone());
        match engine.tick().await {
            // Only this job's changes (the poll covers every tracked job of the host).
            Ok(events) => {
                link.back(engine, id);
                events.iter().for_each(|e| match e {
                    Event::Job { id: i, state, .. } if i == id => {
                        printed = Some(state.clone());
                        print_event(e)
                    }
                    Event::Controller { .. } | Event::Accounting { .. } => print_event(e),
                    _ => {}
                })
            }
            Err(e) if link.lost(&e, engine, id) => {
                tokio::time::sleep(LINK_RETRY).await;
                continue;
            }
            Err(e) => return Err(e),
        }
        let running =
            engine.job_view(id).ok().flatten().is_some_and(|r| r.state == JobState::Running);
        if running && rec.run_dir.is_some() && !rec.is_array() {
            match engine.logs(id, off_out, off_err).await {
                Ok(chunk) => write_chunk(&chunk, &mut off_out, &mut off_err),
                Err(e) if link.lost(&e, engine, id) => {
                    tokio::time::sleep(LINK_RETRY).await;
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        if engine.job_view(id).ok().flatten().is_some_and(|r| r.is_final()) {
            continue;
        }
        tokio::time::sleep(engine.next_poll_wait()).await;
    };
    if rec.run_dir.is_some() && !rec.is_array() {
        match engine.logs(id, off_out, off_err).await {
            Ok(chunk) => write_chunk(&chunk, &mut off_out, &mut off_err),
            Err(e) => return Err(e),
        }
    }
    if rec.is_array() {
        eprintln!(
            "clusterls: array {}: {}; each task's log: `clusterls logs {}_INDEX`",
            visible(&rec.id),
            crate::engine::array::summary(&rec.tasks),
            visible(&rec.id)
        );
    }
    Ok(ended(&rec))
}

/// A followed job's end as our exit status: 0 when it succeeded, else [`exit::FAILED`],
/// with its state and own exit code on stderr (never passed through as ours: it could be
/// any value, and collide with clusterls's own failures).
fn ended(rec: &JobRecord) -> ExitCode {
    let succeeded = rec.state == JobState::Completed && rec.exit_code.unwrap_or(0) == 0;
    if succeeded {
        return ExitCode::SUCCESS;
    }
    let code = rec.exit_code.map(|c| format!(", exit code {c}")).unwrap_or_default();
    if let Some(why) = rec.exit_code.and_then(distributed::explain_exit) {
        eprintln!("clusterls: {why}");
    }
    eprintln!(
        "clusterls: job {} ended {}{code}; clusterls exits {} (see `clusterls --help`)",
        visible(&rec.id),
        rec.state,
        exit::FAILED
    );
    ExitCode::from(exit::FAILED)
}

pub(super) fn write_chunk(chunk: &LogChunk, off_out: &mut u64, off_err: &mut u64) {
    let _ = std::io::stdout().write_all(&chunk.out);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(&chunk.err);
    *off_out += chunk.out.len() as u64;
    *off_err += chunk.err.len() as u64;
}
