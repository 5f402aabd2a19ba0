//! A small POSIX-shell lexer for RUN commands: enough to find simple commands, their
//! words (with spans) and the operators between them. It never fails; it does not
//! expand anything.

use std::ops::Range;

use crate::parse::Source;

/// A word of a shell command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShWord {
    /// Quotes removed (no expansion).
    pub value: String,
    /// Original span.
    pub span: Range<usize>,
}

/// What separates a command from the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sep {
    And,
    Or,
    Pipe,
    Semi,
    Background,
    Newline,
    End,
}

/// A simple command: its words (leading `VAR=value` assignments dropped into
/// `assignments`), and the operator after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub assignments: Vec<ShWord>,
    pub words: Vec<ShWord>,
    pub sep: Sep,
}

impl Command {
    /// The program name (basename), if any.
    pub fn program(&self) -> Option<&str> {
        self.words.first().map(|w| w.value.rsplit('/').next().unwrap_or(&w.value))
    }

    /// The command with wrappers (`sudo`, `env`, `exec`, `time`, `nohup`, `xargs`)
    /// and their options stripped: the words of the real program.
    pub fn unwrapped(&self) -> &[ShWord] {
        let mut w = &self.words[..];
        loop {
            let Some(first) = w.first() else { return w };
            let name = first.value.rsplit('/').next().unwrap_or(&first.value);
            if matches!(name, "sudo" | "env" | "exec" | "time" | "nohup" | "command") {
                w = &w[1..];
                while w.first().is_some_and(|x| x.value.starts_with('-') || x.value.contains('=')) {
                    w = &w[1..];
                }
            } else {
                return w;
            }
        }
    }

    /// Whether the unwrapped program is `name` and `sub` is among its non-option words
    /// (e.g. `apt-get install`).
    pub fn is(&self, name: &str, sub: Option<&str>) -> bool {
        let w = self.unwrapped();
        let Some(first) = w.first() else { return false };
        if first.value.rsplit('/').next() != Some(name) {
            return false;
        }
        match sub {
            None => true,
            Some(s) => w[1..].iter().any(|x| x.value == s),
        }
    }

    pub fn has_arg(&self, arg: &str) -> bool {
        self.unwrapped().iter().skip(1).any(|w| w.value == arg)
    }
}

/// Split a shell script into simple commands. `escape` is the Dockerfile escape
/// character only in the sense that a backslash escapes in the shell.
pub fn commands(src: Source<'_>) -> Vec<Command> {
    let text = src.text;
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut cur = Command { assignments: Vec::new(), words: Vec::new(), sep: Sep::End };
    let mut i = 0;
    let finish = |cur: &mut Command, sep: Sep, out: &mut Vec<Command>| {
        if !cur.words.is_empty() || !cur.assignments.is_empty() {
            cur.sep = sep;
            out.push(std::mem::replace(
                cur,
                Command { assignments: Vec::new(), words: Vec::new(), sep: Sep::End },
            ));
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => {
                finish(&mut cur, Sep::Newline, &mut out);
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'&' if b.get(i + 1) == Some(&b'&') => {
                finish(&mut cur, Sep::And, &mut out);
                i += 2;
            }
            b'|' if b.get(i + 1) == Some(&b'|') => {
                finish(&mut cur, Sep::Or, &mut out);
                i += 2;
            }
            b'|' => {
                finish(&mut cur, Sep::Pipe, &mut out);
                i += 1 + usize::from(b.get(i + 1) == Some(&b'&'));
            }
            b';' => {
                finish(&mut cur, Sep::Semi, &mut out);
                i += 1 + usize::from(b.get(i + 1) == Some(&b';'));
            }
            b'&' => {
                finish(&mut cur, Sep::Background, &mut out);
                i += 1;
            }
            b'(' | b')' | b'{' | b'}' if word_boundary_after(b, i) => {
                finish(&mut cur, Sep::Semi, &mut out);
                i += 1;
            }
            _ => {
                let start = i;
                let mut value = String::new();
                let mut quote: Option<u8> = None;
                while i < b.len() {
                    let c = b[i];
                    match quote {
                        Some(q) if c == q => {
                            quote = None;
                            i += 1;
                        }
                        Some(b'"') if c == b'\\' && i + 1 < b.len() => {
                            let n = b[i + 1];
                            if matches!(n, b'"' | b'\\' | b'$' | b'`') {
                                value.push(n as char);
                                i += 2;
                            } else if n == b'\n' {
                                i += 2;
                            } else {
                                value.push('\\');
                                i += 1;
                            }
                        }
                        Some(_) => {
                            let ch = text[i..].chars().next().unwrap_or(' ');
                            value.push(ch);
                            i += ch.len_utf8();
                        }
                        None => match c {
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' => break,
                            b')' => break,
                            b'(' if value.is_empty() => break,
                            b'$' if b.get(i + 1) == Some(&b'(') => {
                                // `$(...)`: keep the substitution in this word.
                                let mut depth = 0usize;
                                let start_sub = i;
                                while i < b.len() {
                                    match b[i] {
                                        b'(' => depth += 1,
                                        b')' => {
                                            depth -= 1;
                                            if depth == 0 {
                                                i += 1;
                                                break;
                                            }
                                        }
                                        _ => {}
                                    }
                                    i += 1;
                                }
                                value.push_str(&text[start_sub..i]);
                            }
                            b'`' => {
                                let start_sub = i;
                                i += 1;
                                while i < b.len() && b[i] != b'`' {
                                    i += 1;
                                }
                                i = (i + 1).min(b.len());
                                value.push_str(&text[start_sub..i]);
                            }
                            b'"' | b'\'' => {
                                quote = Some(c);
                                i += 1;
                            }
                            b'\\' if i + 1 < b.len() => {
                                if b[i + 1] != b'\n' {
                                    let ch = text[i + 1..].chars().next().unwrap_or(' ');
                                    value.push(ch);
                                    i += 1 + ch.len_utf8();
                                } else {
                                    i += 2;
                                }
                            }
                            _ => {
                                let ch = text[i..].chars().next().unwrap_or(' ');
                                value.push(ch);
                                i += ch.len_utf8();
                            }
                        },
                    }
                }
                if i == start {
                    // A lone `(`/`)` glued to nothing: skip it.
                    i += 1;
                    continue;
                }
                let w = ShWord { value, span: src.orig(start..i) };
                let is_assignment = cur.words.is_empty()
                    && w.value.split_once('=').is_some_and(|(n, _)| {
                        !n.is_empty()
                            && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                            && !n.as_bytes()[0].is_ascii_digit()
                    });
                if is_assignment {
                    cur.assignments.push(w);
                } else {
                    cur.words.push(w);
                }
            }
        }
    }
    finish(&mut cur, Sep::End, &mut out);
    out
}

fn word_boundary_after(b: &[u8], i: usize) -> bool {
    b.get(i + 1).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b';'))
        || b[i] == b'('
        || b[i] == b')'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Map;

    fn cmds(s: &str) -> Vec<String> {
        commands(Source { text: s, map: Map::Offset(0) })
            .iter()
            .map(|c| {
                let w: Vec<&str> = c.words.iter().map(|w| w.value.as_str()).collect();
                format!("{} {:?}", w.join(" "), c.sep)
            })
            .collect()
    }

    #[test]
    fn splits() {
        assert_eq!(
            cmds(
                "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \"a b\" | tee x; echo 'q;w' # c\nls"
            ),
            vec![
                "apt-get update And",
                "apt-get install -y a b Pipe",
                "tee x Semi",
                "echo q;w Newline",
                "ls End"
            ]
        );
        assert_eq!(cmds("(cd /x && make) || true"), vec!["cd /x And", "make Semi", "true End"]);
    }
}
