// The REST API from the page: the session is the HttpOnly `token` cookie set by POST /login.
// A 401 anywhere means the session is gone: the page shows the login form (onLoggedOut).
export class ApiError extends Error {
  constructor(status, message, data) { super(message); this.status = status; this.data = data; }
}

let loggedOutHandler = () => {};
export function onLoggedOut(fn) { loggedOutHandler = fn; }

export async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached: ' + e.message);
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (r.status === 401 && path !== '/login') {
    loggedOutHandler();
    throw new ApiError(401, 'Your session has ended; log in again.');
  }
  if (!r.ok) {
    const msg = (data && data.message) || text || `HTTP ${r.status}`;
    throw new ApiError(r.status, msg, data);
  }
  return data;
}

// The `data` of an envelope reply.
export const get = async (path) => (await api('GET', path))?.data;

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.append(k, v);
  }
  const t = u.toString();
  return t ? '?' + t : '';
}
