//! ARG scope and secrets in ARG/ENV.

use super::*;
use crate::rules::Code;
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
    let globals: Vec<String> = ctx.args.iter().map(|(n, _)| n.clone()).collect();
    if globals.is_empty() {
        return;
    }
    let mut reported: Vec<(usize, String)> = Vec::new();
    for (idx, inst) in df.instructions.iter().enumerate() {
        let Some(stage) = inst.stage else { continue };
        if matches!(inst.kind, Kind::From | Kind::Arg | Kind::Unknown) {
            continue;
        }
        let in_scope = df.args_in_scope(idx);
        // ENV set in this stage before here also defines the name.
        let env_defined = |name: &str| {
            df.instructions[df.stages[stage].from + 1..idx].iter().any(|i| {
                i.kind == Kind::Env
                    && i.args.words.iter().enumerate().any(|(k, w)| {
                        w.value.split('=').next() == Some(name) && (k == 0 || w.value.contains('='))
                    })
            })
        };
        let mut used: Vec<(String, Range<usize>)> = Vec::new();
        let words: Vec<&Word> =
            inst.args.words.iter().chain(inst.args.json.iter().flatten()).collect();
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
                || in_scope.contains(&name)
                || env_defined(&name)
                || IMAGE_ENV.contains(&name.as_str())
                || reported.contains(&(stage, name.clone()))
            {
                continue;
            }
            reported.push((stage, name.clone()));
            let from = &df.instructions[df.stages[stage].from];
            let line_end = ctx.text[from.span.end..]
                .find('\n')
                .map_or(ctx.text.len(), |i| from.span.end + i + 1);
            let insert = if line_end == ctx.text.len() && !ctx.text.ends_with('\n') {
                format!("\nARG {name}")
            } else {
                format!("ARG {name}\n")
            };
            let f = ctx.push(
                span,
                Code::ArgNotInScope,
                format!("`${name}` is a global ARG (declared before FROM), which is not visible inside a stage, so it is empty here. Re-declare it in this stage with `ARG {name}` after the FROM."),
            );
            f.fixes.push(Fix::replace(
                format!("Add `ARG {name}` to this stage"),
                line_end..line_end,
                insert,
            ));
        }
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
            w.span.clone(),
            Code::SecretInArgEnv,
            format!("{kw} `{name}` looks like a secret: {kw} values are stored in the image and its history. Use `RUN --mount=type=secret,id={}` instead.", name.to_ascii_lowercase()),
        );
    }
}
