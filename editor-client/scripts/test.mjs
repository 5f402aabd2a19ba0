// The client's tests: no import cycles, then the unit tests in src/test (bundled with
// esbuild, run with node's test runner; they import nothing of vscode).
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
};

run(process.execPath, ['scripts/check-cycles.mjs']);
const outdir = path.join(root, 'out', 'test');
rmSync(outdir, { recursive: true, force: true });
const tests = readdirSync(path.join(root, 'src', 'test')).filter((f) => f.endsWith('.test.ts'));
await esbuild.build({
  entryPoints: tests.map((f) => path.join(root, 'src', 'test', f)),
  bundle: true,
  outdir,
  external: ['vscode', 'vscode-languageclient'],
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  logLevel: 'warning',
});
run(process.execPath, ['--test', ...tests.map((f) => path.join(outdir, f.replace(/\.ts$/, '.js')))]);
