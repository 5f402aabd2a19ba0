//! Each option's value against Slurm's grammar for it. [`GRAMMARS`] is the table: value
//! kind → parser (`crate::values`) → the code of a value it rejects, with an optional
//! quick fix; the few checks that say more than "invalid" follow it.

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{Fix, Rule, Severity};

use super::Checker;
use crate::options::{OptionSpec, ValueKind};
use crate::parse::Directive;
use crate::values as grammar;

/// A value grammar: `Err(what is wrong)`, said after `--option: `. Takes the cluster's
/// Slurm release.
pub(crate) type Parser = fn(&str, &OptionSpec, Option<(u8, u8)>) -> Result<(), String>;

/// A quick fix for a rejected value: `(title, replacement)`.
pub(crate) type ValueFix = fn(&str, &OptionSpec) -> Option<(String, String)>;

/// One row of the value table.
pub(crate) struct Grammar {
    pub kind: ValueKind,
    /// The rule of a value it rejects.
    pub rule: &'static Rule,
    pub check: Parser,
    pub fix: Option<ValueFix>,
}

const fn row(kind: ValueKind, rule: &'static Rule, check: Parser) -> Grammar {
    Grammar { kind, rule, check, fix: None }
}

/// Value kind → Slurm's parser → the rule of a value it rejects.
pub(crate) static GRAMMARS: &[Grammar] = &[
    row(ValueKind::Time, &INVALID_TIME, |v, _, _| grammar::parse_time(v).map(drop)),
    Grammar {
        fix: Some(memory_fix),
        ..row(ValueKind::Memory, &INVALID_MEMORY, |v, _, _| grammar::parse_memory(v).map(drop))
    },
    row(ValueKind::Count, &INVALID_NUMBER, |v, spec, _| {
        grammar::parse_count(v, matches!(spec.long, "core-spec" | "thread-spec")).map(drop)
    }),
    row(ValueKind::NodeCount, &INVALID_NODE_COUNT, |v, _, _| {
        grammar::parse_node_count(v).map(drop)
    }),
    row(ValueKind::Array, &INVALID_ARRAY, |v, _, _| grammar::parse_array(v).map(drop)),
    row(ValueKind::Dependency, &INVALID_DEPENDENCY, |v, _, _| grammar::check_dependency(v)),
    row(ValueKind::MailType, &INVALID_MAIL_TYPE, |v, _, _| grammar::check_mail_type(v).map(drop)),
    row(ValueKind::Signal, &INVALID_SIGNAL, |v, _, _| grammar::check_signal(v)),
    row(ValueKind::DateTime, &INVALID_BEGIN, |v, _, _| grammar::check_datetime(v)),
    Grammar { fix: Some(choice_fix), ..row(ValueKind::Choice, &INVALID_CHOICE, choice) },
    Grammar { fix: Some(choice_fix), ..row(ValueKind::Exclusive, &INVALID_CHOICE, choice) },
    row(ValueKind::Constraint, &INVALID_CONSTRAINT, |v, _, _| grammar::check_constraint(v)),
    Grammar {
        fix: Some(gres_fix),
        ..row(ValueKind::Gres, &INVALID_GRES, |v, _, version| {
            // `gpu=2` is refused by 22.05 and accepted by 24.11 (measured; the releases
            // between are not).
            if version.is_some_and(|x| x >= (24, 11)) && v.contains('=') {
                return grammar::parse_gres(&v.replace('=', ":")).map(drop);
            }
            grammar::parse_gres(v).map(drop)
        })
    },
    row(ValueKind::Gpus, &INVALID_GPUS, |v, _, _| grammar::parse_gpus(v).map(drop)),
    row(ValueKind::SocketCoreThread, &INVALID_VALUE, |v, _, _| {
        grammar::check_socket_core_thread(v)
    }),
    row(ValueKind::Partition, &INVALID_VALUE, name_list),
    row(ValueKind::Account, &INVALID_VALUE, name_list),
    row(ValueKind::Qos, &INVALID_VALUE, name_list),
    row(ValueKind::Text, &INVALID_VALUE, |v, spec, _| match spec.long {
        "distribution" => grammar::check_distribution(v),
        "cpu-freq" => grammar::check_cpu_freq(v),
        "gpu-bind" => grammar::check_gpu_bind(v),
        _ => Ok(()),
    }),
];

fn memory_fix(value: &str, _: &OptionSpec) -> Option<(String, String)> {
    // `10gb` → `10G`.
    let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = &value[digits.len()..];
    (!digits.is_empty() && rest.len() == 2 && rest[1..].eq_ignore_ascii_case("b")).then(|| {
        let fixed = format!("{digits}{}", rest[..1].to_ascii_uppercase());
        (format!("Write {fixed}"), fixed)
    })
}

fn gres_fix(value: &str, _: &OptionSpec) -> Option<(String, String)> {
    // `gpu=2` → `gpu:2`.
    (value.contains('=') && !value.contains(',')).then(|| {
        let fixed = value.replacen('=', ":", 1);
        (format!("Write {fixed}"), fixed)
    })
}

fn choice(value: &str, spec: &OptionSpec, version: Option<(u8, u8)>) -> Result<(), String> {
    let ok = match spec.long {
        // sbatch looks only at the first letter (measured: `apend` works).
        "open-mode" => value.starts_with(['a', 'A', 't', 'T']),
        "exclusive" if value.eq_ignore_ascii_case("topo") => version.is_none_or(|v| v >= (24, 11)),
        _ => spec.choices.iter().any(|c| c.eq_ignore_ascii_case(value)),
    };
    if ok {
        return Ok(());
    }
    // The choices of the cluster's release (`topo`: 24.11 on, measured 22.05 refusing it).
    let valid: Vec<&str> = spec
        .choices
        .iter()
        .copied()
        .filter(|c| {
            spec.long != "exclusive" || *c != "topo" || version.is_none_or(|v| v >= (24, 11))
        })
        .collect();
    Err(format!("`{value}` is not one of {}", valid.join(", ")))
}

fn choice_fix(value: &str, spec: &OptionSpec) -> Option<(String, String)> {
    did_you_mean(value, spec.choices.iter().copied()).map(|s| (format!("Change to {s}"), s.into()))
}

fn name_list(value: &str, _: &OptionSpec, _: Option<(u8, u8)>) -> Result<(), String> {
    if value.split(',').any(|p| p.is_empty()) {
        Err(format!("`{value}` has an empty name in its list"))
    } else {
        Ok(())
    }
}

/// The value of a known option `d` (not empty): its grammar from the table, then the
/// checks that say more.
pub(crate) fn check(c: &mut Checker, d: &Directive, spec: &'static OptionSpec, value: &str) {
    let vr = c.value_range(d);
    if let Some(g) = GRAMMARS.iter().find(|g| g.kind == spec.value)
        && let Err(m) = (g.check)(value, spec, c.version)
    {
        let f = c.push(g.rule, vr.clone(), format!("--{}: {m}.", spec.long));
        if let Some((title, fixed)) = g.fix.and_then(|fix| fix(value, spec)) {
            f.fixes.push(Fix::replace(title, vr, fixed));
        }
        return;
    }
    match spec.value {
        ValueKind::Time => time_minutes_seconds(c, vr, value),
        ValueKind::MailType => unknown_mail_types(c, vr, value),
        ValueKind::SignedInt => signed_int(c, vr, spec, value),
        ValueKind::FilePattern => filename_pattern(c, vr, value),
        ValueKind::Export => export(c, vr, value),
        ValueKind::ChoiceList => choice_list(c, vr, spec, value),
        ValueKind::Gres => gres_on_cluster(c, d, vr, spec, value),
        _ => {}
    }
}

pub(crate) const INVALID_TIME: Rule = Rule {
    explanation: "Slurm takes a time limit as `minutes`, `minutes:seconds`, `hours:minutes:seconds`, `days-hours`, `days-hours:minutes` or `days-hours:minutes:seconds` (or UNLIMITED); anything else makes sbatch refuse the script. Write e.g. `--time=2:00:00` or `--time=1-00:00:00`.",
    ..Rule::new("sbatch/invalid-time", Severity::Error, "A time limit in none of Slurm's forms.")
};

pub(crate) const INVALID_MEMORY: Rule = Rule {
    explanation: "Slurm takes memory as a whole number with an optional unit K, M, G or T (megabytes without one); `10GB`, `1.5G` or `10 G` are refused. Write e.g. `--mem=16G` (the quick fix turns `16gb` into `16G`).",
    ..Rule::new("sbatch/invalid-memory", Severity::Error, "A memory size sbatch cannot parse.")
};

pub(crate) const INVALID_NUMBER: Rule = Rule {
    explanation: "The option takes a whole number (a count of tasks, CPUs, ...); anything else is refused, or, for --nice, read as 0. A negative --nice raises priority, which only operators may do. Write a non-negative whole number.",
    ..Rule::new("sbatch/invalid-number", Severity::Error, "A value that must be a whole number.")
};

fn signed_int(c: &mut Checker, vr: std::ops::Range<usize>, spec: &OptionSpec, value: &str) {
    let v = value.strip_prefix('-').unwrap_or(value);
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        c.push(
            &INVALID_NUMBER,
            vr,
            format!(
                "--{}: `{value}` is not a whole number; sbatch reads it as 0. Write a number.",
                spec.long
            ),
        )
        .severity = Severity::Warning;
    } else if value.starts_with('-') && v.bytes().any(|b| b != b'0') {
        c.push(
            &INVALID_NUMBER,
            vr,
            format!("--{}: a negative nice raises priority, which only operators may do; the job is refused. Use --nice=0 or a positive value.", spec.long),
        );
    }
}

pub(crate) const INVALID_NODE_COUNT: Rule = Rule {
    explanation: "--nodes takes `N` or `MIN-MAX` (whole numbers, MIN ≤ MAX); a job array cannot ask for 0 nodes. sbatch refuses other values (\"Node count specification invalid\"). Write e.g. `--nodes=2` or `--nodes=1-4`.",
    ..Rule::new(
        "sbatch/invalid-node-count",
        Severity::Error,
        "A malformed or impossible --nodes value.",
    )
};

pub(crate) const INVALID_ARRAY: Rule = Rule {
    explanation: "--array takes indices and ranges separated by commas, with an optional step and limit: `0-15`, `1,3,5`, `0-99:2`, `0-99%10`. sbatch refuses anything else. Fix the expression.",
    ..Rule::new("sbatch/invalid-array", Severity::Error, "A malformed --array index expression.")
};

pub(crate) const INVALID_DEPENDENCY: Rule = Rule {
    explanation: "--dependency takes `type:jobid[:jobid...]` items (after, afterok, afternotok, afterany, aftercorr, afterburstbuffer, singleton) joined by `,` (all) or `?` (any). sbatch refuses other forms. Fix the list, e.g. `--dependency=afterok:1234`.",
    ..Rule::new("sbatch/invalid-dependency", Severity::Error, "A malformed --dependency list.")
};

pub(crate) const INVALID_MAIL_TYPE: Rule = Rule {
    explanation: "--mail-type takes mail events (NONE, BEGIN, END, FAIL, REQUEUE, ALL, INVALID_DEPEND, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90/80/50, ARRAY_TASKS) separated by commas; an unknown one is dropped (or the whole value refused), so the mail you expect never comes. Write known events.",
    ..Rule::new(
        "sbatch/invalid-mail-type",
        Severity::Error,
        "A --mail-type that is not a mail event.",
    )
};

fn unknown_mail_types(c: &mut Checker, vr: std::ops::Range<usize>, value: &str) {
    for u in grammar::check_mail_type(value).unwrap_or_default() {
        c.push(
            &INVALID_MAIL_TYPE,
            vr.clone(),
            format!("--mail-type: `{u}` is not a mail type and is ignored; use NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT_90, ARRAY_TASKS, ..."),
        )
        .severity = Severity::Warning;
    }
}

pub(crate) const INVALID_SIGNAL: Rule = Rule {
    explanation: "--signal takes `[{R|B}:]SIGNAL[@TIME]`: a signal name or number, optionally the seconds before the time limit to send it. sbatch refuses other forms. Write e.g. `--signal=B:USR1@120`.",
    ..Rule::new("sbatch/invalid-signal", Severity::Error, "A malformed --signal value.")
};

pub(crate) const INVALID_BEGIN: Rule = Rule {
    explanation: "--begin and --deadline take `YYYY-MM-DD[THH:MM[:SS]]`, `HH:MM[:SS]`, `now[+N{seconds|minutes|hours|days|weeks}]`, `today`, `tomorrow`, `midnight`, `noon`, `teatime` and similar; sbatch refuses other values. Write one of those forms.",
    ..Rule::new(
        "sbatch/invalid-begin",
        Severity::Error,
        "A --begin/--deadline time sbatch cannot parse.",
    )
};

pub(crate) const INVALID_CHOICE: Rule = Rule {
    explanation: "The option takes one of a fixed set of words (the message lists them); anything else is refused or ignored. Write one of the listed values (the quick fix suggests the closest).",
    ..Rule::new(
        "sbatch/invalid-choice",
        Severity::Error,
        "A value that is not one of the option's choices.",
    )
};

fn choice_list(c: &mut Checker, vr: std::ops::Range<usize>, spec: &OptionSpec, value: &str) {
    for part in value.split(',') {
        if !spec.choices.iter().any(|ch| ch.eq_ignore_ascii_case(part)) {
            let list = spec.choices.join(", ");
            c.push(
                &INVALID_CHOICE,
                vr.clone(),
                format!("--{}: `{part}` is not one of {list}.", spec.long),
            );
        }
    }
}

pub(crate) const INVALID_CONSTRAINT: Rule = Rule {
    explanation: "--constraint and --prefer take node features joined by `&` (and), `|` (or), with `[...]` and `(...)` groups and `*N` counts; unbalanced brackets or empty features are refused. Fix the expression, e.g. `--constraint=\"a100|h100\"`.",
    ..Rule::new(
        "sbatch/invalid-constraint",
        Severity::Error,
        "A malformed --constraint/--prefer feature expression.",
    )
};

pub(crate) const INVALID_GRES: Rule = Rule {
    explanation: "--gres takes `name[:type][:count]` items separated by commas (`gpu:a100:2`), and each name must be a GRES the cluster has (the facts list them). sbatch refuses anything else (\"Invalid generic resource specification\"). Fix the spelling; the quick fix turns `gpu=2` into `gpu:2`.",
    ..Rule::new(
        "sbatch/invalid-gres",
        Severity::Error,
        "A malformed --gres, or a GRES the cluster does not have.",
    )
};

/// The GRES names of the value sbatch keeps (the last --gres) against the cluster's.
fn gres_on_cluster(
    c: &mut Checker,
    d: &Directive,
    vr: std::ops::Range<usize>,
    spec: &OptionSpec,
    value: &str,
) {
    let Ok(items) = grammar::parse_gres(value) else { return };
    let Some(known) = c.facts.map(|f| &f.gres_types) else { return };
    let is_last = c.index.last(d.component, "gres").is_some_and(|x| x.span == d.span);
    if !known.is_empty()
        && is_last
        && let Some(bad) = items.iter().find(|i| !known.contains(&i.name))
    {
        let sugg = did_you_mean(&bad.name, known.iter().map(String::as_str));
        let msg = format!(
            "--{}: the cluster has no GRES `{}`, so sbatch refuses the job{}; GRES here: {}.",
            spec.long,
            bad.name,
            sugg.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(),
            known.join(", ")
        );
        c.push(&INVALID_GRES, vr, msg);
    }
}

pub(crate) const INVALID_GPUS: Rule = Rule {
    explanation: "--gpus, --gpus-per-node, --gpus-per-task and --gpus-per-socket take `[type:]count` items separated by commas (`a100:2`); sbatch refuses other forms. Write e.g. `--gpus-per-node=2` or `--gpus-per-node=a100:2`.",
    ..Rule::new("sbatch/invalid-gpus", Severity::Error, "A malformed [type:]count GPU request.")
};

pub(crate) const INVALID_VALUE: Rule = Rule {
    explanation: "A value sbatch rejects for an option with its own small grammar: --distribution, --cpu-freq, --gpu-bind, -B/--extra-node-info, or a list of partitions, accounts or QOS with an empty item. The message says what the option takes.",
    ..Rule::new(
        "sbatch/invalid-value",
        Severity::Error,
        "A value sbatch rejects (distribution, cpu-freq, gpu-bind, -B, empty list items).",
    )
};

pub(crate) const TIME_MINUTES_SECONDS: Rule = Rule {
    explanation: "Slurm reads `A:B` as minutes:seconds, so `--time=1:30` is 90 seconds, not an hour and a half, and the job is killed almost at once. Write `1:30:00` for hours:minutes:seconds (the quick fix does it), or keep it if you meant seconds.",
    ..Rule::new(
        "sbatch/time-minutes-seconds",
        Severity::Info,
        "A time like 1:30, which means minutes:seconds.",
    )
};

fn time_minutes_seconds(c: &mut Checker, vr: std::ops::Range<usize>, value: &str) {
    let Ok(t) = grammar::parse_time(value) else { return };
    if let (Some(secs), None) = (t.seconds, value.find('-'))
        && value.matches(':').count() == 1
        && secs < 3600
    {
        let (a, b) = value.split_once(':').unwrap_or(("", ""));
        c.push(
            &TIME_MINUTES_SECONDS,
            vr.clone(),
            format!("`{value}` means {a} min {b} s, not {a} h {b} min. If you meant hours, write {a}:{b}:00."),
        )
        .fixes
        .push(Fix::replace(format!("Write {a}:{b}:00"), vr, format!("{a}:{b}:00")));
    }
}

pub(crate) const FILENAME_PATTERN: Rule = Rule {
    explanation: "In --output, --error and --input, sbatch replaces %j (job id), %A/%a (array job and task), %x (job name), %u (user), %N (node) and a few more; any other `%c` stays as written, and %a/%A outside a job array make no sense. Use a known pattern, or `%%` for a literal %.",
    ..Rule::new(
        "sbatch/filename-pattern",
        Severity::Warning,
        "An unknown %-pattern, or %a/%A outside a job array, in an output file name.",
    )
};

fn filename_pattern(c: &mut Checker, vr: std::ops::Range<usize>, value: &str) {
    for (at, ch) in grammar::file_pattern_problems(value) {
        let start = vr.start + at.min(vr.len());
        c.push(
            &FILENAME_PATTERN,
            start..(start + 2).min(vr.end),
            format!("`%{ch}` is not a Slurm file name pattern and stays as written. Use %j (job id), %A/%a (array job/task), %x (job name), %u (user), %N (node), or %% for a literal %."),
        );
    }
    if (value.contains("%a") || value.contains("%A")) && c.index.last(0, "array").is_none() {
        c.push(
            &FILENAME_PATTERN,
            vr.clone(),
            "%a/%A only mean something in job arrays (there is no --array here); use %j for the job id.",
        )
        .severity = Severity::Info;
    }
}

pub(crate) const INVALID_EXPORT: Rule = Rule {
    explanation: "--export takes ALL, NONE, or a comma-separated list of variable names and NAME=value pairs; an entry that is not a valid shell variable name is passed on as is and the job never sees such a variable. Fix the name.",
    ..Rule::new(
        "sbatch/invalid-export",
        Severity::Warning,
        "An --export entry that is not a variable name.",
    )
};

fn export(c: &mut Checker, vr: std::ops::Range<usize>, value: &str) {
    if let Err(m) = grammar::check_export(value) {
        c.push(
            &INVALID_EXPORT,
            vr,
            format!("--export: {m}; sbatch passes it on as is, and the job will not see such a variable."),
        );
    }
}
