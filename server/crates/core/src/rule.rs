//! The one shape of a check's rule, shared by every checker (sbatch, Dockerfile, and the
//! ones to come), after ruff's model: a rule is a small function in its checker's
//! `checks/` module with its [`Rule`] value next to it (code, default severity, one-line
//! summary, full explanation), and each checker lists its rules once with
//! [`rule_registry!`]. The registry generates the checker's `Code` enum, and findings are
//! made from a `Code` ([`Rule::finding`]), never from a string: a code that is not
//! registered cannot be pushed, and a rule value that is not registered is dead code
//! (a compile warning, an error under clippy `-D warnings`).
//!
//! Documentation (`RULES.md`), SARIF rule descriptions and `clusterls explain CODE` all
//! read the registry ([`Rule::markdown`], `lookup`).

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

/// Declares a checker's registry: the `Code` enum (one variant per rule), `Code::rule`,
/// `Code::ALL`, the `RULES` list and `lookup(code)`.
///
/// ```
/// use clusterls_core::{Rule, Severity, rule_registry};
/// const EMPTY: Rule = Rule {
///     explanation: "An empty file does nothing. Add content or delete the file.",
///     ..Rule::new("demo/empty", Severity::Warning, "The file is empty.")
/// };
/// rule_registry! {
///     /// The demo checker's codes.
///     pub enum Code {
///         Empty => EMPTY,
///     }
/// }
/// assert_eq!(Code::Empty.rule().code, "demo/empty");
/// assert_eq!(lookup("demo/empty"), Some(&EMPTY));
/// assert_eq!(lookup("demo/other"), None);
/// assert_eq!(RULES.len(), 1);
/// ```
#[macro_export]
macro_rules! rule_registry {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $rule:path,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every code, in registry order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The rule behind this code.
            pub fn rule(self) -> &'static $crate::Rule {
                match self {
                    $($name::$variant => &$rule,)*
                }
            }

            /// A finding of this code with the rule's default severity.
            pub fn finding(
                self,
                range: ::std::ops::Range<usize>,
                message: impl Into<String>,
            ) -> $crate::Finding {
                self.rule().finding(range, message)
            }
        }

        /// Every rule of this checker, in registry order.
        $vis static RULES: &[&$crate::Rule] = &[$(&$rule,)*];

        /// The rule with this code, if it is one of this checker's.
        $vis fn lookup(code: &str) -> Option<&'static $crate::Rule> {
            RULES.iter().copied().find(|r| r.code == code)
        }
    };
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
