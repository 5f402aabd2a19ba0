//! Pure: planning interactive work on a cluster. Allocations that outlive a command
//! (`salloc --no-shell`), steps run inside them, the shell a terminal opens in one,
//! and cancelling any of these. The coming port forwards plan here: a forward is an
//! argv over the same live connection, into an allocation's node.

use super::super::error::EngineError;
use super::super::programs;
use super::super::resources::Resources;
use super::super::script::bash;

/// A Slurm job id of an allocation or batch job (digits only).
pub fn check_job_id(id: &str, what: &str) -> Result<(), EngineError> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(EngineError::Usage(format!("{what} `{id}` is not a job id")));
    }
    Ok(())
}

/// The remote argv of an interactive shell inside allocation `alloc`.
pub fn shell_argv(alloc: &str) -> Result<Vec<String>, EngineError> {
    if alloc.is_empty() || !alloc.chars().all(|c| c.is_ascii_digit()) {
        return Err(EngineError::Usage(format!("`{alloc}` is not a job id")));
    }
    Ok(["srun", &format!("--jobid={alloc}"), "--overlap", "--pty", "bash", "-l"]
        .iter()
        .map(|s| s.to_string())
        .collect())
}

/// What a step runs on: what its allocation holds (as recorded when it was made).
pub fn held_by(alloc: Option<&Resources>) -> Resources {
    alloc
        .map(|a| Resources {
            partition: a.partition.clone(),
            account: a.account.clone(),
            gpus: a.gpus,
            time: a.time.clone(),
            ..Default::default()
        })
        .unwrap_or_default()
}

/// The argv that cancels a tracked job: a step run by its run directory, anything
/// else (batch job, allocation, or a job id clusterls does not track) with scancel.
pub fn cancel_argv(id: &str, step_run_dir: Option<&str>) -> Result<Vec<String>, EngineError> {
    if let Some(dir) = step_run_dir {
        return Ok(bash(programs::CANCEL_STEP_PROGRAM, "clusterls-cancel", [dir.to_string()]));
    }
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Err(EngineError::Usage(format!("`{id}` is not a job id")));
    }
    Ok(vec!["scancel".into(), id.into()])
}

/// The job id salloc names on a line of its stderr (`salloc: Pending job allocation
/// 12`, `salloc: Granted job allocation 12`): the request to withdraw when the user
/// stops waiting.
pub fn requested_job_id(line: &str) -> Option<String> {
    let rest = ["Pending job allocation ", "Granted job allocation "]
        .iter()
        .find_map(|p| line.split(p).nth(1))?;
    let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_request_salloc_names() {
        for (line, want) in [
            ("salloc: Pending job allocation 359", Some("359")),
            ("salloc: Granted job allocation 12", Some("12")),
            ("salloc: job 359 queued and waiting for resources", None),
            ("salloc: Pending job allocation ", None),
        ] {
            assert_eq!(super::requested_job_id(line).as_deref(), want, "{line}");
        }
    }

    use super::*;
    use expect_test::expect;

    #[test]
    fn ids_and_argv() {
        expect![[r#"Ok(["srun", "--jobid=12", "--overlap", "--pty", "bash", "-l"])"#]]
            .assert_eq(&format!("{:?}", shell_argv("12")));
        expect!["`12 x` is not a job id"].assert_eq(&shell_argv("12 x").unwrap_err().to_string());
        expect![[r#"Ok(["scancel", "12_3"])"#]]
            .assert_eq(&format!("{:?}", cancel_argv("12_3", None)));
        expect!["`-1` is not a job id"]
            .assert_eq(&cancel_argv("-1", None).unwrap_err().to_string());
        assert_eq!(cancel_argv("7/r", Some("/r d")).unwrap()[3..], ["clusterls-cancel", "/r d"]);
    }

    #[test]
    fn a_step_runs_on_what_its_allocation_holds() {
        let a = Resources {
            partition: Some("gpu".into()),
            gpus: Some(2),
            mem: Some("4G".into()),
            ..Default::default()
        };
        expect![[r#"Resources { partition: Some("gpu"), account: None, qos: None, gpus: Some(2), cpus: None, mem: None, time: None }"#]]
            .assert_eq(&format!("{:?}", held_by(Some(&a))));
        assert_eq!(held_by(None), Resources::default());
    }
}
