//! Completion and hover, computed on byte offsets and core values. `proto` turns the
//! results into LSP types.

use std::fmt::Write as _;
use std::ops::Range;

use clusterls_core::ClusterFacts;
use clusterls_core::facts::{Partition, PartitionState};
use clusterls_sbatch::{CompletionContext, OptionSpec, ValueKind};

use self::dockerfile::{dockerfile_completion, dockerfile_hover};
use super::kind::DocKind;

mod dockerfile;
#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Keyword,
    Option,
    Value,
    File,
}

/// One completion: `insert` replaces the bytes `replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub doc: Option<String>,
    pub replace: Range<usize>,
    pub insert: String,
    /// Ask the editor to complete again after inserting (an option that takes a value).
    pub retrigger: bool,
    pub sort: Option<String>,
}

impl Item {
    fn new(label: impl Into<String>, kind: ItemKind, replace: Range<usize>) -> Item {
        let label = label.into();
        Item {
            insert: label.clone(),
            label,
            kind,
            detail: None,
            doc: None,
            replace,
            retrigger: false,
            sort: None,
        }
    }
}

/// Markdown and the range it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    pub range: Range<usize>,
}

pub fn completion(
    kind: DocKind,
    text: &str,
    offset: usize,
    facts: Option<&ClusterFacts>,
) -> Vec<Item> {
    match kind {
        DocKind::Sbatch => sbatch_completion(text, offset, facts),
        DocKind::Dockerfile => dockerfile_completion(text, offset),
        DocKind::Other => Vec::new(),
    }
}

pub fn hover(
    kind: DocKind,
    text: &str,
    offset: usize,
    facts: Option<&ClusterFacts>,
) -> Option<Hover> {
    match kind {
        DocKind::Sbatch => sbatch_hover(text, offset, facts),
        DocKind::Dockerfile => dockerfile_hover(text, offset),
        DocKind::Other => None,
    }
}

fn slurm_version(facts: Option<&ClusterFacts>) -> Option<(u8, u8)> {
    let v = facts?.slurm_version.as_deref()?;
    let mut it = v.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

fn option_doc(spec: &OptionSpec) -> String {
    let mut s = format!("```\n{}\n```\n{}", spec.usage(), spec.doc);
    if !spec.choices.is_empty() {
        let _ = write!(
            s,
            "\n\nValues: {}",
            spec.choices.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        );
    }
    s
}

fn sbatch_completion(text: &str, offset: usize, facts: Option<&ClusterFacts>) -> Vec<Item> {
    match clusterls_sbatch::completion_context(text, offset) {
        CompletionContext::DirectiveStart { span, .. } => {
            let mut it = Item::new("#SBATCH", ItemKind::Keyword, span);
            it.insert = "#SBATCH ".into();
            it.detail = Some("sbatch directive".into());
            it.retrigger = true;
            vec![it]
        }
        CompletionContext::OptionName { span, .. } => {
            let version = slurm_version(facts);
            clusterls_sbatch::options()
                .iter()
                .filter(|o| version.is_none_or(|v| o.in_version(v)))
                .map(|o| {
                    let mut it = Item::new(format!("--{}", o.long), ItemKind::Option, span.clone());
                    if o.takes_value() {
                        it.insert = format!("--{}=", o.long);
                        it.retrigger = true;
                    }
                    it.detail = Some(o.usage());
                    it.doc = Some(o.doc.to_string());
                    it
                })
                .collect()
        }
        CompletionContext::OptionValue { option, span, .. } => value_items(option, span, facts),
        CompletionContext::None => image_items(text, offset, facts),
    }
}

fn value_items(option: &OptionSpec, span: Range<usize>, facts: Option<&ClusterFacts>) -> Vec<Item> {
    let value = |label: String, detail: Option<String>| {
        let mut it = Item::new(label, ItemKind::Value, span.clone());
        it.detail = detail;
        it
    };
    match option.value {
        ValueKind::Choice | ValueKind::ChoiceList | ValueKind::Exclusive | ValueKind::MailType => {
            option.choices.iter().map(|c| value(c.to_string(), None)).collect()
        }
        ValueKind::Partition => facts
            .map(|f| {
                f.partitions
                    .iter()
                    .map(|p| {
                        let mut it = value(p.name.clone(), Some(partition_summary(p)));
                        it.doc = Some(partition_doc(p, Some(f)));
                        it
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ValueKind::Account => facts
            .map(|f| {
                f.accounts()
                    .into_iter()
                    .map(|a| {
                        let parts: Vec<String> = f
                            .associations
                            .iter()
                            .filter(|x| x.account == a)
                            .map(|x| x.partition.clone().unwrap_or_else(|| "all partitions".into()))
                            .collect();
                        let default = f.default_account.as_deref() == Some(a);
                        value(
                            a.to_string(),
                            Some(format!(
                                "{}{}",
                                if default { "default; " } else { "" },
                                parts.join(", ")
                            )),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ValueKind::Qos => facts
            .map(|f| f.qos.iter().map(|q| value(q.clone(), None)).collect())
            .unwrap_or_default(),
        ValueKind::Gres | ValueKind::Gpus => {
            let prefix = if option.value == ValueKind::Gres { "gpu:" } else { "" };
            let mut out = vec![value(format!("{prefix}1"), Some("one GPU of any type".into()))];
            if let Some(f) = facts {
                let mut types: Vec<(&str, u32)> = f
                    .partitions
                    .iter()
                    .flat_map(|p| p.gpus.iter())
                    .filter_map(|g| Some((g.gpu_type.as_deref()?, g.count)))
                    .collect();
                types.sort_unstable();
                types.dedup_by_key(|t| t.0);
                for (t, n) in types {
                    out.push(value(format!("{prefix}{t}:1"), Some(format!("{n} per node"))));
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Image paths after `apptainer exec`, `singularity run`, `ch-run` and friends.
fn image_items(text: &str, offset: usize, facts: Option<&ClusterFacts>) -> Vec<Item> {
    let Some(f) = facts else { return Vec::new() };
    if f.images.is_empty() {
        return Vec::new();
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word_start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let words: Vec<&str> = before[..word_start].split_whitespace().collect();
    let runner = words.iter().enumerate().any(|(i, w)| {
        let w = w.rsplit('/').next().unwrap_or(w);
        w == "ch-run"
            || ((w == "apptainer" || w == "singularity")
                && matches!(words.get(i + 1), Some(&("exec" | "run" | "shell" | "inspect"))))
    });
    if !runner {
        return Vec::new();
    }
    let span = line_start + word_start..offset;
    f.images
        .iter()
        .map(|img| {
            let mut it = Item::new(img.path.clone(), ItemKind::File, span.clone());
            it.detail = Some(img.name.clone());
            it
        })
        .collect()
}

fn partition_summary(p: &Partition) -> String {
    let mut parts = Vec::new();
    if p.is_default {
        parts.push("default".to_string());
    }
    parts.push(format!("MaxTime {}", minutes(p.max_time_minutes)));
    let g = p.gpus_per_node();
    if g > 0 {
        parts.push(format!("{g} GPUs/node"));
    }
    if p.state != PartitionState::Up {
        parts.push(format!("{:?}", p.state).to_uppercase());
    }
    parts.join(", ")
}

fn minutes(m: Option<u64>) -> String {
    match m {
        None => "UNLIMITED".into(),
        Some(m) => {
            let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
            if d > 0 { format!("{d}-{h:02}:{mi:02}:00") } else { format!("{h:02}:{mi:02}:00") }
        }
    }
}

fn partition_doc(p: &Partition, facts: Option<&ClusterFacts>) -> String {
    let mut s =
        format!("**Partition `{}`**{}\n\n", p.name, if p.is_default { " (default)" } else { "" });
    let _ = writeln!(s, "- State: {}", format!("{:?}", p.state).to_uppercase());
    let _ = writeln!(s, "- MaxTime: {}", minutes(p.max_time_minutes));
    if let Some(d) = p.default_time_minutes {
        let _ = writeln!(s, "- DefaultTime: {}", minutes(Some(d)));
    }
    let gpus: Vec<String> = p
        .gpus
        .iter()
        .map(|g| match &g.gpu_type {
            Some(t) => format!("{} × {t}", g.count),
            None => format!("{} × gpu", g.count),
        })
        .collect();
    let _ = writeln!(
        s,
        "- GPUs per node: {}",
        if gpus.is_empty() { "none".into() } else { gpus.join(", ") }
    );
    if !p.nodes.is_empty() {
        let _ = writeln!(s, "- Nodes: {}", p.nodes.len());
    }
    if let Some(c) = p.cpus_per_node {
        let _ = writeln!(s, "- CPUs per node: {c}");
    }
    if let Some(m) = p.mem_per_node_mb {
        let _ = writeln!(s, "- Memory per node: {} GB", m / 1024);
    }
    if let Some(a) = &p.allow_accounts {
        let _ = writeln!(s, "- Allowed accounts: {}", a.join(", "));
    }
    if let Some(f) = facts {
        let mine: Vec<&str> = f
            .associations
            .iter()
            .filter(|a| a.partition.as_deref().is_none_or(|x| x == p.name))
            .map(|a| a.account.as_str())
            .collect();
        if !f.associations.is_empty() {
            let _ = writeln!(
                s,
                "- Your accounts here: {}",
                if mine.is_empty() { "none".into() } else { mine.join(", ") }
            );
        }
    }
    s
}

fn sbatch_hover(text: &str, offset: usize, facts: Option<&ClusterFacts>) -> Option<Hover> {
    let script = clusterls_sbatch::parse(text);
    let d = script.directive_at(offset)?;
    let spec = d.spec()?;
    let on_value = d.value_span.as_ref().filter(|v| {
        v.start <= offset
            && offset <= v.end
            && !(d.name_span.start <= offset && offset < d.name_span.end)
    });
    if let (Some(vspan), Some(value), Some(f)) = (on_value, d.value.as_deref(), facts) {
        match spec.value {
            ValueKind::Partition => {
                // A comma list: the partition under the cursor.
                let name = value.split(',').find(|n| f.partition(n).is_some());
                if let Some(p) = name.and_then(|n| f.partition(n)) {
                    return Some(Hover {
                        markdown: partition_doc(p, Some(f)),
                        range: vspan.clone(),
                    });
                }
            }
            ValueKind::Account => {
                let assoc: Vec<String> = f
                    .associations
                    .iter()
                    .filter(|a| a.account == value)
                    .map(|a| a.partition.clone().unwrap_or_else(|| "all partitions".into()))
                    .collect();
                if !f.associations.is_empty() {
                    let markdown = if assoc.is_empty() {
                        format!(
                            "**Account `{value}`**\n\nYou have no association with this account."
                        )
                    } else {
                        format!("**Account `{value}`**\n\nUsable on: {}", assoc.join(", "))
                    };
                    return Some(Hover { markdown, range: vspan.clone() });
                }
            }
            _ => {}
        }
    }
    Some(Hover { markdown: option_doc(spec), range: d.name_span.clone() })
}
