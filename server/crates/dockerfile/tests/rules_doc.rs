//! RULES.md is generated from the rule registry (`rules::RULES`); this test keeps it in
//! sync (`UPDATE_EXPECT=1 cargo test -p clusterls-dockerfile --test rules_doc` rewrites it).

use clusterls_core::rule::{registry_problems, rules_markdown};
use clusterls_core::{Rule, Severity};
use clusterls_dockerfile::rules::{RULES, from_hadolint};
use expect_test::expect_file;

/// The registered rule with this code.
fn lookup(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

#[test]
fn rules_md_is_current() {
    let intro = "Generated from the rule registry (`src/rules.rs`, each rule declared next to its \
check in `src/checks/`) by `tests/rules_doc.rs`; do not edit by hand.

Silence a finding with `# clusterls-ignore: code[,code]` on the line(s) just above the
instruction, a whole file with `# clusterls-ignore-file: code` (a namespace such as
`apptainer` works too), or a project with `[check] disable = [...]` in `clusterls.toml`.
hadolint's `# hadolint ignore=DLxxxx` comments are honoured through the \"also\" column.";
    expect_file!["../RULES.md"].assert_eq(&rules_markdown("Dockerfile checks", intro, RULES));
}

#[test]
fn registry_is_sound() {
    assert_eq!(registry_problems(RULES, &["docker", "apptainer", "gpu"]), Vec::<String>::new());
    for rule in RULES {
        assert_eq!(lookup(rule.code), Some(*rule));
    }
    assert_eq!(lookup("docker/no-such-rule"), None);
}

#[test]
fn lookups() {
    let r = lookup("docker/latest-tag").unwrap();
    assert_eq!((r.severity, r.aliases), (Severity::Warning, &["DL3007"][..]));
    assert_eq!(from_hadolint("DL3007"), ["docker/latest-tag"]);
    assert_eq!(r.finding(0..1, "m").code, "docker/latest-tag");
}

/// Over 4 MiB a file gets one finding and no other check runs.
#[test]
fn size_cap() {
    let line = "RUN echo hello\n";
    let n = clusterls_dockerfile::MAX_FILE_BYTES / line.len() + 1;
    let big = format!("FROM python:3.11\n{}", line.repeat(n));
    let findings = clusterls_dockerfile::check(&big, None);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (f.code.as_str(), f.severity, f.range.clone()),
        ("docker/file-too-large", Severity::Warning, 0..16)
    );
    assert!(
        f.message.starts_with("The file is 4.0 MiB: clusterls does not check"),
        "{}",
        f.message
    );
    // Under the cap: checked as usual.
    let small = &big[.."FROM python:3.11\n".len() + 3 * line.len()];
    let codes: Vec<String> =
        clusterls_dockerfile::check(small, None).into_iter().map(|f| f.code).collect();
    assert_eq!(codes, ["docker/consecutive-run", "docker/consecutive-run"]);
}
