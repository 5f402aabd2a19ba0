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
//! dockerfile = "Dockerfile"  # runs build it (`clusterls build`) and use its image;
//!                           # local, relative to the current directory
//! python = "python3"
//! image_dir = "~/images"    # apptainer/singularity; charliecloud uses its storage;
//!                           # a relative path is under $HOME on the cluster
//! binds = ["/scratch"]
//! upload_limit = 200_000_000  # bytes a run or build may upload (script, --sync DIR, context)
//! [pull]                    # the light allocation where images are pulled
//! partition = "cpu"
//! account = "lab"
//! time = "30"
//! [check]                   # `clusterls check` and the editor's diagnostics
//! disable = ["apptainer/workdir-ignored", "shellcheck"]   # codes or namespaces
//! ```
//!
//! A repository's file is not trusted to be harmless: values that a program would read
//! as an option or code are refused when the file is read ([`Config::validate`]).

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
    /// A local Dockerfile whose image runs use (built when its key changed).
    pub dockerfile: Option<String>,
    pub python: Option<String>,
    pub image_dir: Option<String>,
    pub binds: Option<Vec<String>>,
    /// Bytes a run may upload; default `launch::manifest::DEFAULT_LIMIT` (200 MB).
    pub upload_limit: Option<u64>,
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

    /// Read a `clusterls.toml`, refusing values that a program could read as anything
    /// but data ([`Config::validate`]).
    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        let fail = |why: String| {
            EngineError::Config(format!(
                "{}: {why}\nFix the file or move it away.",
                origin.display()
            ))
        };
        let cfg: Config = toml::from_str(text).map_err(|e| fail(e.to_string().trim().into()))?;
        cfg.validate().map_err(fail)?;
        Ok(cfg)
    }

    /// Every value that reaches a program is data, never an option or code: the host
    /// (ssh's destination), paths (`image_dir`, `binds`), the interpreter, the image and
    /// the Slurm values. A repository's file is not trusted to be harmless.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if let Some(h) = &self.host {
            validate_host(h).map_err(|e| format!("host: {e}"))?;
        }
        for (key, v) in [("image_dir", &self.image_dir), ("python", &self.python)] {
            if let Some(v) = v {
                plain_word(v).map_err(|e| format!("{key}: {e}"))?;
            }
        }
        for b in self.binds.iter().flatten() {
            plain_word(b).map_err(|e| format!("binds: {e}"))?;
        }
        if let Some(i) = &self.image {
            super::container::ImageSpec::parse(i).map_err(|e| format!("image: {e}"))?;
        }
        self.resources(&Resources::default()).validate()?;
        self.pull_resources().validate().map_err(|e| format!("[pull] {e}"))?;
        Ok(())
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
            dockerfile: self.dockerfile.or(other.dockerfile),
            python: self.python.or(other.python),
            image_dir: self.image_dir.or(other.image_dir),
            binds: self.binds.or(other.binds),
            upload_limit: self.upload_limit.or(other.upload_limit),
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

/// A value given to a program as one word: not empty, no leading `-` (it would be read
/// as an option: `image_dir = "-delete"` reached `find`), no control characters.
pub fn plain_word(v: &str) -> std::result::Result<(), String> {
    if v.is_empty() {
        Err("must not be empty".into())
    } else if v.starts_with('-') {
        Err(format!(
            "`{v}` starts with `-`, which a program would read as an option; write `./{v}` for a relative path"
        ))
    } else if v.chars().any(char::is_control) {
        Err(format!("{v:?} holds control characters (a line break?)"))
    } else {
        Ok(())
    }
}

/// An ssh destination (`alias`, `user@host`) or `local`: never an ssh option
/// (`-oProxyCommand=...`), never more than one word.
pub fn validate_host(h: &str) -> std::result::Result<(), String> {
    if h.starts_with('-') {
        return Err(format!(
            "`{h}` starts with `-`, which ssh would read as an option; give an ssh host alias"
        ));
    }
    plain_word(h)?;
    if h.chars().any(char::is_whitespace) {
        return Err(format!("`{h}` is not one ssh host alias (it holds a space)"));
    }
    Ok(())
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

    #[track_caller]
    fn check(toml: &str, expect: expect_test::Expect) {
        let got = match Config::parse(toml, Path::new("clusterls.toml")) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        expect.assert_eq(&got);
    }

    /// Values that a program would read as an option or code are refused at load.
    #[test]
    fn hostile_values_are_refused_at_load() {
        check(
            "image_dir = \"~/images\"\nbinds = [\"/scratch\"]\nhost = \"me@cluster\"",
            expect!["ok"],
        );
        check(
            "image_dir = \"-delete\"",
            expect![[r#"
                clusterls.toml: image_dir: `-delete` starts with `-`, which a program would read as an option; write `./-delete` for a relative path
                Fix the file or move it away."#]],
        );
        check(
            "host = \"-oProxyCommand=touch /tmp/x\"",
            expect![[r#"
                clusterls.toml: host: `-oProxyCommand=touch /tmp/x` starts with `-`, which ssh would read as an option; give an ssh host alias
                Fix the file or move it away."#]],
        );
        check(
            "host = \"a b\"",
            expect![[r#"
            clusterls.toml: host: `a b` is not one ssh host alias (it holds a space)
            Fix the file or move it away."#]],
        );
        check(
            "binds = [\"--home\"]",
            expect![[r#"
            clusterls.toml: binds: `--home` starts with `-`, which a program would read as an option; write `./--home` for a relative path
            Fix the file or move it away."#]],
        );
        check(
            "python = \"-c\"",
            expect![[r#"
            clusterls.toml: python: `-c` starts with `-`, which a program would read as an option; write `./-c` for a relative path
            Fix the file or move it away."#]],
        );
        check(
            "image_dir = \"a\\nb\"",
            expect![[r#"
            clusterls.toml: image_dir: "a\nb" holds control characters (a line break?)
            Fix the file or move it away."#]],
        );
        check(
            "image = \"docker://x;id\"",
            expect![[r#"
            clusterls.toml: image: invalid image reference `x;id`: the repository `x;id` may hold only lower-case letters, digits and single `.`, `_`, `__` or `-` between them
            Fix the file or move it away."#]],
        );
        check(
            "image = \"-x.sif\"",
            expect![[r#"
            clusterls.toml: image: invalid image `-x.sif`: a path on the cluster must not start with `-`; write `./-x.sif` or an absolute path
            Fix the file or move it away."#]],
        );
        check(
            "account = \"-x\"",
            expect![[r#"
            clusterls.toml: --account `-x` is not a valid Slurm value (letters, digits, `_-.:,` only, not starting with `-`)
            Fix the file or move it away."#]],
        );
        check(
            "[pull]\npartition = \"a;b\"",
            expect![[r#"
            clusterls.toml: [pull] --partition `a;b` is not a valid Slurm value (letters, digits, `_-.:,` only, not starting with `-`)
            Fix the file or move it away."#]],
        );
        check(
            "image_dir = \"\"",
            expect![[r#"
            clusterls.toml: image_dir: must not be empty
            Fix the file or move it away."#]],
        );
    }
}
