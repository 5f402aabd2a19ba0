//! RUN: the command line each RUN becomes in `%post`, heredocs included.

use super::codes;
use super::step::Ctx;
use super::words::{sh, sq};
use crate::parse::Instruction;

impl Ctx<'_, '_> {
    pub(super) fn run(&mut self, inst: &Instruction) {
        for f in &inst.flags {
            let v = f.value.as_deref().unwrap_or("");
            let msg = match f.name.as_str() {
                "mount" => {
                    let ty = v.split(',').find_map(|p| p.strip_prefix("type=")).unwrap_or("bind");
                    if ty == "cache" {
                        continue;
                    }
                    format!(
                        "`--mount={v}` is dropped: Apptainer's %post has no {ty} mounts, so the command runs without it. Copy what it needs with COPY, or pass secrets at run time."
                    )
                }
                "network" | "security" => format!(
                    "`--{}={v}` is dropped: the command runs with the build's normal network and privileges.",
                    f.name
                ),
                _ => continue,
            };
            self.find(&codes::RUN_FLAG, f.span.clone(), msg);
        }
        if let Some((who, span)) = self.user.clone() {
            self.find(&codes::RUN_AS_ROOT, span, format!("RUN after `USER {who}` runs as root in the Apptainer build (a definition file cannot switch users): files it creates belong to root and ~ is /root. Install to system paths (/opt, /usr/local) and make files readable by all."));
        }
        let shell: Vec<String> = self.shell.iter().map(|s| sh(s)).collect();
        let command = if let Some(j) = &inst.args.json {
            if j.is_empty() {
                return;
            }
            j.iter().map(|w| sh(&w.value)).collect::<Vec<_>>().join(" ")
        } else if inst.heredocs.is_empty() {
            format!(
                "{} {}",
                shell.join(" "),
                sq(&script_text(self.plan.text, inst, self.plan.df.escape))
            )
        } else {
            if inst.heredocs.iter().any(|h| h.terminator_span.is_none()) {
                self.find(&codes::HEREDOC, inst.keyword_span.clone(), "This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.");
            }
            let h = &inst.heredocs[0];
            let only = inst.args.words.len() == 1 && inst.heredocs.len() == 1;
            let body = if h.strip_tabs { chomp(&h.body) } else { h.body.clone() };
            if only && body.starts_with("#!") {
                // BuildKit writes the script to a file and runs it with its interpreter.
                let delim = delimiter(&body);
                let body = terminated(body);
                let chunk = format!(
                    "cat > /.clusterls-run <<'{delim}'\n{body}{delim}\nchmod 755 /.clusterls-run && /.clusterls-run\nrm -f /.clusterls-run"
                );
                self.marker(inst);
                self.post_chunk(inst, chunk);
                return;
            } else if only {
                format!("{} {}", shell.join(" "), sq(&body))
            } else {
                let mut full = script_text(self.plan.text, inst, self.plan.df.escape);
                for h in &inst.heredocs {
                    full.push('\n');
                    full.push_str(&h.body);
                    full.push_str(&h.delimiter);
                }
                format!("{} {}", shell.join(" "), sq(&full))
            }
        };
        self.marker(inst);
        self.post_chunk(inst, command);
    }
}

/// `<<-`: leading tabs removed from every line.
pub(super) fn chomp(body: &str) -> String {
    body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

/// `body` ending in a newline, so a terminator line can follow (only a heredoc cut off
/// by the end of the file lacks one, and a finding says so).
pub(super) fn terminated(mut body: String) -> String {
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    body
}

/// A heredoc delimiter that is not a line of `body`.
pub(super) fn delimiter(body: &str) -> String {
    let mut d = "CLUSTERLS_EOF".to_string();
    while body.lines().any(|l| l == d) {
        d.push('_');
    }
    d
}

/// A RUN's shell-form command as the shell should see it: the physical lines kept
/// (with their `\` continuations) when the shell joins them exactly as Docker does,
/// else Docker's joined logical line.
fn script_text(text: &str, inst: &Instruction, escape: char) -> String {
    let logical = inst.args.text.clone();
    if escape != '\\' {
        return logical;
    }
    let Some(orig) = text.get(inst.args.span.clone()) else { return logical };
    let mut lines = Vec::new();
    for l in orig.split('\n') {
        let l = l.trim_end_matches('\r');
        let t = l.trim_start_matches([' ', '\t']);
        if lines.is_empty() || !(t.is_empty() || t.starts_with('#')) {
            lines.push(l.trim_end_matches([' ', '\t']));
        }
    }
    let joined = lines.join("\n");
    if joined.replace("\\\n", "") != logical || !joins_outside_quotes(&joined) {
        return logical;
    }
    joined
}

/// Whether every `\`-newline in `s` is where the shell removes it (not inside single
/// quotes or a comment).
fn joins_outside_quotes(s: &str) -> bool {
    #[derive(PartialEq)]
    enum St {
        Plain,
        Single,
        Double,
        Comment,
    }
    let b = s.as_bytes();
    let mut st = St::Plain;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let join = c == b'\\' && b.get(i + 1) == Some(&b'\n');
        // `\\` then a newline: Docker still joins the lines, the shell does not.
        let escaped_join =
            c == b'\\' && b.get(i + 1) == Some(&b'\\') && b.get(i + 2) == Some(&b'\n');
        if escaped_join && st != St::Single {
            return false;
        }
        match st {
            St::Plain => match c {
                b'\\' => i += 1,
                b'\'' => st = St::Single,
                b'"' => st = St::Double,
                b'#' if i == 0 || b" \t\n;&|(".contains(&b[i - 1]) => st = St::Comment,
                _ => {}
            },
            St::Single if join => return false,
            St::Single if c == b'\'' => st = St::Plain,
            St::Double if c == b'\\' => i += 1,
            St::Double if c == b'"' => st = St::Plain,
            St::Comment if join => return false,
            St::Comment if c == b'\n' => st = St::Plain,
            _ => {}
        }
        i += 1;
    }
    true
}
