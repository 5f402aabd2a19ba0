// The sessions feature's pure text: tooltip detail, end advice, the Include check.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { detailMarkdown, endAdvice, includedIn, warnNow } from '../session_text';

test('a job detail as tooltip Markdown', () => {
  const check = (d: Parameters<typeof detailMarkdown>[0], expected: string | undefined) =>
    assert.equal(detailMarkdown(d), expected);
  check({ id: '1', efficiency: [], advice: [] }, undefined);
  check(
    { id: '2', efficiency: [], advice: [], why: 'the resources it asks for are busy; wait', estimatedStart: '2026-11-30T21:00:00 on node01 (the scheduler\'s estimate)' },
    "\n- Why it waits: the resources it asks for are busy; wait\n- Estimated start: 2026-11-30T21:00:00 on node01 \\(the scheduler's estimate\\)\n",
  );
  check(
    {
      id: '3',
      efficiency: ['time: 0:01:00 of 1:00:00 (1% of the limit)', 'memory: 3.0 GB of 64 GB at most (4%)'],
      advice: ['used 3.0 GB of 64 GB: ask for --mem=5G next time'],
    },
    '\n\n**How it went** (sacct)\n\n- time: 0:01:00 of 1:00:00 \\(1% of the limit\\)\n- memory: 3.0 GB of 64 GB at most \\(4%\\)\n- Advice: used 3.0 GB of 64 GB: ask for --mem=5G next time\n',
  );
  check({ id: '4', efficiency: [], advice: [], note: 'accounting has no row for it yet' }, '\n- accounting has no row for it yet\n');
});

test('the end notification says the first advice', () => {
  assert.equal(endAdvice({ id: '1', efficiency: [], advice: ['used 3.0 GB of 64 GB: ask for --mem=5G next time', 'x'] }), 'Next time: Used 3.0 GB of 64 GB: ask for --mem=5G next time.');
  assert.equal(endAdvice({ id: '1', efficiency: ['time: 1:00'], advice: [] }), undefined);
});

test('whether the ssh config reads the hosts', () => {
  const line = 'Include "/home/a b/.ssh/clusterls/*.conf"';
  assert.equal(includedIn(`${line}\nHost x\n`, line), true);
  assert.equal(includedIn(`  include   "/home/a b/.ssh/clusterls/*.conf"\n`, line), true);
  assert.equal(includedIn(`# ${line}\n`, line), false);
  assert.equal(includedIn('', line), false);
});

test('a session is warned once within 10 minutes of its end, if it had more', () => {
  assert.equal(warnNow(599, 3600), true);
  assert.equal(warnNow(601, 3600), false);
  assert.equal(warnNow(599, 600), false, 'a 10-minute session as it starts');
  assert.equal(warnNow(0, 3600), false, 'ended');
});
