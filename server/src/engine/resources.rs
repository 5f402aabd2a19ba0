//! Pure: the resources of a job, ONE type from the CLI's flags (`clap::Args`) and
//! `clusterls.toml` (serde) through the engine to the job record and the editor.

use serde::{Deserialize, Serialize};

/// What a job asks Slurm for. `None` leaves it to the next layer: flags, then
/// `clusterls.toml`, then Slurm's (or the partition's) default, and is left out of
/// the JSON. The doc comments are the CLI's help.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, clap::Args)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(optional_fields))]
#[serde(default)]
pub struct Resources {
    /// Slurm partition (default: clusterls.toml, then the cluster's default partition)
    #[arg(long, short = 'p')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Slurm account to charge (default: clusterls.toml, then your default account)
    #[arg(long, short = 'A')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Quality of service
    #[arg(long, short = 'q')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos: Option<String>,
    /// GPUs per job (`--gres=gpu:N`).
    #[arg(long, short = 'G')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u32>,
    /// CPUs per task.
    #[arg(long, short = 'c')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<u32>,
    /// Memory, as Slurm takes it (`16G`, `4000`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem: Option<String>,
    /// Time limit, as Slurm takes it (`30`, `1:00:00`, `1-00:00:00`).
    #[arg(long, short = 't')]
    #[serde(alias = "time_limit")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

impl Resources {
    /// Field by field, `self` wins over `under` (flags over `clusterls.toml`).
    pub fn or(self, under: Resources) -> Resources {
        Resources {
            partition: self.partition.or(under.partition),
            account: self.account.or(under.account),
            qos: self.qos.or(under.qos),
            gpus: self.gpus.or(under.gpus),
            cpus: self.cpus.or(under.cpus),
            mem: self.mem.or(under.mem),
            time: self.time.or(under.time),
        }
    }

    /// Slurm options for these resources, as separate `--opt=value` words.
    pub fn slurm_options(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(p) = &self.partition {
            v.push(format!("--partition={p}"));
        }
        if let Some(a) = &self.account {
            v.push(format!("--account={a}"));
        }
        if let Some(q) = &self.qos {
            v.push(format!("--qos={q}"));
        }
        if let Some(g) = self.gpus.filter(|g| *g > 0) {
            v.push(format!("--gres=gpu:{g}"));
        }
        if let Some(c) = self.cpus {
            v.push(format!("--cpus-per-task={c}"));
        }
        if let Some(m) = &self.mem {
            v.push(format!("--mem={m}"));
        }
        if let Some(t) = &self.time {
            v.push(format!("--time={t}"));
        }
        v
    }

    /// Values that would break a directive line or inject options are refused before
    /// anything is sent.
    pub fn validate(&self) -> Result<(), String> {
        let fields = [
            ("partition", &self.partition),
            ("account", &self.account),
            ("qos", &self.qos),
            ("mem", &self.mem),
            ("time", &self.time),
        ];
        for (name, v) in fields {
            if let Some(v) = v
                && (v.is_empty()
                    || v.starts_with('-')
                    || !v.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | ',')
                    }))
            {
                return Err(format!(
                    "--{name} `{v}` is not a valid Slurm value (letters, digits, `_-.:,` only, not starting with `-`)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn validation() {
        let bad = Resources { account: Some("a;rm -rf".into()), ..Default::default() };
        expect!["Err(\"--account `a;rm -rf` is not a valid Slurm value (letters, digits, `_-.:,` only, not starting with `-`)\")"]
            .assert_eq(&format!("{:?}", bad.validate()));
    }

    #[test]
    fn layers() {
        let flags = Resources { gpus: Some(2), time: Some("5".into()), ..Default::default() };
        let file = Resources {
            partition: Some("gpu".into()),
            time: Some("30".into()),
            ..Default::default()
        };
        expect![[r#"Resources { partition: Some("gpu"), account: None, qos: None, gpus: Some(2), cpus: None, mem: None, time: Some("5") }"#]]
            .assert_eq(&format!("{:?}", flags.or(file)));
        // Records written before the resources had one type named the time `time_limit`.
        let old: Resources =
            serde_json::from_str(r#"{"partition":"gpu","time_limit":"1:00:00"}"#).unwrap();
        assert_eq!(old.time.as_deref(), Some("1:00:00"));
    }
}
