//! Submitting an sbatch script as written (a file with `#SBATCH` directives): checked
//! with the sbatch checker first (error findings refuse it, nothing is uploaded, unless
//! `force`), planned by [`crate::engine::launch::as_written::plan`] (directives
//! honoured, flags override, clusterls.toml fills the rest, a comment block in the copy),
//! uploaded with its run directory, its log directories made, and submitted in ONE round
//! trip. Its `--output`/`--error` patterns are kept with the job record, so that `logs`
//! and `--follow` read the files Slurm really writes.

use super::super::Engine;
use super::super::array;
use super::super::error::{EngineError, Result};
use super::super::launch::{as_written, distributed, log_pattern};
use super::super::state::JobState;
use super::super::store::{self, JobKind};
use super::super::{script, upload};
use super::{RunOptions, plan};

impl Engine {
    /// `opts.script` (named `script_name`, text `text`) submitted as written.
    pub(super) async fn run_as_written(
        &self,
        opts: &RunOptions,
        script_name: &str,
        text: &str,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<super::RunOutcome> {
        let config = opts.config.as_ref().unwrap_or(self.config());
        let mut flags_res = opts.resources.clone();
        if opts.gpus_per_node.is_some() {
            flags_res.gpus = opts.gpus_per_node;
        }
        let flags = as_written::Flags {
            resources: flags_res,
            nodes: opts.nodes.clone(),
            array: opts.array.clone(),
            constraint: opts.constraint.clone(),
            gpu_type: opts.gpu_type.clone(),
        };
        let config_only = config.resources(&Default::default());
        let planned =
            as_written::plan(text, &flags, &config_only, script_name, script::SBATCH_FILE)
                .map_err(EngineError::Usage)?;
        // The check reads the cached facts (partitions, accounts); without them it
        // checks what it can.
        let facts = self.facts(false).await.ok().map(|f| f.facts);
        // An array (directive or flag) is checked against MaxArraySize before anything
        // is sent; its tasks are tracked one by one.
        let tasks = match &planned.array {
            Some(spec) => {
                let max = facts.as_ref().and_then(|f| f.admission.max_array_size);
                distributed::validate_array(spec, max).map_err(EngineError::Usage)?;
                array::new_tasks(spec).map_err(EngineError::Usage)?
            }
            None => Vec::new(),
        };
        let findings = clusterls_sbatch::check(text, facts.as_ref());
        if let Some(refused) = plan::refusal(script_name, text, &findings, &planned.overridden) {
            if !opts.force {
                return Err(refused);
            }
            tracing::warn!("submitting {script_name} with --force despite: {refused}");
        }
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let run_name = plan::run_name(now.as_secs(), store::random_token(), script_name);
        let upload::Prepared { run: mut up, project, .. } = upload::prepare(
            &opts.script,
            script_name,
            text.as_bytes().to_vec(),
            opts.sync.as_deref(),
            config.upload_limit,
        )?;
        up.entries.retain(|e| e.path != script::SBATCH_FILE);
        up.add(script::SBATCH_FILE, planned.copy.clone().into_bytes(), upload::plan::SBATCH_MODE);
        // Relative to the run directory, where the program makes them.
        let log_dirs = planned.log_dirs(&log_pattern::work_dir(".", planned.chdir.as_deref()));
        let argv = plan::as_written_argv(&run_name, &log_dirs, &planned.argv);
        let (done, sent) =
            self.submit(project.as_ref(), &up, argv, None, &run_name, progress).await?;
        // What is submitted (directives, flags over them, clusterls.toml's fill-ins),
        // not clusterls.toml's view of a run.
        let res = planned.resources();
        let mut rec =
            self.new_record(&done.id, JobKind::Run, &planned.job_name, JobState::Pending, &res);
        (rec.run_dir, rec.tasks) = (done.dir.clone(), tasks);
        if let Some(dir) = &done.dir {
            let work = log_pattern::work_dir(dir, planned.chdir.as_deref());
            rec.log_out = Some(plan::stored_log(&planned.logs.output, &work));
            rec.log_err = planned.logs.error.as_deref().map(|e| plan::stored_log(e, &work));
        }
        Ok(super::RunOutcome { job: self.track_new(rec)?, upload: sent })
    }
}
