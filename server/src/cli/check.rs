//! `clusterls check`: one entry point for sbatch scripts and Dockerfiles.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Global;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files to check; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(_global: &Global, _args: CheckArgs) -> ExitCode {
    eprintln!("clusterls check: not implemented yet");
    ExitCode::from(2)
}
