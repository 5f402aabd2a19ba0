//! What kind of file a document is. One rule for the CLI and the language server.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Sbatch,
    Dockerfile,
}

/// The kind a file name says, if it says one: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `*.containerfile`, `Dockerfile.*` and `Containerfile.*`
/// are Dockerfiles; `*.sbatch`, `*.slurm` and `*.job` are sbatch scripts. `path` may be a
/// whole path with `/` or `\` separators.
pub fn kind_from_name(path: &str) -> Option<FileKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let docker = ["dockerfile", "containerfile"];
    if docker.iter().any(|d| {
        lower == *d
            || lower.strip_suffix(d).is_some_and(|rest| rest.ends_with('.'))
            || lower.strip_prefix(d).is_some_and(|rest| rest.starts_with('.'))
    }) {
        return Some(FileKind::Dockerfile);
    }
    if [".sbatch", ".slurm", ".job"].iter().any(|ext| lower.ends_with(ext)) {
        return Some(FileKind::Sbatch);
    }
    None
}

/// Whether some line starts with `#SBATCH`. sbatch reads directives only before the
/// first command, but a script whose `#SBATCH` lines all come later is still one the
/// user meant as a batch script (and the checker says why they are ignored).
pub fn has_sbatch_directive(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("#SBATCH"))
}

/// Whether text without a name (standard input) reads as a Dockerfile: no `#SBATCH`
/// line, and its first instruction (after comments, parser directives and blank lines)
/// is `FROM` or `ARG`, which is how every Dockerfile starts.
pub fn looks_like_dockerfile(text: &str) -> bool {
    if has_sbatch_directive(text) {
        return false;
    }
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
    first.is_some_and(|l| {
        let word = l.split_whitespace().next().unwrap_or("");
        word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG")
    })
}

/// The kind of a file from its name, else from its text: a file whose name says neither
/// is an sbatch script when some line starts with `#SBATCH`, and otherwise neither (a
/// Python program or a plain shell script is not checked as a batch script).
pub fn kind_of(path: &str, text: &str) -> Option<FileKind> {
    kind_from_name(path).or_else(|| has_sbatch_directive(text).then_some(FileKind::Sbatch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(name: &str, expected: Option<FileKind>) {
        assert_eq!(kind_from_name(name), expected, "{name}");
    }

    #[test]
    fn by_name() {
        use FileKind::*;
        check("Dockerfile", Some(Dockerfile));
        check("/w/my dir/Containerfile", Some(Dockerfile));
        check("gpu.Dockerfile", Some(Dockerfile));
        check("gpu.dockerfile", Some(Dockerfile));
        check("Dockerfile.cuda", Some(Dockerfile));
        check("Containerfile.dev", Some(Dockerfile));
        check(r"C:\w\Dockerfile", Some(Dockerfile));
        check("train.sbatch", Some(Sbatch));
        check("a.slurm", Some(Sbatch));
        check("a.JOB", Some(Sbatch));
        check("train.py", None);
        check("run.sh", None);
        check("mydockerfile", None);
        check("Dockerfiles", None);
    }

    #[test]
    fn by_content() {
        assert!(has_sbatch_directive("#!/bin/bash\n#SBATCH -p gpu\n"));
        assert!(!has_sbatch_directive("#!/bin/bash\n# SBATCH -p gpu\n  #SBATCH -p x\n"));
        assert_eq!(kind_of("train.py", "import torch\n"), None);
        assert_eq!(kind_of("run.sh", "#!/bin/bash\necho\n"), None);
        assert_eq!(kind_of("run.sh", "#!/bin/bash\n#SBATCH -p gpu\n"), Some(FileKind::Sbatch));
        assert_eq!(kind_of("Dockerfile", "#SBATCH\n"), Some(FileKind::Dockerfile));
        assert_eq!(kind_of("x.sbatch", ""), Some(FileKind::Sbatch));
        // Standard input without a name.
        assert!(looks_like_dockerfile(
            "# syntax=docker/dockerfile:1\n\nFROM python:3.11\nRUN pip install torch\n"
        ));
        assert!(looks_like_dockerfile("ARG TAG=2.1\nfrom pytorch/pytorch:${TAG}\n"));
        assert!(!looks_like_dockerfile("#!/bin/bash\n#SBATCH -p gpu\nsrun python x.py\n"));
        assert!(!looks_like_dockerfile("FROM x\n#SBATCH -p gpu\n"));
        assert!(!looks_like_dockerfile("echo FROM here\n"));
        assert!(!looks_like_dockerfile(""));
    }
}
