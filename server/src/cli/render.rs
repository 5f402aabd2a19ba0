//! The outputs of `clusterls check`: text (rustc/ruff style, with the source line and a
//! caret, drawn by `annotate-snippets`, the crate rustc and ruff use), JSON (a list of
//! findings with 1-based positions) and SARIF 2.1.0 (rules documented through
//! [`super::rules`]).
//!
//! Text from a checked file (its name, the messages that quote it, its source lines) is
//! shown with control characters made visible (`\u{1b}`), so a file cannot drive the
//! terminal with escape sequences.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use clusterls_core::text::human_position;
use clusterls_core::{Finding, LineIndex, Severity};
use serde_json::{Value, json};

use super::input::Input;
use super::rules;
use super::visible::hidden;
pub use super::visible::{visible, visible_lines_of};

/// One checked file and its findings.
pub struct Checked {
    pub input: Input,
    pub findings: Vec<Finding>,
}

/// The source lines `span` of `text` made visible (line breaks kept), and a map from byte
/// offsets of `text` (from the span's start) to offsets of the result.
fn visible_lines(text: &str, span: Range<usize>) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut map = Vec::with_capacity(span.len() + 1);
    for c in text[span].chars() {
        let pos = out.len();
        for _ in 0..c.len_utf8() {
            map.push(pos);
        }
        if c != '\n' && hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    map.push(out.len());
    (out, map)
}

/// The most lines of source shown for one finding.
const MAX_SNIPPET_LINES: usize = 6;

pub fn render_text(checked: &[Checked], styled: bool) -> String {
    let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for c in checked {
        let text = &c.input.text;
        let index = LineIndex::new(text);
        let name = visible(&c.input.name);
        for f in &c.findings {
            let start = f.range.start.min(text.len());
            let end = f.range.end.clamp(start, text.len());
            let (first, _) = index.line_col(start);
            let (last, _) = index.line_col(end);
            let last = last.min(first + MAX_SNIPPET_LINES - 1);
            let lines = index.line_start(first)
                ..index.line_range(text, last).end.max(index.line_start(first));
            let (source, map) = visible_lines(text, lines.clone());
            let at = |o: usize| map[o.clamp(lines.start, lines.end) - lines.start];
            let span = at(start)..at(end);
            let level = match f.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
                Severity::Hint => Level::NOTE,
            };
            let message = visible(&f.message);
            let mut group = level.primary_title(message.as_ref()).id(f.code.as_str()).element(
                Snippet::source(source.as_str())
                    .line_start(first + 1)
                    .path(name.as_ref())
                    .annotation(AnnotationKind::Primary.span(span)),
            );
            if f.fixes.len() == 1 {
                group = group.element(Level::HELP.message(format!(
                    "{} (`clusterls check --fix` applies it)",
                    visible(&f.fixes[0].title)
                )));
            } else {
                for fix in &f.fixes {
                    group = group.element(Level::HELP.message(visible(&fix.title).into_owned()));
                }
            }
            out += &renderer.render(&[group]);
            out += "\n\n";
        }
    }
    let count = |s: Severity| -> usize {
        checked.iter().map(|c| c.findings.iter().filter(|f| f.severity == s).count()).sum()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if errors + warnings > 0 {
        out += &format!(
            "{} file(s) checked: {errors} error(s), {warnings} warning(s)\n",
            checked.len()
        );
    }
    out
}

fn span(text: &str, index: &LineIndex, range: &Range<usize>) -> (usize, usize, usize, usize) {
    let (l, c) = human_position(text, index, range.start);
    let (el, ec) = human_position(text, index, range.end);
    (l, c, el, ec)
}

/// `{"findings": [...], "skipped": [{"code", "reason"}], "notes": [...]}`: the findings,
/// the checks against the cluster that could not run and why, and the notes that the
/// text output writes to stderr.
pub fn render_json(checked: &[Checked], skipped: &[(&str, String)], notes: &[String]) -> Value {
    let skipped: Vec<Value> =
        skipped.iter().map(|(code, reason)| json!({"code": code, "reason": reason})).collect();
    json!({"findings": findings_json(checked), "skipped": skipped, "notes": notes})
}

fn findings_json(checked: &[Checked]) -> Value {
    let mut all = Vec::new();
    for c in checked {
        let text = &c.input.text;
        let index = LineIndex::new(text);
        for f in &c.findings {
            let (line, column, end_line, end_column) = span(text, &index, &f.range);
            let fixes: Vec<Value> = f
                .fixes
                .iter()
                .map(|fix| {
                    let edits: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (l, col, el, ec) = span(text, &index, &e.range);
                            json!({"line": l, "column": col, "end_line": el, "end_column": ec, "replacement": e.replacement})
                        })
                        .collect();
                    json!({"title": fix.title, "edits": edits})
                })
                .collect();
            all.push(json!({
                "file": c.input.name,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "severity": f.severity.as_str(),
                "code": f.code,
                "message": f.message,
                "fixes": fixes,
            }));
        }
    }
    Value::Array(all)
}

/// Percent-encode a path for a SARIF `uri` (relative references stay relative).
pub fn uri(name: &str) -> String {
    let mut s = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s += &format!("%{b:02X}");
        }
    }
    s
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// SARIF 2.1.0. `notes` (e.g. why the checks against the cluster were skipped) become
/// the invocation's tool notifications.
pub fn render_sarif(checked: &[Checked], notes: &[String]) -> Value {
    let mut codes: Vec<&str> =
        checked.iter().flat_map(|c| c.findings.iter().map(|f| f.code.as_str())).collect();
    codes.sort();
    codes.dedup();
    let mut results = Vec::new();
    for c in checked {
        let text = &c.input.text;
        let index = LineIndex::new(text);
        let location = |range: &Range<usize>| {
            let (l, col, el, ec) = span(text, &index, range);
            json!({"startLine": l, "startColumn": col, "endLine": el, "endColumn": ec})
        };
        for f in &c.findings {
            let fixes: Vec<Value> = f
                .fixes
                .iter()
                .map(|fix| {
                    let replacements: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| json!({"deletedRegion": location(&e.range), "insertedContent": {"text": e.replacement}}))
                        .collect();
                    json!({
                        "description": {"text": fix.title},
                        "artifactChanges": [{"artifactLocation": {"uri": uri(&c.input.name)}, "replacements": replacements}],
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": codes.iter().position(|r| *r == f.code).unwrap_or(0),
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri(&c.input.name)},
                    "region": location(&f.range),
                }}],
            });
            if !fixes.is_empty() {
                result["fixes"] = Value::Array(fixes);
            }
            results.push(result);
        }
    }
    let rules_json: Vec<Value> = codes.iter().map(|code| sarif_rule(code)).collect();
    let notifications: Vec<Value> =
        notes.iter().map(|n| json!({"level": "note", "message": {"text": n}})).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "clusterls",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules_json,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn sarif_rule(code: &str) -> Value {
    let name = code.replace(['/', '-'], "_");
    let Some(doc) = rules::rule(code) else {
        return json!({"id": code, "name": name, "shortDescription": {"text": code}});
    };
    let mut rule = json!({
        "id": code,
        "name": name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.full},
        "help": {"text": format!("{}\n\n{}", doc.full, doc.help_uri), "markdown": format!("{}\n\n[Documentation]({})", doc.full, doc.help_uri)},
        "helpUri": doc.help_uri,
    });
    if let Some(s) = doc.severity {
        rule["defaultConfiguration"] = json!({"level": sarif_level(s)});
    }
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_visible(input: &str, expected: &str) {
        assert_eq!(visible(input), expected);
    }

    #[test]
    fn control_characters_are_made_visible() {
        check_visible("plain `--x` é 漢", "plain `--x` é 漢");
        check_visible("a\u{1b}[31mred", "a\\u{1b}[31mred");
        check_visible("two\nlines\r", "two\\u{a}lines\\u{d}");
        check_visible("csi\u{9b}2J", "csi\\u{9b}2J");
        check_visible("rtl\u{202e}x", "rtl\\u{202e}x");
        check_visible("tab\tkept", "tab\tkept");
        assert_eq!(visible_lines_of("one\u{1b}\ntwo"), "one\\u{1b}\ntwo");
    }

    #[test]
    fn uris() {
        assert_eq!(uri("dir/my job.sh"), "dir/my%20job.sh");
    }
}
