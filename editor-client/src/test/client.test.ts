// The client's pure parts: which platform a bundled server fits, the ssh config's hosts
// for the host picker, the repository's host (asked before connecting), what a workspace's
// settings may choose, the login-node detection and the log level given to the server.
// One check() per feature, many cases.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { localSlurm } from '../local';
import { repoTarget, rustLog, sshHosts } from '../parse';
import { platformMismatch, platformName, probe } from '../platform';
import { approvalKey, Inspected, repositoryAnswer, serverSettings, SETTING_KEYS, SettingsSource, userValue } from '../trust_rules';

test('platform names as vsce spells them', () => {
  const check = (platform: string, arch: string, musl: boolean, expected: string) =>
    assert.equal(platformName(platform, arch, musl), expected);
  check('linux', 'x64', false, 'linux-x64');
  check('linux', 'arm64', false, 'linux-arm64');
  check('linux', 'x64', true, 'alpine-x64');
  check('darwin', 'arm64', false, 'darwin-arm64');
  check('darwin', 'arm64', true, 'darwin-arm64');
  check('win32', 'x64', false, 'win32-x64');
});

test('a bundled server built for another platform says what to do', () => {
  const check = (built: string | undefined, here: string, expected: RegExp | undefined) => {
    const got = platformMismatch(built, here);
    if (expected === undefined) {
      assert.equal(got, undefined);
    } else {
      assert.match(got ?? '', expected);
    }
  };
  check('linux-x64', 'linux-x64', undefined);
  check(undefined, 'darwin-arm64', undefined); // an old package without platform.json: the probe decides
  check('linux-x64', 'darwin-arm64', /built for linux-x64, but this machine is darwin-arm64/);
  check('linux-x64', 'alpine-x64', /cargo install --path server/);
  check('linux-x64', 'darwin-arm64', /clusterls\.serverPath/);
  assert.doesNotMatch(platformMismatch('linux-x64', 'win32-x64') ?? '', /example\.invalid/);
});

test('the probe runs a binary and tells why one does not run', () => {
  assert.equal(probe(process.execPath), undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterls-probe-'));
  const bad = path.join(dir, 'clusterls');
  fs.writeFileSync(bad, Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])); // a Mach-O header
  fs.chmodSync(bad, 0o755);
  assert.match(probe(bad) ?? '', /ENOEXEC|exit status|spawn/);
  const failing = path.join(dir, 'fails');
  fs.writeFileSync(failing, '#!/bin/sh\necho "GLIBC_2.39 not found" >&2\nexit 1\n');
  fs.chmodSync(failing, 0o755);
  assert.match(probe(failing) ?? '', /exit status 1: GLIBC_2\.39 not found/);
  assert.match(probe(path.join(dir, 'missing')) ?? '', /ENOENT/);
  fs.rmSync(dir, { recursive: true });
});

test('host aliases from an ssh config', () => {
  const check = (text: string, expected: string[], includes: Record<string, string> = {}) =>
    assert.deepEqual(
      sshHosts(text, (p) => (p in includes ? [includes[p]] : [])),
      expected,
    );
  check('Host testcluster\n  HostName 127.0.0.1\n  User alice\n', ['testcluster']);
  check('Host a b\nHost c\n', ['a', 'b', 'c']);
  check('Host *\n  ForwardAgent no\nHost login?.x !bad\nHost ok\n', ['ok']);
  check('host=eq\nHOST   spaced  # comment\n', ['eq', 'spaced']);
  check('# Host commented\n', []);
  check('Host "quoted"\n', ['quoted']);
  check('Host a\nHost a\n', ['a']);
  check('Include conf.d/cluster\nHost main\n', ['inner', 'main'], { 'conf.d/cluster': 'Host inner\n' });
  check('Include self\n', [], { self: 'Include self\n' }); // bounded, like ssh's depth limit
  check('', []);
});

test("the repository's host and ssh config in clusterls.toml", () => {
  const check = (toml: string, expected: object) => assert.deepEqual(repoTarget(toml), expected);
  check('host = "testcluster"\n', { host: 'testcluster' });
  check("host = 'a'\nssh_config = \"./ssh/config\"\n", { host: 'a', sshConfig: './ssh/config' });
  check('partition = "gpu"\n', {});
  check('[pull]\nhost = "not-top-level"\n', {});
  check('  host="x\\"y"  # comment\n', { host: 'x"y' });
  check('hostname = "no"\n', {});
});

test('approvals are remembered per folder and per exact target', () => {
  const a = approvalKey('file:///w', { host: 'x' });
  assert.equal(a, approvalKey('file:///w', { host: 'x' }));
  assert.notEqual(a, approvalKey('file:///w', { host: 'y' }));
  assert.notEqual(a, approvalKey('file:///v', { host: 'x' }));
  assert.notEqual(a, approvalKey('file:///w', { host: 'x', sshConfig: 'c' }));
  // What is asked: the user said yes to host x in folder w, and no to host z there.
  const answers = { [a]: true, [approvalKey('file:///w', { host: 'z' })]: false };
  const check = (target: { host?: string; sshConfig?: string }, folder: string, expected: boolean | 'ask', opts: { userHost?: string; trusted?: boolean } = {}) =>
    assert.equal(repositoryAnswer(target, opts.userHost, opts.trusted ?? true, folder, answers), expected, JSON.stringify([target, folder, opts]));
  check({ host: 'x' }, 'file:///w', true); // answered: not asked again
  check({ host: 'z' }, 'file:///w', false); // declined: not asked again either
  check({ host: 'x' }, 'file:///v', 'ask'); // another folder naming the same host
  check({ host: 'y' }, 'file:///w', 'ask'); // the folder now names another host
  check({ host: 'x', sshConfig: 'c' }, 'file:///w', 'ask'); // ... or adds an ssh config
  check({ sshConfig: 'c' }, 'file:///w', 'ask');
  check({}, 'file:///w', true); // the repository names nothing
  check({ host: 'u' }, 'file:///v', true, { userHost: 'u' }); // the host of the User settings
  check({ host: 'u', sshConfig: 'c' }, 'file:///v', 'ask', { userHost: 'u' }); // not its ssh config
  check({ host: 'y' }, 'file:///w', false, { trusted: false }); // untrusted: never asked, never used
  check({ host: 'x' }, 'file:///w', false, { trusted: false });
});

/** A settings section as VS Code resolves it: a folder's value, the workspace's, the User's, the default. */
function settingsSource(values: Record<string, Inspected<unknown>>): SettingsSource {
  return {
    get: <T>(key: string) => {
      const i = values[key] ?? {};
      return (i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue ?? i.defaultValue) as T | undefined;
    },
    inspect: <T>(key: string) => (values[key] ?? {}) as Inspected<T>,
  };
}

test("executables and the ssh config come from the User settings, never a workspace's", () => {
  const check = (i: Inspected<string>, expected: string | undefined) => assert.equal(userValue(i), expected, JSON.stringify(i));
  const everywhere = { workspaceValue: '/repo/evil', workspaceFolderValue: '/repo/evil2', workspaceLanguageValue: '/repo/evil3', workspaceFolderLanguageValue: '/repo/evil4' };
  check({ ...everywhere, globalValue: '/usr/local/bin/clusterls' }, '/usr/local/bin/clusterls');
  check(everywhere, undefined);
  check({ ...everywhere, defaultValue: 'd' }, 'd');
  check({ workspaceFolderValue: '/repo/ssh_config', globalValue: '~/.ssh/cluster' }, '~/.ssh/cluster');
  check({}, undefined);

  // What the server gets: the repository's ssh config never; its host only once agreed to.
  const source = settingsSource({
    sshConfig: { workspaceValue: '/repo/ssh_config', workspaceFolderValue: '/repo/.ssh/config', globalValue: '/home/u/.ssh/cluster' },
    host: { workspaceValue: 'repo-host', globalValue: 'my-host' },
    partition: { workspaceFolderValue: 'gpu', globalValue: 'cpu' },
  });
  const agreed = serverSettings(source, true, true);
  assert.equal(agreed.sshConfig, '/home/u/.ssh/cluster');
  assert.equal(agreed.host, 'repo-host');
  assert.equal(agreed.partition, 'gpu'); // run defaults may come from the workspace
  assert.equal(agreed.projectHost, true);
  assert.equal(agreed.trusted, true);
  const declined = serverSettings(source, false, false);
  assert.equal(declined.host, 'my-host');
  assert.equal(declined.sshConfig, '/home/u/.ssh/cluster');
  assert.equal(declined.projectHost, false);
  assert.equal(declined.trusted, false);
  assert.equal(serverSettings(settingsSource({ sshConfig: { workspaceValue: '/repo/ssh_config' } }), true, true).sshConfig, null);
  assert.equal('serverPath' in agreed, false); // the server never hears of it: the client alone runs it
});

test('Slurm on this machine: sbatch and squeue both on PATH', () => {
  const check = (pathVar: string, files: string[], expected: boolean) =>
    assert.equal(localSlurm(pathVar, (p) => files.includes(p)), expected);
  check('/usr/bin:/bin', ['/usr/bin/sbatch', '/usr/bin/squeue'], true);
  check('/opt/slurm/bin:/usr/bin', ['/opt/slurm/bin/sbatch', '/usr/bin/squeue'], true);
  check('/usr/bin', ['/usr/bin/sbatch'], false);
  check('/usr/bin', ['/usr/bin/squeue'], false);
  check('', ['/sbatch', '/squeue'], false);
  check('/usr/bin', [], false);
});

test("VS Code's log levels as RUST_LOG", () => {
  const check = (level: number, expected: string) => assert.equal(rustLog(level), expected);
  check(0, 'off');
  check(1, 'trace');
  check(2, 'debug');
  check(3, 'info');
  check(4, 'warn');
  check(5, 'error');
  check(9, 'info');
});

test('every setting in package.json reaches the server, or is the client\'s own', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const declared = Object.keys(pkg.contributes.configuration.properties).map((k) => k.replace(/^clusterls\./, ''));
  // Sent apart (sshConfig from the User settings only, check.disable as checkDisable), or
  // read by the client alone (the server binary, its log level at start, LSP tracing).
  const apart = ['sshConfig', 'check.disable', 'serverPath', 'logLevel', 'trace.server'];
  assert.deepEqual([...SETTING_KEYS, ...apart].sort(), [...declared].sort());
});
