//! Configuration: the editor's `clusterls.*` settings (initializationOptions and
//! `workspace/didChangeConfiguration`) merged with `clusterls.toml` in the workspace.
//! The file wins where it says something: it belongs to the project, and it is what
//! the CLI reads too (`engine::config`, the one parser of that file).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use crate::engine::config::Config as EngineConfig;

/// Every setting. The editor sends camelCase keys; `clusterls.toml` uses snake_case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// ssh host alias, or `local`.
    pub host: Option<String>,
    pub ssh_config: Option<String>,
    /// `partition`, `account`, `qos`, `gpus`, `cpus`, `mem`, `time`: the one type the
    /// CLI's flags, `clusterls.toml` and the job record use.
    #[serde(flatten)]
    pub resources: crate::engine::Resources,
    pub image: Option<String>,
    pub image_dir: Option<String>,
    pub runtime: Option<String>,
    pub binds: Option<Vec<String>>,
    pub python: Option<String>,
    /// Rule codes not to report (`[check].disable` in clusterls.toml).
    pub check_disable: Option<Vec<String>>,
    /// `false` in a workspace the user does not trust: nothing runs on a cluster.
    pub trusted: Option<bool>,
    /// `false` when the user declined the host named by the repository's clusterls.toml:
    /// that host is not used.
    pub project_host: Option<bool>,
    /// Read cluster facts from this JSON file (the `clusterls facts --json` format)
    /// instead of asking the cluster: for offline use and tests.
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
}

/// The project file's name, looked for at each workspace folder's root (and, by the
/// engine's rules, in its parents and the user's config directory).
pub const PROJECT_FILE: &str = "clusterls.toml";

/// Each workspace folder's configuration (its `clusterls.toml`, by the engine's rules),
/// in the order of `roots`, and the errors of the files that could not be read.
pub fn read_folders(roots: &[PathBuf]) -> (Vec<(PathBuf, EngineConfig)>, Vec<String>) {
    let mut errors = Vec::new();
    let folders = roots
        .iter()
        .map(|root| {
            let config = match EngineConfig::load(root) {
                Ok((c, _files)) => c,
                Err(e) => {
                    errors.push(e.to_string());
                    EngineConfig::default()
                }
            };
            (root.clone(), config)
        })
        .collect();
    (folders, errors)
}

/// Pure: the configuration of the workspace folder holding `path` (the innermost one
/// when folders nest), or `None` for a file outside every folder.
pub fn folder_config<'a>(
    folders: &'a [(PathBuf, EngineConfig)],
    path: &Path,
) -> Option<&'a EngineConfig> {
    folders
        .iter()
        .filter(|(root, _)| path.starts_with(root))
        .max_by_key(|(root, _)| root.components().count())
        .map(|(_, config)| config)
}

impl Config {
    /// Whether the workspace is trusted (older clients say nothing: trusted).
    pub fn is_trusted(&self) -> bool {
        self.trusted != Some(false)
    }

    /// The editor settings the engine understands, as its configuration.
    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            host: self.host.clone(),
            resources: self.resources.clone(),
            image: self.image.clone(),
            image_dir: self.image_dir.clone(),
            binds: self.binds.clone(),
            python: self.python.clone(),
            check: self
                .check_disable
                .clone()
                .map(|disable| crate::engine::config::CheckConfig { disable }),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_settings() {
        let v = serde_json::json!({"clusterls": {"host": "testcluster", "gpus": 2, "imageDir": null, "serverPath": "/x"}});
        let c = Config::from_client(&v).unwrap();
        assert_eq!(c.host.as_deref(), Some("testcluster"));
        assert_eq!(c.resources.gpus, Some(2));
        let e = Config::from_client(&serde_json::json!({"gpus": "two"})).unwrap_err();
        assert!(e.contains("gpus") || e.contains("invalid type"), "{e}");
        assert_eq!(Config::from_client(&Value::Null).unwrap(), Config::default());
    }

    /// Every setting the extension declares is read here, but those the client keeps
    /// (the server binary, its log level at start, LSP tracing) or sends under another
    /// key (`check.disable` as `checkDisable`). A setting added to package.json and not
    /// to `Config` would be ignored without a word.
    #[test]
    fn every_setting_of_the_extension_is_read() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../editor-client/package.json");
        let pkg: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let props = pkg["contributes"]["configuration"]["properties"].as_object().unwrap();
        let mut unread = Vec::new();
        for (key, spec) in props {
            let key = key.trim_start_matches("clusterls.");
            let key = match key {
                "serverPath" | "logLevel" | "trace.server" => continue,
                "check.disable" => "checkDisable",
                k => k,
            };
            // `"type": "array"` or `"type": ["array", "null"]`.
            let ty = spec["type"].as_str().or_else(|| spec["type"][0].as_str());
            let sample = match ty {
                Some("number" | "integer") => serde_json::json!(1),
                Some("array") => serde_json::json!(["x"]),
                Some("boolean") => serde_json::json!(true),
                _ => serde_json::json!("x"),
            };
            let c = Config::from_client(&serde_json::json!({ key: sample })).unwrap();
            if c == Config::default() {
                unread.push(key.to_string());
            }
        }
        assert!(props.len() > 10, "{path}");
        assert_eq!(unread, Vec::<String>::new(), "settings the server ignores");
    }

    #[test]
    fn every_engine_setting_reaches_the_engine() {
        let v = serde_json::json!({"clusterls": {
            "partition": "gpu", "account": "lab", "qos": "high", "gpus": 2, "cpus": 8,
            "mem": "32G", "time": "01:00:00", "image": "docker://x", "binds": ["/a:/b"],
            "python": "python3.11", "checkDisable": ["docker/latest-tag"],
        }});
        let e = Config::from_client(&v).unwrap().engine_config();
        let r = &e.resources;
        assert_eq!(
            (r.qos.as_deref(), r.cpus, r.mem.as_deref(), r.gpus),
            (Some("high"), Some(8), Some("32G"), Some(2))
        );
        assert_eq!(e.binds, Some(vec!["/a:/b".to_string()]));
        assert_eq!(e.python.as_deref(), Some("python3.11"));
        assert_eq!(e.check.map(|c| c.disable), Some(vec!["docker/latest-tag".to_string()]));
    }

    #[test]
    fn trust_comes_from_the_client() {
        let check = |v: serde_json::Value, trusted: bool| {
            assert_eq!(Config::from_client(&v).unwrap().is_trusted(), trusted, "{v}");
        };
        check(serde_json::json!({"trusted": false}), false);
        check(serde_json::json!({"trusted": true}), true);
        // Clients that say nothing (the CLI's own settings, older clients): trusted.
        check(serde_json::json!({}), true);
        let c = Config::from_client(&serde_json::json!({"projectHost": false})).unwrap();
        assert_eq!(c.project_host, Some(false));
    }

    #[test]
    fn project_file_wins_over_editor_settings() {
        let dir =
            std::env::temp_dir().join(format!("clusterls-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(PROJECT_FILE),
            "partition = \"gpu\"\nimage_dir = \"/scratch/img\"\n",
        )
        .unwrap();
        let (mut folders, errs) = read_folders(std::slice::from_ref(&dir));
        assert_eq!(errs, Vec::<String>::new());
        let (_, file) = folders.remove(0);
        let resources =
            crate::engine::Resources { partition: Some("cpu".into()), ..Default::default() };
        let editor = Config { resources, host: Some("h".into()), ..Default::default() };
        let c = file.or(editor.engine_config());
        assert_eq!(c.resources.partition.as_deref(), Some("gpu"));
        assert_eq!(c.host.as_deref(), Some("h"));
        assert_eq!(c.image_dir.as_deref(), Some("/scratch/img"));
        std::fs::write(dir.join(PROJECT_FILE), "gpus = \"x\"").unwrap();
        let (_, errs) = read_folders(std::slice::from_ref(&dir));
        let err = &errs[0];
        assert!(err.contains("clusterls.toml") && err.contains("gpus"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_takes_the_configuration_of_its_folder() {
        let folder = |root: &str, partition: &str| {
            let mut c = EngineConfig::default();
            c.resources.partition = Some(partition.into());
            (PathBuf::from(root), c)
        };
        let folders = [folder("/ws/a", "a"), folder("/ws/b", "b"), folder("/ws/b/inner", "inner")];
        let check = |path: &str, expected: Option<&str>| {
            let got = folder_config(&folders, Path::new(path));
            assert_eq!(got.and_then(|c| c.resources.partition.as_deref()), expected, "{path}");
        };
        check("/ws/a/train.py", Some("a"));
        check("/ws/a/sub/dir/job.sbatch", Some("a"));
        check("/ws/b/job.sbatch", Some("b"));
        check("/ws/b/inner/job.sbatch", Some("inner"));
        // A sibling whose name starts like a folder's is not inside it.
        check("/ws/ab/job.sbatch", None);
        check("/elsewhere/job.sbatch", None);
    }
}
