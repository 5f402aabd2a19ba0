//! Pure: what a run or a build uploads, and how. A run's own files (the script when it
//! lies outside the project, the generated `job.sbatch`; a build's Dockerfile and
//! definition file) are [`Upload`] entries; a project (`--sync DIR`, a build context)
//! goes incrementally: its files' content hashes ([`manifest::LocalFile`]) are compared
//! with the manifest of the project's sync directory on the cluster
//! ([`manifest::plan_upload`]), and only the changed files travel. Everything goes as
//! ONE tar ([`pack`]) on the stdin of the one remote program that applies it:
//!
//! ```text
//! r/PATH          the run's own files (copied into the run directory last)
//! s/PATH          the project's changed and new files
//! sync/key        the project's sync directory (`~/.clusterls/sync/KEY`)
//! sync/expect     the generation the manifest was read at (`none`: a first upload)
//! sync/generation the new generation
//! sync/manifest   the new manifest
//! sync/delete     the files to remove, NUL-separated
//! ```
//!
//! The remote half is `programs::sync_apply!`; [`project_key`] names the sync
//! directory, [`read_remote`] reads what `programs::SYNC_READ_PROGRAM` printed, and
//! [`UploadSummary`] is what the engine reports of an upload.

use std::path::Path;

use super::super::launch::manifest;

/// The mode of a file whose own mode cannot be read (private: the cluster's umask 077
/// takes group and other bits away in any case).
pub const SCRIPT_MODE: u32 = 0o600;
/// The mode of the generated batch script.
pub const SBATCH_MODE: u32 = 0o755;

/// One file of a run directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the run directory.
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

/// The files of a run directory, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upload {
    pub entries: Vec<Entry>,
}

impl Upload {
    pub fn add(&mut self, path: &str, data: Vec<u8>, mode: u32) {
        self.entries.push(Entry { path: path.to_string(), data, mode });
    }

    /// Packed alone (no project), as [`pack`] does.
    pub fn tar(&self, mtime: u64) -> Result<Vec<u8>, String> {
        pack(self, None, mtime)
    }
}

/// The project part of an upload: what [`manifest::plan_upload`] decided, with the
/// content of the files it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPart<'a> {
    /// [`project_key`].
    pub key: &'a str,
    /// The generation the remote manifest was read at; None: there was none.
    pub expect: Option<&'a str>,
    /// The generation this upload writes.
    pub generation: &'a str,
    pub plan: &'a manifest::UploadPlan,
    /// The files of `plan.send`, with their content and mode.
    pub files: &'a [Entry],
}

fn append(
    tar: &mut tar::Builder<Vec<u8>>,
    path: &str,
    data: &[u8],
    mode: u32,
    mtime: u64,
) -> Result<(), String> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(mode);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, path, data)
        .map_err(|err| format!("cannot pack {}: {err}", manifest::escape_path(path)))
}

/// The one tar of an upload (layout in the module doc; every entry's mtime `mtime`,
/// unix seconds).
pub fn pack(run: &Upload, sync: Option<&SyncPart>, mtime: u64) -> Result<Vec<u8>, String> {
    let mut tar = tar::Builder::new(Vec::new());
    if let Some(s) = sync {
        let expect = s.expect.unwrap_or("none");
        let mut delete = Vec::new();
        for p in s.plan.clear_dirs.iter().chain(&s.plan.delete) {
            delete.extend_from_slice(p.as_bytes());
            delete.push(0);
        }
        for (name, data) in [
            ("key", s.key.as_bytes()),
            ("expect", expect.as_bytes()),
            ("generation", s.generation.as_bytes()),
            ("manifest", s.plan.manifest.as_bytes()),
            ("delete", &delete),
        ] {
            append(&mut tar, &format!("sync/{name}"), data, 0o600, mtime)?;
        }
        for e in s.files {
            append(&mut tar, &format!("s/{}", e.path), &e.data, e.mode, mtime)?;
        }
    }
    for e in &run.entries {
        append(&mut tar, &format!("r/{}", e.path), &e.data, e.mode, mtime)?;
    }
    tar.into_inner().map_err(|err| format!("building the upload: {err}"))
}

/// The name of a project's sync directory on the cluster: `KIND-HASH16-NAME`, from the
/// project's canonical local path (`kind`: `run` or `build`, whose ignore rules differ)
/// and its folder name in lowercase letters, digits and `-`.
pub fn project_key(kind: &str, canonical: &str) -> String {
    let mut h = manifest::ContentHasher::new();
    h.update(kind.as_bytes());
    h.update(&[0]);
    h.update(canonical.as_bytes());
    let hash = h.finish();
    let base = canonical.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let mut name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(24)
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() {
        format!("{kind}-{}", &hash[..16])
    } else {
        format!("{kind}-{}-{name}", &hash[..16])
    }
}

/// What the sync directory holds, as `programs::SYNC_READ_PROGRAM` printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub generation: String,
    pub manifest: String,
}

/// None: no sync directory yet (or one without a manifest: a first upload).
pub fn read_remote(stdout: &str) -> Option<Remote> {
    let (first, rest) = stdout.split_once('\n').unwrap_or((stdout, ""));
    let generation = first.strip_prefix("generation ")?.trim();
    (!generation.is_empty())
        .then(|| Remote { generation: generation.to_string(), manifest: rest.to_string() })
}

/// What an upload did, as the engine reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UploadSummary {
    /// The project's sync directory key, when a project was uploaded.
    pub project: Option<String>,
    /// Files and bytes of the project.
    pub files: usize,
    pub bytes: u64,
    /// Files sent (changed or new) and their bytes.
    pub sent_files: usize,
    pub sent_bytes: u64,
    pub unchanged: usize,
    /// Files removed from the sync directory.
    pub deleted: usize,
    /// The whole tar on the wire: the run's own files, the manifest, headers.
    pub stdin_bytes: u64,
}

impl UploadSummary {
    pub fn new(plan: Option<(&str, &manifest::UploadPlan)>, stdin_bytes: usize) -> UploadSummary {
        let mut s = UploadSummary { stdin_bytes: stdin_bytes as u64, ..Default::default() };
        if let Some((key, p)) = plan {
            s.project = Some(key.to_string());
            s.files = p.send.len() + p.unchanged;
            s.bytes = p.total_bytes;
            s.sent_files = p.send.len();
            s.sent_bytes = p.send_bytes;
            s.unchanged = p.unchanged;
            s.deleted = p.delete.len() + p.clear_dirs.len();
        }
        s
    }

    /// `sent 1 of 412 files (1.2 kB of 50.0 MB; 411 unchanged, 0 removed), 45.1 kB in all`.
    pub fn line(&self) -> String {
        use manifest::human_bytes;
        match &self.project {
            Some(_) => format!(
                "sent {} of {} files ({} of {}; {} unchanged, {} removed), {} in all",
                self.sent_files,
                self.files,
                human_bytes(self.sent_bytes),
                human_bytes(self.bytes),
                self.unchanged,
                self.deleted,
                human_bytes(self.stdin_bytes)
            ),
            None => format!("sent {}", human_bytes(self.stdin_bytes)),
        }
    }
}

/// Refuse an upload over `limit` bytes (default [`manifest::DEFAULT_LIMIT`]): the
/// run's own files and the whole project (what a first upload sends), naming the
/// largest files, before anything is sent.
pub fn check_size(
    run: &Upload,
    project: &[manifest::LocalFile],
    limit: Option<u64>,
) -> Result<u64, String> {
    let mut files: Vec<manifest::LocalFile> = project.to_vec();
    files.extend(run.entries.iter().map(|e| manifest::LocalFile {
        path: e.path.clone(),
        size: e.data.len() as u64,
        hash: String::new(),
        mode: e.mode,
    }));
    manifest::check_size(&files, limit.unwrap_or(manifest::DEFAULT_LIMIT))
}

/// Where the script is inside the run directory: its path relative to the synced
/// directory when it lies inside it (both canonical), else its own file name.
pub fn script_in_run(script_name: &str, script: Option<&Path>, sync_dir: Option<&Path>) -> String {
    match (script, sync_dir) {
        (Some(s), Some(d)) => {
            s.strip_prefix(d).ok().and_then(|rel| rel.to_str()).unwrap_or(script_name).to_string()
        }
        _ => script_name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_placement() {
        fn p(s: &str) -> Option<&Path> {
            Some(Path::new(s))
        }
        assert_eq!(script_in_run("t.py", p("/a/b/src/t.py"), p("/a/b")), "src/t.py");
        assert_eq!(script_in_run("t.py", p("/elsewhere/t.py"), p("/a/b")), "t.py");
        assert_eq!(script_in_run("t.py", None, p("/a/b")), "t.py");
    }

    #[test]
    fn tar_holds_every_entry_with_its_mode() {
        let mut u = Upload::default();
        u.add("a 'b' $(x).py", b"print(1)\n".to_vec(), SCRIPT_MODE);
        u.add("job.sbatch", b"#!/bin/bash\n".to_vec(), SBATCH_MODE);
        let bytes = u.tar(1).unwrap();
        // Alone (no project): every entry under `r/`.
        let mut ar = tar::Archive::new(bytes.as_slice());
        let got: Vec<(String, u32)> = ar
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.path().unwrap().to_str().unwrap().to_string(), e.header().mode().unwrap())
            })
            .collect();
        assert_eq!(
            got,
            vec![("r/a 'b' $(x).py".into(), SCRIPT_MODE), ("r/job.sbatch".into(), 0o755)]
        );
    }

    #[test]
    fn size_guard_names_the_largest() {
        let mut u = Upload::default();
        u.add("small.py", vec![0; 10], SCRIPT_MODE);
        let big = manifest::LocalFile {
            path: "data/big.bin".into(),
            size: 3000,
            hash: String::new(),
            mode: 0o644,
        };
        assert_eq!(check_size(&u, std::slice::from_ref(&big), None), Ok(3010));
        let e = check_size(&u, &[big], Some(1000)).unwrap_err();
        assert!(e.starts_with("the project is 3.0 kB in 2 files, over the upload limit of 1.0 kB"));
        assert!(e.find("data/big.bin").unwrap() < e.find("small.py").unwrap(), "{e}");
        assert!(e.contains("upload_limit"), "{e}");
    }
}
