//! Pure: planning image pulls. Which runtime and image directory a cluster gives, the
//! path an image lands at and the argument a container line names it by, the pull
//! program's arguments, and what its exit means. The coming image build (Dockerfile
//! to image on the cluster) plans here too: a build is a pull whose source is a
//! Dockerfile, with the same runtime, directory, lock and rename-into-place.

use clusterls_core::ClusterFacts;
use clusterls_core::facts::{Image, RuntimeKind};

use super::super::container::DockerRef;
use super::super::error::{EngineError, last_lines};
use super::super::resources::Resources;

/// The runtime, its path and the image directory of a cluster.
pub fn runtime(facts: &ClusterFacts) -> Result<(RuntimeKind, Option<String>, String), EngineError> {
    let rt = facts.runtime.as_ref().ok_or_else(|| {
        EngineError::Config(
            "no container runtime (apptainer, singularity, charliecloud) was found on the cluster.\nAsk the admins which one to load (e.g. `module load apptainer`), or run without --image.".into(),
        )
    })?;
    let dir = facts.image_dir.clone().ok_or_else(|| {
        EngineError::Config("no image directory is known; set image_dir in clusterls.toml".into())
    })?;
    Ok((rt.kind, rt.path.clone(), dir))
}

/// What a container line names a pulled image by: its path, except for charliecloud,
/// which runs images in its storage by name (`:latest` when no tag or digest).
pub fn image_arg(kind: RuntimeKind, r: &DockerRef, path: &str) -> String {
    match kind {
        RuntimeKind::Charliecloud => {
            let mut named = r.clone();
            if named.tag.is_none() && named.digest.is_none() {
                named.tag = Some("latest".into());
            }
            named.reference()
        }
        _ => path.to_string(),
    }
}

/// The arguments of [`super::super::programs::PULL_PROGRAM`]: `KIND FINAL REF SRUN_ARGS...`.
pub fn pull_args(kind: RuntimeKind, path: &str, r: &DockerRef, res: &Resources) -> Vec<String> {
    let mut args = vec![kind.as_str().to_string(), path.to_string(), r.reference()];
    args.extend(srun_args(res));
    args
}

/// The options of the light allocation a pull runs in.
pub fn srun_args(res: &Resources) -> Vec<String> {
    let mut v = vec!["--job-name=clusterls-pull".to_string()];
    v.extend(res.slurm_options());
    v
}

/// The job a pull runs in, from its progress line `pull job ID` (`clusterls: ` taken
/// off): what to cancel when the caller stops waiting.
pub fn pull_job_id(line: &str) -> Option<String> {
    let id = line.strip_prefix("clusterls: ").unwrap_or(line).strip_prefix("pull job ")?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

/// What a finished pull program said: `Ok(already_present)`, or the error to show.
/// Slurm refused the light allocation a pull or a build (`what`) runs in.
pub fn allocation_refused(what: &str, stderr: &str) -> Option<EngineError> {
    let refused = [
        "Unable to allocate resources",
        "submission failed",
        "Invalid account",
        "Invalid partition",
    ];
    refused.iter().any(|x| stderr.contains(x)).then(|| {
        EngineError::refused(
            &format!("image {what} allocation"),
            stderr,
            &format!(" (the {what} uses [pull] in clusterls.toml)"),
        )
    })
}

pub fn read_pull(
    host: &str,
    r: &DockerRef,
    status: i32,
    stdout: &str,
    stderr: &str,
) -> Result<bool, EngineError> {
    if status == 0 {
        return Ok(stdout.lines().any(|l| l.starts_with("present ")));
    }
    if let Some(e) = allocation_refused("pull", stderr) {
        return Err(e);
    }
    Err(EngineError::Remote {
        host: host.into(),
        what: format!("pull {}", r.reference()),
        status,
        stderr: last_lines(stderr, 12),
    })
}

/// The facts with a newly pulled image in their list (None: it was there already).
pub fn with_image(facts: &ClusterFacts, path: &str) -> Option<ClusterFacts> {
    if facts.images.iter().any(|i| i.path == path) {
        return None;
    }
    let mut f = facts.clone();
    f.images.push(Image {
        name: path.rsplit('/').next().unwrap_or("").into(),
        path: path.to_string(),
        size_bytes: None,
    });
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn the_job_a_pull_runs_in() {
        for (line, want) in [
            ("pull job 1255", Some("1255")),
            ("clusterls: pull job 7", Some("7")),
            ("pull job ", None),
            ("pull job 12; rm", None),
            ("pulling docker://x in an allocation", None),
        ] {
            assert_eq!(pull_job_id(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn names_and_args() {
        let r = DockerRef::parse("127.0.0.1:5443/tiny/python").unwrap();
        let path = r.image_path(RuntimeKind::Apptainer, "/img");
        expect!["/img"].assert_eq(&image_arg(RuntimeKind::Apptainer, &r, "/img"));
        expect!["127.0.0.1:5443/tiny/python:latest"].assert_eq(&image_arg(
            RuntimeKind::Charliecloud,
            &r,
            "/img",
        ));
        let res = Resources { partition: Some("test".into()), ..Default::default() };
        expect![[r#"["apptainer", "/img/python_latest.sif", "127.0.0.1:5443/tiny/python", "--job-name=clusterls-pull", "--partition=test"]"#]]
            .assert_eq(&format!("{:?}", pull_args(RuntimeKind::Apptainer, &path, &r, &res)));
    }

    #[test]
    fn pull_results() {
        let r = DockerRef::parse("x/y:1").unwrap();
        assert!(read_pull("h", &r, 0, "present /i/x.sif\n", "").unwrap());
        assert!(!read_pull("h", &r, 0, "pulled /i/x.sif\n", "").unwrap());
        let e = read_pull(
            "h",
            &r,
            1,
            "",
            include_str!("../testdata/slurm/sbatch-bad-account.stderr.txt"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("[pull] in clusterls.toml"), "{e}");
        let e = read_pull("h", &r, 1, "", "a\nb\nFATAL: no such image\n").unwrap_err();
        assert!(e.to_string().contains("FATAL: no such image"), "{e}");
    }
}
