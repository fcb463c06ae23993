'use strict';
/**
 * Assertions shared by the tests. `expectReject(fn, check)` requires fn() to *return* a
 * promise that rejects (a synchronous throw is a failure: the API is async) and runs
 * `check(err)` on the rejection reason.
 */
const assert = require('node:assert/strict');
const { exceptions } = require('../..');

async function expectReject(fn, check) {
  let promise;
  try {
    promise = fn();
  } catch (err) {
    assert.fail(`expected a rejected promise, but the call threw synchronously: ${err && err.stack}`);
  }
  assert.ok(promise && typeof promise.then === 'function', 'expected the call to return a promise');
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  if (check) check(caught);
  return caught;
}

function isTenantRequired(err) {
  assert.ok(err instanceof Error, `expected an Error, got ${err}`);
  assert.equal(err.code, 'TENANT_REQUIRED', `expected code TENANT_REQUIRED, got ${err.code} (${err.message})`);
  assert.match(err.message, /Tenant context is required/);
}

function isInvalidTenant(err) {
  assert.ok(err instanceof Error, `expected an Error, got ${err}`);
  assert.equal(err.name, 'ValidationError', `expected a ValidationError, got ${err.name}: ${err.message}`);
  assert.ok(err instanceof exceptions.ValidationError, 'expected an instance of exceptions.ValidationError');
  assert.equal(err.code, 'INVALID_TENANT_ID', `expected code INVALID_TENANT_ID, got ${err.code} (${err.message})`);
  assert.match(err.message, /tenant/i, 'the message says the tenant id is the problem');
}

module.exports = { expectReject, isTenantRequired, isInvalidTenant };
