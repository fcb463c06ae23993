'use strict';
/**
 * A local HTTP proxy in front of DynamoDB Local. It records, for every request,
 * the access key id it was signed with, the DynamoDB operation and the tenant
 * prefixes its body names, and it can answer the next requests itself with
 * throttling or 5xx errors (the faults a real table produces under load), or
 * cut an answer off midway (a dropped connection), which DynamoDB Local cannot
 * be made to do.
 */
const http = require('node:http');

const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});

/**
 * @param {string} target DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000
 */
async function startProxy(target) {
  const upstream = new URL(target);
  const requests = []; // { keyId, operation, tenants: string[], answered: 'forwarded'|'throttled'|'5xx'|'cut' }
  const faults = []; // queue of 'throttle' | 'throttle-once' | '5xx' | 'cut'
  const throttledBodies = new Set(); // requests a 'throttle-once' fault answered

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const auth = req.headers.authorization || '';
      const text = body.toString('utf8');
      const record = {
        keyId: (/Credential=([^/]+)\//.exec(auth) || [])[1] || null,
        operation: String(req.headers['x-amz-target'] || '').split('.').pop(),
        tenants: [...new Set([...text.matchAll(/"\[([^\]"]*)\]#/g)].map((m) => m[1]))],
        answered: 'forwarded',
      };
      requests.push(record);
      // A retry of a request already throttled once goes through, and the
      // fault waits for the next new request.
      const retryOfOnce = faults[0] === 'throttle-once' && throttledBodies.has(text);
      const fault = retryOfOnce ? undefined : faults.shift();
      if (fault === 'throttle-once') throttledBodies.add(text);
      if (fault === 'throttle' || fault === 'throttle-once') {
        record.answered = 'throttled';
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(THROTTLE_BODY);
      }
      if (fault === '5xx') {
        record.answered = '5xx';
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' }));
      }
      const out = http.request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          if (fault !== 'cut') {
            res.writeHead(up.statusCode, up.headers);
            return up.pipe(res);
          }
          // The whole answer's status and length, then half its body and a dropped connection.
          record.answered = 'cut';
          const parts = [];
          up.on('data', (c) => parts.push(c));
          up.on('end', () => {
            const full = Buffer.concat(parts);
            res.writeHead(up.statusCode, { ...up.headers, 'content-length': full.length });
            res.write(full.subarray(0, full.length >> 1), () => res.socket.destroy());
          });
        },
      );
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    /**
     * Answers the next `n` requests with a throttling error; with
     * `oncePerRequest`, the next `n` distinct requests (by body), each once,
     * so that however retries interleave no request runs out of attempts.
     */
    throttleNext(n, { oncePerRequest = false } = {}) {
      for (let i = 0; i < n; i++) faults.push(oncePerRequest ? 'throttle-once' : 'throttle');
    },
    /** Answers the next `n` requests with HTTP 500. */
    failNext(n) {
      for (let i = 0; i < n; i++) faults.push('5xx');
    },
    /** Forwards the next `n` requests, and cuts each answer off halfway through its body. */
    cutNext(n) {
      for (let i = 0; i < n; i++) faults.push('cut');
    },
    pendingFaults: () => faults.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

module.exports = { startProxy };
