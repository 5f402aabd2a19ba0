// One arm per instruction kind reads better than guards folded into the match.
#![allow(clippy::collapsible_match)]

//! The checks, by theme: `syntax` and `instruction` (what BuildKit accepts), `args`
//! (ARG scope, secrets), `practice` (hadolint's ground), `apptainer` (what
//! Apptainer/Singularity does with each instruction), `gpu` (CUDA against the driver).
//! Each module declares its rules ([`clusterls_core::Rule`]) next to the functions that
//! push them; [`crate::rules`] registers them.

pub(crate) mod apptainer;
pub(crate) mod args;
pub(crate) mod gpu;
pub(crate) mod instruction;
pub(crate) mod packages;
pub(crate) mod practice;
pub(crate) mod syntax;

use std::collections::HashMap;
use std::ops::Range;

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Edit, Finding, Fix, LineIndex, Rule, Severity};

use crate::cuda;
use crate::parse::{Dockerfile, Instruction, Kind, Map, Source, Stage, Word};
use crate::shell::{self, Command, Sep};

pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub df: &'a Dockerfile,
    pub facts: Option<&'a ClusterFacts>,
    pub out: Vec<Finding>,
    /// Shell commands of each instruction (RUN only; empty otherwise).
    cmds: Vec<Vec<Command>>,
    /// Stages whose content ends up in the final image (the last stage and the stages
    /// it is built FROM).
    final_chain: Vec<usize>,
    /// Whether each stage is in `final_chain`.
    in_final_chain: Vec<bool>,
    /// Stages by name, for FROM and COPY --from.
    stage_names: StageNames,
    /// Global ARG defaults.
    args: Vec<(String, Option<String>)>,
    /// Line numbers for messages ("the one on line 12"), built once.
    lines: LineIndex,
}

/// One RUN as the rules see it: its commands and cache mounts, and the state of the
/// stage before it.
pub(crate) struct Run<'a> {
    pub inst: &'a Instruction,
    pub cmds: &'a [Command],
    /// Targets of `--mount=type=cache`.
    pub mount_targets: Vec<String>,
    /// Whether an earlier ENV/ARG sets PIP_NO_CACHE_DIR.
    pub pip_no_cache_env: bool,
    /// Whether the stage's SHELL sets pipefail.
    pub pipefail_shell: bool,
    /// Whether the stage ends up in the image (the last one, or a later stage's base).
    pub stage_matters: bool,
}

impl Ctx<'_> {
    /// Push a finding of `rule` with the rule's severity; returns it for fixes or a
    /// different severity.
    fn push(
        &mut self,
        rule: &'static Rule,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        rule.push(&mut self.out, range, message)
    }

    /// The 1-based line of `offset`.
    fn line(&self, offset: usize) -> usize {
        self.lines.line_col(offset).0 + 1
    }

    fn in_final(&self, inst: &Instruction) -> bool {
        inst.stage.is_some_and(|s| self.in_final_chain.get(s).copied().unwrap_or(false))
    }

    fn is_final_stage(&self, inst: &Instruction) -> bool {
        inst.stage.is_some() && inst.stage == self.df.stages.len().checked_sub(1)
    }

    fn apptainer(&self) -> bool {
        self.facts
            .and_then(|f| f.runtime.as_ref())
            .is_none_or(|r| r.kind != clusterls_core::facts::RuntimeKind::Charliecloud)
    }
}

/// Dockerfiles longer than this are not checked beyond [`FILE_TOO_LARGE`]: a real one is
/// a few KB, and a bound keeps a language server that checks on every keystroke
/// responsive whatever is opened in it (the same bound as sbatch scripts).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

pub(crate) const FILE_TOO_LARGE: Rule = Rule {
    explanation: "A Dockerfile over 4 MiB is almost certainly not one (a data file or generated text opened as a Dockerfile), and clusterls checks nothing else in it so that the editor stays responsive. Keep data out of the Dockerfile: COPY it from the build context.",
    ..Rule::new(
        "docker/file-too-large",
        Severity::Warning,
        "A Dockerfile over 4 MiB: clusterls does not check it.",
    )
};

/// The one finding for a Dockerfile over [`MAX_FILE_BYTES`].
pub(crate) fn too_large(text: &str) -> Finding {
    let first_end = text.find('\n').unwrap_or(text.len()).min(200);
    let first_end = (0..=first_end).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    FILE_TOO_LARGE.finding(
        0..first_end,
        format!(
            "The file is {:.1} MiB: clusterls does not check Dockerfiles over {} MiB. Keep data out of the Dockerfile (COPY it from the build context).",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES >> 20
        ),
    )
}

pub(crate) fn run(text: &str, df: &Dockerfile, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let stage_names = StageNames::new(df);
    let final_chain = final_chain(df, &stage_names);
    let mut in_final_chain = vec![false; df.stages.len()];
    for &i in &final_chain {
        in_final_chain[i] = true;
    }
    let cmds = df.instructions.iter().map(run_commands).collect();
    let mut ctx = Ctx {
        text,
        df,
        facts,
        out: Vec::new(),
        cmds,
        final_chain,
        in_final_chain,
        stage_names,
        args: df.global_arg_defaults(),
        lines: LineIndex::new(text),
    };
    syntax::syntax(&mut ctx);
    practice::practice(&mut ctx);
    if ctx.apptainer() {
        apptainer::apptainer(&mut ctx);
    }
    gpu::gpu(&mut ctx);
    ctx.out
}

/// The shell commands a RUN executes (heredoc bodies fed to a shell included).
pub fn run_commands(inst: &Instruction) -> Vec<Command> {
    if inst.kind == Kind::Onbuild {
        return inst.trigger.as_deref().map(run_commands).unwrap_or_default();
    }
    if inst.kind != Kind::Run {
        return Vec::new();
    }
    if let Some(json) = &inst.args.json {
        // ["bash", "-c", "script"]: the script; otherwise the argv itself.
        if json.len() >= 3
            && matches!(json[0].value.rsplit('/').next(), Some("sh" | "bash" | "dash" | "zsh"))
            && json[1].value.starts_with('-')
            && json[1].value.contains('c')
        {
            // Spans of the script inside its JSON string are only exact without escapes.
            let w = &json[2];
            if w.raw.len() == w.value.len() + 2 {
                return shell::commands(Source {
                    text: &w.value,
                    map: Map::Offset(w.span.start + 1),
                });
            }
        }
        return vec![Command {
            assignments: Vec::new(),
            words: json
                .iter()
                .map(|w| shell::ShWord { value: w.value.clone(), span: w.span.clone() })
                .collect(),
            sep: Sep::End,
        }];
    }
    let mut out = shell::commands(inst.args.source());
    for h in &inst.heredocs {
        // The body is a script when the command is just the marker or a shell reading it.
        let shellish = out.iter().all(|c| {
            c.words.iter().all(|w| {
                w.value.starts_with("<<")
                    || matches!(w.value.rsplit('/').next(), Some("sh" | "bash" | "dash" | "zsh"))
                    || w.value.starts_with('-')
            })
        });
        if shellish {
            out.retain(|c| {
                !c.words.iter().all(|w| {
                    w.value.starts_with("<<")
                        || w.value.starts_with('-')
                        || matches!(
                            w.value.rsplit('/').next(),
                            Some("sh" | "bash" | "dash" | "zsh")
                        )
                })
            });
            out.extend(shell::commands(Source {
                text: &h.body,
                map: Map::Offset(h.body_span.start),
            }));
        }
    }
    out
}

pub(super) fn final_chain(df: &Dockerfile, names: &StageNames) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut cur = df.stages.len().checked_sub(1);
    // Each step goes to an earlier stage, so this ends.
    while let Some(i) = cur {
        chain.push(i);
        cur = names.last_before(&df.stages[i].image, i);
    }
    chain
}

/// Stage names (ASCII lower case) → the stages with that name in order, built once so
/// that finding a stage by name does not scan the stages (linear checking).
pub(super) struct StageNames(HashMap<String, Vec<usize>>);

impl StageNames {
    fn new(df: &Dockerfile) -> StageNames {
        let mut map: HashMap<String, Vec<usize>> = HashMap::new();
        for st in &df.stages {
            if let Some(n) = &st.name {
                map.entry(n.to_ascii_lowercase()).or_default().push(st.index);
            }
        }
        StageNames(map)
    }

    fn all(&self, name: &str) -> &[usize] {
        self.0.get(&name.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// The first stage named `name` (case-insensitive).
    pub fn first(&self, name: &str) -> Option<usize> {
        self.all(name).first().copied()
    }

    /// The last stage before stage `before` named `name`.
    pub fn last_before(&self, name: &str, before: usize) -> Option<usize> {
        let all = self.all(name);
        all[..all.partition_point(|&i| i < before)].last().copied()
    }
}

/// Substitute `$X`, `${X}`, `${X:-d}` with global ARG defaults. `None` if a variable
/// stays unknown.
pub(super) fn expand(s: &str, args: &[(String, Option<String>)]) -> Option<String> {
    if !s.contains('$') {
        return Some(s.to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, default, len) = if let Some(b) = after.strip_prefix('{') {
            let end = b.find('}')?;
            let inner = &b[..end];
            let (n, d) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            (n, d, end + 2)
        } else {
            let n: usize =
                after.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
            (&after[..n], None, n)
        };
        let value = args
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .or_else(|| default.map(str::to_string))?;
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    Some(out)
}

/// `(name, tag, digest)` of an image reference.
pub(super) fn split_image(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (s, digest) = match s.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (s, None),
    };
    let slash = s.rfind('/').map_or(0, |i| i + 1);
    match s[slash..].rfind(':') {
        Some(c) => (&s[..slash + c], Some(&s[slash + c + 1..]), digest),
        None => (s, None, digest),
    }
}

pub(super) const BUILTIN_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

pub(super) fn flags_of(kind: Kind) -> &'static [&'static str] {
    crate::docs::doc(kind).map_or(&[], |d| d.flags)
}

/// Flags that may be repeated.
pub(super) fn repeatable(name: &str) -> bool {
    matches!(name, "mount" | "exclude" | "device")
}

/// Flags that may be given without a value.
pub(super) fn bool_flag(name: &str) -> bool {
    matches!(name, "link" | "keep-git-dir" | "parents" | "unpack")
}

pub(super) fn to_json(words: &[Word]) -> Option<String> {
    // Only plain words (no shell syntax) convert unambiguously.
    if words.iter().any(|w| {
        w.raw
            .contains(['$', '&', '|', ';', '>', '<', '*', '?', '`', '(', ')', '\\', '\'', '"', '~'])
    }) {
        return None;
    }
    let items: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.value)).collect();
    Some(format!("[{}]", items.join(", ")))
}

pub(super) fn vars(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let name: String = if let Some(b) = after.strip_prefix('{') {
            b.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
        } else {
            after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
        };
        if !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    out
}

pub(super) fn valid_port(v: &str) -> bool {
    if v.contains('$') {
        return true;
    }
    let (p, proto) = match v.split_once('/') {
        Some((p, pr)) => (p, Some(pr)),
        None => (v, None),
    };
    if proto.is_some_and(|pr| !matches!(pr.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp")) {
        return false;
    }
    let ok = |x: &str| x.parse::<u32>().is_ok_and(|n| n <= 65535);
    match p.split_once('-') {
        Some((a, b)) => ok(a) && ok(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok(),
        None => ok(p),
    }
}

pub(super) fn valid_signal(v: &str) -> bool {
    if v.contains('$') {
        return true;
    }
    if let Ok(n) = v.parse::<u32>() {
        return (1..=64).contains(&n);
    }
    let u = v.to_ascii_uppercase();
    let name = u.strip_prefix("SIG").unwrap_or(&u);
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
    ];
    if NAMES.contains(&name) {
        return true;
    }
    // RTMIN+n / RTMAX-n
    name.starts_with("RTMIN") || name.starts_with("RTMAX")
}

/// Seconds of a Go duration (`1h30m`, `500ms`, `1.5s`); `None` if invalid.
pub fn parse_duration(s: &str) -> Option<f64> {
    if s == "0" {
        return Some(0.0);
    }
    let mut rest = s;
    let mut total = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
        if n == 0 {
            return None;
        }
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .bytes()
            .take_while(|c| c.is_ascii_alphabetic() || *c == 0xc2 || *c == 0xb5)
            .count();
        let mult = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += num * mult;
        rest = &rest[u..];
    }
    Some(total)
}

pub(super) fn delete_line(text: &str, span: Range<usize>) -> Fix {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i + 1);
    Fix::replace("Delete this line", start..end, "")
}

pub(super) fn with_following_space(text: &str, span: Range<usize>) -> Range<usize> {
    let extra = text[span.end..].len() - text[span.end..].trim_start_matches([' ', '\t']).len();
    span.start..span.end + extra
}
