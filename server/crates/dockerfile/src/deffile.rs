//! Apptainer/Singularity definition files: a reader. Pure, never fails: it returns the
//! stages it understood (header keys and sections, with byte spans) plus problems.
//!
//! The rules follow Apptainer's parser: a stage starts with its header (`Key: value`
//! lines, `#` comments and blank lines allowed) and a new stage starts at a
//! `Bootstrap:` line after the previous stage's sections; a section starts at a line
//! that begins with `%` and a letter (`%post`, `%files from builder`) and runs to the
//! next section or stage.

use std::ops::Range;

/// The sections Apptainer knows.
pub const SECTIONS: &[&str] = &[
    "setup",
    "files",
    "environment",
    "post",
    "runscript",
    "startscript",
    "test",
    "labels",
    "help",
    "arguments",
    "appinstall",
    "appfiles",
    "appenv",
    "apphelp",
    "applabels",
    "apprun",
    "appstart",
    "apptest",
];

/// The header keys Apptainer knows (lower case), over all bootstrap agents.
pub const HEADER_KEYS: &[&str] = &[
    "bootstrap",
    "from",
    "stage",
    "registry",
    "namespace",
    "includecmd",
    "mirrorurl",
    "updateurl",
    "osversion",
    "include",
    "confurl",
    "fingerprints",
    "setopt",
    "product",
    "user",
    "regcode",
    "productpgp",
    "registerurl",
    "modules",
    "otherurl",
];

/// Bootstrap agents that need a `From:`.
const NEEDS_FROM: &[&str] = &[
    "docker",
    "docker-daemon",
    "docker-archive",
    "library",
    "shub",
    "oras",
    "localimage",
    "oci",
    "oci-archive",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefFile {
    pub stages: Vec<DefStage>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefStage {
    pub span: Range<usize>,
    pub header: Vec<HeaderKey>,
    pub sections: Vec<Section>,
}

impl DefStage {
    /// A header value by key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.header.iter().find(|h| h.key.eq_ignore_ascii_case(key)).map(|h| h.value.as_str())
    }

    /// The `Stage:` name.
    pub fn name(&self) -> Option<&str> {
        self.get("stage")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderKey {
    /// As written (`Bootstrap`, `From`).
    pub key: String,
    pub value: String,
    pub span: Range<usize>,
    pub key_span: Range<usize>,
    pub value_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Lower case, without `%`: `post`, `files`.
    pub name: String,
    /// What follows the name on its line, trimmed (`from builder`, `-c /bin/bash`).
    pub args: String,
    /// The `%name args` line.
    pub head_span: Range<usize>,
    /// The lines after it, up to the next section or stage.
    pub body: String,
    pub body_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
}

fn problem(out: &mut DefFile, span: Range<usize>, message: String) {
    out.problems.push(Problem { span, message });
}

/// Read a definition file.
pub fn parse(text: &str) -> DefFile {
    let mut out = DefFile::default();
    let mut pos = 0;
    let mut in_section = false;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let next = (end + 1).min(text.len());
        let line = text[pos..end].trim_end_matches('\r');
        let lspan = pos..pos + line.len();
        let is_bootstrap = line.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("bootstrap:"));
        if line.starts_with('%') && line[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let name_len =
                line[1..].find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(line.len() - 1);
            let name = line[1..1 + name_len].to_ascii_lowercase();
            let args = line[1 + name_len..].trim().to_string();
            if !SECTIONS.contains(&name.as_str()) {
                problem(
                    &mut out,
                    lspan.clone(),
                    format!(
                        "`%{name}` is not a section Apptainer knows ({}).",
                        SECTIONS.join(", ")
                    ),
                );
            }
            if out.stages.is_empty() {
                problem(
                    &mut out,
                    lspan.clone(),
                    "A section before any header: the file must start with `Bootstrap:`.".into(),
                );
                out.stages.push(DefStage { span: pos..pos, ..Default::default() });
            }
            let stage = out.stages.last_mut().expect("a stage");
            stage.sections.push(Section {
                name,
                args,
                head_span: lspan,
                body: String::new(),
                body_span: next..next,
            });
            in_section = true;
        } else if is_bootstrap
            && (in_section || out.stages.last().is_none_or(|s| s.get("bootstrap").is_some()))
        {
            out.stages.push(DefStage { span: pos..pos, ..Default::default() });
            in_section = false;
            header_line(&mut out, line, pos);
        } else if in_section {
            let s = out.stages.last_mut().and_then(|s| s.sections.last_mut()).expect("a section");
            s.body.push_str(&text[pos..next]);
            s.body_span.end = next;
        } else {
            let t = line.trim();
            if !t.is_empty() && !t.starts_with('#') {
                if out.stages.is_empty() {
                    out.stages.push(DefStage { span: pos..pos, ..Default::default() });
                }
                header_line(&mut out, line, pos);
            }
        }
        if let Some(s) = out.stages.last_mut() {
            s.span.end = next;
        }
        pos = next;
    }
    validate(&mut out);
    out
}

fn header_line(out: &mut DefFile, line: &str, pos: usize) {
    let lspan = pos..pos + line.len();
    let Some(colon) = line.find(':') else {
        problem(
            out,
            lspan,
            format!(
                "`{}` is not a header line (`Key: value`) and comes before any section: make it a header line, a `#` comment, or put it in a section (`%post`).",
                line.trim()
            ),
        );
        return;
    };
    let key = line[..colon].trim();
    let key_start = pos + line.find(key).unwrap_or(0);
    let raw = &line[colon + 1..];
    let value = raw.trim();
    let value_start = pos + colon + 1 + (raw.len() - raw.trim_start().len());
    if !HEADER_KEYS.contains(&key.to_ascii_lowercase().as_str())
        && !key.to_ascii_lowercase().starts_with("otherurl")
    {
        problem(
            out,
            key_start..key_start + key.len(),
            format!(
                "`{key}` is not a header key Apptainer knows: check its spelling (Bootstrap, From, Stage, ...)."
            ),
        );
    }
    let stage = out.stages.last_mut().expect("a stage");
    if stage.get(key).is_some() {
        let msg = format!("`{key}` is given twice in this stage's header: keep one.");
        problem(out, lspan.clone(), msg);
        return;
    }
    let stage = out.stages.last_mut().expect("a stage");
    stage.header.push(HeaderKey {
        key: key.to_string(),
        value: value.to_string(),
        span: lspan,
        key_span: key_start..key_start + key.len(),
        value_span: value_start..value_start + value.len(),
    });
}

fn validate(out: &mut DefFile) {
    let mut problems = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for st in &out.stages {
        let at = st
            .header
            .first()
            .map(|h| h.span.clone())
            .or_else(|| st.sections.first().map(|s| s.head_span.clone()))
            .unwrap_or(st.span.start..st.span.start);
        match st.get("bootstrap") {
            None => problems.push(Problem {
                span: at.clone(),
                message: "This stage has no `Bootstrap:` header: start it with `Bootstrap: docker` and `From: IMAGE`.".into(),
            }),
            Some(b)
                if NEEDS_FROM.contains(&b.to_ascii_lowercase().as_str())
                    && st.get("from").is_none_or(str::is_empty) =>
            {
                problems.push(Problem {
                    span: at.clone(),
                    message: format!("`Bootstrap: {b}` needs a `From:` header naming the image."),
                });
            }
            _ => {}
        }
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for s in &st.sections {
            if s.name == "files" && !s.args.is_empty() {
                match s.args.strip_prefix("from").map(str::trim) {
                    Some(from) if !from.is_empty() => {
                        if !names.contains(&from) {
                            problems.push(Problem {
                                span: s.head_span.clone(),
                                message: format!("`%files from {from}` names no earlier stage: name a stage defined above (`Stage: {from}`)."),
                            });
                        }
                    }
                    _ => problems.push(Problem {
                        span: s.head_span.clone(),
                        message: "`%files` takes only `from STAGE`.".into(),
                    }),
                }
            }
            if s.name.starts_with("app") && s.args.is_empty() {
                problems.push(Problem {
                    span: s.head_span.clone(),
                    message: format!("`%{}` needs an app name: `%{} NAME`.", s.name, s.name),
                });
            }
            if seen.contains(&(s.name.as_str(), s.args.as_str())) {
                problems.push(Problem {
                    span: s.head_span.clone(),
                    message: format!(
                        "`%{}` appears twice in this stage: merge them into one.",
                        s.name
                    ),
                });
            }
            seen.push((&s.name, &s.args));
        }
        if let Some(n) = st.name() {
            if names.contains(&n) {
                problems.push(Problem {
                    span: at,
                    message: format!("Two stages are named `{n}`: rename one."),
                });
            }
            names.push(n);
        }
    }
    out.problems.extend(problems);
    out.problems.sort_by_key(|p| (p.span.start, p.span.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stages_and_problems() {
        let t = "Bootstrap: docker\nFrom: a\nStage: one\n\n%post\necho hi\n\nBootstrap: docker\nFrom: b\nStage: two\n%files from one\n/x /y\n%weird\n";
        let d = parse(t);
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].sections[0].body, "echo hi\n\n");
        assert_eq!(d.stages[1].sections[0].args, "from one");
        assert_eq!(&t[d.stages[1].header[1].value_span.clone()], "b");
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(parse("%post\nx\n").problems.len() >= 2);
    }
}
