//! What clusterls knows about a cluster: partitions, the user's associations, the
//! container runtime and the images already pulled. The engine fills it from the live
//! cluster in one round trip; the checkers read it; `clusterls facts --json` prints it
//! and `clusterls check --facts FILE` reads it back (this serde form is that format).
//!
//! Every field but `partitions` may be missing in the JSON: a facts file written by
//! hand need only say what it knows. Absent knowledge means "don't check", never "deny".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// What else decides whether Slurm accepts a job (boxed: most consumers never read
    /// it; flattened, so the JSON keeps one level).
    #[serde(flatten)]
    pub admission: Box<Admission>,
}

/// Facts that decide a submission beyond partitions and associations. Every field may
/// be missing (an older Slurm, a site that hides it): missing means "don't check".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Admission {
    /// Who may use each reservation (`scontrol show reservation`). Empty: unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Reservation>>", optional))]
    pub reservation_access: Vec<Reservation>,
    /// The user's unix groups (`id -Gn`), for partitions' AllowGroups. `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub groups: Option<Vec<String>>,
    /// Cluster licenses (`--licenses`). `None`: unknown; `Some([])`: none configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub licenses: Option<Vec<License>>,
    /// MaxArraySize: array indices must be below it. `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_array_size: Option<u64>,
    /// MaxJobCount of slurmctld. `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_job_count: Option<u64>,
    /// Limits of each QOS (`sacctmgr show qos`). Empty: unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<QosLimits>>", optional))]
    pub qos_limits: Vec<QosLimits>,
    /// DefMemPerCPU of the cluster (MB), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub def_mem_per_cpu_mb: Option<u64>,
    /// Whether preemption is enabled (PreemptType other than none). `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub preemption: Option<bool>,
    /// Directories asked about in the facts' round trip (`test -d`): the absolute
    /// directories of the checked scripts' `--output`/`--error` files. A directory not
    /// listed is unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<RemoteDir>>", optional))]
    pub dirs: Vec<RemoteDir>,
}

/// Whether a directory exists on the cluster (the login node's view).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RemoteDir {
    pub path: String,
    pub exists: bool,
}

/// How Slurm compares names, measured with `sbatch --test-only` on 22.05
/// (server/src/engine/testdata/slurm/name-case.txt): accounts and QOS are stored
/// lowercase and matched without regard to case; partitions, GRES names and types,
/// features, licenses and reservations must match exactly.
pub mod names {
    /// Accounts: case-insensitive.
    pub fn account_eq(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }
    /// QOS: case-insensitive.
    pub fn qos_eq(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct License {
    pub name: String,
    pub total: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Reservation {
    pub name: String,
    /// `Users=`; `None`: not restricted by user.
    pub users: Option<Vec<String>>,
    /// `Accounts=`; `None`: not restricted by account.
    pub accounts: Option<Vec<String>>,
    /// `PartitionName=`, when the reservation is tied to one.
    pub partition: Option<String>,
}

impl Reservation {
    /// Whether `user` with `account` may use it: Slurm grants a reservation to a
    /// listed user or a listed account (a `-name` entry denies). `None`: unknown.
    pub fn allows(&self, user: Option<&str>, account: Option<&str>) -> Option<bool> {
        if self.users.is_none() && self.accounts.is_none() {
            return Some(true);
        }
        let listed = |l: &Option<Vec<String>>, v: Option<&str>, ci: bool| -> Option<bool> {
            let l = l.as_ref()?;
            let v = v?;
            let eq = |x: &str| if ci { x.eq_ignore_ascii_case(v) } else { x == v };
            if l.iter().any(|x| x.strip_prefix('-').is_some_and(eq)) {
                return Some(false);
            }
            let allow: Vec<&String> = l.iter().filter(|x| !x.starts_with('-')).collect();
            Some(allow.is_empty() || allow.iter().any(|x| eq(x)))
        };
        match (listed(&self.users, user, false), listed(&self.accounts, account, true)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            (Some(false), None) if self.accounts.is_none() => Some(false),
            (None, Some(false)) if self.users.is_none() => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct QosLimits {
    pub name: String,
    /// MaxWall in minutes.
    pub max_wall_minutes: Option<u64>,
    /// MaxTRES (per job), e.g. `cpu=4,gres/gpu=1`.
    pub max_tres_per_job: Option<String>,
    pub max_tres_per_user: Option<String>,
    pub max_submit_jobs_per_user: Option<u64>,
}

impl QosLimits {
    /// One TRES of a `cpu=4,gres/gpu=1,mem=8G` limit, in its unit (mem in MB).
    pub fn tres(limit: &Option<String>, name: &str) -> Option<u64> {
        limit.as_deref()?.split(',').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            if k != name {
                return None;
            }
            if name == "mem" {
                let (n, unit) =
                    v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
                let n: u64 = n.parse().ok()?;
                return Some(match unit {
                    "G" => n * 1024,
                    "T" => n * 1024 * 1024,
                    _ => n,
                });
            }
            v.parse().ok()
        })
    }
}

/// Nodes of a partition that share one configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct NodeKind {
    pub count: u32,
    pub cpus: Option<u32>,
    pub mem_mb: Option<u64>,
    pub gpus: Vec<GpuGres>,
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// DenyAccounts (`None`: none denied).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub deny_accounts: Option<Vec<String>>,
    /// AllowGroups (`None`: ALL).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub allow_groups: Option<Vec<String>>,
    /// DenyQos (`None`: none denied).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub deny_qos: Option<Vec<String>>,
    /// MaxNodes per job (`None`: UNLIMITED or unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_nodes: Option<u64>,
    /// MaxCPUsPerNode (`None`: UNLIMITED or unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_cpus_per_node: Option<u32>,
    /// MaxMemPerNode in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_mem_per_node_mb: Option<u64>,
    /// MaxMemPerCPU in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_mem_per_cpu_mb: Option<u64>,
    /// DefMemPerCPU in MB (the partition's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub def_mem_per_cpu_mb: Option<u64>,
    /// The node set, grouped by configuration (CPUs, memory, GRES, features). Empty:
    /// unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<NodeKind>>", optional))]
    pub node_kinds: Vec<NodeKind>,
}

impl Partition {
    /// GPUs per node of any type.
    pub fn gpus_per_node(&self) -> u32 {
        self.gpus.iter().map(|g| g.count).sum()
    }

    /// Whether AllowAccounts/DenyAccounts let `account` in (accounts compare without
    /// regard to case, measured).
    pub fn account_allowed(&self, account: &str) -> bool {
        let has = |l: &Option<Vec<String>>| {
            l.as_ref().map(|l| l.iter().any(|a| names::account_eq(a, account)))
        };
        has(&self.allow_accounts) != Some(false) && has(&self.deny_accounts) != Some(true)
    }

    /// Whether AllowQos/DenyQos let `qos` in.
    pub fn qos_allowed(&self, qos: &str) -> bool {
        let has =
            |l: &Option<Vec<String>>| l.as_ref().map(|l| l.iter().any(|a| names::qos_eq(a, qos)));
        has(&self.allow_qos) != Some(false) && has(&self.deny_qos) != Some(true)
    }

    /// Whether AllowGroups lets a user of `groups` in; `None` when the groups are
    /// unknown and the partition restricts them.
    pub fn groups_allowed(&self, groups: Option<&[String]>) -> Option<bool> {
        let Some(allow) = &self.allow_groups else { return Some(true) };
        Some(groups?.iter().any(|g| allow.contains(g)))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum PartitionState {
    #[default]
    Up,
    Down,
    Drain,
    Inactive,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct GpuGres {
    /// `a100`, `h100`, ... or `None` for untyped `gpu:4`.
    #[serde(rename = "type")]
    pub gpu_type: Option<String>,
    /// Per node.
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Association {
    pub account: String,
    /// `None`: the association is valid on every partition.
    pub partition: Option<String>,
    pub qos: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContainerRuntime {
    pub kind: RuntimeKind,
    pub version: Option<String>,
    /// Absolute path of the main executable (`apptainer`, `singularity`, `ch-run`).
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

    /// The reservation's access rules, when known.
    pub fn reservation(&self, name: &str) -> Option<&Reservation> {
        self.admission.reservation_access.iter().find(|r| r.name == name)
    }

    /// Whether the directory `path` exists on the cluster, when the facts asked.
    pub fn dir_exists(&self, path: &str) -> Option<bool> {
        self.admission.dirs.iter().find(|d| d.path == path).map(|d| d.exists)
    }

    pub fn qos_limits(&self, name: &str) -> Option<&QosLimits> {
        self.admission.qos_limits.iter().find(|q| names::qos_eq(&q.name, name))
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
        Some(self.associations.iter().any(|a| {
            names::account_eq(&a.account, account)
                && a.partition.as_deref().is_none_or(|p| p == partition)
        }))
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
    fn admission_facts_round_trip_flat_and_old_json_reads() {
        let json = r#"{"partitions":[{"name":"cpu","deny_accounts":["Lab_X"]}],"licenses":[{"name":"matlab","total":2}],"max_array_size":1001}"#;
        let f: ClusterFacts = serde_json::from_str(json).unwrap();
        assert_eq!(f.admission.max_array_size, Some(1001));
        assert!(!f.partitions[0].account_allowed("lab_x"));
        assert!(f.partitions[0].account_allowed("lab_y"));
        let back: ClusterFacts = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        assert!(serde_json::to_string(&f).unwrap().contains(r#""max_array_size":1001"#));
        // Written before these facts existed: all unknown.
        let old: ClusterFacts = serde_json::from_str(r#"{"partitions":[]}"#).unwrap();
        assert_eq!(*old.admission, Admission::default());
    }

    /// The comparisons follow the measured table: a kind measured case-insensitive is
    /// compared so here, and the checkers compare every other kind exactly.
    #[test]
    fn name_rules_follow_the_measurements() {
        let table = include_str!("../../../src/engine/testdata/slurm/name-case.txt");
        let mut kinds = Vec::new();
        for row in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let f: Vec<&str> = row.split('|').collect();
            let eq: Option<fn(&str, &str) -> bool> = match f[0] {
                "account" => Some(names::account_eq),
                "qos" => Some(names::qos_eq),
                _ => None,
            };
            let insensitive = f[1] == "insensitive";
            assert_eq!(eq.is_some(), insensitive, "{row}");
            if let Some(eq) = eq {
                assert!(eq("lab_dev", "LAB_DEV") && eq("normal", "NORMAL"));
            }
            kinds.push(f[0]);
        }
        expect_kinds(&kinds);
    }

    fn expect_kinds(kinds: &[&str]) {
        assert_eq!(
            kinds,
            [
                "account",
                "qos",
                "partition",
                "gres-name",
                "gres-type",
                "feature",
                "license",
                "reservation"
            ]
        );
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
