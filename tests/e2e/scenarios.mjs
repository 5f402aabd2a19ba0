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
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: SHORT });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: SHORT });
  await input.press('Enter');
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
  await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'starting' }).first().waitFor({ timeout: SHORT });
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
  await page.locator('[id="clusterls.clusterls.connection"]').filter({ hasText: /testcluster$/ }).waitFor({ timeout: SHORT });
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
  await page.locator('[id="clusterls.clusterls.connection"]', { hasText: 'log in' }).waitFor({ timeout: SHORT });
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
  await page
    .locator('[id="clusterls.clusterls.connection"]')
    .filter({ hasText: /testcluster-2fa$/ })
    .waitFor({ timeout: JOB });
  await shot(page, '4-logged-in');
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
    ['4', scenario4],
    ['clean', scenarioClean],
    ['local', scenarioLocal],
  ];
  // `clean` and `local` run in code-servers of their own (tests/e2e/run's phases).
  const phases = ['clean', 'local'];
  for (const [n, f] of scenarios) {
    if (only ? only.has(n) : !phases.includes(n)) {
      await f(page);
      step(`scenario ${n} passed`);
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
