//! Pure: planning an image build from a Dockerfile. What refuses a build before anything
//! is sent (the checker's error findings, the converter's errors), which context files
//! `.dockerignore` leaves (Docker's rules, read by the `ignore` crate), the content key
//! of a build, where the image lands and what a run names it by, the build program's
//! arguments, and what its exit means (the failing instruction's Dockerfile line).

use clusterls_core::facts::RuntimeKind;
use clusterls_core::{Finding, LineIndex, Severity};
use sha2::{Digest, Sha256};

use super::super::super::container::DockerRef;
use super::super::super::error::{EngineError, last_lines};
use super::super::super::launch::manifest::LocalFile;
use super::super::super::resources::Resources;

/// The name of a built image when `--tag` gives none.
pub const DEFAULT_NAME: &str = "clusterls-build";
/// Hex digits of the key in an image's name.
pub const KEY_IN_NAME: usize = 16;
/// Inside the uploaded tar: the Dockerfile, the definition file, the context.
pub const DOCKERFILE: &str = "Dockerfile";
pub const DEFINITION: &str = "clusterls.def";
pub const CONTEXT: &str = "context";

/// What refuses a build: the checker's (and, for Apptainer, the converter's) error
/// findings, one `Dockerfile:LINE: code: message` line each.
pub fn refusal(path: &str, text: &str, findings: &[Finding]) -> Option<String> {
    let idx = LineIndex::new(text);
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{path}:{}: {}: {}", idx.line_col(f.range.start).0 + 1, f.code, f.message))
        .collect();
    if errors.is_empty() {
        return None;
    }
    Some(format!(
        "{} has {} error(s), so it was not built (nothing was uploaded):\n{}\nFix them (`clusterls check {path}` shows every finding) and build again.",
        path,
        errors.len(),
        errors.join("\n")
    ))
}

/// `.dockerignore` as gitignore lines for the `ignore` crate. Docker's rules differ from
/// git's: every pattern is relative to the context root (`foo` is `/foo` only, never
/// `a/foo`), a leading `/` or `./` means the same, paths are cleaned, `#` starts a
/// comment only at the start of a line, and `!` re-includes. Anchoring each pattern
/// with `/` gives git the same meaning. (One difference is left: git cannot re-include
/// a file inside an excluded directory, Docker can.)
pub fn dockerignore(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        let (neg, pat) = match line.strip_prefix('!') {
            Some(p) => ("!", p.trim()),
            None => ("", line),
        };
        let cleaned = clean(pat);
        if cleaned.is_empty() {
            continue;
        }
        out.push(format!("{neg}/{cleaned}"));
    }
    out
}

/// Go's `filepath.Clean` for a relative pattern, without its leading `/` or `./`.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// What a build's content key covers: everything the image is made of.
#[derive(Debug, Clone, Copy)]
pub struct KeyInputs<'a> {
    pub kind: RuntimeKind,
    /// The Dockerfile's text.
    pub dockerfile: &'a str,
    /// Apptainer/Singularity: the definition file the converter wrote, which is what is
    /// built (so a clusterls whose converter writes it differently builds again).
    pub definition: Option<&'a str>,
    /// The base images' references (every stage's FROM and `COPY --from` image).
    pub bases: &'a [String],
    pub args: &'a [(String, String)],
    /// Every context file `.dockerignore` leaves: what `COPY . .` can reach.
    pub files: &'a [LocalFile],
}

/// The bits of a context file's mode a build keeps: the upload unpacks under umask
/// 022, and COPY/ADD keep what arrives.
pub const KEPT_MODE: u32 = 0o755;

/// The content key of a build: SHA-256 of the runtime, the Dockerfile, the definition
/// file (Apptainer), the base images' references, the build args (sorted) and every
/// context file (path, the mode bits a build keeps, content hash, sorted by path), each
/// length-prefixed so no two inputs hash alike. The context is the whole context after
/// `.dockerignore`, not only what COPY/ADD name: `COPY . .` reaches every file, and a
/// narrower guess that missed one would run a stale image.
pub fn key(k: &KeyInputs) -> String {
    let mut h = Sha256::new();
    let mut put = |tag: &str, s: &[u8]| {
        h.update(tag.as_bytes());
        h.update((s.len() as u64).to_le_bytes());
        h.update(s);
    };
    put("clusterls-build 2", k.kind.as_str().as_bytes());
    put("dockerfile", k.dockerfile.as_bytes());
    if let Some(d) = k.definition {
        put("definition", d.as_bytes());
    }
    for b in k.bases {
        put("base", b.as_bytes());
    }
    let mut args = k.args.to_vec();
    args.sort();
    for (name, v) in &args {
        put("arg", name.as_bytes());
        put("=", v.as_bytes());
    }
    let mut files: Vec<&LocalFile> = k.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        put("file", f.path.as_bytes());
        put("mode", format!("{:o}", f.mode & KEPT_MODE).as_bytes());
        put("hash", f.hash.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A built image: where it lands and what a container line names it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The image's reference-like name (`clusterls-build:KEY16`).
    pub name: String,
    /// Its path on the cluster (a SIF file, or charliecloud's storage directory).
    pub path: String,
}

/// Where the image of `key` lands, named `TAG:KEY16` (`--tag` gives TAG, a repository
/// name without tag or digest).
pub fn target(
    kind: RuntimeKind,
    dir: &str,
    tag: Option<&str>,
    key: &str,
) -> Result<Target, String> {
    let tag = tag.unwrap_or(DEFAULT_NAME);
    // A registry port (`host:5000/name`) is a `:` before the last `/`.
    if tag.rsplit('/').next().is_some_and(|last| last.contains(':')) || tag.contains('@') {
        return Err(format!(
            "--tag `{tag}` names a tag or digest; give only a name (the content key is the tag)"
        ));
    }
    let r = DockerRef::parse(&format!("{tag}:{}", &key[..KEY_IN_NAME.min(key.len())]))
        .map_err(|e| format!("--tag `{tag}`: {e}"))?;
    Ok(Target { name: r.reference(), path: r.image_path(kind, dir) })
}

/// The arguments of [`super::super::super::programs::BUILD_PROGRAM`]:
/// `KIND FINAL N BUILD_ARGS(N words) SRUN_ARGS...`. Build args go to `ch-image build`
/// as single `--build-arg=K=V` words (Apptainer's definition has them written in).
/// The allocation is named `clusterls-build-KEY16`, so accounting shows which key built.
pub fn build_args(
    kind: RuntimeKind,
    path: &str,
    key: &str,
    args: &[(String, String)],
    res: &Resources,
) -> Vec<String> {
    let bargs: Vec<String> = match kind {
        RuntimeKind::Charliecloud => {
            args.iter().map(|(k, v)| format!("--build-arg={k}={v}")).collect()
        }
        _ => Vec::new(),
    };
    let mut v = vec![kind.as_str().to_string(), path.to_string(), bargs.len().to_string()];
    v.extend(bargs);
    v.push(format!("--job-name={}", job_name(key)));
    v.extend(res.slurm_options());
    v
}

/// The name of a key's build allocation.
pub fn job_name(key: &str) -> String {
    format!("{DEFAULT_NAME}-{}", &key[..KEY_IN_NAME.min(key.len())])
}

/// A `--build-arg K=V` value: `K` must be a name.
pub fn parse_build_arg(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').unwrap_or((s, ""));
    let name_ok = !k.is_empty()
        && !k.starts_with(|c: char| c.is_ascii_digit())
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !name_ok {
        return Err(format!(
            "--build-arg `{s}`: give NAME=VALUE with NAME made of letters, digits and _"
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// The Dockerfile line of the instruction a failed build stopped at: the converter's
/// step marker (Apptainer), else the last instruction ch-image printed (`  7. RUN false`,
/// its number being the Dockerfile line).
pub fn failed_line(log: &str) -> Option<usize> {
    if let Some(n) = clusterls_dockerfile::convert::failed_step(log) {
        return Some(n);
    }
    log.lines().rev().find_map(|l| {
        let l = l.trim_start();
        let (n, rest) = l.split_once(". ")?;
        let word = rest.split_whitespace().next()?;
        (n.bytes().all(|b| b.is_ascii_digit()) && word.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| n.parse().ok())
            .flatten()
    })
}

/// What a finished build program said: `Ok(built)` (false: it was there already), or
/// the error to show, naming the failing instruction.
pub fn read_build(
    host: &str,
    path: &str,
    dockerfile: &str,
    dockerfile_text: &str,
    status: i32,
    stdout: &str,
    stderr: &str,
) -> Result<bool, EngineError> {
    if status == 0 {
        return Ok(!stdout.lines().any(|l| l.starts_with("present ")));
    }
    if let Some(e) = super::super::plan::allocation_refused("build", stderr) {
        return Err(e);
    }
    let mut what = format!("build {path}");
    if stderr.contains("DUE TO TIME LIMIT") {
        what += " ran out of time in its allocation: give [pull] a longer `time` in clusterls.toml";
    } else if let Some(n) = failed_line(stderr) {
        return Err(EngineError::BuildFailed {
            host: host.into(),
            dockerfile: dockerfile.into(),
            line: n,
            instruction: dockerfile_text.lines().nth(n - 1).unwrap_or("").trim().into(),
            stderr: last_lines(stderr, 12),
        });
    }
    Err(EngineError::Remote { host: host.into(), what, status, stderr: last_lines(stderr, 12) })
}

#[cfg(test)]
mod tests;
