// The user-facing commands, the login flow and job notifications.

import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';

import type { Ctx } from './ctx';
import { JobItem, JobsModel, stateWord } from './jobs';
import * as proto from './lsp_ext';
import { stoppable } from './progress';
import { hasSbatchDirectives } from './sbatch';
import { isFinished, Job, LoginCommand, jobStateNotification, loginRequired, Resources } from './lsp_ext';

/**
 * The URI scheme of job logs opened read-only in the editor: `clusterls-log:/<job id>/<name> #<id>`,
 * so the tab reads like `train.py #359`.
 */
export const LOG_SCHEME = 'clusterls-log';
/** The URI scheme of generated batch scripts, read-only: `clusterls-script:/<job id>/job.sbatch`. */
export const SCRIPT_SCHEME = 'clusterls-script';

/** The job id in a `/<job id>/<file>` path (a step's id holds a `/` itself). */
function jobIdOf(uri: vscode.Uri): string {
  return uri.path.slice(1, uri.path.lastIndexOf('/'));
}

/** The file name of a URI. */
function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** What "Run on cluster GPU with options…" asked last, per file (workspaceState). */
interface RunChoice extends Pick<Resources, 'gpus' | 'partition' | 'time'> {
  arguments?: string;
}

/** A log document that grows: what was read so far and where the next read starts. */
interface LogFollow {
  text: string;
  outOffset: number;
  errOffset: number;
  err: string;
  banner?: string;
  finished: boolean;
  error?: string;
  timer?: ReturnType<typeof setTimeout>;
}

/** How often an open log of a running job is read again. */
const LOG_POLL_MS = 2000;

export class Features implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Jobs this window submitted: they get an end-of-job notification. */
  private readonly mine = new Set<string>();
  private readonly logChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly scriptChanged = new vscode.EventEmitter<vscode.Uri>();
  /** Scripts fetched by Open Generated Script, by URI, for their read-only documents. */
  private readonly scripts = new Map<string, string>();
  private loginInProgress: Promise<boolean> | undefined;
  /** Open job logs, by URI, read in increments while the job runs. */
  private readonly logs = new Map<string, LogFollow>();
  /** Paths of open documents with `#SBATCH` lines (the `clusterls.sbatchScripts` context key). */
  private readonly sbatchScripts = new Set<string>();
  /** The end notification's addition (the efficiency advice), asked on demand: sessions.ts. */
  endDetail?: (job: Job) => Promise<string | undefined>;

  constructor(
    private readonly ctx: Ctx,
    private readonly jobs: JobsModel,
  ) {
    const reg = (id: string, f: (...args: any[]) => unknown) => this.registerCommand(id, f);
    reg('clusterls.runOnCluster', (uri?: vscode.Uri) => this.run(uri));
    reg('clusterls.runOnClusterWithOptions', (uri?: vscode.Uri) => this.runWithOptions(uri));
    // The server decides by the content: a script with #SBATCH lines is submitted as written.
    reg('clusterls.submitToCluster', (uri?: vscode.Uri) => this.run(uri));
    reg('clusterls.allocate', () => this.allocate());
    reg('clusterls.openSessionTerminal', (item?: JobItem) => this.openSessionTerminal(item));
    reg('clusterls.openJupyter', (item?: JobItem) => this.openJupyter(item));
    reg('clusterls.runInSession', (uri?: vscode.Uri) => this.runInSession(uri));
    reg('clusterls.pullImage', () => this.pull());
    reg('clusterls.buildImage', (uri?: vscode.Uri) => this.build(uri));
    reg('clusterls.cancelJob', (item?: JobItem) => this.cancel(item));
    reg('clusterls.openLog', (item?: JobItem | Job) => this.openLog(item));
    reg('clusterls.openScript', (item?: JobItem) => this.openScript(item));
    reg('clusterls.refreshFacts', () => this.refreshFacts());
    reg('clusterls.refreshJobs', () => this.refreshJobs());
    reg('clusterls.showJobs', () => vscode.commands.executeCommand('clusterls.jobs.focus'));
    reg('clusterls.login', () => this.login());
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, {
        onDidChange: this.logChanged.event,
        provideTextDocumentContent: (uri) => this.logContent(uri),
      }),
      this.logChanged,
      vscode.workspace.registerTextDocumentContentProvider(SCRIPT_SCHEME, {
        onDidChange: this.scriptChanged.event,
        provideTextDocumentContent: (uri) => this.scriptContent(uri),
      }),
      this.scriptChanged,
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === LOG_SCHEME) {
          this.stopFollowing(d.uri.toString());
        }
        this.noteSbatch(d, false);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.noteSbatch(d, true)),
      vscode.workspace.onDidChangeTextDocument((e) => this.noteSbatch(e.document, true)),
    );
    for (const d of vscode.workspace.textDocuments) {
      this.noteSbatch(d, true);
    }
    ctx.onClient((client) => {
      client.onNotification(jobStateNotification, ({ job }) => this.onJob(job));
    });
  }

  /** Keep the `clusterls.sbatchScripts` context key (for "Submit to cluster") up to date. */
  private noteSbatch(d: vscode.TextDocument, open: boolean) {
    if (d.uri.scheme !== 'file') {
      return;
    }
    const path = d.uri.fsPath;
    const is = open && hasSbatchDirectives(d.getText());
    if (is === this.sbatchScripts.has(path)) {
      return;
    }
    if (is) {
      this.sbatchScripts.add(path);
    } else {
      this.sbatchScripts.delete(path);
    }
    void vscode.commands.executeCommand('setContext', 'clusterls.sbatchScripts', [...this.sbatchScripts]);
  }

  dispose() {
    for (const f of this.logs.values()) {
      clearTimeout(f.timer);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  /** Register command `id` (disposed with the features), its errors shown by `guard`. */
  registerCommand(id: string, f: (...args: any[]) => unknown) {
    this.disposables.push(vscode.commands.registerCommand(id, (...args: any[]) => this.guard(id, () => f(...args))));
  }

  /** Run a command, showing any error once, readably. */
  async guard(id: string, f: () => unknown): Promise<unknown> {
    try {
      return await f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.ctx.output.appendLine(`${id}: ${msg}`);
      // No host yet (the server's typed error): offer to pick one right there.
      const actions = proto.noCluster(e) ? ['Configure Cluster'] : [];
      void vscode.window.showErrorMessage(`clusterls: ${msg}`, ...actions).then((pick) => {
        if (pick) {
          void vscode.commands.executeCommand('clusterls.configureCluster');
        }
      });
      return undefined;
    }
  }

  private client(): lc.LanguageClient {
    const c = this.ctx.client;
    if (!c || !c.isRunning()) {
      throw new Error('the clusterls language server is not running. Run "clusterls: Restart Language Server" and see the clusterls output.');
    }
    return c;
  }

  /** Send `workspace/executeCommand` as it is. */
  private readonly sendOnce: proto.Send = (command, args) =>
    this.client().sendRequest(lc.ExecuteCommandRequest.type, { command, arguments: args });

  /**
   * What the typed helpers of `lsp_ext` send through: when the host needs an interactive
   * login, do it and retry once. With a `token`, the server reports its progress under it.
   */
  private sendVia(token?: lc.ProgressToken): proto.Send {
    const once: proto.Send = (command, args) =>
      this.client().sendRequest(lc.ExecuteCommandRequest.type, { command, arguments: args, workDoneToken: token });
    return async (command, args) => {
      try {
        return await once(command, args);
      } catch (e) {
        const login = e instanceof lc.ResponseError ? loginRequired(e) : undefined;
        if (login) {
          if (await this.loginWith(login)) {
            return await once(command, args);
          }
          throw new Error(`not logged in to the cluster; ${command.replace('clusterls.server.', '')} was not done.`);
        }
        throw e;
      }
    };
  }

  readonly send: proto.Send = this.sendVia();

  /** A command whose long work (pull, build, allocation) shows in a notification with Cancel. */
  private stoppable<T>(title: string, f: (send: proto.Send) => Promise<T>): Promise<T> {
    return stoppable(this.client(), title, (token) => f(this.sendVia(token)));
  }

  private onJob(job: Job) {
    const previous = this.jobs.update(job);
    // A job this window saw live, or submitted, just ended.
    const ended = isFinished(job.state) && (previous === undefined ? this.mine.has(job.id) : !isFinished(previous));
    if (ended) {
      void this.notifyEnd(job);
    }
  }

  private async notifyEnd(job: Job) {
    const what = job.allocation ? `Allocation ${job.id}` : `Job ${job.id} (${job.name})`;
    // How it went (sacct, asked once now): its one line of advice, when a request was far too large.
    const advice = job.allocation ? undefined : await this.endDetail?.(job).catch(() => undefined);
    const msg = `clusterls: ${what} ${stateWord(job)}${job.exitCode ? ` with exit code ${job.exitCode}` : ''}.${advice ? ` ${advice}` : ''}`;
    const actions = job.logPath ? ['Open Log'] : [];
    const show =
      job.state === 'completed' || job.state === 'cancelled'
        ? vscode.window.showInformationMessage
        : vscode.window.showErrorMessage;
    void show(msg, ...actions).then((pick) => {
      if (pick === 'Open Log') {
        void this.openLog(job);
      }
    });
  }

  private async targetFile(uri?: vscode.Uri): Promise<vscode.Uri> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      throw new Error('no file to run: open a Python or shell script, or right-click one in the Explorer.');
    }
    if (target.scheme !== 'file') {
      throw new Error(`${target.toString()} is not a file on disk: save it first.`);
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (doc?.isDirty) {
      await doc.save();
    }
    return target;
  }

  async run(uri?: vscode.Uri, choice: RunChoice = {}): Promise<Job> {
    const target = await this.targetFile(uri);
    const job = await this.stoppable(`Running ${baseName(target)} on the cluster`, (send) =>
      proto.run(send, {
        uri: target.toString(),
        arguments: choice.arguments || undefined,
        resources: { gpus: choice.gpus, partition: choice.partition, time: choice.time },
      }),
    );
    this.mine.add(job.id);
    this.jobs.update(job);
    this.ctx.output.appendLine(`submitted ${target.fsPath} as job ${job.id}`);
    return job;
  }

  /** Ask for arguments, GPUs, partition and time limit (remembered per file), then run. */
  async runWithOptions(uri?: vscode.Uri): Promise<Job | undefined> {
    const target = await this.targetFile(uri);
    const key = `clusterls.runOptions:${target.toString()}`;
    const state = this.ctx.extension.workspaceState;
    const last = state.get<RunChoice>(key) ?? {};
    const name = target.path.slice(target.path.lastIndexOf('/') + 1);
    const title = (step: number) => `Run ${name} on cluster GPU (${step}/4)`;
    const args = await vscode.window.showInputBox({
      title: title(1),
      prompt: `Arguments for ${name}, as you would type them in a shell (quotes work; nothing is expanded)`,
      value: last.arguments ?? '',
      placeHolder: '--lr 0.1 --epochs 3',
      ignoreFocusOut: true,
    });
    if (args === undefined) {
      return undefined;
    }
    const gpus = await vscode.window.showInputBox({
      title: title(2),
      prompt: 'GPUs (empty: the configured default)',
      value: last.gpus === undefined ? '' : String(last.gpus),
      validateInput: (v) => (/^\s*\d*\s*$/.test(v) ? undefined : 'a whole number of GPUs, or empty for the default'),
      ignoreFocusOut: true,
    });
    if (gpus === undefined) {
      return undefined;
    }
    const partition = await this.pickPartition(title(3), last.partition);
    if (partition === undefined) {
      return undefined;
    }
    const time = await vscode.window.showInputBox({
      title: title(4),
      prompt: 'Time limit as Slurm takes it: 30, 1:00:00, 1-00:00:00 (empty: the configured default)',
      value: last.time ?? '',
      ignoreFocusOut: true,
    });
    if (time === undefined) {
      return undefined;
    }
    const choice: RunChoice = {
      arguments: args.trim() || undefined,
      gpus: gpus.trim() === '' ? undefined : Number(gpus.trim()),
      partition: partition || undefined,
      time: time.trim() || undefined,
    };
    await state.update(key, choice);
    return this.run(target, choice);
  }

  /** A partition from the cluster's facts; '' for the default; undefined when dismissed. */
  private async pickPartition(title: string, last?: string): Promise<string | undefined> {
    const facts = await proto.refreshFacts(this.send).catch(() => null);
    const parts = facts?.partitions ?? [];
    if (parts.length === 0) {
      // No facts (no connection yet): type it.
      return vscode.window.showInputBox({ title, prompt: 'Partition (empty: the configured default)', value: last ?? '', ignoreFocusOut: true });
    }
    const items: (vscode.QuickPickItem & { value: string })[] = [
      { label: '(default)', description: 'the configured partition, else the cluster\'s default', value: '' },
      ...parts.map((p) => ({
        label: p.name,
        description: [p.is_default ? 'cluster default' : '', p.gpus.length ? 'GPUs' : ''].filter(Boolean).join(' · '),
        value: p.name,
      })),
    ];
    // The last choice first, so Enter keeps it.
    items.sort((a, b) => Number(b.value === (last ?? '')) - Number(a.value === (last ?? '')));
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Partition', ignoreFocusOut: true });
    return pick?.value;
  }

  async allocate(): Promise<Job> {
    const job = await this.stoppable('Allocating a GPU session', (send) => proto.alloc(send, {}));
    this.mine.add(job.id);
    this.jobs.update(job);
    void vscode.window
      .showInformationMessage(`clusterls: allocation ${job.id} is ready.`, 'Open Terminal')
      .then((pick) => (pick ? this.openSessionTerminal(new JobItem(job, this.jobs)) : undefined));
    return job;
  }

  private async pickAllocation(item?: JobItem): Promise<Job | undefined> {
    if (item?.job?.allocation) {
      return item.job;
    }
    const live = this.jobs.list().filter((j) => j.allocation && !isFinished(j.state));
    if (live.length === 0) {
      throw new Error('no live allocation: run "clusterls: Allocate GPU Session" first.');
    }
    if (live.length === 1) {
      return live[0];
    }
    const pick = await vscode.window.showQuickPick(
      live.map((j) => ({ label: `allocation ${j.id}`, description: j.resources.partition, job: j })),
      { placeHolder: 'Which allocation?' },
    );
    return pick?.job;
  }

  async openSessionTerminal(item?: JobItem) {
    const alloc = await this.pickAllocation(item);
    if (!alloc) {
      return;
    }
    // The server builds the command (ssh through its live connection, then srun), so a
    // cluster that needs a password or a code does not ask again.
    const cmd = await proto.sessionTerminal(this.send, { allocation: alloc.id });
    const [shellPath, ...shellArgs] = cmd.argv;
    const t = vscode.window.createTerminal({ name: `clusterls: allocation ${alloc.id}`, shellPath, shellArgs });
    t.show();
  }

  /** Jupyter in the container on the allocation's node, forwarded through the server's
   * live connection; the local URL (with its token) opens in the browser. */
  async openJupyter(item?: JobItem) {
    const alloc = await this.pickAllocation(item);
    if (!alloc) {
      return;
    }
    const served = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting Jupyter on allocation ${alloc.id}…` },
      () => proto.jupyter(this.send, { allocation: alloc.id }),
    );
    await vscode.env.openExternal(vscode.Uri.parse(served.url, true));
    void vscode.window.showInformationMessage(
      `Jupyter runs on allocation ${served.allocation}; its forward ends with the allocation.`,
    );
  }

  async runInSession(uri?: vscode.Uri) {
    const target = await this.targetFile(uri);
    const alloc = await this.pickAllocation();
    if (!alloc) {
      return;
    }
    const job = await proto.runInAlloc(this.send, { uri: target.toString(), allocation: alloc.id });
    this.mine.add(job.id);
    this.jobs.update(job);
  }

  async pull() {
    const configured = vscode.workspace.getConfiguration('clusterls').get<string | null>('image') ?? '';
    const image = await vscode.window.showInputBox({
      prompt: 'Image to pull into the cluster (docker://...)',
      value: configured,
      placeHolder: 'docker://pytorch/pytorch:2.2.1-cuda12.1-cudnn8-devel',
    });
    if (!image) {
      return;
    }
    const r = await this.stoppable(`Pulling ${image}`, (send) => proto.pull(send, { image }));
    void vscode.window.showInformationMessage(
      r.alreadyPresent ? `clusterls: ${image} is already on the cluster (${r.path}).` : `clusterls: pulled ${image} to ${r.path}.`,
    );
  }

  /** "Build on cluster": the Dockerfile into an image on the cluster (its folder is the context). */
  async build(uri?: vscode.Uri) {
    const target = await this.targetFile(uri);
    const name = baseName(target);
    const b = await this.stoppable(`Building ${name} on the cluster`, (send) => proto.build(send, { uri: target.toString() }));
    this.ctx.output.appendLine(`${target.fsPath}: image ${b.name} (key ${b.key}) at ${b.path}`);
    void vscode.window.showInformationMessage(
      b.built
        ? `clusterls: built ${name} on the cluster: ${b.name}.`
        : `clusterls: ${name} is built already (${b.name}); nothing changed since.`,
    );
  }

  async cancel(item?: JobItem) {
    let job = item?.job;
    if (!job) {
      const live = this.jobs.list().filter((j) => !isFinished(j.state));
      if (live.length === 0) {
        throw new Error('no live job to cancel.');
      }
      const pick = await vscode.window.showQuickPick(
        live.map((j) => ({ label: j.allocation ? `allocation ${j.id}` : j.name, description: `job ${j.id} · ${stateWord(j)}`, job: j })),
        { placeHolder: 'Cancel which job?' },
      );
      job = pick?.job;
    }
    if (!job) {
      return;
    }
    await proto.cancel(this.send, { id: job.id });
    this.mine.add(job.id);
  }

  private logUri(job: Job): vscode.Uri {
    const title = `${job.name} #${job.id.replace(/\//g, '.')}`;
    return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${job.id}/${title}` });
  }

  async openLog(item?: JobItem | Job) {
    const job = item instanceof JobItem ? item.job : item ?? this.jobs.latest();
    if (!job) {
      throw new Error('no job to show the log of.');
    }
    const uri = this.logUri(job);
    // Read from the start again when opened anew.
    this.stopFollowing(uri.toString());
    this.logChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  private stopFollowing(key: string) {
    const f = this.logs.get(key);
    if (f) {
      clearTimeout(f.timer);
      this.logs.delete(key);
    }
  }

  /** Read what the job wrote since the last read; true when something new came. */
  private async readMore(id: string, f: LogFollow): Promise<boolean> {
    try {
      const l = await proto.logs(this.send, { id, outOffset: f.outOffset, errOffset: f.errOffset });
      const grew = l.out !== '' || l.err !== '' || (l.banner !== undefined && f.banner === undefined) || l.finished !== f.finished;
      f.text += l.out;
      f.err += l.err;
      f.banner ??= l.banner;
      f.outOffset = l.outOffset;
      f.errOffset = l.errOffset;
      f.finished = l.finished;
      f.error = undefined;
      return grew;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const changed = error !== f.error;
      f.error = error;
      return changed;
    }
  }

  private render(id: string, f: LogFollow): string {
    let text = f.text;
    const sep = () => (text.endsWith('\n') || text === '' ? '' : '\n');
    if (f.err) {
      text += `${sep()}--- error output ---\n${f.err}`;
    }
    if (f.error) {
      text += `${sep()}(clusterls could not read the output of job ${id}: ${f.error})\n`;
    } else if (text === '') {
      text = f.finished ? `(job ${id} wrote no output)\n` : `(job ${id} has written no output yet)\n`;
    }
    if (f.banner) {
      // clusterls' own line (where the job ran, which GPUs): information, not an error.
      text = `# ${f.banner}\n${text}`;
    }
    if (!f.finished && !f.error) {
      text += '\n(running: this log grows as the job writes)\n';
    }
    return text;
  }

  private async logContent(uri: vscode.Uri): Promise<string> {
    const id = jobIdOf(uri);
    const key = uri.toString();
    let f = this.logs.get(key);
    if (!f) {
      f = { text: '', err: '', outOffset: 0, errOffset: 0, finished: false };
      this.logs.set(key, f);
      await this.readMore(id, f);
      this.follow(uri, id, f);
    }
    return this.render(id, f);
  }

  /** While the job runs and its log is open, read again every few seconds. */
  private follow(uri: vscode.Uri, id: string, f: LogFollow) {
    if (f.finished) {
      return;
    }
    f.timer = setTimeout(async () => {
      if (this.logs.get(uri.toString()) !== f) {
        return;
      }
      if (await this.readMore(id, f)) {
        this.logChanged.fire(uri);
      }
      this.follow(uri, id, f);
    }, LOG_POLL_MS);
  }

  /** The job's generated batch script, fetched from the cluster, in a read-only shell document. */
  async openScript(item?: JobItem) {
    const job = item?.job ?? this.jobs.latest();
    if (!job?.scriptPath) {
      throw new Error('this job has no generated script (an allocation runs none).');
    }
    const uri = vscode.Uri.from({ scheme: SCRIPT_SCHEME, path: `/${job.id}/job.sbatch` });
    // Fetched here, so that a failure shows as an error message rather than as a document.
    const script = await proto.script(this.send, { id: job.id });
    this.scripts.set(uri.toString(), script.text);
    this.scriptChanged.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'shellscript') {
      doc = await vscode.languages.setTextDocumentLanguage(doc, 'shellscript');
    }
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  private async scriptContent(uri: vscode.Uri): Promise<string> {
    const known = this.scripts.get(uri.toString());
    if (known !== undefined) {
      return known;
    }
    // Reopened after a reload: fetch it again.
    const id = jobIdOf(uri);
    try {
      const script = await proto.script(this.send, { id });
      this.scripts.set(uri.toString(), script.text);
      return script.text;
    } catch (e) {
      return `# clusterls could not read the batch script of job ${id}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  async refreshFacts() {
    await proto.refreshFacts(this.send);
  }

  async refreshJobs() {
    const jobs = await proto.jobs(this.send);
    this.jobs.replaceAll(jobs);
  }

  /** Ask the server whether a login is needed, and do it. */
  async login(): Promise<boolean> {
    const cmd = await proto.login(this.send);
    if (!cmd) {
      void vscode.window.showInformationMessage('clusterls: already connected to the cluster.');
      return true;
    }
    return this.loginWith(cmd);
  }

  /** Open a terminal running the ssh command, then wait until the server can connect. */
  private loginWith(cmd: LoginCommand | undefined): Promise<boolean> {
    if (!cmd) {
      return Promise.resolve(false);
    }
    if (!this.loginInProgress) {
      this.loginInProgress = this.doLogin(cmd).finally(() => (this.loginInProgress = undefined));
    }
    return this.loginInProgress;
  }

  private async doLogin(cmd: LoginCommand): Promise<boolean> {
    // ssh is the terminal's process, not text typed into a shell: a shell that is still
    // starting echoes typed text and then shows it again after its prompt (the command
    // appeared twice). The command is written once above ssh's prompt, as the user's
    // own shell would show it.
    // `ssh -fN` forks the master and exits; as the terminal's first process it leads the
    // terminal's session, and its exit hangs up the process group before the master has
    // left it (measured: the master died). So the master ignores that hang-up (an ignored
    // signal stays ignored across exec). The script is constant; the command's words are
    // its positional parameters, never read as shell text.
    const [shellPath, ...shellArgs] =
      process.platform === 'win32' ? cmd.argv : ['/bin/sh', '-c', 'trap "" HUP; exec "$@"', 'sh', ...cmd.argv];
    const terminal = vscode.window.createTerminal({
      name: `clusterls: log in to ${cmd.host}`,
      shellPath,
      shellArgs,
      message: `\x1b[2m$ ${cmd.commandLine}\x1b[0m`,
    });
    terminal.show();
    let closed = false;
    let wake: (() => void) | undefined;
    const sub = vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) {
        closed = true;
        wake?.();
      }
    });
    try {
      return await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `clusterls: log in to ${cmd.host} in the terminal; waiting for the connection…`,
          cancellable: true,
        },
        async (_progress, token) => {
          const deadline = Date.now() + 10 * 60 * 1000;
          while (!token.isCancellationRequested && Date.now() < deadline) {
            // ssh -fN exits once the master is up, which may close the terminal:
            // the connection is checked once more after that.
            const wasClosed = closed;
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 2000);
            });
            // Without the login retry: this is the login.
            const still = await proto.login(this.sendOnce);
            if (!still) {
              return true;
            }
            if (wasClosed) {
              return false;
            }
          }
          return false;
        },
      );
    } finally {
      sub.dispose();
    }
  }
}

