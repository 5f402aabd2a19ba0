//! Dockerfile word expansion (as BuildKit's shell lexer does it for ENV, LABEL, COPY,
//! WORKDIR, FROM, ...) and POSIX shell quoting for the definition file.

use std::collections::HashMap;

/// A piece of an expanded word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// A variable reference we cannot resolve at conversion time (it may come from the
    /// base image's environment), kept in shell syntax (`${PATH}`) for the shell to expand.
    Shell(String),
}

/// Variables in scope: name → value pieces.
pub type Vars = HashMap<String, Vec<Piece>>;

/// Flatten to literal text; unresolved references expand to nothing (as Docker does
/// for a variable that is not set).
pub fn literal(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(s) => s.as_str(),
            Piece::Shell(_) => "",
        })
        .collect()
}

/// Whether any piece is an unresolved reference.
pub fn has_shell(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| matches!(p, Piece::Shell(_)))
}

fn push_lit(out: &mut Vec<Piece>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Piece::Lit(l)) = out.last_mut() {
        l.push_str(s);
    } else {
        out.push(Piece::Lit(s.to_string()));
    }
}

fn push_all(out: &mut Vec<Piece>, v: &[Piece]) {
    for p in v {
        match p {
            Piece::Lit(s) => push_lit(out, s),
            Piece::Shell(s) => out.push(Piece::Shell(s.clone())),
        }
    }
}

/// Expand a word as written (`raw`, quotes included): quotes removed, escapes applied,
/// `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` and
/// `${VAR:?msg}` replaced from `vars`. A variable not in `vars` becomes a
/// [`Piece::Shell`] reference.
pub fn expand(raw: &str, escape: char, vars: &Vars) -> Vec<Piece> {
    let mut out = Vec::new();
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    push_lit(&mut out, &c.to_string());
                }
                i += 1;
            }
            _ if c == escape => {
                let next = chars.get(i + 1).copied();
                match (quote, next) {
                    (Some(_), Some(n)) if n == '"' || n == '$' || n == escape => {
                        push_lit(&mut out, &n.to_string());
                        i += 2;
                    }
                    (Some(_), _) => {
                        push_lit(&mut out, &c.to_string());
                        i += 1;
                    }
                    (None, Some(n)) => {
                        push_lit(&mut out, &n.to_string());
                        i += 2;
                    }
                    (None, None) => i += 1,
                }
            }
            Some('"') if c == '"' => {
                quote = None;
                i += 1;
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                i += 1;
            }
            _ if c == '$' => {
                let (pieces, used) = variable(&chars[i..], escape, vars);
                push_all(&mut out, &pieces);
                i += used;
            }
            _ => {
                push_lit(&mut out, &c.to_string());
                i += 1;
            }
        }
    }
    out
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `chars` starts at `$`. Returns the expansion and how many chars it used.
fn variable(chars: &[char], escape: char, vars: &Vars) -> (Vec<Piece>, usize) {
    let lit = |s: &str| vec![Piece::Lit(s.to_string())];
    match chars.get(1) {
        Some(&c) if is_name_start(c) => {
            let n = 1 + chars[1..].iter().take_while(|c| is_name(**c)).count();
            let name: String = chars[1..n].iter().collect();
            match vars.get(&name) {
                Some(v) => (v.clone(), n),
                None => (vec![Piece::Shell(format!("${{{name}}}"))], n),
            }
        }
        Some('{') => {
            // Find the matching `}` (nested braces in the word are rare; count them).
            let mut depth = 0;
            let mut end = None;
            for (k, &c) in chars.iter().enumerate().skip(1) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(k);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { return (lit("$"), 1) };
            let inner: String = chars[2..end].iter().collect();
            let raw: String = chars[..=end].iter().collect();
            let name_len = inner.chars().take_while(|c| is_name(*c)).count();
            let (name, op) = inner.split_at(name_len);
            if name.is_empty() || !name.starts_with(is_name_start) {
                return (lit(&raw), end + 1);
            }
            let value = vars.get(name);
            let word = |w: &str| expand(w, escape, vars);
            let pieces = match (op, value) {
                ("", Some(v)) => v.clone(),
                (_, None) => vec![Piece::Shell(raw.clone())],
                (op, Some(v)) => {
                    let empty = literal(v).is_empty() && !has_shell(v);
                    if let Some(w) = op.strip_prefix(":-") {
                        if empty { word(w) } else { v.clone() }
                    } else if op.starts_with('-') || op.starts_with(":?") || op.starts_with('?') {
                        v.clone()
                    } else if let Some(w) = op.strip_prefix(":+") {
                        if empty { Vec::new() } else { word(w) }
                    } else if let Some(w) = op.strip_prefix('+') {
                        word(w)
                    } else {
                        vec![Piece::Shell(raw.clone())]
                    }
                }
            };
            (pieces, end + 1)
        }
        _ => (lit("$"), 1),
    }
}

/// `s` single-quoted for a POSIX shell (always quoted).
pub fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` quoted only when it needs it (plain words stay readable).
pub fn sh(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
        s.to_string()
    } else {
        sq(s)
    }
}

/// Pieces as one double-quoted shell word: literals escaped, unresolved references
/// left for the shell.
pub fn dq(pieces: &[Piece]) -> String {
    let mut out = String::from("\"");
    for p in pieces {
        match p {
            Piece::Lit(s) => {
                for c in s.chars() {
                    if matches!(c, '\\' | '"' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Piece::Shell(r) => out.push_str(r),
        }
    }
    out.push('"');
    out
}

/// A path (possibly with `*`, `?`, `[...]` wildcards) as a shell word that globs
/// like Docker's pattern: everything but the wildcard characters is quoted.
pub fn glob_word(path: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']') {
            if !run.is_empty() {
                out.push_str(&sq(&run));
                run.clear();
            }
            out.push(c);
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push_str(&sq(&run));
    }
    if out.is_empty() { "''".to_string() } else { out }
}

/// Whether a path has wildcard characters.
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// A valid shell variable name (what `export` accepts).
pub fn is_shell_name(s: &str) -> bool {
    s.starts_with(is_name_start) && s.chars().all(is_name)
}

/// Join a path onto a directory the way WORKDIR and COPY destinations resolve:
/// absolute stays, relative is joined; `.` and `..` are cleaned. A trailing `/`
/// is kept (it means "a directory" to COPY).
pub fn join_path(base: &str, p: &str) -> String {
    let full = if p.starts_with('/') { p.to_string() } else { format!("{base}/{p}") };
    let trailing = p.ends_with('/') || p == "." || p.ends_with("/.") || p.is_empty();
    let mut parts: Vec<&str> = Vec::new();
    for seg in full.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

/// A build-context source path cleaned the way Docker does: relative to the context
/// root, never above it. `""` is the context root itself.
pub fn context_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(kv: &[(&str, &str)]) -> Vars {
        kv.iter().map(|(k, v)| (k.to_string(), vec![Piece::Lit(v.to_string())])).collect()
    }

    #[test]
    fn expansion() {
        let v = vars(&[("A", "x"), ("E", "")]);
        let e = |s: &str| dq(&expand(s, '\\', &v));
        assert_eq!(e("$A/${A}"), r#""x/x""#);
        assert_eq!(e("'$A'"), r#""\$A""#);
        assert_eq!(e(r#""a b $A""#), r#""a b x""#);
        assert_eq!(e(r"\$A"), r#""\$A""#);
        assert_eq!(e("${E:-d}${A:-d}${A:+p}${E:+p}"), r#""dxp""#);
        assert_eq!(e("$PATH:${X:-y}"), r#""${PATH}:${X:-y}""#);
        assert_eq!(e("a$"), r#""a\$""#);
    }

    #[test]
    fn paths() {
        assert_eq!(join_path("/", "app"), "/app");
        assert_eq!(join_path("/app", "./src/"), "/app/src/");
        assert_eq!(join_path("/app", "."), "/app/");
        assert_eq!(join_path("/app", "../x"), "/x");
        assert_eq!(context_path("./a/../../b"), "b");
        assert_eq!(context_path("."), "");
        assert_eq!(glob_word("src/*.py"), "'src/'*'.py'");
        assert_eq!(sh("it's"), r"'it'\''s'");
    }
}
