'use strict';
/**
 * Seeded random values for the fuzz test (__test__/fuzz.test.js).
 *
 *   const { makeGen, seedFor } = require('./fuzz-values');
 *   const g = makeGen(seedFor(runSeed, i), { marker });   // one generator per call
 *   g.value()        -> anything: undefined, null, numbers (NaN, ±Infinity, -0, 2**53+1, ...),
 *                       BigInt, strings (empty, 1 MB, lone surrogates, NUL, emoji, '[a]#b',
 *                       JSON-looking text, '__proto__'), Symbols, functions, arrays (nested,
 *                       sparse, huge), deep objects (depth 1,000; rarely 10,000), objects with
 *                       throwing getters, Proxies (throwing traps, revoked), Dates (valid and
 *                       invalid), Buffers, typed arrays, Maps/Sets, throwing or cyclic toJSON,
 *                       cyclic objects, null-prototype objects
 *   g.jsonish()      -> a string: usually JSON text (valid, truncated or mutated), sometimes any string
 *   g.string()       -> a hostile string
 *   g.describe(v)    -> a short, safe description of a value (for reports)
 *
 * Every call's generator is derived from (run seed, call index) alone, so a single call can be
 * replayed with the same seed and its index, independently of the calls before it.
 *
 * Values thrown by the generated getters, traps, functions and toJSON methods are recorded in
 * `OWN_THROWN` (objects) or carry the `OWN_THROWN_PREFIX` (strings), so the test can tell "the
 * library let the caller's own exception through" (fine) from "the library threw a non-Error".
 */

/** Errors and other values our hostile inputs throw. */
const OWN_THROWN = new WeakSet();
const OWN_THROWN_PREFIX = 'fuzz-own-throw:';
const OWN_THROWN_SYMBOL = Symbol('fuzz-own-throw');

/** mulberry32: a small, fast, seedable 32-bit PRNG. */
function mulberry32(a) {
  return function next() {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of call `i` of a run (a 32-bit integer), independent of every other call. */
function seedFor(runSeed, i) {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (i + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2f) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

const SPECIAL_NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 42, NaN, Infinity, -Infinity,
  2 ** 53, 2 ** 53 + 1, 2 ** 53 + 2, -(2 ** 53) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 1e21, 1e-7, 1e308, -1e308,
  2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, 2 ** 63, -(2 ** 63), 2 ** 64, 2 ** 1023,
  3.14, 0.1 + 0.2, 123456789.123456789, 8640000000000000, 8640000000000001, -8640000000000001,
];

const BIGINTS = [0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n, 10n ** 100n];

/** Built once: large values cost time to make, and identity does not matter. */
const cache = {};
function cached(name, make) {
  if (!(name in cache)) cache[name] = make();
  return cache[name];
}

function deepObject(depth) {
  let o = { leaf: 'x' };
  for (let i = 0; i < depth; i++) o = { a: o };
  return o;
}
function deepArray(depth) {
  let a = ['x'];
  for (let i = 0; i < depth; i++) a = [a];
  return a;
}
function deepFilter(depth, op) {
  let f = { name: 'x' };
  for (let i = 0; i < depth; i++) f = op === '$not' ? { $not: f } : { [op]: [f, { name: 'y' }] };
  return f;
}

/** An own enumerable property, even for '__proto__' (as JSON.parse makes it). */
function put(o, k, v) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function ownError(message) {
  const e = new Error(`${OWN_THROWN_PREFIX}${message}`);
  OWN_THROWN.add(e);
  return e;
}

/** Values a hostile callback throws: mostly Errors, sometimes not. */
function thrownValue(r) {
  const k = Math.floor(r() * 8);
  switch (k) {
    case 0:
      return `${OWN_THROWN_PREFIX}a string`;
    case 1: {
      const o = { [OWN_THROWN_SYMBOL]: true, message: `${OWN_THROWN_PREFIX}a plain object` };
      OWN_THROWN.add(o);
      return o;
    }
    case 2:
      return OWN_THROWN_SYMBOL; // a symbol
    default:
      return ownError('hostile callback');
  }
}

/** Is `v` a value one of our hostile inputs threw? */
function isOwnThrown(v) {
  if (v === OWN_THROWN_SYMBOL) return true;
  if (typeof v === 'string') return v.startsWith(OWN_THROWN_PREFIX);
  if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
    if (OWN_THROWN.has(v)) return true;
    try {
      return typeof v.message === 'string' && v.message.startsWith(OWN_THROWN_PREFIX) && !(v instanceof Error);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * @param {number} seed 32-bit seed of this generator
 * @param {{marker: string, fieldNames?: string[], allowHuge?: boolean}} opts marker: a unique,
 *   tenant-safe string of this run, planted in strings so stored items can be traced to it
 */
function makeGen(seed, opts = {}) {
  const r = mulberry32(seed);
  const marker = opts.marker || 'fzmarker';
  const fieldNames = opts.fieldNames || ['name', 'status', 'id', 's', 'i'];
  const g = {};
  let nest = 0; // string -> JSON text -> string ... stays shallow

  g.rand = r;
  g.int = (n) => Math.floor(r() * n);
  g.chance = (p) => r() < p;
  g.pick = (arr) => arr[Math.floor(r() * arr.length)];
  g.weighted = (pairs) => {
    let total = 0;
    for (const [w] of pairs) total += w;
    let x = r() * total;
    for (const [w, v] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  };

  const KEY_WORDS = [
    '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON', 'then', 'length',
    '$and', '$or', '$not', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$between', '$beginsWith',
    '$contains', '$exists', '$size', '$bogus', '_pk', '_sk', '_iter_pk', '_iter_sk', '_gsi1_pk', '_searchText',
    'modelPrefix', 'type', 'data', 'S', 'N', 'B', 'M', 'L', 'SS', 'NS', 'BS', 'BOOL', 'NULL', '', ' ',
    'a', 'b', 'x', '0', '-1', '1e3', 'TableName', 'Key', 'Item', 'KeyConditionExpression',
    'ExpressionAttributeNames', 'ExpressionAttributeValues', 'UpdateExpression', 'IndexName',
    ...fieldNames,
  ];

  /** A hostile string. */
  g.string = () => {
    const k = g.int(100);
    if (k < 2) return cached('mb', () => 'x'.repeat(1024 * 1024)); // 1 MB
    if (k < 3) return cached('mbJson', () => JSON.stringify({ s: 'y'.repeat(1024 * 1024 - 10) }));
    if (k < 4) return cached('mbSurrogates', () => '\uD800'.repeat(64 * 1024));
    if (k < 5) return cached('deepJsonObj', () => '{"a":'.repeat(10000) + '1' + '}'.repeat(10000));
    if (k < 6) return cached('deepJsonArr', () => '['.repeat(10000) + ']'.repeat(10000));
    if (k < 7) return cached('deepJsonUnclosed', () => '['.repeat(100000));
    if (k < 45) {
      return g.pick([
        '', ' ', 'a', 'A', '0', '-0', '1', '-1', '1.5', '1e400', '-1e400', '0x10', ' 12 ', '9007199254740993',
        'NaN', 'Infinity', 'true', 'false', 'null', 'undefined', '[]', '{}', '""', '"x"', '[1,2', '{"a":',
        '{"a":1}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}',
        '\uD800', '\uDC00', 'a\uD800b', '\uDBFF\uDFFF', '\uDFFF\uDBFF', '\u0000', 'a\u0000b', '\u0007', '\u001f',
        '\u007f', '\u0085', '\u009f', '\u2028', '\u202E', '\uFEFF', '\uFFFD', '\uFFFF', '😀', '👨‍👩‍👧‍👦', 'e\u0301',
        'ß', 'İ', 'ﬃ', 'Σ', 'ΐ', 'ǅ', 'Ⅻ', '\u0130\u0130\u0130', 'ȺȺȺ', 'Ⱥ', '\u1E9E', 'a'.repeat(2049),
        'é'.repeat(1100), 'a'.repeat(129), '[a]#b', 'a]#b', '[a', 'a]', '#', '##', '[]#', '##__SK__##',
        'a##__SK__##b', '##__SK__####__SK__##', `[${marker}]#x`, `[fz-${marker}-a]#`, `h${marker}]#x`,
        '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$and', '$or', '$not', '$gt',
        '$between', '$beginsWith', '$in', '$exists', '$size', '_pk', '_sk', '_iter_pk', '_searchText',
        '_raft_uc', 'modelPrefix', 'iter_index', 'iter_search_index', 'gsi1', 'gsi6', '_uc1', '_uc4',
        'string', 'ulid', 'integer', 'float', 'counter', 'boolean', 'dateTime', 'createDate',
        'modifiedDate', 'ttl', 'version', 'binary', 'stringSet', 'related', 'String', 'unknownKind',
        '01ARZ3NDEKTSV4RRFFQ69G5FAV', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ', '8ZZZZZZZZZZZZZZZZZZZZZZZZZ',
        'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', '01arz3ndektsv4rrffq69g5fav', '01ARZ3NDEKTSV4RRFFQ69G5FA',
        '2024-01-01T00:00:00Z', '2024-02-30', 'not a date', '+275760-09-13T00:00:00.000Z',
        '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', '0000-00-00', '1970-01-01',
        '%s%d%n', '${x}', '{{x}}', '\\', '\\u0000', '"', "'", '`', '\n', '\r\n', '\t', ' a  b\t c ',
        '"quoted phrase" word', '"', '""', '" "', 'a"b"c', '+1', '-1', '+999999999999999999999',
        'x'.repeat(300), ' '.repeat(100), '\u3000', 'ﾃｽﾄ', '漢字テスト', 'العربية', 'שלום',
        'AND', 'OR', 'SET #a = :v', 'SET _pk = :v', 'REMOVE _pk', '#pk = :pk', '_pk = :pk AND _sk > :s',
        'attribute_exists(_pk)', 'DescribeTable', 'GetItem', 'Query', 'UpdateItem', 'DeleteItem',
        'BatchGetItem', 'TransactWriteItems', 'ListTables', 'DescribeTimeToLive', 'PutItem', 'Scan',
        'us-west-2', 'http://127.0.0.1:1', 'not a url', 'ASC', 'DESC', 'asc', 'Buffer',
        '{"type":"Buffer","data":[1,2,300]}', '{"type":"Buffer","data":[-1,"x"]}', '{"S":"x"}', '{"N":"abc"}',
        '{"N":"1e400"}', '{"B":"!!!"}', '{"SS":[]}', '{"NS":["x"]}', '{"BOOL":"x"}', '{"NULL":false}',
        '{"M":{"a":{"L":[{"NULL":true}]}}}', '{"L":[{"S":1}]}', '{"BS":["@@@"]}',
      ]);
    }
    if (k < 60) {
      // Random text from risky characters.
      const alphabet = ['a', 'Z', '0', ' ', '#', '[', ']', '"', '\\', '\u0000', '\n', '\uD800', '\uDC00',
        '😀', 'é', 'ß', 'İ', 'Σ', '\u0301', '$', '_', '.', ':', ',', '{', '}', '\u200B', '\uFFFF', '%', '\u0085'];
      const len = g.weighted([[6, g.int(8)], [3, g.int(64)], [1, g.int(3000)]]);
      let s = '';
      for (let i = 0; i < len; i++) s += g.pick(alphabet);
      return s;
    }
    if (k < 75 && nest < 2) {
      nest++;
      try {
        return g.jsonText();
      } finally {
        nest--;
      }
    }
    if (k < 85) return `${g.pick(['', 'h', 'fz-', '['])}${marker}${g.pick(['', ']#', '#', '\uD800', ']#x', '-a', '\u0000'])}`;
    const len = g.int(40);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(g.weighted([[5, 32 + g.int(95)], [1, g.int(0x10000)]]));
    return s;
  };

  /** JSON text of a random JSON-safe value, sometimes mutated so it no longer parses. */
  g.jsonText = () => {
    let text;
    try {
      text = JSON.stringify(g.jsonValue(0));
    } catch {
      text = '{}';
    }
    if (text === undefined) text = 'null';
    const k = g.int(10);
    if (k === 0 && text.length > 1) return text.slice(0, g.int(text.length)); // truncated
    if (k === 1) {
      const at = g.int(text.length + 1);
      return text.slice(0, at) + g.pick(['"', '\\', '\u0000', ',', '}', ']', '\uD800', 'x', '1e999']) + text.slice(at);
    }
    return text;
  };

  /** A JSON-safe value (what survives JSON.stringify), shaped like the library's payloads. */
  g.jsonValue = (depth = 0) => {
    const k = g.int(depth > 3 ? 6 : 10);
    switch (k) {
      case 0:
        return null;
      case 1:
        return g.chance(0.5);
      case 2:
        return g.weighted([[3, g.pick(SPECIAL_NUMBERS.filter(Number.isFinite))], [1, g.int(1000) - 500], [1, (r() - 0.5) * 1e6]]);
      case 3:
      case 4:
      case 5:
        return g.chance(0.9) ? g.smallString() : g.string();
      case 6:
      case 7: {
        const n = g.int(5);
        const a = [];
        for (let i = 0; i < n; i++) a.push(g.jsonValue(depth + 1));
        return a;
      }
      default: {
        const n = g.int(5);
        const o = {};
        for (let i = 0; i < n; i++) put(o, g.pick(KEY_WORDS), g.jsonValue(depth + 1));
        if (g.chance(0.05)) return cached('deep1000', () => deepObject(1000));
        if (g.chance(0.05)) return cached('deep200', () => deepObject(200));
        return o;
      }
    }
  };

  /** A short string from the hostile list (no 1 MB values). */
  g.smallString = () => {
    for (let i = 0; i < 5; i++) {
      const s = g.string();
      if (s.length <= 4096) return s;
    }
    return 'x';
  };

  /** A string, usually JSON text. */
  g.jsonish = () => (g.chance(0.7) ? g.jsonText() : g.string());

  /** A function of some kind: returns a value, throws, re-enters, is async, is a class. */
  g.func = () => {
    const k = g.int(9);
    const ret = g.chance(0.5) ? g.primitive() : g.smallString();
    switch (k) {
      case 0:
        return () => ret;
      case 1: {
        const t = thrownValue(r);
        return () => {
          throw t;
        };
      }
      case 2:
        return async () => ret;
      case 3:
        return class Hostile {};
      case 4:
        return function* gen() {
          yield ret;
        };
      case 5:
        return Object.assign(() => ret, { toString: () => { throw ownError('fn toString'); } });
      case 6:
        return (() => ret).bind(null);
      case 7: {
        const t = thrownValue(r);
        return async () => {
          throw t;
        };
      }
      default:
        return Math.max; // a native function
    }
  };

  /** A primitive, including the awkward ones. */
  g.primitive = () => {
    const k = g.int(14);
    if (k === 0) return undefined;
    if (k === 1) return null;
    if (k === 2) return g.chance(0.5);
    if (k < 6) return g.pick(SPECIAL_NUMBERS);
    if (k === 6) return g.pick(BIGINTS);
    if (k === 7) return g.pick([Symbol('fuzz'), Symbol.iterator, Symbol.for('x'), Symbol()]);
    if (k === 8) return g.int(1000) - 500;
    return g.smallString();
  };

  /** An object built to break whoever touches it. */
  g.hostileObject = (depth = 0) => {
    const k = g.int(24);
    switch (k) {
      case 0: {
        const t = thrownValue(r);
        const o = { a: 1 };
        Object.defineProperty(o, g.pick(['name', 'x', 'then', 'toJSON', 'length', 'input', 'fields', ...fieldNames]), {
          enumerable: true,
          get() {
            throw t;
          },
        });
        return o;
      }
      case 1: {
        const t = thrownValue(r);
        return new Proxy({}, {
          get() { throw t; },
          has() { throw t; },
          ownKeys() { throw t; },
          getOwnPropertyDescriptor() { throw t; },
          getPrototypeOf() { throw t; },
          set() { throw t; },
          defineProperty() { throw t; },
          deleteProperty() { throw t; },
          apply() { throw t; },
        });
      }
      case 2: {
        const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
        revoke();
        return proxy;
      }
      case 3:
      {
        const target = g.value(depth + 1);
        return new Proxy((typeof target === 'object' && target !== null) || typeof target === 'function' ? target : {}, {});
      }
      case 4:
        return new Date(g.pick([0, Date.now(), -1, 8.64e15, 8.64e15 + 1, NaN, Infinity]));
      case 5:
        return Buffer.from(g.smallString());
      case 6:
        return g.pick([new Uint8Array([1, 2, 3]), new Float64Array([NaN]), new ArrayBuffer(8), new DataView(new ArrayBuffer(2)), Buffer.alloc(0)]);
      case 7:
        return new Map([[g.smallString(), g.primitive()], [{}, 1]]);
      case 8:
        return new Set([g.smallString(), 1, null]);
      case 9: {
        const t = thrownValue(r);
        return { a: 1, toJSON() { throw t; } };
      }
      case 10: {
        const cyc = { a: 1 };
        cyc.self = cyc;
        return { toJSON() { return cyc; } };
      }
      case 11: {
        const cyc = { name: 'cyc', nested: { list: [] } };
        cyc.nested.list.push(cyc);
        return cyc;
      }
      case 12: {
        const a = [1, 2];
        a.push(a);
        return a;
      }
      case 13: {
        const o = Object.create(null);
        put(o, g.pick(KEY_WORDS), g.primitive());
        return o;
      }
      case 14:
        return cached('deep1000', () => deepObject(1000));
      case 15:
        return g.chance(0.3) ? cached('deep10000', () => deepObject(10000)) : cached('deepArr1000', () => deepArray(1000));
      case 16:
        return g.pick([
          cached('deepNot1000', () => deepFilter(1000, '$not')),
          cached('deepAnd1000', () => deepFilter(1000, '$and')),
          cached('deepOr200', () => deepFilter(200, '$or')),
          cached('deepNot10000', () => deepFilter(10000, '$not')),
        ]);
      case 17:
        return g.pick([
          cached('sparse', () => [, 1, , 3, , ]), // eslint-disable-line no-sparse-arrays
          cached('holey', () => { const a = []; a[100000] = 'x'; return a; }),
          cached('hugeArray', () => Array.from({ length: 20000 }, (_, i) => i)),
          cached('hugeStrings', () => Array.from({ length: 2000 }, (_, i) => `s${i}`)),
          cached('manyKeys', () => Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
        ]);
      case 18:
        return { valueOf() { throw ownError('valueOf'); }, toString() { throw ownError('toString'); } };
      case 19:
        return { [Symbol.toPrimitive]() { return Symbol('prim'); } };
      case 20:
        return Object.assign(Object.create({ inherited: 'x' }), { own: 1 });
      case 21:
        return new (class Custom { constructor() { this.x = 1; } })();
      case 22:
        return Object.freeze({ frozen: g.primitive() });
      default:
        return { then: g.func() }; // a thenable
    }
  };

  /** Any value at all. */
  g.value = (depth = 0) => {
    const k = g.int(depth > 2 ? 10 : 20);
    if (k < 4) return g.primitive();
    if (k < 7) return g.string();
    if (k === 7) return g.func();
    if (k < 10) {
      const n = g.int(4);
      const a = [];
      for (let i = 0; i < n; i++) a.push(g.value(depth + 1));
      return a;
    }
    if (k < 14) {
      const n = g.int(5);
      const o = {};
      for (let i = 0; i < n; i++) put(o, g.pick(KEY_WORDS), g.value(depth + 1));
      return o;
    }
    return g.hostileObject(depth);
  };

  /** A short, safe description of a value for reports (never throws, never long). */
  g.describe = describe;
  return g;
}

function describe(v, depth = 0) {
  try {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    const t = typeof v;
    if (t === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (t === 'bigint') return `${v}n`;
    if (t === 'boolean') return String(v);
    if (t === 'symbol') return 'Symbol()';
    if (t === 'string') {
      const body = v.length > 40 ? `${v.slice(0, 30)}…(${v.length} chars)` : v;
      return JSON.stringify(body);
    }
    if (t === 'function') return `[function ${v.name || 'anonymous'}]`;
    if (require('node:util').types.isProxy(v)) return '[Proxy]';
    if (depth > 1) return Array.isArray(v) ? '[…]' : '{…}';
    if (Array.isArray(v)) {
      const items = [];
      for (let i = 0; i < Math.min(v.length, 4); i++) items.push(i in v ? describe(v[i], depth + 1) : '<hole>');
      return `[${items.join(', ')}${v.length > 4 ? `, …(${v.length})` : ''}]`;
    }
    if (v instanceof Date) return `Date(${v.getTime()})`;
    if (Buffer.isBuffer(v)) return `Buffer(${v.length})`;
    if (v instanceof Map) return `Map(${v.size})`;
    if (v instanceof Set) return `Set(${v.size})`;
    const keys = Reflect.ownKeys(v).slice(0, 4);
    const parts = keys.map((k) => {
      const d = Object.getOwnPropertyDescriptor(v, k);
      const val = d && 'value' in d ? describe(d.value, depth + 1) : '<getter>';
      return `${typeof k === 'symbol' ? '[sym]' : JSON.stringify(k)}: ${val}`;
    });
    return `{${parts.join(', ')}}`;
  } catch {
    return '<undescribable>';
  }
}

module.exports = { makeGen, seedFor, isOwnThrown, describe, OWN_THROWN_PREFIX, deepObject, deepFilter };
