//! Pure: the job.sbatch of a generated run, on one node or several, and the checks of
//! `--nodes`, `--gpus-per-node`, `--gpu-type`, `--constraint` and `--array` that run
//! before anything is uploaded.
//!
//! Several nodes: one task per node, started by `srun` inside the container with its
//! node's GPUs. The batch script exports what a distributed program needs, from Slurm's
//! own variables, never from guesses about addresses (submitit's and SkyPilot's lesson):
//! `MASTER_ADDR` (the allocation's first node, `scontrol show hostnames`),
//! `MASTER_PORT` (`15000 + job id % 16000`: below Linux's ephemeral range, different for
//! neighbouring jobs), `WORLD_SIZE` (the number of tasks); each task sets `RANK` and
//! `NODE_RANK` from `SLURM_PROCID`/`SLURM_NODEID` and `LOCAL_RANK` from `SLURM_LOCALID`.
//! `--launcher torchrun` runs `torchrun --nnodes N --nproc-per-node G --rdzv-backend c10d
//! --rdzv-endpoint $MASTER_ADDR:$MASTER_PORT` in each task instead, behind a guard that
//! exits with [`MISSING_PROGRAM_EXIT`] and a message when the image has no torchrun
//! (`srun --kill-on-bad-exit` then ends every task: a refusal, not a hang).
//!
//! The engine: [`validate`] (with the partition from the facts) and [`validate_array`]
//! before the upload; [`task_command`] with the [`super::interpreter`] result; then
//! [`render`] writes job.sbatch. [`explain_exit`] turns the job's exit code into the
//! message to show.

use clusterls_core::facts::{Partition, RuntimeKind};
use clusterls_sbatch::values::{check_constraint, parse_array, parse_node_count};

use super::interpreter::{Interpreter, Source};
use crate::engine::container::container_line;
use crate::engine::script::{Resources, SBATCH_FILE};
use crate::engine::shell;

/// The exit code of a task whose program is missing from the container image.
pub const MISSING_PROGRAM_EXIT: i32 = 97;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Launcher {
    /// The interpreter runs the script in each task.
    #[default]
    Direct,
    Torchrun,
}

/// A checked request for nodes and GPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub nodes: u32,
    pub gpus_per_node: u32,
    pub gpu_type: Option<String>,
    pub constraint: Option<String>,
    pub launcher: Launcher,
}

impl Layout {
    /// One node, no srun, the interpreter runs the script: today's plain run.
    pub fn single(gpus_per_node: u32) -> Layout {
        Layout {
            nodes: 1,
            gpus_per_node,
            gpu_type: None,
            constraint: None,
            launcher: Launcher::Direct,
        }
    }

    fn uses_srun(&self) -> bool {
        self.nodes > 1 || self.launcher == Launcher::Torchrun
    }
}

/// Check `--nodes N --gpus-per-node G [--gpu-type T] [--constraint C]` as Slurm would,
/// against the partition when its facts are known.
pub fn validate(
    nodes: &str,
    gpus_per_node: u32,
    gpu_type: Option<&str>,
    constraint: Option<&str>,
    launcher: Launcher,
    partition: Option<&Partition>,
) -> Result<Layout, String> {
    let (min, max) = parse_node_count(nodes).map_err(|e| format!("--nodes: {e}"))?;
    if min == 0 {
        return Err("--nodes: a job needs at least 1 node".into());
    }
    if max != Some(min) {
        return Err(format!(
            "--nodes {nodes}: a distributed run needs an exact node count (WORLD_SIZE must be \
             known before the job starts); write e.g. --nodes {min}"
        ));
    }
    let n = u32::try_from(min).map_err(|_| format!("--nodes {nodes}: too many nodes"))?;
    if launcher == Launcher::Torchrun && gpus_per_node == 0 {
        return Err("--launcher torchrun starts one process per GPU; add --gpus-per-node".into());
    }
    if let Some(t) = gpu_type {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) {
            return Err(format!("--gpu-type `{t}` is not a GRES type (e.g. a100)"));
        }
        if gpus_per_node == 0 {
            return Err(format!("--gpu-type {t} needs --gpus-per-node"));
        }
    }
    if let Some(c) = constraint {
        check_constraint(c).map_err(|e| format!("--constraint: {e}"))?;
        if c.contains(['\n', '\r', '\'', '"', '\\', '$', '`', ';', ' ']) {
            return Err(format!("--constraint `{c}`: features are letters, digits and &|,[]()*"));
        }
    }
    if let Some(p) = partition {
        let name = &p.name;
        if !p.nodes.is_empty() && p.nodes.len() < n as usize {
            return Err(format!(
                "partition {name} has {} node(s); --nodes {n} cannot be met (Slurm: \"Requested \
                 node configuration is not available\"). Use --nodes {} or another partition.",
                p.nodes.len(),
                p.nodes.len()
            ));
        }
        if gpus_per_node > 0 {
            let have: u32 = p
                .gpus
                .iter()
                .filter(|g| gpu_type.is_none() || g.gpu_type.as_deref() == gpu_type)
                .map(|g| g.count)
                .sum();
            let types: Vec<&str> = p.gpus.iter().filter_map(|g| g.gpu_type.as_deref()).collect();
            if let Some(t) = gpu_type
                && !types.contains(&t)
            {
                let offer = if types.is_empty() {
                    "its GPUs have no type: drop --gpu-type".to_string()
                } else {
                    format!("it has {}", types.join(", "))
                };
                return Err(format!("partition {name} has no GPUs of type {t}; {offer}"));
            }
            if have < gpus_per_node {
                return Err(format!(
                    "partition {name} has {have} GPU(s) per node; --gpus-per-node {gpus_per_node} \
                     cannot be met (Slurm: \"Requested node configuration is not available\")"
                ));
            }
        }
        if let (Some(c), Some(features)) = (constraint, &p.features) {
            let unknown: Vec<&str> = c
                .split(['&', '|', ',', '[', ']', '(', ')'])
                .map(|f| f.split('*').next().unwrap_or(f))
                .filter(|f| !f.is_empty() && !features.iter().any(|x| x == f))
                .collect();
            if !unknown.is_empty() {
                return Err(format!(
                    "partition {name} has no nodes with feature(s) {} (Slurm: \"Invalid feature \
                     specification\"); its features: {}",
                    unknown.join(", "),
                    if features.is_empty() { "none".to_string() } else { features.join(", ") }
                ));
            }
        }
    }
    Ok(Layout {
        nodes: n,
        gpus_per_node,
        gpu_type: gpu_type.map(str::to_string),
        constraint: constraint.map(str::to_string),
        launcher,
    })
}

/// `--array SPEC` as sbatch reads it: returns (largest index, number of tasks).
/// `max_array_size` is Slurm's MaxArraySize (1001 by default) when known.
pub fn validate_array(spec: &str, max_array_size: Option<u64>) -> Result<(u64, u64), String> {
    let (max, count) = parse_array(spec).map_err(|e| {
        format!("--array {spec}: {e} (sbatch: \"Invalid job array specification\")")
    })?;
    if let Some(limit) = max_array_size
        && max >= limit
    {
        return Err(format!(
            "--array {spec}: index {max} is not below MaxArraySize={limit} (sbatch: \"Invalid job \
             array specification\"); use indexes up to {}",
            limit.saturating_sub(1)
        ));
    }
    Ok((max, count))
}

/// The words each task runs inside the container: the interpreter, the script and its
/// arguments, or the guarded torchrun.
pub fn task_command(
    layout: &Layout,
    interpreter: &Interpreter,
    script: &str,
    args: &[String],
) -> Result<Vec<String>, String> {
    let mut tail = vec![crate::engine::script::path_arg(script)];
    tail.extend(args.iter().cloned());
    match layout.launcher {
        Launcher::Direct => {
            let mut v = interpreter.argv.clone();
            v.extend(tail);
            Ok(v)
        }
        Launcher::Torchrun if interpreter.source != Source::ConfiguredPython => Err(format!(
            "--launcher torchrun starts Python scripts, and `{script}` is not a .py file; drop \
             --launcher or launch torchrun from the script itself"
        )),
        Launcher::Torchrun => {
            // Numbers only are written into the shell text; the endpoint is expanded by
            // the shell in the container from the exported variables; the script and its
            // arguments travel as "$@".
            let program = format!(
                "command -v torchrun >/dev/null 2>&1 || {{ echo \"clusterls: torchrun is not in \
                 the container image; use an image with PyTorch or run without --launcher \
                 torchrun\" >&2; exit {MISSING_PROGRAM_EXIT}; }}; exec torchrun --nnodes={} \
                 --nproc-per-node={} --rdzv-backend=c10d \
                 --rdzv-endpoint=\"$MASTER_ADDR:$MASTER_PORT\" --rdzv-id=\"$SLURM_JOB_ID\" \"$@\"",
                layout.nodes, layout.gpus_per_node
            );
            let mut v = vec!["sh".to_string(), "-c".into(), program, "torchrun".into()];
            v.extend(tail);
            Ok(v)
        }
    }
}

/// The message for a job's exit code, when clusterls knows what it means.
pub fn explain_exit(code: i32) -> Option<&'static str> {
    (code == MISSING_PROGRAM_EXIT).then_some(
        "the program to launch (torchrun) is not in the container image: use an image that has \
         it (PyTorch images do) or run without --launcher torchrun",
    )
}

/// Everything needed to write a generated run's job.sbatch.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub job_name: &'a str,
    /// Partition, account, QoS, CPUs per task, memory, time (`gpus` is ignored: the
    /// layout's GPUs per node are used).
    pub resources: &'a Resources,
    pub layout: &'a Layout,
    /// A checked `--array` spec.
    pub array: Option<&'a str>,
    pub runtime: Option<RuntimeKind>,
    pub runtime_path: Option<&'a str>,
    /// Image path on the cluster; `None` runs without a container.
    pub image: Option<&'a str>,
    pub binds: &'a [String],
    /// From [`task_command`].
    pub command: &'a [String],
    /// What the user ran, for the header comment.
    pub origin: &'a str,
}

/// The output and error files in the run directory; one pair per task for arrays.
pub fn log_files(array: bool) -> (&'static str, &'static str) {
    if array { ("output-%a.log", "error-%a.log") } else { ("output.log", "error.log") }
}

/// The job.sbatch text.
pub fn render(job: &Job) -> String {
    let l = job.layout;
    let mut s = String::from("#!/bin/bash\n");
    let mut directive = |d: String| s.push_str(&format!("#SBATCH {d}\n"));
    directive(format!("--job-name={}", shell::safe_name(job.job_name)));
    // The GPUs per node take the place `Resources` gives `--gres`, so that a one-node run
    // reads exactly as `script::JobScript` writes it.
    let res = Resources { gpus: Some(l.gpus_per_node), ..job.resources.clone() };
    for opt in res.slurm_options() {
        match (&l.gpu_type, opt.starts_with("--gres=gpu:")) {
            (Some(t), true) => directive(format!("--gres=gpu:{t}:{}", l.gpus_per_node)),
            _ => directive(opt),
        }
    }
    if l.uses_srun() {
        directive(format!("--nodes={}", l.nodes));
        directive("--ntasks-per-node=1".into());
    }
    if let Some(c) = &l.constraint {
        directive(format!("--constraint={}", shell::quote(c)));
    }
    if let Some(a) = job.array {
        directive(format!("--array={a}"));
    }
    let (out, err) = log_files(job.array.is_some());
    directive(format!("--output={out}"));
    directive(format!("--error={err}"));
    s.push_str(&format!(
        "# Written by clusterls {} for {}.\n# Run it again from this directory with: sbatch {SBATCH_FILE}\n",
        crate::VERSION,
        job.origin.replace(['\n', '\r'], " ")
    ));
    s.push_str("set -eo pipefail\n");
    s.push_str("echo \"clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\" >&2\n");
    let line = match (job.runtime, job.image) {
        (Some(kind), Some(image)) => container_line(
            kind,
            job.runtime_path,
            image,
            l.gpus_per_node > 0,
            job.binds,
            job.command,
        ),
        _ => shell::join(job.command),
    };
    if !l.uses_srun() {
        s.push_str(&format!("exec {line}\n"));
        return s;
    }
    s.push_str(&format!(
        "# {} node(s), one task each; every task finds rank 0 at the first node.\n",
        l.nodes
    ));
    s.push_str(
        "export MASTER_ADDR=\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\"\n",
    );
    s.push_str("export MASTER_PORT=$((15000 + SLURM_JOB_ID % 16000))\n");
    s.push_str(&format!("export WORLD_SIZE={}\n", l.nodes));
    s.push_str("clusterls_task() {\n");
    s.push_str(
        "    export RANK=\"$SLURM_PROCID\" NODE_RANK=\"$SLURM_NODEID\" LOCAL_RANK=\"$SLURM_LOCALID\"\n",
    );
    // The function reaches each task through the environment (`export -f`); it leaves
    // before the container starts, so the container never sees it.
    s.push_str("    unset -f clusterls_task\n");
    s.push_str(&format!("    exec {line}\n}}\nexport -f clusterls_task\n"));
    let mut srun = vec![
        "srun".to_string(),
        format!("--nodes={}", l.nodes),
        "--ntasks-per-node=1".into(),
        "--kill-on-bad-exit=1".into(),
    ];
    if let Some(c) = job.resources.cpus {
        srun.push(format!("--cpus-per-task={c}"));
    }
    srun.extend(["bash".into(), "-c".into(), "clusterls_task".into()]);
    s.push_str(&shell::join(&srun));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
