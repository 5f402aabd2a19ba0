// The cluster's status: the ssh connection and Slurm's controller as two states, in the
// status bar item, the Jobs view's message and the lines logged at transitions.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ConnectionStateParams, ControllerStateParams } from '../protocol';
import { clock, connectionChange, jobsMessage, nextOutages, Outages, statusView } from '../status_text';

const HOST = 'testcluster';
/** 09:05 and 09:40 in this machine's time zone, as the clock shows them. */
const T1 = new Date(2026, 0, 15, 9, 5, 30);
const T2 = new Date(2026, 0, 15, 9, 40);
const REFUSED = 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)';

const connected: ConnectionStateParams = { host: HOST, state: 'connected' };
const login: ConnectionStateParams = { host: HOST, state: 'loginRequired' };
const broken: ConnectionStateParams = { host: HOST, state: 'error', message: 'ssh: connect to host 127.0.0.1 port 22: Connection refused' };
const down: ControllerStateParams = { host: HOST, reachable: false, message: REFUSED };
const up: ControllerStateParams = { host: HOST, reachable: true };

/** The outages after these controller reports, the first at T1, the rest at T2. */
function after(...reports: ControllerStateParams[]): Outages {
  return reports.reduce<Outages>((o, p, i) => nextOutages(o, p, i === 0 ? T1 : T2).outages, new Map());
}

test('a time of day as HH:MM', () => {
  assert.equal(clock(T1), '09:05');
  assert.equal(clock(new Date(2026, 0, 1, 23, 59, 59)), '23:59');
  assert.equal(clock(new Date(2026, 0, 1, 0, 0)), '00:00');
});

test('the status bar item: connection and controller together', () => {
  const check = (
    what: string,
    connection: ConnectionStateParams | undefined,
    outages: Outages,
    expected: { kind: string; text: string; command?: string; background?: string; tooltip: RegExp[] } | undefined,
  ) => {
    const got = statusView(connection, outages);
    if (expected === undefined) {
      assert.equal(got, undefined, what);
      return;
    }
    assert.ok(got, what);
    const { tooltip, ...rest } = expected;
    assert.deepEqual({ kind: got.kind, text: got.text, command: got.command, background: got.background }, rest, what);
    for (const re of tooltip) {
      assert.match(got.tooltip, re, `${what}: tooltip`);
    }
  };
  const outage = after(down);
  check('nothing reported yet', undefined, new Map(), undefined);
  check('connected, controller answers', connected, new Map(), {
    kind: 'connected',
    text: `$(vm-connect) ${HOST}`,
    command: undefined,
    background: undefined,
    tooltip: [/^clusterls is connected to testcluster$/],
  });
  check('connected, controller does not answer', connected, outage, {
    kind: 'controllerDown',
    text: `$(warning) ${HOST}: Slurm not answering`,
    command: 'clusterls.showOutput',
    background: 'warning',
    tooltip: [
      /^Slurm's controller \(slurmctld\) on testcluster has not answered since 09:05: "slurm_load_jobs error: Unable to contact slurm controller \(connect failure\)"\./,
      /The ssh connection is fine; job states stay as last seen until it answers; if it lasts, ask the cluster's admins\./,
      /Click to open the clusterls output\.$/,
    ],
  });
  check('an outage before any connection report', undefined, outage, {
    kind: 'controllerDown',
    text: `$(warning) ${HOST}: Slurm not answering`,
    command: 'clusterls.showOutput',
    background: 'warning',
    tooltip: [/has not answered since 09:05/],
  });
  // Logging in is what the user can do (and until then clusterls cannot ask Slurm):
  // the login wins, the outage is told as last seen.
  check('login needed, controller did not answer', login, outage, {
    kind: 'loginRequired',
    text: `$(key) ${HOST}: log in`,
    command: 'clusterls.login',
    background: 'warning',
    tooltip: [/^Logging in to testcluster needs you \(password or code\)\. Click to log in\.\n/, /has not answered since 09:05 \(as last seen\): "slurm_load_jobs/],
  });
  check('login needed, controller answers', login, new Map(), {
    kind: 'loginRequired',
    text: `$(key) ${HOST}: log in`,
    command: 'clusterls.login',
    background: 'warning',
    tooltip: [/^Logging in to testcluster needs you \(password or code\)\. Click to log in\.$/],
  });
  check('connection broken, controller did not answer', broken, outage, {
    kind: 'error',
    text: `$(debug-disconnect) ${HOST}`,
    command: 'clusterls.showOutput',
    background: 'error',
    tooltip: [/^testcluster: ssh: connect to host 127\.0\.0\.1 port 22: Connection refused\n/, /\(as last seen\)/],
  });
  check('an outage of another host is not this connection\'s', { host: 'other', state: 'connected' }, outage, {
    kind: 'connected',
    text: '$(vm-connect) other',
    command: undefined,
    background: undefined,
    tooltip: [/^clusterls is connected to other$/],
  });
});

test("a 'connected' after the outage keeps showing it; answering again clears it", () => {
  // The notifications in the order they come: either one re-renders from both states.
  let outages: Outages = new Map();
  let connection: ConnectionStateParams | undefined = connected;
  outages = nextOutages(outages, down, T1).outages;
  assert.equal(statusView(connection, outages)?.kind, 'controllerDown');
  connection = { ...connected }; // the ssh connection reported again, still up
  assert.equal(statusView(connection, outages)?.kind, 'controllerDown');
  outages = nextOutages(outages, up, T2).outages;
  assert.equal(statusView(connection, outages)?.kind, 'connected');
  assert.equal(statusView(connection, outages)?.text, `$(vm-connect) ${HOST}`);
});

test('the lines logged: once per transition', () => {
  const check = (before: Outages, p: ControllerStateParams, expected: { level: string; text: string } | undefined) =>
    assert.deepEqual(nextOutages(before, p, T2).log, expected);
  check(new Map(), down, {
    level: 'warn',
    text: `Slurm's controller on testcluster does not answer (${REFUSED}): job states stay as last seen until it answers; if it lasts, ask the cluster's admins.`,
  });
  check(new Map(), { host: HOST, reachable: false }, {
    level: 'warn',
    text: "Slurm's controller on testcluster does not answer (no answer): job states stay as last seen until it answers; if it lasts, ask the cluster's admins.",
  });
  check(after(down), down, undefined); // reported again: no new line
  check(after(down), { ...down, message: 'other words' }, undefined);
  check(after(down), up, { level: 'info', text: "Slurm's controller on testcluster answers again (it did not since 09:05)." });
  check(new Map(), up, undefined); // answers, as it did
});

test('an outage keeps its start and takes newer words; answering again forgets it', () => {
  const again = after(down, { ...down, message: 'newer words' });
  assert.deepEqual(again.get(HOST), { message: 'newer words', since: T1 });
  assert.equal(after(down, up).size, 0);
  assert.deepEqual([...after(down, { host: 'b', reachable: false }, up).keys()], ['b']);
});

test("the Jobs view's message while a controller does not answer", () => {
  const check = (outages: Outages, expected: string | undefined) => assert.equal(jobsMessage(outages), expected);
  check(new Map(), undefined);
  check(after(down), "Slurm's controller on testcluster does not answer (since 09:05): states as last seen.");
  check(after(down, up), undefined);
  check(
    after(down, { host: 'b', reachable: false }),
    "Slurm's controller on testcluster does not answer (since 09:05): states as last seen. " +
      "Slurm's controller on b does not answer (since 09:40): states as last seen.",
  );
});

test('a connection report is logged when it says something new; a login is asked for once', () => {
  const check = (before: ConnectionStateParams | undefined, p: ConnectionStateParams, expected: { log: boolean; prompt: boolean }) =>
    assert.deepEqual(connectionChange(before, p), expected, JSON.stringify([before, p]));
  check(undefined, connected, { log: true, prompt: false });
  check(connected, connected, { log: false, prompt: false });
  check(connected, login, { log: true, prompt: true });
  check(undefined, login, { log: true, prompt: true });
  check(login, login, { log: false, prompt: false }); // one report per failed command: asked once
  check(login, { ...login, message: 'other words' }, { log: true, prompt: false });
  check(login, { ...login, host: 'other' }, { log: true, prompt: true });
  check(login, connected, { log: true, prompt: false });
  check(broken, broken, { log: false, prompt: false });
  check(broken, { ...broken, message: 'Connection timed out' }, { log: true, prompt: false });
});
