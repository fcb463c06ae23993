'use strict';
/** Unique ids for test isolation: tenant ids / markers, and syntactically valid ULIDs. */
const crypto = require('node:crypto');

/** A unique, tenant-safe string ([0-9a-z], ~20 chars). */
function uid(prefix = 't') {
  return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 10 chars of millisecond time + 16 random chars, Crockford base32. */
function ulid(time = Date.now()) {
  let t = time;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[t % 32] + head;
    t = Math.floor(t / 32);
  }
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[crypto.randomInt(32)];
  return head + tail;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { uid, ulid, sleep };
