//! Which checks against the cluster cannot run with the facts at hand, and why: no facts
//! at all, or facts that lack what a check needs (an older Slurm or clusterls, a site that
//! hides it). A check that lacks its facts says nothing, never a false error; this list
//! is how `clusterls check --format json` says so.

use clusterls_core::ClusterFacts;

use crate::rules::Code;

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
const NEEDS: &[(Code, Needs)] = &[
    (Code::AccountPartition, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (Code::ArrayTooLarge, |f| {
        f.admission.max_array_size.is_none().then_some("the facts do not carry MaxArraySize")
    }),
    (Code::FeatureCombination, |f| {
        f.partitions
            .iter()
            .all(|p| p.node_kinds.is_empty())
            .then_some("the facts do not carry the partitions' nodes with their features")
    }),
    (Code::GpuType, always),
    (Code::ImageNotFound, |f| {
        f.image_dir.is_none().then_some("the facts do not name the cluster's image directory")
    }),
    (Code::MemPerCpuRaised, always),
    (Code::NoGpusOnPartition, always),
    (Code::NoNodesLeft, always),
    (Code::NodeNotInPartition, always),
    (Code::OptionVersion, |f| {
        f.slurm_version.is_none().then_some("the facts do not say the cluster's Slurm release")
    }),
    (Code::OutputDirMissing, |f| {
        f.admission.dirs.is_empty().then_some(
            "no --output/--error directory was probed on the cluster (only `clusterls check --host` probes the scripts' absolute ones)",
        )
    }),
    (Code::PartitionDown, always),
    (Code::PartitionLimit, always),
    (Code::PartitionRestricted, |f| {
        (f.admission.groups.is_none() && f.partitions.iter().any(|p| p.allow_groups.is_some()))
            .then_some("the facts do not carry the user's unix groups (AllowGroups not checked)")
    }),
    (Code::QosLimit, |f| {
        f.admission.qos_limits.is_empty().then_some("the facts do not carry the QOS limits")
    }),
    (Code::QosNotAllowed, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (Code::QosSubmitLimit, |f| {
        f.admission.qos_limits.is_empty().then_some("the facts do not carry the QOS limits")
    }),
    (Code::ReservationDenied, |f| {
        f.admission
            .reservation_access
            .is_empty()
            .then_some("the facts do not carry who may use each reservation")
    }),
    (Code::SignalNeedsPreemption, |f| {
        f.admission
            .preemption
            .is_none()
            .then_some("the facts do not say whether preemption is enabled (PreemptType)")
    }),
    (Code::TimeOverLimit, always),
    (Code::TooManyCpus, |f| {
        f.partitions
            .iter()
            .all(|p| p.cpus_per_node.is_none() && p.node_kinds.iter().all(|k| k.cpus.is_none()))
            .then_some("the facts do not carry the nodes' CPU counts")
    }),
    (Code::TooManyGpus, always),
    (Code::TooManyNodes, always),
    (Code::TooMuchMemory, |f| {
        f.partitions
            .iter()
            .all(|p| p.mem_per_node_mb.is_none() && p.node_kinds.iter().all(|k| k.mem_mb.is_none()))
            .then_some("the facts do not carry the nodes' memory")
    }),
    (Code::UnknownAccount, |f| {
        f.associations
            .is_empty()
            .then_some("the facts have no associations of the user (sacctmgr gave none)")
    }),
    (Code::UnknownFeature, |f| {
        f.partitions
            .iter()
            .all(|p| p.features.is_none())
            .then_some("the facts do not carry the nodes' features")
    }),
    (Code::UnknownLicense, |f| {
        f.admission.licenses.is_none().then_some("the facts do not carry the cluster's licenses")
    }),
    (Code::UnknownNode, always),
    (Code::UnknownPartition, always),
    (Code::UnknownQos, |f| f.qos.is_empty().then_some("the facts list no QOS")),
    (Code::UnknownReservation, |f| {
        f.reservations.is_none().then_some("the facts do not list the reservations")
    }),
];

/// The checks against the cluster that `facts` do not allow, each with its reason.
/// `why_no_facts` is the reason when there are no facts at all.
pub fn skipped(facts: Option<&ClusterFacts>, why_no_facts: &str) -> Vec<Skipped> {
    NEEDS
        .iter()
        .filter_map(|(code, needs)| {
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
            Some(Skipped { code: code.rule().code, reason })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_that_reads_the_facts_is_listed_once_in_order() {
        let codes: Vec<&str> = NEEDS.iter().map(|(c, _)| c.rule().code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
