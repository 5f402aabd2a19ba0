// The extension's context: the log channel and the language client (started, stopped,
// restarted), which every feature module uses; the settings the server gets.

import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';

import { LOCAL_HOST, localSlurm } from './local';
import { rustLog } from './parse';
import { findServer, ServerNotFound } from './server';
import { machineSetting, repositoryHostAllowed, repositoryTarget } from './trust';
import { serverSettings } from './trust_rules';

/** Documents the server looks at. sbatch scripts are shell scripts; it decides by content too. */
const documentSelector: lc.DocumentSelector = [
  { scheme: 'file', language: 'shellscript' },
  { scheme: 'file', pattern: '**/*.{sbatch,slurm,job}' },
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'file', pattern: '**/{Dockerfile,*.Dockerfile,Containerfile}' },
  { scheme: 'untitled', language: 'shellscript' },
  { scheme: 'untitled', language: 'dockerfile' },
];

/** Settings the running server cannot take without a restart. */
export const RESTART_SETTINGS = ['clusterls.serverPath', 'clusterls.logLevel'];


export class Ctx {
  client: lc.LanguageClient | undefined;
  readonly output: vscode.LogOutputChannel;
  /** The host the server runs with when nothing names one: `local` on a login node. */
  private localMode = false;
  private hostAllowed = true;
  private readonly listeners: ((client: lc.LanguageClient) => void)[] = [];
  private readonly modeItem = vscode.window.createStatusBarItem('mode', vscode.StatusBarAlignment.Left, 12);

  constructor(readonly extension: vscode.ExtensionContext) {
    // A log channel: VS Code's levels (Developer: Set Log Level, or the Output view's gear)
    // filter it, and the server logs at the same level.
    this.output = vscode.window.createOutputChannel('clusterls', { log: true });
    extension.subscriptions.push(
      this.output,
      this.modeItem,
      this.output.onDidChangeLogLevel(() => {
        if (!machineSetting<string>('logLevel')) {
          void this.offerRestart('The clusterls log level changed.');
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) {
          void this.offerRestart('A clusterls setting that the running server cannot take changed.');
        } else if (e.affectsConfiguration('clusterls')) {
          void this.pushSettings();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.pushSettings()),
    );
  }

  /** Called with every client that starts (after restarts too). */
  onClient(f: (client: lc.LanguageClient) => void) {
    this.listeners.push(f);
    if (this.client) {
      f(this.client);
    }
  }

  private async offerRestart(why: string) {
    const pick = await vscode.window.showInformationMessage(`${why} Restart the server to apply it.`, 'Restart Server');
    if (pick) {
      await this.restart();
    }
  }

  /** The settings as the server gets them (trust, machine scope, the repository's host and the local mode applied). */
  async settings(): Promise<Record<string, unknown>> {
    this.hostAllowed = await repositoryHostAllowed(this.extension);
    const s = serverSettings(vscode.workspace.getConfiguration('clusterls'), vscode.workspace.isTrusted, this.hostAllowed);
    this.localMode = !s.host && !this.repositoryNamesHost() && localSlurm(process.env.PATH ?? '');
    if (this.localMode) {
      s.host = LOCAL_HOST;
    }
    // The Jobs view's welcome offers "Configure Cluster" while there is none.
    void vscode.commands.executeCommand('setContext', 'clusterls.hasCluster', !!s.host || this.repositoryNamesHost());
    this.showMode();
    return s;
  }

  private repositoryNamesHost(): boolean {
    // With the repository's host declined, the local mode may still apply.
    return this.hostAllowed && !!repositoryTarget().host;
  }

  private showMode() {
    const m = this.modeItem;
    m.name = 'clusterls: mode';
    if (!vscode.workspace.isTrusted) {
      m.text = '$(shield) clusterls: restricted';
      m.tooltip = 'This workspace is not trusted: clusterls checks files but runs nothing on a cluster. Click to manage trust.';
      m.command = 'workbench.trust.manage';
      m.show();
    } else if (this.localMode) {
      m.text = '$(server) Slurm here (local)';
      m.tooltip =
        'sbatch and squeue are on this machine (a login node, e.g. through Remote-SSH) and no host is set: ' +
        'clusterls runs Slurm commands here (host = "local"). Click to choose another cluster.';
      m.command = 'clusterls.configureCluster';
      m.show();
    } else {
      m.hide();
    }
  }

  async pushSettings() {
    const c = this.client;
    if (c?.isRunning()) {
      await c.sendNotification(lc.DidChangeConfigurationNotification.type, { settings: { clusterls: await this.settings() } });
    }
  }

  async start(): Promise<void> {
    let command: string;
    try {
      command = findServer(this.extension);
    } catch (e) {
      if (e instanceof ServerNotFound) {
        this.output.error(e.message);
        const pick = await vscode.window.showErrorMessage(e.message, 'Open Settings');
        if (pick === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'clusterls.serverPath');
        }
        return;
      }
      throw e;
    }
    const rust = machineSetting<string>('logLevel') || rustLog(this.output.logLevel);
    const env = { ...process.env, RUST_LOG: rust };
    const serverOptions: lc.ServerOptions = {
      run: { command, args: ['lsp'], options: { env } },
      debug: { command, args: ['lsp'], options: { env } },
    };
    const clientOptions: lc.LanguageClientOptions = {
      documentSelector,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: await this.settings(),
    };
    this.output.info(`starting ${command} lsp (RUST_LOG=${rust})`);
    // The id `clusterls` makes the client follow the `clusterls.trace.server` setting.
    const client = new lc.LanguageClient('clusterls', 'clusterls', serverOptions, clientOptions);
    this.client = client;
    for (const f of this.listeners) {
      f(client);
    }
    try {
      await client.start();
    } catch (e) {
      const msg = `The clusterls language server did not start: ${String(e)}. See the clusterls output for its log.`;
      this.output.error(msg);
      void vscode.window.showErrorMessage(msg, 'Show Output').then((pick) => {
        if (pick) {
          this.output.show();
        }
      });
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop();
      } catch (e) {
        this.output.warn(`stopping the server: ${String(e)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
