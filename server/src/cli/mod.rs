//! The command line. The binary's stdout belongs to the CLI's output (or, for `lsp`,
//! to the protocol); logs go to stderr through `tracing`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod check;
pub mod cluster;

pub use crate::global::Global;

#[derive(Debug, Parser)]
#[command(
    name = "clusterls",
    version,
    about = "Run scripts in containers on HPC GPU clusters; check sbatch scripts and Dockerfiles."
)]
pub struct Cli {
    /// ssh config file to use instead of ~/.ssh/config (passed to ssh as -F).
    #[arg(long, global = true, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// Cluster to talk to: an ssh host alias, or `local` to run Slurm commands on this machine.
    #[arg(long, global = true, value_name = "HOST")]
    pub host: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Speak the Language Server Protocol over stdin/stdout.
    Lsp,
    /// Check sbatch scripts and Dockerfiles.
    Check(check::CheckArgs),
    /// Show what clusterls knows about the cluster (partitions, accounts, runtime, images).
    Facts(cluster::FactsArgs),
    /// Pull a docker:// image into the cluster's container runtime.
    Pull(cluster::PullArgs),
    /// Make an allocation that outlives this command; prints its job id.
    Alloc(cluster::AllocArgs),
    /// Run a script in a container on the cluster.
    Run(cluster::RunArgs),
    /// Cancel a job or release an allocation.
    Cancel(cluster::CancelArgs),
    /// List tracked jobs.
    Jobs(cluster::JobsArgs),
    /// Show a job's output.
    Logs(cluster::LogsArgs),
}

/// Logs go to stderr, level from `RUST_LOG` (default `warn`), never to stdout.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let global = Global { ssh_config: cli.ssh_config, host: cli.host };
    match cli.command {
        Command::Lsp => crate::lsp::run_stdio(global),
        Command::Check(args) => check::run(&global, args),
        Command::Facts(args) => cluster::facts(&global, args),
        Command::Pull(args) => cluster::pull(&global, args),
        Command::Alloc(args) => cluster::alloc(&global, args),
        Command::Run(args) => cluster::run(&global, args),
        Command::Cancel(args) => cluster::cancel(&global, args),
        Command::Jobs(args) => cluster::jobs(&global, args),
        Command::Logs(args) => cluster::logs(&global, args),
    }
}
