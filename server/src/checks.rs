//! Checking a document: the one dispatch that `clusterls check` and the language
//! server share, so a file gets the same findings in the terminal and in the editor.

use clusterls_core::facts::RemoteDir;
use clusterls_core::{ClusterFacts, CodeFilter, FileKind, Finding};

/// Every finding for a document of `kind`, less the codes `filter` turns off.
pub fn check(
    kind: FileKind,
    text: &str,
    facts: Option<&ClusterFacts>,
    filter: &CodeFilter,
) -> Vec<Finding> {
    match kind {
        FileKind::Sbatch => {
            let mut findings = clusterls_sbatch::check(text, facts);
            filter.apply(&mut findings);
            findings
        }
        FileKind::Dockerfile => clusterls_dockerfile::check_with(text, facts, filter),
    }
}

/// [`check`] of a document the language server publishes. With facts, an sbatch script's
/// check also returns the absolute `--output`/`--error` directories it names (to ask the
/// cluster about) and uses the `known` answers about them, all from one parse.
pub fn check_document(
    kind: FileKind,
    text: &str,
    facts: Option<&ClusterFacts>,
    filter: &CodeFilter,
    known: &[RemoteDir],
) -> (Vec<Finding>, Vec<String>) {
    match (kind, facts) {
        (FileKind::Sbatch, Some(_)) => {
            let (mut findings, dirs) = clusterls_sbatch::check_with_dirs(text, facts, known);
            filter.apply(&mut findings);
            (findings, dirs)
        }
        _ => (check(kind, text, facts, filter), Vec::new()),
    }
}

/// The checks against the cluster that could not run on documents of `kinds` with these
/// facts, as (code, reason); `why_no_facts` is the reason when there are none.
pub fn skipped(
    kinds: &[FileKind],
    facts: Option<&ClusterFacts>,
    why_no_facts: &str,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if kinds.contains(&FileKind::Sbatch) {
        out.extend(
            clusterls_sbatch::skipped(facts, why_no_facts).into_iter().map(|s| (s.code, s.reason)),
        );
    }
    if kinds.contains(&FileKind::Dockerfile) {
        let reason = match facts {
            None => Some(why_no_facts.to_string()),
            Some(f) if f.gpu_driver.is_none() => Some(
                "the facts carry no NVIDIA driver version (no nvidia-smi on the login node)".into(),
            ),
            Some(_) => None,
        };
        if let Some(r) = reason {
            out.push(("gpu/cuda-too-new", r));
        }
    }
    out
}
