// Pure text of the sessions feature (unit-tested without vscode): a job's on-demand
// detail as tooltip Markdown, the end notification's advice, and whether an ssh config
// already reads clusterls' hosts.

import type { JobDetail } from './protocol';

/** A session is warned this many seconds before its end. */
export const WARN_SECS = 10 * 60;

/**
 * Whether to warn now that a session ends soon: within WARN_SECS of its end, once it had
 * more than that left (a session asked for 10 minutes is not warned as it starts).
 */
export function warnNow(left: number, mostLeft: number): boolean {
  return left > 0 && left <= WARN_SECS && mostLeft > WARN_SECS;
}

/** Text from the cluster, made inert in Markdown. */
function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}

/** The tooltip's addition for a job's detail; undefined when there is nothing to add. */
export function detailMarkdown(d: JobDetail): string | undefined {
  const out: string[] = [];
  if (d.why) {
    out.push(`- Why it waits: ${md(d.why)}`);
  }
  if (d.estimatedStart) {
    out.push(`- Estimated start: ${md(d.estimatedStart)}`);
  }
  if (d.timeLimit && d.timeLeftSecs !== undefined) {
    out.push(`- Slurm's limit now: ${md(d.timeLimit)}`);
  }
  if (d.efficiency?.length) {
    out.push('', '**How it went** (sacct)', '', ...d.efficiency.map((l) => `- ${md(l)}`));
  }
  for (const a of d.advice ?? []) {
    out.push(`- Advice: ${md(a)}`);
  }
  if (d.note) {
    out.push(`- ${md(d.note)}`);
  }
  return out.length ? `\n${out.join('\n')}\n` : undefined;
}

/** The end notification's one line of advice (the first, when a request was far too large). */
export function endAdvice(d: JobDetail): string | undefined {
  const a = d.advice?.[0];
  return a ? `Next time: ${a[0].toUpperCase()}${a.slice(1)}.` : undefined;
}

/** Whether an ssh config's text has the Include line (not commented out), any case. */
export function includedIn(config: string, includeLine: string): boolean {
  const want = includeLine.trim().replace(/\s+/g, ' ').toLowerCase();
  return config.split(/\r?\n/).some((l) => l.trim().replace(/\s+/g, ' ').toLowerCase() === want);
}
