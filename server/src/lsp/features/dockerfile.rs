//! Dockerfile completion (instructions, their flags) and hover.

use std::fmt::Write as _;

use super::{Hover, Item, ItemKind};

pub(super) fn dockerfile_completion(text: &str, offset: usize) -> Vec<Item> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let trimmed = before.trim_start();
    if trimmed.starts_with('#') {
        return Vec::new();
    }
    // A keyword at the start of a line (continuation lines are rare at column 0).
    if trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        let span = offset - trimmed.len()..offset;
        return clusterls_dockerfile::docs::INSTRUCTIONS
            .iter()
            .map(|d| {
                let mut it = Item::new(d.name, ItemKind::Keyword, span.clone());
                it.insert = format!("{} ", d.name);
                it.detail = Some(d.summary.to_string());
                it.doc = Some(instruction_doc(d));
                it
            })
            .collect();
    }
    // `--flag` right after the keyword.
    let mut words = trimmed.split_whitespace();
    let keyword = words.next().unwrap_or("");
    let current = if before.ends_with(char::is_whitespace) {
        ""
    } else {
        trimmed.rsplit(char::is_whitespace).next().unwrap_or("")
    };
    if current.starts_with("--") || current.is_empty() {
        let kind = clusterls_dockerfile::Kind::from_keyword(keyword);
        if let Some(doc) = clusterls_dockerfile::docs::doc(kind) {
            let span = offset - current.len()..offset;
            return doc
                .flags
                .iter()
                .filter(|_| current.starts_with("--"))
                .map(|f| {
                    let mut it = Item::new(format!("--{f}"), ItemKind::Option, span.clone());
                    it.insert = format!("--{f}=");
                    it
                })
                .collect();
        }
    }
    Vec::new()
}

fn instruction_doc(d: &clusterls_dockerfile::docs::InstructionDoc) -> String {
    let mut s = format!("**{}**: {}\n\n```dockerfile\n{}\n```", d.name, d.summary, d.syntax);
    if let Some(a) = d.apptainer {
        let _ = write!(s, "\n\n**On the cluster (Apptainer/Singularity):** {a}");
    }
    s
}

pub(super) fn dockerfile_hover(text: &str, offset: usize) -> Option<Hover> {
    let df = clusterls_dockerfile::parse(text);
    let ins = df
        .instructions
        .iter()
        .find(|i| i.keyword_span.start <= offset && offset <= i.keyword_span.end)?;
    let doc = clusterls_dockerfile::docs::doc(ins.kind)?;
    Some(Hover { markdown: instruction_doc(doc), range: ins.keyword_span.clone() })
}
