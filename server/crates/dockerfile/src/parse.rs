//! The Dockerfile model and its parser.
//!
//! The parser follows BuildKit's (`moby/buildkit` `frontend/dockerfile/parser`): parser
//! directives at the top, line continuations with the escape character (`\` or the
//! `# escape=` one) with trailing whitespace allowed after it, comment and empty lines
//! inside continuations skipped, flags (`--name[=value]`) extracted from every
//! instruction, JSON (exec) form recognised for the instructions that take it, heredocs
//! (`<<EOF`, `<<-EOF`, quoted) for RUN, COPY and ADD.
//!
//! It never fails: whatever it reads becomes an [`Instruction`] (unknown keywords are
//! [`Kind::Unknown`]) and oddities are recorded as data for the checks. Every span is a
//! byte range into the original text, on char boundaries.

use std::ops::Range;

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character in force (`\` unless a `# escape=` directive says otherwise).
    pub escape: char,
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    /// Comment lines (including `# clusterls-ignore` ones), outside heredoc bodies.
    pub comments: Vec<Comment>,
    /// Build stages in order; `stages[i].from` indexes `instructions`.
    pub stages: Vec<Stage>,
    /// Whitespace-only lines inside a continuation (deprecated by BuildKit). The range
    /// covers the whole line including its newline, so deleting it is the fix.
    pub empty_continuation_lines: Vec<Range<usize>>,
}

/// `# name=value` at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape`, `check`.
    pub name: String,
    pub value: String,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub value_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the line (without the newline).
    pub span: Range<usize>,
    /// The text after `#`, trimmed.
    pub text: String,
}

/// The instructions Docker knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Add,
        Kind::Arg,
        Kind::Cmd,
        Kind::Copy,
        Kind::Entrypoint,
        Kind::Env,
        Kind::Expose,
        Kind::From,
        Kind::Healthcheck,
        Kind::Label,
        Kind::Maintainer,
        Kind::Onbuild,
        Kind::Run,
        Kind::Shell,
        Kind::Stopsignal,
        Kind::User,
        Kind::Volume,
        Kind::Workdir,
    ];

    /// Case-insensitive lookup of a keyword.
    pub fn from_keyword(word: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
            .unwrap_or(Kind::Unknown)
    }

    /// The keyword in upper case (`""` for unknown).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::From => "FROM",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
            Kind::Unknown => "",
        }
    }

    /// Whether the instruction may be written in JSON (exec) form.
    pub fn takes_json(self) -> bool {
        matches!(
            self,
            Kind::Run
                | Kind::Cmd
                | Kind::Entrypoint
                | Kind::Shell
                | Kind::Copy
                | Kind::Add
                | Kind::Volume
                | Kind::Healthcheck
        )
    }

    /// Whether the instruction takes heredocs.
    pub fn takes_heredoc(self) -> bool {
        matches!(self, Kind::Run | Kind::Copy | Kind::Add)
    }
}

/// One instruction, possibly spanning several physical lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: Kind,
    /// The keyword as written (`run`, `RUN`, `Copy`).
    pub keyword: String,
    pub keyword_span: Range<usize>,
    /// From the keyword to the end of the instruction's last line (heredoc bodies and
    /// terminators included), without the final newline.
    pub span: Range<usize>,
    /// `--name[=value]` flags before the arguments.
    pub flags: Vec<Flag>,
    /// Everything after the flags.
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// Index into [`Dockerfile::stages`]; `None` before the first FROM.
    pub stage: Option<usize>,
    /// For ONBUILD: the instruction it registers.
    pub trigger: Option<Box<Instruction>>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Index of the last physical line's end: where text can be appended to the
    /// instruction's command (before any heredoc body).
    pub fn args_end(&self) -> usize {
        self.args.span.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the dashes: `from`, `mount`.
    pub name: String,
    pub name_span: Range<usize>,
    /// `None` for a bare `--flag`; `Some("")` for `--flag=`.
    pub value: Option<String>,
    pub value_span: Option<Range<usize>>,
    /// The whole `--name=value` word.
    pub span: Range<usize>,
}

/// A here-document attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word, unquoted (`EOF`).
    pub delimiter: String,
    /// The `<<EOF` word in the instruction line.
    pub marker_span: Range<usize>,
    /// `<<-`: leading tabs are stripped from the body and terminator.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no expansion in the body.
    pub quoted: bool,
    /// The body's lines, each with its newline, exactly as in the file.
    pub body: String,
    pub body_span: Range<usize>,
    /// The terminator line; `None` when the file ended first.
    pub terminator_span: Option<Range<usize>>,
}

/// A word of an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As written (quotes kept, continuations removed).
    pub raw: String,
    /// Quotes removed, escapes applied.
    pub value: String,
    pub span: Range<usize>,
}

/// An instruction's arguments after its flags, as one logical line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// The logical text: continuation escapes, newlines and comment lines removed, as
    /// BuildKit joins them.
    pub text: String,
    /// Span in the original text (from the first to the last byte of the arguments).
    pub span: Range<usize>,
    /// Original offset of every byte of `text`, plus one for its end.
    map: Vec<usize>,
    /// The words of the shell form (quote-aware whitespace split).
    pub words: Vec<Word>,
    /// Exec form: the JSON array's strings.
    pub json: Option<Vec<Word>>,
    /// The arguments start with `[` and end with `]` but are not a JSON array of
    /// strings (e.g. single quotes): Docker then runs them as a shell command.
    pub bad_json: bool,
}

impl Args {
    /// The original span of the logical range `r` of [`Args::text`].
    pub fn orig(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map.get(r.start).copied().unwrap_or(self.span.end);
        let end = if r.end == r.start {
            start
        } else {
            self.map.get(r.end - 1).map_or(self.span.end, |&e| e + 1)
        };
        start..end.max(start)
    }

    /// The logical text with its mapping, for the shell lexer.
    pub fn source(&self) -> Source<'_> {
        Source { text: &self.text, map: Map::Table(&self.map) }
    }
}

/// A text with a way back to original offsets (used by the shell lexer).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub map: Map<'a>,
}

#[derive(Debug, Clone, Copy)]
pub enum Map<'a> {
    /// Logical byte i is original byte `table[i]`.
    Table(&'a [usize]),
    /// Contiguous text starting at this original offset.
    Offset(usize),
}

impl Source<'_> {
    pub fn orig(&self, r: Range<usize>) -> Range<usize> {
        match self.map {
            Map::Offset(o) => o + r.start..o + r.end,
            Map::Table(t) => {
                let last = t.last().copied().unwrap_or(0);
                let start = t.get(r.start).copied().unwrap_or(last);
                let end = if r.end == r.start {
                    start
                } else {
                    t.get(r.end - 1).map_or(last, |&e| e + 1)
                };
                start..end.max(start)
            }
        }
    }
}

/// A build stage: a FROM and the instructions up to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction.
    pub from: usize,
    /// The image as written (`nvidia/cuda:${CUDA}-devel`, `builder`).
    pub image: String,
    pub image_span: Range<usize>,
    /// `AS name`, as written.
    pub name: Option<String>,
    pub name_span: Option<Range<usize>>,
    /// `--platform` value.
    pub platform: Option<String>,
    /// Instruction indices of the stage, FROM included.
    pub instructions: Range<usize>,
}

impl Dockerfile {
    /// ARG instructions before the first FROM (usable in FROM lines).
    pub fn global_args(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .take_while(|i| i.kind != Kind::From)
            .filter(|i| i.kind == Kind::Arg)
    }

    /// Global ARG defaults, `name -> value` (an ARG without default maps to `None`).
    pub fn global_arg_defaults(&self) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        for i in self.global_args() {
            for w in &i.args.words {
                let (name, value) = match w.value.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (w.value.clone(), None),
                };
                out.retain(|(n, _)| *n != name);
                out.push((name, value));
            }
        }
        out
    }

    /// Instructions of stage `i`.
    pub fn stage_instructions(&self, i: usize) -> &[Instruction] {
        self.stages.get(i).map_or(&[], |s| &self.instructions[s.instructions.clone()])
    }
}

/// A physical line: content range (without `\r\n`/`\n`) and full range (with it).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    full_end: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    while start < text.len() {
        let nl = memchr(b'\n', &b[start..]).map(|i| start + i);
        let (end, full_end) = match nl {
            Some(n) => (n, n + 1),
            None => (text.len(), text.len()),
        };
        let end = if end > start && b[end - 1] == b'\r' { end - 1 } else { end };
        out.push(Line { start, end, full_end });
        start = full_end;
    }
    out
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|c| c == b' ' || c == b'\t')
}

fn trim_start_offset(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// Parse a Dockerfile. Never fails.
pub fn parse(text: &str) -> Dockerfile {
    let lines = lines(text);
    let mut df = Dockerfile { escape: '\\', ..Default::default() };
    let mut li = 0;

    // Parser directives: only at the very top, until the first line that is not one.
    while li < lines.len() {
        let l = lines[li];
        let s = &text[l.start..l.end];
        match parse_directive(s, l.start) {
            Some(d) => {
                let first = !df.directives.iter().any(|x| x.name == d.name);
                if first && d.name == "escape" && (d.value == "`" || d.value == "\\") {
                    df.escape = d.value.chars().next().unwrap_or('\\');
                }
                df.comments.push(Comment {
                    span: l.start + trim_start_offset(s)..l.end,
                    text: s.trim().trim_start_matches('#').trim().to_string(),
                });
                df.directives.push(d);
                li += 1;
            }
            _ => break,
        }
    }

    while li < lines.len() {
        let l = lines[li];
        let s = &text[l.start..l.end];
        if is_blank(s) {
            li += 1;
            continue;
        }
        let lead = trim_start_offset(s);
        if s[lead..].starts_with('#') {
            df.comments.push(Comment {
                span: l.start + lead..l.end,
                text: s[lead + 1..].trim().to_string(),
            });
            li += 1;
            continue;
        }
        let (inst, next) = parse_instruction(text, &lines, li, df.escape, &mut df);
        df.instructions.push(inst);
        li = next;
    }

    assign_stages(&mut df);
    df
}

fn parse_directive(s: &str, base: usize) -> Option<Directive> {
    // `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, known names only.
    let rest = s.strip_prefix('#')?;
    let ws = rest.len() - rest.trim_start().len();
    let name_start = 1 + ws;
    let name_len = s[name_start..].bytes().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 || !s.as_bytes()[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..name_start + name_len].to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    let after = &s[name_start + name_len..];
    let eq = after.trim_start();
    let eq = eq.strip_prefix('=')?;
    let value_start = s.len() - eq.len() + (eq.len() - eq.trim_start().len());
    let value = s[value_start..].trim_end();
    if value.is_empty() {
        return None;
    }
    Some(Directive {
        name,
        value: value.to_string(),
        span: base..base + s.trim_end().len(),
        name_span: base + name_start..base + name_start + name_len,
        value_span: base + value_start..base + value_start + value.len(),
    })
}

/// Whether a line's content ends with the escape character (trailing blanks allowed),
/// and the content length without it.
fn continued(s: &str, escape: char) -> Option<usize> {
    let t = s.trim_end_matches([' ', '\t']);
    t.strip_suffix(escape).map(str::len)
}

fn parse_instruction(
    text: &str,
    lines: &[Line],
    first: usize,
    escape: char,
    df: &mut Dockerfile,
) -> (Instruction, usize) {
    // Gather the logical line.
    let mut logical = String::new();
    let mut map: Vec<usize> = Vec::new();
    let mut li = first;
    let mut last_end;
    loop {
        let l = lines[li];
        let s = &text[l.start..l.end];
        li += 1;
        last_end = l.end;
        match continued(s, escape) {
            Some(n) => {
                push_mapped(&mut logical, &mut map, &s[..n], l.start);
                // Skip comment and empty lines inside the continuation.
                let mut more = false;
                while li < lines.len() {
                    let n = lines[li];
                    let ns = &text[n.start..n.end];
                    if is_blank(ns) {
                        df.empty_continuation_lines.push(n.start..n.full_end);
                        li += 1;
                    } else if ns.trim_start_matches([' ', '\t']).starts_with('#') {
                        let lead = trim_start_offset(ns);
                        df.comments.push(Comment {
                            span: n.start + lead..n.end,
                            text: ns[lead + 1..].trim().to_string(),
                        });
                        li += 1;
                    } else {
                        more = true;
                        break;
                    }
                }
                if !more {
                    // A continuation at the end of the file: the blank lines swallowed
                    // were just trailing blank lines, not continuation lines.
                    df.empty_continuation_lines.retain(|r| r.start < l.full_end);
                    break;
                }
            }
            None => {
                push_mapped(&mut logical, &mut map, s, l.start);
                break;
            }
        }
    }
    map.push(last_end);

    let mut inst = build_instruction(&logical, &map, escape);
    inst.span = inst.keyword_span.start..last_end;

    // Heredocs.
    if inst.kind.takes_heredoc() && inst.args.json.is_none() {
        let markers = heredoc_markers(&inst.args.words);
        for (word_span, delimiter, strip_tabs, quoted) in markers {
            let body_start = lines.get(li).map_or(text.len(), |l| l.start);
            let mut terminator = None;
            while li < lines.len() {
                let l = lines[li];
                let s = &text[l.start..l.end];
                li += 1;
                let cmp = if strip_tabs { s.trim_start_matches('\t') } else { s };
                if cmp == delimiter {
                    terminator = Some(l.start..l.end);
                    break;
                }
            }
            let body_end = terminator.as_ref().map_or(text.len(), |t| t.start);
            if let Some(t) = &terminator {
                inst.span.end = t.end;
            } else {
                inst.span.end = text.len();
                // Keep the span free of the final newline when the file ends in one.
                let trimmed = text[inst.span.start..].trim_end_matches(['\n', '\r']).len();
                inst.span.end = inst.span.start + trimmed;
            }
            inst.heredocs.push(Heredoc {
                delimiter,
                marker_span: word_span,
                strip_tabs,
                quoted,
                body: text[body_start..body_end.max(body_start)].to_string(),
                body_span: body_start..body_end.max(body_start),
                terminator_span: terminator,
            });
        }
    }
    (inst, li)
}

fn push_mapped(logical: &mut String, map: &mut Vec<usize>, s: &str, base: usize) {
    logical.push_str(s);
    map.extend(base..base + s.len());
}

fn heredoc_markers(words: &[Word]) -> Vec<(Range<usize>, String, bool, bool)> {
    let mut out = Vec::new();
    for w in words {
        // A word may be `<<EOF`, `<<-EOF`, `<<"EOF"`, or a redirection glued to a
        // command (`cat<<EOF` is rare; we only take words starting with `<<`).
        let Some(rest) = w.raw.strip_prefix("<<") else { continue };
        if rest.starts_with('<') {
            continue; // here-string
        }
        let (strip, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let quoted = rest.starts_with(['"', '\'']);
        let delim: String = rest.chars().filter(|c| *c != '"' && *c != '\'').collect();
        if delim.is_empty() || !delim.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) {
            continue;
        }
        out.push((w.span.clone(), delim, strip, quoted));
    }
    out
}

/// Build an instruction from its logical line (`map` gives original offsets).
fn build_instruction(logical: &str, map: &[usize], escape: char) -> Instruction {
    let orig = |r: Range<usize>| -> Range<usize> {
        let start = map[r.start.min(map.len() - 1)];
        let end = if r.end == r.start { start } else { map[r.end - 1] + 1 };
        start..end
    };
    let lead = trim_start_offset(logical);
    let kw_len = logical[lead..].find([' ', '\t']).unwrap_or(logical.len() - lead);
    let keyword = &logical[lead..lead + kw_len];
    let kind = Kind::from_keyword(keyword);
    let mut pos = lead + kw_len;
    pos += trim_start_offset(&logical[pos..]);

    // Flags: leading `--` words.
    let mut flags = Vec::new();
    loop {
        if !logical[pos..].starts_with("--") {
            break;
        }
        let wlen = shell_word_len(&logical[pos..], escape);
        let word = &logical[pos..pos + wlen];
        let body = &word[2..];
        let (name, value, value_off) = match body.find('=') {
            Some(eq) => (&body[..eq], Some(unquote(&body[eq + 1..], escape)), Some(2 + eq + 1)),
            None => (body, None, None),
        };
        flags.push(Flag {
            name: name.to_string(),
            name_span: orig(pos + 2..pos + 2 + name.len()),
            value,
            value_span: value_off.map(|o| orig(pos + o..pos + wlen)),
            span: orig(pos..pos + wlen),
        });
        pos += wlen;
        pos += trim_start_offset(&logical[pos..]);
        if wlen == 2 {
            break; // a bare `--`
        }
    }

    // ONBUILD: the rest is another instruction.
    let trigger = if kind == Kind::Onbuild && pos < logical.len() {
        let sub = build_instruction(&logical[pos..], &map[pos..], escape);
        let mut sub = sub;
        sub.span = sub.keyword_span.start..map[logical.len()].max(sub.keyword_span.start);
        Some(Box::new(sub))
    } else {
        None
    };

    let args_text = logical[pos..].trim_end_matches([' ', '\t']);
    let args_end = pos + args_text.len();
    let amap: Vec<usize> = map[pos..args_end]
        .iter()
        .copied()
        .chain([if args_end > pos { map[args_end - 1] + 1 } else { map[pos.min(map.len() - 1)] }])
        .collect();
    let mut args = Args {
        text: args_text.to_string(),
        span: orig(pos..args_end),
        map: amap,
        words: Vec::new(),
        json: None,
        bad_json: false,
    };
    args.words = split_words(&args, escape);
    if kind.takes_json() || kind == Kind::Unknown {
        let t = args.text.trim();
        let json_part = if kind == Kind::Healthcheck {
            // HEALTHCHECK [opts] CMD [...]
            let rest = t.trim_start();
            rest.get(..3)
                .filter(|c| c.eq_ignore_ascii_case("CMD"))
                .map(|_| 3 + trim_start_offset(&rest[3..]))
        } else {
            Some(0)
        };
        if let Some(off) = json_part {
            let jt = &args.text[off..];
            if jt.starts_with('[') {
                match parse_json_array(jt) {
                    Some(items) => {
                        args.json = Some(
                            items
                                .into_iter()
                                .map(|(raw, value, r)| Word {
                                    raw,
                                    value,
                                    span: args.orig(off + r.start..off + r.end),
                                })
                                .collect(),
                        )
                    }
                    None => args.bad_json = jt.trim_end().ends_with(']'),
                }
            }
        }
    }

    let kstart = map[lead.min(map.len() - 1)];
    Instruction {
        kind,
        keyword: keyword.to_string(),
        keyword_span: orig(lead..lead + kw_len),
        span: kstart..kstart,
        flags,
        args,
        heredocs: Vec::new(),
        stage: None,
        trigger,
    }
}

/// Length of the shell-ish word at the start of `s` (quotes and escapes respected).
fn shell_word_len(s: &str, escape: char) -> usize {
    let mut quote: Option<char> = None;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == escape && q == '"' {
                    it.next();
                }
            }
            None => {
                if c == ' ' || c == '\t' {
                    return i;
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    it.next();
                }
            }
        }
    }
    s.len()
}

/// Remove quotes and apply escapes (Dockerfile word semantics).
pub fn unquote(s: &str, escape: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => {
                if let Some(&n) = it.peek() {
                    if n == '"' || n == escape || n == '$' {
                        out.push(n);
                        it.next();
                    } else {
                        out.push(c);
                    }
                } else {
                    out.push(c);
                }
            }
            Some(_) => out.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == escape => {
                if let Some(n) = it.next() {
                    out.push(n);
                }
            }
            None => out.push(c),
        }
    }
    out
}

fn split_words(args: &Args, escape: char) -> Vec<Word> {
    let t = &args.text;
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < t.len() {
        pos += trim_start_offset(&t[pos..]);
        if pos >= t.len() {
            break;
        }
        let len = shell_word_len(&t[pos..], escape).max(1);
        let len = next_boundary(t, pos + len) - pos;
        let raw = &t[pos..pos + len];
        out.push(Word {
            raw: raw.to_string(),
            value: unquote(raw, escape),
            span: args.orig(pos..pos + len),
        });
        pos += len;
    }
    out
}

fn next_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// Parse `["a", "b"]` (strings only, with whitespace). Returns (raw, value, range) per
/// item, ranges relative to `s`; `None` if it is not such an array (trailing text
/// after `]` other than blanks is not allowed).
pub fn parse_json_array(s: &str) -> Option<Vec<(String, String, Range<usize>)>> {
    let b = s.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\r' | b'\n') {
            *i += 1;
        }
    };
    if b.first() != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut items = Vec::new();
    ws(&mut i);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            ws(&mut i);
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let start = i;
            i += 1;
            let mut value = String::new();
            loop {
                let c = s[i..].chars().next()?;
                match c {
                    '"' => {
                        i += 1;
                        break;
                    }
                    '\\' => {
                        let e = *b.get(i + 1)?;
                        i += 2;
                        match e {
                            b'"' => value.push('"'),
                            b'\\' => value.push('\\'),
                            b'/' => value.push('/'),
                            b'b' => value.push('\u{8}'),
                            b'f' => value.push('\u{c}'),
                            b'n' => value.push('\n'),
                            b'r' => value.push('\r'),
                            b't' => value.push('\t'),
                            b'u' => {
                                let hex = s.get(i..i + 4)?;
                                let cp = u32::from_str_radix(hex, 16).ok()?;
                                value.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                i += 4;
                            }
                            _ => return None,
                        }
                    }
                    c if (c as u32) < 0x20 => return None,
                    c => {
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
            items.push((s[start..i].to_string(), value, start..i));
            ws(&mut i);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    ws(&mut i);
    if i != b.len() {
        return None;
    }
    Some(items)
}

fn assign_stages(df: &mut Dockerfile) {
    let mut current: Option<usize> = None;
    let n = df.instructions.len();
    for idx in 0..n {
        if df.instructions[idx].kind == Kind::From {
            if let Some(c) = current {
                df.stages[c].instructions.end = idx;
            }
            let i = &df.instructions[idx];
            let words = &i.args.words;
            let image = words.first();
            let (name, name_span) = if words.len() >= 3 && words[1].value.eq_ignore_ascii_case("as")
            {
                (Some(words[2].value.clone()), Some(words[2].span.clone()))
            } else {
                (None, None)
            };
            let stage = Stage {
                index: df.stages.len(),
                from: idx,
                image: image.map(|w| w.value.clone()).unwrap_or_default(),
                image_span: image.map_or(i.args.span.clone(), |w| w.span.clone()),
                name,
                name_span,
                platform: i.flag("platform").and_then(|f| f.value.clone()),
                instructions: idx..n,
            };
            current = Some(stage.index);
            df.stages.push(stage);
        }
        df.instructions[idx].stage = current;
    }
}
