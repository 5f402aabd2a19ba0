//! Uploads: reading a run's files from the local disk (`--sync DIR` walked with
//! ripgrep's `ignore`, honouring .gitignore, .ignore and .clusterlsignore). What is
//! uploaded and how it is packed is decided in [`plan`].

pub mod plan;

use std::path::Path;

use super::error::{EngineError, Result};
use plan::Upload;

/// The files of a run directory: the synced directory's (if any) and the script.
/// Returns them with the script's path inside the run directory.
pub(super) fn collect(
    script: &Path,
    script_name: &str,
    script_bytes: Vec<u8>,
    sync: Option<&Path>,
) -> Result<(Upload, String)> {
    let mut up = Upload::default();
    let mut script_in_run = script_name.to_string();
    if let Some(dir) = sync {
        add_dir(&mut up, dir)?;
        let (s, d) = (script.canonicalize().ok(), dir.canonicalize().ok());
        script_in_run = plan::script_in_run(script_name, s.as_deref(), d.as_deref());
    }
    if script_in_run == script_name {
        up.add(script_name, script_bytes, file_mode(script));
    }
    Ok((up, script_in_run))
}

/// Add a directory's files, honouring .gitignore, .ignore and .clusterlsignore.
fn add_dir(up: &mut Upload, dir: &Path) -> Result<()> {
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .add_custom_ignore_filename(".clusterlsignore")
        .filter_entry(|e| {
            e.file_name() != ".git"
                && !(e.depth() == 1 && e.file_name() == super::script::CONTROL_DIR)
        })
        .build();
    for entry in walk {
        let entry =
            entry.map_err(|e| EngineError::Usage(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_str().ok_or_else(|| {
            EngineError::Usage(format!("{} is not valid UTF-8", entry.path().display()))
        })?;
        let data = std::fs::read(entry.path())
            .map_err(|e| EngineError::io(format!("cannot read {}", entry.path().display()), e))?;
        up.add(rel, data, file_mode(entry.path()));
    }
    Ok(())
}

/// A file's permission bits (what it uploads with, at most; the cluster's umask 077
/// takes the rest away).
fn file_mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(plan::SCRIPT_MODE)
}
