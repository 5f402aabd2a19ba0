// Workspace trust: what a repository may choose and what only the user may.
//
// - In an untrusted workspace nothing runs on a cluster (the server is told `trusted: false`
//   and refuses every cluster action; checks still work).
// - Executables (`clusterls.serverPath`) and the ssh config (`clusterls.sshConfig`) are read
//   from the User (machine) settings only, whatever a workspace's settings.json says.
// - A host or ssh config named by the repository (clusterls.toml, or the workspace's
//   settings) is used only once the user said yes to it; the answer is remembered.
// The rules themselves are pure, in trust_rules.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { RepoTarget, repoTarget } from './parse';
import { approvalKey, repositoryAnswer, userValue, workspaceValue } from './trust_rules';

/** A setting's User-level value (machine scope), never a workspace's. */
export function machineSetting<T>(key: string): T | undefined {
  return userValue(vscode.workspace.getConfiguration('clusterls').inspect<T>(key));
}

/** The repository's cluster: clusterls.toml of the first folder, else the workspace's own settings. */
export function repositoryTarget(): RepoTarget {
  const out: RepoTarget = {};
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme === 'file') {
    try {
      Object.assign(out, repoTarget(fs.readFileSync(path.join(folder.uri.fsPath, 'clusterls.toml'), 'utf8')));
    } catch {
      // No clusterls.toml.
    }
  }
  const wsHost = workspaceValue(vscode.workspace.getConfiguration('clusterls').inspect<string>('host'));
  if (!out.host && wsHost) {
    out.host = wsHost;
  }
  return out;
}

const APPROVALS = 'clusterls.approvedRepositoryTargets';


/**
 * Whether the repository's host may be used: yes when it names none, else the user's
 * remembered answer, else asked once (modal). Untrusted workspaces are never asked.
 */
export async function repositoryHostAllowed(context: vscode.ExtensionContext): Promise<boolean> {
  const t = repositoryTarget();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.toString() ?? '';
  const answers = context.globalState.get<Record<string, boolean>>(APPROVALS, {});
  const known = repositoryAnswer(t, machineSetting<string>('host'), vscode.workspace.isTrusted, folder, answers);
  if (known !== 'ask') {
    return known;
  }
  const what = [t.host ? `host "${t.host}"` : undefined, t.sshConfig ? `ssh config "${t.sshConfig}"` : undefined]
    .filter(Boolean)
    .join(' and ');
  const pick = await vscode.window.showWarningMessage(
    `This repository asks clusterls to connect to ${what}. Connect only if you expect this cluster: ` +
      'a login there may ask for your password or one-time code.',
    { modal: true },
    'Connect',
    'Do Not Connect',
  );
  if (pick === undefined) {
    return false; // Dismissed: ask again next time.
  }
  const allowed = pick === 'Connect';
  await context.globalState.update(APPROVALS, { ...answers, [approvalKey(folder, t)]: allowed });
  return allowed;
}
