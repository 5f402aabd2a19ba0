//! The Dockerfile checker's rule registry: every code it can push, each bound to the
//! [`clusterls_core::Rule`] declared next to its check in `checks/`. Findings are made from a [`Code`],
//! so a code that is not registered here cannot be pushed; RULES.md is generated from
//! [`RULES`] (`tests/rules_doc.rs`).
//!
//! Adding a rule: declare `const MY_RULE: Rule` next to its check function and add one
//! line `MyRule => checks::module::MY_RULE,` below (each namespace sorted). The
//! converter's codes (`convert::codes::CODES`, `apptainer/convert-*`) are registered
//! here too, so `clusterls explain` and SARIF know them.

use clusterls_core::rule_registry;

use crate::{checks, convert};

rule_registry! {
    /// A Dockerfile finding code.
    pub enum Code {
        AddInsteadOfCopy => checks::practice::ADD_INSTEAD_OF_COPY,
        ApkNoCache => checks::packages::APK_NO_CACHE,
        AptGetMissingYes => checks::packages::APT_GET_MISSING_YES,
        AptListsNotCleaned => checks::packages::APT_LISTS_NOT_CLEANED,
        AptMissingNoInstallRecommends => checks::packages::APT_MISSING_NO_INSTALL_RECOMMENDS,
        ArgNotInScope => checks::args::ARG_NOT_IN_SCOPE,
        ArgumentCount => checks::instruction::ARGUMENT_COUNT,
        CdInRun => checks::practice::CD_IN_RUN,
        CondaNoClean => checks::packages::CONDA_NO_CLEAN,
        ConsecutiveRun => checks::practice::CONSECUTIVE_RUN,
        CopyFromSelf => checks::syntax::COPY_FROM_SELF,
        CopyFromUnknownStage => checks::syntax::COPY_FROM_UNKNOWN_STAGE,
        DnfMissingYes => checks::packages::DNF_MISSING_YES,
        DnfNoClean => checks::packages::DNF_NO_CLEAN,
        DuplicateFlag => checks::instruction::DUPLICATE_FLAG,
        DuplicateStageName => checks::syntax::DUPLICATE_STAGE_NAME,
        EmptyContinuationLine => checks::syntax::EMPTY_CONTINUATION_LINE,
        ExecFormRecommended => checks::instruction::EXEC_FORM_RECOMMENDED,
        FileTooLarge => checks::FILE_TOO_LARGE,
        FlagMissingValue => checks::instruction::FLAG_MISSING_VALUE,
        InconsistentCasing => checks::syntax::INCONSISTENT_CASING,
        InstructionBeforeFrom => checks::syntax::INSTRUCTION_BEFORE_FROM,
        InvalidDirective => checks::syntax::INVALID_DIRECTIVE,
        InvalidDuration => checks::instruction::INVALID_DURATION,
        InvalidHealthcheck => checks::instruction::INVALID_HEALTHCHECK,
        InvalidOnbuild => checks::syntax::INVALID_ONBUILD,
        InvalidPort => checks::instruction::INVALID_PORT,
        InvalidRetries => checks::instruction::INVALID_RETRIES,
        InvalidSignal => checks::instruction::INVALID_SIGNAL,
        InvalidStageName => checks::syntax::INVALID_STAGE_NAME,
        JsonSingleQuotes => checks::instruction::JSON_SINGLE_QUOTES,
        LatestTag => checks::practice::LATEST_TAG,
        LegacyEnvFormat => checks::instruction::LEGACY_ENV_FORMAT,
        MaintainerDeprecated => checks::instruction::MAINTAINER_DEPRECATED,
        MisplacedDirective => checks::syntax::MISPLACED_DIRECTIVE,
        MultipleCmd => checks::syntax::MULTIPLE_CMD,
        MultipleEntrypoint => checks::syntax::MULTIPLE_ENTRYPOINT,
        MultipleHealthcheck => checks::syntax::MULTIPLE_HEALTHCHECK,
        NoFrom => checks::syntax::NO_FROM,
        PipNoCacheDir => checks::packages::PIP_NO_CACHE_DIR,
        PipUnpinned => checks::packages::PIP_UNPINNED,
        Pipefail => checks::practice::PIPEFAIL,
        RelativeWorkdir => checks::instruction::RELATIVE_WORKDIR,
        SecretInArgEnv => checks::args::SECRET_IN_ARG_ENV,
        Sudo => checks::practice::SUDO,
        UndefinedArgInFrom => checks::instruction::UNDEFINED_ARG_IN_FROM,
        UnknownFlag => checks::instruction::UNKNOWN_FLAG,
        UnknownInstruction => checks::instruction::UNKNOWN_INSTRUCTION,
        UntaggedImage => checks::practice::UNTAGGED_IMAGE,
        UnterminatedHeredoc => checks::instruction::UNTERMINATED_HEREDOC,
        UseAptGet => checks::packages::USE_APT_GET,
        YumMissingYes => checks::packages::YUM_MISSING_YES,
        YumNoClean => checks::packages::YUM_NO_CLEAN,
        CmdBypassed => checks::apptainer::CMD_BYPASSED,
        ConvertAddArchive => convert::codes::ADD_ARCHIVE_RULE,
        ConvertAddRemote => convert::codes::ADD_REMOTE_RULE,
        ConvertBaseWorkdir => convert::codes::BASE_WORKDIR_RULE,
        ConvertChown => convert::codes::CHOWN_RULE,
        ConvertCopyFlag => convert::codes::COPY_FLAG_RULE,
        ConvertCopyFromImage => convert::codes::COPY_FROM_IMAGE_RULE,
        ConvertEnvName => convert::codes::ENV_NAME_RULE,
        ConvertHeredoc => convert::codes::HEREDOC_RULE,
        ConvertLabel => convert::codes::LABEL_RULE,
        ConvertNoBaseImage => convert::codes::NO_BASE_RULE,
        ConvertNoShell => convert::codes::NO_SHELL_RULE,
        ConvertOnbuild => convert::codes::ONBUILD_RULE,
        ConvertPlatform => convert::codes::PLATFORM_RULE,
        ConvertRunAsRoot => convert::codes::RUN_AS_ROOT_RULE,
        ConvertRunFlag => convert::codes::RUN_FLAG_RULE,
        ConvertScriptLine => convert::codes::SCRIPT_LINE_RULE,
        EntrypointBypassed => checks::apptainer::ENTRYPOINT_BYPASSED,
        ExposeNoEffect => checks::apptainer::EXPOSE_NO_EFFECT,
        HealthcheckNoEffect => checks::apptainer::HEALTHCHECK_NO_EFFECT,
        HomeBoundOver => checks::apptainer::HOME_BOUND_OVER,
        HostEnvLeaks => checks::apptainer::HOST_ENV_LEAKS,
        PipUser => checks::apptainer::PIP_USER,
        ReadOnlyImage => checks::apptainer::READ_ONLY_IMAGE,
        StopsignalNoEffect => checks::apptainer::STOPSIGNAL_NO_EFFECT,
        UserIgnored => checks::apptainer::USER_IGNORED,
        VolumeNoEffect => checks::apptainer::VOLUME_NO_EFFECT,
        WorkdirIgnored => checks::apptainer::WORKDIR_IGNORED,
        BaseWithoutCuda => checks::gpu::BASE_WITHOUT_CUDA,
        CudaTooNew => checks::gpu::CUDA_TOO_NEW,
    }
}

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
