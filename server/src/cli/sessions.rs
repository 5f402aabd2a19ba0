//! The commands about one job's session: `why` (why it waits, and when it may start),
//! `jobs ID` (one job's detail, and how it went).

use std::process::ExitCode;

use super::Global;
use super::render::visible;
use crate::engine::EngineError;
use crate::engine::JobRecord;
use crate::engine::JobState;
use crate::engine::sessions::{efficiency, reason, time};

#[derive(Debug, clap::Args)]
pub struct WhyArgs {
    /// The job id (see `clusterls jobs`).
    pub job: String,
}

#[derive(Debug, clap::Args)]
pub struct ExtendArgs {
    /// The job id (see `clusterls jobs`).
    pub job: String,
    /// How much: `+30` or `30` adds 30 minutes, `+1:00:00` an hour, `-10` takes 10
    /// minutes off, `=2:00:00` sets the limit (Slurm's time forms). On most clusters a
    /// user may lower a limit but only an operator may raise it: Slurm's answer is shown.
    #[arg(allow_hyphen_values = true, value_name = "[+|-|=]TIME")]
    pub time: String,
}

/// `clusterls extend JOB TIME`: `scontrol update JobId=JOB TimeLimit+=…`; the new limit
/// and time left on stdout, or Slurm's refusal (exit 4).
pub fn extend(g: &Global, a: ExtendArgs) -> ExitCode {
    super::cluster::runtime().block_on(async {
        let engine = match super::cluster::open(g, Some(&a.job)).await {
            Ok(e) => e,
            Err(e) => return super::cluster::fail(&e),
        };
        match engine.extend(&a.job, &a.time).await {
            Ok(left) => super::write_stdout(&extend_text(&a.job, left.as_ref())),
            Err(e) => super::cluster::fail(&e),
        }
    })
}

#[derive(Debug, clap::Args)]
pub struct CodeArgs {
    /// The allocation's job id (see `clusterls jobs`).
    pub allocation: String,
    /// Only write the Host entry and print its alias; do not start VS Code.
    #[arg(long)]
    pub print: bool,
}

/// `clusterls code ALLOC`: write the allocation node's ssh Host entry (removed when the
/// allocation ends) and open it with `code --folder-uri vscode-remote://ssh-remote+ALIAS/`.
/// The alias on stdout; the Include line the user's ssh config needs, on stderr, when
/// it lacks it.
pub fn code(g: &Global, a: CodeArgs) -> ExitCode {
    use crate::engine::sessions::{hosts_dir, remote_ssh};
    super::cluster::runtime().block_on(async {
        let engine = match super::cluster::open(g, Some(&a.allocation)).await {
            Ok(e) => e,
            Err(e) => return super::cluster::fail(&e),
        };
        let dir = hosts_dir();
        let h = match engine.remote_ssh_host(&a.allocation, &dir).await {
            Ok(h) => h,
            Err(e) => return super::cluster::fail(&e),
        };
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let config = g.ssh_config.clone().or_else(|| home.as_ref().map(|h| h.join(".ssh/config")));
        let text = config.as_ref().and_then(|c| std::fs::read_to_string(c).ok()).unwrap_or_default();
        if !remote_ssh::included(&text, &dir, home.as_deref()) {
            eprintln!(
                "clusterls: wrote {}; add this line at the top of {} (once) so that ssh and Remote-SSH read it:\n  {}",
                visible(&h.file.display().to_string()),
                config.map(|c| c.display().to_string()).unwrap_or_else(|| "your ssh config".into()),
                h.include_line
            );
        }
        if !a.print {
            let uri = remote_ssh::vscode_uri(&h.alias, "/");
            let started = std::process::Command::new("code")
                .args(["--folder-uri", &uri])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .status();
            if let Err(e) = started {
                eprintln!(
                    "clusterls: could not start VS Code (`code`: {e}); open {uri} from VS Code (Remote-SSH: Connect to Host… {})",
                    h.alias
                );
            }
        }
        super::write_stdout(&format!("{}\n", h.alias))
    })
}

/// The text of `clusterls extend` (pure).
pub fn extend_text(id: &str, left: Option<&time::TimeLeft>) -> String {
    match left {
        Some(t) => match t.left_secs {
            Some(s) => format!(
                "job {}: time limit {}, {} left\n",
                visible(id),
                visible(&t.limit),
                time::countdown(s)
            ),
            None => format!("job {}: time limit {}\n", visible(id), visible(&t.limit)),
        },
        None => format!("job {}: time limit changed; it is not in the queue now\n", visible(id)),
    }
}

/// `clusterls why JOB`: Slurm's reason in words, what to do, and the scheduler's
/// estimated start (asked now, with `squeue --start`).
pub fn why(g: &Global, a: WhyArgs) -> ExitCode {
    super::cluster::runtime().block_on(async {
        let engine = match super::cluster::open(g, Some(&a.job)).await {
            Ok(e) => e,
            Err(e) => return super::cluster::fail(&e),
        };
        let est = match engine.why(&a.job).await {
            Ok(e) => e,
            Err(e) => return super::cluster::fail(&e),
        };
        let Some(est) = est else {
            let known = engine.job(&a.job).ok().flatten();
            // Ended: its final state, from the record, else from accounting.
            if let Some(r) = known.as_ref().filter(|r| r.is_final()) {
                print!("{}", finished_text(&a.job, &r.state, r.exit_code, true));
                return ExitCode::SUCCESS;
            }
            if let Ok(Some(e)) = engine.efficiency(&a.job).await {
                let state = JobState::parse(&e.state);
                if state.is_final() {
                    print!("{}", finished_text(&a.job, &state, None, known.is_some()));
                    return ExitCode::SUCCESS;
                }
            }
            return match known {
                Some(r) => {
                    println!("job {} is not pending: {}", visible(&a.job), r.state);
                    ExitCode::SUCCESS
                }
                None => super::cluster::fail(&EngineError::Usage(format!(
                    "job {} is not pending on {} (not in the queue, or not yours); `clusterls jobs --refresh` shows its state",
                    visible(&a.job),
                    engine.host()
                ))),
            };
        };
        super::write_stdout(&why_text(&est))
    })
}

/// What `clusterls why` says of a job that has ended (pure).
/// `tracked`: clusterls has its record, so `clusterls jobs ID` can tell more.
pub fn finished_text(id: &str, state: &JobState, exit_code: Option<i32>, tracked: bool) -> String {
    let code = exit_code.map(|c| format!(", exit code {c}")).unwrap_or_default();
    let more = match tracked {
        true => format!(" `clusterls jobs {}` shows how it went", visible(id)),
        false => format!(" `sacct -j {}` on the cluster shows how it went", visible(id)),
    };
    format!("job {} has finished: {state}{code}; it no longer waits.{more}\n", visible(id))
}

/// The text of `clusterls why` (pure).
pub fn why_text(est: &reason::StartEstimate) -> String {
    let r = reason::explain(&est.reason);
    let start = match (&est.start, &est.nodes) {
        (Some(t), Some(n)) => format!("estimated start: {t} on {n} (the scheduler's guess; it moves as jobs end early or arrive)"),
        (Some(t), None) => format!("estimated start: {t} (the scheduler's guess; it moves as jobs end early or arrive)"),
        _ => "estimated start: Slurm has none yet (the backfill scheduler has not planned this job; ask again in a minute)".into(),
    };
    format!(
        "job {} is {} because {} (Slurm: {})\nwhat you can do: {}\n{start}\n",
        visible(&est.id),
        est.state,
        r.words,
        visible(&r.code),
        r.advice.replace("JOB", &est.id)
    )
}

/// `clusterls jobs ID`: the job's record, why it waits, and once it has ended its
/// efficiency from sacct with advice where a request was far too large.
pub fn job_detail(g: &Global, id: &str) -> ExitCode {
    super::cluster::runtime().block_on(async {
        let engine = match super::cluster::open(g, Some(id)).await {
            Ok(e) => e,
            Err(e) => return super::cluster::fail(&e),
        };
        let rec = match engine.job_view(id) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return super::cluster::fail(&EngineError::Usage(format!(
                    "job {} is not tracked on {}; see `clusterls jobs`",
                    visible(id),
                    engine.host()
                )));
            }
            Err(e) => return super::cluster::fail(&e),
        };
        let mut text = detail_text(&rec);
        if rec.is_final() {
            match engine.efficiency(id).await {
                Ok(Some(e)) => {
                    text.push_str("how it went (sacct):\n");
                    for l in efficiency::lines(&e) {
                        text.push_str(&format!("  {l}\n"));
                    }
                }
                Ok(None) => text.push_str(
                    "how it went: accounting has no row for it yet; ask again in a minute\n",
                ),
                Err(e) => text
                    .push_str(&format!("how it went: sacct failed: {}\n", visible(&e.to_string()))),
            }
        } else {
            text.push_str("how it went: shown here once it ends\n");
        }
        super::write_stdout(&text)
    })
}

/// The record part of `clusterls jobs ID` (pure).
pub fn detail_text(r: &JobRecord) -> String {
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut t = format!(
        "job {} on {}: {} ({})\n  state:     {}\n",
        visible(&r.id),
        visible(&r.host),
        visible(&r.name),
        match r.kind {
            crate::engine::JobKind::Run => "run",
            crate::engine::JobKind::Step => "step",
            crate::engine::JobKind::Alloc => "allocation",
        },
        r.state
    );
    if let Some(code) =
        r.reason.as_deref().filter(|c| !r.is_final() && *c != "None" && !r.is_array())
    {
        let w = reason::explain(code);
        t.push_str(&format!(
            "  why:       {} (Slurm: {})\n  what to do: {}\n",
            w.words,
            visible(&w.code),
            w.advice.replace("JOB", &r.id)
        ));
    }
    t.push_str(&format!(
        "  asked for: partition {}, {} GPU(s), time {}\n",
        dash(r.resources.partition.clone()),
        r.resources.gpus.unwrap_or(0),
        dash(r.resources.time.clone())
    ));
    if let Some(n) = &r.nodes {
        t.push_str(&format!("  nodes:     {}\n", visible(n)));
    }
    if let Some(c) = r.exit_code {
        t.push_str(&format!("  exit code: {c}\n"));
    }
    if let Some(d) = &r.run_dir {
        t.push_str(&format!("  run dir:   {}\n", visible(d)));
    }
    t.push_str(&super::show::tasks_table(r));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_says_the_new_limit() {
        let t = time::parse_time_left("41|RUNNING|19:59|20:00|node01\n");
        assert_eq!(extend_text("41", t.as_ref()), "job 41: time limit 20:00, 19:59 left\n");
        assert_eq!(
            extend_text("41", None),
            "job 41: time limit changed; it is not in the queue now\n"
        );
    }

    #[test]
    fn why_says_the_reason_and_the_start() {
        let est = reason::parse_start("41|PENDING|Resources|2026-11-30T19:01:02|node01\n");
        expect_test::expect![[r#"
            job 41 is PENDING because the resources it asks for are busy with other jobs (Slurm: Resources)
            what you can do: wait for them to free up (`clusterls why 41` estimates when), or ask for fewer GPUs/CPUs/memory
            estimated start: 2026-11-30T19:01:02 on node01 (the scheduler's guess; it moves as jobs end early or arrive)
        "#]]
        .assert_eq(&why_text(&est[0]));
        let est = reason::parse_start("42|PENDING|Priority|N/A|(null)\n");
        expect_test::expect![[r#"
            job 42 is PENDING because jobs with a higher priority are ahead in the queue (Slurm: Priority)
            what you can do: wait; a shorter --time or fewer resources may let it start sooner (backfill)
            estimated start: Slurm has none yet (the backfill scheduler has not planned this job; ask again in a minute)
        "#]]
        .assert_eq(&why_text(&est[0]));
    }

    #[test]
    fn why_of_an_ended_job_says_how_it_ended() {
        expect_test::expect![[r#"
            job 41 has finished: COMPLETED, exit code 0; it no longer waits. `clusterls jobs 41` shows how it went
        "#]]
        .assert_eq(&finished_text("41", &JobState::parse("COMPLETED"), Some(0), true));
        expect_test::expect![[r#"
            job 41_2 has finished: CANCELLED; it no longer waits. `sacct -j 41_2` on the cluster shows how it went
        "#]]
        .assert_eq(&finished_text("41_2", &JobState::parse("CANCELLED"), None, false));
    }
}
