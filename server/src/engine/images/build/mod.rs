//! Image builds: a Dockerfile and its context to an image on the cluster, built inside
//! the light allocation pulls use (`[pull]`), cached by a content key. The decisions
//! are in [`plan`]; this half reads the Dockerfile and the context from disk, asks the
//! cluster whether the key's image is there (one round trip when it is), and otherwise
//! sends the context and runs the build program, streaming its progress.

pub mod plan;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clusterls_core::facts::RuntimeKind;

use super::super::Engine;
use super::super::error::{EngineError, Result};
use super::super::launch::manifest::{self, ContentHasher, LocalFile};
use super::super::programs;
use super::super::script::bash;
use super::super::transport::{Exec, LineSink};
use super::super::upload::plan::Upload;
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

/// The context as read from disk: its files (for the key) and the upload.
struct Context {
    files: Vec<LocalFile>,
    upload: Upload,
}

impl Engine {
    /// Build the Dockerfile into an image on the cluster (see the module doc).
    pub async fn build_image(
        &self,
        opts: &BuildOptions,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<BuiltImage> {
        let shown = opts.dockerfile.display().to_string();
        let text = std::fs::read_to_string(&opts.dockerfile)
            .map_err(|e| EngineError::io(format!("cannot read {shown}"), e))?;
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
        let ctx = read_context(&context_dir)?;
        manifest::check_size(&ctx.files, manifest::DEFAULT_LIMIT).map_err(|m| {
            EngineError::Usage(format!(
                "the build context {}: {m}\n(For a build, list what the image does not need in .dockerignore.)",
                context_dir.display()
            ))
        })?;
        let bases: Vec<String> = conv.stages.iter().map(|s| s.from.clone()).collect();
        let key = plan::key(kind, &text, &bases, &opts.build_args, &ctx.files);
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
        let mut up = ctx.upload;
        up.add(plan::DOCKERFILE, text.clone().into_bytes(), 0o644);
        if kind != RuntimeKind::Charliecloud {
            up.add(plan::DEFINITION, conv.definition.clone().into_bytes(), 0o644);
        }
        let tar = up.tar(super::super::store::now()).map_err(EngineError::Usage)?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = LineSink(Arc::new(move |l: &str| {
            let _ = tx.send(l.to_string());
        }));
        let exec = self.exec(
            Exec::new(
                "build",
                bash(
                    programs::BUILD_PROGRAM,
                    "clusterls-build",
                    plan::build_args(kind, &target.path, &key, &opts.build_args, &res),
                ),
            )
            .stdin(tar)
            .timeout(Duration::from_secs(4 * 3600))
            .stderr_lines(sink),
        );
        let drain = async {
            while let Some(line) = rx.recv().await {
                let line = line.trim();
                if !line.is_empty() {
                    progress(line.strip_prefix("clusterls: ").unwrap_or(line));
                }
            }
        };
        let (out, ()) = tokio::join!(exec, drain);
        let out = out?;
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
    ) -> Result<super::super::RunOptions> {
        let config = run.config.as_ref().unwrap_or(self.config());
        let file = match (&run.dockerfile, &run.image, &config.dockerfile) {
            _ if run.no_container => return Ok(run.clone()),
            (Some(f), _, _) => f.clone(),
            (None, None, Some(f)) => PathBuf::from(f),
            _ => return Ok(run.clone()),
        };
        let opts = BuildOptions { dockerfile: file, ..Default::default() };
        let built = self.build_image(&opts, &|m| tracing::info!("build: {m}")).await?;
        // By name, as a pulled image (charliecloud runs images of its storage by name
        // only); the facts list it now, so nothing is pulled.
        let image = Some(format!("docker://{}", built.name));
        Ok(super::super::RunOptions { image, dockerfile: None, ..run.clone() })
    }
}

/// The context's files, `.dockerignore` honoured (Docker's rules, [`plan::dockerignore`]).
fn read_context(dir: &Path) -> Result<Context> {
    let mut ig = ignore::gitignore::GitignoreBuilder::new(dir);
    if let Ok(text) = std::fs::read_to_string(dir.join(".dockerignore")) {
        for line in plan::dockerignore(&text) {
            ig.add_line(None, &line)
                .map_err(|e| EngineError::Usage(format!("{}/.dockerignore: {e}", dir.display())))?;
        }
    }
    let ig = ig
        .build()
        .map_err(|e| EngineError::Usage(format!("{}/.dockerignore: {e}", dir.display())))?;
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .filter_entry(move |e| {
            e.depth() == 0
                || !ig.matched(e.path(), e.file_type().is_some_and(|t| t.is_dir())).is_ignore()
        })
        .build();
    let mut ctx = Context { files: Vec::new(), upload: Upload::default() };
    for entry in walk {
        let entry =
            entry.map_err(|e| EngineError::Usage(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_str().ok_or_else(|| {
            EngineError::Usage(format!("{} is not valid UTF-8", entry.path().display()))
        })?;
        let data = std::fs::read(entry.path())
            .map_err(|e| EngineError::io(format!("cannot read {}", entry.path().display()), e))?;
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            entry.metadata().map(|m| m.permissions().mode() & 0o777).unwrap_or(0o644)
        };
        let mut h = ContentHasher::new();
        h.update(&data);
        ctx.files.push(LocalFile {
            path: rel.to_string(),
            size: data.len() as u64,
            hash: h.finish(),
            mode,
        });
        ctx.upload.add(&format!("{}/{rel}", plan::CONTEXT), data, mode);
    }
    Ok(ctx)
}
