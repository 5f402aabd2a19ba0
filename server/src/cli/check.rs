//! `clusterls check`: one entry point for sbatch scripts and Dockerfiles.
//!
//! Exit status: 0 when no finding is an error, 1 when one is, 2 on a usage or IO failure.
//! Output formats: `text` (`file:line:col: severity[code]: message`, like compilers),
//! `json` (a list of findings with 1-based positions) and `sarif` (SARIF 2.1.0).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use clusterls_core::kind::kind_from_name;
use clusterls_core::text::human_position;
use clusterls_core::{ClusterFacts, CodeFilter, FileKind, Finding, LineIndex, Severity};
use serde_json::{Value, json};

use super::Global;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files to check; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Cluster facts as JSON (the output of `clusterls facts --json`), for the checks
    /// against the cluster: partitions, accounts, limits, images.
    #[arg(long, value_name = "FILE", conflicts_with = "host")]
    pub facts: Option<PathBuf>,
    /// Do not run shellcheck on sbatch scripts even when it is installed.
    #[arg(long)]
    pub no_shellcheck: bool,
    /// The name to use for standard input (decides sbatch vs Dockerfile; default: an sbatch script).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

/// One checked file.
pub struct Checked {
    /// As shown to the user (`<stdin>` for `-`).
    pub name: String,
    pub text: String,
    pub findings: Vec<Finding>,
}

pub fn run(global: &Global, args: CheckArgs) -> ExitCode {
    let facts = match load_facts(global, &args) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("clusterls check: {msg}");
            return ExitCode::from(2);
        }
    };
    // Codes the project (or user) turned off: `[check] disable` in clusterls.toml.
    let filter = match std::env::current_dir()
        .map_err(|e| e.to_string())
        .and_then(|dir| crate::engine::config::Config::load(&dir).map_err(|e| e.to_string()))
    {
        Ok((config, _)) => config.code_filter(),
        Err(msg) => {
            eprintln!("clusterls check: {msg}");
            return ExitCode::from(2);
        }
    };
    let shellcheck = !args.no_shellcheck && shellcheck_available();
    let mut checked = Vec::new();
    let mut io_failed = false;
    for path in &args.paths {
        let (name, text) = if path.as_os_str() == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("clusterls check: cannot read standard input: {e}");
                io_failed = true;
                continue;
            }
            (args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".to_string()), s)
        } else {
            match std::fs::read(path) {
                Ok(bytes) => {
                    (path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned())
                }
                Err(e) => {
                    eprintln!(
                        "clusterls check: cannot read {}: {e}; check the path and its permissions",
                        path.display()
                    );
                    io_failed = true;
                    continue;
                }
            }
        };
        let findings = check_text(&name, &text, facts.as_ref(), &filter, shellcheck);
        checked.push(Checked { name, text, findings });
    }
    let out = match args.format {
        Format::Text => render_text(&checked),
        Format::Json => {
            serde_json::to_string_pretty(&render_json(&checked)).unwrap_or_default() + "\n"
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&render_sarif(&checked)).unwrap_or_default() + "\n"
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    if io_failed {
        ExitCode::from(2)
    } else if checked.iter().any(|c| c.findings.iter().any(|f| f.severity == Severity::Error)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn load_facts(global: &Global, args: &CheckArgs) -> Result<Option<ClusterFacts>, String> {
    if let Some(path) = &args.facts {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read facts file {}: {e}; write one with `clusterls facts --json > FILE`",
                path.display()
            )
        })?;
        let facts: ClusterFacts = serde_json::from_str(&text).map_err(|e| {
            format!(
                "facts file {} is not valid facts JSON ({e}); write one with `clusterls facts --json > FILE`",
                path.display()
            )
        })?;
        return Ok(Some(facts));
    }
    if let Some(host) = &global.host {
        return super::cluster::fetch_facts(global).map(Some).map_err(|e| {
            format!(
                "cannot read the facts of {host}: {e}\nOr check against saved facts: `clusterls check --facts FILE` (write FILE with `clusterls --host {host} facts --json`)."
            )
        });
    }
    Ok(None)
}

/// Check one file's text, dispatching on its name: Dockerfile names go to the Dockerfile
/// checker, everything else is an sbatch script (plus shellcheck when asked).
pub fn check_text(
    name: &str,
    text: &str,
    facts: Option<&ClusterFacts>,
    filter: &CodeFilter,
    shellcheck: bool,
) -> Vec<Finding> {
    let kind = kind_from_name(name).unwrap_or(FileKind::Sbatch);
    let mut findings = crate::checks::check(kind, text, facts, filter);
    if kind == FileKind::Sbatch && shellcheck && text.starts_with("#!") {
        let mut extra = run_shellcheck(text);
        filter.apply(&mut extra);
        findings.extend(extra);
        findings.sort_by_key(|f| (f.range.start, f.range.end));
    }
    findings
}

fn shellcheck_available() -> bool {
    Command::new("shellcheck")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `shellcheck -f json1 -` on the text; findings mapped by `clusterls_sbatch::shellcheck`.
/// A shellcheck that fails to run gives no findings (it is an optional extra).
pub fn run_shellcheck(text: &str) -> Vec<Finding> {
    let child = Command::new("shellcheck")
        .args(["-f", "json1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return Vec::new() };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    let Ok(out) = child.wait_with_output() else { return Vec::new() };
    clusterls_sbatch::shellcheck::findings_from_json1(text, &String::from_utf8_lossy(&out.stdout))
}

fn position(text: &str, index: &LineIndex, offset: usize) -> (usize, usize) {
    human_position(text, index, offset)
}

pub fn render_text(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        let index = LineIndex::new(&c.text);
        for f in &c.findings {
            let (line, col) = position(&c.text, &index, f.range.start);
            out += &format!(
                "{}:{line}:{col}: {}[{}]: {}\n",
                c.name,
                f.severity.as_str(),
                f.code,
                f.message
            );
        }
    }
    let errors: usize = checked
        .iter()
        .map(|c| c.findings.iter().filter(|f| f.severity == Severity::Error).count())
        .sum();
    let warnings: usize = checked
        .iter()
        .map(|c| c.findings.iter().filter(|f| f.severity == Severity::Warning).count())
        .sum();
    if errors + warnings > 0 {
        out += &format!(
            "{} file(s) checked: {errors} error(s), {warnings} warning(s)\n",
            checked.len()
        );
    }
    out
}

fn span_json(
    text: &str,
    index: &LineIndex,
    range: &std::ops::Range<usize>,
) -> (usize, usize, usize, usize) {
    let (l, c) = position(text, index, range.start);
    let (el, ec) = position(text, index, range.end);
    (l, c, el, ec)
}

pub fn render_json(checked: &[Checked]) -> Value {
    let mut all = Vec::new();
    for c in checked {
        let index = LineIndex::new(&c.text);
        for f in &c.findings {
            let (line, column, end_line, end_column) = span_json(&c.text, &index, &f.range);
            let fixes: Vec<Value> = f
                .fixes
                .iter()
                .map(|fix| {
                    let edits: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (l, col, el, ec) = span_json(&c.text, &index, &e.range);
                            json!({"line": l, "column": col, "end_line": el, "end_column": ec, "replacement": e.replacement})
                        })
                        .collect();
                    json!({"title": fix.title, "edits": edits})
                })
                .collect();
            all.push(json!({
                "file": c.name,
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
fn uri(name: &str) -> String {
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

pub fn render_sarif(checked: &[Checked]) -> Value {
    let mut rules: Vec<String> =
        checked.iter().flat_map(|c| c.findings.iter().map(|f| f.code.clone())).collect();
    rules.sort();
    rules.dedup();
    let mut results = Vec::new();
    for c in checked {
        let index = LineIndex::new(&c.text);
        let location = |range: &std::ops::Range<usize>| {
            let (l, col, el, ec) = span_json(&c.text, &index, range);
            json!({"startLine": l, "startColumn": col, "endLine": el, "endColumn": ec})
        };
        for f in &c.findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "note",
            };
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
                        "artifactChanges": [{"artifactLocation": {"uri": uri(&c.name)}, "replacements": replacements}],
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": rules.iter().position(|r| *r == f.code).unwrap_or(0),
                "level": level,
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri(&c.name)},
                    "region": location(&f.range),
                }}],
            });
            if !fixes.is_empty() {
                result["fixes"] = Value::Array(fixes);
            }
            results.push(result);
        }
    }
    let rules_json: Vec<Value> = rules
        .iter()
        .map(|r| {
            let doc = if let Some(sc) = r.strip_prefix("shellcheck/") {
                format!("https://www.shellcheck.net/wiki/{sc}")
            } else {
                String::new()
            };
            let description = clusterls_sbatch::rules::lookup(r).map_or(r.as_str(), |rule| rule.summary);
            let mut rule = json!({"id": r, "name": r.replace(['/', '-'], "_"), "shortDescription": {"text": description}});
            if !doc.is_empty() {
                rule["helpUri"] = json!(doc);
            }
            rule
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "clusterls",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules_json,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        for (p, k) in [
            ("Dockerfile", FileKind::Dockerfile),
            ("a/b/Containerfile", FileKind::Dockerfile),
            ("gpu.Dockerfile", FileKind::Dockerfile),
            ("x.dockerfile", FileKind::Dockerfile),
            ("Dockerfile.cuda", FileKind::Dockerfile),
            ("train.sbatch", FileKind::Sbatch),
            ("job.sh", FileKind::Sbatch),
            ("<stdin>", FileKind::Sbatch),
        ] {
            assert_eq!(kind_from_name(p).unwrap_or(FileKind::Sbatch), k, "{p}");
        }
    }

    #[test]
    fn uris() {
        assert_eq!(uri("dir/my job.sh"), "dir/my%20job.sh");
    }
}
