//! Images: pulling `docker://` references into the cluster's runtime inside a light
//! allocation. The decisions are in [`plan`]; this half runs the pull program and
//! streams its progress. The coming image build goes here, next to the pull.

pub mod build;
pub mod plan;

use std::sync::Arc;
use std::time::Duration;

use clusterls_core::ClusterFacts;
use tokio::sync::mpsc::UnboundedReceiver;

use super::Engine;
use super::container::{DockerRef, ImageSpec};
use super::error::{EngineError, Result};
use super::programs;
use super::script::bash;
use super::transport::{Exec, LineSink};

/// Where a run's image is: the path checked on the cluster before submitting, and
/// what the container line names it by.
pub(super) struct RunImage {
    pub kind: clusterls_core::facts::RuntimeKind,
    pub check_path: String,
    pub arg: String,
}

/// Result of [`Engine::pull`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct PulledImage {
    pub path: String,
    pub already_present: bool,
}

/// A sink for a program's stderr and the lines it gathers, for [`show_lines`].
pub(super) fn stderr_lines() -> (LineSink, UnboundedReceiver<String>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let sink = LineSink(Arc::new(move |l: &str| {
        let _ = tx.send(l.to_string());
    }));
    (sink, rx)
}

/// Hand each line to `progress` as it comes (without the programs' `clusterls: `
/// prefix; blank lines dropped), until the program ends.
pub(super) async fn show_lines(
    mut rx: UnboundedReceiver<String>,
    progress: &(dyn Fn(&str) + Send + Sync),
) {
    while let Some(line) = rx.recv().await {
        let line = line.trim();
        if !line.is_empty() {
            progress(line.strip_prefix("clusterls: ").unwrap_or(line));
        }
    }
}

impl Engine {
    /// Pull `docker://REF` into the cluster's runtime inside a light allocation
    /// (`[pull]` in clusterls.toml). Skipped when present; atomic; racing pulls wait.
    pub async fn pull(
        &self,
        reference: &str,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<PulledImage> {
        let ImageSpec::Docker(r) = ImageSpec::parse(reference).map_err(EngineError::Usage)? else {
            return Err(EngineError::Usage(format!(
                "`{reference}` is not a docker:// reference; give one like docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel"
            )));
        };
        let facts = self.facts(false).await?.facts;
        self.pull_ref(&facts, &r, progress).await
    }

    /// The image of a run (pulled first when it is a missing docker:// reference).
    pub(super) async fn run_image(
        &self,
        spec: &str,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<RunImage> {
        let spec = ImageSpec::parse(spec).map_err(EngineError::Usage)?;
        let facts = self.facts(false).await?.facts;
        let (kind, _, dir) = plan::runtime(&facts)?;
        Ok(match spec {
            ImageSpec::Path(p) => RunImage { kind, check_path: p.clone(), arg: p },
            ImageSpec::Docker(r) => {
                let path = r.image_path(kind, &dir);
                if !facts.images.iter().any(|i| i.path == path) {
                    self.pull_ref(&facts, &r, progress).await?;
                }
                RunImage { kind, arg: plan::image_arg(kind, &r, &path), check_path: path }
            }
        })
    }

    async fn pull_ref(
        &self,
        facts: &ClusterFacts,
        r: &DockerRef,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<PulledImage> {
        let (kind, _, dir) = plan::runtime(facts)?;
        let path = r.image_path(kind, &dir);
        let res = self.config().pull_resources();
        res.validate().map_err(EngineError::Usage)?;
        progress(&format!(
            "pulling {} into {path} (srun {})",
            r.reference(),
            plan::srun_args(&res).join(" ")
        ));
        // Lines of the pull's stderr reach `progress` as they come.
        let (sink, rx) = stderr_lines();
        let exec = self.exec(
            Exec::new(
                "pull",
                bash(
                    programs::PULL_PROGRAM,
                    "clusterls-pull",
                    plan::pull_args(kind, &path, r, &res),
                ),
            )
            .timeout(Duration::from_secs(3600))
            .stderr_lines(sink),
        );
        let (out, ()) = tokio::join!(exec, show_lines(rx, progress));
        let out = out?;
        let already_present =
            plan::read_pull(self.host(), r, out.status, &out.stdout_str(), &out.stderr_str())?;
        progress(if already_present { "already present" } else { "pulled" });
        // Remember it, so the next run does not ask again.
        if let Some(f) = plan::with_image(facts, &path) {
            let _ = self.save_facts(&f);
        }
        Ok(PulledImage { path, already_present })
    }
}
