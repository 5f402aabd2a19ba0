// Long work the server reports under a progress token of ours, so that it can be stopped.

import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';

let next = 0;

/**
 * Run `f` with a fresh work-done token (it goes with the command as `workDoneToken`) and
 * show what the server reports under it in a notification with a Cancel button. The
 * language client shows progress the server creates in the status bar, where VS Code offers
 * no Cancel; a notification does. Cancel sends `window/workDoneProgress/cancel`: the server
 * stops the work (a pull's or build's allocation cancelled, an allocation request
 * withdrawn) and its reply says so.
 */
export async function stoppable<T>(
  client: lc.LanguageClient,
  title: string,
  f: (token: lc.ProgressToken) => Promise<T>,
): Promise<T> {
  const token = `clusterls-client/${++next}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `clusterls: ${title}`, cancellable: true },
    async (progress, cancel) => {
      const reports = client.onProgress(lc.WorkDoneProgress.type, token, (v) => {
        if (v.kind !== 'end' && v.message) {
          progress.report({ message: v.message });
        }
      });
      const cancelled = cancel.onCancellationRequested(() => {
        void client.sendNotification(lc.WorkDoneProgressCancelNotification.type, { token });
      });
      try {
        return await f(token);
      } finally {
        reports.dispose();
        cancelled.dispose();
      }
    },
  );
}
