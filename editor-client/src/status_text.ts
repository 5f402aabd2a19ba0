// The cluster's status as the editor shows it, as pure functions (unit-tested without
// vscode): the ssh connection and Slurm's controller are two states, each from its own
// notification, so that either one arriving shows both rightly (a `connected` after an
// outage does not hide it). The status bar item's text, the Jobs view's message and the
// lines logged at each transition.

import type { ConnectionStateKind, ConnectionStateParams, ControllerStateParams } from './protocol';

/** Slurm's controller on a host does not answer: its words, and since when (this window's clock). */
export interface Outage {
  message?: string;
  since: Date;
}

/** A host's controller outages, by host. */
export type Outages = ReadonlyMap<string, Outage>;

/** What the status bar item shows: `controllerDown` is the connection's states' fourth. */
export type StatusKind = ConnectionStateKind | 'controllerDown';

/** The connection's status bar item, as data: its text, tooltip, click and background. */
export interface StatusView {
  kind: StatusKind;
  text: string;
  tooltip: string;
  /** The command a click runs. */
  command?: string;
  background?: 'warning' | 'error';
}

/** A line for the output channel, with its level. */
export interface LogLine {
  level: 'info' | 'warn';
  text: string;
}

/** What an outage means, and what to do about it (said in the tooltip and logged). */
const MEANING = "job states stay as last seen until it answers; if it lasts, ask the cluster's admins";

/** A time of day as `HH:MM`, this machine's time zone. */
export function clock(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * The outages after a `clusterls/controllerState` notification, and the line to log when it
 * is a transition (a host's controller stops or starts answering); a repeated report logs
 * nothing and keeps the outage's start.
 */
export function nextOutages(outages: Outages, p: ControllerStateParams, now: Date): { outages: Outages; log?: LogLine } {
  const known = outages.get(p.host);
  if (p.reachable) {
    if (!known) {
      return { outages };
    }
    const next = new Map(outages);
    next.delete(p.host);
    return { outages: next, log: { level: 'info', text: `Slurm's controller on ${p.host} answers again (it did not since ${clock(known.since)}).` } };
  }
  const next = new Map(outages).set(p.host, { message: p.message ?? known?.message, since: known?.since ?? now });
  if (known) {
    return { outages: next };
  }
  return { outages: next, log: { level: 'warn', text: `Slurm's controller on ${p.host} does not answer (${p.message ?? 'no answer'}): ${MEANING}.` } };
}

/**
 * What a `clusterls/connectionState` report changes: `log` when it says something new (host,
 * state or words), `prompt` when a login became needed (the server may report it once per
 * failed command: the user is asked once).
 */
export function connectionChange(before: ConnectionStateParams | undefined, p: ConnectionStateParams): { log: boolean; prompt: boolean } {
  const sameState = before?.host === p.host && before.state === p.state;
  return { log: !sameState || before?.message !== p.message, prompt: p.state === 'loginRequired' && !sameState };
}

/** The outage the status bar speaks of: the connection's host's, else (no connection reported yet) the first. */
function shownOutage(connection: ConnectionStateParams | undefined, outages: Outages): [string, Outage] | undefined {
  if (connection) {
    const o = outages.get(connection.host);
    return o ? [connection.host, o] : undefined;
  }
  return outages.entries().next().value;
}

/** The outage as a sentence, for a tooltip; `when` qualifies it (before its period). */
function outageSentence(host: string, o: Outage, when = ''): string {
  return `Slurm's controller (slurmctld) on ${host} has not answered since ${clock(o.since)}${when}${o.message ? `: "${o.message}"` : ''}.`;
}

/** The status while Slurm's controller does not answer and the ssh connection is fine (or not reported yet). */
function controllerDownView(host: string, o: Outage): StatusView {
  return {
    kind: 'controllerDown',
    text: `$(warning) ${host}: Slurm not answering`,
    tooltip:
      `${outageSentence(host, o)} The ssh connection is fine; ${MEANING}. ` +
      'Click to open the clusterls output.',
    command: 'clusterls.showOutput',
    background: 'warning',
  };
}

/** The status of the ssh connection itself, as before the controller's state was known. */
function connectionView(p: ConnectionStateParams): StatusView {
  const said = p.message ? `${p.host}: ${p.message}` : undefined;
  switch (p.state) {
    case 'connected':
      return { kind: 'connected', text: `$(vm-connect) ${p.host}`, tooltip: said ?? `clusterls is connected to ${p.host}` };
    case 'loginRequired':
      return {
        kind: 'loginRequired',
        text: `$(key) ${p.host}: log in`,
        tooltip: said ?? `Logging in to ${p.host} needs you (password or code). Click to log in.`,
        command: 'clusterls.login',
        background: 'warning',
      };
    default:
      return {
        kind: 'error',
        text: `$(debug-disconnect) ${p.host}`,
        tooltip: said ?? `clusterls cannot reach ${p.host}`,
        command: 'clusterls.showOutput',
        background: 'error',
      };
  }
}

/**
 * The connection's status bar item; undefined (hidden) before anything was reported.
 *
 * An outage of the controller shows only while the ssh connection is up: with a login
 * needed or the connection broken, that is what the user can act on (and clusterls
 * cannot ask Slurm anyway), so it wins, and the tooltip adds the outage as last seen.
 */
export function statusView(connection: ConnectionStateParams | undefined, outages: Outages): StatusView | undefined {
  const outage = shownOutage(connection, outages);
  if (outage && (!connection || connection.state === 'connected')) {
    return controllerDownView(...outage);
  }
  if (!connection) {
    return undefined;
  }
  const view = connectionView(connection);
  if (outage) {
    view.tooltip += `\n${outageSentence(...outage, ' (as last seen)')}`;
  }
  return view;
}

/** The Jobs view's message while a controller does not answer; undefined when every one does. */
export function jobsMessage(outages: Outages): string | undefined {
  const lines = [...outages].map(
    ([host, o]) => `Slurm's controller on ${host} does not answer (since ${clock(o.since)}): states as last seen.`,
  );
  return lines.length ? lines.join(' ') : undefined;
}
