// The clusterls VS Code extension: starts `clusterls lsp` and gives its features a UI.

import * as vscode from 'vscode';

import { Features } from './commands';
import { Ctx } from './ctx';
import { JobStatus, JobsModel, JobsTree } from './jobs';
import { configureCluster } from './onboarding';
import { Sessions } from './sessions';
import { ClusterStatus } from './status';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const c = ctx;
  const jobs = new JobsModel();
  context.subscriptions.push(
    vscode.commands.registerCommand('clusterls.restartServer', () => c.restart()),
    vscode.commands.registerCommand('clusterls.showOutput', () => c.output.show()),
    vscode.commands.registerCommand('clusterls.configureCluster', () => configureCluster()),
    vscode.commands.registerCommand('clusterls.clearFinishedJobs', () => jobs.clearFinished()),
  );
  const features = new Features(c, jobs);
  const tree = new JobsTree(jobs);
  const jobsView = vscode.window.createTreeView('clusterls.jobs', { treeDataProvider: tree, showCollapseAll: false });
  context.subscriptions.push(
    jobs,
    features,
    new JobStatus(jobs),
    jobsView,
    new ClusterStatus(c, jobsView),
    new Sessions(c, jobs, features, tree),
  );
  await c.start();
  if (c.client?.isRunning() && vscode.workspace.isTrusted) {
    // Jobs this user submitted earlier (from here, another window or the CLI).
    void features.refreshJobs().catch((e) => c.output.warn(`listing jobs: ${String(e)}`));
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
}
