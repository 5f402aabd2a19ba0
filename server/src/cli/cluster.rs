//! The commands that talk to a cluster: facts, pull, alloc, run, cancel, jobs, logs.

use std::process::ExitCode;

use super::Global;

#[derive(Debug, clap::Args)]
pub struct FactsArgs {
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    pub reference: String,
}
#[derive(Debug, clap::Args)]
pub struct AllocArgs {}
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    pub script: String,
}
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    pub job: String,
}
#[derive(Debug, clap::Args)]
pub struct JobsArgs {
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    pub job: String,
}

fn todo(name: &str) -> ExitCode {
    eprintln!("clusterls {name}: not implemented yet");
    ExitCode::from(2)
}

pub fn facts(_g: &Global, _a: FactsArgs) -> ExitCode {
    todo("facts")
}
pub fn pull(_g: &Global, _a: PullArgs) -> ExitCode {
    todo("pull")
}
pub fn alloc(_g: &Global, _a: AllocArgs) -> ExitCode {
    todo("alloc")
}
pub fn run(_g: &Global, _a: RunArgs) -> ExitCode {
    todo("run")
}
pub fn cancel(_g: &Global, _a: CancelArgs) -> ExitCode {
    todo("cancel")
}
pub fn jobs(_g: &Global, _a: JobsArgs) -> ExitCode {
    todo("jobs")
}
pub fn logs(_g: &Global, _a: LogsArgs) -> ExitCode {
    todo("logs")
}
