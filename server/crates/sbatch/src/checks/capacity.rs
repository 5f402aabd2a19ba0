//! The request against the limits and hardware of the one partition it goes to: time,
//! node names, nodes, GPUs, CPUs, memory.

use clusterls_core::facts::Partition;
use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Fix, Rule, Severity};

use super::Checker;
use super::request::Target;
use crate::parse::Directive;
use crate::values;

pub(crate) fn check(c: &mut Checker, f: &ClusterFacts, t: &Target, p: &Partition) {
    time_over_limit(c, f, t, p);
    unknown_node(c, f, t);
    no_nodes_left(c, t, p);
    node_not_in_partition(c, f, t, p);
    too_many_nodes(c, t, p);
    gpus(c, f, t, p);
    too_many_cpus(c, t, p);
    too_much_memory(c, t, p);
}

pub(crate) const TIME_OVER_LIMIT: Rule = Rule {
    explanation: "The time limit is longer than the partition's MaxTime (no limit, UNLIMITED, counts as longer). Where partition limits are enforced sbatch refuses the job; elsewhere it is accepted and pends forever. Ask for at most MaxTime (the quick fix sets it), or use a partition with a longer limit.",
    ..Rule::new(
        "sbatch/time-over-limit",
        Severity::Error,
        "A time limit over the partition's MaxTime.",
    )
};

fn time_over_limit(c: &mut Checker, f: &ClusterFacts, t: &Target, p: &Partition) {
    // UNLIMITED, -1 and 0 all mean "no limit", which is over any MaxTime (measured).
    let (Some((d, time)), Some(max)) = (t.r.time, p.max_time_minutes) else { return };
    if !time.is_none_or(|time| time > max || time == 0) {
        return;
    }
    let time = time.filter(|x| *x > 0).unwrap_or(u64::MAX);
    let vr = d.value_span.clone().unwrap_or(d.span.clone());
    let enforced = f.enforces_partition_limits();
    let fd = c.push(
        &TIME_OVER_LIMIT,
        vr.clone(),
        format!(
            "{} is longer than {}'s limit of {} ({}): {}. Ask for at most {}.",
            if time == u64::MAX {
                "No time limit".to_string()
            } else {
                values::human_minutes(time)
            },
            t.pname(p),
            values::human_minutes(max),
            values::slurm_time(max),
            if enforced {
                "sbatch refuses the job"
            } else {
                "the job is accepted but will pend forever"
            },
            values::slurm_time(max)
        ),
    );
    if !enforced {
        fd.severity = Severity::Warning;
    }
    fd.fixes.push(Fix::replace(
        format!("Set the time to {}", values::slurm_time(max)),
        vr,
        values::slurm_time(max),
    ));
}

pub(crate) const UNKNOWN_NODE: Rule = Rule {
    explanation: "--nodelist and --exclude name nodes; a name the cluster does not have makes sbatch refuse the job (\"Invalid node name specified\"). Fix the name or the hostlist expression (`node[01-04]`).",
    ..Rule::new("sbatch/unknown-node", Severity::Error, "A node name the cluster does not have.")
};

/// Node names (any partition's nodes are valid names).
fn unknown_node(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    let mut all_nodes: Vec<&str> =
        f.partitions.iter().flat_map(|q| q.nodes.iter().map(String::as_str)).collect();
    all_nodes.sort_unstable();
    all_nodes.dedup();
    if all_nodes.is_empty() {
        return;
    }
    for opt in ["nodelist", "exclude"] {
        let Some(d) = c.index.last(t.r.component, opt) else { continue };
        let Some(v) = d.value.as_deref() else { continue };
        if v.contains('/') || v.contains('$') {
            continue; // a node file, or a variable (reported elsewhere)
        }
        let unknown: Vec<String> = match values::expand_hostlist(v) {
            Some(names) => names
                .into_iter()
                .filter(|n| all_nodes.binary_search(&n.as_str()).is_err())
                .collect(),
            None => vec![v.to_string()],
        };
        if let Some(first) = unknown.first() {
            let sugg = did_you_mean(first, all_nodes.iter().copied());
            c.push(
                &UNKNOWN_NODE,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!(
                    "The cluster has no node `{first}`: sbatch refuses the job (\"Invalid node name specified\").{} Write node names like {}.",
                    sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                    all_nodes.iter().take(3).copied().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}

pub(crate) const NO_NODES_LEFT: Rule = Rule {
    explanation: "--exclude removes every node of the partition, so the job can never run and sbatch refuses it. Exclude fewer nodes, or use another partition.",
    ..Rule::new(
        "sbatch/no-nodes-left",
        Severity::Error,
        "--exclude removes every node of the partition.",
    )
};

fn no_nodes_left(c: &mut Checker, t: &Target, p: &Partition) {
    if let Some(d) = c.index.last(t.r.component, "exclude")
        && let Some(names) = d.value.as_deref().and_then(values::expand_hostlist)
        && !p.nodes.is_empty()
        && p.nodes.iter().all(|n| names.contains(n))
    {
        c.push(
            &NO_NODES_LEFT,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "--exclude removes every node of {}: the job can never run and sbatch refuses it. Exclude fewer nodes or use another partition.",
                t.pname(p)
            ),
        );
    }
}

pub(crate) const NODE_NOT_IN_PARTITION: Rule = Rule {
    explanation: "--nodelist asks for nodes the job must get, and one of them is not in the job's partition, so sbatch refuses the job (\"Requested nodes not in this partition\" or \"Node count specification invalid\", measured on 22.05 and 24.11; 24.11 accepts a list longer than --nodes when enough of it is in the partition). List only the partition's nodes, or use the partition that has the node.",
    ..Rule::new(
        "sbatch/node-not-in-partition",
        Severity::Error,
        "--nodelist names a node outside the job's partition.",
    )
};

fn node_not_in_partition(c: &mut Checker, f: &ClusterFacts, t: &Target, p: &Partition) {
    let Some(d) = c.index.last(t.r.component, "nodelist") else { return };
    let Some(v) = d.value.as_deref() else { return };
    if p.nodes.is_empty() || v.contains('/') || v.contains('$') {
        return;
    }
    let Some(names) = values::expand_hostlist(v) else { return };
    let known = |n: &str| f.partitions.iter().any(|q| q.nodes.iter().any(|x| x == n));
    // Nodes the cluster does not have are `sbatch/unknown-node`'s.
    let Some(outside) = names.iter().find(|n| known(n) && !p.nodes.contains(n)) else { return };
    // 24.11 takes only --nodes of a longer list when enough of it is in the partition
    // (measured: `-p gpu -N 1 --nodelist=node[01-02]` accepted, node02 not in gpu; 22.05
    // refuses it: "invalid number of nodes (-N 2-1)").
    let inside = names.iter().filter(|n| p.nodes.contains(n)).count() as u64;
    if c.version.is_some_and(|v| v >= (24, 11))
        && let Some((_, min, max)) = t.r.nodes
        && (names.len() as u64) > max.unwrap_or(min)
        && inside >= min
    {
        return;
    }
    let has: Vec<&str> = f
        .partitions
        .iter()
        .filter(|q| q.nodes.contains(outside))
        .map(|q| q.name.as_str())
        .collect();
    c.push(
        &NODE_NOT_IN_PARTITION,
        c.value_range(d),
        format!(
            "Node {outside} is not in {} (its nodes: {}): sbatch refuses the job (\"Requested nodes not in this partition\" or \"Node count specification invalid\"). {outside} is in: {}.",
            t.pname(p),
            p.nodes.join(", "),
            has.join(", ")
        ),
    );
}

pub(crate) const TOO_MANY_NODES: Rule = Rule {
    explanation: "The job asks for more nodes than the partition has, so sbatch refuses it. Ask for at most the partition's node count, or use a bigger partition.",
    ..Rule::new("sbatch/too-many-nodes", Severity::Error, "More nodes than the partition has.")
};

fn too_many_nodes(c: &mut Checker, t: &Target, p: &Partition) {
    let node_count = p.nodes.len() as u64;
    // With --ntasks below the node count sbatch lowers the node count (measured).
    if let Some((d, min, _)) = t.r.nodes
        && node_count > 0
        && min.min(t.r.ntasks.map_or(u64::MAX, |x| x.1)) > node_count
    {
        c.push(
            &TOO_MANY_NODES,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!("{} has {node_count} node(s); {min} were asked for: sbatch refuses the job. Ask for at most {node_count}.", t.pname(p)),
        );
    }
}

pub(crate) const NO_GPUS_ON_PARTITION: Rule = Rule {
    explanation: "The job asks for GPUs on a partition whose nodes have none, so it is refused (\"Requested node configuration is not available\"). Use a partition with GPUs (the message lists them), or drop the GPU request.",
    ..Rule::new(
        "sbatch/no-gpus-on-partition",
        Severity::Error,
        "GPUs requested on a partition without GPUs.",
    )
};

pub(crate) const GPU_TYPE: Rule = Rule {
    explanation: "The GPU type (`gpu:a100:1`, `--gpus=v100:2`) is not one the partition's nodes have, so the job is refused. Use a listed type, or drop the type to take any GPU.",
    ..Rule::new("sbatch/gpu-type", Severity::Error, "A GPU type the partition does not have.")
};

pub(crate) const TOO_MANY_GPUS: Rule = Rule {
    explanation: "The job asks for more GPUs per node than the partition's nodes have, or more in all than fit on the nodes it may use, so it is refused (\"Requested node configuration is not available\"). Ask for at most the GPUs a node has, and more nodes if you need more.",
    ..Rule::new(
        "sbatch/too-many-gpus",
        Severity::Error,
        "More GPUs than the partition's nodes have.",
    )
};

fn gpus(c: &mut Checker, f: &ClusterFacts, t: &Target, p: &Partition) {
    let r = t.r;
    if !r.wants_gpus() {
        return;
    }
    let per_node_gpus = p.gpus_per_node();
    if per_node_gpus == 0 {
        let d = r
            .gres_gpu
            .as_ref()
            .map(|g| g.0)
            .or(r.gpus_per_node.as_ref().map(|g| g.0))
            .or(r.gpus.as_ref().map(|g| g.0))
            .or(r.gpus_per_task.map(|g| g.0));
        let gpu_parts: Vec<&str> = f
            .partitions
            .iter()
            .filter(|q| q.gpus_per_node() > 0)
            .map(|q| q.name.as_str())
            .collect();
        c.push(
            &NO_GPUS_ON_PARTITION,
            t.anchor(d),
            format!(
                "{} has no GPUs: the job is refused (\"Requested node configuration is not available\").{}",
                t.pname(p),
                if gpu_parts.is_empty() { String::new() } else { format!(" Partitions with GPUs: {}.", gpu_parts.join(", ")) }
            ),
        );
        return;
    }
    if let Some((d, ty, n)) = r.gpus_per_node_count() {
        gpu_type(c, t, p, &ty, d);
        if n > per_node_gpus as u64 {
            c.push(
                &TOO_MANY_GPUS,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!(
                    "{} nodes have {per_node_gpus} GPU(s) each; {n} per node were asked for: the job is refused (\"Requested node configuration is not available\"). Ask for at most {per_node_gpus} per node, and more nodes if you need more GPUs.",
                    t.pname(p)
                ),
            );
        }
    }
    if let Some((d, ty, n)) = r.gpus.clone() {
        gpu_type(c, t, p, &ty, d);
        let node_count = p.nodes.len() as u64;
        let max_nodes = r.nodes.and_then(|x| x.2).unwrap_or(node_count.max(1));
        // GPUs per node as asked (--gres=gpu:N / --gpus-per-node), else as the nodes have.
        let per_node_asked = r.gpus_per_node_count().map(|g| g.2).filter(|g| *g > 0);
        let per = per_node_asked.unwrap_or(per_node_gpus as u64).min(per_node_gpus as u64).max(1);
        let cap = per * max_nodes;
        if n > cap {
            c.push(
                &TOO_MANY_GPUS,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!(
                    "{n} GPUs cannot fit: {per} per node over at most {max_nodes} node(s) of {} is {cap} (\"Node count specification invalid\"). Ask for at most {cap}, or more GPUs per node.",
                    t.pname(p)
                ),
            );
        }
    }
}

fn gpu_type(c: &mut Checker, t: &Target, p: &Partition, ty: &Option<String>, d: &Directive) {
    if let Some(ty) = ty
        && p.gpus.iter().all(|g| g.gpu_type.as_deref() != Some(ty.as_str()))
    {
        let types: Vec<&str> = p.gpus.iter().filter_map(|g| g.gpu_type.as_deref()).collect();
        c.push(
            &GPU_TYPE,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "{} has no `{ty}` GPUs: the job is refused.{}",
                t.pname(p),
                if types.is_empty() {
                    " Its GPUs have no type: drop the type.".to_string()
                } else {
                    format!(" Types there: {}.", types.join(", "))
                }
            ),
        );
    }
}

pub(crate) const TOO_MANY_CPUS: Rule = Rule {
    explanation: "The job asks for more CPUs on one node (--cpus-per-task, tasks per node × CPUs per task, --mincpus) or in all than the partition's nodes have, so it is refused. Ask for fewer CPUs per node, or spread the tasks over more nodes.",
    ..Rule::new(
        "sbatch/too-many-cpus",
        Severity::Error,
        "More CPUs per node than the partition's nodes have.",
    )
};

fn too_many_cpus(c: &mut Checker, t: &Target, p: &Partition) {
    let r = t.r;
    // The largest node decides whether a per-node request can fit anywhere (nodes of one
    // partition may differ); without the node kinds, the one figure the facts have.
    let Some(cpus) =
        p.node_kinds.iter().filter_map(|k| k.cpus).max().or(p.cpus_per_node).map(u64::from)
    else {
        return;
    };
    let node_count = p.nodes.len() as u64;
    let cpt = r.cpus_per_task.map(|x| x.1).unwrap_or(1);
    if let Some((d, n)) = r.cpus_per_task
        && n > cpus
    {
        c.push(
            &TOO_MANY_CPUS,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!("{}'s nodes have {cpus} CPUs; one task cannot have {n}: the job is refused. Ask for at most {cpus}.", t.pname(p)),
        );
    } else if let Some((d, tpn)) = r.ntasks_per_node
        && tpn * cpt > cpus
    {
        c.push(
            &TOO_MANY_CPUS,
            d.span.clone(),
            format!(
                "{tpn} tasks per node × {cpt} CPUs per task = {} CPUs, but {}'s nodes have {cpus}: the job is refused. Lower --ntasks-per-node or --cpus-per-task.",
                tpn * cpt,
                t.pname(p)
            ),
        );
    } else if let Some((d, n)) = r.ntasks {
        let max_nodes = r.nodes.and_then(|x| x.2).unwrap_or(node_count.max(1));
        if n * cpt > cpus * max_nodes && r.ntasks_per_node.is_none() {
            c.push(
                &TOO_MANY_CPUS,
                d.span.clone(),
                format!(
                    "{n} tasks × {cpt} CPUs = {} CPUs, more than {max_nodes} node(s) × {cpus} CPUs in {}: the job is refused. Ask for fewer tasks or more nodes.",
                    n * cpt,
                    t.pname(p)
                ),
            );
        }
    }
    if let Some((d, m)) = r.mincpus
        && m > cpus
    {
        c.push(
            &TOO_MANY_CPUS,
            d.span.clone(),
            format!(
                "{}'s nodes have {cpus} CPUs; --mincpus={m} cannot be met. Ask for at most {cpus}.",
                t.pname(p)
            ),
        );
    }
}

pub(crate) const TOO_MUCH_MEMORY: Rule = Rule {
    explanation: "The memory asked for per node (--mem, or --mem-per-cpu × CPUs per node, or --mem-per-gpu × GPUs) is more than the partition's nodes have, so the job is refused (\"Requested node configuration is not available\"). Ask for at most the node's memory, or `--mem=0` for all of it.",
    ..Rule::new(
        "sbatch/too-much-memory",
        Severity::Error,
        "More memory per node than the partition's nodes have.",
    )
};

fn human(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) { format!("{}G", mb / 1024) } else { format!("{mb}M") }
}

fn too_much_memory(c: &mut Checker, t: &Target, p: &Partition) {
    let r = t.r;
    let Some(mem) = p.node_kinds.iter().filter_map(|k| k.mem_mb).max().or(p.mem_per_node_mb) else {
        return;
    };
    if let Some((d, m)) = r.mem
        && m > mem
    {
        c.push(
            &TOO_MUCH_MEMORY,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "{} per node is more than {}'s nodes have ({}): the job is refused (\"Requested node configuration is not available\"). Ask for at most {}, or --mem=0 for all of it.",
                human(m),
                t.pname(p),
                human(mem),
                human(mem)
            ),
        );
    }
    if let Some((d, m)) = r.mem_per_cpu {
        let cpt = r.cpus_per_task.map(|x| x.1).unwrap_or(1);
        let tpn = r.ntasks_per_node.map(|x| x.1).unwrap_or(1);
        let per_node = m * cpt * tpn;
        if per_node > mem {
            c.push(
                &TOO_MUCH_MEMORY,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!(
                    "{} per CPU × {} CPU(s) per node = {}, more than {}'s nodes have ({}): the job is refused. Lower --mem-per-cpu.",
                    human(m),
                    cpt * tpn,
                    human(per_node),
                    t.pname(p),
                    human(mem)
                ),
            );
        }
    }
    if let Some((d, m)) = r.mem_per_gpu {
        let g = r.gpus_per_node_count().map(|x| x.2).unwrap_or(1);
        if m * g > mem {
            c.push(
                &TOO_MUCH_MEMORY,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!("{} per GPU × {g} GPU(s) is more than {}'s nodes have ({}): the job is refused. Lower --mem-per-gpu.", human(m), t.pname(p), human(mem)),
            );
        }
    }
}
