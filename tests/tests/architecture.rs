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

/// `[dependencies]` of a Cargo.toml (not dev-dependencies): each name, and whether it
/// is optional (`optional = true`, built only when a feature asks for it).
fn dependencies(manifest: &Path) -> Vec<(String, bool)> {
    let text = fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, spec)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                let optional = spec.replace(' ', "").contains("optional=true");
                deps.push((name.split('.').next().unwrap().to_string(), optional));
            }
        }
    }
    deps
}

#[test]
fn pure_crates_depend_on_nothing_that_does_io_or_protocol() {
    let allowed = ["serde", "clusterls-core", "serde_json"];
    // Optional, behind a feature only the server's tests enable: a derive that writes
    // the facts' TypeScript declarations (no IO, nothing at run time).
    let optional = ["ts-rs"];
    for krate in ["core", "sbatch", "dockerfile"] {
        let manifest = repo().join("server/crates").join(krate).join("Cargo.toml");
        for (dep, is_optional) in dependencies(&manifest) {
            assert!(
                allowed.contains(&dep.as_str())
                    || (is_optional && optional.contains(&dep.as_str())),
                "server/crates/{krate} depends on `{dep}`: the pure crates take only {allowed:?} (and, optional, {optional:?})"
            );
        }
    }
    // The feature stays a test's: the server's normal dependencies do not enable it.
    let server = fs::read_to_string(repo().join("server/Cargo.toml")).unwrap();
    let normal = server.split("[dev-dependencies]").next().unwrap();
    assert!(
        !normal.contains("features = [\"ts\"]"),
        "clusterls-core's ts feature outside the tests"
    );
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

// Reading Rust source (`source`), and what is checked with it: no module cycles
// (`cycles`), findings only from registered rules (`rules`), and ARCHITECTURE.md's code map
// against the tree (`code_map`); each in its own file under `architecture/`.
#[path = "architecture/code_map.rs"]
mod code_map;
#[path = "architecture/cycles.rs"]
mod cycles;
#[path = "architecture/rules.rs"]
mod rules;
#[path = "architecture/source.rs"]
mod source;

/// `server/src` and the `src` of each crate under `server/crates`.
fn crate_sources() -> Vec<PathBuf> {
    let mut srcs = vec![repo().join("server/src")];
    let mut crates: Vec<PathBuf> = fs::read_dir(repo().join("server/crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    crates.sort();
    assert!(crates.len() >= 3, "expected the crates core, sbatch and dockerfile: {crates:?}");
    srcs.extend(crates);
    srcs
}

/// What `check` says about a crate written from `files` (path, text) into a fresh
/// directory, with the directory taken out of its messages.
fn in_temp_crate(files: &[(&str, &str)], check: fn(&Path) -> Vec<String>) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!(
        "clusterls-arch-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    ));
    for (rel, text) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let found = check(&dir);
    fs::remove_dir_all(&dir).unwrap();
    let prefix = format!("{}/", dir.display());
    found.iter().map(|m| m.replace(&prefix, "")).collect()
}
