//! Configuration: the editor's `clusterls.*` settings (initializationOptions and
//! `workspace/didChangeConfiguration`) merged with `clusterls.toml` in the workspace.
//! The file wins where it says something: it belongs to the project, and it is what
//! the CLI reads too.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// Every setting. The editor sends camelCase keys; `clusterls.toml` uses snake_case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// ssh host alias, or `local`.
    pub host: Option<String>,
    #[serde(alias = "ssh_config")]
    pub ssh_config: Option<String>,
    pub account: Option<String>,
    pub partition: Option<String>,
    pub gpus: Option<u32>,
    pub time: Option<String>,
    pub image: Option<String>,
    #[serde(alias = "image_dir")]
    pub image_dir: Option<String>,
    pub runtime: Option<String>,
    #[serde(alias = "log_level")]
    pub log_level: Option<String>,
    /// Read cluster facts from this JSON file (the `clusterls facts --json` format)
    /// instead of asking the cluster: for offline use and tests.
    #[serde(alias = "facts_file")]
    pub facts_file: Option<String>,
}

impl Config {
    /// Settings as the client sends them: the `clusterls` section itself, or an object
    /// holding it (`{"clusterls": {...}}`, what `didChangeConfiguration` carries).
    /// Unknown keys are ignored; a value of the wrong type is an error that names it.
    pub fn from_client(value: &Value) -> Result<Config, String> {
        let section = match value.get("clusterls") {
            Some(v) => v,
            None => value,
        };
        if section.is_null() {
            return Ok(Config::default());
        }
        serde_json::from_value(section.clone())
            .map_err(|e| format!("clusterls settings: {e}; fix the setting in your editor"))
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| {
            format!(
                "{}: {e}; fix the file (its keys are the clusterls settings in snake_case)",
                path.display()
            )
        })
    }

    /// `self` with every field `over` sets replaced.
    pub fn overlay(&self, over: &Config) -> Config {
        macro_rules! pick {
            ($($f:ident),*) => { Config { $($f: over.$f.clone().or_else(|| self.$f.clone()),)* } };
        }
        pick!(
            host, ssh_config, account, partition, gpus, time, image, image_dir, runtime, log_level,
            facts_file
        )
    }
}

/// The project file's name, looked for at each workspace folder's root.
pub const PROJECT_FILE: &str = "clusterls.toml";

/// Read the first `clusterls.toml` among `roots`. A missing file is no error.
pub fn read_project(roots: &[PathBuf]) -> (Config, Option<String>) {
    for root in roots {
        let path = root.join(PROJECT_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return match Config::from_toml(&text, &path) {
                    Ok(c) => (c, None),
                    Err(e) => (Config::default(), Some(e)),
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return (Config::default(), Some(format!("cannot read {}: {e}", path.display())));
            }
        }
    }
    (Config::default(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_settings() {
        let v = serde_json::json!({"clusterls": {"host": "testcluster", "gpus": 2, "imageDir": null, "serverPath": "/x"}});
        let c = Config::from_client(&v).unwrap();
        assert_eq!(c.host.as_deref(), Some("testcluster"));
        assert_eq!(c.gpus, Some(2));
        let e = Config::from_client(&serde_json::json!({"gpus": "two"})).unwrap_err();
        assert!(e.contains("gpus") || e.contains("invalid type"), "{e}");
        assert_eq!(Config::from_client(&Value::Null).unwrap(), Config::default());
    }

    #[test]
    fn project_file_overrides() {
        let file = Config::from_toml(
            "partition = \"gpu\"\nimage_dir = \"/scratch/img\"\n",
            Path::new("clusterls.toml"),
        )
        .unwrap();
        let editor =
            Config { partition: Some("cpu".into()), host: Some("h".into()), ..Default::default() };
        let c = editor.overlay(&file);
        assert_eq!(c.partition.as_deref(), Some("gpu"));
        assert_eq!(c.host.as_deref(), Some("h"));
        assert_eq!(c.image_dir.as_deref(), Some("/scratch/img"));
        let e = Config::from_toml("gpus = \"x\"", Path::new("/w/clusterls.toml")).unwrap_err();
        assert!(e.starts_with("/w/clusterls.toml"), "{e}");
    }
}
