// The clusterls protocol on the client side: the types and typed request helpers
// generated from the server's declarations (protocol.ts, from server/src/lsp/ext),
// plus the vscode-languageclient notification types built from them.

import * as lc from 'vscode-languageclient/node';

import * as protocol from './protocol';

export * from './protocol';

function notification<P>(spec: protocol.NotificationSpec<P>): lc.NotificationType<P> {
  return new lc.NotificationType<P>(spec.method);
}

/** Server to client: a job changed state (including its first appearance). */
export const jobStateNotification = notification(protocol.jobState);

/** Server to client: the connection to the cluster changed state. */
export const connectionStateNotification = notification(protocol.connectionState);

/** Server to client: Slurm's controller on a host stopped or started answering (the ssh connection may be fine). */
export const controllerStateNotification = notification(protocol.controllerState);

/** Server to client: a job the tracker saw waiting now runs (with its node). */
export const jobStartedNotification = notification(protocol.jobStarted);
