// The extension's context: the output channel and the language client (started,
// stopped, restarted), which every feature module uses.

import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';

import { findServer, ServerNotFound } from './server';

/** Documents the server looks at. sbatch scripts are shell scripts; it decides by content too. */
const documentSelector: lc.DocumentSelector = [
  { scheme: 'file', language: 'shellscript' },
  { scheme: 'file', pattern: '**/*.{sbatch,slurm,job}' },
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'file', pattern: '**/{Dockerfile,*.Dockerfile,Containerfile}' },
  { scheme: 'untitled', language: 'shellscript' },
  { scheme: 'untitled', language: 'dockerfile' },
];

export class Ctx {
  client: lc.LanguageClient | undefined;
  readonly output: vscode.OutputChannel;
  private readonly listeners: ((client: lc.LanguageClient) => void)[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('clusterls');
    extension.subscriptions.push(this.output);
  }

  /** Called with every client that starts (after restarts too). */
  onClient(f: (client: lc.LanguageClient) => void) {
    this.listeners.push(f);
    if (this.client) {
      f(this.client);
    }
  }

  async start(): Promise<void> {
    let command: string;
    try {
      command = findServer(this.extension);
    } catch (e) {
      if (e instanceof ServerNotFound) {
        this.output.appendLine(e.message);
        const pick = await vscode.window.showErrorMessage(e.message, 'Open Settings');
        if (pick === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'clusterls.serverPath');
        }
        return;
      }
      throw e;
    }
    const config = vscode.workspace.getConfiguration('clusterls');
    const env = { ...process.env, RUST_LOG: config.get<string>('logLevel') ?? 'warn' };
    const serverOptions: lc.ServerOptions = {
      run: { command, args: ['lsp'], options: { env } },
      debug: { command, args: ['lsp'], options: { env } },
    };
    const clientOptions: lc.LanguageClientOptions = {
      documentSelector,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: settings(),
      synchronize: { configurationSection: 'clusterls' },
    };
    this.output.appendLine(`starting ${command} lsp`);
    const client = new lc.LanguageClient('clusterls', 'clusterls', serverOptions, clientOptions);
    this.client = client;
    for (const f of this.listeners) {
      f(client);
    }
    try {
      await client.start();
    } catch (e) {
      const msg = `The clusterls language server did not start: ${String(e)}. See the clusterls output for its log.`;
      this.output.appendLine(msg);
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
        this.output.appendLine(`stopping the server: ${String(e)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** The `clusterls` settings as the server reads them (initializationOptions and didChangeConfiguration). */
export function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('clusterls');
  const keys = ['host', 'sshConfig', 'account', 'partition', 'gpus', 'time', 'image', 'imageDir', 'runtime', 'logLevel'];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    out[k] = c.get(k) ?? null;
  }
  return out;
}

