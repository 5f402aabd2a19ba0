//! What kind of document the server looks at: from its file name, its editor language
//! and its content (the rules are `clusterls_core::kind`'s, shared with the CLI).

use clusterls_core::FileKind;
use clusterls_core::kind::{has_sbatch_directive, kind_from_name};
use tower_lsp_server::ls_types::Uri;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Sbatch,
    Dockerfile,
    /// Not ours (a shell script without `#SBATCH` lines, say).
    Other,
}

/// What a document is, from its file name, its editor language and its content (the
/// rules are `clusterls_core::kind`'s, shared with the CLI).
pub fn kind(uri: &Uri, language_id: &str, text: &str) -> DocKind {
    match kind_from_name(uri.path().as_str()) {
        Some(FileKind::Sbatch) => DocKind::Sbatch,
        Some(FileKind::Dockerfile) => DocKind::Dockerfile,
        None if language_id == "dockerfile" => DocKind::Dockerfile,
        None if has_sbatch_directive(text) => DocKind::Sbatch,
        None => DocKind::Other,
    }
}

impl DocKind {
    pub fn file_kind(self) -> Option<FileKind> {
        match self {
            DocKind::Sbatch => Some(FileKind::Sbatch),
            DocKind::Dockerfile => Some(FileKind::Dockerfile),
            DocKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_kind(uri: &str, language: &str, text: &str, expected: DocKind) {
        assert_eq!(kind(&uri.parse().unwrap(), language, text), expected, "{uri}");
    }

    #[test]
    fn kinds() {
        check_kind("file:///w/train.sbatch", "plaintext", "", DocKind::Sbatch);
        check_kind("file:///w/a.slurm", "", "", DocKind::Sbatch);
        check_kind("file:///w/a.job", "", "", DocKind::Sbatch);
        check_kind(
            "file:///w/run.sh",
            "shellscript",
            "#!/bin/bash\n#SBATCH -p gpu\n",
            DocKind::Sbatch,
        );
        check_kind(
            "file:///w/run.sh",
            "shellscript",
            "#!/bin/bash\n# SBATCH -p gpu\n",
            DocKind::Other,
        );
        check_kind("file:///w/Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/gpu.Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/Containerfile", "", "", DocKind::Dockerfile);
        check_kind("untitled:Untitled-1", "dockerfile", "", DocKind::Dockerfile);
        check_kind("file:///w/my%20dir/Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/train.py", "python", "#SBATCH", DocKind::Sbatch);
    }
}
