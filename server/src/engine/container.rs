//! Pure: image references, the names runtimes give pulled images, and the container
//! command line of a generated sbatch script.

use clusterls_core::facts::RuntimeKind;

use super::shell;

/// What `--image` named: a registry image to pull, or a path that is already on the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSpec {
    Docker(DockerRef),
    /// A SIF file or a charliecloud image directory on the cluster.
    Path(String),
}

impl ImageSpec {
    /// `docker://REF` is a registry image; anything else is a path on the cluster.
    pub fn parse(s: &str) -> Result<ImageSpec, String> {
        match s.strip_prefix("docker://") {
            Some(r) => DockerRef::parse(r).map(ImageSpec::Docker),
            None if s.is_empty() => Err("empty image".into()),
            None => Ok(ImageSpec::Path(s.to_string())),
        }
    }
}

/// `[registry[:port]/]repo[:tag][@digest]`, as docker reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerRef {
    /// `None`: Docker Hub.
    pub registry: Option<String>,
    /// `pytorch/pytorch`, `library/ubuntu` is kept as the user wrote it (`ubuntu`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl DockerRef {
    pub fn parse(s: &str) -> Result<DockerRef, String> {
        let bad = |why: &str| format!("invalid image reference `{s}`: {why}");
        if s.is_empty() {
            return Err(bad("empty"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains whitespace"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        // The first component is a registry when it has a `.` or `:` or is `localhost`.
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), path)
            }
            _ => (None, rest),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), Some(tag.to_string())),
            _ => (path.to_string(), None),
        };
        if repository.is_empty() || repository.split('/').any(str::is_empty) {
            return Err(bad("empty repository name"));
        }
        if tag.as_deref() == Some("") {
            return Err(bad("empty tag"));
        }
        Ok(DockerRef { registry, repository, tag, digest })
    }

    /// The reference without `docker://`, as `ch-image pull` and docker take it.
    pub fn reference(&self) -> String {
        let mut s = String::new();
        if let Some(r) = &self.registry {
            s.push_str(r);
            s.push('/');
        }
        s.push_str(&self.repository);
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }

    /// The file `singularity pull docker://REF` writes: last repository component,
    /// `_`, tag, `.sif` (`pytorch_2.2.1-cuda12.1-cudnn8-devel.sif`).
    pub fn sif_name(&self) -> String {
        let base = self.repository.rsplit('/').next().unwrap_or(&self.repository);
        match (&self.tag, &self.digest) {
            (None, Some(d)) => format!("{base}_{}.sif", d.replace(':', "_")),
            _ => format!("{base}_{}.sif", self.tag_or_latest()),
        }
    }

    /// The directory name `ch-image` gives the image in its storage: the full reference
    /// with the default tag, `/` as `%` and `:` as `+`.
    pub fn charliecloud_name(&self) -> String {
        let mut r = self.clone();
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some("latest".into());
        }
        r.reference().replace('/', "%").replace(':', "+")
    }

    /// Where the pulled image lives under `image_dir` for this runtime.
    pub fn image_path(&self, kind: RuntimeKind, image_dir: &str) -> String {
        let dir = image_dir.trim_end_matches('/');
        match kind {
            RuntimeKind::Apptainer | RuntimeKind::Singularity => {
                format!("{dir}/{}", self.sif_name())
            }
            RuntimeKind::Charliecloud => format!("{dir}/{}", self.charliecloud_name()),
        }
    }
}

/// The container part of a job's command: `apptainer exec --nv IMAGE python3 SCRIPT ARGS`
/// or `ch-run -c DIR IMAGE -- python3 SCRIPT ARGS`, quoted for a POSIX shell.
/// The container starts in the job's working directory, written as `"$PWD"` (the run
/// directory, whose absolute path only the cluster knows).
pub fn container_line(
    kind: RuntimeKind,
    executable: Option<&str>,
    image: &str,
    gpus: bool,
    binds: &[String],
    command: &[String],
) -> String {
    const WORKDIR: &str = "@@PWD@@";
    let workdir = WORKDIR;
    let mut argv: Vec<String> = Vec::new();
    match kind {
        RuntimeKind::Apptainer | RuntimeKind::Singularity => {
            argv.push(executable.unwrap_or(kind.as_str()).to_string());
            argv.push("exec".into());
            if gpus {
                argv.push("--nv".into());
            }
            for b in binds {
                argv.push("--bind".into());
                argv.push(b.clone());
            }
            argv.push("--pwd".into());
            argv.push(workdir.to_string());
            argv.push(image.to_string());
        }
        RuntimeKind::Charliecloud => {
            argv.push(executable.unwrap_or("ch-run").to_string());
            // The run directory is under $HOME; --home binds it at the same path
            // (/home/$USER) and -c starts there, like singularity's $PWD.
            argv.push("--home".into());
            for b in binds {
                argv.push("--bind".into());
                argv.push(b.clone());
            }
            argv.push("-c".into());
            argv.push(workdir.to_string());
            argv.push(image.to_string());
            argv.push("--".into());
        }
    }
    // The working directory is the one word left for the shell to expand.
    let mut line = shell::join(&argv).replace(WORKDIR, "\"$PWD\"");
    for word in command {
        line.push(' ');
        line.push_str(&shell::quote(word));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(input: &str, expect: Expect) {
        let actual = match ImageSpec::parse(input) {
            Ok(ImageSpec::Docker(r)) => format!(
                "docker {} | sif {} | ch {}",
                r.reference(),
                r.sif_name(),
                r.charliecloud_name()
            ),
            Ok(ImageSpec::Path(p)) => format!("path {p}"),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn references() {
        check(
            "docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel",
            expect![
                "docker pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel | sif pytorch_2.2.1-cuda12.1-cudnn8-devel.sif | ch pytorch%pytorch+2.2.1-cuda12.1-cudnn8-devel"
            ],
        );
        check(
            "docker://ubuntu",
            expect!["docker ubuntu | sif ubuntu_latest.sif | ch ubuntu+latest"],
        );
        check(
            "docker://127.0.0.1:5000/clusterls/python:3.11",
            expect![
                "docker 127.0.0.1:5000/clusterls/python:3.11 | sif python_3.11.sif | ch 127.0.0.1+5000%clusterls%python+3.11"
            ],
        );
        check(
            "docker://localhost/x@sha256:abc",
            expect![
                "docker localhost/x@sha256:abc | sif x_sha256_abc.sif | ch localhost%x@sha256+abc"
            ],
        );
        check("/scratch/images/pt.sif", expect!["path /scratch/images/pt.sif"]);
        check("docker://", expect!["error: invalid image reference ``: empty"]);
        check("docker://a b", expect!["error: invalid image reference `a b`: contains whitespace"]);
        check("docker://x:", expect!["error: invalid image reference `x:`: empty tag"]);
    }

    #[track_caller]
    fn check_line(kind: RuntimeKind, gpus: bool, expect: Expect) {
        let cmd = ["python3".to_string(), "my 'train'.py".to_string(), "--lr=$(x)".to_string()];
        let line = container_line(kind, None, "/img/p.sif", gpus, &["/data".into()], &cmd);
        expect.assert_eq(&line);
    }

    #[test]
    fn container_lines() {
        check_line(
            RuntimeKind::Apptainer,
            true,
            expect![[
                r#"apptainer exec --nv --bind /data --pwd "$PWD" /img/p.sif python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
        check_line(
            RuntimeKind::Singularity,
            false,
            expect![[
                r#"singularity exec --bind /data --pwd "$PWD" /img/p.sif python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
        check_line(
            RuntimeKind::Charliecloud,
            true,
            expect![[
                r#"ch-run --home --bind /data -c "$PWD" /img/p.sif -- python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
    }
}
