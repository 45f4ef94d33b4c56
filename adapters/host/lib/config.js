'use strict';
// The host's settings: the server and its credentials (as the opsflow CLI finds them) and the
// adapter instances of a config file {"instances": [{id, type, dir, properties}]}, or, without
// --config, the instances the server stores (GET /adapters, IAP's service configs).
// A value {"$env": "NAME"} or {"$file": "path"} anywhere in `properties` is replaced by the
// variable's value or the file's text (trailing newline dropped); such values are secrets,
// collected so that log lines can mask them.
const fs = require('fs');
const path = require('path');

class ConfigError extends Error {}

const USAGE = `usage: node adapters/host/host.js [--config adapters.json] [options]
  --config FILE        adapter instances: {"instances": [{"id", "type", "dir", "properties"}]};
                       without it, the instances the server stores (GET /adapters), followed
                       as they are changed, started, stopped and restarted
  --adapters-dir DIR   where stored instances' packages are installed: DIR/<model> (the npm
                       package name), or DIR/<dir> for an instance with 'dir' (default
                       ./node_modules)
  --url URL            opsflow server (env OPSFLOW_URL, default http://127.0.0.1:3000)
  --user NAME          account to log in as (env OPSFLOW_USER)
  --password PW        its password (env OPSFLOW_PASSWORD)
  --token TOKEN        API token instead of user/password (env OPSFLOW_TOKEN)
  --worker NAME        worker name shown to the server (default adapter-host-<pid>)
  --lease-ms N         lease asked for each task (default 30000)
  --task-timeout-ms N  a method that has not called back by then ends the task in error
                       (default: lease - 5000, or 80% of a lease under 25 s)
  --max-tasks N        tasks in flight per instance (default 10)
  --log-level LEVEL    spam|trace|debug|info|warn|error (default info)`;

function parseArgs(argv, env) {
  const o = {
    config: '', adaptersDir: 'node_modules', url: env.OPSFLOW_URL || 'http://127.0.0.1:3000', user: env.OPSFLOW_USER || '',
    password: env.OPSFLOW_PASSWORD || '', token: env.OPSFLOW_TOKEN || '',
    worker: `adapter-host-${process.pid}`, leaseMs: 30000, taskTimeoutMs: 0, maxTasks: 10,
    logLevel: 'info', help: false,
  };
  const ints = { '--lease-ms': 'leaseMs', '--task-timeout-ms': 'taskTimeoutMs', '--max-tasks': 'maxTasks' };
  const strs = {
    '--config': 'config', '--adapters-dir': 'adaptersDir', '--url': 'url', '--user': 'user', '--password': 'password',
    '--token': 'token', '--worker': 'worker', '--log-level': 'logLevel',
  };
  for (let i = 0; i < argv.length; i += 1) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === '-h' || a === '--help') { o.help = true; continue; }
    if (!(a in ints) && !(a in strs)) throw new ConfigError(`unknown option '${a}'\n${USAGE}`);
    if (v === undefined) {
      if (i + 1 >= argv.length) throw new ConfigError(`option '${a}' needs a value`);
      v = argv[i += 1];
    }
    if (a in ints) {
      if (!/^[0-9]+$/.test(v) || Number(v) < 1) throw new ConfigError(`option '${a}' needs a positive integer, not '${v}'`);
      o[ints[a]] = Number(v);
    } else {
      o[strs[a]] = v;
    }
  }
  if (o.help) return o;
  if (!LEVELS.includes(o.logLevel)) throw new ConfigError(`--log-level must be one of ${LEVELS.join(', ')}`);
  if (o.leaseMs < 1000) throw new ConfigError('--lease-ms must be at least 1000');
  // The default leaves the host time to report before the lease runs out.
  if (!o.taskTimeoutMs) o.taskTimeoutMs = o.leaseMs >= 25000 ? o.leaseMs - 5000 : Math.floor(o.leaseMs * 0.8);
  if (o.taskTimeoutMs >= o.leaseMs) throw new ConfigError('--task-timeout-ms must be shorter than --lease-ms');
  o.url = o.url.replace(/\/+$/, '');
  return o;
}

const LEVELS = ['spam', 'trace', 'debug', 'info', 'warn', 'error'];

// Replaces {"$env"}/{"$file"} values; pushes each secret into `secrets`.
function resolveSecrets(value, where, env, baseDir, secrets) {
  if (Array.isArray(value)) return value.map((v, i) => resolveSecrets(v, `${where}[${i}]`, env, baseDir, secrets));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$env') {
    const name = value.$env;
    if (typeof name !== 'string' || !(name in env)) {
      throw new ConfigError(`${where}: environment variable '${name}' is not set`);
    }
    secrets.push(env[name]);
    return env[name];
  }
  if (keys.length === 1 && keys[0] === '$file') {
    const file = path.resolve(baseDir, String(value.$file));
    let text;
    try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
      throw new ConfigError(`${where}: cannot read secret file '${file}': ${e.code || e.message}`);
    }
    text = text.replace(/\r?\n$/, '');
    secrets.push(text);
    return text;
  }
  const out = {};
  for (const k of keys) out[k] = resolveSecrets(value[k], `${where}.${k}`, env, baseDir, secrets);
  return out;
}

// Reads a package's pronghorn.json: {id, export, methods: {name: {inputs, outputName}}}.
function readPackage(dir) {
  let pj;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, 'pronghorn.json'), 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read ${path.join(dir, 'pronghorn.json')}: ${e.code || e.message}`);
  }
  if (typeof pj.export !== 'string' || !pj.export) throw new ConfigError(`${dir}/pronghorn.json has no 'export'`);
  const methods = {};
  for (const m of Array.isArray(pj.methods) ? pj.methods : []) {
    if (!m || typeof m.name !== 'string') continue;
    methods[m.name] = {
      inputs: (Array.isArray(m.input) ? m.input : []).map((i) => ({ name: String(i.name), required: i.required === true })),
      outputName: (m.output && typeof m.output.name === 'string' && m.output.name) || 'result',
    };
  }
  return { id: pj.id || pj.export, export: pj.export, methods };
}

// Loads and checks the config file; instances get resolved properties and their package.
function loadConfig(file, env) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read config '${file}': ${e.code || e.message}`);
  }
  if (!doc || !Array.isArray(doc.instances) || doc.instances.length === 0) {
    throw new ConfigError(`config '${file}' must be {"instances": [{"id", "type", "dir", "properties"}, ...]}`);
  }
  const baseDir = path.dirname(path.resolve(file));
  const seen = new Set();
  const secrets = [];
  const instances = doc.instances.map((inst, i) => {
    const where = `instances[${i}]`;
    if (!inst || typeof inst.id !== 'string' || !inst.id) throw new ConfigError(`${where}: 'id' (the instance name) is required`);
    if (seen.has(inst.id)) throw new ConfigError(`${where}: instance id '${inst.id}' appears twice`);
    seen.add(inst.id);
    if (typeof inst.dir !== 'string' || !inst.dir) throw new ConfigError(`${where} (${inst.id}): 'dir' (the installed package) is required`);
    return makeInstance(where, inst, path.resolve(baseDir, inst.dir), env, baseDir, secrets);
  });
  return { instances, secrets: secrets.filter((s) => typeof s === 'string' && s.length >= 3) };
}

// An instance {id, type, dir, pkg, properties, logLevel} from {id, type?, properties?,
// loglevel?} and the package's folder; pushes its secrets.
function makeInstance(where, inst, dir, env, baseDir, secrets) {
  const pkg = readPackage(dir);
  const type = inst.type === undefined ? pkg.export : inst.type;
  if (type !== pkg.export) {
    throw new ConfigError(`${where} (${inst.id}): type '${type}' is not the package's export '${pkg.export}'`);
  }
  const props = inst.properties === undefined ? {} : inst.properties;
  if (!props || typeof props !== 'object' || Array.isArray(props)) throw new ConfigError(`${where} (${inst.id}): 'properties' must be an object`);
  const properties = resolveSecrets(props, `${where}.properties`, env, baseDir, secrets);
  for (const v of secretValues(properties)) secrets.push(v);
  return {
    id: inst.id, type, dir, pkg, properties,
    logLevel: typeof inst.loglevel === 'string' && LEVELS.includes(inst.loglevel) ? inst.loglevel : null,
  };
}

// An instance from an item of GET /adapters ({metadata: {state, generation}, data: <IAP service
// config>}): the package is <adaptersDir>/<data.dir>, else <adaptersDir>/<data.model>. Adds
// `running` and `generation`.
function instanceFromStored(item, adaptersDir, env, secrets) {
  const data = (item && item.data) || {};
  const meta = (item && item.metadata) || {};
  const service = (data.properties && typeof data.properties === 'object') ? data.properties : {};
  const id = typeof data.name === 'string' ? data.name : '';
  if (!id) throw new ConfigError('a stored adapter instance has no name');
  const where = `adapter '${id}'`;
  const rel = typeof data.dir === 'string' && data.dir ? data.dir : data.model;
  if (typeof rel !== 'string' || !rel) throw new ConfigError(`${where}: neither 'dir' nor 'model' names its package`);
  const logger = (data.loggerProps && typeof data.loggerProps === 'object') ? data.loggerProps : {};
  const inst = makeInstance(where, {
    id, type: service.type, properties: service.properties,
    loglevel: logger.console_level || logger.log_level,
  }, path.resolve(adaptersDir, rel), env, process.cwd(), secrets);
  inst.running = meta.state !== 'STOPPED' && meta.isActive !== false;
  inst.generation = Number.isInteger(meta.generation) ? meta.generation : 0;
  return inst;
}

// The same keys the server masks for readers that may not run adapters (api/adapter_store.cc).
const SECRET_KEY = /^(password|passwd|passphrase|secret|token|api_?key|private_?key|client_secret|access_?key|secret_?key|.*_password|.*_passwd|.*_secret|.*_token|.*_api_?key)$/i;

// The string values under secret-looking keys, at any depth (masked in log lines).
function secretValues(value, key, out = []) {
  if (Array.isArray(value)) value.forEach((v) => secretValues(v, key, out));
  else if (value && typeof value === 'object') Object.keys(value).forEach((k) => secretValues(value[k], k, out));
  else if (key && SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) {
    const s = String(value);
    if (s.length >= 3) out.push(s);
  }
  return out;
}

// Routes a polled task: by adapter_id when given, else by app when exactly one instance
// serves it. {instance} or {error: message}.
function route(instances, task) {
  const id = task.adapter_id || (task.incoming && typeof task.incoming.adapter_id === 'string' ? task.incoming.adapter_id : '');
  if (id) {
    const inst = instances.find((x) => x.id === id);
    if (inst && inst.type === task.app) return { instance: inst };
    if (inst) return { error: `adapter instance '${id}' is of type '${inst.type}', not '${task.app}'` };
    return { error: `no adapter instance '${id}' (app '${task.app}') is served by this host` };
  }
  const by = instances.filter((x) => x.type === task.app);
  if (by.length === 1) return { instance: by[0] };
  if (by.length === 0) return { error: `no adapter instance serves app '${task.app}' (no adapter_id given)` };
  return {
    error: `app '${task.app}' is served by ${by.length} instances (${by.map((x) => x.id).join(', ')}): the task must name one in adapter_id`,
  };
}

// Masks each secret in a text.
function masker(secrets) {
  return (text) => {
    let s = String(text);
    for (const x of secrets) if (typeof x === 'string' && x.length >= 3) s = s.split(x).join('****');
    return s;
  };
}

module.exports = {
  ConfigError, USAGE, LEVELS, parseArgs, loadConfig, readPackage, resolveSecrets, route, masker,
  instanceFromStored, secretValues,
};
