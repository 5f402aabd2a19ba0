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

/// Byte offset of 1-based `line` and 1-based `column`. json1 gives real columns: one per
/// character, a tab counting as one (measured with shellcheck 0.9.0; the older `json`
/// format counts tabs to the next multiple of 8).
fn offset(text: &str, index: &LineIndex, line: usize, column: usize) -> usize {
    let range = index.line_range(text, line.saturating_sub(1));
    let content = &text[range.clone()];
    match content.char_indices().nth(column.saturating_sub(1)) {
        Some((i, _)) => range.start + i,
        None => range.end,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded: `shellcheck -f json1` 0.9.0 on this text (a tab before `for`).
    #[test]
    fn maps_real_columns_and_fixes() {
        let text = "#!/bin/bash\n\tfor f in $(ls *.txt); do echo $f; done\n";
        let json = r#"{"comments":[{"file":"-","line":2,"endLine":2,"column":11,"endColumn":22,"level":"error","code":2045,"message":"Iterating over ls output is fragile. Use globs.","fix":null},{"file":"-","line":2,"endLine":2,"column":16,"endColumn":17,"level":"info","code":2035,"message":"Use ./*glob* or -- *glob* so names with dashes won't become options.","fix":null},{"file":"-","line":2,"endLine":2,"column":32,"endColumn":34,"level":"info","code":2086,"message":"Double quote to prevent globbing and word splitting.","fix":{"replacements":[{"column":32,"endColumn":32,"endLine":2,"insertionPoint":"afterEnd","line":2,"precedence":10,"replacement":"\""},{"column":34,"endColumn":34,"endLine":2,"insertionPoint":"beforeStart","line":2,"precedence":10,"replacement":"\""}]}}]}"#;
        let f = findings_from_json1(text, json);
        assert_eq!(&text[f[0].range.clone()], "$(ls *.txt)");
        assert_eq!(f[0].code, "shellcheck/SC2045");
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(&text[f[1].range.clone()], "*");
        assert_eq!(&text[f[2].range.clone()], "$f");
        let edits = &f[2].fixes[0].edits;
        assert_eq!(
            (edits[0].range.clone(), edits[0].replacement.as_str()),
            (f[2].range.start..f[2].range.start, "\"")
        );
        assert_eq!(
            (edits[1].range.clone(), edits[1].replacement.as_str()),
            (f[2].range.end..f[2].range.end, "\"")
        );
        assert!(findings_from_json1(text, "not json").is_empty());
    }
}
