//! Pure: the incremental upload of a project. The cluster keeps a manifest of what was
//! last sent (one line per file: content hash, size, mode, path); the planner compares it
//! with the local files and says what to send and what to delete, and writes the new
//! manifest. A size guard refuses a project over a limit and names its largest files.
//!
//! Manifest text, version 1 (sorted by path, `\n` line ends):
//! ```text
//! clusterls-manifest 1 sha256
//! 9f86d0…(64 hex) 1024 644 src/model.py
//! e3b0c4…(64 hex) 0 755 run it.sh
//! ```
//! The path is the rest of the line, `/`-separated, relative, with `\\`, `\n`, `\r`, `\t`
//! and other control characters as `\xHH` escaped, so any name (spaces, quotes, `$()`,
//! `;`, newlines) is one line and reads back exactly. A remote line that does not parse,
//! or whose path is absolute or has `..`, `.` or empty components, is reported and
//! ignored: nothing outside the sync directory is ever deleted. An unknown version or hash
//! means a full upload.
//!
//! Hash: SHA-256 with the `sha2` crate (RustCrypto: widely used, maintained, pure Rust
//! with SHA-NI/AVX2 paths, so hashing the 200 MB the guard allows takes well under a
//! second). BLAKE3 is faster still, but SHA-256 is what every cluster node can check with
//! coreutils' `sha256sum`, should the engine ever verify the remote copy.
//!
//! The engine: walk the project (the `ignore` crate, as `--sync` does), build a
//! [`LocalFile`] per file with [`ContentHasher`], call [`check_size`] (refuse before
//! anything is sent), read the remote manifest (`None` when there is none), call
//! [`plan_upload`], then on the cluster: remove `plan.clear_dirs` and `plan.delete`,
//! unpack a tar of `plan.send`, and write `plan.manifest` in place of the old one (write
//! then rename, after the unpack succeeded). Non-UTF-8 names are reported by the walker
//! and not sent.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

pub const HEADER: &str = "clusterls-manifest 1 sha256";
/// The default upload limit: 200 MB.
pub const DEFAULT_LIMIT: u64 = 200_000_000;

/// One file of the local project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the content ([`ContentHasher`]).
    pub hash: String,
    /// Permission bits (`0o644`, `0o755`).
    pub mode: u32,
}

/// SHA-256 of a file's content, fed in pieces.
#[derive(Default)]
pub struct ContentHasher(Sha256);

impl ContentHasher {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    /// Lowercase hex.
    pub fn finish(self) -> String {
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What to do on the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadPlan {
    /// Files to send, sorted.
    pub send: Vec<String>,
    pub send_bytes: u64,
    /// Files sent before that the project no longer has, sorted.
    pub delete: Vec<String>,
    /// Directories on the cluster where the project now has a file of the same name:
    /// removed (recursively) before unpacking.
    pub clear_dirs: Vec<String>,
    /// Files already there with the same content and mode.
    pub unchanged: usize,
    pub total_bytes: u64,
    /// The manifest to write after the upload.
    pub manifest: String,
    /// Lines or names that were ignored, and why.
    pub problems: Vec<String>,
}

/// An entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hash: String,
    pub size: u64,
    pub mode: u32,
}

/// Whether `path` is a safe relative path: no empty, `.` or `..` component, not absolute,
/// no NUL.
pub fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\0')
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// The path as one manifest field.
pub fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

pub fn unescape_path(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                let b = u8::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 2)?;
                out.push(char::from(b));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The manifest of `files` (invalid paths left out), sorted by path.
pub fn render_manifest(files: &[LocalFile]) -> String {
    let mut sorted: Vec<&LocalFile> = files.iter().filter(|f| valid_path(&f.path)).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    sorted.dedup_by(|a, b| a.path == b.path);
    let mut s = format!("{HEADER}\n");
    for f in sorted {
        s.push_str(&format!("{} {} {:o} {}\n", f.hash, f.size, f.mode, escape_path(&f.path)));
    }
    s
}

/// Read a manifest. Never fails: `None` when the header is not version 1 with SHA-256
/// (then everything is sent), problems for lines that were skipped.
pub fn parse_manifest(text: &str) -> (Option<BTreeMap<String, Entry>>, Vec<String>) {
    let mut lines = text.split('\n');
    let mut problems = Vec::new();
    let header = lines.next().unwrap_or("");
    if header != HEADER {
        problems.push(format!(
            "the remote manifest starts `{}`, not `{HEADER}`: sending every file",
            escape_path(header)
        ));
        return (None, problems);
    }
    let mut entries = BTreeMap::new();
    for (n, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let mut fields = line.splitn(4, ' ');
        let parsed = (|| {
            let hash = fields.next()?;
            let size = fields.next()?.parse::<u64>().ok()?;
            let mode = u32::from_str_radix(fields.next()?, 8).ok()?;
            let path = unescape_path(fields.next()?)?;
            let hex =
                hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            (hex && valid_path(&path)).then(|| (path, Entry { hash: hash.to_string(), size, mode }))
        })();
        match parsed {
            Some((path, entry)) => {
                if entries.insert(path.clone(), entry).is_some() {
                    problems.push(format!(
                        "remote manifest line {}: `{}` listed twice",
                        n + 2,
                        escape_path(&path)
                    ));
                }
            }
            None => problems.push(format!(
                "remote manifest line {}: not `HASH SIZE MODE PATH` with a relative path; ignored",
                n + 2
            )),
        }
    }
    (Some(entries), problems)
}

/// Compare the local files with the remote manifest (`None`: there is none yet).
pub fn plan_upload(local: &[LocalFile], remote: Option<&str>) -> UploadPlan {
    let mut plan = UploadPlan::default();
    let (remote, problems) = match remote {
        Some(text) => parse_manifest(text),
        None => (None, Vec::new()),
    };
    plan.problems = problems;
    let mut files: BTreeMap<&str, &LocalFile> = BTreeMap::new();
    for f in local {
        if !valid_path(&f.path) {
            plan.problems
                .push(format!("`{}` is not a relative path; not sent", escape_path(&f.path)));
        } else if files.insert(&f.path, f).is_some() {
            plan.problems.push(format!("`{}` listed twice; sent once", escape_path(&f.path)));
        }
    }
    let remote = remote.unwrap_or_default();
    for (path, f) in &files {
        plan.total_bytes += f.size;
        match remote.get(*path) {
            Some(e) if e.hash == f.hash && e.size == f.size && e.mode == f.mode => {
                plan.unchanged += 1;
            }
            _ => {
                plan.send.push(path.to_string());
                plan.send_bytes += f.size;
            }
        }
    }
    for path in remote.keys() {
        if files.contains_key(path.as_str()) {
            continue;
        }
        // `a/b` was sent before and `a` is now a file: the directory `a` goes.
        let clash =
            path.match_indices('/').map(|(i, _)| &path[..i]).find(|dir| files.contains_key(dir));
        match clash {
            Some(dir) => {
                if plan.clear_dirs.last().map(String::as_str) != Some(dir) {
                    plan.clear_dirs.push(dir.to_string());
                }
            }
            None => plan.delete.push(path.clone()),
        }
    }
    plan.clear_dirs.dedup();
    let valid: Vec<LocalFile> = files.values().map(|f| (*f).clone()).collect();
    plan.manifest = render_manifest(&valid);
    plan
}

/// `1234567` → `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

/// Refuse a project whose files add up to more than `limit` bytes, naming the largest.
pub fn check_size(files: &[LocalFile], limit: u64) -> Result<u64, String> {
    let total: u64 = files.iter().map(|f| f.size).sum();
    if total <= limit {
        return Ok(total);
    }
    let mut largest: Vec<&LocalFile> = files.iter().collect();
    largest.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    let mut msg = format!(
        "the project is {} in {} files, over the upload limit of {}. The largest:\n",
        human_bytes(total),
        files.len(),
        human_bytes(limit)
    );
    for f in largest.iter().take(5) {
        msg.push_str(&format!("  {:>9}  {}\n", human_bytes(f.size), escape_path(&f.path)));
    }
    msg.push_str(
        "List what the run does not need in .clusterlsignore (data, checkpoints, \
         environments), put data on the cluster once and read it from there, or raise \
         `upload_limit` in clusterls.toml.",
    );
    Err(msg)
}

#[cfg(test)]
mod tests;
