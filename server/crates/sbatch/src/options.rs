//! Every sbatch option from Slurm 20.11 to 25.05: names, whether it takes a value, the
//! value's grammar, a one-line doc for hover and completion, and the versions that
//! have it. The 22.05 set is checked against the installed sbatch's `--help`,
//! `--usage` and man page (test data in `tests/data/sbatch/`); later additions come
//! from Slurm's release notes and man pages.

/// Whether an option takes a value, as in `getopt_long`'s `has_arg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// `--contiguous`: `--contiguous=x` is an error.
    None,
    /// `--time=1:00` or `--time 1:00` (the next word is taken even if it starts with `-`).
    Required,
    /// `--exclusive[=user]`: only the `=` form gives a value; `--nice 5` makes `5` a
    /// stray word that sbatch rejects.
    Optional,
}

/// The grammar of an option's value; the checker validates each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// No value.
    Flag,
    /// Free text (comment, job name, wrap command, ...).
    Text,
    /// A non-negative integer.
    Count,
    /// An integer that may be negative (`--nice`).
    SignedInt,
    /// A time limit: minutes, m:s, h:m:s, d-h, d-h:m, d-h:m:s, or UNLIMITED/INFINITE.
    Time,
    /// A size with an optional K/M/G/T suffix, MB by default.
    Memory,
    /// `min[-max]` node count, or a list of sizes.
    NodeCount,
    /// `--array` index expression.
    Array,
    /// `--dependency` list.
    Dependency,
    /// `--mail-type` list.
    MailType,
    /// `--signal=[{R|B}:]num[@time]`.
    Signal,
    /// `--begin`/`--deadline` date and time.
    DateTime,
    /// Output/error/input file name pattern (`%j`, `%A`, ...).
    FilePattern,
    /// `--export` value.
    Export,
    /// `--exclusive[=user|mcs|topo]`.
    Exclusive,
    /// `--constraint`/`--prefer` feature expression.
    Constraint,
    /// `--gres` list.
    Gres,
    /// `[type:]count` GPU request.
    Gpus,
    /// Partition name list.
    Partition,
    /// Account name.
    Account,
    /// QOS name list.
    Qos,
    /// A path (directory or file).
    Path,
    /// One of the option's `choices` (case-insensitive).
    Choice,
    /// A comma list of the option's `choices`.
    ChoiceList,
    /// A node name list (hostlist expression).
    NodeList,
    /// `sockets[:cores[:threads]]`.
    SocketCoreThread,
}

/// A release, compared as (major, minor): `(22, 5)` is 22.05.
pub type Version = (u8, u8);

/// The oldest release the table describes.
pub const OLDEST: Version = (20, 11);
/// The newest release the table describes.
pub const NEWEST: Version = (25, 5);

/// One sbatch option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// Long name without dashes: `partition`.
    pub long: &'static str,
    pub short: Option<char>,
    pub arg: ArgKind,
    pub value: ValueKind,
    /// The value's placeholder as the man page writes it: `<time>`.
    pub placeholder: &'static str,
    /// One line for hover and completion.
    pub doc: &'static str,
    /// Known values, for `Choice`/`ChoiceList` validation and for completion.
    pub choices: &'static [&'static str],
    /// First release that has the option (20.11 for everything older).
    pub since: Version,
    /// Last release that has it, when it was removed.
    pub until: Option<Version>,
}

impl OptionSpec {
    /// `--partition=<partition_names>` or `-p, --partition=...`: the usage line for hover.
    pub fn usage(&self) -> String {
        let mut s = String::new();
        if let Some(c) = self.short {
            s.push('-');
            s.push(c);
            s.push_str(", ");
        }
        s.push_str("--");
        s.push_str(self.long);
        match self.arg {
            ArgKind::None => {}
            ArgKind::Required => {
                s.push('=');
                s.push_str(self.placeholder);
            }
            ArgKind::Optional => {
                s.push_str("[=");
                s.push_str(self.placeholder);
                s.push(']');
            }
        }
        s
    }

    /// Whether the option exists in `version`.
    pub fn in_version(&self, version: Version) -> bool {
        version >= self.since && self.until.is_none_or(|u| version <= u)
    }

    pub fn takes_value(&self) -> bool {
        self.arg != ArgKind::None
    }
}

/// Every option, sorted by long name.
pub fn options() -> &'static [OptionSpec] {
    OPTIONS
}

/// The option with this exact long name (no dashes).
pub fn by_long(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.long == name)
}

/// The option with this short letter.
pub fn by_short(c: char) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.short == Some(c))
}

const fn o(
    long: &'static str,
    short: Option<char>,
    arg: ArgKind,
    value: ValueKind,
    placeholder: &'static str,
    doc: &'static str,
) -> OptionSpec {
    OptionSpec {
        long,
        short,
        arg,
        value,
        placeholder,
        doc,
        choices: &[],
        since: OLDEST,
        until: None,
    }
}

const fn with_choices(mut s: OptionSpec, choices: &'static [&'static str]) -> OptionSpec {
    s.choices = choices;
    s
}

const fn since(mut s: OptionSpec, v: Version) -> OptionSpec {
    s.since = v;
    s
}

const fn until(mut s: OptionSpec, v: Version) -> OptionSpec {
    s.until = Some(v);
    s
}

use ArgKind::{None as NoArg, Optional as Opt, Required as Req};
use ValueKind as V;

pub const MAIL_TYPES: &[&str] = &[
    "NONE",
    "BEGIN",
    "END",
    "FAIL",
    "REQUEUE",
    "ALL",
    "INVALID_DEPEND",
    "STAGE_OUT",
    "TIME_LIMIT",
    "TIME_LIMIT_90",
    "TIME_LIMIT_80",
    "TIME_LIMIT_50",
    "ARRAY_TASKS",
];

pub const DEPENDENCY_TYPES: &[&str] =
    &["after", "afterany", "afterburstbuffer", "aftercorr", "afternotok", "afterok", "singleton"];

static OPTIONS: &[OptionSpec] = &[
    o("account", Some('A'), Req, V::Account, "<account>", "Charge the job to this account."),
    o(
        "acctg-freq",
        None,
        Req,
        V::Text,
        "<datatype>=<interval>[,...]",
        "Accounting and profiling sampling intervals, e.g. task=30.",
    ),
    o(
        "array",
        Some('a'),
        Req,
        V::Array,
        "<indexes>",
        "Submit a job array: indexes like 0-15, 1,3,5, 0-15:4 (step), 0-99%10 (at most 10 at once).",
    ),
    since(
        o(
            "batch",
            None,
            Req,
            V::Constraint,
            "<list>",
            "Node features the batch step's node must have.",
        ),
        (20, 11),
    ),
    o("bb", None, Req, V::Text, "<spec>", "Burst buffer specification."),
    o("bbf", None, Req, V::Path, "<file_name>", "File holding the burst buffer specification."),
    o(
        "begin",
        Some('b'),
        Req,
        V::DateTime,
        "<time>",
        "Defer the job until this time: 16:00, now+1hour, 2024-01-20T12:34:00, tomorrow.",
    ),
    o(
        "chdir",
        Some('D'),
        Req,
        V::Path,
        "<directory>",
        "Working directory of the batch script before it runs (default: where sbatch ran).",
    ),
    o(
        "cluster-constraint",
        None,
        Req,
        V::Text,
        "[!]<list>",
        "Federation: clusters whose features match the list.",
    ),
    o("clusters", Some('M'), Req, V::Text, "<string>", "Clusters to submit to (comma list)."),
    o(
        "comment",
        None,
        Req,
        V::Text,
        "<string>",
        "An arbitrary comment (quote it if it has spaces).",
    ),
    o(
        "constraint",
        Some('C'),
        Req,
        V::Constraint,
        "<list>",
        "Node features required: a100, intel&ib, [rack1|rack2], gpu*2.",
    ),
    since(
        o(
            "container",
            None,
            Req,
            V::Path,
            "<path_to_container>",
            "Absolute path to an OCI container bundle.",
        ),
        (21, 8),
    ),
    since(
        o("container-id", None, Req, V::Text, "<container_id>", "Id of the OCI container."),
        (23, 11),
    ),
    o("contiguous", None, NoArg, V::Flag, "", "The allocated nodes must form a contiguous set."),
    o("core-spec", Some('S'), Req, V::Count, "<num>", "Cores per node reserved for system use."),
    o(
        "cores-per-socket",
        None,
        Req,
        V::Count,
        "<cores>",
        "Nodes with at least this many cores per socket.",
    ),
    o(
        "cpu-freq",
        None,
        Req,
        V::Text,
        "<p1>[-p2[:p3]]",
        "CPU frequency (kHz or low/medium/high/highm1) and governor for srun steps.",
    ),
    o("cpus-per-gpu", None, Req, V::Count, "<ncpus>", "CPUs per allocated GPU."),
    o(
        "cpus-per-task",
        Some('c'),
        Req,
        V::Count,
        "<ncpus>",
        "CPUs per task (threads for OpenMP or data loader workers).",
    ),
    o(
        "deadline",
        None,
        Req,
        V::DateTime,
        "<OPT>",
        "Remove the job if it cannot finish before this time.",
    ),
    o(
        "delay-boot",
        None,
        Req,
        V::Time,
        "<minutes>",
        "Wait this long before rebooting nodes for features.",
    ),
    o(
        "dependency",
        Some('d'),
        Req,
        V::Dependency,
        "<dependency_list>",
        "Start after other jobs: afterok:123, afterany:123:456, singleton; `,` = all, `?` = any.",
    ),
    o(
        "distribution",
        Some('m'),
        Req,
        V::Text,
        "{*|block|cyclic|arbitrary|plane=<size>}[:...]",
        "How tasks are laid out on nodes, sockets and cores.",
    ),
    o(
        "error",
        Some('e'),
        Req,
        V::FilePattern,
        "<filename_pattern>",
        "File for the script's standard error: %j job id, %A array job id, %a array index, %x job name.",
    ),
    o("exclude", Some('x'), Req, V::NodeList, "<node_name_list>", "Never run on these nodes."),
    with_choices(
        o(
            "exclusive",
            None,
            Opt,
            V::Exclusive,
            "{user|mcs|topo}",
            "Do not share the nodes with other jobs (=user: only with your own jobs).",
        ),
        &["user", "mcs", "topo"],
    ),
    o(
        "export",
        None,
        Req,
        V::Export,
        "{[ALL,]<environment_variables>|ALL|NONE}",
        "Environment passed to the job: ALL (default), NONE, or ALL,VAR=value,...",
    ),
    o(
        "export-file",
        None,
        Req,
        V::Text,
        "{<filename>|<fd>}",
        "Environment variables read from a file.",
    ),
    since(
        o("extra", None, Req, V::Text, "<string>", "Arbitrary string, matched against node Extra."),
        (23, 2),
    ),
    o(
        "extra-node-info",
        Some('B'),
        Req,
        V::SocketCoreThread,
        "<sockets>[:cores[:threads]]",
        "Minimum sockets per node, cores per socket and threads per core.",
    ),
    o(
        "get-user-env",
        None,
        Opt,
        V::Text,
        "[timeout][mode]",
        "Load the user's login environment on the node (root/SlurmUser only).",
    ),
    o("gid", None, Req, V::Text, "<group>", "Group to run the job as (root only)."),
    o(
        "gpu-bind",
        None,
        Req,
        V::Text,
        "[verbose,]<type>",
        "Bind tasks to GPUs: closest, single:N, map_gpu:..., none.",
    ),
    o(
        "gpu-freq",
        None,
        Req,
        V::Text,
        "[<type]=value>[,...]",
        "GPU frequency: low, medium, high, highm1 or MHz.",
    ),
    o(
        "gpus",
        Some('G'),
        Req,
        V::Gpus,
        "[type:]<number>",
        "GPUs for the whole job, optionally typed: 4 or a100:4.",
    ),
    o("gpus-per-node", None, Req, V::Gpus, "[type:]<number>", "GPUs on every node: 4 or a100:4."),
    o("gpus-per-socket", None, Req, V::Gpus, "[type:]<number>", "GPUs per allocated socket."),
    o("gpus-per-task", None, Req, V::Gpus, "[type:]<number>", "GPUs per task."),
    o(
        "gres",
        None,
        Req,
        V::Gres,
        "<list>",
        "Generic resources per node: gpu:2, gpu:a100:2, or none.",
    ),
    with_choices(
        o(
            "gres-flags",
            None,
            Req,
            V::ChoiceList,
            "<type>",
            "GRES options: enforce-binding or disable-binding.",
        ),
        &[
            "enforce-binding",
            "disable-binding",
            "multiple-tasks-per-sharing",
            "one-task-per-sharing",
            "allow-task-sharing",
        ],
    ),
    o("help", Some('h'), NoArg, V::Flag, "", "Show sbatch's help (not useful in a script)."),
    with_choices(
        o(
            "hint",
            None,
            Req,
            V::Choice,
            "<type>",
            "Task binding hint: compute_bound, memory_bound, multithread, nomultithread.",
        ),
        &["compute_bound", "memory_bound", "multithread", "nomultithread"],
    ),
    o(
        "hold",
        Some('H'),
        NoArg,
        V::Flag,
        "",
        "Submit the job held; release it with `scontrol release`.",
    ),
    o("ignore-pbs", None, NoArg, V::Flag, "", "Ignore #PBS and #BSUB lines in the script."),
    o(
        "input",
        Some('i'),
        Req,
        V::FilePattern,
        "<filename_pattern>",
        "File the script's standard input comes from (default /dev/null).",
    ),
    o(
        "job-name",
        Some('J'),
        Req,
        V::Text,
        "<jobname>",
        "Job name shown by squeue (%x in file patterns).",
    ),
    with_choices(
        o(
            "kill-on-invalid-dep",
            None,
            Req,
            V::Choice,
            "<yes|no>",
            "Cancel the job if its dependency can never be satisfied.",
        ),
        &["yes", "no"],
    ),
    o("licenses", Some('L'), Req, V::Text, "<license>[:count][,...]", "Licenses the job needs."),
    with_choices(
        o(
            "mail-type",
            None,
            Req,
            V::MailType,
            "<type>",
            "Mail on events: NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT_90, ARRAY_TASKS, ...",
        ),
        MAIL_TYPES,
    ),
    o(
        "mail-user",
        None,
        Req,
        V::Text,
        "<user>",
        "Who gets the mail (default: the submitting user).",
    ),
    o("mcs-label", None, Req, V::Text, "<mcs>", "MCS label (mcs/group plugin)."),
    o(
        "mem",
        None,
        Req,
        V::Memory,
        "<size>[units]",
        "Memory per node, MB by default (K, M, G, T suffixes); 0 means all of the node's memory.",
    ),
    o("mem-bind", None, Req, V::Text, "[{quiet|verbose},]<type>", "Bind tasks to memory."),
    o(
        "mem-per-cpu",
        None,
        Req,
        V::Memory,
        "<size>[units]",
        "Memory per allocated CPU, MB by default. Excludes --mem and --mem-per-gpu.",
    ),
    o(
        "mem-per-gpu",
        None,
        Req,
        V::Memory,
        "<size>[units]",
        "Memory per allocated GPU, MB by default. Excludes --mem and --mem-per-cpu.",
    ),
    o("mincpus", None, Req, V::Count, "<n>", "Minimum logical CPUs per node."),
    o("network", None, Req, V::Text, "<type>", "Network/switch options (system specific)."),
    o(
        "nice",
        None,
        Opt,
        V::SignedInt,
        "adjustment",
        "Lower the job's priority by this much; write --nice=10 (a space makes 10 a stray word).",
    ),
    with_choices(
        o(
            "no-kill",
            Some('k'),
            Opt,
            V::Choice,
            "off",
            "Do not kill the job when one of its nodes fails.",
        ),
        &["off"],
    ),
    o("no-requeue", None, NoArg, V::Flag, "", "Never requeue the job."),
    o("nodefile", Some('F'), Req, V::Path, "<node_file>", "File listing the nodes to use."),
    o(
        "nodelist",
        Some('w'),
        Req,
        V::NodeList,
        "<node_name_list>",
        "Run on these nodes: node[1-4],gpu7.",
    ),
    o(
        "nodes",
        Some('N'),
        Req,
        V::NodeCount,
        "<minnodes>[-maxnodes]",
        "Number of nodes: 2, or a range 2-4.",
    ),
    o(
        "ntasks",
        Some('n'),
        Req,
        V::Count,
        "<number>",
        "Number of tasks (MPI ranks / torchrun launchers).",
    ),
    o("ntasks-per-core", None, Req, V::Count, "<ntasks>", "Maximum tasks per core."),
    o("ntasks-per-gpu", None, Req, V::Count, "<ntasks>", "Tasks per GPU."),
    o(
        "ntasks-per-node",
        None,
        Req,
        V::Count,
        "<ntasks>",
        "Tasks on each node (often one per GPU).",
    ),
    o("ntasks-per-socket", None, Req, V::Count, "<ntasks>", "Maximum tasks per socket."),
    since(
        with_choices(
            o(
                "oom-kill-step",
                None,
                Opt,
                V::Choice,
                "{0|1}",
                "Kill the whole step when one task runs out of memory.",
            ),
            &["0", "1"],
        ),
        (24, 11),
    ),
    with_choices(
        o(
            "open-mode",
            None,
            Req,
            V::Choice,
            "{append|truncate}",
            "Append to or truncate the output files.",
        ),
        &["append", "truncate"],
    ),
    o(
        "output",
        Some('o'),
        Req,
        V::FilePattern,
        "<filename_pattern>",
        "File for the script's standard output: %j job id, %A array job id, %a array index, %x job name.",
    ),
    o("overcommit", Some('O'), NoArg, V::Flag, "", "Allow more than one task per CPU."),
    o(
        "oversubscribe",
        Some('s'),
        NoArg,
        V::Flag,
        "",
        "Allow sharing nodes with other running jobs.",
    ),
    o("parsable", None, NoArg, V::Flag, "", "Print only the job id (and cluster) on submission."),
    o(
        "partition",
        Some('p'),
        Req,
        V::Partition,
        "<partition_names>",
        "Partition(s) to run in; a comma list lets Slurm pick the first that can start the job.",
    ),
    until(
        o("power", None, Req, V::Text, "<flags>", "Power management options (removed in 23.02)."),
        (22, 5),
    ),
    since(
        o(
            "prefer",
            None,
            Req,
            V::Constraint,
            "<list>",
            "Preferred node features (like --constraint, but not required).",
        ),
        (22, 5),
    ),
    o("priority", None, Req, V::Text, "<value>", "Job priority (operators only), or TOP."),
    o(
        "profile",
        None,
        Req,
        V::Text,
        "{all|none|<type>[,...]}",
        "Detailed profiling: energy, task, lustre, network.",
    ),
    o(
        "propagate",
        None,
        Opt,
        V::Text,
        "rlimit[,rlimit...]",
        "Propagate resource limits (ulimits) to the job.",
    ),
    o("qos", Some('q'), Req, V::Qos, "<qos>", "Quality of service for the job."),
    o("quiet", Some('Q'), NoArg, V::Flag, "", "Suppress informational messages."),
    o("reboot", None, NoArg, V::Flag, "", "Reboot the nodes before the job starts."),
    o("requeue", None, NoArg, V::Flag, "", "Allow the job to be requeued."),
    o("reservation", None, Req, V::Text, "<reservation_names>", "Run in these reservations."),
    since(
        o("segment", None, Req, V::Count, "<segment_size>", "Nodes per topology segment."),
        (25, 5),
    ),
    o(
        "signal",
        None,
        Req,
        V::Signal,
        "[{R|B}:]<sig_num>[@sig_time]",
        "Send a signal this many seconds before the time limit: B:USR1@120 signals the batch shell.",
    ),
    o(
        "sockets-per-node",
        None,
        Req,
        V::Count,
        "<sockets>",
        "Nodes with at least this many sockets.",
    ),
    o("spread-job", None, NoArg, V::Flag, "", "Spread the job over as many nodes as possible."),
    since(
        o("stepmgr", None, NoArg, V::Flag, "", "Let slurmstepd manage the job's steps."),
        (24, 5),
    ),
    o(
        "switches",
        None,
        Req,
        V::Text,
        "<count>[@max-time]",
        "Maximum leaf switches, and how long to wait for them.",
    ),
    o(
        "test-only",
        None,
        NoArg,
        V::Flag,
        "",
        "Validate the job and estimate when it would start; submit nothing.",
    ),
    o("thread-spec", None, Req, V::Count, "<num>", "Threads per node reserved for system use."),
    o("threads-per-core", None, Req, V::Count, "<threads>", "Threads per core to use."),
    o(
        "time",
        Some('t'),
        Req,
        V::Time,
        "<time>",
        "Time limit: minutes, mm:ss, hh:mm:ss, d-hh, d-hh:mm, d-hh:mm:ss or UNLIMITED. `1:30` is 90 seconds.",
    ),
    o(
        "time-min",
        None,
        Req,
        V::Time,
        "<time>",
        "Minimum time limit: lets the scheduler start the job earlier with less time.",
    ),
    o(
        "tmp",
        None,
        Req,
        V::Memory,
        "<size>[units]",
        "Minimum temporary disk per node, MB by default.",
    ),
    since(
        o("tres-bind", None, Req, V::Text, "<list>", "Bind tasks to trackable resources."),
        (24, 11),
    ),
    since(
        o(
            "tres-per-task",
            None,
            Req,
            V::Text,
            "<list>",
            "Trackable resources per task: cpu=4,gres/gpu=1.",
        ),
        (23, 2),
    ),
    o("uid", None, Req, V::Text, "<user>", "User to run the job as (root only)."),
    o("usage", None, NoArg, V::Flag, "", "Show a brief usage message (not useful in a script)."),
    o("use-min-nodes", None, NoArg, V::Flag, "", "Prefer the smaller node count of a range."),
    o("verbose", Some('v'), NoArg, V::Flag, "", "More messages from sbatch."),
    o("version", Some('V'), NoArg, V::Flag, "", "Print sbatch's version (not useful in a script)."),
    o(
        "wait",
        Some('W'),
        NoArg,
        V::Flag,
        "",
        "sbatch returns only when the job ends, with its exit code.",
    ),
    with_choices(
        o(
            "wait-all-nodes",
            None,
            Req,
            V::Choice,
            "<value>",
            "1: start only when every node is ready; 0: as soon as possible.",
        ),
        &["0", "1"],
    ),
    o("wckey", None, Req, V::Text, "<wckey>", "Workload characterization key."),
    o(
        "wrap",
        None,
        Req,
        V::Text,
        "<command_string>",
        "Wrap a command in a sh script (command line only).",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        for w in OPTIONS.windows(2) {
            assert!(w[0].long < w[1].long, "{} before {}", w[0].long, w[1].long);
        }
        let mut shorts: Vec<char> = OPTIONS.iter().filter_map(|o| o.short).collect();
        let n = shorts.len();
        shorts.sort_unstable();
        shorts.dedup();
        assert_eq!(shorts.len(), n, "duplicate short option");
    }

    #[test]
    fn choice_kinds_have_choices() {
        for o in OPTIONS {
            if matches!(o.value, ValueKind::Choice | ValueKind::ChoiceList) {
                assert!(!o.choices.is_empty(), "{}", o.long);
            }
            assert_eq!(o.arg == ArgKind::None, o.value == ValueKind::Flag, "{}", o.long);
        }
    }
}
