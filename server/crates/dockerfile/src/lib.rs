//! Dockerfiles: parse with exact spans and check them, including what
//! Apptainer/Singularity will do with each instruction. Pure, never fails.
//!
//! - [`parse()`] gives the model ([`Dockerfile`]): directives, instructions with spans,
//!   flags, words, JSON (exec) form, heredocs, stages.
//! - [`docs::INSTRUCTIONS`] documents every instruction (hover/completion).
//! - [`check`] / [`check_with`] return [`Finding`]s with stable codes
//!   (`docker/...`, `apptainer/...`, `gpu/...`); [`rules::RULES`] lists them.
//! - [`convert::convert`] turns a Dockerfile into an Apptainer definition file plus
//!   findings; [`deffile::parse`] reads definition files back.

mod checks;
pub mod convert;
pub mod cuda;
pub mod deffile;
pub mod docs;
pub mod parse;
pub mod rules;
pub mod shell;

pub use checks::MAX_FILE_BYTES;
pub use parse::{Args, Dockerfile, Flag, Heredoc, Instruction, Kind, Stage, Word, parse};

use clusterls_core::{ClusterFacts, CodeFilter, Finding};

/// Check a Dockerfile. `facts` enables checks against the cluster (GPU driver).
pub fn check(text: &str, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    check_with(text, facts, &CodeFilter::default())
}

/// [`check`] without the codes a project turned off.
pub fn check_with(text: &str, facts: Option<&ClusterFacts>, config: &CodeFilter) -> Vec<Finding> {
    if text.len() > checks::MAX_FILE_BYTES {
        let mut out = vec![checks::too_large(text)];
        config.apply(&mut out);
        return out;
    }
    let df = parse(text);
    let mut out = checks::run(text, &df, facts);
    let silence = Silencing::new(text, &df);
    out.retain(|f| !config.disables(&f.code) && !silence.silenced(f));
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.code).cmp(&(b.range.start, b.range.end, &b.code))
    });
    out
}

/// `# clusterls-ignore: code[,code]` on the line(s) just above an instruction silences
/// those codes for it; `# clusterls-ignore-file: code[,code]` anywhere silences them
/// for the file. A bare `# clusterls-ignore` silences everything on the next
/// instruction. hadolint's `# hadolint ignore=DL3008` and `# hadolint global
/// ignore=...` are honoured through the DL code map, and BuildKit's `# check=skip=...`
/// directive through its check names.
struct Silencing {
    file: CodeFilter,
    /// (instruction span, codes; empty = all)
    lines: Vec<(std::ops::Range<usize>, Vec<String>)>,
}

impl Silencing {
    fn new(text: &str, df: &Dockerfile) -> Silencing {
        let mut file = CodeFilter::default();
        let mut lines = Vec::new();
        // `# check=skip=JSONArgsRecommended,...` skips BuildKit's checks, and so ours.
        for d in df.directives.iter().filter(|d| d.name == "check") {
            for part in d.value.split(';') {
                if let Some(list) = part.trim().strip_prefix("skip=") {
                    for name in list.split(',') {
                        file.disabled.extend(
                            rules::from_buildkit(name.trim()).iter().map(|c| c.to_string()),
                        );
                    }
                }
            }
        }
        for c in &df.comments {
            if let Some((global, codes)) = ignore_codes(&c.text) {
                if global {
                    file.disabled.extend(codes);
                    continue;
                }
                // The instruction that follows this comment (comments in between allowed).
                let after = &text[c.span.end..];
                let at = df.instructions.partition_point(|i| i.span.start < c.span.end);
                let next = df.instructions.get(at);
                if let Some(i) = next {
                    let between = &after[..i.span.start - c.span.end];
                    if between
                        .lines()
                        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
                    {
                        lines.push((i.span.clone(), codes));
                    }
                }
            }
        }
        Silencing { file, lines }
    }

    fn silenced(&self, f: &Finding) -> bool {
        if self.file.disables(&f.code) {
            return true;
        }
        // `lines` is in document order and instructions do not overlap: the entries for
        // the instruction holding the finding are the last ones starting at or before it
        // (a binary search, so silencing stays linear).
        let x = f.range.start;
        let end = self.lines.partition_point(|(span, _)| span.start <= x);
        self.lines[..end].iter().rev().take_while(|(span, _)| span.contains(&x)).any(
            |(_, codes)| {
                codes.is_empty() || CodeFilter { disabled: codes.clone() }.disables(&f.code)
            },
        )
    }
}

/// `(file-wide, codes)` of an ignore comment's text (after `#`).
fn ignore_codes(comment: &str) -> Option<(bool, Vec<String>)> {
    let split = |s: &str| -> Vec<String> {
        s.split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .flat_map(|c| {
                if c.starts_with("DL") {
                    rules::from_hadolint(c).into_iter().map(str::to_string).collect()
                } else {
                    vec![c.to_string()]
                }
            })
            .collect()
    };
    if let Some(rest) = comment.strip_prefix("clusterls-ignore-file") {
        return Some((true, split(rest.trim_start_matches(':'))));
    }
    if let Some(rest) = comment.strip_prefix("clusterls-ignore") {
        return Some((false, split(rest.trim_start_matches(':'))));
    }
    if let Some(rest) = comment.strip_prefix("hadolint global ignore=") {
        return Some((true, split(rest)));
    }
    if let Some(rest) = comment.strip_prefix("hadolint ignore=") {
        let codes = split(rest);
        // Only DL codes we do not map: nothing to silence.
        return if codes.is_empty() { None } else { Some((false, codes)) };
    }
    None
}
