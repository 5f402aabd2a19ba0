//! Pure Dockerfile → Apptainer/Singularity definition file conversion.
//!
//! Text and build arguments in; the definition text, findings on the Dockerfile's lines
//! and a description of what was emitted out. No IO.
//!
//! How each construct maps (the module docs are the design; tests/convert.rs shows it):
//!
//! - Stages: the final stage and the stages it needs (as BuildKit builds them) become
//!   `Bootstrap: docker` stages with `Stage:` names; a stage `FROM` another stage is
//!   replayed on top of that stage's base (Apptainer cannot bootstrap from a stage);
//!   `COPY --from=stage` becomes `%files from stage`, `COPY --from=image` an extra stage.
//! - Build context: copied once by `%files` (`. /.clusterls-context`), then each
//!   COPY/ADD copies from there in `%post` at its place, with Docker's rules
//!   (directories merge, `dest/`), so order against RUN is kept; removed at the end.
//!   The definition must be built with the build context as current directory.
//!   A stage without RUN (maybe no shell in the image) uses plain `%files` lines.
//! - RUN: one command line in `%post` (`set -e`, the base image's ENV sourced first as
//!   Docker's RUN sees it), run by the SHELL in force
//!   (`/bin/sh -c '...'`) so each RUN is its own process as in Docker; exec form runs
//!   its argv directly; heredocs as BuildKit does them. A marker line before each
//!   (`clusterls-step: Dockerfile line N`) lets [`failed_step`] name the failing line.
//! - ARG/ENV: expanded where Docker expands them; exported in `%post` so later RUNs see
//!   them; ENV also in `%environment`. WORKDIR: `mkdir -p` + `cd` in `%post`, and `cd`
//!   in `%runscript`. ENTRYPOINT/CMD: `%runscript` composing the argv as Docker does.
//!   LABEL/MAINTAINER: `%labels`.
//! - Everything else that has no faithful counterpart is a finding ([`codes`]).

pub mod codes;
mod copy;
mod helpers;
mod run;
mod step;
pub mod words;

use std::collections::HashMap;

use clusterls_core::Finding;

use crate::parse::{Dockerfile, Kind, parse};
use step::StageState;
use words::{Piece, Vars};

/// The result of a conversion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversion {
    /// The definition file.
    pub definition: String,
    /// What could not be converted faithfully, on the Dockerfile's spans, sorted.
    pub findings: Vec<Finding>,
    /// The stages written, in order (the last one is the image).
    pub stages: Vec<OutStage>,
    /// Whether the definition copies the build context (`%files` of `.`): then it must
    /// be built with the build context directory as the current directory.
    pub uses_context: bool,
}

/// A stage as written into the definition file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutStage {
    pub name: String,
    /// `docker` or `scratch`.
    pub bootstrap: String,
    /// The image (empty for scratch).
    pub from: String,
    /// Section lines as written: `%files`, `%files from builder`, `%post`, ...
    pub sections: Vec<String>,
}

/// The prefix of the marker line echoed before each RUN.
pub const STEP_MARKER: &str = "clusterls-step: Dockerfile line ";

/// The Dockerfile line (1-based) of the last step a build log reached: with a failed
/// build, the instruction that failed.
pub fn failed_step(log: &str) -> Option<usize> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(STEP_MARKER)?.split_whitespace().next()?.parse().ok())
}

/// Convert a Dockerfile. `build_args` are `--build-arg NAME=VALUE` pairs.
pub fn convert(text: &str, build_args: &[(String, String)]) -> Conversion {
    convert_parsed(text, &parse(text), build_args)
}

/// Where a stage's base, or a `--from`, points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Stage(usize),
    Image(String),
    Scratch,
}

/// Conversion-wide facts the per-stage code needs.
pub(crate) struct Plan<'a> {
    pub text: &'a str,
    pub df: &'a Dockerfile,
    pub build_args: HashMap<String, String>,
    /// Global ARGs (before the first FROM): name → value (None: declared, no value).
    pub globals: HashMap<String, Option<Vec<Piece>>>,
    /// Apptainer stage name per Dockerfile stage.
    pub names: Vec<String>,
    /// Extra stages for `COPY --from=image`: image → stage name.
    pub images: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

impl Plan<'_> {
    /// Resolve a `--from` value seen in stage `at`.
    pub fn resolve_from(&self, value: &str, at: usize) -> Source {
        if let Ok(n) = value.parse::<usize>()
            && n < at
        {
            return Source::Stage(n);
        }
        match self.df.stages[..at]
            .iter()
            .rposition(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(value)))
        {
            Some(i) => Source::Stage(i),
            None => Source::Image(value.to_string()),
        }
    }

    /// The base of stage `i` (its FROM expanded with the global ARGs), and what is
    /// wrong with it when it names no usable image.
    pub fn base(&self, i: usize) -> (Source, String, Option<String>) {
        let st = &self.df.stages[i];
        let vars: Vars =
            self.globals.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))).collect();
        let raw = self.df.instructions[st.from].args.words.first().map_or("", |w| w.raw.as_str());
        let pieces = words::expand(raw, self.df.escape, &vars);
        let literal = words::literal(&pieces);
        let image = header_value(if literal.is_empty() { &st.image } else { &literal });
        let problem = if st.image.is_empty() {
            Some("FROM names no base image, so the definition file has none. Give the image to build on (e.g. `FROM python:3.11`).".to_string())
        } else if words::has_shell(&pieces) {
            Some(format!(
                "The base image `{}` uses a build argument without a value, so the definition file names `{image}`. Give it with `--build-arg NAME=VALUE` or a default in `ARG NAME=VALUE` before the first FROM.",
                st.image
            ))
        } else if !valid_reference(&literal) {
            Some(format!(
                "`{literal}` is not an image reference (name[:tag][@digest]). Give the image to build on (e.g. `FROM python:3.11`)."
            ))
        } else {
            None
        };
        let src = if image.eq_ignore_ascii_case("scratch") {
            Source::Scratch
        } else {
            match self.df.stages[..i]
                .iter()
                .rposition(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&image)))
            {
                Some(p) => Source::Stage(p),
                None => Source::Image(image.clone()),
            }
        };
        (src, image, problem)
    }

    /// The chain of stages from the root (based on an image) to `i`.
    pub fn chain(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut cur = i;
        while let (Source::Stage(p), _, _) = self.base(cur) {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            cur = p;
        }
        out.reverse();
        out
    }

    /// `--from` references in the instructions of `chain`.
    fn copy_sources(&self, chain: &[usize]) -> Vec<Source> {
        let mut out = Vec::new();
        for &s in chain {
            for inst in self.df.stage_instructions(s) {
                if matches!(inst.kind, Kind::Copy | Kind::Add)
                    && let Some(v) = inst.flag("from").and_then(|f| f.value.as_deref())
                {
                    out.push(self.resolve_from(v, s));
                }
            }
        }
        out
    }

    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// Whether `s` can be an image reference (`registry:port/name:tag@sha256:...`).
fn valid_reference(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@+".contains(c))
}

/// `s` made safe for a one-line header value (no whitespace or control characters).
pub(crate) fn header_value(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect()
}

/// [`convert`] on an already parsed Dockerfile (`df` must be `parse(text)`).
pub fn convert_parsed(text: &str, df: &Dockerfile, build_args: &[(String, String)]) -> Conversion {
    let mut plan = Plan {
        text,
        df,
        build_args: build_args.iter().cloned().collect(),
        globals: HashMap::new(),
        names: Vec::new(),
        images: Vec::new(),
        findings: Vec::new(),
    };
    if df.stages.is_empty() {
        return Conversion::default();
    }

    // Global ARGs.
    for inst in df.instructions.iter().filter(|i| i.stage.is_none() && i.kind == Kind::Arg) {
        for w in &inst.args.words {
            let (name, default) = match w.raw.split_once('=') {
                Some((n, d)) => (n.to_string(), Some(d)),
                None => (w.value.clone(), None),
            };
            let vars: Vars =
                plan.globals.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))).collect();
            let value = match plan.build_args.get(&name) {
                Some(v) => Some(vec![Piece::Lit(v.clone())]),
                None => default.map(|d| words::expand(d, df.escape, &vars)),
            };
            plan.globals.insert(name, value);
        }
    }

    // Stage names: the Dockerfile's, else `stageN`, unique.
    for (i, s) in df.stages.iter().enumerate() {
        let mut name = s.name.clone().unwrap_or_else(|| format!("stage{i}"));
        while plan.names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            name.push('_');
        }
        plan.names.push(name);
    }

    // The stages the last one needs, as BuildKit builds only those.
    let last = df.stages.len() - 1;
    let mut needed = vec![last];
    let mut todo = vec![last];
    while let Some(s) = todo.pop() {
        for src in plan.copy_sources(&plan.chain(s)) {
            match src {
                Source::Stage(d) if !needed.contains(&d) => {
                    needed.push(d);
                    todo.push(d);
                }
                Source::Image(img) if !plan.images.iter().any(|(i, _)| *i == img) => {
                    // Only a name that fits on the header line (a finding shows it as written).
                    let mut name = format!("image{}", plan.images.len());
                    while plan.names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                        name.push('_');
                    }
                    plan.images.push((img, name));
                }
                _ => {}
            }
        }
    }
    needed.sort_unstable();

    let mut out = String::from(
        "# Converted from a Dockerfile by clusterls. Build it with the build context as the\n\
         # current directory: apptainer build --fakeroot IMAGE.sif THIS.def\n",
    );
    let mut stages = Vec::new();
    let mut uses_context = false;
    for (img, name) in plan.images.clone() {
        out.push('\n');
        let from = header_value(&img);
        out.push_str(&format!("Bootstrap: docker\nFrom: {from}\nStage: {name}\n"));
        stages.push(OutStage { name, bootstrap: "docker".into(), from, sections: Vec::new() });
    }
    for &s in &needed {
        let st = StageState::build(&mut plan, s, s == last);
        uses_context |= st.uses_context;
        out.push('\n');
        out.push_str(&st.text);
        stages.push(st.out);
    }

    let mut findings = plan.findings;
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.code).cmp(&(b.range.start, b.range.end, &b.code))
    });
    findings.dedup_by(|a, b| a.range == b.range && a.code == b.code);
    Conversion { definition: out, findings, stages, uses_context }
}
