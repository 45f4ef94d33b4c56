'use strict';
// A small client of the opsflow server: logs in as the CLI does (a token, or POST /login with
// user and password, once again after a 401) and speaks the worker protocol
// (/adapter-workers/*). Uses Node's built-in fetch.

class ServerError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// fetch, with a network failure as a ServerError (status 0) that names the cause.
async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = e && e.cause ? (e.cause.code || e.cause.message) : (e && e.message);
    throw new ServerError(`cannot reach ${url}: ${cause}`, 0);
  }
}

class Client {
  constructor({ url, user, password, token }) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.token = token;
  }

  async login() {
    if (!this.user) return;
    const r = await send(`${this.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { username: this.user, password: this.password } }),
    });
    const text = (await r.text()).trim();
    if (!r.ok) throw new ServerError(`login as '${this.user}' failed (HTTP ${r.status}): ${messageOf(text)}`, r.status);
    let token = text;
    try {
      const v = JSON.parse(text);
      if (typeof v === 'string') token = v;
      else if (v && typeof v.token === 'string') token = v.token;
    } catch (e) { /* the raw token */ }
    this.token = token;
  }

  // The answer's JSON; with `extraHeaders`, a 304 answers null and `onHeaders` sees the
  // response's headers.
  async request(method, path, body, extraHeaders, onHeaders) {
    for (let attempt = 0; ; attempt += 1) {
      if (!this.token && this.user) await this.login();
      const headers = { 'Content-Type': 'application/json', ...(extraHeaders || {}) };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      const r = await send(`${this.url}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status === 401 && this.user && attempt === 0) { this.token = ''; continue; }
      if (onHeaders) onHeaders(r.headers);
      if (r.status === 304) return null;
      let doc = null;
      try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
      if (!r.ok) {
        let hint = '';
        if (r.status === 401) hint = ' (give --user/--password or set OPSFLOW_TOKEN)';
        throw new ServerError(`${method} ${path}: HTTP ${r.status}: ${messageOf(text)}${hint}`, r.status);
      }
      return doc;
    }
  }

  async poll(worker, apps, leaseMs, maxTasks) {
    const doc = await this.request('POST', '/adapter-workers/poll', {
      worker, apps, lease_ms: leaseMs, max_tasks: maxTasks,
    });
    return (doc && Array.isArray(doc.data)) ? doc.data : [];
  }

  // The stored adapter instances (GET /adapters) when they changed since `etag`:
  // {etag, results} or null when unchanged.
  async adapters(etag) {
    let got = '';
    const doc = await this.request('GET', '/adapters', undefined, etag ? { 'If-None-Match': etag } : {},
      (h) => { got = h.get('etag') || ''; });
    if (doc === null) return null;
    return { etag: got, results: (doc && Array.isArray(doc.results)) ? doc.results : [] };
  }

  // outcome: complete | fail | error.
  async report(task, outcome, outgoing, message) {
    return this.request('POST', `/adapter-workers/tasks/${encodeURIComponent(task._id)}/${outcome}`, {
      lease: task.lease, outgoing: outgoing || {}, message: message || '',
    });
  }
}

function messageOf(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v.message === 'string') return v.message;
  } catch (e) { /* not JSON */ }
  return String(text).slice(0, 300);
}

module.exports = { Client, ServerError };
