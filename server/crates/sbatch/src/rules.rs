//! The sbatch checker's rule registry: every code it can push, each bound to the
//! [`clusterls_core::Rule`] declared next to its check in `checks/`. Findings are made
//! from a [`Code`], so a code that is not registered here cannot be pushed; RULES.md is
//! generated from [`RULES`] (`tests/rules_doc.rs`), and [`lookup`] serves SARIF rule
//! descriptions and `clusterls explain`.
//!
//! Adding a rule: declare `const MY_RULE: Rule` next to its check function and add one
//! line `MyRule => checks::module::MY_RULE,` below (sorted by code).

use clusterls_core::rule_registry;

use crate::checks;

rule_registry! {
    /// An sbatch finding code.
    pub enum Code {
        AbbreviatedOption => checks::options::ABBREVIATED_OPTION,
        AccountPartition => checks::cluster::ACCOUNT_PARTITION,
        AmbiguousOption => checks::options::AMBIGUOUS_OPTION,
        ArrayTooLarge => checks::admission::ARRAY_TOO_LARGE,
        ContainerNoNv => checks::containers::CONTAINER_NO_NV,
        CpusConflict => checks::conflicts::CPUS_CONFLICT,
        DirectiveAfterCommand => checks::lines::DIRECTIVE_AFTER_COMMAND,
        DirectiveCase => checks::lines::DIRECTIVE_CASE,
        DosLineEndings => checks::file::DOS_LINE_ENDINGS,
        DuplicateOption => checks::options::DUPLICATE_OPTION,
        EmptyScript => checks::file::EMPTY_SCRIPT,
        FeatureCombination => checks::admission::FEATURE_COMBINATION,
        FilenamePattern => checks::values::FILENAME_PATTERN,
        GpuConflict => checks::conflicts::GPU_CONFLICT,
        GpuType => checks::capacity::GPU_TYPE,
        GpusPerTaskWithoutTasks => checks::conflicts::GPUS_PER_TASK_WITHOUT_TASKS,
        HetjobArray => checks::lines::HETJOB_ARRAY,
        ImageNotFound => checks::containers::IMAGE_NOT_FOUND,
        IndentedDirective => checks::lines::INDENTED_DIRECTIVE,
        InvalidArray => checks::values::INVALID_ARRAY,
        InvalidBegin => checks::values::INVALID_BEGIN,
        InvalidChoice => checks::values::INVALID_CHOICE,
        InvalidConstraint => checks::values::INVALID_CONSTRAINT,
        InvalidDependency => checks::values::INVALID_DEPENDENCY,
        InvalidExport => checks::values::INVALID_EXPORT,
        InvalidGpus => checks::values::INVALID_GPUS,
        InvalidGres => checks::values::INVALID_GRES,
        InvalidMailType => checks::values::INVALID_MAIL_TYPE,
        InvalidMemory => checks::values::INVALID_MEMORY,
        InvalidNodeCount => checks::values::INVALID_NODE_COUNT,
        InvalidNumber => checks::values::INVALID_NUMBER,
        InvalidSignal => checks::values::INVALID_SIGNAL,
        InvalidTime => checks::values::INVALID_TIME,
        InvalidValue => checks::values::INVALID_VALUE,
        LeadingColon => checks::lines::LEADING_COLON,
        MemConflict => checks::conflicts::MEM_CONFLICT,
        MissingValue => checks::options::MISSING_VALUE,
        NoGpusOnPartition => checks::capacity::NO_GPUS_ON_PARTITION,
        NoNodesLeft => checks::capacity::NO_NODES_LEFT,
        NoShebang => checks::file::NO_SHEBANG,
        NotInScript => checks::options::NOT_IN_SCRIPT,
        NulByte => checks::file::NUL_BYTE,
        OptionVersion => checks::options::OPTION_VERSION,
        PartitionDown => checks::cluster::PARTITION_DOWN,
        PartitionList => checks::cluster::PARTITION_LIST,
        PartitionRestricted => checks::admission::PARTITION_RESTRICTED,
        PerGpuWithoutGpus => checks::conflicts::PER_GPU_WITHOUT_GPUS,
        PullInGpuJob => checks::containers::PULL_IN_GPU_JOB,
        QosLimit => checks::admission::QOS_LIMIT,
        QosNotAllowed => checks::cluster::QOS_NOT_ALLOWED,
        ReservationDenied => checks::admission::RESERVATION_DENIED,
        RootOnly => checks::options::ROOT_ONLY,
        ScriptTooLarge => checks::file::SCRIPT_TOO_LARGE,
        ShellVariable => checks::options::SHELL_VARIABLE,
        SlurmMagic => checks::lines::SLURM_MAGIC,
        SpacedDirective => checks::lines::SPACED_DIRECTIVE,
        StrayWord => checks::lines::STRAY_WORD,
        TaskLayout => checks::conflicts::TASK_LAYOUT,
        TimeMinOverTime => checks::conflicts::TIME_MIN_OVER_TIME,
        TimeMinutesSeconds => checks::values::TIME_MINUTES_SECONDS,
        TimeOverLimit => checks::capacity::TIME_OVER_LIMIT,
        TooManyCpus => checks::capacity::TOO_MANY_CPUS,
        TooManyGpus => checks::capacity::TOO_MANY_GPUS,
        TooManyNodes => checks::capacity::TOO_MANY_NODES,
        TooMuchMemory => checks::capacity::TOO_MUCH_MEMORY,
        UnexpectedValue => checks::options::UNEXPECTED_VALUE,
        UnknownAccount => checks::cluster::UNKNOWN_ACCOUNT,
        UnknownFeature => checks::cluster::UNKNOWN_FEATURE,
        UnknownLicense => checks::admission::UNKNOWN_LICENSE,
        UnknownNode => checks::capacity::UNKNOWN_NODE,
        UnknownOption => checks::options::UNKNOWN_OPTION,
        UnknownPartition => checks::cluster::UNKNOWN_PARTITION,
        UnknownQos => checks::cluster::UNKNOWN_QOS,
        UnknownReservation => checks::cluster::UNKNOWN_RESERVATION,
        UnmatchedQuote => checks::lines::UNMATCHED_QUOTE,
    }
}
