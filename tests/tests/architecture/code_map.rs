//! ARCHITECTURE.md's code map (from `## Code map` to the next `## `) names every source
//! file: each `.rs` under server/src and server/crates/*/src, each `.ts` under
//! editor-client/src but src/test. The map is prose, one `### ` section per directory or
//! file, so the rule follows how it is written:
//! - A file is named by a path to it in backticks: segments joined by `/` or `::`, with or
//!   without `.rs`/`.ts`; a directory module (`x/mod.rs`, a crate's `src/lib.rs`) by its
//!   directory (`x`, `x/`); an item path names its modules (`launch::log_pattern::expand`
//!   names `launch/mod.rs` and `launch/log_pattern.rs`); a path that starts with a crate's
//!   name (`clusterls_core::kind::kind_of`) is read in that crate.
//! - A path is read against the directories already named in the same paragraph or bullet
//!   (so "`submit`: ... `plan` ..." names `submit/plan.rs`), the section's directory, the
//!   source directory that holds it, and the repository; it names what it names in any.
//! - A section about a file (`### server/src/checks.rs`) names it.
//! - Unit-test files (`tests.rs`, `*_tests.rs`) belong to the module they test, as a whole:
//!   the map says so once and does not list them.
//!
//! And every path the map names exists: a word with a `/` that starts with a top-level
//! directory of the repository ([`TOP_LEVEL`]) or ends in `.rs`/`.ts` (not `~/...`, `/...`,
//! `./...`, nor a URI or a finding code), read as above or in any source directory or crate,
//! with an upper-case placeholder (`RELEASE`, `KEY16`) matching anything; paths that the
//! packaging writes are listed below with their reason.

use std::fs;
use std::path::Path;

use super::{repo, rust_files};

/// The repository's top-level directories: a path in the map that starts with one is a path.
const TOP_LEVEL: &[&str] = &["server", "editor-client", "tests", "examples", ".ci"];

/// Paths the code map may name that are not in the repository, and why.
const GENERATED_PATHS: &[(&str, &str)] =
    &[("editor-client/server/", "the packaged server binary and platform.json (npm run package)")];

/// `path` exists under `root`; `*` in a segment matches any run of characters.
fn exists_glob(root: &Path, path: &str) -> bool {
    fn matches(pat: &str, name: &str) -> bool {
        match pat.split_once('*') {
            None => pat == name,
            Some((head, tail)) => {
                name.starts_with(head)
                    && (0..=name.len() - head.len()).any(|k| {
                        name.is_char_boundary(head.len() + k)
                            && matches(tail, &name[head.len() + k..])
                    })
            }
        }
    }
    let mut here = vec![root.to_path_buf()];
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        for dir in &here {
            if !seg.contains('*') {
                let p = dir.join(seg);
                if p.exists() {
                    next.push(p);
                }
                continue;
            }
            for e in fs::read_dir(dir).into_iter().flatten().flatten() {
                if matches(seg, &e.file_name().to_string_lossy()) {
                    next.push(e.path());
                }
            }
        }
        here = next;
    }
    !here.is_empty()
}

/// Upper-case placeholders (`RELEASE`, `KEY16`: a capital and two more capitals or digits)
/// made `*`.
fn placeholders(word: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let placeholder = run.len() >= 3
            && run.starts_with(|c: char| c.is_ascii_uppercase())
            && run.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        out.push_str(if placeholder { "*" } else { run });
        run.clear();
    };
    for c in word.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// What is wrong with the code map in `architecture` (the text of ARCHITECTURE.md) for the
/// tree at `root`: source files it does not name, paths it names that do not exist.
fn code_map_problems(root: &Path, architecture: &str) -> Vec<String> {
    use std::collections::BTreeSet;
    let join = |base: &str, rel: &str| -> String {
        match (base.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (_, true) => base.to_string(),
            _ => format!("{base}/{rel}"),
        }
    };
    let is_file = |rel: &str| root.join(rel).is_file();
    let is_dir = |rel: &str| !rel.is_empty() && root.join(rel).is_dir();
    // The source roots and the files the map must name.
    let mut roots = vec!["server/src".to_string()];
    let mut crates: Vec<String> = fs::read_dir(root.join("server/crates"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| format!("server/crates/{}/src", e.file_name().to_string_lossy()))
        .filter(|r| is_dir(r))
        .collect();
    crates.sort();
    roots.extend(crates);
    let mut sources = Vec::new();
    for r in &roots {
        sources.extend(rust_files(&root.join(r)));
    }
    roots.push("editor-client/src".to_string());
    let mut stack = vec![root.join("editor-client/src")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && e.file_name() != "test" {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ts") {
                sources.push(p);
            }
        }
    }
    let sources: Vec<String> = sources
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or_default();
            name != "tests.rs" && !name.ends_with("_tests.rs")
        })
        .collect();
    assert!(!sources.is_empty(), "no source file under {}", root.display());
    // A crate's name and its source root.
    let crate_names: Vec<(String, String)> = roots
        .iter()
        .filter(|r| r.ends_with("/src") && r.starts_with("server/"))
        .map(|r| {
            let name = match r.as_str() {
                "server/src" => "clusterls".to_string(),
                _ => format!(
                    "clusterls_{}",
                    r.trim_start_matches("server/crates/").trim_end_matches("/src")
                ),
            };
            (name, r.clone())
        })
        .collect();

    let start =
        architecture.find("\n## Code map").expect("ARCHITECTURE.md has a `## Code map`") + 1;
    let map = &architecture[start..];
    let map = &map[..map[3..].find("\n## ").map_or(map.len(), |i| i + 3)];
    let mut named = BTreeSet::new();
    let mut problems = Vec::new();
    for (k, section) in map.split("\n### ").enumerate() {
        let dir = if k == 0 {
            String::new()
        } else {
            let head = section.lines().next().unwrap_or_default();
            head.split('`').nth(1).unwrap_or_default().trim_end_matches('/').to_string()
        };
        if is_file(&dir) {
            named.insert(dir.clone());
        }
        let src = roots
            .iter()
            .find(|r| dir == **r || dir.starts_with(&format!("{r}/")))
            .cloned()
            .or_else(|| is_dir(&join(&dir, "src")).then(|| join(&dir, "src")));
        // Paragraphs and bullets.
        let mut paragraphs = vec![String::new()];
        for line in section.lines() {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with("* ") || t.starts_with("- ") {
                paragraphs.push(String::new());
            }
            paragraphs.last_mut().unwrap().push_str(line);
            paragraphs.last_mut().unwrap().push('\n');
        }
        for paragraph in &paragraphs {
            let mut context: Vec<String> = Vec::new();
            let words = paragraph.split('`').skip(1).step_by(2).flat_map(|span| {
                span.split(|c: char| !(c.is_ascii_alphanumeric() || "_/:.-*".contains(c)))
                    .map(|w| w.trim_end_matches(['.', ':', ',']).to_string())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
            });
            for word in words {
                let segments: Vec<&str> = word.split("::").collect();
                let in_crate =
                    crate_names.iter().find(|(n, _)| segments.len() > 1 && n == segments[0]);
                let (bases, candidates): (Vec<String>, Vec<String>) = match in_crate {
                    Some((_, r)) => (
                        vec![r.clone()],
                        (2..=segments.len()).map(|n| segments[1..n].join("/")).collect(),
                    ),
                    None => {
                        let mut bases: Vec<String> = context.iter().rev().cloned().collect();
                        bases.push(dir.clone());
                        bases.extend(src.clone());
                        bases.push(String::new());
                        let candidates = if segments.len() > 1 {
                            (1..=segments.len()).map(|n| segments[..n].join("/")).collect()
                        } else {
                            vec![word.trim_end_matches('/').to_string()]
                        };
                        (bases, candidates)
                    }
                };
                for c in &candidates {
                    for b in &bases {
                        let p = join(b, c);
                        for f in [
                            p.clone(),
                            format!("{p}.rs"),
                            format!("{p}.ts"),
                            format!("{p}/mod.rs"),
                            format!("{p}/src/lib.rs"),
                        ] {
                            if !c.is_empty() && is_file(&f) {
                                named.insert(f);
                            }
                        }
                        let d = p.trim_end_matches(".rs").trim_end_matches(".ts").to_string();
                        if is_dir(&d) && !context.contains(&d) {
                            context.push(d);
                        }
                    }
                }
                // A path the map claims.
                let first = word.split('/').next().unwrap_or_default();
                let claim = word.contains('/')
                    && !word.contains(':')
                    && !word.starts_with(['~', '/', '$'])
                    && (!word.starts_with('.') || first == ".ci")
                    && (TOP_LEVEL.contains(&first)
                        || word.ends_with(".rs")
                        || word.ends_with(".ts"));
                if claim {
                    let pattern = placeholders(word.trim_end_matches('/'));
                    let anywhere = roots
                        .iter()
                        .flat_map(|r| [r.clone(), r.trim_end_matches("/src").to_string()]);
                    let generated = bases.iter().any(|b| {
                        let p = join(b, &pattern);
                        GENERATED_PATHS.iter().any(|(g, _)| p.starts_with(g))
                    });
                    let found = generated
                        || bases
                            .iter()
                            .cloned()
                            .chain(anywhere)
                            .any(|b| exists_glob(root, &join(&b, &pattern)));
                    if !found {
                        let at = if dir.is_empty() {
                            "its introduction".to_string()
                        } else {
                            format!("`{dir}`")
                        };
                        problems.push(format!(
                            "ARCHITECTURE.md's code map, {at}: `{word}` names nothing in the repository"
                        ));
                    }
                }
            }
        }
    }
    for f in sources {
        if !named.contains(&f) {
            problems.push(format!(
                "{f} is not in ARCHITECTURE.md's code map: name it (its path, or its module path) in the section of its directory"
            ));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn the_code_map_names_every_source_file_and_only_what_exists() {
    let text = fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let problems = code_map_problems(&repo(), &text);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_code_map_check_finds_what_is_missing() {
    let dir = std::env::temp_dir().join(format!(
        "clusterls-map-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    for rel in [
        "server/src/lib.rs",
        "server/src/engine/mod.rs",
        "server/src/engine/submit/mod.rs",
        "server/src/engine/submit/plan.rs",
        "server/src/engine/submit/tests.rs",
        "server/src/engine/slurm.rs",
        "server/src/engine/slurm/jobs.rs",
        "server/src/engine/orphan.rs",
        "server/crates/core/src/lib.rs",
        "server/crates/core/src/kind.rs",
        "editor-client/src/ctx.ts",
        "editor-client/src/stray.ts",
        "editor-client/src/test/ctx.test.ts",
    ] {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, "").unwrap();
    }
    let map = "# A\n\n## Code map\n\n`server/src/lib.rs` declares modules.\n\n\
        ### `server/crates/core`\n\nThe kind (`clusterls_core::kind::kind_of`).\n\n\
        ### `server/src/engine`\n\n* `submit`: `plan` picks; tested in `tests/run-all`.\n\
        * `slurm/jobs.rs` reads rows, `slurm` the facts; see `server/src/gone.rs`.\n\n\
        ### `editor-client/`\n\n`ctx.ts` owns the client; `server/clusterls` is packaged.\n\n\
        ## Choices\n\n`server/src/engine/orphan.rs` is not in the map.\n";
    let problems = code_map_problems(&dir, map);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        problems,
        [
            "ARCHITECTURE.md's code map, `server/src/engine`: `server/src/gone.rs` names nothing in the repository",
            "ARCHITECTURE.md's code map, `server/src/engine`: `tests/run-all` names nothing in the repository",
            "editor-client/src/stray.ts is not in ARCHITECTURE.md's code map: name it (its path, or its module path) in the section of its directory",
            "server/src/engine/orphan.rs is not in ARCHITECTURE.md's code map: name it (its path, or its module path) in the section of its directory",
        ]
    );
}
