//! Pure helpers of the run and build commands: which folder a run copies with its
//! script, how the arguments line is split, clusterls' banner apart from a job's errors,
//! a failed build's line as a finding, and the file a URI argument names.

use std::path::{Path, PathBuf};

use clusterls_core::{Finding, LineIndex, Rule, Severity};
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::Uri;

use crate::engine::images::build::plan::failed_line;

/// The folder a run from the editor copies with its script: the nearest folder holding
/// `clusterls.toml` (`has_project_file`) inside the workspace folder that holds the
/// script, else that workspace folder. A script outside every workspace folder takes
/// the nearest folder with `clusterls.toml`, or goes alone (`None`).
pub fn project_dir(
    script: &Path,
    roots: &[PathBuf],
    has_project_file: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let dir = script.parent()?;
    // The deepest root holding the script (workspace folders may nest).
    let root = roots.iter().filter(|r| dir.starts_with(r)).max_by_key(|r| r.components().count());
    for d in dir.ancestors() {
        if root.is_some_and(|r| !d.starts_with(r)) {
            break;
        }
        if has_project_file(d) {
            return Some(d.to_path_buf());
        }
    }
    root.cloned()
}

/// The arguments of a script from one line, split as a POSIX shell splits words
/// (quotes and backslashes; no variables, globs or substitutions), by `shlex`.
pub fn split_arguments(line: &str) -> Result<Vec<String>, String> {
    shlex::split(line).ok_or_else(|| {
        format!(
            "the arguments `{line}` have an unclosed quote or a trailing backslash; close the quote (write \\\" for a quote inside one)"
        )
    })
}

/// The job's error output without clusterls' own banner lines (`clusterls: job N on
/// HOST, CUDA_VISIBLE_DEVICES=...`), and the banner lines.
pub fn split_banner(err: &str) -> (String, Option<String>) {
    let mut rest = String::with_capacity(err.len());
    let mut banner: Vec<&str> = Vec::new();
    for line in err.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if l.starts_with("clusterls: job ") && l.contains(" on ") {
            banner.push(l);
        } else {
            rest.push_str(line);
        }
    }
    (rest, (!banner.is_empty()).then(|| banner.join("\n")))
}

/// A failed build's diagnostic ([`BuildFailure::finding`]), on the Dockerfile instruction
/// the build stopped at.
pub const BUILD_FAILED: Rule = Rule {
    explanation: "The image build on the cluster (Build on cluster, or the build a run with a Dockerfile needs first) stopped at this instruction: a RUN that exited non-zero, a COPY of a file missing from the build context, a base image that could not be pulled. The diagnostic shows the last lines the build printed; no image was kept. Fix the instruction and build again: the next build of the Dockerfile clears it.",
    ..Rule::new(
        "build/failed",
        Severity::Error,
        "The image build on the cluster failed at this instruction.",
    )
};

/// The language server's own rules, next to the checkers' registries
/// (`cli::rules::all` reads all three).
pub static RULES: &[&Rule] = &[&BUILD_FAILED];

/// A failed build of a Dockerfile: the 1-based line of the instruction it stopped at,
/// and what the build said last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildFailure {
    pub line: usize,
    pub message: String,
}

impl BuildFailure {
    /// The failure from a build's log (its stderr lines), when it names a line.
    pub fn from_log(log: &[String]) -> Option<BuildFailure> {
        let text = log.join("\n");
        let line = failed_line(&text)?;
        // ch-image's `hint:` lines speak of its own flags, not of the Dockerfile.
        let said = |l: &&str| !l.is_empty() && !l.starts_with("hint:");
        let tail: Vec<&str> = log.iter().map(|l| l.trim()).filter(said).rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Some(BuildFailure {
            line,
            message: format!(
                "the image build on the cluster failed at this instruction (no image was kept); it said:\n{}\nFix it and run Build on cluster again.",
                tail.join("\n")
            ),
        })
    }

    /// The diagnostic's finding: the line's text without its indentation.
    pub fn finding(&self, text: &str, index: &LineIndex) -> Option<Finding> {
        let line = self.line.checked_sub(1).filter(|l| *l < index.line_count())?;
        let r = index.line_range(text, line);
        let content = &text[r.clone()];
        let start = r.start + (content.len() - content.trim_start().len());
        let end = (r.start + content.trim_end().len()).max(start);
        Some(BUILD_FAILED.finding(start..end, self.message.clone()))
    }
}

/// A local file path from a `file://` URI argument.
pub fn file_path(uri: &str) -> tower_lsp_server::jsonrpc::Result<PathBuf> {
    let u: Uri =
        uri.parse().map_err(|e| Error::invalid_params(format!("`{uri}` is not a URI: {e}")))?;
    u.to_file_path().map(|p| p.into_owned()).ok_or_else(|| {
        Error::invalid_params(format!("`{uri}` is not a file on this machine; save it first"))
    })
}

pub fn display_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_project(script: &str, roots: &[&str], with_toml: &[&str], want: Option<&str>) {
        let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
        let has = |d: &Path| with_toml.iter().any(|t| Path::new(t) == d);
        assert_eq!(
            project_dir(Path::new(script), &roots, &has),
            want.map(PathBuf::from),
            "{script} in {roots:?} with clusterls.toml in {with_toml:?}"
        );
    }

    #[test]
    fn the_folder_a_run_copies() {
        // The workspace folder by default.
        check_project("/w/p/train.py", &["/w/p"], &[], Some("/w/p"));
        check_project("/w/p/src/train.py", &["/w/p"], &[], Some("/w/p"));
        // The nearest folder with clusterls.toml inside it.
        check_project("/w/p/a/b/train.py", &["/w/p"], &["/w/p/a"], Some("/w/p/a"));
        check_project("/w/p/a/b/train.py", &["/w/p"], &["/w/p", "/w/p/a/b"], Some("/w/p/a/b"));
        // Not above the workspace folder.
        check_project("/w/p/train.py", &["/w/p"], &["/w"], Some("/w/p"));
        // The deepest of nested workspace folders.
        check_project("/w/p/q/train.py", &["/w/p", "/w/p/q"], &[], Some("/w/p/q"));
        // Outside every workspace folder: the nearest clusterls.toml, or the file alone.
        check_project("/x/y/train.py", &["/w/p"], &["/x"], Some("/x"));
        check_project("/x/y/train.py", &["/w/p"], &[], None);
        check_project("/x/y/train.py", &[], &[], None);
        // A sibling folder whose name starts like the root's is not inside it.
        check_project("/w/pp/train.py", &["/w/p"], &[], None);
    }

    fn check_args(line: &str, want: Result<&[&str], ()>) {
        let got = split_arguments(line);
        match want {
            Ok(w) => assert_eq!(got, Ok(w.iter().map(|s| s.to_string()).collect()), "{line}"),
            Err(()) => {
                assert!(got.as_ref().is_err_and(|e| e.contains("unclosed quote")), "{got:?}")
            }
        }
    }

    #[test]
    fn arguments() {
        check_args("", Ok(&[]));
        check_args("   ", Ok(&[]));
        check_args("--lr 0.1 --epochs 3", Ok(&["--lr", "0.1", "--epochs", "3"]));
        check_args("--name 'my run' \"a b\"", Ok(&["--name", "my run", "a b"]));
        check_args("$(rm -rf ~) ; echo $HOME", Ok(&["$(rm", "-rf", "~)", ";", "echo", "$HOME"]));
        check_args("'$(x)' a\\ b", Ok(&["$(x)", "a b"]));
        check_args("--msg 'unclosed", Err(()));
    }

    #[test]
    fn banner_is_not_an_error() {
        let (rest, banner) = split_banner(
            "clusterls: job 359 on node01, CUDA_VISIBLE_DEVICES=0\nTraceback (most recent call last):\n",
        );
        assert_eq!(rest, "Traceback (most recent call last):\n");
        assert_eq!(banner.as_deref(), Some("clusterls: job 359 on node01, CUDA_VISIBLE_DEVICES=0"));
        let (rest, banner) = split_banner("warning: x\nclusterls: pulling\n");
        assert_eq!((rest.as_str(), banner), ("warning: x\nclusterls: pulling\n", None));
        assert_eq!(split_banner(""), (String::new(), None));
    }

    fn check_failure(dockerfile: &str, log: &[&str], want: Option<(usize, &str)>) {
        let log: Vec<String> = log.iter().map(|s| s.to_string()).collect();
        let got = BuildFailure::from_log(&log).and_then(|f| {
            let idx = LineIndex::new(dockerfile);
            let finding = f.finding(dockerfile, &idx)?;
            Some((f.line, dockerfile[finding.range].to_string()))
        });
        assert_eq!(got, want.map(|(l, s)| (l, s.to_string())), "{log:?}");
    }

    #[test]
    fn registry_is_sound() {
        let problems = clusterls_core::rule::registry_problems(RULES, &["build"]);
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn a_failed_build_points_at_its_instruction() {
        let df = "FROM x\n\nENV A=1\n   RUN false  \nRUN echo\n";
        // ch-image numbers instructions by their Dockerfile line.
        check_failure(
            df,
            &["key ab: building", "  1. FROM x", "  4. RUN false", "error: build failed"],
            Some((4, "RUN false")),
        );
        check_failure(df, &["key ab: building", "error: cannot reach the registry"], None);
        let log: Vec<String> =
            ["  4. RUN false", "error: build failed", "hint: use --force"].map(String::from).into();
        let said = BuildFailure::from_log(&log).unwrap().message;
        assert!(said.contains("error: build failed") && !said.contains("--force"), "{said}");
        // A line past the end (the file changed meanwhile): no diagnostic.
        check_failure(df, &["  9. RUN false"], None);
    }
}
