//! The one place that builds LSP types from core values, and the only code that knows
//! positions are UTF-16 code units. Everything else works in byte offsets.

use std::collections::HashMap;
use std::ops::Range;

use clusterls_core::{Finding, LineIndex, Severity};

use super::features::{Hover, Item, ItemKind};
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, DiagnosticSeverity,
    NumberOrString, TextEdit, Uri, WorkspaceEdit,
};

/// Diagnostics' `source`.
pub const SOURCE: &str = "clusterls";

/// A document's text with its line index, the unit every conversion takes.
pub struct Text<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str, index: &'a LineIndex) -> Text<'a> {
        Text { text, index }
    }

    /// Byte offset of an LSP position. A character past the line's end means the end
    /// of the line (the spec's rule); a line past the end means the end of the text.
    /// A position inside a surrogate pair goes to the character's start.
    pub fn offset(&self, pos: lsp::Position) -> usize {
        let line = pos.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let range = self.index.line_range(self.text, line);
        let mut units = 0u32;
        for (i, c) in self.text[range.clone()].char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > pos.character {
                return range.start + i;
            }
            units = next;
        }
        range.end
    }

    /// LSP position of a byte offset (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, offset: usize) -> lsp::Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, col) = self.index.line_col(offset);
        let start = offset - col;
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        lsp::Position::new(line as u32, character as u32)
    }

    pub fn range(&self, range: Range<usize>) -> lsp::Range {
        lsp::Range::new(self.position(range.start), self.position(range.end))
    }

    pub fn byte_range(&self, range: lsp::Range) -> Range<usize> {
        let start = self.offset(range.start);
        start..self.offset(range.end).max(start)
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(text: &Text<'_>, f: &Finding) -> Diagnostic {
    Diagnostic {
        range: text.range(f.range.clone()),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.clone())),
        source: Some(SOURCE.into()),
        message: f.message.clone(),
        ..Default::default()
    }
}

/// Diagnostics published for one document at most: past this, an editor shows nothing
/// useful, and the message would cost megabytes.
pub const MAX_DIAGNOSTICS: usize = 500;

/// The diagnostics of a document: the findings in text order, the first
/// [`MAX_DIAGNOSTICS`] of them, and a note saying how many more there are.
pub fn diagnostics(text: &Text<'_>, findings: &[Finding]) -> Vec<Diagnostic> {
    let mut order: Vec<&Finding> = findings.iter().collect();
    order.sort_by_key(|f| (f.range.start, f.range.end));
    let mut out: Vec<Diagnostic> =
        order.iter().take(MAX_DIAGNOSTICS).map(|f| diagnostic(text, f)).collect();
    if findings.len() > MAX_DIAGNOSTICS {
        out.push(Diagnostic {
            range: text.range(0..0),
            severity: Some(DiagnosticSeverity::INFORMATION),
            source: Some(SOURCE.into()),
            message: format!(
                "clusterls shows the first {MAX_DIAGNOSTICS} of {} findings in this file; fix those (or run `clusterls check` on it) to see the rest",
                findings.len()
            ),
            ..Default::default()
        });
    }
    out
}

/// Quick fixes of the findings whose range touches `range` (both in bytes). The first
/// fix of each finding is marked preferred.
pub fn code_actions(
    uri: &Uri,
    text: &Text<'_>,
    findings: &[Finding],
    range: Range<usize>,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for f in findings {
        if f.range.start > range.end || range.start > f.range.end {
            continue;
        }
        for (i, fix) in f.fixes.iter().enumerate() {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: text.range(e.range.clone()),
                    new_text: e.replacement.clone(),
                })
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(text, f)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(i == 0),
                ..Default::default()
            }));
        }
    }
    out
}

pub fn completion_items(text: &Text<'_>, items: Vec<Item>) -> Vec<lsp::CompletionItem> {
    items
        .into_iter()
        .map(|it| lsp::CompletionItem {
            kind: Some(match it.kind {
                ItemKind::Keyword => lsp::CompletionItemKind::KEYWORD,
                ItemKind::Option => lsp::CompletionItemKind::PROPERTY,
                ItemKind::Value => lsp::CompletionItemKind::VALUE,
                ItemKind::File => lsp::CompletionItemKind::FILE,
            }),
            detail: it.detail,
            documentation: it.doc.map(|d| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: d,
                })
            }),
            filter_text: Some(it.label.clone()),
            sort_text: it.sort,
            text_edit: Some(lsp::CompletionTextEdit::Edit(TextEdit {
                range: text.range(it.replace),
                new_text: it.insert,
            })),
            command: it.retrigger.then(|| lsp::Command {
                title: "complete the value".into(),
                command: "editor.action.triggerSuggest".into(),
                arguments: None,
            }),
            label: it.label,
            ..Default::default()
        })
        .collect()
}

pub fn hover(text: &Text<'_>, h: Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(text.range(h.range)),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    /// Round-trips every byte offset through a position and renders `offset->line:char`.
    #[track_caller]
    fn check_positions(text: &str, expect: Expect) {
        let index = LineIndex::new(text);
        let t = Text::new(text, &index);
        let mut out = String::new();
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = t.position(offset);
            // Between \r and \n is no place an editor can put the cursor.
            if !(text[..offset].ends_with('\r') && text[offset..].starts_with('\n')) {
                assert_eq!(t.offset(p), offset, "round trip of {offset} via {p:?}");
            }
            out.push_str(&format!("{offset}->{}:{} ", p.line, p.character));
        }
        expect.assert_eq(out.trim_end());
    }

    #[test]
    fn utf16_positions() {
        // 'a' 1 byte, '𐐀' 4 bytes and 2 UTF-16 units, 'b', CRLF, 'c'.
        check_positions("a𐐀b\r\nc", expect!["0->0:0 1->0:1 5->0:3 6->0:4 7->0:5 8->1:0 9->1:1"]);
        check_positions("é\nñx", expect!["0->0:0 2->0:1 3->1:0 5->1:1 6->1:2"]);
        check_positions("", expect!["0->0:0"]);
        check_positions("\n\n", expect!["0->0:0 1->1:0 2->2:0"]);
    }

    #[track_caller]
    fn check_offset(text: &str, line: u32, character: u32, expected: usize) {
        let index = LineIndex::new(text);
        let t = Text::new(text, &index);
        assert_eq!(t.offset(lsp::Position::new(line, character)), expected);
    }

    #[test]
    fn positions_out_of_range_clamp() {
        let text = "a𐐀b\r\nc";
        check_offset(text, 0, 2, 1); // inside the surrogate pair: the character's start
        check_offset(text, 0, 4, 6); // end of line 0 content, before \r\n
        check_offset(text, 0, 99, 6); // past the end of line 0: its end, not the next line
        check_offset(text, 1, 99, 9);
        check_offset(text, 7, 0, 9); // past the last line
    }

    #[test]
    fn diagnostics_are_capped_with_a_note() {
        let text = "x\n".repeat(2 * MAX_DIAGNOSTICS);
        let index = LineIndex::new(&text);
        let t = Text::new(&text, &index);
        // In reverse order: the published ones are the first in the text.
        let findings: Vec<Finding> = (0..2 * MAX_DIAGNOSTICS)
            .rev()
            .map(|i| Finding::warning(2 * i..2 * i + 1, "x/y", "x"))
            .collect();
        let d = diagnostics(&t, &findings);
        assert_eq!(d.len(), MAX_DIAGNOSTICS + 1);
        assert_eq!(d[0].range.start.line, 0);
        assert_eq!(d[MAX_DIAGNOSTICS - 1].range.start.line, MAX_DIAGNOSTICS as u32 - 1);
        let note = &d[MAX_DIAGNOSTICS].message;
        assert!(
            note.contains(&format!("first {MAX_DIAGNOSTICS} of {}", 2 * MAX_DIAGNOSTICS)),
            "{note}"
        );
        assert_eq!(diagnostics(&t, &findings[..3]).len(), 3);
    }

    #[test]
    fn findings_become_diagnostics_and_fixes() {
        let text = "#SBATCH -p gpuu\n# é𐐀 x";
        let index = LineIndex::new(text);
        let t = Text::new(text, &index);
        let f = Finding::error(11..15, "sbatch/unknown-partition", "no partition `gpuu`")
            .with_fix(clusterls_core::Fix::replace("Change to `gpu`", 11..15, "gpu"));
        let g = Finding::warning(text.len() - 1..text.len(), "x/y", "after wide chars");
        let d = diagnostics(&t, &[f.clone(), g]);
        expect![[r#"
            [
              {
                "range": {
                  "start": {
                    "line": 0,
                    "character": 11
                  },
                  "end": {
                    "line": 0,
                    "character": 15
                  }
                },
                "severity": 1,
                "code": "sbatch/unknown-partition",
                "source": "clusterls",
                "message": "no partition `gpuu`"
              },
              {
                "range": {
                  "start": {
                    "line": 1,
                    "character": 6
                  },
                  "end": {
                    "line": 1,
                    "character": 7
                  }
                },
                "severity": 2,
                "code": "x/y",
                "source": "clusterls",
                "message": "after wide chars"
              }
            ]"#]]
        .assert_eq(&serde_json::to_string_pretty(&d).unwrap());
        let uri: Uri = "file:///x/job.sbatch".parse().unwrap();
        let actions = code_actions(&uri, &t, std::slice::from_ref(&f), 0..1);
        assert!(actions.is_empty(), "no fix outside the finding's range");
        let actions = code_actions(&uri, &t, &[f], 12..12);
        expect![[r#"
            [
              {
                "title": "Change to `gpu`",
                "kind": "quickfix",
                "diagnostics": [
                  {
                    "range": {
                      "start": {
                        "line": 0,
                        "character": 11
                      },
                      "end": {
                        "line": 0,
                        "character": 15
                      }
                    },
                    "severity": 1,
                    "code": "sbatch/unknown-partition",
                    "source": "clusterls",
                    "message": "no partition `gpuu`"
                  }
                ],
                "edit": {
                  "changes": {
                    "file:///x/job.sbatch": [
                      {
                        "range": {
                          "start": {
                            "line": 0,
                            "character": 11
                          },
                          "end": {
                            "line": 0,
                            "character": 15
                          }
                        },
                        "newText": "gpu"
                      }
                    ]
                  }
                },
                "isPreferred": true
              }
            ]"#]]
        .assert_eq(&serde_json::to_string_pretty(&actions).unwrap());
    }
}
