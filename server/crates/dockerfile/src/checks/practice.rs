//! Good practice (hadolint's ground).

use super::*;
use crate::rules::Code;
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

pub(crate) const APK_NO_CACHE: Rule = Rule {
    explanation: "`apk add` without `--no-cache` keeps the package index in the layer. Use `apk add --no-cache`.",
    aliases: &["DL3019"],
    ..Rule::new("docker/apk-no-cache", Severity::Info, "`apk add` without `--no-cache`.")
};

pub(crate) const APT_GET_MISSING_YES: Rule = Rule {
    explanation: "`apt-get install` without `-y` asks for confirmation; in a build there is nobody to answer and the build fails. Add `-y`.",
    aliases: &["DL3014"],
    ..Rule::new(
        "docker/apt-get-missing-yes",
        Severity::Warning,
        "`apt-get install` without `-y` stops at the prompt.",
    )
};

pub(crate) const APT_LISTS_NOT_CLEANED: Rule = Rule {
    explanation: "`apt-get update` leaves package lists in /var/lib/apt/lists, tens of MB in the layer. End the same RUN with `&& rm -rf /var/lib/apt/lists/*`.",
    aliases: &["DL3009"],
    ..Rule::new(
        "docker/apt-lists-not-cleaned",
        Severity::Info,
        "`apt-get update` without removing /var/lib/apt/lists.",
    )
};

pub(crate) const APT_MISSING_NO_INSTALL_RECOMMENDS: Rule = Rule {
    explanation: "Without `--no-install-recommends`, apt installs recommended packages too, which often doubles the image size for nothing the build needs. Add the flag and list what you need explicitly.",
    aliases: &["DL3015"],
    ..Rule::new(
        "docker/apt-missing-no-install-recommends",
        Severity::Info,
        "`apt-get install` without `--no-install-recommends`.",
    )
};

pub(crate) const CD_IN_RUN: Rule = Rule {
    explanation: "`cd` in a RUN only lasts for that RUN, which makes later instructions easy to misread. Use WORKDIR to change directory.",
    aliases: &["DL3003"],
    ..Rule::new("docker/cd-in-run", Severity::Info, "`cd` in RUN instead of WORKDIR.")
};

pub(crate) const CONDA_NO_CLEAN: Rule = Rule {
    explanation: "conda keeps package tarballs and caches in the layer (often GBs). End the same RUN with `&& conda clean -afy`.",
    ..Rule::new(
        "docker/conda-no-clean",
        Severity::Info,
        "`conda install` without `conda clean` in the same RUN.",
    )
};

pub(crate) const CONSECUTIVE_RUN: Rule = Rule {
    explanation: "Consecutive RUNs each make a layer; files deleted in a later RUN still take space in the earlier layer. Join them with `&&` when they belong together.",
    aliases: &["DL3059"],
    ..Rule::new("docker/consecutive-run", Severity::Info, "Consecutive RUNs that could be one.")
};

pub(crate) const DNF_MISSING_YES: Rule = Rule {
    explanation: "`dnf install` without `-y` asks for confirmation and the build fails. Add `-y`.",
    aliases: &["DL3038"],
    ..Rule::new("docker/dnf-missing-yes", Severity::Warning, "`dnf install` without `-y`.")
};

pub(crate) const DNF_NO_CLEAN: Rule = Rule {
    explanation: "dnf keeps its cache in the layer. End the same RUN with `&& dnf clean all`.",
    aliases: &["DL3040"],
    ..Rule::new("docker/dnf-no-clean", Severity::Info, "`dnf install` without `dnf clean all`.")
};

pub(crate) const LATEST_TAG: Rule = Rule {
    explanation: "`:latest` is whatever was pushed last, so builds are not reproducible and may break without a change on your side. Pin a version tag (or a digest).",
    aliases: &["DL3007"],
    ..Rule::new("docker/latest-tag", Severity::Warning, "Base image tagged `latest`.")
};

pub(crate) const PIP_NO_CACHE_DIR: Rule = Rule {
    explanation: "pip keeps downloaded wheels in ~/.cache/pip, which stays in the layer (often hundreds of MB for ML packages). Add `--no-cache-dir` (or set `PIP_NO_CACHE_DIR=1`).",
    aliases: &["DL3042"],
    ..Rule::new(
        "docker/pip-no-cache-dir",
        Severity::Info,
        "`pip install` without `--no-cache-dir`.",
    )
};

pub(crate) const PIP_UNPINNED: Rule = Rule {
    explanation: "A package installed without a version gets whatever is newest at build time, so rebuilding gives a different environment. Pin versions (`torch==2.3.1`) or install from a requirements/lock file.",
    aliases: &["DL3013"],
    ..Rule::new(
        "docker/pip-unpinned",
        Severity::Info,
        "`pip install` of a package without a version.",
    )
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

pub(crate) const USE_APT_GET: Rule = Rule {
    explanation: "`apt` is the interactive front end and warns that its interface is not stable for scripts. Use `apt-get` (or `apt-cache`) in Dockerfiles.",
    aliases: &["DL3027"],
    ..Rule::new(
        "docker/use-apt-get",
        Severity::Warning,
        "`apt` is for people; scripts use `apt-get`.",
    )
};

pub(crate) const YUM_MISSING_YES: Rule = Rule {
    explanation: "`yum install` without `-y` asks for confirmation and the build fails. Add `-y`.",
    aliases: &["DL3030"],
    ..Rule::new("docker/yum-missing-yes", Severity::Warning, "`yum install` without `-y`.")
};

pub(crate) const YUM_NO_CLEAN: Rule = Rule {
    explanation: "yum keeps its cache in the layer. End the same RUN with `&& yum clean all`.",
    aliases: &["DL3032"],
    ..Rule::new("docker/yum-no-clean", Severity::Info, "`yum install` without `yum clean all`.")
};

pub(super) fn practice(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let text = ctx.text;

    // Base images.
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
                ctx.push(st.image_span.clone(), Code::UntaggedImage, format!("`{name}` has no tag{via}, so it means `latest` and changes under you. Pin a version, e.g. `{name}:<version>`."));
            }
            Some("latest") => {
                ctx.push(
                    st.image_span.clone(),
                    Code::LatestTag,
                    format!(
                        "`{image}` uses `latest`{via}, which changes under you. Pin a version."
                    ),
                );
            }
            _ => {}
        }
    }

    // Shell state per stage: does SHELL set pipefail?
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
        let cmds = ctx.cmds[idx].clone();
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

        // Consecutive RUNs (as hadolint 2.15: same flags, each a single command; RUNs
        // that chain commands were split on purpose).
        let count = cmds.len();
        let flags_key: Vec<&str> = inst.flags.iter().map(|f| &text[f.span.clone()]).collect();
        if let Some((p, pc)) = prev_run {
            let pflags: Vec<&str> =
                df.instructions[p].flags.iter().map(|f| &text[f.span.clone()]).collect();
            if !onbuild_run && pflags == flags_key && count <= 1 && pc <= 1 {
                ctx.push(inst.keyword_span.clone(), Code::ConsecutiveRun, format!("This RUN follows another (line {}): each RUN is a layer; join them with `&&`.", ctx.line(df.instructions[p].span.start)));
            }
        }
        prev_run = if onbuild_run { None } else { Some((idx, count)) };

        let mut has_apt_update = false;
        let mut cleans_lists = false;
        let mut conda_install = None;
        let mut conda_clean = false;
        let mut has_pipe = false;
        let mut sets_pipefail = false;
        let mut pkg_installs: Vec<(String, Range<usize>)> = Vec::new();
        let mut pkg_cleans: Vec<String> = Vec::new();
        for c in &cmds {
            if c.sep == Sep::Pipe {
                has_pipe = true;
            }
            let w = c.unwrapped();
            let Some(first) = w.first() else { continue };
            let prog = first.value.rsplit('/').next().unwrap_or("");
            if prog == "set"
                && w.iter().any(|x| x.value == "pipefail" || x.value.contains("pipefail"))
            {
                sets_pipefail = true;
            }
            if c.words.first().is_some_and(|x| x.value == "sudo") {
                ctx.push(c.words[0].span.clone(), Code::Sudo, "RUN already runs as root (or as USER); `sudo` adds a TTY/password prompt risk. Drop `sudo`, or switch with USER.".into());
            }
            if prog == "cd" {
                ctx.push(first.span.clone(), Code::CdInRun, "`cd` lasts only for this RUN; use `WORKDIR /path` to change directory for the following instructions.".into());
            }
            match prog {
                "apt-get" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    let sub_v = sub.map(|x| x.value.as_str());
                    if sub_v == Some("update") {
                        has_apt_update = true;
                    }
                    if sub_v == Some("install") {
                        let sub = sub.expect("checked");
                        let yes =
                            w.iter().any(|x| {
                                let v = x.value.as_str();
                                matches!(
                                    v,
                                    "-y" | "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2"
                                ) || (v.starts_with('-') && !v.starts_with("--") && v.contains('y'))
                            }) || c.assignments.iter().any(|a| a.value.starts_with("APT_GET_YES"));
                        if !yes {
                            let f = ctx.push(sub.span.clone(), Code::AptGetMissingYes, "`apt-get install` asks for confirmation and the build has no terminal: add `-y`.".into());
                            f.fixes.push(Fix::replace(
                                "Add `-y`",
                                sub.span.end..sub.span.end,
                                " -y",
                            ));
                        }
                        let norec = w.iter().any(|x| {
                            x.value == "--no-install-recommends"
                                || x.value.contains("Install-Recommends=false")
                                || x.value.contains("Install-Recommends=0")
                        });
                        if !norec {
                            let f = ctx.push(sub.span.clone(), Code::AptMissingNoInstallRecommends, "`apt-get install` also installs recommended packages, which bloats the image: add `--no-install-recommends`.".into());
                            f.fixes.push(Fix::replace(
                                "Add `--no-install-recommends`",
                                sub.span.end..sub.span.end,
                                " --no-install-recommends",
                            ));
                        }
                    }
                }
                "apt" => {
                    if w[1..].iter().any(|x| x.value == "update") {
                        has_apt_update = true;
                    }
                    let f = ctx.push(
                        first.span.clone(),
                        Code::UseAptGet,
                        "`apt` has no stable command-line interface for scripts; use `apt-get`."
                            .into(),
                    );
                    f.fixes.push(Fix::replace("Use `apt-get`", first.span.clone(), "apt-get"));
                }
                "rm" => {
                    let recursive = w[1..].iter().any(|x| {
                        x.value.starts_with('-') && (x.value.contains('r') || x.value.contains('R'))
                    });
                    if recursive && w[1..].iter().any(|x| x.value.starts_with("/var/lib/apt/lists"))
                    {
                        cleans_lists = true;
                    }
                    if w[1..].iter().any(|x| x.value.starts_with("/var/cache/yum")) {
                        pkg_cleans.push("yum".into());
                    }
                    if w[1..].iter().any(|x| {
                        x.value.starts_with("/var/cache/dnf")
                            || x.value.starts_with("/var/cache/yum")
                    }) {
                        pkg_cleans.push("dnf".into());
                    }
                }
                "yum" | "dnf" | "microdnf" | "tdnf" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    if matches!(
                        sub.map(|x| x.value.as_str()),
                        Some("install" | "groupinstall" | "localinstall" | "reinstall")
                    ) {
                        let sub = sub.expect("checked");
                        let yes = w.iter().any(|x| {
                            matches!(x.value.as_str(), "-y" | "--assumeyes" | "--yes")
                                || (x.value.starts_with('-')
                                    && !x.value.starts_with("--")
                                    && x.value.contains('y'))
                        });
                        let (code, tool) = if prog == "yum" {
                            (Code::YumMissingYes, "yum")
                        } else {
                            (Code::DnfMissingYes, "dnf")
                        };
                        if !yes && prog != "microdnf" {
                            let f = ctx.push(sub.span.clone(), code, format!("`{tool} install` asks for confirmation and the build has no terminal: add `-y`."));
                            f.fixes.push(Fix::replace(
                                "Add `-y`",
                                sub.span.end..sub.span.end,
                                " -y",
                            ));
                        }
                        pkg_installs.push((prog.to_string(), sub.span.clone()));
                    }
                    if sub.is_some_and(|x| x.value == "clean") {
                        pkg_cleans.push(prog.to_string());
                    }
                }
                "apk" => {
                    let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                    if sub.is_some_and(|x| x.value == "add")
                        && !w.iter().any(|x| x.value == "--no-cache")
                        && !mount_targets.iter().any(|t| {
                            t.starts_with("/var/cache/apk") || t.starts_with("/etc/apk/cache")
                        })
                    {
                        let sub = sub.expect("checked");
                        let f = ctx.push(
                            sub.span.clone(),
                            Code::ApkNoCache,
                            "`apk add` keeps its package index in the image: add `--no-cache`."
                                .into(),
                        );
                        f.fixes.push(Fix::replace(
                            "Add `--no-cache`",
                            sub.span.end..sub.span.end,
                            " --no-cache",
                        ));
                    }
                }
                "conda" | "mamba" | "micromamba" => {
                    let sub =
                        w[1..].iter().find(|x| !x.value.starts_with('-')).map(|x| x.value.as_str());
                    if matches!(sub, Some("install" | "create" | "update"))
                        && conda_install.is_none()
                    {
                        conda_install = Some(first.span.clone());
                    }
                    if sub == Some("clean") {
                        conda_clean = true;
                    }
                }
                _ => {}
            }
            if let Some(pip) = pip_install(w) {
                let install = &w[pip];
                let args = &w[pip + 1..];
                let no_cache = args.iter().any(|x| x.value == "--no-cache-dir")
                    || pip_no_cache_env
                    || c.assignments.iter().any(|a| a.value.starts_with("PIP_NO_CACHE_DIR="))
                    || mount_targets
                        .iter()
                        .any(|t| t.contains(".cache/pip") || t.ends_with(".cache"));
                if !no_cache {
                    let f = ctx.push(
                        install.span.clone(),
                        Code::PipNoCacheDir,
                        "pip keeps its download cache in the image: add `--no-cache-dir`.".into(),
                    );
                    f.fixes.push(Fix::replace(
                        "Add `--no-cache-dir`",
                        install.span.end..install.span.end,
                        " --no-cache-dir",
                    ));
                }
                pip_unpinned(ctx, args);
            }
        }
        if has_pipe && !pipefail_shell && !sets_pipefail && inst.args.json.is_none() {
            ctx.push(inst.keyword_span.clone(), Code::Pipefail, "A pipe's status is its last command's, so a failing first command goes unnoticed. Put `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (or start it with `set -o pipefail &&` in bash).".into());
        }
        let lists_cached = mount_targets.iter().any(|t| t.starts_with("/var/lib/apt"));
        let stage_matters =
            inst.stage.is_some_and(|s| s + 1 == df.stages.len() || base_of_later[s]);
        if has_apt_update && !cleans_lists && !lists_cached && stage_matters {
            let f = ctx.push(inst.keyword_span.clone(), Code::AptListsNotCleaned, "`apt-get update` leaves its package lists (tens of MB) in this layer: end this RUN with `&& rm -rf /var/lib/apt/lists/*`.".into());
            if inst.heredocs.is_empty()
                && inst.args.json.is_none()
                && cmds.last().is_some_and(|c| c.sep == Sep::End)
            {
                f.fixes.push(Fix::replace(
                    "Remove the apt lists",
                    inst.args.span.end..inst.args.span.end,
                    " \\\n    && rm -rf /var/lib/apt/lists/*",
                ));
            }
        }
        for (tool, span) in &pkg_installs {
            let family = if tool == "yum" { "yum" } else { "dnf" };
            let cached = mount_targets
                .iter()
                .any(|t| t.starts_with("/var/cache/yum") || t.starts_with("/var/cache/dnf"));
            if !cached
                && !pkg_cleans.iter().any(|c| {
                    c == tool || (family == "dnf" && c != "yum") || (family == "yum" && c == "yum")
                })
            {
                let code = if family == "yum" { Code::YumNoClean } else { Code::DnfNoClean };
                ctx.push(span.clone(), code, format!("`{tool} install` leaves its cache in this layer: end this RUN with `&& {tool} clean all`."));
            }
        }
        if let Some(span) = conda_install
            && !conda_clean
        {
            ctx.push(span, Code::CondaNoClean, "conda keeps downloaded packages and tarballs in the image: end this RUN with `&& conda clean -afy`.".into());
        }
    }

    // ADD for local files.
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
            let f = ctx.push(inst.keyword_span.clone(), Code::AddInsteadOfCopy, "ADD of local files behaves like COPY but also extracts archives and fetches URLs; use COPY to say what you mean.".into());
            f.fixes.push(Fix::replace(
                "Use COPY",
                inst.keyword_span.clone(),
                if inst.keyword.chars().all(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" },
            ));
        }
    }
}

/// Index of `install` if the words are a `pip install` (pip, pip3, pip3.11,
/// `python -m pip`, `uv pip`).
pub(super) fn pip_install(w: &[shell::ShWord]) -> Option<usize> {
    let prog = w.first()?.value.rsplit('/').next()?;
    let is_pip = |s: &str| s == "pip" || s.starts_with("pip3") || s.starts_with("pip2");
    let mut i = if is_pip(prog) {
        1
    } else if prog.starts_with("python") {
        let m = w.iter().position(|x| x.value == "-m")?;
        if !w.get(m + 1).is_some_and(|x| is_pip(&x.value)) {
            return None;
        }
        m + 2
    } else {
        return None;
    };
    while w.get(i).is_some_and(|x| x.value.starts_with('-')) {
        i += 1;
    }
    (w.get(i)?.value == "install").then_some(i)
}

fn pip_unpinned(ctx: &mut Ctx<'_>, args: &[shell::ShWord]) {
    let mut skip_next = false;
    for (k, a) in args.iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        let v = a.value.as_str();
        if v.starts_with('-') {
            // Options taking a value: skip it. `-r/-c/-e` make the rest not packages.
            if matches!(
                v,
                "-r" | "--requirement"
                    | "-c"
                    | "--constraint"
                    | "-e"
                    | "--editable"
                    | "-i"
                    | "--index-url"
                    | "--extra-index-url"
                    | "-f"
                    | "--find-links"
                    | "--target"
                    | "-t"
                    | "--prefix"
                    | "--root"
                    | "--platform"
                    | "--python-version"
                    | "--implementation"
                    | "--abi"
                    | "--trusted-host"
                    | "--src"
                    | "--upgrade-strategy"
                    | "--progress-bar"
                    | "--cache-dir"
                    | "--log"
                    | "--proxy"
                    | "--timeout"
                    | "--retries"
                    | "--config-settings"
                    | "-C"
                    | "--global-option"
                    | "--no-binary"
                    | "--only-binary"
            ) {
                skip_next = true;
            }
            continue;
        }
        let _ = k;
        let is_pkg_spec = !v.contains('/')
            && !v.starts_with('.')
            && !v.contains("://")
            && !v.ends_with(".whl")
            && !v.ends_with(".tar.gz")
            && !v.ends_with(".zip");
        if !is_pkg_spec {
            continue;
        }
        if !v.contains(['=', '<', '>', '~', '@', '!']) {
            ctx.push(a.span.clone(), Code::PipUnpinned, format!("`{v}` has no version, so rebuilds may install a different one: pin it, e.g. `{v}==<version>` (or use a requirements file)."));
        }
    }
}
