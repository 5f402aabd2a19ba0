//! Pure: the text Slurm prints, read into values. Parsers never fail: they return what
//! they understood and skip what they did not (with a note in `problems`).
//!
//! Formats are explicit (`-o`, `-P`, `--oneliner`) so that Slurm 20.11 to current print
//! the same shape.

use std::collections::BTreeMap;

use clusterls_core::facts::{
    Association, ClusterFacts, ContainerRuntime, GpuGres, Image, License, NodeKind, Partition,
    PartitionState, QosLimits, Reservation, RuntimeKind,
};

mod jobs;
mod refusal;

pub use jobs::{JobStatus, parse_exit_code, parse_sacct, parse_squeue};
pub use refusal::{RefusalKind, classify_refusal, controller_unreachable};

/// The fixed shell program that prints every section of the facts in one round trip.
/// It is sent as the stdin of `bash -s -- IMAGE_DIR [DIR...]`; its only inputs are those
/// arguments, used quoted (each DIR is answered `y` or `n` by `test -d`, in order). Sections start with `@@clusterls NAME@@` on a line of their own.
pub const FACTS_PROGRAM: &str = r#"export LC_ALL=C
s() { printf '\n@@clusterls %s@@\n' "$1"; }
u=$(id -un)
s user; printf '%s\n' "$u"
s groups; id -Gn 2>&1
s version; sinfo --version 2>&1
s config; scontrol show config 2>/dev/null | grep -E '^(ClusterName|SLURM_VERSION|AccountingStorageEnforce|EnforcePartLimits|GresTypes|MaxArraySize|MaxJobCount|DefMemPerCPU|PreemptType) '
s partitions; scontrol show partition --all --oneliner 2>&1
s nodes; sinfo --all -h -N -o '%R|%n|%c|%m|%G|%f' 2>&1
s reservations; scontrol show reservation --oneliner 2>&1
s assoc; sacctmgr -nP show assoc where user="$u" format=account,partition,qos 2>&1
s defaccount; sacctmgr -nP show user "$u" format=defaultaccount 2>&1
s qos; sacctmgr -nP show qos format=name 2>&1
s qoslimits; sacctmgr -nP show qos format=name,maxwall,maxtres,maxtrespu,maxsubmitpu 2>&1
s licenses; scontrol show licenses --oneliner 2>&1
s runtime
for r in apptainer singularity ch-run; do
  p=$(command -v "$r" 2>/dev/null) || continue
  printf '%s|%s|%s\n' "$r" "$p" "$("$p" --version 2>&1 | head -n 1)"
done
s imagedir
d=${1:-}
if [ -z "$d" ]; then
  if command -v apptainer >/dev/null 2>&1 || command -v singularity >/dev/null 2>&1; then
    d="$HOME/.clusterls/images"
  elif command -v ch-run >/dev/null 2>&1; then
    d="${CH_IMAGE_STORAGE:-/var/tmp/$u.ch}/img"
  fi
fi
case $d in "~/"*) d="$HOME/${d#"~/"}";; esac
# A relative image_dir is under $HOME (over ssh and locally alike); absolute, $d is
# never read as an option by find below.
case $d in ""|/*) ;; *) d="$HOME/$d";; esac
printf '%s\n' "$d"
s images
[ -n "$d" ] && [ -d "$d" ] && find "$d" -mindepth 1 -maxdepth 1 ! -name '.*' -printf '%y|%s|%f\n' 2>/dev/null
s dirs
shift
for p in "$@"; do if [ -d "$p" ]; then echo y; else echo n; fi; done
s gpudriver
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1
s end
"#;

/// The `dirs` section alone, for [`crate::engine::Engine::dirs_exist`]: sent as the stdin
/// of `bash -s -- DIR...`; each DIR (used quoted) is answered `y` or `n` by `test -d`.
pub const DIRS_PROGRAM: &str = r#"printf '\n@@clusterls dirs@@\n'
for p in "$@"; do if [ -d "$p" ]; then echo y; else echo n; fi; done
printf '\n@@clusterls end@@\n'
"#;

/// At most this many directories are probed in one facts round trip (argv stays small).
pub const MAX_PROBED_DIRS: usize = 256;

/// The directories a round trip asks about: the absolute ones, at most
/// [`MAX_PROBED_DIRS`] (argv stays small).
pub fn probed_dirs(dirs: &[String]) -> Vec<String> {
    dirs.iter().filter(|d| d.starts_with('/')).take(MAX_PROBED_DIRS).cloned().collect()
}

/// The `dirs` section: one `y`/`n` per directory asked, in order. A directory without an
/// answer is left out (unknown).
pub fn parse_dirs(text: &str, dirs: &[String]) -> Vec<clusterls_core::facts::RemoteDir> {
    let s = sections(text);
    let answers = s.get("dirs").map(String::as_str).unwrap_or("");
    dirs.iter()
        .zip(answers.lines().filter(|l| !l.is_empty()))
        .filter(|(_, a)| *a == "y" || *a == "n")
        .map(|(d, a)| clusterls_core::facts::RemoteDir { path: d.clone(), exists: a == "y" })
        .collect()
}

/// Split `@@clusterls NAME@@` sections.
pub fn sections(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("@@clusterls ").and_then(|l| l.strip_suffix("@@")) {
            if let Some((n, body)) = current.take() {
                out.insert(n, body);
            }
            current = Some((name.to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some((n, body)) = current {
        out.insert(n, body);
    }
    out
}

/// Read the facts program's output. `problems` gets one line per section that could
/// not be read (e.g. accounting unreachable).
pub fn parse_facts(text: &str, problems: &mut Vec<String>) -> ClusterFacts {
    let s = sections(text);
    let get = |k: &str| s.get(k).map(String::as_str).unwrap_or("");
    let mut f = ClusterFacts {
        user: first_line(get("user")),
        slurm_version: get("version").split_whitespace().nth(1).map(str::to_string),
        ..Default::default()
    };
    for line in get("config").lines() {
        if let Some((k, v)) = line.split_once('=') {
            match k.trim() {
                "ClusterName" => f.cluster = Some(v.trim().to_string()),
                "SLURM_VERSION" if f.slurm_version.is_none() => {
                    f.slurm_version = Some(v.trim().to_string())
                }
                "AccountingStorageEnforce" => {
                    f.accounting_enforce = split_list(&v.trim().to_ascii_lowercase())
                        .into_iter()
                        .filter(|x| x != "none" && x != "(null)")
                        .collect()
                }
                "EnforcePartLimits" => f.enforce_part_limits = Some(v.trim().to_string()),
                "MaxArraySize" => f.admission.max_array_size = v.trim().parse().ok(),
                "MaxJobCount" => f.admission.max_job_count = v.trim().parse().ok(),
                "DefMemPerCPU" => f.admission.def_mem_per_cpu_mb = v.trim().parse().ok(),
                "PreemptType" => {
                    let t = v.trim();
                    f.admission.preemption = Some(!(t == "(null)" || t == "preempt/none"))
                }
                "GresTypes" => {
                    f.gres_types =
                        split_list(v.trim()).into_iter().filter(|x| x != "(null)").collect()
                }
                _ => {}
            }
        }
    }
    f.partitions = parse_partitions(get("partitions"), get("nodes"), problems);
    f.reservations = parse_reservations(get("reservations"));
    f.admission.reservation_access = parse_reservation_access(get("reservations"));
    if s.contains_key("groups") {
        f.admission.groups = first_line(get("groups"))
            .filter(|l| !l.contains(':'))
            .map(|l| l.split_whitespace().map(str::to_string).collect());
    }
    if s.contains_key("licenses") {
        f.admission.licenses = parse_licenses(get("licenses"));
    }
    f.admission.qos_limits = parse_qos_limits(get("qoslimits"));
    let (assoc, ok) = parse_pipe_rows(get("assoc"), 3);
    if !ok {
        problems.push(format!("associations: {}", get("assoc").trim()));
    }
    f.associations = assoc
        .into_iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| Association {
            account: r[0].clone(),
            partition: Some(r[1].clone()).filter(|p| !p.is_empty()),
            qos: split_list(&r[2]),
        })
        .collect();
    f.default_account = parse_pipe_rows(get("defaccount"), 1)
        .0
        .into_iter()
        .map(|r| r[0].clone())
        .find(|a| !a.is_empty());
    f.qos = parse_pipe_rows(get("qos"), 1).0.into_iter().map(|r| r[0].clone()).collect();
    f.runtime = parse_runtime(get("runtime"));
    f.image_dir = first_line(get("imagedir"));
    if let Some(dir) = &f.image_dir {
        f.images = parse_images(get("images"), dir);
    }
    f.gpu_driver = first_line(get("gpudriver"));
    f
}

fn first_line(s: &str) -> Option<String> {
    s.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Rows of `-P` output with exactly `n` fields. `false` when a non-empty line did not
/// have that shape (an error message instead of data).
fn parse_pipe_rows(s: &str, n: usize) -> (Vec<Vec<String>>, bool) {
    let mut ok = true;
    let mut rows = Vec::new();
    for line in s.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<String> = line.split('|').map(|x| x.trim().to_string()).collect();
        if fields.len() == n && !(n == 1 && line.contains(": error")) {
            rows.push(fields);
        } else {
            ok = false;
        }
    }
    (rows, ok)
}

/// Names from `scontrol show reservation --oneliner`; `Some([])` when there are none,
/// `None` when the command failed (unknown).
fn parse_reservations(s: &str) -> Option<Vec<String>> {
    if s.contains("No reservations in the system") {
        return Some(Vec::new());
    }
    let names: Vec<String> = s
        .lines()
        .filter_map(|l| oneliner(l).get("ReservationName").map(|n| n.to_string()))
        .collect();
    if names.is_empty() && !s.trim().is_empty() { None } else { Some(names) }
}

/// Who may use each reservation (`Users=`, `Accounts=`, `PartitionName=`).
fn parse_reservation_access(s: &str) -> Vec<Reservation> {
    s.lines()
        .filter_map(|l| {
            let kv = oneliner(l);
            let list = |k: &str| {
                kv.get(k).filter(|v| !v.is_empty() && **v != "(null)").map(|v| split_list(v))
            };
            Some(Reservation {
                name: kv.get("ReservationName")?.to_string(),
                users: list("Users"),
                accounts: list("Accounts"),
                partition: kv
                    .get("PartitionName")
                    .filter(|v| !v.is_empty() && **v != "(null)")
                    .map(|v| v.to_string()),
            })
        })
        .collect()
}

/// `scontrol show licenses --oneliner`: `Some([])` when none are configured, `None`
/// when the command failed.
fn parse_licenses(s: &str) -> Option<Vec<License>> {
    if s.contains("No licenses configured") {
        return Some(Vec::new());
    }
    let lics: Vec<License> = s
        .lines()
        .filter_map(|l| {
            let kv = oneliner(l);
            Some(License {
                name: kv.get("LicenseName")?.to_string(),
                total: kv.get("Total")?.parse().ok()?,
            })
        })
        .collect();
    if lics.is_empty() && !s.trim().is_empty() { None } else { Some(lics) }
}

/// `sacctmgr -nP show qos format=name,maxwall,maxtres,maxtrespu,maxsubmitpu`.
fn parse_qos_limits(s: &str) -> Vec<QosLimits> {
    let opt = |v: &str| Some(v.to_string()).filter(|v| !v.is_empty());
    parse_pipe_rows(s, 5)
        .0
        .into_iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| QosLimits {
            name: r[0].clone(),
            max_wall_minutes: parse_duration_minutes(&r[1]),
            max_tres_per_job: opt(&r[2]),
            max_tres_per_user: opt(&r[3]),
            max_submit_jobs_per_user: r[4].parse().ok(),
        })
        .collect()
}

/// scontrol's memory numbers (`32000`, `UNLIMITED`) in MB.
fn limit<T: std::str::FromStr>(kv: &BTreeMap<&str, &str>, k: &str) -> Option<T> {
    kv.get(k).and_then(|v| v.parse().ok())
}

/// `scontrol show partition --oneliner` lines plus `sinfo -N -o '%R|%n|%c|%m|%G|%f'`
/// rows (the features column is absent in recordings made before it was asked for).
pub fn parse_partitions(scontrol: &str, nodes: &str, problems: &mut Vec<String>) -> Vec<Partition> {
    let mut parts = Vec::new();
    for line in scontrol.lines().filter(|l| !l.trim().is_empty()) {
        let kv = oneliner(line);
        let Some(name) = kv.get("PartitionName") else {
            problems.push(format!("partitions: unexpected line `{}`", line.trim()));
            continue;
        };
        let list =
            |k: &str| kv.get(k).filter(|v| **v != "ALL" && !v.is_empty()).map(|v| split_list(v));
        parts.push(Partition {
            name: name.to_string(),
            state: match kv.get("State").copied().unwrap_or("UP") {
                "DOWN" => PartitionState::Down,
                "DRAIN" => PartitionState::Drain,
                "INACTIVE" => PartitionState::Inactive,
                _ => PartitionState::Up,
            },
            is_default: kv.get("Default") == Some(&"YES"),
            max_time_minutes: kv.get("MaxTime").and_then(|t| parse_duration_minutes(t)),
            default_time_minutes: kv.get("DefaultTime").and_then(|t| parse_duration_minutes(t)),
            allow_accounts: list("AllowAccounts"),
            allow_qos: list("AllowQos"),
            deny_accounts: list("DenyAccounts"),
            deny_qos: list("DenyQos"),
            allow_groups: list("AllowGroups"),
            max_nodes: limit(&kv, "MaxNodes"),
            max_cpus_per_node: limit(&kv, "MaxCPUsPerNode"),
            max_mem_per_node_mb: limit(&kv, "MaxMemPerNode"),
            max_mem_per_cpu_mb: limit(&kv, "MaxMemPerCPU"),
            def_mem_per_cpu_mb: limit(&kv, "DefMemPerCPU"),
            ..Default::default()
        });
    }
    for line in nodes.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        if f.len() != 5 && f.len() != 6 {
            problems.push(format!("nodes: unexpected line `{}`", line.trim()));
            continue;
        }
        let Some(p) = parts.iter_mut().find(|p| p.name == f[0]) else { continue };
        let new_node = !p.nodes.iter().any(|n| n == f[1]);
        if new_node {
            p.nodes.push(f[1].to_string());
        }
        if let Ok(c) = f[2].trim_end_matches('+').parse::<u32>() {
            p.cpus_per_node = Some(p.cpus_per_node.map_or(c, |x| x.min(c)));
        }
        if let Ok(m) = f[3].trim_end_matches('+').parse::<u64>() {
            p.mem_per_node_mb = Some(p.mem_per_node_mb.map_or(m, |x| x.min(m)));
        }
        if let Some(feats) = f.get(5) {
            let have = p.features.get_or_insert_with(Vec::new);
            for x in split_list(feats) {
                if x != "(null)" && !have.contains(&x) {
                    have.push(x);
                }
            }
        }
        let gpus = parse_gres_gpus(f[4]);
        let kind = NodeKind {
            count: 1,
            cpus: f[2].trim_end_matches('+').parse().ok(),
            mem_mb: f[3].trim_end_matches('+').parse().ok(),
            gpus: gpus.clone(),
            features: f
                .get(5)
                .map(|x| split_list(x).into_iter().filter(|x| x != "(null)").collect())
                .unwrap_or_default(),
        };
        if new_node {
            match p
                .node_kinds
                .iter_mut()
                .find(|k| NodeKind { count: k.count, ..kind.clone() } == **k)
            {
                Some(k) => k.count += 1,
                None => p.node_kinds.push(kind),
            }
        }
        if p.gpus.is_empty() || gpus.iter().map(|g| g.count).sum::<u32>() < p.gpus_per_node() {
            // The smallest node's GPUs are what a one-node job can count on.
            if !gpus.is_empty() || p.nodes.len() == 1 {
                p.gpus = gpus;
            }
        }
    }
    parts
}

/// `Key=Value Key=Value` of scontrol's one-line output. Values hold no spaces there,
/// except a few free-text keys that come last (e.g. `Reason=...`), which we do not need.
fn oneliner(line: &str) -> BTreeMap<&str, &str> {
    line.split_whitespace().filter_map(|w| w.split_once('=')).collect()
}

/// GPU entries of a GRES string: `gpu:4`, `gpu:a100:2(S:0-1)`, `gpu:a100:2,gpu:v100:1,shard:8`,
/// `(null)`.
pub fn parse_gres_gpus(s: &str) -> Vec<GpuGres> {
    let mut out = Vec::new();
    // Commas inside `(S:0,1)` do not separate entries.
    for item in clusterls_sbatch::values::split_top_level(s, '(', ')') {
        let item = item.split('(').next().unwrap_or("").trim();
        let parts: Vec<&str> = item.split(':').collect();
        if parts.first() != Some(&"gpu") {
            continue;
        }
        match parts.as_slice() {
            ["gpu", n] => {
                if let Ok(count) = n.parse() {
                    out.push(GpuGres { gpu_type: None, count });
                }
            }
            ["gpu", t, n] => {
                if let Ok(count) = n.parse() {
                    out.push(GpuGres { gpu_type: Some(t.to_string()), count });
                }
            }
            _ => {}
        }
    }
    out
}

/// A duration as `sinfo`/`scontrol` print it (`2-00:00:00`, `30:00`), in minutes rounded
/// up; `None` for UNLIMITED, `NONE`, `n/a` or anything unreadable. The grammar is Slurm's
/// `time_str2secs`, parsed by the sbatch checker's `parse_time` (one parser for both).
pub fn parse_duration_minutes(s: &str) -> Option<u64> {
    clusterls_sbatch::values::parse_time(s).ok()?.minutes()
}

fn parse_runtime(s: &str) -> Option<ContainerRuntime> {
    // Preference: apptainer, then singularity, then charliecloud (the program prints
    // them in that order).
    s.lines().find_map(|line| {
        let mut f = line.splitn(3, '|');
        let (name, path, version) = (f.next()?, f.next()?, f.next().unwrap_or(""));
        let kind = match name {
            "apptainer" => RuntimeKind::Apptainer,
            "singularity" => RuntimeKind::Singularity,
            "ch-run" => RuntimeKind::Charliecloud,
            _ => return None,
        };
        // `apptainer version 1.2.5`, `singularity-ce version 4.1.0`, `0.31`.
        let version = version.split_whitespace().last().map(str::to_string);
        Some(ContainerRuntime { kind, version, path: Some(path.to_string()) })
    })
}

fn parse_images(s: &str, dir: &str) -> Vec<Image> {
    s.lines()
        .filter_map(|line| {
            let mut f = line.splitn(3, '|');
            let (kind, size, name) = (f.next()?, f.next()?, f.next()?);
            if name.is_empty() || name.contains(".part-") || name.ends_with(".lock") {
                return None;
            }
            // Charliecloud images are directories; a file is a SIF.
            let size_bytes = if kind == "f" { size.parse().ok() } else { None };
            Some(Image {
                name: name.to_string(),
                path: format!("{}/{name}", dir.trim_end_matches('/')),
                size_bytes,
            })
        })
        .collect()
}

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod tests;
