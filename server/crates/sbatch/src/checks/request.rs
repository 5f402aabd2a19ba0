//! What a job component asks for, read once from the [`Index`], and the partitions it
//! goes to ([`Target`], what the checks against the cluster's facts take).

use std::ops::Range;

use clusterls_core::facts::Partition;

use super::Index;
use crate::parse::Directive;
use crate::values;

/// What a job component asks for (the last directive of each option wins).
#[derive(Default)]
pub(crate) struct Request<'a> {
    pub component: usize,
    pub partition: Option<&'a Directive>,
    pub account: Option<&'a Directive>,
    pub qos: Option<&'a Directive>,
    pub time: Option<(&'a Directive, Option<u64>)>,
    pub nodes: Option<(&'a Directive, u64, Option<u64>)>,
    pub ntasks: Option<(&'a Directive, u64)>,
    pub ntasks_per_node: Option<(&'a Directive, u64)>,
    pub cpus_per_task: Option<(&'a Directive, u64)>,
    pub mem: Option<(&'a Directive, u64)>,
    pub mem_per_cpu: Option<(&'a Directive, u64)>,
    pub mem_per_gpu: Option<(&'a Directive, u64)>,
    pub gres_gpu: Option<(&'a Directive, Option<String>, u64)>,
    pub gpus_per_node: Option<(&'a Directive, Option<String>, u64)>,
    pub gpus: Option<(&'a Directive, Option<String>, u64)>,
    pub gpus_per_task: Option<(&'a Directive, u64)>,
    pub cpus_per_gpu: Option<&'a Directive>,
    pub mincpus: Option<(&'a Directive, u64)>,
}

impl<'a> Request<'a> {
    pub fn of(index: &Index<'a>, component: usize) -> Request<'a> {
        let last = |name: &str| index.effective(component, name);
        let val = |name: &str| last(name).and_then(|d| d.value.as_deref().map(|v| (d, v)));
        let count = |name: &str| {
            val(name).and_then(|(d, v)| values::parse_count(v, true).ok().map(|n| (d, n)))
        };
        let mem =
            |name: &str| val(name).and_then(|(d, v)| values::parse_memory(v).ok().map(|n| (d, n)));
        let gpus = |name: &str| {
            val(name).and_then(|(d, v)| {
                let items = values::parse_gpus(v).ok()?;
                let total: u64 = items.iter().map(|i| i.1).sum();
                Some((d, items.into_iter().find_map(|i| i.0), total))
            })
        };
        Request {
            component,
            partition: last("partition"),
            account: last("account"),
            qos: last("qos"),
            time: val("time")
                .and_then(|(d, v)| values::parse_time(v).ok().map(|t| (d, t.minutes()))),
            // `--nodes=0` means "not given" to the capacity checks.
            nodes: val("nodes")
                .and_then(|(d, v)| values::parse_node_count(v).ok().map(|(a, b)| (d, a, b)))
                .filter(|n| n.1 > 0),
            ntasks: count("ntasks"),
            ntasks_per_node: count("ntasks-per-node"),
            cpus_per_task: count("cpus-per-task"),
            mem: mem("mem"),
            mem_per_cpu: mem("mem-per-cpu"),
            mem_per_gpu: mem("mem-per-gpu"),
            gres_gpu: val("gres").and_then(|(d, v)| {
                let items = values::parse_gres(v).ok()?;
                // Repeated gpu entries: the last one counts (measured: `gpu:1,gpu:2` with --gpus=2 is accepted).
                let g = items.into_iter().rev().find(|i| i.name == "gpu")?;
                Some((d, g.gres_type, g.count))
            }),
            gpus_per_node: gpus("gpus-per-node"),
            gpus: gpus("gpus"),
            gpus_per_task: val("gpus-per-task").and_then(|(d, v)| {
                values::parse_gpus(v).ok().map(|i| (d, i.iter().map(|x| x.1).sum()))
            }),
            cpus_per_gpu: last("cpus-per-gpu"),
            mincpus: count("mincpus"),
        }
    }

    pub fn wants_gpus(&self) -> bool {
        self.gres_gpu.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus_per_node.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus_per_task.is_some_and(|g| g.1 > 0)
    }

    /// GPUs per node, when the request says so directly.
    pub fn gpus_per_node_count(&self) -> Option<(&'a Directive, Option<String>, u64)> {
        self.gres_gpu.clone().or(self.gpus_per_node.clone())
    }
}

/// The partitions a component goes to, and how to name them in messages.
pub(crate) struct Target<'r, 'a> {
    pub parts: Vec<&'a Partition>,
    pub r: &'r Request<'a>,
}

impl Target<'_, '_> {
    /// `partition gpu`, or `the default partition cpu` when the script names none.
    pub fn pname(&self, p: &Partition) -> String {
        if self.r.partition.is_some() {
            format!("partition {}", p.name)
        } else {
            format!("the default partition {}", p.name)
        }
    }

    /// Where a finding about `d` goes: `d`, else the --partition directive.
    pub fn anchor(&self, d: Option<&Directive>) -> Range<usize> {
        d.map(|d| d.span.clone()).or(self.r.partition.map(|p| p.span.clone())).unwrap_or(0..0)
    }
}
