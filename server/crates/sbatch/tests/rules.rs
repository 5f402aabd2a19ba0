//! The rule registry: RULES.md is generated from it (`UPDATE_EXPECT=1 cargo test -p
//! clusterls-sbatch --test rules` rewrites it), it is sound, and findings only carry
//! registered codes.

use clusterls_core::rule::{registry_problems, rules_markdown};
use clusterls_core::{Rule, Severity};
use clusterls_sbatch::rules::RULES;
use expect_test::expect_file;

/// The registered rule with this code.
fn lookup(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

#[test]
fn rules_md_is_current() {
    let intro = "Generated from the rule registry (`src/rules.rs`, each rule declared next to its \
check in `src/checks/`) by `tests/rules.rs`; do not edit by hand.

Severities say whether sbatch refuses the script (error) or the script would not do what it
says (warning); a rule's findings may be milder or stronger than its default where the
cluster decides (an unenforced limit is a warning). Turn a code off for a project with
`[check] disable = [\"sbatch/...\"]` in `clusterls.toml`.";
    expect_file!["../RULES.md"].assert_eq(&rules_markdown("sbatch checks", intro, RULES));
}

#[test]
fn registry_is_sound() {
    assert_eq!(registry_problems(RULES, &["sbatch"]), Vec::<String>::new());
    for rule in RULES {
        assert_eq!(lookup(rule.code), Some(*rule));
    }
    assert_eq!(lookup("sbatch/no-such-rule"), None);
    assert_eq!(lookup("docker/latest-tag"), None);
}

#[test]
fn lookups() {
    let r = lookup("sbatch/duplicate-option").unwrap();
    assert_eq!(r.severity, Severity::Warning);
    assert!(r.explanation.contains("last"));
    assert_eq!(r.finding(0..1, "m").code, "sbatch/duplicate-option");
}

/// Every finding on a mixed script carries a registered code (findings are made from
/// registered rules, which `tests/tests/architecture.rs` proves; this shows it end to end).
#[test]
fn findings_carry_registered_codes() {
    let text = "#SBATCH --tim=1\n#!/bin/bash\n#SBATCH --mem=10gb --mem=10gb\n  #SBATCH -x\nls\n";
    let findings = clusterls_sbatch::check(text, None);
    assert!(findings.len() >= 4, "{findings:?}");
    for f in findings {
        assert!(lookup(&f.code).is_some(), "unregistered {}", f.code);
    }
}

/// Over 4 MiB (Slurm's default max_script_size) the script gets one finding and no
/// other check runs, so a language server stays responsive whatever is opened.
#[test]
fn size_cap() {
    let line = "#SBATCH --time=1:00:00\n";
    let big =
        format!("#!/bin/bash\n{}", line.repeat(clusterls_sbatch::MAX_SCRIPT_BYTES / line.len()));
    assert!(big.len() > clusterls_sbatch::MAX_SCRIPT_BYTES);
    let findings = clusterls_sbatch::check(&big, None);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(
        (f.code.as_str(), f.severity, f.range.clone()),
        ("sbatch/script-too-large", Severity::Warning, 0..11)
    );
    assert!(
        f.message.starts_with("The script is 4.0 MiB: Slurm refuses batch scripts over 4 MiB"),
        "{}",
        f.message
    );
    // Under the cap: checked as usual (duplicate options found, no size finding).
    let under = &big[.."#!/bin/bash\n".len() + 100 * line.len()];
    let findings = clusterls_sbatch::check(under, None);
    assert_eq!(findings.len(), 99);
    assert!(findings.iter().all(|f| f.code == "sbatch/duplicate-option"));
}
