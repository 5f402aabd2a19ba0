//! Image builds: a Dockerfile and its context to an image on the cluster, built inside
//! the light allocation pulls use (`[pull]`), cached by a content key. The decisions
//! are in [`plan`]; this half reads the Dockerfile and the context from disk, asks the
//! cluster whether the key's image is there (one round trip when it is), and otherwise
//! sends the context and runs the build program, streaming its progress.

pub mod plan;
mod stop;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clusterls_core::facts::RuntimeKind;

use super::super::Engine;
use super::super::error::{EngineError, Result};
use super::super::programs;
use super::super::script::bash;
use super::super::transport::Exec;
use super::super::upload::{self, plan::Upload};
use super::plan as images;

/// `clusterls build`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub dockerfile: PathBuf,
    /// The build context (default: the Dockerfile's directory).
    pub context: Option<PathBuf>,
    pub build_args: Vec<(String, String)>,
    /// The image's name (default `clusterls-build`); the key is its tag.
    pub tag: Option<String>,
}

/// Result of [`Engine::build_image`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuiltImage {
    /// The content key (SHA-256, hex).
    pub key: String,
    pub name: String,
    /// The image on the cluster (what a run's `--image` takes).
    pub path: String,
    /// False when the key's image was there already (nothing was built).
    pub built: bool,
}

impl Engine {
    /// Build the Dockerfile into an image on the cluster (see the module doc).
    pub async fn build_image(
        &self,
        opts: &BuildOptions,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<BuiltImage> {
        let shown = opts.dockerfile.display().to_string();
        let bytes =
            crate::engine::upload::read_local(&opts.dockerfile, self.config().upload_limit)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            EngineError::Usage(format!("{shown} is not UTF-8 text: is it the Dockerfile?"))
        })?;
        let facts = self.facts(false).await?.facts;
        let (kind, _, dir) = images::runtime(&facts)?;
        // Checked first: error findings refuse, and nothing is sent.
        let mut findings = clusterls_dockerfile::check(&text, Some(&facts));
        let conv = clusterls_dockerfile::convert::convert(&text, &opts.build_args);
        if kind != RuntimeKind::Charliecloud {
            findings.extend(conv.findings.iter().cloned());
        }
        if let Some(msg) = plan::refusal(&shown, &text, &findings) {
            return Err(EngineError::Usage(msg));
        }
        let context_dir = match &opts.context {
            Some(c) => c.clone(),
            None => opts.dockerfile.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        };
        let context_dir =
            if context_dir.as_os_str().is_empty() { PathBuf::from(".") } else { context_dir };
        let context_dir = context_dir.canonicalize().map_err(|e| {
            EngineError::io(format!("cannot read the build context {}", context_dir.display()), e)
        })?;
        let mut defs = Upload::default();
        defs.add(plan::DOCKERFILE, text.clone().into_bytes(), 0o644);
        if kind != RuntimeKind::Charliecloud {
            defs.add(plan::DEFINITION, conv.definition.clone().into_bytes(), 0o644);
        }
        let ignore_text =
            std::fs::read_to_string(context_dir.join(".dockerignore")).unwrap_or_default();
        let rules = upload::Rules::Anchored(plan::dockerignore(&ignore_text));
        let limit = self.config().upload_limit;
        let ctx = upload::scan(&context_dir, &rules, &defs, limit).map_err(|e| match e {
            EngineError::Usage(m) => EngineError::Usage(format!(
                "the build context {}: {m}\n(For a build, list what the image does not need in .dockerignore.)",
                context_dir.display()
            )),
            e => e,
        })?;
        let bases: Vec<String> = conv.stages.iter().map(|s| s.from.clone()).collect();
        let key = plan::key(&plan::KeyInputs {
            kind,
            dockerfile: &text,
            definition: (kind != RuntimeKind::Charliecloud).then_some(conv.definition.as_str()),
            bases: &bases,
            args: &opts.build_args,
            files: &ctx.files,
        });
        let target =
            plan::target(kind, &dir, opts.tag.as_deref(), &key).map_err(EngineError::Usage)?;
        let done = |built| BuiltImage {
            key: key.clone(),
            name: target.name.clone(),
            path: target.path.clone(),
            built,
        };
        // One round trip when the key's image is there.
        let out = self
            .exec(Exec::new(
                "build",
                bash(programs::BUILT_PROGRAM, "clusterls-built", vec![target.path.clone()]),
            ))
            .await?;
        if out.status == 0 && out.stdout_str().trim() == "present" {
            progress(&format!("key {key}: already built"));
            if let Some(f) = images::with_image(&facts, &target.path) {
                let _ = self.save_facts(&f);
            }
            return Ok(done(false));
        }
        let res = self.config().pull_resources();
        res.validate().map_err(EngineError::Usage)?;
        progress(&format!(
            "key {key}: building {} ({} context files) with {}",
            target.name,
            ctx.files.len(),
            kind.as_str(),
        ));
        let (sink, rx) = super::stderr_lines();
        let exec = Exec::new(
            "build",
            bash(
                programs::BUILD_PROGRAM,
                "clusterls-build",
                plan::build_args(kind, &target.path, &key, &opts.build_args, &res),
            ),
        )
        .timeout(Duration::from_secs(4 * 3600))
        .stderr_lines(sink);
        let exec = self.upload_exec(Some(&ctx), &defs, exec);
        let (out, ()) = tokio::join!(exec, super::show_lines(rx, progress));
        let (out, sent) = out?;
        progress(&format!("context: {}", sent.line()));
        let built = plan::read_build(
            self.host(),
            &target.path,
            &shown,
            &text,
            out.status,
            &out.stdout_str(),
            &out.stderr_str(),
        )?;
        progress(if built { "built" } else { "already built" });
        if let Some(f) = images::with_image(&facts, &target.path) {
            let _ = self.save_facts(&f);
        }
        Ok(done(built))
    }
}

impl Engine {
    /// A run that names a Dockerfile (`--dockerfile`, or `dockerfile` in clusterls.toml
    /// when no `--image` is given) as one naming its image: built first when its key
    /// changed. Other runs as they are.
    pub(in crate::engine) async fn dockerfile_image(
        &self,
        run: &super::super::RunOptions,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<super::super::RunOptions> {
        let config = run.config.as_ref().unwrap_or(self.config());
        let file = match (&run.dockerfile, &run.image, &config.dockerfile) {
            _ if run.no_container => return Ok(run.clone()),
            (Some(f), _, _) => f.clone(),
            (None, None, Some(f)) => PathBuf::from(f),
            _ => return Ok(run.clone()),
        };
        let opts = BuildOptions { dockerfile: file, ..Default::default() };
        let built = self.build_image(&opts, &|m| progress(&format!("build: {m}"))).await?;
        // By name, as a pulled image (charliecloud runs images of its storage by name
        // only); the facts list it now, so nothing is pulled.
        let image = Some(format!("docker://{}", built.name));
        Ok(super::super::RunOptions { image, dockerfile: None, ..run.clone() })
    }
}
