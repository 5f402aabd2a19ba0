//! The architecture invariants of ARCHITECTURE.md, checked on the source tree.
//! These are cheap and run everywhere; they fail the moment a layer leaks.

use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "testdata" && n != "target") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `[dependencies]` names of a Cargo.toml (not dev-dependencies).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                deps.push(name.split('.').next().unwrap().to_string());
            }
        }
    }
    deps
}

#[test]
fn pure_crates_depend_on_nothing_that_does_io_or_protocol() {
    let allowed = ["serde", "clusterls-core", "serde_json"];
    for krate in ["core", "sbatch", "dockerfile"] {
        let manifest = repo().join("server/crates").join(krate).join("Cargo.toml");
        for dep in dependencies(&manifest) {
            assert!(
                allowed.contains(&dep.as_str()),
                "server/crates/{krate} depends on `{dep}`: the pure crates take only {allowed:?}"
            );
        }
    }
}

#[test]
fn pure_crates_do_no_io() {
    let forbidden =
        ["std::fs", "std::process", "std::net", "tokio", "std::env::var", "ls_types", "lsp_types"];
    for krate in ["core", "sbatch", "dockerfile"] {
        for file in rust_files(&repo().join("server/crates").join(krate).join("src")) {
            let text = fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for f in forbidden {
                    assert!(
                        !line.contains(f),
                        "{}:{}: `{f}` in a pure crate: IO and protocol types belong in server/src",
                        file.display(),
                        n + 1
                    );
                }
            }
        }
    }
}

/// The engine's pure modules (their doc comment starts `//! Pure`) parse Slurm's output
/// and build command lines and scripts: no IO, no async, no protocol types.
#[test]
fn the_engines_pure_modules_do_no_io() {
    let forbidden = [
        "std::fs",
        "std::process",
        "std::net",
        "tokio",
        "openssh",
        "rusqlite",
        "std::env::var",
        "ls_types",
        "super::transport",
        "super::store",
        "super::api",
    ];
    let mut pure = 0;
    for file in rust_files(&repo().join("server/src/engine")) {
        let text = fs::read_to_string(&file).unwrap();
        if !text.starts_with("//! Pure") {
            continue;
        }
        pure += 1;
        let code = text.split("\n#[cfg(test)]").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for f in forbidden {
                assert!(
                    !line.contains(f),
                    "{}:{}: `{f}` in a pure engine module (it says `//! Pure`)",
                    file.display(),
                    n + 1
                );
            }
        }
    }
    assert!(pure >= 5, "expected the engine's pure modules to say `//! Pure`, found {pure}");
}

#[test]
fn lsp_types_are_built_only_in_the_lsp_module() {
    for file in rust_files(&repo().join("server/src")) {
        let rel = file.strip_prefix(repo()).unwrap().to_string_lossy().into_owned();
        if rel.starts_with("server/src/lsp/") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("ls_types") && !text.contains("tower_lsp_server"),
            "{rel} uses LSP types: only server/src/lsp/ may"
        );
    }
}

#[test]
fn only_the_cli_prints_to_stdout() {
    for file in rust_files(&repo().join("server/src")) {
        let rel = file.strip_prefix(repo()).unwrap().to_string_lossy().into_owned();
        if rel.starts_with("server/src/cli/") || rel.contains("/examples/") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for mac in ["println!(", "print!(", "dbg!(", "std::io::stdout()"] {
                // `eprintln!(` contains `println!(`: only a match at a word start counts.
                let hit = line
                    .match_indices(mac)
                    .any(|(i, _)| !line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                assert!(
                    !hit,
                    "{rel}:{}: `{mac}` outside the CLI: stdout belongs to the protocol",
                    n + 1
                );
            }
        }
    }
}

/// A module of `server/src` and the source files that make it up.
struct Module {
    /// Path from the crate root, e.g. `["lsp", "documents"]`.
    path: Vec<String>,
    file: PathBuf,
}

fn modules(src: &Path) -> Vec<Module> {
    rust_files(src)
        .into_iter()
        .map(|file| {
            let rel = file.strip_prefix(src).unwrap().with_extension("");
            let mut path: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if path.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
                path.pop();
            }
            Module { path, file }
        })
        .collect()
}

/// Every `crate::`, `super::` and `self::` path in the code (not comments, not the test
/// module at the end), resolved to a path from the crate root. `use a::{b, c}` gives
/// both `a::b` and `a::c` (first level of braces).
fn references(module: &[String], is_mod_file: bool, text: &str) -> Vec<Vec<String>> {
    let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap();
    let code: String = code
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
    };
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            // A module's parent (for `x/mod.rs` the module is `x`, so its parent is
            // the one above the directory).
            let mut p = module.to_vec();
            p.pop();
            p
        }),
        ("self::", if is_mod_file { module.to_vec() } else { Vec::new() }),
    ] {
        if prefix == "self::" && !is_mod_file {
            continue;
        }
        for (i, _) in code.match_indices(prefix) {
            if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            let mut heads = Vec::new();
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            heads.push(ident(item.trim()));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 || c != '{' {
                        item.push(c);
                    }
                }
                heads.push(ident(item.trim()));
            } else {
                heads.push(ident(rest));
            }
            for h in heads.into_iter().filter(|h| !h.is_empty()) {
                let mut p = base.clone();
                p.push(h);
                out.push(p);
            }
        }
    }
    out
}

/// Cycles between sibling modules: at the top of `server/src` (`cli`, `lsp`, `engine`,
/// ...) and among the children of each module. An edge a → b means code in a (or
/// below it) names b (or something below it).
fn module_cycles(src: &Path) -> Vec<String> {
    let mods = modules(src);
    let known: std::collections::BTreeSet<Vec<String>> =
        mods.iter().map(|m| m.path.clone()).collect();
    // Edges per parent: parent path -> (child name -> child names it uses).
    let mut graphs: std::collections::BTreeMap<
        Vec<String>,
        std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    > = Default::default();
    for m in &mods {
        let text = fs::read_to_string(&m.file).unwrap();
        let is_mod_file = m.file.file_stem().is_some_and(|s| s == "mod" || s == "lib");
        for target in references(&m.path, is_mod_file, &text) {
            // The longest known module the target names.
            let mut t = target.clone();
            while !t.is_empty() && !known.contains(&t) {
                t.pop();
            }
            // The sibling pair under the deepest common parent.
            let common = m.path.iter().zip(&t).take_while(|(a, b)| a == b).count();
            if common >= m.path.len() || common >= t.len() {
                continue; // A module and its own ancestor or descendant.
            }
            let parent = m.path[..common].to_vec();
            graphs
                .entry(parent)
                .or_default()
                .entry(m.path[common].clone())
                .or_default()
                .insert(t[common].clone());
        }
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &graphs {
        // Depth-first search from each node, reporting a path back to it.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = std::collections::BTreeSet::new();
            while let Some((node, path)) = stack.pop() {
                for next in graph.get(&node).into_iter().flatten() {
                    if next == start {
                        let mut cycle = path.clone();
                        cycle.push(start.clone());
                        // Report each cycle once, from its smallest member.
                        if path.iter().all(|n| n >= start) {
                            let at = if parent.is_empty() {
                                "crate".to_string()
                            } else {
                                parent.join("::")
                            };
                            cycles.push(format!("{at}: {}", cycle.join(" -> ")));
                        }
                    } else if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles
}

#[test]
fn modules_of_the_server_form_no_cycle() {
    let cycles = module_cycles(&repo().join("server/src"));
    assert!(
        cycles.is_empty(),
        "import cycles between modules of server/src (move what both sides need into a module both may use):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_cycle_check_finds_cycles() {
    let dir = std::env::temp_dir().join(format!("clusterls-cycles-{}", std::process::id()));
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a.rs", "use crate::b::X;\n");
    write("b/mod.rs", "mod inner;\npub use self::inner::X;\n");
    write("b/inner.rs", "use crate::c::{Y, self};\npub struct X;\n");
    write("c.rs", "// use crate::b;\npub fn f() { crate::a::g() }\n");
    write("d/mod.rs", "mod p;\nmod q;\n");
    write("d/p.rs", "use super::q::Q;\n");
    write("d/q.rs", "use super::{p::P, r};\n#[cfg(test)]\nmod tests {\n    use super::p;\n}\n");
    let mut cycles = module_cycles(&dir);
    cycles.sort();
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(cycles, ["crate: a -> b -> c -> a", "d: p -> q -> p"]);
}
