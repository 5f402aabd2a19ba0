//! Each instruction's arguments and flags.

use super::args::secret_name;
use super::*;
use clusterls_core::Rule;

pub(crate) const ARGUMENT_COUNT: Rule = Rule {
    explanation: "The instruction has too few or too many arguments for its syntax (COPY needs a source and a destination, ONBUILD an instruction, ...), and BuildKit refuses it. Write the arguments the instruction's documentation gives (hover the keyword).",
    ..Rule::new(
        "docker/argument-count",
        Severity::Error,
        "Wrong number of arguments for the instruction.",
    )
};

pub(crate) const DUPLICATE_FLAG: Rule = Rule {
    explanation: "A flag that may appear once is given twice; BuildKit refuses the instruction. Keep one.",
    ..Rule::new("docker/duplicate-flag", Severity::Error, "A flag given twice.")
};

pub(crate) const EXEC_FORM_RECOMMENDED: Rule = Rule {
    explanation: "CMD and ENTRYPOINT in shell form run under `/bin/sh -c`, so the program is not PID 1 and does not receive SIGTERM on `docker stop` (it is killed after the timeout). Write the exec form, `CMD [\"prog\", \"arg\"]`.",
    aliases: &["DL3025"],
    ..Rule::new(
        "docker/exec-form-recommended",
        Severity::Info,
        "CMD/ENTRYPOINT in shell form do not receive signals.",
    )
};

pub(crate) const FLAG_MISSING_VALUE: Rule = Rule {
    explanation: "The flag needs a value (`--from=stage`, `--chown=user`); without one BuildKit refuses the instruction. Write `--flag=value`.",
    ..Rule::new("docker/flag-missing-value", Severity::Error, "A flag that needs a value has none.")
};

pub(crate) const INVALID_DURATION: Rule = Rule {
    explanation: "HEALTHCHECK's --interval, --timeout, --start-period and --start-interval take Go durations such as `30s`, `1m30s` or `500ms`; anything else is refused. Write a number with a unit.",
    ..Rule::new(
        "docker/invalid-duration",
        Severity::Error,
        "HEALTHCHECK durations are Go durations such as 30s or 1m30s.",
    )
};

pub(crate) const INVALID_HEALTHCHECK: Rule = Rule {
    explanation: "HEALTHCHECK takes either `NONE` (disable the base image's check) or `CMD <command>` with optional flags before CMD. Rewrite it in one of those forms.",
    ..Rule::new(
        "docker/invalid-healthcheck",
        Severity::Error,
        "HEALTHCHECK takes `NONE` or `CMD <command>`.",
    )
};

pub(crate) const INVALID_PORT: Rule = Rule {
    explanation: "EXPOSE takes `port`, `port/proto` (tcp, udp, sctp) or a range `from-to`, with ports up to 65535; anything else is refused. Fix the port (and remember that EXPOSE only documents it).",
    aliases: &["DL3011"],
    ..Rule::new(
        "docker/invalid-port",
        Severity::Error,
        "EXPOSE takes port[/tcp|udp|sctp] or a range.",
    )
};

pub(crate) const INVALID_RETRIES: Rule = Rule {
    explanation: "HEALTHCHECK --retries counts consecutive failures before the container is unhealthy and must be a positive whole number. Write e.g. `--retries=3`.",
    ..Rule::new(
        "docker/invalid-retries",
        Severity::Error,
        "HEALTHCHECK --retries must be a positive integer.",
    )
};

pub(crate) const INVALID_SIGNAL: Rule = Rule {
    explanation: "STOPSIGNAL takes a signal name (`SIGTERM`, `TERM`) or a number from 1 to 64; anything else fails when the container is stopped. Write a valid signal.",
    ..Rule::new(
        "docker/invalid-signal",
        Severity::Error,
        "STOPSIGNAL takes a signal name or number.",
    )
};

pub(crate) const JSON_SINGLE_QUOTES: Rule = Rule {
    explanation: "The exec (JSON) form needs double quotes. With single quotes the text is not JSON, so Docker silently runs it as a shell string (`/bin/sh -c \"['a', 'b']\"`), which fails at run time. Use double quotes.",
    ..Rule::new(
        "docker/json-single-quotes",
        Severity::Error,
        "JSON form needs double quotes; with single quotes Docker runs it as a shell string.",
    )
};

pub(crate) const LEGACY_ENV_FORMAT: Rule = Rule {
    explanation: "`ENV key value` (space-separated) is the legacy form: it sets one variable whose value is the rest of the line, which surprises readers. Write `ENV key=value` (the quick fix does it).",
    ..Rule::new(
        "docker/legacy-env-format",
        Severity::Warning,
        "`ENV key value` is legacy; use `ENV key=value`.",
    )
};

pub(crate) const MAINTAINER_DEPRECATED: Rule = Rule {
    explanation: "MAINTAINER is deprecated; image metadata belongs in labels. Write `LABEL maintainer=\"name <email>\"` (the quick fix does it).",
    aliases: &["DL4000"],
    ..Rule::new(
        "docker/maintainer-deprecated",
        Severity::Warning,
        "MAINTAINER is deprecated; use LABEL maintainer.",
    )
};

pub(crate) const RELATIVE_WORKDIR: Rule = Rule {
    explanation: "A relative WORKDIR depends on the previous WORKDIR (or the base image's), which makes the image's layout hard to follow and breaks when the base image changes. Write an absolute path.",
    aliases: &["DL3000"],
    ..Rule::new("docker/relative-workdir", Severity::Warning, "WORKDIR should be absolute.")
};

pub(crate) const UNDEFINED_ARG_IN_FROM: Rule = Rule {
    explanation: "FROM uses a variable that no ARG before the first FROM declares, so it expands to an empty string and the image reference is wrong. Declare it with `ARG NAME=default` before the first FROM.",
    ..Rule::new(
        "docker/undefined-arg-in-from",
        Severity::Warning,
        "FROM uses a variable no global ARG declares.",
    )
};

pub(crate) const UNKNOWN_FLAG: Rule = Rule {
    explanation: "The instruction does not take this `--flag`; BuildKit refuses the file. Check the spelling against the instruction's flags (completion lists them), or remove it.",
    ..Rule::new("docker/unknown-flag", Severity::Error, "The instruction does not take this flag.")
};

pub(crate) const UNKNOWN_INSTRUCTION: Rule = Rule {
    explanation: "The keyword is not one of the Dockerfile instructions (FROM, RUN, COPY, ...), usually a typo or a shell command written without RUN. BuildKit stops with `unknown instruction`. Fix the keyword, or prefix the command with RUN.",
    ..Rule::new("docker/unknown-instruction", Severity::Error, "Not a Dockerfile instruction.")
};

pub(crate) const UNTERMINATED_HEREDOC: Rule = Rule {
    explanation: "A heredoc (`RUN <<EOF`) has no line with its terminator, so the rest of the file is swallowed into it. Add the terminator (`EOF`) on a line of its own.",
    ..Rule::new("docker/unterminated-heredoc", Severity::Error, "A heredoc without its terminator.")
};

pub(super) fn check_instruction(
    ctx: &mut Ctx<'_>,
    inst: &Instruction,
    _idx: usize,
    in_onbuild: bool,
) {
    if inst.kind == Kind::Unknown {
        unknown_instruction(ctx, inst);
        return;
    }
    flags(ctx, inst);
    argument_count(ctx, inst);
    match inst.kind {
        Kind::Env => env(ctx, inst),
        Kind::Arg => arg(ctx, inst),
        Kind::Maintainer if !in_onbuild => maintainer(ctx, inst),
        Kind::Workdir => workdir(ctx, inst),
        Kind::Expose => expose(ctx, inst),
        Kind::Stopsignal => stopsignal(ctx, inst),
        Kind::Healthcheck => healthcheck(ctx, inst),
        Kind::From => from_args(ctx, inst),
        _ => {}
    }
    json_single_quotes(ctx, inst);
    unterminated_heredoc(ctx, inst);
    exec_form_recommended(ctx, inst);
}

/// Not an instruction (with the closest one).
fn unknown_instruction(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let at = inst.keyword_span.clone();
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let upper = inst.keyword.to_ascii_uppercase();
    let f = ctx.push(
        &UNKNOWN_INSTRUCTION,
        at.clone(),
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
}

/// Unknown, repeated and empty flags.
fn flags(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let text = ctx.text;
    let kw = inst.kind.as_str();
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
            let fin = ctx.push(&UNKNOWN_FLAG, f.name_span.clone(), msg);
            if let Some(s) = sugg {
                fin.fixes.push(Fix::replace(format!("Change to `--{s}`"), f.name_span.clone(), s));
            }
            continue;
        }
        if seen.contains(&f.name.as_str()) && !repeatable(&f.name) {
            let fin = ctx.push(
                &DUPLICATE_FLAG,
                f.span.clone(),
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
                &FLAG_MISSING_VALUE,
                f.span.clone(),
                format!("`--{}` needs a value: `--{}=<value>`.", f.name, f.name),
            );
        }
    }
}

/// The number of arguments each instruction takes.
fn argument_count(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let kw = inst.kind.as_str();
    let words = &inst.args.words;
    let n = words.len();
    let at = inst.keyword_span.clone();
    let missing = |ctx: &mut Ctx<'_>, what: &str| {
        ctx.push(&ARGUMENT_COUNT, at.clone(), format!("{kw} needs {what}."));
    };
    match inst.kind {
        Kind::From => {
            if n == 0 {
                missing(ctx, "an image: `FROM <image>:<tag> [AS <name>]`");
            } else if n == 2 || n > 3 || (n == 3 && !words[1].value.eq_ignore_ascii_case("as")) {
                ctx.push(
                    &ARGUMENT_COUNT,
                    words[1].span.start..words[n - 1].span.end,
                    "FROM takes `<image> [AS <name>]`; remove the extra words.",
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

    if inst.kind == Kind::Shell && n > 0 && inst.args.json.is_none() {
        ctx.push(&ARGUMENT_COUNT, at.clone(), "SHELL must be a JSON array, e.g. `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`.");
    }
}

/// `ENV key value` (legacy), a key without value, secrets in ENV.
fn env(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let text = ctx.text;
    let words = &inst.args.words;
    let n = words.len();
    let at = inst.keyword_span.clone();
    if n >= 2 && !words[0].value.contains('=') {
        let key = &words[0];
        let rest_start = words[1].span.start;
        let rest_end = words[n - 1].span.end;
        let rest = &text[rest_start..rest_end];
        let f = ctx.push(
            &LEGACY_ENV_FORMAT,
            key.span.clone(),
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
            &ARGUMENT_COUNT,
            at.clone(),
            format!("ENV {} has no value: write `ENV {}=<value>`.", words[0].value, words[0].value),
        );
    }
    for w in words {
        secret_name(ctx, w, "ENV");
        if !words[0].value.contains('=') {
            break;
        }
    }
}

/// Secrets in ARG.
fn arg(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    for w in words {
        secret_name(ctx, w, "ARG");
    }
}

/// MAINTAINER is deprecated.
fn maintainer(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let at = inst.keyword_span.clone();
    let value = inst.args.text.trim().replace('\\', "\\\\").replace('"', "\\\"");
    let f = ctx.push(
        &MAINTAINER_DEPRECATED,
        at.clone(),
        "MAINTAINER is deprecated; use `LABEL maintainer=\"...\"`.",
    );
    if !inst.args.text.contains('\n') {
        f.fixes.push(Fix::replace(
            "Use LABEL maintainer",
            inst.span.clone(),
            format!("LABEL maintainer=\"{value}\""),
        ));
    }
}

/// A relative WORKDIR.
fn workdir(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    if let Some(w) = words.first() {
        let v = &w.value;
        let windows =
            v.len() >= 2 && v.as_bytes()[1] == b':' && v.as_bytes()[0].is_ascii_alphabetic();
        if !v.starts_with('/') && !v.starts_with('$') && !windows && !v.starts_with('\\') {
            ctx.push(&RELATIVE_WORKDIR, w.span.clone(), format!("WORKDIR `{v}` is relative to the previous WORKDIR; write an absolute path such as `/{v}`."));
        }
    }
}

/// EXPOSE ports.
fn expose(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    for w in words {
        if !valid_port(&w.value) {
            ctx.push(&INVALID_PORT, w.span.clone(), format!("`{}` is not a port: write `<port>[/tcp|/udp|/sctp]` (0-65535) or a range `8000-8010`.", w.value));
        }
    }
}

/// STOPSIGNAL's signal.
fn stopsignal(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    if let Some(w) = words.first()
        && !valid_signal(&w.value)
    {
        ctx.push(
            &INVALID_SIGNAL,
            w.span.clone(),
            format!(
                "`{}` is not a signal: use a name such as SIGTERM or SIGINT, or a number.",
                w.value
            ),
        );
    }
}

/// HEALTHCHECK's form and flags.
fn healthcheck(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    let n = words.len();
    let at = inst.keyword_span.clone();
    let first = words.first().map(|w| w.value.to_ascii_uppercase());
    match first.as_deref() {
        Some("NONE") => {
            if n > 1 || !inst.flags.is_empty() {
                ctx.push(
                    &INVALID_HEALTHCHECK,
                    at.clone(),
                    "HEALTHCHECK NONE takes no flags or arguments.",
                );
            }
        }
        Some("CMD") if n > 1 => {}
        _ => {
            ctx.push(&INVALID_HEALTHCHECK, at.clone(), "HEALTHCHECK takes `NONE` or `CMD <command>`, e.g. `HEALTHCHECK CMD curl -f http://localhost/ || exit 1`.");
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
                    ctx.push(&INVALID_DURATION, span.clone(), format!("`{v}` is not a duration: write a number with a unit, e.g. `30s`, `1m30s`, `500ms`."));
                } else if parse_duration(v).is_some_and(|d| d > 0.0 && d < 0.001) {
                    ctx.push(
                        &INVALID_DURATION,
                        span.clone(),
                        format!("`{v}` is shorter than the minimum of 1ms."),
                    );
                }
            }
            "retries" => {
                if v.parse::<u32>().map_or(true, |r| r == 0) {
                    ctx.push(
                        &INVALID_RETRIES,
                        span.clone(),
                        format!(
                            "`--retries={v}`: write a positive whole number, e.g. `--retries=3`."
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Variables in FROM that no global ARG declares.
fn from_args(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let words = &inst.args.words;
    if let Some(w) = words.first() {
        for var in vars(&w.value) {
            if !ctx.args.iter().any(|(n, _)| *n == var) && !BUILTIN_ARGS.contains(&var.as_str()) {
                ctx.push(&UNDEFINED_ARG_IN_FROM, w.span.clone(), format!("`${var}` is not declared by an ARG before the first FROM, so it expands to nothing. Add `ARG {var}=<default>` at the top."));
            }
        }
    }
}

/// A JSON form that is not JSON (single quotes).
fn json_single_quotes(ctx: &mut Ctx<'_>, inst: &Instruction) {
    if inst.args.bad_json && inst.kind.takes_json() {
        let t = &inst.args.text;
        let f = ctx.push(
            &JSON_SINGLE_QUOTES,
            inst.args.span.clone(),
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
}

/// A heredoc without its terminator.
fn unterminated_heredoc(ctx: &mut Ctx<'_>, inst: &Instruction) {
    for h in &inst.heredocs {
        if h.terminator_span.is_none() {
            ctx.push(
                &UNTERMINATED_HEREDOC,
                h.marker_span.clone(),
                format!(
                    "The heredoc `{}` is never closed: add a line with just `{}` after its body.",
                    h.delimiter, h.delimiter
                ),
            );
        }
    }
}

/// CMD/ENTRYPOINT in shell form.
fn exec_form_recommended(ctx: &mut Ctx<'_>, inst: &Instruction) {
    let kw = inst.kind.as_str();
    let words = &inst.args.words;
    let n = words.len();
    let at = inst.keyword_span.clone();
    if matches!(inst.kind, Kind::Cmd | Kind::Entrypoint)
        && inst.args.json.is_none()
        && !inst.args.bad_json
        && n > 0
    {
        let f = ctx.push(
            &EXEC_FORM_RECOMMENDED,
            at.clone(),
            format!("{kw} in shell form runs under /bin/sh -c, which does not pass signals (docker stop, Slurm's SIGTERM) to your program. Use the JSON form."),
        );
        if let Some(json) = to_json(words) {
            f.fixes.push(Fix::replace("Use the JSON form", inst.args.span.clone(), json));
        }
    }
}
