// Work queue (#/queue?show=available|mine|all): manual tasks waiting for a person, from the
// server's GET /operations-manager/work-queue, with claim, release and a finish form.
import { api, get, qs } from './api.js';
import { h, time, announce } from './dom.js';
import { subscribe } from './live.js';
import { currentUser } from './app.js';

function finishForm(t) {
  const id = `vars-${t._id}`;
  const vars = h('textarea', { id, rows: 4 }, '{}');
  const msg = h('p', { role: 'status' });
  const send = (state) => async () => {
    let v;
    try { v = JSON.parse(vars.value || '{}'); } catch (e) { msg.textContent = 'Not valid JSON: ' + e.message; return; }
    try {
      const r = await api('POST', `/operations-manager/jobs/${t.job._id}/tasks/${encodeURIComponent(t.job.task)}/finish`,
        { taskData: { finish_state: state, variables: v } });
      msg.textContent = r.message;
      announce(r.message);
    } catch (e) { msg.textContent = e.message; }
  };
  return h('div', { class: 'finish' },
    h('h4', {}, 'Incoming values'), h('pre', { tabindex: 0 }, JSON.stringify(t.variables?.incoming || {}, null, 2)),
    h('label', { for: id }, 'Variables to finish with ', h('span', { class: 'hint' }, 'JSON object')), vars,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', onclick: send('success') }, 'Finish: success'),
      h('button', { type: 'button', onclick: send('failure') }, 'Finish: failure')), msg);
}

// Assign the task to someone (a username or an account _id); the server checks that they may act
// on it, and that a task claimed by someone else is reassigned only by them or an admin.
function assignForm(t) {
  const id = `assign-${t._id}`;
  const who = h('input', { id, type: 'text', autocomplete: 'off' });
  const msg = h('p', { role: 'status' });
  const form = h('form', { class: 'row' }, h('label', { for: id }, `Assign task ${t.job.task} to`), who,
    h('button', { type: 'submit' }, 'Assign'), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', `/operations-manager/tasks/${t._id}/assign`, { userId: who.value.trim() });
      msg.textContent = r.message;
      announce(r.message);
      window.dispatchEvent(new Event('opsflow:reread'));
    } catch (ex) { msg.textContent = ex.message; }
  });
  return form;
}

export async function queueView(params) {
  const show = params.get('show') || 'available';
  const me = currentUser()?.username;
  const tasks = (await get('/operations-manager/work-queue' + qs({ show }))) || [];
  const act = (t, verb) => async () => {
    try { const r = await api('POST', `/operations-manager/tasks/${t._id}/${verb}`); announce(r.message); }
    catch (e) { announce(e.message); alertBox.textContent = e.message; }
    window.dispatchEvent(new Event('opsflow:reread'));
  };
  const alertBox = h('p', { role: 'alert' });
  const items = tasks.map((t) => {
    const owner = t.metrics?.owner;
    const mine = owner === me;
    return h('li', { class: 'panel', 'data-task': t._id },
      h('h3', {}, `${t.name} — task ${t.job.task} of ${t.job.name}`),
      h('p', {}, 'Job ', h('a', { href: `#/jobs/${t.job._id}/tasks/${encodeURIComponent(t.job.task)}` }, t.job._id),
        ` · waiting since ${time(t.metrics?.start_time)} · `, owner ? `claimed by ${owner}` : 'not claimed'),
      h('div', { class: 'row' },
        !owner && t.mayAct ? h('button', { type: 'button', onclick: act(t, 'claim') }, `Claim task ${t.job.task}`) : null,
        mine ? h('button', { type: 'button', onclick: act(t, 'release') }, `Release task ${t.job.task}`) : null),
      t.mayAct || mine ? assignForm(t) : null,
      (!owner && t.mayAct) || mine ? finishForm(t) : h('p', { class: 'hint' },
        t.groups?.length ? `Only members of ${t.groups.join(', ')} may act on it.` : ''));
  });
  const tabs = h('nav', { class: 'row', 'aria-label': 'Which tasks' }, ['available', 'mine', 'all'].map((k) =>
    h('a', { href: `#/queue?show=${k}`, 'aria-current': k === show ? 'page' : null },
      { available: 'Available to me', mine: 'Mine', all: 'All' }[k])));
  const unsubscribe = subscribe({
    event(ev) { if (ev.topic === 'taskStart' || ev.topic === 'taskComplete') window.dispatchEvent(new Event('opsflow:reread')); },
    reread() { window.dispatchEvent(new Event('opsflow:reread')); },
  });
  return { title: 'Work queue', cleanup: unsubscribe,
    nodes: [h('h1', {}, 'Work queue'), tabs, alertBox,
      items.length ? h('ul', { class: 'plain' }, items) : h('p', {}, 'No manual task is waiting here.')] };
}
