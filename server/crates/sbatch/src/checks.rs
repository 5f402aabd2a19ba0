//! The checks. Every finding has a stable code `sbatch/<name>`, a severity that says
//! whether sbatch would refuse the script (error) or the script would misbehave
//! (warning), and a message that says what to do. Quick fixes are data.

use std::ops::Range;

use clusterls_core::facts::{Partition, PartitionState};
use clusterls_core::suggest::did_you_mean;
use clusterls_core::{ClusterFacts, Edit, Finding, Fix, Severity};

use crate::options::{ArgKind, OptionSpec, ValueKind};
use crate::parse::{
    Directive, IgnoredKind, LineProblem, Magic, OptionProblem, Resolved, Script, parse_for,
};
use crate::values;

/// Check an sbatch script. `facts` enables the checks against the real cluster.
pub fn check(text: &str, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let version = facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
    let script = parse_for(text, version);
    check_parsed(text, &script, facts)
}

/// Check an already parsed script.
pub fn check_parsed(text: &str, script: &Script, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let mut c = Checker { text, script, facts, out: Vec::new() };
    c.file_level();
    c.placement();
    c.line_problems();
    c.options();
    c.duplicates();
    if script.components > 1
        && let Some(d) = script.directives.iter().find(|d| d.name() == Some("array"))
    {
        c.push(Finding::error(
            d.span.clone(),
            "sbatch/hetjob-array",
            "A heterogeneous job (#SBATCH hetjob) cannot be a job array: sbatch refuses it (\"Invalid job array specification\"). Remove --array or the hetjob separator.",
        ));
    }
    for comp in 0..script.components {
        let req = Request::of(script, comp);
        c.conflicts(&req);
        if let Some(f) = facts {
            c.against_facts(f, &req);
        }
    }
    c.containers();
    let mut out = c.out;
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.code).cmp(&(b.range.start, b.range.end, &b.code))
    });
    out.dedup_by(|a, b| a.range == b.range && a.code == b.code);
    out
}

struct Checker<'a> {
    text: &'a str,
    script: &'a Script,
    facts: Option<&'a ClusterFacts>,
    out: Vec<Finding>,
}

/// The byte range of a whole line including its `\n` (for deleting it).
fn full_line(text: &str, span: &Range<usize>) -> Range<usize> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i + 1);
    start..end
}

impl Checker<'_> {
    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    fn file_level(&mut self) {
        let t = self.text;
        if t.trim().is_empty() {
            self.push(Finding::error(
                0..0,
                "sbatch/empty-script",
                "The script is empty: sbatch refuses it. Start with `#!/bin/bash`, then #SBATCH lines, then commands.",
            ));
            return;
        }
        if !t.starts_with("#!") {
            let first_end = t.find('\n').unwrap_or(t.len());
            self.push(
                Finding::error(
                    0..first_end,
                    "sbatch/no-shebang",
                    "sbatch refuses a script whose first line is not `#!` and an interpreter; add `#!/bin/bash` as the first line.",
                )
                .with_fix(Fix::replace("Add `#!/bin/bash` as the first line", 0..0, "#!/bin/bash\n")),
            );
        }
        if t.contains("\r\n") {
            let first = t.find("\r\n").unwrap_or(0);
            let edits: Vec<Edit> = t
                .match_indices("\r\n")
                .map(|(i, _)| Edit { range: i..i + 1, replacement: String::new() })
                .collect();
            self.push(
                Finding::error(
                    first..first + 1,
                    "sbatch/dos-line-endings",
                    "The script has DOS line endings (\\r\\n): sbatch refuses it. Convert it to Unix line endings (dos2unix, or your editor's LF setting).",
                )
                .with_fix(Fix { title: "Convert to Unix line endings".into(), edits }),
            );
        }
        if let Some(i) = t.find('\0') {
            self.push(Finding::error(
                i..i + 1,
                "sbatch/nul-byte",
                "The script contains a NUL byte: sbatch refuses binary content. Remove it.",
            ));
        }
    }

    fn placement(&mut self) {
        let t = self.text;
        for ig in &self.script.ignored {
            let line_text = &t[ig.span.clone()];
            match ig.kind {
                IgnoredKind::AfterCommand => {
                    let Some(cmd) = &self.script.first_command else { continue };
                    let cmd_line = t[..cmd.start].matches('\n').count() + 1;
                    let cmd_text: String = t[cmd.clone()].chars().take(40).collect();
                    let moved = line_text.trim_start();
                    let mut f = Finding::warning(
                        ig.span.clone(),
                        "sbatch/directive-after-command",
                        format!(
                            "sbatch ignores this line: directives stop at the first command (line {cmd_line}: `{cmd_text}`). Move it above that line."
                        ),
                    );
                    if moved.starts_with("#SBATCH") {
                        f = f.with_fix(Fix {
                            title: format!("Move above line {cmd_line}"),
                            edits: vec![
                                Edit {
                                    range: cmd.start..cmd.start,
                                    replacement: format!("{moved}\n"),
                                },
                                Edit { range: full_line(t, &ig.span), replacement: String::new() },
                            ],
                        });
                    }
                    self.push(f);
                }
                IgnoredKind::Indented => {
                    let indent = line_text.len() - line_text.trim_start().len();
                    self.push(
                        Finding::warning(
                            ig.span.clone(),
                            "sbatch/indented-directive",
                            "sbatch ignores an indented #SBATCH: it must start at column 1. Remove the indentation.",
                        )
                        .with_fix(Fix::replace(
                            "Remove the indentation",
                            ig.span.start..ig.span.start + indent,
                            "",
                        )),
                    );
                }
                IgnoredKind::Spaced => {
                    let after_hash = &line_text[1..];
                    let spaces = after_hash.len() - after_hash.trim_start().len();
                    self.push(
                        Finding::warning(
                            ig.span.clone(),
                            "sbatch/spaced-directive",
                            "sbatch ignores `# SBATCH` (space after `#`). Write `#SBATCH` to apply it, or `##SBATCH` to disable it on purpose.",
                        )
                        .with_fix(Fix::replace(
                            "Write #SBATCH",
                            ig.span.start + 1..ig.span.start + 1 + spaces,
                            "",
                        )),
                    );
                }
                IgnoredKind::WrongCase => {
                    self.push(
                        Finding::warning(
                            ig.span.clone(),
                            "sbatch/directive-case",
                            "sbatch only reads `#SBATCH` in capitals; this line is ignored. Write `#SBATCH`.",
                        )
                        .with_fix(Fix::replace(
                            "Write #SBATCH",
                            ig.span.start..ig.span.start + 7,
                            "#SBATCH",
                        )),
                    );
                }
            }
        }
        for l in &self.script.lines {
            if l.magic == Magic::Slurm {
                self.push(
                    Finding::warning(
                        l.span.start..l.span.start + 6,
                        "sbatch/slurm-magic",
                        "`#SLURM` is read, but sbatch prints an error asking to change it; write `#SBATCH`.",
                    )
                    .with_fix(Fix::replace("Write #SBATCH", l.span.start..l.span.start + 6, "#SBATCH")),
                );
            }
        }
    }

    fn line_problems(&mut self) {
        for p in &self.script.problems {
            match p {
                LineProblem::UnmatchedQuote { quote, span } => self.push(Finding::error(
                    span.clone(),
                    "sbatch/unmatched-quote",
                    format!("Unmatched {quote}: sbatch refuses the script. Close the quote on the same line."),
                )),
                LineProblem::LeadingColon { span } => self.push(Finding::error(
                    span.clone(),
                    "sbatch/leading-colon",
                    "sbatch refuses a directive word that starts with `:`. Remove the colon (heterogeneous jobs use `#SBATCH hetjob`).",
                )),
            }
        }
        for s in &self.script.strays {
            // A stray right after an option that takes its value only with `=`.
            let prev = self
                .script
                .directives
                .iter()
                .rev()
                .find(|d| d.span.end <= s.span.start && d.component == s.component);
            let mut f = Finding::error(
                s.span.clone(),
                "sbatch/stray-word",
                format!(
                    "sbatch refuses the script: `{}` is not an option (\"Invalid directive found in batch script\"). Remove it, or quote it into the value it belongs to.",
                    s.text
                ),
            );
            if let Some(d) = prev
                && let Some(spec) = d.spec()
                && spec.arg == ArgKind::Optional
                && d.value.is_none()
                && self.text[d.name_span.end..s.span.start].chars().all(|c| c == ' ' || c == '\t')
            {
                f.message = format!(
                    "sbatch refuses the script: --{} takes its value only after `=`, so `{}` is a stray word (\"Invalid directive found in batch script\"). Write --{}={}.",
                    spec.long, s.text, spec.long, s.text
                );
                f = f.with_fix(Fix::replace(
                    format!("Write --{}={}", spec.long, s.text),
                    d.name_span.end..s.span.start,
                    "=",
                ));
            }
            self.push(f);
        }
    }

    fn options(&mut self) {
        let version = self.facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
        for d in &self.script.directives {
            match &d.resolved {
                Resolved::Unknown => {
                    self.unknown_option(d);
                    continue;
                }
                Resolved::Ambiguous(names) => {
                    let list =
                        names.iter().map(|n| format!("--{n}")).collect::<Vec<_>>().join(", ");
                    self.push(Finding::error(
                        d.name_span.clone(),
                        "sbatch/ambiguous-option",
                        format!("`{}` is ambiguous (it could be {list}): sbatch refuses it. Write the option in full.", d.written),
                    ));
                    continue;
                }
                Resolved::Known { spec, exact } => {
                    if !exact {
                        self.push(
                            Finding::hint(
                                d.name_span.clone(),
                                "sbatch/abbreviated-option",
                                format!("`{}` works as an abbreviation of --{}, but may become ambiguous in a later Slurm; write it in full.", d.written, spec.long),
                            )
                            .with_fix(Fix::replace(format!("Write --{}", spec.long), d.name_span.clone(), format!("--{}", spec.long))),
                        );
                    }
                    if let Some(v) = version
                        && !spec.in_version(v)
                    {
                        let msg = match spec.until {
                            Some(u) if v > u => format!(
                                "--{} was removed after Slurm {}.{:02}; the cluster runs {}.{:02}. Remove it.",
                                spec.long, u.0, u.1, v.0, v.1
                            ),
                            _ => format!(
                                "--{} needs Slurm {}.{:02} or newer; the cluster runs {}.{:02}. Remove it or ask for a newer Slurm.",
                                spec.long, spec.since.0, spec.since.1, v.0, v.1
                            ),
                        };
                        self.push(Finding::error(
                            d.name_span.clone(),
                            "sbatch/option-version",
                            msg,
                        ));
                    }
                    self.known_option(d, spec);
                }
            }
        }
    }

    fn unknown_option(&mut self, d: &Directive) {
        let long = d.written.starts_with("--");
        let mut f;
        let version = self.facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
        if long
            && let Some(spec) = crate::options::by_long(&d.written[2..])
            && let Some(v) = version
        {
            // An option of another release: say which.
            let msg = match spec.until {
                Some(u) if v > u => format!(
                    "--{} was removed after Slurm {}.{:02}; the cluster runs {}.{:02}, whose sbatch refuses it. Remove it.",
                    spec.long, u.0, u.1, v.0, v.1
                ),
                _ => format!(
                    "--{} needs Slurm {}.{:02} or newer; the cluster runs {}.{:02}, whose sbatch refuses it. Remove it.",
                    spec.long, spec.since.0, spec.since.1, v.0, v.1
                ),
            };
            self.push(Finding::error(d.name_span.clone(), "sbatch/option-version", msg));
            return;
        }
        if long {
            let name = &d.written[2..];
            let suggestion = did_you_mean(name, crate::options::options().iter().map(|o| o.long));
            let hint = suggestion.map(|s| format!(" Did you mean --{s}?")).unwrap_or_default();
            f = Finding::error(
                d.name_span.clone(),
                "sbatch/unknown-option",
                format!(
                    "sbatch has no option `{}`: it refuses the script (\"Invalid directive found in batch script\").{hint}",
                    d.written
                ),
            );
            if let Some(s) = suggestion {
                f = f.with_fix(Fix::replace(
                    format!("Change to --{s}"),
                    d.name_span.clone(),
                    format!("--{s}"),
                ));
            }
        } else {
            let c = d.written.chars().nth(1).unwrap_or('?');
            let lower = c.to_ascii_lowercase();
            let upper = c.to_ascii_uppercase();
            let alt = [lower, upper]
                .into_iter()
                .filter(|x| *x != c)
                .find_map(crate::options::by_short)
                .map(|o| format!(" (-{} is --{})", o.short.unwrap_or('?'), o.long))
                .unwrap_or_default();
            f = Finding::error(
                d.name_span.clone(),
                "sbatch/unknown-option",
                format!(
                    "sbatch has no option `-{c}`{alt}: it refuses the script. Use the long form, e.g. --partition=NAME."
                ),
            );
        }
        self.push(f);
    }

    fn value_range(&self, d: &Directive) -> Range<usize> {
        d.value_span.clone().unwrap_or(d.name_span.clone())
    }

    fn known_option(&mut self, d: &Directive, spec: &'static OptionSpec) {
        match d.problem {
            Some(OptionProblem::MissingValue) => {
                self.push(Finding::error(
                    d.name_span.clone(),
                    "sbatch/missing-value",
                    format!(
                        "--{} needs a value: sbatch refuses the script. Write --{}={}.",
                        spec.long, spec.long, spec.placeholder
                    ),
                ));
                return;
            }
            Some(OptionProblem::UnexpectedValue) => {
                let range = d.name_span.end..d.span.end;
                self.push(
                    Finding::error(
                        range.clone(),
                        "sbatch/unexpected-value",
                        format!(
                            "--{} takes no value: sbatch refuses the script. Remove `{}`.",
                            spec.long,
                            &self.text[range.clone()]
                        ),
                    )
                    .with_fix(Fix::replace("Remove the value", range, "")),
                );
                return;
            }
            None => {}
        }
        match spec.long {
                        "help" | "usage" | "version" => self.push(Finding::warning(
                d.name_span.clone(),
                "sbatch/not-in-script",
                format!("--{} only works on sbatch's command line; in a script it is ignored. Remove it.", spec.long),
            )),
            "wrap" => self.push(Finding::warning(
                d.name_span.clone(),
                "sbatch/not-in-script",
                "--wrap only makes sense on the command line (it generates a script); inside a script it is ignored. Put the command in the script's body.",
            )),
            "test-only" => self.push(Finding::warning(
                d.name_span.clone(),
                "sbatch/not-in-script",
                "--test-only in the script means the job is never submitted. Remove it, and pass --test-only on the command line when you want a dry run.",
            )),
                        "uid" | "gid" => self.push(Finding::error(
                d.name_span.clone(),
                "sbatch/root-only",
                format!("--{} works only for root; for anyone else sbatch refuses it. Remove it.", spec.long),
            )),
            _ => {}
        }
        let Some(value) = d.value.as_deref() else { return };
        let vr = self.value_range(d);
        self.shell_variables(d, spec, value);
        if value.is_empty()
            && spec.arg == ArgKind::Required
            && !matches!(
                spec.value,
                ValueKind::Text | ValueKind::Path | ValueKind::FilePattern | ValueKind::NodeList
            )
        {
            self.push(Finding::error(
                d.span.clone(),
                "sbatch/missing-value",
                format!(
                    "--{} has an empty value. Write --{}={}.",
                    spec.long, spec.long, spec.placeholder
                ),
            ));
            return;
        }
        let err = |code: &str, msg: String| {
            Finding::error(vr.clone(), code, format!("--{}: {msg}.", spec.long))
        };
        match spec.value {
            ValueKind::Time => match values::parse_time(value) {
                Err(m) => self.push(err("sbatch/invalid-time", m)),
                Ok(t) => {
                    if let (Some(secs), None) = (t.seconds, value.find('-'))
                        && value.matches(':').count() == 1
                        && secs < 3600
                    {
                        let (a, b) = value.split_once(':').unwrap_or(("", ""));
                        self.push(
                            Finding::info(
                                vr.clone(),
                                "sbatch/time-minutes-seconds",
                                format!(
                                    "`{value}` means {a} min {b} s, not {a} h {b} min. If you meant hours, write {a}:{b}:00."
                                ),
                            )
                            .with_fix(Fix::replace(format!("Write {a}:{b}:00"), vr.clone(), format!("{a}:{b}:00"))),
                        );
                    }
                }
            },
            ValueKind::Memory => {
                if let Err(m) = values::parse_memory(value) {
                    let mut f = err("sbatch/invalid-memory", m);
                    let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
                    let rest = &value[digits.len()..];
                    if !digits.is_empty() && rest.len() == 2 && rest[1..].eq_ignore_ascii_case("b")
                    {
                        let fixed = format!("{digits}{}", rest[..1].to_ascii_uppercase());
                        f = f.with_fix(Fix::replace(format!("Write {fixed}"), vr.clone(), fixed));
                    }
                    self.push(f);
                }
            }
            ValueKind::Count => {
                let zero_ok = matches!(spec.long, "core-spec" | "thread-spec");
                if let Err(m) = values::parse_count(value, zero_ok) {
                    self.push(err("sbatch/invalid-number", m));
                }
            }
            ValueKind::SignedInt => {
                let v = value.strip_prefix('-').unwrap_or(value);
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    self.push(Finding::warning(
                        vr.clone(),
                        "sbatch/invalid-number",
                        format!("--{}: `{value}` is not a whole number; sbatch reads it as 0. Write a number.", spec.long),
                    ));
                } else if value.starts_with('-') && v.bytes().any(|b| b != b'0') {
                    self.push(err(
                        "sbatch/invalid-number",
                        "a negative nice raises priority, which only operators may do; the job is refused. Use --nice=0 or a positive value".to_string(),
                    ));
                }
            }
            ValueKind::NodeCount => {
                if let Err(m) = values::parse_node_count(value) {
                    self.push(err("sbatch/invalid-node-count", m));
                }
            }
            ValueKind::Array => {
                if let Err(m) = values::parse_array(value) {
                    self.push(err("sbatch/invalid-array", m));
                }
            }
            ValueKind::Dependency => {
                if let Err(m) = values::check_dependency(value) {
                    self.push(err("sbatch/invalid-dependency", m));
                }
            }
            ValueKind::MailType => match values::check_mail_type(value) {
                Err(m) => self.push(err("sbatch/invalid-mail-type", m)),
                Ok(unknown) => {
                    for u in unknown {
                        self.push(Finding::warning(
                            vr.clone(),
                            "sbatch/invalid-mail-type",
                            format!("--mail-type: `{u}` is not a mail type and is ignored; use NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT_90, ARRAY_TASKS, ..."),
                        ));
                    }
                }
            },
            ValueKind::Signal => {
                if let Err(m) = values::check_signal(value) {
                    self.push(err("sbatch/invalid-signal", m));
                }
            }
            ValueKind::DateTime => {
                if let Err(m) = values::check_datetime(value) {
                    self.push(err("sbatch/invalid-begin", m));
                }
            }
            ValueKind::FilePattern => {
                for (at, c) in values::file_pattern_problems(value) {
                    let start = vr.start + at.min(vr.len());
                    self.push(Finding::warning(
                        start..(start + 2).min(vr.end),
                        "sbatch/filename-pattern",
                        format!(
                            "`%{c}` is not a Slurm file name pattern and stays as written. Use %j (job id), %A/%a (array job/task), %x (job name), %u (user), %N (node), or %% for a literal %."
                        ),
                    ));
                }
                if (value.contains("%a") || value.contains("%A"))
                    && self.script.last("array").is_none()
                {
                    self.push(Finding::info(
                        vr.clone(),
                        "sbatch/filename-pattern",
                        "%a/%A only mean something in job arrays (there is no --array here); use %j for the job id.",
                    ));
                }
                if value.starts_with('~') {
                    self.push(Finding::warning(
                        vr.clone(),
                        "sbatch/shell-variable",
                        "sbatch does not expand `~`: the file would go to a directory literally named `~`. Write the full path, or a path relative to the working directory.",
                    ));
                }
            }
            ValueKind::Export => {
                if let Err(m) = values::check_export(value) {
                    self.push(Finding::warning(
                        vr.clone(),
                        "sbatch/invalid-export",
                        format!("--export: {m}; sbatch passes it on as is, and the job will not see such a variable."),
                    ));
                }
            }
            ValueKind::Exclusive | ValueKind::Choice => {
                let version =
                    self.facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
                let ok = match spec.long {
                    // sbatch looks only at the first letter (measured: `apend` works).
                    "open-mode" => value.starts_with(['a', 'A', 't', 'T']),
                    "exclusive" if value.eq_ignore_ascii_case("topo") => {
                        version.is_none_or(|v| v >= (24, 11))
                    }
                    _ => spec.choices.iter().any(|c| c.eq_ignore_ascii_case(value)),
                };
                if !ok {
                    let list = spec.choices.join(", ");
                    let mut f =
                        err("sbatch/invalid-choice", format!("`{value}` is not one of {list}"));
                    if let Some(s) = did_you_mean(value, spec.choices.iter().copied()) {
                        f = f.with_fix(Fix::replace(format!("Change to {s}"), vr.clone(), s));
                    }
                    self.push(f);
                }
            }
            ValueKind::ChoiceList => {
                for part in value.split(',') {
                    if !spec.choices.iter().any(|c| c.eq_ignore_ascii_case(part)) {
                        let list = spec.choices.join(", ");
                        self.push(err(
                            "sbatch/invalid-choice",
                            format!("`{part}` is not one of {list}"),
                        ));
                    }
                }
            }
            ValueKind::Constraint => {
                if let Err(m) = values::check_constraint(value) {
                    self.push(err("sbatch/invalid-constraint", m));
                }
            }
            ValueKind::Gres => match values::parse_gres(value) {
                Err(m) => {
                    let mut f = err("sbatch/invalid-gres", m);
                    if value.contains('=') && !value.contains(',') {
                        let fixed = value.replacen('=', ":", 1);
                        f = f.with_fix(Fix::replace(format!("Write {fixed}"), vr.clone(), fixed));
                    }
                    self.push(f);
                }
                Ok(items) => {
                    let known = self.facts.map(|f| f.gres_types.clone()).unwrap_or_default();
                    // Only the value sbatch keeps (the last --gres) reaches the controller.
                    let is_last = self
                        .script
                        .directives
                        .iter()
                        .rev()
                        .find(|x| x.component == d.component && x.name() == Some("gres"))
                        .is_some_and(|x| x.span == d.span);
                    if !known.is_empty()
                        && is_last
                        && let Some(bad) = items.iter().find(|i| !known.contains(&i.name))
                    {
                        let sugg = did_you_mean(&bad.name, known.iter().map(String::as_str));
                        self.push(err(
                            "sbatch/invalid-gres",
                            format!(
                                "the cluster has no GRES `{}`, so sbatch refuses the job{}; GRES here: {}",
                                bad.name,
                                sugg.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(),
                                known.join(", ")
                            ),
                        ));
                    }
                }
            },
            ValueKind::Gpus => {
                if let Err(m) = values::parse_gpus(value) {
                    self.push(err("sbatch/invalid-gpus", m));
                }
            }
            ValueKind::SocketCoreThread => {
                if let Err(m) = values::check_socket_core_thread(value) {
                    self.push(err("sbatch/invalid-value", m));
                }
            }
            ValueKind::Partition | ValueKind::Account | ValueKind::Qos => {
                if value.split(',').any(|p| p.is_empty()) {
                    self.push(err(
                        "sbatch/invalid-value",
                        format!("`{value}` has an empty name in its list"),
                    ));
                }
            }
            ValueKind::Text => {
                let r = match spec.long {
                    "distribution" => values::check_distribution(value),
                    "cpu-freq" => values::check_cpu_freq(value),
                    "gpu-bind" => values::check_gpu_bind(value),
                    _ => Ok(()),
                };
                if let Err(m) = r {
                    self.push(err("sbatch/invalid-value", m));
                }
            }
            ValueKind::Flag | ValueKind::Path | ValueKind::NodeList => {}
        }
    }

    fn shell_variables(&mut self, d: &Directive, spec: &OptionSpec, value: &str) {
        let Some(vr) = d.value_span.clone() else { return };
        let raw = &self.text[vr.clone()];
        let has_var = raw.contains("$(")
            || raw.contains('`')
            || raw.char_indices().any(|(i, c)| {
                c == '$'
                    && raw[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n == '{' || n.is_ascii_alphabetic() || n == '_')
            });
        if !has_var {
            return;
        }
        let mut f = Finding::warning(
            vr.clone(),
            "sbatch/shell-variable",
            format!(
                "sbatch takes #SBATCH values literally: `{value}` is not expanded by the shell. Write the value itself{}, or pass it on the command line (sbatch --{}=\"$VAR\" script).",
                if spec.value == ValueKind::FilePattern {
                    " or use %j, %x, %u, %A, %a"
                } else {
                    ""
                },
                spec.long
            ),
        );
        if spec.value == ValueKind::FilePattern {
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
                f = f.with_fix(Fix::replace(format!("Write {fixed}"), vr, fixed));
            }
        }
        self.push(f);
    }

    fn duplicates(&mut self) {
        let ds = &self.script.directives;
        for (i, d) in ds.iter().enumerate() {
            let Some(name) = d.name() else { continue };
            if matches!(name, "verbose" | "quiet") {
                continue;
            }
            if let Some(later) =
                ds[i + 1..].iter().find(|l| l.component == d.component && l.name() == Some(name))
            {
                if later.value == d.value {
                    let range = full_line(self.text, &self.script.lines[d.line_index].span);
                    let whole_line = self.script.lines[d.line_index].words.len() <= 2
                        && self
                            .script
                            .directives
                            .iter()
                            .filter(|x| x.line_index == d.line_index)
                            .count()
                            == 1;
                    let mut f = Finding::hint(
                        d.span.clone(),
                        "sbatch/duplicate-option",
                        format!(
                            "--{name} is given again on line {} with the same value; remove one.",
                            later.line + 1
                        ),
                    );
                    if whole_line {
                        f = f.with_fix(Fix::replace("Remove this line", range, ""));
                    }
                    self.push(f);
                } else {
                    self.push(Finding::warning(
                        d.span.clone(),
                        "sbatch/duplicate-option",
                        format!(
                            "--{name} is given again on line {} and sbatch uses the last one (`{}`); remove the one you don't mean.",
                            later.line + 1,
                            later.value.as_deref().unwrap_or("")
                        ),
                    ));
                }
            }
        }
    }
}

fn parse_version(v: &str) -> Option<(u8, u8)> {
    let mut it = v.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}

/// What a job component asks for (the last directive of each option wins).
#[derive(Default)]
struct Request<'a> {
    component: usize,
    partition: Option<&'a Directive>,
    account: Option<&'a Directive>,
    qos: Option<&'a Directive>,
    time: Option<(&'a Directive, Option<u64>)>,
    nodes: Option<(&'a Directive, u64, Option<u64>)>,
    ntasks: Option<(&'a Directive, u64)>,
    ntasks_per_node: Option<(&'a Directive, u64)>,
    cpus_per_task: Option<(&'a Directive, u64)>,
    mem: Option<(&'a Directive, u64)>,
    mem_per_cpu: Option<(&'a Directive, u64)>,
    mem_per_gpu: Option<(&'a Directive, u64)>,
    gres_gpu: Option<(&'a Directive, Option<String>, u64)>,
    gpus_per_node: Option<(&'a Directive, Option<String>, u64)>,
    gpus: Option<(&'a Directive, Option<String>, u64)>,
    gpus_per_task: Option<(&'a Directive, u64)>,
    cpus_per_gpu: Option<&'a Directive>,
    mincpus: Option<(&'a Directive, u64)>,
}

impl<'a> Request<'a> {
    fn of(script: &'a Script, component: usize) -> Request<'a> {
        // Heterogeneous job components inherit some options from the ones before them
        // (measured on 22.05: --account and --time are inherited, --partition,
        // --cpus-per-task and --gres are not).
        let inherited = |name: &str| matches!(name, "account" | "qos" | "time" | "reservation");
        let last = |name: &str| {
            script.directives.iter().rev().find(|d| {
                (d.component == component || (inherited(name) && d.component < component))
                    && d.name() == Some(name)
            })
        };
        let val = |name: &str| last(name).and_then(|d| d.value.as_deref().map(|v| (d, v)));
        let count = |name: &str| {
            val(name).and_then(|(d, v)| values::parse_count(v, true).ok().map(|n| (d, n)))
        };
        let mem =
            |name: &str| val(name).and_then(|(d, v)| values::parse_memory(v).ok().map(|n| (d, n)));
        let gpus = |name: &str| {
            val(name).and_then(|(d, v)| {
                let items = values::parse_gpus(v).ok()?;
                let total: u64 = items.iter().map(|i| i.1).sum();
                Some((d, items.into_iter().find_map(|i| i.0), total))
            })
        };
        Request {
            component,
            partition: last("partition"),
            account: last("account"),
            qos: last("qos"),
            time: val("time")
                .and_then(|(d, v)| values::parse_time(v).ok().map(|t| (d, t.minutes()))),
            // `--nodes=0` means "not given" to the capacity checks.
            nodes: val("nodes")
                .and_then(|(d, v)| values::parse_node_count(v).ok().map(|(a, b)| (d, a, b)))
                .filter(|n| n.1 > 0),
            ntasks: count("ntasks"),
            ntasks_per_node: count("ntasks-per-node"),
            cpus_per_task: count("cpus-per-task"),
            mem: mem("mem"),
            mem_per_cpu: mem("mem-per-cpu"),
            mem_per_gpu: mem("mem-per-gpu"),
            gres_gpu: val("gres").and_then(|(d, v)| {
                let items = values::parse_gres(v).ok()?;
                // Repeated gpu entries: the last one counts (measured: `gpu:1,gpu:2` with --gpus=2 is accepted).
                let g = items.into_iter().rev().find(|i| i.name == "gpu")?;
                Some((d, g.gres_type, g.count))
            }),
            gpus_per_node: gpus("gpus-per-node"),
            gpus: gpus("gpus"),
            gpus_per_task: val("gpus-per-task").and_then(|(d, v)| {
                values::parse_gpus(v).ok().map(|i| (d, i.iter().map(|x| x.1).sum()))
            }),
            cpus_per_gpu: last("cpus-per-gpu"),
            mincpus: count("mincpus"),
        }
    }

    fn wants_gpus(&self) -> bool {
        self.gres_gpu.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus_per_node.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus.as_ref().is_some_and(|g| g.2 > 0)
            || self.gpus_per_task.is_some_and(|g| g.1 > 0)
    }

    /// GPUs per node, when the request says so directly.
    fn gpus_per_node_count(&self) -> Option<(&'a Directive, Option<String>, u64)> {
        self.gres_gpu.clone().or(self.gpus_per_node.clone())
    }
}

impl Checker<'_> {
    fn conflicts(&mut self, r: &Request) {
        let mems: Vec<&Directive> =
            [r.mem.map(|m| m.0), r.mem_per_cpu.map(|m| m.0), r.mem_per_gpu.map(|m| m.0)]
                .into_iter()
                .flatten()
                .collect();
        if mems.len() > 1 {
            let names: Vec<String> =
                mems.iter().map(|d| format!("--{}", d.name().unwrap_or(""))).collect();
            for d in &mems[1..] {
                self.push(Finding::error(
                    d.span.clone(),
                    "sbatch/mem-conflict",
                    format!(
                        "{} exclude each other: sbatch refuses the script. Keep only one of them.",
                        names.join(" and ")
                    ),
                ));
            }
        }
        if let (Some(g), Some(p)) = (&r.gres_gpu, &r.gpus_per_node) {
            self.push(Finding::warning(
                p.0.span.clone(),
                "sbatch/gpu-conflict",
                format!(
                    "GPUs are requested twice, with --gres (line {}) and --gpus-per-node; keep one (they must agree or the job is refused).",
                    g.0.line + 1
                ),
            ));
        }
        if let Some(d) = self
            .script
            .directives
            .iter()
            .rev()
            .find(|x| x.component == r.component && x.name() == Some("nodes"))
            && d.value
                .as_deref()
                .is_some_and(|v| values::parse_node_count(v).is_ok_and(|n| n.0 == 0))
            && self
                .script
                .directives
                .iter()
                .any(|x| x.component == r.component && x.name() == Some("array"))
        {
            self.push(Finding::error(
                d.span.clone(),
                "sbatch/invalid-node-count",
                "--nodes=0 in a job array: sbatch refuses it (\"Node count specification invalid\"). Ask for at least 1 node.",
            ));
        }
        if let (Some((d, _, total)), Some((pd, _, per_node))) = (&r.gpus, r.gpus_per_node_count())
            && *total > 0
            && *total < per_node
        {
            self.push(Finding::error(
                d.span.clone(),
                "sbatch/gpu-conflict",
                format!(
                    "--gpus={total} for the whole job is fewer than the {per_node} per node asked on line {}: sbatch refuses the job. Make --gpus at least {per_node}, or drop one of them.",
                    pd.line + 1
                ),
            ));
        }
        if let Some((d, _)) = r.gpus_per_task
            && r.ntasks.is_none()
            && r.ntasks_per_node.is_none()
            && r.gpus.is_none()
        {
            self.push(Finding::error(
                d.span.clone(),
                "sbatch/gpus-per-task-without-tasks",
                "--gpus-per-task needs --ntasks (or --gpus): sbatch refuses it alone. Add --ntasks=N.",
            ));
        }
        if let (Some(d), Some((c, _))) = (r.cpus_per_gpu, r.cpus_per_task) {
            self.push(Finding::error(
                d.span.clone(),
                "sbatch/cpus-conflict",
                format!(
                    "--cpus-per-gpu and --cpus-per-task (line {}) exclude each other: sbatch refuses the job. Keep one.",
                    c.line + 1
                ),
            ));
        }
        if !r.wants_gpus() {
            if let Some((d, _)) = r.mem_per_gpu {
                self.push(Finding::error(
                    d.span.clone(),
                    "sbatch/per-gpu-without-gpus",
                    "--mem-per-gpu without a GPU request: sbatch refuses the job (\"did not request any GPU\"). Request GPUs (--gres=gpu:N or --gpus-per-node=N) or use --mem.",
                ));
            }
            if let Some(d) = r.cpus_per_gpu {
                self.push(Finding::warning(
                    d.span.clone(),
                    "sbatch/per-gpu-without-gpus",
                    "--cpus-per-gpu without a GPU request has no effect; request GPUs or use --cpus-per-task.",
                ));
            }
        }
        if let (Some((nd, min, _)), Some((td, n))) = (r.nodes, r.ntasks)
            && n < min
        {
            self.push(Finding::warning(
                td.span.clone(),
                "sbatch/task-layout",
                format!(
                    "{n} task(s) cannot be spread over {min} nodes (line {}): sbatch lowers the node count to {n}. Ask for at least {min} tasks or fewer nodes.",
                    nd.line + 1
                ),
            ));
        }
        if let (Some((_, min, max)), Some((td, n)), Some((_, per))) =
            (r.nodes, r.ntasks, r.ntasks_per_node)
            && max.is_some_and(|m| m == min)
            && n > min * per
        {
            self.push(Finding::error(
                td.span.clone(),
                "sbatch/task-layout",
                format!(
                    "{n} tasks do not fit on {min} node(s) × {per} tasks per node; raise --nodes or --ntasks-per-node, or lower --ntasks.",
                ),
            ));
        }
        if let Some((d, Some(t))) = r.time {
            let tm = self
                .script
                .directives
                .iter()
                .rev()
                .find(|x| x.component == r.component && x.name() == Some("time-min"));
            if let Some(tm) = tm
                && let Some(Ok(Some(min))) =
                    tm.value.as_deref().map(|v| values::parse_time(v).map(|x| x.minutes()))
                && min > t
            {
                self.push(Finding::error(
                    tm.span.clone(),
                    "sbatch/time-min-over-time",
                    format!(
                        "--time-min ({}) is longer than --time on line {} ({}); lower it.",
                        values::human_minutes(min),
                        d.line + 1,
                        values::human_minutes(t)
                    ),
                ));
            }
        }
    }

    /// `sbatch/unknown-account` when the user has no such account at all (whatever the
    /// partition). Whether the account is known (or the facts cannot say).
    fn account_known(&mut self, f: &ClusterFacts, r: &Request, acct: &str) -> bool {
        if f.associations.is_empty() {
            return false;
        }
        let accounts = f.accounts();
        if accounts.contains(&acct) {
            return true;
        }
        let ar = r
            .account
            .and_then(|d| d.value_span.clone())
            .or(r.partition.map(|p| p.span.clone()))
            .unwrap_or(0..0);
        let sugg = did_you_mean(acct, accounts.iter().copied());
        let mut fd = Finding::new(
            ar.clone(),
            if f.enforces("associations") { Severity::Error } else { Severity::Warning },
            "sbatch/unknown-account",
            format!(
                "You have no account `{acct}` on this cluster: sbatch refuses the job (\"Invalid account\").{} Your accounts: {}.",
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                accounts.join(", ")
            ),
        );
        if let Some(s) = sugg
            && r.account.is_some()
        {
            fd = fd.with_fix(Fix::replace(format!("Change to {s}"), ar, s));
        }
        self.push(fd);
        false
    }

    fn against_facts(&mut self, f: &ClusterFacts, r: &Request) {
        if f.partitions.is_empty() {
            return;
        }
        // Partitions.
        let mut parts: Vec<&Partition> = Vec::new();
        if let Some(d) = r.partition
            && let Some(v) = d.value.as_deref()
        {
            let vr = d.value_span.clone().unwrap_or(d.span.clone());
            let mut offset = 0;
            for name in v.split(',') {
                let here = vr.start + offset..vr.start + offset + name.len();
                offset += name.len() + 1;
                let exact_span = if &self.text[vr.clone()] == v { here } else { vr.clone() };
                match f.partition(name) {
                    Some(p) => parts.push(p),
                    None => {
                        let names: Vec<&str> =
                            f.partitions.iter().map(|p| p.name.as_str()).collect();
                        let sugg = did_you_mean(name, names.iter().copied());
                        let mut fd = Finding::error(
                            exact_span.clone(),
                            "sbatch/unknown-partition",
                            format!(
                                "The cluster has no partition `{name}`: sbatch refuses the job.{} Partitions: {}.",
                                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                                names.join(", ")
                            ),
                        );
                        if let Some(s) = sugg {
                            fd = fd.with_fix(Fix::replace(format!("Change to {s}"), exact_span, s));
                        }
                        self.push(fd);
                    }
                }
            }
            if parts.is_empty() {
                // No partition to check against, but an account the user lacks is wrong
                // on every partition.
                if let Some(acct) =
                    r.account.and_then(|d| d.value.clone()).or(f.default_account.clone())
                {
                    self.account_known(f, r, &acct);
                }
                return;
            }
        } else if let Some(p) = f.default_partition() {
            parts.push(p);
        } else {
            return;
        }
        let anchor = |d: Option<&Directive>| -> Range<usize> {
            d.map(|d| d.span.clone()).or(r.partition.map(|p| p.span.clone())).unwrap_or(0..0)
        };
        let pname = |p: &Partition| {
            if r.partition.is_some() {
                format!("partition {}", p.name)
            } else {
                format!("the default partition {}", p.name)
            }
        };
        // Only single-partition requests are checked for limits: with a list, Slurm picks
        // whichever partition fits.
        let single = parts.len() == 1;
        // Reservations.
        if let Some(known) = &f.reservations
            && let Some(d) = self
                .script
                .directives
                .iter()
                .rev()
                .find(|x| x.component == r.component && x.name() == Some("reservation"))
            && let Some(v) = d.value.as_deref()
            && let Some(bad) = v.split(',').find(|n| !known.iter().any(|k| k == n))
        {
            let sugg = did_you_mean(bad, known.iter().map(String::as_str));
            self.push(Finding::error(
                d.value_span.clone().unwrap_or(d.span.clone()),
                "sbatch/unknown-reservation",
                format!(
                    "The cluster has no reservation `{bad}`: sbatch refuses the job (\"Requested reservation is invalid\").{} {}",
                    sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                    if known.is_empty() { "There are no reservations now: remove the option.".to_string() } else { format!("Reservations: {}.", known.join(", ")) }
                ),
            ));
        }
        // Node features for --constraint/--prefer/--batch, when the facts know them.
        let known_features: Option<Vec<&str>> = parts
            .iter()
            .map(|p| p.features.as_ref())
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().map(String::as_str).collect());
        if let Some(known) = known_features {
            for opt in ["constraint", "prefer", "batch"] {
                let Some(d) = self
                    .script
                    .directives
                    .iter()
                    .rev()
                    .find(|x| x.component == r.component && x.name() == Some(opt))
                else {
                    continue;
                };
                let Some(v) = d.value.as_deref() else { continue };
                let unknown: Vec<&str> = v
                    .split(|c: char| "&|,[]()!*".contains(c) || c.is_whitespace())
                    .filter(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()))
                    .filter(|t| !known.contains(t))
                    .collect();
                if let Some(first) = unknown.first() {
                    let sugg = did_you_mean(first, known.iter().copied());
                    self.push(Finding::error(
                        d.value_span.clone().unwrap_or(d.span.clone()),
                        "sbatch/unknown-feature",
                        format!(
                            "No node in {} has the feature `{first}`: sbatch refuses the job (\"Invalid {}feature specification\").{} {}",
                            parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
                            if opt == "prefer" { "preferred " } else { "" },
                            sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                            if known.is_empty() { "Its nodes have no features: remove the option.".to_string() } else { format!("Features there: {}.", known.join(", ")) }
                        ),
                    ));
                }
            }
        }
        if !single
            && let Some(acct) =
                r.account.and_then(|d| d.value.clone()).or(f.default_account.clone())
            && f.enforces("associations")
            && f.associations.iter().any(|a| a.account == acct && a.partition.is_some())
        {
            self.push(Finding::error(
                anchor(r.partition),
                "sbatch/partition-list",
                format!(
                    "Your associations for `{acct}` are per partition, and then Slurm refuses a list of partitions (\"Multiple partition job request not supported when a partition is set in the association\"). Give one partition."
                ),
            ));
        }
        for p in &parts {
            match p.state {
                PartitionState::Up => {}
                PartitionState::Inactive => self.push(Finding::error(
                    anchor(r.partition),
                    "sbatch/partition-down",
                    format!("{} is INACTIVE: sbatch refuses jobs for it. Use another partition.", pname(p)),
                )),
                PartitionState::Down | PartitionState::Drain => self.push(Finding::warning(
                    anchor(r.partition),
                    "sbatch/partition-down",
                    format!(
                        "{} is {}: the job will be accepted but will not start until an admin brings it up. Use another partition.",
                        pname(p),
                        if p.state == PartitionState::Down { "DOWN" } else { "DRAINED" }
                    ),
                )),
            }
        }
        // Accounts.
        let account = r.account.and_then(|d| d.value.clone()).or(f.default_account.clone());
        if let Some(acct) = account.as_deref()
            && self.account_known(f, r, acct)
        {
            let accounts = f.accounts();
            let ar = r.account.and_then(|d| d.value_span.clone()).unwrap_or(anchor(None));
            // Every listed partition must accept the account (measured on 22.05 with
            // EnforcePartLimits=ALL: `-p gpu,cpu` with an account only on cpu is refused).
            for p in parts.iter().copied() {
                if f.may_use(acct, &p.name) == Some(false) {
                    let ok: Vec<&str> = f
                        .partitions
                        .iter()
                        .filter(|q| f.may_use(acct, &q.name) == Some(true))
                        .map(|q| q.name.as_str())
                        .collect();
                    let other: Vec<&str> = accounts
                        .iter()
                        .copied()
                        .filter(|a| f.may_use(a, &p.name) == Some(true))
                        .collect();
                    self.push(Finding::error(
                    if r.account.is_some() { ar.clone() } else { anchor(r.partition) },
                    "sbatch/account-partition",
                    format!(
                        "Account `{acct}` may not use {}: sbatch refuses the job (\"Invalid account or account/partition combination\"). {}{}",
                        pname(p),
                        if ok.is_empty() { String::new() } else { format!("`{acct}` may use: {}. ", ok.join(", ")) },
                        if other.is_empty() { String::new() } else { format!("Accounts allowed on {}: {}.", p.name, other.join(", ")) }
                    ),
                ));
                }
                if let Some(allowed) = &p.allow_accounts
                    && !allowed.iter().any(|a| a == acct || a == "ALL")
                {
                    self.push(Finding::error(
                    ar.clone(),
                    "sbatch/account-partition",
                                            format!("{} only allows accounts {}; `{acct}` is refused. Use one of those or another partition.", pname(p), allowed.join(", ")),
                ));
                }
            }
        }
        // QOS.
        if let Some(d) = r.qos
            && let Some(q) = d.value.as_deref()
            && !f.qos.is_empty()
        {
            let vr = d.value_span.clone().unwrap_or(d.span.clone());
            if !f.qos.iter().any(|x| x == q) {
                let sugg = did_you_mean(q, f.qos.iter().map(String::as_str));
                let enforced = f.enforces("qos");
                let mut fd = Finding::new(
                    vr.clone(),
                    if enforced { Severity::Error } else { Severity::Warning },
                    "sbatch/unknown-qos",
                    format!(
                        "The cluster has no QOS `{q}`: {}.{} QOS: {}.",
                        if enforced {
                            "sbatch refuses the job (\"Invalid qos specification\")"
                        } else {
                            "this cluster does not enforce QOS, so the job is accepted without one"
                        },
                        sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                        f.qos.join(", ")
                    ),
                );
                if let Some(s) = sugg {
                    fd = fd.with_fix(Fix::replace(format!("Change to {s}"), vr, s));
                }
                self.push(fd);
            } else if let Some(acct) = account.as_deref() {
                let assoc_qos: Vec<&str> = f
                    .associations
                    .iter()
                    .filter(|a| {
                        a.account == acct
                            && (!single
                                || a.partition.as_deref().is_none_or(|p| p == parts[0].name))
                    })
                    .flat_map(|a| a.qos.iter().map(String::as_str))
                    .collect();
                if !assoc_qos.is_empty() && !assoc_qos.contains(&q) {
                    self.push(Finding::error(
                        vr,
                        "sbatch/qos-not-allowed",
                        format!("Account `{acct}` may not use QOS `{q}`: sbatch refuses the job. Allowed: {}.", assoc_qos.join(", ")),
                    ));
                }
            }
        }
        if !single {
            return;
        }
        let p = parts[0];
        // Time.
        // UNLIMITED, -1 and 0 all mean "no limit", which is over any MaxTime (measured).
        if let (Some((d, t)), Some(max)) = (r.time, p.max_time_minutes)
            && t.is_none_or(|t| t > max || t == 0)
        {
            let t = t.filter(|t| *t > 0).unwrap_or(u64::MAX);
            let vr = d.value_span.clone().unwrap_or(d.span.clone());
            let enforced = f.enforces_partition_limits();
            self.push(
                Finding::new(
                    vr.clone(),
                    if enforced { Severity::Error } else { Severity::Warning },
                    "sbatch/time-over-limit",
                    format!(
                        "{} is longer than {}'s limit of {} ({}): {}. Ask for at most {}.",
                        if t == u64::MAX {
                            "No time limit".to_string()
                        } else {
                            values::human_minutes(t)
                        },
                        pname(p),
                        values::human_minutes(max),
                        values::slurm_time(max),
                        if enforced {
                            "sbatch refuses the job"
                        } else {
                            "the job is accepted but will pend forever"
                        },
                        values::slurm_time(max)
                    ),
                )
                .with_fix(Fix::replace(
                    format!("Set the time to {}", values::slurm_time(max)),
                    vr,
                    values::slurm_time(max),
                )),
            );
        }
        // Node names (any partition's nodes are valid names).
        let mut all_nodes: Vec<&str> =
            f.partitions.iter().flat_map(|q| q.nodes.iter().map(String::as_str)).collect();
        all_nodes.sort_unstable();
        all_nodes.dedup();
        if !all_nodes.is_empty() {
            for opt in ["nodelist", "exclude"] {
                let Some(d) = self
                    .script
                    .directives
                    .iter()
                    .rev()
                    .find(|x| x.component == r.component && x.name() == Some(opt))
                else {
                    continue;
                };
                let Some(v) = d.value.as_deref() else { continue };
                if v.contains('/') || v.contains('$') {
                    continue; // a node file, or a variable (reported elsewhere)
                }
                let unknown: Vec<String> = match values::expand_hostlist(v) {
                    Some(names) => {
                        names.into_iter().filter(|n| !all_nodes.contains(&n.as_str())).collect()
                    }
                    None => vec![v.to_string()],
                };
                if let Some(first) = unknown.first() {
                    let sugg = did_you_mean(first, all_nodes.iter().copied());
                    self.push(Finding::error(
                        d.value_span.clone().unwrap_or(d.span.clone()),
                        "sbatch/unknown-node",
                        format!(
                            "The cluster has no node `{first}`: sbatch refuses the job (\"Invalid node name specified\").{} Write node names like {}.",
                            sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                            all_nodes.iter().take(3).copied().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(d) = self
            .script
            .directives
            .iter()
            .rev()
            .find(|x| x.component == r.component && x.name() == Some("exclude"))
            && let Some(names) = d.value.as_deref().and_then(values::expand_hostlist)
            && !p.nodes.is_empty()
            && p.nodes.iter().all(|n| names.contains(n))
        {
            self.push(Finding::error(
                d.value_span.clone().unwrap_or(d.span.clone()),
                "sbatch/no-nodes-left",
                format!(
                    "--exclude removes every node of {}: the job can never run and sbatch refuses it. Exclude fewer nodes or use another partition.",
                    pname(p)
                ),
            ));
        }
        // Nodes.
        let node_count = p.nodes.len() as u64;
        // With --ntasks below the node count sbatch lowers the node count (measured).
        if let Some((d, min, _)) = r.nodes
            && node_count > 0
            && min.min(r.ntasks.map_or(u64::MAX, |t| t.1)) > node_count
        {
            self.push(Finding::error(
                d.value_span.clone().unwrap_or(d.span.clone()),
                "sbatch/too-many-nodes",
                format!("{} has {node_count} node(s); {min} were asked for: sbatch refuses the job. Ask for at most {node_count}.", pname(p)),
            ));
        }
        let nodes = r.nodes.map(|n| n.1).unwrap_or(1);
        // GPUs.
        let per_node_gpus = p.gpus_per_node();
        if r.wants_gpus() {
            let d = r
                .gres_gpu
                .as_ref()
                .map(|g| g.0)
                .or(r.gpus_per_node.as_ref().map(|g| g.0))
                .or(r.gpus.as_ref().map(|g| g.0))
                .or(r.gpus_per_task.map(|g| g.0));
            if per_node_gpus == 0 {
                let gpu_parts: Vec<&str> = f
                    .partitions
                    .iter()
                    .filter(|q| q.gpus_per_node() > 0)
                    .map(|q| q.name.as_str())
                    .collect();
                self.push(Finding::error(
                    anchor(d),
                    "sbatch/no-gpus-on-partition",
                    format!(
                        "{} has no GPUs: the job is refused (\"Requested node configuration is not available\").{}",
                        pname(p),
                        if gpu_parts.is_empty() { String::new() } else { format!(" Partitions with GPUs: {}.", gpu_parts.join(", ")) }
                    ),
                ));
            } else {
                let check_type = |ty: &Option<String>, d: &Directive, me: &mut Self| {
                    if let Some(ty) = ty
                        && p.gpus.iter().all(|g| g.gpu_type.as_deref() != Some(ty.as_str()))
                    {
                        let types: Vec<&str> =
                            p.gpus.iter().filter_map(|g| g.gpu_type.as_deref()).collect();
                        me.push(Finding::error(
                            d.value_span.clone().unwrap_or(d.span.clone()),
                            "sbatch/gpu-type",
                            format!(
                                "{} has no `{ty}` GPUs: the job is refused.{}",
                                pname(p),
                                if types.is_empty() {
                                    " Its GPUs have no type: drop the type.".to_string()
                                } else {
                                    format!(" Types there: {}.", types.join(", "))
                                }
                            ),
                        ));
                    }
                };
                if let Some((d, ty, n)) = r.gpus_per_node_count() {
                    check_type(&ty, d, self);
                    if n > per_node_gpus as u64 {
                        self.push(Finding::error(
                            d.value_span.clone().unwrap_or(d.span.clone()),
                            "sbatch/too-many-gpus",
                            format!(
                                "{} nodes have {per_node_gpus} GPU(s) each; {n} per node were asked for: the job is refused (\"Requested node configuration is not available\"). Ask for at most {per_node_gpus} per node, and more nodes if you need more GPUs.",
                                pname(p)
                            ),
                        ));
                    }
                }
                if let Some((d, ty, n)) = r.gpus.clone() {
                    check_type(&ty, d, self);
                    let max_nodes = r.nodes.and_then(|x| x.2).unwrap_or(node_count.max(1));
                    // GPUs per node as asked (--gres=gpu:N / --gpus-per-node), else as the nodes have.
                    let per_node_asked = r.gpus_per_node_count().map(|g| g.2).filter(|g| *g > 0);
                    let per = per_node_asked
                        .unwrap_or(per_node_gpus as u64)
                        .min(per_node_gpus as u64)
                        .max(1);
                    let cap = per * max_nodes;
                    if n > cap {
                        self.push(Finding::error(
                            d.value_span.clone().unwrap_or(d.span.clone()),
                            "sbatch/too-many-gpus",
                            format!(
                                "{n} GPUs cannot fit: {per} per node over at most {max_nodes} node(s) of {} is {cap} (\"Node count specification invalid\"). Ask for at most {cap}, or more GPUs per node.",
                                pname(p)
                            ),
                        ));
                    }
                }
            }
        }
        // CPUs per node.
        if let Some(cpus) = p.cpus_per_node.map(u64::from) {
            let cpt = r.cpus_per_task.map(|c| c.1).unwrap_or(1);
            if let Some((d, c)) = r.cpus_per_task
                && c > cpus
            {
                self.push(Finding::error(
                    d.value_span.clone().unwrap_or(d.span.clone()),
                    "sbatch/too-many-cpus",
                    format!("{}'s nodes have {cpus} CPUs; one task cannot have {c}: the job is refused. Ask for at most {cpus}.", pname(p)),
                ));
            } else if let Some((d, tpn)) = r.ntasks_per_node
                && tpn * cpt > cpus
            {
                self.push(Finding::error(
                    d.span.clone(),
                    "sbatch/too-many-cpus",
                    format!(
                        "{tpn} tasks per node × {cpt} CPUs per task = {} CPUs, but {}'s nodes have {cpus}: the job is refused. Lower --ntasks-per-node or --cpus-per-task.",
                        tpn * cpt,
                        pname(p)
                    ),
                ));
            } else if let Some((d, n)) = r.ntasks {
                let max_nodes = r.nodes.and_then(|x| x.2).unwrap_or(node_count.max(1));
                if n * cpt > cpus * max_nodes && r.ntasks_per_node.is_none() {
                    self.push(Finding::error(
                        d.span.clone(),
                        "sbatch/too-many-cpus",
                        format!(
                            "{n} tasks × {cpt} CPUs = {} CPUs, more than {max_nodes} node(s) × {cpus} CPUs in {}: the job is refused. Ask for fewer tasks or more nodes.",
                            n * cpt,
                            pname(p)
                        ),
                    ));
                }
            }
            if let Some((d, m)) = r.mincpus
                && m > cpus
            {
                self.push(Finding::error(
                    d.span.clone(),
                    "sbatch/too-many-cpus",
                    format!("{}'s nodes have {cpus} CPUs; --mincpus={m} cannot be met. Ask for at most {cpus}.", pname(p)),
                ));
            }
        }
        // Memory per node.
        if let Some(mem) = p.mem_per_node_mb {
            let human = |mb: u64| {
                if mb >= 1024 && mb.is_multiple_of(1024) {
                    format!("{}G", mb / 1024)
                } else {
                    format!("{mb}M")
                }
            };
            if let Some((d, m)) = r.mem
                && m > mem
            {
                self.push(Finding::error(
                    d.value_span.clone().unwrap_or(d.span.clone()),
                    "sbatch/too-much-memory",
                    format!(
                        "{} per node is more than {}'s nodes have ({}): the job is refused (\"Requested node configuration is not available\"). Ask for at most {}, or --mem=0 for all of it.",
                        human(m),
                        pname(p),
                        human(mem),
                        human(mem)
                    ),
                ));
            }
            if let Some((d, m)) = r.mem_per_cpu {
                let cpt = r.cpus_per_task.map(|c| c.1).unwrap_or(1);
                let tpn = r.ntasks_per_node.map(|t| t.1).unwrap_or(1);
                let per_node = m * cpt * tpn;
                if per_node > mem {
                    self.push(Finding::error(
                        d.value_span.clone().unwrap_or(d.span.clone()),
                        "sbatch/too-much-memory",
                        format!(
                            "{} per CPU × {} CPU(s) per node = {}, more than {}'s nodes have ({}): the job is refused. Lower --mem-per-cpu.",
                            human(m),
                            cpt * tpn,
                            human(per_node),
                            pname(p),
                            human(mem)
                        ),
                    ));
                }
            }
            if let Some((d, m)) = r.mem_per_gpu {
                let g = r.gpus_per_node_count().map(|x| x.2).unwrap_or(1);
                if m * g > mem {
                    self.push(Finding::error(
                        d.value_span.clone().unwrap_or(d.span.clone()),
                        "sbatch/too-much-memory",
                        format!("{} per GPU × {g} GPU(s) is more than {}'s nodes have ({}): the job is refused. Lower --mem-per-gpu.", human(m), pname(p), human(mem)),
                    ));
                }
            }
        }
        let _ = nodes;
    }

    fn containers(&mut self) {
        let t = self.text;
        let body_start = self.script.body_start.min(t.len());
        let req = Request::of(self.script, 0);
        let gpu_job = req.wants_gpus();
        let mut offset = body_start;
        for raw_line in t[body_start..].split('\n') {
            let line_start = offset;
            offset += raw_line.len() + 1;
            let line = raw_line.trim_end_matches('\r');
            let code = line.split(" #").next().unwrap_or(line);
            let trimmed = code.trim_start();
            if trimmed.starts_with('#') {
                continue;
            }
            let words: Vec<(usize, &str)> = code
                .split_whitespace()
                .map(|w| (w.as_ptr() as usize - code.as_ptr() as usize, w))
                .collect();
            for (i, (at, w)) in words.iter().enumerate() {
                let base = w.rsplit('/').next().unwrap_or(w);
                if base != "singularity" && base != "apptainer" {
                    continue;
                }
                let Some((sub_at, sub)) = words.get(i + 1) else { continue };
                match *sub {
                    "exec" | "run" | "shell" | "instance" => {
                        let rest: Vec<&str> = words[i + 2..].iter().map(|x| x.1).collect();
                        let has_nv = rest
                            .iter()
                            .any(|a| *a == "--nv" || *a == "--nvccli" || a.starts_with("--nv="));
                        if gpu_job && !has_nv {
                            let end = line_start + sub_at + sub.len();
                            self.push(
                                Finding::warning(
                                    line_start + at..end,
                                    "sbatch/container-no-nv",
                                    format!("The job asks for GPUs but `{base} {sub}` has no --nv: the container will not see them. Add --nv."),
                                )
                                .with_fix(Fix::replace("Add --nv", end..end, " --nv")),
                            );
                        }
                    }
                    "pull" | "build" if gpu_job => {
                        self.push(Finding::warning(
                            line_start + at..line_start + sub_at + sub.len(),
                            "sbatch/pull-in-gpu-job",
                            format!(
                                "`{base} {sub}` inside a GPU job holds the GPUs idle while the image downloads and converts. Pull the image beforehand (a small CPU job or `clusterls pull`) and only run it here."
                            ),
                        ));
                    }
                    _ => {}
                }
            }
            self.sif_images(line_start, code, &words);
        }
    }

    fn sif_images(&mut self, line_start: usize, code: &str, words: &[(usize, &str)]) {
        let Some(f) = self.facts else { return };
        if f.images.is_empty() {
            return;
        }
        let pulls = code.contains(" pull ") || code.contains(" build ");
        if pulls {
            return;
        }
        for (at, w) in words {
            let w = w.trim_matches(['"', '\'']);
            if !w.ends_with(".sif") || w.contains('$') || w.contains('*') {
                continue;
            }
            let name = w.rsplit('/').next().unwrap_or(w);
            // Images pulled earlier in the same script count as present.
            let pulled_here = self.text.contains(&format!("{name} "))
                && self
                    .text
                    .lines()
                    .any(|l| (l.contains(" pull ") || l.contains(" build ")) && l.contains(name));
            if pulled_here || f.images.iter().any(|i| i.name == name || i.path == w) {
                continue;
            }
            let names: Vec<&str> = f.images.iter().map(|i| i.name.as_str()).collect();
            let sugg = did_you_mean(name, names.iter().copied())
                .or_else(|| closest_by_prefix(name, &names));
            let start = line_start
                + at
                + (code[*at..].len() - code[*at..].trim_start_matches(['"', '\'']).len());
            let name_start = start + (w.len() - name.len());
            let in_image_dir = f.image_dir.as_deref().is_some_and(|d| w.starts_with(d));
            let severity =
                if sugg.is_some() || in_image_dir { Severity::Warning } else { Severity::Info };
            let mut fd = Finding::new(
                start..start + w.len(),
                severity,
                "sbatch/image-not-found",
                format!(
                    "`{name}` is not among the cluster's images; the job will fail when it starts.{} Images: {}.",
                    sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                    names.join(", ")
                ),
            );
            if let Some(s) = sugg {
                fd = fd.with_fix(Fix::replace(
                    format!("Change to {s}"),
                    name_start..name_start + name.len(),
                    s,
                ));
            }
            self.push(fd);
        }
    }
}

/// The candidate sharing the longest prefix with `name` (at least 4 characters), for
/// versioned file names like `pytorch_2.1.2-...` vs `pytorch_2.2.1-...`.
fn closest_by_prefix<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let common = |a: &str, b: &str| a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let best = candidates.iter().max_by_key(|c| common(name, c))?;
    (common(name, best) >= 4).then_some(*best)
}
