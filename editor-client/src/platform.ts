// Which platform a bundled server was built for, and whether a binary runs here
// (no vscode: unit-tested).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const INSTALL_HINT =
  'Install the clusterls extension for your platform (the Marketplace picks it; from a file: ' +
  '`npm run package` in the repository\'s editor-client builds clusterls-<platform>.vsix), or build the server ' +
  '(`cargo install --path server` in the clusterls repository) and set clusterls.serverPath in your User settings ' +
  'to the binary (e.g. ~/.cargo/bin/clusterls).';

/** This machine as vsce names platforms (`linux-x64`, `darwin-arm64`, `alpine-x64`...). */
export function platformName(platform: string, arch: string, musl = false): string {
  return `${platform === 'linux' && musl ? 'alpine' : platform}-${arch}`;
}

/**
 * Why a bundled binary built for `built` cannot run here (`here`), or undefined when it can.
 * A glibc linux-x64 build refuses to start on Alpine (musl) and the other way round.
 */
export function platformMismatch(built: string | undefined, here: string): string | undefined {
  if (!built || built === here) {
    return undefined;
  }
  return (
    `The clusterls server bundled with this extension was built for ${built}, but this machine is ${here}. ` +
    INSTALL_HINT
  );
}

/**
 * Run `bin --version` once: undefined when it answers, else what went wrong. Catches what
 * the platform check cannot see (a missing loader, a too-old glibc: "spawn … -8", ENOEXEC).
 */
export function probe(bin: string): string | undefined {
  const r = spawnSync(bin, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, encoding: 'utf8' });
  if (r.error) {
    return r.error.message;
  }
  if (r.status !== 0) {
    return `exit status ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}`;
  }
  return undefined;
}

/** Whether `p` is a file this process may execute. */
export function isExecutableFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
