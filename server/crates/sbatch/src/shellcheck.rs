//! shellcheck's `-f json1` output mapped to findings. Pure: the caller runs shellcheck
//! (the CLI does, when it is installed) and hands its output here with the script text.

use clusterls_core::{Edit, Finding, Fix, LineIndex, Severity};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
    fix: Option<ShellcheckFix>,
}

#[derive(Debug, Deserialize)]
struct ShellcheckFix {
    replacements: Vec<Replacement>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    replacement: String,
}

/// Byte offset of 1-based `line` and 1-based `column`, where shellcheck counts a tab as
/// advancing to the next multiple of 8 (its "virtual" columns).
fn offset(text: &str, index: &LineIndex, line: usize, column: usize) -> usize {
    let range = index.line_range(text, line.saturating_sub(1));
    let content = &text[range.clone()];
    let mut col = 1;
    for (i, c) in content.char_indices() {
        if col >= column {
            return range.start + i;
        }
        col += if c == '\t' { 8 - ((col - 1) % 8) } else { 1 };
    }
    range.end
}

/// Map shellcheck's `-f json1` output for `text` to findings (`shellcheck/SC2086`, ...).
/// Output that is not json1 gives no findings.
pub fn findings_from_json1(text: &str, json: &str) -> Vec<Finding> {
    let Ok(out) = serde_json::from_str::<Output>(json) else { return Vec::new() };
    let index = LineIndex::new(text);
    out.comments
        .into_iter()
        .map(|c| {
            let start = offset(text, &index, c.line, c.column);
            let end = offset(text, &index, c.end_line, c.end_column).max(start);
            let severity = match c.level.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                _ => Severity::Hint,
            };
            let mut f = Finding::new(
                start..end,
                severity,
                format!("shellcheck/SC{}", c.code),
                format!("{} (see https://www.shellcheck.net/wiki/SC{})", c.message, c.code),
            );
            if let Some(fix) = c.fix {
                let edits = fix
                    .replacements
                    .into_iter()
                    .map(|r| Edit {
                        range: offset(text, &index, r.line, r.column)
                            ..offset(text, &index, r.end_line, r.end_column),
                        replacement: r.replacement,
                    })
                    .collect();
                f = f.with_fix(Fix {
                    title: format!("Apply shellcheck's fix for SC{}", c.code),
                    edits,
                });
            }
            f
        })
        .collect()
}
