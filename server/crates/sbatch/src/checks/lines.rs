//! Which lines sbatch reads as directives, and how it splits them into words.

use clusterls_core::{Edit, Fix, Rule, Severity};

use super::{Checker, full_line};
use crate::options::ArgKind;
use crate::parse::{Ignored, IgnoredKind, LineProblem, Magic};

pub(crate) fn check(c: &mut Checker) {
    // The first command's line, for the messages about directives after it (counted
    // once, and only when there are such directives).
    let after_command = c.script.ignored.iter().any(|ig| ig.kind == IgnoredKind::AfterCommand);
    let cmd_line = c.script.first_command.as_ref().filter(|_| after_command).map(|cmd| {
        let line = c.text[..cmd.start].matches('\n').count() + 1;
        let text: String = c.text[cmd.clone()].chars().take(40).collect();
        (cmd.start, line, text)
    });
    for ig in &c.script.ignored {
        match ig.kind {
            IgnoredKind::AfterCommand => {
                if let Some(cmd) = &cmd_line {
                    directive_after_command(c, ig, cmd);
                }
            }
            IgnoredKind::Indented => indented_directive(c, ig),
            IgnoredKind::Spaced => spaced_directive(c, ig),
            IgnoredKind::WrongCase => directive_case(c, ig),
        }
    }
    slurm_magic(c);
    for p in &c.script.problems {
        match p {
            LineProblem::UnmatchedQuote { quote, span } => {
                c.push(
                    &UNMATCHED_QUOTE,
                    span.clone(),
                    format!("Unmatched {quote}: sbatch refuses the script. Close the quote on the same line."),
                );
            }
            LineProblem::LeadingColon { span } => {
                c.push(
                    &LEADING_COLON,
                    span.clone(),
                    "sbatch refuses a directive word that starts with `:`. Remove the colon (heterogeneous jobs use `#SBATCH hetjob`).",
                );
            }
        }
    }
    stray_words(c);
    hetjob_array(c);
}

pub(crate) const DIRECTIVE_AFTER_COMMAND: Rule = Rule {
    explanation: "sbatch stops reading #SBATCH lines at the first command of the script, so every directive after it is silently ignored: the job runs with defaults (one CPU, the default partition and time). Move the directive above the first command; the quick fix does it.",
    ..Rule::new(
        "sbatch/directive-after-command",
        Severity::Warning,
        "#SBATCH after the first command: sbatch ignores it.",
    )
};

fn directive_after_command(
    c: &mut Checker,
    ig: &Ignored,
    (cmd_start, cmd_line, cmd_text): &(usize, usize, String),
) {
    let t = c.text;
    let moved = t[ig.span.clone()].trim_start();
    let f = c.push(
        &DIRECTIVE_AFTER_COMMAND,
        ig.span.clone(),
        format!(
            "sbatch ignores this line: directives stop at the first command (line {cmd_line}: `{cmd_text}`). Move it above that line."
        ),
    );
    if moved.starts_with("#SBATCH") {
        f.fixes.push(Fix {
            title: format!("Move above line {cmd_line}"),
            edits: vec![
                Edit { range: *cmd_start..*cmd_start, replacement: format!("{moved}\n") },
                Edit { range: full_line(t, &ig.span), replacement: String::new() },
            ],
        });
    }
}

pub(crate) const INDENTED_DIRECTIVE: Rule = Rule {
    explanation: "sbatch only reads `#SBATCH` at the very start of a line; an indented one is an ordinary comment and its option is silently not applied. Remove the indentation.",
    ..Rule::new(
        "sbatch/indented-directive",
        Severity::Warning,
        "An indented #SBATCH: sbatch ignores it.",
    )
};

fn indented_directive(c: &mut Checker, ig: &Ignored) {
    let line_text = &c.text[ig.span.clone()];
    let indent = line_text.len() - line_text.trim_start().len();
    c.push(
        &INDENTED_DIRECTIVE,
        ig.span.clone(),
        "sbatch ignores an indented #SBATCH: it must start at column 1. Remove the indentation.",
    )
    .fixes
    .push(Fix::replace("Remove the indentation", ig.span.start..ig.span.start + indent, ""));
}

pub(crate) const SPACED_DIRECTIVE: Rule = Rule {
    explanation: "`# SBATCH` (a space after `#`) is an ordinary comment to sbatch, so the option is not applied. Write `#SBATCH`; to disable a directive on purpose, the convention is `##SBATCH`.",
    ..Rule::new(
        "sbatch/spaced-directive",
        Severity::Warning,
        "`# SBATCH` with a space: sbatch ignores it.",
    )
};

fn spaced_directive(c: &mut Checker, ig: &Ignored) {
    let after_hash = &c.text[ig.span.clone()][1..];
    let spaces = after_hash.len() - after_hash.trim_start().len();
    c.push(
        &SPACED_DIRECTIVE,
        ig.span.clone(),
        "sbatch ignores `# SBATCH` (space after `#`). Write `#SBATCH` to apply it, or `##SBATCH` to disable it on purpose.",
    )
    .fixes
    .push(Fix::replace("Write #SBATCH", ig.span.start + 1..ig.span.start + 1 + spaces, ""));
}

pub(crate) const DIRECTIVE_CASE: Rule = Rule {
    explanation: "sbatch matches `#SBATCH` case-sensitively; `#sbatch` or `#Sbatch` is an ordinary comment and the option is not applied. Write `#SBATCH`.",
    ..Rule::new(
        "sbatch/directive-case",
        Severity::Warning,
        "#sbatch in the wrong case: sbatch ignores it.",
    )
};

fn directive_case(c: &mut Checker, ig: &Ignored) {
    c.push(
        &DIRECTIVE_CASE,
        ig.span.clone(),
        "sbatch only reads `#SBATCH` in capitals; this line is ignored. Write `#SBATCH`.",
    )
    .fixes
    .push(Fix::replace("Write #SBATCH", ig.span.start..ig.span.start + 7, "#SBATCH"));
}

pub(crate) const SLURM_MAGIC: Rule = Rule {
    explanation: "sbatch still reads `#SLURM` lines, but prints an error asking to change them, and a later Slurm may stop reading them. Write `#SBATCH`.",
    ..Rule::new("sbatch/slurm-magic", Severity::Warning, "#SLURM instead of #SBATCH.")
};

fn slurm_magic(c: &mut Checker) {
    for l in &c.script.lines {
        if l.magic == Magic::Slurm {
            let r = l.span.start..l.span.start + 6;
            c.push(
                &SLURM_MAGIC,
                r.clone(),
                "`#SLURM` is read, but sbatch prints an error asking to change it; write `#SBATCH`.",
            )
            .fixes
            .push(Fix::replace("Write #SBATCH", r, "#SBATCH"));
        }
    }
}

pub(crate) const UNMATCHED_QUOTE: Rule = Rule {
    explanation: "sbatch splits a directive line into words like a shell and aborts on a quote that is not closed on the same line (\"Unmatched ' in [...]\"). Close the quote on that line.",
    ..Rule::new(
        "sbatch/unmatched-quote",
        Severity::Error,
        "An unclosed quote in a directive: sbatch aborts.",
    )
};

pub(crate) const LEADING_COLON: Rule = Rule {
    explanation: "sbatch aborts on a directive word that starts with `:` (\"Unexpected ':'\"), the old heterogeneous-job separator. Remove the colon; heterogeneous job components are separated by `#SBATCH hetjob`.",
    ..Rule::new(
        "sbatch/leading-colon",
        Severity::Error,
        "A directive word starting with `:`: sbatch aborts.",
    )
};

pub(crate) const STRAY_WORD: Rule = Rule {
    explanation: "Every word of a directive must be an option or an option's value; anything else makes sbatch refuse the script (\"Invalid directive found in batch script\"). A common cause is a value with spaces that needs quotes, or `--opt value` for an option whose value is optional and must be written `--opt=value`. Remove the word or quote it into its value.",
    ..Rule::new(
        "sbatch/stray-word",
        Severity::Error,
        "A word that is not an option (\"Invalid directive found in batch script\").",
    )
};

fn stray_words(c: &mut Checker) {
    let (text, ds) = (c.text, &c.script.directives);
    for s in &c.script.strays {
        // The directive just before the stray, in the stray's component (components run
        // in order, so only the nearest directive can be in it).
        let before = ds.partition_point(|d| d.span.end <= s.span.start);
        let prev = before.checked_sub(1).map(|i| &ds[i]).filter(|d| d.component == s.component);
        let f = c.push(
            &STRAY_WORD,
            s.span.clone(),
            format!(
                "sbatch refuses the script: `{}` is not an option (\"Invalid directive found in batch script\"). Remove it, or quote it into the value it belongs to.",
                s.text
            ),
        );
        // A stray right after an option that takes its value only with `=`.
        if let Some(d) = prev
            && let Some(spec) = d.spec()
            && spec.arg == ArgKind::Optional
            && d.value.is_none()
            && text[d.name_span.end..s.span.start].chars().all(|c| c == ' ' || c == '\t')
        {
            f.message = format!(
                "sbatch refuses the script: --{} takes its value only after `=`, so `{}` is a stray word (\"Invalid directive found in batch script\"). Write --{}={}.",
                spec.long, s.text, spec.long, s.text
            );
            f.fixes.push(Fix::replace(
                format!("Write --{}={}", spec.long, s.text),
                d.name_span.end..s.span.start,
                "=",
            ));
        }
    }
}

pub(crate) const HETJOB_ARRAY: Rule = Rule {
    explanation: "A heterogeneous job (components separated by `#SBATCH hetjob`) cannot also be a job array; sbatch refuses it (\"Invalid job array specification\"). Remove --array, or submit the components as separate jobs.",
    ..Rule::new(
        "sbatch/hetjob-array",
        Severity::Error,
        "A heterogeneous job that is also a job array: sbatch refuses it.",
    )
};

fn hetjob_array(c: &mut Checker) {
    if c.script.components <= 1 {
        return;
    }
    let first = (0..c.script.components).find_map(|comp| c.index.first(comp, "array"));
    if let Some(d) = first {
        c.push(
            &HETJOB_ARRAY,
            d.span.clone(),
            "A heterogeneous job (#SBATCH hetjob) cannot be a job array: sbatch refuses it (\"Invalid job array specification\"). Remove --array or the hetjob separator.",
        );
    }
}
