#!/usr/bin/env node
'use strict';
// The opsflow adapter host (SPEC §7): runs unchanged IAP adapter packages as an adapter worker.
// One supervisor (this process) polls the server through /adapter-workers/* with an account of
// its own, routes each task to its adapter instance and reports the outcome; each instance
// runs in its own child process (child.js), restarted with backoff when it dies. A task in
// flight on a child that died is handed out again when its lease runs out.
// Without --config the instances are the server's (GET /adapters): the host polls that list
// with If-None-Match every SYNC_MS and starts, stops, restarts or reconfigures children to
// match it (a stored instance STOPPED has no child; a new generation restarts the child).
const path = require('path');
const { fork } = require('child_process');
const {
  ConfigError, USAGE, LEVELS, parseArgs, loadConfig, route, masker, instanceFromStored,
} = require('./lib/config');
const { Client } = require('./lib/client');

const IDLE_MS = 100;
const MAX_BACKOFF_MS = 30000;
const FIRST_BACKOFF_MS = 250;
const STABLE_MS = 30000;
const HEARTBEAT_MS = 5000;
const SYNC_MS = 250;

function main() {
  let opts;
  let cfg;
  try {
    opts = parseArgs(process.argv.slice(2), process.env);
    if (opts.help) { process.stdout.write(`${USAGE}\n`); return; }
    cfg = opts.config ? loadConfig(opts.config, process.env) : { instances: [], secrets: [] };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`adapter host: ${e.message}\n`);
    process.exit(2);
  }
  new Host(opts, cfg).run().catch((e) => {
    process.stderr.write(`adapter host: ${masker(cfg.secrets)(e && e.message ? e.message : e)}\n`);
    process.exit(1);
  });
}

class Host {
  constructor(opts, cfg) {
    this.opts = opts;
    this.secrets = cfg.secrets.concat([opts.password, opts.token].filter((s) => s && s.length >= 3));
    this.mask = masker(this.secrets);
    this.client = new Client(opts);
    this.stopping = false;
    this.fromServer = !opts.config;
    this.etag = '';
    this.slots = cfg.instances.map((instance) => newSlot(instance));
  }

  log(level, text) {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.opts.logLevel)) return;
    process.stderr.write(`${new Date().toISOString()} ${level} [host] ${this.mask(text)}\n`);
  }

  async run() {
    if (!this.client.token && !this.client.user) {
      throw new Error('no credentials: give --user/--password or --token (or OPSFLOW_USER/OPSFLOW_PASSWORD/OPSFLOW_TOKEN)');
    }
    // The server may be starting: retry until it answers; refused credentials end the host.
    for (;;) {
      try {
        // eslint-disable-next-line no-await-in-loop
        await this.client.login();
        break;
      } catch (e) {
        if (e.status !== 0) throw e;
        this.log('warn', `${e.message}; retrying in 1 s`);
        // eslint-disable-next-line no-await-in-loop
        await delay(1000);
      }
    }
    for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => this.stop());
    for (const slot of this.slots) this.spawn(slot);
    this.heartbeat = setInterval(() => this.reportStatus(), HEARTBEAT_MS);
    if (this.fromServer) {
      this.log('info', `serving the instances stored on ${this.opts.url} (packages under ${path.resolve(this.opts.adaptersDir)}) as worker '${this.opts.worker}'`);
      await this.sync();
      this.syncLoop();
    } else {
      this.log('info', `serving ${this.slots.map((s) => `${s.instance.id} (${s.instance.type})`).join(', ')} from ${this.opts.url} as worker '${this.opts.worker}'`);
    }
    this.reportStatus();
    while (!this.stopping) {
      // eslint-disable-next-line no-await-in-loop
      const got = await this.pollOnce();
      // eslint-disable-next-line no-await-in-loop
      if (!got && !this.stopping) await delay(got === 0 ? IDLE_MS : 1000);
    }
  }

  async syncLoop() {
    while (!this.stopping) {
      // eslint-disable-next-line no-await-in-loop
      await delay(SYNC_MS);
      // eslint-disable-next-line no-await-in-loop
      if (!this.stopping) await this.sync();
    }
  }

  // Reads the stored instances when they changed (ETag) and makes the children match them.
  async sync() {
    let got;
    try {
      got = await this.client.adapters(this.etag);
    } catch (e) {
      // Logged once per distinct failure, not every SYNC_MS.
      if (e.message !== this.syncError) this.log('warn', `reading the stored adapter instances failed: ${e.message}`);
      this.syncError = e.message;
      return;
    }
    if (this.syncError) this.log('info', 'reading the stored adapter instances works again');
    this.syncError = '';
    if (!got) return;
    const wanted = new Map();
    for (const item of got.results) {
      const name = item && item.data && item.data.name;
      try {
        const inst = instanceFromStored(item, this.opts.adaptersDir, process.env, this.secrets);
        if (inst.running) wanted.set(inst.id, inst);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        this.log('error', `adapter instance '${name}' is not served: ${e.message}`);
      }
    }
    this.etag = got.etag;
    this.reconcile(wanted);
  }

  // Stops the children of instances no longer wanted, restarts those whose config or
  // generation changed, starts new ones.
  reconcile(wanted) {
    let changed = false;
    for (const slot of [...this.slots]) {
      const next = wanted.get(slot.instance.id);
      if (!next) {
        this.log('info', `instance ${slot.instance.id}: stopped (no longer running on the server)`);
        this.retire(slot);
        changed = true;
      } else if (fingerprint(next) !== fingerprint(slot.instance)) {
        this.log('info', `instance ${slot.instance.id}: configuration or generation changed; restarting its child`);
        slot.instance = next;
        this.replaceChild(slot);
        changed = true;
      } else if (next.logLevel !== slot.instance.logLevel) {
        slot.instance = next;
        if (slot.child && slot.child.connected) {
          slot.child.send({ type: 'loglevel', level: next.logLevel || this.opts.logLevel });
        }
      }
      wanted.delete(slot.instance.id);
    }
    for (const inst of wanted.values()) {
      const slot = newSlot(inst);
      this.slots.push(slot);
      this.log('info', `instance ${inst.id} (${inst.type}): started`);
      this.spawn(slot);
      changed = true;
    }
    if (changed) this.reportStatus();
  }

  // Ends an instance's child for good.
  retire(slot) {
    slot.retired = true;
    this.slots = this.slots.filter((s) => s !== slot);
    if (slot.timer) { clearTimeout(slot.timer); slot.timer = null; }
    if (slot.child) slot.child.kill('SIGTERM');
  }

  // Ends the child and starts a new one at once with slot.instance.
  replaceChild(slot) {
    slot.failures = 0;
    if (slot.timer) { clearTimeout(slot.timer); slot.timer = null; }
    if (slot.child) {
      slot.restartNow = true;
      slot.ready = false;
      slot.child.kill('SIGTERM');
    } else {
      this.spawn(slot);
    }
  }

  // Polls for the ready instances; the number of tasks taken, or null after an error.
  async pollOnce() {
    const ready = this.slots.filter((s) => s.ready && s.inflight.size < this.opts.maxTasks);
    if (ready.length === 0) return 0;
    // Instances by id; an app (for tasks without adapter_id) only while all its instances run,
    // so that no task is taken for a child that is restarting.
    const down = new Set(this.slots.filter((s) => !s.ready).map((s) => s.instance.type));
    const apps = [...new Set(ready.flatMap((s) => (down.has(s.instance.type) ? [s.instance.id]
      : [s.instance.id, s.instance.type])))];
    const free = Math.min(100, ready.reduce((n, s) => n + (this.opts.maxTasks - s.inflight.size), 0));
    let tasks;
    try {
      tasks = await this.client.poll(this.opts.worker, apps, this.opts.leaseMs, free);
    } catch (e) {
      this.log('warn', `poll failed: ${e.message}`);
      return null;
    }
    for (const task of tasks) this.dispatch(task);
    return tasks.length;
  }

  dispatch(task) {
    const r = route(this.slots.map((s) => s.instance), task);
    if (r.error) {
      this.log('warn', `task ${task._id} (${task.app}.${task.method}): ${r.error}`);
      this.report(task, 'error', {}, r.error);
      return;
    }
    const slot = this.slots.find((s) => s.instance === r.instance);
    if (!slot.ready || !slot.child || !slot.child.connected) {
      // Its child is restarting: the lease runs out and the task is handed out again.
      this.log('warn', `task ${task._id}: instance ${slot.instance.id} is not running; left to its lease`);
      return;
    }
    slot.inflight.set(task._id, task);
    slot.child.send({ type: 'task', task });
  }

  // Tells the server each instance's state (GET /health/adapters); a server without the route
  // (404) is told nothing more.
  reportStatus() {
    if (this.statusUnsupported || this.stopping) return;
    if (this.statusBusy) { this.statusAgain = true; return; }
    this.statusBusy = true;
    const adapters = this.slots.map((s) => ({
      id: s.instance.id, type: s.instance.type, package_id: s.instance.pkg.id,
      state: s.ready ? s.state : (s.child ? 'STARTING' : 'OFFLINE'),
    }));
    this.client.request('POST', '/adapter-workers/status', { worker: this.opts.worker, adapters })
      .catch((e) => {
        if (e.status === 404) this.statusUnsupported = true;
        else this.log('debug', `status report failed: ${e.message}`);
      })
      .finally(() => {
        this.statusBusy = false;
        if (this.statusAgain) { this.statusAgain = false; this.reportStatus(); }
      });
  }

  report(task, outcome, outgoing, message) {
    this.client.report(task, outcome, outgoing, message).catch((e) => {
      this.log('warn', `report of task ${task._id} (${outcome}) refused: ${e.message}`);
    });
  }

  spawn(slot) {
    const inst = slot.instance;
    slot.timer = null;
    slot.startedAt = Date.now();
    const child = fork(path.join(__dirname, 'child.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env,
    });
    slot.child = child;
    this.log('info', `instance ${inst.id}: child pid ${child.pid} started`);
    child.on('message', (msg) => this.onChildMessage(slot, child, msg));
    child.on('exit', (code, signal) => this.onChildExit(slot, child, code, signal));
    child.on('error', (e) => this.log('error', `instance ${inst.id}: child error: ${e.message}`));
    child.send({
      type: 'init',
      instance: { id: inst.id, type: inst.type, dir: inst.dir, properties: inst.properties, methods: inst.pkg.methods },
      secrets: this.secrets,
      logLevel: inst.logLevel || this.opts.logLevel,
      taskTimeoutMs: this.opts.taskTimeoutMs,
    });
  }

  onChildMessage(slot, child, msg) {
    if (child !== slot.child || !msg) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      this.log('info', `instance ${slot.instance.id}: ready (child pid ${child.pid})`);
      this.reportStatus();
    } else if (msg.type === 'state') {
      if (slot.state !== msg.state) this.log('info', `instance ${slot.instance.id}: ${msg.state}`);
      slot.state = msg.state;
      this.reportStatus();
    } else if (msg.type === 'done') {
      const task = slot.inflight.get(msg.id);
      if (!task) return;
      slot.inflight.delete(msg.id);
      this.report(task, msg.outcome, msg.outgoing, msg.message);
    }
  }

  onChildExit(slot, child, code, signal) {
    if (child !== slot.child) return;
    slot.child = null;
    slot.ready = false;
    slot.state = 'STARTING';
    this.reportStatus();
    const lost = slot.inflight.size;
    slot.inflight.clear();  // handed out again when their leases run out
    if (this.stopping || slot.retired) return;
    if (slot.restartNow) {
      slot.restartNow = false;
      this.spawn(slot);
      return;
    }
    if (Date.now() - slot.startedAt > STABLE_MS) slot.failures = 0;
    const wait = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * (2 ** slot.failures));
    slot.failures += 1;
    this.log('warn', `instance ${slot.instance.id}: child pid ${child.pid} exited (${signal || `code ${code}`}) with ${lost} task(s) in flight; restarting in ${wait} ms`);
    slot.timer = setTimeout(() => this.spawn(slot), wait);
  }

  stop() {
    if (this.stopping) return;
    this.stopping = true;
    this.log('info', 'stopping');
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.child) slot.child.kill('SIGTERM');
    }
    setTimeout(() => process.exit(0), 200).unref();
  }
}

function newSlot(instance) {
  return {
    instance, child: null, ready: false, state: 'STARTING', inflight: new Map(),
    failures: 0, startedAt: 0, timer: null, retired: false, restartNow: false,
  };
}

// What a child is started with (a change restarts it); the log level is changed in place.
function fingerprint(inst) {
  return JSON.stringify([inst.type, inst.dir, inst.properties, inst.generation || 0]);
}

function delay(ms) { return new Promise((res) => { setTimeout(res, ms); }); }

main();
