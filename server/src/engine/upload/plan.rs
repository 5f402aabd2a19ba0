//! Pure: what a run uploads. The files of a run directory (the script, the files of
//! `--sync DIR`, the generated `job.sbatch`) with their paths and modes, packed as ONE
//! in-memory tar for the stdin of the one remote command that unpacks it.
//!
//! The coming content-hash manifest fits here: [`Upload`] already holds every entry
//! (path, bytes, mode) before anything is packed, so a manifest of (path, mode,
//! sha256) can be computed from it, compared with the cluster's copy, and only the
//! entries that changed packed by [`Upload::tar`].

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

    /// Packed as a tar (every entry's mtime `mtime`, unix seconds).
    pub fn tar(&self, mtime: u64) -> Result<Vec<u8>, String> {
        let mut tar = tar::Builder::new(Vec::new());
        for e in &self.entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(e.data.len() as u64);
            h.set_mode(e.mode);
            h.set_mtime(mtime);
            h.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut h, &e.path, e.data.as_slice())
                .map_err(|err| format!("cannot pack {}: {err}", e.path))?;
        }
        tar.into_inner().map_err(|err| format!("building the upload: {err}"))
    }
}

/// Refuse an upload over `limit` bytes (default [`manifest::DEFAULT_LIMIT`]), naming
/// the largest files, before anything is sent.
pub fn check_size(up: &Upload, limit: Option<u64>) -> Result<u64, String> {
    let files: Vec<manifest::LocalFile> = up
        .entries
        .iter()
        .map(|e| manifest::LocalFile {
            path: e.path.clone(),
            size: e.data.len() as u64,
            hash: String::new(),
            mode: e.mode,
        })
        .collect();
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
        let mut ar = tar::Archive::new(bytes.as_slice());
        let got: Vec<(String, u32)> = ar
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.path().unwrap().to_str().unwrap().to_string(), e.header().mode().unwrap())
            })
            .collect();
        assert_eq!(got, vec![("a 'b' $(x).py".into(), SCRIPT_MODE), ("job.sbatch".into(), 0o755)]);
    }

    #[test]
    fn size_guard_names_the_largest() {
        let mut u = Upload::default();
        u.add("small.py", vec![0; 10], SCRIPT_MODE);
        u.add("data/big.bin", vec![0; 3000], SCRIPT_MODE);
        assert_eq!(check_size(&u, None), Ok(3010));
        let e = check_size(&u, Some(1000)).unwrap_err();
        assert!(e.starts_with("the project is 3.0 kB in 2 files, over the upload limit of 1.0 kB"));
        assert!(e.find("data/big.bin").unwrap() < e.find("small.py").unwrap(), "{e}");
        assert!(e.contains("upload_limit"), "{e}");
    }
}
