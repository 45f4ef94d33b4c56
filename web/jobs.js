// Jobs list: filters in the URL (#/jobs?status=&name=&skip=), paged by the server, rows updated
// in place from the event stream, bulk pause/resume/cancel with a result per job.
import { api, qs } from './api.js';
import { h, badge, time, announce } from './dom.js';
import { subscribe } from './live.js';

const LIMIT = 25;
const STATUSES = ['', 'running', 'paused', 'complete', 'error', 'canceled'];

export async function jobsView(params) {
  const status = params.get('status') || '';
  const name = params.get('name') || '';
  const children = params.get('children') === '1';
  const skip = Math.max(0, parseInt(params.get('skip') || '0', 10) || 0);
  const q = { limit: LIMIT, skip };
  if (status) q['equals[status]'] = status;
  if (name) q['contains[name]'] = name;
  if (!children) q['exists[parent.job]'] = 'false';
  const reply = await api('GET', '/operations-manager/jobs' + qs(q));
  const jobs = reply.data || [];
  const total = reply.metadata?.total ?? jobs.length;

  const statusSel = h('select', { id: 'f-status', name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s || 'any status')));
  const nameIn = h('input', { id: 'f-name', name: 'name', value: name, type: 'search' });
  const childBox = h('input', { id: 'f-children', type: 'checkbox', checked: children });
  const filters = h('form', { class: 'row', role: 'search', 'aria-label': 'Filter jobs' },
    h('label', { for: 'f-status' }, 'Status'), statusSel,
    h('label', { for: 'f-name' }, 'Workflow name contains'), nameIn,
    h('label', { for: 'f-children' }, childBox, ' Show child jobs'),
    h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/jobs' + qs({ status: statusSel.value, name: nameIn.value,
      children: childBox.checked ? '1' : '' });
  });

  const rows = new Map();
  const tbody = h('tbody');
  for (const j of jobs) {
    const statusCell = h('td', {}, badge(j.status));
    const box = h('input', { type: 'checkbox', 'aria-label': `Select job ${j._id}`, value: j._id });
    const tr = h('tr', { 'data-job': j._id },
      h('td', {}, box),
      h('td', {}, h('a', { href: `#/jobs/${j._id}` }, j.name), h('div', { class: 'hint' }, j._id)),
      statusCell,
      h('td', {}, `${Math.round((j.metrics?.progress || 0) * 100)}%`),
      h('td', {}, time(j.metrics?.start_time)),
      h('td', {}, j.metrics?.user || ''));
    rows.set(j._id, { statusCell, box });
    tbody.append(tr);
  }
  const result = h('div', { role: 'status', id: 'bulk-result' });
  const bulk = (verb) => async () => {
    const ids = [...rows.entries()].filter(([, r]) => r.box.checked).map(([id]) => id);
    if (!ids.length) { result.textContent = 'Select at least one job first.'; return; }
    try {
      const r = await api('POST', `/operations-manager/jobs/${verb}`, { jobIds: ids });
      result.replaceChildren(h('p', {}, r.message),
        h('ul', {}, (r.data || []).map((x) => h('li', {}, `${x.success ? 'OK' : 'Refused'}: ${x.message}`))));
    } catch (e) { result.textContent = e.message; }
  };
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('a', { href: '#/jobs' + qs({ status, name, children: children ? '1' : '', skip: Math.max(0, skip - LIMIT) }),
      'aria-disabled': skip === 0 ? 'true' : null, hidden: skip === 0 }, 'Previous page'),
    h('span', { id: 'jobs-count' }, `${total ? skip + 1 : 0}–${Math.min(skip + LIMIT, total)} of ${total.toLocaleString('en')} jobs`
      + ` (page ${Math.floor(skip / LIMIT) + 1} of ${Math.max(1, Math.ceil(total / LIMIT)).toLocaleString('en')})`),
    h('a', { href: '#/jobs' + qs({ status, name, children: children ? '1' : '', skip: skip + LIMIT }),
      hidden: skip + LIMIT >= total }, 'Next page'));

  const unsubscribe = subscribe({
    event(ev) {
      if (ev.topic === 'jobStart' && skip === 0 && !rows.has(ev.jobId)) {
        window.dispatchEvent(new Event('opsflow:reread'));
        return;
      }
      const r = rows.get(ev.jobId);
      if (r && ev.topic.startsWith('job')) {
        r.statusCell.replaceChildren(badge(ev.status));
        announce(`Job ${ev.workflow} is now ${ev.status}`);
      }
    },
    reread() { window.dispatchEvent(new Event('opsflow:reread')); },
  });
  return {
    title: 'Jobs',
    cleanup: unsubscribe,
    nodes: [h('h1', {}, 'Jobs'), filters,
      h('div', { class: 'row' }, 'Selected jobs:',
        h('button', { type: 'button', onclick: bulk('pause') }, 'Pause'),
        h('button', { type: 'button', onclick: bulk('resume') }, 'Resume'),
        h('button', { type: 'button', onclick: bulk('cancel') }, 'Cancel')),
      result,
      h('table', {}, h('caption', { class: 'sr-only' }, 'Jobs'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')),
          ['Workflow', 'Status', 'Progress', 'Started', 'By'].map((t) => h('th', { scope: 'col' }, t)))),
        tbody),
      jobs.length ? null : h('p', {}, 'No jobs match.'), pager],
  };
}
