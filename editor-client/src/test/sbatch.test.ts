import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hasSbatchDirectives } from '../sbatch';

test('sbatch scripts are told by their #SBATCH lines', () => {
  const cases: [string, boolean][] = [
    ['#!/bin/bash\n#SBATCH -p gpu\nsrun python train.py\n', true],
    ['#SBATCH --time=1:00:00', true],
    ['#!/bin/bash\necho "#SBATCH -p gpu"\n', false],
    ['  #SBATCH -p gpu\n', false],
    ['#SBATCHX\n', false],
    ['print("hello")\n', false],
    ['', false],
  ];
  for (const [text, want] of cases) {
    assert.equal(hasSbatchDirectives(text), want, JSON.stringify(text));
  }
});
