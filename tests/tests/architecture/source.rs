//! Reading Rust source as the architecture tests need it: comments, strings and test
//! items blanked, `use` trees and paths, and each crate's modules, their `use` bindings,
//! globs and re-exports, so that a path can be followed to the module that defines what
//! it names.
//!
//! A crate's modules are its files (`a/b.rs` or `a/b/mod.rs` is `a::b`) and their inline
//! `mod x { .. }` blocks; modules and items behind `#[cfg(test)]` are left out (test code
//! is not the dependency structure). Every path that starts with `crate::`, `self::` or any
//! number of `super::` (in a `use`, nested groups included, or in an expression or a type)
//! is a reference; comments, strings and char literals never count.

use std::fs;
use std::path::Path;

use super::{repo, rust_files};

pub(crate) type ModPath = Vec<String>;

pub(crate) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The text with comments, string and char literals blanked (newlines kept), so that
/// nothing inside them reads as a path or a brace. Non-ASCII characters become spaces.
pub(crate) fn blank_literals(text: &str) -> String {
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
pub(crate) fn matching_brace(code: &[u8], open: usize) -> usize {
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

pub(crate) fn skip_ws(code: &[u8], mut i: usize) -> usize {
    while i < code.len() && code[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

pub(crate) fn ident_at(code: &[u8], i: usize) -> &str {
    let end = code[i..].iter().position(|&c| !is_ident(c)).map_or(code.len(), |p| i + p);
    std::str::from_utf8(&code[i..end]).unwrap()
}

/// Positions where the word `word` starts (not inside another identifier, not after `::`).
pub(crate) fn word_starts<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = code.as_bytes();
    words(code, word).filter(move |&i| i == 0 || b[i - 1] != b':')
}

/// Positions where the word `word` starts, also as the last segment of a path
/// (`clusterls_core::Rule`).
pub(crate) fn words<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = code.as_bytes();
    code.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before_ok = i == 0 || !is_ident(b[i - 1]);
        let after_ok = b.get(i + word.len()).is_none_or(|&c| !is_ident(c));
        before_ok && after_ok
    })
}

/// Blanks every item behind `#[cfg(test)]`; returns the names of the file modules it
/// declares (`#[cfg(test)] mod tests;`), which are test code too.
pub(crate) fn strip_test_items(code: &mut String) -> Vec<String> {
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
pub(crate) struct Leaf {
    pub(crate) path: Vec<String>,
    pub(crate) alias: Option<String>,
    pub(crate) glob: bool,
}

/// Reads a path or use tree at `i` (`a::b::{c, d::{e as f, self}, *}`); every leaf with
/// its full path.
pub(crate) fn use_tree(code: &[u8], i: &mut usize) -> Vec<Leaf> {
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
pub(crate) struct Crate {
    pub(crate) modules: std::collections::BTreeSet<ModPath>,
    /// Names a module binds with `use` (pub or not), to the path they name.
    pub(crate) bindings:
        std::collections::BTreeMap<ModPath, std::collections::BTreeMap<String, ModPath>>,
    /// Modules a module imports whole (`use a::*`).
    pub(crate) globs: std::collections::BTreeMap<ModPath, Vec<ModPath>>,
    /// Items a module defines (struct, enum, fn, const, ...).
    pub(crate) defines: std::collections::BTreeMap<ModPath, std::collections::BTreeSet<String>>,
    /// Each `crate::`/`self::`/`super::` path: the module that wrote it, where, and the
    /// path it names from the crate root.
    pub(crate) references: Vec<(ModPath, String, ModPath)>,
    /// Each file: its module, its path from the repository, its code (literals blanked,
    /// test items left out).
    pub(crate) files: Vec<(ModPath, String, String)>,
    /// Inline modules: (file index, start, end, name).
    pub(crate) inline: Vec<(usize, usize, usize, String)>,
}

impl Crate {
    pub(crate) fn read(src: &Path) -> Crate {
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
    pub(crate) fn module_at(&self, n: usize, pos: usize) -> ModPath {
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
    pub(crate) fn absolute(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
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
    pub(crate) fn resolve(&self, path: &[String]) -> ModPath {
        self.module_of(&self.follow(path))
    }

    /// The longest module that `path` spells.
    pub(crate) fn module_of(&self, path: &[String]) -> ModPath {
        let mut m = path.to_vec();
        while !m.is_empty() && !self.modules.contains(&m) {
            m.pop();
        }
        m
    }

    /// `path` followed through `use` bindings and globs to where its item is defined (or
    /// as far as they lead).
    pub(crate) fn follow(&self, path: &[String]) -> ModPath {
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

impl Crate {
    /// The item a path written in `module` names, from the crate root: through `crate`,
    /// `self`, `super`, a name the module binds with `use`, a child module, or else an
    /// item of the module itself.
    pub(crate) fn item_path(&self, module: &ModPath, path: &[String]) -> ModPath {
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
