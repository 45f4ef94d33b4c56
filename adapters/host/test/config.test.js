'use strict';
// Unit tests of the host's settings, secrets and routing (node --test adapters/host/test).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
  ConfigError, parseArgs, loadConfig, resolveSecrets, route, masker, instanceFromStored, secretValues,
} = require('../lib/config');

const PKG = path.join(__dirname, '..', '..', '..', 'tests', 'adapters', 'adapter-tinyapi');

test('flags and OPSFLOW_* variables, flags first', () => {
  const env = { OPSFLOW_URL: 'http://h:1/', OPSFLOW_USER: 'u', OPSFLOW_PASSWORD: 'p', OPSFLOW_TOKEN: 't' };
  const o = parseArgs(['--config', 'a.json', '--user', 'v', '--lease-ms=10000'], env);
  assert.strictEqual(o.url, 'http://h:1');
  assert.strictEqual(o.user, 'v');
  assert.strictEqual(o.password, 'p');
  assert.strictEqual(o.token, 't');
  assert.strictEqual(o.leaseMs, 10000);
  assert.strictEqual(o.taskTimeoutMs, 8000);
  assert.strictEqual(parseArgs(['--config', 'a'], {}).taskTimeoutMs, 25000);
});

test('bad flags are clear ConfigErrors', () => {
  assert.strictEqual(parseArgs([], {}).config, '');  // the server's instances
  assert.strictEqual(parseArgs(['--adapters-dir', '/opt/a'], {}).adaptersDir, '/opt/a');
  assert.throws(() => parseArgs(['--config', 'a', '--bogus'], {}), /unknown option '--bogus'/);
  assert.throws(() => parseArgs(['--config', 'a', '--lease-ms', 'x'], {}), /positive integer/);
  assert.throws(() => parseArgs(['--config', 'a', '--lease-ms', '5000', '--task-timeout-ms', '6000'], {}), /shorter than/);
  assert.throws(() => parseArgs(['--config'], {}), ConfigError);
});

test('secrets from the environment and files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-test-'));
  fs.writeFileSync(path.join(dir, 'pw'), 'from-file\n');
  const secrets = [];
  const v = resolveSecrets({ a: { $env: 'X' }, b: [{ $file: 'pw' }], c: 1, d: { $env: 'X', other: 1 } },
    'p', { X: 'from-env' }, dir, secrets);
  assert.deepStrictEqual(v, { a: 'from-env', b: ['from-file'], c: 1, d: { $env: 'X', other: 1 } });
  assert.deepStrictEqual(secrets, ['from-env', 'from-file']);
  assert.throws(() => resolveSecrets({ $env: 'NOPE' }, 'p', {}, dir, []), /'NOPE' is not set/);
  assert.throws(() => resolveSecrets({ $file: 'nope' }, 'p', {}, dir, []), /cannot read secret file/);
  assert.strictEqual(masker(['from-env'])('pw=from-env!'), 'pw=****!');
});

test('config file: instances, package export, errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-test-'));
  const file = path.join(dir, 'a.json');
  const write = (doc) => fs.writeFileSync(file, JSON.stringify(doc));
  write({ instances: [{ id: 'i1', type: 'TinyApi', dir: PKG, properties: { host: 'h' } }] });
  const cfg = loadConfig(file, {});
  assert.strictEqual(cfg.instances[0].pkg.export, 'TinyApi');
  assert.deepStrictEqual(cfg.instances[0].pkg.methods.createItem.inputs.map((i) => i.name), ['name', 'body']);
  assert.strictEqual(cfg.instances[0].pkg.methods.createItem.outputName, 'result');
  write({ instances: [{ id: 'i1', type: 'Other', dir: PKG }] });
  assert.throws(() => loadConfig(file, {}), /not the package's export 'TinyApi'/);
  write({ instances: [{ id: 'i1', dir: PKG }, { id: 'i1', dir: PKG }] });
  assert.throws(() => loadConfig(file, {}), /appears twice/);
  write({ instances: [{ id: 'i1', dir: dir }] });
  assert.throws(() => loadConfig(file, {}), /pronghorn.json/);
  write({ nope: 1 });
  assert.throws(() => loadConfig(file, {}), /must be \{"instances"/);
  fs.writeFileSync(file, '{');
  assert.throws(() => loadConfig(file, {}), /cannot read config/);
});

test('routing by adapter_id, else by app when one instance serves it', () => {
  const insts = [{ id: 'a1', type: 'A' }, { id: 'a2', type: 'A' }, { id: 'b1', type: 'B' }];
  assert.strictEqual(route(insts, { app: 'A', adapter_id: 'a2' }).instance.id, 'a2');
  assert.strictEqual(route(insts, { app: 'A', incoming: { adapter_id: 'a1' } }).instance.id, 'a1');
  assert.strictEqual(route(insts, { app: 'B' }).instance.id, 'b1');
  assert.match(route(insts, { app: 'A' }).error, /served by 2 instances \(a1, a2\)/);
  assert.match(route(insts, { app: 'A', adapter_id: 'zz' }).error, /'zz' \(app 'A'\)/);
  assert.match(route(insts, { app: 'C' }).error, /app 'C'/);
  assert.match(route(insts, { app: 'B', adapter_id: 'a1' }).error, /type 'A', not 'B'/);
});

test('stored instances (GET /adapters items): package by model or dir, state, secrets', () => {
  const root = path.dirname(PKG);  // tests/adapters: holds adapter-tinyapi
  const item = {
    metadata: { isActive: true, state: 'RUNNING', generation: 3 },
    data: {
      name: 'tiny9', type: 'Adapter', model: 'adapter-tinyapi',
      loggerProps: { log_level: 'info', console_level: 'debug' },
      properties: { id: 'tiny9', type: 'TinyApi', properties: { host: 'h', authentication: { password: { $env: 'PW' }, api_key: 'key-123' } } },
    },
  };
  const secrets = [];
  const inst = instanceFromStored(item, root, { PW: 'from-env' }, secrets);
  assert.strictEqual(inst.id, 'tiny9');
  assert.strictEqual(inst.type, 'TinyApi');
  assert.strictEqual(inst.dir, PKG);
  assert.strictEqual(inst.running, true);
  assert.strictEqual(inst.generation, 3);
  assert.strictEqual(inst.logLevel, 'debug');
  assert.strictEqual(inst.properties.authentication.password, 'from-env');
  assert.ok(secrets.includes('from-env') && secrets.includes('key-123'), secrets);
  const stopped = instanceFromStored({ ...item, metadata: { state: 'STOPPED' } }, root, { PW: 'x' }, []);
  assert.strictEqual(stopped.running, false);
  const byDir = { ...item, data: { ...item.data, model: 'nope', dir: 'adapter-tinyapi' } };
  assert.strictEqual(instanceFromStored(byDir, root, { PW: 'x' }, []).dir, PKG);
  assert.throws(() => instanceFromStored({ ...item, data: { ...item.data, model: 'missing-pkg' } }, root, { PW: 'x' }, []), /pronghorn.json/);
  assert.throws(() => instanceFromStored({ ...item, data: { ...item.data, model: undefined } }, root, {}, []), /neither 'dir' nor 'model'/);
  const wrongType = { ...item, data: { ...item.data, properties: { ...item.data.properties, type: 'Other' } } };
  assert.throws(() => instanceFromStored(wrongType, root, { PW: 'x' }, []), /not the package's export/);
  assert.throws(() => instanceFromStored(item, root, {}, []), /'PW' is not set/);
});

test('secret-looking keys are masked as the server masks them; short values never', () => {
  assert.deepStrictEqual(secretValues({ a: { password: 'p1p1', token_timeout: 600, client_secret: 'cs-1' }, token: 42424 }),
    ['p1p1', 'cs-1', '42424']);
  assert.strictEqual(masker(['', 'ab', 'abc'])('xabcx ab'), 'x****x ab');
});
