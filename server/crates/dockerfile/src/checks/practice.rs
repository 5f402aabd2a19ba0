//! Good practice (hadolint's ground): base images, RUN habits, ADD. Package managers
//! are in `packages`.

use super::packages;
use super::*;
use clusterls_core::Rule;

pub(crate) const ADD_INSTEAD_OF_COPY: Rule = Rule {
    explanation: "ADD also fetches URLs and unpacks archives, so its effect depends on the source. For plain local files COPY says exactly what happens. Use COPY.",
    aliases: &["DL3020"],
    ..Rule::new(
        "docker/add-instead-of-copy",
        Severity::Warning,
        "ADD of local files; COPY is explicit.",
    )
};

pub(crate) const CD_IN_RUN: Rule = Rule {
    explanation: "`cd` in a RUN only lasts for that RUN, which makes later instructions easy to misread. Use WORKDIR to change directory.",
    aliases: &["DL3003"],
    ..Rule::new("docker/cd-in-run", Severity::Info, "`cd` in RUN instead of WORKDIR.")
};

pub(crate) const CONSECUTIVE_RUN: Rule = Rule {
    explanation: "Consecutive RUNs each make a layer; files deleted in a later RUN still take space in the earlier layer. Join them with `&&` when they belong together.",
    aliases: &["DL3059"],
    ..Rule::new("docker/consecutive-run", Severity::Info, "Consecutive RUNs that could be one.")
};

pub(crate) const LATEST_TAG: Rule = Rule {
    explanation: "`:latest` is whatever was pushed last, so builds are not reproducible and may break without a change on your side. Pin a version tag (or a digest).",
    aliases: &["DL3007"],
    ..Rule::new("docker/latest-tag", Severity::Warning, "Base image tagged `latest`.")
};

pub(crate) const PIPEFAIL: Rule = Rule {
    explanation: "A RUN with a pipe (`curl ... | sh`) only fails when the last command fails, so a failed download goes unnoticed. Put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it, or `set -o pipefail &&` in the RUN.",
    aliases: &["DL4006"],
    ..Rule::new(
        "docker/pipefail",
        Severity::Warning,
        "A pipe in RUN without `pipefail` hides failures.",
    )
};

pub(crate) const SUDO: Rule = Rule {
    explanation: "Builds run as root unless a USER says otherwise, and sudo in a build has unpredictable TTY and signal behaviour. Drop sudo; switch USER around the commands that need another user.",
    aliases: &["DL3004"],
    ..Rule::new("docker/sudo", Severity::Warning, "`sudo` in RUN.")
};

pub(crate) const UNTAGGED_IMAGE: Rule = Rule {
    explanation: "A base image without a tag means `latest`, which changes under you: the same Dockerfile builds a different image next month. Pin a tag (or a digest).",
    aliases: &["DL3006"],
    ..Rule::new("docker/untagged-image", Severity::Warning, "Base image without a tag.")
};

pub(super) fn practice(ctx: &mut Ctx<'_>) {
    base_images(ctx);
    run_instructions(ctx);
    add_instead_of_copy(ctx);
}

fn base_images(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    for st in &df.stages {
        let raw = &st.image;
        if raw.is_empty() {
            continue;
        }
        let earlier_alias = ctx.stage_names.first(raw).is_some_and(|i| i < st.index);
        if earlier_alias || raw.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let Some(image) = expand(raw, &ctx.args) else { continue };
        let (name, tag, digest) = split_image(&image);
        let via =
            if image != *raw { format!(" (`{raw}` expands to `{image}`)") } else { String::new() };
        if digest.is_some() {
            continue;
        }
        match tag {
            None if !name.is_empty() => {
                ctx.push(&UNTAGGED_IMAGE, st.image_span.clone(), format!("`{name}` has no tag{via}, so it means `latest` and changes under you. Pin a version, e.g. `{name}:<version>`."));
            }
            Some("latest") => {
                ctx.push(
                    &LATEST_TAG,
                    st.image_span.clone(),
                    format!(
                        "`{image}` uses `latest`{via}, which changes under you. Pin a version."
                    ),
                );
            }
            _ => {}
        }
    }
}

/// Each RUN (and ONBUILD RUN) against the RUN rules, with the state they need: the
/// stage's SHELL, earlier ENV, the RUN before it.
fn run_instructions(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let mut pipefail_shell = false;
    let mut cur_stage = None;
    let mut pip_no_cache_env = false;
    let mut prev_run: Option<(usize, usize)> = None; // (instruction idx, commands)
    // Whether each stage is the base image of a later stage (computed once: linear).
    let mut last_use: std::collections::HashMap<String, usize> = Default::default();
    for st in &df.stages {
        last_use.insert(st.image.to_ascii_lowercase(), st.index);
    }
    let base_of_later: Vec<bool> = df
        .stages
        .iter()
        .map(|st| {
            st.name.as_deref().is_some_and(|n| {
                last_use.get(&n.to_ascii_lowercase()).is_some_and(|&j| j > st.index)
            })
        })
        .collect();
    let cmds_of = std::mem::take(&mut ctx.cmds);
    for (idx, inst) in df.instructions.iter().enumerate() {
        if inst.stage != cur_stage {
            cur_stage = inst.stage;
            pipefail_shell = false;
            prev_run = None;
        }
        match inst.kind {
            Kind::Shell => {
                if let Some(j) = &inst.args.json {
                    let vals: Vec<&str> = j.iter().map(|w| w.value.as_str()).collect();
                    let exe =
                        vals.first().map_or("", |v| v.rsplit(['/', '\\']).next().unwrap_or(v));
                    pipefail_shell = vals.windows(2).any(|w| w[0] == "-o" && w[1] == "pipefail")
                        || vals.iter().any(|v| {
                            v.starts_with('-')
                                && !v.starts_with("--")
                                && v.contains('o')
                                && vals.contains(&"pipefail")
                        })
                        || matches!(
                            exe,
                            "pwsh"
                                | "powershell"
                                | "cmd"
                                | "cmd.exe"
                                | "powershell.exe"
                                | "pwsh.exe"
                        );
                }
            }
            Kind::Env | Kind::Arg => {
                if inst.args.words.iter().any(|w| w.value.starts_with("PIP_NO_CACHE_DIR")) {
                    pip_no_cache_env = true;
                }
            }
            _ => {}
        }
        let onbuild_run = inst.trigger.as_ref().is_some_and(|t| t.kind == Kind::Run);
        if !matches!(inst.kind, Kind::Run) && !onbuild_run {
            // Comments are not instructions, so they do not break a RUN sequence.
            prev_run = None;
            continue;
        }
        let cmds = &cmds_of[idx];
        consecutive_run(ctx, idx, cmds.len(), onbuild_run, prev_run);
        prev_run = if onbuild_run { None } else { Some((idx, cmds.len())) };
        let mount_targets: Vec<String> = inst
            .flags
            .iter()
            .filter(|f| f.name == "mount")
            .filter_map(|f| f.value.as_ref())
            .filter(|v| v.contains("type=cache"))
            .filter_map(|v| {
                v.split(',')
                    .find_map(|kv| {
                        kv.strip_prefix("target=")
                            .or(kv.strip_prefix("dst="))
                            .or(kv.strip_prefix("destination="))
                    })
                    .map(str::to_string)
            })
            .collect();

        let run = Run {
            inst,
            cmds,
            mount_targets,
            pip_no_cache_env,
            pipefail_shell,
            stage_matters: inst.stage.is_some_and(|s| s + 1 == df.stages.len() || base_of_later[s]),
        };
        sudo(ctx, &run);
        cd_in_run(ctx, &run);
        pipefail(ctx, &run);
        packages::check(ctx, &run);
    }
    ctx.cmds = cmds_of;
}

/// Consecutive RUNs (as hadolint 2.15: same flags, each a single command; RUNs that
/// chain commands were split on purpose).
fn consecutive_run(
    ctx: &mut Ctx<'_>,
    idx: usize,
    count: usize,
    onbuild_run: bool,
    prev_run: Option<(usize, usize)>,
) {
    let (df, text) = (ctx.df, ctx.text);
    let inst = &df.instructions[idx];
    let flags_key: Vec<&str> = inst.flags.iter().map(|f| &text[f.span.clone()]).collect();
    if let Some((p, pc)) = prev_run {
        let pflags: Vec<&str> =
            df.instructions[p].flags.iter().map(|f| &text[f.span.clone()]).collect();
        if !onbuild_run && pflags == flags_key && count <= 1 && pc <= 1 {
            ctx.push(
                &CONSECUTIVE_RUN,
                inst.keyword_span.clone(),
                format!(
                    "This RUN follows another (line {}): each RUN is a layer; join them with `&&`.",
                    ctx.line(df.instructions[p].span.start)
                ),
            );
        }
    }
}

fn sudo(ctx: &mut Ctx<'_>, run: &Run) {
    for c in run.cmds {
        if c.words.first().is_some_and(|x| x.value == "sudo") {
            ctx.push(&SUDO, c.words[0].span.clone(), "RUN already runs as root (or as USER); `sudo` adds a TTY/password prompt risk. Drop `sudo`, or switch with USER.");
        }
    }
}

fn cd_in_run(ctx: &mut Ctx<'_>, run: &Run) {
    for c in run.cmds {
        if let Some(first) = c.unwrapped().first()
            && first.value.rsplit('/').next() == Some("cd")
        {
            ctx.push(&CD_IN_RUN, first.span.clone(), "`cd` lasts only for this RUN; use `WORKDIR /path` to change directory for the following instructions.");
        }
    }
}

fn pipefail(ctx: &mut Ctx<'_>, run: &Run) {
    let has_pipe = run.cmds.iter().any(|c| c.sep == Sep::Pipe);
    let sets_pipefail = run.cmds.iter().any(|c| {
        let w = c.unwrapped();
        w.first().is_some_and(|f| f.value.rsplit('/').next() == Some("set"))
            && w.iter().any(|x| x.value == "pipefail" || x.value.contains("pipefail"))
    });
    if has_pipe && !run.pipefail_shell && !sets_pipefail && run.inst.args.json.is_none() {
        ctx.push(&PIPEFAIL, run.inst.keyword_span.clone(), "A pipe's status is its last command's, so a failing first command goes unnoticed. Put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (or start it with `set -o pipefail &&` in bash).");
    }
}

/// ADD for local files.
fn add_instead_of_copy(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    for inst in &df.instructions {
        if inst.kind != Kind::Add {
            continue;
        }
        let items: Vec<&Word> = match &inst.args.json {
            Some(j) => j.iter().collect(),
            None => inst.args.words.iter().collect(),
        };
        if items.len() < 2 || !inst.heredocs.is_empty() {
            continue;
        }
        let srcs = &items[..items.len() - 1];
        let remote_or_archive = srcs.iter().any(|w| {
            let v = w.value.to_ascii_lowercase();
            v.contains("://")
                || v.starts_with("git@")
                || [
                    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz",
                    ".tar.zst", ".gz", ".bz2", ".xz", ".zst", ".tb2", ".taz", ".tz2", ".lz",
                    ".lzma", ".tlz", ".z", ".tar.z",
                ]
                .iter()
                .any(|e| v.ends_with(e))
                || v.contains('$')
        });
        if !remote_or_archive
            && !inst.flags.iter().any(|f| f.name == "checksum" || f.name == "keep-git-dir")
        {
            let f = ctx.push(&ADD_INSTEAD_OF_COPY, inst.keyword_span.clone(), "ADD of local files behaves like COPY but also extracts archives and fetches URLs; use COPY to say what you mean.");
            f.fixes.push(Fix::replace(
                "Use COPY",
                inst.keyword_span.clone(),
                if inst.keyword.chars().all(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" },
            ));
        }
    }
}
