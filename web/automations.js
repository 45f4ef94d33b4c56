// Automations and triggers (#/automations): the list, and a form to run each manual trigger.
import { api, get, qs } from './api.js';
import { h } from './dom.js';
import { schemaForm } from './form.js';

export async function automationsView() {
  const autos = (await get('/operations-manager/automations' + qs({ limit: 100 }))) || [];
  const triggers = (await get('/operations-manager/triggers' + qs({ limit: 500 }))) || [];
  const byAction = new Map();
  for (const t of triggers) {
    if (!byAction.has(t.actionId)) byAction.set(t.actionId, []);
    byAction.get(t.actionId).push(t);
  }
  const items = autos.map((a) => h('li', { class: 'panel' },
    h('h2', {}, a.name), a.description ? h('p', {}, a.description) : null,
    h('p', { class: 'hint' }, `${a.componentType || ''} ${a.componentName || ''}`),
    h('ul', {}, (byAction.get(a._id) || []).map((t) => h('li', {}, triggerItem(t))))));
  return { title: 'Automations', nodes: [h('h1', {}, 'Automations and triggers'),
    items.length ? h('ul', { class: 'plain' }, items) : h('p', {}, 'No automations yet.')] };
}

let seq = 0;
// The trigger's form data as JSON, starting from its saved formData (IAP's forms are not part
// of an export; with legacyWrapper false each key becomes a job variable).
function jsonForm(t) {
  const id = `form-data-${++seq}`;
  const area = h('textarea', { id, rows: 4 }, JSON.stringify(t.formData || {}, null, 2));
  return {
    empty: false,
    nodes: [h('label', { for: id }, `Form data for ${t.name} `, h('span', { class: 'hint' }, 'JSON object')), area],
    read() {
      let v;
      try { v = JSON.parse(area.value || '{}'); } catch (e) { throw new Error('The form data is not valid JSON: ' + e.message); }
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('The form data must be a JSON object');
      return v;
    },
  };
}

function triggerItem(t) {
  const head = h('span', {}, `${t.name} (${t.type})${t.enabled === false ? ' — disabled' : ''}`);
  if (t.type !== 'manual') return head;
  const form = t.formSchema ? schemaForm(t.formSchema, 'tr') : jsonForm(t);
  const msg = h('p', { role: 'status' });
  const f = h('form', { 'aria-label': `Run trigger ${t.name}` }, form.nodes,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, `Run ${t.name}`)), msg);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    let formData;
    try { formData = form.read(); } catch (ex) { msg.textContent = ex.message; return; }
    try {
      const r = await api('POST', `/operations-manager/triggers/manual/${t._id}/run`, form.empty ? {} : { formData });
      const id = r.data?._id;
      msg.replaceChildren('Started job ', id ? h('a', { href: `#/jobs/${id}` }, id) : r.message);
    } catch (ex) { msg.textContent = ex.message; }
  });
  return h('div', {}, head, f);
}
