// The end-to-end scenarios, in a real VS Code (code-server) in headless Chromium.
// Every wait is on a selector or a condition; nothing sleeps for a fixed time.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const url = process.env.E2E_URL;
const ws = process.env.E2E_WORKSPACE;
const shots = process.env.E2E_SCREENSHOTS;
const work = process.env.E2E_WORK;
const only = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(',')) : undefined;

const SHORT = 30_000;
const JOB = 240_000; // a first run may pull the image

function step(msg) {
  console.log(`e2e: ${msg}`);
}

async function shot(page, name) {
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file });
  step(`screenshot ${file}`);
}

/** Run a command from the command palette by its title. */
async function palette(page, title) {
  await openPalette(page);
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: SHORT });
  await input.press('Enter');
}

/** Open the command palette. F1 is what a user presses, but a key press can land where
 * the workbench does not see it (focus left in the Output panel's channel picker after a
 * restart, or during a focus change), which left the palette closed on CI. Then press
 * Escape and click the title bar's command center, which opens the same quick input. */
async function openPalette(page) {
  const input = page.locator('.quick-input-widget input');
  const tries = [
    async () => page.keyboard.press('F1'),
    async () => {
      await page.keyboard.press('Escape');
      await page.locator('.command-center .search-label, .command-center-center').first().click();
    },
    async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+P');
    },
  ];
  let last;
  for (const [i, open] of tries.entries()) {
    try {
      await open();
      await input.waitFor({ state: 'visible', timeout: i === tries.length - 1 ? SHORT : 5_000 });
      if (i > 0) step(`the command palette opened on try ${i + 1}`);
      return;
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`the command palette did not open (F1, the command center, Ctrl+Shift+P): ${last?.message}`);
}

async function openFile(page, name) {
  const item = page.getByRole('treeitem', { name, exact: true }).first();
  await item.waitFor({ timeout: SHORT });
  await item.click();
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: SHORT });
}

/** The text of the active editor, from the model through the DOM's view lines. */
async function editorText(page) {
  const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' '); // the editor renders spaces as no-break spaces
}

async function scenario1(page) {
  step('scenario 1: diagnostics, Problems, quick fix');
  await openFile(page, 'bad.sbatch');
  const squiggle = page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ timeout: SHORT });
  await page.locator('#status\\.problems').click();
  const rows = page.locator('.markers-panel .monaco-list-row');
  const partitionRow = rows.filter({ hasText: 'no partition `gpuu`' });
  await partitionRow.first().waitFor({ timeout: SHORT });
  await rows.filter({ hasText: 'Did you mean `gpu`' }).first().waitFor({ timeout: SHORT });
  // The foreign account is reported at the same time: it is wrong on every partition.
  const accountRow = rows.filter({ hasText: 'no account `physics_lab`' });
  await accountRow.first().waitFor({ timeout: SHORT });
  const errors = await page.locator('#status\\.problems').getAttribute('aria-label');
  step(`problems: ${errors}`);
  if (!/Errors: [1-9]/.test(errors ?? '')) {
    throw new Error(`expected errors in the status bar, got "${errors}"`);
  }
  await shot(page, '1-diagnostics');

  // The quick fix: put the cursor in the misspelled partition and ask for fixes.
  await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: '--partition=gpuu' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+Period');
  // The fix is the focused entry of the quick-fix menu ("Enter to Apply"); a pointer
  // block over the menu swallows clicks, so apply it from the keyboard.
  const fix = page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Change to gpu' }).first();
  await fix.waitFor({ timeout: SHORT });
  await shot(page, '1-quick-fix-menu');
  await page.keyboard.press('Enter');
  await partitionRow.first().waitFor({ state: 'detached', timeout: SHORT });
  const text = await editorText(page);
  if (!text.includes('--partition=gpu') || text.includes('gpuu')) {
    throw new Error(`the quick fix did not change the partition:\n${text}`);
  }
  // The fix touched the partition only: the foreign account is still reported.
  await accountRow.first().waitFor({ timeout: SHORT });
  step(`problems: ${await page.locator('#status\\.problems').getAttribute('aria-label')}`);
  await shot(page, '1-after-fix');
}

/** A file's row in the Explorer, shown first (the Jobs view has its own container). */
async function explorerItem(page, name) {
  await palette(page, 'View: Show Explorer');
  const item = page.getByRole('treeitem', { name, exact: true }).first();
  await item.waitFor({ timeout: SHORT });
  return item;
}

async function runFromExplorer(page, name) {
  const item = await explorerItem(page, name);
  await item.click({ button: 'right' });
  await chooseMenuItem(page, 'Run on cluster GPU');
}

/** Pick a context-menu entry. VS Code's menus act on mouse-up after hovering, or on
 * Enter for the highlighted entry; the keyboard is what works reliably headless. */
async function chooseMenuItem(page, name) {
  const entry = page.getByRole('menuitem', { name, exact: true });
  await entry.waitFor({ timeout: SHORT });
  await entry.hover();
  await page.locator('.monaco-menu .action-item.focused', { hasText: name }).waitFor({ timeout: SHORT });
  await page.keyboard.press('Enter');
  await entry.waitFor({ state: 'detached', timeout: SHORT });
}

const statusItem = (page) => page.locator('[id="clusterls.clusterls.latestJob"]');
/** The status bar item of the connection (and of Slurm's controller). */
const connectionItem = (page) => page.locator('[id="clusterls.clusterls.connection"]');

async function scenario2(page) {
  step('scenario 2: Run on cluster GPU from the Explorer');
  await runFromExplorer(page, 'train.py');
  const status = statusItem(page);
  await status.filter({ hasText: /train\.py (PENDING|RUNNING|COMPLETED)/ }).waitFor({ timeout: JOB });
  step(`status bar: ${await status.innerText()}`);
  await shot(page, '2-submitted');
  await status.filter({ hasText: /train\.py COMPLETED/ }).waitFor({ timeout: JOB });
  step(`status bar: ${await status.innerText()}`);
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /train\.py\) COMPLETED/ });
  await toast.first().waitFor({ timeout: SHORT });
  await shot(page, '2-completed');
  await toast.first().getByRole('button', { name: 'Open Log' }).click();
  // The log's tab is titled like `train.py #359`.
  await page.locator('.tabs-container .tab[aria-label^="train.py #"]').first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: 'hello from train.py' }).waitFor({ timeout: SHORT });
  const text = await editorText(page);
  for (const want of ['python 3.', /CUDA_VISIBLE_DEVICES=[0-3]\n/, 'container runtime: charliecloud', 'training done']) {
    if (typeof want === 'string' ? !text.includes(want) : !want.test(text)) {
      throw new Error(`the job's log lacks "${want}":\n${text}`);
    }
  }
  await shot(page, '2-log');
}

async function scenario3(page) {
  step('scenario 3: the Jobs view; cancel a long job');
  await statusItem(page).click(); // opens the Jobs view, in its own container in the activity bar
  await jobsContainer(page).locator('.composite.title', { hasText: /Cluster Jobs/i }).waitFor({ timeout: SHORT });
  const rows = jobsContainer(page).locator('.monaco-list-row');
  const train = rows.filter({ hasText: 'train.py' }).filter({ hasText: 'COMPLETED' }).first();
  await train.waitFor({ timeout: SHORT });
  // Partition, GPUs and time limit come from the job store, for every job.
  await rows.filter({ hasText: 'train.py' }).filter({ hasText: /gpu · 1 GPU · .* \/ 00:10:00/ }).first().waitFor({ timeout: SHORT });

  // The batch script clusterls generated, read from the cluster into a read-only editor.
  await train.click({ button: 'right' });
  await chooseMenuItem(page, 'Open Generated Script');
  await page.locator('.tabs-container .tab[aria-label^="job.sbatch"]').first().waitFor({ timeout: SHORT });
  await page
    .locator('.editor-group-container.active .monaco-editor .view-line', { hasText: '#SBATCH --partition=gpu' })
    .first()
    .waitFor({ timeout: SHORT });
  const script = await editorText(page);
  for (const want of ['#SBATCH --gres=gpu:1', '#SBATCH --time=00:10:00', 'exec ch-run ']) {
    if (!script.includes(want)) {
      throw new Error(`the generated script lacks "${want}":\n${script}`);
    }
  }
  await shot(page, '3-generated-script');

  // The Explorer replaces the Jobs container in the side bar; Show Jobs brings it back.
  await palette(page, 'View: Show Explorer');
  await runFromExplorer(page, 'long.py');
  await palette(page, 'clusterls: Show Jobs');
  const long = rows.filter({ hasText: 'long.py' });
  // Running, or still queued on a busy cluster: either way it can be cancelled.
  await long.filter({ hasText: /PENDING|RUNNING/ }).first().waitFor({ timeout: JOB });
  await shot(page, '3-long-running');
  // The row says job id, state (and Slurm's reason while pending) and elapsed / limit.
  const desc = await long.first().innerText();
  step(`jobs view row: ${desc.replace(/\n/g, ' ')}`);
  if (!/job \d+ · (RUNNING|PENDING( \([^)]*\))?) · .*\d+:\d\d \/ 00:10:00/.test(desc)) {
    throw new Error(`the Jobs view row lacks id, state or elapsed/limit: ${desc}`);
  }
  // Cancel with the row's inline button (shown on hover).
  await long.first().hover();
  const cancel = long.first().locator('.actions .action-label[aria-label="Cancel Job"]');
  await cancel.waitFor({ timeout: SHORT });
  await shot(page, '3-inline-actions');
  await cancel.click();
  await long.filter({ hasText: 'CANCELLED' }).first().waitFor({ timeout: JOB });
  await statusItem(page).filter({ hasText: /long\.py CANCELLED/ }).waitFor({ timeout: SHORT });
  await shot(page, '3-cancelled');
  // Clear Finished Jobs empties the view of ended jobs.
  await jobsContainer(page).locator('.composite.title .action-label[aria-label="Clear Finished Jobs"]').click();
  await rows.filter({ hasText: 'long.py' }).first().waitFor({ state: 'detached', timeout: SHORT });
}

/** The side bar while it shows the clusterls view container. */
function jobsContainer(page) {
  return page.locator('.part.sidebar');
}

/** A toast by its text. */
function toast(page, text) {
  return page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
}

async function scenario8(page) {
  step("scenario 8: the walkthrough's host picker");
  await palette(page, 'Welcome: Open Walkthrough...');
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with clusterls' }).first();
  await item.waitFor({ timeout: SHORT });
  await item.click();
  const pickHost = page.getByRole('button', { name: 'Pick a Host' });
  await pickHost.first().waitFor({ timeout: SHORT });
  await shot(page, '5-walkthrough');
  await pickHost.first().click();
  // The picker lists the Host entries of the user's ssh config.
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'testcluster-2fa' }).first().waitFor({ timeout: SHORT });
  const row = rows.filter({ hasText: 'Host testcluster in ' }).first();
  await row.waitFor({ timeout: SHORT });
  await rows.filter({ hasText: 'Type a host' }).first().waitFor({ timeout: SHORT });
  await shot(page, '5-host-picker');
  await row.click();
  await toast(page, 'clusterls will use testcluster').waitFor({ timeout: SHORT });
  await shot(page, '5-host-picked');
  await page.keyboard.press('Escape');
}

async function scenario7(page) {
  step('scenario 7: the log level follows VS Code\'s, and a restart is offered');
  // The channel is listed once it has been shown.
  await palette(page, 'clusterls: Show Output');
  // Any line of it: the view follows the end, so its first line ("starting ...") may be scrolled away.
  await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'clusterls' }).first().waitFor({ timeout: SHORT });
  await palette(page, 'Developer: Set Log Level...');
  const channel = page.locator('.quick-input-list .monaco-list-row', { hasText: /clusterls/ }).first();
  await channel.waitFor({ timeout: SHORT });
  await channel.click();
  const trace = page.locator('.quick-input-list .monaco-list-row', { hasText: /^Trace/ }).first();
  await trace.waitFor({ timeout: SHORT });
  await trace.click();
  const offer = toast(page, 'The clusterls log level changed');
  await offer.waitFor({ timeout: SHORT });
  await shot(page, '7-restart-offered');
  await offer.getByRole('button', { name: 'Restart Server' }).click();
  // The restarted server logs at TRACE (tower-lsp's frames) into the channel.
  await palette(page, 'clusterls: Show Output');
  const out = page.locator('.part.panel .monaco-editor .view-lines').first();
  await out.filter({ hasText: /TRACE\s+tower_lsp_server/ }).waitFor({ timeout: SHORT });
  await shot(page, '7-output-trace');
}

/** The packaged release .vsix in a clean VS Code whose only clusterls setting is the host. */
async function scenarioClean(page) {
  step('scenario clean: the release package, only clusterls.host set');
  await openFile(page, 'bad.sbatch');
  await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ timeout: JOB });
  await page.locator('#status\\.problems').click();
  const rows = page.locator('.markers-panel .monaco-list-row');
  // Did-you-mean comes from the cluster's real partitions (`multi` is on the cluster
  // only): the bundled server reached it through the user's own ssh config.
  await rows.filter({ hasText: 'Did you mean `gpu`' }).filter({ hasText: 'multi' }).first().waitFor({ timeout: JOB });
  await connectionItem(page).filter({ hasText: /testcluster$/ }).waitFor({ timeout: SHORT });
  await shot(page, 'clean-diagnostics');
}

/** code-server as the cluster's user on the cluster machine, no host set: the local mode. */
async function scenarioLocal(page) {
  step('scenario local: Slurm on this machine, found without being told');
  // The extension activates on our views: open the Jobs view, as a user would.
  await page.locator('.activitybar .action-item a[aria-label^="Cluster Jobs"]').first().click();
  const mode = page.locator('[id="clusterls.clusterls.mode"]');
  await mode.filter({ hasText: 'Slurm here (local)' }).waitFor({ timeout: SHORT });
  step(`status bar: ${await mode.innerText()}`);
  await shot(page, 'local-mode');
  await runFromExplorer(page, 'train.py');
  const status = statusItem(page);
  await status.filter({ hasText: /train\.py (PENDING|RUNNING|COMPLETED)/ }).waitFor({ timeout: JOB });
  step(`status bar: ${await status.innerText()}`);
  await status.filter({ hasText: /train\.py COMPLETED/ }).waitFor({ timeout: JOB });
  const done = toast(page, /train\.py\) COMPLETED/);
  await done.waitFor({ timeout: SHORT });
  await done.getByRole('button', { name: 'Open Log' }).click();
  await page.locator('.tabs-container .tab[aria-label^="train.py #"]').first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: 'training done' }).waitFor({ timeout: SHORT });
  const text = await editorText(page);
  for (const want of ['hello from train.py', 'container runtime: charliecloud', 'training done']) {
    if (!text.includes(want)) {
      throw new Error(`the job's log lacks "${want}":\n${text}`);
    }
  }
  await shot(page, 'local-log');
}

/** Answer the input box that is open with `text` (and Enter). */
async function answer(page, title, text) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: SHORT });
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  await input.press('Enter');
}

async function scenario5(page) {
  step('scenario 5: Run with options on a two-file project, with arguments');
  const item = await explorerItem(page, 'sweep.py');
  await item.click({ button: 'right' });
  await chooseMenuItem(page, 'Run on cluster GPU with options…');
  await answer(page, '(1/4)', "--lr 0.5 --name 'my run'");
  await answer(page, '(2/4)', '1');
  // The partitions come from the cluster's facts.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'multi' }).first().waitFor({ timeout: SHORT });
  await shot(page, '5-partition-pick');
  await answer(page, '(3/4)', 'gpu');
  await answer(page, '(4/4)', '00:05:00');
  const status = statusItem(page);
  await status.filter({ hasText: /sweep\.py COMPLETED/ }).waitFor({ timeout: JOB });
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /sweep\.py\) COMPLETED/ });
  await toast.first().getByRole('button', { name: 'Open Log' }).click();
  await page.locator('.tabs-container .tab[aria-label^="sweep.py #"]').first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: 'model.py says hello' }).waitFor({ timeout: SHORT });
  const text = await editorText(page);
  for (const want of ['model.py says hello', "args ['--lr', '0.5', '--name', 'my run']", '# clusterls: job ']) {
    if (!text.includes(want)) {
      throw new Error(`the job's log lacks "${want}":\n${text}`);
    }
  }
  // clusterls' banner is not shown as an error.
  const errors = text.split('--- error output ---')[1] ?? '';
  if (errors.includes('clusterls: job ')) {
    throw new Error(`the banner shows as error output:\n${text}`);
  }
  await shot(page, '5-log-with-arguments');
}

async function scenario6(page) {
  step('scenario 6: the log of a running job grows');
  await runFromExplorer(page, 'grow.py');
  await statusItem(page).filter({ hasText: /grow\.py RUNNING/ }).waitFor({ timeout: JOB });
  await palette(page, 'clusterls: Open Log');
  await page.locator('.tabs-container .tab[aria-label^="grow.py #"]').first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: 'first line' }).waitFor({ timeout: JOB });
  const before = await editorText(page);
  if (before.includes('second line') || !before.includes('this log grows')) {
    throw new Error(`expected the first line of a running job:\n${before}`);
  }
  await shot(page, '6-log-running');
  // The same document, not reopened: it grows.
  await log.filter({ hasText: 'second line' }).waitFor({ timeout: JOB });
  await log.filter({ hasNotText: 'this log grows' }).waitFor({ timeout: JOB });
  await shot(page, '6-log-grown');
}

async function scenario14(page) {
  step("scenario 14: a job array in the Jobs view: tasks grouped with a count per state, a task's own log");
  const item = await explorerItem(page, 'array.sbatch');
  await item.click({ button: 'right' });
  await chooseMenuItem(page, 'Submit to cluster');
  await palette(page, 'clusterls: Show Jobs');
  const rows = jobsContainer(page).locator('.monaco-list-row');
  // One row for the array, its tasks counted per state in the description.
  const array = rows.filter({ hasText: 'array-sweep' }).filter({ hasText: /job \d+ · / });
  await array.filter({ hasText: /COMPLETED \(3 completed\)/ }).first().waitFor({ timeout: JOB });
  step(`jobs view row: ${(await array.first().innerText()).replace(/\n/g, ' ')}`);
  await shot(page, '14-array-row');
  // Expanded, it lists its tasks, each with its own state.
  await array.first().click();
  const task = rows.filter({ hasText: /task \d+_1/ }).first();
  await task.waitFor({ timeout: SHORT });
  await rows.filter({ hasText: /task \d+_0/ }).filter({ hasText: 'COMPLETED' }).first().waitFor({ timeout: SHORT });
  await rows.filter({ hasText: /task \d+_2/ }).filter({ hasText: 'COMPLETED' }).first().waitFor({ timeout: SHORT });
  await shot(page, '14-array-tasks');
  // A task's inline Open Log shows that task's output.
  await task.hover();
  await task.locator('.actions .action-label[aria-label="Open Log"]').click();
  await page.locator('.tabs-container .tab[aria-label^="array-sweep [1] #"]').first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: 'array task 1' }).waitFor({ timeout: SHORT });
  await shot(page, '14-task-log');
}

async function scenario4(page) {
  step('scenario 4: a host that needs a passphrase; log in from the terminal');
  // A window on a workspace whose settings name that host.
  await page.goto(`${url}/?folder=${encodeURIComponent(process.env.E2E_LOGIN_WORKSPACE)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The extension activates on our files, views and commands only: open the Jobs view,
  // as a user reaching for the cluster would (its icon appears once the window has read
  // the extension's contributions).
  const jobsIcon = page.locator('.activitybar .action-item a[aria-label^="Cluster Jobs"]').first();
  await jobsIcon.waitFor({ timeout: 60_000 });
  await jobsIcon.click();
  // The workspace names a host the user never chose: asked once, in a modal.
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'testcluster-2fa' });
  await dialog.waitFor({ timeout: JOB });
  await shot(page, '4-repository-host');
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'needs you' });
  await toast.first().waitFor({ timeout: JOB });
  await connectionItem(page).filter({ hasText: 'log in' }).waitFor({ timeout: SHORT });
  await shot(page, '4-login-required');
  await toast.first().getByRole('button', { name: 'Log In' }).click();
  // The terminal runs the ssh command; ssh asks for the passphrase.
  const terminal = page.locator('.terminal-wrapper.active .xterm-rows');
  await terminal.filter({ hasText: /passphrase/i }).waitFor({ timeout: SHORT });
  await shot(page, '4-terminal');
  // The ssh command is shown once (it was twice when typed into a starting shell);
  // rows are joined, as a long command wraps.
  const shown = (await terminal.innerText()).replace(/\n/g, '').split('ControlPersist=yes').length - 1;
  if (shown !== 1) {
    throw new Error(`the login terminal shows the ssh command ${shown} times:\n${await terminal.innerText()}`);
  }
  await page.locator('.terminal-wrapper.active .xterm').click();
  await page.keyboard.type('secret passphrase');
  await page.keyboard.press('Enter');
  // The extension waits for the connection and the status bar says it is up.
  await connectionItem(page).filter({ hasText: /testcluster-2fa$/ }).waitFor({ timeout: JOB });
  await shot(page, '4-logged-in');

  // The answer is remembered (per folder and host): a reload of that window connects
  // without asking. The dialog would come before the server starts, and so before the
  // status bar could name the host at all.
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await jobsIcon.waitFor({ timeout: 60_000 });
  await jobsIcon.click();
  const named = connectionItem(page).filter({ hasText: /testcluster-2fa/ });
  await named.or(dialog).first().waitFor({ timeout: JOB });
  if (await dialog.isVisible()) {
    await shot(page, '4-asked-again');
    throw new Error('the repository host was asked about again after the answer');
  }
  step(`after a reload, not asked again: ${await named.innerText()}`);
}

/** Hover `target` (again, every 5 s) until its hover shows `text`, within `timeout`; returns the hover's text. */
async function hoverUntil(page, target, text, timeout) {
  const hover = page.locator('.workbench-hover, .monaco-hover', { hasText: text }).first();
  const deadline = Date.now() + timeout;
  for (;;) {
    await target.hover();
    try {
      await hover.waitFor({ timeout: 5_000 });
      return await hover.innerText();
    } catch (e) {
      if (Date.now() > deadline) {
        throw e;
      }
      await page.mouse.move(0, 0);
    }
  }
}

async function scenario20(page) {
  step('scenario 20: a notification says when a job starts running, with its node');
  await runFromExplorer(page, 'started.py');
  // Sent by the server from the tracker's PENDING -> RUNNING transition.
  const started = toast(page, /Job \d+ \(started\.py\) is running on node\d+\./);
  await started.waitFor({ timeout: JOB });
  step(`start notification: ${(await started.innerText()).split('\n').find((l) => l.includes('is running'))}`);
  await shot(page, '20-started');
  await started.getByRole('button', { name: 'Open Log' }).waitFor({ timeout: SHORT });
  // The job's end is told too; nothing is left running.
  await statusItem(page).filter({ hasText: /started\.py COMPLETED/ }).waitFor({ timeout: JOB });
  // Its row's tooltip asks the cluster, on hover, how it went (sacct).
  await palette(page, 'clusterls: Show Jobs');
  const row = jobsContainer(page).locator('.monaco-list-row', { hasText: 'started.py' }).first();
  await row.waitFor({ timeout: SHORT });
  // Accounting may lag behind the end by a moment: hovered again until it answers.
  const tip = await hoverUntil(page, row, 'How it went', JOB);
  step(`tooltip: ${tip.replace(/\n/g, ' | ')}`);
  if (!/time: 0:00:\d\d of 0:10:00/.test(tip) || !/gpus: 1 asked for/.test(tip)) {
    throw new Error(`the tooltip lacks the efficiency lines:\n${tip}`);
  }
  await shot(page, '20-how-it-went');
}

async function scenario21(page) {
  step('scenario 21: a session\'s time left in the status bar; Extend refused in Slurm\'s words');
  // An earlier scenario's "allocation N is ready" toast must not be taken for this one's.
  await palette(page, 'Notifications: Clear All Notifications');
  await palette(page, 'clusterls: Allocate GPU Session');
  const ready = toast(page, /allocation \d+ is ready/);
  await ready.waitFor({ timeout: JOB });
  const id = /allocation (\d+) is ready/.exec(await ready.innerText())[1];
  // The countdown, from Slurm's time left (asked once, then counted here).
  const time = page.locator('[id="clusterls.clusterls.sessionTime"]');
  await time.filter({ hasText: new RegExp(`${id}: \\d+:\\d\\d left`) }).waitFor({ timeout: SHORT });
  step(`status bar: ${await time.innerText()}`);
  await shot(page, '21-time-left');
  // Click: Extend. A regular user may not raise a limit; Slurm says so, in its words.
  await time.click();
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: SHORT });
  await input.press('Enter'); // the proposed 30 minutes
  const refused = toast(page, `Access/permission denied for job ${id}`);
  await refused.waitFor({ timeout: SHORT });
  step(`refusal: ${(await refused.innerText()).split('\n').find((l) => l.includes('denied'))}`);
  await shot(page, '21-extend-refused');
  // Release it: the countdown goes.
  await palette(page, 'clusterls: Cancel Job');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: `allocation ${id}` }).first();
  await row.waitFor({ timeout: SHORT });
  await row.click();
  await time.waitFor({ state: 'hidden', timeout: JOB });
}

async function scenario22(page) {
  step('scenario 22: Open VS Code on This Allocation: the Host entry, the Include line asked for, gone with the allocation');
  // An earlier scenario's "allocation N is ready" toast must not be taken for this one's.
  await palette(page, 'Notifications: Clear All Notifications');
  await palette(page, 'clusterls: Allocate GPU Session');
  const ready = toast(page, /allocation \d+ is ready/);
  await ready.waitFor({ timeout: JOB });
  const id = /allocation (\d+) is ready/.exec(await ready.innerText())[1];
  await palette(page, 'clusterls: Open VS Code on This Allocation');
  const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: `allocation ${id}` }).first();
  // clusterls never edits the user's ssh config unasked: a modal asks to add the Include line.
  // (One live allocation is taken without asking; several are picked from a list first.)
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Include' });
  await pick.or(dialog).first().waitFor({ timeout: SHORT });
  if (await pick.isVisible()) {
    await pick.click();
  }
  await dialog.waitFor({ timeout: SHORT });
  await shot(page, '22-include-asked');
  await dialog.getByRole('button', { name: 'Add Line', exact: true }).click();
  // code-server has no Remote-SSH: said so, with what to do.
  await toast(page, 'Remote-SSH extension is not installed').waitFor({ timeout: SHORT });
  await shot(page, '22-no-remote-ssh');
  const home = path.join(work, 'home');
  const config = fs.readFileSync(path.join(home, '.ssh', 'config'), 'utf8');
  const dir = path.join(home, '.ssh', 'clusterls');
  if (!config.includes(`Include ${dir}/*.conf`)) {
    throw new Error(`the ssh config lacks the Include line:\n${config}`);
  }
  const entry = path.join(dir, `clusterls-testcluster-${id}.conf`);
  const text = fs.readFileSync(entry, 'utf8');
  if (!/HostName node\d+/.test(text) || !text.includes('ProxyCommand ssh -F ')) {
    throw new Error(`the Host entry is not what Remote-SSH needs:\n${text}`);
  }
  step(`host entry: ${text.split('\n').filter((l) => l.startsWith('  ')).join(' |')}`);
  // Released: the server sees it end and removes the entry.
  await palette(page, 'clusterls: Cancel Job');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: `allocation ${id}` }).first();
  await row.waitFor({ timeout: SHORT });
  await row.click();
  const deadline = Date.now() + JOB;
  while (fs.existsSync(entry)) {
    if (Date.now() > deadline) {
      throw new Error(`${entry} is still there after the allocation ended`);
    }
    await page.waitForTimeout(500);
  }
}

// --- Scenarios 9-13: sbatch scripts submitted as written, images built from Dockerfiles ---

const BUILD = 180_000; // an image build in an allocation (about 10 s here)

/** A file's row in a folder of the Explorer, the folder expanded first. */
async function explorerChild(page, folder, name) {
  const dir = await explorerItem(page, folder);
  if ((await dir.getAttribute('aria-expanded')) !== 'true') {
    await dir.click();
  }
  const item = page.getByRole('treeitem', { name, exact: true }).first();
  await item.waitFor({ timeout: SHORT });
  return item;
}

/** Right-click `item` and pick `entry` from its context menu. */
async function contextMenu(page, item, entry) {
  await item.click({ button: 'right' });
  await chooseMenuItem(page, entry);
}

/**
 * Record every text the notification toasts show from now on (a progress notification
 * replaces its message in place); returns a function that gives what was seen.
 */
async function recordToasts(page) {
  await page.evaluate(() => {
    const seen = (window.__clusterlsToasts = []);
    const note = () => {
      for (const el of document.querySelectorAll('.notifications-toasts .notification-list-item')) {
        const t = el.textContent ?? '';
        if (t && seen[seen.length - 1] !== t && !seen.includes(t)) {
          seen.push(t);
        }
      }
    };
    window.__clusterlsToastObserver?.disconnect();
    window.__clusterlsToastObserver = new MutationObserver(note);
    window.__clusterlsToastObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => window.__clusterlsToasts ?? []);
}

/** Open the log of the job whose end toast matches `ended`; returns the log's text. */
async function openLogFromToast(page, ended, tabPrefix, wantLine) {
  const t = page.locator('.notifications-toasts .notification-list-item', { hasText: ended }).first();
  await t.waitFor({ timeout: SHORT });
  await t.getByRole('button', { name: 'Open Log' }).click();
  await page.locator(`.tabs-container .tab[aria-label^="${tabPrefix}"]`).first().waitFor({ timeout: SHORT });
  const log = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await log.filter({ hasText: wantLine }).waitFor({ timeout: SHORT });
  return editorText(page);
}

function expectAll(text, wants, what) {
  for (const want of wants) {
    if (typeof want === 'string' ? !text.includes(want) : !want.test(text)) {
      throw new Error(`${what} lacks "${want}":\n${text}`);
    }
  }
}

async function scenario9(page) {
  step('scenario 9: Submit to cluster, an sbatch script as written');
  await contextMenu(page, await explorerItem(page, 'submit.sbatch'), 'Submit to cluster');
  // The record is named by the script's own --job-name.
  const status = statusItem(page);
  await status.filter({ hasText: /e2e-submit (PENDING|RUNNING|COMPLETED)/ }).waitFor({ timeout: JOB });
  step(`status bar: ${await status.innerText()}`);
  await status.filter({ hasText: /e2e-submit COMPLETED/ }).waitFor({ timeout: JOB });
  await shot(page, '9-completed');
  // Its log is the file its --output pattern named (logs/%x-%j.out).
  const text = await openLogFromToast(page, /e2e-submit\) COMPLETED/, 'e2e-submit #', 'submit.sbatch done');
  expectAll(text, [/submitted as written, job \d+ \(e2e-submit\) on partition cpu/, /step on node\d+/, 'submit.sbatch done'], "the submitted script's log");
  await shot(page, '9-log');
}

async function scenario10(page) {
  step('scenario 10: Submit to cluster refuses a script with an error finding');
  const before = await statusItem(page).innerText().catch(() => '');
  await contextMenu(page, await explorerItem(page, 'wrongpart.sbatch'), 'Submit to cluster');
  const refusal = page.locator('.notifications-toasts .notification-list-item', { hasText: 'no partition `gpux`' }).first();
  await refusal.waitFor({ timeout: JOB });
  const text = (await refusal.innerText()).replace(/\s+/g, ' ');
  step(`refusal: ${text}`);
  expectAll(text, ['wrongpart.sbatch:3', 'sbatch/unknown-partition', 'Did you mean `gpu`', 'nothing was uploaded'], 'the refusal');
  await shot(page, '10-refused');
  // Nothing was submitted: no job of that script appeared.
  const after = await statusItem(page).innerText().catch(() => '');
  if (/wrongpart/.test(after) || after !== before) {
    throw new Error(`a job appeared for the refused script: "${before}" -> "${after}"`);
  }
}

async function scenario11(page) {
  step('scenario 11: Build on cluster, then Run on cluster GPU in that image');
  const seen = await recordToasts(page);
  await contextMenu(page, await explorerChild(page, 'image', 'Dockerfile'), 'Build on cluster');
  const progress = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Building Dockerfile on the cluster' }).first();
  await progress.waitFor({ timeout: SHORT });
  await shot(page, '11-build-progress');
  const done = page.locator('.notifications-toasts .notification-list-item', { hasText: /built Dockerfile on the cluster|Dockerfile is built already/ }).first();
  const t0 = Date.now();
  await done.waitFor({ timeout: BUILD });
  step(`build done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(await done.innerText()).replace(/\s+/g, ' ')}`);
  const messages = (await seen()).filter((m) => m.includes('Building Dockerfile'));
  step(`progress showed ${messages.length} messages, e.g. ${JSON.stringify(messages.slice(-3))}`);
  // The steps streamed into the notification (tests/e2e/run removed earlier images, so it builds).
  // (The observer sees what the page showed; a fast step may be replaced before it looks.)
  if (!messages.some((m) => m.includes('building in an allocation')) || !messages.some((m) => /: \d+\. (FROM|ENV|RUN) /.test(m))) {
    throw new Error(`the build's steps did not show in its progress: ${JSON.stringify(messages)}`);
  }
  await shot(page, '11-built');
  // Its folder's clusterls.toml names the Dockerfile: the run uses that image.
  await runFromExplorer(page, 'showenv.py');
  const status = statusItem(page);
  await status.filter({ hasText: /showenv\.py COMPLETED/ }).waitFor({ timeout: JOB });
  const text = await openLogFromToast(page, /showenv\.py\) COMPLETED/, 'showenv.py #', 'E2E_GREETING=');
  expectAll(text, ['E2E_GREETING=hello from the Dockerfile', 'built.txt: written by RUN at build time'], "the run's log");
  await shot(page, '11-run-log');
}

async function scenario12(page) {
  step('scenario 12: a failed build puts a diagnostic on the failing line');
  await contextMenu(page, await explorerChild(page, 'broken', 'fails.Dockerfile'), 'Build on cluster');
  const failed = page.locator('.notifications-toasts .notification-list-item', { hasText: 'build failed at' }).first();
  await failed.waitFor({ timeout: BUILD });
  const text = (await failed.innerText()).replace(/\s+/g, ' ');
  step(`error: ${text.slice(0, 200)}`);
  expectAll(text, ['fails.Dockerfile:6'], 'the build error');
  await shot(page, '12-build-failed');
  await openFile(page, 'fails.Dockerfile');
  await page.locator('.editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ timeout: SHORT });
  // The status bar's problems item toggles the panel: open it only when it is not shown.
  if (!(await page.locator('.markers-panel').first().isVisible())) {
    await page.locator('#status\\.problems').click();
  }
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'failed at this instruction' }).first();
  await row.waitFor({ timeout: SHORT });
  const where = await row.innerText();
  step(`problem: ${where.replace(/\s+/g, ' ')}`);
  if (!/Ln 6\b/.test(where)) {
    throw new Error(`the diagnostic is not on line 6 (the failing RUN): ${where}`);
  }
  await shot(page, '12-diagnostic');
}

/** `squeue --me` lines of the jobs named `name`, through the user's ssh config. */
async function squeueByName(name) {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ssh', ['-F', path.join(work, 'ssh_config'), '-o', 'BatchMode=yes', 'testcluster', 'squeue', '--me', '-h', `--name=${name}`, '--format=%i:%T'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return out.trim();
}

async function scenario13(page) {
  step("scenario 13: a build stopped from its progress notification's Cancel");
  await contextMenu(page, await explorerChild(page, 'slow', 'slow.Dockerfile'), 'Build on cluster');
  const progress = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Building slow.Dockerfile' }).first();
  // Stopped once the build runs its slow step in the allocation (the steps stream).
  await progress.filter({ hasText: 'sleeping in the build' }).waitFor({ timeout: BUILD });
  await shot(page, '13-building');
  await progress.getByRole('button', { name: 'Cancel' }).click();
  const stopped = page.locator('.notifications-toasts .notification-list-item', { hasText: 'build of slow.Dockerfile was stopped' }).first();
  await stopped.waitFor({ timeout: SHORT });
  const text = (await stopped.innerText()).replace(/\s+/g, ' ');
  step(`stopped: ${text}`);
  const name = /allocation (clusterls-build-[0-9a-f]{16}) cancelled/.exec(text)?.[1];
  if (!name) {
    throw new Error(`the stop does not name the cancelled allocation: ${text}`);
  }
  // The allocation leaves Slurm's queue.
  const deadline = Date.now() + 60_000;
  let left = await squeueByName(name);
  while (left !== '' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000)); // polling squeue, until the deadline
    left = await squeueByName(name);
  }
  if (left !== '') {
    throw new Error(`the build's allocation ${name} is still in the queue a minute after Cancel: ${left}`);
  }
  await shot(page, '13-stopped');
}

// --- Scenario 23: Slurm's controller stops answering, then answers again ---

/** The cluster's state directory (tests/cluster/up records its daemons' pids there). */
const clusterDir = process.env.E2E_CLUSTER_DIR || '/var/tmp/clusterls-cluster';
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** How long one poll may take to see the outage: up to 15 s between polls, ~18 s for squeue to give up. */
const OUTAGE = 90_000;

/** Whether `pid` runs (a zombie, exited but not yet reaped, does not). */
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(') ') + 2));
  } catch {
    return false;
  }
}

/** Wait for `cond()`, checking every 100 ms, at most `timeout` ms; false when it never held. */
async function until(cond, timeout) {
  const deadline = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Stop the daemon tests/cluster/up recorded as pids/NAME.pid (SIGTERM, SIGKILL after 30 s),
 * as tests/cluster/down does: only when that pid still runs `exe`.
 */
async function stopDaemon(name, exe) {
  const pid = Number(fs.readFileSync(path.join(clusterDir, 'pids', `${name}.pid`), 'utf8').trim());
  const running = alive(pid) ? fs.readlinkSync(`/proc/${pid}/exe`) : undefined;
  if (running !== fs.realpathSync(exe)) {
    throw new Error(`${name} is not running as pid ${pid} (${running ?? 'no such process'}): is the cluster up?`);
  }
  process.kill(pid, 'SIGTERM');
  if (!(await until(() => !alive(pid), 30_000))) {
    process.kill(pid, 'SIGKILL');
    if (!(await until(() => !alive(pid), 10_000))) {
      throw new Error(`${name} (pid ${pid}) does not exit`);
    }
  }
  step(`stopped ${name} (pid ${pid})`);
}

/** Start what is not running of the cluster: tests/cluster/up (it waits until each daemon answers). */
async function clusterUp() {
  const { execFile } = await import('node:child_process');
  const t0 = Date.now();
  await new Promise((resolve, reject) =>
    execFile(path.join(repo, 'tests/cluster/up'), { timeout: 180_000, maxBuffer: 16 << 20 }, (e, _out, err) =>
      e ? reject(new Error(`tests/cluster/up failed: ${e.message}\n${err}`)) : resolve(),
    ),
  );
  step(`tests/cluster/up started what was missing in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function scenario23(page) {
  step("scenario 23: Slurm's controller stops answering: the status bar and the Jobs view say so, then clear");
  await runFromExplorer(page, 'long.py');
  await statusItem(page).filter({ hasText: /long\.py RUNNING/ }).waitFor({ timeout: JOB });
  const conn = connectionItem(page);
  await conn.filter({ hasText: /testcluster$/ }).waitFor({ timeout: SHORT });
  await palette(page, 'clusterls: Show Jobs');
  const long = jobsContainer(page).locator('.monaco-list-row', { hasText: 'long.py' });
  const message = jobsContainer(page).locator('.tree-explorer-viewlet-tree-view .message', {
    hasText: /Slurm's controller on testcluster does not answer \(since \d\d:\d\d\): states as last seen\./,
  });
  const outage = conn.filter({ hasText: 'testcluster: Slurm not answering' });
  await stopDaemon('slurmctld', '/usr/sbin/slurmctld');
  try {
    const t0 = Date.now();
    await outage.waitFor({ timeout: OUTAGE });
    step(`status bar after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${await conn.innerText()}`);
    await message.waitFor({ timeout: SHORT });
    step(`jobs view: ${await message.innerText()}`);
    // The job keeps its last state: an outage is no end.
    await long.filter({ hasText: 'RUNNING' }).first().waitFor({ timeout: SHORT });
    await shot(page, '23-controller-down');
    // The tooltip has Slurm's words and what the outage means.
    const tip = await hoverUntil(page, conn, 'has not answered since', SHORT);
    step(`tooltip: ${tip.replace(/\n/g, ' | ')}`);
    expectAll(tip, [/on testcluster has not answered since \d\d:\d\d: ".+"/, 'job states stay as last seen', "ask the cluster's admins"], 'the tooltip');
    await page.mouse.move(0, 0);
  } finally {
    await clusterUp();
  }
  const t1 = Date.now();
  await conn.filter({ hasText: /testcluster$/ }).waitFor({ timeout: JOB });
  step(`status bar ${((Date.now() - t1) / 1000).toFixed(1)} s after the controller was back: ${await conn.innerText()}`);
  await message.waitFor({ state: 'hidden', timeout: SHORT });
  await shot(page, '23-controller-back');
  await long.filter({ hasText: 'RUNNING' }).first().waitFor({ timeout: SHORT });
  await palette(page, 'clusterls: Cancel Job');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'long.py' }).first();
  await row.waitFor({ timeout: SHORT });
  await row.click();
  await statusItem(page).filter({ hasText: /long\.py CANCELLED/ }).waitFor({ timeout: JOB });
}

const browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(work, 'chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = browser.pages()[0] ?? (await browser.newPage());
let failed = false;
try {
  await page.goto(`${url}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The extension's view container is in the activity bar.
  await page.locator('.activitybar .action-label[aria-label^="Cluster Jobs"]').waitFor({ timeout: 60_000 });
  const scenarios = [
    ['1', scenario1],
    ['8', scenario8],
    ['7', scenario7],
    ['2', scenario2],
    ['3', scenario3],
    ['5', scenario5],
    ['6', scenario6],
    ['9', scenario9],
    ['10', scenario10],
    ['11', scenario11],
    ['12', scenario12],
    ['13', scenario13],
    ['14', scenario14],
    ['20', scenario20],
    ['21', scenario21],
    ['22', scenario22],
    ['23', scenario23],
    // Last: it logs in through another workspace's window.
    ['4', scenario4],
    ['clean', scenarioClean],
    ['local', scenarioLocal],
  ];
  // `clean` and `local` run in code-servers of their own (tests/e2e/run's phases).
  const phases = ['clean', 'local'];
  for (const [n, f] of scenarios) {
    if (only ? only.has(n) : !phases.includes(n)) {
      const t0 = Date.now();
      await f(page);
      step(`scenario ${n} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
} catch (e) {
  failed = true;
  console.error(`e2e: FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  await shot(page, 'failure').catch(() => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
