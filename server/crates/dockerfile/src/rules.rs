//! The Dockerfile checker's rule registry: every rule the checks (`checks/`) and the
//! converter (`convert/codes.rs`, `apptainer/convert-*`) can push, each the
//! [`clusterls_core::Rule`] declared next to its check. The registry names the checks
//! and the converter, never the other way round; a test proves that every rule either
//! may push is listed here (`tests/tests/architecture.rs`). RULES.md is generated from
//! [`RULES`] (`tests/rules_doc.rs`); `clusterls explain` and SARIF read it too.
//!
//! Adding a rule: declare `const MY_RULE: Rule` next to its check function, push it
//! with `ctx.push(&MY_RULE, range, message)`, and add one line
//! `&checks::module::MY_RULE,` below (each namespace sorted).

use clusterls_core::Rule;

use crate::{checks, convert};

/// Every rule of the Dockerfile checker and converter, each namespace sorted by code.
pub static RULES: &[&Rule] = &[
    &checks::practice::ADD_INSTEAD_OF_COPY,
    &checks::packages::APK_NO_CACHE,
    &checks::packages::APT_GET_MISSING_YES,
    &checks::packages::APT_LISTS_NOT_CLEANED,
    &checks::packages::APT_MISSING_NO_INSTALL_RECOMMENDS,
    &checks::args::ARG_NOT_IN_SCOPE,
    &checks::instruction::ARGUMENT_COUNT,
    &checks::practice::CD_IN_RUN,
    &checks::packages::CONDA_NO_CLEAN,
    &checks::practice::CONSECUTIVE_RUN,
    &checks::syntax::COPY_FROM_SELF,
    &checks::syntax::COPY_FROM_UNKNOWN_STAGE,
    &checks::packages::DNF_MISSING_YES,
    &checks::packages::DNF_NO_CLEAN,
    &checks::instruction::DUPLICATE_FLAG,
    &checks::syntax::DUPLICATE_STAGE_NAME,
    &checks::syntax::EMPTY_CONTINUATION_LINE,
    &checks::instruction::EXEC_FORM_RECOMMENDED,
    &checks::FILE_TOO_LARGE,
    &checks::instruction::FLAG_MISSING_VALUE,
    &checks::syntax::INCONSISTENT_CASING,
    &checks::syntax::INSTRUCTION_BEFORE_FROM,
    &checks::syntax::INVALID_DIRECTIVE,
    &checks::instruction::INVALID_DURATION,
    &checks::instruction::INVALID_HEALTHCHECK,
    &checks::syntax::INVALID_ONBUILD,
    &checks::instruction::INVALID_PORT,
    &checks::instruction::INVALID_RETRIES,
    &checks::instruction::INVALID_SIGNAL,
    &checks::syntax::INVALID_STAGE_NAME,
    &checks::instruction::JSON_SINGLE_QUOTES,
    &checks::practice::LATEST_TAG,
    &checks::instruction::LEGACY_ENV_FORMAT,
    &checks::instruction::MAINTAINER_DEPRECATED,
    &checks::syntax::MISPLACED_DIRECTIVE,
    &checks::syntax::MULTIPLE_CMD,
    &checks::syntax::MULTIPLE_ENTRYPOINT,
    &checks::syntax::MULTIPLE_HEALTHCHECK,
    &checks::syntax::NO_FROM,
    &checks::packages::PIP_NO_CACHE_DIR,
    &checks::packages::PIP_UNPINNED,
    &checks::practice::PIPEFAIL,
    &checks::instruction::RELATIVE_WORKDIR,
    &checks::args::SECRET_IN_ARG_ENV,
    &checks::practice::SUDO,
    &checks::instruction::UNDEFINED_ARG_IN_FROM,
    &checks::instruction::UNKNOWN_FLAG,
    &checks::instruction::UNKNOWN_INSTRUCTION,
    &checks::practice::UNTAGGED_IMAGE,
    &checks::instruction::UNTERMINATED_HEREDOC,
    &checks::packages::USE_APT_GET,
    &checks::packages::YUM_MISSING_YES,
    &checks::packages::YUM_NO_CLEAN,
    &checks::apptainer::CMD_BYPASSED,
    &convert::codes::ADD_ARCHIVE,
    &convert::codes::ADD_REMOTE,
    &convert::codes::BASE_WORKDIR,
    &convert::codes::CHOWN,
    &convert::codes::COPY_FLAG,
    &convert::codes::COPY_FROM_IMAGE,
    &convert::codes::ENV_NAME,
    &convert::codes::HEREDOC,
    &convert::codes::LABEL,
    &convert::codes::NO_BASE,
    &convert::codes::NO_SHELL,
    &convert::codes::ONBUILD,
    &convert::codes::PLATFORM,
    &convert::codes::RUN_AS_ROOT,
    &convert::codes::RUN_FLAG,
    &convert::codes::SCRIPT_LINE,
    &checks::apptainer::ENTRYPOINT_BYPASSED,
    &checks::apptainer::EXPOSE_NO_EFFECT,
    &checks::apptainer::HEALTHCHECK_NO_EFFECT,
    &checks::apptainer::HOME_BOUND_OVER,
    &checks::apptainer::HOST_ENV_LEAKS,
    &checks::apptainer::PIP_USER,
    &checks::apptainer::READ_ONLY_IMAGE,
    &checks::apptainer::STOPSIGNAL_NO_EFFECT,
    &checks::apptainer::USER_IGNORED,
    &checks::apptainer::VOLUME_NO_EFFECT,
    &checks::apptainer::WORKDIR_IGNORED,
    &checks::gpu::BASE_WITHOUT_CUDA,
    &checks::gpu::CUDA_TOO_NEW,
];

/// Our codes for a hadolint code (several DL codes map to one of ours and back).
pub fn from_hadolint(dl: &str) -> Vec<&'static str> {
    RULES.iter().filter(|r| r.aliases.contains(&dl)).map(|r| r.code).collect()
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
