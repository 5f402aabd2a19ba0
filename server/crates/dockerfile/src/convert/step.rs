//! One definition-file stage from a chain of Dockerfile stages, instruction by
//! instruction.

use std::ops::Range;

use clusterls_core::Rule;

use super::codes;
use super::helpers::{ADD_FN, CONTEXT, COPY_FN, FETCH_FN, FROM_DIR};
use super::words::{self, Piece, Vars, dq, literal, sh};
use super::{OutStage, Plan, STEP_MARKER, Source};
use crate::checks::apptainer;
use crate::parse::{Instruction, Kind, unquote};

pub(crate) struct StageState {
    pub text: String,
    pub out: OutStage,
    pub uses_context: bool,
}

pub(super) struct Ctx<'p, 'a> {
    pub(super) plan: &'p mut Plan<'a>,
    pub(super) is_final: bool,
    /// The chain has a RUN, so the image has a shell for `%post`.
    pub(super) shell_ok: bool,
    pub(super) shell: Vec<String>,
    pub(super) workdir: String,
    pub(super) workdir_span: Option<Range<usize>>,
    pub(super) user: Option<(String, Range<usize>)>,
    pub(super) env: Vars,
    pub(super) args: Vars,
    pub(super) env_lines: Vec<String>,
    pub(super) labels: Vec<String>,
    pub(super) post: Vec<String>,
    pub(super) files_ctx: bool,
    pub(super) files_from: Vec<(String, Vec<String>)>,
    pub(super) files_direct: Vec<String>,
    pub(super) entry: Option<Vec<String>>,
    pub(super) cmd: Option<Vec<String>>,
    pub(super) cmd_set: bool,
    pub(super) need: [bool; 3],
    pub(super) from_n: usize,
    /// The instruction whose step marker was written last.
    pub(super) marked: Option<usize>,
    /// A no-shell finding was given for this stage.
    pub(super) no_shell_told: bool,
    /// The HEALTHCHECK in force (the last one, unless it is `NONE`).
    pub(super) healthcheck: Option<Range<usize>>,
    /// The stage builds on an image (not scratch), whose WORKDIR is unknown.
    pub(super) base_workdir_unknown: bool,
}

impl StageState {
    pub fn build(plan: &mut Plan<'_>, s: usize, is_final: bool) -> StageState {
        let chain = plan.chain(s);
        let df = plan.df;
        let root = chain[0];
        let (src, image, problem) = plan.base(root);
        let root_stage = &df.stages[root];
        if let Some(msg) = problem {
            let from = &df.instructions[root_stage.from];
            let at = if root_stage.image.is_empty() {
                from.keyword_span.clone()
            } else {
                root_stage.image_span.clone()
            };
            push(plan, &codes::NO_BASE, at, msg);
        }
        for &c in &chain {
            let from = &df.instructions[df.stages[c].from];
            if let Some(f) = from.flag("platform") {
                let msg = format!(
                    "Apptainer ignores `--platform={}`: it pulls the image for the build host's architecture. Build on a node of that architecture or pass `--arch` to `apptainer build`.",
                    f.value.as_deref().unwrap_or("")
                );
                push(plan, &codes::PLATFORM, f.span.clone(), msg);
            }
        }
        // `%post` needs a shell in the image: there is one when the stage RUNs
        // something, and in every image but scratch and the distroless/static kind.
        let shellless = matches!(src, Source::Scratch)
            || ["distroless", "/static"].iter().any(|k| image.contains(k));
        let shell_ok = !shellless
            || chain.iter().any(|&c| df.stage_instructions(c).iter().any(|i| i.kind == Kind::Run));
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
            healthcheck: None,
            base_workdir_unknown: !matches!(src, Source::Scratch),
        };
        for (k, &c) in chain.iter().enumerate() {
            if k > 0 {
                // ARGs are per stage; the stage's image keeps only ENV.
                let gone: Vec<String> = cx
                    .args
                    .keys()
                    .filter(|a| !cx.env.contains_key(*a) && words::is_shell_name(a))
                    .cloned()
                    .collect();
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
        if let (true, Some(span)) = (is_final, cx.healthcheck.clone()) {
            push(
                cx.plan,
                &apptainer::HEALTHCHECK_NO_EFFECT,
                span,
                "HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.",
            );
        }
        if let (true, Some(span)) = (is_final, cx.workdir_span.clone()) {
            let dir = cx.workdir.clone();
            push(
                cx.plan,
                &apptainer::WORKDIR_IGNORED,
                span,
                format!(
                    "`apptainer run` starts in WORKDIR `{dir}` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd {dir}`, or `cd {dir}` in the job's command."
                ),
            );
        }
        cx.finish(s, src, image)
    }
}

/// Push a finding of `rule` (one of the converter's, [`codes`], or one of the checker's
/// that means the same, registered in [`crate::rules`] either way) with its severity.
pub(super) fn push(
    plan: &mut Plan<'_>,
    rule: &'static Rule,
    range: Range<usize>,
    message: impl Into<String>,
) {
    plan.push(rule.finding(range, message));
}

/// Docker's RUN sees the base image's ENV; Apptainer writes it to this file (sourced at
/// run time), so `%post` sources it first.
const BASE_ENV: &str = "# The base image's ENV, as Docker's RUN sees it.\nif [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi";

/// BuildKit's automatic platform ARGs, computed on the build node (the build runs on
/// the node's own platform).
fn platform_arg(name: &str) -> Option<Vec<Piece>> {
    const ARCH: &str = "$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)";
    let arch = Piece::Shell(ARCH.into());
    Some(match name {
        "TARGETOS" | "BUILDOS" => vec![Piece::Lit("linux".into())],
        "TARGETARCH" | "BUILDARCH" => vec![arch],
        "TARGETPLATFORM" | "BUILDPLATFORM" => vec![Piece::Lit("linux/".into()), arch],
        "TARGETVARIANT" | "BUILDVARIANT" => vec![Piece::Lit(String::new())],
        _ => return None,
    })
}

/// Whether a line of generated text would start a section or a stage.
pub(super) fn hazard(text: &str) -> bool {
    text.lines().any(|l| {
        (l.starts_with('%') && l[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
            || l.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("bootstrap:"))
    })
}

impl Ctx<'_, '_> {
    pub(super) fn find(
        &mut self,
        rule: &'static Rule,
        range: Range<usize>,
        message: impl Into<String>,
    ) {
        push(self.plan, rule, range, message);
    }

    pub(super) fn vars(&self) -> Vars {
        let mut v = self.args.clone();
        v.extend(self.env.iter().map(|(k, x)| (k.clone(), x.clone())));
        v
    }

    pub(super) fn expand(&self, raw: &str) -> Vec<Piece> {
        words::expand(raw, self.plan.df.escape, &self.vars())
    }

    pub(super) fn post_chunk(&mut self, inst: &Instruction, chunk: String) {
        if hazard(&chunk) {
            self.find(&codes::SCRIPT_LINE, inst.keyword_span.clone(), format!("A line of this {} starts with `%` or `Bootstrap:`, which Apptainer reads as a new section or stage of the definition file. Indent that line, or generate it (e.g. with printf).", inst.kind.as_str()));
        }
        self.post.push(chunk);
    }

    /// A finding when a section line would start a new section or stage.
    pub(super) fn check_line(&mut self, inst: &Instruction, line: &str) {
        if hazard(line) {
            self.find(&codes::SCRIPT_LINE, inst.keyword_span.clone(), format!("A line this {} writes into the definition file starts with `%` or `Bootstrap:`, which Apptainer reads as a new section or stage. Rename it so it does not start that way.", inst.kind.as_str()));
        }
    }

    pub(super) fn line_of(&self, inst: &Instruction) -> usize {
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
                let pieces = self.expand(inst.args.text.trim());
                // A user from the base image's environment (`USER ${NB_UID}`): as written.
                let who = if words::has_shell(&pieces) {
                    inst.args.text.trim().to_string()
                } else {
                    literal(&pieces)
                };
                let root = who.is_empty() || who == "root" || who == "0" || who.starts_with("root:") || who.starts_with("0:");
                if fin && !root {
                    self.find(&apptainer::USER_IGNORED, at.clone(), format!("Apptainer ignores USER: the container runs as your own cluster user, not `{who}`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `{who}`."));
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
            Kind::Expose if fin => self.find(&apptainer::EXPOSE_NO_EFFECT, at, "EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job)."),
            Kind::Volume if fin => self.find(&apptainer::VOLUME_NO_EFFECT, at, "VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`."),
            // Only the last HEALTHCHECK counts (reported at the end, as the checker does).
            Kind::Healthcheck => {
                self.healthcheck = (!inst.args.text.trim().eq_ignore_ascii_case("none")).then_some(at);
            }
            Kind::Stopsignal if fin => self.find(&apptainer::STOPSIGNAL_NO_EFFECT, at, "STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal."),
            Kind::Onbuild => self.find(&codes::ONBUILD, at, "ONBUILD is dropped: a SIF image has no triggers for images built from it. Put these steps in the Dockerfiles that build on this image."),
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
                    None => self
                        .plan
                        .globals
                        .get(&name)
                        .cloned()
                        .flatten()
                        .or_else(|| platform_arg(&name)),
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
        if !first.raw.contains('=') || inst.kind == Kind::Maintainer {
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
        // One `export` for the whole instruction: the shell expands every value before
        // assigning any, as BuildKit does (`ENV A=1 B=$A` gives B the earlier A).
        let mut assigns = Vec::new();
        for (k, v) in self.pairs(inst) {
            if !words::is_shell_name(&k) {
                self.find(&codes::ENV_NAME, inst.keyword_span.clone(), format!("`{k}` is not a name a shell can export, and Apptainer sets the environment with a shell script: it is left out. Use letters, digits and `_`."));
                continue;
            }
            assigns.push(format!("{k}={}", dq(&v)));
            self.env.insert(k, v);
        }
        if assigns.is_empty() {
            return;
        }
        let line = format!("export {}", assigns.join(" "));
        if self.shell_ok {
            self.post_chunk(inst, line.clone());
        }
        if self.is_final {
            if hazard(&line) {
                self.find(&codes::SCRIPT_LINE, inst.keyword_span.clone(), "A line of this ENV value starts with `%` or `Bootstrap:`, which Apptainer reads as a new section of the definition file. Avoid line breaks in the value.");
            }
            self.env_lines.push(line);
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
                self.find(&codes::LABEL, inst.keyword_span.clone(), format!("`%labels` holds one `NAME VALUE` per line: label `{k}` is written as `{key}` with line breaks in its value turned into spaces."));
            }
            if key.is_empty() {
                continue;
            }
            let v = v.replace(['\n', '\r'], " ");
            let line = if v.is_empty() { key } else { format!("{key} {v}") };
            self.check_line(inst, &line);
            self.labels.push(line);
        }
    }

    pub(super) fn marker(&mut self, inst: &Instruction) {
        if self.marked == Some(inst.span.start) {
            return;
        }
        self.marked = Some(inst.span.start);
        let line = self.line_of(inst);
        let what = inst.kind.as_str();
        self.post.push(format!("echo '{STEP_MARKER}{line} {what}'"));
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
        if self.shell_ok && self.post.iter().any(|l| !l.starts_with("# ")) {
            let mut post = vec!["set -e".to_string(), BASE_ENV.to_string()];
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
        StageState { text: t, out, uses_context: self.files_ctx || !self.files_direct.is_empty() }
    }
}
