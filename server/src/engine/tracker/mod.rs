//! Tracking jobs: the poll of a host (ONE remote command), the cooperative tick that
//! lets one process per host poll while the others read the shared store, and the
//! background loop. Every decision about what a poll asks and what its answer means is
//! in [`plan`] (pure, tested on recorded output); this half runs the poll, writes the
//! store and emits [`Event`]s.

pub mod plan;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Engine;
use super::error::Result;
use super::event::Event;
use super::state::JobState;
use super::store::{self, JobKind, JobRecord};
use super::transport::Exec;
use super::{lease, policy, programs, script};
use plan::{Controller, Tracked};

/// How long the controller's state written by a poller is news to other processes:
/// three of the slowest poll intervals.
const CONTROLLER_NEWS_MS: i64 = 180_000;

/// What a tracker last saw of a job: state, reason, exit code.
type Seen = (JobState, Option<String>, Option<i32>);

/// A tracker's memory in this process.
pub(super) struct TrackState {
    last_change: Instant,
    memory: plan::Memory,
    /// Live jobs of the host as this process last saw them, to tell changes another
    /// process's poll wrote to the store.
    seen: HashMap<String, Seen>,
    /// A job was just submitted through this engine: the next tick polls even
    /// without the lease (fast first feedback; one extra poll per submit).
    fresh_submit: bool,
    /// Whether slurmctld answered the last poll that asked it (None: not asked yet).
    controller_up: Option<bool>,
    /// Whether accounting answered the last sacct this process asked (None: not yet).
    accounting_up: Option<bool>,
}

impl Default for TrackState {
    fn default() -> Self {
        TrackState {
            last_change: Instant::now(),
            memory: plan::Memory::default(),
            seen: HashMap::new(),
            fresh_submit: false,
            controller_up: None,
            accounting_up: None,
        }
    }
}

fn tracked(r: &JobRecord) -> Tracked {
    match (r.kind, &r.alloc_id, &r.run_dir) {
        (JobKind::Step, Some(alloc), Some(dir)) => {
            Tracked::Step { id: r.id.clone(), alloc: alloc.clone(), run_dir: dir.clone() }
        }
        _ if r.is_array() => Tracked::Array { id: r.id.clone(), tasks: r.tasks.clone() },
        _ => Tracked::Job { id: r.id.clone() },
    }
}

impl Engine {
    pub(super) fn track_state(&self) -> &Mutex<TrackState> {
        &self.inner.track
    }

    fn track(&self) -> std::sync::MutexGuard<'_, TrackState> {
        self.track_state().lock().unwrap()
    }

    /// A job was just submitted through this engine: poll soon, and fast.
    pub(super) fn submitted(&self, rec: &JobRecord) {
        {
            let mut t = self.track();
            t.last_change = Instant::now();
            t.fresh_submit = true;
            t.memory.submitted(&rec.id);
        }
        self.wake().notify_waiters();
    }

    /// Task `id` (`123_4`) of a tracked job array was cancelled: mark it so at once. A
    /// task cancelled while pending never gets a row of its own in accounting (measured
    /// on 22.05 and 24.11), so the tracker could not tell its end otherwise.
    pub(super) fn cancelled_task(&self, id: &str) -> Result<()> {
        let Some((array, index)) = super::array::split_task_id(id) else { return Ok(()) };
        let Some(mut rec) = self.store().get(self.host(), array)? else { return Ok(()) };
        let Some(t) = rec.tasks.iter_mut().find(|t| t.index == index && !t.state.is_final()) else {
            return Ok(());
        };
        t.state = JobState::Cancelled;
        t.reason = None;
        self.store().update_tasks(self.host(), array, &rec.tasks)?;
        Ok(())
    }

    /// Something changed (a cancel): poll soon, and fast.
    pub(super) fn changed(&self) {
        self.touch();
        self.wake().notify_waiters();
    }

    fn touch(&self) {
        self.track().last_change = Instant::now();
    }

    /// One poll of every live job of this host: ONE remote command (squeue for all,
    /// sacct for those that left squeue, exit files of steps). Returns the changes.
    pub async fn poll(&self) -> Result<Vec<Event>> {
        let live = self.store().list(Some(self.host()), true)?;
        if live.is_empty() {
            return Ok(Vec::new());
        }
        let live: Vec<Tracked> = live.iter().map(tracked).collect();
        let p = plan::plan(&live, &self.track().memory);
        let out = self
            .exec(
                Exec::new(
                    "squeue",
                    script::bash(programs::POLL_PROGRAM, "clusterls-poll", p.args()),
                )
                .timeout(Duration::from_secs(60)),
            )
            .await?;
        let answer = plan::Answer::parse(&out.stdout_str());
        let outcome = plan::apply(&live, &p, &answer, &mut self.track().memory);
        let controller = self.report_controller(&outcome.controller)?;
        let accounting = self.accounting_seen(&outcome.accounting);
        let mut changes = Vec::new();
        for u in outcome.updates {
            let old = match &u.tasks {
                Some(tasks) => self.store().update_tasks(self.host(), &u.id, tasks)?,
                None => self.store().update_state(
                    self.host(),
                    &u.id,
                    &u.state,
                    u.reason.as_deref(),
                    u.exit_code,
                    u.nodes.as_deref(),
                )?,
            };
            let Some(old) = old else { continue };
            self.see(&u.id, &u.state, &u.reason, u.exit_code);
            let ev = Event::Job {
                host: self.host().to_string(),
                id: u.id,
                previous: Some(old.state),
                state: u.state,
                reason: u.reason,
                exit_code: u.exit_code,
            };
            self.emit(ev.clone());
            changes.push(ev);
        }
        if !changes.is_empty() {
            self.touch();
        }
        // Not a job's change: polling stays as slow as it was.
        changes.extend(controller);
        changes.extend(accounting);
        Ok(changes)
    }

    /// Record how slurmctld answered this poll for every process (when it changed),
    /// and tell this process's listeners.
    fn report_controller(&self, c: &Controller) -> Result<Option<Event>> {
        let (up, message) = match c {
            Controller::NotAsked => return Ok(None),
            Controller::Reachable => (true, None),
            Controller::Unreachable(m) => (false, Some(m.clone())),
        };
        let stored = self.store().controller(self.host())?;
        if stored.as_ref().map(|r| (r.reachable, r.message.as_deref()))
            != Some((up, message.as_deref()))
        {
            self.store().set_controller(self.host(), up, message.as_deref())?;
        }
        if let Some(m) = &message {
            tracing::info!("slurmctld on {} does not answer: {m}", self.host());
        }
        Ok(self.controller_seen(up, message))
    }

    /// An event when slurmctld stops or starts answering, as this process last knew.
    fn controller_seen(&self, up: bool, message: Option<String>) -> Option<Event> {
        let host = self.host().to_string();
        let ev = Event::Controller { host, reachable: up, message };
        self.answering_changed(|t| &mut t.controller_up, up, ev)
    }

    /// An event when accounting stops or starts answering this process's sacct.
    fn accounting_seen(&self, a: &plan::Accounting) -> Option<Event> {
        let (up, message) = match a {
            plan::Accounting::NotAsked => return None,
            plan::Accounting::Answered | plan::Accounting::Disabled => (true, None),
            plan::Accounting::Unreachable(m) => {
                tracing::info!("accounting (sacct) on {} did not answer: {m}", self.host());
                (false, Some(m.clone()))
            }
        };
        let host = self.host().to_string();
        let ev = Event::Accounting { host, reachable: up, message };
        self.answering_changed(|t| &mut t.accounting_up, up, ev)
    }

    /// Emit `event` when a service (slurmctld, slurmdbd) now answers differently from
    /// what this process last knew (`last`): not on every poll, and nothing when the
    /// first news is that it answers.
    fn answering_changed(
        &self,
        last: impl FnOnce(&mut TrackState) -> &mut Option<bool>,
        up: bool,
        event: Event,
    ) -> Option<Event> {
        let before = last(&mut self.track()).replace(up);
        if before == Some(up) || (before.is_none() && up) {
            return None;
        }
        self.emit(event.clone());
        Some(event)
    }

    fn see(&self, id: &str, state: &JobState, reason: &Option<String>, exit_code: Option<i32>) {
        let mut t = self.track();
        if state.is_final() {
            t.seen.remove(id);
        } else {
            t.seen.insert(id.to_string(), (state.clone(), reason.clone(), exit_code));
        }
    }

    /// One cooperative poll, what trackers and followers call: at most one process
    /// asks Slurm about a host at a time. This one does ([`Engine::poll`]) when it takes
    /// or renews the host's poll lease in the store, or once right after a submit through
    /// it; otherwise it only reads the store (no remote call) and returns the changes
    /// the lease holder wrote there since this process last looked.
    pub async fn tick(&self) -> Result<Vec<Event>> {
        let Some(interval) = self.next_wait()? else {
            return self.observe();
        };
        let fresh = std::mem::take(&mut self.track().fresh_submit);
        let len = lease::length(interval).as_millis() as i64;
        if self.store().take_lease(self.host(), self.holder(), store::now_ms(), len)? || fresh {
            // Jobs that became final in the store before this poll (seen, no longer live).
            let mut changes = self.observe()?;
            changes.extend(self.poll().await?);
            Ok(changes)
        } else {
            self.observe()
        }
    }

    /// Changes in the store of the jobs this process tracks, since it last looked, and
    /// of the controller's state the poller wrote (when fresh: a poller that died
    /// leaves a row that says nothing after a while).
    fn observe(&self) -> Result<Vec<Event>> {
        let host = self.host();
        let mut changes = Vec::new();
        let live = self.store().list(Some(host), true)?;
        let ids: Vec<String> = {
            let mut t = self.track();
            for r in &live {
                t.seen
                    .entry(r.id.clone())
                    .or_insert_with(|| (r.state.clone(), r.reason.clone(), r.exit_code));
            }
            t.seen.keys().cloned().collect()
        };
        for id in ids {
            let Some(r) = self.store().get(host, &id)? else {
                self.track().seen.remove(&id);
                continue;
            };
            let prev = self.track().seen.get(&id).cloned();
            let now: Seen = (r.state.clone(), r.reason.clone(), r.exit_code);
            self.see(&id, &r.state, &r.reason, r.exit_code);
            if let Some(prev) = prev
                && prev != now
            {
                let ev = Event::Job {
                    host: host.to_string(),
                    id,
                    state: now.0,
                    previous: Some(prev.0),
                    reason: now.1,
                    exit_code: now.2,
                };
                self.emit(ev.clone());
                changes.push(ev);
            }
        }
        if !changes.is_empty() {
            self.touch();
        }
        if let Some(c) = self.store().controller(host)?
            && store::now_ms() - c.at < CONTROLLER_NEWS_MS
        {
            changes.extend(self.controller_seen(c.reachable, c.message));
        }
        Ok(changes)
    }

    fn next_wait(&self) -> Result<Option<Duration>> {
        let live = self.store().list(Some(self.host()), true)?;
        // The last change any process saw (a submit or state change in the store), so a
        // lease holder polls fast for a job another process just submitted.
        let newest = live.iter().map(|r| r.submitted_at.max(r.updated_at)).max().unwrap_or(0);
        let in_store = Duration::from_secs(store::now().saturating_sub(newest));
        let since = self.track().last_change.elapsed().min(in_store);
        Ok(policy::poll_interval(since, live.len()))
    }

    /// How long to wait before the next [`Engine::tick`] (the adaptive policy).
    pub fn next_poll_wait(&self) -> Duration {
        self.next_wait().ok().flatten().unwrap_or(Duration::from_millis(500))
    }

    /// The background tracker: polls while anything is live. With nothing live it makes
    /// zero remote calls: it wakes on a submit through this engine, and every 5 s reads
    /// the shared job store (local SQLite) for jobs another process submitted.
    /// Errors are reported as Connection events and retried.
    pub fn start_tracker(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let wait = this.next_wait().unwrap_or_else(|e| {
                    tracing::warn!("tracker: {e}");
                    Some(Duration::from_secs(5))
                });
                // With nothing live, look at the store again in 5 s.
                let live = wait.is_some();
                tokio::select! {
                    _ = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(5))) => {}
                    _ = this.wake().notified() => {}
                }
                if !live {
                    continue;
                }
                if let Err(e) = this.tick().await {
                    tracing::warn!("tracker: {e}");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        })
    }
}
