//! How the cluster commands show their results on a terminal: aligned tables, no Debug
//! formatting, colour through anstream (only on a terminal, `NO_COLOR` and `--color`
//! honoured). Pure: values in, text out.

use super::table::{self, Cell};
use crate::engine::{JobRecord, JobState};

pub fn print_facts(f: &crate::engine::Facts) {
    let x = &f.facts;
    let age = if f.from_cache {
        format!("cached {} s ago; --refresh to read again", f.age_secs)
    } else {
        "just read".into()
    };
    println!(
        "cluster {} (Slurm {}) as {} via {} ({age})",
        x.cluster.as_deref().unwrap_or("?"),
        x.slurm_version.as_deref().unwrap_or("?"),
        x.user.as_deref().unwrap_or("?"),
        x.host.as_deref().unwrap_or("?")
    );
    let rows: Vec<Vec<Cell>> = x
        .partitions
        .iter()
        .map(|p| {
            let gpus: Vec<String> = p
                .gpus
                .iter()
                .map(|g| {
                    format!(
                        "{}{}",
                        g.gpu_type.as_deref().map(|t| format!("{t}:")).unwrap_or_default(),
                        g.count
                    )
                })
                .collect();
            let mins = |m: Option<u64>, none: &str| {
                m.map(|m| format!("{m}m")).unwrap_or_else(|| none.into())
            };
            let state = match p.state {
                clusterls_core::facts::PartitionState::Up => "UP",
                clusterls_core::facts::PartitionState::Down => "DOWN",
                clusterls_core::facts::PartitionState::Drain => "DRAIN",
                clusterls_core::facts::PartitionState::Inactive => "INACTIVE",
            };
            let or_q = |v: Option<String>| v.unwrap_or_else(|| "?".into());
            vec![
                Cell::plain(format!("{}{}", p.name, if p.is_default { "*" } else { "" })),
                Cell::plain(state),
                Cell::plain(mins(p.max_time_minutes, "unlimited")),
                Cell::plain(mins(p.default_time_minutes, "-")),
                Cell::plain(or_q(p.cpus_per_node.map(|c| c.to_string()))),
                Cell::plain(or_q(p.mem_per_node_mb.map(|c| c.to_string()))),
                Cell::plain(if gpus.is_empty() { "-".into() } else { gpus.join(",") }),
                Cell::plain(p.nodes.join(",")),
            ]
        })
        .collect();
    anstream::print!(
        "{}",
        table::render(
            &["PARTITION", "STATE", "MAX TIME", "DEFAULT", "CPUS", "MEM_MB", "GPUS", "NODES"],
            &rows
        )
    );
    println!("associations (default account {}):", x.default_account.as_deref().unwrap_or("-"));
    for a in &x.associations {
        println!(
            "  {} on {} qos {}",
            a.account,
            a.partition.as_deref().unwrap_or("any partition"),
            a.qos.join(",")
        );
    }
    match &x.runtime {
        Some(r) => println!(
            "runtime: {} {} ({})",
            r.kind.as_str(),
            r.version.as_deref().unwrap_or("?"),
            r.path.as_deref().unwrap_or("?")
        ),
        None => println!("runtime: none found"),
    }
    println!("images in {}:", x.image_dir.as_deref().unwrap_or("?"));
    for i in &x.images {
        println!("  {}", i.name);
    }
}

fn kind_str(k: crate::engine::JobKind) -> &'static str {
    match k {
        crate::engine::JobKind::Run => "run",
        crate::engine::JobKind::Step => "step",
        crate::engine::JobKind::Alloc => "alloc",
    }
}

fn state_style(s: &JobState) -> anstyle::Style {
    use anstyle::AnsiColor::*;
    let colour = match s {
        JobState::Completed => Green,
        JobState::Running | JobState::Completing | JobState::Configuring => Cyan,
        JobState::Pending | JobState::Suspended => Yellow,
        _ if s.is_final() => Red,
        _ => return anstyle::Style::new(),
    };
    colour.on_default()
}

/// `clusterls jobs`: one job a line, columns aligned, newest last as the store lists them.
pub fn jobs_table(jobs: &[JobRecord]) -> String {
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<Cell>> = jobs
        .iter()
        .map(|j| {
            // Why a live job waits, in words (`clusterls why ID` says what to do).
            let reason = match &j.reason {
                // A job array: its count per state (`2 running, 4 pending`).
                _ if j.is_array() => crate::engine::array::summary(&j.tasks),
                Some(r) if !j.is_final() && r != "None" && !r.is_empty() => {
                    crate::engine::sessions::reason::short(r)
                }
                _ => "-".into(),
            };
            vec![
                Cell::plain(j.host.clone()),
                Cell::plain(j.id.clone()),
                Cell::styled(j.state.to_string(), state_style(&j.state)),
                Cell::plain(kind_str(j.kind)),
                Cell::plain(j.name.clone()),
                Cell::plain(dash(j.resources.partition.clone())),
                Cell::plain(dash(j.resources.gpus.map(|g| g.to_string()))),
                Cell::plain(dash(j.resources.time.clone())),
                Cell::plain(dash(j.exit_code.map(|c| c.to_string()))),
                Cell::plain(dash(j.run_dir.clone())),
                Cell::plain(reason),
            ]
        })
        .collect();
    table::render(
        &[
            "HOST",
            "ID",
            "STATE",
            "KIND",
            "NAME",
            "PARTITION",
            "GPUS",
            "TIME",
            "EXIT",
            "RUN_DIR",
            "REASON",
        ],
        &rows,
    )
}

/// The tasks of a job array (`clusterls jobs ID`): one a line, aligned; empty for any
/// other job.
pub fn tasks_table(j: &JobRecord) -> String {
    if !j.is_array() {
        return String::new();
    }
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<Cell>> = j
        .tasks
        .iter()
        .map(|t| {
            let reason = match &t.reason {
                Some(r) if !t.state.is_final() => crate::engine::sessions::reason::short(r),
                _ => "-".into(),
            };
            vec![
                Cell::plain(format!("{}_{}", j.id, t.index)),
                Cell::styled(t.state.to_string(), state_style(&t.state)),
                Cell::plain(dash(t.exit_code.map(|c| c.to_string()))),
                Cell::plain(dash(t.nodes.clone())),
                Cell::plain(reason),
            ]
        })
        .collect();
    format!(
        "  tasks:     {} ({} of them; logs: `clusterls logs {}_INDEX`)\n{}",
        crate::engine::array::summary(&j.tasks),
        j.tasks.len(),
        j.id,
        table::render(&["TASK", "STATE", "EXIT", "NODES", "REASON"], &rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::JobKind;

    fn job(host: &str, id: &str, kind: JobKind, state: JobState, exit: Option<i32>) -> JobRecord {
        JobRecord {
            host: host.into(),
            id: id.into(),
            kind,
            name: "train.py".into(),
            state,
            reason: None,
            exit_code: exit,
            run_dir: Some(format!("/home/u/.clusterls/runs/{id}")),
            alloc_id: None,
            nodes: None,
            submitted_at: 0,
            updated_at: 0,
            resources: crate::engine::Resources {
                partition: Some("gpu".into()),
                gpus: Some(1),
                ..Default::default()
            },
            ssh_config: None,
            log_out: None,
            log_err: None,
            tasks: Vec::new(),
        }
    }

    #[test]
    fn jobs_of_every_host_aligned_without_debug_formatting() {
        let mut pending = job("local", "7", JobKind::Alloc, JobState::Pending, None);
        pending.reason = Some("Resources".into());
        pending.run_dir = None;
        let jobs = [
            job("mycluster", "359", JobKind::Run, JobState::Completed, Some(0)),
            job("mycluster", "359/run-2", JobKind::Step, JobState::Failed, Some(3)),
            pending,
        ];
        let text = anstream::adapter::strip_str(&jobs_table(&jobs)).to_string();
        expect_test::expect![[r#"
            HOST       ID         STATE      KIND   NAME      PARTITION  GPUS  TIME  EXIT  RUN_DIR                            REASON
            mycluster  359        COMPLETED  run    train.py  gpu        1     -     0     /home/u/.clusterls/runs/359        -
            mycluster  359/run-2  FAILED     step   train.py  gpu        1     -     3     /home/u/.clusterls/runs/359/run-2  -
            local      7          PENDING    alloc  train.py  gpu        1     -     -     -                                  the resources it asks for are busy with other jobs
        "#]]
        .assert_eq(&text);
    }
}
