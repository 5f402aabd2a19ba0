//! `clusterls build`: a Dockerfile to an image on the cluster (checked first, built in
//! the `[pull]` allocation, cached by content). Prints the key and the image path.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Global;
use super::cluster::{fail, open, runtime};
use super::render::visible_lines_of;
use crate::engine::BuildOptions;
use crate::engine::images::build::plan::parse_build_arg;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The Dockerfile (default: ./Dockerfile).
    #[arg(default_value = "Dockerfile")]
    pub dockerfile: PathBuf,
    /// The build context (default: the Dockerfile's directory); `.dockerignore` is honoured.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// A build argument, NAME=VALUE (repeatable); the value is passed intact.
    #[arg(long = "build-arg", value_name = "NAME=VALUE", value_parser = parse_build_arg)]
    pub build_args: Vec<(String, String)>,
    /// The image's name (its tag is the content key). Default: clusterls-build.
    #[arg(long, value_name = "NAME")]
    pub tag: Option<String>,
}

pub fn build(g: &Global, a: BuildArgs) -> ExitCode {
    runtime().block_on(async {
        let engine = match open(g, None).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        };
        let opts = BuildOptions {
            dockerfile: a.dockerfile,
            context: a.context,
            build_args: a.build_args,
            tag: a.tag,
        };
        match engine.build_image(&opts, &|m| eprintln!("clusterls: {}", visible_lines_of(m))).await
        {
            Ok(b) => {
                println!("key {}", b.key);
                println!("image {}", b.path);
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        }
    })
}
