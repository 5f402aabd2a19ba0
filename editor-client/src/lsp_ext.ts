// The clusterls protocol extensions, declared once on the client side. The server's
// counterpart is server/src/lsp/ext.rs; keep the two in step.

import * as lc from 'vscode-languageclient/node';

/** workspace/executeCommand names the server implements. */
export const ServerCommand = {
  run: 'clusterls.server.run',
  pull: 'clusterls.server.pull',
  alloc: 'clusterls.server.alloc',
  runInAlloc: 'clusterls.server.runInAlloc',
  cancel: 'clusterls.server.cancel',
  jobs: 'clusterls.server.jobs',
  refreshFacts: 'clusterls.server.refreshFacts',
  login: 'clusterls.server.login',
  logs: 'clusterls.server.logs',
  script: 'clusterls.server.script',
  sessionTerminal: 'clusterls.server.sessionTerminal',
} as const;

export type JobState =
  | 'submitting'
  | 'pending'
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'unknown';

/** A job as the server reports it. Times are unix seconds. */
export interface Job {
  id: string;
  name: string;
  state: JobState;
  /** Slurm's own state word, e.g. `CANCELLED`, `OUT_OF_MEMORY`. */
  slurmState?: string;
  partition?: string;
  gpus?: number;
  /** Time limit as Slurm prints it. */
  timeLimit?: string;
  submittedAt?: number;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number;
  /** Is this an allocation (interactive session) rather than a batch run? */
  allocation?: boolean;
  /** Absolute path of the job's output on the cluster. */
  logPath?: string;
  /** Absolute path of the batch script clusterls generated. */
  scriptPath?: string;
  /** The file that was run (a URI), when this server submitted it. */
  source?: string;
  /** Why it is pending, or why it failed (Slurm's reason). */
  reason?: string;
}

export function isFinished(state: JobState): boolean {
  return ['completed', 'failed', 'cancelled', 'timeout'].includes(state);
}

export interface RunParams {
  /** URI of the file to run. */
  uri: string;
  partition?: string;
  account?: string;
  gpus?: number;
  time?: string;
  image?: string;
}

export interface PullParams {
  image?: string;
}

export interface AllocParams {
  partition?: string;
  account?: string;
  gpus?: number;
  time?: string;
}

export interface RunInAllocParams {
  uri: string;
  allocation: string;
  image?: string;
}

export interface CancelParams {
  id: string;
}

export interface SessionTerminalParams {
  /** The allocation's job id. */
  allocation: string;
}

/** Program and arguments of an interactive shell in an allocation. */
export interface TerminalCommand {
  argv: string[];
}

export interface LogsParams {
  id: string;
}

export interface Logs {
  id: string;
  out: string;
  err: string;
}

export interface ScriptParams {
  id: string;
}

/** The batch script clusterls generated for a job. */
export interface Script {
  id: string;
  /** Where it is on the cluster. */
  path: string;
  text: string;
}

/** The answer to `login`: the command that opens an interactive ssh master. */
export interface LoginCommand {
  host: string;
  /** The ssh command to run in a terminal, shell-quoted. */
  commandLine: string;
}

export type ConnectionStateKind = 'disconnected' | 'connecting' | 'connected' | 'loginRequired' | 'error';

export interface ConnectionStateParams {
  host: string;
  state: ConnectionStateKind;
  message?: string;
}

export interface JobStateParams {
  job: Job;
}

/** Server to client: a job changed state (including its first appearance). */
export const jobState = new lc.NotificationType<JobStateParams>('clusterls/jobState');

/** Server to client: the connection to the cluster changed state. */
export const connectionState = new lc.NotificationType<ConnectionStateParams>('clusterls/connectionState');

/** Error code the server uses when the host needs an interactive login first. */
export const LOGIN_REQUIRED = -32001;
