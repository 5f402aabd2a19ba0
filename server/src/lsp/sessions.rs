//! The session commands: one job's detail asked on demand (never in a poll), extending a
//! session's time, and the Remote-SSH host of an allocation.

use tower_lsp_server::jsonrpc::{Error, Result};

use super::cluster::{self, Cluster};
use super::ext;
use crate::engine::{self, EngineError, Phase};

/// What the cluster says of job `id` now: time left (running), estimated start
/// (pending), how it went (ended). What cannot be asked becomes a `note`; only a login
/// that needs the user fails the request.
pub async fn job_detail(c: &Cluster, id: &str) -> Result<ext::JobDetail> {
    let rec = c.engine.job(id).map_err(cluster::error)?.ok_or_else(|| {
        Error::invalid_params(format!(
            "job {id} is not tracked on {}; refresh the Jobs view",
            c.engine.host()
        ))
    })?;
    let mut d = ext::JobDetail { id: id.to_string(), ..Default::default() };
    let failed = |e: EngineError, what: &str| match e {
        EngineError::LoginRequired { .. } => Err(cluster::error(e)),
        e => Ok(Some(format!("{what} failed: {e}"))),
    };
    match rec.state.phase() {
        Phase::Pending => match c.engine.why(id).await {
            Ok(Some(est)) => {
                let r = engine::sessions::reason::explain(&est.reason);
                d.why = Some(format!("{}; {}", r.words, r.advice.replace("JOB", id)));
                d.estimated_start = Some(match (&est.start, &est.nodes) {
                    (Some(t), Some(n)) => format!("{t} on {n} (the scheduler's estimate)"),
                    (Some(t), None) => format!("{t} (the scheduler's estimate)"),
                    _ => "none yet: the scheduler has not planned this job".into(),
                });
            }
            Ok(None) => d.note = Some("it is not pending any more".into()),
            Err(e) => d.note = failed(e, "squeue --start")?,
        },
        Phase::Running => match c.engine.time_left(id).await {
            Ok(Some(t)) => {
                d.time_left_secs = t.left_secs;
                d.time_limit = Some(t.limit);
            }
            Ok(None) => d.note = Some("it is not in the queue any more".into()),
            Err(e) => d.note = failed(e, "squeue")?,
        },
        _ if rec.is_final() => match c.engine.efficiency(id).await {
            Ok(Some(e)) => {
                let (efficiency, advice) = split_advice(engine::sessions::efficiency::lines(&e));
                d.efficiency = efficiency;
                d.advice = advice;
            }
            Ok(None) => {
                d.note = Some("accounting has no row for it yet; look again in a minute".into())
            }
            Err(e) => d.note = failed(e, "sacct")?,
        },
        _ => {}
    }
    Ok(d)
}

/// The efficiency lines apart from the advice lines (their `advice: ` cut).
pub fn split_advice(lines: Vec<String>) -> (Vec<String>, Vec<String>) {
    let (advice, used): (Vec<String>, Vec<String>) =
        lines.into_iter().partition(|l| l.starts_with("advice: "));
    let advice = advice.into_iter().map(|l| l["advice: ".len()..].to_string()).collect();
    (used.into_iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect(), advice)
}

/// Change a job's time limit; its time left after the change.
pub async fn extend(c: &Cluster, p: ext::ExtendParams) -> Result<ext::JobDetail> {
    let left = c.engine.extend(&p.id, &p.time).await.map_err(cluster::error)?;
    Ok(ext::JobDetail {
        id: p.id,
        time_left_secs: left.as_ref().and_then(|t| t.left_secs),
        time_limit: left.map(|t| t.limit),
        ..Default::default()
    })
}

/// Write the Remote-SSH Host entry of a running allocation's node.
pub async fn remote_ssh_host(c: &Cluster, allocation: &str) -> Result<ext::RemoteSshHost> {
    let dir = engine::sessions::hosts_dir();
    let h = c.engine.remote_ssh_host(allocation, &dir).await.map_err(cluster::error)?;
    Ok(ext::RemoteSshHost {
        uri: engine::sessions::remote_ssh::vscode_uri(&h.alias, "/"),
        alias: h.alias,
        file: h.file.display().to_string(),
        include_line: h.include_line,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn advice_apart() {
        let (used, advice) = super::split_advice(vec![
            "time:   0:01:00 of 1:00:00 (1% of the limit)".into(),
            "advice: used 1 GB of 64 GB: ask for --mem=2G next time".into(),
        ]);
        assert_eq!(used, ["time: 0:01:00 of 1:00:00 (1% of the limit)"]);
        assert_eq!(advice, ["used 1 GB of 64 GB: ask for --mem=2G next time"]);
    }
}
