//! The checks. Each pushes findings with a code from [`crate::rules::RULES`].

// One arm per instruction kind reads better than guards folded into the match.
#![allow(clippy::collapsible_match)]

use std::ops::Range;

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Edit, Finding, Fix, Severity};

use crate::cuda;
use crate::parse::{Dockerfile, Instruction, Kind, Map, Source, Stage, Word};
use crate::rules;
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
    /// Global ARG defaults.
    args: Vec<(String, Option<String>)>,
}

impl Ctx<'_> {
    fn push(&mut self, range: Range<usize>, code: &'static str, message: String) -> &mut Finding {
        let sev = rules::rule(code).map_or(Severity::Warning, |r| r.severity);
        self.out.push(Finding::new(range, sev, code, message));
        self.out.last_mut().expect("just pushed")
    }

    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    fn in_final(&self, inst: &Instruction) -> bool {
        inst.stage.is_some_and(|s| self.final_chain.contains(&s))
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

pub(crate) fn run(text: &str, df: &Dockerfile, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let cmds = df.instructions.iter().map(run_commands).collect();
    let mut ctx = Ctx {
        text,
        df,
        facts,
        out: Vec::new(),
        cmds,
        final_chain: final_chain(df),
        args: df.global_arg_defaults(),
    };
    syntax(&mut ctx);
    practice(&mut ctx);
    if ctx.apptainer() {
        apptainer(&mut ctx);
    }
    gpu(&mut ctx);
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

fn final_chain(df: &Dockerfile) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut cur = df.stages.len().checked_sub(1);
    while let Some(i) = cur {
        if chain.contains(&i) {
            break;
        }
        chain.push(i);
        let img = &df.stages[i].image;
        cur = df.stages[..i]
            .iter()
            .rev()
            .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(img)))
            .map(|s| s.index);
    }
    chain
}

/// Substitute `$X`, `${X}`, `${X:-d}` with global ARG defaults. `None` if a variable
/// stays unknown.
fn expand(s: &str, args: &[(String, Option<String>)]) -> Option<String> {
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
fn split_image(s: &str) -> (&str, Option<&str>, Option<&str>) {
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

const BUILTIN_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

fn flags_of(kind: Kind) -> &'static [&'static str] {
    crate::docs::doc(kind).map_or(&[], |d| d.flags)
}

/// Flags that may be repeated.
fn repeatable(name: &str) -> bool {
    matches!(name, "mount" | "exclude" | "device")
}

/// Flags that may be given without a value.
fn bool_flag(name: &str) -> bool {
    matches!(name, "link" | "keep-git-dir" | "parents" | "unpack")
}

fn syntax(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let text = ctx.text;

    // Directives.
    let mut seen: Vec<&str> = Vec::new();
    for d in &df.directives {
        if seen.contains(&d.name.as_str()) {
            ctx.push(
                d.span.clone(),
                "docker/invalid-directive",
                format!("`{}` is given twice; keep one (BuildKit rejects the file).", d.name),
            )
            .fixes
            .push(delete_line(text, d.span.clone()));
        }
        seen.push(&d.name);
        if d.name == "escape" && d.value != "\\" && d.value != "`" {
            ctx.push(
                d.value_span.clone(),
                "docker/invalid-directive",
                format!("The escape character must be `\\` or `` ` ``, not `{}`.", d.value),
            );
        }
    }
    let directives_end = df.directives.last().map_or(0, |d| d.span.end);
    for c in &df.comments {
        if c.span.start <= directives_end {
            continue;
        }
        let line = &text[c.span.clone()];
        let body = line.trim_start_matches('#').trim();
        if let Some((k, v)) = body.split_once('=') {
            let k = k.trim().to_ascii_lowercase();
            if matches!(k.as_str(), "syntax" | "escape" | "check")
                && !v.trim().is_empty()
                && !v.contains(' ')
            {
                ctx.push(
                    c.span.clone(),
                    "docker/misplaced-directive",
                    format!("`{k}` is a parser directive only at the very top of the file (before any comment, blank line or instruction); here it is just a comment. Move it to the first line."),
                );
            }
        }
    }

    for r in &df.empty_continuation_lines {
        let f = ctx.push(
            r.start..r.start,
            "docker/empty-continuation-line",
            "Empty line inside a continued instruction: BuildKit skips it but warns, and it will become an error. Delete it.".into(),
        );
        f.fixes.push(Fix::replace("Delete the empty line", r.clone(), ""));
    }

    // FROM presence and order.
    match df.instructions.iter().position(|i| i.kind == Kind::From) {
        None => {
            let range = df.instructions.first().map_or(0..0, |i| i.keyword_span.clone());
            ctx.push(
                range,
                "docker/no-from",
                "The Dockerfile has no FROM: start it with `FROM <image>:<tag>`.".into(),
            );
        }
        Some(first) => {
            for i in &df.instructions[..first] {
                if i.kind != Kind::Arg && i.kind != Kind::Unknown {
                    ctx.push(
                        i.keyword_span.clone(),
                        "docker/instruction-before-from",
                        format!("{} before the first FROM: only ARG may come before FROM. Move it after FROM.", i.kind.as_str()),
                    );
                }
            }
        }
    }

    // Casing: the majority wins.
    let known: Vec<&Instruction> =
        df.instructions.iter().filter(|i| i.kind != Kind::Unknown).collect();
    let upper = known.iter().filter(|i| i.keyword == i.kind.as_str()).count();
    let lower = known.iter().filter(|i| i.keyword == i.kind.as_str().to_ascii_lowercase()).count();
    let want_lower = lower > upper;
    for i in &known {
        let want = if want_lower {
            i.kind.as_str().to_ascii_lowercase()
        } else {
            i.kind.as_str().to_string()
        };
        if i.keyword != want {
            let f = ctx.push(
                i.keyword_span.clone(),
                "docker/inconsistent-casing",
                format!(
                    "`{}` differs from the casing of the other instructions; write `{want}`.",
                    i.keyword
                ),
            );
            f.fixes.push(Fix::replace(
                format!("Write `{want}`"),
                i.keyword_span.clone(),
                want.clone(),
            ));
        }
        if i.kind == Kind::From
            && let Some(w) = i.args.words.get(1)
            && w.value.eq_ignore_ascii_case("as")
        {
            let want_as = if want_lower { "as" } else { "AS" };
            if w.value != want_as && (i.keyword == i.kind.as_str()) == (want_as == "AS") {
                let f = ctx.push(
                    w.span.clone(),
                    "docker/inconsistent-casing",
                    format!(
                        "`{}` does not match the casing of `{}`; write `{want_as}`.",
                        w.value, i.keyword
                    ),
                );
                f.fixes.push(Fix::replace(format!("Write `{want_as}`"), w.span.clone(), want_as));
            }
        }
    }

    let stage_names: Vec<String> =
        df.stages.iter().filter_map(|s| s.name.as_ref().map(|n| n.to_ascii_lowercase())).collect();

    for (idx, inst) in df.instructions.iter().enumerate() {
        check_instruction(ctx, inst, idx, false);
        if let Some(t) = &inst.trigger {
            if matches!(t.kind, Kind::From | Kind::Maintainer | Kind::Onbuild) {
                ctx.push(
                    t.keyword_span.clone(),
                    "docker/invalid-onbuild",
                    format!("ONBUILD cannot register {}; remove it.", t.kind.as_str()),
                );
            } else {
                check_instruction(ctx, t, idx, true);
            }
        }
        if inst.kind == Kind::Onbuild && inst.trigger.is_none() {
            ctx.push(
                inst.keyword_span.clone(),
                "docker/argument-count",
                "ONBUILD needs an instruction to register, e.g. `ONBUILD COPY . /app`.".into(),
            );
        }
    }

    // Stages.
    let mut names: Vec<(String, usize)> = Vec::new();
    for st in &df.stages {
        let Some(name) = &st.name else { continue };
        let span = st.name_span.clone().unwrap_or(0..0);
        let lower = name.to_ascii_lowercase();
        let valid = lower.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
            && lower
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-_.".contains(&c));
        if valid && matches!(lower.as_str(), "scratch" | "context") {
            ctx.push(
                span.clone(),
                "docker/invalid-stage-name",
                format!("`{name}` is a reserved name (BuildKit uses it for the empty image / the build context); name the stage differently."),
            );
        }
        if !valid {
            ctx.push(
                span.clone(),
                "docker/invalid-stage-name",
                format!("`{name}` is not a valid stage name: start with a letter and use only letters, digits, `-`, `_` and `.`."),
            );
        }
        if let Some((_, prev)) = names.iter().find(|(n, _)| *n == lower) {
            let line = ctx.line(df.instructions[*prev].span.start);
            ctx.push(
                span,
                "docker/duplicate-stage-name",
                format!("Stage `{name}` is already defined on line {line}; give this stage another name."),
            );
        }
        names.push((lower, st.from));
    }

    // COPY --from.
    for inst in &df.instructions {
        if inst.kind != Kind::Copy {
            continue;
        }
        let Some(flag) = inst.flag("from") else { continue };
        let (Some(v), Some(span)) = (&flag.value, &flag.value_span) else { continue };
        if v.contains('$') || v.is_empty() {
            continue;
        }
        let cur = inst.stage.unwrap_or(0);
        if let Ok(n) = v.parse::<usize>() {
            if n >= cur {
                ctx.push(
                    span.clone(),
                    if n == cur { "docker/copy-from-self" } else { "docker/copy-from-unknown-stage" },
                    if cur == 0 {
                        format!("`--from={n}`: there is no earlier stage to copy from (stages are numbered from 0 in order).")
                    } else {
                        format!("`--from={n}` must name an earlier stage, 0 to {}; stages are numbered from 0 in order.", cur - 1)
                    },
                );
            }
            continue;
        }
        let lower = v.to_ascii_lowercase();
        match df
            .stages
            .iter()
            .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(v)))
        {
            Some(s) if s == cur => {
                ctx.push(
                    span.clone(),
                    "docker/copy-from-self",
                    format!(
                        "`--from={v}` names the stage this COPY is in; copy from an earlier stage."
                    ),
                );
            }
            Some(s) if s > cur => {
                let line = ctx.line(df.instructions[df.stages[s].from].span.start);
                ctx.push(span.clone(), "docker/copy-from-unknown-stage", format!("Stage `{v}` is defined later (line {line}); COPY --from can only use earlier stages. Move that stage up."));
            }
            Some(_) => {}
            None if lower.contains(['/', ':', '@']) => {} // an image
            None => {
                let earlier: Vec<&str> = df.stages[..cur.min(df.stages.len())]
                    .iter()
                    .filter_map(|s| s.name.as_deref())
                    .collect();
                let f = ctx.push(
                    span.clone(),
                    "docker/copy-from-unknown-stage",
                    format!("No earlier stage is named `{v}`, so Docker will pull an image called `{v}`. Name a stage `AS {v}`, or write the image with its tag."),
                );
                if let Some(s) = did_you_mean(v, earlier.iter().copied()) {
                    f.fixes.push(Fix::replace(format!("Change to `{s}`"), span.clone(), s));
                }
            }
        }
        let _ = &stage_names;
    }

    arg_scope(ctx);

    // Per stage: multiple CMD / ENTRYPOINT / HEALTHCHECK.
    for st in &df.stages {
        for (kind, code) in [
            (Kind::Cmd, "docker/multiple-cmd"),
            (Kind::Entrypoint, "docker/multiple-entrypoint"),
            (Kind::Healthcheck, "docker/multiple-healthcheck"),
        ] {
            let all: Vec<&Instruction> = df.instructions[st.instructions.clone()]
                .iter()
                .filter(|i| i.kind == kind)
                .collect();
            if let Some((last, earlier)) = all.split_last() {
                let line = ctx.line(last.span.start);
                for i in earlier {
                    let f = ctx.push(
                        i.keyword_span.clone(),
                        code,
                        format!("This {} is overridden by the one on line {line}: only the last in a stage takes effect. Delete this one.", kind.as_str()),
                    );
                    f.fixes.push(delete_line(text, i.span.clone()));
                }
            }
        }
    }
}

fn check_instruction(ctx: &mut Ctx<'_>, inst: &Instruction, _idx: usize, in_onbuild: bool) {
    let text = ctx.text;
    let kw = inst.kind.as_str();
    let words = &inst.args.words;
    let n = words.len();
    let at = inst.keyword_span.clone();

    if inst.kind == Kind::Unknown {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        let upper = inst.keyword.to_ascii_uppercase();
        let f = ctx.push(
            at.clone(),
            "docker/unknown-instruction",
            format!("`{}` is not a Dockerfile instruction.", inst.keyword),
        );
        if let Some(s) = did_you_mean(&upper, names.iter().copied()) {
            f.message =
                format!("`{}` is not a Dockerfile instruction; did you mean `{s}`?", inst.keyword);
            f.fixes.push(Fix::replace(format!("Change to `{s}`"), at, s));
        } else {
            f.message.push_str(
                " Instructions are FROM, RUN, COPY, ADD, ENV, ARG, WORKDIR, CMD, ENTRYPOINT, ...",
            );
        }
        return;
    }

    // Flags.
    let allowed = flags_of(inst.kind);
    let mut seen: Vec<&str> = Vec::new();
    for f in &inst.flags {
        if f.name.is_empty() {
            continue;
        }
        if !allowed.contains(&f.name.as_str()) {
            let mut msg = if allowed.is_empty() {
                format!("{kw} takes no flags; remove `--{}`.", f.name)
            } else {
                format!(
                    "{kw} has no flag `--{}`; it takes {}.",
                    f.name,
                    allowed.iter().map(|a| format!("--{a}")).collect::<Vec<_>>().join(", ")
                )
            };
            let sugg = did_you_mean(&f.name, allowed.iter().copied());
            if let Some(s) = sugg {
                msg = format!("{kw} has no flag `--{}`; did you mean `--{s}`?", f.name);
            }
            let fin = ctx.push(f.name_span.clone(), "docker/unknown-flag", msg);
            if let Some(s) = sugg {
                fin.fixes.push(Fix::replace(format!("Change to `--{s}`"), f.name_span.clone(), s));
            }
            continue;
        }
        if seen.contains(&f.name.as_str()) && !repeatable(&f.name) {
            let fin = ctx.push(
                f.span.clone(),
                "docker/duplicate-flag",
                format!("`--{}` is given twice; keep one.", f.name),
            );
            fin.fixes.push(Fix::replace(
                "Remove this flag",
                with_following_space(text, f.span.clone()),
                "",
            ));
        }
        seen.push(&f.name);
        if !bool_flag(&f.name) && f.value.as_deref().is_none_or(str::is_empty) {
            ctx.push(
                f.span.clone(),
                "docker/flag-missing-value",
                format!("`--{}` needs a value: `--{}=<value>`.", f.name, f.name),
            );
        }
    }

    let missing = |ctx: &mut Ctx<'_>, what: &str| {
        ctx.push(at.clone(), "docker/argument-count", format!("{kw} needs {what}."));
    };
    match inst.kind {
        Kind::From => {
            if n == 0 {
                missing(ctx, "an image: `FROM <image>:<tag> [AS <name>]`");
            } else if n == 2 || n > 3 || (n == 3 && !words[1].value.eq_ignore_ascii_case("as")) {
                ctx.push(
                    words[1].span.start..words[n - 1].span.end,
                    "docker/argument-count",
                    "FROM takes `<image> [AS <name>]`; remove the extra words.".into(),
                );
            }
        }
        Kind::Copy | Kind::Add => {
            let count = inst.args.json.as_ref().map_or(n, Vec::len);
            if count < 2 {
                missing(ctx, "a source and a destination: `<src>... <dest>`");
            }
        }
        Kind::Workdir
        | Kind::Maintainer
        | Kind::Run
        | Kind::Cmd
        | Kind::Entrypoint
        | Kind::Shell
        | Kind::Expose
        | Kind::Volume
        | Kind::Label
        | Kind::Arg
        | Kind::Env => {
            if n == 0
                && inst.args.json.as_ref().is_none_or(Vec::is_empty)
                && inst.heredocs.is_empty()
            {
                let what = match inst.kind {
                    Kind::Workdir => "a path",
                    Kind::Run | Kind::Cmd | Kind::Entrypoint => "a command",
                    Kind::Shell => "a JSON array, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
                    Kind::Expose => "a port",
                    Kind::Volume => "a path",
                    Kind::Arg => "a name: `ARG <name>[=<default>]`",
                    Kind::Env | Kind::Label => "`<key>=<value>`",
                    _ => "an argument",
                };
                missing(ctx, what);
            }
        }
        Kind::User | Kind::Stopsignal => {
            if n != 1 {
                missing(ctx, "exactly one argument");
            }
        }
        _ => {}
    }

    match inst.kind {
        Kind::Shell if n > 0 && inst.args.json.is_none() => {
            ctx.push(at.clone(), "docker/argument-count", "SHELL must be a JSON array, e.g. `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`.".into());
        }
        Kind::Env => {
            if n >= 2 && !words[0].value.contains('=') {
                let key = &words[0];
                let rest_start = words[1].span.start;
                let rest_end = words[n - 1].span.end;
                let rest = &text[rest_start..rest_end];
                let f = ctx.push(
                    key.span.clone(),
                    "docker/legacy-env-format",
                    format!(
                        "`ENV {} <value>` is the legacy form; write `ENV {}=<value>`.",
                        key.value, key.value
                    ),
                );
                if !rest.contains(['"', '\'', '\\', '\n']) {
                    f.fixes.push(Fix {
                        title: "Use `key=value`".into(),
                        edits: vec![Edit {
                            range: key.span.start..rest_end,
                            replacement: format!("{}=\"{}\"", key.value, rest),
                        }],
                    });
                }
            } else if n == 1 && !words[0].value.contains('=') {
                ctx.push(
                    at.clone(),
                    "docker/argument-count",
                    format!(
                        "ENV {} has no value: write `ENV {}=<value>`.",
                        words[0].value, words[0].value
                    ),
                );
            }
            for w in words {
                secret_name(ctx, w, "ENV");
                if !words[0].value.contains('=') {
                    break;
                }
            }
        }
        Kind::Arg => {
            for w in words {
                secret_name(ctx, w, "ARG");
            }
        }
        Kind::Maintainer if !in_onbuild => {
            let value = inst.args.text.trim().replace('\\', "\\\\").replace('"', "\\\"");
            let f = ctx.push(
                at.clone(),
                "docker/maintainer-deprecated",
                "MAINTAINER is deprecated; use `LABEL maintainer=\"...\"`.".into(),
            );
            if !inst.args.text.contains('\n') {
                f.fixes.push(Fix::replace(
                    "Use LABEL maintainer",
                    inst.span.clone(),
                    format!("LABEL maintainer=\"{value}\""),
                ));
            }
        }
        Kind::Workdir => {
            if let Some(w) = words.first() {
                let v = &w.value;
                let windows = v.len() >= 2
                    && v.as_bytes()[1] == b':'
                    && v.as_bytes()[0].is_ascii_alphabetic();
                if !v.starts_with('/') && !v.starts_with('$') && !windows && !v.starts_with('\\') {
                    ctx.push(w.span.clone(), "docker/relative-workdir", format!("WORKDIR `{v}` is relative to the previous WORKDIR; write an absolute path such as `/{v}`."));
                }
            }
        }
        Kind::Expose => {
            for w in words {
                if !valid_port(&w.value) {
                    ctx.push(w.span.clone(), "docker/invalid-port", format!("`{}` is not a port: write `<port>[/tcp|/udp|/sctp]` (0-65535) or a range `8000-8010`.", w.value));
                }
            }
        }
        Kind::Stopsignal => {
            if let Some(w) = words.first()
                && !valid_signal(&w.value)
            {
                ctx.push(
                    w.span.clone(),
                    "docker/invalid-signal",
                    format!(
                        "`{}` is not a signal: use a name such as SIGTERM or SIGINT, or a number.",
                        w.value
                    ),
                );
            }
        }
        Kind::Healthcheck => {
            let first = words.first().map(|w| w.value.to_ascii_uppercase());
            match first.as_deref() {
                Some("NONE") => {
                    if n > 1 || !inst.flags.is_empty() {
                        ctx.push(
                            at.clone(),
                            "docker/invalid-healthcheck",
                            "HEALTHCHECK NONE takes no flags or arguments.".into(),
                        );
                    }
                }
                Some("CMD") if n > 1 => {}
                _ => {
                    ctx.push(at.clone(), "docker/invalid-healthcheck", "HEALTHCHECK takes `NONE` or `CMD <command>`, e.g. `HEALTHCHECK CMD curl -f http://localhost/ || exit 1`.".into());
                }
            }
            for f in &inst.flags {
                let (Some(v), Some(span)) = (&f.value, &f.value_span) else { continue };
                if v.is_empty() || v.contains('$') {
                    continue;
                }
                match f.name.as_str() {
                    "interval" | "timeout" | "start-period" | "start-interval" => {
                        if parse_duration(v).is_none() {
                            ctx.push(span.clone(), "docker/invalid-duration", format!("`{v}` is not a duration: write a number with a unit, e.g. `30s`, `1m30s`, `500ms`."));
                        } else if parse_duration(v).is_some_and(|d| d > 0.0 && d < 0.001) {
                            ctx.push(
                                span.clone(),
                                "docker/invalid-duration",
                                format!("`{v}` is shorter than the minimum of 1ms."),
                            );
                        }
                    }
                    "retries" => {
                        if v.parse::<u32>().map_or(true, |r| r == 0) {
                            ctx.push(span.clone(), "docker/invalid-retries", format!("`--retries={v}`: write a positive whole number, e.g. `--retries=3`."));
                        }
                    }
                    _ => {}
                }
            }
        }
        Kind::From => {
            if let Some(w) = words.first() {
                for var in vars(&w.value) {
                    if !ctx.args.iter().any(|(n, _)| *n == var)
                        && !BUILTIN_ARGS.contains(&var.as_str())
                    {
                        ctx.push(w.span.clone(), "docker/undefined-arg-in-from", format!("`${var}` is not declared by an ARG before the first FROM, so it expands to nothing. Add `ARG {var}=<default>` at the top."));
                    }
                }
            }
        }
        _ => {}
    }

    if inst.args.bad_json && inst.kind.takes_json() {
        let t = &inst.args.text;
        let f = ctx.push(
            inst.args.span.clone(),
            "docker/json-single-quotes",
            if t.contains('\'') {
                format!("JSON form needs double quotes: as written Docker runs `{}` through /bin/sh -c. Use `\"` around each item.", t.trim())
            } else {
                "This is not a valid JSON array, so Docker runs it through /bin/sh -c. Write `[\"executable\", \"arg\"]`.".to_string()
            },
        );
        if t.contains('\'') && !t.contains('"') && !t.contains('\n') && !t.contains('\\') {
            f.fixes.push(Fix::replace(
                "Use double quotes",
                inst.args.span.clone(),
                t.replace('\'', "\""),
            ));
        }
    }

    for h in &inst.heredocs {
        if h.terminator_span.is_none() {
            ctx.push(
                h.marker_span.clone(),
                "docker/unterminated-heredoc",
                format!(
                    "The heredoc `{}` is never closed: add a line with just `{}` after its body.",
                    h.delimiter, h.delimiter
                ),
            );
        }
    }

    if matches!(inst.kind, Kind::Cmd | Kind::Entrypoint)
        && inst.args.json.is_none()
        && !inst.args.bad_json
        && n > 0
    {
        let f = ctx.push(
            at.clone(),
            "docker/exec-form-recommended",
            format!("{kw} in shell form runs under /bin/sh -c, which does not pass signals (docker stop, Slurm's SIGTERM) to your program. Use the JSON form."),
        );
        if let Some(json) = to_json(words) {
            f.fixes.push(Fix::replace("Use the JSON form", inst.args.span.clone(), json));
        }
    }
}

/// Variables the base images we meet commonly set with ENV, so that a global ARG of the
/// same name still has a value inside the stage.
const IMAGE_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "PYTHON_VERSION",
    "CUDA_VERSION",
    "CUDNN_VERSION",
    "NCCL_VERSION",
    "NV_CUDA_LIB_VERSION",
    "GOLANG_VERSION",
    "NODE_VERSION",
    "JAVA_VERSION",
    "R_VERSION",
    "CONDA_DIR",
    "PYTORCH_VERSION",
    "TENSORFLOW_VERSION",
    "NVIDIA_VISIBLE_DEVICES",
];

fn arg_scope(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let globals: Vec<String> = ctx.args.iter().map(|(n, _)| n.clone()).collect();
    if globals.is_empty() {
        return;
    }
    let mut reported: Vec<(usize, String)> = Vec::new();
    for (idx, inst) in df.instructions.iter().enumerate() {
        let Some(stage) = inst.stage else { continue };
        if matches!(inst.kind, Kind::From | Kind::Arg | Kind::Unknown) {
            continue;
        }
        let in_scope = df.args_in_scope(idx);
        // ENV set in this stage before here also defines the name.
        let env_defined = |name: &str| {
            df.instructions[df.stages[stage].from + 1..idx].iter().any(|i| {
                i.kind == Kind::Env
                    && i.args.words.iter().enumerate().any(|(k, w)| {
                        w.value.split('=').next() == Some(name) && (k == 0 || w.value.contains('='))
                    })
            })
        };
        let mut used: Vec<(String, Range<usize>)> = Vec::new();
        let words: Vec<&Word> =
            inst.args.words.iter().chain(inst.args.json.iter().flatten()).collect();
        for w in words {
            for v in vars(&w.raw) {
                used.push((v, w.span.clone()));
            }
        }
        for f in &inst.flags {
            if let (Some(v), Some(span)) = (&f.value, &f.value_span) {
                for name in vars(v) {
                    used.push((name, span.clone()));
                }
            }
        }
        for (name, span) in used {
            if !globals.contains(&name)
                || in_scope.contains(&name)
                || env_defined(&name)
                || IMAGE_ENV.contains(&name.as_str())
                || reported.contains(&(stage, name.clone()))
            {
                continue;
            }
            reported.push((stage, name.clone()));
            let from = &df.instructions[df.stages[stage].from];
            let line_end = ctx.text[from.span.end..]
                .find('\n')
                .map_or(ctx.text.len(), |i| from.span.end + i + 1);
            let insert = if line_end == ctx.text.len() && !ctx.text.ends_with('\n') {
                format!("\nARG {name}")
            } else {
                format!("ARG {name}\n")
            };
            let f = ctx.push(
                span,
                "docker/arg-not-in-scope",
                format!("`${name}` is a global ARG (declared before FROM), which is not visible inside a stage, so it is empty here. Re-declare it in this stage with `ARG {name}` after the FROM."),
            );
            f.fixes.push(Fix::replace(
                format!("Add `ARG {name}` to this stage"),
                line_end..line_end,
                insert,
            ));
        }
    }
}

fn to_json(words: &[Word]) -> Option<String> {
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

fn secret_name(ctx: &mut Ctx<'_>, w: &Word, kw: &str) {
    let name = w.value.split('=').next().unwrap_or("");
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let secretish = parts.iter().any(|p| {
        matches!(
            *p,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWORD"
                | "SECRET"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
                | "CREDENTIAL"
                | "AUTH"
        )
    }) || upper.contains("API_KEY")
        || upper.contains("ACCESS_KEY")
        || upper.contains("PRIVATE_KEY");
    if secretish && !upper.ends_with("_FILE") && !upper.ends_with("_PATH") {
        ctx.push(
            w.span.clone(),
            "docker/secret-in-arg-env",
            format!("{kw} `{name}` looks like a secret: {kw} values are stored in the image and its history. Use `RUN --mount=type=secret,id={}` instead.", name.to_ascii_lowercase()),
        );
    }
}

fn vars(s: &str) -> Vec<String> {
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

fn valid_port(v: &str) -> bool {
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

fn valid_signal(v: &str) -> bool {
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

fn delete_line(text: &str, span: Range<usize>) -> Fix {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i + 1);
    Fix::replace("Delete this line", start..end, "")
}

fn with_following_space(text: &str, span: Range<usize>) -> Range<usize> {
    let extra = text[span.end..].len() - text[span.end..].trim_start_matches([' ', '\t']).len();
    span.start..span.end + extra
}

// ---------------------------------------------------------------------------------
// Good practice.

fn practice(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let text = ctx.text;

    // Base images.
    for st in &df.stages {
        let raw = &st.image;
        if raw.is_empty() {
            continue;
        }
        let earlier_alias = df.stages[..st.index]
            .iter()
            .any(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(raw)));
        if earlier_alias || raw.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let Some(image) = expand(raw, &ctx.args) else { continue };
        let (name, tag, digest) = split_image(&image);
        let via =
            if image != *raw { format!(" (`{raw}` expands to `{image}`)") } else { String::new() };
        if digest.is_some() {
            continue;
        }
        match tag {
            None if !name.is_empty() => {
                ctx.push(st.image_span.clone(), "docker/untagged-image", format!("`{name}` has no tag{via}, so it means `latest` and changes under you. Pin a version, e.g. `{name}:<version>`."));
            }
            Some("latest") => {
                ctx.push(
                    st.image_span.clone(),
                    "docker/latest-tag",
                    format!(
                        "`{image}` uses `latest`{via}, which changes under you. Pin a version."
                    ),
                );
            }
            _ => {}
        }
    }

    // Shell state per stage: does SHELL set pipefail?
    let mut pipefail_shell = false;
    let mut cur_stage = None;
    let mut pip_no_cache_env = false;
    let mut prev_run: Option<(usize, usize)> = None; // (instruction idx, commands)

    for (idx, inst) in df.instructions.iter().enumerate() {
        if inst.stage != cur_stage {
            cur_stage = inst.stage;
            pipefail_shell = false;
            prev_run = None;
        }
        match inst.kind {
            Kind::Shell => {
                if let Some(j) = &inst.args.json {
                    let vals: Vec<&str> = j.iter().map(|w| w.value.as_str()).collect();
                    let exe =
                        vals.first().map_or("", |v| v.rsplit(['/', '\\']).next().unwrap_or(v));
                    pipefail_shell = vals.windows(2).any(|w| w[0] == "-o" && w[1] == "pipefail")
                        || vals.iter().any(|v| {
                            v.starts_with('-')
                                && !v.starts_with("--")
                                && v.contains('o')
                                && vals.contains(&"pipefail")
                        })
                        || matches!(
                            exe,
                            "pwsh"
                                | "powershell"
                                | "cmd"
                                | "cmd.exe"
                                | "powershell.exe"
                                | "pwsh.exe"
                        );
                }
            }
            Kind::Env | Kind::Arg => {
                if inst.args.words.iter().any(|w| w.value.starts_with("PIP_NO_CACHE_DIR")) {
                    pip_no_cache_env = true;
                }
            }
            _ => {}
        }
        let onbuild_run = inst.trigger.as_ref().is_some_and(|t| t.kind == Kind::Run);
        if !matches!(inst.kind, Kind::Run) && !onbuild_run {
            // Comments are not instructions, so they do not break a RUN sequence.
            prev_run = None;
            continue;
        }
        let cmds = ctx.cmds[idx].clone();
        let mount_targets: Vec<String> = inst
            .flags
            .iter()
            .filter(|f| f.name == "mount")
            .filter_map(|f| f.value.as_ref())
            .filter(|v| v.contains("type=cache"))
            .filter_map(|v| {
                v.split(',')
                    .find_map(|kv| {
                        kv.strip_prefix("target=")
                            .or(kv.strip_prefix("dst="))
                            .or(kv.strip_prefix("destination="))
                    })
                    .map(str::to_string)
            })
            .collect();

        // Consecutive RUNs (as hadolint 2.15: same flags, each a single command; RUNs
        // that chain commands were split on purpose).
        let count = cmds.len();
        let flags_key: Vec<&str> = inst.flags.iter().map(|f| &text[f.span.clone()]).collect();
        if let Some((p, pc)) = prev_run {
            let pflags: Vec<&str> =
                df.instructions[p].flags.iter().map(|f| &text[f.span.clone()]).collect();
            if !onbuild_run && pflags == flags_key && count <= 1 && pc <= 1 {
                ctx.push(inst.keyword_span.clone(), "docker/consecutive-run", format!("This RUN follows another (line {}): each RUN is a layer; join them with `&&`.", ctx.line(df.instructions[p].span.start)));
            }
        }
        prev_run = if onbuild_run { None } else { Some((idx, count)) };

        let mut has_apt_update = false;
        let mut cleans_lists = false;
        let mut conda_install = None;
        let mut conda_clean = false;
        let mut has_pipe = false;
        let mut sets_pipefail = false;
        let mut pkg_installs: Vec<(String, Range<usize>)> = Vec::new();
        let mut pkg_cleans: Vec<String> = Vec::new();
        for c in &cmds {
            if c.sep == Sep::Pipe {
                has_pipe = true;
            }
            let w = c.unwrapped();
            let Some(first) = w.first() else { continue };
            let prog = first.value.rsplit('/').next().unwrap_or("");
            if prog == "set"
                && w.iter().any(|x| x.value == "pipefail" || x.value.contains("pipefail"))
            {
                sets_pipefail = true;
            }
            if c.words.first().is_some_and(|x| x.value == "sudo") {
                ctx.push(c.words[0].span.clone(), "docker/sudo", "RUN already runs as root (or as USER); `sudo` adds a TTY/password prompt risk. Drop `sudo`, or switch with USER.".into());
            }
            if prog == "cd" {
                ctx.push(first.span.clone(), "docker/cd-in-run", "`cd` lasts only for this RUN; use `WORKDIR /path` to change directory for the following instructions.".into());
            }
            match prog {
                "apt-get" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    let sub_v = sub.map(|x| x.value.as_str());
                    if sub_v == Some("update") {
                        has_apt_update = true;
                    }
                    if sub_v == Some("install") {
                        let sub = sub.expect("checked");
                        let yes =
                            w.iter().any(|x| {
                                let v = x.value.as_str();
                                matches!(
                                    v,
                                    "-y" | "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2"
                                ) || (v.starts_with('-') && !v.starts_with("--") && v.contains('y'))
                            }) || c.assignments.iter().any(|a| a.value.starts_with("APT_GET_YES"));
                        if !yes {
                            let f = ctx.push(sub.span.clone(), "docker/apt-get-missing-yes", "`apt-get install` asks for confirmation and the build has no terminal: add `-y`.".into());
                            f.fixes.push(Fix::replace(
                                "Add `-y`",
                                sub.span.end..sub.span.end,
                                " -y",
                            ));
                        }
                        let norec = w.iter().any(|x| {
                            x.value == "--no-install-recommends"
                                || x.value.contains("Install-Recommends=false")
                                || x.value.contains("Install-Recommends=0")
                        });
                        if !norec {
                            let f = ctx.push(sub.span.clone(), "docker/apt-missing-no-install-recommends", "`apt-get install` also installs recommended packages, which bloats the image: add `--no-install-recommends`.".into());
                            f.fixes.push(Fix::replace(
                                "Add `--no-install-recommends`",
                                sub.span.end..sub.span.end,
                                " --no-install-recommends",
                            ));
                        }
                    }
                }
                "apt" => {
                    if w[1..].iter().any(|x| x.value == "update") {
                        has_apt_update = true;
                    }
                    let f = ctx.push(
                        first.span.clone(),
                        "docker/use-apt-get",
                        "`apt` has no stable command-line interface for scripts; use `apt-get`."
                            .into(),
                    );
                    f.fixes.push(Fix::replace("Use `apt-get`", first.span.clone(), "apt-get"));
                }
                "rm" => {
                    let recursive = w[1..].iter().any(|x| {
                        x.value.starts_with('-') && (x.value.contains('r') || x.value.contains('R'))
                    });
                    if recursive && w[1..].iter().any(|x| x.value.starts_with("/var/lib/apt/lists"))
                    {
                        cleans_lists = true;
                    }
                    if w[1..].iter().any(|x| x.value.starts_with("/var/cache/yum")) {
                        pkg_cleans.push("yum".into());
                    }
                    if w[1..].iter().any(|x| {
                        x.value.starts_with("/var/cache/dnf")
                            || x.value.starts_with("/var/cache/yum")
                    }) {
                        pkg_cleans.push("dnf".into());
                    }
                }
                "yum" | "dnf" | "microdnf" | "tdnf" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    if matches!(
                        sub.map(|x| x.value.as_str()),
                        Some("install" | "groupinstall" | "localinstall" | "reinstall")
                    ) {
                        let sub = sub.expect("checked");
                        let yes = w.iter().any(|x| {
                            matches!(x.value.as_str(), "-y" | "--assumeyes" | "--yes")
                                || (x.value.starts_with('-')
                                    && !x.value.starts_with("--")
                                    && x.value.contains('y'))
                        });
                        let (code, tool) = if prog == "yum" {
                            ("docker/yum-missing-yes", "yum")
                        } else {
                            ("docker/dnf-missing-yes", "dnf")
                        };
                        if !yes && prog != "microdnf" {
                            let f = ctx.push(sub.span.clone(), code, format!("`{tool} install` asks for confirmation and the build has no terminal: add `-y`."));
                            f.fixes.push(Fix::replace(
                                "Add `-y`",
                                sub.span.end..sub.span.end,
                                " -y",
                            ));
                        }
                        pkg_installs.push((prog.to_string(), sub.span.clone()));
                    }
                    if sub.is_some_and(|x| x.value == "clean") {
                        pkg_cleans.push(prog.to_string());
                    }
                }
                "apk" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    if sub.is_some_and(|x| x.value == "add")
                        && !w.iter().any(|x| x.value == "--no-cache")
                        && !mount_targets.iter().any(|t| {
                            t.starts_with("/var/cache/apk") || t.starts_with("/etc/apk/cache")
                        })
                    {
                        let sub = sub.expect("checked");
                        let f = ctx.push(
                            sub.span.clone(),
                            "docker/apk-no-cache",
                            "`apk add` keeps its package index in the image: add `--no-cache`."
                                .into(),
                        );
                        f.fixes.push(Fix::replace(
                            "Add `--no-cache`",
                            sub.span.end..sub.span.end,
                            " --no-cache",
                        ));
                    }
                }
                "conda" | "mamba" | "micromamba" => {
                    let sub =
                        w[1..].iter().find(|x| !x.value.starts_with('-')).map(|x| x.value.as_str());
                    if matches!(sub, Some("install" | "create" | "update"))
                        && conda_install.is_none()
                    {
                        conda_install = Some(first.span.clone());
                    }
                    if sub == Some("clean") {
                        conda_clean = true;
                    }
                }
                _ => {}
            }
            if let Some(pip) = pip_install(w) {
                let install = &w[pip];
                let args = &w[pip + 1..];
                let no_cache = args.iter().any(|x| x.value == "--no-cache-dir")
                    || pip_no_cache_env
                    || c.assignments.iter().any(|a| a.value.starts_with("PIP_NO_CACHE_DIR="))
                    || mount_targets
                        .iter()
                        .any(|t| t.contains(".cache/pip") || t.ends_with(".cache"));
                if !no_cache {
                    let f = ctx.push(
                        install.span.clone(),
                        "docker/pip-no-cache-dir",
                        "pip keeps its download cache in the image: add `--no-cache-dir`.".into(),
                    );
                    f.fixes.push(Fix::replace(
                        "Add `--no-cache-dir`",
                        install.span.end..install.span.end,
                        " --no-cache-dir",
                    ));
                }
                pip_unpinned(ctx, args);
            }
        }
        if has_pipe && !pipefail_shell && !sets_pipefail && inst.args.json.is_none() {
            ctx.push(inst.keyword_span.clone(), "docker/pipefail", "A pipe's status is its last command's, so a failing first command goes unnoticed. Put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (or start it with `set -o pipefail &&` in bash).".into());
        }
        let lists_cached = mount_targets.iter().any(|t| t.starts_with("/var/lib/apt"));
        let stage_matters = inst.stage.is_some_and(|s| {
            s + 1 == df.stages.len()
                || df.stages[s].name.as_deref().is_some_and(|n| {
                    df.stages[s + 1..].iter().any(|o| o.image.eq_ignore_ascii_case(n))
                })
        });
        if has_apt_update && !cleans_lists && !lists_cached && stage_matters {
            let f = ctx.push(inst.keyword_span.clone(), "docker/apt-lists-not-cleaned", "`apt-get update` leaves its package lists (tens of MB) in this layer: end this RUN with `&& rm -rf /var/lib/apt/lists/*`.".into());
            if inst.heredocs.is_empty()
                && inst.args.json.is_none()
                && cmds.last().is_some_and(|c| c.sep == Sep::End)
            {
                f.fixes.push(Fix::replace(
                    "Remove the apt lists",
                    inst.args.span.end..inst.args.span.end,
                    " \\\n    && rm -rf /var/lib/apt/lists/*",
                ));
            }
        }
        for (tool, span) in &pkg_installs {
            let family = if tool == "yum" { "yum" } else { "dnf" };
            let cached = mount_targets
                .iter()
                .any(|t| t.starts_with("/var/cache/yum") || t.starts_with("/var/cache/dnf"));
            if !cached
                && !pkg_cleans.iter().any(|c| {
                    c == tool || (family == "dnf" && c != "yum") || (family == "yum" && c == "yum")
                })
            {
                let code =
                    if family == "yum" { "docker/yum-no-clean" } else { "docker/dnf-no-clean" };
                ctx.push(span.clone(), code, format!("`{tool} install` leaves its cache in this layer: end this RUN with `&& {tool} clean all`."));
            }
        }
        if let Some(span) = conda_install
            && !conda_clean
        {
            ctx.push(span, "docker/conda-no-clean", "conda keeps downloaded packages and tarballs in the image: end this RUN with `&& conda clean -afy`.".into());
        }
    }

    // ADD for local files.
    for inst in &df.instructions {
        if inst.kind != Kind::Add {
            continue;
        }
        let items: Vec<&Word> = match &inst.args.json {
            Some(j) => j.iter().collect(),
            None => inst.args.words.iter().collect(),
        };
        if items.len() < 2 || !inst.heredocs.is_empty() {
            continue;
        }
        let srcs = &items[..items.len() - 1];
        let remote_or_archive = srcs.iter().any(|w| {
            let v = w.value.to_ascii_lowercase();
            v.contains("://")
                || v.starts_with("git@")
                || [
                    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz",
                    ".tar.zst", ".gz", ".bz2", ".xz", ".zst", ".tb2", ".taz", ".tz2", ".lz",
                    ".lzma", ".tlz", ".z", ".tar.z",
                ]
                .iter()
                .any(|e| v.ends_with(e))
                || v.contains('$')
        });
        if !remote_or_archive
            && !inst.flags.iter().any(|f| f.name == "checksum" || f.name == "keep-git-dir")
        {
            let f = ctx.push(inst.keyword_span.clone(), "docker/add-instead-of-copy", "ADD of local files behaves like COPY but also extracts archives and fetches URLs; use COPY to say what you mean.".into());
            f.fixes.push(Fix::replace(
                "Use COPY",
                inst.keyword_span.clone(),
                if inst.keyword.chars().all(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" },
            ));
        }
    }
}

/// Index of `install` if the words are a `pip install` (pip, pip3, pip3.11,
/// `python -m pip`, `uv pip`).
fn pip_install(w: &[shell::ShWord]) -> Option<usize> {
    let prog = w.first()?.value.rsplit('/').next()?;
    let is_pip = |s: &str| s == "pip" || s.starts_with("pip3") || s.starts_with("pip2");
    let mut i = if is_pip(prog) {
        1
    } else if prog.starts_with("python") {
        let m = w.iter().position(|x| x.value == "-m")?;
        if !w.get(m + 1).is_some_and(|x| is_pip(&x.value)) {
            return None;
        }
        m + 2
    } else {
        return None;
    };
    while w.get(i).is_some_and(|x| x.value.starts_with('-')) {
        i += 1;
    }
    (w.get(i)?.value == "install").then_some(i)
}

fn pip_unpinned(ctx: &mut Ctx<'_>, args: &[shell::ShWord]) {
    let mut skip_next = false;
    for (k, a) in args.iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        let v = a.value.as_str();
        if v.starts_with('-') {
            // Options taking a value: skip it. `-r/-c/-e` make the rest not packages.
            if matches!(
                v,
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-e"
                    | "--editable"
                    | "-i"
                    | "--index-url"
                    | "--extra-index-url"
                    | "-f"
                    | "--find-links"
                    | "--target"
                    | "-t"
                    | "--prefix"
                    | "--root"
                    | "--platform"
                    | "--python-version"
                    | "--implementation"
                    | "--abi"
                    | "--trusted-host"
                    | "--src"
                    | "--upgrade-strategy"
                    | "--progress-bar"
                    | "--cache-dir"
                    | "--log"
                    | "--proxy"
                    | "--timeout"
                    | "--retries"
                    | "--config-settings"
                    | "-C"
                    | "--global-option"
                    | "--no-binary"
                    | "--only-binary"
            ) {
                skip_next = true;
            }
            continue;
        }
        let _ = k;
        let is_pkg_spec = !v.contains('/')
            && !v.starts_with('.')
            && !v.contains("://")
            && !v.ends_with(".whl")
            && !v.ends_with(".tar.gz")
            && !v.ends_with(".zip");
        if !is_pkg_spec {
            continue;
        }
        if !v.contains(['=', '<', '>', '~', '@', '!']) {
            ctx.push(a.span.clone(), "docker/pip-unpinned", format!("`{v}` has no version, so rebuilds may install a different one: pin it, e.g. `{v}==<version>` (or use a requirements file)."));
        }
    }
}

// ---------------------------------------------------------------------------------
// Apptainer / Singularity.

const CACHE_VARS: &[&str] = &[
    "HF_HOME",
    "HF_DATASETS_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "TORCH_HOME",
    "TORCH_EXTENSIONS_DIR",
    "XDG_CACHE_HOME",
    "MPLCONFIGDIR",
    "WANDB_DIR",
    "WANDB_CACHE_DIR",
    "TRITON_CACHE_DIR",
    "NUMBA_CACHE_DIR",
    "CUDA_CACHE_PATH",
    "JUPYTER_RUNTIME_DIR",
    "TFHUB_CACHE_DIR",
    "KERAS_HOME",
    "DATA_DIR",
    "OUTPUT_DIR",
];

fn home_path(v: &str) -> bool {
    let v = v.trim_matches(['"', '\'']);
    v == "/root"
        || v.starts_with("/root/")
        || v.starts_with("/home/")
        || v == "/home"
        || v.starts_with("~/")
        || v == "~"
        || v.starts_with("$HOME")
        || v.starts_with("${HOME}")
}

fn apptainer(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let Some(last) = df.stages.len().checked_sub(1) else { return };
    let final_insts: Vec<usize> = df.stages[last].instructions.clone().collect();

    // Runtime metadata of the final stage.
    let mut last_workdir = None;
    for &i in &final_insts {
        let inst = &df.instructions[i];
        let at = inst.keyword_span.clone();
        match inst.kind {
            Kind::User => {
                let who = inst.args.text.trim();
                ctx.push(at, "apptainer/user-ignored", format!("Apptainer ignores USER: the container runs as your own cluster user, not `{who}`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `{who}`."));
            }
            Kind::Workdir => last_workdir = Some(i),
            Kind::Expose => {
                ctx.push(at, "apptainer/expose-no-effect", "EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job).".into());
            }
            Kind::Volume => {
                ctx.push(at, "apptainer/volume-no-effect", "VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`.".into());
            }
            Kind::Healthcheck if last_of(df, &final_insts, i) => {
                ctx.push(at, "apptainer/healthcheck-no-effect", "HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.".into());
            }
            Kind::Stopsignal => {
                ctx.push(at, "apptainer/stopsignal-no-effect", "STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal.".into());
            }
            Kind::Entrypoint if last_of(df, &final_insts, i) => {
                ctx.push(at, "apptainer/entrypoint-bypassed", "`apptainer exec IMAGE cmd` runs cmd directly and skips ENTRYPOINT (only `apptainer run` uses it). If it sets things up (activating an environment, exporting variables), do that with ENV so every command gets it.".into());
            }
            Kind::Cmd if last_of(df, &final_insts, i) => {
                ctx.push(at, "apptainer/cmd-bypassed", "`apptainer exec` ignores CMD: it is only the default for `apptainer run`. Give the command explicitly in the job script.".into());
            }
            _ => {}
        }
    }
    if let Some(i) = last_workdir {
        let inst = &df.instructions[i];
        let dir = inst.args.text.trim().to_string();
        let mut msg = format!(
            "`apptainer exec` starts in your current host directory, not in WORKDIR `{dir}`: pass `--pwd {dir}` (or `cd {dir}` in the job's command)."
        );
        if home_path(&dir) {
            msg.push_str(" Also, this path is under a home directory, which Apptainer replaces with your host home.");
        }
        ctx.push(inst.keyword_span.clone(), "apptainer/workdir-ignored", msg);
    }

    // Content of the final image.
    let mut first_python_install: Option<usize> = None;
    let mut nousersite = false;
    for (idx, inst) in df.instructions.iter().enumerate() {
        if !ctx.in_final(inst) {
            continue;
        }
        match inst.kind {
            Kind::Copy | Kind::Add => {
                let items: Vec<&Word> = match &inst.args.json {
                    Some(j) => j.iter().collect(),
                    None => inst.args.words.iter().collect(),
                };
                if items.len() >= 2
                    && let Some(dest) = items.last()
                    && home_path(&dest.value)
                {
                    ctx.push(
                        dest.span.clone(),
                        "apptainer/home-bound-over",
                        home_message(&dest.value, "files copied there"),
                    );
                }
            }
            Kind::Workdir if ctx.is_final_stage(inst) => {}
            Kind::Env => {
                for w in &inst.args.words {
                    let Some((k, v)) = w.value.split_once('=') else { continue };
                    if k == "PYTHONNOUSERSITE" && !v.is_empty() {
                        nousersite = true;
                    }
                    if CACHE_VARS.contains(&k)
                        && v.starts_with('/')
                        && !v.starts_with("/tmp")
                        && !v.starts_with("/scratch")
                        && !v.starts_with("/dev/shm")
                        && !home_path(v)
                    {
                        ctx.push(w.span.clone(), "apptainer/read-only-image", format!("`{k}` points into the image ({v}), which is read-only under Apptainer, so writes there fail at run time. Point it at $HOME, /tmp or a directory you --bind (e.g. a scratch path)."));
                    }
                    if k == "PATH" && v.split(':').any(home_path) {
                        ctx.push(
                            w.span.clone(),
                            "apptainer/home-bound-over",
                            home_message(v, "programs on this PATH"),
                        );
                    }
                }
            }
            Kind::Run => {
                let cmds = ctx.cmds[idx].clone();
                let mut flagged_home = false;
                for c in &cmds {
                    let w = c.unwrapped();
                    let Some(first) = w.first() else { continue };
                    let prog = first.value.rsplit('/').next().unwrap_or("");
                    if pip_install(w).is_some() || matches!(prog, "conda" | "mamba" | "micromamba")
                    {
                        first_python_install.get_or_insert(idx);
                    }
                    if let Some(p) = pip_install(w) {
                        for x in &w[p + 1..] {
                            if x.value == "--user" {
                                let range = with_following_space(ctx.text, x.span.clone());
                                let f = ctx.push(x.span.clone(), "apptainer/pip-user", "`pip install --user` installs into ~/.local of the build user; under Apptainer $HOME is your host home, so these packages vanish. Drop `--user` (install system-wide or into a venv under /opt).".into());
                                f.fixes.push(Fix::replace("Remove `--user`", range, ""));
                            }
                        }
                    }
                    if prog == "chmod"
                        && w[1..].iter().any(|x| {
                            let m = x.value.as_str();
                            m.ends_with("777")
                                || m.ends_with("666")
                                || m.contains("a+w")
                                || m.contains("o+w")
                                || m == "+w"
                                || m.contains("ugo+w")
                        })
                        && let Some(target) = w[1..]
                            .iter()
                            .rev()
                            .find(|x| x.value.starts_with('/') && !x.value.starts_with("/tmp"))
                    {
                        ctx.push(target.span.clone(), "apptainer/read-only-image", format!("Making {} writable does not help under Apptainer: the image is read-only at run time. Write to $HOME, /tmp or a host directory bound there with `--bind /scratch/...:{}` (or run with --writable-tmpfs for scratch space).", target.value, target.value));
                    }
                    if flagged_home
                        || matches!(
                            prog,
                            "rm" | "echo"
                                | "printf"
                                | "test"
                                | "["
                                | "ls"
                                | "cat"
                                | "chmod"
                                | "chown"
                        )
                    {
                        // Cleanups and reads do not leave files behind.
                        if matches!(prog, "echo" | "printf") {
                            // `echo ... >> ~/.bashrc`: the redirection target is the next word.
                            if let Some(t) = w
                                .iter()
                                .position(|x| x.value == ">>" || x.value == ">")
                                .and_then(|p| w.get(p + 1))
                                && home_path(&t.value)
                                && !flagged_home
                            {
                                ctx.push(
                                    t.span.clone(),
                                    "apptainer/home-bound-over",
                                    home_message(&t.value, "this file"),
                                );
                                flagged_home = true;
                            }
                        }
                        continue;
                    }
                    // Miniconda/Miniforge installers default to ~/miniconda3 without -p.
                    if (prog == "bash" || prog == "sh")
                        && w.get(1).is_some_and(|x| {
                            let v = x.value.to_ascii_lowercase();
                            (v.contains("conda")
                                || v.contains("miniforge")
                                || v.contains("mambaforge"))
                                && v.ends_with(".sh")
                        })
                        && !w.iter().any(|x| x.value == "-p")
                    {
                        ctx.push(w[1].span.clone(), "apptainer/home-bound-over", "The conda installer without `-p` installs into ~/miniconda3 (/root/...), which is hidden under Apptainer (your host home is mounted as $HOME). Install with `-b -p /opt/conda`.".into());
                        flagged_home = true;
                        continue;
                    }
                    for x in &w[1..] {
                        let v = x.value.trim_start_matches('-');
                        let v = v.split_once('=').map_or(v, |(_, b)| b);
                        if home_path(v) && !v.contains(".cache") {
                            ctx.push(
                                x.span.clone(),
                                "apptainer/home-bound-over",
                                home_message(v, "what this installs there"),
                            );
                            flagged_home = true;
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(idx) = first_python_install
        && !nousersite
    {
        let inst = &df.instructions[idx];
        let line_start = ctx.text[..inst.span.start].rfind('\n').map_or(0, |i| i + 1);
        let f = ctx.push(
            inst.keyword_span.clone(),
            "apptainer/host-env-leaks",
            "Apptainer passes the host environment in and mounts your home, so a host PYTHONPATH or packages in ~/.local shadow the image's. Set `ENV PYTHONNOUSERSITE=1` in the image (and run with --cleanenv if host variables interfere).".into(),
        );
        f.fixes.push(Fix::replace(
            "Add `ENV PYTHONNOUSERSITE=1`",
            line_start..line_start,
            "ENV PYTHONNOUSERSITE=1\n",
        ));
    }
}

/// Whether instruction `i` is the last of its kind among `insts`.
fn last_of(df: &Dockerfile, insts: &[usize], i: usize) -> bool {
    let kind = df.instructions[i].kind;
    insts.iter().rev().find(|&&j| df.instructions[j].kind == kind) == Some(&i)
}

fn home_message(path: &str, what: &str) -> String {
    let p = path.trim_matches(['"', '\'']);
    let file = p.rsplit('/').next().unwrap_or(p);
    if matches!(file, ".bashrc" | ".bash_profile" | ".profile" | ".zshrc") {
        return format!(
            "Nothing in {p} runs under Apptainer: `apptainer exec` starts no login or interactive shell, and $HOME is your host home anyway. Put the setup in ENV instead (e.g. `ENV PATH=/opt/conda/envs/NAME/bin:$PATH` rather than `conda activate NAME`)."
        );
    }
    if p.starts_with("/root") {
        format!(
            "Under Apptainer you run as yourself, not root: /root is unreadable and $HOME is your host home, so {what} ({p}) cannot be used. Install under /opt (or /usr/local) instead."
        )
    } else if p.starts_with("/home") {
        format!(
            "Apptainer binds your host home directory, and many clusters bind all of /home, so {what} ({p}) may be hidden at run time. Install under /opt (or /usr/local) instead."
        )
    } else {
        format!(
            "Under Apptainer $HOME is your host home, mounted over the image's, so {what} ({p}) will not be there at run time. Install under /opt (or /usr/local) instead."
        )
    }
}

// ---------------------------------------------------------------------------------
// GPU.

const GPU_PACKAGES: &[&str] = &[
    "torch",
    "tensorflow",
    "jax",
    "cupy",
    "pytorch",
    "tensorflow-gpu",
    "nvidia-",
    "triton",
    "vllm",
    "flash-attn",
    "xformers",
    "deepspeed",
    "apex",
    "cudatoolkit",
    "pytorch-cuda",
];

fn gpu(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let Some(&root) = ctx.final_chain.last() else { return };
    let st: &Stage = &df.stages[root];
    let image = expand(&st.image, &ctx.args).unwrap_or_else(|| st.image.clone());

    // Where the CUDA version comes from: base image, then pip wheels / ENV.
    let mut cuda: Option<((u32, u32), Range<usize>, String)> = cuda::image_cuda(&image)
        .map(|v| (v, st.image_span.clone(), format!("base image `{image}`")));
    let mut gpu_framework = false;
    for (idx, inst) in df.instructions.iter().enumerate() {
        if !ctx.in_final(inst) {
            continue;
        }
        for c in &ctx.cmds[idx] {
            let w = c.unwrapped();
            let installs = pip_install(w).is_some()
                || (w
                    .first()
                    .is_some_and(|f| matches!(f.value.as_str(), "conda" | "mamba" | "micromamba")));
            if !installs {
                continue;
            }
            for x in w {
                let v = x.value.to_ascii_lowercase();
                let pkg = v.split(['=', '<', '>', '~', '[', '+']).next().unwrap_or("");
                if GPU_PACKAGES
                    .iter()
                    .any(|g| if g.ends_with('-') { pkg.starts_with(g) } else { pkg == *g })
                {
                    gpu_framework = true;
                }
                if cuda.is_none()
                    && (v.contains("download.pytorch.org")
                        || v.contains("+cu")
                        || v.starts_with("pytorch-cuda=")
                        || v.starts_with("cudatoolkit="))
                {
                    let ver = cuda::cu_code(&v).or_else(|| {
                        v.split_once('=').and_then(|(_, r)| {
                            let mut it = r.trim_start_matches('=').split('.');
                            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
                        })
                    });
                    if let Some(ver) = ver {
                        cuda = Some((ver, x.span.clone(), format!("`{}`", x.value)));
                    }
                }
            }
        }
        if inst.kind == Kind::Env && cuda.is_none() {
            for w in &inst.args.words {
                if let Some(v) = w.value.strip_prefix("CUDA_VERSION=") {
                    let mut it = v.split('.');
                    if let (Some(Ok(a)), Some(Ok(b))) =
                        (it.next().map(str::parse::<u32>), it.next().map(str::parse::<u32>))
                    {
                        cuda = Some(((a, b), w.span.clone(), format!("`{}`", w.value)));
                    }
                }
            }
        }
    }

    let facts_gpu = ctx
        .facts
        .is_some_and(|f| f.gpu_driver.is_some() || f.partitions.iter().any(|p| !p.gpus.is_empty()));
    let base_has_cuda = cuda::image_cuda(&image).is_some()
        || image.contains("nvidia")
        || image.contains("cuda")
        || image.contains("-gpu")
        || image.contains("rocm");
    if !base_has_cuda
        && (facts_gpu || gpu_framework)
        && !image.contains('$')
        && !image.is_empty()
        && !image.eq_ignore_ascii_case("scratch")
    {
        ctx.push(
            st.image_span.clone(),
            "gpu/base-without-cuda",
            format!("`{image}` has no CUDA. PyTorch/JAX pip wheels bring their own CUDA runtime, but anything built against CUDA (nvcc, custom kernels, system cuDNN) needs a CUDA base such as `nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04`. Run with `apptainer exec --nv` either way."),
        );
    }

    let Some(driver_s) = ctx.facts.and_then(|f| f.gpu_driver.as_deref()) else { return };
    let Some(driver) = cuda::parse_driver(driver_s) else { return };
    let Some(((major, minor), span, source)) = cuda else { return };
    let Some(need) = cuda::min_driver(major, minor) else { return };
    if driver >= need {
        return;
    }
    let need_s = format!("{}.{}.{:02}", need[0], need[1], need[2]);
    let floor = cuda::compat_floor(major);
    let newest_ok = newest_cuda(driver);
    let suggest = newest_ok.map_or(String::new(), |(a, b)| {
        format!(" The newest CUDA this driver fully supports is {a}.{b}.")
    });
    if floor.is_some_and(|f| driver >= f) {
        let f = ctx.push(
            span,
            "gpu/cuda-too-new",
            format!("{source} uses CUDA {major}.{minor}, which needs NVIDIA driver {need_s} or newer; the cluster has {driver_s}. It runs only through CUDA minor-version compatibility (no PTX JIT, so kernels not built for the GPU fail).{suggest}"),
        );
        f.severity = Severity::Warning;
    } else {
        ctx.push(
            span,
            "gpu/cuda-too-new",
            format!("{source} uses CUDA {major}.{minor}, which needs NVIDIA driver {need_s} or newer; the cluster's driver is {driver_s}, so CUDA will fail to initialise (\"driver version is insufficient\").{suggest}"),
        );
    }
}

fn newest_cuda(driver: [u32; 3]) -> Option<(u32, u32)> {
    let mut best = None;
    for major in [9u32, 10, 11, 12, 13] {
        for minor in 0..10 {
            if let Some(d) = cuda::min_driver(major, minor)
                && d <= driver
                && exact_entry(major, minor)
            {
                best = Some((major, minor));
            }
        }
    }
    best
}

fn exact_entry(major: u32, minor: u32) -> bool {
    // min_driver falls back to the newest minor of a major; only count real entries.
    minor == 0 || cuda::min_driver(major, minor) != cuda::min_driver(major, minor - 1)
}
