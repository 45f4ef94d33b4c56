#!/usr/bin/env node
// Differential-test oracle (issue 10): runs a few hundred json-query queries through the npm
// package `json-query` (the library IAP's `query` task is built on) and prints, as JSON, every
// case with its outcome: {"kind":"value","value":...}, {"kind":"undefined"} or {"kind":"error"}.
// The C++ side (jsonquery_diff) runs the same queries through opsflow's JsonQuery and compares.
//
// Usage: node oracle.js [corpus_dir] > cases.json
// Queries come from the corpus's `query` tasks (when corpus_dir exists) and from a generator
// that walks every document below: paths, indexes, [*], [**], filters, `|`, helpers.
'use strict';
const fs = require('fs');
const path = require('path');
const jsonQuery = require('json-query');

// The helpers opsflow gives json-query (json-query itself has none; IAP documents `:get(key)`).
// Same semantics as src/tasks/query/json_query.cc: arguments arrive as raw text.
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const helpers = {
  get: (input, key) => (input === null || input === undefined ? undefined : input[key]),
  keys: (input) => (isObj(input) ? Object.keys(input) : undefined),
  values: (input) => (isObj(input) ? Object.values(input) : Array.isArray(input) ? input : undefined),
  length: (input) => (Array.isArray(input) || typeof input === 'string' ? input.length
                      : isObj(input) ? Object.keys(input).length : undefined),
  first: (input) => (Array.isArray(input) ? input[0] : undefined),
  last: (input) => (Array.isArray(input) ? input[input.length - 1] : undefined),
  select: function (input) {
    if (!Array.isArray(input)) return undefined;
    const keys = [].slice.call(arguments, 1);
    return input.map((item) => {
      const out = {};
      if (isObj(item)) for (const k of keys) if (Object.prototype.hasOwnProperty.call(item, k)) out[k] = item[k];
      return out;
    });
  },
};

const docs = [
  {
    people: [
      {name: 'Matt', country: 'NZ', rating: 4, starred: true, addr: {city: 'Hutt'}, tags: ['a', 'b']},
      {name: 'Pete', country: 'AU', rating: 2, starred: false, addr: {city: 'Melb'}, tags: []},
      {name: 'Mikey', country: 'NZ', rating: 5, starred: false, addr: null, tags: ['c']},
      {name: 'Zed', country: 'US', rating: 0, nick: '', tags: null},
    ],
    grouped_people: {
      friends: [{name: 'Steve', country: 'NZ'}, {name: 'Jane', country: 'US'}, {name: 'Mary', country: 'NZ'}],
      enemies: [{name: 'Evil Steve', country: 'AU'}, {name: 'Betty', country: 'NZ'}],
      solo: {name: 'Han', country: 'US'},
    },
    page: {id: 'page_1', n: 1, title: 'Test'},
    comments_lookup: {page_1: [{id: 'c1'}, {id: 'c2'}]},
    lookup: {a: 1, b: 2, 'weird.key': 3, 'ietf:if': 4},
    tags: ['x', 'y', 'x'],
    nums: [3, 1.5, -2, 0, 10],
    n: null,
    zero: 0,
    empty: '',
    f: false,
    t: true,
    s: 'hello',
    nested: [[1, 2], [3], [], [[4]]],
    mixed: [1, 'two', null, true, {a: 1}, [5]],
    emptyObj: {},
    emptyArr: [],
  },
  {
    result: {
      response: {
        DescribeInstancesResponse: {
          reservationSet: {item: [{instancesSet: {item: [{instanceId: 'i-1', networkInterfaceSet: {item: [
            {association: {publicIp: '1.2.3.4'}}]}}]}}]},
        },
        CreateSecurityGroupResponse: {groupId: 'sg-1', 'return': true},
        id: 'task-42',
        nothing: null,
        DescribeRouteTablesResponse: {routeTableSet: {item: []}},
      },
      icode: 200,
    },
    job_details: {subnetId: 'subnet-1', credentialsId: null, status: 'complete'},
  },
  [
    {id: 1, name: 'a', v: null, k: 'x'},
    {id: 2, name: 'b', v: 0, k: 'y'},
    {id: '3', name: 'c', v: '', k: 'x'},
    {id: 4, name: 'd', v: false},
  ],
  null,
  {b: 1, 2: 'two', 1: 'one', a: {10: 'x', 9: 'y'}, 'ünï': 'ß€😀', list: ['b', 'a', 'B', '10', '9'],
   nums: [10, 9, '10', '9', null, true], k: 'a', idx: 1, fidx: 1.5, neg: -1, obj: {x: {y: 1}},
   arrs: [{v: [1, 2]}, {v: 3}, {w: 4}, {v: [[5]]}], strs: ['ab', 'c', ''], zero: 0},
  'a string',
  0,
  [],
];

function wellFormed(s) {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function run(doc, query) {
  try {
    const r = jsonQuery(query, {data: doc, locals: helpers, allowRegexp: false});
    if (r.value === undefined) return {kind: 'undefined'};
    // A lone UTF-16 surrogate (half of an emoji) has no UTF-8 form: opsflow gives U+FFFD.
    const text = JSON.stringify(r.value, (k, v) => (typeof v === 'string' ? wellFormed(v) : v));
    if (text === undefined) return {kind: 'undefined'};
    return {kind: 'value', value: JSON.parse(text)};
  } catch (e) {
    return {kind: 'error', message: String(e && e.message)};
  }
}

// ---- queries ----
const queries = new Map();  // doc index -> Set of queries
function add(i, q) {
  if (!queries.has(i)) queries.set(i, new Set());
  queries.get(i).add(q);
}

function corpusQueries(dir) {
  const out = new Set();
  if (!dir || !fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir)) {
    if (!f.includes('__workflows__') || !f.endsWith('.json')) continue;
    let wf;
    try { wf = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); } catch (e) { continue; }
    for (const t of Object.values(wf.tasks || {})) {
      const inc = (t && t.variables && t.variables.incoming) || {};
      if (t.name === 'query' && typeof inc.query === 'string') out.add(inc.query);
      for (const g of inc.evaluation_groups || []) {
        for (const e of (g && g.evaluations) || []) {
          if (e && typeof e.query === 'string') out.add(e.query);
          if (e && typeof e.rightQuery === 'string') out.add(e.rightQuery);
        }
      }
    }
  }
  return out;
}

const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;
function walk(i, v, q, depth) {
  add(i, q);
  if (depth >= 4 || v === null || typeof v !== 'object') return;
  const sep = q === '' ? '' : '.';
  if (Array.isArray(v)) {
    add(i, q + '[*]');
    add(i, q + '[' + v.length + ']');
    add(i, q + '.length');
    v.slice(0, 3).forEach((el, k) => {
      walk(i, el, q + '[' + k + ']', depth + 1);
      if (q !== '') add(i, q + '.' + k);
    });
    const sample = v.find(isObj);
    if (sample) {
      for (const k of Object.keys(sample).slice(0, 4)) {
        add(i, q + sep + k);  // pluck
        for (const lit of ['NZ', '1', '0', '2', 'x', 'true', 'false', 'null', '', 'a', 'Matt']) {
          add(i, q + '[' + k + '=' + lit + ']');
          add(i, q + '[*' + k + '=' + lit + ']');
        }
        add(i, q + '[*' + k + '!=NZ]');
        add(i, q + '[*' + k + '>1]');
        add(i, q + '[*' + k + '<=2]');
        add(i, q + '[' + k + '>=4].name');
        add(i, q + '[*' + k + '~a]');
      }
    }
  } else {
    add(i, q + '[*]');
    add(i, q + '[**]');
    add(i, q + sep + 'missing');
    add(i, q + sep + 'missing.deeper');
    for (const k of Object.keys(v)) {
      if (ident.test(k)) walk(i, v[k], q + sep + k, depth + 1);
    }
  }
}

const fixed = [
  '', '.', 'people[0].name', '.people[0].name', 'people[9]', 'people[0].missing', 'missing',
  'missing.deeper.still', 'n', 'n.x', 'zero', 'zero.x', 'empty.x', 'f.x', 't.x', 's.length',
  's[1]', 's.0', 's.x', 'tags.length', 'tags[-1]', 'tags[01]', 'tags[1.0]', 'people.name',
  'people.tags', 'people.addr', 'people.addr.city', 'people[*country=NZ].name',
  'people[country=FR]', 'people[*country=FR]', 'people[country!=NZ].name',
  'people[* rating >= 3 & starred = true].name', 'people[*country=AU | rating=5].name',
  'people[*country=AU|rating=5&starred=false].name', 'people[*rating>=2&rating<5].name',
  'people[*addr.city=Melb]', 'people[name="Matt"]', "people[name='Matt']", 'people[rating=4.0].name',
  'people[rating= 4 ].name', 'people[*rating>=0].name', 'people[*rating>=].name',
  'grouped_people[**]', 'grouped_people[**][*country=NZ].name', 'grouped_people[*]',
  'grouped_people[*][*country=NZ]', 'comments_lookup[{page.id}]', 'comments_lookup[{page.id}][1].id',
  'tags[{page.n}]', 'lookup[{missing}]', 'lookup[{n}]', 'people[country={people[1].country}].name',
  'people[*rating>{page.n}].name', 'missing|page.id', 'page.id|missing', 'n|zero|empty|f|page.title',
  'zero|missing', 'missing|.page', 'lookup["weird.key"]', 'lookup[weird.key]', 'lookup:get(weird.key)',
  'lookup:get(ietf:if)', 'lookup:get(a)', 'lookup:get("a")', 'lookup:get(nope)', 'n:get(a)',
  'lookup:keys', 'lookup:values', 'people:length', 'lookup:length', 's:length', 'tags:first',
  'tags:last', 'emptyArr:first', 'people:select(name, country)', 'people:select(name)',
  'people[*rating>2]:select(name)', 'people:select(name):first', 'lookup:nosuchhelper',
  'tags[=y]', 'tags[*=x]', 'nums[*>1]', 'people[*:get(starred)].name', 'people[*tags:length].name',
  'nested[*]', 'nested[**]', 'nested.length', 'mixed.a', 'mixed[*]', 'mixed[**]',
  'emptyObj[*]', 'emptyObj.x', 'emptyArr[*]', 'emptyArr.x', 'emptyArr[0]', 'missing[*]', 'n[*]',
  'zero[*]', 's[*]', 'people[0][*]', 'page[id]', 'page[ id ]', 'people[0].addr[city]',
  'people[0]["addr"]', 'lookup[a]|lookup[b]', '[people][0]', 'people.0.name', 'people.9.name',
  'page.id.length', 'page . id', ' page.id ', 'people[*name~e].name', 'people[*name!~e].name',
  'people[*country=NZ][1].name', 'people[*rating<{page.n}]', 'people[rating={zero}].name',
  'people[*nick=].name', 'people[*nick=0].name', 'people[*starred=1].name', 'people[*starred=0].name',
  'page[title=Test]', 'people[*tags=a,b].name', 'people[*addr=null].name',
];

for (const q of fixed) add(0, q);
docs.forEach((d, i) => walk(i, d, '', 0));
const corpus = corpusQueries(process.argv[2]);
for (const q of corpus) {
  for (let i = 0; i < docs.length; i++) add(i, q);
}
for (const i of [2, 3, 5, 6, 7]) {
  for (const q of ['', 'x', 'x.y', '[0]', '[*]', '[**]', 'length', '[*id=3]', '[id=1].name',
                   '[*v=0].name', '[*v=].name', '[*v=null].name', '[*v!=x].name', '[*k=x]:select(id)',
                   'name', 'v', 'k', ':length', ':first', '|x', 'x|[0]']) {
    add(i, q);
  }
}

// Edge cases of the package (doc 4: numeric keys, unicode, JS coercions).
for (const q of ['[*]', 'a[*]', ':keys', 'a:keys', ':values', '[1]', '1', '[2]', '["1"]', '[01]',
                 'ünï', 'ünï.length', 'ünï[2]', 'ünï[3]', 'ünï[*]', 'list[{k}]', 'list[{idx}]',
                 'list[{fidx}]', 'list[{neg}]', 'list[{missing}]', 'obj[{k}]', 'a[{idx}0]',
                 'list[*>a]', 'list[*>=B]', 'list[*<9]', 'list[*>9]', 'nums[*=10]', 'nums[*>9]',
                 'nums[*<=9]', 'nums[*=true]', 'nums[*=1]', 'nums[*!=9]', 'nums[*=]',
                 'arrs.v', 'arrs.w', 'arrs.length', 'strs.length', 'strs[*=]', 'strs[*!=]',
                 'strs[*~a]', 'strs[*~]', 'obj.x.y|b', 'zero|b', 'zero|missing', 'missing|zero',
                 'missing|missing2', 'b|missing', '..b', '.b', '..', '(b)', '(b).x', 'obj(x)',
                 'b?', '[?]', 'obj[x?]', 'obj[x=?]', 'obj.x[y]', 'obj:get(x):get(y)',
                 'obj:get("x")', 'obj:get(x, y)', 'obj:get({k})', 'arrs[*:get(v)]', 'arrs[*v:length]',
                 'arrs[*v:first]', 'arrs[*!:get(w)]', 'arrs[v=3]', 'arrs[*v=1,2]', 'arrs[*v~1]',
                 'list[*~a]', 'nums[*~1]', 'obj[**]', 'arrs[**]', 'arrs[**].v', 'obj.x:select(y)',
                 'arrs:select(v, w)', 'arrs:select()', 'list:first:length', '  b  ', ' obj . x ',
                 'obj .x', 'obj. x', 'arrs[ * v = 3 ]', 'arrs[*v =3|w= 4]', 'arrs[*v=3&w=4|w=4]',
                 'arrs[*v=3|w=4&w=4]', 'arrs[*v=3&&w=4]', 'list[{obj.x.y}]', 'list[{obj}]',
                 '{b}', 'obj{x}', ':first', 'a[9]', 'a.9', 'a[*][0]', 'a:length']) {
  add(4, q);
}

const cases = [];
for (const [i, qs] of queries) {
  for (const q of qs) cases.push({doc: i, query: q, expect: run(docs[i], q)});
}
process.stdout.write(JSON.stringify({docs, corpus_queries: corpus.size, cases}));
