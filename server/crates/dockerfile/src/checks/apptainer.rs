//! What Apptainer/Singularity does with each instruction.

use super::packages::pip_install;
use super::*;
use clusterls_core::Rule;

pub(crate) const CMD_BYPASSED: Rule = Rule {
    explanation: "`apptainer exec IMAGE cmd` runs the given command, not CMD (only `apptainer run` without arguments uses it). Give the command explicitly.",
    ..Rule::new("apptainer/cmd-bypassed", Severity::Info, "`apptainer exec` bypasses CMD.")
};

pub(crate) const ENTRYPOINT_BYPASSED: Rule = Rule {
    explanation: "`apptainer exec IMAGE cmd` runs `cmd` directly and never the ENTRYPOINT (only `apptainer run` uses it). If the entrypoint sets things up (conda activate, environment), do that in the command or in ENV.",
    ..Rule::new(
        "apptainer/entrypoint-bypassed",
        Severity::Info,
        "`apptainer exec` bypasses ENTRYPOINT.",
    )
};

pub(crate) const EXPOSE_NO_EFFECT: Rule = Rule {
    explanation: "Apptainer shares the host's network: there is no port mapping, and EXPOSE does nothing. The program listens on the node's port directly.",
    ..Rule::new(
        "apptainer/expose-no-effect",
        Severity::Info,
        "EXPOSE has no effect under Apptainer.",
    )
};

pub(crate) const HEALTHCHECK_NO_EFFECT: Rule = Rule {
    explanation: "Apptainer has no health checks: HEALTHCHECK is ignored. Monitor the job through Slurm instead.",
    ..Rule::new(
        "apptainer/healthcheck-no-effect",
        Severity::Info,
        "HEALTHCHECK has no effect under Apptainer.",
    )
};

pub(crate) const HOME_BOUND_OVER: Rule = Rule {
    explanation: "Apptainer binds the user's home directory (and often /root is inaccessible), so files the build put under /root or /home are hidden at run time. Install into /opt or /usr/local instead.",
    ..Rule::new(
        "apptainer/home-bound-over",
        Severity::Warning,
        "Files under /root or /home are hidden at run time.",
    )
};

pub(crate) const HOST_ENV_LEAKS: Rule = Rule {
    explanation: "Apptainer passes the host's environment and binds $HOME, so ~/.local packages and variables like PYTHONPATH from the host leak into the container and shadow what the image installed. Run with `--cleanenv` / `--no-home`, or set the variables in the image.",
    ..Rule::new(
        "apptainer/host-env-leaks",
        Severity::Info,
        "The host environment and ~/.local leak into the container.",
    )
};

pub(crate) const PIP_USER: Rule = Rule {
    explanation: "`pip install --user` installs into the build user's home, which Apptainer replaces with the real home at run time, so the packages vanish. Install system-wide (no `--user`) or into a virtualenv under /opt.",
    ..Rule::new(
        "apptainer/pip-user",
        Severity::Warning,
        "`pip install --user` goes to a home that is replaced at run time.",
    )
};

pub(crate) const READ_ONLY_IMAGE: Rule = Rule {
    explanation: "A SIF image is read-only at run time: a program that writes into the image's directories (caches, logs, downloads) fails with `Read-only file system`. Point such paths at /tmp, $HOME or a bound directory (e.g. set the cache variable with ENV).",
    ..Rule::new(
        "apptainer/read-only-image",
        Severity::Warning,
        "The image is read-only at run time.",
    )
};

pub(crate) const STOPSIGNAL_NO_EFFECT: Rule = Rule {
    explanation: "Apptainer does not read STOPSIGNAL; Slurm signals the job as configured (`--signal`). Remove it, or use `#SBATCH --signal`.",
    ..Rule::new(
        "apptainer/stopsignal-no-effect",
        Severity::Info,
        "STOPSIGNAL has no effect under Apptainer.",
    )
};

pub(crate) const USER_IGNORED: Rule = Rule {
    explanation: "Apptainer/Singularity runs the container as the user who starts it; USER from the Dockerfile is ignored. Do not rely on it for permissions: make the files the program needs readable by everyone.",
    ..Rule::new("apptainer/user-ignored", Severity::Info, "Apptainer ignores USER.")
};

pub(crate) const VOLUME_NO_EFFECT: Rule = Rule {
    explanation: "Apptainer images are read-only files and VOLUME creates nothing; data goes through bind mounts (`--bind host:container`). Remove VOLUME or bind the directory at run time.",
    ..Rule::new(
        "apptainer/volume-no-effect",
        Severity::Info,
        "VOLUME has no effect under Apptainer.",
    )
};

pub(crate) const WORKDIR_IGNORED: Rule = Rule {
    explanation: "`apptainer exec` starts in the current host directory (which is bound in), not in WORKDIR. Use absolute paths in the command, or `--pwd DIR`.",
    ..Rule::new(
        "apptainer/workdir-ignored",
        Severity::Info,
        "`apptainer exec` does not honour WORKDIR.",
    )
};

const CACHE_VARS: &[&str] = &[
    "HF_HOME",
    "HF_DATASETS_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "TORCH_HOME",
    "TORCH_EXTENSIONS_DIR",
    "XDG_CACHE_HOME",
    "MPLCONFIGDIR",
    "WANDB_DIR",
    "WANDB_CACHE_DIR",
    "TRITON_CACHE_DIR",
    "NUMBA_CACHE_DIR",
    "CUDA_CACHE_PATH",
    "JUPYTER_RUNTIME_DIR",
    "TFHUB_CACHE_DIR",
    "KERAS_HOME",
    "DATA_DIR",
    "OUTPUT_DIR",
];

fn home_path(v: &str) -> bool {
    let v = v.trim_matches(['"', '\'']);
    v == "/root"
        || v.starts_with("/root/")
        || v.starts_with("/home/")
        || v == "/home"
        || v.starts_with("~/")
        || v == "~"
        || v.starts_with("$HOME")
        || v.starts_with("${HOME}")
}

pub(super) fn apptainer(ctx: &mut Ctx<'_>) {
    runtime_metadata(ctx);
    image_content(ctx);
}

/// What Apptainer does with the final stage's runtime metadata (USER, WORKDIR, EXPOSE,
/// VOLUME, HEALTHCHECK, STOPSIGNAL, ENTRYPOINT, CMD).
fn runtime_metadata(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let Some(last) = df.stages.len().checked_sub(1) else { return };
    let final_insts: Vec<usize> = df.stages[last].instructions.clone().collect();
    // The last instruction of each kind in the final stage (the one that takes effect).
    let mut last_of_kind: std::collections::HashMap<Kind, usize> = Default::default();
    for &i in &final_insts {
        last_of_kind.insert(df.instructions[i].kind, i);
    }
    let last_of = |i: usize| last_of_kind.get(&df.instructions[i].kind) == Some(&i);
    let mut last_workdir = None;
    for &i in &final_insts {
        let inst = &df.instructions[i];
        let at = inst.keyword_span.clone();
        match inst.kind {
            Kind::User => {
                let who = inst.args.text.trim();
                ctx.push(&USER_IGNORED, at, format!("Apptainer ignores USER: the container runs as your own cluster user, not `{who}`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `{who}`."));
            }
            Kind::Workdir => last_workdir = Some(i),
            Kind::Expose => {
                ctx.push(&EXPOSE_NO_EFFECT, at, "EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job).");
            }
            Kind::Volume => {
                ctx.push(&VOLUME_NO_EFFECT, at, "VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`.");
            }
            Kind::Healthcheck if last_of(i) => {
                ctx.push(&HEALTHCHECK_NO_EFFECT, at, "HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.");
            }
            Kind::Stopsignal => {
                ctx.push(&STOPSIGNAL_NO_EFFECT, at, "STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal.");
            }
            Kind::Entrypoint if last_of(i) => {
                ctx.push(&ENTRYPOINT_BYPASSED, at, "`apptainer exec IMAGE cmd` runs cmd directly and skips ENTRYPOINT (only `apptainer run` uses it). If it sets things up (activating an environment, exporting variables), do that with ENV so every command gets it.");
            }
            Kind::Cmd if last_of(i) => {
                ctx.push(&CMD_BYPASSED, at, "`apptainer exec` ignores CMD: it is only the default for `apptainer run`. Give the command explicitly in the job script.");
            }
            _ => {}
        }
    }
    if let Some(i) = last_workdir {
        let inst = &df.instructions[i];
        let dir = inst.args.text.trim().to_string();
        let mut msg = format!(
            "`apptainer exec` starts in your current host directory, not in WORKDIR `{dir}`: pass `--pwd {dir}` (or `cd {dir}` in the job's command)."
        );
        if home_path(&dir) {
            msg.push_str(" Also, this path is under a home directory, which Apptainer replaces with your host home.");
        }
        ctx.push(&WORKDIR_IGNORED, inst.keyword_span.clone(), msg);
    }
}

/// What the final image holds: files under home directories, `pip --user`, writes
/// into the read-only image, and the host environment leaking in.
fn image_content(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let mut first_python_install: Option<usize> = None;
    let mut nousersite = false;
    for (idx, inst) in df.instructions.iter().enumerate() {
        if !ctx.in_final(inst) {
            continue;
        }
        match inst.kind {
            Kind::Copy | Kind::Add => {
                let items: Vec<&Word> = match &inst.args.json {
                    Some(j) => j.iter().collect(),
                    None => inst.args.words.iter().collect(),
                };
                if items.len() >= 2
                    && let Some(dest) = items.last()
                    && home_path(&dest.value)
                {
                    ctx.push(
                        &HOME_BOUND_OVER,
                        dest.span.clone(),
                        home_message(&dest.value, "files copied there"),
                    );
                }
            }
            Kind::Workdir if ctx.is_final_stage(inst) => {}
            Kind::Env => {
                for w in &inst.args.words {
                    let Some((k, v)) = w.value.split_once('=') else { continue };
                    if k == "PYTHONNOUSERSITE" && !v.is_empty() {
                        nousersite = true;
                    }
                    if CACHE_VARS.contains(&k)
                        && v.starts_with('/')
                        && !v.starts_with("/tmp")
                        && !v.starts_with("/scratch")
                        && !v.starts_with("/dev/shm")
                        && !home_path(v)
                    {
                        ctx.push(&READ_ONLY_IMAGE, w.span.clone(), format!("`{k}` points into the image ({v}), which is read-only under Apptainer, so writes there fail at run time. Point it at $HOME, /tmp or a directory you --bind (e.g. a scratch path)."));
                    }
                    if k == "PATH" && v.split(':').any(home_path) {
                        ctx.push(
                            &HOME_BOUND_OVER,
                            w.span.clone(),
                            home_message(v, "programs on this PATH"),
                        );
                    }
                }
            }
            Kind::Run => {
                let cmds = ctx.cmds[idx].clone();
                let mut flagged_home = false;
                for c in &cmds {
                    let w = c.unwrapped();
                    let Some(first) = w.first() else { continue };
                    let prog = first.value.rsplit('/').next().unwrap_or("");
                    if pip_install(w).is_some() || matches!(prog, "conda" | "mamba" | "micromamba")
                    {
                        first_python_install.get_or_insert(idx);
                    }
                    if let Some(p) = pip_install(w) {
                        for x in &w[p + 1..] {
                            if x.value == "--user" {
                                let range = with_following_space(ctx.text, x.span.clone());
                                let f = ctx.push(&PIP_USER, x.span.clone(), "`pip install --user` installs into ~/.local of the build user; under Apptainer $HOME is your host home, so these packages vanish. Drop `--user` (install system-wide or into a venv under /opt).");
                                f.fixes.push(Fix::replace("Remove `--user`", range, ""));
                            }
                        }
                    }
                    if prog == "chmod"
                        && w[1..].iter().any(|x| {
                            let m = x.value.as_str();
                            m.ends_with("777")
                                || m.ends_with("666")
                                || m.contains("a+w")
                                || m.contains("o+w")
                                || m == "+w"
                                || m.contains("ugo+w")
                        })
                        && let Some(target) = w[1..]
                            .iter()
                            .rev()
                            .find(|x| x.value.starts_with('/') && !x.value.starts_with("/tmp"))
                    {
                        ctx.push(&READ_ONLY_IMAGE, target.span.clone(), format!("Making {} writable does not help under Apptainer: the image is read-only at run time. Write to $HOME, /tmp or a host directory bound there with `--bind /scratch/...:{}` (or run with --writable-tmpfs for scratch space).", target.value, target.value));
                    }
                    if flagged_home
                        || matches!(
                            prog,
                            "rm" | "echo"
                                | "printf"
                                | "test"
                                | "["
                                | "ls"
                                | "cat"
                                | "chmod"
                                | "chown"
                        )
                    {
                        // Cleanups and reads do not leave files behind.
                        if matches!(prog, "echo" | "printf") {
                            // `echo ... >> ~/.bashrc`: the redirection target is the next word.
                            if let Some(t) = w
                                .iter()
                                .position(|x| x.value == ">>" || x.value == ">")
                                .and_then(|p| w.get(p + 1))
                                && home_path(&t.value)
                                && !flagged_home
                            {
                                ctx.push(
                                    &HOME_BOUND_OVER,
                                    t.span.clone(),
                                    home_message(&t.value, "this file"),
                                );
                                flagged_home = true;
                            }
                        }
                        continue;
                    }
                    // Miniconda/Miniforge installers default to ~/miniconda3 without -p.
                    if (prog == "bash" || prog == "sh")
                        && w.get(1).is_some_and(|x| {
                            let v = x.value.to_ascii_lowercase();
                            (v.contains("conda")
                                || v.contains("miniforge")
                                || v.contains("mambaforge"))
                                && v.ends_with(".sh")
                        })
                        && !w.iter().any(|x| x.value == "-p")
                    {
                        ctx.push(&HOME_BOUND_OVER, w[1].span.clone(), "The conda installer without `-p` installs into ~/miniconda3 (/root/...), which is hidden under Apptainer (your host home is mounted as $HOME). Install with `-b -p /opt/conda`.");
                        flagged_home = true;
                        continue;
                    }
                    for x in &w[1..] {
                        let v = x.value.trim_start_matches('-');
                        let v = v.split_once('=').map_or(v, |(_, b)| b);
                        if home_path(v) && !v.contains(".cache") {
                            ctx.push(
                                &HOME_BOUND_OVER,
                                x.span.clone(),
                                home_message(v, "what this installs there"),
                            );
                            flagged_home = true;
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(idx) = first_python_install
        && !nousersite
    {
        let inst = &df.instructions[idx];
        let line_start = ctx.text[..inst.span.start].rfind('\n').map_or(0, |i| i + 1);
        let f = ctx.push(
            &HOST_ENV_LEAKS,
            inst.keyword_span.clone(),
            "Apptainer passes the host environment in and mounts your home, so a host PYTHONPATH or packages in ~/.local shadow the image's. Set `ENV PYTHONNOUSERSITE=1` in the image (and run with --cleanenv if host variables interfere).",
        );
        f.fixes.push(Fix::replace(
            "Add `ENV PYTHONNOUSERSITE=1`",
            line_start..line_start,
            "ENV PYTHONNOUSERSITE=1\n",
        ));
    }
}

fn home_message(path: &str, what: &str) -> String {
    let p = path.trim_matches(['"', '\'']);
    let file = p.rsplit('/').next().unwrap_or(p);
    if matches!(file, ".bashrc" | ".bash_profile" | ".profile" | ".zshrc") {
        return format!(
            "Nothing in {p} runs under Apptainer: `apptainer exec` starts no login or interactive shell, and $HOME is your host home anyway. Put the setup in ENV instead (e.g. `ENV PATH=/opt/conda/envs/NAME/bin:$PATH` rather than `conda activate NAME`)."
        );
    }
    if p.starts_with("/root") {
        format!(
            "Under Apptainer you run as yourself, not root: /root is unreadable and $HOME is your host home, so {what} ({p}) cannot be used. Install under /opt (or /usr/local) instead."
        )
    } else if p.starts_with("/home") {
        format!(
            "Apptainer binds your host home directory, and many clusters bind all of /home, so {what} ({p}) may be hidden at run time. Install under /opt (or /usr/local) instead."
        )
    } else {
        format!(
            "Under Apptainer $HOME is your host home, mounted over the image's, so {what} ({p}) will not be there at run time. Install under /opt (or /usr/local) instead."
        )
    }
}
