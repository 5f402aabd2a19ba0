//! COPY and ADD: the build context staged by `%files` and copied in `%post` with
//! Docker's rules, `--from` stages and images, URLs, archives and heredocs.

use super::Source;
use super::codes;
use super::helpers::{CONTEXT, FROM_DIR};
use super::run::{chomp, delimiter, terminated};
use super::step::Ctx;
use super::words::{self, Vars, glob_word, literal, sh, sq};
use crate::parse::{Instruction, Kind};

impl Ctx<'_, '_> {
    pub(super) fn copy(&mut self, stage: usize, inst: &Instruction) {
        let is_add = inst.kind == Kind::Add;
        for f in &inst.flags {
            let v = f.value.as_deref().unwrap_or("");
            match f.name.as_str() {
                "chown" => self.find(&codes::CHOWN, f.span.clone(), format!("`--chown={v}` is not applied: files in an Apptainer image belong to root and you run as your own user. Make them readable by all instead (`--chmod=a+rX`).")),
                "chmod" if self.shell_ok => {}
                "chmod" | "exclude" | "parents" | "checksum" | "keep-git-dir" => {
                    let what = match f.name.as_str() {
                        "chmod" => "this image has no shell to run chmod; set the mode on the source file",
                        "exclude" => "list the files in .dockerignore or remove them with `RUN rm`",
                        "parents" => "give each source its full destination path",
                        "checksum" => "verify it with `RUN sha256sum -c`",
                        _ => "clone with `RUN git clone` instead",
                    };
                    self.find(&codes::COPY_FLAG, f.span.clone(), format!("`--{}` has no counterpart in the definition file and is not applied: {what}.", f.name));
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
        if !raw_dest.starts_with('/') && self.workdir_span.is_none() && self.base_workdir_unknown {
            self.base_workdir_unknown = false;
            self.find(&codes::BASE_WORKDIR, inst.keyword_span.clone(), format!("`{raw_dest}` is relative and no WORKDIR comes before it: Docker puts it in the base image's WORKDIR, which the converter cannot know, so the definition file uses `/`. Add a WORKDIR before this line or give an absolute destination."));
        }
        let mut dest = words::join_path(&self.workdir, &raw_dest);
        if sources.len() > 1 && !dest.ends_with('/') {
            dest.push('/');
        }
        let from = inst.flag("from").and_then(|f| f.value.clone());
        let from = from.map(|v| self.plan.resolve_from(&v, stage));
        if !self.shell_ok && !self.no_shell_told {
            self.no_shell_told = true;
            self.find(&codes::NO_SHELL, inst.keyword_span.clone(), "This stage's image has no shell (scratch or distroless, and no RUN), so the files are copied with plain `%files` lines. Apptainer copies like `cp -r`: a directory copied onto an existing directory lands inside it instead of merging.");
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
                        &codes::ADD_REMOTE,
                        inst.keyword_span.clone(),
                        format!("ADD of `{src}` is not converted: it is {why}. Use {fix}."),
                    );
                } else {
                    self.find(&codes::ADD_REMOTE, inst.keyword_span.clone(), format!("ADD of `{src}` becomes a download with curl or wget in %post: the image needs one of them, and --checksum is not verified. An explicit `RUN curl -fsSL URL -o FILE` builds the same everywhere."));
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
                    "is copied as it is, not unpacked: this stage's image has no shell to run tar"
                };
                self.find(&codes::ADD_ARCHIVE, inst.keyword_span.clone(), format!("`{src}` looks like an archive: it {how}. Prefer COPY plus an explicit `RUN tar -xf`."));
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
                            let stages = self.plan.df.stages[..stage]
                                .iter()
                                .filter_map(|s| s.name.as_deref());
                            let typo = clusterls_core::suggest::did_you_mean(img, stages)
                                .map(|s| format!(" Did you mean the stage `{s}`? As written, Docker pulls an image of that name too."))
                                .unwrap_or_default();
                            self.find(&codes::COPY_FROM_IMAGE, inst.flag("from").map_or(inst.keyword_span.clone(), |f| f.span.clone()), format!("`{img}` is not a stage of this Dockerfile: the definition file pulls it as the extra stage `{name}` and copies from there (symbolic links are followed).{typo}"));
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
                        let line = format!("{p} {dest}");
                        self.check_line(inst, &line);
                        self.files_direct.push(line);
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
        let mode =
            inst.flag("chmod").and_then(|f| f.value.as_deref()).map(|m| format!(" {}", sh(m)));
        let mode = mode.unwrap_or_default();
        self.marker(inst);
        if words::is_glob(staged) {
            self.post.push(format!(
                "for f in {}; do {f} \"$f\" {}{mode}; done",
                glob_word(staged),
                sq(dest)
            ));
        } else {
            self.post.push(format!("{f} {} {}{mode}", sq(staged), sq(dest)));
        }
    }

    fn heredoc_file(&mut self, inst: &Instruction, h: &crate::parse::Heredoc, dest: &str) {
        if !self.shell_ok {
            self.find(&codes::HEREDOC, inst.keyword_span.clone(), "This stage's image has no shell (scratch or distroless), so the heredoc cannot be written into the image. Put the content in a file in the build context and COPY it.");
            return;
        }
        if h.terminator_span.is_none() {
            self.find(&codes::HEREDOC, inst.keyword_span.clone(), "This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.");
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
        let body = terminated(body);
        let mut chunk =
            format!("mkdir -p {} && cat > {} <<'{delim}'\n{body}{delim}", sq(&parent), sq(&target));
        if let Some(m) = inst.flag("chmod").and_then(|f| f.value.as_deref()) {
            chunk += &format!("\nchmod {} {}", sh(m), sq(&target));
        }
        self.marker(inst);
        self.post_chunk(inst, chunk);
    }
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
