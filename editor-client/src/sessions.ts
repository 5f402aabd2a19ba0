// Sessions in the editor: time left of running allocations (status bar, Jobs view) with
// a warning 10 minutes before the end and "Extend"; the start notification the server
// sends from the tracker's transitions; a job's detail asked on hover (estimated start,
// time left, how it went) and the advice in the end notification; "Open VS Code on
// This Allocation" through Remote-SSH.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { Features } from './commands';
import type { Ctx } from './ctx';
import { JobItem, JobsModel, JobsTree, formatElapsed } from './jobs';
import * as proto from './lsp_ext';
import { Job, JobDetail, isFinished, jobStartedNotification } from './lsp_ext';
import { detailMarkdown, endAdvice, includedIn, WARN_SECS, warnNow } from './session_text';

/** How long a hover's detail of a live job is reused (an ended job's never changes). */
const DETAIL_TTL_MS = 30_000;

export class Sessions implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly item = vscode.window.createStatusBarItem('sessionTime', vscode.StatusBarAlignment.Left, 9);
  private readonly timer: NodeJS.Timeout;
  /** Allocations whose time left was asked (once each, and after an extension). */
  private readonly asked = new Set<string>();
  /** Allocations already warned about their end. */
  private readonly warned = new Set<string>();
  /** The most time left each allocation was seen with. */
  private readonly mostLeft = new Map<string, number>();
  /** Details asked, by job; `settled`: an ended job's full answer, which never changes. */
  private readonly details = new Map<string, { at: number; detail: Promise<JobDetail>; settled?: boolean }>();

  constructor(
    private readonly ctx: Ctx,
    private readonly jobs: JobsModel,
    private readonly features: Features,
    tree: JobsTree,
  ) {
    this.item.name = 'clusterls: session time left';
    tree.detail = (job) => this.detailMarkdown(job);
    features.endDetail = (job) => this.endDetail(job);
    features.registerCommand('clusterls.extendSession', (item?: JobItem) => this.extend(item));
    features.registerCommand('clusterls.openVSCodeOnAllocation', (item?: JobItem) => this.openVSCode(item));
    ctx.onClient((client) => {
      client.onNotification(jobStartedNotification, ({ job, message }) => this.onStarted(job, message));
    });
    this.disposables.push(jobs.onDidChange(() => this.render()));
    this.timer = setInterval(() => this.render(), 1000);
  }

  dispose() {
    clearInterval(this.timer);
    this.item.dispose();
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  private running(): Job[] {
    return this.jobs.list().filter((j) => j.allocation && j.state === 'running');
  }

  /** The session with the least time left in the status bar; the 10-minute warning. */
  private render() {
    const live = this.running();
    for (const j of live) {
      if (!this.asked.has(j.id)) {
        this.asked.add(j.id);
        void this.askTimeLeft(j.id);
      }
    }
    const timed = live
      .map((j) => ({ job: j, left: this.jobs.timeLeft(j) }))
      .filter((x): x is { job: Job; left: number } => x.left !== undefined)
      .sort((a, b) => a.left - b.left);
    const first = timed[0];
    if (!first) {
      this.item.hide();
      return;
    }
    for (const { job: j, left: l } of timed) {
      this.mostLeft.set(j.id, Math.max(l, this.mostLeft.get(j.id) ?? 0));
      if (warnNow(l, this.mostLeft.get(j.id) ?? 0) && !this.warned.has(j.id)) {
        this.warned.add(j.id);
        void vscode.window
          .showWarningMessage(`clusterls: allocation ${j.id} ends in ${Math.ceil(l / 60)} minutes.`, 'Extend')
          .then((pick) => (pick ? this.extend(j) : undefined));
      }
    }
    const { job, left } = first;
    const soon = left <= WARN_SECS;
    this.item.text = `$(watch) ${job.id}: ${formatElapsed(left)} left`;
    this.item.tooltip = `clusterls: allocation ${job.id}${job.nodes ? ` on ${job.nodes}` : ''} has ${formatElapsed(left)} left. Click to extend it.`;
    this.item.command = { command: 'clusterls.extendSession', title: 'Extend', arguments: [job] };
    this.item.backgroundColor = soon ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `clusterls allocation ${job.id}: ${formatElapsed(left)} left` };
    this.item.show();
  }

  private async askTimeLeft(id: string) {
    try {
      const d = await proto.jobDetail(this.features.send, { id });
      this.jobs.setTimeLeft(id, d.timeLeftSecs);
    } catch (e) {
      this.ctx.output.appendLine(`time left of ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async pick(item: JobItem | Job | undefined, what: string, allocationsOnly: boolean): Promise<Job | undefined> {
    const given = item instanceof JobItem ? item.job : item;
    if (given) {
      return given;
    }
    const live = this.jobs.list().filter((j) => j.state === 'running' && (!allocationsOnly || j.allocation));
    if (live.length === 0) {
      throw new Error(allocationsOnly ? 'no running allocation: run "clusterls: Allocate GPU Session" first.' : 'no running job.');
    }
    if (live.length === 1) {
      return live[0];
    }
    const picked = await vscode.window.showQuickPick(
      live.map((j) => ({ label: j.allocation ? `allocation ${j.id}` : j.name, description: `job ${j.id}${j.nodes ? ` · ${j.nodes}` : ''}`, job: j })),
      { placeHolder: what },
    );
    return picked?.job;
  }

  /** "Extend": ask Slurm for more time; its refusal is shown in its words. */
  async extend(item?: JobItem | Job): Promise<JobDetail | undefined> {
    const job = await this.pick(item, 'Extend which session?', false);
    if (!job) {
      return undefined;
    }
    const time = await vscode.window.showInputBox({
      title: `Extend ${job.allocation ? `allocation ${job.id}` : `job ${job.id}`}`,
      prompt: 'Time to add, in Slurm\'s forms: 30 (minutes), 1:00:00; -10 shortens, =2:00:00 sets the limit. Slurm decides.',
      value: '30',
      ignoreFocusOut: true,
    });
    if (!time?.trim()) {
      return undefined;
    }
    const spec = /^[+\-=]/.test(time.trim()) ? time.trim() : `+${time.trim()}`;
    // A refusal (most clusters let only operators raise a limit) comes back as the
    // request's error, in Slurm's words: `guard` shows it.
    const d = await proto.extend(this.features.send, { id: job.id, time: spec });
    this.jobs.setTimeLeft(job.id, d.timeLeftSecs);
    this.warned.delete(job.id);
    this.details.delete(job.id);
    void vscode.window.showInformationMessage(
      `clusterls: job ${job.id} now has a time limit of ${d.timeLimit ?? '?'}${d.timeLeftSecs !== undefined ? `, ${formatElapsed(d.timeLeftSecs)} left` : ''}.`,
    );
    return d;
  }

  private onStarted(job: Job, message: string) {
    this.jobs.update(job);
    const actions = job.allocation ? ['Open VS Code', 'Open Terminal'] : job.logPath ? ['Open Log'] : [];
    void vscode.window.showInformationMessage(`clusterls: ${message}`, ...actions).then((pick) => {
      if (pick === 'Open VS Code') {
        void this.features.guard('clusterls.openVSCodeOnAllocation', () => this.openVSCode(job));
      } else if (pick === 'Open Terminal') {
        void vscode.commands.executeCommand('clusterls.openSessionTerminal', new JobItem(job, this.jobs));
      } else if (pick === 'Open Log') {
        void vscode.commands.executeCommand('clusterls.openLog', job);
      }
    });
  }

  private detail(job: Job): Promise<JobDetail> {
    const known = this.details.get(job.id);
    if (known && (known.settled || Date.now() - known.at < DETAIL_TTL_MS)) {
      return known.detail;
    }
    const detail = proto.jobDetail(this.features.send, { id: job.id });
    const entry: { at: number; detail: Promise<JobDetail>; settled?: boolean } = { at: Date.now(), detail };
    this.details.set(job.id, entry);
    // Accounting may not have an ended job's row yet (a note): asked again later then.
    detail.then(
      (d) => (entry.settled = isFinished(job.state) && !d.note),
      () => this.details.delete(job.id),
    );
    return detail;
  }

  private async detailMarkdown(job: Job): Promise<string | undefined> {
    const d = await this.detail(job);
    if (d.timeLeftSecs !== undefined) {
      this.jobs.setTimeLeft(job.id, d.timeLeftSecs);
    }
    return detailMarkdown(d);
  }

  /** The end notification's addition: the one line of advice, or how it went in brief. */
  private async endDetail(job: Job): Promise<string | undefined> {
    try {
      return endAdvice(await this.detail(job));
    } catch {
      return undefined;
    }
  }

  /** "Open VS Code on This Allocation": write its node's Host entry and open it with Remote-SSH. */
  async openVSCode(item?: JobItem | Job) {
    const alloc = await this.pick(item, 'Open VS Code on which allocation?', true);
    if (!alloc) {
      return;
    }
    if (!alloc.allocation) {
      throw new Error(`job ${alloc.id} is not an allocation; VS Code opens on a session's node.`);
    }
    const remote = vscode.extensions.getExtension('ms-vscode-remote.remote-ssh');
    const host = await proto.remoteSshHost(this.features.send, { allocation: alloc.id });
    this.ctx.output.appendLine(`allocation ${alloc.id}: wrote ${host.file} (Host ${host.alias})`);
    await this.offerInclude(host.includeLine);
    if (!remote) {
      const pick = await vscode.window.showWarningMessage(
        `clusterls: the Remote-SSH extension is not installed, so VS Code cannot open ${host.alias}. Install "Remote - SSH" (ms-vscode-remote.remote-ssh), then try again; or connect with \`ssh ${host.alias}\`.`,
        'Show Remote-SSH',
      );
      if (pick) {
        void vscode.commands.executeCommand('workbench.extensions.search', 'ms-vscode-remote.remote-ssh');
      }
      return;
    }
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(host.uri), { forceNewWindow: true });
  }

  /** The ssh config Remote-SSH reads: its setting, else ~/.ssh/config. */
  private sshConfigPath(): string {
    const configured = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile');
    return configured ? configured.replace(/^~(?=\/)/, os.homedir()) : path.join(os.homedir(), '.ssh', 'config');
  }

  /** Add the Include line to the user's ssh config, only when asked and agreed. */
  private async offerInclude(line: string) {
    const file = this.sshConfigPath();
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // No config yet: it is made with the line, if the user agrees.
    }
    if (includedIn(text, line)) {
      return;
    }
    const pick = await vscode.window.showInformationMessage(
      `clusterls keeps the allocations' ssh hosts in a file of its own. Add "${line}" at the top of ${file} so that ssh and Remote-SSH read them?`,
      { modal: true },
      'Add Line',
    );
    if (pick !== 'Add Line') {
      throw new Error(`${file} does not read clusterls' hosts; add this line at its top yourself: ${line}`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `# Added by clusterls: the ssh hosts of your allocations.\n${line}\n\n${text}`, { mode: 0o600 });
  }
}
