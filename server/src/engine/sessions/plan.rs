//! Pure: planning interactive work on a cluster. Allocations that outlive a command
//! (`salloc --no-shell`), steps run inside them, the shell a terminal opens in one,
//! and cancelling any of these. Port forwards plan here (`forward_spec`, `first_node`): a forward is an
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

/// A job id or one task of a job array (`123_4`), as data for squeue and sacct.
pub fn check_job_or_task_id(id: &str, what: &str) -> Result<(), EngineError> {
    if crate::engine::array::split_task_id(id).is_some() {
        return Ok(());
    }
    check_job_id(id, what)
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
    // A job id, or one task of a job array (`123_4`): data, never an option.
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(id) && crate::engine::array::split_task_id(id).is_none() {
        return Err(EngineError::Usage(format!(
            "`{id}` is not a job id (a job `123` or one task of an array `123_4`)"
        )));
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
        expect!["`-1` is not a job id (a job `123` or one task of an array `123_4`)"]
            .assert_eq(&cancel_argv("-1", None).unwrap_err().to_string());
        for bad in ["12_", "_3", "12_3_4", "12_-1", "12_[1-3]", "--me", ""] {
            assert!(cancel_argv(bad, None).is_err(), "{bad}");
        }
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

/// A port forward asked for on the command line: `[LOCAL:]REMOTE_PORT`, from
/// 127.0.0.1:LOCAL (LOCAL = REMOTE_PORT when not given) to REMOTE_PORT on the job's
/// first node. Through the ControlMaster: openssh's native mux
/// `Session::request_port_forward(ForwardType::Local, 127.0.0.1:LOCAL, NODE:REMOTE)`,
/// closed with `close_port_forward` (the IO half is not written yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardSpec {
    pub local: u16,
    pub remote: u16,
}

/// Read `[LOCAL:]REMOTE_PORT`; the error says what a good one looks like.
pub fn forward_spec(s: &str) -> Result<ForwardSpec, EngineError> {
    let bad = |why: &str| {
        EngineError::Usage(format!(
            "`{s}` is not a forward: {why}; give REMOTE_PORT or LOCAL:REMOTE_PORT, e.g. 8888 or 18888:8888"
        ))
    };
    let port = |p: &str, which: &str| -> Result<u16, EngineError> {
        match p.trim().parse::<u16>() {
            Ok(0) => Err(bad(&format!("the {which} port is 0"))),
            Ok(n) => Ok(n),
            Err(_) => Err(bad(&format!("the {which} port `{p}` is not a number from 1 to 65535"))),
        }
    };
    match s.split_once(':') {
        Some((l, r)) => Ok(ForwardSpec { local: port(l, "local")?, remote: port(r, "remote")? }),
        None => {
            let r = port(s, "remote")?;
            Ok(ForwardSpec { local: r, remote: r })
        }
    }
}

/// The node a forward goes to: the first of the job's node list (`node[01-03]`,
/// `node01,node02`); `None` when the job has no node yet (not running).
pub fn first_node(nodelist: &str) -> Option<String> {
    let s = nodelist.trim();
    if s.is_empty() || s == "(null)" || s.starts_with('(') {
        return None;
    }
    let head = match s.find('[') {
        Some(b) if s[..b].find(',').is_none() => {
            let inner = s[b + 1..].split([']', ',', '-']).next()?;
            return Some(format!("{}{inner}", &s[..b]));
        }
        _ => s.split(',').next()?,
    };
    Some(head.to_string())
}

#[cfg(test)]
mod forward_tests {
    use super::*;

    fn check(input: &str, expected: expect_test::Expect) {
        let got = match forward_spec(input) {
            Ok(f) => format!("127.0.0.1:{} -> node:{}", f.local, f.remote),
            Err(e) => e.to_string(),
        };
        expected.assert_eq(&got);
    }

    #[test]
    fn forward_specs() {
        use expect_test::expect;
        check("8888", expect!["127.0.0.1:8888 -> node:8888"]);
        check("18888:8888", expect!["127.0.0.1:18888 -> node:8888"]);
        check(
            "0",
            expect![
                "`0` is not a forward: the remote port is 0; give REMOTE_PORT or LOCAL:REMOTE_PORT, e.g. 8888 or 18888:8888"
            ],
        );
        check(
            "x:80",
            expect![
                "`x:80` is not a forward: the local port `x` is not a number from 1 to 65535; give REMOTE_PORT or LOCAL:REMOTE_PORT, e.g. 8888 or 18888:8888"
            ],
        );
        check(
            "70000",
            expect![
                "`70000` is not a forward: the remote port `70000` is not a number from 1 to 65535; give REMOTE_PORT or LOCAL:REMOTE_PORT, e.g. 8888 or 18888:8888"
            ],
        );
    }

    #[test]
    fn first_nodes() {
        assert_eq!(first_node("node01").as_deref(), Some("node01"));
        assert_eq!(first_node("node[02-03]").as_deref(), Some("node02"));
        assert_eq!(first_node("node[07,09]").as_deref(), Some("node07"));
        assert_eq!(first_node("node02,node03").as_deref(), Some("node02"));
        assert_eq!(first_node("a1,b[1-2]").as_deref(), Some("a1"));
        assert_eq!(first_node("(Resources)"), None);
        assert_eq!(first_node(""), None);
    }
}
