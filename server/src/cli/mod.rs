//! The command line. The binary's stdout belongs to the CLI's output (or, for `lsp`,
//! to the protocol); logs go to stderr through `tracing`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod build;
pub mod check;
pub mod cluster;
pub mod fix;
pub mod follow;
pub mod forward;
pub mod input;
pub mod render;
pub mod rules;
pub mod sessions;
pub mod shellcheck;
pub mod show;
pub mod table;
pub mod visible;

/// The exit statuses of every command, one scheme (also in `--help` and the README).
/// A followed job's own exit code is never passed through as ours (it could be any of
/// these): a job that did not succeed makes [`exit::FAILED`], and its state and code are
/// printed on stderr's last line and kept in `clusterls jobs --json`.
pub mod exit {
    /// Success; for `check`, no finding is an error.
    pub const OK: u8 = 0;
    /// `check`: some finding is an error. `run --follow`, `logs --follow`: the job ended
    /// without success (its state and exit code are on stderr's last line).
    pub const FAILED: u8 = 1;
    /// Usage: bad flags or arguments, a bad clusterls.toml, an input that cannot be read.
    pub const USAGE: u8 = 2;
    /// The cluster cannot be reached: connection, login required, host key.
    pub const UNREACHABLE: u8 = 3;
    /// Slurm refused the request (sbatch, salloc, scancel said no).
    pub const REFUSED: u8 = 4;
    /// Any other failure of clusterls itself (job store, a remote program, IO).
    pub const INTERNAL: u8 = 5;
}

const EXIT_CODES_HELP: &str = "\
Exit status:
  0  success (check: no finding is an error)
  1  check found errors; run/logs --follow: the job did not succeed
     (its state and exit code are printed on stderr's last line)
  2  usage: bad flags or arguments, bad clusterls.toml, unreadable input
  3  the cluster cannot be reached (connection, login, host key)
  4  Slurm refused the request
  5  any other failure of clusterls itself

Colour: only on a terminal; NO_COLOR=1 or --color never turns it off.";

pub use crate::global::Global;

#[derive(Debug, Parser)]
#[command(
    name = "clusterls",
    version,
    about = "Run scripts in containers on HPC GPU clusters; check sbatch scripts and Dockerfiles.",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// ssh config file to use instead of ~/.ssh/config (passed to ssh as -F).
    #[arg(long, global = true, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// Cluster to talk to: an ssh host alias, or `local` to run Slurm commands on this machine.
    #[arg(long, global = true, value_name = "HOST")]
    pub host: Option<String>,
    /// When to colour the output: `auto` (only on a terminal, and not with NO_COLOR set),
    /// `always` or `never`.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Speak the Language Server Protocol over stdin/stdout.
    Lsp,
    /// Check sbatch scripts and Dockerfiles (files or directories).
    Check(check::CheckArgs),
    /// Explain a finding code: what it means and how to silence it.
    Explain(ExplainArgs),
    /// Show what clusterls knows about the cluster (partitions, accounts, runtime, images).
    Facts(cluster::FactsArgs),
    /// Pull a docker:// image into the cluster's container runtime.
    Pull(cluster::PullArgs),
    /// Build a Dockerfile into an image on the cluster (cached by content); prints its key and path.
    Build(build::BuildArgs),
    /// Make an allocation that outlives this command; prints its job id.
    Alloc(cluster::AllocArgs),
    /// Run a script in a container on the cluster.
    Run(Box<cluster::RunArgs>),
    /// Cancel a job or release an allocation.
    Cancel(cluster::CancelArgs),
    /// List tracked jobs (of every host, or of --host).
    Jobs(cluster::JobsArgs),
    /// Show a job's output.
    Logs(cluster::LogsArgs),
    /// Why a job is pending, in words, what to do, and when it may start.
    Why(sessions::WhyArgs),
    /// Extend (or shorten) a running job's or allocation's time limit; Slurm decides.
    Extend(sessions::ExtendArgs),
    /// Open VS Code (Remote-SSH) on an allocation's node, through the login host.
    Code(sessions::CodeArgs),
    /// Forward a local port to a port on a job's node (`--list`, `--close`).
    Forward(forward::ForwardArgs),
    /// Start Jupyter on a node (in the container) and forward it; prints the URL.
    Jupyter(forward::ServeArgs),
    /// Start TensorBoard on a node (in the container) and forward it; prints the URL.
    Tensorboard(forward::TensorboardArgs),
    /// Print a shell completion script, e.g. `clusterls completions bash > ~/.local/share/bash-completion/completions/clusterls`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `clusterls man | man -l -`.
    Man,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A finding code, e.g. `sbatch/unknown-option` or `docker/apt-no-clean`.
    pub code: String,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Logs go to stderr, never to stdout. By default only warnings, each one line a
/// person reads (`WARN ...`, no timestamp or module); with `RUST_LOG` set,
/// its level, timestamped and with the module, for a bug report.
pub fn init_logging() {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false);
    let _ = match tracing_subscriber::EnvFilter::try_from_default_env() {
        Ok(filter) => builder.with_env_filter(filter).try_init(),
        Err(_) => builder
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .without_time()
            .with_target(false)
            .compact()
            .try_init(),
    };
}

/// `--color` as given on the command line, for clap's own help and errors (which are
/// written while parsing, before the parsed flag exists).
fn color_flag() -> Option<clap::ColorChoice> {
    let args: Vec<String> = std::env::args().collect();
    let value = args.iter().enumerate().find_map(|(i, a)| match a.strip_prefix("--color") {
        Some("") => args.get(i + 1).cloned(),
        Some(v) => v.strip_prefix('=').map(str::to_string),
        None => None,
    })?;
    match value.as_str() {
        "always" => Some(clap::ColorChoice::Always),
        "never" => Some(clap::ColorChoice::Never),
        _ => None,
    }
}

pub fn main() -> ExitCode {
    let mut command = Cli::command();
    if let Some(choice) = color_flag() {
        command = command.color(choice);
    }
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_logging();
    // anstream's streams read this: `auto` colours only a terminal and honours NO_COLOR
    // and CLICOLOR_FORCE, as clap's own help does.
    match cli.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    }
    .write_global();
    let global = Global { ssh_config: cli.ssh_config, host: cli.host };
    match cli.command {
        Command::Lsp => crate::lsp::run_stdio(global),
        Command::Check(args) => check::run(&global, args),
        Command::Explain(args) => explain(&args),
        Command::Facts(args) => cluster::facts(&global, args),
        Command::Pull(args) => cluster::pull(&global, args),
        Command::Build(args) => build::build(&global, args),
        Command::Alloc(args) => cluster::alloc(&global, args),
        Command::Run(args) => cluster::run(&global, *args),
        Command::Cancel(args) => cluster::cancel(&global, args),
        Command::Jobs(args) => match &args.job {
            Some(id) => sessions::job_detail(&global, id),
            None => cluster::jobs(&global, args),
        },
        Command::Logs(args) => cluster::logs(&global, args),
        Command::Why(args) => sessions::why(&global, args),
        Command::Extend(args) => sessions::extend(&global, args),
        Command::Code(args) => sessions::code(&global, args),
        Command::Forward(args) => forward::forward(&global, args),
        Command::Jupyter(args) => forward::jupyter(&global, args),
        Command::Tensorboard(args) => forward::tensorboard(&global, args),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "clusterls", &mut out);
            write_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Man => write_stdout(&man_page()),
    }
}

/// The man page of `clusterls` and its commands, in roff, from the same clap definition
/// as `--help` (so it cannot drift). Printed by `clusterls man` rather than generated at
/// build time: no build script, and a packager writes it with `clusterls man > clusterls.1`.
pub fn man_page() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    let _ = man.render(&mut out);
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        // One section per command, as `git help` pages list theirs.
        out.extend_from_slice(
            format!(".SH \"CLUSTERLS {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        let sub_man = clap_mangen::Man::new(sub.clone());
        let _ = sub_man.render_description_section(&mut out);
        let _ = sub_man.render_options_section(&mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn explain(args: &ExplainArgs) -> ExitCode {
    match rules::rule(&args.code) {
        Some(rule) => write_stdout(&rules::explain_text(&rule)),
        None => {
            let known: Vec<String> = rules::all().into_iter().map(|r| r.code).collect();
            let hint =
                clusterls_core::suggest::did_you_mean(&args.code, known.iter().map(String::as_str))
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
            eprintln!(
                "clusterls explain: no code `{}`.{hint} Codes look like `sbatch/unknown-option`; every code is listed in {} of the repository",
                render::visible(&args.code),
                rules::DOC_PATH
            );
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Write `s` to stdout; a closed pipe is not worth a panic.
pub(crate) fn write_stdout(s: &str) -> ExitCode {
    use std::io::Write;
    let mut out = anstream::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(exit::INTERNAL),
    }
}
