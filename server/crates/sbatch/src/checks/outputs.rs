//! The files Slurm writes for the job: `--output`/`--error` in a directory that does not
//! exist. Slurm does not create it: the job starts, cannot open its output, and ends
//! FAILED without a line of output (the most common first-job mistake).
//!
//! Only absolute directories can be known: a relative one depends on the directory the
//! script is submitted from (or on `--chdir`, used when it is absolute). The engine asks
//! for them with `test -d` ([`log_dirs`] says which): `clusterls check` in the facts' own
//! round trip, the language server when a script is opened or changed; the facts carry
//! the answers, and a directory nobody asked about is not judged.

use clusterls_core::{Rule, Severity};

use super::Checker;
use crate::parse::Script;

/// The absolute directories the job's `--output`/`--error` files go to (resolved
/// against an absolute `--chdir`), each once: what the facts should ask about. One pass
/// over the directives (a script may have thousands of hetjob components).
pub fn log_dirs(script: &Script) -> Vec<String> {
    // The last --chdir, --output and --error of each component.
    let mut last: Vec<[Option<&str>; 3]> = vec![[None; 3]; script.components.max(1)];
    for d in &script.directives {
        let slot = match d.name() {
            Some("chdir") => 0,
            Some("output") => 1,
            Some("error") => 2,
            _ => continue,
        };
        if let Some(comp) = last.get_mut(d.component) {
            comp[slot] = d.value.as_deref();
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for [chdir, output, error] in last {
        for file in [output, error].into_iter().flatten() {
            if let Some(dir) = dir_of(file, chdir)
                && seen.insert(dir.clone())
            {
                out.push(dir);
            }
        }
    }
    out
}

/// The absolute directory of an output file name, when it can be known: no Slurm
/// pattern (`%j`) or variable in the directory part, and absolute or under an absolute
/// `--chdir`.
fn dir_of(file: &str, chdir: Option<&str>) -> Option<String> {
    let (dir, _) = file.rsplit_once('/')?;
    let dir = if file.starts_with('/') {
        if dir.is_empty() { "/".to_string() } else { dir.to_string() }
    } else {
        let base = chdir.filter(|c| c.starts_with('/'))?;
        format!("{}/{dir}", base.trim_end_matches('/'))
    };
    let unknowable = |s: &str| s.contains(['%', '$', '\\', '`', '~', '\n']);
    if unknowable(&dir) || chdir.is_some_and(|c| !file.starts_with('/') && unknowable(c)) {
        return None;
    }
    Some(normalize(&dir))
}

/// `a/./b/` → `a/b` (no `..` resolution: a symlink decides it on the cluster).
fn normalize(dir: &str) -> String {
    let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    format!("/{}", parts.join("/"))
}

pub(crate) const OUTPUT_DIR_MISSING: Rule = Rule {
    explanation: "The directory of --output or --error does not exist on the cluster. sbatch accepts the job, but Slurm does not create directories: the job starts, cannot open its output file, and ends FAILED without any output. Create it before submitting (`mkdir -p DIR`; `clusterls run` does this for you). Checked only for absolute directories (or relative to an absolute --chdir), with `test -d` on the login node: in the round trip that reads the cluster's facts (`clusterls check`), or when the editor opens or changes the script (the language server asks once a minute at most, and never Slurm).",
    ..Rule::new(
        "sbatch/output-dir-missing",
        Severity::Warning,
        "An --output/--error directory that does not exist on the cluster.",
    )
};

pub(crate) fn check(c: &mut Checker, component: usize) {
    let Some(f) = c.facts else { return };
    if f.admission.dirs.is_empty() {
        return;
    }
    let chdir = c.index.last(component, "chdir").and_then(|d| d.value.as_deref());
    for opt in ["output", "error"] {
        let Some(d) = c.index.last(component, opt) else { continue };
        let Some(dir) = d.value.as_deref().and_then(|v| dir_of(v, chdir)) else { continue };
        if f.dir_exists(&dir) == Some(false) {
            c.push(
                &OUTPUT_DIR_MISSING,
                c.value_range(d),
                format!(
                    "The directory {dir} does not exist on the cluster: Slurm does not create it, so the job would start, fail to open its --{opt} file and end FAILED without any output. Create it first: `mkdir -p {dir}` (`clusterls run` does this itself)."
                ),
            );
        }
    }
}
