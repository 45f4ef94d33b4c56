// Job view (#/jobs/ID, #/jobs/ID/tasks/TASK): status and error banner, controls enabled by the
// job's state, why it waits (server-computed), the graph and its accessible twin (task table),
// the task panel (each iteration's incoming/outgoing values and error, retry), variables with
// copy and download, parent and child jobs. Updated in place from the event stream.
import { api, get, qs } from './api.js';
import { h, badge, time, announce, jsonBlock, downloadLink } from './dom.js';
import { subscribe } from './live.js';
import { drawGraph } from './graph.js';

// A task's values: values over the server's --large-data-bytes come as markers
// ({"$largeData": id, "size": n}, README "large-data"); they are shown as such, and the download
// fetches each from /operations-manager/large-data/:id to give the whole value.
function valueBlock(value, name) {
  const large = value && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value).filter(([, v]) => v && typeof v === 'object' && typeof v.$largeData === 'string')
    : [];
  if (!large.length) return jsonBlock(value, name);
  const msg = h('span', { role: 'status' });
  const link = h('a', { href: '#' }, 'Download the whole value');
  link.addEventListener('click', async (ev) => {
    ev.preventDefault();
    msg.textContent = ' Fetching…';
    try {
      const whole = { ...value };
      for (const [k, v] of large) whole[k] = await api('GET', '/operations-manager/large-data/' + encodeURIComponent(v.$largeData));
      const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(whole)], { type: 'application/json' })), download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      msg.textContent = '';
    } catch (e) {
      msg.textContent = ' ' + e.message;
    }
  });
  const sizes = large.map(([k, v]) => `${k} (${Math.round((v.size || 0) / 1024)} KB)`).join(', ');
  return h('div', {}, h('pre', { tabindex: 0 }, JSON.stringify(value, null, 2)),
    h('p', {}, `Shown truncated: ${sizes} too large to show here. `, link, msg));
}

export async function waitingPanel(id) {
  const box = h('section', { class: 'panel', 'aria-labelledby': 'why-title', id: 'why' },
    h('h2', { id: 'why-title' }, 'Why is this job waiting?'));
  try {
    const w = await get(`/operations-manager/jobs/${id}/waiting`);
    box.append(h('p', { class: 'why-summary' }, w.summary));
    if (w.reasons?.length) {
      box.append(h('ul', {}, w.reasons.map((r) => h('li', { 'data-kind': r.kind }, r.text,
        r.kind === 'childJobs' && r.children?.length
          ? h('ul', {}, r.children.map((c) => h('li', {}, h('a', { href: `#/jobs/${c._id}` }, c._id), ' ', badge(c.status))))
          : null,
        r.kind === 'manual' ? h('span', {}, ' ', h('a', { href: '#/queue' }, 'Open the work queue')) : null))));
    }
  } catch (e) { box.append(h('p', { role: 'alert' }, e.message)); }
  return box;
}

function controls(job, refresh) {
  const out = h('div', { role: 'status', class: 'hint', id: 'control-result' });
  const st = job.status;
  const act = (verb) => async () => {
    try {
      const r = await api('POST', `/operations-manager/jobs/${verb}`, { jobIds: [job._id] });
      const x = (r.data || [])[0];
      out.textContent = x ? x.message : r.message;
      announce(out.textContent);
    } catch (e) { out.textContent = e.message; }
    refresh();
  };
  return h('div', {},
    h('div', { class: 'row', role: 'group', 'aria-label': 'Job controls' },
      h('button', { type: 'button', id: 'btn-pause', onclick: act('pause'), disabled: st !== 'running' }, 'Pause'),
      h('button', { type: 'button', id: 'btn-resume', onclick: act('resume'), disabled: st !== 'paused' }, 'Resume'),
      h('button', { type: 'button', id: 'btn-cancel', onclick: act('cancel'),
        disabled: !['running', 'paused', 'error'].includes(st) }, 'Cancel')), out);
}

// Continue from this task (a job in error or paused; the task not running) and revert from it to
// an earlier task (a paused job with no running task): the server decides, the page shows its
// answer (SPEC §5, docs/ENGINE.md "Job control").
function continueRevert(job, taskId, t, refresh) {
  const box = h('div', { class: 'row', role: 'group', 'aria-label': 'Continue or revert' });
  const msg = h('p', { role: 'status', id: 'continue-revert-result' });
  const run = async (path, body) => {
    try {
      const r = await api('POST', `/operations-manager/jobs/${job._id}/${path}`, body);
      announce(r.message);
      refresh();  // the view is read again: the task's new run, the job's status
    } catch (e) {
      msg.textContent = e.message;  // the server's reason stays on screen
      announce(e.message);
    }
  };
  const st = job.status;
  if (['error', 'paused'].includes(st) && !['running', 'scheduled'].includes(t.status)) {
    box.append(h('button', { type: 'button', id: 'btn-continue', onclick: () => run('continue', { fromTask: taskId }) },
      'Continue from this task'));
  }
  if (st === 'paused') {
    const others = Object.keys(job.tasks || {}).filter((k) => k !== taskId);
    const to = h('select', { id: 'revert-to' }, others.map((k) => h('option', { value: k }, `${k} ${job.tasks[k].summary || job.tasks[k].name || ''}`)));
    box.append(h('label', { for: 'revert-to' }, 'Revert to'), to,
      h('button', { type: 'button', id: 'btn-revert', onclick: () => run('revert', { fromTask: taskId, toTask: to.value }) },
        'Revert'));
  }
  return box.childNodes.length ? h('div', {}, box, msg) : h('div', {});
}

async function taskPanel(job, taskId, refresh) {
  const t = job.tasks?.[taskId];
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'task-title', id: 'task-panel' });
  if (!t) { panel.append(h('h2', { id: 'task-title' }, `No task ${taskId} in this job`)); return panel; }
  panel.append(h('h2', { id: 'task-title' }, `Task ${t.summary || t.name} `, badge(t.status)),
    h('p', { class: 'hint' }, `${taskId} · ${t.app || ''} ${t.name || ''} · ${t.type || ''}`),
    h('p', {}, h('a', { href: `#/jobs/${job._id}` }, 'Close the task panel')));
  const its = await get('/operations-manager/tasks' + qs({ 'equals[job._id]': job._id, 'equals[job.task]': taskId, limit: 100 }));
  const list = (its || []).filter((i) => i.job?.task === taskId).sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
  if (!list.length) panel.append(h('p', {}, 'This task has not run.'));
  for (const it of list) {
    panel.append(h('h3', {}, `Run ${(it.iteration ?? 0) + 1}: `, badge(it.status),
      it.metrics?.finish_state ? ` finish: ${it.metrics.finish_state}` : ''));
    if (it.error) panel.append(h('div', { class: 'banner error', role: 'note' }, h('strong', {}, 'Error: '), String(it.error)));
    panel.append(h('p', { class: 'hint' }, `started ${time(it.metrics?.start_time)}${it.metrics?.end_time ? ', ended ' + time(it.metrics.end_time) : ''}`));
    panel.append(h('div', { 'data-part': 'incoming' }, h('h4', {}, 'Incoming'), valueBlock(it.variables?.incoming, `${taskId}-${it.iteration}-incoming.json`)));
    panel.append(h('div', { 'data-part': 'outgoing' }, h('h4', {}, 'Outgoing'), valueBlock(it.variables?.outgoing, `${taskId}-${it.iteration}-outgoing.json`)));
  }
  panel.append(continueRevert(job, taskId, t, refresh));
  if (t.status === 'error' && job.status === 'error') {
    const vars = h('textarea', { id: 'retry-vars', 'aria-describedby': 'retry-hint' }, JSON.stringify(job.variables || {}, null, 2));
    const msg = h('p', { role: 'status' });
    const form = h('form', {}, h('h3', {}, 'Retry this task'),
      h('label', { for: 'retry-vars' }, 'Job variables for the retry'),
      h('p', { id: 'retry-hint', class: 'hint' }, 'Edit the values to retry with (JSON object).'), vars,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Retry task')), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      let v;
      try { v = JSON.parse(vars.value || '{}'); } catch (ex) { msg.textContent = 'The variables are not valid JSON: ' + ex.message; return; }
      try { const r = await api('POST', `/operations-manager/jobs/${job._id}/tasks/${taskId}/retry`, { variables: v }); msg.textContent = r.message; refresh(); }
      catch (ex) { msg.textContent = ex.message; }
    });
    panel.append(form);
  }
  return panel;
}

const KIDS = 50;

// Zoom for a graph wider than its box (a large workflow): the drawing keeps its viewBox, so its
// size alone changes; "Fit" shows it whole, "Actual size" as drawn.
function graphZoom(svg, box) {
  const w0 = +svg.getAttribute('width'), h0 = +svg.getAttribute('height');
  let k = 1;
  const msg = h('span', { class: 'hint', role: 'status', id: 'graph-zoom' }, '100%');
  const set = (z) => {
    k = Math.min(2, Math.max(0.05, z));
    svg.setAttribute('width', Math.round(w0 * k));
    svg.setAttribute('height', Math.round(h0 * k));
    msg.textContent = `${Math.round(k * 100)}%`;
  };
  const fit = () => set(Math.min(1, (box.clientWidth - 4) / w0));
  return h('div', { class: 'row', role: 'group', 'aria-label': 'Graph zoom' },
    h('button', { type: 'button', onclick: () => set(k / 1.5) }, 'Zoom out'),
    h('button', { type: 'button', onclick: () => set(k * 1.5) }, 'Zoom in'),
    h('button', { type: 'button', onclick: fit }, 'Fit the graph'),
    h('button', { type: 'button', onclick: () => set(1) }, 'Actual size'), msg);
}

// Previous/next pages of a job's children (#/jobs/ID?kids=SKIP), with where this page is.
function kidPager(jobId, taskId, skip, total) {
  const base = taskId ? `#/jobs/${jobId}/tasks/${encodeURIComponent(taskId)}` : `#/jobs/${jobId}`;
  const pages = Math.max(1, Math.ceil(total / KIDS));
  return h('nav', { class: 'pager', 'aria-label': 'Child job pages', id: 'children-pager' },
    h('a', { href: base + qs({ kids: Math.max(0, skip - KIDS) || '' }), hidden: skip === 0 }, 'Previous children'),
    h('span', {}, `${total ? skip + 1 : 0}–${Math.min(skip + KIDS, total)} of ${total.toLocaleString('en')} child jobs (page ${Math.floor(skip / KIDS) + 1} of ${pages.toLocaleString('en')})`),
    h('a', { href: base + qs({ kids: skip + KIDS }), hidden: skip + KIDS >= total }, 'Next children'));
}

export async function jobView(id, taskId, params) {
  // Subscribed before the job is read, so an event that comes while the view is being built is
  // not lost: it is applied once the view exists (a job-level one re-reads the view).
  const early = [];
  let onEvent = (ev) => early.push(ev);
  let onReread = () => early.push(null);
  const unsubscribe = subscribe({ event: (ev) => onEvent(ev), reread: () => onReread() });
  let job;
  try {
    job = await get(`/operations-manager/jobs/${encodeURIComponent(id)}`);
  } catch (e) {
    unsubscribe();
    throw e;
  }
  const rerender = () => window.dispatchEvent(new Event('opsflow:reread'));
  const taskHref = (t) => `#/jobs/${job._id}/tasks/${encodeURIComponent(t)}`;
  const statusEl = h('span', { id: 'job-status' }, badge(job.status));
  const errors = (job.error || []).map((e) => h('li', {}, `${e.task}: `, typeof e.message === 'string' ? e.message : JSON.stringify(e.message)));
  const { svg, setStatus } = drawGraph(job, taskHref);
  const taskRows = new Map();
  const ids = Object.keys(job.tasks || {});
  const table = h('table', { id: 'task-table' }, h('caption', {}, 'Tasks (the same as the graph)'),
    h('thead', {}, h('tr', {}, ['Task', 'Summary', 'Status', 'Started'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ids.map((t) => {
      const cell = h('td', {}, badge(job.tasks[t].status));
      taskRows.set(t, cell);
      return h('tr', {}, h('td', {}, h('a', { href: taskHref(t) }, t)), h('td', {}, job.tasks[t].summary || job.tasks[t].name),
        cell, h('td', {}, time(job.tasks[t].start_time)));
    })));
  // Child jobs, paged by the server (a childJob loop may start 10,000 of them).
  const kidSkip = Math.max(0, parseInt(params?.get('kids') || '0', 10) || 0);
  const kidReply = await api('GET', '/operations-manager/jobs' + qs({ 'equals[parent.job]': job._id, limit: KIDS, skip: kidSkip }))
    .catch(() => ({ data: [], metadata: { total: 0 } }));
  const kids = kidReply.data || [];
  const kidTotal = kidReply.metadata?.total ?? kids.length;
  const varsText = JSON.stringify(job.variables || {}, null, 2);
  const copyMsg = h('span', { role: 'status', class: 'hint' });
  const graphBox = h('div', { class: 'graph', tabindex: 0, 'aria-label': 'Workflow graph (scrollable)' }, svg);
  const left = h('div', {},
    graphZoom(svg, graphBox),
    graphBox,
    h('p', { class: 'legend hint' }, 'Transitions: ', h('span', { class: 's-success' }, '— success'),
      h('span', {}, '- - failure'), h('span', { class: 's-error' }, '··· error'), h('span', {}, '-·- revert')),
    table);
  const right = h('div', {});
  if (taskId) right.append(await taskPanel(job, taskId, rerender).catch((e) => { unsubscribe(); throw e; }));
  if (['running', 'paused', 'error'].includes(job.status)) right.append(await waitingPanel(job._id));
  right.append(h('section', { class: 'panel', 'aria-labelledby': 'rel-title' }, h('h2', { id: 'rel-title' }, 'Related jobs'),
    job.parent?.job ? h('p', {}, 'Parent job: ', h('a', { href: `#/jobs/${job.parent.job}/tasks/${job.parent.task}`, id: 'parent-link' }, job.parent.job)) : h('p', {}, 'No parent job.'),
    kids.length ? h('ul', { id: 'children' }, kids.map((k) => h('li', {}, h('a', { href: `#/jobs/${k._id}` }, `${k.name} ${k._id}`), ' ', badge(k.status)))) : h('p', {}, 'No child jobs.'),
    kidTotal > KIDS || kidSkip ? kidPager(job._id, taskId, kidSkip, kidTotal) : null));
  right.append(h('section', { class: 'panel', 'aria-labelledby': 'vars-title' }, h('h2', { id: 'vars-title' }, 'Job variables'),
    jsonBlock(job.variables, `${job._id}-variables.json`),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: async () => { try { await navigator.clipboard.writeText(varsText); copyMsg.textContent = 'Copied.'; } catch { copyMsg.textContent = 'The browser refused the clipboard; use the download.'; } } }, 'Copy variables'),
      downloadLink(varsText, `${job._id}-variables.json`, 'Download variables'), copyMsg)));

  let pending = null;
  onEvent = (ev) => {
    if (ev.jobId !== job._id) { if (ev.parentJobId === job._id) scheduleReread(); return; }
    if (ev.taskId) {
      const st = ev.topic === 'taskStart' ? 'running' : (ev.finishState === 'error' ? 'error' : 'complete');
      setStatus(ev.taskId, st, ev.finishState);
      taskRows.get(ev.taskId)?.replaceChildren(badge(st));
    } else {
      statusEl.replaceChildren(badge(ev.status));
      announce(`Job is now ${ev.status}`);
      scheduleReread();
    }
  };
  onReread = () => scheduleReread();
  for (const ev of early) { if (ev) onEvent(ev); else onReread(); }
  // A job-level change re-reads the view once (controls, banner, waiting), not per event.
  function scheduleReread() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; rerenderKeepingFocus(); }, 150);
  }
  function rerenderKeepingFocus() { rerender(); }  // app.js keeps the focused control

  return {
    title: `Job ${job.name}`,
    focus: !taskId,
    cleanup: () => { unsubscribe(); if (pending) clearTimeout(pending); },
    nodes: [
      h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
      h('h1', {}, `${job.name} `, statusEl),
      h('p', { class: 'hint' }, `Job ${job._id} · started ${time(job.metrics?.start_time)} by ${job.metrics?.user || ''}` +
        (job.metrics?.end_time ? ` · ended ${time(job.metrics.end_time)}` : '') + ` · ${Math.round((job.metrics?.progress || 0) * 100)}% done`),
      errors.length ? h('div', { class: 'banner error', role: 'alert' }, h('strong', {}, 'Errors'), h('ul', {}, errors)) : null,
      controls(job, rerender),
      h('div', { class: 'cols' }, left, right)],
  };
}
