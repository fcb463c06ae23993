"use strict";
/**
 * `dynamo-bao/src/utils/search-text.js` (spec §5.12). Normalisation, the
 * stored `_searchText` and the search predicate come from the native core
 * (one implementation for saves and queries); tokenising, limits, the
 * predicate hash and cursor encoding are plain string work.
 */
const native = require("../native.js");
const { native: call } = require("../native-errors.js");

/** The config as the core reads it. */
function configJson(config) {
  const c = config || {};
  return JSON.stringify({
    fields: Array.isArray(c.fields) ? c.fields : [],
    caseSensitive: Boolean(c.caseSensitive),
    minTermLength: Number.isInteger(c.minTermLength) && c.minTermLength > 0 ? c.minTermLength : 1,
    dedupe: Boolean(c.dedupe),
  });
}

/**
 * `_searchText` for a map of stored values.
 * @param {Record<string, any>} values
 * @param {{fields: string[], caseSensitive?: boolean, minTermLength?: number, dedupe?: boolean}} config
 */
function buildSearchText(values, config) {
  return call(() => native.searchBuildText(JSON.stringify(values || {}), configJson(config)));
}

/** A term normalised like `_searchText` (punctuation to spaces, lower case, spaces folded). */
function normalizeSearchTerm(term, config = {}) {
  return native.searchNormalize(String(term), Boolean(config?.caseSensitive));
}

/** Splits a query string into words and `"quoted phrases"`. */
function tokenizeSearchQuery(query) {
  if (typeof query !== "string") return [];
  const tokens = [];
  const isSpace = (c) => /\s/.test(c);
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    if (isSpace(ch)) {
      i++;
    } else if (ch === '"') {
      const close = query.indexOf('"', i + 1);
      const phrase = (close === -1 ? query.slice(i + 1) : query.slice(i + 1, close)).trim();
      if (phrase) tokens.push(phrase);
      if (close === -1) break;
      i = close + 1;
    } else {
      let j = i;
      while (j < query.length && !isSpace(query[j]) && query[j] !== '"') j++;
      tokens.push(query.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/**
 * What a save does to `_searchText`: `undefined` leaves it, `null` removes it,
 * a string writes it.
 */
function computeSearchTextUpdate(args) {
  const { searchConfig, dyUpdatesToSave, currentItem, isNew = false, forceReindex = false } = args || {};
  if (!searchConfig) return undefined;
  const current = currentItem?._dyData ? JSON.stringify(currentItem._dyData) : undefined;
  const out = JSON.parse(
    call(() =>
      native.searchTextUpdate(configJson(searchConfig), JSON.stringify(dyUpdatesToSave || {}), current, isNew, forceReindex),
    ),
  );
  return "update" in out ? out.update : undefined;
}

/**
 * The FilterExpression parts matching rows that contain the terms.
 * @param {string[]} terms
 * @param {object} searchConfig
 * @param {{operator?: "$and"|"$or"}} [options]
 */
function buildSearchPredicate(terms, searchConfig, options = {}) {
  if (!Array.isArray(terms)) throw new Error("terms must be an array of strings.");
  if (terms.some((t) => typeof t !== "string")) throw new Error("terms must be strings.");
  const { operator = "$and" } = options || {};
  try {
    return JSON.parse(native.searchPredicate(JSON.stringify(terms), String(operator), configJson(searchConfig)));
  } catch (e) {
    // The original throws plain Errors here.
    throw new Error(e.message);
  }
}

function validateLimit(limit) {
  if (limit === Infinity) return;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new Error("limit must be a positive integer or Infinity.");
  }
}

/** Re-yields batches until `limit` items went out. */
async function* applyLimit(asyncIterable, limit) {
  if (limit === Infinity) {
    yield* asyncIterable;
    return;
  }
  let yielded = 0;
  for await (const batch of asyncIterable) {
    if (!Array.isArray(batch)) throw new Error("applyLimit expects batches (arrays) of items");
    const room = limit - yielded;
    if (room <= 0) return;
    if (batch.length <= room) {
      yield batch;
      yielded += batch.length;
      if (batch.length && yielded >= limit) return;
    } else {
      yield batch.slice(0, room);
      return;
    }
  }
}

/**
 * A short hash of what a search asks for (32-bit FNV-1a over UTF-16 units,
 * base 36), so a cursor cannot be resumed with different terms.
 */
function predicateHash(terms, operator, searchConfig) {
  const cfg = searchConfig || {};
  const payload = JSON.stringify({
    terms: (Array.isArray(terms) ? terms : []).map((t) => normalizeSearchTerm(String(t), cfg)),
    operator: operator || "$and",
    caseSensitive: !!cfg.caseSensitive,
    minTermLength: cfg.minTermLength || 1,
    dedupe: !!cfg.dedupe,
  });
  let h = 0x811c9dc5;
  for (let i = 0; i < payload.length; i++) {
    h ^= payload.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

const CURSOR_FIELDS = ["bucketCursors", "predicateHash", "modelPrefix", "scope", "tenantId"];
/** 256 KiB: room for thousands of pending ids. */
const MAX_CURSOR_CHARS = 256 * 1024;

/** A search cursor: the state as JSON, base64url without padding. */
function encodeCursor(state) {
  if (!state || typeof state !== "object") throw new Error("encodeCursor: invalid state.");
  for (const f of CURSOR_FIELDS) if (!(f in state)) throw new Error(`encodeCursor: missing required field "${f}".`);
  const json = JSON.stringify({
    bucketCursors: state.bucketCursors,
    predicateHash: state.predicateHash,
    modelPrefix: state.modelPrefix,
    scope: state.scope,
    tenantId: state.tenantId,
    pendingItemKeys: state.pendingItemKeys || [],
  });
  return Buffer.from(json, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The state of a cursor; throws `Invalid cursor: …` for anything malformed. */
function decodeCursor(encoded) {
  if (typeof encoded !== "string" || encoded.length === 0) throw new Error("Invalid cursor: must be a non-empty string.");
  // Each pending id costs a read on resume; no cursor this library writes comes near this.
  if (encoded.length > MAX_CURSOR_CHARS) throw new Error(`Invalid cursor: longer than ${MAX_CURSOR_CHARS} characters.`);
  let padded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  while (padded.length % 4) padded += "=";
  if (!/^[A-Za-z0-9+/=]*$/.test(padded)) throw new Error("Invalid cursor: not valid base64url.");
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(padded, "base64").toString("utf8"));
  } catch {
    throw new Error("Invalid cursor: payload is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error("Invalid cursor: payload is not an object.");
  }
  for (const f of CURSOR_FIELDS) if (!(f in parsed)) throw new Error(`Invalid cursor: missing required field "${f}".`);
  const c = parsed;
  const fail = (m) => {
    throw new Error(`Invalid cursor: ${m}`);
  };
  if (!c.bucketCursors || typeof c.bucketCursors !== "object" || Array.isArray(c.bucketCursors)) {
    fail("bucketCursors must be an object map.");
  }
  if (typeof c.predicateHash !== "string") fail("predicateHash must be a string.");
  if (c.modelPrefix !== null && typeof c.modelPrefix !== "string") fail("modelPrefix must be a string or null.");
  if (!Array.isArray(c.scope)) fail("scope must be an array.");
  if (c.scope.some((s) => !Number.isInteger(s) || s < 0)) fail("scope must contain non-negative integers.");
  if (c.tenantId !== null && typeof c.tenantId !== "string") fail("tenantId must be a string or null.");
  if (c.pendingItemKeys !== undefined && !Array.isArray(c.pendingItemKeys)) fail("pendingItemKeys must be an array.");
  if ((c.pendingItemKeys || []).some((k) => typeof k !== "string")) fail("pendingItemKeys must contain strings.");
  return c;
}

module.exports = {
  buildSearchText,
  normalizeSearchTerm,
  tokenizeSearchQuery,
  computeSearchTextUpdate,
  buildSearchPredicate,
  applyLimit,
  validateLimit,
  predicateHash,
  encodeCursor,
  decodeCursor,
};
