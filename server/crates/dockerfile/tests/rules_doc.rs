//! RULES.md is generated from `rules::RULES`; this test keeps it in sync
//! (`UPDATE_EXPECT=1 cargo test -p clusterls-dockerfile --test rules_doc` rewrites it).

use clusterls_dockerfile::rules::RULES;
use expect_test::expect_file;

#[test]
fn rules_md_is_current() {
    let mut s = String::from(
        "# Dockerfile checks\n\n\
         Generated from `src/rules.rs` by `tests/rules_doc.rs`; do not edit by hand.\n\n\
         Silence a finding with `# clusterls-ignore: code[,code]` on the line(s) just above the\n\
         instruction, a whole file with `# clusterls-ignore-file: code` (a namespace such as\n\
         `apptainer` works too), or a project with `Config { disabled }` (`check_with`).\n\
         hadolint's `# hadolint ignore=DLxxxx` comments are honoured through the column below.\n\n\
         | code | severity | hadolint | what |\n|---|---|---|---|\n",
    );
    for r in RULES {
        s += &format!(
            "| `{}` | {} | {} | {} |\n",
            r.code,
            r.severity.as_str(),
            r.hadolint.unwrap_or(""),
            r.summary.replace('|', "\\|")
        );
    }
    expect_file!["../RULES.md"].assert_eq(&s);
}

#[test]
fn codes_are_unique_namespaced_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for r in RULES {
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
        let (ns, name) = r.code.split_once('/').expect("namespaced");
        assert!(["docker", "apptainer", "gpu"].contains(&ns), "{}", r.code);
        assert!(name.bytes().all(|c| c.is_ascii_lowercase() || c == b'-'), "{}", r.code);
    }
}
