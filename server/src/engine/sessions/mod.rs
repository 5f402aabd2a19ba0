//! Sessions: allocations that outlive a command, the shell a terminal opens in one,
//! and cancelling jobs, steps and allocations. Steps themselves are submitted by
//! [`super::submit`] (`run --in-alloc`). The decisions are in [`plan`].

pub mod efficiency;
pub mod plan;
pub mod reason;

use std::sync::Arc;
use std::time::Duration;

use super::Engine;
use super::error::{EngineError, Result};
use super::resources::Resources;
use super::script;
use super::state::JobState;
use super::store::{JobKind, JobRecord};
use super::transport::{Exec, LineSink};

impl Engine {
    /// Make an allocation that outlives this call (`salloc --no-shell`); tracked like a job.
    pub async fn alloc(&self, res: &Resources) -> Result<JobRecord> {
        self.alloc_with(res, &|_| {}).await
    }

    /// [`Engine::alloc`], telling `requested` the job id as soon as salloc names it
    /// (while it waits), so that a caller that stops waiting can withdraw the request
    /// with [`Engine::cancel`].
    pub async fn alloc_with(
        &self,
        res: &Resources,
        requested: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<JobRecord> {
        let res = self.config().resources(res);
        res.validate().map_err(EngineError::Usage)?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = LineSink(Arc::new(move |l: &str| {
            if let Some(id) = plan::requested_job_id(l) {
                let _ = tx.send(id);
            }
        }));
        let exec = self.exec(
            Exec::new("salloc", script::salloc_argv(&res, "clusterls-alloc"))
                .timeout(Duration::from_secs(300))
                .not_idempotent()
                .stderr_lines(sink),
        );
        let tell = async {
            while let Some(id) = rx.recv().await {
                requested(&id);
            }
        };
        let (out, ()) = tokio::join!(exec, tell);
        let out = out?;
        let stderr = out.stderr_str();
        let Some(id) = script::parse_salloc_job_id(&stderr).filter(|_| out.status == 0) else {
            return Err(EngineError::refused("allocation", &stderr, ""));
        };
        self.record(&id, JobKind::Alloc, "allocation", JobState::Running, None, None, &res)
    }

    /// Cancel a job or release an allocation.
    pub async fn cancel(&self, id: &str) -> Result<()> {
        let rec = self.job(id)?;
        let step_dir = rec
            .as_ref()
            .filter(|r| r.kind == JobKind::Step)
            .map(|r| r.run_dir.clone().unwrap_or_default());
        let argv = plan::cancel_argv(id, step_dir.as_deref())?;
        let what = if step_dir.is_some() { "cancel" } else { "scancel" };
        let out = self.exec(Exec::new(what, argv)).await?;
        if out.status != 0 {
            return Err(EngineError::refused("cancel", &out.stderr_str(), ""));
        }
        self.cancelled_task(id)?;
        self.changed();
        Ok(())
    }

    /// argv of an interactive shell inside allocation `alloc` (for an editor terminal):
    /// `srun --jobid=ID --overlap --pty bash -l`, over ssh through the live connection.
    pub async fn shell_argv(&self, alloc: &str) -> Result<Vec<String>> {
        let remote = plan::shell_argv(alloc)?;
        match self.ssh() {
            None => Ok(remote),
            Some(ssh) => {
                ssh.ensure_connected().await?;
                Ok(ssh.terminal_argv(&remote))
            }
        }
    }

    /// Why job `id` waits: its reason now and the scheduler's estimated start, from
    /// `squeue --start` (which makes the scheduler simulate: only on demand, never in a
    /// poll). `None` when the job is not pending.
    pub async fn why(&self, id: &str) -> Result<Option<reason::StartEstimate>> {
        plan::check_job_or_task_id(id, "job")?;
        let argv: Vec<String> = ["squeue", "--start", "-h", "-j", id, "-o", reason::START_FORMAT]
            .map(String::from)
            .into();
        let out = self.exec(Exec::new("squeue", argv)).await?;
        if out.status != 0 {
            return Err(EngineError::refused("squeue --start", &out.stderr_str(), ""));
        }
        Ok(reason::parse_start(&out.stdout_str()).into_iter().next())
    }

    /// How job `id` went, from accounting (`None`: no row yet).
    pub async fn efficiency(&self, id: &str) -> Result<Option<efficiency::Efficiency>> {
        plan::check_job_or_task_id(id, "job")?;
        let out = self.exec(Exec::new("sacct", efficiency::sacct_argv(id))).await?;
        if out.status != 0 {
            return Err(EngineError::refused("sacct", &out.stderr_str(), ""));
        }
        Ok(efficiency::parse(&out.stdout_str()))
    }
}
