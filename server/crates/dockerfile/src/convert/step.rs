//! One definition-file stage from a chain of Dockerfile stages, instruction by
//! instruction.

use std::ops::Range;

use clusterls_core::{Finding, Severity};

use super::codes::{self, rule};
use super::words::{self, Piece, Vars, dq, glob_word, literal, sh, sq};
use super::{OutStage, Plan, STEP_MARKER, Source};
use crate::parse::{Instruction, Kind, unquote};

const CONTEXT: &str = "/.clusterls-context";
const FROM_DIR: &str = "/.clusterls-from";

/// Shell helpers written at the top of `%post` when a stage copies files.
const COPY_FN: &str = r#"# COPY as Docker does it: a directory's contents merge into DEST; a file goes
# into DEST when DEST ends in / (or is a directory), else becomes DEST.
clusterls_copy() {
    if [ -d "$1" ]; then mkdir -p "$2" && cp -a "$1/." "$2"
    else case "$2" in
        */) mkdir -p "$2" && cp -a "$1" "$2" ;;
        *) mkdir -p "$(dirname "$2")" && cp -a "$1" "$2" ;;
    esac; fi
}"#;
const ADD_FN: &str = r#"# ADD: a local tar archive (by content, as Docker decides) is unpacked into DEST.
clusterls_add() {
    if [ -f "$1" ] && tar -tf "$1" >/dev/null 2>&1; then mkdir -p "$2" && tar -xf "$1" -C "$2"
    else clusterls_copy "$1" "$2"; fi
}"#;
const FETCH_FN: &str = r#"# ADD of a URL: download with curl or wget.
clusterls_fetch() {
    case "$2" in
        */) mkdir -p "$2"; set -- "$1" "$2${1##*/}" ;;
        *) mkdir -p "$(dirname "$2")" ;;
    esac
    if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$2" "$1"; else wget -q -O "$2" "$1"; fi
    chmod 600 "$2"
}"#;

pub(crate) struct StageState {
    pub text: String,
    pub out: OutStage,
    pub uses_context: bool,
}

struct Ctx<'p, 'a> {
    plan: &'p mut Plan<'a>,
    is_final: bool,
    /// The chain has a RUN, so the image has a shell for `%post`.
    shell_ok: bool,
    shell: Vec<String>,
    workdir: String,
    workdir_span: Option<Range<usize>>,
    user: Option<(String, Range<usize>)>,
    env: Vars,
    args: Vars,
    env_lines: Vec<String>,
    labels: Vec<String>,
    post: Vec<String>,
    files_ctx: bool,
    files_from: Vec<(String, Vec<String>)>,
    files_direct: Vec<String>,
    entry: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    cmd_set: bool,
    need: [bool; 3],
    from_n: usize,
    /// The instruction whose step marker was written last.
    marked: Option<usize>,
    /// A no-shell finding was given for this stage.
    no_shell_told: bool,
}

impl StageState {
    pub fn build(plan: &mut Plan<'_>, s: usize, is_final: bool) -> StageState {
        let chain = plan.chain(s);
        let df = plan.df;
        let root = chain[0];
        let (src, image, unresolved) = plan.base(root);
        let root_stage = &df.stages[root];
        if unresolved {
            let msg = format!(
                "The base image `{}` uses a build argument without a value, so the definition file names `{image}`. Give it with `--build-arg NAME=VALUE` or a default in `ARG NAME=VALUE` before the first FROM.",
                root_stage.image
            );
            push(plan, root_stage.image_span.clone(), codes::MISSING_ARG, msg);
        }
        for &c in &chain {
            let from = &df.instructions[df.stages[c].from];
            if let Some(f) = from.flag("platform") {
                let msg = format!(
                    "Apptainer ignores `--platform={}`: it pulls the image for the build host's architecture. Build on a node of that architecture or pass `--arch` to `apptainer build`.",
                    f.value.as_deref().unwrap_or("")
                );
                push(plan, f.span.clone(), codes::PLATFORM, msg);
            }
        }
        let shell_ok =
            chain.iter().any(|&c| df.stage_instructions(c).iter().any(|i| i.kind == Kind::Run));
        let mut cx = Ctx {
            plan,
            is_final,
            shell_ok,
            shell: vec!["/bin/sh".into(), "-c".into()],
            workdir: "/".into(),
            workdir_span: None,
            user: None,
            env: Vars::new(),
            args: Vars::new(),
            env_lines: Vec::new(),
            labels: Vec::new(),
            post: Vec::new(),
            files_ctx: false,
            files_from: Vec::new(),
            files_direct: Vec::new(),
            entry: None,
            cmd: None,
            cmd_set: false,
            need: [false; 3],
            from_n: 0,
            marked: None,
            no_shell_told: false,
        };
        for (k, &c) in chain.iter().enumerate() {
            if k > 0 {
                // ARGs are per stage; the stage's image keeps only ENV.
                let gone: Vec<String> =
                    cx.args.keys().filter(|a| !cx.env.contains_key(*a)).cloned().collect();
                if !gone.is_empty() && cx.shell_ok {
                    let mut gone = gone;
                    gone.sort();
                    cx.post.push(format!("unset {}", gone.join(" ")));
                }
                cx.args.clear();
                cx.cmd_set = false;
                let name = &cx.plan.names[c];
                cx.post.push(format!("# Dockerfile stage `{name}` (built on the one above)"));
            }
            for inst in df.stage_instructions(c).iter().filter(|i| i.kind != Kind::From) {
                cx.instruction(c, inst);
            }
        }
        if let (true, Some(span)) = (is_final, cx.workdir_span.clone()) {
            let dir = cx.workdir.clone();
            push(
                cx.plan,
                span,
                codes::WORKDIR_IGNORED,
                format!(
                    "`apptainer run` starts in WORKDIR `{dir}` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd {dir}`, or `cd {dir}` in the job's command."
                ),
            );
        }
        cx.finish(s, src, image)
    }
}

fn push(plan: &mut Plan<'_>, range: Range<usize>, code: &str, message: String) {
    let severity = rule(code).map_or(Severity::Info, |r| r.severity);
    plan.push(Finding::new(range, severity, code, message));
}

/// Whether a line of generated text would start a section or a stage.
fn hazard(text: &str) -> bool {
    text.lines().any(|l| {
        (l.starts_with('%') && l[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
            || l.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("bootstrap:"))
    })
}

impl Ctx<'_, '_> {
    fn find(&mut self, range: Range<usize>, code: &str, message: String) {
        push(self.plan, range, code, message);
    }

    fn vars(&self) -> Vars {
        let mut v = self.args.clone();
        v.extend(self.env.iter().map(|(k, x)| (k.clone(), x.clone())));
        v
    }

    fn expand(&self, raw: &str) -> Vec<Piece> {
        words::expand(raw, self.plan.df.escape, &self.vars())
    }

    fn post_chunk(&mut self, inst: &Instruction, chunk: String) {
        if hazard(&chunk) {
            self.find(inst.keyword_span.clone(), codes::SCRIPT_LINE, format!("A line of this {} starts with `%` or `Bootstrap:`, which Apptainer reads as a new section or stage of the definition file. Indent that line, or generate it (e.g. with printf).", inst.kind.as_str()));
        }
        self.post.push(chunk);
    }

    fn line_of(&self, inst: &Instruction) -> usize {
        self.plan.text[..inst.span.start].matches('\n').count() + 1
    }

    fn instruction(&mut self, stage: usize, inst: &Instruction) {
        let at = inst.keyword_span.clone();
        let fin = self.is_final;
        match inst.kind {
            Kind::Arg => self.arg(inst),
            Kind::Env => self.env(inst),
            Kind::Label | Kind::Maintainer => self.label(inst),
            Kind::Workdir => {
                let p = literal(&self.expand(inst.args.text.trim()));
                let mut dir = words::join_path(&self.workdir, &p);
                if dir.len() > 1 {
                    dir = dir.trim_end_matches('/').to_string();
                }
                self.workdir = dir.clone();
                self.workdir_span = Some(at);
                if self.shell_ok {
                    let q = sh(&dir);
                    self.post.push(format!("mkdir -p {q} && cd {q}"));
                }
            }
            Kind::User => {
                let who = literal(&self.expand(inst.args.text.trim()));
                let root = who.is_empty() || who == "root" || who == "0" || who.starts_with("root:") || who.starts_with("0:");
                if fin && !root {
                    self.find(at.clone(), codes::USER_IGNORED, format!("Apptainer ignores USER: the container runs as your own cluster user, not `{who}`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `{who}`."));
                }
                self.user = (!root).then_some((who, at));
            }
            Kind::Shell => {
                if let Some(j) = &inst.args.json
                    && !j.is_empty()
                {
                    self.shell = j.iter().map(|w| w.value.clone()).collect();
                }
            }
            Kind::Run => self.run(inst),
            Kind::Copy | Kind::Add => self.copy(stage, inst),
            Kind::Cmd | Kind::Entrypoint => {
                let argv: Vec<String> = match &inst.args.json {
                    Some(j) => j.iter().map(|w| w.value.clone()).collect(),
                    None if inst.args.text.trim().is_empty() => Vec::new(),
                    None => {
                        let mut a = self.shell.clone();
                        a.push(inst.args.text.clone());
                        a
                    }
                };
                let argv = (!argv.is_empty()).then_some(argv);
                if inst.kind == Kind::Cmd {
                    self.cmd = argv;
                    self.cmd_set = true;
                } else {
                    self.entry = argv;
                    if !self.cmd_set {
                        self.cmd = None;
                    }
                }
            }
            Kind::Expose if fin => self.find(at, codes::EXPOSE, "EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job).".into()),
            Kind::Volume if fin => self.find(at, codes::VOLUME, "VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`.".into()),
            Kind::Healthcheck if fin && !inst.args.text.trim().eq_ignore_ascii_case("none") => self.find(at, codes::HEALTHCHECK, "HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.".into()),
            Kind::Stopsignal if fin => self.find(at, codes::STOPSIGNAL, "STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal.".into()),
            Kind::Onbuild => self.find(at, codes::ONBUILD, "ONBUILD is dropped: a SIF image has no triggers for images built from it. Put these steps in the Dockerfiles that build on this image.".into()),
            _ => {}
        }
    }

    fn arg(&mut self, inst: &Instruction) {
        for w in &inst.args.words {
            let (name, default) = match w.raw.split_once('=') {
                Some((n, d)) => (n.to_string(), Some(d.to_string())),
                None => (w.value.clone(), None),
            };
            let value = match self.plan.build_args.get(&name) {
                Some(v) => Some(vec![Piece::Lit(v.clone())]),
                None => match default {
                    Some(d) => Some(self.expand(&d)),
                    None => self.plan.globals.get(&name).cloned().flatten(),
                },
            };
            if let Some(v) = value {
                if self.shell_ok && words::is_shell_name(&name) && !self.env.contains_key(&name) {
                    self.post.push(format!("export {name}={}", dq(&v)));
                }
                self.args.insert(name, v);
            }
        }
    }

    /// `KEY=VALUE ...` or the legacy `KEY VALUE`, values expanded with the variables
    /// in force before the instruction (as BuildKit does).
    fn pairs(&self, inst: &Instruction) -> Vec<(String, Vec<Piece>)> {
        let esc = self.plan.df.escape;
        let w = &inst.args.words;
        let Some(first) = w.first() else { return Vec::new() };
        if !first.raw.contains('=') {
            let t = inst.args.text.trim_start();
            let rest = t[first.raw.len().min(t.len())..].trim();
            let value = if inst.kind == Kind::Maintainer { t } else { rest };
            let key = if inst.kind == Kind::Maintainer {
                "maintainer".into()
            } else {
                first.value.clone()
            };
            return vec![(key, self.expand(value))];
        }
        w.iter()
            .filter_map(|w| {
                let (k, v) = w.raw.split_once('=')?;
                Some((unquote(k, esc), self.expand(v)))
            })
            .collect()
    }

    fn env(&mut self, inst: &Instruction) {
        for (k, v) in self.pairs(inst) {
            if !words::is_shell_name(&k) {
                self.find(inst.keyword_span.clone(), codes::ENV_NAME, format!("`{k}` is not a name a shell can export, and Apptainer sets the environment with a shell script: it is left out. Use letters, digits and `_`."));
                continue;
            }
            let line = format!("export {k}={}", dq(&v));
            if self.shell_ok {
                self.post_chunk(inst, line.clone());
            }
            if self.is_final {
                if hazard(&line) {
                    self.find(inst.keyword_span.clone(), codes::SCRIPT_LINE, "A line of this ENV value starts with `%` or `Bootstrap:`, which Apptainer reads as a new section of the definition file. Avoid line breaks in the value.".into());
                }
                self.env_lines.push(line);
            }
            self.env.insert(k, v);
        }
    }

    fn label(&mut self, inst: &Instruction) {
        if !self.is_final {
            return;
        }
        for (k, v) in self.pairs(inst) {
            let v = literal(&v);
            let key: String = k.chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect();
            if key != k || v.contains(['\n', '\r']) || key.is_empty() {
                self.find(inst.keyword_span.clone(), codes::LABEL, format!("`%labels` holds one `NAME VALUE` per line: label `{k}` is written as `{key}` with line breaks in its value turned into spaces."));
            }
            if key.is_empty() {
                continue;
            }
            let v = v.replace(['\n', '\r'], " ");
            self.labels.push(if v.is_empty() { key } else { format!("{key} {v}") });
        }
    }

    fn marker(&mut self, inst: &Instruction) {
        if self.marked == Some(inst.span.start) {
            return;
        }
        self.marked = Some(inst.span.start);
        let line = self.line_of(inst);
        let what = inst.kind.as_str();
        self.post.push(format!("echo '{STEP_MARKER}{line} {what}'"));
    }

    fn run(&mut self, inst: &Instruction) {
        for f in &inst.flags {
            let v = f.value.as_deref().unwrap_or("");
            let msg = match f.name.as_str() {
                "mount" => {
                    let ty = v.split(',').find_map(|p| p.strip_prefix("type=")).unwrap_or("bind");
                    if ty == "cache" {
                        continue;
                    }
                    format!(
                        "`--mount={v}` is dropped: Apptainer's %post has no {ty} mounts, so the command runs without it. Copy what it needs with COPY, or pass secrets at run time."
                    )
                }
                "network" | "security" => format!(
                    "`--{}={v}` is dropped: the command runs with the build's normal network and privileges.",
                    f.name
                ),
                _ => continue,
            };
            self.find(f.span.clone(), codes::RUN_FLAG, msg);
        }
        if let Some((who, span)) = self.user.clone() {
            self.find(span, codes::RUN_AS_ROOT, format!("RUN after `USER {who}` runs as root in the Apptainer build (a definition file cannot switch users): files it creates belong to root and ~ is /root. Install to system paths (/opt, /usr/local) and make files readable by all."));
        }
        let shell: Vec<String> = self.shell.iter().map(|s| sh(s)).collect();
        let command = if let Some(j) = &inst.args.json {
            if j.is_empty() {
                return;
            }
            j.iter().map(|w| sh(&w.value)).collect::<Vec<_>>().join(" ")
        } else if inst.heredocs.is_empty() {
            format!(
                "{} {}",
                shell.join(" "),
                sq(&script_text(self.plan.text, inst, self.plan.df.escape))
            )
        } else {
            if inst.heredocs.iter().any(|h| h.terminator_span.is_none()) {
                self.find(inst.keyword_span.clone(), codes::HEREDOC, "This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.".into());
            }
            let h = &inst.heredocs[0];
            let only = inst.args.words.len() == 1 && inst.heredocs.len() == 1;
            let body = if h.strip_tabs { chomp(&h.body) } else { h.body.clone() };
            if only && body.starts_with("#!") {
                // BuildKit writes the script to a file and runs it with its interpreter.
                let delim = delimiter(&body);
                let chunk = format!(
                    "cat > /.clusterls-run <<'{delim}'\n{body}{delim}\nchmod 755 /.clusterls-run && /.clusterls-run\nrm -f /.clusterls-run"
                );
                self.marker(inst);
                self.post_chunk(inst, chunk);
                return;
            } else if only {
                format!("{} {}", shell.join(" "), sq(&body))
            } else {
                let mut full = script_text(self.plan.text, inst, self.plan.df.escape);
                for h in &inst.heredocs {
                    full.push('\n');
                    full.push_str(&h.body);
                    full.push_str(&h.delimiter);
                }
                format!("{} {}", shell.join(" "), sq(&full))
            }
        };
        self.marker(inst);
        self.post_chunk(inst, command);
    }

    fn copy(&mut self, stage: usize, inst: &Instruction) {
        let is_add = inst.kind == Kind::Add;
        for f in &inst.flags {
            let v = f.value.as_deref().unwrap_or("");
            match f.name.as_str() {
                "chown" => self.find(f.span.clone(), codes::CHOWN, format!("`--chown={v}` is not applied: files in an Apptainer image belong to root and you run as your own user. Make them readable by all (`--chmod=a+rX` is not applied either; use `RUN chmod -R a+rX`).")),
                "chmod" | "exclude" | "parents" | "checksum" | "keep-git-dir" => {
                    let what = match f.name.as_str() {
                        "chmod" => "set the mode with `RUN chmod` after the copy",
                        "exclude" => "list the files in .dockerignore or remove them with `RUN rm`",
                        "parents" => "give each source its full destination path",
                        "checksum" => "verify it with `RUN sha256sum -c`",
                        _ => "clone with `RUN git clone` instead",
                    };
                    self.find(f.span.clone(), codes::COPY_FLAG, format!("`--{}` has no counterpart in the definition file and is not applied: {what}.", f.name));
                }
                _ => {}
            }
        }
        let items: Vec<String> = match &inst.args.json {
            Some(j) => j.iter().map(|w| w.raw.clone()).collect(),
            None => inst.args.words.iter().map(|w| w.raw.clone()).collect(),
        };
        if items.len() < 2 {
            return;
        }
        let raw_dest = if inst.args.json.is_some() {
            inst.args.json.as_ref().map(|j| j[j.len() - 1].value.clone()).unwrap_or_default()
        } else {
            literal(&self.expand(&items[items.len() - 1]))
        };
        let sources: Vec<String> = items[..items.len() - 1]
            .iter()
            .enumerate()
            .map(|(k, r)| match &inst.args.json {
                Some(j) => j[k].value.clone(),
                None if r.starts_with("<<") => r.clone(),
                None => literal(&self.expand(r)),
            })
            .collect();
        let mut dest = words::join_path(&self.workdir, &raw_dest);
        if sources.len() > 1 && !dest.ends_with('/') {
            dest.push('/');
        }
        let from = inst.flag("from").and_then(|f| f.value.clone());
        let from = from.map(|v| self.plan.resolve_from(&v, stage));
        if !self.shell_ok && !self.no_shell_told {
            self.no_shell_told = true;
            self.find(inst.keyword_span.clone(), codes::NO_SHELL, "This stage has no RUN, so the files are copied with plain `%files` lines (the image may have no shell). Apptainer copies like `cp -r`: a directory copied onto an existing directory lands inside it instead of merging.".into());
        }
        let mut heredocs = inst.heredocs.iter();
        for src in sources {
            if src.starts_with("<<") {
                let Some(h) = heredocs.next() else { continue };
                self.heredoc_file(inst, h, &dest);
                continue;
            }
            let url = src.starts_with("http://") || src.starts_with("https://");
            let git = src.starts_with("git@")
                || src.starts_with("git://")
                || (url && (src.ends_with(".git") || src.contains(".git#")));
            if is_add && from.is_none() && (url || git) {
                if git || !self.shell_ok {
                    let (why, fix) = if git {
                        ("a git repository", "`RUN git clone`")
                    } else {
                        (
                            "a download in a stage without RUN (no shell to run curl)",
                            "a download with `RUN curl -fsSL URL -o FILE` in a stage that has a shell, then COPY --from",
                        )
                    };
                    self.find(
                        inst.keyword_span.clone(),
                        codes::ADD_REMOTE,
                        format!("ADD of `{src}` is not converted: it is {why}. Use {fix}."),
                    );
                } else {
                    self.find(inst.keyword_span.clone(), codes::ADD_REMOTE, format!("ADD of `{src}` becomes a download with curl or wget in %post: the image needs one of them, and --checksum is not verified. An explicit `RUN curl -fsSL URL -o FILE` builds the same everywhere."));
                    self.need[0] = true;
                    self.need[2] = true;
                    self.marker(inst);
                    self.post.push(format!("clusterls_fetch {} {}", sq(&src), sq(&dest)));
                }
                continue;
            }
            let archive = is_add
                && from.is_none()
                && [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"]
                    .iter()
                    .any(|x| src.ends_with(x));
            if archive {
                let how = if self.shell_ok {
                    "is unpacked with the image's `tar` (which must exist, with its decompressor)"
                } else {
                    "is copied as it is, not unpacked: this stage has no RUN, so no shell to run tar"
                };
                self.find(inst.keyword_span.clone(), codes::ADD_ARCHIVE, format!("`{src}` looks like an archive: it {how}. Prefer COPY plus an explicit `RUN tar -xf`."));
            }
            match &from {
                Some(Source::Stage(_)) | Some(Source::Image(_)) => {
                    let name = match from.as_ref() {
                        Some(Source::Stage(i)) => self.plan.names[*i].clone(),
                        Some(Source::Image(img)) => {
                            let name = self
                                .plan
                                .images
                                .iter()
                                .find(|(i, _)| i == img)
                                .map(|(_, n)| n.clone())
                                .unwrap_or_default();
                            self.find(inst.flag("from").map_or(inst.keyword_span.clone(), |f| f.span.clone()), codes::COPY_FROM_IMAGE, format!("`{img}` is not a stage of this Dockerfile: the definition file pulls it as the extra stage `{name}` and copies from there (symbolic links are followed)."));
                            name
                        }
                        _ => unreachable!(),
                    };
                    let abs = words::join_path("/", &src);
                    let abs =
                        if abs.len() > 1 { abs.trim_end_matches('/').to_string() } else { abs };
                    if !self.shell_ok {
                        self.files_from_line(&name, format!("{abs} {dest}"));
                        continue;
                    }
                    self.from_n += 1;
                    let dir = format!("{FROM_DIR}/{}/", self.from_n);
                    self.files_from_line(&name, format!("{abs} {dir}"));
                    let base = abs.rsplit('/').next().unwrap_or("").to_string();
                    self.copy_line(inst, &format!("{dir}{base}"), &dest, false);
                }
                _ => {
                    let p = words::context_path(&src);
                    if !self.shell_ok {
                        let p = if p.is_empty() { ".".to_string() } else { p };
                        self.files_direct.push(format!("{p} {dest}"));
                        continue;
                    }
                    self.files_ctx = true;
                    let staged =
                        if p.is_empty() { CONTEXT.to_string() } else { format!("{CONTEXT}/{p}") };
                    self.copy_line(inst, &staged, &dest, is_add);
                }
            }
        }
    }

    fn files_from_line(&mut self, stage: &str, line: String) {
        match self.files_from.iter_mut().find(|(n, _)| n == stage) {
            Some((_, lines)) => lines.push(line),
            None => self.files_from.push((stage.to_string(), vec![line])),
        }
    }

    fn copy_line(&mut self, inst: &Instruction, staged: &str, dest: &str, add: bool) {
        self.need[0] = true;
        self.need[1] |= add;
        let f = if add { "clusterls_add" } else { "clusterls_copy" };
        self.marker(inst);
        if words::is_glob(staged) {
            self.post.push(format!(
                "for f in {}; do {f} \"$f\" {}; done",
                glob_word(staged),
                sq(dest)
            ));
        } else {
            self.post.push(format!("{f} {} {}", sq(staged), sq(dest)));
        }
    }

    fn heredoc_file(&mut self, inst: &Instruction, h: &crate::parse::Heredoc, dest: &str) {
        if !self.shell_ok {
            self.find(inst.keyword_span.clone(), codes::HEREDOC, "This stage has no RUN (maybe no shell), so the heredoc cannot be written into the image. Put the content in a file in the build context and COPY it.".into());
            return;
        }
        if h.terminator_span.is_none() {
            self.find(inst.keyword_span.clone(), codes::HEREDOC, "This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.".into());
        }
        let mut body = if h.strip_tabs { chomp(&h.body) } else { h.body.clone() };
        if !h.quoted {
            body = heredoc_expand(&body, &self.vars());
        }
        let target =
            if dest.ends_with('/') { format!("{dest}{}", h.delimiter) } else { dest.to_string() };
        let parent = target
            .rsplit_once('/')
            .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p })
            .to_string();
        let delim = delimiter(&body);
        self.marker(inst);
        self.post_chunk(
            inst,
            format!("mkdir -p {} && cat > {} <<'{delim}'\n{body}{delim}", sq(&parent), sq(&target)),
        );
    }

    fn finish(self, s: usize, src: Source, image: String) -> StageState {
        let name = self.plan.names[s].clone();
        let mut out = OutStage { name: name.clone(), ..Default::default() };
        let mut t = String::new();
        match src {
            Source::Scratch => {
                out.bootstrap = "scratch".into();
                t.push_str("Bootstrap: scratch\n");
            }
            Source::Image(i) => {
                out.bootstrap = "docker".into();
                out.from = i.clone();
                t.push_str(&format!("Bootstrap: docker\nFrom: {i}\n"));
            }
            Source::Stage(_) => {
                // Only when stages form a cycle (an invalid Dockerfile): name it as written.
                out.bootstrap = "docker".into();
                out.from = image.clone();
                t.push_str(&format!("Bootstrap: docker\nFrom: {image}\n"));
            }
        }
        t.push_str(&format!("Stage: {name}\n"));
        let mut section = |t: &mut String, head: String, lines: &[String]| {
            t.push('\n');
            t.push_str(&head);
            t.push('\n');
            for l in lines {
                t.push_str(l);
                t.push('\n');
            }
            out.sections.push(head);
        };
        if self.files_ctx || !self.files_direct.is_empty() {
            let mut lines = self.files_direct.clone();
            if self.files_ctx {
                lines.insert(0, format!(". {CONTEXT}"));
            }
            section(&mut t, "%files".into(), &lines);
        }
        for (from, lines) in &self.files_from {
            section(&mut t, format!("%files from {from}"), lines);
        }
        if self.shell_ok && !self.post.is_empty() {
            let mut post = vec!["set -e".to_string()];
            let fns = [COPY_FN, ADD_FN, FETCH_FN];
            for (k, need) in self.need.iter().enumerate() {
                if *need {
                    post.push(fns[k].to_string());
                }
            }
            post.push("cd /".into());
            post.extend(self.post.iter().cloned());
            let mut staged = Vec::new();
            if self.files_ctx {
                staged.push(CONTEXT);
            }
            if self.from_n > 0 {
                staged.push(FROM_DIR);
            }
            if !staged.is_empty() {
                post.push(format!("rm -rf {}", staged.join(" ")));
            }
            section(&mut t, "%post".into(), &post);
        }
        if self.is_final {
            if !self.env_lines.is_empty() {
                section(&mut t, "%environment".into(), &self.env_lines);
            }
            let mut run = Vec::new();
            if self.entry.is_some() || self.cmd.is_some() {
                if self.workdir_span.is_some() {
                    run.push(format!("cd {}", sh(&self.workdir)));
                }
                let argv = |a: &[String]| a.iter().map(|x| sh(x)).collect::<Vec<_>>().join(" ");
                if let Some(c) = &self.cmd {
                    run.push(format!("if [ \"$#\" -eq 0 ]; then set -- {}; fi", argv(c)));
                }
                match &self.entry {
                    Some(e) => run.push(format!("exec {} \"$@\"", argv(e))),
                    None => run.push("exec \"$@\"".into()),
                }
                section(&mut t, "%runscript".into(), &run);
            }
            if !self.labels.is_empty() {
                section(&mut t, "%labels".into(), &self.labels);
            }
        }
        StageState { text: t, out, uses_context: self.files_ctx }
    }
}

/// `<<-`: leading tabs removed from every line.
fn chomp(body: &str) -> String {
    body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

/// A heredoc delimiter that is not a line of `body`.
fn delimiter(body: &str) -> String {
    let mut d = "CLUSTERLS_EOF".to_string();
    while body.lines().any(|l| l == d) {
        d.push('_');
    }
    d
}

/// BuildKit expands `$VAR` in an unquoted COPY heredoc (quotes stay as they are).
fn heredoc_expand(body: &str, vars: &Vars) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        // Expand just this reference: find its extent as the word expander would.
        let tail = &rest[i..];
        let len = if tail[1..].starts_with('{') {
            tail.find('}').map_or(1, |e| e + 1)
        } else {
            1 + tail[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count()
        };
        if len == 1 {
            out.push('$');
        } else {
            out.push_str(&literal(&words::expand(&tail[..len], '\\', vars)));
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// A RUN's shell-form command as the shell should see it: the physical lines kept
/// (with their `\` continuations) when the shell joins them exactly as Docker does,
/// else Docker's joined logical line.
fn script_text(text: &str, inst: &Instruction, escape: char) -> String {
    let logical = inst.args.text.clone();
    if escape != '\\' {
        return logical;
    }
    let Some(orig) = text.get(inst.args.span.clone()) else { return logical };
    let mut lines = Vec::new();
    for l in orig.split('\n') {
        let l = l.trim_end_matches('\r');
        let t = l.trim_start_matches([' ', '\t']);
        if lines.is_empty() || !(t.is_empty() || t.starts_with('#')) {
            lines.push(l.trim_end_matches([' ', '\t']));
        }
    }
    let joined = lines.join("\n");
    if joined.replace("\\\n", "") != logical || !joins_outside_quotes(&joined) {
        return logical;
    }
    joined
}

/// Whether every `\`-newline in `s` is where the shell removes it (not inside single
/// quotes or a comment).
fn joins_outside_quotes(s: &str) -> bool {
    #[derive(PartialEq)]
    enum St {
        Plain,
        Single,
        Double,
        Comment,
    }
    let b = s.as_bytes();
    let mut st = St::Plain;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let join = c == b'\\' && b.get(i + 1) == Some(&b'\n');
        match st {
            St::Plain => match c {
                b'\\' => i += 1,
                b'\'' => st = St::Single,
                b'"' => st = St::Double,
                b'#' if i == 0 || b" \t\n;&|(".contains(&b[i - 1]) => st = St::Comment,
                _ => {}
            },
            St::Single if join => return false,
            St::Single if c == b'\'' => st = St::Plain,
            St::Double if c == b'\\' => i += 1,
            St::Double if c == b'"' => st = St::Plain,
            St::Comment if join => return false,
            St::Comment if c == b'\n' => st = St::Plain,
            _ => {}
        }
        i += 1;
    }
    true
}
