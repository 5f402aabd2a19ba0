//! Option names as sbatch's getopt reads them: unknown, ambiguous, abbreviated, of
//! another Slurm release, with or without the value they need, given twice.

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{Fix, Rule, Severity};

use super::{Checker, full_line, values};
use crate::options::{ArgKind, OptionSpec, ValueKind};
use crate::parse::{Directive, OptionProblem, Resolved};

pub(crate) fn check(c: &mut Checker) {
    for d in &c.script.directives {
        match &d.resolved {
            Resolved::Unknown => unknown_option(c, d),
            Resolved::Ambiguous(names) => ambiguous_option(c, d, names),
            Resolved::Known { spec, exact } => {
                if !exact {
                    abbreviated_option(c, d, spec);
                }
                option_version(c, d, spec);
                known_option(c, d, spec);
            }
        }
    }
    duplicate_options(c);
}

pub(crate) const AMBIGUOUS_OPTION: Rule = Rule {
    explanation: "getopt accepts an unambiguous prefix of a long option, but a prefix shared by several options (`--mem` is fine, `--cpu` is not) makes sbatch refuse the script. Write the option in full.",
    ..Rule::new(
        "sbatch/ambiguous-option",
        Severity::Error,
        "An abbreviation that matches several options: sbatch refuses it.",
    )
};

fn ambiguous_option(c: &mut Checker, d: &Directive, names: &[&str]) {
    let list = names.iter().map(|n| format!("--{n}")).collect::<Vec<_>>().join(", ");
    c.push(
        &AMBIGUOUS_OPTION,
        d.name_span.clone(),
        format!(
            "`{}` is ambiguous (it could be {list}): sbatch refuses it. Write the option in full.",
            d.written
        ),
    );
}

pub(crate) const ABBREVIATED_OPTION: Rule = Rule {
    explanation: "`--part` works because getopt accepts any unambiguous prefix of a long option, but a new option in a later Slurm can make the prefix ambiguous, and then sbatch refuses the script. Write the option in full; the quick fix does it.",
    ..Rule::new(
        "sbatch/abbreviated-option",
        Severity::Hint,
        "A long option abbreviated (works through getopt prefix matching, but fragile).",
    )
};

fn abbreviated_option(c: &mut Checker, d: &Directive, spec: &OptionSpec) {
    c.push(
        &ABBREVIATED_OPTION,
        d.name_span.clone(),
        format!("`{}` works as an abbreviation of --{}, but may become ambiguous in a later Slurm; write it in full.", d.written, spec.long),
    )
    .fixes
    .push(Fix::replace(format!("Write --{}", spec.long), d.name_span.clone(), format!("--{}", spec.long)));
}

pub(crate) const OPTION_VERSION: Rule = Rule {
    explanation: "The option was added or removed in a Slurm release other than the cluster's (the facts give its version), and that sbatch refuses it as unknown. Remove it, or use the option of the cluster's release.",
    ..Rule::new(
        "sbatch/option-version",
        Severity::Error,
        "An option the cluster's Slurm release does not have.",
    )
};

/// The message for an option `spec` that Slurm `v` does not have.
fn version_message(spec: &OptionSpec, v: (u8, u8), refuses: &str, advice: &str) -> String {
    match spec.until {
        Some(u) if v > u => format!(
            "--{} was removed after Slurm {}.{:02}; the cluster runs {}.{:02}{refuses}. Remove it.",
            spec.long, u.0, u.1, v.0, v.1
        ),
        _ => format!(
            "--{} needs Slurm {}.{:02} or newer; the cluster runs {}.{:02}{refuses}. {advice}",
            spec.long, spec.since.0, spec.since.1, v.0, v.1
        ),
    }
}

fn option_version(c: &mut Checker, d: &Directive, spec: &OptionSpec) {
    if let Some(v) = c.version
        && !spec.in_version(v)
    {
        let msg = version_message(spec, v, "", "Remove it or ask for a newer Slurm.");
        c.push(&OPTION_VERSION, d.name_span.clone(), msg);
    }
}

pub(crate) const UNKNOWN_OPTION: Rule = Rule {
    explanation: "sbatch has no such option and refuses the script (\"Invalid directive found in batch script\"); usually a typo or an option of srun or another scheduler. Fix the name (the message suggests the closest option), or remove it.",
    ..Rule::new("sbatch/unknown-option", Severity::Error, "An option sbatch does not have.")
};

fn unknown_option(c: &mut Checker, d: &Directive) {
    let long = d.written.starts_with("--");
    if long
        && let Some(spec) = crate::options::by_long(&d.written[2..])
        && let Some(v) = c.version
    {
        // An option of another release: say which.
        let msg = version_message(spec, v, ", whose sbatch refuses it", "Remove it.");
        c.push(&OPTION_VERSION, d.name_span.clone(), msg);
        return;
    }
    if long {
        let name = &d.written[2..];
        let suggestion = did_you_mean(name, crate::options::options().iter().map(|o| o.long));
        let hint = suggestion.map(|s| format!(" Did you mean --{s}?")).unwrap_or_default();
        let f = c.push(
            &UNKNOWN_OPTION,
            d.name_span.clone(),
            format!(
                "sbatch has no option `{}`: it refuses the script (\"Invalid directive found in batch script\").{hint}",
                d.written
            ),
        );
        if let Some(s) = suggestion {
            f.fixes.push(Fix::replace(
                format!("Change to --{s}"),
                d.name_span.clone(),
                format!("--{s}"),
            ));
        }
    } else {
        let ch = d.written.chars().nth(1).unwrap_or('?');
        let alt = [ch.to_ascii_lowercase(), ch.to_ascii_uppercase()]
            .into_iter()
            .filter(|x| *x != ch)
            .find_map(crate::options::by_short)
            .map(|o| format!(" (-{} is --{})", o.short.unwrap_or('?'), o.long))
            .unwrap_or_default();
        c.push(
            &UNKNOWN_OPTION,
            d.name_span.clone(),
            format!(
                "sbatch has no option `-{ch}`{alt}: it refuses the script. Use the long form, e.g. --partition=NAME."
            ),
        );
    }
}

pub(crate) const MISSING_VALUE: Rule = Rule {
    explanation: "The option needs a value and has none (the directives end after it, or it is `--opt=`); sbatch refuses the script. Write `--opt=VALUE`.",
    ..Rule::new("sbatch/missing-value", Severity::Error, "An option without its required value.")
};

pub(crate) const UNEXPECTED_VALUE: Rule = Rule {
    explanation: "The option is a flag and takes no value, so `--flag=value` makes sbatch refuse the script. Remove the value (the quick fix does it).",
    ..Rule::new(
        "sbatch/unexpected-value",
        Severity::Error,
        "A value for an option that takes none.",
    )
};

pub(crate) const NOT_IN_SCRIPT: Rule = Rule {
    explanation: "--help, --usage, --version, --wrap and --test-only only make sense on sbatch's command line: in a script they are ignored or stop the job from being submitted. Remove the directive, and pass the option on the command line when you need it.",
    ..Rule::new(
        "sbatch/not-in-script",
        Severity::Warning,
        "An option that only makes sense on the command line.",
    )
};

pub(crate) const ROOT_ONLY: Rule = Rule {
    explanation: "--uid and --gid submit a job as another user or group, which only root may do; for anyone else sbatch refuses the script. Remove the option.",
    ..Rule::new("sbatch/root-only", Severity::Error, "An option only root may use.")
};

/// A known option: getopt's problems, options that do not belong in a script, then
/// its value.
fn known_option(c: &mut Checker, d: &Directive, spec: &'static OptionSpec) {
    match d.problem {
        Some(OptionProblem::MissingValue) => {
            c.push(
                &MISSING_VALUE,
                d.name_span.clone(),
                format!(
                    "--{} needs a value: sbatch refuses the script. Write --{}={}.",
                    spec.long, spec.long, spec.placeholder
                ),
            );
            return;
        }
        Some(OptionProblem::UnexpectedValue) => {
            let range = d.name_span.end..d.span.end;
            let value = &c.text[range.clone()];
            c.push(
                &UNEXPECTED_VALUE,
                range.clone(),
                format!(
                    "--{} takes no value: sbatch refuses the script. Remove `{value}`.",
                    spec.long
                ),
            )
            .fixes
            .push(Fix::replace("Remove the value", range, ""));
            return;
        }
        None => {}
    }
    let msg = match spec.long {
        "help" | "usage" | "version" => Some(format!(
            "--{} only works on sbatch's command line; in a script it is ignored. Remove it.",
            spec.long
        )),
        "wrap" => Some("--wrap only makes sense on the command line (it generates a script); inside a script it is ignored. Put the command in the script's body.".to_string()),
        "test-only" => Some("--test-only in the script means the job is never submitted. Remove it, and pass --test-only on the command line when you want a dry run.".to_string()),
        _ => None,
    };
    if let Some(msg) = msg {
        c.push(&NOT_IN_SCRIPT, d.name_span.clone(), msg);
    }
    if matches!(spec.long, "uid" | "gid") {
        c.push(
            &ROOT_ONLY,
            d.name_span.clone(),
            format!(
                "--{} works only for root; for anyone else sbatch refuses it. Remove it.",
                spec.long
            ),
        );
    }
    let Some(value) = d.value.as_deref() else { return };
    shell_variable(c, d, spec, value);
    if value.is_empty()
        && spec.arg == ArgKind::Required
        && !matches!(
            spec.value,
            ValueKind::Text | ValueKind::Path | ValueKind::FilePattern | ValueKind::NodeList
        )
    {
        c.push(
            &MISSING_VALUE,
            d.span.clone(),
            format!(
                "--{} has an empty value. Write --{}={}.",
                spec.long, spec.long, spec.placeholder
            ),
        );
        return;
    }
    values::check(c, d, spec, value);
}

pub(crate) const SHELL_VARIABLE: Rule = Rule {
    explanation: "sbatch reads #SBATCH lines itself, not through a shell: `$VAR`, `${VAR}`, `$(cmd)`, backticks and `~` stay literally in the value (a log file named `$USER.out`, a directory named `~`). Write the value itself, use sbatch's file name patterns (%j, %x, %u, %A, %a) in file names, or pass the value on the command line (`sbatch --opt=\"$VAR\" script`).",
    ..Rule::new(
        "sbatch/shell-variable",
        Severity::Warning,
        "A shell variable, command substitution or ~ in a directive: taken literally.",
    )
};

fn shell_variable(c: &mut Checker, d: &Directive, spec: &OptionSpec, value: &str) {
    let Some(vr) = d.value_span.clone() else { return };
    let pattern = spec.value == ValueKind::FilePattern;
    if pattern && value.starts_with('~') {
        c.push(
            &SHELL_VARIABLE,
            vr.clone(),
            "sbatch does not expand `~`: the file would go to a directory literally named `~`. Write the full path, or a path relative to the working directory.",
        );
    }
    let raw = &c.text[vr.clone()];
    let has_var = raw.contains("$(")
        || raw.contains('`')
        || raw.char_indices().any(|(i, ch)| {
            ch == '$'
                && raw[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n == '{' || n.is_ascii_alphabetic() || n == '_')
        });
    if !has_var {
        return;
    }
    let f = c.push(
        &SHELL_VARIABLE,
        vr.clone(),
        format!(
            "sbatch takes #SBATCH values literally: `{value}` is not expanded by the shell. Write the value itself{}, or pass it on the command line (sbatch --{}=\"$VAR\" script).",
            if pattern { " or use %j, %x, %u, %A, %a" } else { "" },
            spec.long
        ),
    );
    if pattern {
        let mut fixed = raw.to_string();
        for (var, pat) in [
            ("SLURM_ARRAY_JOB_ID", "%A"),
            ("SLURM_ARRAY_TASK_ID", "%a"),
            ("SLURM_JOB_ID", "%j"),
            ("SLURM_JOBID", "%j"),
            ("SLURM_JOB_NAME", "%x"),
            ("USER", "%u"),
        ] {
            fixed = fixed.replace(&format!("${{{var}}}"), pat).replace(&format!("${var}"), pat);
        }
        if !fixed.contains('$') && fixed != raw {
            f.fixes.push(Fix::replace(format!("Write {fixed}"), vr, fixed));
        }
    }
}

pub(crate) const DUPLICATE_OPTION: Rule = Rule {
    explanation: "sbatch keeps the last value of an option given twice in one job component, silently dropping the earlier one: with different values the script does not do what its first line says, with the same value it is noise. Remove the one you don't mean (a warning when the values differ, a hint when they are equal).",
    ..Rule::new(
        "sbatch/duplicate-option",
        Severity::Warning,
        "An option given twice: the last one wins.",
    )
};

/// Each directive against the next one of the same option in its component, as the
/// [`super::Index`] pairs them.
fn duplicate_options(c: &mut Checker) {
    let script = c.script;
    let mut per_line = vec![0usize; script.lines.len()];
    for d in &script.directives {
        if let Some(n) = per_line.get_mut(d.line_index) {
            *n += 1;
        }
    }
    let found: Vec<(&Directive, &Directive, &str)> = c
        .index
        .repeats()
        .filter_map(|(d, later)| Some((d, later, d.name()?)))
        .filter(|(_, _, name)| !matches!(*name, "verbose" | "quiet"))
        .collect();
    for (d, later, name) in found {
        if later.value == d.value {
            let line = &script.lines[d.line_index];
            let whole_line = line.words.len() <= 2 && per_line[d.line_index] == 1;
            let range = full_line(c.text, &line.span);
            let f = c.push(
                &DUPLICATE_OPTION,
                d.span.clone(),
                format!(
                    "--{name} is given again on line {} with the same value; remove one.",
                    later.line + 1
                ),
            );
            f.severity = Severity::Hint;
            if whole_line {
                f.fixes.push(Fix::replace("Remove this line", range, ""));
            }
        } else {
            c.push(
                &DUPLICATE_OPTION,
                d.span.clone(),
                format!(
                    "--{name} is given again on line {} and sbatch uses the last one (`{}`); remove the one you don't mean.",
                    later.line + 1,
                    later.value.as_deref().unwrap_or("")
                ),
            );
        }
    }
}
