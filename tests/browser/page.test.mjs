// The operator's page in a real browser (issue 13): Debian's chromium driven by playwright-core,
// axe-core for accessibility. Starts its own server (fresh data dir, free port), then walks the
// flows an operator uses. Screenshots (light and dark) go to --out.
// Usage: node page.test.mjs --binary build/opsflow --out build/browser-screenshots
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BINARY = arg('--binary');
const SEED = arg('--seed');  // bench's opsflow_list1m_seed: the list of 100,000 jobs
const CORPUS = arg('--corpus', join(HERE, '..', '..', '..', 'shared', 'corpus'));
const OUT = arg('--out', join(tmpdir(), 'opsflow-screens'));
const ADMIN = { username: 'admin', password: 'adminpass1' };
const failures = [];
const passed = [];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startServer(reuseDir) {
  const port = await freePort();
  const dir = reuseDir || mkdtempSync(join(tmpdir(), 'opsflow-browser-'));
  const proc = spawn(BINARY, ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(dir, 'data')], {
    env: { ...process.env, OPSFLOW_ADMIN_USER: ADMIN.username, OPSFLOW_ADMIN_PASSWORD: ADMIN.password },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(url + '/health/server')).ok) break; } catch { /* not up yet */ }
    if (i > 600) throw new Error('the server did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, proc, dir };
}

async function call(srv, token, method, path, body) {
  const r = await fetch(srv.url + path, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
  try { return JSON.parse(text); } catch { return text; }
}

async function login(srv, username, password) {
  const r = await fetch(srv.url + '/login', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: { username, password } }) });
  if (!r.ok) throw new Error('login ' + username);
  return (await r.text()).trim();
}

const task = (name, incoming, extra = {}) => ({ name, app: 'WorkFlowEngine', location: 'Application',
  type: 'automatic', groups: [], variables: { incoming, outgoing: {}, error: '', decorators: [] }, ...extra });
function workflow(name, tasks, chain, fields = {}) {
  const all = { workflow_start: { name: 'workflow_start', groups: [] }, workflow_end: { name: 'workflow_end', groups: [] }, ...tasks };
  const ids = ['workflow_start', ...chain, 'workflow_end'];
  const transitions = Object.fromEntries(Object.keys(all).map((k) => [k, {}]));
  for (let i = 0; i + 1 < ids.length; i++) transitions[ids[i]][ids[i + 1]] = { type: 'standard', state: 'success' };
  return { name, type: 'automation', canvasVersion: 3, groups: [], tags: [], tasks: all, transitions, ...fields };
}
const manualTask = (groups = []) => task('ViewData', { header: 'h', message: 'Approve?', body: 'b', variables: '',
  btn_success: 'ok', btn_failure: 'no' }, { type: 'manual', summary: 'Approve the change', view: '/workflow_engine/task/ViewData', groups });

// OPSFLOW_BROWSER_ONLY=<regex>: run only the matching steps (and the log in), while working on them.
const ONLY = process.env.OPSFLOW_BROWSER_ONLY ? new RegExp(process.env.OPSFLOW_BROWSER_ONLY) : null;

async function step(name, fn) {
  if (ONLY && name !== 'log in' && !ONLY.test(name)) return;
  try {
    await fn();
    passed.push(name);
    console.log('ok   ' + name);
  } catch (e) {
    failures.push(`${name}: ${e.message.split('\n')[0]}`);
    console.log('FAIL ' + name + ': ' + e.message.split('\n').slice(0, 3).join(' | '));
  }
}

async function axe(page, name) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`axe on ${name}: ` + bad.map((v) => `${v.id} (${v.nodes.length})`).join(', '));
}

async function shoot(page, name) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(OUT, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

// ---- Large jobs stay usable (issue 13) ----

const stubOk = (summary, response = 'ok') => task('stub', { type: 'success', delay: 0, response }, { summary });

// A workflow of `n` tasks in `lanes` parallel chains (no canvas positions: the layered layout).
function wideWorkflow(name, n, lanes) {
  const tasks = {};
  const transitions = { workflow_start: {}, workflow_end: {} };
  for (let i = 0; i < n; i++) {
    const id = `t${String(i).padStart(3, '0')}`;
    tasks[id] = stubOk(`Step ${i + 1} of ${n}`);
    transitions[id] = {};
  }
  const ids = Object.keys(tasks);
  const per = Math.ceil(n / lanes);
  for (let l = 0; l < lanes; l++) {
    const lane = ids.slice(l * per, (l + 1) * per);
    if (!lane.length) continue;
    transitions.workflow_start[lane[0]] = { type: 'standard', state: 'success' };
    for (let i = 0; i + 1 < lane.length; i++) transitions[lane[i]][lane[i + 1]] = { type: 'standard', state: 'success' };
    transitions[lane[lane.length - 1]].workflow_end = { type: 'standard', state: 'success' };
  }
  return { name, type: 'automation', canvasVersion: 3, groups: [], tags: [],
    tasks: { workflow_start: { name: 'workflow_start', groups: [] }, workflow_end: { name: 'workflow_end', groups: [] }, ...tasks }, transitions };
}

async function waitJob(srv, token, id, want = ['complete'], ms = 60000) {
  const until = Date.now() + ms;
  for (;;) {
    const j = (await call(srv, token, 'GET', `/operations-manager/jobs/${id}`)).data;
    if (want.includes(j.status)) return j;
    if (Date.now() > until) throw new Error(`job ${id} is ${j.status}, not ${want.join('/')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The graph's node boxes (SVG user units) and its viewBox, read in the page.
const graphBoxes = (page) => page.evaluate(() => {
  const svg = document.querySelector('.graph svg');
  const vb = svg.getAttribute('viewBox').split(' ').map(Number);
  const boxes = [...svg.querySelectorAll('g.node rect')].map((r) => ({ x: +r.getAttribute('x'), y: +r.getAttribute('y'),
    w: +r.getAttribute('width'), h: +r.getAttribute('height') }));
  return { vb, boxes };
});

function checkLayout({ vb, boxes }, n) {
  if (boxes.length !== n) throw new Error(`${boxes.length} nodes drawn, not ${n}`);
  const [vx, vy, vw, vh] = vb;
  for (const b of boxes) {
    if (b.x < vx || b.y < vy || b.x + b.w > vx + vw || b.y + b.h > vy + vh) throw new Error('a node lies outside the viewBox: ' + JSON.stringify(b));
  }
  const sorted = [...boxes].sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].x < sorted[i].x + sorted[i].w; j++) {
      const a = sorted[i], b = sorted[j];
      if (a.y < b.y + b.h && b.y < a.y + a.h) throw new Error('node boxes overlap: ' + JSON.stringify([a, b]));
    }
  }
}

// Values that satisfy an inputSchema's required properties (by type; the first type of a list).
function sampleOf(schema) {
  const out = {};
  for (const k of schema?.required || []) {
    const p = schema.properties?.[k] || {};
    const t = Array.isArray(p.type) ? p.type[0] : p.type;
    out[k] = p.examples?.[0] ?? ({ string: 'x', integer: 1, number: 1, boolean: false, array: [], object: sampleOf(p) }[t] ?? 'x');
  }
  return out;
}

function largestCorpusWorkflow() {
  let best = null;
  for (const f of readdirSync(CORPUS)) {
    if (!f.endsWith('.json')) continue;
    let d;
    try { d = JSON.parse(readFileSync(join(CORPUS, f), 'utf8')); } catch { continue; }
    for (const w of Array.isArray(d) ? d : [d]) {
      if (w && typeof w.tasks === 'object' && w.tasks && w.transitions && (!best || Object.keys(w.tasks).length > Object.keys(best.tasks).length)) best = w;
    }
  }
  return best;
}

async function largeJobSteps(srv, admin, page, browser) {
  await step('large: a workflow of 300 tasks renders, a task opens', async () => {
    await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: [wideWorkflow('ui-300', 300, 20)] });
    const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-300', options: {} })).data._id;
    await waitJob(srv, admin, job);
    await page.goto(`${srv.url}/#/jobs/${job}`);
    await page.getByRole('heading', { name: /^ui-300/, level: 1 }).waitFor();
    await page.locator('#job-status .badge', { hasText: 'complete' }).waitFor();
    const rows = await page.locator('#task-table tbody tr').count();
    if (rows !== 302) throw new Error(`${rows} task rows, not 302`);
    checkLayout(await graphBoxes(page), 302);
    await page.locator('.graph a', { hasText: 'Step 150 of 300' }).click();
    await page.locator('#task-panel h2', { hasText: 'Step 150 of 300' }).waitFor();
    await page.locator('#task-panel h3', { hasText: 'Run 1' }).waitFor();
    await shoot(page, 'large-300-tasks');
  });

  await step('large: a job with 10,000 child jobs, children paged by the server', async () => {
    const child = workflow('ui-tiny-child', { k1: stubOk('Tiny child step') }, ['k1']);
    const parentWf = workflow('ui-fanout', { c1: task('childJob', { task: '', workflow: 'ui-tiny-child', variables: {},
      data_array: '$var.job.items', transformation: '', loopType: 'parallel' }, { actor: 'job', type: 'operation', summary: 'Run 10,000 children' }) }, ['c1']);
    await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: [child, parentWf] });
    const items = Array.from({ length: 10000 }, (_, i) => ({ n: i }));
    const parent = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-fanout', options: { variables: { items } } })).data._id;
    await waitJob(srv, admin, parent, ['complete'], 120000);
    await page.goto(`${srv.url}/#/jobs/${parent}`);
    await page.locator('#children-pager', { hasText: 'of 10,000 child jobs' }).waitFor();
    const links = await page.locator('#children li').count();
    if (links !== 50) throw new Error(`${links} child rows in the page, not one page of 50`);
    await page.locator('#children-pager').getByRole('link', { name: 'Next children' }).click();
    await page.locator('#children-pager', { hasText: '51–100 of 10,000' }).waitFor();
    await axe(page, 'job with 10,000 children');
    await shoot(page, 'large-10k-children');
    const first = await page.locator('#children a').first().getAttribute('href');
    await page.locator('#children a').first().click();
    await page.waitForURL((u) => u.hash === first);
    await page.getByRole('heading', { name: /ui-tiny-child/, level: 1 }).waitFor();
    await page.locator('#parent-link').click();
    await page.getByRole('heading', { name: /ui-fanout/, level: 1 }).waitFor();
    await page.locator('#task-panel h2', { hasText: 'Run 10,000 children' }).waitFor();
    await page.locator('#children-pager', { hasText: 'of 10,000 child jobs' }).waitFor();
  });

  await step('large: a task with a 5 MB output is shown truncated with a download', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: [
      workflow('ui-big', { b1: stubOk('Make a big value', '$var.job.big') }, ['b1'])] });
    const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-big', options: { variables: { big } } })).data._id;
    await waitJob(srv, admin, job);
    await page.goto(`${srv.url}/#/jobs/${job}/tasks/b1`);
    await page.getByRole('heading', { name: /^ui-big/, level: 1 }).waitFor();
    await page.locator('#task-panel h2', { hasText: 'Make a big value' }).waitFor();
    await page.locator('#task-panel h3', { hasText: 'Run 1' }).waitFor();
    const outgoing = page.locator('#task-panel [data-part="outgoing"]');
    await outgoing.getByText('Shown truncated').waitFor();
    const shown = await outgoing.locator('pre').textContent();
    if (shown.length > 30000) throw new Error(`the page shows ${shown.length} characters of the output`);
    const [dl] = await Promise.all([page.waitForEvent('download'), outgoing.getByRole('link', { name: 'Download the whole value' }).click()]);
    const file = join(OUT, 'large-5mb-output.json');
    await dl.saveAs(file);
    const text = readFileSync(file, 'utf8');
    let value;
    try { value = JSON.parse(text); } catch (e) { throw new Error(`the download (${text.length} bytes) is not JSON: ${e.message}`); }
    if (value.response !== big) throw new Error(`the download holds ${statSync(file).size} bytes (${String(value.response).length} characters of the value), not the whole value`);
    rmSync(file);
    await shoot(page, 'large-5mb-output');
  });

  await step('large: the corpus\'s largest workflow is drawn from its canvas positions, readable', async () => {
    if (!existsSync(CORPUS)) { console.log('     (no corpus at ' + CORPUS + ': skipped)'); return; }
    const wf = largestCorpusWorkflow();
    await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: [wf] });
    const n = Object.keys(wf.tasks).length;
    // Its job may stop on a missing adapter or child workflow: the graph is drawn all the same.
    const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: wf.name, options: { variables: sampleOf(wf.inputSchema) } })).data._id;
    await page.goto(`${srv.url}/#/jobs/${job}`);
    await page.getByRole('heading', { name: wf.name, level: 1 }).waitFor();
    const layout = await graphBoxes(page);
    checkLayout(layout, n);
    // Drawn from the canvas: the boxes keep the editor's left-to-right order of nodeLocation.x.
    const xs = Object.values(wf.tasks).map((t) => t.nodeLocation?.x).filter(Number.isFinite);
    const span = Math.max(...xs) - Math.min(...xs);
    if (!(layout.vb[2] >= span)) throw new Error(`viewBox width ${layout.vb[2]} is not the canvas span ${span}`);
    await axe(page, 'corpus graph');
    await shoot(page, 'large-corpus-graph');
    await page.getByRole('button', { name: 'Fit the graph' }).click();
    const fits = await page.evaluate(() => {
      const box = document.querySelector('.graph');
      return +box.querySelector('svg').getAttribute('width') <= box.clientWidth;
    });
    if (!fits) throw new Error('"Fit the graph" does not fit it in its box');
    await shoot(page, 'large-corpus-graph-fit');
    await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [job] }).catch(() => {});
  });

  await step('large: a list of 100,000 jobs is paged by the server', async () => {
    if (!SEED) { console.log('     (no --seed: skipped)'); return; }
    const second = await startServer();
    let srv2 = second;
    try {
      const tok = await login(srv2, ADMIN.username, ADMIN.password);
      await call(srv2, tok, 'POST', '/automation-studio/automations/import', { automations: [workflow('ui-list', { k1: stubOk('One step') }, ['k1'])] });
      const tmpl = (await call(srv2, tok, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-list', options: {} })).data._id;
      await waitJob(srv2, tok, tmpl);
      srv2.proc.kill('SIGTERM');
      await new Promise((r) => srv2.proc.once('exit', r));
      const seeded = spawnSync(SEED, ['--data', join(second.dir, 'data'), '--template-job', tmpl, '--jobs', '100000', '--spacing-ms', '1000'],
        { encoding: 'utf8' });
      if (seeded.status !== 0) throw new Error('seed: ' + seeded.stderr);
      srv2 = await startServer(second.dir);
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await ctx.newPage();
      await p.goto(srv2.url + '/');
      await p.getByLabel('User name').fill(ADMIN.username);
      await p.getByLabel('Password').fill(ADMIN.password);
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.locator('#jobs-count', { hasText: '1–25 of 100,001 jobs (page 1 of 4,001)' }).waitFor({ timeout: 30000 });
      if ((await p.locator('tbody tr').count()) !== 25) throw new Error('not one page of 25 rows');
      await p.getByRole('link', { name: 'Next page' }).click();
      await p.locator('#jobs-count', { hasText: '26–50 of 100,001 jobs (page 2 of 4,001)' }).waitFor({ timeout: 30000 });
      await axe(p, 'jobs list of 100,000');
      await shoot(p, 'large-100k-jobs');
      await ctx.close();
    } finally {
      srv2.proc.kill('SIGKILL');
      rmSync(second.dir, { recursive: true, force: true });
    }
  });
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const srv = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.OPSFLOW_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const admin = await login(srv, ADMIN.username, ADMIN.password);
    const group = (await call(srv, admin, 'POST', '/authorization/groups', { name: 'approvers' }))._id;
    await call(srv, admin, 'POST', '/authorization/accounts', { username: 'ann', password: 'ann-pass-1', groups: [group] });
    await call(srv, admin, 'POST', '/authorization/accounts', { username: 'bob', password: 'bob-pass-1', groups: [] });
    const delayFixture = JSON.parse(readFileSync(join(HERE, '..', 'fixtures', 'itest-delay.json'), 'utf8'));
    const docs = [delayFixture,
      workflow('ui-manual', { m001: manualTask() }, ['m001']),
      workflow('ui-wait', { d001: task('delay', { time: 600 }, { summary: 'Wait for the window', type: 'operation' }) }, ['d001']),
      workflow('ui-fail', { s1: task('stub', { type: 'error', delay: 0, response: 'the device refused' }, { summary: 'Configure device' }) }, ['s1']),
      workflow('ui-parent', { c1: task('childJob', { task: '', workflow: 'ui-manual', variables: {}, data_array: '', transformation: '', loopType: '' },
        { actor: 'job', type: 'operation', summary: 'Run approval' }) }, ['c1'])];
    await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: docs });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));

    await step('log in', async () => {
      await page.goto(srv.url + '/');
      await page.getByLabel('User name').fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await axe(page, 'login');
      await shoot(page, 'login');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      await page.locator('#live.on').waitFor();
    });

    await step('start a job from its generated form and watch it finish live', async () => {
      await page.goto(srv.url + '/#/start?workflow=itest-delay');
      await page.getByLabel(/^tag/).fill('ui');
      await axe(page, 'start');
      await shoot(page, 'start');
      await page.evaluate(() => { window.__noReload = true; });
      await page.getByRole('button', { name: 'Start job' }).click();
      await page.locator('#job-status .badge', { hasText: 'complete' }).waitFor({ timeout: 20000 });
      if (!(await page.evaluate(() => window.__noReload))) throw new Error('the page reloaded');
      await page.locator('#task-table').getByText('b004').waitFor();
      await axe(page, 'job');
      await shoot(page, 'job');
    });

    await step("open a failed task's error", async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-fail', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${job}/tasks/s1`);
      await page.locator('#task-panel .banner.error').waitFor({ timeout: 20000 });
      await page.locator('#job-status .badge', { hasText: 'error' }).waitFor();
      await axe(page, 'task panel');
      await shoot(page, 'task-error');
    });

    let manualJob;
    await step('the waiting explanation for a manual task; pause and resume from the page', async () => {
      manualJob = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-manual', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${manualJob}`);
      await page.locator('#why li[data-kind="manual"]', { hasText: 'not claimed since' }).waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('#job-status .badge', { hasText: 'paused' }).waitFor();
      await page.locator('#why li[data-kind="paused"]', { hasText: 'the job is paused by admin since' }).waitFor();
      await shoot(page, 'waiting-paused');
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('#job-status .badge', { hasText: 'running' }).waitFor();
    });

    await step('claim and finish a manual task from the work queue', async () => {
      // After a resume the task is offered again once that is durable: read the queue until then.
      const item = page.locator('li.panel', { hasText: manualJob });
      for (let i = 0; i < 100; i++) {
        await page.goto(`${srv.url}/#/jobs`);
        await page.goto(`${srv.url}/#/queue?show=all`);
        await page.getByRole('heading', { name: 'Work queue' }).waitFor();
        if (await item.count()) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await item.getByRole('button', { name: /^Claim task/ }).click();
      await page.locator('li.panel', { hasText: manualJob }).getByText('claimed by admin').waitFor();
      await axe(page, 'queue');
      await shoot(page, 'queue');
      await page.locator('li.panel', { hasText: manualJob }).getByRole('button', { name: 'Finish: success' }).click();
      await page.goto(`${srv.url}/#/jobs/${manualJob}`);
      await page.locator('#job-status .badge', { hasText: 'complete' }).waitFor({ timeout: 20000 });
    });

    await step('assign a manual task to another user from the work queue', async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-manual', options: {} })).data._id;
      const item = page.locator('li.panel', { hasText: job });
      for (let i = 0; i < 100; i++) {
        await page.goto(`${srv.url}/#/jobs`);
        await page.goto(`${srv.url}/#/queue?show=all`);
        await page.getByRole('heading', { name: 'Work queue' }).waitFor();
        if (await item.count()) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await item.getByLabel(/^Assign task/).fill('ann');
      await item.getByRole('button', { name: 'Assign' }).click();
      await page.locator('li.panel', { hasText: job }).getByText('claimed by ann').waitFor();
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [job] });
    });

    await step('continue a failed job from its task', async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-fail', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${job}/tasks/s1`);
      await page.locator('#job-status .badge', { hasText: 'error' }).waitFor({ timeout: 20000 });
      await page.getByRole('button', { name: 'Continue from this task' }).click();
      await page.locator('#task-panel h3', { hasText: 'Run 2' }).waitFor({ timeout: 20000 });
    });

    await step('revert from a paused job shows the server\'s answer', async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-manual', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${job}`);
      await page.locator('#why li[data-kind="manual"]').waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('#job-status .badge', { hasText: 'paused' }).waitFor();
      await page.goto(`${srv.url}/#/jobs/${job}/tasks/m001`);
      await page.getByLabel('Revert to').selectOption('workflow_start');
      await axe(page, 'revert');
      // The refusal (409) is expected here: the browser logs the failed request, which is not a
      // page error.
      const before = consoleErrors.length;
      await page.getByRole('button', { name: 'Revert' }).click();
      await page.locator('#continue-revert-result', { hasText: 'running task' }).waitFor();
      consoleErrors.push(...consoleErrors.splice(before).filter((e) => !/status of 409/.test(e)));
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [job] });
    });

    await step('cancel from the page', async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-manual', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${job}`);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.locator('#job-status .badge', { hasText: 'canceled' }).waitFor();
    });

    await step('the waiting explanation for a delay', async () => {
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-wait', options: {} })).data._id;
      for (let i = 0; i < 200; i++) {
        const w = await call(srv, admin, 'GET', `/operations-manager/jobs/${job}/waiting`);
        if (w.data.reasons.some((r) => r.kind === 'delay')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.goto(`${srv.url}/#/jobs/${job}`);
      await page.locator('#why li[data-kind="delay"]', { hasText: 'is a delay until' }).waitFor();
      await shoot(page, 'waiting-delay');
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [job] });
    });

    await step('the waiting explanation for an adapter task: its worker lease', async () => {
      const doc = JSON.parse(readFileSync(join(HERE, '..', '..', 'examples', 'Example - Adapter Worker.json'), 'utf8'));
      await call(srv, admin, 'POST', '/automation-studio/automations/import', { automations: [doc] });
      const job = (await call(srv, admin, 'POST', '/operations-manager/jobs/start',
        { workflow: doc.name, options: { variables: { message: 'hi' } } })).data._id;
      for (let i = 0; i < 200; i++) {
        const w = await call(srv, admin, 'GET', `/operations-manager/jobs/${job}/waiting`);
        if (w.data.reasons.some((r) => r.kind === 'adapter')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.goto(`${srv.url}/#/jobs/${job}`);
      await page.locator('#why li[data-kind="adapter"]', { hasText: 'not leased yet' }).waitFor();
      const leased = await call(srv, admin, 'POST', '/adapter-workers/poll', { worker: 'worker-9', apps: ['Echo'], lease_ms: 600000, max_tasks: 1 });
      if (leased.data?.length !== 1) throw new Error('poll: ' + JSON.stringify(leased));
      await page.goto(`${srv.url}/#/jobs`);
      await page.goto(`${srv.url}/#/jobs/${job}`);
      await page.locator('#why li[data-kind="adapter"]', { hasText: 'leased by worker worker-9 until' }).waitFor();
      await shoot(page, 'waiting-adapter-lease');
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [job] });
    });

    await step('follow a parent to its child and back', async () => {
      const parent = (await call(srv, admin, 'POST', '/operations-manager/jobs/start', { workflow: 'ui-parent', options: {} })).data._id;
      await page.goto(`${srv.url}/#/jobs/${parent}`);
      await page.locator('#why li[data-kind="childJobs"]').waitFor({ timeout: 20000 });
      await page.locator('#children a').first().click();
      await page.locator('#parent-link').click();
      await page.getByRole('heading', { name: /ui-parent/, level: 1 }).waitFor();
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [parent] });
    });

    await step('run a manual trigger', async () => {
      const auto = await call(srv, admin, 'POST', '/operations-manager/automations',
        { name: 'Delay by hand', description: 'runs itest-delay', componentType: 'workflows', componentId: 'itest-delay' });
      const autoId = auto.data?._id || auto._id;
      await call(srv, admin, 'POST', '/operations-manager/triggers', { name: 'by hand', type: 'manual', actionType: 'automations',
        actionId: autoId, enabled: true, legacyWrapper: false, formData: { tag: 'x' } });
      await page.goto(`${srv.url}/#/automations`);
      await page.getByRole('heading', { name: 'Delay by hand' }).waitFor();
      const form = page.getByRole('form', { name: 'Run trigger by hand' });
      await form.getByLabel(/^Form data for by hand/).fill('{"tag": "trig"}');
      await axe(page, 'automations');
      await shoot(page, 'automations');
      await form.getByRole('button', { name: 'Run by hand' }).click();
      await form.getByText('Started job').waitFor();
    });

    await step('the jobs list: filters in the URL, axe', async () => {
      await page.goto(`${srv.url}/#/jobs?status=complete`);
      await page.locator('tbody tr').first().waitFor();
      const statuses = await page.locator('tbody tr .badge').allTextContents();
      if (!statuses.every((s) => s === 'complete')) throw new Error('filter: ' + statuses.join(','));
      await axe(page, 'jobs');
      await shoot(page, 'jobs');
    });

    await step('a user outside a job\'s groups cannot see it', async () => {
      const hidden = (await call(srv, admin, 'POST', '/operations-manager/jobs/start',
        { workflow: 'ui-manual', options: { groups: [group] } })).data._id;
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      const errs = [];
      p.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errs.push(m.text()); });
      await p.goto(srv.url + '/');
      await p.getByLabel('User name').fill('bob');
      await p.getByLabel('Password').fill('bob-pass-1');
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      if (await p.getByText(hidden).count()) throw new Error('bob sees the job in the list');
      await p.goto(`${srv.url}/#/jobs/${hidden}`);
      await p.getByRole('alert').getByText('not found').waitFor();
      await p.getByRole('button', { name: 'Log out' }).click();
      await p.getByRole('heading', { name: 'Log in to opsflow' }).waitFor();
      if (errs.length) throw new Error('console: ' + errs.join(' | '));
      await ctx.close();
      await call(srv, admin, 'POST', '/operations-manager/jobs/cancel', { jobIds: [hidden] });
    });

    await largeJobSteps(srv, admin, page, browser);

    await step('an expired session shows the login prompt', async () => {
      await context.clearCookies();
      await page.goto(`${srv.url}/#/queue`);
      await page.reload();
      await page.getByRole('heading', { name: 'Log in to opsflow' }).waitFor();
      // The one 401 of that check is the expected end of the session, not a page error.
      for (let i = consoleErrors.length - 1; i >= 0; i--) {
        if (/status of 401/.test(consoleErrors[i]) || /text\/event-stream/.test(consoleErrors[i])) consoleErrors.splice(i, 1);
      }
    });

    await step('no errors in the browser console', async () => {
      if (consoleErrors.length) throw new Error(consoleErrors.join(' | '));
    });
  } finally {
    await browser.close();
    srv.proc.kill('SIGKILL');
    rmSync(srv.dir, { recursive: true, force: true });
  }
  console.log(`browser_page: ${passed.length} passed, ${failures.length} failed; screenshots in ${OUT}`);
  for (const f of failures) console.log('FAIL ' + f);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
