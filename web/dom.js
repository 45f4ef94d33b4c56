// Tiny DOM helpers: elements are built with text content only (never HTML strings), so data
// from jobs and workflows cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

// A status as a badge: colour and text (never colour alone).
export function badge(status) {
  const st = status || 'unknown';
  return h('span', { class: `badge s-${st}` }, st);
}

export function time(ms) {
  if (!ms) return '';
  const d = new Date(typeof ms === 'number' ? ms : Date.parse(ms));
  return isNaN(d) ? '' : d.toLocaleString();
}

// Says `text` to screen readers (the page's aria-live region).
export function announce(text) {
  const el = document.getElementById('announce');
  if (el) el.textContent = text;
}

// JSON shown in a <pre>, truncated past `max` characters with a download of the whole value.
export function jsonBlock(value, name, max = 20000) {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  const wrap = h('div');
  if (text.length <= max) {
    wrap.append(h('pre', { tabindex: 0 }, text));
  } else {
    wrap.append(h('pre', { tabindex: 0 }, text.slice(0, max) + '\n…'),
      h('p', {}, `Shown truncated: ${Math.round(text.length / 1024)} KB in all. `,
        downloadLink(text, name, 'Download the whole value')));
  }
  return wrap;
}

export function downloadLink(text, name, label) {
  const a = h('a', { href: '#', download: name }, label);
  a.addEventListener('click', () => {
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
  return a;
}
