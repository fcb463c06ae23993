'use strict';
/**
 * The addon's tokio runtime: one worker thread on a machine with at most 2
 * CPUs (fewer cross-thread wakeups per operation; larger machines keep
 * tokio's default), and TOKIO_WORKER_THREADS when it is set. Counted from
 * /proc in a fresh process after one operation has run on the runtime.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const linux = process.platform === 'linux';

/**
 * Tokio worker threads of a process that ran one operation (which fails:
 * nothing listens on port 9). `twoCpus`: run it on the first two CPUs only.
 */
function workers(env, { twoCpus = false } = {}) {
  const script = `
    const fs = require('node:fs');
    const bao = require(${JSON.stringify(ROOT)});
    class Note extends bao.BaoModel {
      static modelPrefix = 'n';
      static fields = { id: bao.fields.StringField({ required: true }) };
      static primaryKey = bao.PrimaryKeyConfig('id');
    }
    bao.initModels({ aws: { region: 'us-west-2', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }, db: { tableName: 't' }, models: { Note } });
    Note.find('a').then(() => { throw new Error('a find through a closed port succeeded'); }, () => {
      const names = fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim());
      console.log(names.filter((n) => n.startsWith('tokio-rt-worke')).length);
    });`;
  const childEnv = { ...process.env, ...env };
  if (env.TOKIO_WORKER_THREADS === undefined) delete childEnv.TOKIO_WORKER_THREADS;
  const [cmd, args] = twoCpus ? ['taskset', ['-c', '0,1', process.execPath, '-e', script]] : [process.execPath, ['-e', script]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('one tokio worker on a machine with at most 2 CPUs', { skip: !linux && 'counts threads in /proc' }, () => {
  // A larger machine is narrowed to two CPUs, which the addon sees as it sees a small one.
  assert.equal(workers({}, { twoCpus: os.availableParallelism() > 2 }), 1);
});

test('TOKIO_WORKER_THREADS decides when set', { skip: !linux && 'counts threads in /proc' }, () => {
  assert.equal(workers({ TOKIO_WORKER_THREADS: '3' }), 3);
});

test('worker threads that use the addon one after another, the main thread never loading it', () => {
  // Each worker is the only environment holding the addon, so its exit shuts the runtime down
  // and the next worker's first operation starts a new one on new threads. With mimalloc 3 as
  // the allocator, the first allocation on such a thread crashed the process (SIGSEGV).
  const script = `
    const { Worker } = require('node:worker_threads');
    const body = \`
      const bao = require(${JSON.stringify(ROOT)});
      class Note extends bao.BaoModel {
        static modelPrefix = 'n';
        static fields = { id: bao.fields.StringField({ required: true }) };
        static primaryKey = bao.PrimaryKeyConfig('id');
      }
      bao.initModels({ aws: { region: 'us-west-2', endpoint: 'http://127.0.0.1:9', maxAttempts: 1,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }, db: { tableName: 't' }, models: { Note } });
      Promise.all([1, 2, 3].map((i) => Note.find('id' + i).then(() => 'found', (e) => e.code)))
        .then((codes) => require('node:worker_threads').parentPort.postMessage(codes.join()));\`;
    (async () => {
      for (let k = 0; k < 3; k++) {
        const worker = new Worker(body, { eval: true });
        const codes = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
        await worker.terminate();
        console.log(codes);
      }
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.signal, null, `the process was killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['NETWORK,NETWORK,NETWORK', 'NETWORK,NETWORK,NETWORK', 'NETWORK,NETWORK,NETWORK']);
});
