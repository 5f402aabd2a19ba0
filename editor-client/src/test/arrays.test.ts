// Job arrays in the Jobs view: the count per state on the array's row, and a task as a
// job of its own (its id is what logs and cancel take).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { taskCountsText, taskJob } from '../arrays';
import { Job } from '../protocol';

const array: Job = {
  id: '12',
  name: 'sweep.py',
  state: 'running',
  slurmState: 'RUNNING',
  resources: { partition: 'cpu', gpus: 1 },
  submittedAt: 100,
  allocation: false,
  tasks: [
    { id: '12_0', index: 0, state: 'completed', slurmState: 'COMPLETED', exitCode: 0, logPath: '/r/output-0.log' },
    { id: '12_1', index: 1, state: 'running', slurmState: 'RUNNING', nodes: 'node01', logPath: '/r/output-1.log' },
    { id: '12_2', index: 2, state: 'cancelled', slurmState: 'CANCELLED by 1001' },
  ],
  taskCounts: [
    { state: 'running', slurmState: 'RUNNING', count: 1 },
    { state: 'completed', slurmState: 'COMPLETED', count: 1 },
    { state: 'cancelled', slurmState: 'CANCELLED by 1001', count: 1 },
  ],
};

test('an array row counts its tasks per state', () => {
  const check = (job: Job, expected: string | undefined) => assert.equal(taskCountsText(job), expected);
  check(array, '1 running, 1 completed, 1 cancelled');
  check({ ...array, tasks: undefined, taskCounts: undefined }, undefined);
  check({ ...array, taskCounts: [] }, undefined);
});

test('a task is a job of its own for open-log and cancel', () => {
  const check = (index: number, expected: Partial<Job>) => {
    const t = taskJob(array, array.tasks![index]);
    for (const [k, v] of Object.entries(expected)) {
      assert.deepEqual(t[k as keyof Job], v, k);
    }
  };
  check(0, { id: '12_0', name: 'sweep.py [0]', state: 'completed', exitCode: 0, logPath: '/r/output-0.log', resources: { partition: 'cpu', gpus: 1 } });
  check(1, { id: '12_1', state: 'running', nodes: 'node01', submittedAt: 100 });
  check(2, { id: '12_2', state: 'cancelled', logPath: undefined, allocation: false });
});
