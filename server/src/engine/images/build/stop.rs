//! Stopping a build the caller stopped waiting for. Dropping the build's future closes
//! its ssh channel, but srun outlives a closed channel (measured for pulls), so the
//! build's allocation is cancelled by its name, `clusterls-build-KEY16` (the build
//! program names it, [`super::plan::job_name`]), which is unique to the key.

use super::super::super::Engine;
use super::super::super::error::{EngineError, Result};
use super::super::super::transport::Exec;
use super::plan;

impl Engine {
    /// Cancel the allocation building `key`'s image, if one is queued or running.
    pub async fn cancel_build(&self, key: &str) -> Result<()> {
        let out = self.exec(Exec::new("scancel", stop_argv(key)?)).await?;
        if out.status != 0 {
            return Err(EngineError::refused("cancel the build", &out.stderr_str(), ""));
        }
        self.changed();
        Ok(())
    }
}

/// `scancel --me --name=clusterls-build-KEY16`: one word per option, the name built
/// from a hex key only.
fn stop_argv(key: &str) -> Result<Vec<String>> {
    if key.len() < plan::KEY_IN_NAME || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(EngineError::Usage(format!("`{key}` is not a build key")));
    }
    Ok(vec!["scancel".into(), "--me".into(), format!("--name={}", plan::job_name(key))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_allocation_by_its_name() {
        let key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            stop_argv(key).unwrap(),
            ["scancel", "--me", "--name=clusterls-build-0123456789abcdef"]
        );
        assert!(stop_argv("0123").is_err());
        assert!(stop_argv("0123456789abcdef; rm -rf ~").is_err());
    }
}
