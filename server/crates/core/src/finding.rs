//! A finding is what a checker says about a document: where (a byte range), how bad,
//! a stable code, a message that says what to do, and quick fixes as plain data.

use std::ops::Range;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Replace the bytes `range` of the document with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// A quick fix: a title for the menu and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// The common case: one replacement.
    pub fn replace(
        title: impl Into<String>,
        range: Range<usize>,
        replacement: impl Into<String>,
    ) -> Fix {
        Fix { title: title.into(), edits: vec![Edit { range, replacement: replacement.into() }] }
    }
}

/// One problem found in a document.
///
/// `code` is stable across releases and namespaced by checker, in kebab case:
/// `sbatch/unknown-option`, `docker/apt-no-clean`, `apptainer/user-ignored`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Byte range in the document's text.
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn new(
        range: Range<usize>,
        severity: Severity,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding { range, severity, code: code.into(), message: message.into(), fixes: Vec::new() }
    }

    pub fn error(
        range: Range<usize>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(range, Severity::Error, code, message)
    }

    pub fn warning(
        range: Range<usize>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(range, Severity::Warning, code, message)
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fixes.push(fix);
        self
    }
}

/// Codes a project or user turned off: exact codes (`docker/latest-tag`) or whole
/// namespaces (`apptainer`, `apptainer/*`). One filter for every checker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeFilter {
    pub disabled: Vec<String>,
}

impl CodeFilter {
    /// Whether `code` is disabled, exactly or by its namespace.
    pub fn disables(&self, code: &str) -> bool {
        let ns = code.split('/').next().unwrap_or(code);
        self.disabled.iter().any(|d| {
            let d = d.trim();
            d == code || d == ns || d.strip_suffix("/*") == Some(ns)
        })
    }

    /// Drop the findings whose code is disabled.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if !self.disabled.is_empty() {
            findings.retain(|f| !self.disables(&f.code));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(disabled: &[&str], code: &str, expected: bool) {
        let filter = CodeFilter { disabled: disabled.iter().map(|s| s.to_string()).collect() };
        assert_eq!(filter.disables(code), expected, "{disabled:?} disables {code}");
    }

    #[test]
    fn code_filter() {
        check(&[], "docker/sudo", false);
        check(&["docker/sudo"], "docker/sudo", true);
        check(&["docker/sudo"], "docker/sudo-x", false);
        check(&["apptainer"], "apptainer/user-ignored", true);
        check(&["apptainer/*"], "apptainer/user-ignored", true);
        check(&[" apptainer/* "], "apptainer/user-ignored", true);
        check(&["apptainer/*"], "docker/sudo", false);
        check(&["shellcheck/SC2086"], "shellcheck/SC2086", true);
        check(&["sbatch/unknown"], "sbatch/unknown-option", false);
    }
}
