//! Every check: its stable code, default severity, what it means, and the hadolint
//! rule that covers the same ground (used to honour `# hadolint ignore=DLxxxx` comments
//! and by the comparison tool).

use clusterls_core::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub hadolint: Option<&'static str>,
}

const fn r(
    code: &'static str,
    severity: Severity,
    summary: &'static str,
    hadolint: Option<&'static str>,
) -> Rule {
    Rule { code, severity, summary, hadolint }
}

use Severity::{Error, Info, Warning};

pub const RULES: &[Rule] = &[
    // Syntax and semantics.
    r("docker/unknown-instruction", Error, "Not a Dockerfile instruction.", None),
    r("docker/no-from", Error, "The file has no FROM.", None),
    r("docker/instruction-before-from", Error, "Only ARG may come before the first FROM.", None),
    r("docker/argument-count", Error, "Wrong number of arguments for the instruction.", None),
    r("docker/unknown-flag", Error, "The instruction does not take this flag.", None),
    r("docker/duplicate-flag", Error, "A flag given twice.", None),
    r("docker/flag-missing-value", Error, "A flag that needs a value has none.", None),
    r(
        "docker/invalid-duration",
        Error,
        "HEALTHCHECK durations are Go durations such as 30s or 1m30s.",
        None,
    ),
    r("docker/invalid-retries", Error, "HEALTHCHECK --retries must be a positive integer.", None),
    r("docker/invalid-port", Error, "EXPOSE takes port[/tcp|udp|sctp] or a range.", Some("DL3011")),
    r("docker/invalid-signal", Error, "STOPSIGNAL takes a signal name or number.", None),
    r("docker/invalid-healthcheck", Error, "HEALTHCHECK takes `NONE` or `CMD <command>`.", None),
    r(
        "docker/invalid-stage-name",
        Error,
        "Stage names start with a letter and use a-z, 0-9, `-`, `_`, `.`.",
        None,
    ),
    r("docker/duplicate-stage-name", Error, "Two stages with one name.", Some("DL3024")),
    r(
        "docker/copy-from-unknown-stage",
        Warning,
        "COPY --from names no earlier stage.",
        Some("DL3022"),
    ),
    r("docker/copy-from-self", Error, "COPY --from names its own stage.", Some("DL3023")),
    r("docker/relative-workdir", Warning, "WORKDIR should be absolute.", Some("DL3000")),
    r("docker/multiple-cmd", Warning, "Only the last CMD of a stage takes effect.", Some("DL4003")),
    r(
        "docker/multiple-entrypoint",
        Warning,
        "Only the last ENTRYPOINT of a stage takes effect.",
        Some("DL4004"),
    ),
    r(
        "docker/multiple-healthcheck",
        Warning,
        "Only the last HEALTHCHECK of a stage takes effect.",
        Some("DL3012"),
    ),
    r(
        "docker/maintainer-deprecated",
        Warning,
        "MAINTAINER is deprecated; use LABEL maintainer.",
        Some("DL4000"),
    ),
    r(
        "docker/json-single-quotes",
        Error,
        "JSON form needs double quotes; with single quotes Docker runs it as a shell string.",
        None,
    ),
    r(
        "docker/empty-continuation-line",
        Warning,
        "Empty line inside a continuation (deprecated).",
        None,
    ),
    r(
        "docker/inconsistent-casing",
        Warning,
        "Instruction keywords should all be upper case (or all lower case).",
        None,
    ),
    r("docker/invalid-directive", Error, "Bad or duplicate parser directive.", None),
    r(
        "docker/misplaced-directive",
        Warning,
        "A parser directive after the top of the file is only a comment.",
        None,
    ),
    r("docker/unterminated-heredoc", Error, "A heredoc without its terminator.", None),
    r(
        "docker/undefined-arg-in-from",
        Warning,
        "FROM uses a variable no global ARG declares.",
        None,
    ),
    r(
        "docker/exec-form-recommended",
        Info,
        "CMD/ENTRYPOINT in shell form do not receive signals.",
        Some("DL3025"),
    ),
    r(
        "docker/invalid-onbuild",
        Error,
        "ONBUILD cannot register FROM, MAINTAINER or ONBUILD.",
        None,
    ),
    r("docker/legacy-env-format", Warning, "`ENV key value` is legacy; use `ENV key=value`.", None),
    // Good practice.
    r("docker/untagged-image", Warning, "Base image without a tag.", Some("DL3006")),
    r("docker/latest-tag", Warning, "Base image tagged `latest`.", Some("DL3007")),
    r(
        "docker/apt-get-missing-yes",
        Warning,
        "`apt-get install` without `-y` stops at the prompt.",
        Some("DL3014"),
    ),
    r(
        "docker/apt-missing-no-install-recommends",
        Info,
        "`apt-get install` without `--no-install-recommends`.",
        Some("DL3015"),
    ),
    r(
        "docker/apt-lists-not-cleaned",
        Info,
        "`apt-get update` without removing /var/lib/apt/lists.",
        Some("DL3009"),
    ),
    r("docker/use-apt-get", Warning, "`apt` is for people; scripts use `apt-get`.", Some("DL3027")),
    r("docker/pip-no-cache-dir", Info, "`pip install` without `--no-cache-dir`.", Some("DL3042")),
    r("docker/pip-unpinned", Info, "`pip install` of a package without a version.", Some("DL3013")),
    r("docker/yum-missing-yes", Warning, "`yum install` without `-y`.", Some("DL3030")),
    r("docker/dnf-missing-yes", Warning, "`dnf install` without `-y`.", Some("DL3038")),
    r("docker/yum-no-clean", Info, "`yum install` without `yum clean all`.", Some("DL3032")),
    r("docker/dnf-no-clean", Info, "`dnf install` without `dnf clean all`.", Some("DL3040")),
    r("docker/apk-no-cache", Info, "`apk add` without `--no-cache`.", Some("DL3019")),
    r(
        "docker/arg-not-in-scope",
        Warning,
        "A global ARG used inside a stage without re-declaring it there.",
        None,
    ),
    r(
        "docker/conda-no-clean",
        Info,
        "`conda install` without `conda clean` in the same RUN.",
        None,
    ),
    r("docker/sudo", Warning, "`sudo` in RUN.", Some("DL3004")),
    r("docker/cd-in-run", Info, "`cd` in RUN instead of WORKDIR.", Some("DL3003")),
    r(
        "docker/add-instead-of-copy",
        Warning,
        "ADD of local files; COPY is explicit.",
        Some("DL3020"),
    ),
    r(
        "docker/pipefail",
        Warning,
        "A pipe in RUN without `pipefail` hides failures.",
        Some("DL4006"),
    ),
    r("docker/secret-in-arg-env", Warning, "A secret in ARG/ENV stays in the image.", None),
    r("docker/consecutive-run", Info, "Consecutive RUNs that could be one.", Some("DL3059")),
    // Apptainer / Singularity.
    r("apptainer/user-ignored", Info, "Apptainer ignores USER.", None),
    r("apptainer/workdir-ignored", Info, "`apptainer exec` does not honour WORKDIR.", None),
    r("apptainer/expose-no-effect", Info, "EXPOSE has no effect under Apptainer.", None),
    r("apptainer/volume-no-effect", Info, "VOLUME has no effect under Apptainer.", None),
    r("apptainer/healthcheck-no-effect", Info, "HEALTHCHECK has no effect under Apptainer.", None),
    r("apptainer/stopsignal-no-effect", Info, "STOPSIGNAL has no effect under Apptainer.", None),
    r("apptainer/entrypoint-bypassed", Info, "`apptainer exec` bypasses ENTRYPOINT.", None),
    r("apptainer/cmd-bypassed", Info, "`apptainer exec` bypasses CMD.", None),
    r(
        "apptainer/home-bound-over",
        Warning,
        "Files under /root or /home are hidden at run time.",
        None,
    ),
    r(
        "apptainer/pip-user",
        Warning,
        "`pip install --user` goes to a home that is replaced at run time.",
        None,
    ),
    r("apptainer/read-only-image", Warning, "The image is read-only at run time.", None),
    r(
        "apptainer/host-env-leaks",
        Info,
        "The host environment and ~/.local leak into the container.",
        None,
    ),
    // GPU.
    r("gpu/base-without-cuda", Info, "A GPU project on a base image without CUDA.", None),
    r("gpu/cuda-too-new", Error, "The cluster's NVIDIA driver is too old for this CUDA.", None),
];

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Our codes for a hadolint code (several DL codes map to one of ours and back).
pub fn from_hadolint(dl: &str) -> Vec<&'static str> {
    RULES.iter().filter(|r| r.hadolint == Some(dl)).map(|r| r.code).collect()
}

/// Our codes for a BuildKit build-check name (`# check=skip=JSONArgsRecommended`).
pub fn from_buildkit(name: &str) -> &'static [&'static str] {
    match name {
        "JSONArgsRecommended" => &["docker/exec-form-recommended"],
        "MaintainerDeprecated" => &["docker/maintainer-deprecated"],
        "ConsistentInstructionCasing" | "FromAsCasing" => &["docker/inconsistent-casing"],
        "DuplicateStageName" => &["docker/duplicate-stage-name"],
        "ReservedStageName" => &["docker/invalid-stage-name"],
        "UndefinedArgInFrom" => &["docker/undefined-arg-in-from"],
        "UndefinedVar" => &["docker/arg-not-in-scope"],
        "WorkdirRelativePath" => &["docker/relative-workdir"],
        "SecretsUsedInArgOrEnv" => &["docker/secret-in-arg-env"],
        "LegacyKeyValueFormat" => &["docker/legacy-env-format"],
        "NoEmptyContinuation" => &["docker/empty-continuation-line"],
        "MultipleInstructionsDisallowed" => {
            &["docker/multiple-cmd", "docker/multiple-entrypoint", "docker/multiple-healthcheck"]
        }
        "all" => &[
            "docker/exec-form-recommended",
            "docker/maintainer-deprecated",
            "docker/inconsistent-casing",
            "docker/undefined-arg-in-from",
            "docker/arg-not-in-scope",
            "docker/relative-workdir",
            "docker/secret-in-arg-env",
            "docker/legacy-env-format",
            "docker/empty-continuation-line",
            "docker/multiple-cmd",
            "docker/multiple-entrypoint",
            "docker/multiple-healthcheck",
        ],
        _ => &[],
    }
}
