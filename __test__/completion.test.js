'use strict';
/**
 * How operations' promises are settled (src/binding/completion.rs): one
 * threadsafe function per JS thread carries every answer back. Each case runs
 * in a fresh process, against endpoints that refuse or never answer, so
 * nothing here needs DynamoDB: what is checked is that every promise settles
 * once, that an operation in flight keeps Node running and an idle addon does
 * not, and that a worker thread torn down with operations in flight takes
 * nothing else with it.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** A script that defines a model `Note` against `endpoint` (one attempt, `timeoutMs` per attempt). */
function preamble(endpoint, timeoutMs = 2000) {
  return `
    const bao = require(${JSON.stringify(ROOT)});
    class Note extends bao.BaoModel {
      static modelPrefix = 'n';
      static fields = { id: bao.fields.StringField({ required: true }) };
      static primaryKey = bao.PrimaryKeyConfig('id');
    }
    bao.initModels({
      aws: { region: 'us-west-2', endpoint: ${JSON.stringify(endpoint)}, maxAttempts: 1, requestTimeoutMs: ${timeoutMs},
             credentials: { accessKeyId: 'x', secretAccessKey: 'y' } },
      db: { tableName: 't' },
      models: { Note },
    });`;
}

function run(script, timeout = 20000) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout });
  return { ...r, ms: Date.now() - started };
}

test('an operation in flight keeps the process running until it settles, then lets it exit', () => {
  // Nothing but the find is pending: without a hold on the event loop the process would exit first.
  const r = run(`${preamble('http://127.0.0.1:9')}
    Note.find('a').then(() => console.log('resolved'), (e) => console.log('settled:' + e.code));`);
  assert.equal(r.error, undefined, `the process did not exit by itself: ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^settled:[A-Z_]+$/);
});

test('an idle addon does not keep the process running', () => {
  const r = run(`${preamble('http://127.0.0.1:9')} console.log('loaded');`);
  assert.equal(r.error, undefined, `the process did not exit by itself: ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'loaded');
});

test('every one of many concurrent operations settles exactly once', () => {
  const r = run(`${preamble('http://127.0.0.1:9')}
    const settled = new Array(300).fill(0);
    Promise.all(settled.map((_, i) => Note.find('id' + i).then(
      () => { settled[i]++; },
      (e) => { if (typeof e.code !== 'string') throw e; settled[i]++; },
    ))).then(() => setTimeout(() => console.log(JSON.stringify({ n: settled.length, once: settled.every((c) => c === 1) })), 50));`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { n: 300, once: true });
});

test('a worker thread ended with operations in flight leaves the main thread working', () => {
  // The server accepts and never answers, so the worker's finds are in flight when it ends;
  // their answers arrive after its environment is gone and must be dropped, not delivered.
  const r = run(`
    const net = require('node:net');
    const { Worker } = require('node:worker_threads');
    const sockets = [];
    const server = net.createServer((s) => sockets.push(s)).listen(0, '127.0.0.1', () => {
      const endpoint = 'http://127.0.0.1:' + server.address().port;
      const worker = new Worker(${JSON.stringify(preamble('ENDPOINT', 400))}.replace('"ENDPOINT"', JSON.stringify(endpoint)) + \`
        const { parentPort } = require('node:worker_threads');
        for (let i = 0; i < 20; i++) Note.find('w' + i).catch(() => {});
        setTimeout(() => parentPort.postMessage('in flight'), 100);\`, { eval: true });
      worker.once('message', async () => {
        await worker.terminate();
        // Past the worker's request timeout: its answers have come back to a torn-down thread.
        await new Promise((resolve) => setTimeout(resolve, 700));
        ${preamble('http://127.0.0.1:9').replace(/\n/g, ' ')}
        const code = await Note.find('main').then(() => 'resolved', (e) => e.code);
        for (const s of sockets) s.destroy();
        server.close();
        console.log('main:' + code);
      });
    });`);
  assert.equal(r.error, undefined, `the process did not exit by itself: ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^main:[A-Z_]+$/);
});
