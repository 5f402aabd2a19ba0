//! `clusterls check`: sbatch scripts and Dockerfiles, given as files, directories (walked
//! with the ignore rules) or standard input.
//!
//! Exit status: 0 when no finding is an error, 1 when one is, 2 on a usage or input
//! failure, 3 when `--host` cannot be reached. Output formats: `text` (rustc/ruff style),
//! `json` (`findings` with 1-based positions, the checks against the cluster `skipped`
//! and why, and the `notes`) and `sarif` (SARIF 2.1.0).
//! Notes (files skipped, checks against the cluster skipped and why) go to stderr, and
//! into the SARIF invocation.

use std::path::PathBuf;
use std::process::ExitCode;

use clusterls_core::{ClusterFacts, CodeFilter, FileKind, Finding, Severity};

use super::input;
use super::render::{self, Checked, visible, visible_lines_of};
use super::{Global, exit, shellcheck};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input. In a directory, the
    /// Dockerfiles and the files with `#SBATCH` lines are checked (.gitignore, .ignore and
    /// .clusterlsignore honoured).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Cluster facts as JSON (the output of `clusterls facts --json`), for the checks
    /// against the cluster: partitions, accounts, limits, images.
    #[arg(long, value_name = "FILE", conflicts_with = "host")]
    pub facts: Option<PathBuf>,
    /// Do not run shellcheck on sbatch scripts even when it is installed.
    #[arg(long)]
    pub no_shellcheck: bool,
    /// The name to use for standard input (decides sbatch vs Dockerfile; without it, a
    /// Dockerfile when the text starts like one, else an sbatch script).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Apply the fixes that are unambiguous (a finding's only fix) to the files, then
    /// report what is left.
    #[arg(long)]
    pub fix: bool,
}

pub fn run(global: &Global, args: CheckArgs) -> ExitCode {
    let mut notes = Vec::new();
    // clusterls.toml: codes the project (or user) turned off (`[check] disable`), its host.
    let config = match load_config() {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("clusterls check: {msg}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let filter = config.code_filter();
    if args.fix && args.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!(
            "clusterls check: --fix changes files; it cannot fix standard input. Pass the file's path."
        );
        return ExitCode::from(exit::USAGE);
    }
    let inputs = input::collect(&args.paths, args.stdin_filename.as_deref());
    // The scripts' absolute --output/--error directories, asked about in the facts'
    // round trip.
    let mut dirs: Vec<String> = Vec::new();
    for f in inputs.files.iter().filter(|f| f.kind == FileKind::Sbatch) {
        for d in clusterls_sbatch::log_dirs(&clusterls_sbatch::parse(&f.text)) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    let mut why_no_facts = String::new();
    let facts = match load_facts(global, &args, config.host.as_deref(), &dirs) {
        Ok(Facts::Loaded(f)) => Some(*f),
        Ok(Facts::Skipped(why)) => {
            notes.push(format!(
                "checks against the cluster (partitions, accounts, limits, images) were skipped: {why}"
            ));
            why_no_facts = why;
            None
        }
        Err((code, msg)) => {
            eprintln!("clusterls check: {msg}");
            return ExitCode::from(code);
        }
    };
    for e in &inputs.errors {
        eprintln!("clusterls check: {e}");
    }
    for (name, why) in &inputs.skipped {
        notes.push(format!("skipped {name}: {why}"));
    }
    if inputs.files.is_empty() && inputs.errors.is_empty() && inputs.skipped.is_empty() {
        notes.push(
            "found no sbatch script (a file with #SBATCH lines) or Dockerfile to check".into(),
        );
    }
    let shellcheck = !args.no_shellcheck && shellcheck::available();
    let mut checked = Vec::new();
    let mut failed = !inputs.errors.is_empty();
    for mut input in inputs.files {
        let (kind, name) = (input.kind, input.name.clone());
        let check = |text: &str, notes: &mut Vec<String>| {
            check_text(kind, &name, text, facts.as_ref(), &filter, shellcheck, notes)
        };
        if args.fix {
            let (fixed, n) = super::fix::fix_all(&input.text, |t| check(t, &mut Vec::new()));
            if n > 0 {
                let path = input.path.clone().unwrap_or_default();
                if let Err(e) = write_in_place(&path, &fixed) {
                    eprintln!("clusterls check: cannot write the fixes to {}: {e}", input.name);
                    failed = true;
                } else {
                    eprintln!("clusterls check: fixed {n} finding(s) in {}", input.name);
                    input.text = fixed;
                }
            }
        }
        let findings = check(&input.text, &mut notes);
        checked.push(Checked { input, findings });
    }
    let out = match args.format {
        Format::Text => render::render_text(&checked, styled_stdout()),
        Format::Json => {
            let mut kinds: Vec<FileKind> = checked.iter().map(|c| c.input.kind).collect();
            kinds.dedup();
            let skipped = skipped_checks(&kinds, facts.as_ref(), &why_no_facts, &dirs);
            let doc = render::render_json(&checked, &skipped, &notes);
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&render::render_sarif(&checked, &notes))
                .unwrap_or_default()
                + "\n"
        }
    };
    // With facts that lack what some checks need, the text says how many (JSON says which).
    if args.format == Format::Text && facts.is_some() {
        let mut kinds: Vec<FileKind> = checked.iter().map(|c| c.input.kind).collect();
        kinds.dedup();
        let skipped = skipped_checks(&kinds, facts.as_ref(), &why_no_facts, &dirs);
        if !skipped.is_empty() {
            let codes: Vec<&str> = skipped.iter().map(|s| s.0).collect();
            notes.push(format!(
                "{} check(s) against the cluster were skipped, the facts lack what they need: {} (`--format json` says why)",
                codes.len(),
                codes.join(", ")
            ));
        }
    }
    for n in &notes {
        eprintln!("clusterls check: note: {}", visible(n));
    }
    if super::write_stdout(&out) != ExitCode::SUCCESS {
        return ExitCode::from(exit::INTERNAL);
    }
    if failed {
        ExitCode::from(exit::USAGE)
    } else if checked.iter().any(|c| c.findings.iter().any(|f| f.severity == Severity::Error)) {
        ExitCode::from(exit::FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// The checks against the cluster that could not run; the --output directory check only
/// when a script has a directory it could have asked about.
fn skipped_checks(
    kinds: &[FileKind],
    facts: Option<&ClusterFacts>,
    why_no_facts: &str,
    dirs: &[String],
) -> Vec<(&'static str, String)> {
    let mut skipped = crate::checks::skipped(kinds, facts, why_no_facts);
    if dirs.is_empty() {
        skipped.retain(|s| s.0 != "sbatch/output-dir-missing");
    }
    skipped
}

/// Whether stdout takes colour: `--color`, `NO_COLOR`, and whether it is a terminal, as
/// anstream decides for every stream.
fn styled_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

fn load_config() -> Result<crate::engine::config::Config, String> {
    let dir = std::env::current_dir().map_err(|e| e.to_string())?;
    let (config, _) = crate::engine::config::Config::load(&dir).map_err(|e| e.to_string())?;
    Ok(config)
}

enum Facts {
    Loaded(Box<ClusterFacts>),
    /// Why the checks against the cluster do not run.
    Skipped(String),
}

fn load_facts(
    global: &Global,
    args: &CheckArgs,
    config_host: Option<&str>,
    dirs: &[String],
) -> Result<Facts, (u8, String)> {
    if let Some(path) = &args.facts {
        let text = std::fs::read_to_string(path).map_err(|e| {
            (exit::USAGE, format!(
                "cannot read facts file {}: {e}; write one with `clusterls facts --json > FILE`",
                input::show(path)
            ))
        })?;
        let facts: ClusterFacts = serde_json::from_str(&text).map_err(|e| {
            (exit::USAGE, format!(
                "facts file {} is not valid facts JSON ({e}); write one with `clusterls facts --json > FILE`",
                input::show(path)
            ))
        })?;
        return Ok(Facts::Loaded(Box::new(facts)));
    }
    if let Some(host) = &global.host {
        return super::cluster::fetch_facts(global, dirs).map(|f| Facts::Loaded(Box::new(f))).map_err(|(code, e)| {
            (code, format!(
                "cannot read the facts of {}: {}\nOr check against saved facts: `clusterls check --facts FILE` (write FILE with `clusterls --host {} facts --json`).",
                visible(host), visible_lines_of(&e), visible(host)
            ))
        });
    }
    // A check reaches the network only when asked to, even when clusterls.toml names a host.
    Ok(Facts::Skipped(match config_host {
        Some(h) => format!(
            "clusterls.toml names the host {}, but check asks a cluster only when told to; pass --host {}, or --facts FILE (from `clusterls facts --json`)",
            visible(h),
            visible(h)
        ),
        None => {
            "no cluster given; pass --host ALIAS, or --facts FILE (from `clusterls facts --json`)"
                .into()
        }
    }))
}

/// Check one file's text: its kind's checker, plus shellcheck on sbatch scripts when
/// asked. Notes about shellcheck (skipped, timed out) go to `notes`.
pub fn check_text(
    kind: FileKind,
    name: &str,
    text: &str,
    facts: Option<&ClusterFacts>,
    filter: &CodeFilter,
    shellcheck: bool,
    notes: &mut Vec<String>,
) -> Vec<Finding> {
    let mut findings = crate::checks::check(kind, text, facts, filter);
    if kind == FileKind::Sbatch && shellcheck && text.starts_with("#!") {
        match shellcheck::run(text) {
            Ok(mut extra) => {
                filter.apply(&mut extra);
                findings.extend(extra);
                findings.sort_by_key(|f| (f.range.start, f.range.end));
            }
            Err(why) => notes.push(format!("shellcheck skipped for {name}: {why}")),
        }
    }
    findings
}

/// Replace a file's content, keeping its permissions: write a sibling, then rename it
/// over the original (a crash leaves the old file or the new one, never half of one).
fn write_in_place(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let perms = std::fs::metadata(path)?.permissions();
    let dir =
        path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.clusterls-fix.{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::set_permissions(&tmp, perms)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
