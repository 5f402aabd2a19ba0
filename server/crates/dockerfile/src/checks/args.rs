//! ARG scope and secrets in ARG/ENV.

use std::collections::HashSet;

use super::*;
use clusterls_core::Rule;

pub(crate) const ARG_NOT_IN_SCOPE: Rule = Rule {
    explanation: "An ARG declared before the first FROM is only visible in FROM lines; inside a stage it is empty unless the stage re-declares it with `ARG NAME`. The variable silently expands to nothing. Add `ARG NAME` after the stage's FROM (the quick fix does it).",
    ..Rule::new(
        "docker/arg-not-in-scope",
        Severity::Warning,
        "A global ARG used inside a stage without re-declaring it there.",
    )
};

pub(crate) const SECRET_IN_ARG_ENV: Rule = Rule {
    explanation: "ARG and ENV values are stored in the image and its history, so a password or token given that way is readable by anyone with the image. Use a build secret (`RUN --mount=type=secret,id=name`) instead.",
    ..Rule::new(
        "docker/secret-in-arg-env",
        Severity::Warning,
        "A secret in ARG/ENV stays in the image.",
    )
};

/// Variables the base images we meet commonly set with ENV, so that a global ARG of the
/// same name still has a value inside the stage.
const IMAGE_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "PYTHON_VERSION",
    "CUDA_VERSION",
    "CUDNN_VERSION",
    "NCCL_VERSION",
    "NV_CUDA_LIB_VERSION",
    "GOLANG_VERSION",
    "NODE_VERSION",
    "JAVA_VERSION",
    "R_VERSION",
    "CONDA_DIR",
    "PYTORCH_VERSION",
    "TENSORFLOW_VERSION",
    "NVIDIA_VISIBLE_DEVICES",
];

pub(super) fn arg_scope(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let globals: HashSet<String> = ctx.args.iter().map(|(n, _)| n.clone()).collect();
    if globals.is_empty() {
        return;
    }
    let mut reported: HashSet<(usize, String)> = HashSet::new();
    // ARG and ENV names of the current stage so far, kept as we go (linear: no rescan of
    // the stage for each instruction).
    let mut current: Option<usize> = None;
    let mut stage_args: HashSet<&str> = HashSet::new();
    let mut stage_env: HashSet<&str> = HashSet::new();
    for inst in &df.instructions {
        let Some(stage) = inst.stage else { continue };
        if current != Some(stage) {
            current = Some(stage);
            stage_args.clear();
            stage_env.clear();
        }
        if !matches!(inst.kind, Kind::From | Kind::Arg | Kind::Unknown) {
            arg_uses(ctx, inst, stage, &globals, &stage_args, &stage_env, &mut reported);
        }
        match inst.kind {
            Kind::Arg => stage_args
                .extend(inst.args.words.iter().map(|w| w.value.split('=').next().unwrap_or(""))),
            // `ENV A=1 B=2` and `ENV A 1` (legacy: only the first word is a name).
            Kind::Env => {
                stage_env.extend(inst.args.words.iter().enumerate().filter_map(|(k, w)| {
                    (k == 0 || w.value.contains('=')).then(|| w.value.split('=').next()).flatten()
                }))
            }
            _ => {}
        }
    }
}

/// `docker/arg-not-in-scope` for the global ARGs `inst` uses without declaring them in
/// its stage.
fn arg_uses(
    ctx: &mut Ctx<'_>,
    inst: &Instruction,
    stage: usize,
    globals: &HashSet<String>,
    stage_args: &HashSet<&str>,
    stage_env: &HashSet<&str>,
    reported: &mut HashSet<(usize, String)>,
) {
    let df = ctx.df;
    let mut used: Vec<(String, Range<usize>)> = Vec::new();
    let words: Vec<&Word> = inst.args.words.iter().chain(inst.args.json.iter().flatten()).collect();
    for w in words {
        for v in vars(&w.raw) {
            used.push((v, w.span.clone()));
        }
    }
    for f in &inst.flags {
        if let (Some(v), Some(span)) = (&f.value, &f.value_span) {
            for name in vars(v) {
                used.push((name, span.clone()));
            }
        }
    }
    for (name, span) in used {
        if !globals.contains(&name)
            || stage_args.contains(name.as_str())
            || stage_env.contains(name.as_str())
            || IMAGE_ENV.contains(&name.as_str())
            || !reported.insert((stage, name.clone()))
        {
            continue;
        }
        let from = &df.instructions[df.stages[stage].from];
        let line_end =
            ctx.text[from.span.end..].find('\n').map_or(ctx.text.len(), |i| from.span.end + i + 1);
        let insert = if line_end == ctx.text.len() && !ctx.text.ends_with('\n') {
            format!("\nARG {name}")
        } else {
            format!("ARG {name}\n")
        };
        let f = ctx.push(
                &ARG_NOT_IN_SCOPE,
                span,
                format!("`${name}` is a global ARG (declared before FROM), which is not visible inside a stage, so it is empty here. Re-declare it in this stage with `ARG {name}` after the FROM."),
            );
        f.fixes.push(Fix::replace(
            format!("Add `ARG {name}` to this stage"),
            line_end..line_end,
            insert,
        ));
    }
}

pub(super) fn secret_name(ctx: &mut Ctx<'_>, w: &Word, kw: &str) {
    let name = w.value.split('=').next().unwrap_or("");
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let secretish = parts.iter().any(|p| {
        matches!(
            *p,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWORD"
                | "SECRET"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
                | "CREDENTIAL"
                | "AUTH"
        )
    }) || upper.contains("API_KEY")
        || upper.contains("ACCESS_KEY")
        || upper.contains("PRIVATE_KEY");
    if secretish && !upper.ends_with("_FILE") && !upper.ends_with("_PATH") {
        ctx.push(
            &SECRET_IN_ARG_ENV,
            w.span.clone(),
            format!("{kw} `{name}` looks like a secret: {kw} values are stored in the image and its history. Use `RUN --mount=type=secret,id={}` instead.", name.to_ascii_lowercase()),
        );
    }
}
