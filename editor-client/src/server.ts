// Finding and starting the clusterls binary.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export class ServerNotFound extends Error {}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The server binary: setting, then bundled, then PATH. Throws ServerNotFound with a readable message. */
export function findServer(context: vscode.ExtensionContext): string {
  const configured = vscode.workspace.getConfiguration('clusterls').get<string | null>('serverPath');
  if (configured) {
    const p = configured.startsWith('~/') ? path.join(process.env.HOME ?? '', configured.slice(2)) : configured;
    if (!isExecutable(p)) {
      throw new ServerNotFound(
        `The clusterls.serverPath setting points at "${configured}", which is not an executable file. ` +
          'Fix the setting, or clear it to use the bundled server.',
      );
    }
    return p;
  }
  const bundled = context.asAbsolutePath(path.join('server', 'clusterls'));
  if (fs.existsSync(bundled) && !isExecutable(bundled)) {
    // Some .vsix extractors drop the executable bit.
    try {
      fs.chmodSync(bundled, 0o755);
    } catch {
      // Reported below as "not found" with the PATH fallback.
    }
  }
  if (isExecutable(bundled)) {
    return bundled;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'clusterls'))) {
      return path.join(dir, 'clusterls');
    }
  }
  throw new ServerNotFound(
    'The clusterls language server was not found: this extension has no bundled binary and there is no ' +
      '`clusterls` on PATH. Install it (`cargo install --path server` in the clusterls repository) or set ' +
      'clusterls.serverPath to the binary.',
  );
}
