//! sbatch's own reading of a script (Slurm `src/sbatch/opt.c`, `_opt_batch_script` and
//! `get_argument`), with exact byte spans:
//!
//! - Lines are split on `\n` only (a `\r` is whitespace inside a directive).
//! - A line starting (column 0, case-sensitive) with `#SBATCH` or `#SLURM` is a directive
//!   line; the rest of it is split into words like a shell would, roughly: whitespace
//!   separates, `'` and `"` group (and are removed), `\` escapes the next character, an
//!   unquoted `#` starts a comment, an unmatched quote is fatal, a word starting with `:`
//!   is fatal.
//! - Any other line whose first non-blank character is not `#` ends directive processing
//!   (blank lines don't).
//! - A directive line whose first word is `hetjob` (or `packjob`), in any case, starts the
//!   next heterogeneous job component; that word elsewhere is dropped (measured on 22.05).
//! - Each component's words are one argv for `getopt_long`: `--opt=value`, `--opt value`,
//!   `-p value`, `-pvalue`, bundled flags `-HQ`, unambiguous long prefixes (`--part`),
//!   optional values only with `=`. A word that is not an option is rejected by sbatch
//!   ("Invalid directive found in batch script").

use std::ops::Range;

use crate::options::{self, ArgKind, OptionSpec};

/// Which magic word a directive line starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    Sbatch,
    /// `#SLURM`: still read by sbatch, with an error message asking to change it.
    Slurm,
}

/// One shell-like word of a directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after quote and escape removal.
    pub text: String,
    /// Its span in the document, quotes included.
    pub span: Range<usize>,
    /// Document offset of each byte of `text` (same length as `text`); empty when `text`
    /// is its source as written (byte k at `span.start + k`).
    offsets: Vec<usize>,
}

impl Word {
    fn offset(&self, k: usize) -> usize {
        if self.offsets.is_empty() { self.span.start + k } else { self.offsets[k] }
    }

    /// Document span from just after the source character of `text[index - 1]` to the
    /// word's end: the value after `=` or after a short option letter, with its quotes.
    pub fn span_from(&self, index: usize) -> Range<usize> {
        if index == 0 || index > self.text.len() {
            return self.span.clone();
        }
        let prev = self.offset(index - 1) + 1;
        prev.min(self.span.end)..self.span.end
    }

    /// Document span of `text[range]` (the source bytes from the first to the last).
    pub fn sub_span(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= self.text.len() {
            return self.span.end..self.span.end;
        }
        let start = self.offset(range.start);
        let end = if range.end >= self.text.len() { self.span.end } else { self.offset(range.end) };
        start..end.max(start)
    }
}

/// A `#SBATCH`/`#SLURM` line that sbatch reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveLine {
    /// 0-based line number.
    pub line: usize,
    /// The line's span without its terminator.
    pub span: Range<usize>,
    pub magic: Magic,
    /// Heterogeneous job component (0 for ordinary jobs).
    pub component: usize,
    /// Whether this line is a `hetjob`/`packjob` separator.
    pub separator: bool,
    pub words: Vec<Word>,
    /// Span of the trailing `# comment`, if any.
    pub comment: Option<Range<usize>>,
}

/// How an option word was resolved against the option table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The option, and whether the name was written in full (`false` for `--part`).
    Known {
        spec: &'static OptionSpec,
        exact: bool,
    },
    /// A prefix of several long options: getopt rejects it.
    Ambiguous(Vec<&'static str>),
    Unknown,
}

/// How the option was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `--opt` or `--opt=value`.
    LongEq,
    /// `--opt value` (value in the next word).
    LongSpace,
    /// `-p value`.
    ShortSpace,
    /// `-pvalue` or a flag in a bundle (`-HQ`).
    ShortAttached,
}

/// A problem getopt itself reports for an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionProblem {
    /// A required value is missing (end of the directives).
    MissingValue,
    /// `--flag=value` for an option that takes no value.
    UnexpectedValue,
}

/// One option as sbatch's getopt sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From the option's first character to the value's last.
    pub span: Range<usize>,
    /// Index into `Script::lines` of the line holding the option name.
    pub line_index: usize,
    /// 0-based line number of the option name.
    pub line: usize,
    /// As written: `--part`, `-p`.
    pub written: String,
    pub name_span: Range<usize>,
    pub resolved: Resolved,
    /// The value after quote removal.
    pub value: Option<String>,
    /// The value's span in the document (quotes included).
    pub value_span: Option<Range<usize>>,
    pub form: Form,
    pub component: usize,
    pub magic: Magic,
    pub problem: Option<OptionProblem>,
}

impl Directive {
    pub fn spec(&self) -> Option<&'static OptionSpec> {
        match self.resolved {
            Resolved::Known { spec, .. } => Some(spec),
            _ => None,
        }
    }

    /// The canonical long name, if the option is known.
    pub fn name(&self) -> Option<&'static str> {
        self.spec().map(|s| s.long)
    }
}

/// Why a directive-looking line is ignored by sbatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoredKind {
    /// `  #SBATCH` (not at column 0).
    Indented,
    /// `# SBATCH` (space after `#`).
    Spaced,
    /// `#sbatch` (wrong case).
    WrongCase,
    /// `#SBATCH` after the first command.
    AfterCommand,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    pub kind: IgnoredKind,
    pub line: usize,
    pub span: Range<usize>,
}

/// A fatal problem sbatch reports while splitting a directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// `Unmatched ' in [...]`: the span runs from the quote to the line's end.
    UnmatchedQuote { quote: char, span: Range<usize> },
    /// `Unexpected ':' in [...]`.
    LeadingColon { span: Range<usize> },
}

/// The parsed model of an sbatch script. `parse` never fails.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub lines: Vec<DirectiveLine>,
    pub directives: Vec<Directive>,
    /// Words that are not options (sbatch: "Invalid directive found in batch script").
    pub strays: Vec<Stray>,
    pub ignored: Vec<Ignored>,
    pub problems: Vec<LineProblem>,
    /// The line that ended directive processing.
    pub first_command: Option<Range<usize>>,
    /// Where the body starts (the first command's line start; the text's end if none).
    pub body_start: usize,
    /// Number of heterogeneous job components (1 for ordinary jobs).
    pub components: usize,
}

/// A word sbatch's getopt does not take as an option or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    pub text: String,
    pub span: Range<usize>,
    pub line: usize,
    pub component: usize,
}

impl Script {
    /// The last directive (sbatch: last one wins) for option `long` in component 0.
    pub fn last(&self, long: &str) -> Option<&Directive> {
        self.directives.iter().rev().find(|d| d.component == 0 && d.name() == Some(long))
    }

    /// Every directive for option `long` in `component`.
    pub fn all<'a>(
        &'a self,
        long: &'a str,
        component: usize,
    ) -> impl Iterator<Item = &'a Directive> {
        self.directives.iter().filter(move |d| d.component == component && d.name() == Some(long))
    }

    /// The directive whose name or value span contains `offset`.
    pub fn directive_at(&self, offset: usize) -> Option<&Directive> {
        self.directives.iter().find(|d| {
            (d.name_span.start <= offset && offset <= d.name_span.end)
                || d.value_span.as_ref().is_some_and(|v| v.start <= offset && offset <= v.end)
        })
    }
}

/// Iterate lines as `(line_number, start, content)` with content excluding `\n`.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut start = 0;
    text.split('\n').enumerate().map(move |(n, content)| {
        let s = start;
        start += content.len() + 1;
        (n, s, content)
    })
}

fn is_space(b: u8) -> bool {
    // C isspace in the "C" locale.
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Split the part of a directive line after the magic word into words.
/// `base` is the document offset of `bytes[0]`. `escaped_space`: a backslash keeps the
/// space after it in the word (measured: 24.11 reads `--output=out\ x.log` as the file
/// `out x.log`; 22.05 ends the word at the space and refuses `x.log` as a directive;
/// the releases between are not measured).
fn split_words(
    bytes: &[u8],
    base: usize,
    problems: &mut Vec<LineProblem>,
    escaped_space: bool,
) -> (Vec<Word>, Option<Range<usize>>) {
    let mut words = Vec::new();
    let mut i = 0;
    let n = bytes.len();
    loop {
        while i < n && is_space(bytes[i]) {
            i += 1;
        }
        if i >= n {
            return (words, None);
        }
        if bytes[i] == b':' {
            problems.push(LineProblem::LeadingColon { span: base + i..base + n });
            return (words, None);
        }
        let start = i;
        // The word's bytes and their offsets, once they differ from the source (a quote
        // or an escape was dropped); until then the word is `bytes[start..i]` (most words:
        // no copy, no offsets).
        let mut out: Option<Vec<u8>> = None;
        let mut offsets = Vec::new();
        let copy = |out: &mut Option<Vec<u8>>, offsets: &mut Vec<usize>, i: usize| {
            if out.is_none() {
                *out = Some(bytes[start..i].to_vec());
                *offsets = (base + start..base + i).collect();
            }
        };
        let mut quote: Option<u8> = None;
        let mut escape = false;
        while i < n && (quote.is_some() || (escape && escaped_space) || !is_space(bytes[i])) {
            let b = bytes[i];
            if escape {
                escape = false;
            } else if b == b'\\' {
                copy(&mut out, &mut offsets, i);
                escape = true;
                i += 1;
                continue;
            } else if let Some(q) = quote {
                if b == q {
                    copy(&mut out, &mut offsets, i);
                    quote = None;
                    i += 1;
                    continue;
                }
            } else if b == b'"' || b == b'\'' {
                copy(&mut out, &mut offsets, i);
                quote = Some(b);
                i += 1;
                continue;
            } else if b == b'#' {
                break;
            }
            if let Some(o) = &mut out {
                o.push(b);
                offsets.push(base + i);
            }
            i += 1;
        }
        if let Some(q) = quote {
            problems.push(LineProblem::UnmatchedQuote {
                quote: q as char,
                span: base + start..base + n,
            });
            return (words, None);
        }
        let comment_at = (i < n && bytes[i] == b'#').then_some(i);
        let text = out.as_deref().unwrap_or(&bytes[start..i]);
        if !text.is_empty() {
            words.push(Word {
                text: String::from_utf8_lossy(text).into_owned(),
                span: base + start..base + i,
                offsets,
            });
        }
        if let Some(c) = comment_at {
            let mut end = n;
            while end > c && is_space(bytes[end - 1]) {
                end -= 1;
            }
            return (words, Some(base + c..base + end));
        }
    }
}

fn classify_ignored(content: &str) -> Option<IgnoredKind> {
    let trimmed = content.trim_start_matches([' ', '\t']);
    let indented = trimmed.len() != content.len();
    let rest = trimmed.strip_prefix('#')?;
    if rest.starts_with('#') {
        return None; // `##SBATCH`: deliberately commented out
    }
    let after_space = rest.trim_start_matches([' ', '\t']);
    let spaced = after_space.len() != rest.len();
    let word: String = after_space.chars().take(6).collect();
    let upper = word.to_ascii_uppercase();
    if upper != "SBATCH" && upper != "SLURM" && !(word.len() >= 5 && upper.starts_with("SLURM")) {
        return None;
    }
    // The word must end there (`# SBATCHING` is prose).
    let next = after_space[word.len()..].chars().next();
    if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    if indented {
        Some(IgnoredKind::Indented)
    } else if spaced {
        // `# SBATCH` and `# slurm settings` alike; only upper/any case SBATCH counts.
        (upper == "SBATCH").then_some(IgnoredKind::Spaced)
    } else if upper == "SBATCH" && word != "SBATCH" {
        Some(IgnoredKind::WrongCase)
    } else {
        None
    }
}

/// Parse a script the way sbatch reads it. Never fails. Options resolve against every
/// release's option table; see [`parse_for`] to resolve as one release does.
pub fn parse(text: &str) -> Script {
    parse_for(text, None)
}

/// Parse as the sbatch of `version` does: only that release's options exist, which
/// changes what an abbreviation means (`--extra` is `--extra-node-info` before 23.02).
pub fn parse_for(text: &str, version: Option<options::Version>) -> Script {
    let mut script = Script { body_start: text.len(), components: 1, ..Default::default() };
    let mut component = 0;
    let mut stopped = false;
    let escaped_space = version.is_some_and(|v| v >= (24, 11));
    for (n, start, content) in lines(text) {
        let end = start + content.len();
        if stopped {
            if content.starts_with("#SBATCH") || classify_ignored(content).is_some() {
                let t = content.trim_start();
                if t.starts_with("#SBATCH") || t.starts_with("#SLURM") {
                    let mut span_end = end;
                    if content.ends_with('\r') {
                        span_end -= 1;
                    }
                    script.ignored.push(Ignored {
                        kind: IgnoredKind::AfterCommand,
                        line: n,
                        span: start..span_end,
                    });
                }
            }
            continue;
        }
        let magic = if content.starts_with("#SBATCH") {
            Some((Magic::Sbatch, 7))
        } else if content.starts_with("#SLURM") {
            Some((Magic::Slurm, 6))
        } else {
            None
        };
        let Some((magic, mlen)) = magic else {
            let first = content.bytes().find(|&b| !is_space(b));
            match first {
                None => {}
                Some(b'#') => {
                    if let Some(kind) = classify_ignored(content) {
                        let span_end = if content.ends_with('\r') { end - 1 } else { end };
                        script.ignored.push(Ignored { kind, line: n, span: start..span_end });
                    }
                }
                Some(_) => {
                    let span_end = if content.ends_with('\r') { end - 1 } else { end };
                    script.first_command = Some(start..span_end);
                    script.body_start = start;
                    stopped = true;
                }
            }
            continue;
        };
        let (mut words, comment) = split_words(
            &content.as_bytes()[mlen..],
            start + mlen,
            &mut script.problems,
            escaped_space,
        );
        // Measured on sbatch 22.05: a line whose first word is `hetjob` (or the deprecated
        // `packjob`), in any case, starts the next component; the word `hetjob` elsewhere
        // on a line is dropped without splitting; `myhetjob` or `hetjobx` are ordinary words.
        let is_sep = |w: &Word| {
            w.text.eq_ignore_ascii_case("hetjob") || w.text.eq_ignore_ascii_case("packjob")
        };
        let separator = words.first().is_some_and(is_sep);
        words.retain(|w| !is_sep(w));
        if separator {
            component += 1;
            script.components = component + 1;
        }
        let span_end = if content.ends_with('\r') { end - 1 } else { end };
        script.lines.push(DirectiveLine {
            line: n,
            span: start..span_end,
            magic,
            component,
            separator,
            words,
            comment,
        });
    }
    for c in 0..script.components {
        getopt(&mut script, c, version);
    }
    script
}

/// Resolve `--name` as getopt_long does: exact, else a unique prefix.
pub fn resolve_long(name: &str) -> Resolved {
    resolve_long_for(name, None)
}

/// [`resolve_long`] among the options of `version` only.
pub fn resolve_long_for(name: &str, version: Option<options::Version>) -> Resolved {
    let present = |o: &&OptionSpec| version.is_none_or(|v| o.in_version(v));
    if let Some(spec) = options::by_long(name).filter(|o| present(o)) {
        return Resolved::Known { spec, exact: true };
    }
    if name.is_empty() {
        return Resolved::Unknown;
    }
    let matches: Vec<&'static OptionSpec> =
        options::options().iter().filter(present).filter(|o| o.long.starts_with(name)).collect();
    match matches.len() {
        0 => Resolved::Unknown,
        1 => Resolved::Known { spec: matches[0], exact: false },
        _ => Resolved::Ambiguous(matches.iter().map(|o| o.long).collect()),
    }
}

struct ArgvWord<'a> {
    word: &'a Word,
    line_index: usize,
    line: usize,
    magic: Magic,
}

fn getopt(script: &mut Script, component: usize, version: Option<options::Version>) {
    // Lines are in order and components only grow, so a component's lines are one run
    // (found by binary search: linear over all components, however many there are).
    let from = script.lines.partition_point(|l| l.component < component);
    let to = script.lines.partition_point(|l| l.component <= component);
    let argv: Vec<ArgvWord> = script.lines[from..to]
        .iter()
        .enumerate()
        .map(|(k, l)| (from + k, l))
        .flat_map(|(li, l)| {
            l.words.iter().map(move |w| ArgvWord {
                word: w,
                line_index: li,
                line: l.line,
                magic: l.magic,
            })
        })
        .collect();
    let mut directives = Vec::new();
    let mut strays = Vec::new();
    let mut i = 0;
    let stray = |a: &ArgvWord| Stray {
        text: a.word.text.clone(),
        span: a.word.span.clone(),
        line: a.line,
        component,
    };
    while i < argv.len() {
        let a = &argv[i];
        let w = &a.word.text;
        if w == "--" {
            strays.extend(argv[i + 1..].iter().map(stray));
            break;
        }
        if let Some(body) = w.strip_prefix("--") {
            let (name, eq) = match body.find('=') {
                Some(e) => (&body[..e], Some(2 + e)),
                None => (body, None),
            };
            let resolved = resolve_long_for(name, version);
            let name_span = a.word.sub_span(0..eq.unwrap_or(w.len()));
            let mut d = Directive {
                span: name_span.clone(),
                line_index: a.line_index,
                line: a.line,
                written: format!("--{name}"),
                name_span,
                resolved: resolved.clone(),
                value: None,
                value_span: None,
                form: Form::LongEq,
                component,
                magic: a.magic,
                problem: None,
            };
            let arg = match &resolved {
                Resolved::Known { spec, .. } => spec.arg,
                // Unknown options: take an `=value` for the span, nothing else.
                _ => ArgKind::Optional,
            };
            match (arg, eq) {
                (ArgKind::None, Some(e)) => {
                    d.value = Some(w[e + 1..].to_string());
                    d.value_span = Some(a.word.span_from(e + 1));
                    d.problem = Some(OptionProblem::UnexpectedValue);
                }
                (ArgKind::None, None) | (ArgKind::Optional, None) => {}
                (_, Some(e)) => {
                    d.value = Some(w[e + 1..].to_string());
                    d.value_span = Some(a.word.span_from(e + 1));
                }
                (ArgKind::Required, None) => {
                    if let Some(next) = argv.get(i + 1) {
                        d.value = Some(next.word.text.clone());
                        d.value_span = Some(next.word.span.clone());
                        d.form = Form::LongSpace;
                        i += 1;
                    } else {
                        d.problem = Some(OptionProblem::MissingValue);
                    }
                }
            }
            if let Some(v) = &d.value_span {
                d.span = d.name_span.start..v.end.max(d.name_span.end);
            }
            directives.push(d);
            i += 1;
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let chars: Vec<(usize, char)> = w.char_indices().skip(1).collect();
            let mut k = 0;
            let mut consumed_next = false;
            while k < chars.len() {
                let (pos, c) = chars[k];
                let cend = pos + c.len_utf8();
                let name_start = if k == 0 { 0 } else { pos };
                let name_span = a.word.sub_span(name_start..cend);
                let spec = options::by_short(c);
                let mut d = Directive {
                    span: name_span.clone(),
                    line_index: a.line_index,
                    line: a.line,
                    written: format!("-{c}"),
                    name_span,
                    resolved: spec
                        .map_or(Resolved::Unknown, |spec| Resolved::Known { spec, exact: true }),
                    value: None,
                    value_span: None,
                    form: Form::ShortAttached,
                    component,
                    magic: a.magic,
                    problem: None,
                };
                let arg = spec.map_or(ArgKind::None, |s| s.arg);
                let rest = &w[cend..];
                match arg {
                    ArgKind::None => {
                        k += 1;
                        directives.push(d);
                        continue;
                    }
                    ArgKind::Optional => {
                        if !rest.is_empty() {
                            d.value = Some(rest.to_string());
                            d.value_span = Some(a.word.span_from(cend));
                        }
                    }
                    ArgKind::Required => {
                        if !rest.is_empty() {
                            d.value = Some(rest.to_string());
                            d.value_span = Some(a.word.span_from(cend));
                        } else if let Some(next) = argv.get(i + 1) {
                            d.value = Some(next.word.text.clone());
                            d.value_span = Some(next.word.span.clone());
                            d.form = Form::ShortSpace;
                            consumed_next = true;
                        } else {
                            d.problem = Some(OptionProblem::MissingValue);
                        }
                    }
                }
                if let Some(v) = &d.value_span {
                    d.span = d.name_span.start..v.end.max(d.name_span.end);
                }
                directives.push(d);
                break;
            }
            i += if consumed_next { 2 } else { 1 };
            continue;
        }
        strays.push(stray(a));
        i += 1;
    }
    script.directives.extend(directives);
    script.strays.extend(strays);
}

/// What the cursor is on, for completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompletionContext {
    /// Typing an option name in a directive line. `prefix` is what is typed so far,
    /// dashes included (`--par`, `-`, or empty between words); `span` is the range a
    /// completion replaces.
    OptionName {
        prefix: String,
        span: Range<usize>,
    },
    /// Typing the value of `option`; `prefix` is the value typed so far.
    OptionValue {
        option: &'static OptionSpec,
        prefix: String,
        span: Range<usize>,
    },
    /// At the very start of a line that could become a directive (`#SB`).
    DirectiveStart {
        prefix: String,
        span: Range<usize>,
    },
    None,
}

/// The completion context at byte `offset` of `text`.
pub fn completion_context(text: &str, offset: usize) -> CompletionContext {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let col = offset - line_start;
    if !line.starts_with("#SBATCH") || col < 7 {
        let before = &line[..col];
        if !before.is_empty() && "#SBATCH".starts_with(before) {
            return CompletionContext::DirectiveStart {
                prefix: before.to_string(),
                span: line_start..line_start + col,
            };
        }
        return CompletionContext::None;
    }
    // Split only up to the cursor: what follows does not change what is being typed.
    let mut problems = Vec::new();
    let (words, comment) =
        split_words(&line.as_bytes()[7..col], line_start + 7, &mut problems, false);
    if comment.is_some() || !problems.is_empty() {
        return CompletionContext::None;
    }
    let at_word_end = words.last().is_some_and(|w| w.span.end == offset);
    let (current, previous) = if at_word_end {
        (words.last(), words.len().checked_sub(2).map(|i| &words[i]))
    } else {
        (None, words.last())
    };
    // Does the previous word wait for a value?
    let waiting = previous.and_then(|p| {
        let t = &p.text;
        if let Some(body) = t.strip_prefix("--") {
            if body.contains('=') {
                return None;
            }
            match resolve_long(body) {
                Resolved::Known { spec, .. } if spec.arg == ArgKind::Required => Some(spec),
                _ => None,
            }
        } else if t.len() == 2 && t.starts_with('-') {
            options::by_short(t.chars().nth(1)?).filter(|s| s.arg == ArgKind::Required)
        } else {
            None
        }
    });
    let Some(cur) = current else {
        return match waiting {
            Some(option) => CompletionContext::OptionValue {
                option,
                prefix: String::new(),
                span: offset..offset,
            },
            None => CompletionContext::OptionName { prefix: String::new(), span: offset..offset },
        };
    };
    if let Some(option) = waiting {
        return CompletionContext::OptionValue {
            option,
            prefix: cur.text.clone(),
            span: cur.span.clone(),
        };
    }
    let t = &cur.text;
    if let Some(body) = t.strip_prefix("--") {
        if let Some(e) = body.find('=') {
            return match resolve_long(&body[..e]) {
                Resolved::Known { spec, .. } if spec.takes_value() => {
                    CompletionContext::OptionValue {
                        option: spec,
                        prefix: body[e + 1..].to_string(),
                        span: cur.span_from(2 + e + 1),
                    }
                }
                _ => CompletionContext::None,
            };
        }
        return CompletionContext::OptionName { prefix: t.clone(), span: cur.span.clone() };
    }
    if t.starts_with('-') {
        if t.len() <= 2 {
            return CompletionContext::OptionName { prefix: t.clone(), span: cur.span.clone() };
        }
        let c = t.chars().nth(1).unwrap_or('-');
        return match options::by_short(c) {
            Some(spec) if spec.takes_value() => CompletionContext::OptionValue {
                option: spec,
                prefix: t[2..].to_string(),
                span: cur.span_from(2),
            },
            _ => CompletionContext::None,
        };
    }
    CompletionContext::None
}
