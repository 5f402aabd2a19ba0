// The clusterls VS Code extension: starts `clusterls lsp` and gives its features a UI.

import * as vscode from 'vscode';

import { Features } from './commands';
import { Ctx } from './ctx';
import { JobStatus, JobsModel, JobsTree } from './jobs';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const c = ctx;
  context.subscriptions.push(
    vscode.commands.registerCommand('clusterls.restartServer', () => c.restart()),
    vscode.commands.registerCommand('clusterls.showOutput', () => c.output.show()),
  );
  const jobs = new JobsModel();
  const features = new Features(c, jobs);
  context.subscriptions.push(
    jobs,
    features,
    new JobStatus(jobs),
    vscode.window.registerTreeDataProvider('clusterls.jobs', new JobsTree(jobs)),
  );
  await c.start();
  if (c.client?.isRunning()) {
    // Jobs this user submitted earlier (from here, another window or the CLI).
    void features.refreshJobs().catch((e) => c.output.appendLine(`listing jobs: ${String(e)}`));
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
}
