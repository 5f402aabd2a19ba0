//! What BuildKit accepts: directives, FROM, casing, stages, COPY --from, repeated
//! CMD/ENTRYPOINT/HEALTHCHECK.

use super::*;
use super::{args::*, instruction::*};
use clusterls_core::Rule;

pub(crate) const COPY_FROM_SELF: Rule = Rule {
    explanation: "`COPY --from` names the stage the COPY is in; a stage cannot copy from itself and BuildKit refuses it. Copy from an earlier stage.",
    aliases: &["DL3023"],
    ..Rule::new("docker/copy-from-self", Severity::Error, "COPY --from names its own stage.")
};

pub(crate) const COPY_FROM_UNKNOWN_STAGE: Rule = Rule {
    explanation: "`COPY --from=x` names no earlier stage, so Docker treats `x` as an image to pull (or, for a number, refuses it). Usually a typo or a stage defined later. Name an earlier stage, move the stage up, or write the image with its tag.",
    aliases: &["DL3022"],
    ..Rule::new(
        "docker/copy-from-unknown-stage",
        Severity::Warning,
        "COPY --from names no earlier stage.",
    )
};

pub(crate) const DUPLICATE_STAGE_NAME: Rule = Rule {
    explanation: "Two stages share one name, so `COPY --from=name` and `--target` cannot tell them apart and BuildKit refuses the file. Give each stage its own name.",
    aliases: &["DL3024"],
    ..Rule::new("docker/duplicate-stage-name", Severity::Error, "Two stages with one name.")
};

pub(crate) const EMPTY_CONTINUATION_LINE: Rule = Rule {
    explanation: "An empty line inside a `\\`-continued instruction is skipped by BuildKit with a warning and is deprecated (it will become an error). Delete the empty line, or end the instruction before it.",
    ..Rule::new(
        "docker/empty-continuation-line",
        Severity::Warning,
        "Empty line inside a continuation (deprecated).",
    )
};

pub(crate) const INCONSISTENT_CASING: Rule = Rule {
    explanation: "Instruction keywords are case-insensitive, but mixing `RUN` and `run` (or `FROM x as y` with upper-case keywords) is hard to read and BuildKit warns about it. Use one casing; the majority of the file wins.",
    ..Rule::new(
        "docker/inconsistent-casing",
        Severity::Warning,
        "Instruction keywords should all be upper case (or all lower case).",
    )
};

pub(crate) const INSTRUCTION_BEFORE_FROM: Rule = Rule {
    explanation: "Only ARG (and parser directives) may come before the first FROM; anything else makes BuildKit refuse the file. Move the instruction after FROM.",
    ..Rule::new(
        "docker/instruction-before-from",
        Severity::Error,
        "Only ARG may come before the first FROM.",
    )
};

pub(crate) const INVALID_DIRECTIVE: Rule = Rule {
    explanation: "A parser directive (`# syntax=`, `# escape=`, `# check=`) is given twice or has an invalid value (escape must be `\\` or `` ` ``); BuildKit refuses the file. Keep one valid directive.",
    ..Rule::new("docker/invalid-directive", Severity::Error, "Bad or duplicate parser directive.")
};

pub(crate) const INVALID_ONBUILD: Rule = Rule {
    explanation: "ONBUILD cannot register FROM, MAINTAINER or another ONBUILD; BuildKit refuses it. Remove the instruction or register another one.",
    ..Rule::new(
        "docker/invalid-onbuild",
        Severity::Error,
        "ONBUILD cannot register FROM, MAINTAINER or ONBUILD.",
    )
};

pub(crate) const INVALID_STAGE_NAME: Rule = Rule {
    explanation: "Stage names (`FROM image AS name`) must start with a letter and use only letters, digits, `-`, `_` and `.`; `scratch` and `context` are reserved. BuildKit refuses other names. Rename the stage (and its `--from=` uses).",
    ..Rule::new(
        "docker/invalid-stage-name",
        Severity::Error,
        "Stage names start with a letter and use a-z, 0-9, `-`, `_`, `.`.",
    )
};

pub(crate) const MISPLACED_DIRECTIVE: Rule = Rule {
    explanation: "Parser directives are only read at the very top of the file, before any comment, blank line or instruction; further down `# escape=` is an ordinary comment and silently has no effect. Move it to the first lines.",
    ..Rule::new(
        "docker/misplaced-directive",
        Severity::Warning,
        "A parser directive after the top of the file is only a comment.",
    )
};

pub(crate) const MULTIPLE_CMD: Rule = Rule {
    explanation: "Only the last CMD of a stage takes effect; earlier ones are dead code that misleads readers. Delete all but the last.",
    aliases: &["DL4003"],
    ..Rule::new(
        "docker/multiple-cmd",
        Severity::Warning,
        "Only the last CMD of a stage takes effect.",
    )
};

pub(crate) const MULTIPLE_ENTRYPOINT: Rule = Rule {
    explanation: "Only the last ENTRYPOINT of a stage takes effect; earlier ones are dead code that misleads readers. Delete all but the last.",
    aliases: &["DL4004"],
    ..Rule::new(
        "docker/multiple-entrypoint",
        Severity::Warning,
        "Only the last ENTRYPOINT of a stage takes effect.",
    )
};

pub(crate) const MULTIPLE_HEALTHCHECK: Rule = Rule {
    explanation: "Only the last HEALTHCHECK of a stage takes effect; earlier ones are dead code that misleads readers. Delete all but the last.",
    aliases: &["DL3012"],
    ..Rule::new(
        "docker/multiple-healthcheck",
        Severity::Warning,
        "Only the last HEALTHCHECK of a stage takes effect.",
    )
};

pub(crate) const NO_FROM: Rule = Rule {
    explanation: "A Dockerfile builds on a base image named by FROM; without one BuildKit refuses the file. Start the file with `FROM <image>:<tag>` (only ARG and parser directives may come before it).",
    ..Rule::new("docker/no-from", Severity::Error, "The file has no FROM.")
};

pub(super) fn syntax(ctx: &mut Ctx<'_>) {
    directives(ctx);
    from_order(ctx);
    casing(ctx);
    instructions(ctx);
    stage_names(ctx);
    copy_from(ctx);
    arg_scope(ctx);
    repeated_instructions(ctx);
}

/// Each instruction (and ONBUILD's) on its own: `instruction.rs`.
fn instructions(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    for (idx, inst) in df.instructions.iter().enumerate() {
        check_instruction(ctx, inst, idx, false);
        if let Some(t) = &inst.trigger {
            if matches!(t.kind, Kind::From | Kind::Maintainer | Kind::Onbuild) {
                ctx.push(
                    &INVALID_ONBUILD,
                    t.keyword_span.clone(),
                    format!("ONBUILD cannot register {}; remove it.", t.kind.as_str()),
                );
            } else {
                check_instruction(ctx, t, idx, true);
            }
        }
        if inst.kind == Kind::Onbuild && inst.trigger.is_none() {
            ctx.push(
                &super::instruction::ARGUMENT_COUNT,
                inst.keyword_span.clone(),
                "ONBUILD needs an instruction to register, e.g. `ONBUILD COPY . /app`.",
            );
        }
    }
}

/// Parser directives: repeated, invalid, or below the top of the file; empty
/// continuation lines.
fn directives(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let text = ctx.text;
    let mut seen: Vec<&str> = Vec::new();
    for d in &df.directives {
        if seen.contains(&d.name.as_str()) {
            ctx.push(
                &INVALID_DIRECTIVE,
                d.span.clone(),
                format!("`{}` is given twice; keep one (BuildKit rejects the file).", d.name),
            )
            .fixes
            .push(delete_line(text, d.span.clone()));
        }
        seen.push(&d.name);
        if d.name == "escape" && d.value != "\\" && d.value != "`" {
            ctx.push(
                &INVALID_DIRECTIVE,
                d.value_span.clone(),
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
                    &MISPLACED_DIRECTIVE,
                    c.span.clone(),
                    format!("`{k}` is a parser directive only at the very top of the file (before any comment, blank line or instruction); here it is just a comment. Move it to the first line."),
                );
            }
        }
    }

    for r in &df.empty_continuation_lines {
        let f = ctx.push(
            &EMPTY_CONTINUATION_LINE,
            r.start..r.start,
            "Empty line inside a continued instruction: BuildKit skips it but warns, and it will become an error. Delete it.",
        );
        f.fixes.push(Fix::replace("Delete the empty line", r.clone(), ""));
    }
}

/// FROM presence and order.
fn from_order(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    match df.instructions.iter().position(|i| i.kind == Kind::From) {
        None => {
            let range = df.instructions.first().map_or(0..0, |i| i.keyword_span.clone());
            ctx.push(
                &NO_FROM,
                range,
                "The Dockerfile has no FROM: start it with `FROM <image>:<tag>`.",
            );
        }
        Some(first) => {
            for i in &df.instructions[..first] {
                if i.kind != Kind::Arg && i.kind != Kind::Unknown {
                    ctx.push(
                        &INSTRUCTION_BEFORE_FROM,
                        i.keyword_span.clone(),
                        format!("{} before the first FROM: only ARG may come before FROM. Move it after FROM.", i.kind.as_str()),
                    );
                }
            }
        }
    }
}

/// Keyword casing: the majority wins.
fn casing(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
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
                &INCONSISTENT_CASING,
                i.keyword_span.clone(),
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
                    &INCONSISTENT_CASING,
                    w.span.clone(),
                    format!(
                        "`{}` does not match the casing of `{}`; write `{want_as}`.",
                        w.value, i.keyword
                    ),
                );
                f.fixes.push(Fix::replace(format!("Write `{want_as}`"), w.span.clone(), want_as));
            }
        }
    }
}

/// Stage names: valid, not reserved, not repeated.
fn stage_names(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
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
                &INVALID_STAGE_NAME,
                span.clone(),
                format!("`{name}` is a reserved name (BuildKit uses it for the empty image / the build context); name the stage differently."),
            );
        }
        if !valid {
            ctx.push(
                &INVALID_STAGE_NAME,
                span.clone(),
                format!("`{name}` is not a valid stage name: start with a letter and use only letters, digits, `-`, `_` and `.`."),
            );
        }
        if let Some(prev) = ctx.stage_names.first(name).filter(|i| *i < st.index) {
            let line = ctx.line(df.instructions[df.stages[prev].from].span.start);
            ctx.push(
                &DUPLICATE_STAGE_NAME,
                span,
                format!("Stage `{name}` is already defined on line {line}; give this stage another name."),
            );
        }
    }
}

/// COPY --from.
fn copy_from(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
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
                    if n == cur { &COPY_FROM_SELF } else { &COPY_FROM_UNKNOWN_STAGE },
                    span.clone(),
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
        match ctx.stage_names.first(v) {
            Some(s) if s == cur => {
                ctx.push(
                    &COPY_FROM_SELF,
                    span.clone(),
                    format!(
                        "`--from={v}` names the stage this COPY is in; copy from an earlier stage."
                    ),
                );
            }
            Some(s) if s > cur => {
                let line = ctx.line(df.instructions[df.stages[s].from].span.start);
                ctx.push(&COPY_FROM_UNKNOWN_STAGE, span.clone(), format!("Stage `{v}` is defined later (line {line}); COPY --from can only use earlier stages. Move that stage up."));
            }
            Some(_) => {}
            None if lower.contains(['/', ':', '@']) => {} // an image
            None => {
                let earlier: Vec<&str> = df.stages[..cur.min(df.stages.len())]
                    .iter()
                    .filter_map(|s| s.name.as_deref())
                    .collect();
                let f = ctx.push(
                    &COPY_FROM_UNKNOWN_STAGE,
                    span.clone(),
                    format!("No earlier stage is named `{v}`, so Docker will pull an image called `{v}`. Name a stage `AS {v}`, or write the image with its tag."),
                );
                if let Some(s) = did_you_mean(v, earlier.iter().copied()) {
                    f.fixes.push(Fix::replace(format!("Change to `{s}`"), span.clone(), s));
                }
            }
        }
    }
}

/// Per stage: multiple CMD / ENTRYPOINT / HEALTHCHECK.
fn repeated_instructions(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let text = ctx.text;
    for st in &df.stages {
        for (kind, code) in [
            (Kind::Cmd, &MULTIPLE_CMD),
            (Kind::Entrypoint, &MULTIPLE_ENTRYPOINT),
            (Kind::Healthcheck, &MULTIPLE_HEALTHCHECK),
        ] {
            let all: Vec<&Instruction> = df.instructions[st.instructions.clone()]
                .iter()
                .filter(|i| i.kind == kind)
                .collect();
            if let Some((last, earlier)) = all.split_last() {
                let line = ctx.line(last.span.start);
                for i in earlier {
                    let f = ctx.push(
                        code,
                        i.keyword_span.clone(),
                        format!("This {} is overridden by the one on line {line}: only the last in a stage takes effect. Delete this one.", kind.as_str()),
                    );
                    f.fixes.push(delete_line(text, i.span.clone()));
                }
            }
        }
    }
}
