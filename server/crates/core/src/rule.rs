//! The one shape of a check's rule, shared by every checker (sbatch, Dockerfile, the
//! Dockerfile converter, and the language server's build failures), after ruff's model:
//! a rule is a small function in its checker's `checks/` module with its [`Rule`] value
//! next to it (code, default severity, one-line summary, full explanation), and each
//! checker lists its rules once in its registry, a `pub static RULES: &[&Rule]` (its
//! `rules.rs`). Findings are made from a rule ([`Rule::finding`], the checkers'
//! `push(&RULE, range, message)`), never from a string, so an unknown code never becomes
//! a silent default severity.
//!
//! The dependency goes one way: the registry names the checks' rules, the checks never
//! name the registry. That every rule a check may push is registered is proven by a
//! test (`tests/tests/architecture.rs`, `every_rule_is_a_registered_const`): every
//! `Rule` value in the sources is a `const` that a registry lists, and nothing but a
//! rule makes a finding. A `Rule` that is neither registered nor pushed is dead code
//! (an error under clippy `-D warnings`).
//!
//! Documentation (`RULES.md`), SARIF rule descriptions and `clusterls explain CODE` all
//! read the registries ([`Rule::markdown`], [`rules_markdown`]).

use std::ops::Range;

use crate::{Finding, Severity};

/// A check: what it is called, how bad its findings are by default, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable, namespaced, kebab case: `sbatch/duplicate-option`, `docker/latest-tag`.
    pub code: &'static str,
    /// The severity of its findings unless the check says otherwise for one finding
    /// (e.g. an error when the cluster enforces a limit, a warning when it does not).
    pub severity: Severity,
    /// One line: what the finding says is wrong.
    pub summary: &'static str,
    /// Markdown, a few sentences: what the check looks for, why it matters, how to fix.
    pub explanation: &'static str,
    /// Codes of other tools for the same check (hadolint's `DL3006`): their ignore
    /// comments are honoured.
    pub aliases: &'static [&'static str],
}

impl Rule {
    /// A rule without explanation or aliases (fill them with struct update syntax:
    /// `Rule { explanation: "...", ..Rule::new(code, severity, summary) }`).
    pub const fn new(code: &'static str, severity: Severity, summary: &'static str) -> Rule {
        Rule { code, severity, summary, explanation: "", aliases: &[] }
    }

    /// A finding of this rule with its default severity.
    pub fn finding(&self, range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding::new(range, self.severity, self.code, message)
    }

    /// Push a finding of this rule onto `out`; returns it for fixes or a different
    /// severity (what each checker's `push` does).
    pub fn push<'a>(
        &self,
        out: &'a mut Vec<Finding>,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &'a mut Finding {
        out.push(self.finding(range, message));
        out.last_mut().expect("just pushed")
    }

    /// The namespace of the code (`sbatch` of `sbatch/duplicate-option`).
    pub fn namespace(&self) -> &'static str {
        self.code.split_once('/').map_or(self.code, |(ns, _)| ns)
    }

    /// A Markdown section for the rule (`clusterls explain`, RULES.md).
    pub fn markdown(&self) -> String {
        let mut s = format!("### `{}`\n\n{} *{}*", self.code, self.summary, self.severity.as_str());
        if !self.aliases.is_empty() {
            s += &format!(" (also {})", self.aliases.join(", "));
        }
        s += "\n\n";
        s += self.explanation.trim();
        s += "\n";
        s
    }
}

/// A checker's rules document (RULES.md): `intro` (Markdown), a table of every rule,
/// then each rule's explanation. Each checker's test keeps its RULES.md equal to this.
pub fn rules_markdown(title: &str, intro: &str, rules: &[&Rule]) -> String {
    let mut s = format!("# {title}\n\n{}\n\n", intro.trim());
    s += "| code | severity | also | summary |\n|---|---|---|---|\n";
    for r in rules {
        s += &format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            r.code,
            r.code.replace('/', ""),
            r.severity.as_str(),
            r.aliases.join(", "),
            r.summary.replace('|', "\\|")
        );
    }
    s += "\n## Rules\n";
    for r in rules {
        s += "\n";
        s += &r.markdown();
    }
    s
}

/// The problems of a registry (empty when it is sound): codes in `namespaces`, kebab
/// case, unique, sorted within their namespace, with a summary and an explanation.
/// Each checker's test asserts it is empty.
pub fn registry_problems(rules: &[&Rule], namespaces: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rules.iter().enumerate() {
        let Some((ns, name)) = r.code.split_once('/') else {
            out.push(format!("{}: not namespaced", r.code));
            continue;
        };
        if !namespaces.contains(&ns) {
            out.push(format!("{}: namespace not one of {namespaces:?}", r.code));
        }
        if name.is_empty()
            || !name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        {
            out.push(format!("{}: not kebab case", r.code));
        }
        if !seen.insert(r.code) {
            out.push(format!("{}: registered twice", r.code));
        }
        if let Some(prev) = i.checked_sub(1).map(|j| rules[j])
            && prev.namespace() == ns
            && prev.code > r.code
        {
            out.push(format!(
                "{}: registered after {} (keep each namespace sorted)",
                r.code, prev.code
            ));
        }
        if r.summary.trim().is_empty() {
            out.push(format!("{}: no summary", r.code));
        }
        if r.explanation.trim().len() < 40 {
            out.push(format!("{}: no explanation (what, why, how to fix)", r.code));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        let a = Rule {
            explanation: "A long enough explanation of what and why and how.",
            ..Rule::new("x/b", Severity::Error, "B.")
        };
        let b = Rule { code: "x/a", ..a };
        let c = Rule { code: "y/Bad", summary: "", ..a };
        let p = registry_problems(&[&a, &b, &c, &a], &["x"]);
        assert_eq!(
            p,
            [
                "x/a: registered after x/b (keep each namespace sorted)",
                "y/Bad: namespace not one of [\"x\"]",
                "y/Bad: not kebab case",
                "y/Bad: no summary",
                "x/b: registered twice",
            ]
        );
    }

    #[test]
    fn finding_takes_the_rule() {
        let r = Rule::new("x/y", Severity::Info, "Y.");
        let f = r.finding(1..2, "m");
        assert_eq!((f.code.as_str(), f.severity, f.range), ("x/y", Severity::Info, 1..2));
    }
}
