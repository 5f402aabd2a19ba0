//! What clusterls knows about a cluster: partitions, the user's associations, the
//! container runtime and the images already pulled. The engine fills it from the live
//! cluster in one round trip; the checkers read it; `clusterls facts --json` prints it
//! and `clusterls check --facts FILE` reads it back (this serde form is that format).
//!
//! Every field but `partitions` may be missing in the JSON: a facts file written by
//! hand need only say what it knows. Absent knowledge means "don't check", never "deny".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterFacts {
    /// Slurm's ClusterName.
    pub cluster: Option<String>,
    /// The ssh host alias or `local` these facts were read through.
    pub host: Option<String>,
    /// Slurm version, e.g. `22.05.8`.
    pub slurm_version: Option<String>,
    /// The unix user the facts were read as.
    pub user: Option<String>,
    /// Unix seconds when the facts were read.
    pub fetched_at: Option<u64>,
    pub partitions: Vec<Partition>,
    /// The user's associations. Empty means unknown (accounting not reachable):
    /// account checks are then skipped.
    pub associations: Vec<Association>,
    /// The user's default account, if any.
    pub default_account: Option<String>,
    /// Every QOS defined on the cluster. Empty means unknown.
    pub qos: Vec<String>,
    /// The container runtime on the cluster, if one was found.
    pub runtime: Option<ContainerRuntime>,
    /// Where images live (the image directory for apptainer/singularity, the storage
    /// directory for charliecloud).
    pub image_dir: Option<String>,
    /// Images already pulled there.
    pub images: Vec<Image>,
    /// NVIDIA driver version on the GPU nodes, when known (e.g. `535.104.05`).
    pub gpu_driver: Option<String>,
    /// AccountingStorageEnforce flags, lowercased (`associations`, `limits`, `qos`,
    /// `safe`). Empty means unknown: the checkers then assume accounts and QOS are enforced.
    pub accounting_enforce: Vec<String>,
    /// EnforcePartLimits (`ALL`, `ANY`, `NO`); `None` is unknown (assumed enforced).
    /// Without it a job over a partition's limits is accepted and pends forever.
    pub enforce_part_limits: Option<String>,
    /// GresTypes (`gpu`, `shard`, ...). Empty means unknown.
    pub gres_types: Vec<String>,
    /// Reservations the user may name with `--reservation`. `None`: unknown.
    pub reservations: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partition {
    pub name: String,
    pub state: PartitionState,
    pub is_default: bool,
    /// MaxTime in minutes; `None` is UNLIMITED.
    pub max_time_minutes: Option<u64>,
    /// DefaultTime in minutes; `None` means the partition's MaxTime applies.
    pub default_time_minutes: Option<u64>,
    /// Node names (expanded).
    pub nodes: Vec<String>,
    /// CPUs per node (the smallest node's, when nodes differ).
    pub cpus_per_node: Option<u32>,
    /// Memory per node in MB (the smallest node's).
    pub mem_per_node_mb: Option<u64>,
    /// GPU GRES per node. Empty: the partition has no GPUs.
    pub gpus: Vec<GpuGres>,
    /// AllowAccounts, when the partition restricts them (`None`: ALL).
    pub allow_accounts: Option<Vec<String>>,
    /// AllowQos, when restricted (`None`: ALL).
    pub allow_qos: Option<Vec<String>>,
    /// Node features available in the partition (union over its nodes), for
    /// `--constraint`/`--prefer`. `None`: unknown; `Some(vec![])`: the nodes have none.
    pub features: Option<Vec<String>>,
}

impl Partition {
    /// GPUs per node of any type.
    pub fn gpus_per_node(&self) -> u32 {
        self.gpus.iter().map(|g| g.count).sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionState {
    #[default]
    Up,
    Down,
    Drain,
    Inactive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GpuGres {
    /// `a100`, `h100`, ... or `None` for untyped `gpu:4`.
    #[serde(rename = "type")]
    pub gpu_type: Option<String>,
    /// Per node.
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Association {
    pub account: String,
    /// `None`: the association is valid on every partition.
    pub partition: Option<String>,
    pub qos: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRuntime {
    pub kind: RuntimeKind,
    pub version: Option<String>,
    /// Absolute path of the main executable (`apptainer`, `singularity`, `ch-run`).
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeKind {
    Apptainer,
    Singularity,
    Charliecloud,
}

impl RuntimeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeKind::Apptainer => "apptainer",
            RuntimeKind::Singularity => "singularity",
            RuntimeKind::Charliecloud => "charliecloud",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    /// File name (`pytorch_2.2.1-cuda12.1-cudnn8-devel.sif`) or charliecloud image name.
    pub name: String,
    /// Absolute path on the cluster.
    pub path: String,
    pub size_bytes: Option<u64>,
}

impl ClusterFacts {
    /// Whether accounting enforces `flag` (`associations` or `qos`), as far as the facts
    /// say: unknown counts as enforced; `limits`, `qos` and `safe` imply `associations`.
    pub fn enforces(&self, flag: &str) -> bool {
        if self.accounting_enforce.is_empty() {
            return true;
        }
        let has = |f: &str| self.accounting_enforce.iter().any(|x| x.eq_ignore_ascii_case(f));
        match flag {
            "associations" => ["associations", "limits", "qos", "safe"].iter().any(|f| has(f)),
            _ => has(flag),
        }
    }

    /// Whether partition limits (MaxTime, MaxNodes) are enforced at submit.
    pub fn enforces_partition_limits(&self) -> bool {
        self.enforce_part_limits.as_deref().is_none_or(|v| !v.eq_ignore_ascii_case("NO"))
    }

    pub fn partition(&self, name: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    pub fn default_partition(&self) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.is_default)
    }

    /// Accounts the user has on any partition.
    pub fn accounts(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.associations.iter().map(|a| a.account.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether the user may submit with `account` to `partition`. `None` when the
    /// facts cannot say (no associations known).
    pub fn may_use(&self, account: &str, partition: &str) -> Option<bool> {
        if self.associations.is_empty() {
            return None;
        }
        Some(
            self.associations.iter().any(|a| {
                a.account == account && a.partition.as_deref().is_none_or(|p| p == partition)
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_json_is_accepted() {
        let f: ClusterFacts = serde_json::from_str(
            r#"{"partitions":[{"name":"gpu","max_time_minutes":2880,"gpus":[{"count":4}]}]}"#,
        )
        .unwrap();
        assert_eq!(f.partition("gpu").unwrap().gpus_per_node(), 4);
        assert_eq!(f.may_use("x", "gpu"), None);
    }

    #[test]
    fn associations() {
        let f = ClusterFacts {
            associations: vec![
                Association {
                    account: "lab_grads".into(),
                    partition: Some("cpu".into()),
                    qos: vec![],
                },
                Association { account: "lab_dev".into(), partition: None, qos: vec![] },
            ],
            ..Default::default()
        };
        assert_eq!(f.may_use("lab_grads", "cpu"), Some(true));
        assert_eq!(f.may_use("lab_grads", "gpu"), Some(false));
        assert_eq!(f.may_use("lab_dev", "gpu"), Some(true));
        assert_eq!(f.accounts(), vec!["lab_dev", "lab_grads"]);
    }
}
