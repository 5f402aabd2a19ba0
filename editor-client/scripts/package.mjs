// Package the extension as a .vsix with @vscode/vsce.
//
// When CLUSTERLS_SERVER names a clusterls binary, it is bundled as server/clusterls
// (the extension uses it when the clusterls.serverPath setting is unset).
// Output: clusterls.vsix, or the path in CLUSTERLS_VSIX.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const serverDir = path.join(root, 'server');
rmSync(serverDir, { recursive: true, force: true });
const bin = process.env.CLUSTERLS_SERVER;
if (bin) {
  mkdirSync(serverDir, { recursive: true });
  const dest = path.join(serverDir, 'clusterls');
  copyFileSync(bin, dest);
  chmodSync(dest, 0o755);
  console.log(`bundling server binary ${bin}`);
} else {
  console.log('CLUSTERLS_SERVER not set: packaging without a bundled server binary');
}
const out = process.env.CLUSTERLS_VSIX ?? path.join(root, 'clusterls.vsix');
const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
const r = spawnSync(
  vsce,
  ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out],
  { cwd: root, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
