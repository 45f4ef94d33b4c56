'use strict';
// One adapter instance in its own process (adapter-utils keeps connection settings in module
// state, so two instances in one process interfere). Started by host.js with an IPC channel:
// it receives {type: 'init'} once, then {type: 'task'} messages, and answers {type: 'done'}
// per task and {type: 'state'} for the adapter's ONLINE/OFFLINE/DEGRADED/FIXED events.
const path = require('path');
const util = require('util');
const { LEVELS, masker } = require('./lib/config');

let instance = null;
let adapter = null;
let taskTimeoutMs = 25000;
let level = LEVELS.indexOf('info');
let mask = (s) => s;

function send(msg) {
  if (!process.connected) return;
  try {
    process.send(msg);
  } catch (e) {
    // A result that cannot travel as JSON (a cycle, say) ends its task in error instead.
    if (msg.type !== 'done') throw e;
    process.send({
      type: 'done', id: msg.id, outcome: 'error', outgoing: {},
      message: `the adapter's answer could not be serialized: ${e.message}`,
    });
  }
}

// IAP's global log object: spam, trace, debug, info, warn, error (and console for good measure).
function makeLog() {
  const out = {};
  for (const name of LEVELS) {
    const n = LEVELS.indexOf(name);
    out[name] = (...args) => {
      if (n < level) return;
      const text = args.map((a) => (typeof a === 'string' ? a : util.inspect(a, { depth: 4 }))).join(' ');
      process.stderr.write(`${new Date().toISOString()} ${name} [${instance ? instance.id : '-'}] ${mask(text)}\n`);
    };
  }
  out.setLevel = (l) => { if (LEVELS.includes(l)) level = LEVELS.indexOf(l); };
  return out;
}
global.log = makeLog();

function errorText(err) {
  if (err && typeof err === 'object') {
    if (err.IAPerror && typeof err.IAPerror.displayString === 'string') return err.IAPerror.displayString;
    if (typeof err.displayString === 'string') return err.displayString;
    if (typeof err.message === 'string') return err.message;
    try { return JSON.stringify(err); } catch (e) { return String(err); }
  }
  return String(err);
}

// An error value as JSON: Error instances become {name, message}.
function errorValue(err) {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return err;
}

function start(msg) {
  instance = msg.instance;
  taskTimeoutMs = msg.taskTimeoutMs;
  mask = masker(msg.secrets || []);
  global.log.setLevel(msg.logLevel);
  let Cls;
  try {
    const mod = require(path.resolve(instance.dir));
    Cls = typeof mod === 'function' ? mod : mod[instance.type];
    if (typeof Cls !== 'function') throw new Error(`the package does not export class '${instance.type}'`);
  } catch (e) {
    log.error(`cannot load adapter package ${instance.dir}: ${e.message}`);
    process.exit(3);
  }
  try {
    adapter = new Cls(instance.id, instance.properties);
    for (const ev of ['ONLINE', 'OFFLINE', 'DEGRADED', 'FIXED']) {
      if (typeof adapter.on === 'function') {
        adapter.on(ev, () => {
          log.info(`adapter event ${ev}`);
          send({ type: 'state', state: ev === 'FIXED' ? 'ONLINE' : ev });
        });
      }
    }
    if (typeof adapter.connect === 'function') adapter.connect();
  } catch (e) {
    log.error(`the adapter failed to start: ${e && e.message}`);
    process.exit(4);
  }
  send({ type: 'ready' });
}

function runTask(task) {
  let finished = false;
  let timer = null;
  const finish = (outcome, outgoing, message) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    send({ type: 'done', id: task._id, outcome, outgoing, message });
  };
  const method = instance.methods[task.method];
  if (!method || typeof adapter[task.method] !== 'function') {
    finish('error', {}, `adapter '${instance.id}' (${instance.type}) has no task method '${task.method}'`);
    return;
  }
  const incoming = task.incoming || {};
  const args = [];
  for (const inp of method.inputs) {
    if (Object.prototype.hasOwnProperty.call(incoming, inp.name) && incoming[inp.name] !== undefined) {
      args.push(incoming[inp.name]);
    } else if (inp.required) {
      finish('error', {}, `${instance.type}.${task.method}: the required input '${inp.name}' is missing`);
      return;
    } else {
      args.push('');
    }
  }
  timer = setTimeout(() => {
    log.warn(`${task.method} (task ${task._id}) did not call back within ${taskTimeoutMs} ms`);
    finish('error', {}, `${instance.type}.${task.method} did not answer within ${taskTimeoutMs} ms`);
  }, taskTimeoutMs);
  const callback = (result, error) => {
    if (finished) {
      log.debug(`${task.method}: a later callback for task ${task._id} was ignored`);
      return;
    }
    if (error !== undefined && error !== null && error !== '') {
      finish('error', { [method.outputName]: errorValue(error) }, errorText(error));
    } else {
      finish('complete', { [method.outputName]: result === undefined ? null : result }, '');
    }
  };
  try {
    log.debug(`calling ${task.method} for task ${task._id}`);
    adapter[task.method](...args, callback);
  } catch (e) {
    log.error(`${task.method} threw: ${e && e.message}`);
    finish('error', { [method.outputName]: errorValue(e) }, `${instance.type}.${task.method} threw: ${e && e.message}`);
  }
}

process.on('message', (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'init') start(msg);
  else if (msg.type === 'task' && adapter) runTask(msg.task);
  else if (msg.type === 'loglevel') global.log.setLevel(msg.level);
});
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => {
  // State is unknown after an exception nobody caught: the supervisor restarts this process and
  // the tasks in flight are handed out again when their leases run out.
  log.error(`uncaught exception, restarting: ${e && e.stack ? e.stack : e}`);
  process.exit(5);
});
