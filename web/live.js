// Live updates: ONE EventSource per page (GET /operations-manager/events), shared by every view.
// Views subscribe with a handler; the indicator in the header says live or paused (as text).
// After a reconnect (or `reset`/`overflow` from the server) every subscriber is told to re-read,
// since events may have been missed. No polling.
const TOPICS = ['jobStart', 'jobComplete', 'jobError', 'jobPause', 'jobResume', 'jobCancel',
  'jobFix', 'jobSlaBreach', 'taskStart', 'taskComplete'];
const subscribers = new Set();
let source = null;
let wasOpen = false;
let lostSince = 0;

function indicator(on, text) {
  const el = document.getElementById('live');
  if (!el) return;
  el.className = 'live ' + (on ? 'on' : 'off');
  el.textContent = 'Live updates: ' + text;
}

function rereadAll(why) {
  for (const s of subscribers) s.reread?.(why);
}

export function startLive() {
  if (source) return;
  source = new EventSource('/operations-manager/events');
  source.addEventListener('open', () => {
    indicator(true, 'on');
    if (wasOpen && lostSince) rereadAll('reconnected');
    wasOpen = true;
    lostSince = 0;
  });
  source.addEventListener('error', () => {
    if (!lostSince) lostSince = Date.now();
    indicator(false, source.readyState === EventSource.CLOSED ? 'stopped' : 'paused, reconnecting');
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the stream (e.g. the session ended): try again once logged in.
      source = null;
    }
  });
  for (const t of TOPICS) {
    source.addEventListener(t, (e) => {
      let ev;
      try { ev = JSON.parse(e.data); } catch { return; }
      for (const s of subscribers) s.event?.(ev);
    });
  }
  for (const t of ['reset', 'overflow']) {
    source.addEventListener(t, () => rereadAll(t));
  }
}

export function stopLive() {
  if (source) source.close();
  source = null;
  wasOpen = false;
  indicator(false, 'off');
}

// subscribe({event(ev), reread(why)}) -> unsubscribe function.
export function subscribe(sub) {
  subscribers.add(sub);
  return () => subscribers.delete(sub);
}
