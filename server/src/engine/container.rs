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
    /// Both are refused when they could be read as something else than data: a
    /// reference must follow the OCI distribution grammar ([`DockerRef::parse`]), a
    /// path must not start with `-` (an option to the runtime) nor hold control
    /// characters (a line break in the generated script).
    pub fn parse(s: &str) -> Result<ImageSpec, String> {
        match s.strip_prefix("docker://") {
            Some(r) => DockerRef::parse(r).map(ImageSpec::Docker),
            None if s.is_empty() => Err("empty image".into()),
            None if s.starts_with('-') => Err(format!(
                "invalid image `{s}`: a path on the cluster must not start with `-`; write `./{s}` or an absolute path"
            )),
            None if s.chars().any(char::is_control) => Err(format!(
                "invalid image {s:?}: a path on the cluster must not hold control characters"
            )),
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

/// The longest repository name the grammar allows (registry included).
const NAME_MAX: usize = 255;

impl DockerRef {
    /// Parse by the OCI distribution reference grammar
    /// (`github.com/distribution/reference`, `reference.go`), exactly:
    ///
    /// ```text
    /// reference        := name [ ":" tag ] [ "@" digest ]
    /// name             := [domain '/'] remote-name
    /// domain           := host [':' port-number]
    /// host             := domain-name | IPv4address | '[' IPv6address ']'
    /// domain-name      := domain-component ['.' domain-component]*
    /// domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    /// port-number      := /[0-9]+/
    /// remote-name      := path-component ['/' path-component]*
    /// path-component   := alpha-numeric [separator alpha-numeric]*
    /// alpha-numeric    := /[a-z0-9]+/
    /// separator        := /[_.]|__|[-]+/
    /// tag              := /[\w][\w.-]{0,127}/
    /// digest           := algorithm ":" hex
    /// algorithm        := /[A-Za-z][A-Za-z0-9]*/ ([+._-] /[A-Za-z][A-Za-z0-9]*/)*
    /// hex              := /[0-9a-fA-F]{32,}/
    /// ```
    ///
    /// The first component is the registry when it holds a `.` or `:`, is `localhost`,
    /// or has an upper-case letter (docker's `splitDockerDomain`). Whatever passes is
    /// made of `[A-Za-z0-9._:/@+\[\]-]` only, never starts with `-`, and its SIF and
    /// storage names never hold `/` or `..` as a path component.
    pub fn parse(s: &str) -> Result<DockerRef, String> {
        let bad = |why: &str| format!("invalid image reference `{s}`: {why}");
        if s.is_empty() {
            return Err(bad("empty"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains whitespace"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (s, None),
        };
        if let Some(d) = digest {
            check_digest(d).map_err(|why| bad(&why))?;
        }
        // The tag follows the last `:` after the last `/` (a registry port comes before it).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            check_tag(t).map_err(|why| bad(&why))?;
        }
        if name.len() > NAME_MAX {
            return Err(bad(&format!("the name is longer than {NAME_MAX} characters")));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                check_domain(first).map_err(|why| bad(&why))?;
                (Some(first.to_string()), path)
            }
            _ => (None, name),
        };
        check_remote_name(path).map_err(|why| bad(&why))?;
        Ok(DockerRef {
            registry,
            repository: path.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
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

fn check_tag(t: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    match t.chars().next() {
        None => Err("empty tag".into()),
        Some(c) if !word(c) => Err(format!("the tag `{t}` must start with a letter, digit or `_`")),
        _ if t.len() > 128 => Err(format!("the tag `{t}` is longer than 128 characters")),
        _ if !t.chars().all(|c| word(c) || c == '.' || c == '-') => {
            Err(format!("the tag `{t}` may hold only letters, digits, `_`, `.` and `-`"))
        }
        _ => Ok(()),
    }
}

fn check_digest(d: &str) -> Result<(), String> {
    let why = || format!("the digest `{d}` is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)");
    let (alg, hex) = d.split_once(':').ok_or_else(why)?;
    let alg_ok = alg.split(['+', '.', '_', '-']).all(|c| {
        c.starts_with(|c: char| c.is_ascii_alphabetic())
            && c.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if !alg_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(why());
    }
    Ok(())
}

/// `host[:port]`, host a domain name, an IPv4 address or `[IPv6]`.
fn check_domain(d: &str) -> Result<(), String> {
    let why = || format!("`{d}` is not a registry host[:port]");
    let (host, port) = if let Some(v6) = d.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or_else(why)?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(why());
        }
        match after {
            "" => (None, None),
            p => (None, Some(p.strip_prefix(':').ok_or_else(why)?)),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(why());
    }
    if let Some(h) = host {
        let component_ok = |c: &str| {
            !c.is_empty()
                && !c.starts_with('-')
                && !c.ends_with('-')
                && c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !h.split('.').all(component_ok) {
            return Err(why());
        }
    }
    Ok(())
}

/// `path-component ['/' path-component]*`, each lower-case alphanumerics joined by
/// one separator (`.`, `_`, `__`, or any run of `-`).
fn check_remote_name(p: &str) -> Result<(), String> {
    for comp in p.split('/') {
        if comp.is_empty() {
            return Err("empty repository name component".into());
        }
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let b = comp.as_bytes();
        let mut i = 0;
        let mut ok = alnum(b[0]);
        while ok && i < b.len() {
            if alnum(b[i]) {
                i += 1;
                continue;
            }
            // A separator, then an alpha-numeric.
            let start = i;
            while i < b.len() && b[i] == b'-' {
                i += 1;
            }
            if i == start {
                match (b[i], b.get(i + 1)) {
                    (b'_', Some(b'_')) => i += 2,
                    (b'.' | b'_', _) => i += 1,
                    _ => ok = false,
                }
            }
            ok = ok && b.get(i).is_some_and(|c| alnum(*c));
        }
        if !ok {
            return Err(format!(
                "the repository `{p}` may hold only lower-case letters, digits and single `.`, `_`, `__` or `-` between them"
            ));
        }
    }
    Ok(())
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
            // `--bind=VALUE`, one word: the value can never be read as an option.
            argv.extend(binds.iter().map(|b| format!("--bind={b}")));
            argv.push("--pwd".into());
            argv.push(workdir.to_string());
            argv.push(image.to_string());
        }
        RuntimeKind::Charliecloud => {
            argv.push(executable.unwrap_or("ch-run").to_string());
            // The run directory is under $HOME; --home binds it at the same path
            // (/home/$USER) and -c starts there, like singularity's $PWD.
            argv.push("--home".into());
            // The image's ENV (Dockerfile ENV, the base image's PATH...), as docker and
            // apptainer apply it: ch-run applies it only when asked, and would expand
            // `$` in the (already final) values unless told not to.
            argv.push("--set-env".into());
            argv.push("--env-no-expand".into());
            // `--bind=VALUE`, one word: the value can never be read as an option.
            argv.extend(binds.iter().map(|b| format!("--bind={b}")));
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
        let hex = "0123456789abcdef".repeat(4);
        check(
            &format!("docker://localhost/x@sha256:{hex}"),
            expect![[
                r#"docker localhost/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | sif x_sha256_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sif | ch localhost%x@sha256+0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"#
            ]],
        );
        check("/scratch/images/pt.sif", expect!["path /scratch/images/pt.sif"]);
        check("docker://", expect!["error: invalid image reference ``: empty"]);
        check("docker://a b", expect!["error: invalid image reference `a b`: contains whitespace"]);
        check("docker://x:", expect!["error: invalid image reference `x:`: empty tag"]);
    }

    /// The grammar, case by case: what docker accepts passes, anything that could be
    /// read as code, an option or a path out of the image directory is refused.
    #[test]
    fn reference_grammar() {
        let hex = "0123456789abcdef".repeat(4);
        let table = [
            // Accepted.
            ("a", "ok"),
            ("org/a_b.c__d---e", "ok"),
            ("a_b.c/f", "err"),
            ("ghcr.io/org/img:v1.2-rc_3", "ok"),
            ("localhost:5000/x", "ok"),
            ("[::1]:5000/x:1", "ok"),
            ("Registry/x", "ok"),
            ("x:_tag", "ok"),
            ("10.0.0.1/a/b/c", "ok"),
            // Refused.
            ("-x", "err"),
            ("x;id", "err"),
            ("x$(id)", "err"),
            ("x`id`", "err"),
            ("x:$HOME", "err"),
            ("x:-tag", "err"),
            ("x:.tag", "err"),
            ("x@../../y", "err"),
            ("x@sha256:../../../etc", "err"),
            ("x@sha256:abc", "err"),
            ("x@sha256/x:0123456789abcdef0123456789abcdef", "err"),
            ("Upper", "err"),
            ("reg.io/Upper", "err"),
            ("a//b", "err"),
            ("a/", "err"),
            ("/a", "err"),
            ("a/../b", "err"),
            ("a/./b", "err"),
            ("a..b", "err"),
            ("a._b", "err"),
            ("a-", "err"),
            ("_a", "err"),
            ("-reg.io/a", "err"),
            ("reg-.io/a", "err"),
            ("reg.io:/a", "err"),
            ("reg.io:x/a", "err"),
            ("[zz]/a", "err"),
            ("a\nb", "err"),
        ];
        let mut out = String::new();
        for (input, want) in table {
            let got = match DockerRef::parse(input) {
                Ok(_) => "ok",
                Err(_) => "err",
            };
            if got != want {
                out.push_str(&format!("{input}: {got}, expected {want}\n"));
            }
        }
        assert!(DockerRef::parse(&format!("x@sha256:{hex}")).is_ok());
        assert!(DockerRef::parse(&format!("x@sha256:{}", &hex[..31])).is_err());
        assert!(DockerRef::parse(&format!("x:{}", "t".repeat(128))).is_ok());
        assert!(DockerRef::parse(&format!("x:{}", "t".repeat(129))).is_err());
        assert!(DockerRef::parse(&"a".repeat(256)).is_err());
        assert_eq!(out, "");
        // What passes is data in every word it becomes: no option, no path escape.
        for input in ["org/a_b.c__d---e", "[::1]:5000/x:1", "Registry/x"] {
            let r = DockerRef::parse(input).unwrap();
            assert!(!r.reference().starts_with('-'));
            assert!(!r.sif_name().contains('/') && !r.charliecloud_name().contains('/'));
        }
        check(
            "-rf",
            expect![
                "error: invalid image `-rf`: a path on the cluster must not start with `-`; write `./-rf` or an absolute path"
            ],
        );
        check(
            "a\nb.sif",
            expect![[
                r#"error: invalid image "a\nb.sif": a path on the cluster must not hold control characters"#
            ]],
        );
        check(
            "docker://x@../../y",
            expect![
                "error: invalid image reference `x@../../y`: the digest `../../y` is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)"
            ],
        );
        check(
            "docker://x;id",
            expect![
                "error: invalid image reference `x;id`: the repository `x;id` may hold only lower-case letters, digits and single `.`, `_`, `__` or `-` between them"
            ],
        );
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
                r#"apptainer exec --nv --bind=/data --pwd "$PWD" /img/p.sif python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
        check_line(
            RuntimeKind::Singularity,
            false,
            expect![[
                r#"singularity exec --bind=/data --pwd "$PWD" /img/p.sif python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
        check_line(
            RuntimeKind::Charliecloud,
            true,
            expect![[
                r#"ch-run --home --set-env --env-no-expand --bind=/data -c "$PWD" /img/p.sif -- python3 'my '\''train'\''.py' '--lr=$(x)'"#
            ]],
        );
    }
}
