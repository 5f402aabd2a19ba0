//! The commands about one job's session: `why` (why it waits, and when it may start).

use std::process::ExitCode;

use super::Global;
use super::render::visible;
use crate::engine::EngineError;
use crate::engine::sessions::reason;

#[derive(Debug, clap::Args)]
pub struct WhyArgs {
    /// The job id (see `clusterls jobs`).
    pub job: String,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
