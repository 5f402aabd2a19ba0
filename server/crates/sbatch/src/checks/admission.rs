//! The request against what else decides admission: partitions' group and QOS
//! restrictions, reservations' access lists, licenses, MaxArraySize, feature
//! combinations no single node offers, QOS limits. Each check says nothing when the
//! facts lack what it needs (an older Slurm, a site that hides it).
//!
//! Slurm's answers quoted here were measured on 22.05 with `sbatch --test-only`
//! (server/src/engine/testdata/slurm/name-case.txt).

use clusterls_core::facts::{Partition, QosLimits, names};
use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Fix, Rule, Severity};

use super::Checker;
use super::request::Target;
use crate::values;

pub(crate) fn check(c: &mut Checker, f: &ClusterFacts, t: &Target, account: Option<&str>) {
    partition_restricted(c, f, t, account);
    reservation_denied(c, f, t, account);
    licenses(c, f, t);
    array_too_large(c, f, t);
    feature_combination(c, t);
    qos_limit(c, f, t);
    signal_needs_preemption(c, f, t.r.component);
}

pub(crate) const PARTITION_RESTRICTED: Rule = Rule {
    explanation: "The partition only lets in some unix groups (AllowGroups) or some QOS (AllowQos/DenyQos), and the job's user or QOS is not among them, so sbatch refuses the job. Use a partition the message lists, or a QOS the partition allows.",
    ..Rule::new(
        "sbatch/partition-restricted",
        Severity::Error,
        "A partition whose AllowGroups or AllowQos/DenyQos refuse the job.",
    )
};

fn partition_restricted(c: &mut Checker, f: &ClusterFacts, t: &Target, account: Option<&str>) {
    let groups = f.admission.groups.as_deref();
    let qos = t.r.qos.and_then(|d| d.value.as_deref());
    let usable = |p: &Partition| {
        p.groups_allowed(groups) == Some(true)
            && qos.is_none_or(|q| p.qos_allowed(q))
            && account.is_none_or(|a| p.account_allowed(a) && f.may_use(a, &p.name) != Some(false))
            && p.state == clusterls_core::facts::PartitionState::Up
    };
    for p in t.parts.iter().copied() {
        let why = if p.groups_allowed(groups) == Some(false) {
            format!(
                "{} only allows the groups {}, and you ({}) are in {}",
                t.pname(p),
                p.allow_groups.as_deref().unwrap_or_default().join(", "),
                f.user.as_deref().unwrap_or("the user"),
                groups.unwrap_or_default().join(", ")
            )
        } else if let Some(q) = qos.filter(|q| !p.qos_allowed(q)) {
            match &p.allow_qos {
                Some(allow) if !allow.iter().any(|a| names::qos_eq(a, q)) => {
                    format!("{} only allows the QOS {}, not `{q}`", t.pname(p), allow.join(", "))
                }
                _ => format!("{} denies the QOS `{q}`", t.pname(p)),
            }
        } else {
            continue;
        };
        let others: Vec<&str> =
            f.partitions.iter().filter(|q| usable(q)).map(|q| q.name.as_str()).collect();
        let fd = c.push(
            &PARTITION_RESTRICTED,
            t.anchor(t.r.partition),
            format!(
                "{}{}: sbatch refuses the job. {}",
                why[..1].to_uppercase(),
                &why[1..],
                if others.is_empty() {
                    "No other partition is open to this job either.".to_string()
                } else {
                    format!("Partitions you may use: {}.", others.join(", "))
                }
            ),
        );
        if let ([only], Some(d)) = (&others[..], t.r.partition)
            && t.parts.len() == 1
        {
            let vr = d.value_span.clone().unwrap_or(d.span.clone());
            fd.fixes.push(Fix::replace(format!("Change to {only}"), vr, *only));
        }
    }
}

pub(crate) const RESERVATION_DENIED: Rule = Rule {
    explanation: "The reservation exists, but its Users/Accounts do not include you or the job's account, so sbatch refuses the job (\"Access denied to requested reservation\"). Use a reservation you are in, or remove --reservation.",
    ..Rule::new(
        "sbatch/reservation-denied",
        Severity::Error,
        "A reservation the user and account may not use.",
    )
};

fn reservation_denied(c: &mut Checker, f: &ClusterFacts, t: &Target, account: Option<&str>) {
    let Some(d) = c.index.last(t.r.component, "reservation") else { return };
    let Some(v) = d.value.as_deref() else { return };
    let user = f.user.as_deref();
    for name in v.split(',') {
        let Some(res) = f.reservation(name) else { continue };
        if res.allows(user, account) == Some(false) {
            let mine: Vec<&str> = f
                .admission
                .reservation_access
                .iter()
                .filter(|r| r.allows(user, account) == Some(true))
                .map(|r| r.name.as_str())
                .collect();
            c.push(
                &RESERVATION_DENIED,
                d.value_span.clone().unwrap_or(d.span.clone()),
                format!(
                    "Reservation `{name}` is for {}: sbatch refuses the job (\"Access denied to requested reservation\"). {}",
                    [res.users.as_ref().map(|u| format!("users {}", u.join(", "))), res.accounts.as_ref().map(|a| format!("accounts {}", a.join(", ")))]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" and "),
                    if mine.is_empty() {
                        "No reservation is open to you: remove the option.".to_string()
                    } else {
                        format!("Reservations you may use: {}.", mine.join(", "))
                    }
                ),
            );
            return;
        }
    }
}

pub(crate) const UNKNOWN_LICENSE: Rule = Rule {
    explanation: "--licenses names licenses the cluster counts (`scontrol show licenses`); a name it does not have (names compare exactly: `MATLAB` is not `matlab`, measured), or more of one than its total, makes sbatch refuse the job (\"Invalid license specification\"). Use a listed name and at most its total.",
    ..Rule::new(
        "sbatch/unknown-license",
        Severity::Error,
        "A license the cluster does not have, or more than its total.",
    )
};

fn licenses(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    let Some(known) = &f.admission.licenses else { return };
    let Some(d) = c.index.last(t.r.component, "licenses") else { return };
    let Some(v) = d.value.as_deref() else { return };
    // `a|b` (either license) is left alone: which one Slurm picks is its choice.
    if v.contains('|') {
        return;
    }
    let vr = d.value_span.clone().unwrap_or(d.span.clone());
    let exact = c.text.get(vr.clone()) == Some(v);
    let mut offset = 0;
    for item in v.split(',') {
        let here = vr.start + offset..vr.start + offset + item.len();
        offset += item.len() + 1;
        let (name, count) = match item.split_once(':').or_else(|| item.split_once('=')) {
            Some((n, k)) => (n, k.parse::<u64>().ok()),
            None => (item, Some(1)),
        };
        let name_span = if exact { here.start..here.start + name.len() } else { vr.clone() };
        match known.iter().find(|l| l.name == name) {
            None => {
                let names: Vec<&str> = known.iter().map(|l| l.name.as_str()).collect();
                let sugg = did_you_mean(name, names.iter().copied());
                let fd = c.push(
                    &UNKNOWN_LICENSE,
                    name_span.clone(),
                    format!(
                        "The cluster has no license `{name}`: sbatch refuses the job (\"Invalid license specification\").{} {}",
                        sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                        if names.is_empty() { "It has no licenses: remove the option.".to_string() } else { format!("Licenses: {}.", names.join(", ")) }
                    ),
                );
                if let Some(s) = sugg
                    && exact
                {
                    fd.fixes.push(Fix::replace(format!("Change to {s}"), name_span, s));
                }
                return;
            }
            Some(l) if count.is_some_and(|n| n > l.total) => {
                let fd = c.push(
                    &UNKNOWN_LICENSE,
                    if exact { here.clone() } else { vr.clone() },
                    format!(
                        "The cluster has {} `{name}` license{} in all, and the job asks for {}: sbatch refuses the job (\"Invalid license specification\"). Ask for at most {}.",
                        l.total,
                        if l.total == 1 { "" } else { "s" },
                        count.unwrap_or(0),
                        l.total
                    ),
                );
                if exact {
                    fd.fixes.push(Fix::replace(
                        format!("Ask for {}", l.total),
                        here,
                        format!("{name}:{}", l.total),
                    ));
                }
                return;
            }
            Some(_) => {}
        }
    }
}

pub(crate) const ARRAY_TOO_LARGE: Rule = Rule {
    explanation: "Array indices must be below the cluster's MaxArraySize (`scontrol show config`); a larger index makes sbatch refuse the job (\"Invalid job array specification\"). Use smaller indices (e.g. offset them in the script).",
    ..Rule::new(
        "sbatch/array-too-large",
        Severity::Error,
        "An array index at or over MaxArraySize.",
    )
};

fn array_too_large(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    let Some(max) = f.admission.max_array_size else { return };
    let Some(d) = c.index.last(t.r.component, "array") else { return };
    let Some(Ok((top, _))) = d.value.as_deref().map(values::parse_array) else { return };
    if top >= max {
        c.push(
            &ARRAY_TOO_LARGE,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "The largest array index is {top}, but this cluster's MaxArraySize is {max} (indices 0-{}): sbatch refuses the job (\"Invalid job array specification\"). Use indices up to {}.",
                max.saturating_sub(1),
                max.saturating_sub(1)
            ),
        );
    }
}

pub(crate) const FEATURE_COMBINATION: Rule = Rule {
    explanation: "A --constraint of features joined by `&` needs nodes that have all of them; when each feature exists but no node of the partition has them all, sbatch refuses the job (\"Requested node configuration is not available\"). Use `|` if any one will do, or `[a*1&b*1]` to spread the job over nodes of each kind.",
    ..Rule::new(
        "sbatch/feature-combination",
        Severity::Error,
        "Features joined by `&` that no single node has together.",
    )
};

fn feature_combination(c: &mut Checker, t: &Target) {
    let [p] = t.parts[..] else { return };
    if p.node_kinds.is_empty() {
        return;
    }
    let Some(d) = c.index.last(t.r.component, "constraint") else { return };
    let Some(v) = d.value.as_deref() else { return };
    // Only plain AND lists: `|`, brackets, parentheses, counts and `!` have their own
    // meanings (Slurm's grammar) that no per-node test can decide here.
    if v.contains(|ch: char| "|[]()*!".contains(ch)) {
        return;
    }
    let want: Vec<&str> = v.split(['&', ',']).map(str::trim).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| p.node_kinds.iter().any(|k| k.features.iter().any(|x| x == w));
    if want.len() < 2 || !want.iter().all(|w| has(w)) {
        return; // unknown features are `sbatch/unknown-feature`'s
    }
    if p.node_kinds.iter().any(|k| want.iter().all(|w| k.features.iter().any(|x| x == w))) {
        return;
    }
    let vr = d.value_span.clone().unwrap_or(d.span.clone());
    let exact = c.text.get(vr.clone()) == Some(v);
    let fd = c.push(
        &FEATURE_COMBINATION,
        vr.clone(),
        format!(
            "No node in {} has all of {} together: sbatch refuses the job (\"Requested node configuration is not available\"). Nodes there have: {}. Use `|` if any one will do.",
            t.pname(p),
            want.join(" & "),
            p.node_kinds.iter().map(|k| format!("[{}]", k.features.join(","))).collect::<Vec<_>>().join(" ")
        ),
    );
    if exact {
        fd.fixes.push(Fix::replace("Accept any one of them", vr, want.join("|")));
    }
}

pub(crate) const QOS_LIMIT: Rule = Rule {
    explanation: "The job asks for more than its QOS allows per job (MaxWall, MaxTRESPerJob), or more than it allows one user's running jobs together (MaxTRESPerUser). Slurm accepts it (unless the QOS has DenyOnLimit) and it pends forever with a QOS*Limit reason (measured: `-q high -c 8` with MaxTRESPerJob=cpu=4 is accepted by 22.05). Ask for less or use another QOS.",
    ..Rule::new(
        "sbatch/qos-limit",
        Severity::Warning,
        "A request over its QOS's per-job or per-user limits: it would pend forever.",
    )
};

fn qos_limit(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    let Some(d) = t.r.qos else { return };
    let Some(q) = d.value.as_deref() else { return };
    let Some(l) = f.qos_limits(q) else { return };
    let r = t.r;
    let mut over = Vec::new();
    if let (Some(max), Some((_, Some(time)))) = (l.max_wall_minutes, r.time)
        && (time > max || time == 0)
    {
        over.push(format!("at most {} per job (MaxWall)", values::slurm_time(max)));
    }
    let cpus = r.ntasks.map_or(1, |n| n.1) * r.cpus_per_task.map_or(1, |n| n.1);
    if let Some(max) = QosLimits::tres(&l.max_tres_per_job, "cpu")
        && cpus > max
    {
        over.push(format!("at most {max} CPUs per job (the job asks for {cpus})"));
    }
    let nodes = r.nodes.map_or(1, |n| n.1);
    let gpus =
        r.gpus.as_ref().map(|g| g.2).or(r.gpus_per_node_count().map(|g| g.2 * nodes)).unwrap_or(0);
    if let Some(max) = QosLimits::tres(&l.max_tres_per_job, "gres/gpu")
        && gpus > max
    {
        over.push(format!("at most {max} GPUs per job (the job asks for {gpus})"));
    }
    // MaxTRESPerUser: all of the user's running jobs together; one job over it alone
    // can never start (QOSMax*PerUserLimit).
    if let Some(max) = QosLimits::tres(&l.max_tres_per_user, "cpu")
        && cpus > max
    {
        over.push(format!(
            "at most {max} CPUs for all your running jobs together (MaxTRESPerUser; this job alone asks for {cpus})"
        ));
    }
    if let Some(max) = QosLimits::tres(&l.max_tres_per_user, "gres/gpu")
        && gpus > max
    {
        over.push(format!(
            "at most {max} GPUs for all your running jobs together (MaxTRESPerUser; this job alone asks for {gpus})"
        ));
    }
    if over.is_empty() {
        return;
    }
    c.push(
        &QOS_LIMIT,
        d.value_span.clone().unwrap_or(d.span.clone()),
        format!(
            "QOS `{}` allows {}: the job would be accepted but pend forever. Ask for less or use another QOS.",
            l.name,
            over.join(", ")
        ),
    );
}

pub(crate) const SIGNAL_NEEDS_PREEMPTION: Rule = Rule {
    explanation: "`--signal=R...` asks for the signal when the job is preempted. From Slurm 24.11 sbatch refuses it on a cluster without preemption (\"Preemption is required but is disabled on this system\", measured; 22.05 accepts it and never sends the signal). Drop the `R` flag (`B:USR1@60` signals the batch shell before the time limit).",
    ..Rule::new(
        "sbatch/signal-needs-preemption",
        Severity::Error,
        "--signal with the R flag on a cluster without preemption (24.11 refuses it).",
    )
};

/// `--signal=R[B]:SIG[@TIME]` where the facts say preemption is off.
pub(crate) fn signal_needs_preemption(c: &mut Checker, f: &ClusterFacts, component: usize) {
    if f.admission.preemption != Some(false) || c.version.is_none_or(|v| v < (24, 11)) {
        return;
    }
    let Some(d) = c.index.last(component, "signal") else { return };
    let Some(v) = d.value.as_deref() else { return };
    let Some((flags, _)) = v.split_once(':') else { return };
    if !flags.contains(['R', 'r']) || !flags.chars().all(|ch| "RrBb".contains(ch)) {
        return;
    }
    let vr = c.value_range(d);
    let exact = c.text.get(vr.clone()) == Some(v);
    let rest: String = flags.chars().filter(|ch| !"Rr".contains(*ch)).collect();
    let fixed = if rest.is_empty() {
        v[flags.len() + 1..].to_string()
    } else {
        format!("{rest}{}", &v[flags.len()..])
    };
    let fd = c.push(
        &SIGNAL_NEEDS_PREEMPTION,
        vr.clone(),
        format!(
            "The R flag of --signal needs preemption, which this cluster does not have: Slurm {} refuses the job (\"Preemption is required but is disabled on this system\"). Drop it: --signal={fixed}.",
            f.slurm_version.as_deref().unwrap_or("24.11")
        ),
    );
    if exact {
        fd.fixes.push(Fix::replace(format!("Change to {fixed}"), vr, fixed));
    }
}
