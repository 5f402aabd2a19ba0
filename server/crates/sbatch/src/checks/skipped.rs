//! Which checks against the cluster cannot run with the facts at hand, and why: no facts
//! at all, or facts that lack what a check needs (an older Slurm or clusterls, a site that
//! hides it). A check that lacks its facts says nothing, never a false error; this list
//! is how `clusterls check --format json` says so.

use clusterls_core::{ClusterFacts, Rule};

/// A check that did not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub code: &'static str,
    pub reason: String,
}

/// What each check against the cluster needs from the facts: `None` when the facts
/// have it, else what is missing.
type Needs = fn(&ClusterFacts) -> Option<&'static str>;

fn always(_: &ClusterFacts) -> Option<&'static str> {
    None
}

/// Every rule that reads the facts, with what it needs (sorted by code).
const NEEDS: &[(&Rule, Needs)] = &[
    (&super::cluster::ACCOUNT_PARTITION, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (&super::admission::ARRAY_TOO_LARGE, |f| {
        f.admission.max_array_size.is_none().then_some("the facts do not carry MaxArraySize")
    }),
    (&super::admission::FEATURE_COMBINATION, |f| {
        f.partitions
            .iter()
            .all(|p| p.node_kinds.is_empty())
            .then_some("the facts do not carry the partitions' nodes with their features")
    }),
    (&super::capacity::GPU_TYPE, always),
    (&super::containers::IMAGE_NOT_FOUND, |f| {
        f.image_dir.is_none().then_some("the facts do not name the cluster's image directory")
    }),
    (&super::limits::MEM_PER_CPU_RAISED, always),
    (&super::capacity::NO_GPUS_ON_PARTITION, always),
    (&super::capacity::NO_NODES_LEFT, always),
    (&super::capacity::NODE_NOT_IN_PARTITION, always),
    (&super::options::OPTION_VERSION, |f| {
        f.slurm_version.is_none().then_some("the facts do not say the cluster's Slurm release")
    }),
    (&super::outputs::OUTPUT_DIR_MISSING, |f| {
        f.admission.dirs.is_empty().then_some(
            "no --output/--error directory was probed on the cluster (only `clusterls check --host` probes the scripts' absolute ones)",
        )
    }),
    (&super::cluster::PARTITION_DOWN, always),
    (&super::limits::PARTITION_LIMIT, always),
    (&super::admission::PARTITION_RESTRICTED, |f| {
        (f.admission.groups.is_none() && f.partitions.iter().any(|p| p.allow_groups.is_some()))
            .then_some("the facts do not carry the user's unix groups (AllowGroups not checked)")
    }),
    (&super::admission::QOS_LIMIT, |f| {
        f.admission.qos_limits.is_empty().then_some("the facts do not carry the QOS limits")
    }),
    (&super::cluster::QOS_NOT_ALLOWED, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (&super::limits::QOS_SUBMIT_LIMIT, |f| {
        f.admission.qos_limits.is_empty().then_some("the facts do not carry the QOS limits")
    }),
    (&super::admission::RESERVATION_DENIED, |f| {
        f.admission
            .reservation_access
            .is_empty()
            .then_some("the facts do not carry who may use each reservation")
    }),
    (&super::admission::SIGNAL_NEEDS_PREEMPTION, |f| {
        f.admission
            .preemption
            .is_none()
            .then_some("the facts do not say whether preemption is enabled (PreemptType)")
    }),
    (&super::capacity::TIME_OVER_LIMIT, always),
    (&super::capacity::TOO_MANY_CPUS, |f| {
        f.partitions
            .iter()
            .all(|p| p.cpus_per_node.is_none() && p.node_kinds.iter().all(|k| k.cpus.is_none()))
            .then_some("the facts do not carry the nodes' CPU counts")
    }),
    (&super::capacity::TOO_MANY_GPUS, always),
    (&super::capacity::TOO_MANY_NODES, always),
    (&super::capacity::TOO_MUCH_MEMORY, |f| {
        f.partitions
            .iter()
            .all(|p| p.mem_per_node_mb.is_none() && p.node_kinds.iter().all(|k| k.mem_mb.is_none()))
            .then_some("the facts do not carry the nodes' memory")
    }),
    (&super::cluster::UNKNOWN_ACCOUNT, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (&super::cluster::UNKNOWN_FEATURE, |f| {
        f.partitions
            .iter()
            .all(|p| p.features.is_none())
            .then_some("the facts do not carry the nodes' features")
    }),
    (&super::admission::UNKNOWN_LICENSE, |f| {
        f.admission.licenses.is_none().then_some("the facts do not carry the cluster's licenses")
    }),
    (&super::capacity::UNKNOWN_NODE, always),
    (&super::cluster::UNKNOWN_PARTITION, always),
    (&super::cluster::UNKNOWN_QOS, |f| f.qos.is_empty().then_some("the facts list no QOS")),
    (&super::cluster::UNKNOWN_RESERVATION, |f| {
        f.reservations.is_none().then_some("the facts do not list the reservations")
    }),
];

/// The checks against the cluster that `facts` do not allow, each with its reason.
/// `why_no_facts` is the reason when there are no facts at all.
pub fn skipped(facts: Option<&ClusterFacts>, why_no_facts: &str) -> Vec<Skipped> {
    NEEDS
        .iter()
        .filter_map(|(rule, needs)| {
            let reason = match facts {
                None => why_no_facts.to_string(),
                Some(f) => {
                    let missing = needs(f)?;
                    // Which release read them: an older one may not report the field.
                    match &f.slurm_version {
                        Some(v) => {
                            missing.replacen("the facts ", &format!("the facts (Slurm {v}) "), 1)
                        }
                        None => missing.to_string(),
                    }
                }
            };
            Some(Skipped { code: rule.code, reason })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_that_reads_the_facts_is_listed_once_in_order() {
        let codes: Vec<&str> = NEEDS.iter().map(|(r, _)| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
