// What a workspace may choose, as pure functions (unit-tested without vscode; trust.ts
// and ctx.ts apply them to VS Code's configuration and state):
//
// - executables (`clusterls.serverPath`) and the ssh config (`clusterls.sshConfig`) come
//   from the User (machine) settings only: a repository's .vscode/settings.json could
//   otherwise run commands (a server of its choosing, `ProxyCommand`, `Match exec`);
// - a host named by the repository is used once the user said yes to it, an answer
//   remembered per folder and per exact target.

import type { RepoTarget } from './parse';

/** A setting's value at each level, as `WorkspaceConfiguration.inspect()` gives it. */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
  defaultLanguageValue?: T;
  globalLanguageValue?: T;
  workspaceLanguageValue?: T;
  workspaceFolderLanguageValue?: T;
}

/** The `clusterls` settings section: `vscode.WorkspaceConfiguration` has this shape. */
export interface SettingsSource {
  /** The effective value (a workspace's wins over the User's). */
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): Inspected<T> | undefined;
}

/** The User-level (machine scope) value of a setting, else its default; never a workspace's. */
export function userValue<T>(i: Inspected<T> | undefined): T | undefined {
  return i?.globalValue ?? i?.defaultValue ?? undefined;
}

/** The value the workspace itself sets (its folder's, else the workspace file's), if any. */
export function workspaceValue<T>(i: Inspected<T> | undefined): T | undefined {
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? undefined;
}

/**
 * Every engine setting the server reads (camelCase, as in package.json); a test holds it
 * to package.json, and the server's own test to what it reads.
 */
export const SETTING_KEYS = [
  'host',
  'account',
  'partition',
  'qos',
  'gpus',
  'cpus',
  'mem',
  'time',
  'image',
  'imageDir',
  'binds',
  'python',
  'runtime',
];

/**
 * The `clusterls` settings as the server reads them (initializationOptions and
 * didChangeConfiguration): `sshConfig` from the User settings only; the workspace's `host`
 * only when `hostAllowed`; `trusted` from workspace trust.
 */
export function serverSettings(c: SettingsSource, trusted: boolean, hostAllowed: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) {
    out[k] = c.get(k) ?? null;
  }
  if (!hostAllowed) {
    out.host = userValue(c.inspect<string>('host')) ?? null;
  }
  out.sshConfig = userValue(c.inspect<string>('sshConfig')) ?? null;
  out.checkDisable = c.get<string[]>('check.disable') ?? null;
  out.trusted = trusted;
  out.projectHost = hostAllowed;
  return out;
}

/** The key an approval is remembered under: the folder and exactly what it names. */
export function approvalKey(folder: string, t: RepoTarget): string {
  return JSON.stringify([folder, t.host ?? null, t.sshConfig ?? null]);
}

/**
 * Whether the repository's target (host, ssh config) may be used, without asking: yes when
 * it names none or only the host the User settings name; no in an untrusted workspace;
 * else the answer remembered for this folder and exactly this target, or `ask`.
 */
export function repositoryAnswer(
  t: RepoTarget,
  userHost: string | undefined,
  trusted: boolean,
  folder: string,
  answers: Readonly<Record<string, boolean>>,
): boolean | 'ask' {
  if (!t.host && !t.sshConfig) {
    return true;
  }
  if (t.host === userHost && !t.sshConfig) {
    return true; // The user chose that host themselves.
  }
  if (!trusted) {
    return false;
  }
  const key = approvalKey(folder, t);
  return key in answers ? answers[key] : 'ask';
}
