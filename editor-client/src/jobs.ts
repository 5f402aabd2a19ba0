// Jobs as the server reports them: a model, the Jobs tree view, and the status bar
// item with the latest job.

import * as vscode from 'vscode';

import { taskCountsText, taskJob } from './arrays';
import { isFinished, Job, JobState, Resources } from './lsp_ext';

export class JobsModel implements vscode.Disposable {
  private readonly jobs = new Map<string, Job>();
  /** When this window first saw a job running (the server does not report start times). */
  private readonly started = new Map<string, number>();
  /** When a running job's time runs out (ms, this machine's clock), as Slurm last said. */
  private readonly endsAt = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<Job | undefined>();
  readonly onDidChange = this.changed.event;

  /** Returns the job's previous state, if it was known. */
  update(job: Job): JobState | undefined {
    const previous = this.jobs.get(job.id)?.state;
    if (job.state === 'running' && !this.started.has(job.id)) {
      this.started.set(job.id, job.startedAt ?? Math.floor(Date.now() / 1000));
    }
    const old = this.jobs.get(job.id);
    // Keep what only an earlier report said (the source file is known only to the
    // server that submitted the job; resources come with every report).
    this.jobs.set(job.id, { ...old, ...stripUndefined(job) } as Job);
    this.changed.fire(this.jobs.get(job.id));
    return previous;
  }

  replaceAll(jobs: Job[]) {
    for (const j of jobs) {
      const old = this.jobs.get(j.id);
      this.jobs.set(j.id, { ...old, ...stripUndefined(j) } as Job);
    }
    this.changed.fire(undefined);
  }

  /** Forget the jobs that ended (the view's "Clear Finished Jobs"); returns how many. */
  clearFinished(): number {
    let n = 0;
    for (const [id, job] of this.jobs) {
      if (isFinished(job.state)) {
        this.jobs.delete(id);
        this.started.delete(id);
        n++;
      }
    }
    this.changed.fire(undefined);
    return n;
  }

  /** Slurm said `secs` are left (now): the countdown starts from this. */
  setTimeLeft(id: string, secs: number | undefined) {
    if (secs === undefined) {
      this.endsAt.delete(id);
    } else {
      this.endsAt.set(id, Date.now() + secs * 1000);
    }
    this.changed.fire(this.jobs.get(id));
  }

  /** Seconds a running job has left, when Slurm said it. */
  timeLeft(job: Job): number | undefined {
    const end = this.endsAt.get(job.id);
    if (end === undefined || job.state !== 'running') {
      return undefined;
    }
    return Math.max(0, Math.round((end - Date.now()) / 1000));
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => (b.submittedAt ?? 0) - (a.submittedAt ?? 0) || b.id.localeCompare(a.id));
  }

  latest(): Job | undefined {
    return this.list().find((j) => !j.allocation);
  }

  /** Seconds the job has been running (or pending, before it started). */
  elapsed(job: Job): number {
    const start = job.startedAt ?? this.started.get(job.id) ?? job.submittedAt;
    if (start === undefined) {
      return 0;
    }
    const end = isFinished(job.state) ? job.endedAt ?? Math.floor(Date.now() / 1000) : Math.floor(Date.now() / 1000);
    return Math.max(0, end - start);
  }

  dispose() {
    this.changed.dispose();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

export function formatElapsed(secs: number): string {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

/** The resources a job asked for, as tooltip rows (unset ones are the cluster's defaults, not shown). */
export function resourceRows(r: Resources): [string, string][] {
  const rows: [string, string | number | undefined][] = [
    ['Partition', r.partition],
    ['Account', r.account],
    ['QOS', r.qos],
    ['GPUs', r.gpus],
    ['CPUs per task', r.cpus],
    ['Memory', r.mem],
    ['Time limit', r.time],
  ];
  return rows.filter((row): row is [string, string | number] => row[1] !== undefined).map(([k, v]) => [k, String(v)]);
}

export function stateIcon(state: JobState): string {
  switch (state) {
    case 'pending':
      return 'clock';
    case 'running':
      return 'sync~spin';
    case 'completed':
      return 'pass';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'circle-slash';
    case 'timeout':
      return 'watch';
    default:
      return 'question';
  }
}

function stateColor(state: JobState): vscode.ThemeColor | undefined {
  switch (state) {
    case 'completed':
      return new vscode.ThemeColor('testing.iconPassed');
    case 'failed':
    case 'timeout':
      return new vscode.ThemeColor('testing.iconFailed');
    default:
      return undefined;
  }
}

/** Slurm's word for the state (`CANCELLED`), else ours in capitals. */
export function stateWord(job: Job): string {
  return (job.slurmState ?? job.state).split(/\s/)[0].toUpperCase();
}

/**
 * A job's row. A job array's row holds its tasks (collapsed) and counts them per state
 * in its description; a task's row (`array` set: the array's job) has its own state,
 * and opens its own log and cancels itself alone.
 */
export class JobItem extends vscode.TreeItem {
  constructor(
    readonly job: Job,
    model: JobsModel,
    readonly array?: Job,
  ) {
    super(
      job.allocation ? `allocation ${job.id}` : array ? `task ${job.id}` : job.name,
      job.tasks?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    this.id = job.id;
    const counts = taskCountsText(job);
    let stateText = stateWord(job);
    if (counts !== undefined) {
      stateText += ` (${counts})`;
    } else if (job.reason && !isFinished(job.state)) {
      stateText += ` (${job.reason})`;
    }
    const parts = array ? [stateText] : [`job ${job.id}`, stateText];
    const asked = job.resources;
    if (asked.partition) {
      parts.push(asked.partition);
    }
    if (asked.gpus !== undefined) {
      parts.push(`${asked.gpus} GPU${asked.gpus === 1 ? '' : 's'}`);
    }
    const elapsed = formatElapsed(model.elapsed(job));
    parts.push(asked.time ? `${elapsed} / ${asked.time}` : elapsed);
    const left = model.timeLeft(job);
    if (left !== undefined) {
      parts.push(`${formatElapsed(left)} left`);
    }
    if (job.nodes) {
      parts.push(job.nodes);
    }
    this.description = parts.join(' · ');
    this.iconPath = new vscode.ThemeIcon(stateIcon(job.state), stateColor(job.state));
    const live = !isFinished(job.state);
    const ctx = [job.allocation ? 'alloc' : array ? 'task' : job.tasks?.length ? 'array' : 'job', live ? 'live' : 'done'];
    // A task of a script submitted as written has no path clusterls named, but the
    // server reads its log through the script's own pattern.
    const hasLog = job.logPath !== undefined || (array !== undefined && array.scriptPath !== undefined);
    if (hasLog) {
      ctx.push('log');
    }
    if (job.scriptPath) {
      ctx.push('script');
    }
    this.contextValue = ctx.join('-');
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${job.allocation ? 'Allocation' : job.name}** — ${array ? 'task' : 'job'} ${job.id}\n\n`);
    tip.appendMarkdown(`- State: ${stateWord(job)}${job.reason ? ` (${job.reason})` : ''}\n`);
    if (counts !== undefined) {
      tip.appendMarkdown(`- Tasks: ${job.tasks?.length} (${counts})\n`);
    }
    for (const [label, value] of resourceRows(asked)) {
      tip.appendMarkdown(`- ${label}: ${value}\n`);
    }
    if (job.nodes) {
      tip.appendMarkdown(`- Node: ${job.nodes}\n`);
    }
    tip.appendMarkdown(`- Elapsed: ${elapsed}${asked.time ? ` of ${asked.time}` : ''}\n`);
    if (left !== undefined) {
      tip.appendMarkdown(`- Time left: ${formatElapsed(left)}\n`);
    }
    if (job.exitCode !== undefined) {
      tip.appendMarkdown(`- Exit code: ${job.exitCode}\n`);
    }
    if (job.logPath) {
      tip.appendMarkdown(`- Output: \`${job.logPath}\`\n`);
    }
    if (job.scriptPath) {
      tip.appendMarkdown(`- Batch script: \`${job.scriptPath}\`\n`);
    }
    this.tooltip = tip;
    if (hasLog) {
      this.command = { command: 'clusterls.openLog', title: 'Open Log', arguments: [this] };
    }
  }
}

/** Markdown to add to a job's tooltip, asked of the cluster when the user hovers it. */
export type DetailProvider = (job: Job) => Promise<string | undefined>;

export class JobsTree implements vscode.TreeDataProvider<JobItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly timer: NodeJS.Timeout;
  /** The on-demand detail (estimated start, time left, how it went): sessions.ts. */
  detail?: DetailProvider;
  private readonly tips = new WeakMap<JobItem, vscode.MarkdownString>();

  constructor(private readonly model: JobsModel) {
    model.onDidChange(() => this.changed.fire(undefined));
    // Elapsed times of live jobs move.
    this.timer = setInterval(() => {
      if (model.list().some((j) => !isFinished(j.state))) {
        this.changed.fire(undefined);
      }
    }, 1000);
  }

  getTreeItem(item: JobItem): vscode.TreeItem {
    // VS Code resolves only a tooltip left undefined: keep ours for resolveTreeItem.
    if (this.detail && item.tooltip instanceof vscode.MarkdownString) {
      this.tips.set(item, item.tooltip);
      item.tooltip = undefined;
    }
    return item;
  }

  /** On hover only: the detail is asked of the cluster then, never while polling. */
  async resolveTreeItem(item: vscode.TreeItem, element: JobItem): Promise<vscode.TreeItem> {
    const tip = this.tips.get(element) ?? new vscode.MarkdownString();
    const more = await this.detail?.(element.job).catch(() => undefined);
    item.tooltip = more ? new vscode.MarkdownString(tip.value + more) : tip;
    return item;
  }

  getChildren(item?: JobItem): JobItem[] {
    if (item) {
      // A job array's tasks, in index order.
      const array = item.array ? undefined : this.model.get(item.job.id);
      return (array?.tasks ?? []).map((t) => new JobItem(taskJob(array!, t), this.model, array));
    }
    return this.model.list().map((j) => new JobItem(j, this.model));
  }

  dispose() {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}

/** The latest job in the status bar: icon, state, elapsed; a click opens the Jobs view. */
export class JobStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly model: JobsModel) {
    this.item = vscode.window.createStatusBarItem('latestJob', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'clusterls: latest job';
    this.item.command = 'clusterls.showJobs';
    model.onDidChange(() => this.render());
    this.timer = setInterval(() => this.render(), 1000);
    this.render();
  }

  private render() {
    const job = this.model.latest();
    if (!job) {
      this.item.hide();
      return;
    }
    this.item.text = `$(${stateIcon(job.state)}) ${job.name} ${stateWord(job)} ${formatElapsed(this.model.elapsed(job))}`;
    this.item.tooltip = `clusterls: job ${job.id} (${job.name}) is ${stateWord(job)}. Click to open the Jobs view.`;
    this.item.accessibilityInformation = { label: `clusterls job ${job.id} ${stateWord(job)}` };
    this.item.backgroundColor =
      job.state === 'failed' || job.state === 'timeout' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose() {
    clearInterval(this.timer);
    this.item.dispose();
  }
}
