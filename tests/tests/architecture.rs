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

// ---------------------------------------------------------------------------------------
// Module cycles.
//
// The graph is read from the source text of one crate (`src/`): its modules are its files
// (`a/b.rs` or `a/b/mod.rs` is `a::b`) and their inline `mod x { .. }` blocks; modules and
// items behind `#[cfg(test)]` are left out (test code is not the dependency structure).
// Every path that starts with `crate::`, `self::` or any number of `super::` (in a `use`,
// nested groups included, or in an expression or a type) names a module of the crate: the
// longest module its segments spell, then followed through the `use` declarations of that
// module (`pub use a::X` at a root is an edge to `a`, not to the root; globs included)
// to the module that defines the item. Comments, strings and char literals never count.

type ModPath = Vec<String>;

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The text with comments, string and char literals blanked (newlines kept), so that
/// nothing inside them reads as a path or a brace. Non-ASCII characters become spaces.
fn blank_literals(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(b[i - 1]);
        if c == b'/' && next == Some(b'/') {
            while i < b.len() && b[i] != b'\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == b'/' && next == Some(b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend(b"  ");
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if !after_ident && (c == b'r' || (c == b'b' && next == Some(b'r'))) && {
            // A raw string: r"..", r#".."#, br".." (else an identifier starting with r or b).
            let mut j = i + if c == b'b' { 2 } else { 1 };
            while b.get(j) == Some(&b'#') {
                j += 1;
            }
            b.get(j) == Some(&b'"')
        } {
            let open = b[i..].iter().position(|&x| x == b'"').unwrap();
            let hashes = open - if c == b'b' { 2 } else { 1 };
            let mut close = b"\"".to_vec();
            close.extend(std::iter::repeat_n(b'#', hashes));
            let end = b[i + open + 1..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| i + open + 1 + p + close.len());
            while i < end {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == b'"' {
            blank(&mut out, c);
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            if i < b.len() {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{1F600}', 'é') or a lifetime ('a, 'static).
            let end = if next == Some(b'\\') {
                b[i + 2..].iter().position(|&x| x == b'\'').map(|p| i + 2 + p + 1)
            } else {
                let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
            };
            match end {
                Some(end) => {
                    while i < end {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else if c.is_ascii() {
            out.push(c);
            i += 1;
        } else {
            out.push(b' ');
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The index just past the brace that closes the one at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, &c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn skip_ws(code: &[u8], mut i: usize) -> usize {
    while i < code.len() && code[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn ident_at(code: &[u8], i: usize) -> &str {
    let end = code[i..].iter().position(|&c| !is_ident(c)).map_or(code.len(), |p| i + p);
    std::str::from_utf8(&code[i..end]).unwrap()
}

/// Positions where the word `word` starts (not inside another identifier, not after `::`).
fn word_starts<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = code.as_bytes();
    words(code, word).filter(move |&i| i == 0 || b[i - 1] != b':')
}

/// Positions where the word `word` starts, also as the last segment of a path
/// (`clusterls_core::Rule`).
fn words<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = code.as_bytes();
    code.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before_ok = i == 0 || !is_ident(b[i - 1]);
        let after_ok = b.get(i + word.len()).is_none_or(|&c| !is_ident(c));
        before_ok && after_ok
    })
}

/// Blanks every item behind `#[cfg(test)]`; returns the names of the file modules it
/// declares (`#[cfg(test)] mod tests;`), which are test code too.
fn strip_test_items(code: &mut String) -> Vec<String> {
    let mut test_mods = Vec::new();
    while let Some(at) = code.find("#[cfg(test)]") {
        let b = code.as_bytes();
        let mut i = at + "#[cfg(test)]".len();
        // Further attributes of the same item.
        loop {
            i = skip_ws(b, i);
            if b[i..].starts_with(b"#[") {
                i = b[i..].iter().position(|&c| c == b']').map_or(b.len(), |p| i + p + 1);
            } else {
                break;
            }
        }
        let item = &code[i..];
        let words: Vec<&str> = item.split_whitespace().take(3).collect();
        let is_use = words
            .first()
            .is_some_and(|w| *w == "use" || w.starts_with("pub") && words.get(1) == Some(&"use"));
        let end = match b[i..].iter().position(|&c| c == b'{' || c == b';') {
            Some(p) if b[i + p] == b';' => {
                let head: Vec<&str> = code[i..i + p].split_whitespace().collect();
                if let [.., "mod", name] = head.as_slice() {
                    test_mods.push(name.to_string());
                }
                i + p + 1
            }
            Some(p) => {
                let close = matching_brace(b, i + p);
                if is_use {
                    b[close..].iter().position(|&c| c == b';').map_or(b.len(), |q| close + q + 1)
                } else {
                    close
                }
            }
            None => b.len(),
        };
        let blanked: String =
            code[at..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
        code.replace_range(at..end, &blanked);
    }
    test_mods
}

/// One leaf of a path or a `use` tree: its segments, its `as` name, whether it is a glob.
#[derive(Debug, Clone)]
struct Leaf {
    path: Vec<String>,
    alias: Option<String>,
    glob: bool,
}

/// Reads a path or use tree at `i` (`a::b::{c, d::{e as f, self}, *}`); every leaf with
/// its full path.
fn use_tree(code: &[u8], i: &mut usize) -> Vec<Leaf> {
    *i = skip_ws(code, *i);
    if code.get(*i) == Some(&b'{') {
        *i += 1;
        let mut leaves = Vec::new();
        loop {
            *i = skip_ws(code, *i);
            match code.get(*i) {
                None => break,
                Some(b'}') => {
                    *i += 1;
                    break;
                }
                Some(b',') => *i += 1,
                Some(_) => {
                    let before = *i;
                    leaves.extend(use_tree(code, i));
                    if *i == before {
                        *i += 1; // Not a path: skip it.
                    }
                }
            }
        }
        return leaves;
    }
    if code.get(*i) == Some(&b'*') {
        *i += 1;
        return vec![Leaf { path: Vec::new(), alias: None, glob: true }];
    }
    let name = ident_at(code, *i).to_string();
    if name.is_empty() {
        return Vec::new();
    }
    *i += name.len();
    let j = skip_ws(code, *i);
    if code[j..].starts_with(b"::") {
        let mut k = j + 2;
        let sub = use_tree(code, &mut k);
        if !sub.is_empty() {
            *i = k;
            return sub
                .into_iter()
                .map(|mut l| {
                    l.path.insert(0, name.clone());
                    l
                })
                .collect();
        }
    }
    let mut alias = None;
    if code[j..].starts_with(b"as") && code.get(j + 2).is_some_and(|c| c.is_ascii_whitespace()) {
        let k = skip_ws(code, j + 2);
        alias = Some(ident_at(code, k).to_string());
        *i = k + alias.as_ref().unwrap().len();
    }
    vec![Leaf { path: vec![name], alias, glob: false }]
}

/// What one crate's source says about its modules.
#[derive(Default)]
struct Crate {
    modules: std::collections::BTreeSet<ModPath>,
    /// Names a module binds with `use` (pub or not), to the path they name.
    bindings: std::collections::BTreeMap<ModPath, std::collections::BTreeMap<String, ModPath>>,
    /// Modules a module imports whole (`use a::*`).
    globs: std::collections::BTreeMap<ModPath, Vec<ModPath>>,
    /// Items a module defines (struct, enum, fn, const, ...).
    defines: std::collections::BTreeMap<ModPath, std::collections::BTreeSet<String>>,
    /// Each `crate::`/`self::`/`super::` path: the module that wrote it, where, and the
    /// path it names from the crate root.
    references: Vec<(ModPath, String, ModPath)>,
    /// Each file: its module, its path from the repository, its code (literals blanked,
    /// test items left out).
    files: Vec<(ModPath, String, String)>,
    /// Inline modules: (file index, start, end, name).
    inline: Vec<(usize, usize, usize, String)>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let files = rust_files(src);
        assert!(!files.is_empty(), "no Rust file under {}", src.display());
        // Each file's module path and its code, test items blanked.
        let mut parsed = Vec::new();
        let mut test_only: Vec<ModPath> = Vec::new();
        for file in files {
            let rel = file.strip_prefix(src).unwrap().with_extension("");
            let mut path: ModPath =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if path.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
                path.pop();
            }
            let mut code = blank_literals(&fs::read_to_string(&file).unwrap());
            for name in strip_test_items(&mut code) {
                let mut p = path.clone();
                p.push(name);
                test_only.push(p);
            }
            let rel = file.strip_prefix(repo()).unwrap_or(&file).display().to_string();
            parsed.push((path, rel, code));
        }
        parsed.retain(|(path, ..)| !test_only.iter().any(|t| path.starts_with(t)));

        let mut krate = Crate { files: parsed, ..Crate::default() };
        for (n, (path, _, code)) in krate.files.iter().enumerate() {
            krate.modules.insert(path.clone());
            let b = code.as_bytes();
            for at in word_starts(code, "mod") {
                let i = skip_ws(b, at + 3);
                let name = ident_at(b, i);
                let j = skip_ws(b, i + name.len());
                if !name.is_empty() && b.get(j) == Some(&b'{') {
                    krate.inline.push((n, j, matching_brace(b, j), name.to_string()));
                }
            }
        }
        for k in 0..krate.inline.len() {
            let (n, start, ..) = krate.inline[k];
            krate.modules.insert(krate.module_at(n, start));
        }
        for n in 0..krate.files.len() {
            let (file, code) = (krate.files[n].1.clone(), krate.files[n].2.clone());
            let b = code.as_bytes();
            let line = |pos: usize| code[..pos].matches('\n').count() + 1;
            // Items defined.
            for kw in ["struct", "enum", "fn", "const", "static", "type", "trait", "union", "mod"] {
                for at in word_starts(&code, kw) {
                    let i = skip_ws(b, at + kw.len());
                    let name = ident_at(b, i);
                    if !name.is_empty() {
                        let module = krate.module_at(n, at);
                        krate.defines.entry(module).or_default().insert(name.to_string());
                    }
                }
            }
            for at in word_starts(&code, "macro_rules") {
                let i = skip_ws(b, at + "macro_rules!".len());
                krate.defines.entry(Vec::new()).or_default().insert(ident_at(b, i).to_string());
            }
            // `use` declarations: the names they bind.
            for at in word_starts(&code, "use") {
                let module = krate.module_at(n, at);
                let mut i = at + 3;
                for leaf in use_tree(b, &mut i) {
                    let Some(target) = krate.absolute(&module, &leaf.path) else {
                        continue;
                    };
                    if leaf.glob {
                        krate.globs.entry(module.clone()).or_default().push(target);
                        continue;
                    }
                    let name = match &leaf.alias {
                        Some(a) => a.clone(),
                        None => match leaf.path.last().map(String::as_str) {
                            Some("self") => leaf.path[leaf.path.len() - 2].clone(),
                            Some(l) => l.to_string(),
                            None => continue,
                        },
                    };
                    if name != "_" {
                        krate.bindings.entry(module.clone()).or_default().insert(name, target);
                    }
                }
            }
            // Every path from `crate`, `self` or `super`.
            for kw in ["crate", "self", "super"] {
                for at in word_starts(&code, kw) {
                    if !code[at + kw.len()..].starts_with("::") {
                        continue;
                    }
                    let module = krate.module_at(n, at);
                    let mut i = at;
                    for leaf in use_tree(b, &mut i) {
                        if let Some(target) = krate.absolute(&module, &leaf.path) {
                            let place = format!("{file}:{}: {}", line(at), leaf.path.join("::"));
                            krate.references.push((module.clone(), place, target));
                        }
                    }
                }
            }
        }
        krate
    }

    /// The module of a position in file `n`: the file's, then each inline block around it.
    fn module_at(&self, n: usize, pos: usize) -> ModPath {
        let mut p = self.files[n].0.clone();
        for (m, start, end, name) in &self.inline {
            if *m == n && *start <= pos && pos < *end {
                p.push(name.clone());
            }
        }
        p
    }

    /// A `crate::`/`self::`/`super::` path, or one through a child module (`use child::X`),
    /// written in `module`, from the crate root; `None` for a path into another crate.
    fn absolute(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
        let (mut base, mut rest) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (module.clone(), &path[1..]),
            Some("super") => (module.clone(), path),
            Some(first) => {
                let mut child = module.clone();
                child.push(first.to_string());
                if !self.modules.contains(&child) {
                    return None;
                }
                (module.clone(), path)
            }
            None => return None,
        };
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().filter(|s| *s != "self").cloned());
        Some(base)
    }

    /// The module that defines what `path` names: the longest module it spells, then
    /// through that module's `use` bindings and globs while they lead on.
    fn resolve(&self, path: &[String]) -> ModPath {
        self.module_of(&self.follow(path))
    }

    /// The longest module that `path` spells.
    fn module_of(&self, path: &[String]) -> ModPath {
        let mut m = path.to_vec();
        while !m.is_empty() && !self.modules.contains(&m) {
            m.pop();
        }
        m
    }

    /// `path` followed through `use` bindings and globs to where its item is defined (or
    /// as far as they lead).
    fn follow(&self, path: &[String]) -> ModPath {
        let mut path = path.to_vec();
        for _ in 0..32 {
            let m = self.module_of(&path);
            let Some(name) = path.get(m.len()) else { return path };
            let rest = &path[m.len() + 1..];
            let defined =
                |module: &ModPath| self.defines.get(module).is_some_and(|d| d.contains(name));
            let bound = |module: &ModPath| self.bindings.get(module).and_then(|b| b.get(name));
            let mut next = if let Some(target) = bound(&m) {
                target.clone()
            } else if defined(&m) {
                return path;
            } else if let Some(from) = self
                .globs
                .get(&m)
                .into_iter()
                .flatten()
                .find(|g| *g != &m && (defined(g) || bound(g).is_some()))
            {
                let mut t = from.clone();
                t.push(name.clone());
                t
            } else {
                return path;
            };
            next.extend(rest.iter().cloned());
            if next == path {
                return path;
            }
            path = next;
        }
        panic!("`use` bindings that lead round in a circle: {}", path.join("::"))
    }
}

/// Cycles between sibling modules of the crate under `src`: at its top and among the
/// children of each module. An edge a → b means code in a (or below it) names something
/// that b (or a module below it) defines. Each cycle is reported once with, for each of its
/// edges, one place that makes it.
fn module_cycles(src: &Path) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let krate = Crate::read(src);
    // parent -> child -> child it uses -> one place that does.
    let mut graphs: BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for (from, place, target) in &krate.references {
        let to = krate.resolve(target);
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if common >= from.len() || common >= to.len() {
            continue; // A module and its own ancestor or descendant.
        }
        graphs
            .entry(from[..common].to_vec())
            .or_default()
            .entry(from[common].clone())
            .or_default()
            .entry(to[common].clone())
            .or_insert_with(|| place.clone());
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &graphs {
        let at = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
        // Depth-first search from each node, reporting a path back to it.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((node, path)) = stack.pop() {
                for next in graph.get(&node).into_iter().flat_map(|n| n.keys()) {
                    if next == start {
                        // Report each cycle once, from its smallest member.
                        if path.iter().all(|n| n >= start) {
                            let mut cycle = path.clone();
                            cycle.push(start.clone());
                            let why: Vec<String> = cycle
                                .windows(2)
                                .map(|w| {
                                    format!("    {} -> {}: {}", w[0], w[1], graph[&w[0]][&w[1]])
                                })
                                .collect();
                            cycles.push(format!(
                                "{at}: {}\n{}",
                                cycle.join(" -> "),
                                why.join("\n")
                            ));
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
    cycles.sort();
    cycles
}

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

#[test]
fn modules_form_no_cycle() {
    let mut all = Vec::new();
    for src in crate_sources() {
        let rel = src.strip_prefix(repo()).unwrap().display().to_string();
        all.extend(module_cycles(&src).into_iter().map(|c| format!("{rel}: {c}")));
    }
    assert!(
        all.is_empty(),
        "import cycles between modules (move what both sides need into a module both may use):\n{}",
        all.join("\n")
    );
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

/// The cycles found in a crate written from `files`, without the places.
fn cycles_in(files: &[(&str, &str)]) -> Vec<String> {
    let cycles = in_temp_crate(files, module_cycles);
    cycles.iter().map(|c| c.lines().next().unwrap().to_string()).collect()
}

#[test]
fn the_cycle_check_finds_cycles() {
    // `crate::` paths, a re-export inside a module, a nested group with `self`, a path in
    // an expression; comments, strings and tests make no edge.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n"),
        ("a.rs", "use crate::b::X;\n"),
        ("b/mod.rs", "mod inner;\npub use self::inner::X;\n"),
        ("b/inner.rs", "use crate::{c::{Y, self}};\npub struct X;\n"),
        (
            "c.rs",
            "// use crate::b;\npub fn f() { crate::a::g() }\nconst S: &str = \"crate::d::x\";\n",
        ),
        ("d/mod.rs", "mod p;\nmod q;\n#[cfg(test)]\nmod tests;\n"),
        ("d/p.rs", "use super::q::Q;\n"),
        ("d/q.rs", "use super::{p::P, r};\n#[cfg(test)]\nmod tests {\n    use super::p;\n}\n"),
        ("d/tests.rs", "use crate::a::g;\n"),
    ]);
    assert_eq!(cycles, ["crate: a -> b -> c -> a", "d: p -> q -> p"]);
    assert_eq!(
        cycles_in(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "/* crate::b::X */ fn f() { let _ = \"super::b\"; let _ = '\"'; }\n"),
            ("b.rs", "use crate::a;\n#[cfg(test)]\nfn t() { crate::a::f() }\n"),
        ]),
        [] as [&str; 0]
    );
}

#[test]
fn the_cycle_check_follows_re_exports_and_every_path_form() {
    // The engine's cycle of old: `sessions` named `super::Event`, which the root
    // re-exported from `api`; `api` named `super::super::submit` from a child.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod engine;\n"),
        ("engine/mod.rs", "mod api;\npub mod sessions;\npub mod submit;\npub use api::Event;\n"),
        ("engine/api.rs", "mod logs;\npub enum Event {}\n"),
        ("engine/api/logs.rs", "use super::super::submit::plan::log_files;\n"),
        ("engine/submit/mod.rs", "pub mod plan;\n"),
        ("engine/submit/plan.rs", "pub fn log_files() { super::super::sessions::check() }\n"),
        ("engine/sessions.rs", "pub fn check() {}\nfn f(e: super::Event) {}\n"),
    ]);
    assert_eq!(cycles, ["engine: api -> submit -> sessions -> api"]);
    // Through a glob re-export, an alias and a chain of re-exports; `self::` in a file
    // that is not a mod.rs; an inline module's `super::`.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub use c::Z as Zed;\n"),
        ("a.rs", "mod inner { use super::super::Zed; }\n"),
        ("b.rs", "pub use self::deep::*;\nmod deep;\n"),
        ("b/deep.rs", "pub struct Y;\n"),
        ("c.rs", "pub use crate::b::Y as Why;\npub struct Z;\npub fn g(_: Why) {}\n"),
        ("d.rs", "use crate::c::Why;\n"),
    ]);
    assert_eq!(cycles, [] as [&str; 0], "c -> b only, a -> c only: no cycle");
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub use c::Z as Zed;\n"),
        ("a.rs", "mod inner { use super::super::Zed; }\n"),
        ("b.rs", "pub use self::deep::*;\nmod deep;\n"),
        ("b/deep.rs", "pub struct Y;\nfn h() { crate::a::k() }\n"),
        ("c.rs", "pub use crate::b::Y as Why;\npub struct Z;\n"),
    ]);
    assert_eq!(cycles, ["crate: a -> c -> b -> a"]);
}

// ---------------------------------------------------------------------------------------
// Rules.
//
// A finding is made from a registered rule, never from a string (ARCHITECTURE.md, "The rule
// registry"). The types do half of it: the checkers' `push` take a `&'static Rule`, and
// `Rule::finding` is the way from a rule to a finding. This proves the rest on the sources of
// each crate (test code left out):
// - every `Rule` value is built in the initializer of a `const` (or `static`) of type `Rule`:
//   no `Rule { .. }` or `Rule::new(..)` anywhere else, so no rule is made up at a push;
// - every such const is listed by a registry of its crate (a `static RULES: &[&Rule]`);
// - nothing makes a `Finding` but a rule: no `Finding::new`/`error`/`warning`/`info`/`hint`
//   or `Finding { .. }`, and no `.code = ..` on one, except in the files below.

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

impl Crate {
    /// The item a path written in `module` names, from the crate root: through `crate`,
    /// `self`, `super`, a name the module binds with `use`, a child module, or else an
    /// item of the module itself.
    fn item_path(&self, module: &ModPath, path: &[String]) -> ModPath {
        if let Some(p) = self.absolute(module, path) {
            return p;
        }
        let bound = path.first().and_then(|f| self.bindings.get(module)?.get(f));
        let mut out = match bound {
            Some(target) => target.clone(),
            None => {
                let mut m = module.clone();
                m.extend(path.first().cloned());
                m
            }
        };
        out.extend(path.iter().skip(1).cloned());
        out
    }
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

// ---------------------------------------------------------------------------------------
// The code map.
//
// ARCHITECTURE.md's code map (from `## Code map` to the next `## `) names every source
// file: each `.rs` under server/src and server/crates/*/src, each `.ts` under
// editor-client/src but src/test. The map is prose, one `### ` section per directory or
// file, so the rule follows how it is written:
// - A file is named by a path to it in backticks: segments joined by `/` or `::`, with or
//   without `.rs`/`.ts`; a directory module (`x/mod.rs`, a crate's `src/lib.rs`) by its
//   directory (`x`, `x/`); an item path names its modules (`launch::log_pattern::expand`
//   names `launch/mod.rs` and `launch/log_pattern.rs`); a path that starts with a crate's
//   name (`clusterls_core::kind::kind_of`) is read in that crate.
// - A path is read against the directories already named in the same paragraph or bullet
//   (so "`submit`: ... `plan` ..." names `submit/plan.rs`), the section's directory, the
//   source directory that holds it, and the repository; it names what it names in any.
// - A section about a file (`### server/src/checks.rs`) names it.
// - Unit-test files (`tests.rs`, `*_tests.rs`) belong to the module they test, as a whole:
//   the map says so once and does not list them.
// And every path the map names exists: a word with a `/` that starts with a top-level
// directory of the repository ([`TOP_LEVEL`]) or ends in `.rs`/`.ts` (not `~/...`, `/...`,
// `./...`, nor a URI or a finding code), read as above or in any source directory or crate,
// with an upper-case placeholder (`RELEASE`, `KEY16`) matching anything; paths that the
// packaging writes are listed below with their reason.

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
