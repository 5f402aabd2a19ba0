use std::process::ExitCode;

fn main() -> ExitCode {
    clusterls::cli::main()
}
