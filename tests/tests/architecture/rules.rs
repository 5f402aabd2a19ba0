//! A finding is made from a registered rule, never from a string (ARCHITECTURE.md, "The
//! rule registry"). The types do half of it: the checkers' `push` take a `&'static Rule`,
//! and `Rule::finding` is the way from a rule to a finding. This proves the rest on the
//! sources of each crate (test code left out):
//! - every `Rule` value is built in the initializer of a `const` (or `static`) of type
//!   `Rule`: no `Rule { .. }` or `Rule::new(..)` anywhere else, so no rule is made up at a
//!   push;
//! - every such const is listed by a registry of its crate (a `static RULES: &[&Rule]`);
//! - nothing makes a `Finding` but a rule: no `Finding::new`/`error`/`warning`/`info`/`hint`
//!   or `Finding { .. }`, and no `.code = ..` on one, except in the files listed.

use std::path::Path;

use super::source::{Crate, ModPath, ident_at, skip_ws, use_tree, word_starts, words};
use super::{crate_sources, in_temp_crate};

/// Files that may make a finding without a rule, and why.
const FINDINGS_WITHOUT_RULE: &[(&str, &str)] = &[
    ("server/crates/core/src/finding.rs", "it defines Finding"),
    ("server/crates/core/src/rule.rs", "it defines Rule and Rule::finding"),
    ("server/crates/sbatch/src/shellcheck.rs", "shellcheck's own codes, which its wiki documents"),
];

/// Whether the word at `at` is in a place where a value is built: after `=`, `(`, `[`, `{`,
/// `,`, `;`, `=>`, `..` or `return` (not in a type: after `->`, `&`, `:`, `impl`, ...).
fn builds_here(code: &str, at: usize) -> bool {
    // Before the path the word ends (`clusterls_core::Rule`).
    let start = code[..at].trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
    let before = start.trim_end();
    (before.ends_with(['=', '(', '[', '{', ',', ';']) && !before.ends_with("->"))
        || before.ends_with("=>")
        || before.ends_with("..")
        || before.ends_with("return")
}

/// Where the item whose initializer starts at `from` ends: its `;` outside brackets.
fn item_end(code: &[u8], from: usize) -> usize {
    let mut depth = 0i32;
    for (i, &c) in code.iter().enumerate().skip(from) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b';' if depth <= 0 => return i,
            _ => {}
        }
    }
    code.len()
}

/// What breaks "a finding comes from a registered rule" in the crate under `src`.
fn rule_problems(src: &Path) -> Vec<String> {
    let krate = Crate::read(src);
    let mut problems = Vec::new();
    let mut declared: Vec<(ModPath, String)> = Vec::new();
    let mut registered = std::collections::BTreeSet::new();
    for (n, (_, file, code)) in krate.files.iter().enumerate() {
        let b = code.as_bytes();
        let line = |pos: usize| code[..pos].matches('\n').count() + 1;
        // `const NAME: Rule = ..` (their initializers), and the registries' lists.
        let mut initializers = Vec::new();
        for kw in ["const", "static"] {
            for at in word_starts(code, kw) {
                let i = skip_ws(b, at + kw.len());
                let name = ident_at(b, i);
                let j = skip_ws(b, i + name.len());
                if name.is_empty() || b.get(j) != Some(&b':') || b.get(j + 1) == Some(&b':') {
                    continue;
                }
                let Some(eq) = code[j..].find('=').map(|p| j + p) else { continue };
                let ty: String = code[j + 1..eq].split_whitespace().collect();
                let end = item_end(b, eq);
                let module = krate.module_at(n, at);
                if ty == "Rule" || ty.ends_with("::Rule") {
                    let mut item = module;
                    item.push(name.to_string());
                    declared.push((item, format!("{file}:{}", line(at))));
                    initializers.push(eq..end);
                } else if name == "RULES" && ty.contains("Rule") {
                    for (k, _) in code[eq..end].match_indices('&').filter(|(k, _)| *k > 0) {
                        let mut i = eq + k + 1;
                        for leaf in use_tree(b, &mut i) {
                            registered.insert(krate.follow(&krate.item_path(&module, &leaf.path)));
                        }
                    }
                }
            }
        }
        let place = |at: usize| format!("{file}:{}", line(at));
        if !code.contains("pub struct Rule ") {
            for at in words(code, "Rule") {
                let k = skip_ws(b, at + "Rule".len());
                let built = code[k..].starts_with("::new(")
                    || (b.get(k) == Some(&b'{') && builds_here(code, at));
                if built && !initializers.iter().any(|r| r.contains(&at)) {
                    problems.push(format!(
                        "{}: a Rule built outside a `const NAME: Rule`: declare it as a const next to its check and register it",
                        place(at)
                    ));
                }
            }
        }
        if !FINDINGS_WITHOUT_RULE.iter().any(|(f, _)| *f == file) {
            for at in words(code, "Finding") {
                let k = skip_ws(b, at + "Finding".len());
                let rest = &code[k..];
                let made = ["::new(", "::error(", "::warning(", "::info(", "::hint("]
                    .iter()
                    .any(|m| rest.starts_with(m))
                    || (b.get(k) == Some(&b'{') && builds_here(code, at));
                if made {
                    problems.push(format!(
                        "{}: a Finding made without a rule: push a registered rule, or make it with `RULE.finding(range, message)`",
                        place(at)
                    ));
                }
            }
            for (at, _) in
                code.match_indices(".code =").filter(|(at, _)| b.get(at + 7) != Some(&b'='))
            {
                problems.push(format!("{}: a finding's code changed after it was made", place(at)));
            }
        }
    }
    for (item, at) in declared {
        if !registered.contains(&item) {
            problems.push(format!(
                "{at}: the rule `{}` is in no registry (a `static RULES: &[&Rule]` of its crate)",
                item.join("::")
            ));
        }
    }
    // By file, then line.
    problems.sort_by_key(|p| {
        let mut parts = p.splitn(3, ':');
        let file = parts.next().unwrap_or_default().to_string();
        (file, parts.next().and_then(|l| l.parse::<usize>().ok()), p.clone())
    });
    problems
}

#[test]
fn every_rule_is_a_registered_const() {
    let mut all = Vec::new();
    let mut rules = 0;
    for src in crate_sources() {
        all.extend(rule_problems(&src));
        let krate = Crate::read(&src);
        rules +=
            krate.files.iter().map(|(_, _, c)| c.matches(": Rule = Rule").count()).sum::<usize>();
    }
    assert!(
        rules > 150,
        "expected the checkers' rules as `const NAME: Rule = Rule ..`, found {rules}"
    );
    assert!(
        all.is_empty(),
        "findings that may not come from a registered rule:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_rule_check_finds_what_is_not_registered() {
    let problems = in_temp_crate(
        &[
            ("lib.rs", "mod checks;\nmod rules;\n"),
            (
                "rules.rs",
                "use clusterls_core::Rule;\nuse crate::checks;\npub static RULES: &[&Rule] = &[&checks::A, &checks::inner::C];\n",
            ),
            (
                "checks/mod.rs",
                "mod inner;\nconst A: Rule = Rule::new(\"x/a\", Severity::Error, \"A.\");\nconst B: Rule = Rule { code: \"x/b\", ..A };\nfn f(c: &mut C) {\n    c.push(&A, 0..1, \"m\");\n    c.push(&B, 0..1, \"m\");\n    c.push(&Rule::new(\"x/c\", Severity::Info, \"C.\"), 0..1, \"m\");\n    let f = Finding::new(0..1, Severity::Info, \"x/d\", \"m\");\n    f.code = \"x/e\".into();\n    let g = clusterls_core::Finding { code: \"x/f\".into(), ..f };\n    let same = f.code == \"x/d\";\n}\nfn g() -> &'static Rule { &A }\nfn h() -> clusterls_core::Rule { clusterls_core::Rule::new(\"x/g\", Severity::Info, \"G.\") }\n#[cfg(test)]\nconst T: Rule = Rule::new(\"x/t\", Severity::Info, \"T.\");\n",
            ),
            ("checks/inner.rs", "pub const C: clusterls_core::Rule = super::A;\n"),
        ],
        rule_problems,
    );
    assert_eq!(
        problems,
        [
            "checks/mod.rs:3: the rule `checks::B` is in no registry (a `static RULES: &[&Rule]` of its crate)",
            "checks/mod.rs:7: a Rule built outside a `const NAME: Rule`: declare it as a const next to its check and register it",
            "checks/mod.rs:8: a Finding made without a rule: push a registered rule, or make it with `RULE.finding(range, message)`",
            "checks/mod.rs:9: a finding's code changed after it was made",
            "checks/mod.rs:10: a Finding made without a rule: push a registered rule, or make it with `RULE.finding(range, message)`",
            "checks/mod.rs:14: a Rule built outside a `const NAME: Rule`: declare it as a const next to its check and register it",
        ]
    );
}
