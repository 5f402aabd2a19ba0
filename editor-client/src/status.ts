// The cluster's status in the editor: the ssh connection (`clusterls/connectionState`)
// and Slurm's controller (`clusterls/controllerState`) in one status bar item, the
// controller's outage as the Jobs view's message, each transition in the output channel,
// and the prompt to log in. What is shown is decided in status_text.ts.

import * as vscode from 'vscode';

import type { Ctx } from './ctx';
import { ConnectionStateParams, ControllerStateParams, connectionStateNotification, controllerStateNotification } from './lsp_ext';
import { connectionChange, jobsMessage, nextOutages, Outages, statusView } from './status_text';

export class ClusterStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('connection', vscode.StatusBarAlignment.Left, 11);
  /** The connection as the running server last reported it (an outage does not change it). */
  private connection: ConnectionStateParams | undefined;
  private outages: Outages = new Map();

  constructor(
    private readonly ctx: Ctx,
    private readonly jobsView: vscode.TreeView<unknown>,
  ) {
    this.item.name = 'clusterls: connection';
    ctx.onClient((client) => {
      // A new server reports both afresh (the login prompt too); the old one's are stale.
      this.connection = undefined;
      this.outages = new Map();
      this.render();
      client.onNotification(connectionStateNotification, (p) => this.onConnection(p));
      client.onNotification(controllerStateNotification, (p) => this.onController(p));
    });
  }

  private onConnection(p: ConnectionStateParams) {
    const { log, prompt } = connectionChange(this.connection, p);
    if (log) {
      this.ctx.output.info(`connection to ${p.host}: ${p.state}${p.message ? `: ${p.message}` : ''}`);
    }
    this.connection = p;
    this.render();
    if (prompt) {
      void vscode.window
        .showWarningMessage(`clusterls: logging in to ${p.host} needs you (password or code).`, 'Log In')
        .then((pick) => (pick ? vscode.commands.executeCommand('clusterls.login') : undefined));
    }
  }

  private onController(p: ControllerStateParams) {
    const { outages, log } = nextOutages(this.outages, p, new Date());
    this.outages = outages;
    if (log) {
      this.ctx.output[log.level](log.text);
    }
    this.render();
  }

  /** Both states, whichever changed: the status bar item and the Jobs view's message. */
  private render() {
    this.jobsView.message = jobsMessage(this.outages);
    const v = statusView(this.connection, this.outages);
    if (!v) {
      this.item.hide();
      return;
    }
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.command = v.command;
    this.item.backgroundColor = v.background && new vscode.ThemeColor(`statusBarItem.${v.background}Background`);
    this.item.show();
  }

  dispose() {
    this.item.dispose();
  }
}
