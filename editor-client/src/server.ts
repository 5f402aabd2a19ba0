// Finding and starting the clusterls binary.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { INSTALL_HINT, isExecutableFile, platformMismatch, platformName, probe } from './platform';
import { machineSetting } from './trust';

export class ServerNotFound extends Error {}

function isMusl(): boolean {
  try {
    // Node's report names the C library it was built against.
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return process.platform === 'linux' && !header?.glibcVersionRuntime;
  } catch {
    return false;
  }
}

/** The server binary: setting (User/machine scope only), then bundled, then PATH. Throws ServerNotFound with a readable message. */
export function findServer(context: vscode.ExtensionContext): string {
  const configured = machineSetting<string>('serverPath');
  if (configured) {
    const p = configured.startsWith('~/') ? path.join(process.env.HOME ?? '', configured.slice(2)) : configured;
    if (!isExecutableFile(p)) {
      throw new ServerNotFound(
        `The clusterls.serverPath setting points at "${configured}", which is not an executable file. ` +
          'Fix the setting, or clear it to use the bundled server.',
      );
    }
    const why = probe(p);
    if (why) {
      throw new ServerNotFound(`The clusterls.serverPath setting points at "${configured}", which does not run here (${why}). ${INSTALL_HINT}`);
    }
    return p;
  }
  const exe = process.platform === 'win32' ? 'clusterls.exe' : 'clusterls';
  const bundled = context.asAbsolutePath(path.join('server', exe));
  if (fs.existsSync(bundled)) {
    let built: string | undefined;
    try {
      built = JSON.parse(fs.readFileSync(context.asAbsolutePath(path.join('server', 'platform.json')), 'utf8')).target;
    } catch {
      built = undefined;
    }
    const mismatch = platformMismatch(built, platformName(process.platform, process.arch, isMusl()));
    if (mismatch) {
      throw new ServerNotFound(mismatch);
    }
    if (!isExecutableFile(bundled)) {
      // Some .vsix extractors drop the executable bit.
      try {
        fs.chmodSync(bundled, 0o755);
      } catch {
        // Reported by the probe below.
      }
    }
    const why = probe(bundled);
    if (why) {
      throw new ServerNotFound(`The clusterls server bundled with this extension does not run on this machine (${why}). ${INSTALL_HINT}`);
    }
    return bundled;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, exe))) {
      return path.join(dir, exe);
    }
  }
  throw new ServerNotFound(
    'The clusterls language server was not found: this extension has no bundled binary and there is no ' +
      `\`clusterls\` on PATH. ${INSTALL_HINT}`,
  );
}
