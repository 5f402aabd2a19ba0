//! Uploads: reading a run's files and a project from the local disk (`--sync DIR`
//! walked with ripgrep's `ignore`, honouring .gitignore, .ignore and .clusterlsignore; a
//! build context with `.dockerignore`), hashing the project's files, and the upload
//! itself: one round trip reads the project's manifest on the cluster, the next carries
//! only the changed files (and the run's own files) to the program that applies them
//! and makes the run directory. What is sent and how it is packed is decided in
//! [`plan`] and [`super::launch::manifest`].

pub mod plan;

use std::io::Read;
use std::path::{Path, PathBuf};

use super::Engine;
use super::error::{EngineError, Result};
use super::launch::manifest::{self, ContentHasher, LocalFile};
use super::local_file;
use super::programs;
use super::script::bash;
use super::transport::{Exec, Output};
use plan::{Upload, UploadSummary};

/// How many times an upload is planned again when another one changed the project's
/// copy on the cluster between the read and the write.
const ATTEMPTS: usize = 4;

/// Which ignore rules a project is walked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rules {
    /// `.gitignore`, `.ignore`, `.clusterlsignore` (what `--sync` has always honoured).
    Project,
    /// Gitignore lines anchored at the root, and nothing else: a build context's
    /// `.dockerignore` with Docker's meaning, as `images::build::plan::dockerignore`
    /// turns it into such lines.
    Anchored(Vec<String>),
}

/// A project on the local disk: its files, hashed, and its sync directory's key.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub key: String,
    pub files: Vec<LocalFile>,
}

/// A file found by the walk, not read yet.
struct Found {
    rel: String,
    size: u64,
    mode: u32,
}

/// The files under `dir` that `rules` leave, with their sizes and modes (not read).
fn walk(dir: &Path, rules: &Rules) -> Result<Vec<Found>> {
    let mut builder = ignore::WalkBuilder::new(dir);
    match rules {
        Rules::Project => {
            builder
                .hidden(false)
                .git_global(false)
                .require_git(false)
                .add_custom_ignore_filename(".clusterlsignore")
                .filter_entry(|e| {
                    e.file_name() != ".git"
                        && !(e.depth() == 1 && e.file_name() == super::script::CONTROL_DIR)
                });
        }
        Rules::Anchored(lines) => {
            let mut ig = ignore::gitignore::GitignoreBuilder::new(dir);
            for line in lines {
                ig.add_line(None, line).map_err(|e| {
                    EngineError::Usage(format!("{}/.dockerignore: {e}", dir.display()))
                })?;
            }
            let ig = ig
                .build()
                .map_err(|e| EngineError::Usage(format!("{}/.dockerignore: {e}", dir.display())))?;
            builder.standard_filters(false).filter_entry(move |e| {
                e.depth() == 0
                    || !ig.matched(e.path(), e.file_type().is_some_and(|t| t.is_dir())).is_ignore()
            });
        }
    }
    let mut found = Vec::new();
    for entry in builder.build() {
        let entry =
            entry.map_err(|e| EngineError::Usage(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_str().ok_or_else(|| {
            EngineError::Usage(format!(
                "{} is not valid UTF-8; rename it or list it in .clusterlsignore",
                entry.path().display()
            ))
        })?;
        let meta = entry.metadata().map_err(|e| {
            EngineError::Usage(format!("cannot read {}: {e}", entry.path().display()))
        })?;
        use std::os::unix::fs::PermissionsExt;
        found.push(Found {
            rel: rel.to_string(),
            size: meta.len(),
            mode: meta.permissions().mode() & 0o777,
        });
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(found)
}

/// Read `dir` as a project: walked with `rules`, refused by the size guard (with the
/// run's own files, `limit` bytes) before any file is read, then every file hashed.
pub fn scan(dir: &Path, rules: &Rules, run: &Upload, limit: Option<u64>) -> Result<Project> {
    let root = dir
        .canonicalize()
        .map_err(|e| EngineError::io(format!("cannot read {}", dir.display()), e))?;
    let found = walk(&root, rules)?;
    let sizes: Vec<LocalFile> = found
        .iter()
        .map(|f| LocalFile { path: f.rel.clone(), size: f.size, hash: String::new(), mode: f.mode })
        .collect();
    plan::check_size(run, &sizes, limit).map_err(EngineError::Usage)?;
    let mut files = Vec::with_capacity(found.len());
    let mut buf = vec![0u8; 1 << 16];
    for f in found {
        let path = root.join(&f.rel);
        let mut file = std::fs::File::open(&path)
            .map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))?;
        let mut h = ContentHasher::new();
        let mut size = 0u64;
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            size += n as u64;
        }
        files.push(LocalFile { path: f.rel, size, hash: h.finish(), mode: f.mode });
    }
    let kind = match rules {
        Rules::Project => "run",
        Rules::Anchored(_) => "build",
    };
    let key = plan::project_key(kind, &root.to_string_lossy());
    Ok(Project { root, key, files })
}

/// A run's upload, read: its own files, the project (`--sync DIR`) and where the
/// script is inside the run directory.
pub(super) struct Prepared {
    pub run: Upload,
    pub project: Option<Project>,
    pub script_in_run: String,
}

/// The files of a run: the synced directory (if any) as a project, and the script
/// when it is not inside it. Refused over `limit` bytes before anything is read.
pub(super) fn prepare(
    script: &Path,
    script_name: &str,
    script_bytes: Vec<u8>,
    sync: Option<&Path>,
    limit: Option<u64>,
) -> Result<Prepared> {
    let mut run = Upload::default();
    let mut script_in_run = script_name.to_string();
    if let Some(dir) = sync {
        let (s, d) = (script.canonicalize().ok(), dir.canonicalize().ok());
        script_in_run = plan::script_in_run(script_name, s.as_deref(), d.as_deref());
    }
    if script_in_run == script_name {
        run.add(script_name, script_bytes, file_mode(script));
    }
    let project = match sync {
        Some(dir) => Some(scan(dir, &Rules::Project, &run, limit)?),
        None => {
            plan::check_size(&run, &[], limit).map_err(EngineError::Usage)?;
            None
        }
    };
    Ok(Prepared { run, project, script_in_run })
}

/// A file's permission bits (what it uploads with, at most; the cluster's umask 077
/// takes the rest away).
fn file_mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(plan::SCRIPT_MODE)
}

impl Engine {
    /// Upload `run` (and the changes of `project`) on the stdin of `exec`, whose program
    /// applies them ([`programs::RUN_PROGRAM`] and its kin, [`programs::BUILD_PROGRAM`]):
    /// one round trip reads the project's manifest, one runs `exec`. When another upload
    /// changed the project's copy in between (exit [`programs::STALE`]), read and send
    /// again.
    pub(super) async fn upload_exec(
        &self,
        project: Option<&Project>,
        run: &Upload,
        exec: Exec,
    ) -> Result<(Output, UploadSummary)> {
        let mtime = super::store::now();
        let Some(project) = project else {
            let tar = plan::pack(run, None, mtime).map_err(EngineError::Usage)?;
            let summary = UploadSummary::new(None, tar.len());
            return Ok((self.exec(exec.stdin(tar)).await?, summary));
        };
        for attempt in 1..=ATTEMPTS {
            let read = self
                .exec(Exec::new(
                    "sync",
                    bash(programs::SYNC_READ_PROGRAM, "clusterls-sync", [project.key.clone()]),
                ))
                .await?;
            if read.status != 0 {
                return Err(EngineError::Remote {
                    host: self.host().into(),
                    what: format!("reading the manifest of ~/.clusterls/sync/{}", project.key),
                    status: read.status,
                    stderr: super::error::last_lines(&read.stderr_str(), 12),
                });
            }
            let remote = plan::read_remote(&read.stdout_str());
            let up =
                manifest::plan_upload(&project.files, remote.as_ref().map(|r| r.manifest.as_str()));
            for p in &up.problems {
                tracing::warn!("sync {}: {p}", project.key);
            }
            let files = read_sent(project, &up.send)?;
            let generation = format!("{:012x}", super::store::random_token());
            let part = plan::SyncPart {
                key: &project.key,
                expect: remote.as_ref().map(|r| r.generation.as_str()),
                generation: &generation,
                plan: &up,
                files: &files,
            };
            let tar = plan::pack(run, Some(&part), mtime).map_err(EngineError::Usage)?;
            drop(files);
            let summary = UploadSummary::new(Some((&project.key, &up)), tar.len());
            let out = self.exec(exec.clone().stdin(tar)).await?;
            if out.status == programs::STALE && attempt < ATTEMPTS {
                tracing::info!("sync {}: changed by another upload; reading it again", project.key);
                continue;
            }
            return Ok((out, summary));
        }
        unreachable!("the last attempt returns")
    }
}

/// A local file a run or a build reads whole (the script, the Dockerfile): a regular
/// file of at most `limit` bytes (the upload limit), through [`local_file::read`].
pub fn read_local(path: &Path, limit: Option<u64>) -> Result<Vec<u8>> {
    let limit = limit.unwrap_or(manifest::DEFAULT_LIMIT);
    let cannot = |e| EngineError::io(format!("cannot read {}", path.display()), e);
    let meta = std::fs::metadata(path).map_err(cannot)?;
    local_file::read(path, &meta, limit).map_err(|e| match e {
        local_file::ReadError::NotRegular(what) => EngineError::Usage(format!(
            "{} is not a regular file ({what}): clusterls reads the script or Dockerfile of a run or build from a regular file",
            path.display()
        )),
        local_file::ReadError::TooLarge => EngineError::Usage(format!(
            "{} is larger than the upload limit ({limit} bytes; `upload_limit` in clusterls.toml)",
            path.display()
        )),
        local_file::ReadError::Io(e) => cannot(e),
    })
}

/// The content of the files an upload sends.
fn read_sent(project: &Project, send: &[String]) -> Result<Vec<plan::Entry>> {
    let modes: std::collections::HashMap<&str, u32> =
        project.files.iter().map(|f| (f.path.as_str(), f.mode)).collect();
    send.iter()
        .map(|rel| {
            let path = project.root.join(rel);
            let data = std::fs::read(&path).map_err(|e| {
                EngineError::io(
                    format!("cannot read {} (did it change during the upload?)", path.display()),
                    e,
                )
            })?;
            Ok(plan::Entry {
                path: rel.clone(),
                data,
                mode: modes.get(rel.as_str()).copied().unwrap_or(0o600),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
