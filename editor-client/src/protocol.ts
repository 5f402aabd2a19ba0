// GENERATED from server/src/lsp/ext by the test `typescript_is_generated`
// (ts-rs). Do not edit: change ext/mod.rs and run
// `UPDATE_EXPECT=1 cargo test -p clusterls --lib lsp::ext`.

/**
 * What an editor shows: where the job is in its life. The protocol's `JobState`.
 */
export type JobState = "pending" | "running" | "completed" | "failed" | "cancelled" | "timeout" | "vanished" | "unknown";

/**
 * A job as the client sees it. Times are unix seconds.
 */
export type Job = {
  id: string,
  name: string,
  state: JobState,
  /**
   * Slurm's own state word, e.g. `CANCELLED`, `OUT_OF_MEMORY`.
   */
  slurmState?: string,
  /**
   * What was asked for at submit (flags, settings and clusterls.toml merged), as
   * the job store keeps it; an unset field: the cluster's default.
   */
  resources: Resources,
  submittedAt?: number,
  startedAt?: number,
  endedAt?: number,
  exitCode?: number,
  /**
   * An allocation (interactive session) rather than a batch run.
   */
  allocation: boolean,
  /**
   * Absolute path of the job's output on the cluster.
   */
  logPath?: string,
  /**
   * Absolute path of the batch script clusterls generated.
   */
  scriptPath?: string,
  /**
   * The file that was run (a URI), when this server submitted it.
   */
  source?: string,
  /**
   * Why it is pending, or why it failed (Slurm's reason).
   */
  reason?: string,
  /**
   * Slurm's reason in plain words, with what the user can do (for a job not ended).
   */
  reasonText?: string,
  /**
   * The node(s) it runs or ran on, in Slurm's notation (`node[02-03]`).
   */
  nodes?: string,
  /**
   * A job array's tasks, each with its own state and log (absent for other jobs).
   */
  tasks?: Array<JobTask>,
  /**
   * A job array's count of tasks per state, running first (absent for other jobs).
   */
  taskCounts?: Array<TaskCount>,
};

/**
 * One task of a job array.
 */
export type JobTask = {
  /**
   * Slurm's id of the task, `123_4`: what the cancel and logs commands take.
   */
  id: string,
  /**
   * Its index in the array (`SLURM_ARRAY_TASK_ID`).
   */
  index: number,
  state: JobState,
  /**
   * Slurm's own state word.
   */
  slurmState: string,
  exitCode?: number,
  nodes?: string,
  /**
   * Why it is pending (Slurm's reason, e.g. `JobArrayTaskLimit`).
   */
  reason?: string,
  /**
   * Absolute path of the task's output on the cluster, when clusterls named it.
   */
  logPath?: string,
};

/**
 * How many tasks of a job array are in one state.
 */
export type TaskCount = {
  state: JobState,
  /**
   * Slurm's own state word (`RUNNING`, `OUT_OF_MEMORY`).
   */
  slurmState: string,
  count: number,
};

/**
 * The argument of a command that takes none: `{}`, or no argument at all.
 */
export type NoParams = Record<symbol, never>;

/**
 * What a job asks Slurm for. `None` leaves it to the next layer: flags, then
 * `clusterls.toml`, then Slurm's (or the partition's) default, and is left out of
 * the JSON. The doc comments are the CLI's help.
 */
export type Resources = {
  /**
   * Slurm partition (default: clusterls.toml, then the cluster's default partition)
   */
  partition?: string,
  /**
   * Slurm account to charge (default: clusterls.toml, then your default account)
   */
  account?: string,
  /**
   * Quality of service
   */
  qos?: string,
  /**
   * GPUs per job (`--gres=gpu:N`).
   */
  gpus?: number,
  /**
   * CPUs per task.
   */
  cpus?: number,
  /**
   * Memory, as Slurm takes it (`16G`, `4000`).
   */
  mem?: string,
  /**
   * Time limit, as Slurm takes it (`30`, `1:00:00`, `1-00:00:00`).
   */
  time?: string,
};

/**
 * Arguments of [`command::Run`].
 */
export type RunParams = {
  /**
   * URI of the file to run (`file://...`). A script with `#SBATCH` directives is
   * submitted as written; the engine decides by its content.
   */
  uri: string,
  /**
   * The script's arguments as one command line, split like a POSIX shell does
   * (quotes and backslashes; no expansion), and passed to the script intact.
   */
  arguments?: string,
  /**
   * Copy the project with the script (default): the nearest folder holding
   * `clusterls.toml`, else the workspace folder, honouring .gitignore, .ignore and
   * .clusterlsignore. `false`: the file alone.
   */
  sync?: boolean,
  /**
   * What the job asks Slurm for; unset fields come from `clusterls.toml`, then
   * the editor's settings.
   */
  resources?: Resources,
  image?: string,
};

/**
 * Arguments of [`command::Pull`]. No image: the configured one.
 */
export type PullParams = {
  image?: string,
};

/**
 * The reply to [`command::Pull`].
 */
export type Pulled = {
  /**
   * Where the image is on the cluster.
   */
  path: string,
  /**
   * It was there already; nothing was pulled.
   */
  alreadyPresent: boolean,
};

/**
 * Arguments of [`command::Alloc`]; unset fields come from the configuration.
 */
export type AllocParams = {
  /**
   * What the session asks Slurm for.
   */
  resources?: Resources,
};

/**
 * Arguments of [`command::RunInAlloc`].
 */
export type RunInAllocParams = {
  uri: string,
  /**
   * The allocation's job id.
   */
  allocation: string,
  image?: string,
};

/**
 * Arguments of [`command::Cancel`].
 */
export type CancelParams = {
  id: string,
};

/**
 * Arguments of [`command::Logs`].
 */
export type LogsParams = {
  id: string,
  /**
   * Bytes of the output already read: only what follows is sent (default 0).
   */
  outOffset?: number,
  /**
   * Bytes of the error output already read (default 0).
   */
  errOffset?: number,
};

/**
 * The answer to [`command::Logs`]: the job's output and error after the offsets asked
 * for. clusterls' own banner line (`clusterls: job N on HOST, ...`, written to the
 * error output) is not in `err` but in `banner`, so it is not shown as an error.
 */
export type Logs = {
  id: string,
  out: string,
  err: string,
  /**
   * Bytes of output now read (the next request's `outOffset`).
   */
  outOffset: number,
  /**
   * Bytes of error output now read (the next request's `errOffset`).
   */
  errOffset: number,
  /**
   * The job is finished: the output will not grow.
   */
  finished: boolean,
  /**
   * clusterls' banner line, when this chunk of the error output held it.
   */
  banner?: string,
};

/**
 * Arguments of [`command::Script`].
 */
export type ScriptParams = {
  id: string,
};

/**
 * The answer to [`command::Script`]: the batch script clusterls generated for a job.
 */
export type Script = {
  id: string,
  /**
   * Where it is on the cluster.
   */
  path: string,
  text: string,
};

/**
 * Arguments of [`command::SessionTerminal`].
 */
export type SessionTerminalParams = {
  /**
   * The allocation's job id.
   */
  allocation: string,
};

/**
 * The answer to [`command::SessionTerminal`]: the program and arguments of an
 * interactive shell in the allocation (ssh through the live connection, then srun).
 */
export type TerminalCommand = {
  argv: Array<string>,
};

/**
 * Arguments of [`command::Jupyter`].
 */
export type JupyterParams = {
  /**
   * The allocation's job id.
   */
  allocation: string,
  /**
   * `docker://REF` or a path on the cluster; default: the configured image.
   */
  image?: string,
};

/**
 * The answer to [`command::Jupyter`]: the local URL (with its token) to open.
 */
export type Served = {
  url: string,
  allocation: string,
  /**
   * The step that runs the server.
   */
  step: string,
};

/**
 * Arguments of [`command::Build`].
 */
export type BuildParams = {
  /**
   * URI of the Dockerfile (`file://...`); its folder is the build context.
   */
  uri: string,
  /**
   * Build arguments, `NAME=VALUE` each, passed intact.
   */
  buildArgs?: Array<string>,
};

/**
 * The reply to [`command::Build`].
 */
export type Built = {
  /**
   * The content key (SHA-256, hex).
   */
  key: string,
  /**
   * The image's name (`clusterls-build:KEY16`); a run takes `docker://NAME`.
   */
  name: string,
  /**
   * Where the image is on the cluster.
   */
  path: string,
  /**
   * False when the key's image was there already (nothing was built).
   */
  built: boolean,
};

export type ClusterFacts = {
  /**
   * Slurm's ClusterName.
   */
  cluster: string | null,
  /**
   * The ssh host alias or `local` these facts were read through.
   */
  host: string | null,
  /**
   * Slurm version, e.g. `22.05.8`.
   */
  slurm_version: string | null,
  /**
   * The unix user the facts were read as.
   */
  user: string | null,
  /**
   * Unix seconds when the facts were read.
   */
  fetched_at: number | null,
  partitions: Array<Partition>,
  /**
   * The user's associations. Empty means unknown (accounting not reachable):
   * account checks are then skipped.
   */
  associations: Array<Association>,
  /**
   * The user's default account, if any.
   */
  default_account: string | null,
  /**
   * Every QOS defined on the cluster. Empty means unknown.
   */
  qos: Array<string>,
  /**
   * The container runtime on the cluster, if one was found.
   */
  runtime: ContainerRuntime | null,
  /**
   * Where images live (the image directory for apptainer/singularity, the storage
   * directory for charliecloud).
   */
  image_dir: string | null,
  /**
   * Images already pulled there.
   */
  images: Array<Image>,
  /**
   * NVIDIA driver version on the GPU nodes, when known (e.g. `535.104.05`).
   */
  gpu_driver: string | null,
  /**
   * AccountingStorageEnforce flags, lowercased (`associations`, `limits`, `qos`,
   * `safe`). Empty means unknown: the checkers then assume accounts and QOS are enforced.
   */
  accounting_enforce: Array<string>,
  /**
   * EnforcePartLimits (`ALL`, `ANY`, `NO`); `None` is unknown (assumed enforced).
   * Without it a job over a partition's limits is accepted and pends forever.
   */
  enforce_part_limits: string | null,
  /**
   * GresTypes (`gpu`, `shard`, ...). Empty means unknown.
   */
  gres_types: Array<string>,
  /**
   * Reservations the user may name with `--reservation`. `None`: unknown.
   */
  reservations: Array<string> | null,
  /**
   * Who may use each reservation (`scontrol show reservation`). Empty: unknown.
   */
  reservation_access?: Array<Reservation>,
  /**
   * The user's unix groups (`id -Gn`), for partitions' AllowGroups. `None`: unknown.
   */
  groups?: Array<string>,
  /**
   * Cluster licenses (`--licenses`). `None`: unknown; `Some([])`: none configured.
   */
  licenses?: Array<License>,
  /**
   * MaxArraySize: array indices must be below it. `None`: unknown.
   */
  max_array_size?: number,
  /**
   * MaxJobCount of slurmctld. `None`: unknown.
   */
  max_job_count?: number,
  /**
   * Limits of each QOS (`sacctmgr show qos`). Empty: unknown.
   */
  qos_limits?: Array<QosLimits>,
  /**
   * DefMemPerCPU of the cluster (MB), when set.
   */
  def_mem_per_cpu_mb?: number,
  /**
   * Whether preemption is enabled (PreemptType other than none). `None`: unknown.
   */
  preemption?: boolean,
  /**
   * Directories asked about in the facts' round trip (`test -d`): the absolute
   * directories of the checked scripts' `--output`/`--error` files. A directory not
   * listed is unknown.
   */
  dirs?: Array<RemoteDir>,
};

export type License = {
  name: string,
  total: number,
};

export type Reservation = {
  name: string,
  /**
   * `Users=`; `None`: not restricted by user.
   */
  users: Array<string> | null,
  /**
   * `Accounts=`; `None`: not restricted by account.
   */
  accounts: Array<string> | null,
  /**
   * `PartitionName=`, when the reservation is tied to one.
   */
  partition: string | null,
};

export type QosLimits = {
  name: string,
  /**
   * MaxWall in minutes.
   */
  max_wall_minutes: number | null,
  /**
   * MaxTRES (per job), e.g. `cpu=4,gres/gpu=1`.
   */
  max_tres_per_job: string | null,
  max_tres_per_user: string | null,
  max_submit_jobs_per_user: number | null,
};

/**
 * Nodes of a partition that share one configuration.
 */
export type NodeKind = {
  count: number,
  cpus: number | null,
  mem_mb: number | null,
  gpus: Array<GpuGres>,
  features: Array<string>,
};

export type Partition = {
  name: string,
  state: PartitionState,
  is_default: boolean,
  /**
   * MaxTime in minutes; `None` is UNLIMITED.
   */
  max_time_minutes: number | null,
  /**
   * DefaultTime in minutes; `None` means the partition's MaxTime applies.
   */
  default_time_minutes: number | null,
  /**
   * Node names (expanded).
   */
  nodes: Array<string>,
  /**
   * CPUs per node (the smallest node's, when nodes differ).
   */
  cpus_per_node: number | null,
  /**
   * Memory per node in MB (the smallest node's).
   */
  mem_per_node_mb: number | null,
  /**
   * GPU GRES per node. Empty: the partition has no GPUs.
   */
  gpus: Array<GpuGres>,
  /**
   * AllowAccounts, when the partition restricts them (`None`: ALL).
   */
  allow_accounts: Array<string> | null,
  /**
   * AllowQos, when restricted (`None`: ALL).
   */
  allow_qos: Array<string> | null,
  /**
   * Node features available in the partition (union over its nodes), for
   * `--constraint`/`--prefer`. `None`: unknown; `Some(vec![])`: the nodes have none.
   */
  features: Array<string> | null,
  /**
   * DenyAccounts (`None`: none denied).
   */
  deny_accounts?: Array<string>,
  /**
   * AllowGroups (`None`: ALL).
   */
  allow_groups?: Array<string>,
  /**
   * DenyQos (`None`: none denied).
   */
  deny_qos?: Array<string>,
  /**
   * MaxNodes per job (`None`: UNLIMITED or unknown).
   */
  max_nodes?: number,
  /**
   * MaxCPUsPerNode (`None`: UNLIMITED or unknown).
   */
  max_cpus_per_node?: number,
  /**
   * MaxMemPerNode in MB.
   */
  max_mem_per_node_mb?: number,
  /**
   * MaxMemPerCPU in MB.
   */
  max_mem_per_cpu_mb?: number,
  /**
   * DefMemPerCPU in MB (the partition's own).
   */
  def_mem_per_cpu_mb?: number,
  /**
   * The node set, grouped by configuration (CPUs, memory, GRES, features). Empty:
   * unknown.
   */
  node_kinds?: Array<NodeKind>,
};

export type PartitionState = "up" | "down" | "drain" | "inactive";

export type GpuGres = {
  /**
   * `a100`, `h100`, ... or `None` for untyped `gpu:4`.
   */
  type: string | null,
  /**
   * Per node.
   */
  count: number,
};

export type Association = {
  account: string,
  /**
   * `None`: the association is valid on every partition.
   */
  partition: string | null,
  qos: Array<string>,
};

export type ContainerRuntime = {
  kind: RuntimeKind,
  version: string | null,
  /**
   * Absolute path of the main executable (`apptainer`, `singularity`, `ch-run`).
   */
  path: string | null,
};

export type RuntimeKind = "apptainer" | "singularity" | "charliecloud";

export type Image = {
  /**
   * File name (`pytorch_2.2.1-cuda12.1-cudnn8-devel.sif`) or charliecloud image name.
   */
  name: string,
  /**
   * Absolute path on the cluster.
   */
  path: string,
  size_bytes: number | null,
};

/**
 * Whether a directory exists on the cluster (the login node's view).
 */
export type RemoteDir = {
  path: string,
  exists: boolean,
};

/**
 * Cluster facts (partitions, accounts, limits, runtime, images), in the
 * `clusterls facts --json` form; their TypeScript is generated from the same types.
 */
export type Facts = ClusterFacts;

/**
 * The answer to [`command::Login`] and the `data` of a [`error_code::LOGIN_REQUIRED`] error: the
 * command that opens an interactive ssh master the server can then reuse.
 */
export type LoginCommand = {
  host: string,
  /**
   * The ssh command to run in a terminal, shell-quoted.
   */
  commandLine: string,
  /**
   * The same command as words: a terminal runs it as its process, without a shell
   * (text typed into a shell that is still starting is echoed twice).
   */
  argv: Array<string>,
};

/**
 * How the connection to the cluster stands.
 */
export type ConnectionStateKind = "connected" | "loginRequired" | "error";

/**
 * The params of `clusterls/connectionState`.
 */
export type ConnectionStateParams = {
  host: string,
  state: ConnectionStateKind,
  message?: string,
};

/**
 * The params of `clusterls/controllerState`: whether Slurm's controller (slurmctld)
 * on a host answers, as the last poll of any clusterls process saw it. While it does
 * not, the jobs' states are as last seen, not lost or ended.
 */
export type ControllerStateParams = {
  host: string,
  reachable: boolean,
  /**
   * Slurm's words when it does not answer.
   */
  message?: string,
};

/**
 * The params of `clusterls/jobState`.
 */
export type JobStateParams = {
  job: Job,
};

/**
 * Arguments of [`super::command::JobDetail`].
 */
export type JobDetailParams = {
  id: string,
};

/**
 * What the cluster says of one job now, asked only on demand (a tooltip, a
 * notification), never in the polling loop: for a running job its time left, for a
 * pending one the scheduler's estimated start (`squeue --start`), for an ended one how
 * it went (sacct).
 */
export type JobDetail = {
  id: string,
  /**
   * Running: seconds left when asked.
   */
  timeLeftSecs?: number,
  /**
   * Running: the time limit as Slurm prints it now (after any extension).
   */
  timeLimit?: string,
  /**
   * Pending: why, in words, with what to do.
   */
  why?: string,
  /**
   * Pending: the scheduler's estimated start, with the nodes when it planned them;
   * or that it has none yet.
   */
  estimatedStart?: string,
  /**
   * Ended: how it went (time, CPU, memory, GPUs), one line each.
   */
  efficiency: Array<string>,
  /**
   * Ended: advice where a request was far too large, one line each.
   */
  advice: Array<string>,
  /**
   * What could not be asked, and why (e.g. accounting has no row yet).
   */
  note?: string,
};

/**
 * Arguments of [`super::command::Extend`].
 */
export type ExtendParams = {
  id: string,
  /**
   * `+30` (minutes), `+1:00:00`, `-10`, `=2:00:00`: Slurm's time forms, signed.
   */
  time: string,
};

/**
 * Arguments of [`super::command::RemoteSshHost`].
 */
export type RemoteSshHostParams = {
  /**
   * The allocation's job id.
   */
  allocation: string,
};

/**
 * The answer to [`super::command::RemoteSshHost`]: the ssh Host entry written for the
 * allocation's node (jumping through the login host), removed when it ends.
 */
export type RemoteSshHost = {
  /**
   * The Host alias to open (`clusterls-LOGIN-ID`).
   */
  alias: string,
  /**
   * The file holding the entry.
   */
  file: string,
  /**
   * The line an ssh config needs (once) to read every such entry.
   */
  includeLine: string,
  /**
   * `vscode-remote://ssh-remote+ALIAS/`.
   */
  uri: string,
};

/**
 * The params of `clusterls/jobStarted`.
 */
export type JobStartedParams = {
  job: Job,
  /**
   * `Job 41 (train.py) is running on node01.`
   */
  message: string,
};

/** The states a job does not leave. */
export const FINISHED_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'timeout', 'vanished'];

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}

/** JSON-RPC error codes of clusterls' own errors. */
export const ErrorCodes = {
  /** The host needs an interactive login first; the error's `data` is a `LoginCommand`. */
  loginRequired: -32001,
  /** No cluster is configured: the client offers to pick one. */
  noCluster: -32002,
  /** The request was understood but failed; the message says what to do. */
  requestFailed: -32803,
} as const;

/** The login command carried by a `loginRequired` error, if `e` is one. */
export function loginRequired(e: unknown): LoginCommand | undefined {
  if (typeof e !== 'object' || e === null) {
    return undefined;
  }
  const { code, data } = e as { code?: unknown; data?: unknown };
  return code === ErrorCodes.loginRequired ? (data as LoginCommand | undefined) : undefined;
}

/** Whether `e` is the error of a request made while no cluster is configured. */
export function noCluster(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === ErrorCodes.noCluster;
}

/** A server-to-client notification: its method, typed by its params. */
export interface NotificationSpec<P> {
  method: string;
  /** Never set: carries the params type. */
  params?: P;
}

/** Server to client: a job changed state (including its first appearance). */
export const jobState: NotificationSpec<JobStateParams> = { method: 'clusterls/jobState' };

/** Server to client: the connection to the cluster changed state. */
export const connectionState: NotificationSpec<ConnectionStateParams> = { method: 'clusterls/connectionState' };

/** Server to client: Slurm's controller stopped or started answering. */
export const controllerState: NotificationSpec<ControllerStateParams> = { method: 'clusterls/controllerState' };

/** Server to client: a job the tracker saw waiting now runs (with its node). */
export const jobStarted: NotificationSpec<JobStartedParams> = { method: 'clusterls/jobStarted' };

/** Sends `workspace/executeCommand` with these arguments and returns its result. */
export type Send = (command: string, args: unknown[]) => Promise<unknown>;

/** Every command the server implements. */
export const COMMANDS = [
  'clusterls.server.run',
  'clusterls.server.pull',
  'clusterls.server.alloc',
  'clusterls.server.runInAlloc',
  'clusterls.server.cancel',
  'clusterls.server.jobs',
  'clusterls.server.refreshFacts',
  'clusterls.server.login',
  'clusterls.server.logs',
  'clusterls.server.script',
  'clusterls.server.sessionTerminal',
  'clusterls.server.jobDetail',
  'clusterls.server.extend',
  'clusterls.server.remoteSshHost',
  'clusterls.server.jupyter',
  'clusterls.server.build',
] as const;

/** Run a file on the cluster, in a container, as a batch job. */
export function run(send: Send, params: RunParams): Promise<Job> {
  return send('clusterls.server.run', [params]) as Promise<Job>;
}

/** Pull an image into the cluster's container runtime (no image: the configured one). */
export function pull(send: Send, params: PullParams): Promise<Pulled> {
  return send('clusterls.server.pull', [params]) as Promise<Pulled>;
}

/** Make an allocation (an interactive GPU session) that outlives the command. */
export function alloc(send: Send, params: AllocParams): Promise<Job> {
  return send('clusterls.server.alloc', [params]) as Promise<Job>;
}

/** Run a file as a step of a live allocation. */
export function runInAlloc(send: Send, params: RunInAllocParams): Promise<Job> {
  return send('clusterls.server.runInAlloc', [params]) as Promise<Job>;
}

/** Cancel a job or release an allocation. */
export function cancel(send: Send, params: CancelParams): Promise<null> {
  return send('clusterls.server.cancel', [params]) as Promise<null>;
}

/** Every tracked job of the configured host (empty when none is configured). */
export function jobs(send: Send): Promise<Array<Job>> {
  return send('clusterls.server.jobs', []) as Promise<Array<Job>>;
}

/** Read the cluster's facts again (not from the cache); null without a source. */
export function refreshFacts(send: Send): Promise<Facts | null> {
  return send('clusterls.server.refreshFacts', []) as Promise<Facts | null>;
}

/** Connect; null when connected, else the ssh command that logs in. */
export function login(send: Send): Promise<LoginCommand | null> {
  return send('clusterls.server.login', []) as Promise<LoginCommand | null>;
}

/** A job's output and error so far. */
export function logs(send: Send, params: LogsParams): Promise<Logs> {
  return send('clusterls.server.logs', [params]) as Promise<Logs>;
}

/** The batch script clusterls generated for a job. */
export function script(send: Send, params: ScriptParams): Promise<Script> {
  return send('clusterls.server.script', [params]) as Promise<Script>;
}

/** The program and arguments of an interactive shell in an allocation. */
export function sessionTerminal(send: Send, params: SessionTerminalParams): Promise<TerminalCommand> {
  return send('clusterls.server.sessionTerminal', [params]) as Promise<TerminalCommand>;
}

/** One job's detail, asked now (time left, estimated start, or how it went). */
export function jobDetail(send: Send, params: JobDetailParams): Promise<JobDetail> {
  return send('clusterls.server.jobDetail', [params]) as Promise<JobDetail>;
}

/** Extend (or shorten) a running job's time limit; Slurm's refusal in its words. */
export function extend(send: Send, params: ExtendParams): Promise<JobDetail> {
  return send('clusterls.server.extend', [params]) as Promise<JobDetail>;
}

/** Write the ssh Host entry of an allocation's node for VS Code's Remote-SSH. */
export function remoteSshHost(send: Send, params: RemoteSshHostParams): Promise<RemoteSshHost> {
  return send('clusterls.server.remoteSshHost', [params]) as Promise<RemoteSshHost>;
}

/** Start Jupyter in the container on an allocation's node and forward it here. */
export function jupyter(send: Send, params: JupyterParams): Promise<Served> {
  return send('clusterls.server.jupyter', [params]) as Promise<Served>;
}

/**
 * Build a Dockerfile into an image on the cluster (checked first, cached by
 * content); its steps are reported as work-done progress, stoppable. A failed
 * build also puts a diagnostic on the failing instruction's line.
 */
export function build(send: Send, params: BuildParams): Promise<Built> {
  return send('clusterls.server.build', [params]) as Promise<Built>;
}
