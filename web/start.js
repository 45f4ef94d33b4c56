// Start a job (#/start?workflow=NAME): the form is generated from the workflow's inputSchema.
import { api, get, qs } from './api.js';
import { h } from './dom.js';
import { schemaForm } from './form.js';

export async function startView(params) {
  const name = params.get('workflow') || '';
  const list = await get('/automation-studio/workflows' + qs({ limit: 1000, include: 'name' })).catch(() => []);
  const names = (list || []).map((w) => w.name).filter(Boolean).sort();
  const sel = h('select', { id: 'wf-select' }, h('option', { value: '' }, 'Choose a workflow'),
    names.map((n) => h('option', { value: n, selected: n === name }, n)));
  const pick = h('form', { class: 'row' }, h('label', { for: 'wf-select' }, 'Workflow'), sel,
    h('button', { type: 'submit' }, 'Show its form'));
  pick.addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/start' + qs({ workflow: sel.value }); });
  const nodes = [h('h1', {}, 'Start a job'), pick];
  if (name) {
    // This route answers with the workflow document itself (as IAP's does), not an envelope.
    const wf = await api('GET', `/automation-studio/workflows/detailed/${encodeURIComponent(name)}`);
    const form = schemaForm(wf.inputSchema || {}, 'in');
    const desc = h('input', { id: 'job-desc', type: 'text' });
    const msg = h('p', { role: 'alert', id: 'start-error' });
    const f = h('form', { 'aria-labelledby': 'start-title', id: 'start-form' },
      h('h2', { id: 'start-title' }, `Inputs of ${name}`),
      form.empty ? h('p', {}, 'This workflow takes no inputs.') : form.nodes,
      h('label', { for: 'job-desc' }, 'Description ', h('span', { class: 'hint' }, 'optional')), desc,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Start job')), msg);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.textContent = '';
      let variables;
      try { variables = form.read(); } catch (ex) { msg.textContent = ex.message; return; }
      const options = { variables };
      if (desc.value) options.description = desc.value;
      try {
        const r = await api('POST', '/operations-manager/jobs/start', { workflow: name, options });
        location.hash = `#/jobs/${r.data._id}`;
      } catch (ex) { msg.textContent = 'The job did not start: ' + ex.message; }
    });
    nodes.push(f);
  }
  return { title: 'Start a job', nodes };
}
