"use strict";
/**
 * ULIDs as the `ulid` npm package makes them (48-bit millisecond time + 80
 * random bits, Crockford base32), for UlidField `autoAssign` and VersionField.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LEN = 10;
const MAX_TIME = 2 ** 48 - 1;

// Random bytes are drawn from the CSPRNG 4 KiB at a time: one randomBytes(16)
// call per id cost more than the rest of a create's JS work.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolAt = POOL_SIZE;

/** @returns {string} a new ULID */
function ulid(now = Date.now()) {
  let t = now;
  let time = "";
  for (let i = 0; i < TIME_LEN; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt + 16 > pool.length) {
    // Required here, once per 256 ids: loading node:crypto up front cost ~3 ms of require().
    pool = require("node:crypto").randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolAt = 0;
  }
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[poolAt + i] & 31];
  // Each byte is handed out once.
  poolAt += 16;
  return time + rand;
}

/**
 * The timestamp of a ULID; throws for characters outside the alphabet or a
 * time beyond 2^48 - 1, as `ulid`'s `decodeTime` does.
 * @param {string} id
 */
function decodeTime(id) {
  if (typeof id !== "string" || id.length !== 26) throw new Error("malformed ulid");
  let t = 0;
  for (let i = 0; i < TIME_LEN; i++) {
    const v = ALPHABET.indexOf(id[i]);
    if (v < 0) throw new Error(`invalid character found: ${id[i]}`);
    t = t * 32 + v;
  }
  if (t > MAX_TIME) throw new Error("malformed ulid, timestamp too large");
  return t;
}

module.exports = { ulid, decodeTime };
