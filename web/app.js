// The operator's page: a hash router over the views; login state; the one live stream.
import { api, onLoggedOut } from './api.js';
import { h, announce } from './dom.js';
import { startLive, stopLive } from './live.js';
import { jobsView } from './jobs.js';
import { jobView } from './job.js';
import { queueView } from './queue.js';
import { automationsView } from './automations.js';
import { startView } from './start.js';

const main = document.getElementById('main');
const SESSION_KEY = 'opsflow.session';  // a hint only: the session itself is the HttpOnly cookie
let me = null;
let cleanup = null;

export function currentUser() { return me; }

function setMain(title, ...nodes) {
  if (cleanup) { cleanup(); cleanup = null; }
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  document.title = title + ' · opsflow';
}

function loginView(message) {
  me = null;
  localStorage.removeItem(SESSION_KEY);
  stopLive();
  document.getElementById('who').textContent = '';
  document.getElementById('logout').hidden = true;
  const err = h('p', { id: 'login-error', role: 'alert' }, message || '');
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to opsflow'),
    h('label', { for: 'login-user' }, 'User name'), user,
    h('label', { for: 'login-pass' }, 'Password'), pass,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Log in')), err);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await api('POST', '/login', { user: { username: user.value, password: pass.value } });
      localStorage.setItem(SESSION_KEY, '1');
      await boot();
    } catch (ex) {
      err.textContent = 'Login failed: ' + ex.message;
      pass.focus();
    }
  });
  setMain('Log in', form);
  user.focus();
}

async function boot() {
  try {
    me = await api('GET', '/whoami');
  } catch (e) {
    if (e.status !== 401) loginView('The server cannot be reached: ' + e.message);
    return;
  }
  document.getElementById('who').textContent = `Signed in as ${me.username}`;
  document.getElementById('logout').hidden = false;
  startLive();
  route();
}

let routing = null;
let rereadAgain = false;
let generation = 0;  // the latest route(): an older one that ends later is dropped, not shown
async function route(keepFocus = false) {
  if (!me) return;
  const mine = ++generation;
  const focusedId = keepFocus ? document.activeElement?.id : null;
  const hash = location.hash || '#/jobs';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('header nav a')) {
    const on = hash.startsWith(a.getAttribute('href'));
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const view = { title: 'Jobs', nodes: [] };
  try {
    let r;
    if (parts[0] === 'jobs' && parts[1]) r = await jobView(parts[1], parts[2] === 'tasks' ? parts[3] : null, params);
    else if (parts[0] === 'queue') r = await queueView(params);
    else if (parts[0] === 'automations') r = await automationsView(params);
    else if (parts[0] === 'start') r = await startView(params);
    else r = await jobsView(params);
    if (mine !== generation) { r?.cleanup?.(); return; }  // the hash changed meanwhile
    Object.assign(view, r);
  } catch (e) {
    if (e.status === 401 || mine !== generation) return;
    view.title = 'Error';
    view.nodes = [h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, e.message)];
  }
  setMain(view.title, ...view.nodes);
  cleanup = view.cleanup || null;
  if (keepFocus) {
    if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
    return;
  }
  if (view.focus !== false) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  }
  announce(view.title);
}

onLoggedOut(() => loginView('Your session has ended. Log in again.'));
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch { /* the session may be gone already */ }
  loginView('You are logged out.');
});
window.addEventListener('hashchange', () => route());
// A view asks to be re-read (live change, reconnect): at most one re-read at a time; one asked
// for while another runs follows it (the change it reports may have come after that read).
window.addEventListener('opsflow:reread', () => {
  if (routing) { rereadAgain = true; return; }
  const run = () => {
    rereadAgain = false;
    routing = route(true).finally(() => {
      routing = null;
      if (rereadAgain) run();
    });
  };
  run();
});
if (localStorage.getItem(SESSION_KEY)) boot(); else loginView();
