// Package the extension as platform-specific .vsix files with @vscode/vsce
// (`vsce package --target`), each with the release server binary, stripped, inside
// as server/clusterls (server/clusterls.exe on Windows) and server/platform.json naming
// the platform it was built for (the client checks it before starting the binary).
//
//   npm run package                                # this machine's platform (linux-x64 here)
//   CLUSTERLS_TARGETS=linux-x64,linux-arm64 npm run package
//                                                  # each target whose Rust toolchain is installed
//                                                  # (`rustup target add aarch64-unknown-linux-gnu`
//                                                  # plus a linker); others are skipped with a note
//   CLUSTERLS_SERVER=/path/to/clusterls npm run package
//                                                  # bundle this binary instead of building one
//                                                  # (the E2E test bundles its debug build)
//
// Output: clusterls-<target>.vsix in editor-client/, or the path in CLUSTERLS_VSIX when
// one target is packaged.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const repo = path.dirname(root);
const serverDir = path.join(root, 'server');

/** vsce's platform names -> Rust target triples. */
const TRIPLES = {
  'linux-x64': 'x86_64-unknown-linux-gnu',
  'linux-arm64': 'aarch64-unknown-linux-gnu',
  'alpine-x64': 'x86_64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
};

const host = `${process.platform}-${process.arch}`;
const targets = (process.env.CLUSTERLS_TARGETS ?? host).split(',').map((t) => t.trim()).filter(Boolean);

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) {
    return { ok: false, why: r.error.message };
  }
  return { ok: r.status === 0, why: `exit status ${r.status}` };
}

function installedTriples() {
  const r = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').map((l) => l.trim()) : [];
}

/** Build the release server for `target`; returns the binary's path, or a reason to skip. */
function buildServer(target) {
  if (process.env.CLUSTERLS_SERVER) {
    return { bin: process.env.CLUSTERLS_SERVER };
  }
  const triple = TRIPLES[target];
  if (!triple) {
    return { skip: `unknown target ${target} (known: ${Object.keys(TRIPLES).join(', ')})` };
  }
  const args = ['build', '--release', '-p', 'clusterls', '--bin', 'clusterls'];
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target');
  let out = path.join(targetDir, 'release');
  if (target !== host) {
    if (!installedTriples().includes(triple)) {
      return { skip: `the Rust target ${triple} is not installed (rustup target add ${triple}, and a linker for it)` };
    }
    args.push('--target', triple);
    out = path.join(targetDir, triple, 'release');
  }
  const r = run('cargo', args, { cwd: repo });
  if (!r.ok) {
    return { skip: `cargo build for ${triple} failed (${r.why})` };
  }
  return { bin: path.join(out, target.startsWith('win32') ? 'clusterls.exe' : 'clusterls') };
}

/** Strip the copy in the package (never the build's own binary). */
function strip(file, target) {
  const tool = target === host || target.startsWith('linux-x64') ? 'strip' : 'llvm-strip';
  const r = run(tool, ['--strip-all', file]);
  if (!r.ok) {
    console.warn(`warning: ${tool} failed (${r.why}); the binary is bundled unstripped`);
  }
}

const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
const built = [];
const skipped = [];
for (const target of targets) {
  const server = buildServer(target);
  if (server.skip) {
    skipped.push(`${target}: ${server.skip}`);
    continue;
  }
  rmSync(serverDir, { recursive: true, force: true });
  mkdirSync(serverDir, { recursive: true });
  const exe = target.startsWith('win32') ? 'clusterls.exe' : 'clusterls';
  const dest = path.join(serverDir, exe);
  copyFileSync(server.bin, dest);
  chmodSync(dest, 0o755);
  strip(dest, target);
  writeFileSync(path.join(serverDir, 'platform.json'), JSON.stringify({ target }) + '\n');
  console.log(`bundling ${server.bin} as server/${exe} (${(statSync(dest).size / 1e6).toFixed(1)} MB)`);
  const out =
    targets.length === 1 && process.env.CLUSTERLS_VSIX
      ? process.env.CLUSTERLS_VSIX
      : path.join(root, `clusterls-${target}.vsix`);
  mkdirSync(path.dirname(out), { recursive: true }); // vsce does not create it
  const r = run(
    vsce,
    ['package', '--target', target, '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out],
    { cwd: root },
  );
  if (!r.ok) {
    console.error(`vsce package failed for ${target} (${r.why})`);
    process.exit(1);
  }
  built.push(out);
}
rmSync(serverDir, { recursive: true, force: true });
for (const s of skipped) {
  console.warn(`skipped ${s}`);
}
if (!built.length) {
  console.error('no package built');
  process.exit(1);
}
for (const b of built) {
  console.log(`built ${b}${existsSync(b) ? ` (${(statSync(b).size / 1e6).toFixed(1)} MB)` : ''}`);
}
