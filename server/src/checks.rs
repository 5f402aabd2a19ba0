//! Checking a document: the one dispatch that `clusterls check` and the language
//! server share, so a file gets the same findings in the terminal and in the editor.

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
