// A form generated from a JSON schema (a workflow's inputSchema, a trigger's form): one labelled
// control per property (text, number, checkbox, select for enums, JSON text for objects and
// arrays), required ones marked. read() gives the value or throws a sentence naming the field.
import { h } from './dom.js';

let seq = 0;

function typeOf(p) {
  const t = Array.isArray(p?.type) ? (p.type.length === 1 ? p.type[0] : 'json') : p?.type;
  if (p?.enum) return 'enum';
  return t || 'json';
}

export function schemaForm(schema, prefix = 'f') {
  const props = schema?.properties || {};
  const required = new Set(schema?.required || []);
  const fields = [];
  const nodes = [];
  for (const [name, p] of Object.entries(props)) {
    const id = `${prefix}-${++seq}`;
    const t = typeOf(p);
    const example = p?.examples?.[0] ?? p?.default;
    let input;
    if (t === 'boolean') input = h('input', { id, type: 'checkbox', checked: example === true });
    else if (t === 'enum') input = h('select', { id }, p.enum.map((v) => h('option', { value: JSON.stringify(v) }, String(v))));
    else if (t === 'integer' || t === 'number') input = h('input', { id, type: 'number', step: t === 'integer' ? '1' : 'any', value: example ?? '' });
    else if (t === 'string') input = h('input', { id, type: 'text', value: example ?? '' });
    else input = h('textarea', { id, rows: 4 }, example !== undefined ? JSON.stringify(example, null, 2) : '');
    if (required.has(name) && t !== 'boolean') input.setAttribute('aria-required', 'true');
    const hint = [t === 'json' || t === 'object' || t === 'array' ? 'JSON' : t, p?.description].filter(Boolean).join(' · ');
    nodes.push(h('label', { for: id }, name, required.has(name) ? ' (required)' : '', ' ', h('span', { class: 'hint' }, hint)), input);
    fields.push({ name, t, input, required: required.has(name) });
  }
  function read() {
    const out = {};
    for (const f of fields) {
      const v = f.input.value;
      if (f.t === 'boolean') { out[f.name] = f.input.checked; continue; }
      if (v === '' && !f.required) continue;
      if (v === '') throw new Error(`"${f.name}" is required`);
      if (f.t === 'enum') out[f.name] = JSON.parse(v);
      else if (f.t === 'integer' || f.t === 'number') {
        const n = Number(v);
        if (!Number.isFinite(n) || (f.t === 'integer' && !Number.isInteger(n))) throw new Error(`"${f.name}" must be ${f.t === 'integer' ? 'a whole number' : 'a number'}`);
        out[f.name] = n;
      } else if (f.t === 'string') out[f.name] = v;
      else {
        try { out[f.name] = JSON.parse(v); } catch (e) { throw new Error(`"${f.name}" is not valid JSON: ${e.message}`); }
      }
    }
    return out;
  }
  return { nodes, read, empty: fields.length === 0 };
}
