'use strict';
/**
 * `npm run demo` keeps working: the demo runs on the suite's DynamoDB Local
 * (BAO_DEMO_ENDPOINT, its own table) and exits 0 only when every scenario behaved as the
 * guide says; its output shows the HTTP refusals and the per-tenant capacity table.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');

test('npm run demo: every scenario behaves as expected', { timeout: 180_000 }, async () => {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(__dirname, '..', 'scripts', 'demo.js')],
      { env: { ...process.env, BAO_DEMO_ENDPOINT: process.env.AWS_ENDPOINT_URL_DYNAMODB }, timeout: 170_000, maxBuffer: 4 << 20 },
      (err, out, errOut) => resolve({ code: err ? err.code ?? err.signal : 0, stdout: out, stderr: errOut }),
    );
  });
  assert.equal(code, 0, `demo failed:\n${stdout}\n${stderr}`);
  assert.match(stdout, /all scenarios behaved as expected/);
  assert.doesNotMatch(stdout, /UNEXPECTED/);
  assert.match(stdout, /Alice's token asking for globex -> 403 .*TENANT_FORBIDDEN/);
  assert.match(stdout, /x-tenant-id: 'evil\]#acme' -> 400 .*INVALID_TENANT_ID/);
  assert.match(stdout, /tenant1Stats.*"userCount":2.*tenant2Stats.*"userCount":1/);
  assert.match(stdout, /capacity units per tenant/);
  assert.match(stdout, /^ {2}acme +6 /m);
  assert.match(stdout, /^ {2}globex +6 /m);
});
