// The generated protocol helpers (protocol.ts): each sends its own command with its
// typed argument, and error data is read by code, not by message text.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as protocol from '../protocol';

/** A `Send` that records what it was asked and answers `reply`. */
function recorder(reply: unknown = null) {
  const calls: [string, unknown[]][] = [];
  const send: protocol.Send = async (command, args) => {
    calls.push([command, args]);
    return reply;
  };
  return { calls, send };
}

test('each helper sends its own command with its argument', async () => {
  const { calls, send } = recorder();
  await protocol.run(send, { uri: 'file:///w/train.py', resources: { gpus: 2 } });
  await protocol.pull(send, { image: 'docker://python:3.12' });
  await protocol.alloc(send, {});
  await protocol.runInAlloc(send, { uri: 'file:///w/a.py', allocation: '12' });
  await protocol.cancel(send, { id: '12' });
  await protocol.jobs(send);
  await protocol.refreshFacts(send);
  await protocol.login(send);
  await protocol.logs(send, { id: '12' });
  await protocol.script(send, { id: '12' });
  await protocol.sessionTerminal(send, { allocation: '12' });
  await protocol.jobDetail(send, { id: '12' });
  await protocol.extend(send, { id: '12', time: '+30' });
  await protocol.remoteSshHost(send, { allocation: '12' });
  await protocol.jupyter(send, { allocation: '12' });
  await protocol.build(send, { uri: 'file:///w/Dockerfile', buildArgs: ['A=1'] });
  assert.deepEqual(
    calls.map(([c]) => c),
    [...protocol.COMMANDS],
    'one helper per command, in the order the server lists them',
  );
  assert.deepEqual(calls[0][1], [{ uri: 'file:///w/train.py', resources: { gpus: 2 } }]);
  assert.deepEqual(calls[5][1], [], 'a command without params sends no argument');
});

test('the reply is passed through as the typed result', async () => {
  const job: protocol.Job = { id: '7', name: 'train.py', state: 'pending', resources: {}, allocation: false };
  const { send } = recorder(job);
  const got: protocol.Job = await protocol.run(send, { uri: 'file:///w/train.py' });
  assert.equal(got.id, '7');
});

test('a login-required error carries its ssh command as typed data', () => {
  const data: protocol.LoginCommand = { host: 'kempner', commandLine: 'ssh -o ControlMaster=yes kempner true', argv: ['ssh', '-o', 'ControlMaster=yes', 'kempner', 'true'] };
  assert.deepEqual(protocol.loginRequired({ code: protocol.ErrorCodes.loginRequired, message: 'x', data }), data);
  assert.equal(protocol.loginRequired({ code: protocol.ErrorCodes.requestFailed, message: 'needs a password', data }), undefined);
  assert.equal(protocol.loginRequired(new Error('needs a password')), undefined);
  assert.equal(protocol.loginRequired(null), undefined);
});

test('finished states', () => {
  assert.ok(protocol.isFinished('completed'));
  assert.ok(protocol.isFinished('timeout'));
  assert.ok(!protocol.isFinished('running'));
  assert.ok(!protocol.isFinished('unknown'));
});
