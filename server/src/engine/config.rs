//! `clusterls.toml`: defaults for runs, read from the project (this directory or a
//! parent) and then the user's config dir (`$XDG_CONFIG_HOME/clusterls/clusterls.toml`,
//! `~/.config/clusterls/clusterls.toml`). The project's values win; flags win over both.
//!
//! ```toml
//! host = "cluster"          # ssh alias, or "local"
//! partition = "gpu"
//! account = "lab"
//! gpus = 1
//! time = "30"
//! image = "docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel"
//! python = "python3"
//! image_dir = "~/images"    # apptainer/singularity; charliecloud uses its storage
//! binds = ["/scratch"]
//! [pull]                    # the light allocation where images are pulled
//! partition = "cpu"
//! account = "lab"
//! time = "30"
//! [check]                   # `clusterls check` and the editor's diagnostics
//! disable = ["apptainer/workdir-ignored", "shellcheck"]   # codes or namespaces
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{EngineError, Result};
use super::resources::Resources;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub host: Option<String>,
    /// `partition`, `account`, `qos`, `gpus`, `cpus`, `mem`, `time` at the top level.
    #[serde(flatten)]
    pub resources: Resources,
    pub image: Option<String>,
    pub python: Option<String>,
    pub image_dir: Option<String>,
    pub binds: Option<Vec<String>>,
    pub pull: Option<PullConfig>,
    pub check: Option<CheckConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PullConfig {
    #[serde(flatten)]
    pub resources: Resources,
}

/// What the checkers report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Codes (`docker/latest-tag`) or namespaces (`apptainer`, `apptainer/*`) never reported.
    pub disable: Vec<String>,
}

impl Config {
    /// The codes this configuration turns off.
    pub fn code_filter(&self) -> clusterls_core::CodeFilter {
        clusterls_core::CodeFilter {
            disabled: self.check.as_ref().map(|c| c.disable.clone()).unwrap_or_default(),
        }
    }

    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            EngineError::Config(format!(
                "{}: {}\nFix the file or move it away.",
                origin.display(),
                e.to_string().trim()
            ))
        })
    }

    /// `self` wins over `other`.
    pub fn or(self, other: Config) -> Config {
        let pull = match (self.pull, other.pull) {
            (Some(a), Some(b)) => Some(PullConfig { resources: a.resources.or(b.resources) }),
            (a, b) => a.or(b),
        };
        Config {
            host: self.host.or(other.host),
            resources: self.resources.or(other.resources),
            image: self.image.or(other.image),
            python: self.python.or(other.python),
            image_dir: self.image_dir.or(other.image_dir),
            binds: self.binds.or(other.binds),
            pull,
            // The project's list replaces the user's, like every other key.
            check: self.check.or(other.check),
        }
    }

    /// Project file (searched upwards from `start`), then the user's.
    pub fn load(start: &Path) -> Result<(Config, Vec<PathBuf>)> {
        let mut files = Vec::new();
        let mut project = None;
        for dir in start.ancestors() {
            let p = dir.join("clusterls.toml");
            if p.is_file() {
                project = Some(p);
                break;
            }
        }
        let user_dir = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        let user = user_dir.map(|d| d.join("clusterls/clusterls.toml")).filter(|p| p.is_file());
        let mut cfg = Config::default();
        for p in [project, user].into_iter().flatten() {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| EngineError::io(format!("cannot read {}", p.display()), e))?;
            cfg = cfg.or(Config::parse(&text, &p)?);
            files.push(p);
        }
        Ok((cfg, files))
    }

    /// Run resources: flags (`over`) win over the config.
    pub fn resources(&self, over: &Resources) -> Resources {
        over.clone().or(self.resources.clone())
    }

    /// Resources of the light allocation where images are pulled.
    pub fn pull_resources(&self) -> Resources {
        let p = self.pull.clone().unwrap_or_default().resources;
        p.or(Resources {
            account: self.resources.account.clone(),
            cpus: Some(1),
            time: Some("30".into()),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn layering() {
        let project = Config::parse(
            "partition = \"gpu\"\ngpus = 1\n[pull]\npartition = \"cpu\"\n",
            Path::new("p"),
        )
        .unwrap();
        let user =
            Config::parse("partition = \"x\"\naccount = \"lab\"\ntime = \"30\"\n", Path::new("u"))
                .unwrap();
        let cfg = project.or(user);
        let r = cfg.resources(&Resources { gpus: Some(2), ..Default::default() });
        expect![[r#"Resources { partition: Some("gpu"), account: Some("lab"), qos: None, gpus: Some(2), cpus: None, mem: None, time: Some("30") }"#]]
            .assert_eq(&format!("{r:?}"));
        expect![[r#"Resources { partition: Some("cpu"), account: Some("lab"), qos: None, gpus: None, cpus: Some(1), mem: None, time: Some("30") }"#]]
            .assert_eq(&format!("{:?}", cfg.pull_resources()));
        let e = Config::parse("gpu = 1\n", Path::new("/p/clusterls.toml")).unwrap_err();
        assert!(e.to_string().starts_with("/p/clusterls.toml: TOML parse error"), "{e}");
    }
}
