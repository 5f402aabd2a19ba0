//! The request against the cluster's facts: partitions, accounts, QOS, reservations,
//! node features; then the partitions' admission (`admission`), per-job limits (`limits`)
//! and, for the one partition asked for, its capacity (`capacity`).

use clusterls_core::facts::{Partition, PartitionState, names};
use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Fix, Rule, Severity};

use super::request::{Request, Target};
use super::{Checker, admission, capacity, limits};

pub(crate) fn check<'a>(c: &mut Checker<'a>, f: &'a ClusterFacts, r: &Request<'a>) {
    if f.partitions.is_empty() {
        return;
    }
    let Some(parts) = partitions(c, f, r) else { return };
    let t = Target { parts, r };
    unknown_reservation(c, f, r);
    unknown_feature(c, &t);
    partition_list(c, f, &t);
    partition_down(c, &t);
    let account = r.account.and_then(|d| d.value.clone()).or(f.default_account.clone());
    if let Some(acct) = account.as_deref()
        && account_known(c, f, r, acct)
    {
        account_partition(c, f, &t, acct);
    }
    qos(c, f, &t, account.as_deref());
    admission::check(c, f, &t, account.as_deref());
    limits::check(c, f, &t);
    // Only single-partition requests are checked for limits: with a list, Slurm picks
    // whichever partition fits.
    if let [p] = t.parts[..] {
        capacity::check(c, f, &t, p);
    }
}

pub(crate) const UNKNOWN_PARTITION: Rule = Rule {
    explanation: "The cluster has no partition of that name (the facts list them), so sbatch refuses the job (\"invalid partition specified\"). Use one of the listed partitions; the quick fix suggests the closest.",
    ..Rule::new(
        "sbatch/unknown-partition",
        Severity::Error,
        "A partition the cluster does not have.",
    )
};

/// The known partitions the component goes to (the default one when it names none);
/// `None` when there is nothing to check against.
fn partitions<'a>(
    c: &mut Checker<'a>,
    f: &'a ClusterFacts,
    r: &Request<'a>,
) -> Option<Vec<&'a Partition>> {
    let Some((d, v)) = r.partition.and_then(|d| d.value.as_deref().map(|v| (d, v))) else {
        return f.default_partition().map(|p| vec![p]);
    };
    let mut parts = Vec::new();
    let vr = d.value_span.clone().unwrap_or(d.span.clone());
    let mut offset = 0;
    for name in v.split(',') {
        let here = vr.start + offset..vr.start + offset + name.len();
        offset += name.len() + 1;
        let exact_span = if &c.text[vr.clone()] == v { here } else { vr.clone() };
        match f.partition(name) {
            Some(p) => parts.push(p),
            None => {
                let names: Vec<&str> = f.partitions.iter().map(|p| p.name.as_str()).collect();
                let sugg = did_you_mean(name, names.iter().copied());
                let fd = c.push(
                    &UNKNOWN_PARTITION,
                    exact_span.clone(),
                    format!(
                        "The cluster has no partition `{name}`: sbatch refuses the job.{} Partitions: {}.",
                        sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                        names.join(", ")
                    ),
                );
                if let Some(s) = sugg {
                    fd.fixes.push(Fix::replace(format!("Change to {s}"), exact_span, s));
                }
            }
        }
    }
    if parts.is_empty() {
        // No partition to check against, but an account the user lacks is wrong on
        // every partition.
        if let Some(acct) = r.account.and_then(|d| d.value.clone()).or(f.default_account.clone()) {
            account_known(c, f, r, &acct);
        }
        return None;
    }
    Some(parts)
}

pub(crate) const UNKNOWN_RESERVATION: Rule = Rule {
    explanation: "The cluster has no reservation of that name now (reservations come and go), so sbatch refuses the job (\"Requested reservation is invalid\"). Use a listed reservation, or remove --reservation.",
    ..Rule::new(
        "sbatch/unknown-reservation",
        Severity::Error,
        "A reservation the cluster does not have.",
    )
};

fn unknown_reservation(c: &mut Checker, f: &ClusterFacts, r: &Request) {
    if let Some(known) = &f.reservations
        && let Some(d) = c.index.last(r.component, "reservation")
        && let Some(v) = d.value.as_deref()
        && let Some(bad) = v.split(',').find(|n| !known.iter().any(|k| k == n))
    {
        let sugg = did_you_mean(bad, known.iter().map(String::as_str));
        c.push(
            &UNKNOWN_RESERVATION,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "The cluster has no reservation `{bad}`: sbatch refuses the job (\"Requested reservation is invalid\").{} {}",
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                if known.is_empty() { "There are no reservations now: remove the option.".to_string() } else { format!("Reservations: {}.", known.join(", ")) }
            ),
        );
    }
}

pub(crate) const UNKNOWN_FEATURE: Rule = Rule {
    explanation: "--constraint, --prefer and --batch name node features. A feature no node of the cluster has makes sbatch refuse the job (\"Invalid feature specification\"); one that only nodes outside the partition have, too (\"Requested node configuration is not available\"), except in a bracketed OR (`[rack1|rack2]`) or with a count (`a100*2`), which sbatch accepts (measured on 22.05 and 24.11). Use a listed feature (the message lists them), or another partition.",
    ..Rule::new(
        "sbatch/unknown-feature",
        Severity::Error,
        "A node feature no node of the partition has.",
    )
};

/// Node features for --constraint/--prefer/--batch, when the facts know them.
fn unknown_feature(c: &mut Checker, t: &Target) {
    const OPTIONS: [&str; 3] = ["constraint", "prefer", "batch"];
    if OPTIONS.iter().all(|o| c.index.last(t.r.component, o).is_none()) {
        return;
    }
    let Some(known) = t
        .parts
        .iter()
        .map(|p| p.features.as_ref())
        .collect::<Option<Vec<_>>>()
        .map(|v| v.into_iter().flatten().map(String::as_str).collect::<Vec<&str>>())
    else {
        return;
    };
    // Every node's features, when every partition's are known (else: None).
    let cluster: Option<Vec<&str>> = c.facts.and_then(|f| {
        f.partitions
            .iter()
            .map(|p| p.features.as_ref())
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().map(String::as_str).collect())
    });
    for opt in OPTIONS {
        let Some(d) = c.index.last(t.r.component, opt) else { continue };
        let Some(v) = d.value.as_deref() else { continue };
        // Measured: features of other partitions' nodes pass sbatch in these two forms.
        let lenient =
            opt == "constraint" && (v.contains('*') || (v.contains('[') && v.contains('|')));
        let words = v
            .split(|ch: char| "&|,[]()!*".contains(ch) || ch.is_whitespace())
            .filter(|w| !w.is_empty() && !w.bytes().all(|b| b.is_ascii_digit()))
            .filter(|w| !known.contains(w));
        let mut refused = None;
        for w in words {
            let elsewhere = cluster.as_ref().map(|all| all.contains(&w));
            match elsewhere {
                // Nowhere in the cluster: "Invalid feature specification", in any form.
                Some(false) => {
                    refused = Some((w, false));
                    break;
                }
                Some(true) | None if lenient => {}
                Some(true) => refused = refused.or(Some((w, true))),
                None => refused = refused.or(Some((w, false))),
            }
        }
        let Some((first, elsewhere)) = refused else { continue };
        let sugg = did_you_mean(first, known.iter().copied());
        let why = if elsewhere {
            "only nodes of other partitions have it; sbatch refuses the job (\"Requested node configuration is not available\")".to_string()
        } else {
            format!(
                "sbatch refuses the job (\"Invalid {}feature specification\")",
                if opt == "prefer" { "preferred " } else { "" }
            )
        };
        c.push(
            &UNKNOWN_FEATURE,
            d.value_span.clone().unwrap_or(d.span.clone()),
            format!(
                "No node in {} has the feature `{first}`: {why}.{} {}",
                t.parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                if known.is_empty() {
                    "Its nodes have no features: remove the option.".to_string()
                } else {
                    format!("Features there: {}.", known.join(", "))
                }
            ),
        );
    }
}

pub(crate) const PARTITION_LIST: Rule = Rule {
    explanation: "When the user's associations for the account are per partition and the cluster enforces associations, Slurm refuses a list of partitions (\"Multiple partition job request not supported when a partition is set in the association\"). Give one partition.",
    ..Rule::new(
        "sbatch/partition-list",
        Severity::Error,
        "A list of partitions with per-partition associations: Slurm refuses it.",
    )
};

fn partition_list(c: &mut Checker, f: &ClusterFacts, t: &Target) {
    if t.parts.len() > 1
        && let Some(acct) = t.r.account.and_then(|d| d.value.clone()).or(f.default_account.clone())
        && f.enforces("associations")
        && f.associations
            .iter()
            .any(|a| names::account_eq(&a.account, &acct) && a.partition.is_some())
    {
        c.push(
            &PARTITION_LIST,
            t.anchor(t.r.partition),
            format!(
                "Your associations for `{acct}` are per partition, and then Slurm refuses a list of partitions (\"Multiple partition job request not supported when a partition is set in the association\"). Give one partition."
            ),
        );
    }
}

pub(crate) const PARTITION_DOWN: Rule = Rule {
    explanation: "An INACTIVE partition refuses new jobs; a DOWN or DRAINED one accepts them but starts nothing until an administrator brings it up, so the job pends indefinitely. Use another partition (an error for INACTIVE, a warning otherwise).",
    ..Rule::new(
        "sbatch/partition-down",
        Severity::Warning,
        "The partition is DOWN, DRAINED or INACTIVE.",
    )
};

fn partition_down(c: &mut Checker, t: &Target) {
    for p in &t.parts {
        match p.state {
            PartitionState::Up => {}
            PartitionState::Inactive => {
                c.push(
                    &PARTITION_DOWN,
                    t.anchor(t.r.partition),
                    format!(
                        "{} is INACTIVE: sbatch refuses jobs for it. Use another partition.",
                        t.pname(p)
                    ),
                )
                .severity = Severity::Error;
            }
            PartitionState::Down | PartitionState::Drain => {
                c.push(
                    &PARTITION_DOWN,
                    t.anchor(t.r.partition),
                    format!(
                        "{} is {}: the job will be accepted but will not start until an admin brings it up. Use another partition.",
                        t.pname(p),
                        if p.state == PartitionState::Down { "DOWN" } else { "DRAINED" }
                    ),
                );
            }
        }
    }
}

pub(crate) const UNKNOWN_ACCOUNT: Rule = Rule {
    explanation: "The user has no association with that account on the cluster (the facts list the user's accounts), so sbatch refuses the job (\"Invalid account\") where associations are enforced. Use one of your accounts; the quick fix suggests the closest.",
    ..Rule::new("sbatch/unknown-account", Severity::Error, "An account the user does not have.")
};

/// `sbatch/unknown-account` when the user has no such account at all (whatever the
/// partition). Whether the account is known (or the facts cannot say).
fn account_known(c: &mut Checker, f: &ClusterFacts, r: &Request, acct: &str) -> bool {
    if f.associations.is_empty() {
        return false;
    }
    let accounts = f.accounts();
    // Accounts compare without regard to case (measured: `-A LAB_DEV` is accepted).
    if accounts.iter().any(|a| names::account_eq(a, acct)) {
        return true;
    }
    let ar = r
        .account
        .and_then(|d| d.value_span.clone())
        .or(r.partition.map(|p| p.span.clone()))
        .unwrap_or(0..0);
    let sugg = did_you_mean(acct, accounts.iter().copied());
    let fd = c.push(
        &UNKNOWN_ACCOUNT,
        ar.clone(),
        format!(
            "You have no account `{acct}` on this cluster: sbatch refuses the job (\"Invalid account\").{} Your accounts: {}.",
            sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
            accounts.join(", ")
        ),
    );
    if !f.enforces("associations") {
        fd.severity = Severity::Warning;
    }
    if let Some(s) = sugg
        && r.account.is_some()
    {
        fd.fixes.push(Fix::replace(format!("Change to {s}"), ar, s));
    }
    false
}

pub(crate) const ACCOUNT_PARTITION: Rule = Rule {
    explanation: "The account exists, but its associations (or the partition's AllowAccounts) do not allow this partition, so sbatch refuses the job (\"Invalid account or account/partition combination\"). Use an account allowed there, or a partition the account may use (the message lists both).",
    ..Rule::new(
        "sbatch/account-partition",
        Severity::Error,
        "The account may not submit to that partition.",
    )
};

fn account_partition(c: &mut Checker, f: &ClusterFacts, t: &Target, acct: &str) {
    let r = t.r;
    let accounts = f.accounts();
    let ar = r.account.and_then(|d| d.value_span.clone()).unwrap_or(t.anchor(None));
    // Every listed partition must accept the account (measured on 22.05 with
    // EnforcePartLimits=ALL: `-p gpu,cpu` with an account only on cpu is refused).
    for p in t.parts.iter().copied() {
        if f.may_use(acct, &p.name) == Some(false) {
            let ok: Vec<&str> = f
                .partitions
                .iter()
                .filter(|q| f.may_use(acct, &q.name) == Some(true))
                .map(|q| q.name.as_str())
                .collect();
            let other: Vec<&str> =
                accounts.iter().copied().filter(|a| f.may_use(a, &p.name) == Some(true)).collect();
            c.push(
                &ACCOUNT_PARTITION,
                if r.account.is_some() { ar.clone() } else { t.anchor(r.partition) },
                format!(
                    "Account `{acct}` may not use {}: sbatch refuses the job (\"Invalid account or account/partition combination\"). {}{}",
                    t.pname(p),
                    if ok.is_empty() { String::new() } else { format!("`{acct}` may use: {}. ", ok.join(", ")) },
                    if other.is_empty() { String::new() } else { format!("Accounts allowed on {}: {}.", p.name, other.join(", ")) }
                ),
            );
        }
        if f.may_use(acct, &p.name) != Some(false) && !p.account_allowed(acct) {
            let why = match &p.allow_accounts {
                Some(allowed) if !allowed.iter().any(|a| names::account_eq(a, acct)) => {
                    format!("only allows accounts {}", allowed.join(", "))
                }
                _ => "denies the account (DenyAccounts)".to_string(),
            };
            let ok: Vec<&str> = accounts
                .iter()
                .copied()
                .filter(|a| p.account_allowed(a) && f.may_use(a, &p.name) != Some(false))
                .collect();
            c.push(
                &ACCOUNT_PARTITION,
                ar.clone(),
                format!(
                    "{} {why}; `{acct}` is refused (\"Invalid account or account/partition combination\").{}",
                    t.pname(p),
                    if ok.is_empty() { " Use another partition.".to_string() } else { format!(" Your accounts allowed there: {}.", ok.join(", ")) }
                ),
            );
        }
    }
}

pub(crate) const UNKNOWN_QOS: Rule = Rule {
    explanation: "The cluster has no QOS of that name. Where QOS are enforced sbatch refuses the job (\"Invalid qos specification\"); elsewhere the job runs without it. Use a listed QOS; the quick fix suggests the closest.",
    ..Rule::new("sbatch/unknown-qos", Severity::Error, "A QOS the cluster does not have.")
};

pub(crate) const QOS_NOT_ALLOWED: Rule = Rule {
    explanation: "The QOS exists, but the account's association does not allow it, so sbatch refuses the job where AccountingStorageEnforce includes `qos` (a warning elsewhere: 22.05 without it accepts the job, measured). Use one of the QOS the message lists, or another account.",
    ..Rule::new(
        "sbatch/qos-not-allowed",
        Severity::Error,
        "A QOS the account's association does not allow.",
    )
};

fn qos(c: &mut Checker, f: &ClusterFacts, t: &Target, account: Option<&str>) {
    let Some(d) = t.r.qos else { return };
    let Some(q) = d.value.as_deref() else { return };
    if f.qos.is_empty() {
        return;
    }
    let vr = d.value_span.clone().unwrap_or(d.span.clone());
    // QOS compare without regard to case (measured: `-q NORMAL` is accepted).
    if !f.qos.iter().any(|x| names::qos_eq(x, q)) {
        let sugg = did_you_mean(q, f.qos.iter().map(String::as_str));
        let enforced = f.enforces("qos");
        let fd = c.push(
            &UNKNOWN_QOS,
            vr.clone(),
            format!(
                "The cluster has no QOS `{q}`: {}.{} QOS: {}.",
                if enforced {
                    "sbatch refuses the job (\"Invalid qos specification\")"
                } else {
                    "this cluster does not enforce QOS, so the job is accepted without one"
                },
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                f.qos.join(", ")
            ),
        );
        if !enforced {
            fd.severity = Severity::Warning;
        }
        if let Some(s) = sugg {
            fd.fixes.push(Fix::replace(format!("Change to {s}"), vr, s));
        }
    } else if let Some(acct) = account {
        let single = t.parts.len() == 1;
        let assoc_qos: Vec<&str> = f
            .associations
            .iter()
            .filter(|a| {
                names::account_eq(&a.account, acct)
                    && (!single || a.partition.as_deref().is_none_or(|p| p == t.parts[0].name))
            })
            .flat_map(|a| a.qos.iter().map(String::as_str))
            .collect();
        if !assoc_qos.is_empty() && !assoc_qos.iter().any(|x| names::qos_eq(x, q)) {
            // Without `qos` in AccountingStorageEnforce, slurmctld does not check the
            // association's QOS list (measured: `-A lab_grads -q high` is accepted).
            let enforced = f.enforces("qos");
            let fd = c.push(
                &QOS_NOT_ALLOWED,
                vr,
                format!(
                    "Account `{acct}` may not use QOS `{q}`: {}. Allowed: {}.",
                    if enforced {
                        "sbatch refuses the job"
                    } else {
                        "this cluster does not enforce QOS access, so the job is accepted, but an administrator may not expect it"
                    },
                    assoc_qos.join(", ")
                ),
            );
            if !enforced {
                fd.severity = Severity::Warning;
            }
        }
    }
}
