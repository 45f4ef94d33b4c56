// The workflow drawn as a graph: each task at its canvas position (`nodeLocation` or `x`,`y` as
// in IAP exports), or, when the workflow has none, a layered layout (longest path from
// workflow_start over forward transitions). Nodes show the task's summary and its status as
// text; each node is a link to the task's panel (keyboard reachable). Transitions are drawn by
// state: success solid, failure dashed, error dotted, revert dash-dot.
import { s } from './dom.js';

const W = 170, H = 48, GAP = 12;

function pos(t) {
  if (t.nodeLocation && Number.isFinite(t.nodeLocation.x)) return { x: t.nodeLocation.x, y: t.nodeLocation.y };
  if (Number.isFinite(t.x) && Number.isFinite(t.y)) return { x: t.x, y: t.y };
  return null;
}

export function edgesOf(job) {
  const out = [];
  for (const [from, tos] of Object.entries(job.transitions || {})) {
    for (const [to, e] of Object.entries(tos || {})) {
      if (job.tasks?.[from] && job.tasks?.[to]) out.push({ from, to, state: e?.state || 'success', type: e?.type || 'standard' });
    }
  }
  return out;
}

function layered(ids, edges) {
  const level = new Map(ids.map((id) => [id, 0]));
  const fwd = edges.filter((e) => e.type !== 'revert');
  // Longest-path layering with a bound on passes (cycles stay bounded).
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const e of fwd) {
      const l = level.get(e.from) + 1;
      if (l > level.get(e.to) && l < ids.length) { level.set(e.to, l); changed = true; }
    }
    if (!changed) break;
  }
  const rows = new Map();
  const p = new Map();
  for (const id of ids) {
    const l = level.get(id);
    const n = rows.get(l) || 0;
    rows.set(l, n + 1);
    p.set(id, { x: l * (W + 60), y: n * (H + 30) });
  }
  return p;
}

// Canvas positions are the editor's, whose boxes may be smaller than these: spreads them out
// (one factor for x and y, so the drawing keeps its shape) until no two boxes overlap. False when
// that would take more than a factor of 4 (positions on top of each other): the caller lays the
// graph out in layers instead. Only pairs closer than a box's width in x are compared.
function spreadApart(p) {
  const pts = [...p.values()].sort((a, b) => a.x - b.x);
  let k = 1;
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const dx = pts[j].x - pts[i].x;
      if (dx >= W + GAP) break;  // sorted by x: every later one is far enough apart already
      const dy = Math.abs(pts[j].y - pts[i].y);
      if (dx * k >= W + GAP || dy * k >= H + GAP) continue;
      const need = Math.min(dx > 0 ? (W + GAP) / dx : Infinity, dy > 0 ? (H + GAP) / dy : Infinity);
      if (need > 4) return false;
      k = need;
    }
  }
  if (k > 1) for (const q of p.values()) { q.x *= k; q.y *= k; }
  return true;
}

export function drawGraph(job, taskHref) {
  const ids = Object.keys(job.tasks || {});
  const edges = edgesOf(job);
  let p = new Map();
  let missing = false;
  for (const id of ids) {
    const q = pos(job.tasks[id]);
    if (q) p.set(id, q); else missing = true;
  }
  if (missing || p.size === 0 || !spreadApart(p)) p = layered(ids, edges);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const { x, y } of p.values()) {
    minX = Math.min(minX, x); minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + W); maxY = Math.max(maxY, y + H);
  }
  if (!ids.length) { minX = minY = 0; maxX = maxY = 10; }
  const pad = 20;
  const svg = s('svg', { width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad,
    viewBox: `${minX - pad} ${minY - pad} ${maxX - minX + 2 * pad} ${maxY - minY + 2 * pad}`,
    role: 'group', 'aria-label': `Workflow graph of ${ids.length} tasks; the task table below lists the same` });
  const defs = s('defs');
  for (const st of ['success', 'failure', 'error', 'revert']) {
    defs.append(s('marker', { id: `arrow-${st}`, viewBox: '0 0 10 10', refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', class: `edge-head ${st}` })));
  }
  svg.append(defs);
  const eg = s('g', { 'aria-hidden': 'true' });
  for (const e of edges) {
    const a = p.get(e.from), b = p.get(e.to);
    if (!a || !b) continue;
    const cls = e.type === 'revert' ? 'revert' : e.state;
    const x1 = a.x + W / 2, y1 = a.y + H / 2, x2 = b.x + W / 2, y2 = b.y + H / 2;
    // End the line at the target box's border.
    const dx = x2 - x1, dy = y2 - y1;
    const k = Math.min(Math.abs(dx) > 0 ? (W / 2) / Math.abs(dx) : Infinity,
      Math.abs(dy) > 0 ? (H / 2) / Math.abs(dy) : Infinity, 1);
    const ex = x2 - dx * k, ey = y2 - dy * k;
    const bend = e.type === 'revert' ? 40 : 0;
    const d = bend ? `M${x1},${y1} Q${(x1 + ex) / 2},${(y1 + ey) / 2 - bend} ${ex},${ey}` : `M${x1},${y1} L${ex},${ey}`;
    eg.append(s('path', { d, class: `edge ${cls}`, 'marker-end': `url(#arrow-${cls})`, 'data-from': e.from, 'data-to': e.to },
      s('title', {}, `${e.from} → ${e.to} on ${e.type === 'revert' ? 'revert' : e.state}`)));
  }
  svg.append(eg);
  const nodes = new Map();
  for (const id of ids) {
    const t = job.tasks[id];
    const { x, y } = p.get(id);
    const label = (t.summary || t.name || id).slice(0, 26);
    const status = t.status || 'incomplete';
    const stText = s('text', { x: x + 8, y: y + 36, class: 'st' }, status + (t.finish_state && t.finish_state !== 'success' ? ` (${t.finish_state})` : ''));
    const g = s('g', { class: `node s-${status}`, 'data-task': id },
      s('rect', { x, y, width: W, height: H, rx: 6 }),
      s('text', { x: x + 8, y: y + 18 }, label), stText);
    const a = s('a', { href: taskHref(id) }, g);  // its name is its text: summary and status
    nodes.set(id, { g, stText, a, t });
    svg.append(a);
  }
  // Updates a node in place (live).
  function setStatus(id, status, finish) {
    const n = nodes.get(id);
    if (!n) return;
    n.g.setAttribute('class', `node s-${status}`);
    n.stText.textContent = status + (finish && finish !== 'success' ? ` (${finish})` : '');
  }
  return { svg, setStatus };
}
