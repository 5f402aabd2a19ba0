//! Limits set on the partition for each job (MaxNodes, MaxCPUsPerNode, MaxMemPerNode,
//! MaxMemPerCPU), apart from what its nodes have (`capacity`), and the QOS's per-user
//! submit limit. Each says nothing when the facts lack the limit (UNLIMITED, an older
//! Slurm, a site that hides it).

use clusterls_core::facts::Partition;
use clusterls_core::{ClusterFacts, Fix, Rule, Severity};

use super::Checker;
use super::request::Target;
use crate::values;

pub(crate) fn check(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    qos_submit_limit(c, f, t);
    // Only single-partition requests: with a list, Slurm picks whichever fits.
    if let [p] = t.parts[..] {
        partition_limit(c, f, t, p);
        mem_per_cpu_raised(c, t, p);
    }
}

pub(crate) const PARTITION_LIMIT: Rule = Rule {
    explanation: "The job asks for more than the partition allows one job: more nodes than MaxNodes, more CPUs on a node than MaxCPUsPerNode, or more memory on a node than MaxMemPerNode (`scontrol show partition`). Where partition limits are enforced (EnforcePartLimits) sbatch refuses the job; elsewhere it is accepted and never starts. Ask for at most the limit (the quick fix sets it where one value decides), or use another partition.",
    ..Rule::new(
        "sbatch/partition-limit",
        Severity::Error,
        "A request over the partition's MaxNodes, MaxCPUsPerNode or MaxMemPerNode.",
    )
};

fn human(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) { format!("{}G", mb / 1024) } else { format!("{mb}M") }
}

/// The most nodes the job can get in the partition: its `--nodes` (the upper end of a
/// range), the partition's MaxNodes, and its node count, whichever are known.
fn most_nodes(t: &Target, p: &Partition) -> Option<u64> {
    let asked = t.r.nodes.map(|(_, min, max)| max.unwrap_or(min));
    let there = (!p.nodes.is_empty()).then_some(p.nodes.len() as u64);
    [asked, p.max_nodes, there].into_iter().flatten().min().filter(|n| *n > 0)
}

fn partition_limit(c: &mut Checker, f: &ClusterFacts, t: &Target, p: &Partition) {
    let r = t.r;
    let enforced = f.enforces_partition_limits();
    let outcome =
        if enforced { "sbatch refuses the job" } else { "the job is accepted but never starts" };
    let mut found: Vec<(std::ops::Range<usize>, String, Option<String>)> = Vec::new();
    if let (Some(max), Some((d, min, _))) = (p.max_nodes, r.nodes)
        && min > max
    {
        found.push((
            c.value_range(d),
            format!("{} allows at most {max} node(s) per job (MaxNodes), and the job asks for {min}: {outcome}. Ask for at most {max}.", t.pname(p)),
            (c.text.get(c.value_range(d)) == Some(&min.to_string())).then(|| max.to_string()),
        ));
    }
    if let Some(max) = p.max_cpus_per_node.map(u64::from) {
        let cpt = r.cpus_per_task.map_or(1, |x| x.1);
        if let Some((d, n)) = r.cpus_per_task.filter(|x| x.1 > max) {
            found.push((
                c.value_range(d),
                format!("{} lets a job use at most {max} CPUs on a node (MaxCPUsPerNode); one task cannot have {n}: {outcome}. Ask for at most {max}.", t.pname(p)),
                (c.text.get(c.value_range(d)) == Some(&n.to_string())).then(|| max.to_string()),
            ));
        } else if let Some((d, tpn)) = r.ntasks_per_node.filter(|x| x.1 * cpt > max) {
            found.push((
                d.span.clone(),
                format!("{tpn} tasks per node × {cpt} CPUs per task = {} CPUs on a node, but {} lets a job use at most {max} (MaxCPUsPerNode): {outcome}. Lower --ntasks-per-node or --cpus-per-task.", tpn * cpt, t.pname(p)),
                None,
            ));
        } else if let (None, Some((d, n)), Some(most)) =
            (r.ntasks_per_node, r.ntasks, most_nodes(t, p))
            && n.div_ceil(most) * cpt > max
        {
            // The tasks share at most `most` nodes, so one node has at least n/most of them
            // (measured: `-n 3 -c 2` on MaxNodes=1, MaxCPUsPerNode=4 is refused, "More
            // processors requested than permitted").
            let per_node = n.div_ceil(most) * cpt;
            found.push((
                c.value_range(d),
                format!("{n} tasks × {cpt} CPU(s) on at most {most} node(s) = at least {per_node} CPUs on a node, but {} lets a job use at most {max} (MaxCPUsPerNode): {outcome}. Ask for fewer tasks or CPUs per task.", t.pname(p)),
                None,
            ));
        }
        if let Some((d, m)) = r.mincpus.filter(|x| x.1 > max) {
            found.push((
                d.span.clone(),
                format!("{} lets a job use at most {max} CPUs on a node (MaxCPUsPerNode); --mincpus={m} cannot be met: {outcome}.", t.pname(p)),
                None,
            ));
        }
    }
    if let Some(max) = p.max_mem_per_node_mb {
        if let Some((d, m)) = r.mem.filter(|x| x.1 > max) {
            found.push((
                c.value_range(d),
                format!("{} lets a job use at most {} of memory on a node (MaxMemPerNode), and the job asks for {}: {outcome}. Ask for at most {}.", t.pname(p), human(max), human(m), human(max)),
                Some(human(max)),
            ));
        } else if let Some((d, m)) = r.mem_per_cpu {
            let cpus = r.cpus_per_task.map_or(1, |x| x.1) * r.ntasks_per_node.map_or(1, |x| x.1);
            if m * cpus > max {
                found.push((
                    c.value_range(d),
                    format!("{} per CPU × {cpus} CPU(s) on a node = {}, more than {} lets a job use on a node ({}, MaxMemPerNode): {outcome}. Lower --mem-per-cpu.", human(m), human(m * cpus), t.pname(p), human(max)),
                    None,
                ));
            }
        }
    }
    for (range, message, fix) in found {
        let fd = c.push(&PARTITION_LIMIT, range.clone(), message);
        if !enforced {
            fd.severity = Severity::Warning;
        }
        if let Some(to) = fix {
            fd.fixes.push(Fix::replace(format!("Set it to {to}"), range, to));
        }
    }
}

pub(crate) const MEM_PER_CPU_RAISED: Rule = Rule {
    explanation: "--mem-per-cpu is over the partition's MaxMemPerCPU. Slurm does not refuse the job: it raises the CPUs of each task until the memory per CPU fits (`slurm.conf(5)`, MaxMemPerCPU), so the job is billed for (and waits for) more CPUs than it asked, and may then exceed the node's CPUs. Ask for at most MaxMemPerCPU per CPU and more CPUs, or use --mem.",
    ..Rule::new(
        "sbatch/mem-per-cpu-raised",
        Severity::Warning,
        "--mem-per-cpu over MaxMemPerCPU: Slurm gives each task more CPUs.",
    )
};

fn mem_per_cpu_raised(c: &mut Checker, t: &Target, p: &Partition) {
    let (Some(max), Some((d, m))) = (p.max_mem_per_cpu_mb, t.r.mem_per_cpu) else { return };
    if m <= max || max == 0 {
        return;
    }
    let cpt = t.r.cpus_per_task.map_or(1, |x| x.1);
    let raised = (m * cpt).div_ceil(max);
    c.push(
        &MEM_PER_CPU_RAISED,
        c.value_range(d),
        format!(
            "{} allows at most {} per CPU (MaxMemPerCPU); for {} per CPU Slurm gives each task {raised} CPUs instead of {cpt}, and the job is billed for them. Ask for --mem-per-cpu={} and --cpus-per-task={raised}, or use --mem.",
            t.pname(p),
            human(max),
            human(m),
            human(max)
        ),
    );
}

pub(crate) const QOS_SUBMIT_LIMIT: Rule = Rule {
    explanation: "The job array has more tasks than its QOS lets one user have submitted at once (MaxSubmitJobsPerUser; each array task counts), so sbatch refuses it (\"Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)\", measured on 22.05). Jobs you already have in the queue count too. Submit fewer tasks at a time, or use another QOS.",
    ..Rule::new(
        "sbatch/qos-submit-limit",
        Severity::Error,
        "More array tasks than the QOS's MaxSubmitJobsPerUser.",
    )
};

fn qos_submit_limit(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    let Some(q) = t.r.qos.and_then(|d| d.value.as_deref()) else { return };
    let Some(max) = f.qos_limits(q).and_then(|l| l.max_submit_jobs_per_user) else { return };
    let Some(d) = c.index.last(t.r.component, "array") else { return };
    let Some(Ok((_, count))) = d.value.as_deref().map(values::parse_array) else { return };
    if count > max {
        c.push(
            &QOS_SUBMIT_LIMIT,
            c.value_range(d),
            format!(
                "The array has {count} tasks, but QOS `{q}` lets you have at most {max} jobs submitted at once (MaxSubmitJobsPerUser; each task counts, and so do your jobs already queued): sbatch refuses it (\"Job violates accounting/QOS policy\"). Submit at most {max} tasks at a time."
            ),
        );
    }
}
