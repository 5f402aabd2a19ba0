//! Package managers in RUN: apt-get, yum/dnf, apk, conda, pip (hadolint's ground).

use super::*;
use clusterls_core::Rule;

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

pub(crate) const CONDA_NO_CLEAN: Rule = Rule {
    explanation: "conda keeps package tarballs and caches in the layer (often GBs). End the same RUN with `&& conda clean -afy`.",
    ..Rule::new(
        "docker/conda-no-clean",
        Severity::Info,
        "`conda install` without `conda clean` in the same RUN.",
    )
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

pub(super) fn check(ctx: &mut Ctx<'_>, run: &Run) {
    apt_get_install(ctx, run);
    use_apt_get(ctx, run);
    apt_lists_not_cleaned(ctx, run);
    yum_dnf(ctx, run);
    apk_no_cache(ctx, run);
    conda_no_clean(ctx, run);
    pip(ctx, run);
}

/// The commands with their program name (`/usr/bin/apt-get` → `apt-get`).
fn programs<'r>(run: &'r Run) -> impl Iterator<Item = (&'r Command, &'r [shell::ShWord], &'r str)> {
    run.cmds.iter().filter_map(|c| {
        let w = c.unwrapped();
        let prog = w.first()?.value.rsplit('/').next().unwrap_or("");
        Some((c, w, prog))
    })
}

fn apt_get_install(ctx: &mut Ctx<'_>, run: &Run) {
    for (c, w, prog) in programs(run) {
        if prog != "apt-get" {
            continue;
        }
        let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
        let sub_v = sub.map(|x| x.value.as_str());
        if sub_v == Some("install") {
            let sub = sub.expect("checked");
            let yes = w.iter().any(|x| {
                let v = x.value.as_str();
                matches!(v, "-y" | "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2")
                    || (v.starts_with('-') && !v.starts_with("--") && v.contains('y'))
            }) || c.assignments.iter().any(|a| a.value.starts_with("APT_GET_YES"));
            if !yes {
                let f = ctx.push(&APT_GET_MISSING_YES, sub.span.clone(), "`apt-get install` asks for confirmation and the build has no terminal: add `-y`.");
                f.fixes.push(Fix::replace("Add `-y`", sub.span.end..sub.span.end, " -y"));
            }
            let norec = w.iter().any(|x| {
                x.value == "--no-install-recommends"
                    || x.value.contains("Install-Recommends=false")
                    || x.value.contains("Install-Recommends=0")
            });
            if !norec {
                let f = ctx.push(&APT_MISSING_NO_INSTALL_RECOMMENDS, sub.span.clone(), "`apt-get install` also installs recommended packages, which bloats the image: add `--no-install-recommends`.");
                f.fixes.push(Fix::replace(
                    "Add `--no-install-recommends`",
                    sub.span.end..sub.span.end,
                    " --no-install-recommends",
                ));
            }
        }
    }
}

fn use_apt_get(ctx: &mut Ctx<'_>, run: &Run) {
    for (_, w, prog) in programs(run) {
        if prog == "apt" {
            let first = &w[0];
            let f = ctx.push(
                &USE_APT_GET,
                first.span.clone(),
                "`apt` has no stable command-line interface for scripts; use `apt-get`.",
            );
            f.fixes.push(Fix::replace("Use `apt-get`", first.span.clone(), "apt-get"));
        }
    }
}

fn apt_lists_not_cleaned(ctx: &mut Ctx<'_>, run: &Run) {
    let mut has_apt_update = false;
    let mut cleans_lists = false;
    for (_, w, prog) in programs(run) {
        match prog {
            "apt-get" => {
                let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
                if sub.is_some_and(|x| x.value == "update") {
                    has_apt_update = true;
                }
            }
            "apt" if w[1..].iter().any(|x| x.value == "update") => has_apt_update = true,
            "rm" => {
                let recursive = w[1..].iter().any(|x| {
                    x.value.starts_with('-') && (x.value.contains('r') || x.value.contains('R'))
                });
                if recursive && w[1..].iter().any(|x| x.value.starts_with("/var/lib/apt/lists")) {
                    cleans_lists = true;
                }
            }
            _ => {}
        }
    }
    let inst = run.inst;
    let lists_cached = run.mount_targets.iter().any(|t| t.starts_with("/var/lib/apt"));
    if has_apt_update && !cleans_lists && !lists_cached && run.stage_matters {
        let f = ctx.push(&APT_LISTS_NOT_CLEANED, inst.keyword_span.clone(), "`apt-get update` leaves its package lists (tens of MB) in this layer: end this RUN with `&& rm -rf /var/lib/apt/lists/*`.");
        if inst.heredocs.is_empty()
            && inst.args.json.is_none()
            && run.cmds.last().is_some_and(|c| c.sep == Sep::End)
        {
            f.fixes.push(Fix::replace(
                "Remove the apt lists",
                inst.args.span.end..inst.args.span.end,
                " \\\n    && rm -rf /var/lib/apt/lists/*",
            ));
        }
    }
}

fn yum_dnf(ctx: &mut Ctx<'_>, run: &Run) {
    let mut pkg_installs: Vec<(String, Range<usize>)> = Vec::new();
    let mut pkg_cleans: Vec<String> = Vec::new();
    for (_, w, prog) in programs(run) {
        match prog {
            "rm" => {
                if w[1..].iter().any(|x| x.value.starts_with("/var/cache/yum")) {
                    pkg_cleans.push("yum".into());
                }
                if w[1..].iter().any(|x| {
                    x.value.starts_with("/var/cache/dnf") || x.value.starts_with("/var/cache/yum")
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
                        (&YUM_MISSING_YES, "yum")
                    } else {
                        (&DNF_MISSING_YES, "dnf")
                    };
                    if !yes && prog != "microdnf" {
                        let f = ctx.push(code, sub.span.clone(), format!("`{tool} install` asks for confirmation and the build has no terminal: add `-y`."));
                        f.fixes.push(Fix::replace("Add `-y`", sub.span.end..sub.span.end, " -y"));
                    }
                    pkg_installs.push((prog.to_string(), sub.span.clone()));
                }
                if sub.is_some_and(|x| x.value == "clean") {
                    pkg_cleans.push(prog.to_string());
                }
            }
            _ => {}
        }
    }
    let mount_targets = &run.mount_targets;
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
            let code = if family == "yum" { &YUM_NO_CLEAN } else { &DNF_NO_CLEAN };
            ctx.push(code, span.clone(), format!("`{tool} install` leaves its cache in this layer: end this RUN with `&& {tool} clean all`."));
        }
    }
}

fn apk_no_cache(ctx: &mut Ctx<'_>, run: &Run) {
    let mount_targets = &run.mount_targets;
    for (_, w, prog) in programs(run) {
        if prog != "apk" {
            continue;
        }
        let sub = w[1..].iter().find(|x| !x.value.starts_with('-'));
        if sub.is_some_and(|x| x.value == "add")
            && !w.iter().any(|x| x.value == "--no-cache")
            && !mount_targets
                .iter()
                .any(|t| t.starts_with("/var/cache/apk") || t.starts_with("/etc/apk/cache"))
        {
            let sub = sub.expect("checked");
            let f = ctx.push(
                &APK_NO_CACHE,
                sub.span.clone(),
                "`apk add` keeps its package index in the image: add `--no-cache`.",
            );
            f.fixes.push(Fix::replace(
                "Add `--no-cache`",
                sub.span.end..sub.span.end,
                " --no-cache",
            ));
        }
    }
}

fn conda_no_clean(ctx: &mut Ctx<'_>, run: &Run) {
    let mut conda_install = None;
    let mut conda_clean = false;
    for (_, w, prog) in programs(run) {
        if matches!(prog, "conda" | "mamba" | "micromamba") {
            let sub = w[1..].iter().find(|x| !x.value.starts_with('-')).map(|x| x.value.as_str());
            if matches!(sub, Some("install" | "create" | "update")) && conda_install.is_none() {
                conda_install = Some(w[0].span.clone());
            }
            if sub == Some("clean") {
                conda_clean = true;
            }
        }
    }
    if let Some(span) = conda_install
        && !conda_clean
    {
        ctx.push(&CONDA_NO_CLEAN, span, "conda keeps downloaded packages and tarballs in the image: end this RUN with `&& conda clean -afy`.");
    }
}

fn pip(ctx: &mut Ctx<'_>, run: &Run) {
    let (pip_no_cache_env, mount_targets) = (run.pip_no_cache_env, &run.mount_targets);
    for c in run.cmds {
        let w = c.unwrapped();
        if w.is_empty() {
            continue;
        }
        if let Some(pip) = pip_install(w) {
            let install = &w[pip];
            let args = &w[pip + 1..];
            let no_cache = args.iter().any(|x| x.value == "--no-cache-dir")
                || pip_no_cache_env
                || c.assignments.iter().any(|a| a.value.starts_with("PIP_NO_CACHE_DIR="))
                || mount_targets.iter().any(|t| t.contains(".cache/pip") || t.ends_with(".cache"));
            if !no_cache {
                let f = ctx.push(
                    &PIP_NO_CACHE_DIR,
                    install.span.clone(),
                    "pip keeps its download cache in the image: add `--no-cache-dir`.",
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
            ctx.push(&PIP_UNPINNED, a.span.clone(), format!("`{v}` has no version, so rebuilds may install a different one: pin it, e.g. `{v}==<version>` (or use a requirements file)."));
        }
    }
}
