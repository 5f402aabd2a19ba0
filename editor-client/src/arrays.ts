// Job arrays in the Jobs view (pure: no vscode): the count per state shown on an
// array's row, and each task as a job of its own for the row's inline actions (its
// id `123_4` is what the server's logs and cancel commands take).

import { Job, JobTask } from './protocol';

/** `2 running, 4 pending, 1 failed` (Slurm's words, lower case), or undefined for a job that is no array. */
export function taskCountsText(job: Job): string | undefined {
  if (!job.taskCounts || job.taskCounts.length === 0) {
    return undefined;
  }
  return job.taskCounts.map((c) => `${c.count} ${c.slurmState.split(/\s/)[0].toLowerCase()}`).join(', ');
}

/** Task `task` of array `parent` as a job: its own id, state, reason and log; the array's name, resources and times. */
export function taskJob(parent: Job, task: JobTask): Job {
  return {
    id: task.id,
    name: `${parent.name} [${task.index}]`,
    state: task.state,
    slurmState: task.slurmState,
    resources: parent.resources,
    submittedAt: parent.submittedAt,
    exitCode: task.exitCode,
    allocation: false,
    logPath: task.logPath,
    reason: task.reason,
    nodes: task.nodes,
  };
}
