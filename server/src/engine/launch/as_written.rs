//! Pure: an sbatch script submitted as written. Its `#SBATCH` directives are honoured;
//! explicit command-line flags override them (passed on sbatch's command line, which is
//! how Slurm itself lets the command line win); clusterls.toml fills only what neither
//! sets. The copy that is submitted gets a comment block after its `#!` line saying
//! which value came from where, and how to submit it again by hand.
//!
//! Slurm refuses some mixes outright (`--mem` with a script's `--mem-per-cpu`, `--gres=gpu`
//! with `--gpus-per-node`: both count as "set on the command line"), so a flag is written
//! in the script's own form where the meaning is the same (`--gpus 2` becomes
//! `--gpus-per-node=2` when the script uses that) and refused with a message otherwise.
//!
//! The engine: `if is_batch_script(&text)` (after the sbatch checker found no errors),
//! `plan(&text, &Flags { .. }, &config_resources, file_name, SBATCH_COPY)` → write
//! `copy` as the run's `job.sbatch`, run `sbatch --parsable [argv..] job.sbatch`, and find
//! the logs with [`super::log_pattern::expand`] on `logs`, relative to
//! [`super::log_pattern::work_dir`]`(run_dir, chdir)`.

use clusterls_sbatch::values::{check_constraint, parse_gres, parse_node_count};

use crate::engine::script::Resources;
use crate::engine::shell;

use super::log_pattern::LogNames;

/// What the user asked for explicitly on the command line (or in the editor's dialog).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub resources: Resources,
    pub nodes: Option<String>,
    pub array: Option<String>,
    pub constraint: Option<String>,
    /// Typed GRES (`a100`), with `resources.gpus` per node.
    pub gpu_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Script,
    Flag,
    /// A flag replaced the script's value, shown here.
    FlagOverScript(String),
    Config,
    /// The job name sbatch would have taken from the original file's name.
    FileName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub option: &'static str,
    pub value: String,
    pub origin: Origin,
}

/// The submission, ready to write and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsWritten {
    /// The script with the comment block after its `#!` line.
    pub copy: String,
    /// Options for sbatch's command line, before the script's path (`--partition=gpu`).
    pub argv: Vec<String>,
    pub settings: Vec<Setting>,
    pub logs: LogNames,
    /// The script's `--chdir`, if any: relative log names resolve against it.
    pub chdir: Option<String>,
    pub job_name: String,
    /// The effective `--array`, if any.
    pub array: Option<String>,
    /// Byte spans (in the original text) of the directives a flag overrides: the
    /// sbatch checker's findings inside them do not apply to this submission.
    pub overridden: Vec<std::ops::Range<usize>>,
}

impl AsWritten {
    /// Directories the log files go to, which must exist before the job starts (Slurm
    /// does not create them: the job fails with no log at all). Only directories whose
    /// names hold no `%` pattern, relative ones joined to `work_dir`; sorted.
    pub fn log_dirs(&self, work_dir: &str) -> Vec<String> {
        let mut dirs: Vec<String> = [Some(&self.logs.output), self.logs.error.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|p| {
                // With a `\` anywhere Slurm expands nothing and drops the backslashes.
                let literal = p.contains('\\');
                let p = p.replace('\\', "");
                let (dir, _) = p.rsplit_once('/')?;
                if dir.is_empty() || (!literal && dir.contains('%')) {
                    return None;
                }
                Some(match dir.starts_with('/') {
                    true => dir.to_string(),
                    false => format!("{}/{dir}", work_dir.trim_end_matches('/')),
                })
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }
}

impl AsWritten {
    /// What is actually submitted, for the job record (the Jobs view, `clusterls jobs`):
    /// the script's directives merged with the flags and clusterls.toml's fill-ins, as
    /// [`Self::settings`] holds them. A value the one `Resources` type cannot say
    /// (`--mem-per-cpu`, `--cpus-per-gpu`, `--gpus-per-task`) is left out rather than
    /// shown as something else; GPUs are the `gpu` GRES count, or `--gpus`/`--gpus-per-node`.
    pub fn resources(&self) -> Resources {
        let mut r = Resources::default();
        for x in &self.settings {
            let v = Some(x.value.clone());
            match x.option {
                "partition" => r.partition = v,
                "account" => r.account = v,
                "qos" => r.qos = v,
                "time" => r.time = v,
                "mem" => r.mem = v,
                "cpus-per-task" => r.cpus = x.value.trim().parse().ok(),
                "gres" => {
                    r.gpus = parse_gres(&x.value).ok().map(|items| {
                        items.iter().filter(|g| g.name == "gpu").map(|g| g.count as u32).sum()
                    })
                }
                "gpus" | "gpus-per-node" => {
                    r.gpus = x.value.rsplit(':').next().and_then(|n| n.trim().parse().ok())
                }
                _ => {}
            }
        }
        r
    }
}

/// Whether sbatch reads at least one directive of `text` (then it is submitted as written).
pub fn is_batch_script(text: &str) -> bool {
    !clusterls_sbatch::parse(text).lines.is_empty()
}

/// One clusterls knob: the sbatch options in the script that mean it is set.
struct Knob {
    name: &'static str,
    family: &'static [&'static str],
}

const KNOBS: &[Knob] = &[
    Knob { name: "partition", family: &["partition"] },
    Knob { name: "account", family: &["account"] },
    Knob { name: "qos", family: &["qos"] },
    Knob { name: "nodes", family: &["nodes"] },
    Knob {
        name: "gpus",
        family: &["gres", "gpus", "gpus-per-node", "gpus-per-task", "gpus-per-socket"],
    },
    Knob { name: "cpus-per-task", family: &["cpus-per-task", "cpus-per-gpu"] },
    Knob { name: "mem", family: &["mem", "mem-per-cpu", "mem-per-gpu"] },
    Knob { name: "time", family: &["time"] },
    Knob { name: "constraint", family: &["constraint"] },
    Knob { name: "array", family: &["array"] },
];

/// Plan the submission of `text` (named `file_name` by the user) as the file `copy_name`.
/// `config` holds clusterls.toml's run values only (not the flags).
pub fn plan(
    text: &str,
    flags: &Flags,
    config: &Resources,
    file_name: &str,
    copy_name: &str,
) -> Result<AsWritten, String> {
    flags.resources.validate()?;
    config.validate().map_err(|e| format!("clusterls.toml: {e}"))?;
    if let Some(a) = &flags.array {
        super::distributed::validate_array(a, None)?;
    }
    if let Some(n) = &flags.nodes {
        parse_node_count(n).map_err(|e| format!("--nodes: {e}"))?;
    }
    if let Some(c) = &flags.constraint {
        check_constraint(c).map_err(|e| format!("--constraint: {e}"))?;
    }
    let script = clusterls_sbatch::parse(text);
    if script.components > 1 {
        return Err(format!(
            "`{file_name}` is a heterogeneous job (`#SBATCH hetjob`), which clusterls does not \
             submit; submit it with `sbatch` on the cluster"
        ));
    }
    if !text.starts_with("#!") {
        return Err(format!(
            "`{file_name}` does not start with a `#!` line, which sbatch requires; add \
             `#!/bin/bash` as its first line"
        ));
    }
    // The script's own value (last directive wins) and the option it was written with.
    let in_script = |family: &[&str]| {
        script
            .directives
            .iter()
            .rev()
            .find(|d| d.component == 0 && d.name().is_some_and(|n| family.contains(&n)))
            .and_then(|d| Some((d.name()?, d.value.clone().unwrap_or_default())))
    };
    let mut argv = Vec::new();
    let mut settings = Vec::new();
    let mut overridden = Vec::new();
    for knob in KNOBS {
        let from_script = in_script(knob.family);
        let flag = flag_value(knob.name, flags);
        let fill = config_value(knob.name, config);
        let (option, value, origin) = match (flag, from_script, fill) {
            (Some(v), Some((opt, old)), _) => {
                let (opt, v) = in_script_form(knob.name, opt, &old, &v, flags)?;
                overridden.extend(
                    script
                        .directives
                        .iter()
                        .filter(|d| d.name().is_some_and(|n| knob.family.contains(&n)))
                        .map(|d| d.span.clone()),
                );
                argv.push(format!("--{opt}={v}"));
                (opt, v, Origin::FlagOverScript(old))
            }
            (Some(v), None, _) => {
                argv.push(format!("--{}={v}", cli_name(knob.name)));
                (cli_name(knob.name), v, Origin::Flag)
            }
            (None, Some((opt, v)), _) => (opt, v, Origin::Script),
            (None, None, Some(v)) => {
                argv.push(format!("--{}={v}", cli_name(knob.name)));
                (cli_name(knob.name), v, Origin::Config)
            }
            (None, None, None) => continue,
        };
        settings.push(Setting { option, value, origin });
    }
    let job_name = match script.last("job-name").and_then(|d| d.value.clone()) {
        Some(n) => {
            settings.push(Setting { option: "job-name", value: n.clone(), origin: Origin::Script });
            n
        }
        None => {
            let base = file_name.rsplit('/').next().unwrap_or(file_name);
            let n = shell::safe_name(base);
            argv.push(format!("--job-name={n}"));
            settings.push(Setting {
                option: "job-name",
                value: n.clone(),
                origin: Origin::FileName,
            });
            n
        }
    };
    let value = |long: &str| script.last(long).and_then(|d| d.value.clone());
    let array = settings.iter().find(|s| s.option == "array").map(|s| s.value.clone());
    let logs = LogNames::of(value("output").as_deref(), value("error").as_deref(), array.is_some());
    let copy = annotate(text, file_name, copy_name, &settings, &argv);
    overridden.sort_by_key(|r| r.start);
    Ok(AsWritten { copy, argv, settings, logs, chdir: value("chdir"), job_name, array, overridden })
}

fn cli_name(knob: &'static str) -> &'static str {
    match knob {
        "gpus" => "gres",
        other => other,
    }
}

fn gpu_value(flags: &Flags) -> Option<String> {
    let n = flags.resources.gpus?;
    Some(match &flags.gpu_type {
        Some(t) => format!("{t}:{n}"),
        None => n.to_string(),
    })
}

fn flag_value(knob: &str, flags: &Flags) -> Option<String> {
    let r = &flags.resources;
    match knob {
        "partition" => r.partition.clone(),
        "account" => r.account.clone(),
        "qos" => r.qos.clone(),
        "nodes" => flags.nodes.clone(),
        "gpus" => gpu_value(flags).map(|g| format!("gpu:{g}")),
        "cpus-per-task" => r.cpus.map(|c| c.to_string()),
        "mem" => r.mem.clone(),
        "time" => r.time.clone(),
        "constraint" => flags.constraint.clone(),
        "array" => flags.array.clone(),
        _ => None,
    }
}

fn config_value(knob: &str, config: &Resources) -> Option<String> {
    match knob {
        "partition" => config.partition.clone(),
        "account" => config.account.clone(),
        "qos" => config.qos.clone(),
        "gpus" => config.gpus.filter(|g| *g > 0).map(|g| format!("gpu:{g}")),
        "cpus-per-task" => config.cpus.map(|c| c.to_string()),
        "mem" => config.mem.clone(),
        "time" => config.time.clone(),
        _ => None,
    }
}

/// A flag that overrides the script's `--opt=old`, written so that sbatch takes it.
fn in_script_form(
    knob: &str,
    opt: &'static str,
    old: &str,
    value: &str,
    flags: &Flags,
) -> Result<(&'static str, String), String> {
    let clash = |flag: &str, meaning: &str| {
        Err(format!(
            "the script asks with `--{opt}={old}`, and {flag} means {meaning}: sbatch refuses the \
             two together. Drop {flag} or change the script's directive."
        ))
    };
    match (knob, opt) {
        ("gpus", "gres") => {
            // Keep the script's other GRES (`shard:1`), replace its GPUs.
            let mut items: Vec<String> = parse_gres(old)
                .unwrap_or_default()
                .into_iter()
                .filter(|g| g.name != "gpu")
                .map(|g| match g.gres_type {
                    Some(t) => format!("{}:{t}:{}", g.name, g.count),
                    None => format!("{}:{}", g.name, g.count),
                })
                .collect();
            if flags.resources.gpus != Some(0) {
                items.push(value.to_string());
            }
            let v = if items.is_empty() { "none".to_string() } else { items.join(",") };
            Ok(("gres", v))
        }
        ("gpus", "gpus-per-node") => Ok(("gpus-per-node", gpu_value(flags).unwrap_or_default())),
        ("gpus", _) => clash("--gpus", "GPUs per node"),
        ("cpus-per-task", "cpus-per-gpu") => clash("--cpus", "CPUs per task"),
        ("mem", "mem-per-cpu" | "mem-per-gpu") => clash("--mem", "memory per node"),
        _ => Ok((opt, value.to_string())),
    }
}

fn origin_text(o: &Origin) -> String {
    match o {
        Origin::Script => "the script".into(),
        Origin::Flag => "the command line".into(),
        Origin::FlagOverScript(old) => {
            format!("the command line (the script says {})", one_line(old))
        }
        Origin::Config => "clusterls.toml (neither the script nor the command line sets it)".into(),
        Origin::FileName => "the file's name (the name sbatch gives it)".into(),
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The script with the comment block after its first line.
fn annotate(
    text: &str,
    file_name: &str,
    copy_name: &str,
    settings: &[Setting],
    argv: &[String],
) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut s = format!("{first}\n");
    s.push_str(&format!(
        "# clusterls {} submitted {} as written, with these settings:\n",
        crate::VERSION,
        one_line(&shell::quote(file_name))
    ));
    let width = settings.iter().map(|x| x.option.len() + x.value.len() + 3).max().unwrap_or(0);
    for x in settings {
        let opt = one_line(&format!("--{}={}", x.option, x.value));
        s.push_str(&format!("#   {opt:width$}  from {}\n", origin_text(&x.origin)));
    }
    let mut rerun = vec!["sbatch".to_string()];
    rerun.extend(argv.iter().cloned());
    rerun.push(copy_name.to_string());
    s.push_str(&format!(
        "# Run it again from this directory with: {}\n",
        one_line(&shell::join(&rerun))
    ));
    s.push_str(rest);
    s
}

#[cfg(test)]
mod tests;
