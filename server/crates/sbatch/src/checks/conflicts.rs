//! Options of one job component that exclude or contradict each other.

use clusterls_core::{Fix, Rule, Severity};

use super::{Checker, Request};
use crate::parse::Directive;
use crate::values;

pub(crate) fn check(c: &mut Checker, r: &Request) {
    mem_conflict(c, r);
    gpu_conflict(c, r);
    nodes_zero_in_array(c, r);
    gpus_per_task_without_tasks(c, r);
    cpus_conflict(c, r);
    per_gpu_without_gpus(c, r);
    task_layout(c, r);
    tasks_over_gpu_cpus(c, r);
    time_min_over_time(c, r);
}

pub(crate) const MEM_CONFLICT: Rule = Rule {
    explanation: "--mem (per node), --mem-per-cpu and --mem-per-gpu are three ways to ask for memory and exclude each other; sbatch refuses a script with more than one. Keep only one of them.",
    ..Rule::new(
        "sbatch/mem-conflict",
        Severity::Error,
        "--mem, --mem-per-cpu and --mem-per-gpu together: sbatch refuses the script.",
    )
};

fn mem_conflict(c: &mut Checker, r: &Request) {
    let mems: Vec<&Directive> =
        [r.mem.map(|m| m.0), r.mem_per_cpu.map(|m| m.0), r.mem_per_gpu.map(|m| m.0)]
            .into_iter()
            .flatten()
            .collect();
    if mems.len() > 1 {
        let names: Vec<String> =
            mems.iter().map(|d| format!("--{}", d.name().unwrap_or(""))).collect();
        for d in &mems[1..] {
            c.push(
                &MEM_CONFLICT,
                d.span.clone(),
                format!(
                    "{} exclude each other: sbatch refuses the script. Keep only one of them.",
                    names.join(" and ")
                ),
            );
        }
    }
}

pub(crate) const GPU_CONFLICT: Rule = Rule {
    explanation: "GPUs asked for in two ways (--gres=gpu:N and --gpus-per-node, or a job-wide --gpus smaller than the per-node count) must agree, or the job is refused. Ask for GPUs one way.",
    ..Rule::new(
        "sbatch/gpu-conflict",
        Severity::Warning,
        "GPU requests that disagree (--gres vs --gpus-per-node vs --gpus).",
    )
};

fn gpu_conflict(c: &mut Checker, r: &Request) {
    if let (Some(g), Some(p)) = (&r.gres_gpu, &r.gpus_per_node) {
        c.push(
            &GPU_CONFLICT,
            p.0.span.clone(),
            format!(
                "GPUs are requested twice, with --gres (line {}) and --gpus-per-node; keep one (they must agree or the job is refused).",
                g.0.line + 1
            ),
        );
    }
    if let (Some((d, _, total)), Some((pd, _, per_node))) = (&r.gpus, r.gpus_per_node_count())
        && *total > 0
        && *total < per_node
    {
        c.push(
            &GPU_CONFLICT,
            d.span.clone(),
            format!(
                "--gpus={total} for the whole job is fewer than the {per_node} per node asked on line {}: sbatch refuses the job. Make --gpus at least {per_node}, or drop one of them.",
                pd.line + 1
            ),
        )
        .severity = Severity::Error;
    }
}

fn nodes_zero_in_array(c: &mut Checker, r: &Request) {
    if let Some(d) = c.index.last(r.component, "nodes")
        && d.value.as_deref().is_some_and(|v| values::parse_node_count(v).is_ok_and(|n| n.0 == 0))
        && c.index.last(r.component, "array").is_some()
    {
        c.push(
            &super::values::INVALID_NODE_COUNT,
            d.span.clone(),
            "--nodes=0 in a job array: sbatch refuses it (\"Node count specification invalid\"). Ask for at least 1 node.",
        );
    }
}

pub(crate) const GPUS_PER_TASK_WITHOUT_TASKS: Rule = Rule {
    explanation: "--gpus-per-task needs a task count to know how many GPUs in all: sbatch refuses it without --ntasks (or --ntasks-per-node, or a job-wide --gpus). Add `--ntasks=N`.",
    ..Rule::new(
        "sbatch/gpus-per-task-without-tasks",
        Severity::Error,
        "--gpus-per-task without --ntasks or --gpus: sbatch refuses it.",
    )
};

fn gpus_per_task_without_tasks(c: &mut Checker, r: &Request) {
    if let Some((d, _)) = r.gpus_per_task
        && r.ntasks.is_none()
        && r.ntasks_per_node.is_none()
        && r.gpus.is_none()
    {
        c.push(
            &GPUS_PER_TASK_WITHOUT_TASKS,
            d.span.clone(),
            "--gpus-per-task needs --ntasks (or --gpus): sbatch refuses it alone. Add --ntasks=N.",
        );
    }
}

pub(crate) const CPUS_CONFLICT: Rule = Rule {
    explanation: "--cpus-per-gpu (or, from 24.11, `--tres-per-task=cpu=N`) and --cpus-per-task both set the CPUs of the job's tasks and exclude each other; sbatch refuses the job. Keep one.",
    ..Rule::new(
        "sbatch/cpus-conflict",
        Severity::Error,
        "--cpus-per-gpu together with --cpus-per-task.",
    )
};

fn cpus_conflict(c: &mut Checker, r: &Request) {
    // `--tres-per-task=cpu=N` with --cpus-per-task: sbatch 24.11 stops ("You can not have
    // --tres-per-task=cpu= and --cpus-per-task", measured; 22.05 has no --tres-per-task;
    // the releases between are not measured).
    if c.version.is_none_or(|v| v >= (24, 11))
        && let Some((ct, _)) = r.cpus_per_task
        && let Some(d) = c.index.last(r.component, "tres-per-task")
        && d.value
            .as_deref()
            .is_some_and(|v| v.split(',').any(|t| t.starts_with("cpu=") || t.starts_with("cpu:")))
    {
        c.push(
            &CPUS_CONFLICT,
            d.span.clone(),
            format!(
                "--tres-per-task=cpu=... and --cpus-per-task (line {}) exclude each other: sbatch refuses the job. Keep one.",
                ct.line + 1
            ),
        );
    }
    if let (Some(d), Some((ct, _))) = (r.cpus_per_gpu, r.cpus_per_task) {
        c.push(
            &CPUS_CONFLICT,
            d.span.clone(),
            format!(
                "--cpus-per-gpu and --cpus-per-task (line {}) exclude each other: sbatch refuses the job. Keep one.",
                ct.line + 1
            ),
        );
    }
}

pub(crate) const PER_GPU_WITHOUT_GPUS: Rule = Rule {
    explanation: "--mem-per-gpu and --cpus-per-gpu count per GPU, so without a GPU request they mean nothing: --mem-per-gpu is refused (\"did not request any GPU\"), --cpus-per-gpu silently has no effect before 24.11 and is refused from it. Request GPUs (--gres=gpu:N or --gpus-per-node=N) or use --mem / --cpus-per-task.",
    ..Rule::new(
        "sbatch/per-gpu-without-gpus",
        Severity::Error,
        "A per-GPU option without a GPU request.",
    )
};

fn per_gpu_without_gpus(c: &mut Checker, r: &Request) {
    if r.wants_gpus() {
        return;
    }
    if let Some((d, _)) = r.mem_per_gpu {
        c.push(
            &PER_GPU_WITHOUT_GPUS,
            d.span.clone(),
            "--mem-per-gpu without a GPU request: sbatch refuses the job (\"did not request any GPU\"). Request GPUs (--gres=gpu:N or --gpus-per-node=N) or use --mem.",
        );
    }
    if let Some(d) = r.cpus_per_gpu {
        // 22.05 ignores it; 24.11 refuses it (measured; the releases between are not).
        if c.version.is_some_and(|v| v >= (24, 11)) {
            c.push(
                &PER_GPU_WITHOUT_GPUS,
                d.span.clone(),
                "--cpus-per-gpu without a GPU request: sbatch refuses the job (\"Requested cpus_per_tres=gres/gpu:N but did not request any\"). Request GPUs or use --cpus-per-task.",
            );
        } else {
            c.push(
                &PER_GPU_WITHOUT_GPUS,
                d.span.clone(),
                "--cpus-per-gpu without a GPU request has no effect; request GPUs or use --cpus-per-task.",
            )
            .severity = Severity::Warning;
        }
    }
}

pub(crate) const TASKS_OVER_GPU_CPUS: Rule = Rule {
    explanation: "With --cpus-per-gpu, the job's CPUs are its GPUs times that number, and every task needs a CPU: more tasks than that is a request that does not add up. Slurm's answer depends on the release and the node layout (measured, `--test-only`: 22.05 refuses `-n 5 --gpus=2 --cpus-per-gpu=2` and accepts `-n 6` or `-n 8`; 24.11 refuses them all on one node and accepts them with `-N 1`, with `--ntasks-per-node` or spread over several nodes; both accept `--overcommit` and `--gpus-per-task`), with \"Requested node configuration is not available\". Raise --cpus-per-gpu to at least tasks ÷ GPUs (the quick fix), or ask for fewer tasks or more GPUs.",
    ..Rule::new(
        "sbatch/tasks-over-gpu-cpus",
        Severity::Warning,
        "More tasks than the CPUs --cpus-per-gpu gives the job's GPUs.",
    )
};

/// More tasks than GPUs × --cpus-per-gpu, when the GPU total is known from the script
/// alone (`--gpus`, or GPUs per node on one node) and nothing else sets the CPUs
/// (`--overcommit`, `--gpus-per-task`; `--ntasks-per-node` from 24.11). A warning: Slurm's own
/// answer depends on more than the script (the doc above).
fn tasks_over_gpu_cpus(c: &mut Checker, r: &Request) {
    let (Some((td, tasks)), Some(cd)) = (r.ntasks, r.cpus_per_gpu) else { return };
    let Some(per_gpu) = cd.value.as_deref().and_then(|v| values::parse_count(v, false).ok()) else {
        return;
    };
    // --ntasks-per-node: 24.11 raises the CPUs, 22.05 still refuses (measured).
    let per_node_raises = r.ntasks_per_node.is_some() && c.version.is_some_and(|v| v >= (24, 11));
    if per_node_raises
        || r.gpus_per_task.is_some()
        || c.index.last(r.component, "overcommit").is_some()
        || per_gpu == 0
    {
        return;
    }
    let gpus = match (&r.gpus, r.gpus_per_node_count(), r.nodes) {
        (Some((_, _, g)), _, _) => *g,
        (None, Some((_, _, g)), None) => g,
        (None, Some((_, _, g)), Some((_, min, max))) if max.is_none_or(|m| m == min) => g * min,
        _ => return,
    };
    if gpus == 0 || tasks <= gpus * per_gpu {
        return;
    }
    let need = tasks.div_ceil(gpus);
    let fix_range = c.value_range(cd);
    let fd = c.push(
        &TASKS_OVER_GPU_CPUS,
        c.value_range(td),
        format!(
            "{tasks} tasks, but --cpus-per-gpu={per_gpu} gives the job's {gpus} GPU(s) {} CPU(s), and every task needs one: Slurm may refuse the job (\"Requested node configuration is not available\", depending on the release and the nodes). Ask for --cpus-per-gpu={need}, or fewer tasks.",
            gpus * per_gpu
        ),
    );
    fd.fixes.push(Fix::replace(format!("Set --cpus-per-gpu={need}"), fix_range, need.to_string()));
}

pub(crate) const TASK_LAYOUT: Rule = Rule {
    explanation: "--nodes, --ntasks and --ntasks-per-node must fit together: fewer tasks than nodes makes sbatch lower the node count, more tasks than nodes × tasks per node is refused. Make the three agree (or give only two of them).",
    ..Rule::new(
        "sbatch/task-layout",
        Severity::Warning,
        "Task, node and tasks-per-node counts that do not fit together.",
    )
};

fn task_layout(c: &mut Checker, r: &Request) {
    if let (Some((nd, min, _)), Some((td, n))) = (r.nodes, r.ntasks)
        && n < min
    {
        c.push(
            &TASK_LAYOUT,
            td.span.clone(),
            format!(
                "{n} task(s) cannot be spread over {min} nodes (line {}): sbatch lowers the node count to {n}. Ask for at least {min} tasks or fewer nodes.",
                nd.line + 1
            ),
        );
    }
    if let (Some((_, min, max)), Some((td, n)), Some((_, per))) =
        (r.nodes, r.ntasks, r.ntasks_per_node)
        && max.is_some_and(|m| m == min)
        && n > min * per
    {
        c.push(
            &TASK_LAYOUT,
            td.span.clone(),
            format!(
                "{n} tasks do not fit on {min} node(s) × {per} tasks per node; raise --nodes or --ntasks-per-node, or lower --ntasks.",
            ),
        )
        .severity = Severity::Error;
    }
}

pub(crate) const TIME_MIN_OVER_TIME: Rule = Rule {
    explanation: "--time-min is the shortest time limit the scheduler may give the job to start it earlier; longer than --time it makes no sense and the job is refused. Lower --time-min below --time.",
    ..Rule::new("sbatch/time-min-over-time", Severity::Error, "--time-min longer than --time.")
};

fn time_min_over_time(c: &mut Checker, r: &Request) {
    if let Some((d, Some(t))) = r.time
        && let Some(tm) = c.index.last(r.component, "time-min")
        && let Some(Ok(Some(min))) =
            tm.value.as_deref().map(|v| values::parse_time(v).map(|x| x.minutes()))
        && min > t
    {
        c.push(
            &TIME_MIN_OVER_TIME,
            tm.span.clone(),
            format!(
                "--time-min ({}) is longer than --time on line {} ({}); lower it.",
                values::human_minutes(min),
                d.line + 1,
                values::human_minutes(t)
            ),
        );
    }
}
