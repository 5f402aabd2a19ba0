//! What `clusterls check` reads: files and directories given on the command line, turned
//! into the sbatch scripts and Dockerfiles among them, each read with a size cap.
//!
//! Only regular files are opened: a FIFO, a device (`/dev/zero`) or a socket gets an
//! error at once, never a hang or a read without end. Directories are walked with the
//! `ignore` crate (`.gitignore`, `.ignore`, `.clusterlsignore`, hidden files skipped).

use std::path::{Path, PathBuf};

use clusterls_core::FileKind;
use clusterls_core::kind::{kind_from_name, kind_of, looks_like_dockerfile};

use crate::engine::local_file::{self, ReadError};

/// The largest file `check` reads. sbatch scripts and Dockerfiles are kilobytes; this
/// leaves room for generated ones and keeps a mistaken path from filling memory.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// One file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// As shown to the user.
    pub name: String,
    /// None for standard input.
    pub path: Option<PathBuf>,
    pub kind: FileKind,
    pub text: String,
}

/// What reading the command line's paths gave: the files to check, files passed over (with
/// why, for a note), and failures (each a whole message).
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<Input>,
    pub skipped: Vec<(String, String)>,
    pub errors: Vec<String>,
}

/// Read `paths` (`-` is standard input, checked as `stdin_name` says, else as a Dockerfile
/// when it starts like one, else as an sbatch script). A file named on the command line is checked when its name or its `#SBATCH`
/// lines say what it is, and otherwise skipped with a note; in a directory, the files that
/// are neither are passed over silently.
pub fn collect(paths: &[PathBuf], stdin_name: Option<&str>) -> Inputs {
    let mut out = Inputs::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let name = stdin_name.unwrap_or("<stdin>").to_string();
            match read_stdin("standard input") {
                Ok(text) => {
                    let kind = kind_from_name(&name).unwrap_or(if looks_like_dockerfile(&text) {
                        FileKind::Dockerfile
                    } else {
                        FileKind::Sbatch
                    });
                    out.files.push(Input { name, path: None, kind, text });
                }
                Err(e) => out.errors.push(e),
            }
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(format!(
                    "cannot read {}: {e}; check the path and its permissions",
                    show(path)
                ));
                continue;
            }
        };
        if meta.is_dir() {
            walk(path, &mut out);
        } else {
            match read_file(path, &meta) {
                Ok(text) => match kind_of(&path.to_string_lossy(), &text) {
                    Some(kind) => {
                        out.files.push(Input { name: show(path), path: Some(path.clone()), kind, text })
                    }
                    None => out.skipped.push((
                        show(path),
                        "neither a Dockerfile by its name nor an sbatch script (no line starts with #SBATCH)".into(),
                    )),
                },
                Err(e) => out.errors.push(e),
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Inputs) {
    let walker = ignore::WalkBuilder::new(dir)
        .add_custom_ignore_filename(".clusterlsignore")
        // A project copied without its .git still means its .gitignore.
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.errors.push(format!("cannot walk {}: {e}", show(dir)));
                continue;
            }
        };
        // Symlinks are not followed (the walker's default); only regular files count.
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let named = kind_from_name(&path.to_string_lossy());
        let Ok(meta) = entry.metadata() else { continue };
        if named.is_none() && meta.len() > MAX_INPUT_BYTES {
            // A large data file: not a script; not worth reading to find out.
            continue;
        }
        match read_file(path, &meta) {
            Ok(text) => {
                if let Some(kind) = kind_of(&path.to_string_lossy(), &text) {
                    out.files.push(Input {
                        name: show(path),
                        path: Some(path.to_path_buf()),
                        kind,
                        text,
                    });
                }
            }
            // A named script we cannot read is worth an error; anything else is not ours.
            Err(e) if named.is_some() => out.errors.push(e),
            Err(_) => {}
        }
    }
}

/// Read a regular file of at most [`MAX_INPUT_BYTES`].
fn read_file(path: &Path, meta: &std::fs::Metadata) -> Result<String, String> {
    let bytes = local_file::read(path, meta, MAX_INPUT_BYTES).map_err(|e| match e {
        ReadError::NotRegular(what) => format!(
            "{} is not a regular file ({what}); check reads files and directories, or `-` for standard input",
            show(path)
        ),
        ReadError::TooLarge => too_large(&show(path)),
        ReadError::Io(e) => {
            format!("cannot read {}: {e}; check the path and its permissions", show(path))
        }
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Read standard input, at most [`MAX_INPUT_BYTES`]; invalid UTF-8 is replaced, as an
/// editor shows it.
fn read_stdin(name: &str) -> Result<String, String> {
    match local_file::read_capped(std::io::stdin().lock(), MAX_INPUT_BYTES) {
        Ok(Some(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(None) => Err(too_large(name)),
        Err(e) => Err(format!("cannot read {name}: {e}")),
    }
}

fn too_large(name: &str) -> String {
    format!(
        "{name} is larger than {} MiB, the most check reads: pass the sbatch script or Dockerfile itself",
        MAX_INPUT_BYTES / (1024 * 1024)
    )
}

/// A path as shown in messages, with control characters made visible.
pub fn show(path: &Path) -> String {
    super::visible::visible(&path.display().to_string()).into_owned()
}
