// Onboarding: "Configure Cluster" (pick a host from the ssh config's Host entries, or
// `local`, or type one) used by the walkthrough, the no-host error and the Jobs view.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { LOCAL_HOST, localSlurm } from './local';
import { sshHosts } from './parse';
import { machineSetting } from './trust';


function readIncludes(pattern: string): string[] {
  // Plain file names only (no glob expansion here); a missing file is no error.
  const p = pattern.startsWith('~/') ? path.join(os.homedir(), pattern.slice(2)) : pattern;
  const abs = path.isAbsolute(p) ? p : path.join(os.homedir(), '.ssh', p);
  try {
    return [fs.readFileSync(abs, 'utf8')];
  } catch {
    return [];
  }
}

/** The ssh config clusterls uses: the User setting, else ~/.ssh/config. */
export function sshConfigPath(): string {
  const s = machineSetting<string>('sshConfig');
  if (s) {
    return s.startsWith('~/') ? path.join(os.homedir(), s.slice(2)) : s;
  }
  return path.join(os.homedir(), '.ssh', 'config');
}

interface HostPick extends vscode.QuickPickItem {
  host?: string;
}

/** Pick the cluster and save it as the User setting `clusterls.host`. Returns the host. */
export async function configureCluster(): Promise<string | undefined> {
  const file = sshConfigPath();
  let hosts: string[] = [];
  try {
    hosts = sshHosts(fs.readFileSync(file, 'utf8'), readIncludes);
  } catch {
    hosts = [];
  }
  const current = vscode.workspace.getConfiguration('clusterls').get<string>('host');
  const items: HostPick[] = hosts.map((h) => ({
    label: h,
    description: h === current ? 'current' : undefined,
    detail: `Host ${h} in ${file}`,
    host: h,
  }));
  if (localSlurm(process.env.PATH ?? '')) {
    items.unshift({ label: LOCAL_HOST, description: 'Slurm is on this machine', detail: 'Run sbatch and squeue here (a login node)', host: LOCAL_HOST });
  }
  items.push({ label: '$(edit) Type a host…', detail: 'An ssh destination: an alias, host or user@host' });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'clusterls: pick your cluster\'s login node',
    placeHolder: hosts.length ? `Hosts from ${file}` : `No Host entries in ${file}: type one`,
    ignoreFocusOut: true,
  });
  if (!pick) {
    return undefined;
  }
  let host = pick.host;
  if (!host) {
    host = await vscode.window.showInputBox({
      title: 'clusterls: the cluster\'s login node',
      prompt: 'An ssh host alias from your ssh config, user@host, or `local`',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[^\s-][^\s]*$/.test(v.trim()) ? undefined : 'A host name without spaces, not starting with "-"'),
    });
    host = host?.trim();
  }
  if (!host) {
    return undefined;
  }
  await vscode.workspace.getConfiguration('clusterls').update('host', host, vscode.ConfigurationTarget.Global);
  const next = await vscode.window.showInformationMessage(
    `clusterls will use ${host}. If it asks for a password or a one-time code, log in once now.`,
    'Log In',
  );
  if (next) {
    void vscode.commands.executeCommand('clusterls.login');
  }
  return host;
}
